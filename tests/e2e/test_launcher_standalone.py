# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end: the self-contained launcher (module_utils/_launcher.py) opens a console from file:// by itself.

Real parts only: Xvnc showing a checkerboard, websockify with a token directory and NO --web (as ZStack's console
proxy runs it: it serves no page at all), Debian's Chromium driven by Playwright. The launcher is rendered from a
console entry made by _console_entry.ConsoleEntry.from_inventory, written to a file and opened as file://. It must reach its
connected state and draw the remote screen; a launcher whose token file is gone (revoked) must say it was refused;
one whose expiry has passed must say so without trying; a session that drops must say "lost", not "refused".
Screenshots: launcher-*.png in ZSTACK_E2E_OUTPUT_DIR (tests/output/e2e).
"""

from __future__ import annotations

import datetime
import secrets
import urllib.error
import urllib.request

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import ConsoleEntry

from e2e_stack import (  # pylint: disable=unused-import
    CANVAS_PIXELS_JS,
    SAMPLE_POINTS,
    launch_chromium,
    log_text,
    proxy_stack,  # noqa: F401  the fixture
    shows_screen,
    start_checkerboard_xvnc,
    start_token_proxy,
    stop_process,
    time_limit,
    wait_for_screen,
    write_token_file,
)
from launcher_page import CANVAS, open_launcher, shoot, state, wait_for_state, write_launcher

VM_UUID = 'f' * 32
# A name that would break out of the page if it were not escaped, in HTML and inside <script>.
VM_NAME = 'web-01 </script><script>window.__pwned=1</script><b>&amp;"\''


@pytest.fixture(autouse=True)
def _time_limit():
    with time_limit(120):
        yield


def iso_utc(delta):
    moment = datetime.datetime.now(datetime.timezone.utc) + delta
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def make_entry(stack, ws_port=None, expires_at=None, scheme='http'):
    """A console entry as zstack_console_access returns it, for a fresh token; (entry, token)."""
    token = '%s_%s' % (secrets.token_hex(16), VM_UUID)
    entry = ConsoleEntry.from_inventory(VM_UUID, VM_NAME, {'hostname': '127.0.0.1', 'port': ws_port or stack['ws_port'],
                                                           'token': token, 'scheme': scheme, 'targetScheme': 'vnc'})
    entry['expires_at'] = expires_at or iso_utc(datetime.timedelta(minutes=30))
    return entry, token


def test_the_proxy_serves_no_page(proxy_stack):  # noqa: F811
    """The console proxy here is websockify without --web: a browser can get no page from it."""
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen('http://127.0.0.1:%d/' % proxy_stack['ws_port'], timeout=5)
    assert caught.value.code == 405


def test_launcher_connects_from_file(proxy_stack):  # noqa: F811
    from playwright.sync_api import sync_playwright

    stack = proxy_stack
    entry, token = make_entry(stack)
    write_token_file(stack['token_dir'], token, stack['rfb_port'])
    launcher = write_launcher(stack['workdir'], 'web-01.html', entry)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, sockets = open_launcher(browser, launcher)
            try:
                wait_for_state(page, 'connected')
                sample = wait_for_screen(page, CANVAS)
            finally:
                shoot(page, 'launcher-connected.png')
            assert page.text_content('#state') == 'Connected'
            assert page.evaluate('window.__states') == ['connecting', 'connected']
            # The name is shown as text, never run; the token is not in the title.
            assert page.text_content('#vm-name') == VM_NAME
            assert page.title() == 'Console of ' + VM_NAME and token not in page.title()
            assert page.evaluate('window.__pwned') is None
            # Expiry: the UTC time as written, and the browser's own rendering of it.
            assert page.get_attribute('#expires', 'datetime') == entry['expires_at']
            assert page.text_content('#expires') == entry['expires_at'].replace('T', ' ').replace('Z', ' UTC')
            assert page.text_content('#expires-local').endswith(' your time)')
            # One WebSocket, straight to the proxy with the token; nothing the CSP had to block.
            assert sockets == ['ws://127.0.0.1:%d/?token=%s' % (stack['ws_port'], token)]
            assert page.evaluate('window.__csp') == []
            # Still connected a moment later (noVNC did not fall over after the first frame).
            page.wait_for_timeout(1000)
            assert state(page) == 'connected'
            assert shows_screen(page.evaluate(CANVAS_PIXELS_JS, [CANVAS, SAMPLE_POINTS]))
            assert len({tuple(p) for p in sample['pixels']}) == 2  # both colours: a picture, not a blank canvas
        finally:
            browser.close()


def test_launcher_connects_over_wss(proxy_stack):  # noqa: F811
    """A proxy with a certificate (scheme https): the launcher connects with wss://, and only there."""
    from playwright.sync_api import sync_playwright

    stack = proxy_stack
    port, _log, _process = start_token_proxy(stack['stack'], stack['token_dir'], name='websockify-tls', tls=True)
    entry, token = make_entry(stack, ws_port=port, scheme='https')
    write_token_file(stack['token_dir'], token, stack['rfb_port'])
    launcher = write_launcher(stack['workdir'], 'tls.html', entry)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # The certificate is self-signed: the browser is told to accept it, as an operator would have to.
            page, sockets = open_launcher(browser, launcher, ignore_https_errors=True)
            try:
                wait_for_state(page, 'connected')
                wait_for_screen(page, CANVAS)
            finally:
                shoot(page, 'launcher-wss.png')
            assert sockets == ['wss://127.0.0.1:%d/?token=%s' % (port, token)]
            assert page.evaluate('window.__csp') == []
        finally:
            browser.close()


def test_revoked_token_is_refused(proxy_stack):  # noqa: F811
    """The token file removed (as ZStack's proxy agent does on revocation): the launcher says it was refused."""
    from playwright.sync_api import sync_playwright

    stack = proxy_stack
    entry, token = make_entry(stack)
    write_token_file(stack['token_dir'], token, stack['rfb_port']).unlink()
    launcher = write_launcher(stack['workdir'], 'revoked.html', entry)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, sockets = open_launcher(browser, launcher)
            try:
                wait_for_state(page, 'refused')
                page.wait_for_timeout(1000)  # and it stays so: no retry loop
            finally:
                shoot(page, 'launcher-revoked.png')
            assert state(page) == 'refused'
            assert page.evaluate('window.__states') == ['connecting', 'refused']
            assert page.text_content('#state') == 'Refused: token revoked or ended, or display unreachable'
            detail = page.text_content('#detail')
            assert 'token was revoked' in detail and 'did not take the connection at all' in detail
            assert page.is_visible('#again') and not page.is_visible('#cad')
            assert sockets == ['ws://127.0.0.1:%d/?token=%s' % (stack['ws_port'], token)]
            assert page.evaluate(CANVAS_PIXELS_JS, [CANVAS, SAMPLE_POINTS]) is None  # nothing drawn
        finally:
            browser.close()
    assert "Token '%s' not found" % token in log_text(stack['websockify_log'])


def test_expired_launcher_does_not_try(proxy_stack):  # noqa: F811
    """Past its expiry the launcher says so and opens no connection, though the token file is still there."""
    from playwright.sync_api import sync_playwright

    stack = proxy_stack
    entry, token = make_entry(stack, expires_at=iso_utc(-datetime.timedelta(minutes=5)))
    write_token_file(stack['token_dir'], token, stack['rfb_port'])
    launcher = write_launcher(stack['workdir'], 'expired.html', entry)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, sockets = open_launcher(browser, launcher)
            try:
                wait_for_state(page, 'expired')
                page.wait_for_timeout(1000)
            finally:
                shoot(page, 'launcher-expired.png')
            assert page.evaluate('window.__states') == ['expired']
            assert page.text_content('#state') == 'Expired'
            detail = page.text_content('#detail')
            assert 'expired at %s' % entry['expires_at'].replace('T', ' ').replace('Z', ' UTC') in detail
            assert 'your time' in detail and 'ask for a new one' in detail
            assert sockets == [], 'an expired launcher opened a connection'
            assert not page.is_visible('#again')
        finally:
            browser.close()
    assert token not in log_text(stack['websockify_log'])


def test_ended_session_is_disconnected_not_refused(proxy_stack):  # noqa: F811
    """A session that was connected and then ended by the proxy says "Disconnected", which is not a refusal."""
    from playwright.sync_api import sync_playwright

    stack = proxy_stack
    # A proxy of its own, so that ending it ends only this test's session.
    port, _log, process = start_token_proxy(stack['stack'], stack['token_dir'], name='websockify-dropped')
    entry, token = make_entry(stack, ws_port=port)
    write_token_file(stack['token_dir'], token, stack['rfb_port'])
    launcher = write_launcher(stack['workdir'], 'dropped.html', entry)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, _sockets = open_launcher(browser, launcher)
            wait_for_state(page, 'connected')
            wait_for_screen(page, CANVAS)
            stop_process(process)
            try:
                wait_for_state(page, 'disconnected')
            finally:
                shoot(page, 'launcher-disconnected.png')
            assert page.evaluate('window.__states') == ['connecting', 'connected', 'disconnected']
            assert page.text_content('#state') == 'Disconnected'
            assert 'closed the connection' in page.text_content('#detail')
            # Connect again: the proxy is gone now, so this time nothing is connected at all.
            page.click('#again')
            wait_for_state(page, 'refused')
            assert page.evaluate('window.__states') == ['connecting', 'connected', 'disconnected', 'connecting',
                                                        'refused']
            assert 'cannot be reached' in page.text_content('#detail')
        finally:
            browser.close()


@pytest.mark.parametrize('typed, outcome', [('s3cret!', 'connected'), ('wrong', 'error')])
def test_console_password_is_asked_for(proxy_stack, typed, outcome):  # noqa: F811
    """A VM with a console password (ZStack's APISetVmConsolePasswordMsg): the launcher asks for it."""
    from playwright.sync_api import sync_playwright

    stack = proxy_stack
    if 'locked_rfb_port' not in stack:
        stack['locked_rfb_port'] = start_checkerboard_xvnc(stack['stack'], name='xvnc-password', password='s3cret!')
    entry, token = make_entry(stack)
    write_token_file(stack['token_dir'], token, stack['locked_rfb_port'])
    launcher = write_launcher(stack['workdir'], 'password-%s.html' % outcome, entry)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page, _sockets = open_launcher(browser, launcher)
            wait_for_state(page, 'password')
            assert page.text_content('#state') == 'Password required' and page.is_visible('#password')
            page.fill('#password', typed)
            page.press('#password', 'Enter')
            try:
                wait_for_state(page, outcome)
                if outcome == 'connected':
                    wait_for_screen(page, CANVAS)
            finally:
                shoot(page, 'launcher-password-%s.png' % outcome)
            assert page.evaluate('window.__states') == ['connecting', 'password', 'connecting', outcome]
            assert page.input_value('#password') == '' and not page.is_visible('#password')
            if outcome == 'error':
                assert page.text_content('#state') == 'Login refused'
                assert page.is_visible('#again')
            assert page.evaluate('window.__csp') == []
        finally:
            browser.close()
