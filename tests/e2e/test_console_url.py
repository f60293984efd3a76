# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end from the module to the browser: zstack_console_access's default console_url connects.

Nothing here builds the URL: ansible-playbook runs zstack.cloud.zstack_console_access (the collection from the
tree, account login, a vm_query) against the simulator listening on a loopback address of its own, UI_ADDRESS.
The module's default console_url is ZStack's web-UI page on the management node, the one of the node's version:
for a node before 4.0 (the simulator is told it is ZStack 3.10.38, and the module asks it, GetVersion)
``http://<module host>:5000/thirdparty/vnc_auto.html?host=..&port=..&token=..&title=..`` (docs/zstack-api-notes.md,
"Console pages"; the page of 4.0 and later is closed source and not served here). So ZStack's page, vendored unmodified in
zstack_dashboard/, is served at exactly that place: UI_ADDRESS:5000, under /thirdparty/. The simulator writes a
websockify token file per console into the directory of the proxy (websockify, no --web) in front of Xvnc.

The URLs are taken from the module's facts, written by the playbook to a 0600 file (the output shows no token:
the tasks are no_log, and the run is verbose so that it would show otherwise). Each one is opened in Chromium
and must reach "Connected" and draw the checkerboard.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from e2e_stack import (  # pylint: disable=unused-import
    OUTPUT_DIR,
    http_ok,
    launch_chromium,
    log_text,
    point_vms_of,
    proxy_stack,  # noqa: F401  the fixture
    require_free_tcp_port,
    run_console_play,
    sim_request,
    start_simulator_on,
    time_limit,
    wait_for,
    wait_for_screen,
)

# The management node's address: a loopback address of its own, so that its port 5000 (the web UI's) is free.
UI_ADDRESS = os.environ.get('ZSTACK_E2E_UI_ADDRESS', '127.5.0.1')
UI_PORT = 5000  # _console_urls.ZSTACK_UI_PORT, on purpose not imported: the test states what the module must do
UI_PATH = '/thirdparty/vnc_auto.html'
PAGE_DIR = Path(__file__).resolve().parent / 'zstack_dashboard'
VM_QUERY = 'name~=web-%'
VM_NAMES = ['web-01', 'web-02']  # what the query selects from tests/simulator/seed.json (a Destroyed web-01 is left out)
CANVAS = '#noVNC_canvas'
# A node before 4.0, whose web UI serves vnc_auto.html under /thirdparty/ (the module picks the page by version).
NODE_VERSION = '3.10.38'
PROBE = 'ws://localhost:17523/'  # include/websock.js's probe for binary WebSocket support, not a console connection

PLAYBOOK = '''\
- name: Consoles for the web VMs, kept for the test in a 0600 file
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ask ZStack for the consoles
      zstack.cloud.zstack_console_access:
        vm_query:
          - "{{ e2e_vm_query }}"
      no_log: true

    - name: Write the entries where the test reads them
      ansible.builtin.copy:
        content: "{{ zstack_consoles | to_json }}"
        dest: "{{ e2e_result_file }}"
        mode: "0600"
      no_log: true
'''


@pytest.fixture(autouse=True)
def _time_limit():
    with time_limit(120):
        yield


def set_node_version(api_port, version):
    """Make the simulator at UI_ADDRESS:api_port answer GetVersion (and behave) as ZStack ``version``."""
    reply = sim_request(api_port, 'POST', '/_sim/config', {'zstack_version': version}, host=UI_ADDRESS)
    assert reply['zstack_version'] == version


def serve_zstack_ui(stack):
    """ZStack's console page at http://UI_ADDRESS:5000/thirdparty/vnc_auto.html; returns the request log's path."""
    assert ipaddress.ip_address(UI_ADDRESS) in ipaddress.ip_network('127.0.0.0/8'), UI_ADDRESS
    require_free_tcp_port(UI_ADDRESS, UI_PORT)
    root = stack.workdir / 'zstack-ui'
    shutil.copytree(PAGE_DIR, root / 'thirdparty')
    process, log = stack.start('zstack-ui', [
        sys.executable, '-u', '-m', 'http.server', '--bind', UI_ADDRESS, '--directory', str(root), str(UI_PORT)])
    wait_for('the ZStack UI page server', lambda: http_ok('http://%s:%d%s' % (UI_ADDRESS, UI_PORT, UI_PATH)),
             process=process, log=log)
    return log


def run_console_access(workdir, api_port):
    """ansible-playbook with zstack_console_access from the tree; returns (CompletedProcess, entries)."""
    return run_console_play(workdir, PLAYBOOK, {'e2e_vm_query': VM_QUERY}, UI_ADDRESS, api_port, options=['-v'],
                            timeout=90)


def test_default_console_url_from_the_module_connects(proxy_stack):  # noqa: F811
    from playwright.sync_api import sync_playwright

    stack, workdir = proxy_stack['stack'], proxy_stack['workdir']
    ui_log = serve_zstack_ui(stack)
    api_port = start_simulator_on(stack, UI_ADDRESS, proxy_stack['token_dir'], proxy_stack['ws_port'])
    uuids = point_vms_of(UI_ADDRESS, api_port, proxy_stack['rfb_port'], VM_NAMES)
    set_node_version(api_port, NODE_VERSION)

    done, entries = run_console_access(workdir, api_port)

    # One entry per selected VM, in name order, each URL the default: ZStack's page on the module's host, with
    # host, port, token and title in the query string, where that page reads them (WebUtil.getQueryVar).
    assert [e['vm_instance_name'] for e in entries] == VM_NAMES
    tokens = []
    for entry in entries:
        token = entry['token']
        assert entry['vm_instance_uuid'] == uuids[entry['vm_instance_name']]
        assert (proxy_stack['token_dir'] / token).is_file()  # the simulator's token file, read by websockify
        parts = urlsplit(entry['console_url'])
        assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
            'http', '%s:%d' % (UI_ADDRESS, UI_PORT), UI_PATH, '')
        assert parse_qsl(parts.query, strict_parsing=True) == [
            ('host', '127.0.0.1'), ('port', str(proxy_stack['ws_port'])), ('token', token),
            ('title', entry['vm_instance_name'])]
        tokens.append(token)

    # no_log: the verbose output holds no token, session UUID or URL, and says the results are hidden. A failure
    # shows the output with those secrets replaced, never the secrets themselves.
    output = done.stdout + done.stderr
    hidden = [s for token in tokens for s in (token, token.split('_')[0])]
    leaked = sum(output.count(s) for s in hidden) + output.count(UI_PATH)
    for secret in hidden:
        output = output.replace(secret, '<secret>')
    assert leaked == 0, 'a token, session UUID or console URL is in the playbook output:\n' + output
    assert output.count("the output has been hidden due to the fact that 'no_log: true'") == 2, output

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for entry, token in zip(entries, tokens):
                page = browser.new_page(viewport={'width': 1024, 'height': 768})
                page.set_default_timeout(20000)
                sockets = []
                page.on('websocket', lambda ws, sockets=sockets: sockets.append(ws.url))
                page.goto(entry['console_url'])
                try:
                    page.wait_for_function("document.getElementById('noVNC_status').textContent"
                                           ".includes('Connected (unencrypted) to:')")
                    sample = wait_for_screen(page, CANVAS)
                finally:
                    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(OUTPUT_DIR / ('console-url-%s.png' % entry['vm_instance_name'])))
                assert page.title() == entry['vm_instance_name']
                assert [s for s in sockets if s != PROBE] == [
                    'ws://127.0.0.1:%d/?token=%s' % (proxy_stack['ws_port'], token)]
                assert len({tuple(p) for p in sample['pixels']}) == 2
                page.close()
        finally:
            browser.close()

    # The page and every script it loads came from /thirdparty/ on the management node's port 5000.
    requests = log_text(ui_log)
    for token in tokens:
        assert re.search(r'"GET /thirdparty/vnc_auto\.html\?[^"]*token=%s[^"]*" 200' % re.escape(token), requests)
    for script in ('util', 'webutil', 'base64', 'websock', 'des', 'input', 'display', 'jsunzip', 'rfb'):
        assert '"GET /thirdparty/include/%s.js HTTP/1.1" 200' % script in requests
    missing = [line for line in requests.splitlines() if '" 404 ' in line and 'GET /favicon.ico ' not in line]
    assert not missing, missing
