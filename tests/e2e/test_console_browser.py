# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end: the launchers the console_files role writes open a live console in a real browser.

The simulator hands out tokens and writes websockify token files; the console proxy is websockify with that token
directory and NO --web, as ZStack runs it (it serves no page); Debian's Chromium (Playwright) opens what the role
wrote. The role's default, self-contained launcher must connect from file:// by itself; page launchers must connect
through Debian's noVNC (vnc.html, vnc_lite.html, served by another websockify with --web) and through ZStack's own
vendored vnc_auto.html (zstack_dashboard/, served by a local HTTP server). Links an operator planted are replaced,
their targets untouched; an operator who cannot be become (nologin shell, no sudo) gets their files; after
revocation (console_files_state: absent) a launcher of the role's own session no longer connects, one of a
caller's session still does. Screenshots go to tests/output/e2e/. See README.md beside this file.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from e2e_stack import (
    CANVAS_PIXELS_JS,
    OUTPUT_DIR,
    SAMPLE_POINTS,
    TARGET_PYTHON,
    VM2_NAME,
    VM_NAME,
    Stack,
    api,
    free_port,
    http_ok,
    launch_chromium,
    log_text,
    login,
    reset_simulator,
    run_role,
    session_valid,
    shows_screen,
    sim_request,
    simulator_state,
    start_token_proxy,
    time_limit,
    wait_for,
    wait_for_screen,
)

ZSTACK_PAGE_DIR = Path(__file__).resolve().parent / 'zstack_dashboard'
TOKEN_RE = re.compile(r'[0-9a-f]{32}_[0-9a-f]{32}')

# How each page shows that it is connected, and where it draws.
PAGES = {
    'vnc.html': {'connected': "document.documentElement.classList.contains('noVNC_connected')",
                 'canvas': '#noVNC_container canvas', 'screenshot': 'console.png'},
    'vnc_lite.html': {'connected': "document.getElementById('status').textContent.startsWith('Connected')",
                      'canvas': '#screen canvas', 'screenshot': 'console-vnc_lite.png'},
    'vnc_auto.html': {'connected': "document.getElementById('noVNC_status').textContent.includes('Connected (')",
                      'canvas': '#noVNC_canvas', 'screenshot': 'console-zstack-vnc_auto.png'},
}
LAUNCHER_CANVAS = '#screen canvas'  # the self-contained launcher's


@pytest.fixture(autouse=True)
def _time_limit():
    with time_limit(240, 'the browser test'):
        yield


@pytest.fixture(scope='module')
def role_stack(console_stack):
    """console_stack, with the console proxy the simulator hands out replaced by websockify WITHOUT --web.

    The websockify of console_stack (with --web) then only serves Debian's noVNC pages; a launcher's WebSocket goes
    to the proxy that serves no page, as on a real ZStack node. Also: a page server for ZStack's vnc_auto.html.
    """
    stack = dict(console_stack)
    parts = Stack(stack['workdir'])
    try:
        port, log, _process = start_token_proxy(parts, stack['token_dir'], name='console-proxy')
        page_port = free_port()
        process, page_log = parts.start('zstack-page-server', [
            sys.executable, '-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', str(ZSTACK_PAGE_DIR),
            str(page_port)])
        zstack_page = 'http://127.0.0.1:%d/vnc_auto.html' % page_port
        wait_for('the page server', lambda: http_ok(zstack_page), process=process, log=page_log)
        stack.update(proxy_port=port, proxy_log=log, zstack_page=zstack_page, page_log=page_log,
                     page_port=stack['ws_port'])
        point_at_proxy(stack)
        yield stack
    finally:
        parts.stop()


def point_at_proxy(stack):
    """Consoles from the simulator name the proxy without --web (again after a reset, which restores the config)."""
    sim_request(stack['api_port'], 'POST', '/_sim/config', {'console_port': stack['proxy_port']})


def role_ok(result):
    assert result.returncode == 0, 'ansible-playbook failed:\n%s\n%s' % (result.stdout[-6000:], result.stderr[-3000:])
    output = result.stdout + result.stderr
    assert not TOKEN_RE.search(output), 'a console token in the playbook output'
    return output


def clear(stack):
    """No console directory for either operator: the role creates them (and so removes them with state=absent)."""
    for home in (stack['home'], stack['home2']):
        shutil.rmtree(home / 'zstack-consoles', ignore_errors=True)


def documents(dest):
    return {p.name: json.loads(p.read_text()) for p in dest.glob('*.json') if not p.name.startswith('.')}


def shoot(page, name):
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / name))
    assert (OUTPUT_DIR / name).stat().st_size > 1000


def open_launcher(browser, path):
    page = browser.new_page(viewport={'width': 1024, 'height': 768})
    page.set_default_timeout(20000)
    sockets = []
    page.on('websocket', lambda ws: sockets.append(ws.url))
    page.goto(path.as_uri())
    return page, sockets


def launcher_state(page, wanted):
    # A selector: the launcher's Content-Security-Policy forbids the eval a JS predicate would need.
    page.wait_for_selector('html[data-state="%s"]' % wanted, state='attached')


# ------------------------------------------------------------------ the default launcher

def test_default_launcher_connects_from_file_to_a_proxy_without_web(role_stack):
    stack = role_stack
    with pytest.raises(urllib.error.HTTPError) as no_page:  # the proxy serves no web page at all
        urllib.request.urlopen('http://127.0.0.1:%d/' % stack['proxy_port'], timeout=5)
    assert no_page.value.code == 405
    output = role_ok(run_role(stack, {'console_files_operators': [{'name': stack['operator'], 'vms': [VM_NAME]}]}))
    assert '1 console(s) in %s/zstack-consoles/index.html' % stack['home'] in output

    dest = stack['home'] / 'zstack-consoles'
    document = documents(dest)['%s.json' % VM_NAME]
    token = document['token']
    assert document['launcher'] == '%s.html' % VM_NAME and document['launcher_url'] is None
    assert document['expires_at_source'] == 'server' and document['expires_at'].endswith('Z')
    assert document['websocket_url'] == 'ws://127.0.0.1:%d/?token=%s' % (stack['proxy_port'], token)
    for path in [dest] + list(dest.iterdir()):
        info = path.lstat()
        assert info.st_uid == stack['home'].stat().st_uid
        # The directory and the bridge script zstack-console 0700, every other file 0600.
        assert stat.S_IMODE(info.st_mode) == (0o700 if path == dest or path.name == 'zstack-console' else 0o600)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # As an operator would: the index page from file://, then the VM's link on it.
            page, sockets = open_launcher(browser, dest / 'index.html')
            page.click('a[href="%s.html"]' % VM_NAME)
            try:
                launcher_state(page, 'connected')
                sample = wait_for_screen(page, LAUNCHER_CANVAS)
            finally:
                shoot(page, 'console-default-launcher.png')
            assert page.url == (dest / ('%s.html' % VM_NAME)).as_uri()
            assert page.text_content('#vm-name') == VM_NAME
            assert page.get_attribute('#expires', 'datetime') == document['expires_at']
            assert sockets == [document['websocket_url']]  # one WebSocket, straight to the proxy
            assert len({tuple(p) for p in sample['pixels']}) == 2
        finally:
            browser.close()
    assert 'GET /%s.html' % VM_NAME not in log_text(stack['websockify_log'])  # no page came from a server


def test_planted_links_are_replaced_and_their_targets_untouched(role_stack):
    """The operator replaces the role's files with links to root's files; the next run replaces the links."""
    stack = role_stack
    operators = [{'name': stack['operator'], 'vms': [VM_NAME]}]
    role_ok(run_role(stack, {'console_files_operators': operators}))
    dest = stack['home'] / 'zstack-consoles'
    uid = stack['home'].stat().st_uid
    # Root's files the operator must never reach: a hard link needs the same file system, so one is in the home.
    targets = {'symlink': stack['workdir'] / 'root-secret', 'hardlink': stack['home'] / 'root-secret'}
    for target in targets.values():
        target.write_text('root only\n')
        os.chmod(target, 0o600)
    planted = {'%s.html' % VM_NAME: ('symlink', targets['symlink']), 'index.html': ('symlink', Path('/etc/shadow')),
               '%s.json' % VM_NAME: ('hardlink', targets['hardlink']),
               '.zstack-console-files.json': ('hardlink', targets['hardlink'])}
    for name, (kind, target) in planted.items():
        (dest / name).unlink()
        if kind == 'symlink':
            (dest / name).symlink_to(target)
        else:
            os.link(target, dest / name)
    before = {path: (path.read_bytes(), path.stat()) for path in list(targets.values()) + [Path('/etc/shadow')]}

    role_ok(run_role(stack, {'console_files_operators': operators}))

    for path, (content, info) in before.items():
        after = path.stat()
        assert path.read_bytes() == content, '%s was written through' % path
        assert (after.st_uid, after.st_gid, after.st_mode, after.st_mtime_ns) == \
            (info.st_uid, info.st_gid, info.st_mode, info.st_mtime_ns), path
        assert after.st_nlink == 1, '%s is still linked from the operator directory' % path
    for name in planted:
        info = (dest / name).lstat()
        assert stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == uid, name
        assert stat.S_IMODE(info.st_mode) == 0o600, name
    assert documents(dest)['%s.json' % VM_NAME]['vm_instance_name'] == VM_NAME
    for target in targets.values():
        target.unlink()


def test_role_works_where_the_operator_cannot_be_become(role_stack):
    """A service-account operator with a nologin shell, on a host without sudo: nothing becomes the operator."""
    stack = role_stack
    # No sudo and no setfacl, whatever this host has: shims first on PATH fail and note every call.
    shims = stack['workdir'] / 'no-sudo-bin'
    shims.mkdir(exist_ok=True)
    shim_log = stack['workdir'] / 'shims.log'
    for tool in ('sudo', 'setfacl'):
        (shims / tool).write_text('#!/bin/sh\nprintf "%s %%s\\n" "$*" >> %s\nexit 1\n' % (tool, shim_log))
        (shims / tool).chmod(0o755)
    operator = 'ze2e-svc-%d' % os.getpid()
    subprocess.run(['useradd', '--create-home', '--shell', '/usr/sbin/nologin', operator], check=True, timeout=60)
    try:
        home = Path(pwd.getpwnam(operator).pw_dir)
        # Every become goes through this wrapper of su, which notes whom it becomes.
        become_log = stack['workdir'] / 'become.log'
        wrapper = stack['workdir'] / 'su-wrapper'
        wrapper.write_text('#!/bin/sh\nprintf "%%s\\n" "$1" >> %s\nexec su "$@"\n' % become_log)
        wrapper.chmod(0o755)
        # The control: becoming this operator - what the role did before - goes through the wrapper, and fails.
        inventory = stack['workdir'] / 'become-inventory.ini'
        inventory.write_text('bastion ansible_connection=local ansible_python_interpreter=%s ansible_become_method=su\n'
                             % TARGET_PYTHON)
        adhoc = subprocess.run(
            [str(Path(sys.executable).parent / 'ansible'), 'bastion', '-i', str(inventory),
             '-m', 'ansible.builtin.command', '-a', 'true', '--become', '--become-user', operator,
             '-e', 'ansible_become_exe=%s' % wrapper], capture_output=True, text=True, timeout=120, check=False,
            env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='False'))
        assert adhoc.returncode != 0, 'becoming the nologin operator worked:\n%s' % adhoc.stdout
        assert become_log.read_text().split() == [operator]
        become_log.unlink()

        extra = {'console_files_operators': [{'name': operator, 'vms': [VM_NAME, VM2_NAME]}],
                 'ansible_become_exe': str(wrapper)}
        output = role_ok(run_role(stack, extra, path_prefix=shims))
        assert '2 console(s) in %s/zstack-consoles/index.html' % home in output
        dest = home / 'zstack-consoles'
        assert sorted(p.name for p in dest.iterdir()) == sorted(
            ['.zstack-console-files.json', 'index.html', '%s.html' % VM_NAME, '%s.json' % VM_NAME,
             '%s.html' % VM2_NAME, '%s.json' % VM2_NAME, 'zstack-console'])
        assert all(p.lstat().st_uid == pwd.getpwnam(operator).pw_uid for p in dest.iterdir())
        role_ok(run_role(stack, dict(extra, console_files_state='absent'), path_prefix=shims))
        assert not dest.exists()
        assert not shim_log.exists(), 'the role called sudo or setfacl: %s' % shim_log.read_text()
        # The play connects as root: becoming root is a no-op Ansible skips, and nothing became the operator.
        becomes = become_log.read_text().split() if become_log.exists() else []
        assert operator not in becomes and set(becomes) <= {'root'}, becomes
    finally:
        subprocess.run(['userdel', '--remove', operator], check=False, timeout=60, capture_output=True)


# ------------------------------------------------------------------ page launchers (console_files_novnc_url)

@pytest.mark.parametrize('page', sorted(PAGES))
def test_page_launchers_connect(role_stack, page):
    stack = role_stack
    if page == 'vnc_auto.html':
        novnc_url = stack['zstack_page']
    else:
        novnc_url = 'http://127.0.0.1:%d/%s' % (stack['page_port'], page)
    role_ok(run_role(stack, {'console_files_operators': [{'name': stack['operator'], 'vms': [VM_NAME]}],
                             'console_files_novnc_url': novnc_url}))
    dest = stack['home'] / 'zstack-consoles'
    document = documents(dest)['%s.json' % VM_NAME]
    token = document['token']
    # Each page gets its parameters where it reads them: ZStack's in the query string, noVNC 1.x in the fragment.
    separator = '?' if page == 'vnc_auto.html' else '#'
    assert document['launcher_url'].startswith(novnc_url + separator)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            tab = browser.new_page(viewport={'width': 1024, 'height': 768})
            tab.goto((dest / ('%s.html' % VM_NAME)).as_uri())  # the launcher replaces itself with the page
            tab.wait_for_url(lambda url: url.startswith(novnc_url + separator), timeout=15000)
            try:
                tab.wait_for_function(PAGES[page]['connected'], timeout=20000)
                sample = wait_for_screen(tab, PAGES[page]['canvas'])
            finally:
                shoot(tab, PAGES[page]['screenshot'])
            assert len({tuple(p) for p in sample['pixels']}) == 2
        finally:
            browser.close()
    if page == 'vnc_auto.html':
        # The trade-off of ZStack's page: the token reaches the log of the web server that served it.
        assert token in log_text(stack['page_log'])
    else:  # noVNC 1.x: the page's web server never saw the token (it stayed in the fragment)
        assert all(token not in line for line in log_text(stack['websockify_log']).splitlines()
                   if 'GET /%s' % page in line)


def test_expired_page_launcher_stays(role_stack):
    """Past its expiry a page launcher says so and does not send the browser on."""
    stack = role_stack
    role_ok(run_role(stack, {'console_files_operators': [{'name': stack['operator'], 'vms': [VM_NAME]}],
                             'console_files_novnc_url': 'http://127.0.0.1:%d/vnc.html' % stack['page_port']}))
    dest = stack['home'] / 'zstack-consoles'
    document = documents(dest)['%s.json' % VM_NAME]
    stale = stack['workdir'] / 'expired.html'
    stale.write_text((dest / ('%s.html' % VM_NAME)).read_text(encoding='utf-8').replace(
        'datetime="%s"' % document['expires_at'], 'datetime="2000-01-01T00:00:00Z"'), encoding='utf-8')

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.goto(stale.as_uri())
            page.wait_for_selector('#expired', state='visible', timeout=10000)
            page.wait_for_timeout(500)
            assert page.url == stale.as_uri()
            assert page.get_attribute('#console', 'href') == document['launcher_url']
        finally:
            browser.close()


def test_check_mode_and_absent(role_stack):
    """Check mode writes nothing and creates no console; state=absent removes what the role wrote."""
    stack = role_stack
    clear(stack)
    operators = [{'name': stack['operator'], 'vms': [VM_NAME]}]
    role_ok(run_role(stack, {'console_files_operators': operators}))
    dest = stack['home'] / 'zstack-consoles'
    before = {p.name: p.read_bytes() for p in dest.iterdir()} if dest.exists() else {}
    consoles = len(simulator_state(stack)['consoles'])
    role_ok(run_role(stack, {'console_files_operators': operators + [{'name': stack['operator2'], 'vms': [VM2_NAME]}]},
                     check=True))
    assert ({p.name: p.read_bytes() for p in dest.iterdir()} if dest.exists() else {}) == before
    assert not (stack['home2'] / 'zstack-consoles').exists()
    assert len(simulator_state(stack)['consoles']) == consoles

    role_ok(run_role(stack, {'console_files_operators': operators, 'console_files_state': 'absent'}))
    assert not dest.exists()


# ------------------------------------------------------------------ revocation

def test_revocation_ends_the_roles_own_sessions_only(role_stack):
    """A launcher works before revocation and not after it; a caller's own session survives the default revocation.

    The first operator's console comes from the role's own login (session_owned); the second operator's from a
    caller's session given to the role (console_files_session_uuid). Copies of both launchers (the default,
    self-contained ones) are kept, as copies of a token may be kept anywhere. console_files_state: absent with the
    default console_files_revoke ends the role's session only: the copy of the first launcher says it was refused,
    the copy of the second still connects.
    """
    stack = role_stack
    reset_simulator(stack)  # no console, session or token file left by the tests before
    point_at_proxy(stack)
    clear(stack)
    first, second = stack['operator'], stack['operator2']
    caller = login(stack)  # as zstack_session state=present would
    try:
        role_ok(run_role(stack, {'console_files_operators': [{'name': first, 'vms': [VM_NAME]}]}))
        role_ok(run_role(stack, {'console_files_operators': [{'name': second, 'vms': [VM2_NAME]}],
                                 'console_files_session_uuid': caller}))
        dest1, dest2 = stack['home'] / 'zstack-consoles', stack['home2'] / 'zstack-consoles'
        doc1, doc2 = documents(dest1)['%s.json' % VM_NAME], documents(dest2)['%s.json' % VM2_NAME]
        own = doc1['token'].split('_', 1)[0]
        assert doc1['session_owned'] is True and own != caller
        assert doc2['session_owned'] is False and doc2['token'] == '%s_%s' % (caller, stack['vm2_uuid'])
        copies = {}
        for name, launcher in (('first', dest1 / ('%s.html' % VM_NAME)), ('second', dest2 / ('%s.html' % VM2_NAME))):
            copies[name] = stack['workdir'] / ('copy-of-%s.html' % name)
            copies[name].write_bytes(launcher.read_bytes())

        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                # Before: the first launcher connects; this console stays open through the revocation.
                open_before, _sockets = open_launcher(browser, copies['first'])
                launcher_state(open_before, 'connected')
                wait_for_screen(open_before, LAUNCHER_CANVAS)
                logouts = simulator_state(stack)['counters']['logouts']

                output = role_ok(run_role(stack, {'console_files_operators': [{'name': first}, {'name': second}],
                                                  'console_files_state': 'absent'}))
                assert 'Ended 1 API session(s) behind the tokens' in output
                assert 'kept 1 session(s) the role did not open' in output
                for secret in (own, caller):
                    assert secret not in output, 'a session was printed by ansible-playbook'
                assert not dest1.exists() and not dest2.exists(), 'the files were not removed'

                # The server side: the role's session ended (once), its console and token file gone; the caller's
                # session, console and token file untouched.
                state = simulator_state(stack)
                assert state['counters']['logouts'] == logouts + 1
                assert not session_valid(stack, own) and session_valid(stack, caller)
                assert [c['token'] for c in state['consoles']] == [doc2['token']]
                assert not (stack['token_dir'] / doc1['token']).exists()
                assert (stack['token_dir'] / doc2['token']).exists()

                # After: the copy of the first launcher is refused by the proxy and says so; nothing is drawn.
                page, _sockets = open_launcher(browser, copies['first'])
                try:
                    launcher_state(page, 'refused')
                    page.wait_for_timeout(1000)  # and it stays so
                finally:
                    shoot(page, 'console-revoked.png')
                assert page.text_content('#state') == 'Refused: token revoked or ended, or display unreachable'
                assert page.evaluate(CANVAS_PIXELS_JS, [LAUNCHER_CANVAS, SAMPLE_POINTS]) is None
                assert "Token '%s' not found" % doc1['token'] in log_text(stack['proxy_log'])

                # The second operator's launcher, whose token embeds the caller's session, still connects.
                page, _sockets = open_launcher(browser, copies['second'])
                try:
                    launcher_state(page, 'connected')
                    wait_for_screen(page, LAUNCHER_CANVAS)
                finally:
                    shoot(page, 'console-caller-session.png')

                # What revocation does not reach here: the console opened before it is still connected. The
                # simulator, like ZStack's agent, removes the token file; websockify reads token files only when a
                # connection opens. (ZStack's agent also kills the proxy processes connected to the VM.)
                assert open_before.get_attribute('html', 'data-state') == 'connected'
                assert shows_screen(open_before.evaluate(CANVAS_PIXELS_JS, [LAUNCHER_CANVAS, SAMPLE_POINTS]))
            finally:
                browser.close()
    finally:
        api(stack, 'DELETE', 'accounts/sessions/%s' % caller)
