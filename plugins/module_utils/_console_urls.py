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

Which page the default is depends on the management node's version (``zstack_page_path``), which the console
service asks once per task. Where a page connects - ``ws://`` or ``wss://``, which path - is the entry's
``websocket_url`` (``websocket_url`` makes it, once, in ConsoleEntry.from_inventory); every page URL and launcher
follows it.

Used by zstack_console_access (``console_url``) and by the console_files launchers, so both agree.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackConfigError,
    ZStackResponseError,
    one_line,
)

ZSTACK_UI_PORT = 5000
# The web UI's console page, by the node's version (the web UI is closed source): the multi-cloud manager
# yunionio/cloudmux picks it by the version APIGetVersionMsg answers (pkg/multicloud/zstack/instance.go, GetVNCInfo:
# "4.0.0" and later "/novnc/index.html" from commit f5e7c75a, 2021; corrected to "/novnc" by commit 34795cd0, 2025,
# "修正了 novnc 访问路径"), earlier "/thirdparty/vnc_auto.html"; both read host, port, token and title from the query.
ZSTACK_UI_PATH = '/thirdparty/vnc_auto.html'
ZSTACK_4_UI_PATH = '/novnc'
ZSTACK_4 = (4, 0)
STYLES = ('auto', 'novnc', 'zstack')
NOVNC_PAGES = ('vnc.html', 'vnc_lite.html')


def bracket(host):
    """An IPv6 literal in brackets, as a URL needs it."""
    host = str(host)
    return '[%s]' % host if ':' in host and not host.startswith('[') else host


# The schemes a console inventory has. A proxied console's is "http", always: ManagementServerConsoleProxyBackend
# sets it whatever the proxy is, and ConsoleConstants knows only "http" and "wss" (zstackio/zstack:
# console/src/main/java/org/zstack/console/ManagementServerConsoleProxyBackend.java). TLS on the proxy is the agent's
# websockify started with --cert, which then takes ws:// and wss:// on one port (zstack-utility:
# consoleproxy/consoleproxy/console_proxy_agent.py) and shows nowhere in the reply: the console_proxy_tls option
# says so. "https" never comes from ZStack and is taken as TLS all the same.
PROXY_SCHEMES = ('http', 'https')
# A direct console (ConsoleUrl.needConsoleProxy false): ConsoleProxyBase.doEstablishDirectConsoleConnection answers
# the URL's own scheme ("wss"), its host and port, and its path as the token (console/src/main/java/org/zstack/
# console/ConsoleProxyBase.java).
DIRECT_SCHEMES = ('wss',)
# The characters of a URL path kept as they are when a direct console's path (URI.getPath: decoded) is put back into
# a URL; "%" is encoded again, and a quote too (no page or launcher takes one in a URL).
_PATH_SAFE = "/:@!$&()*+,;=-._~"


def websocket_url(console, proxy_tls=False):
    """The console's WebSocket URL, or ZStackResponseError for a scheme the collection does not know.

    A proxied console (scheme ``http``): the proxy's host and port with the token in the query, ``wss://`` when
    ``proxy_tls`` (the proxy has a certificate) or the scheme is ``https``. A direct console (scheme ``wss``):
    ``wss://<hostname>:<port><token>``, the token being the URL's path.
    """
    scheme = str(console.get('scheme') or 'http').lower()
    host, port, token = bracket(console['hostname']), console['port'], str(console['token'])
    if scheme in DIRECT_SCHEMES:
        return '%s://%s:%s%s' % (scheme, host, port, quote('/' + token.lstrip('/'), safe=_PATH_SAFE))
    if scheme in PROXY_SCHEMES:
        ws = 'wss' if proxy_tls or scheme == 'https' else 'ws'
        return '%s://%s:%s/?token=%s' % (ws, host, port, token)
    raise ZStackResponseError('ZStack answered a console with scheme %r, which this collection does not know '
                              '(http: ZStack\'s console proxy; wss: a direct console); no URL was made'
                              % one_line(scheme, 40))


def websocket_schemes(scheme):
    """The WebSocket schemes a console of this scheme is reached with: ws or wss behind ZStack's proxy (wss when it
    has a certificate), wss for https and for a direct console; () for a scheme the collection does not know."""
    scheme = str(scheme or 'http').lower()
    if scheme == 'http':
        return ('ws', 'wss')
    return ('wss',) if scheme == 'https' or scheme in DIRECT_SCHEMES else ()


def is_direct(console):
    """Whether ZStack answered a direct console (no proxy: the token is the URL's path)."""
    return str(console.get('scheme') or '').lower() in DIRECT_SCHEMES


def node_release(version):
    """The leading numbers of a version such as ``4.8.0`` or ``3.10.38.1`` as a tuple, or None for anything else."""
    match = re.match(r'(\d+)\.(\d+)', str(version or '').strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def zstack_page_path(node_version=None):
    """The web UI's console page for a node of this version; before 4.0, or unknown, the old page."""
    release = node_release(node_version)
    return ZSTACK_4_UI_PATH if release is not None and release >= ZSTACK_4 else ZSTACK_UI_PATH


def default_page_url(management_host, scheme='http', port=ZSTACK_UI_PORT, node_version=None):
    """The ZStack web UI's console page on the management node, http://<host>:5000<page> (``zstack_page_path``)."""
    return '%s://%s:%s%s' % (scheme, bracket(management_host), port, zstack_page_path(node_version))


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


def console_url(console, page_url=None, management_host=None, management_scheme='http', style='auto', title=None,
                node_version=None):
    """The URL that opens ``console`` (an entry of zstack_consoles) on a noVNC page, or None without a token.

    ``page_url`` empty: ZStack's own page on ``management_host`` (default: the console proxy's host), the one of
    ``node_version`` (see ``zstack_page_path``). The page connects where the entry's ``websocket_url`` points.
    """
    if not console.get('token') or not console.get('hostname') or console.get('port') in (None, ''):
        return None  # check mode: nothing to connect to
    if not page_url:
        page_url = default_page_url(management_host or console['hostname'], management_scheme,
                                    node_version=node_version)
    parts = check_page_url(page_url)
    websocket = urlsplit(str(console.get('websocket_url') or websocket_url(console)))
    host, port, token = bracket(console['hostname']), str(console['port']), str(console['token'])
    # The path the page puts after "<ws scheme>://host:port/": "?token=..." behind ZStack's proxy, a direct
    # console's own path.
    path = websocket.path[1:] + ('?' + websocket.query if websocket.query else '')
    # An https page can only open wss:// (a browser blocks ws:// from it as mixed content), and so can the page of
    # a proxy with a certificate or of a direct console: encrypt follows the page's own scheme or the WebSocket's.
    tls = websocket.scheme == 'wss' or parts.scheme == 'https'
    if title is None:
        title = str(console.get('vm_instance_name') or console.get('vm_instance_uuid') or '')
    if page_style(page_url, style) == 'novnc':
        # app/ui.js reads settings with WebUtil.getConfigVar (fragment first, then query); vnc_lite.html matches
        # "[?&]name=" in href + hash, so the first parameter (autoconnect) is one vnc_lite.html can do without.
        params = [('autoconnect', 'true'), ('host', host), ('port', port), ('path', path),
                  ('encrypt', '1' if tls else '0'), ('resize', 'scale'), ('scale', 'true'), ('reconnect', 'false')]
        encoded = _encode(params)
        fragment = '%s&%s' % (parts.fragment, encoded) if parts.fragment else encoded
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, fragment))
    # ZStack's pages take the token as ZStack's UI passes it; its old page makes the path "?token=<token>" unless
    # given one (a direct console's), and connects with wss:// when its own page is https unless told (encrypt=1 for
    # a wss:// console on an http page; never encrypt=0, which would win over an https page's own protocol).
    params = [('host', host), ('port', port)]
    params.append(('path', path) if is_direct(console) else ('token', token))
    if tls:
        params.append(('encrypt', '1'))
    params.append(('title', title))
    encoded = _encode(params)
    query = '%s&%s' % (parts.query, encoded) if parts.query else encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _encode(params):
    return '&'.join('%s=%s' % (key, quote(value, safe='')) for key, value in params)
