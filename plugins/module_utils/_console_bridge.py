# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack-console: a ZStack VM's console in a native viewer, through a bridge on the loopback address.

zstack_console_files writes this file, as the script ``zstack-console``, into each operator's directory next to the
``<vm>.json`` files. It needs Python 3.8 or later and its standard library, nothing else::

    python3 zstack-console STEM [--listen 127.0.0.1:PORT] [--viewer auto|remote-viewer|vncviewer|none]
                                [--vv FILE] [--ca-file FILE]

It reads the console from ``STEM.json`` (next to the script, or as a path), listens on the loopback address (a free
port unless given), and relays each connection made there to the console proxy's WebSocket - websockify with a
token directory, as ZStack's console proxy agent runs it - until the console expires or either side closes. Its
own WebSocket client (RFC 6455) offers the ``binary`` subprotocol, which websockify expects of a client that offers
one, and verifies TLS with the system's CAs or ``--ca-file``.

The protocol is found on the wire, whatever ``target_scheme`` says (open-source ZStack says ``vnc`` for every VM,
SPICE ones included): a VNC server speaks first (``RFB 003.008\\n``), a SPICE server waits for the client's link
message and answers it with ``REDQ``. A declared ``spice`` is taken as SPICE. Then ``--vv FILE`` writes a
virt-viewer file for it, and ``--viewer`` starts a viewer: remote-viewer on such a file (one in a private temporary
directory without ``--vv``), or vncviewer on ``127.0.0.1::PORT``; ``auto`` takes remote-viewer, else vncviewer.

Exit status: 0 when the viewer it started is closed, or on Ctrl-C; 1 an error (the message says which); 2 wrong
usage; 3 the console expired; 4 the console proxy closed the connection before the VM's display answered (the token
revoked or ended, or the display unreachable from the proxy). Every message is one line naming the VM; none holds
the token. Connections from other users are refused where the system tells who connected (Linux: /proc/net/tcp).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import ipaddress
import json
import os
import queue
import re
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

PROG = 'zstack-console'
WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
SUBPROTOCOL = 'binary'
CONNECT_TIMEOUT = 15.0  # seconds to reach the proxy and finish the WebSocket handshake
IO_TIMEOUT = 30.0  # seconds a write may block
SPEAK_FIRST_WAIT = 1.0  # seconds a display gets to speak first (VNC) before it is sent a SPICE link message
ANSWER_WAIT = 10.0  # seconds the display then has to answer
MAX_HEADERS = 16384
MAX_FRAME = 16 * 1024 * 1024
MAX_DOCUMENT = 1024 * 1024
CHUNK = 65536
TICK = 0.5  # seconds between looks at the clock, the viewer and the relays

# SpiceLinkHeader (magic "REDQ", protocol 2.2, size of what follows) and a SpiceLinkMess for the main channel with
# no capabilities (spice-protocol: spice/protocol.h): a SPICE server answers it with a header of its own, "REDQ".
SPICE_LINK_MESS = struct.pack('<IBBIII', 0, 1, 0, 0, 0, 18)
SPICE_LINK = b'REDQ' + struct.pack('<III', 2, 2, len(SPICE_LINK_MESS)) + SPICE_LINK_MESS

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CONTROL_OPS = (OP_CLOSE, OP_PING, OP_PONG)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_EXPIRED, EXIT_REFUSED = 0, 1, 2, 3, 4

# The tokens of the consoles loaded (say() takes them out of every line), and what any ZStack token looks like.
SECRETS = []
TOKEN_PATTERN = re.compile(r'[0-9a-fA-F]{32}_[0-9a-fA-F]{32}')


# ------------------------------------------------------------------ errors

class BridgeError(Exception):
    """A failure the bridge ends with; ``msg`` is one line for the operator, ``status`` the exit status."""

    status = EXIT_ERROR

    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg


class UsageError(BridgeError):
    status = EXIT_USAGE


class ExpiredError(BridgeError):
    status = EXIT_EXPIRED


class RefusedError(BridgeError):
    """The proxy closed the connection before the VM's display said anything: the token, or the display's reach."""

    status = EXIT_REFUSED


class ProtocolError(BridgeError):
    """The far end broke the WebSocket protocol."""


# ------------------------------------------------------------------ the console

def _one_line(text, limit=160):
    text = re.sub(r'[\x00-\x1f\x7f]+', ' ', str(text)).strip()
    return text if len(text) <= limit else text[:limit - 3] + '...'


def parse_utc(text):
    """An aware datetime from ISO 8601 text with a zone (``...Z`` or an offset); None when it is not one."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + '+00:00' if text[-1:] in 'Zz' else text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def utc_text(moment):
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Endpoint:
    """Where a console's WebSocket is: ``ws://`` or ``wss://``, host, port and the resource (with the token)."""

    def __init__(self, url):
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise BridgeError('the console URL is not a URL') from None
        if parts.scheme not in ('ws', 'wss') or not parts.hostname:
            raise BridgeError('the console URL is not a ws:// or wss:// URL (scheme %r)' % _one_line(parts.scheme, 20))
        self.secure = parts.scheme == 'wss'
        self.host = parts.hostname
        self.port = port or (443 if self.secure else 80)
        self.resource = (parts.path or '/') + ('?' + parts.query if parts.query else '')
        host = '[%s]' % self.host if ':' in self.host else self.host
        self.host_header = host if port is None else '%s:%d' % (host, self.port)
        # For messages: never the resource, which holds the token.
        self.where = '%s://%s:%d' % (parts.scheme, host, self.port)


class Console:
    """One console, as zstack_console_files wrote it into ``<stem>.json``."""

    def __init__(self, vm, url, expires_at, declared):
        self.vm = vm
        self.endpoint = Endpoint(url)
        self.expires_at = expires_at
        self.declared = declared

    def remaining(self, now=None):
        """Seconds until the console expires (None when no expiry is known)."""
        if self.expires_at is None:
            return None
        return (self.expires_at - (now or datetime.now(timezone.utc))).total_seconds()


def console_path(stem, here=None):
    """The JSON file of ``stem``: ``STEM.json`` as given (a path, or relative to the working directory), else next
    to this script (``here``)."""
    stem = stem[:-5] if stem.endswith('.json') else stem
    path = os.path.expanduser(stem + '.json')
    if os.path.isabs(path) or os.path.exists(path) or here is None:
        return path
    beside = os.path.join(here, path)
    return beside if os.path.exists(beside) else path


def load_console(path):
    """The Console a JSON file describes; BridgeError naming the file when it cannot be used."""
    try:
        with open(path, 'rb') as handle:
            content = handle.read(MAX_DOCUMENT + 1)
    except OSError as exc:
        raise BridgeError('cannot read %s: %s' % (path, exc.strerror or exc)) from None
    try:
        if len(content) > MAX_DOCUMENT:
            raise ValueError('larger than %d bytes' % MAX_DOCUMENT)
        document = json.loads(content.decode('utf-8'))
        if not isinstance(document, dict):
            raise ValueError('not a JSON object')
    except ValueError as exc:
        raise BridgeError('%s is not a console file of zstack_console_files: %s' % (path, _one_line(exc, 80))) from None
    vm = _one_line(document.get('vm_instance_name') or document.get('vm_instance_uuid') or
                   os.path.basename(path)[:-5], 100)
    url = document.get('websocket_url')
    token = document.get('token') if isinstance(document.get('token'), str) else None
    if not isinstance(url, str) or not url:
        raise BridgeError('VM %s: %s has no websocket_url (written in check mode, or not a console file)' % (vm, path))
    expires_at = None
    if document.get('expires_at') not in (None, ''):
        expires_at = parse_utc(document['expires_at'])
        if expires_at is None:
            raise BridgeError('VM %s: %s: expires_at %r is not an ISO 8601 time with a zone'
                              % (vm, path, _one_line(document['expires_at'], 40)))
    for secret in (token, _query_token(url)):
        if secret and len(secret) >= 8 and secret not in SECRETS:
            SECRETS.append(secret)
    declared = [str(document.get(key) or '').lower() for key in ('protocol', 'target_scheme')]
    try:
        return Console(vm, url, expires_at, 'spice' if 'spice' in declared else None)
    except BridgeError as exc:
        raise BridgeError('VM %s: %s: %s' % (vm, path, exc.msg)) from None


def _query_token(url):
    match = re.search(r'[?&]token=([^&#]+)', url)
    return match.group(1) if match else None


# ------------------------------------------------------------------ WebSocket frames (RFC 6455, section 5)

def apply_mask(data, key):
    """``data`` XOR the 4-byte ``key`` repeated (masking and unmasking are the same)."""
    if not data:
        return b''
    size = len(data)
    repeated = (key * (size // 4 + 1))[:size]
    return (int.from_bytes(data, 'big') ^ int.from_bytes(repeated, 'big')).to_bytes(size, 'big')


def encode_frame(opcode, payload=b'', mask_key=None):
    """One final frame. A client's frames are masked (``mask_key``, 4 bytes); a server's are not."""
    size = len(payload)
    head = bytearray([0x80 | opcode])
    mask_bit = 0x80 if mask_key is not None else 0
    if size < 126:
        head.append(mask_bit | size)
    elif size < 65536:
        head.append(mask_bit | 126)
        head += struct.pack('!H', size)
    else:
        head.append(mask_bit | 127)
        head += struct.pack('!Q', size)
    if mask_key is None:
        return bytes(head) + payload
    return bytes(head) + mask_key + apply_mask(payload, mask_key)


def client_frame(opcode, payload=b''):
    return encode_frame(opcode, payload, os.urandom(4))


class FrameReader:
    """Frames from a server's byte stream, fed in pieces of any size: ``feed(data)`` returns the complete ones as
    ``(fin, opcode, payload)``; the rest waits for more. ProtocolError on anything RFC 6455 forbids a server."""

    def __init__(self, max_frame=MAX_FRAME):
        self.buffer = bytearray()
        self.max_frame = max_frame

    def feed(self, data):
        self.buffer += data
        frames = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            frames.append(frame)

    def _next(self):
        buf = self.buffer
        if len(buf) < 2:
            return None
        fin, rsv, opcode = buf[0] & 0x80, buf[0] & 0x70, buf[0] & 0x0F
        masked, size, at = buf[1] & 0x80, buf[1] & 0x7F, 2
        if rsv:
            raise ProtocolError('the proxy sent a frame with reserved bits set (no extension was agreed)')
        if opcode not in (OP_CONTINUATION, OP_TEXT, OP_BINARY) + CONTROL_OPS:
            raise ProtocolError('the proxy sent a frame of unknown opcode %d' % opcode)
        if masked:
            raise ProtocolError('the proxy sent a masked frame (a server must not mask)')
        if opcode in CONTROL_OPS and (size > 125 or not fin):
            raise ProtocolError('the proxy sent a control frame that is fragmented or longer than 125 bytes')
        if size == 126:
            if len(buf) < 4:
                return None
            size, at = struct.unpack('!H', bytes(buf[2:4]))[0], 4
        elif size == 127:
            if len(buf) < 10:
                return None
            size, at = struct.unpack('!Q', bytes(buf[2:10]))[0], 10
        if size > self.max_frame:
            raise ProtocolError('the proxy sent a frame of %d bytes (at most %d taken)' % (size, self.max_frame))
        if len(buf) < at + size:
            return None
        payload = bytes(buf[at:at + size])
        del buf[:at + size]
        return bool(fin), opcode, payload


def close_payload(payload):
    """(code, reason) of a close frame's payload; code None when it has none."""
    if len(payload) < 2:
        return None, ''
    return struct.unpack('!H', payload[:2])[0], payload[2:].decode('utf-8', errors='replace')


# ------------------------------------------------------------------ the WebSocket client

def handshake_request(endpoint, key):
    return ('GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n'
            % (endpoint.resource, endpoint.host_header, key, SUBPROTOCOL)).encode('latin-1')


def accept_value(key):
    return base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode('ascii')).digest()).decode('ascii')


def check_handshake_response(head, key):
    """BridgeError unless ``head`` (the response up to its blank line) accepts the WebSocket upgrade for ``key``."""
    lines = head.decode('latin-1').split('\r\n')
    status = lines[0].split(None, 2)
    if len(status) < 2 or not status[0].startswith('HTTP/'):
        raise ProtocolError('the console proxy did not answer in HTTP (%r)' % _one_line(lines[0], 40))
    if status[1] != '101':
        raise BridgeError('the console proxy refused the WebSocket upgrade: HTTP %s' % _one_line(' '.join(status[1:]), 60))
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(':')
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    if headers.get('upgrade', '').lower() != 'websocket' or \
            'upgrade' not in [v.strip().lower() for v in headers.get('connection', '').split(',')]:
        raise ProtocolError('the console proxy answered 101 without upgrading to a WebSocket')
    if headers.get('sec-websocket-accept') != accept_value(key):
        raise ProtocolError('the console proxy answered with a wrong Sec-WebSocket-Accept')
    protocol = headers.get('sec-websocket-protocol')
    if protocol not in (None, '', SUBPROTOCOL):
        raise ProtocolError('the console proxy chose the subprotocol %r, not the one offered (%s)'
                            % (_one_line(protocol, 30), SUBPROTOCOL))


def _transport_error(endpoint, exc):
    if isinstance(exc, ssl.SSLCertVerificationError):
        return BridgeError('cannot verify the TLS certificate of the console proxy %s: %s; give the CA that signed it '
                           'with --ca-file FILE' % (endpoint.where, _one_line(exc.verify_message or exc, 100)))
    if isinstance(exc, ssl.SSLError):
        return BridgeError('TLS with the console proxy %s failed: %s' % (endpoint.where, _one_line(exc.reason or exc, 100)))
    if isinstance(exc, socket.timeout):
        return BridgeError('the console proxy %s did not answer within %.0f s; check that this machine reaches it'
                           % (endpoint.where, CONNECT_TIMEOUT))
    reason = getattr(exc, 'strerror', None) or exc
    return BridgeError('cannot reach the console proxy %s: %s; check that this machine reaches it (host, port, '
                       'firewall)' % (endpoint.where, _one_line(reason, 100)))


class WebSocket:
    """A client WebSocket over a connected socket (TLS or not), used by one thread at a time.

    ``receive()`` reads what has arrived - without blocking - and returns data and close events; it answers pings
    itself. Writes block for at most IO_TIMEOUT.
    """

    def __init__(self, sock, leftover=b''):
        self.sock = sock
        self.reader = FrameReader()
        self.closed = None  # (code, reason) once the proxy sent a close frame, or (None, '') at end of stream
        self.sent_close = False
        self._early = self.reader.feed(leftover) if leftover else []

    @classmethod
    def connect(cls, endpoint, ca_file=None, timeout=CONNECT_TIMEOUT):
        """Open the connection and do the handshake; RefusedError when the proxy closes before answering it."""
        try:
            sock = socket.create_connection((endpoint.host, endpoint.port), timeout=timeout)
        except OSError as exc:
            raise _transport_error(endpoint, exc) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if endpoint.secure:
                context = ssl.create_default_context(cafile=ca_file)
                sock = context.wrap_socket(sock, server_hostname=endpoint.host)
            key = base64.b64encode(os.urandom(16)).decode('ascii')
            sock.sendall(handshake_request(endpoint, key))
            response = b''
            while b'\r\n\r\n' not in response:
                if len(response) > MAX_HEADERS:
                    raise ProtocolError('the console proxy sent more than %d bytes of headers' % MAX_HEADERS)
                chunk = sock.recv(4096)
                if not chunk:
                    raise RefusedError('closed the connection during the WebSocket handshake')
                response += chunk
            head, _sep, leftover = response.partition(b'\r\n\r\n')
            check_handshake_response(head, key)
        except BridgeError:
            sock.close()
            raise
        except (OSError, ValueError) as exc:
            sock.close()
            raise _transport_error(endpoint, exc) from None
        sock.settimeout(IO_TIMEOUT)
        return cls(sock, leftover)

    def fileno(self):
        return self.sock.fileno()

    def buffered(self):
        """Whether something was already read (TLS records, or frames of the handshake's last read)."""
        return bool(self._early) or (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0)

    def _send(self, data):
        self.sock.settimeout(IO_TIMEOUT)
        self.sock.sendall(data)

    def send_binary(self, data):
        self._send(client_frame(OP_BINARY, data))

    def send_close(self, code=1000):
        if not self.sent_close:
            self.sent_close = True
            try:
                self._send(client_frame(OP_CLOSE, struct.pack('!H', code)))
            except OSError:
                pass

    def receive(self):
        """[('data', bytes) | ('close', code, reason)] of what has arrived; [] when nothing has."""
        frames, self._early = self._early, []
        if not frames:
            self.sock.settimeout(0)
            try:
                data = self.sock.recv(CHUNK)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, InterruptedError):
                return []
            finally:
                self.sock.settimeout(IO_TIMEOUT)
            if not data:
                self.closed = (None, '')
                return [('close', None, '')]
            frames = self.reader.feed(data)
        events = []
        for _fin, opcode, payload in frames:
            if opcode in (OP_BINARY, OP_CONTINUATION):
                if payload:
                    events.append(('data', payload))
            elif opcode == OP_TEXT:
                raise ProtocolError('the console proxy sent text frames (base64 mode); it must speak binary frames')
            elif opcode == OP_PING:
                self._send(client_frame(OP_PONG, payload))
            elif opcode == OP_CLOSE:
                code, reason = close_payload(payload)
                self.closed = (code, reason)
                self.send_close(code if code not in (None, 1005, 1006, 1015) else 1000)
                events.append(('close', code, reason))
                break
        return events

    def close(self):
        self.send_close()
        try:
            self.sock.close()
        except OSError:
            pass


def _wait_readable(ws, seconds):
    if ws.buffered():
        return True
    return bool(select.select([ws], [], [], max(0.0, seconds))[0])


def read_display(ws, seconds, want=4):
    """At least ``want`` bytes the display sent within ``seconds``, or what came (b'' if nothing came).

    RefusedError when the proxy closes first, having passed nothing on.
    """
    deadline = time.monotonic() + seconds
    data = b''
    while len(data) < want:
        left = deadline - time.monotonic()
        if left <= 0 or not _wait_readable(ws, left):
            return data
        for event in ws.receive():
            if event[0] == 'data':
                data += event[1]
            elif not data:
                raise RefusedError(_closed_detail(event[1], event[2]))
            else:
                return data
    return data


def _closed_detail(code, reason):
    if code is None:
        return 'closed the connection'
    return 'closed the connection (WebSocket close %d%s)' % (code, ': ' + _one_line(reason, 80) if reason else '')


# ------------------------------------------------------------------ the protocol, found on the wire

def detect_protocol(console, ca_file=None):
    """``vnc`` or ``spice``, from a connection of its own: a VNC display speaks first; a SPICE display answers a
    link message with ``REDQ``. A declared ``spice`` is sent the link message straight away."""
    ws = WebSocket.connect(console.endpoint, ca_file)
    try:
        first = b''
        if console.declared != 'spice':
            first = read_display(ws, SPEAK_FIRST_WAIT)
        if not first:
            ws.send_binary(SPICE_LINK)
            first = read_display(ws, ANSWER_WAIT)
    finally:
        ws.close()
    if first.startswith(b'RFB '):
        return 'vnc'
    if first.startswith(b'REDQ'):
        return 'spice'
    if not first:
        raise BridgeError('VM %s: the VM\'s display sent nothing through the console proxy %s within %.0f s, neither '
                          'a VNC greeting nor an answer to a SPICE link message'
                          % (console.vm, console.endpoint.where, SPEAK_FIRST_WAIT + ANSWER_WAIT))
    raise BridgeError('VM %s: the VM\'s display speaks neither VNC nor SPICE (it began with %r)'
                      % (console.vm, first[:8]))


def refused_message(console, detail):
    return ('VM %s: the console proxy %s %s, before the VM\'s display answered: the token may have been revoked or '
            'ended (its API session logged out, the console deleted), or the proxy cannot reach the VM\'s display '
            '(the VM stopped, its host down); check in ZStack that the VM is running, then get a new console (run '
            'the playbook again)' % (console.vm, console.endpoint.where, detail))


def expired_message(console, running):
    return ('VM %s: the console expired at %s%s; get a new console (run the playbook again)'
            % (console.vm, utc_text(console.expires_at), ', the relay ended' if running else ''))


# ------------------------------------------------------------------ who connects

def _proc_address(host, port):
    """An address as /proc/net/tcp and tcp6 write it: the address's 32-bit words in host order, in hex, then port."""
    packed = socket.inet_pton(socket.AF_INET6 if ':' in host else socket.AF_INET, host)
    words = struct.unpack('=%dI' % (len(packed) // 4), packed)
    return '%s:%04X' % (''.join('%08X' % word for word in words), port)


def peer_uid(conn):
    """The uid owning the other end of a TCP connection on this machine (Linux /proc/net/tcp); None if unknown."""
    try:
        mine = _proc_address(*conn.getsockname()[:2])
        theirs = _proc_address(*conn.getpeername()[:2])
    except (OSError, ValueError):
        return None
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table, encoding='ascii') as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 7 and fields[1] == theirs and fields[2] == mine:
                return int(fields[7])
    return None


# ------------------------------------------------------------------ relaying one connection

class Relay(threading.Thread):
    """One client connection relayed to a WebSocket of its own, until either side closes or ``stop`` is set.

    Puts a RefusedError (or another BridgeError) on ``events`` when the proxy will not serve the console.
    """

    def __init__(self, console, conn, events, stop, ca_file=None):
        super().__init__(daemon=True)
        self.console = console
        self.conn = conn
        self.events = events
        self.stop = stop
        self.ca_file = ca_file

    def run(self):
        try:
            try:
                ws = WebSocket.connect(self.console.endpoint, self.ca_file)
            except BridgeError as exc:
                self.events.put(exc)
                return
            try:
                self._pump(ws)
            except ProtocolError as exc:
                say('VM %s: a connection ended: %s' % (self.console.vm, exc.msg), error=True)
            except OSError as exc:
                say('VM %s: a connection ended: %s' % (self.console.vm, _one_line(exc.strerror or exc, 80)), error=True)
            finally:
                ws.close()
        finally:
            try:
                self.conn.close()
            except OSError:
                pass

    def _pump(self, ws):
        conn = self.conn
        conn.settimeout(IO_TIMEOUT)
        displayed = False  # whether the display has sent anything yet
        while not self.stop.is_set():
            ready = [ws] if ws.buffered() else select.select([conn, ws], [], [], TICK)[0]
            if conn in ready:
                data = _recv_now(conn)
                if data == b'':
                    return  # the client closed; ws.close() tells the proxy
                if data:
                    ws.send_binary(data)
            if ws in ready:
                for event in ws.receive():
                    if event[0] == 'data':
                        displayed = True
                        conn.sendall(event[1])
                    elif not displayed:
                        self.events.put(RefusedError(_closed_detail(event[1], event[2])))
                        return
                    else:
                        say('VM %s: the console proxy %s' % (self.console.vm, _closed_detail(event[1], event[2])))
                        return


def _recv_now(conn):
    """What a socket select() found readable has: bytes, b'' at its end, None when nothing after all."""
    conn.settimeout(0)
    try:
        return conn.recv(CHUNK)
    except (BlockingIOError, InterruptedError):
        return None
    except ConnectionResetError:
        return b''
    finally:
        conn.settimeout(IO_TIMEOUT)


# ------------------------------------------------------------------ viewers and .vv files

def parse_listen(text):
    """(host, port) of ``--listen``: an IPv4 loopback address (or localhost) and a port, 0 for a free one."""
    host, sep, port = str(text).rpartition(':')
    if not sep:
        host, port = text, '0'
    host = '127.0.0.1' if host in ('', 'localhost') else host
    try:
        if not ipaddress.IPv4Address(host).is_loopback:
            raise ValueError(host)
        number = int(port)
        if not 0 <= number <= 65535:
            raise ValueError(port)
    except ValueError:
        raise UsageError('--listen %s: give a loopback address and a port, as 127.0.0.1:5999 (port 0: a free one); '
                         'the bridge never listens beyond this machine' % _one_line(text, 60)) from None
    return host, number


def vv_content(protocol, host, port, title):
    """A virt-viewer connection file (remote-viewer reads it, then deletes it: delete-this-file=1)."""
    title = re.sub(r'[\x00-\x1f\x7f]', ' ', title).replace('\\', '\\\\').strip() or 'ZStack console'
    return ('[virt-viewer]\ntype=%s\nhost=%s\nport=%d\ntitle=%s\ndelete-this-file=1\n'
            % (protocol, host, port, title)).encode('utf-8')


def write_vv(path, content):
    """Create ``path`` (mode 0600 from creation, never over an existing file or through a symlink) with ``content``."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise BridgeError('--vv %s: something is already there; remove it or give another name' % path) from None
    except OSError as exc:
        raise BridgeError('--vv %s: cannot create it: %s' % (path, exc.strerror or exc)) from None
    with os.fdopen(fd, 'wb') as handle:
        handle.write(content)


VIEWERS = ('remote-viewer', 'vncviewer')


def pick_viewer(choice, protocol):
    """(program path or None, a note for the operator or None) for ``--viewer`` and the protocol."""
    if choice == 'none':
        return None, None
    if choice == 'vncviewer' and protocol != 'vnc':
        raise UsageError('--viewer vncviewer: this console is %s, and vncviewer speaks VNC only; use remote-viewer'
                         % protocol.upper())
    names = [choice] if choice != 'auto' else [n for n in VIEWERS if protocol == 'vnc' or n == 'remote-viewer']
    for name in names:
        path = shutil.which(name)
        if path:
            return path, None
    if choice != 'auto':
        raise BridgeError('--viewer %s: %s is not on PATH (install %s)'
                          % (choice, choice, 'virt-viewer' if choice == 'remote-viewer' else 'TigerVNC\'s viewer'))
    return None, 'no viewer found (%s); connect one yourself' % ' or '.join(names)


def viewer_argv(program, protocol, host, port, vv_path):
    if os.path.basename(program) == 'vncviewer':
        return [program, '%s::%d' % (host, port)]
    return [program, vv_path]


# ------------------------------------------------------------------ the run

def say(text, error=False):
    """Write one line for the operator (stdout, or stderr for an error), without a token in it."""
    for secret in SECRETS:
        text = text.replace(secret, '<token>')
    stream = sys.stderr if error else sys.stdout
    stream.write('%s: %s\n' % (PROG, TOKEN_PATTERN.sub('<token>', text)))
    stream.flush()


class Bridge:
    """One run: a listening socket, the relays, and the viewer it started."""

    def __init__(self, console, listener, ca_file=None):
        self.console = console
        self.listener = listener
        self.ca_file = ca_file
        self.events = queue.Queue()
        self.stop = threading.Event()
        self.relays = []
        self.viewer = None

    def serve(self):
        """Relay until the viewer closes (its status), or raise: the console expired, the proxy refused it."""
        console = self.console
        try:
            while True:
                remaining = console.remaining()
                if remaining is not None and remaining <= 0:
                    raise ExpiredError(expired_message(console, running=True))
                if self.viewer is not None and self.viewer.poll() is not None:
                    return self.viewer.returncode
                try:
                    event = self.events.get_nowait()
                except queue.Empty:
                    event = None
                if isinstance(event, RefusedError):
                    raise RefusedError(refused_message(console, event.msg))
                if event is not None:
                    raise BridgeError('VM %s: %s' % (console.vm, event.msg))
                wait = TICK if remaining is None else min(TICK, remaining)
                if select.select([self.listener], [], [], wait)[0]:
                    self._accept()
        finally:
            self.stop.set()
            for relay in self.relays:
                relay.join(timeout=2 * TICK)

    def _accept(self):
        try:
            conn, _peer = self.listener.accept()
        except OSError:
            return
        uid = peer_uid(conn)
        if uid is not None and uid not in (os.getuid(), 0):
            say('VM %s: refused a connection from uid %d: the console is only for its operator' % (self.console.vm, uid),
                error=True)
            conn.close()
            return
        self.relays = [relay for relay in self.relays if relay.is_alive()]
        relay = Relay(self.console, conn, self.events, self.stop, self.ca_file)
        self.relays.append(relay)
        relay.start()


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description='Open a ZStack VM console (a STEM.json file zstack_console_files wrote) in a native '
        'viewer: relays a local port on the loopback address to the console proxy, VNC or SPICE.')
    parser.add_argument('stem', metavar='STEM', help='the console: STEM.json, next to this script or as a path')
    parser.add_argument('--listen', default='127.0.0.1:0', metavar='127.0.0.1:PORT',
                        help='where to listen (a loopback address; port 0, the default: a free one)')
    parser.add_argument('--viewer', default='auto', choices=('auto',) + VIEWERS + ('none',),
                        help='the viewer to start (auto: remote-viewer, else vncviewer for VNC; none: only relay)')
    parser.add_argument('--vv', metavar='FILE', help='write a virt-viewer file for the bridge (mode 0600; a new file)')
    parser.add_argument('--ca-file', metavar='FILE', help="the CA of the console proxy's certificate (wss://); "
                        "default: the system's CAs")
    return parser


def run(args, here=None):
    """The bridge for parsed ``args``; returns the exit status or raises BridgeError."""
    host, port = parse_listen(args.listen)
    console = load_console(console_path(args.stem, here))
    remaining = console.remaining()
    if remaining is not None and remaining <= 0:
        raise ExpiredError(expired_message(console, running=False))
    if args.ca_file and not os.path.isfile(args.ca_file):
        raise UsageError('--ca-file %s: no such file' % args.ca_file)
    try:
        protocol = detect_protocol(console, args.ca_file)
    except RefusedError as exc:
        raise RefusedError(refused_message(console, exc.msg)) from None
    except BridgeError as exc:
        raise BridgeError(exc.msg if exc.msg.startswith('VM ') else 'VM %s: %s' % (console.vm, exc.msg)) from None
    program, note = pick_viewer(args.viewer, protocol)
    try:
        listener = socket.create_server((host, port))
    except OSError as exc:
        raise BridgeError('cannot listen on %s:%d: %s' % (host, port, exc.strerror or exc)) from None
    private = None
    try:
        port = listener.getsockname()[1]
        content = vv_content(protocol, host, port, console.vm)
        if args.vv:
            write_vv(args.vv, content)
        expiry = ' until %s' % utc_text(console.expires_at) if console.expires_at else ''
        say('VM %s: %s console on %s:%d%s (relayed to %s); Ctrl-C ends it'
            % (console.vm, protocol.upper(), host, port, expiry, console.endpoint.where))
        if args.vv:
            say('VM %s: virt-viewer file %s (remote-viewer %s)' % (console.vm, args.vv, args.vv))
        bridge = Bridge(console, listener, args.ca_file)
        if program:
            vv_path = args.vv
            if not vv_path and os.path.basename(program) != 'vncviewer':
                private = tempfile.mkdtemp(prefix='zstack-console-')
                vv_path = os.path.join(private, 'console.vv')
                write_vv(vv_path, content)
            argv = viewer_argv(program, protocol, host, port, vv_path)
            try:
                # This file is the operator's script, run by python3 outside Ansible (it only ships in module_utils so
                # that zstack_console_files can write it): there is no AnsibleModule.run_command to call here.
                bridge.viewer = subprocess.Popen(argv, stdin=subprocess.DEVNULL)  # pylint: disable=ansible-bad-function
            except OSError as exc:
                raise BridgeError('cannot start %s: %s' % (program, exc.strerror or exc)) from None
            say('VM %s: started %s' % (console.vm, ' '.join(argv)))
        elif note:
            say('VM %s: %s' % (console.vm, note))
        try:
            status = bridge.serve()
        finally:
            if bridge.viewer is not None and bridge.viewer.poll() is None:
                bridge.viewer.terminate()
                try:
                    bridge.viewer.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    bridge.viewer.kill()
        say('VM %s: the viewer closed%s' % (console.vm, ' (status %d)' % status if status else ''))
        return EXIT_OK if status == 0 else EXIT_ERROR
    finally:
        listener.close()
        if private:
            shutil.rmtree(private, ignore_errors=True)


class _Stopped(Exception):
    pass


def _stopped(_signum, _frame):
    raise _Stopped()


def main(argv=None, here=None):
    """Run the bridge; returns the exit status. Every failure is one line on stderr, without the token."""
    args = build_parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stopped) if threading.current_thread() is threading.main_thread() else None
    try:
        return run(args, here)
    except BridgeError as exc:
        say(exc.msg, error=True)
        return exc.status
    except (KeyboardInterrupt, _Stopped):
        say('stopped')
        return EXIT_OK
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == '__main__':
    raise SystemExit(main(here=os.path.dirname(os.path.abspath(__file__))))
