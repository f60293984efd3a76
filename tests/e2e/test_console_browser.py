# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end: the launcher the console_files role writes opens a live console in a real browser.

The simulator hands out a token; websockify resolves it through its token directory (as ZStack's console proxy
does) to Xvnc; Debian's noVNC, served by that websockify, is the page the launcher opens; headless Chromium
(Debian's, driven by Playwright) must reach noVNC's connected state and draw the remote screen. Screenshots go to
tests/output/e2e/. After revocation (console_files_state: absent) the same launcher must no longer connect, while
one whose token embeds a caller's own session still does. See README.md beside this file.
"""

from __future__ import annotations

import json
import stat

import pytest

from e2e_stack import (
    CHROMIUM,
    OUTPUT_DIR,
    SCREEN_SIZE,
    VM2_NAME,
    VM_NAME,
    api,
    login,
    reset_simulator,
    run_role,
    screen_colour,
    session_valid,
    simulator_state,
)

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

# How each noVNC page shows that it is connected, and where it draws.
PAGES = {
    'vnc.html': {
        'connected': "document.documentElement.classList.contains('noVNC_connected')",
        'canvas': '#noVNC_container canvas',
        'screenshot': 'console.png',
    },
    'vnc_lite.html': {
        'connected': "document.getElementById('status').textContent.startsWith('Connected')",
        'canvas': '#screen canvas',
        'screenshot': 'console-vnc_lite.png',
    },
}

# Points of the remote screen to compare: the middle of checkerboard squares of both colours, all over it.
POINTS = [(x, y) for x in range(25, SCREEN_SIZE[0], 150) for y in range(25, SCREEN_SIZE[1], 50)]

# noVNC draws the remote framebuffer 1:1 into its canvas's backing store (scaling is CSS only), so canvas pixel
# (x, y) is remote pixel (x, y). True once every point has the remote screen's colour.
SCREEN_DRAWN_JS = '''([selector, points, expected]) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width) { return false; }
  const ctx = canvas.getContext('2d');
  return points.every(([x, y], i) => {
    const d = ctx.getImageData(x, y, 1, 1).data;
    return Math.abs(d[0] - expected[i][0]) + Math.abs(d[1] - expected[i][1]) + Math.abs(d[2] - expected[i][2]) < 12;
  });
}'''

PIXELS_JS = '''([selector, points]) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width) { return null; }
  const ctx = canvas.getContext('2d');
  return {width: canvas.width, height: canvas.height,
          pixels: points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)))};
}'''


def _files(stack):
    dest = stack['home'] / 'zstack-consoles'
    return dest, json.loads((dest / ('%s.json' % VM_NAME)).read_text())


@pytest.mark.parametrize('page', sorted(PAGES))
def test_launcher_opens_live_console(console_stack, page):
    stack = console_stack
    novnc_url = 'http://127.0.0.1:%d/%s' % (stack['ws_port'], page)
    result = run_role(stack, {
        'console_files_operators': [{'name': stack['operator'], 'vms': [VM_NAME]}],
        'console_files_novnc_url': novnc_url,
    })
    assert result.returncode == 0, 'ansible-playbook failed:\n%s\n%s' % (result.stdout[-6000:], result.stderr[-3000:])

    dest, document = _files(stack)
    token = document['token']
    assert token and token.endswith('_' + stack['vm_uuid'])
    assert token not in result.stdout and token not in result.stderr, 'the token was printed by ansible-playbook'
    assert (stack['token_dir'] / token).read_text().strip() == '%s: 127.0.0.1:%d' % (token, stack['rfb_port'])
    assert document['expires_at_source'] == 'server' and document['expires_at'].endswith('Z')
    assert document['session_owned'] is True
    assert document['launcher_url'].startswith(novnc_url + '#'), 'noVNC parameters belong in the fragment'

    launcher = dest / ('%s.html' % VM_NAME)
    info = launcher.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600 and stat.S_IMODE(dest.stat().st_mode) == 0o700
    assert info.st_uid == dest.stat().st_uid == stack['home'].stat().st_uid

    from playwright.sync_api import sync_playwright

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT_DIR / PAGES[page]['screenshot']
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page_ = browser.new_page(viewport={'width': 1024, 'height': 768})
            messages = []
            page_.on('console', lambda message: messages.append('%s: %s' % (message.type, message.text)))
            if page == 'vnc.html':
                # As an operator would: the index page, then the VM's link on it.
                page_.goto((dest / 'index.html').as_uri())
                page_.click('a[href="%s.html"]' % VM_NAME)
            else:
                page_.goto(launcher.as_uri())
            # The launcher replaces itself with noVNC; the parameters must have stayed in the fragment.
            page_.wait_for_url(lambda url: url.startswith(novnc_url + '#'), timeout=15000)
            try:
                page_.wait_for_function(PAGES[page]['connected'], timeout=20000)
                expected = [list(screen_colour(x, y)) for x, y in POINTS]
                page_.wait_for_function(SCREEN_DRAWN_JS, arg=[PAGES[page]['canvas'], POINTS, expected], timeout=20000)
            finally:
                page_.screenshot(path=str(shot))
            sample = page_.evaluate(PIXELS_JS, [PAGES[page]['canvas'], POINTS])
        finally:
            browser.close()

    assert (sample['width'], sample['height']) == SCREEN_SIZE, sample
    for (x, y), pixel in zip(POINTS, sample['pixels']):
        assert sum(abs(a - b) for a, b in zip(pixel, screen_colour(x, y))) < 12, ((x, y), pixel, messages)
    assert len(set(tuple(p) for p in sample['pixels'])) == 2  # both colours: a picture, not a blank canvas
    assert shot.stat().st_size > 1000

    # The page's web server never saw the token: it came in the fragment.
    with open(stack['websockify_log'], encoding='utf-8', errors='replace') as handle:
        page_requests = [line for line in handle if 'GET /%s' % page in line]
    assert all(token not in line for line in page_requests)


def test_expired_launcher_stays(console_stack):
    """Past its expiry the launcher says so and does not send the browser on."""
    stack = console_stack
    result = run_role(stack, {'console_files_operators': [{'name': stack['operator'], 'vms': [VM_NAME]}],
                              'console_files_novnc_url': 'http://127.0.0.1:%d/vnc.html' % stack['ws_port']})
    assert result.returncode == 0, result.stdout[-4000:]
    dest, document = _files(stack)
    html = (dest / ('%s.html' % VM_NAME)).read_text(encoding='utf-8')
    stale = stack['workdir'] / 'expired.html'
    stale.write_text(html.replace('datetime="%s"' % document['expires_at'], 'datetime="2000-01-01T00:00:00Z"'),
                     encoding='utf-8')

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(stale.as_uri())
            page.wait_for_selector('#expired', state='visible', timeout=10000)
            page.wait_for_timeout(500)
            assert page.url == stale.as_uri()
            assert page.get_attribute('#console', 'href') == document['launcher_url']
        finally:
            browser.close()


def test_check_mode_and_absent(console_stack):
    """Check mode writes nothing and creates no console; state=absent removes what the role wrote."""
    stack = console_stack
    operators = [{'name': stack['operator'], 'vms': [VM_NAME]}]
    dest = stack['home'] / 'zstack-consoles'
    before = {p.name: p.read_bytes() for p in dest.iterdir()} if dest.exists() else {}
    result = run_role(stack, {'console_files_operators': operators}, check=True)
    assert result.returncode == 0, result.stdout[-4000:]
    after = {p.name: p.read_bytes() for p in dest.iterdir()} if dest.exists() else {}
    assert after == before

    result = run_role(stack, {'console_files_operators': operators, 'console_files_state': 'absent'})
    assert result.returncode == 0, result.stdout[-4000:]
    assert not dest.exists()


# noVNC 1.3's vnc.html when the WebSocket to the console proxy closes before the VNC handshake (websockify refuses
# an unknown token during the WebSocket handshake): in its disconnected state (none of the other states' classes on
# <html>), the connect panel back, and the error "Failed to connect to server" in its status bar.
FAILED_JS = """() => {
  const states = ['noVNC_connecting', 'noVNC_connected', 'noVNC_disconnecting', 'noVNC_reconnecting'];
  const status = document.getElementById('noVNC_status');
  return !states.some((state) => document.documentElement.classList.contains(state))
    && status.classList.contains('noVNC_status_error') && status.textContent.includes('Failed to connect to server');
}"""
# Runs in every document of the page: notes whether noVNC ever reached its connected state.
WATCH_CONNECTED_JS = """(() => {
  const note = () => { if (document.documentElement.classList.contains('noVNC_connected')) { window.__everConnected = true; } };
  new MutationObserver(note).observe(document.documentElement, {attributes: true, attributeFilter: ['class']});
})();"""


def _open_live(browser, launcher, novnc_url, shot=None):
    """A page that opened ``launcher`` and shows the remote screen; fails if it does not within 20 s."""
    page = browser.new_page(viewport={'width': 1024, 'height': 768})
    page.goto(launcher.as_uri())
    page.wait_for_url(lambda url: url.startswith(novnc_url + '#'), timeout=15000)
    try:
        page.wait_for_function(PAGES['vnc.html']['connected'], timeout=20000)
        expected = [list(screen_colour(x, y)) for x, y in POINTS]
        page.wait_for_function(SCREEN_DRAWN_JS, arg=[PAGES['vnc.html']['canvas'], POINTS, expected], timeout=20000)
    finally:
        if shot:
            page.screenshot(path=str(OUTPUT_DIR / shot))
    return page


def test_revocation_ends_the_roles_own_sessions_only(console_stack):
    """A launcher works before revocation and not after it; a caller's own session survives the default revocation.

    The first operator's console comes from the role's own login (session_owned); the second operator's from a
    caller's session given to the role (console_files_session_uuid). Copies of both launchers are kept, as copies
    of a token may be kept anywhere. console_files_state: absent with the default console_files_revoke ends the
    role's session only: the copy of the first launcher no longer connects, the copy of the second still does.
    """
    stack = console_stack
    reset_simulator(stack)  # no console, session or token file left by the tests before
    novnc_url = 'http://127.0.0.1:%d/vnc.html' % stack['ws_port']
    first, second = stack['operator'], stack['operator2']
    caller = login(stack)  # as zstack_session state=present would
    try:
        result = run_role(stack, {'console_files_operators': [{'name': first, 'vms': [VM_NAME]}],
                                  'console_files_novnc_url': novnc_url})
        assert result.returncode == 0, result.stdout[-4000:]
        result = run_role(stack, {'console_files_operators': [{'name': second, 'vms': [VM2_NAME]}],
                                  'console_files_novnc_url': novnc_url, 'console_files_session_uuid': caller})
        assert result.returncode == 0, result.stdout[-4000:]

        dest1, dest2 = stack['home'] / 'zstack-consoles', stack['home2'] / 'zstack-consoles'
        doc1 = json.loads((dest1 / ('%s.json' % VM_NAME)).read_text())
        doc2 = json.loads((dest2 / ('%s.json' % VM2_NAME)).read_text())
        own = doc1['token'].split('_', 1)[0]
        assert doc1['session_owned'] is True and own != caller
        assert doc2['session_owned'] is False and doc2['token'] == '%s_%s' % (caller, stack['vm2_uuid'])
        copies = {}
        for name, launcher in (('first', dest1 / ('%s.html' % VM_NAME)), ('second', dest2 / ('%s.html' % VM2_NAME))):
            copies[name] = stack['workdir'] / ('copy-of-%s.html' % name)
            copies[name].write_bytes(launcher.read_bytes())

        from playwright.sync_api import sync_playwright

        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                # Before: the first launcher connects; this console stays open through the revocation.
                open_before = _open_live(browser, copies['first'], novnc_url)
                logouts = simulator_state(stack)['counters']['logouts']

                result = run_role(stack, {'console_files_operators': [{'name': first}, {'name': second}],
                                          'console_files_state': 'absent'})
                assert result.returncode == 0, result.stdout[-4000:]
                output = result.stdout + result.stderr
                assert 'Ended 1 API session(s) behind the tokens' in output
                assert 'kept 1 session(s) the role did not open' in output
                for secret in (own, caller, doc1['token'], doc2['token']):
                    assert secret not in output, 'a session or token was printed by ansible-playbook'
                assert not dest1.exists() and not dest2.exists(), 'the files were not removed'

                # The server side: the role's session ended (once), its console and token file gone; the caller's
                # session, console and token file untouched.
                state = simulator_state(stack)
                assert state['counters']['logouts'] == logouts + 1
                assert not session_valid(stack, own) and session_valid(stack, caller)
                assert [c['token'] for c in state['consoles']] == [doc2['token']]
                assert not (stack['token_dir'] / doc1['token']).exists()
                assert (stack['token_dir'] / doc2['token']).exists()

                # After: the copy of the first launcher no longer connects - noVNC fails, draws nothing.
                page = browser.new_page(viewport={'width': 1024, 'height': 768})
                page.add_init_script(WATCH_CONNECTED_JS)
                page.goto(copies['first'].as_uri())
                page.wait_for_url(lambda url: url.startswith(novnc_url + '#'), timeout=15000)
                try:
                    page.wait_for_function(FAILED_JS, timeout=20000)
                    page.wait_for_timeout(1000)  # and it stays so (reconnect=false)
                finally:
                    page.screenshot(path=str(OUTPUT_DIR / 'console-revoked.png'))
                assert page.evaluate('window.__everConnected === true') is False
                assert page.evaluate(FAILED_JS)
                sample = page.evaluate(PIXELS_JS, [PAGES['vnc.html']['canvas'], POINTS])
                expected = [list(screen_colour(x, y)) for x, y in POINTS]
                assert sample is None or sample['pixels'] != expected, 'the revoked console drew the remote screen'
                with open(stack['websockify_log'], encoding='utf-8', errors='replace') as handle:
                    assert any('not found' in line for line in handle), 'websockify did not refuse the revoked token'

                # The second operator's launcher, whose token embeds the caller's session, still connects.
                _open_live(browser, copies['second'], novnc_url, shot='console-caller-session.png')

                # What revocation does not reach here: the console opened before it is still connected. The
                # simulator, like ZStack's agent, removes the token file; websockify reads token files only when a
                # connection opens. (ZStack's agent also kills the proxy processes connected to the VM.)
                assert open_before.evaluate(PAGES['vnc.html']['connected'])
            finally:
                browser.close()
    finally:
        api(stack, 'DELETE', 'accounts/sessions/%s' % caller)
