# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end: the launcher the console_files role writes opens a live console in a real browser.

The simulator hands out a token; websockify resolves it through its token directory (as ZStack's console proxy
does) to Xvnc; Debian's noVNC, served by that websockify, is the page the launcher opens; headless Chromium
(Debian's, driven by Playwright) must reach noVNC's connected state and draw the remote screen. Screenshots go to
tests/output/e2e/. See README.md beside this file.
"""

from __future__ import annotations

import json
import stat

import pytest

from e2e_stack import CHROMIUM, OUTPUT_DIR, SCREEN_SIZE, VM_NAME, run_role, screen_colour

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
