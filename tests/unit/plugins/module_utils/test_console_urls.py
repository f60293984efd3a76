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
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

TOKEN = 'a' * 32 + '_' + 'b' * 32
CONSOLE = {'vm_instance_uuid': 'b' * 32, 'vm_instance_name': 'web 01', 'scheme': 'http',
           'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN}


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


def test_novnc_pages_keep_the_token_in_the_fragment():
    url = console_url(CONSOLE, page_url='https://bastion:6080/vnc.html')
    parts = urlsplit(url)
    assert parts.query == ''
    fragment = parse_qs(parts.fragment)
    assert fragment['path'] == ['?token=' + TOKEN]
    assert fragment['host'] == ['10.0.0.5'] and fragment['encrypt'] == ['0']
    # ZStack's page would not see anything: proof the two styles really differ.
    assert zstack_get_query_var(url, 'token') is None


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
