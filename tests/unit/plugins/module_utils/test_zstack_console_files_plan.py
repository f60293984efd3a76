# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_console_files: file names, expiry, the files of one operator, manifest, ledger, revocation, messages."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils import _console_files as cf
from ansible_collections.zstack.cloud.plugins.module_utils._console_files import (
    ConsoleFilesError,
    assign_stems,
    console_expiry,
    failure_message,
    is_written_name,
    merge_ledger,
    operator_dest,
    pick_consoles,
    plan_files,
    read_manifest,
    redact,
    revocation_summary,
    safe_stem,
    sessions_to_end,
    token_session,
)

SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
OTHER_SESSION = 'f' * 32
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
DUP1 = '7c7208c6159744e597c6474086f04727'
DUP2 = '1323e28ee0ad4cda9071efcf77130130'
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


# ------------------------------------------------------------------ file names

@pytest.mark.parametrize('name, stem', [
    ('web-01', 'web-01'),
    ('../etc/pass wd\a;rm -rf', 'etc_pass_wd_rm_-rf'),
    ('测试-01', '测试-01'),
    ('a/b', 'a_b'),
    ('..', 'U'),
    ('...hidden', 'hidden'),
    ('-rf', 'rf'),
    ('a..b', 'a.b'),
    ('x\u202eexe.html', 'x_exe.html'),  # right-to-left override
    ('nul\x00byte', 'nul_byte'),
    ('<script>alert(1)</script>', 'script_alert_1_script'),
    ('   ', 'U'),
    (None, 'U'),
    ('e\u0301', '\u00e9'),  # NFC
])
def test_safe_stem(name, stem):
    assert safe_stem(name, 'U') == stem


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_stem_is_always_a_plain_file_name_the_manifest_would_believe(name):
    stem = safe_stem(name, 'f' * 32)
    assert stem and '/' not in stem and '\x00' not in stem and '..' not in stem
    assert not stem.startswith(('.', '-'))
    assert all(unicodedata.category(c)[0] != 'C' for c in stem)
    assert len((stem + '-' + 'f' * 32 + '-99.json').encode('utf-8')) < 255
    assert is_written_name(stem + '.html') and is_written_name(stem + '.json')


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(['web', 'WEB', 'web/01', 'web 01', 'web_01', 'index', 'INDEX', '', '..',
                                           'web-aaaaaaaa', 'web-' + 'a' * 32]),
                          st.sampled_from(['a' * 32, 'b' * 32, 'c' * 32, 'd' * 32, 'e' * 32])),
                max_size=8, unique_by=lambda pair: pair[1]))
def test_assign_stems_are_distinct_and_never_index(pairs):
    folded = [s.casefold() for s in assign_stems([{'name': name, 'uuid': uuid} for name, uuid in pairs])]
    assert len(set(folded)) == len(folded) and 'index' not in folded


def test_assign_stems_collisions_do_not_depend_on_order():
    items = [{'name': 'web 01', 'uuid': WEB01}, {'name': 'web/01', 'uuid': WEB02}, {'name': 'db', 'uuid': DUP1},
             {'name': 'INDEX', 'uuid': DUP2}]
    assert assign_stems(items) == ['web_01-374f2506', 'web_01-a0d4ebf1', 'db', 'INDEX-1323e28e']
    assert assign_stems(list(reversed(items))) == ['INDEX-1323e28e', 'db', 'web_01-a0d4ebf1', 'web_01-374f2506']
    assert assign_stems([{'name': None, 'uuid': DUP1}]) == [DUP1]


@pytest.mark.parametrize('name, believed', [
    ('web-01.html', True), ('web-01.json', True), ('index.html', True), ('测试-01.json', True),
    ('.zstack-console-files.json', False), ('../etc/passwd.json', False), ('/etc/x.json', False),
    ('notes.txt', False), ('.bashrc', False), ('a b.html', False), ('.json', False), ('-rf.json', False),
    (None, False), (['x.json'], False),
])
def test_is_written_name(name, believed):
    assert is_written_name(name) is believed


@pytest.mark.parametrize('dest, home, expected', [
    (None, '/home/alice', '/home/alice/zstack-consoles'),
    ('/srv//c/./x/', '/home/alice', '/srv/c/x'),
    ('//srv/c', None, '/srv/c'),
])
def test_operator_dest(dest, home, expected):
    assert operator_dest('alice', dest, home, 'zstack-consoles') == expected


@pytest.mark.parametrize('dest, home, message', [
    ('relative', '/h', 'must be an absolute path'), ('/', '/h', 'must not be the root directory'),
    ('/x/..', '/h', 'must not be the root directory'), (None, '', 'no home directory'),
])
def test_operator_dest_refused(dest, home, message):
    with pytest.raises(ConsoleFilesError, match=message):
        operator_dest('alice', dest, home, 'zstack-consoles')


# ------------------------------------------------------------------ expiry and sessions

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


@pytest.mark.parametrize('token, expected', [
    ('%s_%s' % (SESSION, WEB01), SESSION), ('%s_%s' % (SESSION.upper(), WEB01), SESSION),
    ('nounderscore', None), ('short_%s' % WEB01, None), (None, None), (12, None),
])
def test_token_session(token, expected):
    assert token_session(token) == expected


# ------------------------------------------------------------------ one operator's files

def test_pick_consoles_by_uuid_and_name_each_vm_once():
    consoles = [console(WEB01, 'web-01'), console(WEB02)]
    chosen = pick_consoles('alice', ['web-01', WEB01.upper(), ' ', WEB02], consoles)
    assert [c['vm_instance_uuid'] for c in chosen] == [WEB01, WEB02]


def test_pick_consoles_by_query_item_every_vm_it_selected():
    query = ['hostUuid=' + 'c' * 32]
    consoles = [console(WEB01, 'web-01'), dict(console(WEB02, 'web-02'), vm_query=query),
                dict(console(WEB01, 'web-01'), vm_query=query)]
    chosen = pick_consoles('alice', [{'query': query}, 'web-01'], consoles)
    assert [c['vm_instance_uuid'] for c in chosen] == [WEB02, WEB01]
    with pytest.raises(ConsoleFilesError, match="no console was given for VM 'query name=x'"):
        pick_consoles('alice', [{'query': ['name=x']}], consoles)


@pytest.mark.parametrize('consoles, message', [
    ([], r"operator 'alice': no console was given for VM 'web-01' \(every host"),
    ([{'vm_instance_name': 'web-01', 'failed': True, 'msg': 'boom %s_%s' % (SESSION, WEB01)}],
     "operator 'alice': VM 'web-01' failed: boom <redacted>"),
    ([{'vm_instance_name': 'web-01'}], 'has no vm_instance_uuid'),
])
def test_pick_consoles_refuses(consoles, message):
    with pytest.raises(ConsoleFilesError, match=message):
        pick_consoles('alice', ['web-01'], consoles)


def test_plan_self_contained_launchers_json_and_index():
    consoles = [console(WEB01, 'web-01'), console(WEB02, '<b>web</b>', expires_at=None)]
    plan = plan_files('alice', consoles, NOW)
    files = plan['files']
    assert sorted(files) == ['b_web_b.html', 'b_web_b.json', 'index.html', 'web-01.html', 'web-01.json']
    launcher = files['web-01.html'].decode('utf-8')
    # Self-contained: it connects to the proxy itself; no noVNC page, no redirect.
    assert 'ws://10.0.0.5:4900/?token=%s_%s' % (SESSION, WEB01) in launcher
    assert 'location.replace' not in launcher and 'vnc.html' not in launcher
    document = json.loads(files['web-01.json'])
    assert document == {
        'vm_instance_uuid': WEB01, 'vm_instance_name': 'web-01', 'target_scheme': 'vnc', 'scheme': 'http',
        'hostname': '10.0.0.5', 'port': 4900, 'token': '%s_%s' % (SESSION, WEB01),
        'websocket_url': 'ws://10.0.0.5:4900/?token=%s_%s' % (SESSION, WEB01), 'launcher': 'web-01.html',
        'launcher_url': None, 'no_launcher': None, 'expires_at': '2026-11-30T16:30:00Z', 'expires_at_source': 'server',
        'session_owned': True, 'operator': 'alice', 'managed_by': 'zstack.cloud.console_files'}
    assert json.loads(files['b_web_b.json'])['expires_at'] == '2026-11-30T16:30:00Z'  # NOW + 1800 s
    assert json.loads(files['b_web_b.json'])['expires_at_source'] == 'lifetime'
    index = files['index.html'].decode('utf-8')
    assert not TOKEN_RE.search(index)
    assert '<a href="web-01.html">web-01</a>' in index and '&lt;b&gt;web&lt;/b&gt;' in index
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


# ------------------------------------------------------------------ manifest, ledger, revocation

def test_manifest_believes_only_names_the_module_writes():
    content = json.dumps({'managed_by': cf.MANAGED_BY, 'created_dir': True, 'files': [
        'web-01.html', 'index.html', '../../etc/shadow', '/etc/passwd', '.bashrc', 'notes.txt', 7,
        '.zstack-console-files.json', 'web-01.html']}).encode()
    assert read_manifest(content) == {'files': ['web-01.html', 'index.html'], 'created_dir': True}
    for bad in (b'', b'not json', b'[]', json.dumps({'files': ['a.json']}).encode()):
        assert read_manifest(bad) is None
    manifest = json.loads(cf.manifest_bytes('alice', ['a.html'], False))
    assert read_manifest(cf.manifest_bytes('alice', ['a.html'], False)) == {'files': ['a.html'], 'created_dir': False}
    assert manifest['operator'] == 'alice' and manifest['managed_by'] == cf.MANAGED_BY


def test_ledger_merge_keeps_old_sessions_and_owned_for_good():
    old = merge_ledger({}, {SESSION: True}, 'alice', 1001, NOW)
    later = merge_ledger(old, {SESSION: False, OTHER_SESSION: False}, 'alice', 1001, NOW + timedelta(hours=1))
    assert later['sessions'] == [
        {'uuid': SESSION, 'owned': True, 'recorded_at': '2026-11-30T16:00:00Z'},
        {'uuid': OTHER_SESSION, 'owned': False, 'recorded_at': '2026-11-30T17:00:00Z'}]
    assert later['uid'] == 1001 and later['managed_by'] == cf.MANAGED_BY
    assert cf.ledger_sessions({'sessions': [{'uuid': 'nope'}, 'x', {'uuid': SESSION.upper(), 'owned': 'yes'}]}) == \
        {SESSION: {'owned': False, 'recorded_at': None}}


def test_sessions_to_end_trusts_only_roots_record_for_ownership():
    ledger = merge_ledger({}, {SESSION: True, DUP1: False}, 'alice', 1001, NOW)
    documents = [('/home/alice/zstack-consoles/web-01.json', {'token': '%s_%s' % (SESSION, WEB01)}),
                 # an operator's own edit: another session, "owned" - adds a session, never ownership
                 ('/home/alice/zstack-consoles/x.json', {'token': '%s_%s' % (OTHER_SESSION, WEB02),
                                                         'session_owned': True})]
    owned = {s['session_uuid']: s for s in sessions_to_end([ledger], documents, 'owned')}
    assert owned[SESSION] == {'session_uuid': SESSION, 'owned': True, 'end': True,
                              'files': ['/home/alice/zstack-consoles/web-01.json']}
    assert owned[OTHER_SESSION]['owned'] is False and owned[OTHER_SESSION]['end'] is False
    assert owned[DUP1]['end'] is False
    assert all(s['end'] for s in sessions_to_end([ledger], documents, 'all'))
    assert not any(s['end'] for s in sessions_to_end([ledger], documents, 'none'))
    with pytest.raises(ConsoleFilesError, match='revoke must be one of'):
        sessions_to_end([], [], 'true')


def test_revocation_summary_names_files_never_sessions():
    sessions = sessions_to_end([merge_ledger({}, {SESSION: True}, 'a', 1, NOW)],
                               [('/srv/b/db.json', {'token': '%s_%s' % (OTHER_SESSION, WEB02)})], 'owned')
    text = revocation_summary(sessions, 'owned')
    assert text == ('API session(s) behind the tokens (sessions the role opened, console_files_revoke=owned); kept 1 '
                    'session(s) the role did not open, whose tokens still work (/srv/b/db.json; '
                    'console_files_revoke=all ends them too)')
    for session in sessions:
        session['end'] = True  # as sessions_to_end(..., 'all') marks them
    assert revocation_summary(sessions, 'all') == 'API session(s) behind the tokens (every session, console_files_revoke=all)'
    assert SESSION not in text and OTHER_SESSION not in text


# ------------------------------------------------------------------ messages

TOKEN = '%s_%s' % (SESSION, WEB01)


def test_failure_message_names_failed_vms_without_tokens():
    result = {'msg': 'Console access failed for 2 of 3 VMs', 'zstack_consoles': [
        {'vm_instance_name': 'app-01', 'failed': True, 'msg': 'VM app-01: current state is Stopped',
         'error': {'code': 'SYS.1006'}},
        console(WEB01, 'web-01'),
        {'vm_instance_uuid': WEB02, 'failed': True, 'msg': 'VM %s: Session[uuid:%s] expired' % (WEB02, SESSION)}]}
    assert failure_message(result) == ('zstack_console_access failed for 2 of 3 VMs: VM app-01: current state is '
                                       'Stopped [SYS.1006]; VM %s: Session[uuid:<redacted>] expired' % WEB02)
    same = {'zstack_consoles': [{'vm_instance_name': n, 'failed': True, 'msg': 'VM %s: Login failed' % n}
                                for n in ('a', 'b')]}
    assert failure_message(same) == 'zstack_console_access failed for all 2 VMs (a, b): Login failed'


def test_failure_message_plain_and_loops():
    assert failure_message({'msg': 'denied', 'error': {'code': 'ID.1002'}}) == \
        'zstack_console_access failed: denied [ID.1002]'
    assert failure_message({'msg': 'ledger_dir /x is a symlink'}, 'zstack_console_files') == \
        'zstack_console_files failed: ledger_dir /x is a symlink'
    loop = {'failed': True, 'msg': 'One or more items failed', 'results': [
        {'failed': False, 'item': {'session_uuid': SESSION, 'files': ['/a.json']}},
        {'failed': True, 'msg': 'HTTP 500 for /zstack/v1/accounts/sessions/%s' % SESSION,
         'item': {'session_uuid': SESSION, 'files': ['/b.json']}}]}
    message = failure_message(loop, 'Ending sessions', item_label='files.0')
    assert message == ('Ending sessions failed: One or more items failed - /b.json: HTTP 500 for '
                       '/zstack/v1/accounts/sessions/<redacted>')
    assert failure_message('boom %s' % TOKEN) == 'zstack_console_access failed: boom <redacted>'
    assert failure_message({'unreachable': True, 'msg': 'ssh'}).endswith('(host unreachable)')


@pytest.mark.parametrize('text, expected', [
    ('token %s here' % TOKEN, 'token <redacted> here'),
    ('Authorization: OAuth %s' % SESSION, 'Authorization: OAuth <redacted>'),
    ('/v1/accounts/sessions/%s/valid' % SESSION, '/v1/accounts/sessions/<redacted>/valid'),
    ('vm[uuid:%s] is Stopped' % WEB01, 'vm[uuid:%s] is Stopped' % WEB01),  # VM UUIDs say what failed
])
def test_redact(text, expected):
    assert redact(text) == expected


def test_file_changes():
    write, unchanged, stale = cf.file_changes(
        {'a.html': b'A', 'b.json': b'B', 'c.json': None, 'index.html': b'I'},
        {'a.html': b'A', 'b.json': b'old', 'c.json': b'C', 'index.html': None},
        ['a.html', 'gone.json', 'missing.json', 'b.json'], ['a.html', 'b.json', 'gone.json', 'index.html'])
    assert write == ['b.json', 'c.json', 'index.html']  # different, not known (check mode), not a plain file
    assert unchanged == ['a.html']
    assert stale == ['gone.json']  # listed before, no longer planned, still there
