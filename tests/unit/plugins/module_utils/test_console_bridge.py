# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The native-viewer bridge (module_utils/_console_bridge.py, written out as the script zstack-console).

Its WebSocket framing and handshake on their own; then the script itself, as zstack_console_files writes it, run
with this Python against a real websockify (token directory, no --web, as ZStack's console proxy runs it) on
127.0.0.1, in front of two small displays in this process: one that speaks first like a VNC server ("RFB
003.008\\n") and one that waits for a SPICE link message ("REDQ") like a SPICE server; both then echo. The real VMs,
remote-viewer and the operator's account are in tests/e2e/test_console_bridge.py.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import random
import re
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
import uuid

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _console_bridge as bridge
from ansible_collections.zstack.cloud.plugins.module_utils._bridge_files import script_bytes
from ansible_collections.zstack.cloud.tests.unit.plugins.module_utils.bridge_process import BridgeProcess

TOKEN_RE = re.compile(r'[0-9a-f]{32}_[0-9a-f]{32}')
RFB = b'RFB 003.008\n'
REDQ_REPLY = b'REDQ' + struct.pack('<III', 2, 2, 4) + b'\0\0\0\0'


def new_token():
    return '%s_%s' % (uuid.uuid4().hex, uuid.uuid4().hex)


def utc(seconds_from_now):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


# ------------------------------------------------------------------ frames and the handshake

def test_accept_value_is_rfc_6455s_example():
    assert bridge.accept_value('dGhlIHNhbXBsZSBub25jZQ==') == 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='


@pytest.mark.parametrize('size', [0, 1, 125, 126, 127, 65535, 65536, 70001])
def test_frames_round_trip_fed_in_any_pieces(size):
    rng = random.Random(size)
    payload = rng.randbytes(size)
    stream = bridge.encode_frame(bridge.OP_BINARY, payload) + bridge.encode_frame(bridge.OP_PING, b'p')
    reader, frames, at = bridge.FrameReader(), [], 0
    while at < len(stream):
        step = rng.randint(1, 4000)
        frames += reader.feed(stream[at:at + step])
        at += step
    assert frames == [(True, bridge.OP_BINARY, payload), (True, bridge.OP_PING, b'p')]
    header = 2 if size < 126 else 4 if size < 65536 else 10
    assert len(stream) == header + size + 3


def test_client_frames_are_masked_with_a_fresh_key():
    payload = b'hello, display' * 5
    first, second = bridge.client_frame(bridge.OP_BINARY, payload), bridge.client_frame(bridge.OP_BINARY, payload)
    assert first[0] == 0x82 and first[1] == 0x80 | len(payload)
    key = first[2:6]
    assert first[6:] != payload and bridge.apply_mask(first[6:], key) == payload
    assert first != second  # a new masking key for every frame


def test_apply_mask_is_a_bytewise_xor():
    rng = random.Random(7)
    for size in (0, 1, 3, 4, 5, 1000):
        data, key = rng.randbytes(size), rng.randbytes(4)
        assert bridge.apply_mask(data, key) == bytes(b ^ key[i % 4] for i, b in enumerate(data))


@pytest.mark.parametrize('frame, why', [
    (bytes([0x82, 0x81]) + b'\0\0\0\0x', 'masked frame'),
    (bytes([0xC2, 0x01]) + b'x', 'reserved bits'),
    (bytes([0x83, 0x01]) + b'x', 'unknown opcode 3'),
    (bytes([0x89, 126, 0, 200]) + b'x' * 200, 'control frame'),
    (bytes([0x09, 0x01]) + b'x', 'control frame'),
    (bytes([0x82, 127]) + struct.pack('!Q', 2 ** 40), 'frame of 1099511627776 bytes'),
])
def test_the_reader_refuses_what_a_server_must_not_send(frame, why):
    with pytest.raises(bridge.ProtocolError, match=why):
        bridge.FrameReader().feed(frame)


def _response(key, status='101 Switching Protocols', protocol='binary', accept=None, upgrade='websocket'):
    lines = ['HTTP/1.1 %s' % status, 'Upgrade: %s' % upgrade, 'Connection: Upgrade',
             'Sec-WebSocket-Accept: %s' % (accept or bridge.accept_value(key))]
    if protocol:
        lines.append('Sec-WebSocket-Protocol: %s' % protocol)
    return '\r\n'.join(lines).encode('latin-1')


def test_handshake_response_is_checked():
    key = base64.b64encode(b'0123456789abcdef').decode()
    bridge.check_handshake_response(_response(key), key)
    bridge.check_handshake_response(_response(key, protocol=None), key)  # websockify without a subprotocol
    for response, why in ((_response(key, accept='AAAA'), 'wrong Sec-WebSocket-Accept'),
                          (_response(key, status='403 Forbidden'), 'refused the WebSocket upgrade: HTTP 403 Forbidden'),
                          (_response(key, upgrade='h2c'), 'without upgrading'),
                          (_response(key, protocol='base64'), "subprotocol 'base64'"),
                          (b'SSH-2.0-OpenSSH_9.2', 'did not answer in HTTP')):
        with pytest.raises(bridge.BridgeError, match=why):
            bridge.check_handshake_response(response, key)


def test_the_handshake_request_offers_binary_and_keeps_the_token_in_the_resource():
    endpoint = bridge.Endpoint('wss://proxy.example:4900/?token=abc')
    request = bridge.handshake_request(endpoint, 'KEY').decode()
    assert request.startswith('GET /?token=abc HTTP/1.1\r\nHost: proxy.example:4900\r\n')
    assert 'Sec-WebSocket-Protocol: binary\r\n' in request and 'Sec-WebSocket-Version: 13\r\n' in request
    assert endpoint.where == 'wss://proxy.example:4900' and 'abc' not in endpoint.where
    assert bridge.Endpoint('ws://[fd00::5]/?token=x').host_header == '[fd00::5]'


def _scripted_server(script):
    """A one-connection WebSocket server on 127.0.0.1 that runs ``script(conn, key)`` after reading the request."""
    server = socket.create_server(('127.0.0.1', 0))
    result = {}

    def serve():
        conn, _addr = server.accept()
        with conn:
            conn.settimeout(10)
            request = b''
            while b'\r\n\r\n' not in request:
                request += conn.recv(4096)
            result['request'] = request.decode('latin-1')
            key = re.search(r'Sec-WebSocket-Key: (\S+)', result['request']).group(1)
            script(conn, key)
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], thread, result


def _read_client_frame(conn):
    head = conn.recv(2)
    size = head[1] & 0x7F
    assert head[1] & 0x80, 'a client frame must be masked'
    key = conn.recv(4)
    payload = b''
    while len(payload) < size:
        payload += conn.recv(size - len(payload))
    return head[0] & 0x0F, bridge.apply_mask(payload, key)


def test_pings_are_answered_and_a_close_is_returned_even_from_the_handshakes_last_read():
    def script(conn, key):
        # The 101, a ping and a first data frame in one write: the client must find the frames behind the headers.
        conn.sendall(_response(key) + b'\r\n\r\n' + bridge.encode_frame(bridge.OP_PING, b'hi')
                     + bridge.encode_frame(bridge.OP_BINARY, RFB))
        script.pong = _read_client_frame(conn)
        conn.sendall(bridge.encode_frame(bridge.OP_CLOSE, struct.pack('!H', 1000) + b'bye'))
        script.close = _read_client_frame(conn)

    port, thread, result = _scripted_server(script)
    ws = bridge.WebSocket.connect(bridge.Endpoint('ws://127.0.0.1:%d/?token=t' % port))
    assert ws.buffered()
    assert ws.receive() == [('data', RFB)]
    events = []
    deadline = time.monotonic() + 10
    while not events and time.monotonic() < deadline:
        bridge.select.select([ws], [], [], 1)
        events = ws.receive()
    assert events == [('close', 1000, 'bye')]
    thread.join(10)
    assert result['request'].startswith('GET /?token=t HTTP/1.1\r\n')
    assert script.pong == (bridge.OP_PONG, b'hi') and script.close == (bridge.OP_CLOSE, struct.pack('!H', 1000))
    ws.close()


# ------------------------------------------------------------------ a real websockify in front of two displays

class FakeDisplay:
    """A display on 127.0.0.1: ``vnc`` speaks first, ``spice`` answers a link message; both then echo."""

    def __init__(self, kind):
        self.kind = kind
        self.server = socket.create_server(('127.0.0.1', 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(60)
            try:
                if self.kind == 'vnc':
                    conn.sendall(RFB)
                else:
                    first = conn.recv(65536)
                    if not first.startswith(b'REDQ'):
                        return
                    conn.sendall(REDQ_REPLY)
                while True:
                    data = conn.recv(65536)
                    if not data:
                        return
                    conn.sendall(data)
            except OSError:
                return

    def close(self):
        self.server.close()


def _self_signed(directory):
    """A certificate for 127.0.0.1 and its key (PEM files), made with cryptography (ansible-core's dependency)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / 'proxy.crt', directory / 'proxy.key'
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _start_websockify(token_dir, log, extra=()):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, '-m', 'websockify', '--token-plugin', 'TokenFile', '--token-source',
                                str(token_dir)] + list(extra) + ['127.0.0.1:%d' % port],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError('websockify did not start (see %s)' % log.name)
            time.sleep(0.1)


@pytest.fixture(scope='module')
def proxy(tmp_path_factory):
    """websockify (plain, and TLS-only with a self-signed certificate) with a token directory, and the displays."""
    workdir = tmp_path_factory.mktemp('bridge-proxy')
    token_dir = workdir / 'tokens'
    token_dir.mkdir()
    displays = {kind: FakeDisplay(kind) for kind in ('vnc', 'spice')}
    cert, key = _self_signed(workdir)
    processes = []
    with open(workdir / 'websockify.log', 'wb') as log, open(workdir / 'websockify-tls.log', 'wb') as tls_log:
        try:
            plain, port = _start_websockify(token_dir, log)
            processes.append(plain)
            tls, tls_port = _start_websockify(token_dir, tls_log, ['--cert', str(cert), '--key', str(key),
                                                                   '--ssl-only'])
            processes.append(tls)
            yield {'workdir': workdir, 'token_dir': token_dir, 'port': port, 'tls_port': tls_port, 'ca': cert,
                   'displays': displays}
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            for display in displays.values():
                display.close()


def point(proxy, token, port):
    """A token file as ZStack's console proxy agent writes it: ``{token}: {host}:{port}``."""
    (proxy['token_dir'] / token).write_text('%s: 127.0.0.1:%d\n' % (token, port))


def console_file(directory, stem, proxy, token, vm='web-01', expires_in=1800, tls=False, **fields):
    """A <stem>.json as zstack_console_files writes it; returns its stem (a path without .json)."""
    port = proxy['tls_port'] if tls else proxy['port']
    document = {'vm_instance_uuid': uuid.uuid4().hex, 'vm_instance_name': vm, 'target_scheme': 'vnc',
                'protocol': 'vnc', 'scheme': 'https' if tls else 'http', 'hostname': '127.0.0.1', 'port': port,
                'token': token, 'websocket_url': '%s://127.0.0.1:%d/?token=%s' % ('wss' if tls else 'ws', port, token),
                'expires_at': utc(expires_in), 'managed_by': 'zstack.cloud.console_files'}
    document.update(fields)
    (directory / (stem + '.json')).write_text(json.dumps(document))
    return str(directory / stem)


@pytest.fixture
def script(tmp_path):
    """The script zstack-console as zstack_console_files writes it (its bytes), 0700."""
    path = tmp_path / 'zstack-console'
    path.write_bytes(script_bytes())
    path.chmod(0o700)
    return path


class Bridge(BridgeProcess):
    """The script run as the operator would run it (``--viewer none`` unless options are given)."""

    def __init__(self, script, stem, *options, env=None, cwd=None):
        super().__init__([sys.executable, str(script), stem] + (list(options) or ['--viewer', 'none']), env=env,
                         cwd=cwd)


def no_token_in(text):
    assert not TOKEN_RE.search(text), 'a token in the output: %s' % TOKEN_RE.sub('<TOKEN>', text)


def test_detect_protocol_reads_the_wire_not_the_declaration(proxy, tmp_path):
    for kind in ('vnc', 'spice'):
        token = new_token()
        point(proxy, token, proxy['displays'][kind].port)
        # Both declared vnc (as open-source ZStack does): the wire tells.
        console = bridge.load_console(console_file(tmp_path, kind, proxy, token) + '.json')
        assert bridge.detect_protocol(console) == kind
    # A declared spice goes straight to the link message.
    token = new_token()
    point(proxy, token, proxy['displays']['spice'].port)
    console = bridge.load_console(console_file(tmp_path, 'declared', proxy, token, target_scheme='spice') + '.json')
    assert console.declared == 'spice'
    started = time.monotonic()
    assert bridge.detect_protocol(console) == 'spice'
    assert time.monotonic() - started < bridge.SPEAK_FIRST_WAIT  # it did not wait for the display to speak first


def test_the_client_carries_a_mebibyte_each_way_through_websockify(proxy, tmp_path):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    console = bridge.load_console(console_file(tmp_path, 'big', proxy, token) + '.json')
    ws = bridge.WebSocket.connect(console.endpoint)
    payload = os.urandom(1 << 20)
    received = b''

    def drain():
        nonlocal received
        while bridge.select.select([ws], [], [], 0)[0] or ws.buffered():
            for event in ws.receive():
                assert event[0] == 'data', event
                received += event[1]

    for at in range(0, len(payload), 50000):
        ws.send_binary(payload[at:at + 50000])
        drain()
    deadline = time.monotonic() + 30
    while len(received) < len(RFB) + len(payload) and time.monotonic() < deadline:
        bridge.select.select([ws], [], [], 0.5)
        drain()
    ws.close()
    assert received == RFB + payload


def test_the_script_relays_vnc_and_spice_and_ends_on_sigterm(proxy, tmp_path, script):
    for kind, greeting, answer in (('vnc', None, RFB), ('spice', bridge.SPICE_LINK, REDQ_REPLY)):
        token = new_token()
        point(proxy, token, proxy['displays'][kind].port)
        run = Bridge(script, console_file(tmp_path, kind, proxy, token, vm='vm-%s' % kind))
        port = run.port()
        with socket.create_connection(('127.0.0.1', port), timeout=10) as client:
            if greeting:
                client.sendall(greeting)
            got = b''
            while len(got) < len(answer):
                got += client.recv(100)
            assert got == answer
            client.sendall(b'ping through the bridge')
            echoed = b''
            while len(echoed) < 23:
                echoed += client.recv(100)
            assert echoed == b'ping through the bridge'
        assert run.stop() == 0
        output = run.output()
        no_token_in(output)
        assert 'VM vm-%s: %s console on 127.0.0.1:%d until ' % (kind, kind.upper(), port) in output
        assert '(relayed to ws://127.0.0.1:%d)' % proxy['port'] in output and output.endswith('stopped\n')


def _one_line_failure(run, code):
    assert run.wait() == code, run.output()
    assert run.out == [] or all(' console on ' not in line for line in run.out)
    assert len(run.err) == 1, run.err
    no_token_in(run.output())
    return run.err[0]


def test_a_token_the_proxy_does_not_know_ends_the_bridge_at_once(proxy, tmp_path, script):
    run = Bridge(script, console_file(tmp_path, 'gone', proxy, new_token(), vm='web-07'))
    line = _one_line_failure(run, bridge.EXIT_REFUSED)
    assert line.startswith("zstack-console: VM web-07: the console proxy ws://127.0.0.1:%d closed the connection during "
                           "the WebSocket handshake, before the VM's display answered: the token may have been revoked"
                           % proxy['port'])
    assert 'the VM stopped, its host down' in line and 'run the playbook again' in line


def test_a_display_the_proxy_cannot_reach_ends_the_bridge_with_the_proxys_reason(proxy, tmp_path, script):
    token = new_token()
    with socket.socket() as closed:
        closed.bind(('127.0.0.1', 0))
        point(proxy, token, closed.getsockname()[1])  # nothing listens there
    run = Bridge(script, console_file(tmp_path, 'stopped', proxy, token, vm='web-08'))
    line = _one_line_failure(run, bridge.EXIT_REFUSED)
    assert 'VM web-08: the console proxy' in line
    assert '(WebSocket close 1011: Failed to connect to downstream server), before the VM\'s display answered' in line


def test_a_token_revoked_while_the_bridge_runs_ends_it_at_the_next_connection(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    run = Bridge(script, console_file(tmp_path, 'revoked', proxy, token, vm='web-09'))
    port = run.port()
    (proxy['token_dir'] / token).unlink()  # ZStack deletes the token file when the session ends
    with socket.create_connection(('127.0.0.1', port), timeout=10) as client:
        client.settimeout(10)
        assert client.recv(100) == b''  # closed, nothing relayed
    assert run.wait() == bridge.EXIT_REFUSED
    no_token_in(run.output())
    assert run.err[-1].startswith('zstack-console: VM web-09: the console proxy ws://127.0.0.1:')
    assert 'the token may have been revoked or ended' in run.err[-1]


def test_an_expired_console_is_not_even_tried(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    run = Bridge(script, console_file(tmp_path, 'old', proxy, token, vm='web-10', expires_in=-60))
    line = _one_line_failure(run, bridge.EXIT_EXPIRED)
    assert re.fullmatch(r'zstack-console: VM web-10: the console expired at \S+Z; get a new console \(run the '
                        r'playbook again\)\n', line)


def test_the_relay_ends_when_the_console_expires(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    run = Bridge(script, console_file(tmp_path, 'soon', proxy, token, vm='web-11', expires_in=4))
    port = run.port()
    with socket.create_connection(('127.0.0.1', port), timeout=15) as client:
        client.settimeout(15)
        assert client.recv(12) == RFB
        started = time.monotonic()
        assert client.recv(100) == b''  # the bridge closed it at the expiry
        assert time.monotonic() - started < 8
    assert run.wait() == bridge.EXIT_EXPIRED
    assert run.err[-1].startswith('zstack-console: VM web-11: the console expired at ')
    assert ', the relay ended; get a new console' in run.err[-1]


def test_tls_is_verified_against_the_ca_given(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['spice'].port)
    stem = console_file(tmp_path, 'tls', proxy, token, vm='web-12', tls=True)
    run = Bridge(script, stem)  # the system's CAs do not know a self-signed certificate
    line = _one_line_failure(run, bridge.EXIT_ERROR)
    assert line.startswith('zstack-console: VM web-12: cannot verify the TLS certificate of the console proxy '
                           'wss://127.0.0.1:%d: ' % proxy['tls_port'])
    assert line.rstrip().endswith('give the CA that signed it with --ca-file FILE')
    run = Bridge(script, stem, '--viewer', 'none', '--ca-file', str(proxy['ca']))
    port = run.port()
    with socket.create_connection(('127.0.0.1', port), timeout=10) as client:
        client.sendall(bridge.SPICE_LINK)
        client.settimeout(10)
        assert client.recv(4) == b'REDQ'
    assert run.stop() == 0
    assert 'SPICE console on 127.0.0.1:%d' % port in run.output()


def test_the_vv_file_is_new_private_and_says_what_the_wire_said(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['spice'].port)
    stem = console_file(tmp_path, 'vv', proxy, token, vm='db\n[virt-viewer]\nhost=evil\\x')
    vv = tmp_path / 'db.vv'
    run = Bridge(script, stem, '--viewer', 'none', '--vv', str(vv))
    port = run.port()
    info = os.lstat(vv)
    assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid == os.getuid()
    assert vv.read_text() == ('[virt-viewer]\ntype=spice\nhost=127.0.0.1\nport=%d\ntitle=db [virt-viewer] host=evil\\\\x\n'
                              'delete-this-file=1\n' % port)
    assert run.stop() == 0
    # Never over something already there, nor through a symlink.
    for planted in ('file', 'symlink'):
        vv.unlink(missing_ok=True)
        if planted == 'file':
            vv.write_text('mine')
        else:
            vv.symlink_to(tmp_path / 'elsewhere')
        run = Bridge(script, stem, '--viewer', 'none', '--vv', str(vv))
        line = _one_line_failure(run, bridge.EXIT_ERROR)
        assert line == 'zstack-console: --vv %s: something is already there; remove it or give another name\n' % vv
        assert not (tmp_path / 'elsewhere').exists()
    assert vv.is_symlink()


def _viewers(tmp_path, names):
    """Stand-ins for remote-viewer and vncviewer on PATH: each notes its arguments and the file it was given."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(exist_ok=True)
    for name in names:
        path = bin_dir / name
        path.write_text('#!/bin/sh\necho "%s $*" > "%s/called"\n[ -f "$1" ] && /bin/cat "$1" > "%s/given.vv"\nexit 0\n'
                        % (name, tmp_path, tmp_path))
        path.chmod(0o755)
    return dict(os.environ, PATH=str(bin_dir))  # these viewers only, not the real ones


def test_auto_starts_remote_viewer_on_a_private_vv_file_and_ends_when_it_closes(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    env = _viewers(tmp_path, ['remote-viewer', 'vncviewer'])
    run = Bridge(script, console_file(tmp_path, 'auto', proxy, token, vm='web-13'), '--viewer', 'auto', env=env)
    port = run.port()
    assert run.wait() == 0  # the stand-in viewer exits at once: so does the bridge
    called = (tmp_path / 'called').read_text().split()
    assert called[0] == 'remote-viewer' and called[1].endswith('/console.vv')
    assert not os.path.exists(called[1]) and not os.path.exists(os.path.dirname(called[1]))  # cleaned up
    assert (tmp_path / 'given.vv').read_text() == (
        '[virt-viewer]\ntype=vnc\nhost=127.0.0.1\nport=%d\ntitle=web-13\ndelete-this-file=1\n' % port)
    assert 'VM web-13: the viewer closed' in run.output()


def test_vncviewer_gets_host_and_port_and_is_never_picked_for_spice(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    env = _viewers(tmp_path, ['vncviewer'])
    run = Bridge(script, console_file(tmp_path, 'vnc', proxy, token, vm='web-14'), '--viewer', 'auto', env=env)
    port = run.port()
    assert run.wait() == 0, run.output()
    assert (tmp_path / 'called').read_text().split() == ['vncviewer', '127.0.0.1::%d' % port]
    # SPICE with only vncviewer: auto starts nothing and says so; asking for vncviewer is refused.
    token = new_token()
    point(proxy, token, proxy['displays']['spice'].port)
    stem = console_file(tmp_path, 'spice', proxy, token, vm='web-15')
    run = Bridge(script, stem, '--viewer', 'auto', env=env)
    run.port()
    assert run.said('VM web-15: no viewer found (remote-viewer); connect one yourself'), run.output()
    assert run.stop() == 0
    run = Bridge(script, stem, '--viewer', 'vncviewer', env=env)
    line = _one_line_failure(run, bridge.EXIT_USAGE)
    assert 'this console is SPICE, and vncviewer speaks VNC only; use remote-viewer' in line


@pytest.mark.parametrize('listen', ['0.0.0.0:5999', '10.0.0.5:0', '[::]:0', '127.0.0.1:70000', 'nowhere:1'])
def test_it_listens_on_the_loopback_address_only(listen):
    with pytest.raises(bridge.UsageError, match='give a loopback address and a port'):
        bridge.parse_listen(listen)


def test_listen_accepts_loopback_addresses():
    assert bridge.parse_listen('127.0.0.1:0') == ('127.0.0.1', 0)
    assert bridge.parse_listen('localhost:5999') == ('127.0.0.1', 5999)
    assert bridge.parse_listen('127.1.2.3:80') == ('127.1.2.3', 80)


@pytest.mark.parametrize('content, why', [
    (None, 'cannot read .*: No such file or directory'),
    (b'{"websocket_url": ', 'is not a console file of zstack_console_files'),
    (b'[]', 'not a JSON object'),
    (b'{"vm_instance_name": "web-01"}', 'VM web-01: .* has no websocket_url'),
    (b'{"vm_instance_name": "web-01", "websocket_url": "http://h/?token=t"}', 'not a ws:// or wss:// URL'),
    (b'{"vm_instance_name": "web-01", "websocket_url": "ws://h/", "expires_at": "soon"}',
     "expires_at 'soon' is not an ISO 8601 time with a zone"),
])
def test_a_console_file_it_cannot_use_is_one_line(tmp_path, script, content, why):
    if content is not None:
        (tmp_path / 'bad.json').write_bytes(content)
    run = Bridge(script, str(tmp_path / 'bad'))
    assert re.search(why, _one_line_failure(run, bridge.EXIT_ERROR))


def test_a_bare_stem_is_found_next_to_the_script(proxy, tmp_path, script):
    token = new_token()
    point(proxy, token, proxy['displays']['vnc'].port)
    console_file(tmp_path, 'web-16', proxy, token, vm='web-16')
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    run = Bridge(script, 'web-16.json', cwd=str(elsewhere))
    run.port()
    assert run.stop() == 0


def test_peer_uid_names_who_connected():
    with socket.create_server(('127.0.0.1', 0)) as server:
        with socket.create_connection(server.getsockname(), timeout=5):
            conn, _addr = server.accept()
            with conn:
                assert bridge.peer_uid(conn) == os.getuid()


def test_the_script_is_this_module_with_a_shebang():
    with open(bridge.__file__, 'rb') as handle:
        source = handle.read()
    assert not source.startswith(b'#!')  # a module_utils file has none; the written script does
    assert script_bytes() == b'#!/usr/bin/env python3\n' + source
