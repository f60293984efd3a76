# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end: TLS on the console proxy, from the module to Chromium (issue #19).

ZStack's console proxy with a certificate is websockify started with ``--cert`` and without ``--ssl-only``: one
port takes ``ws://`` and ``wss://`` alike, and ZStack still answers ``scheme: http`` (docs/zstack-api-notes.md,
"RequestConsoleAccess"). Here, all on 127.0.0.1:

- Xvnc shows the checkerboard; the proxy is websockify with a token directory, ``--cert``/``--key``, no ``--web``;
- the pages come from another websockify, ``--web`` over https only (``--ssl-only``): Debian's noVNC 1.x
  (``novnc/vnc.html``) and ZStack's own vendored ``vnc_auto.html`` (``thirdparty/vnc_auto.html``);
- the ZStack simulator hands out the tokens and writes the token files; zstack_console_access runs in
  ansible-playbook (the collection from the tree) and its entries are read from a 0600 file;
- the proxy is reported as ``proxy.zstack.test`` and the pages are opened at ``pages.zstack.test``, both mapped to
  127.0.0.1 in Chromium (``--host-resolver-rules``): a browser treats 127.0.0.1 itself as a secure origin and would
  let an https page open ``ws://`` to it, which it refuses for any other host, as for a real console proxy.

What must hold: the module tells an https noVNC page ``encrypt=1`` and the page connects through ``wss://`` (the
same URL with ``encrypt=0``, what the module used to send, is blocked by the browser as mixed content and never
reaches the proxy); ZStack's page over https (a page launcher's URL, console_launcher_url's) connects through
``wss://`` too; the self-contained launcher of an entry asked for with ``console_proxy_tls`` connects through ``wss://``, and the one of
an entry without it through ``ws://``, to the same port. The certificate is self-signed: the browser is told to
accept it, as an operator would have to. Screenshots: tls-*.png in ZSTACK_E2E_OUTPUT_DIR (tests/output/e2e).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import console_url

from e2e_stack import (
    CANVAS_PIXELS_JS,
    NOVNC_DIR,
    SAMPLE_POINTS,
    Stack,
    free_port,
    launch_chromium,
    log_text,
    make_certificate,
    playbook_command,
    point_vms_of,
    proxy_prerequisites_missing,
    require,
    run_console_play,
    shows_screen,
    sim_request,
    start_checkerboard_xvnc,
    start_simulator_on,
    tcp_open,
    time_limit,
    wait_for,
    wait_for_screen,
)
from launcher_page import shoot, write_launcher

ZSTACK_PAGE_DIR = Path(__file__).resolve().parent / 'zstack_dashboard'
# Host names for the proxy and the page server, mapped to 127.0.0.1 in Chromium only (see the module docstring).
PROXY_HOST = 'proxy.zstack.test'
PAGES_HOST = 'pages.zstack.test'
VM_NAMES = ['web-01', 'web-02']
PROBE = 'ws://localhost:17523/'  # vnc_auto.html's include/websock.js probes binary WebSocket support there
NOVNC = {'connected': "document.documentElement.classList.contains('noVNC_connected')",
         'canvas': '#noVNC_container canvas'}
ZSTACK = {'connected': "document.getElementById('noVNC_status').textContent.includes('Connected (encrypted) to:')",
          'canvas': '#noVNC_canvas'}
LAUNCHER_CANVAS = '#screen canvas'

PLAYBOOK = '''\
- name: Consoles the way the test needs them, kept for it in a 0600 file
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ask ZStack for each console
      zstack.cloud.zstack_console_access:
        vm_instance_name: "{{ item.vm }}"
        novnc_url: "{{ item.novnc_url | default(omit) }}"
        console_proxy_tls: "{{ item.tls | default(omit) }}"
      loop: "{{ e2e_requests }}"
      register: e2e_consoles
      no_log: true

    - name: Write the entries where the test reads them
      ansible.builtin.copy:
        content: "{{ e2e_consoles.results | map(attribute='zstack_console') | list | to_json }}"
        dest: "{{ e2e_result_file }}"
        mode: "0600"
      no_log: true
'''


@pytest.fixture(autouse=True)
def _time_limit():
    with time_limit(200):
        yield


@pytest.fixture(scope='module')
def tls_stack():
    """Xvnc, the proxy with a certificate, the https page server and the simulator; yields a dict."""
    require(proxy_prerequisites_missing() + (['ansible-playbook'] if not playbook_command() else []))
    workdir = Path(tempfile.mkdtemp(prefix='zstack-e2e-tls-'))
    stack = Stack(workdir)
    try:
        rfb_port = start_checkerboard_xvnc(stack)
        cert, key = make_certificate(workdir, 'proxy', (PROXY_HOST, PAGES_HOST))
        token_dir = workdir / 'tokens'
        token_dir.mkdir(mode=0o700)
        # The console proxy as ZStack's agent runs it with a certificate: --cert, no --ssl-only, no --web.
        proxy_port = free_port()
        proxy, proxy_log = stack.start('proxy', [
            sys.executable, '-m', 'websockify', '--token-plugin', 'TokenFile', '--token-source', str(token_dir),
            '--cert', str(cert), '--key', str(key), '127.0.0.1:%d' % proxy_port])
        wait_for('the console proxy', lambda: tcp_open(proxy_port), process=proxy, log=proxy_log)
        # The pages, over https only: Debian's noVNC under /novnc/, ZStack's vnc_auto.html under /thirdparty/.
        web_root = workdir / 'web'
        web_root.mkdir()
        (web_root / 'novnc').symlink_to(NOVNC_DIR, target_is_directory=True)
        shutil.copytree(ZSTACK_PAGE_DIR, web_root / 'thirdparty')
        empty_tokens = workdir / 'no-tokens'
        empty_tokens.mkdir(mode=0o700)
        page_port = free_port()
        pages, pages_log = stack.start('pages', [
            sys.executable, '-m', 'websockify', '--web', str(web_root), '--cert', str(cert), '--key', str(key),
            '--ssl-only', '--token-plugin', 'TokenFile', '--token-source', str(empty_tokens),
            '127.0.0.1:%d' % page_port])
        wait_for('the https page server', lambda: tcp_open(page_port), process=pages, log=pages_log)
        api_port = start_simulator_on(stack, '127.0.0.1', token_dir, proxy_port)
        uuids = point_vms_of('127.0.0.1', api_port, rfb_port, VM_NAMES)
        sim_request(api_port, 'POST', '/_sim/config', {'console_hostname': PROXY_HOST})  # consoleProxyOverriddenIp
        yield {'workdir': workdir, 'stack': stack, 'token_dir': token_dir, 'proxy_port': proxy_port,
               'proxy_log': proxy_log, 'page_base': 'https://%s:%d' % (PAGES_HOST, page_port), 'pages_log': pages_log,
               'api_port': api_port, 'uuids': uuids}
    finally:
        stack.stop()
        if os.environ.get('ZSTACK_E2E_KEEP') != '1':
            shutil.rmtree(workdir, ignore_errors=True)


def launch_resolving_chromium(playwright):
    """Headless Chromium as e2e_stack starts it, with PROXY_HOST and PAGES_HOST resolving to 127.0.0.1."""
    return launch_chromium(playwright, ['--host-resolver-rules=MAP %s 127.0.0.1, MAP %s 127.0.0.1'
                                        % (PROXY_HOST, PAGES_HOST)])


def run_console_access(stack, requests, name):
    """zstack_console_access for each of ``requests`` ({vm, novnc_url?, tls?}) in ansible-playbook; the entries."""
    workdir = stack['workdir'] / name
    workdir.mkdir()
    done, entries = run_console_play(workdir, PLAYBOOK, {'e2e_requests': requests}, '127.0.0.1', stack['api_port'])
    assert len(entries) == len(requests)
    for entry in entries:
        assert entry['scheme'] == 'http'  # what ZStack answers, with a certificate on the proxy or not
        assert entry['token'] not in done.stdout + done.stderr
    return entries


def open_page(browser, url, sockets):
    page = browser.new_page(viewport={'width': 1024, 'height': 768}, ignore_https_errors=True)
    page.set_default_timeout(20000)
    page.on('websocket', lambda ws: sockets.append(ws.url))
    page.goto(url)
    return page


def proxy_connections(stack):
    """The connections the proxy took, as websockify logs them ("SSL/TLS (wss://)" or "Plain non-SSL (ws://)")."""
    return [line for line in log_text(stack['proxy_log']).splitlines() if 'WebSocket connection' in line]


def test_an_https_novnc_page_gets_encrypt_1_and_connects_through_wss(tls_stack):
    from playwright.sync_api import sync_playwright

    stack = tls_stack
    page_url = stack['page_base'] + '/novnc/vnc.html'
    [entry] = run_console_access(stack, [{'vm': 'web-01', 'novnc_url': page_url}], 'https-novnc')
    token = entry['token']
    assert entry['websocket_url'] == 'ws://%s:%d/?token=%s' % (PROXY_HOST, stack['proxy_port'], token)  # no option
    parts = urlsplit(entry['console_url'])
    fragment = dict(parse_qsl(parts.fragment))
    assert (parts.scheme, parts.query, fragment['encrypt'], fragment['path']) == ('https', '', '1', '?token=' + token)
    # What the module sent before: encrypt=0, which makes the page open ws:// from https.
    plain = urlunsplit(parts._replace(fragment=parts.fragment.replace('encrypt=1', 'encrypt=0')))
    assert plain != entry['console_url']

    with sync_playwright() as playwright:
        browser = launch_resolving_chromium(playwright)
        try:
            before = len(proxy_connections(stack))
            sockets = []
            page = open_page(browser, plain, sockets)
            try:
                page.wait_for_function("document.body.textContent.includes("
                                       "'An insecure WebSocket connection may not be initiated from a page loaded over HTTPS')")
                page.wait_for_timeout(2000)
                assert page.evaluate(NOVNC['connected']) is False
                assert not shows_screen(page.evaluate(CANVAS_PIXELS_JS, [NOVNC['canvas'], SAMPLE_POINTS]))
            finally:
                shoot(page, 'tls-novnc-encrypt-0-blocked.png')
            assert len(proxy_connections(stack)) == before  # blocked in the browser: nothing reached the proxy
            page.close()

            sockets = []
            page = open_page(browser, entry['console_url'], sockets)
            try:
                page.wait_for_function(NOVNC['connected'])
                sample = wait_for_screen(page, NOVNC['canvas'])
            finally:
                shoot(page, 'tls-novnc-https-page.png')
            assert sockets == ['wss://%s:%d/?token=%s' % (PROXY_HOST, stack['proxy_port'], token)]
            assert len({tuple(p) for p in sample['pixels']}) == 2
            assert 'SSL/TLS (wss://)' in proxy_connections(stack)[-1]
        finally:
            browser.close()
    # The https page's server never saw the token: it stayed in the fragment.
    assert token not in log_text(stack['pages_log'])


def test_zstack_page_over_https_connects_through_wss(tls_stack):
    """ZStack's own page (console_files_novnc_url, the console_launcher_url filter) served over https."""
    from playwright.sync_api import sync_playwright

    stack = tls_stack
    page_url = stack['page_base'] + '/thirdparty/vnc_auto.html'
    [entry] = run_console_access(stack, [{'vm': 'web-02'}], 'https-zstack')
    token = entry['token']
    url = console_url(entry, page_url=page_url)  # what a page launcher opens (zstack_console_files, the filter)
    # Its own default is its protocol (getQueryVar('encrypt', location.protocol === "https:")); it is told so too.
    assert parse_qsl(urlsplit(url).query) == [('host', PROXY_HOST), ('port', str(stack['proxy_port'])),
                                              ('token', token), ('encrypt', '1'), ('title', 'web-02')]

    with sync_playwright() as playwright:
        browser = launch_resolving_chromium(playwright)
        try:
            sockets = []
            page = open_page(browser, url, sockets)
            try:
                page.wait_for_function(ZSTACK['connected'])
                sample = wait_for_screen(page, ZSTACK['canvas'])
            finally:
                shoot(page, 'tls-zstack-https-page.png')
            assert [s for s in sockets if s != PROBE] == ['wss://%s:%d/?token=%s' % (
                PROXY_HOST, stack['proxy_port'], token)]
            assert len({tuple(p) for p in sample['pixels']}) == 2
        finally:
            browser.close()


def test_console_proxy_tls_launcher_connects_through_wss_and_a_plain_one_through_ws(tls_stack):
    from playwright.sync_api import sync_playwright

    stack = tls_stack
    tls_entry, plain_entry = run_console_access(stack, [{'vm': 'web-01', 'tls': True}, {'vm': 'web-02'}], 'launchers')
    port = stack['proxy_port']
    assert tls_entry['websocket_url'] == 'wss://%s:%d/?token=%s' % (PROXY_HOST, port, tls_entry['token'])
    assert plain_entry['websocket_url'] == 'ws://%s:%d/?token=%s' % (PROXY_HOST, port, plain_entry['token'])
    assert '&encrypt=1&' in tls_entry['console_url'] and 'encrypt' not in plain_entry['console_url']

    with sync_playwright() as playwright:
        browser = launch_resolving_chromium(playwright)
        try:
            for entry, scheme, words in ((tls_entry, 'wss', 'SSL/TLS (wss://)'), (plain_entry, 'ws', 'Plain non-SSL (ws://)')):
                launcher = write_launcher(stack['workdir'], '%s.html' % entry['vm_instance_name'], entry)
                sockets = []
                page = open_page(browser, launcher.as_uri(), sockets)
                try:
                    page.wait_for_selector('html[data-state="connected"]', state='attached')
                    sample = wait_for_screen(page, LAUNCHER_CANVAS)
                finally:
                    shoot(page, 'tls-launcher-%s.png' % scheme)
                assert sockets == ['%s://%s:%d/?token=%s' % (scheme, PROXY_HOST, port, entry['token'])]
                assert len({tuple(p) for p in sample['pixels']}) == 2
                assert words in proxy_connections(stack)[-1]  # one port, ws:// and wss:// alike
                page.close()
        finally:
            browser.close()
