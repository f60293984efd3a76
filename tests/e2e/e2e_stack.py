# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The real parts of the console end-to-end test, each started on loopback and always stopped.

Xvnc (a VNC server with a known screen) <- websockify (token directory, serves Debian's noVNC) <- the ZStack
simulator (hands out tokens, writes websockify token files) <- the console_files role (ansible-playbook) ->
launcher files -> headless Chromium (Playwright) -> noVNC -> websockify -> Xvnc.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import shutil
import stat
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_DIR = COLLECTION_ROOT / 'tests' / 'simulator'
sys.path.insert(0, str(SIMULATOR_DIR))

import simulator_process  # noqa: E402  pylint: disable=wrong-import-position

OUTPUT_DIR = Path(os.environ.get('ZSTACK_E2E_OUTPUT_DIR', COLLECTION_ROOT / 'tests' / 'output' / 'e2e'))
NOVNC_DIR = Path(os.environ.get('ZSTACK_E2E_NOVNC_DIR', '/usr/share/novnc'))
CHROMIUM = os.environ.get('ZSTACK_E2E_CHROMIUM', '/usr/bin/chromium')
# Python for modules run as the operator on the "bastion": it must be readable by that user.
TARGET_PYTHON = os.environ.get('ZSTACK_E2E_TARGET_PYTHON', '/usr/bin/python3')
# Two operators, named for this run only: other runs on the same machine create and remove their own.
OPERATOR = os.environ.get('ZSTACK_E2E_OPERATOR', 'ze2e-op-%d' % os.getpid())
OPERATOR2 = os.environ.get('ZSTACK_E2E_OPERATOR2', 'ze2e-op2-%d' % os.getpid())
ACCOUNT = ('console-ops', 'C0nsole-Ops!')  # from tests/simulator/seed.json
VM_NAME = 'web-01'
VM2_NAME = 'web-02'  # the second operator's VM; its VNC server is the same Xvnc
SCREEN_SIZE = (800, 600)
# The Xvnc root window shows a checkerboard of 50-pixel squares in these colours (xsetroot -bitmap), so the test
# can tell the remote screen from anything else: FG where (x % 100 < 50) == (y % 100 < 50), else BG.
SCREEN_FG = (0x1E, 0x90, 0xFF)
SCREEN_BG = (0xFF, 0xD7, 0x00)
TILE = 100


def screen_colour(x, y):
    """The colour the remote screen has at (x, y)."""
    return SCREEN_FG if (x % TILE < TILE // 2) == (y % TILE < TILE // 2) else SCREEN_BG


def checkerboard_xbm(path):
    """Write the TILE x TILE checkerboard tile as an X bitmap (rows padded to bytes, least significant bit first)."""
    row_bytes = (TILE + 7) // 8
    data = []
    for y in range(TILE):
        for byte in range(row_bytes):
            value = 0
            for bit in range(8):
                x = byte * 8 + bit
                if x < TILE and screen_colour(x, y) == SCREEN_FG:
                    value |= 1 << bit
            data.append('0x%02x' % value)
    lines = [', '.join(data[i:i + 12]) for i in range(0, len(data), 12)]
    Path(path).write_text('#define e2e_width %d\n#define e2e_height %d\nstatic unsigned char e2e_bits[] = {\n   %s};\n'
                          % (TILE, TILE, ',\n   '.join(lines)))


def _missing_parts(files, modules):
    """The files (path, Debian package) and Python modules this machine lacks, as sentences."""
    missing = ['%s (Debian package %s)' % (path, package) for path, package in files if not os.path.exists(path)]
    for module in modules:
        try:
            __import__(module)
        except ImportError:
            missing.append('Python package %s in %s' % (module, sys.executable))
    return missing


def require(missing):
    """Fail (never skip) the test that needs what ``missing`` names."""
    if missing:
        pytest.fail('the console end-to-end test needs: ' + '; '.join(missing) + ' (see tests/e2e/README.md)',
                    pytrace=False)


def missing_prerequisites():
    """What this machine lacks to run the test, as a list of sentences (empty when all is there)."""
    missing = []
    if os.geteuid() != 0:
        missing.append('run as root (the test creates an OS user and writes files as that user)')
    missing += _missing_parts(
        ((CHROMIUM, 'chromium'), (shutil.which('Xvnc') or '/usr/bin/Xvnc', 'tigervnc-standalone-server'),
         (shutil.which('xsetroot') or '/usr/bin/xsetroot', 'x11-xserver-utils'),
         (str(NOVNC_DIR / 'vnc.html'), 'novnc'), (TARGET_PYTHON, 'python3')),
        ('websockify', 'playwright', 'ansible', 'requests'))
    if shutil.which('ansible-playbook', path=os.path.dirname(sys.executable)) is None and shutil.which('ansible-playbook') is None:
        missing.append('ansible-playbook')
    return missing


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def free_display():
    for number in range(40, 200):
        if not os.path.exists('/tmp/.X11-unix/X%d' % number) and not os.path.exists('/tmp/.X%d-lock' % number):
            return number
    raise RuntimeError('no free X display number between :40 and :199')


def wait_for(what, check, timeout=30.0, interval=0.1, process=None, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError('%s exited with %s before it was ready%s' % (what, process.returncode, _tail(log)))
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(interval)
    raise RuntimeError('%s was not ready within %.0f s%s' % (what, timeout, _tail(log)))


def _tail(log):
    if not log or not os.path.exists(log):
        return ''
    with open(log, encoding='utf-8', errors='replace') as handle:
        return ':\n' + ''.join(handle.readlines()[-20:])


def rfb_banner(port):
    """Whether a VNC server answers on ``port``: the first 12 bytes it sends are its version (``RFB 003.008\\n``)."""
    with socket.create_connection(('127.0.0.1', port), timeout=2) as sock:
        sock.settimeout(5)
        data = b''
        while len(data) < 12:
            chunk = sock.recv(12 - len(data))
            if not chunk:
                break
            data += chunk
        return data.startswith(b'RFB ')


def http_ok(url):
    with urllib.request.urlopen(url, timeout=2) as reply:
        return reply.status == 200


class Stack:
    """The running parts; every process is started in its own session and ended by its own id."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self._processes = []
        self._simulators = []

    def start(self, name, argv, env=None):
        log = self.workdir / ('%s.log' % name)
        handle = open(log, 'wb')
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, start_new_session=True)
        handle.close()
        self._processes.append((name, process))
        return process, str(log)

    def start_simulator(self, name, *simulator_args):
        """The ZStack simulator (tests/simulator/simulator_process.py) in workdir/name/; returns it once it listens."""
        simulator = simulator_process.start(self.workdir / name, *simulator_args, python=sys.executable)
        self._simulators.append(simulator)
        return simulator

    def stop(self):
        for simulator in reversed(self._simulators):
            simulator.stop()
        for _name, process in reversed(self._processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)  # its own group: started with start_new_session
        for _name, process in reversed(self._processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope='session')
def console_stack():
    """Xvnc + websockify + simulator, and an operator account; yields a dict describing them."""
    require(missing_prerequisites())
    workdir = tempfile.mkdtemp(prefix='zstack-e2e-')
    stack = Stack(workdir)
    created_users = []
    try:
        # A VNC server with a known screen: the root window tiled with a checkerboard.
        display = free_display()
        rfb_port = free_port()
        xvnc, xvnc_log = stack.start('xvnc', [
            'Xvnc', ':%d' % display, '-geometry', '%dx%d' % SCREEN_SIZE, '-depth', '24', '-SecurityTypes', 'None',
            '-localhost', '-interface', '127.0.0.1', '-rfbport', str(rfb_port), '-nolisten', 'tcp',
            '-desktop', 'zstack-e2e', '-AlwaysShared'])
        wait_for('Xvnc', lambda: rfb_banner(rfb_port), process=xvnc, log=xvnc_log)
        bitmap = Path(workdir) / 'checkerboard.xbm'
        checkerboard_xbm(bitmap)
        subprocess.run(['xsetroot', '-bitmap', str(bitmap), '-fg', '#%02x%02x%02x' % SCREEN_FG,
                        '-bg', '#%02x%02x%02x' % SCREEN_BG], check=True, timeout=30,
                       env=dict(os.environ, DISPLAY=':%d' % display))

        # The console proxy as ZStack runs it: websockify with a token directory; it also serves noVNC.
        token_dir = Path(workdir) / 'tokens'
        token_dir.mkdir(mode=0o700)
        ws_port = free_port()
        websockify, websockify_log = stack.start('websockify', [
            sys.executable, '-m', 'websockify', '--web', str(NOVNC_DIR), '--token-plugin', 'TokenFile',
            '--token-source', str(token_dir), '127.0.0.1:%d' % ws_port])
        wait_for('websockify', lambda: http_ok('http://127.0.0.1:%d/vnc.html' % ws_port), process=websockify,
                 log=websockify_log)

        # The management node: hands out tokens for a console proxy at ws_port and writes their token files.
        api_port = stack.start_simulator('simulator', '--token-dir', str(token_dir), '--console-hostname', '127.0.0.1',
                                         '--console-port', str(ws_port)).port
        vm_uuids = point_vms(api_port, rfb_port)

        homes = {}
        for operator in (OPERATOR, OPERATOR2):
            try:
                pwd.getpwnam(operator)
            except KeyError:
                subprocess.run(['useradd', '--create-home', '--shell', '/bin/sh', operator], check=True, timeout=60)
                created_users.append(operator)
            homes[operator] = Path(pwd.getpwnam(operator).pw_dir)

        yield {
            'workdir': Path(workdir), 'display': display, 'rfb_port': rfb_port, 'ws_port': ws_port,
            'api_port': api_port, 'token_dir': token_dir, 'vm_uuid': vm_uuids[VM_NAME], 'vm2_uuid': vm_uuids[VM2_NAME],
            'operator': OPERATOR, 'home': homes[OPERATOR], 'operator2': OPERATOR2, 'home2': homes[OPERATOR2],
            'websockify_log': websockify_log,
        }
    finally:
        stack.stop()
        for operator in created_users:
            subprocess.run(['userdel', '--remove', operator], check=False, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.environ.get('ZSTACK_E2E_KEEP') != '1':
            shutil.rmtree(workdir, ignore_errors=True)


def sim_request(api_port, method, path, body=None, headers=None, host='127.0.0.1'):
    """One request to the simulator at ``host:api_port`` (its /_sim/ controls, or its API), JSON in and out."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request('http://%s:%d%s' % (host, api_port, path), data=data, method=method,
                                     headers=dict({'Content-Type': 'application/json'}, **(headers or {})))
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read().decode() or '{}')


def point_vms(api_port, rfb_port):
    """Make Xvnc the VNC server of VM_NAME and VM2_NAME (their host's management IP in the seed is 127.0.0.1)."""
    state = sim_request(api_port, 'GET', '/_sim/state')
    uuids = {}
    for name in (VM_NAME, VM2_NAME):
        uuids[name] = [v['uuid'] for v in state['vms'] if v['name'] == name and v['state'] == 'Running'][0]
        sim_request(api_port, 'POST', '/_sim/vms/%s' % uuids[name], {'vncPort': rfb_port})
    return uuids


def reset_simulator(stack):
    """The simulator back to its seed (sessions, consoles and their token files gone), the VMs pointed at Xvnc again."""
    sim_request(stack['api_port'], 'POST', '/_sim/reset')
    point_vms(stack['api_port'], stack['rfb_port'])


def api(stack, method, path, body=None):
    """A call of the simulator's ZStack API (no authentication needed for login, logout and session checks)."""
    return sim_request(stack['api_port'], method, '/zstack/v1/' + path, body)


def login(stack):
    """A new API session of the console account: a caller's own session, as zstack_session state=present makes."""
    reply = api(stack, 'PUT', 'accounts/login', {'logInByAccount': {
        'accountName': ACCOUNT[0], 'password': hashlib.sha512(ACCOUNT[1].encode()).hexdigest()}})
    return reply['inventory']['uuid']


def session_valid(stack, session_uuid):
    return api(stack, 'GET', 'accounts/sessions/%s/valid' % session_uuid)['valid']


def simulator_state(stack):
    return sim_request(stack['api_port'], 'GET', '/_sim/state')


def playbook_command():
    """ansible-playbook of this Python's environment (the venv's), else the one on PATH; None when there is none."""
    local = Path(sys.executable).parent / 'ansible-playbook'
    return str(local) if local.exists() else shutil.which('ansible-playbook')


def write_private(path, text):
    """A new file, 0600 from its creation (a session UUID or a token may go into it)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w', encoding='utf-8') as handle:
        handle.write(text)


def run_playbook(workdir, playbook, inventory, extra_vars, api_host, api_port, options=(), path_prefix=None,
                 extra_env=None, timeout=300):
    """ansible-playbook of ``playbook`` (a path) with this collection from the tree, in ``workdir``: ZSTACK_* for
    the simulator at ``api_host:api_port`` as console-ops, no other ZSTACK_* or ansible.cfg of the caller's. The
    extra vars go through a 0600 file (``-e @file``), not the command line: they may hold a session UUID.
    ``path_prefix``: a directory put first on PATH; ``extra_env``: more variables. Returns the CompletedProcess."""
    collections = workdir / 'collections'
    link = collections / 'ansible_collections' / 'zstack' / 'cloud'
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(COLLECTION_ROOT, target_is_directory=True)
    inventory_file = workdir / 'inventory.ini'
    inventory_file.write_text(inventory)
    extra_file = workdir / 'extra-vars.json'
    extra_file.unlink(missing_ok=True)
    write_private(extra_file, json.dumps(extra_vars))
    argv = [playbook_command() or 'ansible-playbook', '-i', str(inventory_file), str(playbook),
            '-e', '@%s' % extra_file] + list(options)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('ZSTACK_') and name != 'ANSIBLE_CONFIG'}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR='1', ANSIBLE_HOST_KEY_CHECKING='False',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False',
               ANSIBLE_RETRY_FILES_ENABLED='False', ZSTACK_HOST=api_host, ZSTACK_PORT=str(api_port),
               ZSTACK_ACCOUNT_NAME=ACCOUNT[0], ZSTACK_ACCOUNT_PASSWORD=ACCOUNT[1], **(extra_env or {}))
    if path_prefix is not None:
        env['PATH'] = '%s:%s' % (path_prefix, env.get('PATH', ''))
    return subprocess.run(argv, env=env, cwd=str(workdir), capture_output=True, text=True, timeout=timeout,
                          check=False)


LOCALHOST_INVENTORY = 'localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable


def run_console_play(workdir, playbook_text, extra_vars, api_host, api_port, options=(), timeout=120):
    """A play of zstack_console_access tasks that writes its result to ``e2e_result_file`` (created here, 0600: the
    copy module keeps an existing file's mode), with Ansible's temporary files in ``workdir``; fails the test unless
    it ran. Returns (CompletedProcess, the result)."""
    playbook = workdir / 'playbook.yml'
    playbook.write_text(playbook_text)
    result_file = workdir / 'consoles.json'
    write_private(result_file, '')
    done = run_playbook(workdir, playbook, LOCALHOST_INVENTORY, dict(extra_vars, e2e_result_file=str(result_file)),
                        api_host, api_port, options=options, timeout=timeout,
                        extra_env={'ANSIBLE_LOCAL_TEMP': str(workdir / 'ansible-local'),
                                   'ANSIBLE_REMOTE_TEMP': str(workdir / 'ansible-remote')})
    assert done.returncode == 0, 'ansible-playbook failed (%d):\n%s\n%s' % (done.returncode, done.stdout, done.stderr)
    assert stat.S_IMODE(result_file.stat().st_mode) == 0o600
    return done, json.loads(result_file.read_text(encoding='utf-8'))


def run_role(stack, extra_vars, check=False, path_prefix=None):
    """ansible-playbook with the console_files role (console_files.yml); returns the CompletedProcess.

    ``path_prefix``: a directory put first on PATH (for shims that note what the run called). Root's session records
    go to the scratch directory (console_files_ledger_dir).
    """
    inventory = ('[bastions]\n'
                 'bastion ansible_connection=local ansible_python_interpreter=%s ansible_become_method=su\n'
                 '[controller]\n'
                 'localhost ansible_connection=local ansible_python_interpreter=%s\n' % (TARGET_PYTHON, sys.executable))
    extra = dict({'console_files_ledger_dir': str(stack['workdir'] / 'ledger')}, **extra_vars)
    return run_playbook(stack['workdir'], Path(__file__).parent / 'console_files.yml', inventory, extra,
                        '127.0.0.1', stack['api_port'], options=['--check'] if check else [], path_prefix=path_prefix)


# ---------------------------------------------------------------- a console proxy alone (no simulator, no web pages)

def start_checkerboard_xvnc(stack, name='xvnc', password=None):
    """Xvnc on a free display and port, its root window the checkerboard; returns the RFB port.

    ``password``: VNC authentication with that password (as a ZStack VM with a console password), else none.
    """
    display = free_display()
    rfb_port = free_port()
    security = ['-SecurityTypes', 'None']
    if password is not None:
        password_file = stack.workdir / ('%s.passwd' % name)
        digest = subprocess.run(['vncpasswd', '-f'], input=password.encode() + b'\n', check=True,
                                capture_output=True, timeout=30).stdout
        password_file.write_bytes(digest)
        security = ['-SecurityTypes', 'VncAuth', '-PasswordFile', str(password_file)]
    xvnc, xvnc_log = stack.start(name, [
        'Xvnc', ':%d' % display, '-geometry', '%dx%d' % SCREEN_SIZE, '-depth', '24'] + security + [
        '-localhost', '-interface', '127.0.0.1', '-rfbport', str(rfb_port), '-nolisten', 'tcp',
        '-desktop', 'zstack-e2e', '-AlwaysShared'])
    wait_for('Xvnc', lambda: rfb_banner(rfb_port), process=xvnc, log=xvnc_log)
    bitmap = stack.workdir / ('%s-checkerboard.xbm' % name)
    checkerboard_xbm(bitmap)
    subprocess.run(['xsetroot', '-bitmap', str(bitmap), '-fg', '#%02x%02x%02x' % SCREEN_FG,
                    '-bg', '#%02x%02x%02x' % SCREEN_BG], check=True, timeout=30,
                   env=dict(os.environ, DISPLAY=':%d' % display))
    return rfb_port


def tcp_open(port):
    with socket.create_connection(('127.0.0.1', port), timeout=2):
        return True


def start_token_proxy(stack, token_dir, name='websockify', tls=False):
    """websockify as ZStack's console proxy runs it: a token directory, no --web (it serves no page at all).

    ``tls``: wss:// only, with a self-signed certificate for 127.0.0.1 (as a proxy with a certificate, scheme
    https). Returns (port, log path, process).
    """
    port = free_port()
    argv = [sys.executable, '-m', 'websockify', '--token-plugin', 'TokenFile', '--token-source', str(token_dir)]
    if tls:
        cert, key = make_certificate(stack.workdir, name)
        argv += ['--cert', str(cert), '--key', str(key), '--ssl-only']
    process, log = stack.start(name, argv + ['127.0.0.1:%d' % port])
    wait_for(name, lambda: tcp_open(port), process=process, log=log)
    return port, log, process


def make_certificate(workdir, name, host_names=()):
    """A self-signed certificate for 127.0.0.1 (and ``host_names``, the first its CN) and its key: (cert, key)."""
    assert shutil.which('openssl'), 'the openssl command is needed to make a test certificate (Debian openssl)'
    cert, key = workdir / ('%s.crt' % name), workdir / ('%s.key' % name)
    names = ['DNS:%s' % host for host in host_names] + ['IP:127.0.0.1']
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
                    '-keyout', str(key), '-out', str(cert), '-days', '1',
                    '-subj', '/CN=%s' % (host_names[0] if host_names else '127.0.0.1'),
                    '-addext', 'subjectAltName=%s' % ','.join(names)], check=True, capture_output=True, timeout=60)
    return cert, key


def write_token_file(token_dir, token, rfb_port):
    """A token file as ZStack's proxy agent writes it: ``{token}: {host}:{port}``."""
    path = Path(token_dir) / token
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w', encoding='utf-8') as handle:
        handle.write('%s: 127.0.0.1:%d\n' % (token, rfb_port))
    return path


def proxy_prerequisites_missing():
    """What proxy_stack and a browser need and this machine lacks, as sentences (empty when all is there)."""
    return _missing_parts(
        ((CHROMIUM, 'chromium'), (shutil.which('Xvnc') or '/usr/bin/Xvnc', 'tigervnc-standalone-server'),
         (shutil.which('xsetroot') or '/usr/bin/xsetroot', 'x11-xserver-utils'),
         (shutil.which('vncpasswd') or '/usr/bin/vncpasswd', 'tigervnc-tools'),
         (shutil.which('openssl') or '/usr/bin/openssl', 'openssl')),
        ('websockify', 'playwright'))


@pytest.fixture(scope='module')
def proxy_stack():
    """Xvnc with the checkerboard behind websockify with a token directory (no --web); yields a dict."""
    require(proxy_prerequisites_missing())
    workdir = Path(tempfile.mkdtemp(prefix='zstack-e2e-proxy-'))
    stack = Stack(workdir)
    try:
        rfb_port = start_checkerboard_xvnc(stack)
        token_dir = workdir / 'tokens'
        token_dir.mkdir(mode=0o700)
        ws_port, ws_log, _process = start_token_proxy(stack, token_dir)
        yield {'workdir': workdir, 'stack': stack, 'rfb_port': rfb_port, 'token_dir': token_dir,
               'ws_port': ws_port, 'websockify_log': ws_log}
    finally:
        stack.stop()
        if os.environ.get('ZSTACK_E2E_KEEP') != '1':
            shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def time_limit(seconds, what='the test'):
    """Fail with TimeoutError when the block runs longer than ``seconds`` (SIGALRM; main thread only)."""
    def expired(_signum, _frame):
        raise TimeoutError('%s did not finish within %d s' % (what, seconds))

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- the browser side

# Headless Chromium as root, with a fresh profile each launch (Playwright's default).
BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']
# Points of the remote screen to compare: the middle of checkerboard squares of both colours, all over it.
SAMPLE_POINTS = [(x, y) for x in range(25, SCREEN_SIZE[0], 150) for y in range(25, SCREEN_SIZE[1], 50)]
# The colours at SAMPLE_POINTS of the canvas ``selector`` draws into, or null when there is no sized canvas.
# noVNC (old and new) draws the remote framebuffer 1:1 into its canvas's backing store (scaling is CSS only).
CANVAS_PIXELS_JS = '''([selector, points]) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width) { return null; }
  const ctx = canvas.getContext('2d');
  return {width: canvas.width, height: canvas.height,
          pixels: points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)))};
}'''


def launch_chromium(playwright, extra_args=()):
    """Headless Chromium (BROWSER_ARGS, and ``extra_args``)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS + list(extra_args),
                                      timeout=30000)


def shows_screen(sample):
    """Whether a CANVAS_PIXELS_JS sample is the remote screen: its size, and the checkerboard at every point."""
    if not sample or (sample['width'], sample['height']) != SCREEN_SIZE:
        return False
    return all(sum(abs(a - b) for a, b in zip(pixel, screen_colour(x, y))) < 12
               for (x, y), pixel in zip(SAMPLE_POINTS, sample['pixels']))


def wait_for_screen(page, selector, timeout=20.0):
    """The canvas sample once ``selector`` shows the remote screen; AssertionError with the last sample if not."""
    deadline = time.monotonic() + timeout
    sample = None
    while time.monotonic() < deadline:
        sample = page.evaluate(CANVAS_PIXELS_JS, [selector, SAMPLE_POINTS])
        if shows_screen(sample):
            return sample
        page.wait_for_timeout(200)
    raise AssertionError('%s did not show the remote screen within %.0f s: %r' % (selector, timeout, sample))


def log_text(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


def stop_process(process, timeout=10):
    """End one process that Stack.start started (its own process group), as its part failing would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


# ---------------------------------------------------------------- the simulator on an address of its own

def require_free_tcp_port(host, port):
    """Fail the test with one clear sentence when ``host:port`` cannot be listened on (something else has it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server does: TIME_WAIT is no conflict
        try:
            sock.bind((host, port))
            return
        except OSError as exc:
            reason = exc.strerror
    pytest.fail('%s:%d is needed by the test and cannot be listened on (%s): stop what holds it, or set '
                'ZSTACK_E2E_UI_ADDRESS to another 127.x.y.z address' % (host, port, reason), pytrace=False)


def start_simulator_on(stack, host, token_dir, console_port, name='simulator', timezone=None):
    """The ZStack simulator on ``host`` (a loopback address), writing token files for a proxy at console_port.

    The console proxy it reports is 127.0.0.1:console_port (where start_token_proxy listens). ``timezone``: the
    node's zone (--timezone), else this machine's. Returns the API port.
    """
    return stack.start_simulator(name, '--host', host, '--token-dir', str(token_dir), '--console-hostname', '127.0.0.1',
                                 '--console-port', str(console_port),
                                 *(['--timezone', timezone] if timezone else [])).port


def point_vms_of(host, api_port, rfb_port, names):
    """Make Xvnc the VNC server of the Running VMs ``names`` of the simulator at ``host:api_port``; {name: uuid}."""
    vms = sim_request(api_port, 'GET', '/_sim/state', host=host)['vms']
    uuids = {}
    for name in names:
        uuids[name] = [v['uuid'] for v in vms if v['name'] == name and v['state'] == 'Running'][0]
        sim_request(api_port, 'POST', '/_sim/vms/%s' % uuids[name], {'vncPort': rfb_port}, host=host)
    return uuids
