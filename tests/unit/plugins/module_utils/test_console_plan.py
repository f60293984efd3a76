# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_console_plan: which consoles an operator gets, their expiry, and the plan of the operator's files."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_plan import (
    console_expiry,
    pick_consoles,
    plan_files,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError

SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
OTHER_SESSION = 'f' * 32
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
NOW = datetime(2026, 11, 30, 16, 0, 0, tzinfo=timezone.utc)
TOKEN_RE = re.compile(r'[0-9a-f]{32}_[0-9a-f]{32}')


def console(uuid, name=None, token=True, session=SESSION, expires_at='2026-11-30T16:30:00Z', **extra):
    entry = {'vm_instance_uuid': uuid}
    if name is not None:
        entry['vm_instance_name'] = name
    if token:
        entry.update(scheme='http', hostname='10.0.0.5', port=4900, token='%s_%s' % (session, uuid),
                     websocket_url='ws://10.0.0.5:4900/?token=%s_%s' % (session, uuid), target_scheme='vnc',
                     session_owned=session == SESSION)
        if expires_at:
            entry['expires_at'] = expires_at
    entry.update(extra)
    return entry


# ------------------------------------------------------------------ expiry

def test_expiry_from_the_entry_else_from_the_lifetime():
    assert console_expiry({'expires_at': '2026-11-30T16:20:00Z'}, NOW, 1800) == ('2026-11-30T16:20:00Z', 'server', None)
    assert console_expiry({'expires_at': '2026-12-01T00:20:00+08:00'}, NOW, 1800)[:2] == \
        ('2026-11-30T16:20:00Z', 'server')
    assert console_expiry({}, NOW, 600) == ('2026-11-30T16:10:00Z', 'lifetime', None)
    expires_at, source, warning = console_expiry({'expires_at': 'soon', 'vm_instance_name': 'web-01'}, NOW, 600)
    assert (expires_at, source) == ('2026-11-30T16:10:00Z', 'lifetime') and "cannot read the expiry 'soon'" in warning
    # Eight hours off - the node's zone mistaken for UTC: kept, but said.
    _at, _source, warning = console_expiry({'expires_at': '2026-11-30T08:30:00Z', 'vm_instance_name': 'web-01'},
                                           NOW, 1800)
    assert 'implausible' in warning and 'web-01' in warning


# ------------------------------------------------------------------ one operator's files

def test_pick_consoles_by_uuid_and_name_each_vm_once():
    consoles = [console(WEB01, 'web-01'), console(WEB02)]
    chosen, missed = pick_consoles('alice', ['web-01', WEB01.upper(), ' ', WEB02], consoles)
    assert [c['vm_instance_uuid'] for c in chosen] == [WEB01, WEB02] and missed == []


def test_pick_consoles_by_query_item_every_vm_it_selected():
    query = ['hostUuid=' + 'c' * 32]
    consoles = [console(WEB01, 'web-01'), dict(console(WEB02, 'web-02'), vm_query=query),
                dict(console(WEB01, 'web-01'), vm_query=query)]
    chosen, _missed = pick_consoles('alice', [{'query': query}, 'web-01'], consoles)
    assert [c['vm_instance_uuid'] for c in chosen] == [WEB02, WEB01]
    with pytest.raises(ConsoleFilesError, match="no console was given for VM 'query name=x'"):
        pick_consoles('alice', [{'query': ['name=x']}], consoles)


def test_pick_consoles_names_the_vms_that_got_none_with_their_reason():
    query = ['hostUuid=' + 'c' * 32]
    consoles = [console(WEB01, 'web-01'), dict(console(WEB02, 'web-02'), vm_query=query)]
    failures = [{'vm_instance_name': 'app-01', 'msg': 'No VM named %r that is not Destroyed' % 'app-01'},
                {'vm_instance_uuid': 'd' * 32, 'vm_instance_name': 'db-09', 'vm_query': query,
                 'msg': 'VM db-09: ZStack API error SYS.1006: current state is Stopped, session %s' % SESSION}]
    chosen, missed = pick_consoles('alice', ['web-01', 'app-01', {'query': query}, 'app-01'], consoles, failures)
    assert [c['vm_instance_uuid'] for c in chosen] == [WEB01, WEB02]
    # Each VM once, its reason with any session UUID taken out.
    assert missed == [{'vm': 'app-01', 'msg': "No VM named 'app-01' that is not Destroyed"},
                      {'vm': 'db-09', 'msg': 'VM db-09: ZStack API error SYS.1006: current state is Stopped, '
                                             'session <redacted>'}]


@pytest.mark.parametrize('consoles, message', [
    ([], r"operator 'alice': no console was given for VM 'web-01' \(every host"),
    ([{'vm_instance_name': 'web-01'}], 'has no vm_instance_uuid'),
])
def test_pick_consoles_refuses(consoles, message):
    with pytest.raises(ConsoleFilesError, match=message):
        pick_consoles('alice', ['web-01'], consoles)


def test_plan_self_contained_launchers_json_and_index():
    consoles = [console(WEB01, 'web-01'), console(WEB02, '<b>web</b>', expires_at=None)]
    plan = plan_files('alice', consoles, NOW)
    files = plan['files']
    assert sorted(files) == ['b_web_b.html', 'b_web_b.json', 'index.html', 'web-01.html', 'web-01.json',
                             'zstack-console']
    assert files['zstack-console'].startswith(b'#!/usr/bin/env python3\n')
    launcher = files['web-01.html'].decode('utf-8')
    # Self-contained: it connects to the proxy itself; no noVNC page, no redirect.
    assert 'ws://10.0.0.5:4900/?token=%s_%s' % (SESSION, WEB01) in launcher
    assert 'location.replace' not in launcher and 'vnc.html' not in launcher
    document = json.loads(files['web-01.json'])
    assert document == {
        'vm_instance_uuid': WEB01, 'vm_instance_name': 'web-01', 'target_scheme': 'vnc', 'protocol': 'vnc',
        'bridge': 'python3 zstack-console web-01', 'scheme': 'http',
        'hostname': '10.0.0.5', 'port': 4900, 'token': '%s_%s' % (SESSION, WEB01),
        'websocket_url': 'ws://10.0.0.5:4900/?token=%s_%s' % (SESSION, WEB01), 'launcher': 'web-01.html',
        'launcher_url': None, 'no_launcher': None, 'expires_at': '2026-11-30T16:30:00Z', 'expires_at_source': 'server',
        'session_owned': True, 'operator': 'alice', 'managed_by': 'zstack.cloud.console_files'}
    assert json.loads(files['b_web_b.json'])['expires_at'] == '2026-11-30T16:30:00Z'  # NOW + 1800 s
    assert json.loads(files['b_web_b.json'])['expires_at_source'] == 'lifetime'
    index = files['index.html'].decode('utf-8')
    assert not TOKEN_RE.search(index)
    assert '<a href="web-01.html">web-01</a>' in index and '&lt;b&gt;web&lt;/b&gt;' in index
    assert '<code>python3 zstack-console web-01</code>' in index and '<code>python3 zstack-console b_web_b</code>' in index
    assert plan['sessions'] == {SESSION: True}
    assert plan['warnings'] == []
    for record in plan['records']:
        assert not TOKEN_RE.search(json.dumps(record))


def test_plan_page_launchers_put_parameters_where_the_page_reads_them():
    entry = console(WEB01, 'web-01')
    token = entry['token']
    zstack = plan_files('alice', [entry], NOW, novnc_url='http://mn:5000/thirdparty/vnc_auto.html')
    url = json.loads(zstack['files']['web-01.json'])['launcher_url']
    query = parse_qs(urlsplit(url).query)
    assert query['token'] == [token] and query['host'] == ['10.0.0.5'] and query['title'] == ['web-01']
    assert '#' not in url  # ZStack's vnc_auto.html reads the query string only
    novnc = plan_files('alice', [entry], NOW, novnc_url='http://bastion:6080/vnc.html')
    url = json.loads(novnc['files']['web-01.json'])['launcher_url']
    assert urlsplit(url).query == '' and parse_qs(urlsplit(url).fragment)['path'] == ['?token=' + token]
    html_text = novnc['files']['web-01.html'].decode('utf-8')
    assert 'window.location.replace(link.href)' in html_text
    assert 'datetime="2026-11-30T16:30:00Z"' in html_text
    assert unquote(html_text).count(token) == 1  # escaped once, in the link


def test_plan_spice_gets_a_self_contained_launcher_even_with_a_novnc_page():
    """A declared SPICE console opens in the self-contained launcher (spice-html5); a noVNC page could not."""
    consoles = [console(WEB01, 'web-01', target_scheme='spice'), console(WEB02, 'web-02')]
    for novnc_url in ('', 'http://bastion:6080/vnc.html'):
        plan = plan_files('alice', consoles, NOW, novnc_url=novnc_url)
        assert plan['warnings'] == []
        spice = plan['files']['web-01.html'].decode('utf-8')
        assert 'window.ZStackSpice' in spice and '"declared": "spice"' in spice
        document = json.loads(plan['files']['web-01.json'])
        assert document['launcher'] == 'web-01.html' and document['launcher_url'] is None
        assert document['no_launcher'] is None and document['target_scheme'] == 'spice'
        assert 'href="web-01.html"' in plan['files']['index.html'].decode('utf-8')
        page_launcher = 'window.location.replace(link.href)' in plan['files']['web-02.html'].decode('utf-8')
        assert page_launcher is bool(novnc_url)


def test_plan_unknown_protocol_gets_no_launcher_and_a_warning():
    plan = plan_files('alice', [console(WEB01, 'web-01', target_scheme='rdp'), console(WEB02, 'web-02')], NOW)
    assert 'web-01.html' not in plan['files'] and 'web-02.html' in plan['files']
    document = json.loads(plan['files']['web-01.json'])
    assert document['launcher'] is None and "'rdp'" in document['no_launcher']
    assert document['token']  # the JSON is still written
    (warning,) = plan['warnings']
    assert warning.startswith('operator alice, VM web-01: no launcher written:') and 'VNC and SPICE only' in warning
    index = plan['files']['index.html'].decode('utf-8')
    assert 'No launcher:' in index and 'href="web-01.html"' not in index


def test_plan_in_check_mode_has_no_content_for_token_files():
    plan = plan_files('alice', [console(WEB01, 'web-01', token=False)], NOW)
    assert plan['files']['web-01.html'] is None and plan['files']['web-01.json'] is None
    assert plan['files']['index.html'] and plan['sessions'] == {}


def test_plan_ownership_from_the_entry_or_roots_record():
    consoles = [console(WEB01, 'web-01'), console(WEB02, 'web-02', session=OTHER_SESSION)]
    assert plan_files('alice', consoles, NOW)['sessions'] == {SESSION: True, OTHER_SESSION: False}
    # A second run gets the first run's token back: root's record says the role opened that session.
    plan = plan_files('alice', consoles, NOW, owned={OTHER_SESSION})
    assert plan['sessions'] == {SESSION: True, OTHER_SESSION: True}
    assert json.loads(plan['files']['web-02.json'])['session_owned'] is True
