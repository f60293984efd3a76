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

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import ConsoleEntry
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock, parse_timezone

from e2e_stack import (
    Stack,
    _missing_parts,
    free_port,
    login,
    require,
    rfb_banner,
    sim_request,
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
    return _missing_parts(((QEMU, 'qemu-system-x86'), (shutil.which('convert') or '/usr/bin/convert', 'imagemagick')),
                          ('websockify',))


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
    """A SeaBIOS screen over VNC (``-vga std -vnc``); returns its RFB port and its process (to stop, as a VM stops)."""
    port = free_port_from(5900)
    process, log = stack.start(name, [QEMU] + QEMU_BASE + ['-name', name, '-vga', 'std',
                                                           '-vnc', '127.0.0.1:%d' % (port - 5900)])
    wait_for(name, lambda: rfb_banner(port), process=process, log=log)
    return port, process


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


# ---------------------------------------------------------------- what the SeaBIOS screen looks like

def png_pixels(png):
    """(width, height, RGB bytes) of a picture file, through ImageMagick's convert (PPM)."""
    data = subprocess.run(['convert', str(png), '-depth', '8', 'ppm:-'], capture_output=True, timeout=60,
                          check=True).stdout
    comment = rb'(?:#[^\n]*\n\s*)*'
    match = re.match(rb'P6\s+%s(\d+)\s+%s(\d+)\s+%s255\s' % (comment, comment, comment), data)
    if not match:
        raise AssertionError('convert did not give an 8-bit PPM for %s' % png)
    return int(match.group(1)), int(match.group(2)), data[match.end():]


def seabios_screen(png):
    """Why the picture does not show the SeaBIOS screen of a VM without a disk, or None when it does.

    That screen is light grey text on black at the top of a 720x400 text mode (SeaBIOS's banner, "Booting from
    Hard Disk...", "No bootable device."). In the picture: the block of rows that are mostly black (the VM's screen,
    wherever a viewer or a page put it), at least 600x300; inside it, mostly black, a little light grey (text:
    0.3% to 10%), and that text in the upper half. A uniform picture, a white one, or a black one without text fails.
    """
    width, height, pixels = png_pixels(png)

    def dark(i):
        return pixels[i] < 24 and pixels[i + 1] < 24 and pixels[i + 2] < 24

    rows = [sum(1 for x in range(width) if dark((y * width + x) * 3)) for y in range(height)]
    # The longest run of rows at least 300 pixels of which are black: the screen's rows.
    best, start = (0, 0), None
    for y, count in enumerate(rows + [0]):
        if count >= 300 and start is None:
            start = y
        elif count < 300 and start is not None:
            best, start = max(best, (y - start, start)), None
    rows_run, top = best
    if rows_run < 300:
        return 'no block of mostly black rows 300 high (the longest is %d)' % rows_run

    def column_black(x):
        return sum(1 for y in range(top, top + rows_run) if dark((y * width + x) * 3))

    columns = [x for x in range(width) if column_black(x) >= rows_run // 2]
    left, right = min(columns), max(columns)
    if right - left + 1 < 600:
        return 'the black block is %dx%d, narrower than 600' % (right - left + 1, rows_run)
    black = light = light_top = 0
    for y in range(top, top + rows_run):
        for x in range(left, right + 1):
            i = (y * width + x) * 3
            r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
            if max(r, g, b) < 24:
                black += 1
            elif min(r, g, b) >= 150 and max(r, g, b) - min(r, g, b) <= 40:
                light += 1
                light_top += y < top + rows_run // 2
    area = (right - left + 1) * rows_run
    if black < 0.85 * area:
        return 'the %dx%d block is only %.0f%% black' % (right - left + 1, rows_run, 100.0 * black / area)
    if not 0.003 * area <= light <= 0.10 * area:
        return 'the %dx%d block has %.2f%% light grey (text): not a text screen' % (
            right - left + 1, rows_run, 100.0 * light / area)
    if light_top < 0.9 * light:
        return 'the text is not at the top of the screen (%d of %d light pixels in the upper half)' % (light_top, light)
    return None


def point_vm(api_port, name, port):
    """Name a seed VM ``name`` and make ``port`` its display (its host's management IP in the seed is 127.0.0.1)."""
    uuid = SEED_VMS[name]
    sim_request(api_port, 'POST', '/_sim/vms/%s' % uuid, {'name': name, 'vncPort': port})
    return uuid


def console_entry_for(stack, name, session_uuid=None):
    """A console of VM ``name`` from the simulator (RequestConsoleAccess and its job), as the module returns it.

    ``session_uuid``: the API session to ask with (a new login by default). The entry has the token, the
    websocket_url, targetScheme ("vnc" for both VMs) and expires_at in UTC.
    """
    api_port = stack['api_port']
    session_uuid = session_uuid or login(stack)
    auth = {'Authorization': 'OAuth %s' % session_uuid}
    uuid = SEED_VMS[name]
    reply = sim_request(api_port, 'POST', '/zstack/v1/consoles', {'params': {'vmInstanceUuid': uuid}}, headers=auth)
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
    return ConsoleEntry.from_inventory(uuid, name, inventory, NodeClock(parse_timezone('UTC')))


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
        vnc_port, _process = start_qemu_vnc(stack)
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
