# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Self-contained console launchers: one HTML file that opens a VM's console by itself.

The page carries noVNC's RFB client (``_novnc``, bundled by tools/novnc/build.py) and connects from wherever it
was opened (``file://`` included) straight to the console proxy's WebSocket. ZStack's console proxy is plain
websockify with a token directory, no ``--web`` and no Origin check (docs/zstack-api-notes.md; zstackio/zstack:
``header/.../console/ConsoleInventory.java`` gives scheme, hostname, port, token and, on newer servers,
targetScheme), so no web server and no noVNC page is involved anywhere.

What the page shows: the VM's name, the connection state (``data-state`` on ``<html>``, text in ``#state``), the
expiry in UTC and in the browser's time, and in plain words whether the token had expired before anything was
tried (``expired``), the proxy refused it - revoked, or ended - before a VNC connection was made (``refused``), or
an established session ended (``disconnected``). A VM with a console password gets a password prompt
(``password``); a refused login is an ``error``.

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
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

# The console protocols a launcher can open: noVNC speaks RFB (VNC) only.
SUPPORTED_TARGET_SCHEMES = ('vnc',)
# A host name or IPv4 address, or an IPv6 literal: nothing else may reach the page's CSP or URL.
_HOSTNAME = re.compile(r'[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?')
_IPV6 = re.compile(r'[0-9A-Fa-f:.]{2,45}')
_EXPIRES_AT = re.compile(r'(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z')


def launcher_supported(entry):
    """``(True, '')`` when a self-contained launcher can open this console entry, else ``(False, why)``.

    ``why`` is one sentence for the operator and never carries the token.
    """
    # A direct console's targetScheme is its URL's scheme (wss), not the protocol behind it
    # (ConsoleProxyBase.doEstablishDirectConsoleConnection, which ZStack calls "establish VNC"): opened as VNC.
    target = None if is_direct(entry) else entry.get('target_scheme')
    if target not in (None, '') and str(target).lower() not in SUPPORTED_TARGET_SCHEMES:
        # targetScheme is the scheme of the console URL behind the proxy (zstackio/zstack:
        # console/src/main/java/org/zstack/console/ConsoleProxyBase.java); ConsoleConstants knows "vnc" and "http".
        hint = (' open it with a SPICE client (remote-viewer) or set the VM console mode to VNC'
                if str(target).lower() == 'spice' else ' open it from the ZStack UI')
        return False, ('the console behind the proxy speaks %r, not VNC, and a launcher speaks VNC only (noVNC):%s'
                       % (str(target)[:20], hint))
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


def _bundle():
    """The noVNC script and its CSP hash (computed once per process)."""
    if 'novnc' not in _HASHES:
        _HASHES['novnc'] = _csp_hash(novnc_script())
    return novnc_script(), _HASHES['novnc']


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
            'proxy': proxy, 'expires_at': expires_iso, 'expires_utc': expires_utc}
    bundle, bundle_hash = _bundle()
    csp = ("default-src 'none'; script-src %s %s; style-src %s; img-src data:; connect-src %s; base-uri 'none';"
           " form-action 'none'" % (bundle_hash, _csp_hash(APP_SCRIPT), _csp_hash(STYLE), origin))
    return PAGE % {
        'csp': html.escape(csp, quote=False),  # in a double-quoted attribute; no '"' in it
        'name': html.escape(name),
        'uuid': html.escape(data['vm_instance_uuid']),
        'proxy': html.escape(proxy),
        'expires_iso': html.escape(expires_iso or ''),
        'expires_utc': html.escape(expires_utc or 'unknown'),
        'style': STYLE,
        'data': script_json(data),
        'novnc': bundle,
        'app': APP_SCRIPT,
        'version': html.escape(NOVNC_VERSION),
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
#detail:empty { display: none; }
html[data-state="connected"] #state { color: #7ee787; }
html[data-state="expired"] #detail, html[data-state="refused"] #detail, html[data-state="error"] #detail
  { background: #ffebe9; color: #82071e; font-weight: bold; }
html[data-state="disconnected"] #detail { background: #fff8c5; }
button[hidden], form[hidden] { display: none; }
#screen { flex: 1; min-height: 0; background: #444; overflow: hidden; }
'''

# The page's own logic. It reads its data from the JSON block, never from the URL.
APP_SCRIPT = r'''
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var stateText = document.getElementById('state');
  var detail = document.getElementById('detail');
  var again = document.getElementById('again');
  var cad = document.getElementById('cad');
  var passwordForm = document.getElementById('password-form');
  var password = document.getElementById('password');
  var expires = data.expires_at ? Date.parse(data.expires_at) : NaN;
  var rfb = null;
  var connected = false;
  var accepted = false;  // the proxy took the token: the VNC server asked for a password
  var failure = null;

  if (!isNaN(expires)) {
    document.getElementById('expires-local').textContent = '(' + new Date(expires).toLocaleString() + ' your time)';
  }

  function expired() { return !isNaN(expires) && Date.now() >= expires; }

  function expiredText() {
    return 'This console expired at ' + data.expires_utc + ' (' + new Date(expires).toLocaleString() +
      ' your time). Its token no longer opens the console: ask for a new one (run the playbook again).';
  }

  function show(state, text, more) {
    document.documentElement.setAttribute('data-state', state);
    stateText.textContent = text;
    detail.textContent = more || '';
    again.hidden = !(state === 'refused' || state === 'disconnected' || state === 'error');
    cad.hidden = state !== 'connected';
    passwordForm.hidden = state !== 'password';
  }

  function onDisconnect() {
    var wasConnected = connected || accepted;
    connected = false;
    accepted = false;
    rfb = null;
    if (failure) {
      show('error', failure[0], failure[1]);
    } else if (!wasConnected && expired()) {
      show('expired', 'Expired', expiredText());
    } else if (!wasConnected) {
      show('refused', 'Refused: token revoked or ended',
        'The console proxy at ' + data.proxy + ' did not accept this console: its token was revoked or has ' +
        'ended, so nothing was connected. Ask for a new console (run the playbook again). If a new one ' +
        'fails the same way, the proxy cannot be reached from this computer.');
    } else {
      // After a VNC session was established (noVNC reports a server-side close as clean, so the page does not
      // tell them apart: it never disconnects by itself once connected).
      show('disconnected', 'Disconnected', 'The session ended: the console proxy at ' + data.proxy +
        ' closed the connection (the VM stopped, the proxy restarted or the network dropped).' +
        (expired() ? ' ' + expiredText() : ' Connect again to continue.'));
    }
  }

  function connect() {
    if (expired()) {
      show('expired', 'Expired', expiredText());
      return;
    }
    connected = false;
    failure = null;
    show('connecting', 'Connecting to ' + data.proxy + '\u2026');
    try {
      // 'binary': websockify before 0.9 refuses a client that offers neither 'binary' nor 'base64'.
      rfb = new window.ZStackRFB(document.getElementById('screen'), data.url,
        {shared: true, wsProtocols: ['binary']});
    } catch (err) {
      show('error', 'Cannot connect', String(err && err.message || err));
      return;
    }
    rfb.scaleViewport = true;
    rfb.addEventListener('connect', function () {
      connected = true;
      show('connected', 'Connected');
      rfb.focus();
    });
    rfb.addEventListener('disconnect', onDisconnect);
    rfb.addEventListener('credentialsrequired', function () {
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

  passwordForm.addEventListener('submit', function (event) {
    event.preventDefault();  // nothing is sent anywhere but to the VNC server (form-action 'none')
    if (rfb) {
      rfb.sendCredentials({password: password.value});
      password.value = '';
      show('connecting', 'Logging in\u2026');
    }
  });
  again.addEventListener('click', connect);
  cad.addEventListener('click', function () { if (rfb) { rfb.sendCtrlAltDel(); } });
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
<span class="meta">VM <code id="vm-uuid">%(uuid)s</code> via %(proxy)s</span>
<span class="meta">Expires <time id="expires" datetime="%(expires_iso)s">%(expires_utc)s</time>
<span id="expires-local"></span></span>
<button id="again" type="button" hidden>Connect again</button>
<button id="cad" type="button" hidden>Send Ctrl+Alt+Del</button>
<form id="password-form" hidden><label>VNC password <input id="password" type="password" autocomplete="off"></label>
<button type="submit">Log in</button></form>
</header>
<p id="detail"></p>
<div id="screen"></div>
<noscript><p>This console needs JavaScript.</p></noscript>
<script type="application/json" id="console-data">%(data)s</script>
<!-- noVNC %(version)s RFB client, MPL-2.0: see the comment at the start of the next script. -->
<script>%(novnc)s</script>
<script>%(app)s</script>
</body>
</html>
'''
