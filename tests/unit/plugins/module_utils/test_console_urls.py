# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _console_urls: each page gets its parameters where it reads them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import (
    console_url,
    default_page_url,
    page_style,
    websocket_url,
    zstack_page_path,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

TOKEN = 'a' * 32 + '_' + 'b' * 32
CONSOLE = {'vm_instance_uuid': 'b' * 32, 'vm_instance_name': 'web 01', 'scheme': 'http',
           'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN}
# The same console behind a proxy with a certificate (console_proxy_tls): ZStack still says http.
TLS_CONSOLE = dict(CONSOLE, websocket_url=websocket_url(CONSOLE, proxy_tls=True))
# A direct console: ConsoleProxyBase.doEstablishDirectConsoleConnection (scheme wss, the token is the path).
DIRECT = {'vm_instance_uuid': 'c' * 32, 'vm_instance_name': 'vmware-01', 'scheme': 'wss', 'target_scheme': 'wss',
          'hostname': 'esx-07.example.test', 'port': 443, 'token': '/ticket/0c5b2d1f'}


def zstack_get_query_var(href, name):
    """WebUtil.getQueryVar of ZStack's vnc_auto.html (zstack-dashboard include/webutil.js): query string only."""
    match = re.search('[?][^#]*' + name + '=([^&#]*)', href)
    return unquote(match.group(1)) if match else None


def test_default_is_zstack_ui_page_on_the_management_node_with_query_parameters():
    url = console_url(CONSOLE, management_host='mn.example.com')
    assert url.startswith('http://mn.example.com:5000/thirdparty/vnc_auto.html?')
    for name, value in (('host', '10.0.0.5'), ('port', '4900'), ('token', TOKEN), ('title', 'web 01')):
        assert zstack_get_query_var(url, name) == value
    assert '#' not in url


def test_default_page_follows_the_api_scheme_and_brackets_ipv6():
    assert default_page_url('fd00::1', 'https') == 'https://[fd00::1]:5000/thirdparty/vnc_auto.html'
    assert default_page_url('fd00::1', 'https', node_version='4.8.0') == 'https://[fd00::1]:5000/novnc'


def test_novnc_pages_keep_the_token_in_the_fragment():
    url = console_url(CONSOLE, page_url='http://bastion:6080/vnc.html')
    parts = urlsplit(url)
    assert parts.query == ''
    fragment = parse_qs(parts.fragment)
    assert fragment['path'] == ['?token=' + TOKEN]
    assert fragment['host'] == ['10.0.0.5'] and fragment['encrypt'] == ['0']
    # ZStack's page would not see anything: proof the two styles really differ.
    assert zstack_get_query_var(url, 'token') is None


@pytest.mark.parametrize('page', ['https://bastion:6080/vnc.html', 'https://bastion/novnc/vnc_lite.html'])
@pytest.mark.parametrize('console', [CONSOLE, TLS_CONSOLE], ids=['ws', 'wss'])
def test_an_https_novnc_page_always_gets_encrypt_1(page, console):
    # A browser blocks ws:// from an https page (mixed content): the page must open wss://.
    fragment = parse_qs(urlsplit(console_url(console, page_url=page)).fragment)
    assert fragment['encrypt'] == ['1'] and fragment['path'] == ['?token=' + TOKEN]


def test_console_proxy_tls_gives_encrypt_1_on_an_http_novnc_page():
    fragment = parse_qs(urlsplit(console_url(TLS_CONSOLE, page_url='http://bastion:6080/vnc.html')).fragment)
    assert fragment['encrypt'] == ['1']


def test_an_https_zstack_page_is_never_told_encrypt_0():
    # Its own default is its protocol (vnc_auto.html: getQueryVar('encrypt', location.protocol === "https:")).
    url = console_url(CONSOLE, management_host='mn.example.com', management_scheme='https')
    assert url.startswith('https://mn.example.com:5000/thirdparty/vnc_auto.html?')
    assert zstack_get_query_var(url, 'encrypt') == '1'
    plain = console_url(CONSOLE, management_host='mn.example.com')
    assert zstack_get_query_var(plain, 'encrypt') is None  # an http page with a plain proxy: the page's default, ws


def test_console_proxy_tls_tells_an_http_zstack_page_to_encrypt():
    url = console_url(TLS_CONSOLE, management_host='mn.example.com', node_version='3.10.38')
    for name, value in (('host', '10.0.0.5'), ('port', '4900'), ('token', TOKEN), ('encrypt', '1'), ('title', 'web 01')):
        assert zstack_get_query_var(url, name) == value


@pytest.mark.parametrize('version, path', [
    ('4.0.0', '/novnc'), ('4.8.0', '/novnc'), ('5.2.1', '/novnc'), ('10.1', '/novnc'), ('4.10.38.1', '/novnc'),
    ('3.10.38', '/thirdparty/vnc_auto.html'), ('3.9.0', '/thirdparty/vnc_auto.html'),
    ('2.6.0', '/thirdparty/vnc_auto.html'), (None, '/thirdparty/vnc_auto.html'), ('', '/thirdparty/vnc_auto.html'),
    ('unknown', '/thirdparty/vnc_auto.html'),
])
def test_the_default_page_follows_the_node_version(version, path):
    assert zstack_page_path(version) == path
    url = console_url(CONSOLE, management_host='mn.example.com', node_version=version)
    assert url.startswith('http://mn.example.com:5000%s?' % path)
    for name, value in (('host', '10.0.0.5'), ('port', '4900'), ('token', TOKEN), ('title', 'web 01')):
        assert zstack_get_query_var(url, name) == value


def test_a_direct_console_page_opens_its_own_path_with_wss():
    ws = websocket_url(DIRECT)
    assert ws == 'wss://esx-07.example.test:443/ticket/0c5b2d1f'
    entry = dict(DIRECT, websocket_url=ws)
    fragment = parse_qs(urlsplit(console_url(entry, page_url='http://bastion/vnc.html')).fragment)
    # noVNC 1.x (app/ui.js): url = (encrypt ? 'wss' : 'ws') + '://' + host + ':' + port + '/' + path
    assert (fragment['host'], fragment['port'], fragment['path'], fragment['encrypt']) == (
        ['esx-07.example.test'], ['443'], ['ticket/0c5b2d1f'], ['1'])
    url = console_url(entry, management_host='mn.example.com', node_version='3.10.38')
    # vnc_auto.html: path = getQueryVar('path', '?token=' + token); rfb.js: uri = wss:// + host:port + '/' + path
    assert zstack_get_query_var(url, 'path') == 'ticket/0c5b2d1f' and zstack_get_query_var(url, 'token') is None
    assert zstack_get_query_var(url, 'encrypt') == '1'


def test_a_console_without_websocket_url_gets_the_one_its_scheme_makes():
    fragment = parse_qs(urlsplit(console_url(DIRECT, page_url='http://bastion/vnc.html')).fragment)
    assert fragment['path'] == ['ticket/0c5b2d1f'] and fragment['encrypt'] == ['1']


def test_a_page_with_its_own_query_keeps_it():
    url = console_url(CONSOLE, page_url='http://ui:5000/thirdparty/vnc_auto.html?lang=en')
    assert urlsplit(url).query.startswith('lang=en&host=')


def test_explicit_style_wins_over_the_page_name():
    assert page_style('http://x/console.html') == 'zstack'
    assert page_style('http://x/vnc_lite.html') == 'novnc'
    assert page_style('http://x/vnc_lite.html', 'zstack') == 'zstack'
    with pytest.raises(ZStackConfigError):
        page_style('http://x/vnc.html', 'bogus')


def test_no_token_no_url():
    assert console_url({'vm_instance_uuid': 'b' * 32}) is None


@pytest.mark.parametrize('page', ['ftp://x/vnc.html', 'javascript:alert(1)', 'http:///vnc.html'])
def test_bad_page_urls_fail_clearly(page):
    with pytest.raises(ZStackConfigError, match='novnc_url must be an http'):
        console_url(CONSOLE, page_url=page)
