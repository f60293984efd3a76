# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""URLs a browser opens for a console: the one place that decides where a page reads its parameters.

Two kinds of page exist (docs/zstack-api-notes.md, "Console pages"):

- ``zstack``: the ZStack web UI's ``vnc_auto.html`` (an old noVNC). Its ``WebUtil.getQueryVar`` matches
  ``[?][^#]*name=`` against ``location.href``, so it reads the query string only; ZStack's own UI opens it as
  ``vnc_auto.html?host=..&port=..&token=..&title=..`` (zstack-dashboard ``ts/vm.ts``). The token then reaches that
  web server's log: the management node's own UI, which issued it.
- ``novnc``: noVNC 1.x ``vnc.html`` / ``vnc_lite.html``. They read their settings from the fragment too, which a
  browser never sends to a web server, so the token stays out of every log. The token travels inside ``path``.

Used by zstack_console_access (``console_url``) and by the console_files launchers, so both agree.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

ZSTACK_UI_PORT = 5000
ZSTACK_UI_PATH = '/thirdparty/vnc_auto.html'
STYLES = ('auto', 'novnc', 'zstack')
NOVNC_PAGES = ('vnc.html', 'vnc_lite.html')


def bracket(host):
    """An IPv6 literal in brackets, as a URL needs it."""
    host = str(host)
    return '[%s]' % host if ':' in host and not host.startswith('[') else host


def websocket_url(console):
    """The console's WebSocket URL: the proxy's host and port with the token in the query, ``wss`` for ``https``."""
    scheme = 'wss' if console.get('scheme') == 'https' else 'ws'
    return '%s://%s:%s/?token=%s' % (scheme, bracket(console['hostname']), console['port'], console['token'])


def default_page_url(management_host, scheme='http', port=ZSTACK_UI_PORT):
    """The ZStack web UI's console page on the management node: http://<host>:5000/thirdparty/vnc_auto.html."""
    return '%s://%s:%s%s' % (scheme, bracket(management_host), port, ZSTACK_UI_PATH)


def page_style(page_url, style='auto'):
    """``novnc`` for noVNC 1.x pages (vnc.html, vnc_lite.html), else ``zstack``; an explicit style wins."""
    if style not in STYLES:
        raise ZStackConfigError('style must be one of %s, got %r' % (', '.join(STYLES), style))
    if style != 'auto':
        return style
    return 'novnc' if posixpath.basename(urlsplit(page_url).path) in NOVNC_PAGES else 'zstack'


def check_page_url(page_url):
    """The parts of a page URL, or a clear error for one a browser could not open as a noVNC page."""
    parts = urlsplit(str(page_url))
    if parts.scheme not in ('http', 'https', 'file') or (parts.scheme != 'file' and not parts.netloc):
        raise ZStackConfigError('novnc_url must be an http(s) URL of a noVNC page, got %r' % str(page_url))
    return parts


def console_url(console, page_url=None, management_host=None, management_scheme='http', style='auto', title=None):
    """The URL that opens ``console`` (an entry of zstack_consoles) on a noVNC page, or None without a token.

    ``page_url`` empty: ZStack's own page on ``management_host`` (default: the console proxy's host).
    """
    if not console.get('token') or not console.get('hostname') or console.get('port') in (None, ''):
        return None  # check mode: nothing to connect to
    if not page_url:
        page_url = default_page_url(management_host or console['hostname'], management_scheme)
    parts = check_page_url(page_url)
    host, port, token = bracket(console['hostname']), str(console['port']), str(console['token'])
    if title is None:
        title = str(console.get('vm_instance_name') or console.get('vm_instance_uuid') or '')
    if page_style(page_url, style) == 'novnc':
        # app/ui.js reads settings with WebUtil.getConfigVar (fragment first, then query); vnc_lite.html matches
        # "[?&]name=" in href + hash, so the first parameter (autoconnect) is one vnc_lite.html can do without.
        params = [('autoconnect', 'true'), ('host', host), ('port', port), ('path', '?token=' + token),
                  ('encrypt', '1' if console.get('scheme') == 'https' else '0'), ('resize', 'scale'),
                  ('scale', 'true'), ('reconnect', 'false')]
        encoded = _encode(params)
        fragment = '%s&%s' % (parts.fragment, encoded) if parts.fragment else encoded
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, fragment))
    encoded = _encode([('host', host), ('port', port), ('token', token), ('title', title)])
    query = '%s&%s' % (parts.query, encoded) if parts.query else encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _encode(params):
    return '&'.join('%s=%s' % (key, quote(value, safe='')) for key, value in params)
