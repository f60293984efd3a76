# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end on ZStack's own console page: the web UI's vnc_auto.html, vendored unmodified (zstack_dashboard/).

The page is served by a local HTTP server that logs every request; the URL comes from _console_urls.console_url,
as the launchers and zstack_console_access build it. Through websockify (token directory, no --web) to Xvnc:

- the query-string URL (the style of ZStack's own UI) connects and draws the remote screen;
- the same parameters after '#' (what the role wrote before issue 10) do not: the page reads the query string only
  (WebUtil.getQueryVar), so it connects to its own web server with token=null - the test catches that bug;
- the trade-off of the query string, asserted: the token is in the page's web server's request log. On a real node
  that server is the management node's own UI, which issued the token.

Old noVNC opens its WebSocket with the sub-protocols ['binary', 'base64'] (include/websock.js); websockify 0.13
chooses 'binary' (websockifyserver.CompatibleWebSocket.select_subprotocol), which the first case shows working.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import console_url
from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import ConsoleEntry

from e2e_stack import (  # pylint: disable=unused-import
    CANVAS_PIXELS_JS,
    OUTPUT_DIR,
    SAMPLE_POINTS,
    free_port,
    http_ok,
    launch_chromium,
    log_text,
    proxy_stack,  # noqa: F401  the fixture
    time_limit,
    wait_for,
    wait_for_screen,
    write_token_file,
)

PAGE_DIR = Path(__file__).resolve().parent / 'zstack_dashboard'
VM_UUID = 'e' * 32
VM_NAME = 'db-01'
CANVAS = '#noVNC_canvas'
# include/websock.js probes for binary WebSocket support by opening this URL; it is not a console connection.
PROBE = 'ws://localhost:17523/'


@pytest.fixture(autouse=True)
def _time_limit():
    with time_limit(120):
        yield


@pytest.fixture(scope='module')
def page_server(proxy_stack):  # noqa: F811
    """http.server serving zstack_dashboard/ on 127.0.0.1, its request log in a file; yields (page URL, log)."""
    port = free_port()
    process, log = proxy_stack['stack'].start('page-server', [
        sys.executable, '-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', str(PAGE_DIR), str(port)])
    page_url = 'http://127.0.0.1:%d/vnc_auto.html' % port
    wait_for('the page server', lambda: http_ok(page_url), process=process, log=log)
    return page_url, log


def git_blob(path):
    data = path.read_bytes()
    return hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()


def test_vendored_files_are_zstacks_own():
    """Every file SOURCE.md lists is, byte for byte, the zstack-dashboard blob it names; nothing else is there."""
    listed = dict(re.findall(r'^\| `([^`]+)`(?: \([^)]*\))? \| `([0-9a-f]{40})` \|$',
                             (PAGE_DIR / 'SOURCE.md').read_text(encoding='utf-8'), re.M))
    assert len(listed) == 12, listed
    for name, blob in listed.items():
        assert git_blob(PAGE_DIR / name) == blob, '%s is not the vendored blob %s' % (name, blob)
    present = {str(p.relative_to(PAGE_DIR)) for p in PAGE_DIR.rglob('*') if p.is_file()}
    assert present == set(listed) | {'SOURCE.md'}


def make_entry(stack):
    """A console entry as zstack_console_access returns it, for a fresh token whose file exists; (entry, token)."""
    token = '%s_%s' % (secrets.token_hex(16), VM_UUID)
    write_token_file(stack['token_dir'], token, stack['rfb_port'])
    return ConsoleEntry.from_inventory(VM_UUID, VM_NAME, {'hostname': '127.0.0.1', 'port': stack['ws_port'], 'token': token,
                                                          'scheme': 'http', 'targetScheme': 'vnc'}), token


def open_page(browser, url):
    page = browser.new_page(viewport={'width': 1024, 'height': 768})
    page.set_default_timeout(20000)
    sockets = []
    page.on('websocket', lambda ws: sockets.append(ws.url))
    page.goto(url)
    return page, sockets


def shoot(page, name):
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / name))


def test_query_string_url_connects_on_zstacks_page(proxy_stack, page_server):  # noqa: F811
    from playwright.sync_api import sync_playwright

    page_url, server_log = page_server
    entry, token = make_entry(proxy_stack)
    url = console_url(entry, page_url=page_url)
    parts = urlsplit(url)
    assert parts.query and not parts.fragment and 'token=%s' % token in parts.query
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, sockets = open_page(browser, url)
            try:
                page.wait_for_function(
                    "document.getElementById('noVNC_status').textContent.includes('Connected (unencrypted) to:')")
                sample = wait_for_screen(page, CANVAS)
            finally:
                shoot(page, 'zstack-vnc_auto.png')
            assert page.title() == VM_NAME  # the page's title= parameter
            assert [s for s in sockets if s != PROBE] == ['ws://127.0.0.1:%d/?token=%s' % (proxy_stack['ws_port'], token)]
            assert len({tuple(p) for p in sample['pixels']}) == 2
        finally:
            browser.close()

    requests = log_text(server_log)
    # The trade-off of the query string: the token is in the log of the web server that served the page.
    assert re.search(r'"GET /vnc_auto\.html\?[^"]*token=%s[^"]*" 200' % re.escape(token), requests), requests
    # The page loaded nothing that is not vendored (a browser also asks for /favicon.ico).
    missing = [line for line in requests.splitlines() if '" 404 ' in line and 'GET /favicon.ico ' not in line]
    assert not missing, missing
    for script in ('util', 'webutil', 'base64', 'websock', 'des', 'input', 'display', 'jsunzip', 'rfb'):
        assert '"GET /include/%s.js HTTP/1.1" 200' % script in requests
    assert '"GET /include/base.css HTTP/1.1" 200' in requests


def test_fragment_url_does_not_connect_on_zstacks_page(proxy_stack, page_server):  # noqa: F811
    """The parameters after '#' are never seen: the page connects to its own web server with token=null."""
    from playwright.sync_api import sync_playwright

    page_url, server_log = page_server
    entry, token = make_entry(proxy_stack)
    query = urlsplit(console_url(entry, page_url=page_url)).query
    url = page_url + '#' + query  # the old launchers' style: the same parameters, in the fragment
    page_port = urlsplit(page_url).port
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, sockets = open_page(browser, url)
            try:
                page.wait_for_function("document.getElementById('noVNC_status').textContent.includes('disconnected')")
                page.wait_for_timeout(1000)
            finally:
                shoot(page, 'zstack-vnc_auto-fragment.png')
            status = page.text_content('#noVNC_status').strip()
            assert status == 'Server disconnected (code: 1006)', status  # as issue 10 reports from a real node
            assert page.title() == 'noVNC'  # no title= seen either
            # It tried its own host and port, with the token it found: none.
            assert [s for s in sockets if s != PROBE] == ['ws://127.0.0.1:%d/?token=null' % page_port]
        finally:
            browser.close()
    assert '"GET /?token=null HTTP/1.1"' in log_text(server_log)
    assert token not in log_text(proxy_stack['websockify_log'])
