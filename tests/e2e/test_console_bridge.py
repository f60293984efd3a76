# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The native-viewer bridge end to end: real VMs (displays.py), the console_files role writing an operator's files,
and the script zstack-console it wrote, run as that operator with the system's Python.

```
remote-viewer (under Xvfb) or a TCP client ──127.0.0.1:PORT──> zstack-console (the operator's, from the role)
   ──ws://127.0.0.1:PROXY/?token=…──> websockify (token directory, no --web) ──> QEMU: SeaBIOS over VNC / SPICE
```

The simulator says targetScheme "vnc" for both VMs; the bridge finds SPICE on the wire. remote-viewer is started by
the bridge on the .vv file it wrote, and a screenshot (xwd + convert, tests/output/e2e/bridge-remote-viewer-*.png)
must show the SeaBIOS screen. Revoked and expired consoles end the bridge with a line that names the VM.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from displays import SPICE_LINK, SPICE_VM, VNC_VM, display_stack, seabios_screen  # noqa: F401  pylint: disable=unused-import
from e2e_stack import (
    OUTPUT_DIR,
    TARGET_PYTHON,
    _missing_parts,
    free_display,
    require,
    run_role,
    sim_request,
    time_limit,
)

from ansible_collections.zstack.cloud.tests.unit.plugins.module_utils.bridge_process import BridgeProcess

OPERATOR = os.environ.get('ZSTACK_E2E_BRIDGE_OPERATOR', 'ze2e-br-%d' % os.getpid())
TOKEN_RE = re.compile(r'[0-9a-f]{32}_[0-9a-f]{32}')
NOBODY = 65534


def bridge_missing():
    missing = _missing_parts(
        ((TARGET_PYTHON, 'python3'), (shutil.which('remote-viewer') or '/usr/bin/remote-viewer', 'virt-viewer'),
         (shutil.which('Xvfb') or '/usr/bin/Xvfb', 'xvfb'), (shutil.which('xwd') or '/usr/bin/xwd', 'x11-apps'),
         (shutil.which('convert') or '/usr/bin/convert', 'imagemagick')), ('ansible',))
    if os.geteuid() != 0:
        missing.append('run as root (the test creates an OS user and runs the bridge as that user)')
    return missing


@pytest.fixture(scope='module')
def operator_files(display_stack):
    """An operator (an OS user of this run) with the files the console_files role writes for both VMs."""
    require(bridge_missing())
    created = False
    try:
        try:
            pwd.getpwnam(OPERATOR)
        except KeyError:
            subprocess.run(['useradd', '--create-home', '--shell', '/bin/sh', OPERATOR], check=True, timeout=60)
            created = True
        user = pwd.getpwnam(OPERATOR)
        result = run_role(display_stack, {'console_files_operators': [{'name': OPERATOR, 'vms': [VNC_VM, SPICE_VM]}]})
        assert result.returncode == 0, result.stdout + result.stderr
        assert not TOKEN_RE.search(result.stdout + result.stderr)
        yield {'name': OPERATOR, 'uid': user.pw_uid, 'gid': user.pw_gid, 'home': Path(user.pw_dir),
               'dir': Path(user.pw_dir) / 'zstack-consoles'}
    finally:
        if created:
            subprocess.run(['userdel', '--remove', OPERATOR], check=False, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class OperatorBridge(BridgeProcess):
    """``python3 zstack-console STEM ...`` run by the operator in their directory; output lines collected."""

    def __init__(self, operator, stem, *options, uid=None, display=None):
        env = {'HOME': str(operator['home']), 'PATH': '/usr/bin:/bin', 'LANG': 'C.UTF-8', 'NO_AT_BRIDGE': '1'}
        if display is not None:
            env['DISPLAY'] = ':%d' % display
        super().__init__(
            [TARGET_PYTHON, str(operator['dir'] / 'zstack-console'), stem] + list(options or ('--viewer', 'none')),
            cwd=str(operator['dir']), env=env, user=uid if uid is not None else operator['uid'],
            group=operator['gid'], extra_groups=[])

    def output(self):
        return TOKEN_RE.sub('<TOKEN>', super().output())

    def tokenless(self):
        return not TOKEN_RE.search(super().output())


def test_the_role_wrote_the_bridge_for_the_operator(operator_files):
    script = operator_files['dir'] / 'zstack-console'
    info = os.lstat(script)
    assert stat.S_ISREG(info.st_mode) and info.st_uid == operator_files['uid'] and stat.S_IMODE(info.st_mode) == 0o700
    assert script.read_bytes().startswith(b'#!/usr/bin/env python3\n')
    for name in (VNC_VM, SPICE_VM):
        document = json.loads((operator_files['dir'] / ('%s.json' % name)).read_text())
        # What the server declares (open-source ZStack: vnc for every VM), and how to open it natively.
        assert document['target_scheme'] == 'vnc' and document['protocol'] == 'vnc'
        assert document['bridge'] == 'python3 zstack-console %s' % name
    index = (operator_files['dir'] / 'index.html').read_text()
    assert '<code>python3 zstack-console %s</code>' % SPICE_VM in index


def _read_exactly(sock, size):
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_the_bridge_relays_the_vnc_vm(operator_files):
    with time_limit(90):
        bridge = OperatorBridge(operator_files, VNC_VM)
        try:
            port = bridge.port()
            with socket.create_connection(('127.0.0.1', port), timeout=20) as client:
                client.settimeout(20)
                assert _read_exactly(client, 12) == b'RFB 003.008\n'
            assert 'VM %s: VNC console on 127.0.0.1:%d until ' % (VNC_VM, port) in bridge.output()
            assert bridge.stop() == 0
            assert bridge.tokenless(), bridge.output()
        finally:
            bridge.stop_now()


def test_the_bridge_relays_the_spice_vm_though_the_server_says_vnc(operator_files):
    with time_limit(90):
        bridge = OperatorBridge(operator_files, SPICE_VM)
        try:
            port = bridge.port()
            with socket.create_connection(('127.0.0.1', port), timeout=20) as client:
                client.settimeout(20)
                client.sendall(SPICE_LINK)
                assert _read_exactly(client, 4) == b'REDQ'
            assert 'VM %s: SPICE console on 127.0.0.1:%d until ' % (SPICE_VM, port) in bridge.output()
            assert bridge.stop() == 0
            assert bridge.tokenless(), bridge.output()
        finally:
            bridge.stop_now()


def test_other_users_cannot_use_the_operators_bridge(operator_files):
    with time_limit(90):
        bridge = OperatorBridge(operator_files, VNC_VM)
        try:
            port = bridge.port()
            # Another user on the same machine (nobody) connects: closed at once, nothing relayed.
            other = subprocess.run(
                [TARGET_PYTHON, '-c', 'import socket, sys\ns = socket.create_connection(("127.0.0.1", %d), timeout=10)\n'
                 's.settimeout(10)\nsys.stdout.write(repr(s.recv(100)))' % port],
                user=NOBODY, group=NOBODY, extra_groups=[], env={'PATH': '/usr/bin:/bin'}, cwd='/',
                capture_output=True, text=True, timeout=30, check=False)
            assert other.returncode == 0 and other.stdout == "b''", other
            deadline = time.monotonic() + 10
            while 'refused a connection from uid %d' % NOBODY not in bridge.output() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert 'VM %s: refused a connection from uid %d: the console is only for its operator' % (
                VNC_VM, NOBODY) in bridge.output()
            # The operator (and root) still get the console.
            with socket.create_connection(('127.0.0.1', port), timeout=20) as client:
                client.settimeout(20)
                assert _read_exactly(client, 12) == b'RFB 003.008\n'
            assert bridge.stop() == 0
        finally:
            bridge.stop_now()


@contextlib.contextmanager
def xvfb():
    """An X server of its own (white root window, so that only a viewer's window is dark); yields its number."""
    number = free_display()
    process = subprocess.Popen(['Xvfb', ':%d' % number, '-screen', '0', '800x600x24', '-wr', '-nolisten', 'tcp',
                                '-ac'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists('/tmp/.X11-unix/X%d' % number):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('Xvfb :%d did not start' % number)
            time.sleep(0.1)
        yield number
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)


def screenshot(display, png):
    """The whole X screen as a PNG (xwd, then ImageMagick's convert)."""
    dump = png.with_suffix('.xwd')
    with open(dump, 'wb') as handle:
        subprocess.run(['xwd', '-root', '-silent', '-display', ':%d' % display], stdout=handle, check=True, timeout=30)
    subprocess.run(['convert', 'xwd:%s' % dump, str(png)], check=True, timeout=60)
    dump.unlink()


@pytest.mark.parametrize('vm', [SPICE_VM, VNC_VM])
def test_remote_viewer_started_by_the_bridge_shows_the_vms_screen(operator_files, vm):
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    png = OUTPUT_DIR / ('bridge-remote-viewer-%s.png' % ('spice' if vm == SPICE_VM else 'vnc'))
    vv = operator_files['home'] / ('%s.vv' % vm)
    with time_limit(150), xvfb() as display:
        bridge = OperatorBridge(operator_files, vm, '--viewer', 'remote-viewer', '--vv', str(vv), display=display)
        try:
            bridge.port()
            deadline = time.monotonic() + 60
            why = 'no screenshot taken'
            while time.monotonic() < deadline:
                screenshot(display, png)
                why = seabios_screen(png)
                if why is None:
                    break
                time.sleep(1)
            assert why is None, 'remote-viewer did not show the SeaBIOS screen (%s): %s\n%s' % (png, why, bridge.output())
            # remote-viewer read the bridge's .vv file and deleted it (delete-this-file=1).
            assert not vv.exists()
            assert bridge.process.poll() is None  # still relaying
            assert bridge.stop() == 0  # and the viewer goes with it
            assert 'started /usr/bin/remote-viewer %s' % vv in bridge.output()
            viewers = subprocess.run(['pgrep', '-u', str(operator_files['uid']), '-x', 'remote-viewer'],
                                     capture_output=True, text=True, timeout=30, check=False)
            assert viewers.returncode == 1, 'remote-viewer still runs: %s' % viewers.stdout
            assert bridge.tokenless(), bridge.output()
        finally:
            bridge.stop_now()
            vv.unlink(missing_ok=True)


def test_an_expired_console_ends_the_bridge_naming_the_vm(operator_files):
    # The operator's own copy of the console file, its expiry passed.
    document = json.loads((operator_files['dir'] / ('%s.json' % VNC_VM)).read_text())
    document['expires_at'] = '2020-01-01T00:00:00Z'
    copy = operator_files['home'] / 'expired-console.json'
    copy.write_text(json.dumps(document))
    os.chown(copy, operator_files['uid'], operator_files['gid'])
    with time_limit(60):
        bridge = OperatorBridge(operator_files, str(copy))
        assert bridge.wait() == 3
    assert bridge.out == [] and bridge.err == [
        'zstack-console: VM %s: the console expired at 2020-01-01T00:00:00Z; get a new console (run the playbook '
        'again)\n' % VNC_VM]


def test_a_revoked_token_ends_the_bridge_naming_the_vm(display_stack, operator_files):
    """Last: it ends the session behind both consoles, as state=absent of the role does."""
    token = json.loads((operator_files['dir'] / ('%s.json' % VNC_VM)).read_text())['token']
    with time_limit(90):
        bridge = OperatorBridge(operator_files, VNC_VM)
        try:
            port = bridge.port()
            # ZStack's logout deletes the consoles whose token starts with the session (the proxy's token files).
            sim_request(display_stack['api_port'], 'DELETE', '/zstack/v1/accounts/sessions/%s' % token.split('_')[0])
            assert not (display_stack['token_dir'] / token).exists()
            with socket.create_connection(('127.0.0.1', port), timeout=20) as client:
                client.settimeout(20)
                assert client.recv(100) == b''  # nothing relayed
            assert bridge.wait() == 4
        finally:
            bridge.stop_now()
        assert bridge.tokenless(), bridge.output()
        line = bridge.err[-1]
        assert line.startswith("zstack-console: VM %s: the console proxy ws://127.0.0.1:%d closed the connection during "
                               "the WebSocket handshake, before the VM's display answered: the token may have been "
                               "revoked or ended" % (VNC_VM, display_stack['ws_port'])), line
        # Started again, it says so at once.
        bridge = OperatorBridge(operator_files, SPICE_VM)
        assert bridge.wait() == 4
        assert bridge.out == [] and len(bridge.err) == 1 and bridge.err[0].startswith(
            'zstack-console: VM %s: the console proxy ' % SPICE_VM)
        assert bridge.tokenless(), bridge.output()
