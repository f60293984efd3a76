# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Self-contained console launchers: one HTML file that opens a VM's console by itself, VNC or SPICE.

The page carries two clients - noVNC's RFB client (``_novnc``, bundled by tools/novnc/build.py) and spice-html5
(``_spice``, tools/spice/build.py) - and connects from wherever it was opened (``file://`` included) straight to
the console proxy's WebSocket. ZStack's console proxy is plain websockify with a token directory, no ``--web`` and
no Origin check (docs/zstack-api-notes.md; zstackio/zstack: ``header/.../console/ConsoleInventory.java`` gives
scheme, hostname, port, token and, on newer servers, targetScheme), so no web server and no client page is
involved anywhere.

Which client: what the far end speaks, not what ``targetScheme`` says. Open-source ZStack describes every KVM
console as ``vnc://`` (zstackio/zstack: ``plugin/kvm/.../KVMConsoleHypervisorBackend.java``) while the KVM agent
answers the port of a SPICE display for a SPICE VM (zstackio/zstack-utility: ``kvmagent/.../vm_plugin.py``
``get_console_port``). So the page opens the WebSocket and listens: a VNC server speaks first (``RFB 003.008``)
and that connection goes on to noVNC; a SPICE server waits for the client's ``REDQ`` link message, so silence
for PROBE_MS means SPICE, and spice-html5 connects afresh. A console whose ``target_scheme`` is ``spice`` goes to
spice-html5 directly.

What the page shows: the VM's name, the client (``data-protocol`` on ``<html>``), the connection state
(``data-state`` on ``<html>``, text in ``#state``), the expiry in UTC and in the browser's time, and in plain words
whether the token had expired before anything was tried (``expired``), the proxy closed before the display
answered - the token revoked or ended, or the display unreachable from the proxy, with what the proxy's answer
says about which (``refused``), or an established session ended (``disconnected``). A VM with a console password
gets a password prompt (``password``); a refused login is an ``error``.

The token is in the page (it must be: the page connects with it) but not in its title, and it is only ever sent
to the one WebSocket origin the page's Content-Security-Policy allows.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from urllib.parse import urlsplit

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import is_direct, websocket_schemes
from ansible_collections.zstack.cloud.plugins.module_utils._novnc import VERSION as NOVNC_VERSION
from ansible_collections.zstack.cloud.plugins.module_utils._novnc import script as novnc_script
from ansible_collections.zstack.cloud.plugins.module_utils._spice import VERSION as SPICE_VERSION
from ansible_collections.zstack.cloud.plugins.module_utils._spice import script as spice_script
from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import PROTOCOLS, declared_protocol
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

# The console protocols a launcher opens: VNC (noVNC) and SPICE (spice-html5). A declared 'vnc' is not trusted
# (see the module's docstring); a declared 'spice' is.
# A host name or IPv4 address, or an IPv6 literal: nothing else may reach the page's CSP or URL.
_HOSTNAME = re.compile(r'[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?')
_IPV6 = re.compile(r'[0-9A-Fa-f:.]{2,45}')
_EXPIRES_AT = re.compile(r'(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z')
# How long the page waits for the far end to speak first (VNC) before it takes the silence for SPICE. When
# spice-html5 then fails before its link is made (a VNC server whose greeting came later, a console declared SPICE
# that is not, a display that went away), the page probes once more, three times as long, and goes by that.
PROBE_MS = 1500


def launcher_supported(entry):
    """``(True, '')`` when a self-contained launcher can open this console entry, else ``(False, why)``.

    ``why`` is one sentence for the operator and never carries the token.
    """
    # A direct console's targetScheme is its URL's scheme (wss), not the protocol behind it
    # (ConsoleProxyBase.doEstablishDirectConsoleConnection, which ZStack calls "establish VNC"): the page finds out.
    target = None if is_direct(entry) else entry.get('target_scheme')
    if target not in (None, '') and str(target).lower() not in PROTOCOLS:
        # targetScheme is the scheme of the console URL behind the proxy (zstackio/zstack:
        # console/src/main/java/org/zstack/console/ConsoleProxyBase.java); ConsoleConstants knows "vnc" and "http".
        return False, ('the console behind the proxy speaks %r, and a launcher speaks VNC and SPICE only: open it'
                       ' from the ZStack UI' % str(target)[:20])
    if not entry.get('token'):
        return False, 'no console was created (check mode, or the server gave no token)'
    try:
        websocket_target(entry)
    except ZStackConfigError as exc:
        return False, exc.msg
    return True, ''


def websocket_target(entry):
    """``(url, csp_source)``: the console's WebSocket URL and the one CSP source that allows connecting to it.

    The URL is the entry's ``websocket_url`` (made by ``_console_urls.websocket_url``), checked to be ``ws://`` or
    ``wss://`` as the console's scheme allows (``wss://`` with a certificate on the proxy, always for a direct
    console), to the entry's hostname and port, since it goes into the page verbatim.
    """
    scheme = str(entry.get('scheme') or 'http').lower()
    allowed = websocket_schemes(scheme)
    if not allowed:
        raise ZStackConfigError('the console scheme %r is neither http (ZStack\'s console proxy) nor wss (a direct '
                                'console)' % scheme[:20])
    hostname = str(entry.get('hostname') or '').strip('[]')
    ipv6 = ':' in hostname
    if not (_IPV6 if ipv6 else _HOSTNAME).fullmatch(hostname):
        raise ZStackConfigError('the console proxy hostname %r is not a host name or IP address' % hostname[:80])
    try:
        port = int(entry.get('port'))
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise ZStackConfigError('the console proxy port %r is not a TCP port' % entry.get('port'))
    url = str(entry.get('websocket_url') or '')
    try:
        parts = urlsplit(url)
        matches = (parts.scheme in allowed and (parts.hostname or '').lower() == hostname.lower()
                   and parts.port == port and not re.search(r'[\s"\'<>\\]', url))
    except ValueError:
        matches = False
    if not matches:
        raise ZStackConfigError('the console websocket_url is not a %s:// URL of %s port %d'
                                % (':// or '.join(allowed), hostname, port))
    # CSP host-source has no IPv6 literals: for those the policy can only name the scheme.
    origin = '%s:' % parts.scheme if ipv6 else '%s://%s:%d' % (parts.scheme, hostname, port)
    return url, origin


def expiry(entry):
    """``(iso, 'YYYY-MM-DD HH:MM:SS UTC')`` from the entry's ``expires_at``, or ``(None, None)``."""
    match = _EXPIRES_AT.fullmatch(str(entry.get('expires_at') or ''))
    if not match:
        return None, None
    return match.group(0), '%s %s UTC' % match.groups()


def script_json(value):
    """JSON that is safe inside an HTML ``<script>`` element: no ``<``, ``>`` or ``&`` left to end it."""
    text = json.dumps(value, sort_keys=True)
    return text.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')


def _csp_hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')


_HASHES = {}


def _bundles():
    """{name: (script, CSP hash)} of the two clients (the hashes computed once per process)."""
    scripts = {'novnc': novnc_script(), 'spice': spice_script()}
    for name, text in scripts.items():
        if name not in _HASHES:
            _HASHES[name] = _csp_hash(text)
    return {name: (text, _HASHES[name]) for name, text in scripts.items()}


def declared_client(entry):
    """``'spice'`` when the entry's ``target_scheme`` says SPICE, else None: the page finds out itself."""
    return 'spice' if declared_protocol(entry) == 'spice' else None


def render_launcher(entry):
    """The launcher of one console entry (an element of zstack_consoles), as a complete HTML document.

    Raises ZStackConfigError with the reason when ``launcher_supported`` says no.
    """
    supported, why = launcher_supported(entry)
    if not supported:
        raise ZStackConfigError('no launcher for VM %s: %s' % (entry.get('vm_instance_uuid'), why))
    url, origin = websocket_target(entry)
    expires_iso, expires_utc = expiry(entry)
    name = str(entry.get('vm_instance_name') or entry.get('vm_instance_uuid') or 'VM')
    proxy = urlsplit(url).netloc  # host:port, an IPv6 literal in brackets
    data = {'name': name, 'vm_instance_uuid': str(entry.get('vm_instance_uuid') or ''), 'url': url,
            'proxy': proxy, 'expires_at': expires_iso, 'expires_utc': expires_utc, 'declared': declared_client(entry),
            'probe_ms': PROBE_MS}
    bundles = _bundles()
    # img-src data: both clients draw JPEG rectangles, and spice-html5 its cursors, through data: images.
    scripts = (bundles['novnc'][1], bundles['spice'][1], _csp_hash(APP_SCRIPT))
    csp = ("default-src 'none'; script-src %s %s %s; style-src %s; img-src data:; connect-src %s; base-uri 'none';"
           " form-action 'none'" % (scripts + (_csp_hash(STYLE), origin)))
    return PAGE % {
        'csp': html.escape(csp, quote=False),  # in a double-quoted attribute; no '"' in it
        'name': html.escape(name),
        'uuid': html.escape(data['vm_instance_uuid']),
        'proxy': html.escape(proxy),
        'expires_iso': html.escape(expires_iso or ''),
        'expires_utc': html.escape(expires_utc or 'unknown'),
        'style': STYLE,
        'data': script_json(data),
        'novnc': bundles['novnc'][0],
        'spice': bundles['spice'][0],
        'app': APP_SCRIPT,
        'novnc_version': html.escape(NOVNC_VERSION),
        'spice_version': html.escape(SPICE_VERSION),
    }


STYLE = '''
html, body { margin: 0; height: 100%; font-family: sans-serif; }
body { display: flex; flex-direction: column; }
header { padding: .4em .8em; background: #24292e; color: #fff; display: flex; flex-wrap: wrap; gap: .3em 1.2em;
         align-items: baseline; }
header h1 { font-size: 1.1em; margin: 0; }
header .meta { font-size: .85em; color: #ccc; }
#state { font-weight: bold; }
#detail { margin: 0; padding: .5em .8em; }
#detail:empty, #protocol:empty { display: none; }
html[data-state="connected"] #state { color: #7ee787; }
html[data-state="expired"] #detail, html[data-state="refused"] #detail, html[data-state="error"] #detail
  { background: #ffebe9; color: #82071e; font-weight: bold; }
html[data-state="disconnected"] #detail { background: #fff8c5; }
button[hidden], form[hidden] { display: none; }
#screen { flex: 1; min-height: 0; background: #444; overflow: hidden; }
html[data-protocol="spice"] #screen { overflow: auto; }
'''

# The page's own logic. It reads its data from the JSON block, never from the URL.
APP_SCRIPT = r'''
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var root = document.documentElement;
  var screen = document.getElementById('screen');
  var stateText = document.getElementById('state');
  var protocolText = document.getElementById('protocol');
  var detail = document.getElementById('detail');
  var again = document.getElementById('again');
  var cad = document.getElementById('cad');
  var passwordForm = document.getElementById('password-form');
  var password = document.getElementById('password');
  var expires = data.expires_at ? Date.parse(data.expires_at) : NaN;
  var NAMES = {vnc: 'VNC', spice: 'SPICE'};
  var attempt = 0;             // each connection attempt; callbacks of an older one are ignored
  var client = null;           // {protocol, rfb or spice}
  var connected = false;
  var accepted = false;        // the display answered: it asked for a password
  var failure = null;
  var spicePassword = null;
  var reprobed = false;        // the one probe after spice-html5 failed early, in this connect()

  if (!isNaN(expires)) {
    document.getElementById('expires-local').textContent = '(' + new Date(expires).toLocaleString() + ' your time)';
  }

  function expired() { return !isNaN(expires) && Date.now() >= expires; }

  function expiredText() {
    return 'This console expired at ' + data.expires_utc + ' (' + new Date(expires).toLocaleString() +
      ' your time). Its token no longer opens the console: ask for a new one (run the playbook again).';
  }

  function show(state, text, more) {
    root.setAttribute('data-state', state);
    stateText.textContent = text;
    detail.textContent = more || '';
    again.hidden = !(state === 'refused' || state === 'disconnected' || state === 'error');
    cad.hidden = state !== 'connected';
    passwordForm.hidden = state !== 'password';
  }

  function useProtocol(protocol) {
    root.setAttribute('data-protocol', protocol);
    protocolText.textContent = NAMES[protocol];
  }

  // The proxy closed before the VM's display said anything. websockify (ZStack's proxy) refuses an unknown token
  // before the WebSocket opens, and closes an open one with 1011 when it cannot reach the display; other proxies
  // may not tell, so both causes are always named. `opened`: whether the WebSocket had opened (null: not known);
  // `code`, `reason`: how it closed.
  function closedEarly(opened, code, reason) {
    if (expired()) {
      show('expired', 'Expired', expiredText());
      return;
    }
    var seen = '';
    if (opened === true) {
      seen = ' This time the proxy took the connection, then closed it before the display answered' +
        (reason ? ' ("' + reason + '", code ' + code + ')' : code ? ' (code ' + code + ')' : '') +
        ': the VM\'s display is the likely cause.';
    } else if (opened === false) {
      seen = ' This time the proxy did not take the connection at all: it refused the token, or it cannot be ' +
        'reached from this computer.';
    }
    show('refused', 'Refused: token revoked or ended, or display unreachable',
      'The console proxy at ' + data.proxy + ' closed the connection before the VM\'s display answered, so ' +
      'nothing was connected. Either the console\'s token was revoked or has ended (its session was logged ' +
      'out, or ZStack deleted the console), or the proxy cannot reach the VM\'s display (the VM is stopped, ' +
      'or its host is down).' + seen + ' Check the VM\'s state in ZStack (it must be Running) and ask for a ' +
      'new console (run the playbook again). If a new console fails the same way while the VM runs, check its ' +
      'host in ZStack and that the proxy can reach it.');
  }

  function ended() {
    var takenOver = root.getAttribute('data-protocol') === 'spice' ?
      ', or another client opened this SPICE console: a SPICE display takes one at a time' : '';
    show('disconnected', 'Disconnected', 'The session ended: the console proxy at ' + data.proxy +
      ' closed the connection (the VM stopped, the proxy restarted or the network dropped' + takenOver + ').' +
      (expired() ? ' ' + expiredText() : ' Connect again to continue.'));
  }

  function stop() {
    attempt += 1;
    if (client && client.spice) {
      client.spice.stop();
    } else if (client && client.rfb) {
      client.rfb.disconnect();
    }
    client = null;
    connected = false;
    accepted = false;
    screen.textContent = '';
    screen.style.cssText = '';  // spice-html5 sets the height and the cursor of its screen element
  }

  // ---- VNC: noVNC, on the probe's WebSocket (what the display already sent is handed on) or on a new one.
  function channel(ws, received) {
    // A WebSocket as noVNC's Websock.attach wants it, that first replays what the probe already received.
    var queue = received.slice();
    var handler = null;
    var replaying = false;
    function deliver() { while (handler && !replaying && queue.length) { handler({data: queue.shift()}); } }
    var wrapped = {
      binaryType: 'arraybuffer', protocol: ws.protocol, onopen: null, onerror: null, onclose: null,
      send: function (message) { ws.send(message); },
      close: function () { ws.close(); }
    };
    Object.defineProperty(wrapped, 'readyState', {enumerable: true, get: function () { return ws.readyState; }});
    Object.defineProperty(wrapped, 'onmessage', {enumerable: true, get: function () { return handler; },
      set: function (fn) {
        handler = fn;
        replaying = true;  // after noVNC has attached and taken the socket as open
        window.setTimeout(function () { replaying = false; deliver(); }, 0);
      }});
    ws.onmessage = function (event) { queue.push(event.data); deliver(); };
    ws.onclose = function (event) { if (wrapped.onclose) { wrapped.onclose(event); } };
    ws.onerror = function (event) { if (wrapped.onerror) { wrapped.onerror(event); } };
    return wrapped;
  }

  function startVnc(mine, ws, received) {
    useProtocol('vnc');
    var rfb;
    try {
      // 'binary': websockify before 0.9 refuses a client that offers neither 'binary' nor 'base64'.
      rfb = new window.ZStackRFB(screen, ws ? channel(ws, received) : data.url,
        {shared: true, wsProtocols: ['binary']});
    } catch (err) {
      show('error', 'Cannot connect', String(err && err.message || err));
      return;
    }
    client = {protocol: 'vnc', rfb: rfb};
    rfb.scaleViewport = true;
    rfb.addEventListener('connect', function () {
      if (mine !== attempt) { return; }
      connected = true;
      show('connected', 'Connected');
      rfb.focus();
    });
    rfb.addEventListener('disconnect', function () {
      if (mine !== attempt) { return; }
      var wasConnected = connected || accepted;
      client = null;
      connected = false;
      accepted = false;
      if (failure) {
        show('error', failure[0], failure[1]);
      } else if (wasConnected) {
        // noVNC reports a server-side close as clean, so the page does not tell them apart: it never
        // disconnects by itself once connected.
        ended();
      } else if (ws) {
        show('error', 'Connection lost', 'The VM\'s VNC server answered, then the connection through the console ' +
          'proxy at ' + data.proxy + ' ended before the session began. Connect again to retry.');
      } else {
        closedEarly(null, 0, '');
      }
    });
    rfb.addEventListener('credentialsrequired', function () {
      if (mine !== attempt) { return; }
      accepted = true;
      show('password', 'Password required', 'This VM has a console password (set in ZStack): type it to log in.');
      password.value = '';
      password.focus();
    });
    rfb.addEventListener('securityfailure', function (event) {
      var reason = event.detail && event.detail.reason;
      failure = ['Login refused', 'The VM\'s VNC server refused the login' + (reason ? ': ' + reason : '') +
        '. Connect again to retry.'];
    });
  }

  // ---- SPICE: spice-html5, which opens its own WebSockets (one per channel) to the same URL.
  function startSpice(mine) {
    useProtocol('spice');
    var spice;
    try {
      spice = new window.ZStackSpice.SpiceMainConn({uri: data.url, screen_id: 'screen',
        password: spicePassword || '', onsuccess: onSuccess, onerror: onError});
    } catch (err) {
      show('error', 'Cannot connect', String(err && err.message || err));
      return;
    }
    client = {protocol: 'spice', spice: spice};
    function onSuccess() {
      if (mine !== attempt) { return; }
      connected = true;
      show('connected', 'Connected');
    }
    function onError(err) {
      if (mine !== attempt) { return; }
      var message = String(err && err.message || '');
      var wasConnected = connected;
      stop();  // one outcome per attempt: spice-html5 may report the same close twice
      if (wasConnected) {
        ended();
      } else if (message === 'Permission denied.') {
        if (spicePassword) {
          spicePassword = null;
          show('error', 'Login refused', 'The VM\'s SPICE server refused the password. Connect again to retry.');
        } else {
          show('password', 'Password required',
            'This VM has a console password (set in ZStack): type it to log in.');
          password.value = '';
          password.focus();
        }
      } else if (message === 'Connection refused.') {
        closedEarly(false, 0, '');  // the WebSocket never opened
      } else if (!reprobed) {
        // Closed, timed out or garbled before the link was made: ask the far end once more what it speaks.
        reprobed = true;
        probe(attempt, 3 * data.probe_ms);
      } else {
        show('error', 'SPICE error', 'The VM\'s display waits for a client as a SPICE server does, but the SPICE ' +
          'connection failed' + (message ? ': ' + message : '') + '. Connect again to retry.');
      }
    }
  }

  // ---- Which one: a VNC server speaks first; a SPICE server waits for the client's link message.
  // `wait`: how long silence takes to mean SPICE. After spice-html5 failed (reprobed), silence is not taken for
  // SPICE again.
  function probe(mine, wait) {
    var ws;
    try {
      ws = new WebSocket(data.url, ['binary']);
    } catch (err) {
      show('error', 'Cannot connect', String(err && err.message || err));
      return;
    }
    ws.binaryType = 'arraybuffer';
    var opened = false;
    var received = [];
    var timer = null;
    function settle() {
      window.clearTimeout(timer);
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      return mine === attempt;
    }
    ws.onopen = function () {
      opened = true;
      timer = window.setTimeout(function () {
        if (!settle()) { ws.close(); return; }
        ws.close(1000);
        if (reprobed) {
          show('error', 'SPICE error', 'The VM\'s display waits for a client as a SPICE server does, but the SPICE ' +
            'connection failed before it was made. Connect again to retry.');
        } else {
          startSpice(mine);
        }
      }, wait);
    };
    function unknown(head) {
      ws.close();
      show('error', 'Unknown console protocol', 'The VM\'s display speaks neither VNC nor SPICE (it began with "' +
        head.replace(/[^\x20-\x7e]/g, '?') + '"). Open this console from the ZStack UI.');
    }
    ws.onmessage = function (event) {
      received.push(event.data);
      var bytes = [];
      received.forEach(function (part) { bytes = bytes.concat(Array.from(new Uint8Array(part))); });
      var head = String.fromCharCode.apply(null, bytes.slice(0, 12));
      window.clearTimeout(timer);  // it spoke first: not SPICE
      if (bytes.length < 4) {
        timer = window.setTimeout(function () { if (settle()) { unknown(head); } }, wait);
      } else if (settle()) {
        if (head.slice(0, 4) === 'RFB ') {
          startVnc(mine, ws, received);
        } else {
          unknown(head);
        }
      } else {
        ws.close();
      }
    };
    ws.onclose = function (event) {
      if (!settle()) { return; }
      closedEarly(opened, event.code, event.reason);
    };
  }

  function connect() {
    stop();
    if (expired()) {
      show('expired', 'Expired', expiredText());
      return;
    }
    failure = null;
    reprobed = false;
    show('connecting', 'Connecting to ' + data.proxy + '\u2026');
    if (data.declared === 'spice') {
      startSpice(attempt);
    } else {
      probe(attempt, data.probe_ms);
    }
  }

  passwordForm.addEventListener('submit', function (event) {
    event.preventDefault();  // nothing is sent anywhere but to the console (form-action 'none')
    if (client && client.rfb) {
      client.rfb.sendCredentials({password: password.value});
      password.value = '';
      show('connecting', 'Logging in\u2026');
    } else {
      spicePassword = password.value;
      password.value = '';
      stop();
      show('connecting', 'Logging in\u2026');
      startSpice(attempt);
    }
  });
  again.addEventListener('click', connect);
  cad.addEventListener('click', function () {
    if (client && client.rfb) {
      client.rfb.sendCtrlAltDel();
    } else if (client && client.spice) {
      window.ZStackSpice.sendCtrlAltDel(client.spice);
    }
  });
  connect();
})();
'''

PAGE = '''<!DOCTYPE html>
<html lang="en" data-state="loading">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="%(csp)s">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Console of %(name)s</title>
<style>%(style)s</style>
</head>
<body>
<header>
<h1>Console of <span id="vm-name">%(name)s</span></h1>
<span id="state">Loading\u2026</span>
<span class="meta" id="protocol"></span>
<span class="meta">VM <code id="vm-uuid">%(uuid)s</code> via %(proxy)s</span>
<span class="meta">Expires <time id="expires" datetime="%(expires_iso)s">%(expires_utc)s</time>
<span id="expires-local"></span></span>
<button id="again" type="button" hidden>Connect again</button>
<button id="cad" type="button" hidden>Send Ctrl+Alt+Del</button>
<form id="password-form" hidden><label>Console password <input id="password" type="password" autocomplete="off">
</label> <button type="submit">Log in</button></form>
</header>
<p id="detail"></p>
<div id="screen"></div>
<noscript><p>This console needs JavaScript.</p></noscript>
<script type="application/json" id="console-data">%(data)s</script>
<!-- noVNC %(novnc_version)s RFB client, MPL-2.0: see the comment at the start of the next script. -->
<script>%(novnc)s</script>
<!-- spice-html5 %(spice_version)s SPICE client, LGPL-3.0-or-later: see the comment at the start of the next script. -->
<script>%(spice)s</script>
<script>%(app)s</script>
</body>
</html>
'''
