# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Real VM displays for the console tests: a VNC VM and a SPICE VM behind one console proxy, as ZStack has them.

```
QEMU (TCG, no disk: the SeaBIOS screen) -vga std  -vnc 127.0.0.1:N            <- VM "vnc-01"   (RFB speaks first)
QEMU (TCG, no disk: the SeaBIOS screen) -vga qxl  -spice port=P,addr=127.0.0.1 <- VM "spice-01" (waits for REDQ)
          ^ token files "{token}: 127.0.0.1:{port}"
websockify --token-plugin TokenFile --token-source DIR, NO --web   (ZStack's console proxy agent runs websockify
          ^                                                         with --target-config=DIR and no --web:
          |                                                         zstackio/zstack-utility
          |                                                         consoleproxy/consoleproxy/console_proxy_agent.py)
the ZStack simulator (--token-dir DIR): each VM's console port is its display, and it answers targetScheme "vnc"
for both, as open-source ZStack does for every VM (plugin/kvm/.../KVMConsoleHypervisorBackend.java)
```

``display_stack`` (a module-scoped fixture) starts all of it on 127.0.0.1 and free ports, and always stops it;
``console_entry_for`` asks the simulator for a console over its REST API and returns the entry exactly as
zstack_console_access returns it (``_consoles.console_entry``). Used by the native-viewer bridge tests
(test_console_bridge.py) and by the browser tests of the SPICE launcher.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import struct
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._consoles import console_entry
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock, parse_timezone

from e2e_stack import (
    ACCOUNT,
    Stack,
    _missing_parts,
    free_port,
    require,
    start_simulator_on,
    start_token_proxy,
    wait_for,
)

QEMU = os.environ.get('ZSTACK_E2E_QEMU', shutil.which('qemu-system-x86_64') or '/usr/bin/qemu-system-x86_64')
VNC_VM = 'vnc-01'
SPICE_VM = 'spice-01'
# Running VMs of tests/simulator/seed.json, renamed for what their display speaks.
SEED_VMS = {VNC_VM: '374f25061ea8462da5c428fcb2aa243c', SPICE_VM: 'ab04180819704b28aee1f3bc94f96637'}
# TCG, 64 MiB, nothing but the display: no disk and no NIC, so SeaBIOS stops at "No bootable device." and the screen
# stays as it is (light grey text on black, 720x400 text mode).
QEMU_BASE = ['-machine', 'pc,accel=tcg', '-m', '64', '-nodefaults', '-display', 'none', '-no-user-config']


def displays_missing():
    """What the displays need and this machine lacks, as sentences (empty when all is there)."""
    return _missing_parts(((QEMU, 'qemu-system-x86'),), ('websockify',))


def rfb_banner(port):
    """The first 12 bytes a VNC server sends (``RFB 003.008\\n``)."""
    with socket.create_connection(('127.0.0.1', port), timeout=2) as sock:
        sock.settimeout(5)
        data = b''
        while len(data) < 12:
            chunk = sock.recv(12 - len(data))
            if not chunk:
                break
            data += chunk
        return data


# SpiceLinkHeader (magic "REDQ", major 2, minor 2, size) + SpiceLinkMess for the main channel, no capabilities
# (spice-protocol: spice/protocol.h). A SPICE server answers it with a SpiceLinkHeader of its own, magic "REDQ".
SPICE_LINK_MESS = struct.pack('<IBBIII', 0, 1, 0, 0, 0, 18)
SPICE_LINK = b'REDQ' + struct.pack('<III', 2, 2, len(SPICE_LINK_MESS)) + SPICE_LINK_MESS


def spice_link_reply(sock, timeout=5.0):
    """Send SPICE_LINK on a connected socket; the first 16 bytes of the answer (``REDQ`` + version + size)."""
    sock.settimeout(timeout)
    sock.sendall(SPICE_LINK)
    data = b''
    while len(data) < 16:
        chunk = sock.recv(16 - len(data))
        if not chunk:
            break
        data += chunk
    return data


def spice_answers(port):
    with socket.create_connection(('127.0.0.1', port), timeout=2) as sock:
        return spice_link_reply(sock)[:4] == b'REDQ'


def start_qemu_vnc(stack, name='qemu-vnc'):
    """A SeaBIOS screen over VNC (``-vga std -vnc``); returns its RFB port."""
    port = free_port_from(5900)
    process, log = stack.start(name, [QEMU] + QEMU_BASE + ['-name', name, '-vga', 'std',
                                                           '-vnc', '127.0.0.1:%d' % (port - 5900)])
    wait_for(name, lambda: rfb_banner(port).startswith(b'RFB '), process=process, log=log)
    return port


def start_qemu_spice(stack, name='qemu-spice'):
    """A SeaBIOS screen over SPICE (``-vga qxl -spice ...,disable-ticketing=on``); returns its SPICE port."""
    port = free_port()
    process, log = stack.start(name, [QEMU] + QEMU_BASE + [
        '-name', name, '-vga', 'qxl', '-spice', 'port=%d,addr=127.0.0.1,disable-ticketing=on' % port])
    wait_for(name, lambda: spice_answers(port), process=process, log=log)
    return port


def free_port_from(lowest):
    """A free TCP port on 127.0.0.1 not below ``lowest`` (QEMU's -vnc takes a display number: port - 5900)."""
    for _attempt in range(50):
        port = free_port()
        if port >= lowest:
            return port
    raise RuntimeError('no free port above %d' % lowest)


def _admin(api_port, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request('http://127.0.0.1:%d%s' % (api_port, path), data=data, method=method,
                                     headers=dict({'Content-Type': 'application/json'}, **(headers or {})))
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read().decode() or '{}')


def point_vm(api_port, name, port):
    """Name a seed VM ``name`` and make ``port`` its display (its host's management IP in the seed is 127.0.0.1)."""
    uuid = SEED_VMS[name]
    _admin(api_port, 'POST', '/_sim/vms/%s' % uuid, {'name': name, 'vncPort': port})
    return uuid


def login(api_port):
    """A new API session of the console account (the simulator's seed)."""
    reply = _admin(api_port, 'PUT', '/zstack/v1/accounts/login', {'logInByAccount': {
        'accountName': ACCOUNT[0], 'password': hashlib.sha512(ACCOUNT[1].encode()).hexdigest()}})
    return reply['inventory']['uuid']


def console_entry_for(stack, name, session_uuid=None):
    """A console of VM ``name`` from the simulator (RequestConsoleAccess and its job), as the module returns it.

    ``session_uuid``: the API session to ask with (a new login by default). The entry has the token, the
    websocket_url, targetScheme ("vnc" for both VMs) and expires_at in UTC.
    """
    api_port = stack['api_port']
    session_uuid = session_uuid or login(api_port)
    auth = {'Authorization': 'OAuth %s' % session_uuid}
    uuid = SEED_VMS[name]
    reply = _admin(api_port, 'POST', '/zstack/v1/consoles', {'params': {'vmInstanceUuid': uuid}}, headers=auth)
    path = '/' + reply['location'].split('/', 3)[3]
    deadline = time.monotonic() + 30
    while True:
        request = urllib.request.Request('http://127.0.0.1:%d%s' % (api_port, path), headers=auth)
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, body = answer.status, answer.read().decode()
        if status == 200:
            inventory = json.loads(body)['inventory']
            break
        if time.monotonic() > deadline:
            raise RuntimeError('the console job of %s did not finish within 30 s' % name)
        time.sleep(0.05)
    # The simulator runs with --timezone UTC: its zone-less expiredDate is UTC.
    return console_entry(uuid, name, inventory, NodeClock(parse_timezone('UTC')))


@pytest.fixture(scope='module')
def display_stack():
    """The two QEMU displays behind websockify (token directory, no --web), and the simulator; yields a dict.

    Keys: workdir, stack (e2e_stack.Stack, to start more parts), vnc_port, spice_port, token_dir, ws_port,
    websockify_log, api_port, vms ({name: uuid} for VNC_VM and SPICE_VM).
    """
    require(displays_missing())
    workdir = Path(tempfile.mkdtemp(prefix='zstack-e2e-displays-'))
    workdir.chmod(0o755)  # operators' processes (a bridge run as an OS user) read nothing here but pass through
    stack = Stack(workdir)
    try:
        vnc_port = start_qemu_vnc(stack)
        spice_port = start_qemu_spice(stack)
        token_dir = workdir / 'tokens'
        token_dir.mkdir(mode=0o700)
        ws_port, ws_log, _process = start_token_proxy(stack, token_dir)
        api_port = start_simulator_on(stack, '127.0.0.1', token_dir, ws_port, timezone='UTC')
        vms = {VNC_VM: point_vm(api_port, VNC_VM, vnc_port), SPICE_VM: point_vm(api_port, SPICE_VM, spice_port)}
        yield {'workdir': workdir, 'stack': stack, 'vnc_port': vnc_port, 'spice_port': spice_port,
               'token_dir': token_dir, 'ws_port': ws_port, 'websockify_log': ws_log, 'api_port': api_port, 'vms': vms}
    finally:
        stack.stop()
        if os.environ.get('ZSTACK_E2E_KEEP') != '1':
            shutil.rmtree(workdir, ignore_errors=True)
