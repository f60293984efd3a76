# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""End to end: the self-contained launcher opens real VM displays, VNC and SPICE, and tells why when it cannot.

Real parts only (displays.py): QEMU with a VNC display and QEMU with a SPICE display (TCG, no disk: the SeaBIOS
screen), websockify with a token directory and no --web, the ZStack simulator answering ``targetScheme: vnc`` for
both, as open-source ZStack does. The launcher, rendered from the console entry the simulator's answer makes, is
opened from file:// in Chromium; it must find out which protocol each display speaks and draw its screen. A token
revoked (its session logged out) and a display that is down (its QEMU stopped) must each end in the message that
names both causes and what to check, with what the proxy's answer says. Screenshots: launcher-*.png in
ZSTACK_E2E_OUTPUT_DIR (tests/output/e2e).
"""

from __future__ import annotations

import pytest

import displays
from displays import (  # pylint: disable=unused-import
    SPICE_VM,
    VNC_VM,
    console_entry_for,
    display_stack,  # noqa: F401  the fixture
    point_vm,
)
from e2e_stack import launch_chromium, log_text, login, sim_request, stop_process, time_limit
from launcher_page import (
    canvas_stats,
    open_launcher,
    protocol,
    shoot,
    state,
    wait_for_picture,
    wait_for_state,
    write_launcher,
)

# Running VMs of the simulator's seed that no other test of the module asks a console for: ZStack (and the
# simulator) keep one live console per VM, whatever session asks.
SPARE_VMS = {'revoked-01': '7c7208c6159744e597c6474086f04727', 'stopped-01': 'a0d4ebf1259e4272892b996261cc9a21'}
REFUSED = 'Refused: token revoked or ended, or display unreachable'


@pytest.fixture(autouse=True)
def _time_limit():
    with time_limit(120):
        yield


@pytest.fixture(scope='module')
def browser():
    """One headless Chromium for the module; each test opens its own pages and closes them."""
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    playwright = sync_playwright().start()
    try:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def spare_vms(monkeypatch):
    for name, uuid in SPARE_VMS.items():
        monkeypatch.setitem(displays.SEED_VMS, name, uuid)


@pytest.mark.parametrize('vm, speaks', [(VNC_VM, 'vnc'), (SPICE_VM, 'spice')])
def test_the_launcher_draws_the_vms_screen_whatever_target_scheme_says(display_stack, browser, vm, speaks):
    """Both VMs are declared VNC by the server; the launcher finds out which display speaks what and draws it."""
    entry = console_entry_for(display_stack, vm)
    assert entry['target_scheme'] == 'vnc'
    page, sockets = open_launcher(browser, write_launcher(display_stack['workdir'], '%s.html' % vm, entry))
    try:
        try:
            wait_for_state(page, 'connected')
            stats = wait_for_picture(page)
        finally:
            shoot(page, 'launcher-%s-vm.png' % speaks)
        assert protocol(page) == speaks
        assert page.text_content('#protocol') == {'vnc': 'VNC', 'spice': 'SPICE'}[speaks]
        assert page.evaluate('window.__states') == ['connecting', 'connected']
        assert page.text_content('#state') == 'Connected' and page.is_visible('#cad')
        # The SeaBIOS screen in 720x400 text mode: light text on black.
        assert (stats['width'], stats['height']) == (720, 400), stats
        assert page.evaluate('window.__csp') == []
        # Every WebSocket went to the proxy with the token: for VNC the probe's own connection went on to noVNC;
        # for SPICE the probe, then spice-html5's channels (main, display, inputs, cursor...).
        assert set(sockets) == {entry['websocket_url']}
        assert len(sockets) == 1 if speaks == 'vnc' else len(sockets) >= 3
        page.wait_for_timeout(1000)  # still connected a moment later, still drawing
        assert state(page) == 'connected' and canvas_stats(page)['bright'] > 0.001
    finally:
        page.close()


@pytest.mark.parametrize('vm, speaks, sockets_wanted', [(SPICE_VM, 'spice', None), (VNC_VM, 'vnc', 2)])
def test_a_declared_spice_console_goes_to_spice_html5_first(display_stack, browser, vm, speaks, sockets_wanted):
    """target_scheme spice: straight to spice-html5, no probe. Declared so for the VNC VM, spice-html5 fails before
    its link is made, the page asks the far end once more, hears "RFB " and hands that connection to noVNC."""
    entry = dict(console_entry_for(display_stack, vm), target_scheme='spice')
    page, sockets = open_launcher(browser, write_launcher(display_stack['workdir'], '%s-spice.html' % vm, entry))
    try:
        try:
            wait_for_state(page, 'connected')
            wait_for_picture(page)
        finally:
            shoot(page, 'launcher-%s-declared-spice.png' % speaks)
        assert protocol(page) == speaks and page.evaluate('window.__states') == ['connecting', 'connected']
        if sockets_wanted:  # spice-html5's main channel, then the probe that noVNC goes on with
            assert sockets == [entry['websocket_url']] * sockets_wanted
        assert page.evaluate('window.__csp') == []
    finally:
        page.close()


def test_a_revoked_token_names_both_causes_and_what_to_check(display_stack, browser, spare_vms):
    """The session logged out (the simulator removes its consoles' token files, as ZStack's proxy agent does): the
    proxy refuses the token before the WebSocket opens."""
    stack = display_stack
    point_vm(stack['api_port'], 'revoked-01', stack['vnc_port'])  # a live display: only the token is missing
    session = login(stack)
    entry = console_entry_for(stack, 'revoked-01', session_uuid=session)
    sim_request(stack['api_port'], 'DELETE', '/zstack/v1/accounts/sessions/%s' % session)
    page, sockets = open_launcher(browser, write_launcher(stack['workdir'], 'revoked.html', entry))
    try:
        try:
            wait_for_state(page, 'refused')
            page.wait_for_timeout(1000)  # and it stays so: no retry loop
        finally:
            shoot(page, 'launcher-token-revoked.png')
        assert page.evaluate('window.__states') == ['connecting', 'refused']
        assert page.text_content('#state') == REFUSED
        detail = page.text_content('#detail')
        for words in ('token was revoked or has ended', 'cannot reach the VM\'s display',
                      'the VM is stopped, or its host is down',
                      'did not take the connection at all: it refused the token',
                      'Check the VM\'s state in ZStack (it must be Running)', 'ask for a new console'):
            assert words in detail, (words, detail)
        assert page.is_visible('#again') and not page.is_visible('#cad')
        assert sockets == [entry['websocket_url']] and canvas_stats(page) is None
    finally:
        page.close()
    assert "Token '%s' not found" % entry['token'] in log_text(stack['websockify_log'])


def test_a_display_that_is_down_names_both_causes_and_what_the_proxy_said(display_stack, browser, spare_vms):
    """The VM's QEMU stopped after its console was handed out: the proxy takes the token, cannot reach the display
    and closes with 1011."""
    stack = display_stack
    port, qemu = displays.start_qemu_vnc(stack['stack'], 'qemu-stopped')
    point_vm(stack['api_port'], 'stopped-01', port)
    entry = console_entry_for(stack, 'stopped-01')
    stop_process(qemu)  # the VM stops: its display's port is closed, its token file is still there
    page, sockets = open_launcher(browser, write_launcher(stack['workdir'], 'display-down.html', entry))
    try:
        try:
            wait_for_state(page, 'refused')
            page.wait_for_timeout(1000)
        finally:
            shoot(page, 'launcher-display-down.png')
        assert page.evaluate('window.__states') == ['connecting', 'refused']
        assert page.text_content('#state') == REFUSED
        detail = page.text_content('#detail')
        for words in ('token was revoked or has ended', 'cannot reach the VM\'s display',
                      'took the connection, then closed it before the display answered ("Failed to connect to '
                      'downstream server", code 1011): the VM\'s display is the likely cause',
                      'Check the VM\'s state in ZStack (it must be Running)', 'check its host in ZStack'):
            assert words in detail, (words, detail)
        assert sockets == [entry['websocket_url']] and canvas_stats(page) is None
    finally:
        page.close()
    assert 'Failed to connect to 127.0.0.1:%d' % port in log_text(stack['websockify_log'])
