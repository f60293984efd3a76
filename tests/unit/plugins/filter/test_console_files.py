# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the console_files filters: file names, expiry, launcher URLs, the plan, the manifest, messages."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible.errors import AnsibleFilterError

from ansible_collections.zstack.cloud.plugins.filter import console_files as cf
from ansible_collections.zstack.cloud.plugins.filter.console_files import (
    FilterModule,
    assign_stems,
    console_expiry,
    console_failure_message,
    console_file_manifest,
    console_file_plan,
    console_file_sessions,
    console_launcher_url,
    parse_expiry,
    redact,
    safe_stem,
    token_session,
)

COLLECTION = Path(__file__).resolve().parents[4]
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
DUP1 = '7c7208c6159744e597c6474086f04727'
DUP2 = '1323e28ee0ad4cda9071efcf77130130'
REQUESTED = '2026-11-28T16:00:00Z'
USERS = {'alice': {'home': '/home/alice', 'uid': 1001, 'gid': 1001},
         'bob': ['x', '1002', '1002', 'Bob', '/srv/home/bob', '/bin/sh']}  # getent passwd form


def console(uuid, name=None, expired=None, token=True, scheme='http', hostname='10.0.0.5', port=4900):
    entry = {'vm_instance_uuid': uuid}
    if name is not None:
        entry['vm_instance_name'] = name
    if token:
        entry.update(scheme=scheme, hostname=hostname, port=port, token='%s_%s' % (SESSION, uuid),
                     websocket_url='ws://%s:%s/?token=%s_%s' % (hostname, port, SESSION, uuid))
    if expired is not None:
        entry['expired_date'] = expired
    return entry


def fragment_params(url):
    return url.split('#', 1)[1]


def novnc_hash_var(url, name):
    """noVNC 1.3 app/webutil.js getHashVar: '.*[&#]name=([^&]*)' on location.hash, then decodeURIComponent."""
    match = re.match(r'.*[&#]' + name + '=([^&]*)', '#' + fragment_params(url))
    return unquote(match.group(1)) if match else None


def novnc_lite_var(url, name):
    """noVNC 1.3 vnc_lite.html readQueryVariable: '.*[?&]name=([^&#]*)' on location.href + location.hash."""
    hash_part = '#' + url.split('#', 1)[1] if '#' in url else ''
    match = re.match(r'.*[?&]' + name + '=([^&#]*)', url + hash_part)
    return unquote(match.group(1)) if match else None


def legacy_query_var(url, name):
    """Old noVNC WebUtil.getQueryVar: '.*[?&]name=([^&#]*)' on location.href (which includes the fragment)."""
    match = re.match(r'.*[?&]' + name + '=([^&#]*)', url)
    return unquote(match.group(1)) if match else None


# ------------------------------------------------------------------ file names

@pytest.mark.parametrize('name, stem', [
    ('web-01', 'web-01'),
    ('../etc/pass wd\a;rm -rf', 'etc_pass_wd_rm_-rf'),
    ('测试-01', '测试-01'),
    ('a/b', 'a_b'),
    ('a\\b', 'a_b'),
    ('..', 'U'),
    ('...hidden', 'hidden'),
    ('-rf', 'rf'),
    ('a..b', 'a.b'),
    ('x\u202eexe.html', 'x_exe.html'),  # right-to-left override
    ('tab\there', 'tab_here'),
    ('nul\x00byte', 'nul_byte'),
    ('<script>alert(1)</script>', 'script_alert_1_script'),
    ('   ', 'U'),
    ('', 'U'),
    (None, 'U'),
    ('---', 'U'),
    ('Ｗｅｂ', 'Ｗｅｂ'),
    ('e\u0301', '\u00e9'),  # NFC
])
def test_safe_stem(name, stem):
    assert safe_stem(name, 'U') == stem


def test_safe_stem_limits_bytes_not_characters():
    stem = safe_stem('测' * 200, 'U')
    assert len(stem.encode('utf-8')) <= cf.STEM_MAX_BYTES
    assert stem == '测' * (cf.STEM_MAX_BYTES // 3)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_stem_is_always_a_plain_file_name(name):
    stem = safe_stem(name, 'f' * 32)
    assert stem and '/' not in stem and '\x00' not in stem
    assert stem not in ('.', '..') and not stem.startswith(('.', '-'))
    assert '..' not in stem
    assert all(unicodedata.category(c)[0] != 'C' for c in stem)
    assert len((stem + '-' + 'f' * 32 + '-99.json').encode('utf-8')) < 255


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(['web', 'WEB', 'web/01', 'web 01', 'web_01', 'index', 'INDEX', '', '..',
                                           'web-aaaaaaaa', 'web-' + 'a' * 32]),
                          st.sampled_from(['a' * 32, 'b' * 32, 'c' * 32, 'd' * 32, 'e' * 32])),
                max_size=8, unique_by=lambda pair: pair[1]))
def test_assign_stems_are_distinct_and_never_index(pairs):
    stems = assign_stems([{'name': name, 'uuid': uuid} for name, uuid in pairs])
    folded = [s.casefold() for s in stems]
    assert len(set(folded)) == len(folded)
    assert 'index' not in folded


def test_assign_stems_collisions():
    items = [{'name': 'web 01', 'uuid': WEB01}, {'name': 'web/01', 'uuid': WEB02}, {'name': 'db', 'uuid': DUP1},
             {'name': 'INDEX', 'uuid': DUP2}]
    assert assign_stems(items) == ['web_01-374f2506', 'web_01-a0d4ebf1', 'db', 'INDEX-1323e28e']
    # A VM's file name does not depend on the order of the list.
    assert assign_stems(list(reversed(items))) == ['INDEX-1323e28e', 'db', 'web_01-a0d4ebf1', 'web_01-374f2506']


def test_assign_stems_case_insensitive_and_suffix_clash():
    items = [{'name': 'Web', 'uuid': 'a' * 32}, {'name': 'web', 'uuid': 'b' * 32},
             {'name': 'web-aaaaaaaa', 'uuid': 'c' * 32}]
    assert assign_stems(items) == ['Web-aaaaaaaa', 'web-bbbbbbbb', 'web-aaaaaaaa-cccccccc']


def test_assign_stems_without_names_uses_uuids():
    assert assign_stems([{'name': None, 'uuid': DUP1}, {'name': None, 'uuid': DUP2}]) == [DUP1, DUP2]


# ------------------------------------------------------------------ expiry

def _simulator():
    path = COLLECTION / 'tests' / 'simulator' / 'zstack_simulator.py'
    assert path.exists(), 'the expiry tests read dates written by the simulator at %s' % path
    spec = importlib.util.spec_from_file_location('zstack_simulator_for_filter_tests', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('style', ['jdk8', 'cldr', 'cldr-nnbsp', 'epoch-ms'])
@pytest.mark.parametrize('offset_minutes, zone', [(480, '+08:00'), (0, 'UTC'), (-300, '-05:00'), (480, 'Asia/Shanghai'),
                                                  (330, '+0530')])
def test_parse_expiry_reads_what_the_simulator_writes(style, offset_minutes, zone):
    moment = datetime(2026, 11, 28, 0, 21, 20, tzinfo=timezone.utc)  # 12 AM/PM edge in some zones
    written = _simulator().java_date(moment.timestamp(), offset_minutes, style)
    assert parse_expiry(written, zone) == moment


@pytest.mark.parametrize('value, expected', [
    ('Nov 28, 2026 5:21:20 PM', datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
    ('Nov 28, 2026, 12:05:00\u202fAM', datetime(2026, 11, 28, 0, 5, tzinfo=timezone.utc)),
    ('Nov 28, 2026 12:05:00 PM', datetime(2026, 11, 28, 12, 5, tzinfo=timezone.utc)),
    ('2026-11-28T17:21:20Z', datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
    ('2026-11-28T18:21:20+01:00', datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
    ('2026-11-28 17:21:20.0', datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
    (1795886480000, datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
    (1795886480, datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
    ('1795886480000', datetime(2026, 11, 28, 17, 21, 20, tzinfo=timezone.utc)),
])
def test_parse_expiry_formats(value, expected):
    assert parse_expiry(value, 'UTC') == expected


@pytest.mark.parametrize('value', [None, '', 'soon', 'Foo 28, 2026 5:21:20 PM', 'Feb 30, 2026 5:21:20 PM', True])
def test_parse_expiry_unreadable(value):
    assert parse_expiry(value, 'UTC') is None


def test_parse_expiry_naive_defaults_to_local_time():
    local = datetime(2026, 11, 28, 17, 21, 20).astimezone()
    assert parse_expiry('Nov 28, 2026 5:21:20 PM') == local.astimezone(timezone.utc)


def test_parse_expiry_bad_zone():
    with pytest.raises(AnsibleFilterError, match='server_timezone'):
        parse_expiry('Nov 28, 2026 5:21:20 PM', 'Mars/Olympus')


def test_console_expiry_from_server_and_fallback(monkeypatch):
    warnings = []
    monkeypatch.setattr(cf.display, 'warning', warnings.append)
    entry = console(WEB01, expired='Nov 28, 2026 4:30:00 PM')
    assert console_expiry(entry, REQUESTED, 1800, 'UTC') == ('2026-11-28T16:30:00Z', 'server')
    assert console_expiry(console(WEB01), REQUESTED, 1800) == ('2026-11-28T16:30:00Z', 'lifetime')
    assert console_expiry(console(WEB01), REQUESTED, 60) == ('2026-11-28T16:01:00Z', 'lifetime')
    assert not warnings
    assert console_expiry(console(WEB01, expired='whenever'), REQUESTED, 1800)[1] == 'lifetime'
    assert console_expiry(console(WEB01, expired='Nov 28, 2026 8:30:00 AM'), REQUESTED, 1800, 'UTC')[1] == 'server'
    assert len(warnings) == 2 and 'implausible' in warnings[1]


def test_console_expiry_rejects_bad_lifetime():
    with pytest.raises(AnsibleFilterError, match='token_lifetime'):
        console_expiry(console(WEB01), REQUESTED, 0)


# ------------------------------------------------------------------ launcher URL

@pytest.mark.parametrize('page', ['vnc.html', 'vnc_lite.html'])
def test_novnc_url_parameters_in_fragment(page):
    url = console_launcher_url(console(WEB01, 'web-01'), 'http://127.0.0.1:6080/%s' % page)
    base, fragment = url.split('#', 1)
    assert base == 'http://127.0.0.1:6080/%s' % page
    assert SESSION not in base
    token = '%s_%s' % (SESSION, WEB01)
    read = novnc_hash_var if page == 'vnc.html' else novnc_lite_var
    assert read(url, 'host') == '10.0.0.5'
    assert read(url, 'port') == '4900'
    assert read(url, 'path') == '?token=' + token
    assert novnc_hash_var(url, 'autoconnect') == 'true'
    assert novnc_hash_var(url, 'encrypt') == '0'
    assert novnc_hash_var(url, 'resize') == 'scale'
    assert novnc_hash_var(url, 'reconnect') == 'false'
    assert novnc_lite_var(url, 'scale') == 'true'
    assert 'token=' + token not in fragment  # only inside path, encoded


def test_novnc_url_https_ipv6_and_existing_parts():
    entry = console(WEB01, scheme='https', hostname='fd00::5', port=443)
    url = console_launcher_url(entry, 'https://bastion.example.com/novnc/vnc.html?lang=en#logging=warn')
    assert url.startswith('https://bastion.example.com/novnc/vnc.html?lang=en#logging=warn&autoconnect=true&')
    assert novnc_hash_var(url, 'host') == '[fd00::5]'
    assert novnc_hash_var(url, 'encrypt') == '1'
    assert novnc_hash_var(url, 'logging') == 'warn'


def test_zstack_ui_url_default_and_fragment():
    url = console_launcher_url(console(WEB01, 'web 01'), management_host='mn.example.com')
    assert url.startswith('http://mn.example.com:5000/thirdparty/vnc_auto.html#&host=10.0.0.5&port=4900&token=')
    for read in (novnc_hash_var, novnc_lite_var, legacy_query_var):
        assert read(url, 'host') == '10.0.0.5'
        assert read(url, 'token') == '%s_%s' % (SESSION, WEB01)
        assert read(url, 'title') == 'web 01'
    # Without a management host, the console proxy's host.
    assert console_launcher_url(console(WEB01)).startswith('http://10.0.0.5:5000/thirdparty/vnc_auto.html#&')
    assert console_launcher_url(console(WEB01, hostname='fd00::5')).startswith('http://[fd00::5]:5000/')


def test_query_mode_and_forced_style():
    url = console_launcher_url(console(WEB01), 'http://h/novnc/index.html?x=1', style='novnc', params_in='query')
    assert '#' not in url
    assert url.startswith('http://h/novnc/index.html?x=1&autoconnect=true&host=10.0.0.5&port=4900&path=%3Ftoken%3D')
    url = console_launcher_url(console(WEB01), 'http://h/vnc.html', style='zstack')
    assert '#&host=10.0.0.5&port=4900&token=' in url


def test_title_is_made_displayable():
    url = console_launcher_url(console(WEB01, 'a\ab\u202ec'), 'http://h/vnc_auto.html')
    assert legacy_query_var(url, 'title') == 'a\ufffdb\ufffdc'


def test_no_token_no_url_and_bad_inputs():
    assert console_launcher_url(console(WEB01, token=False), 'http://h/vnc.html') is None
    with pytest.raises(AnsibleFilterError, match='novnc_url'):
        console_launcher_url(console(WEB01), 'javascript:alert(1)')
    with pytest.raises(AnsibleFilterError, match='params_in'):
        console_launcher_url(console(WEB01), 'http://h/vnc.html', params_in='cookie')
    with pytest.raises(AnsibleFilterError, match='style'):
        console_launcher_url(console(WEB01), 'http://h/vnc.html', style='spice')
    with pytest.raises(AnsibleFilterError, match='dict'):
        console_launcher_url('web-01')


# ------------------------------------------------------------------ plan

OPERATORS = [
    {'name': 'alice', 'vms': ['web-01', WEB01.upper(), '../etc/pass wd\a;rm -rf', ' 测试-01 ']},
    {'name': 'bob', 'vms': [DUP1, DUP2, 'web 01', 'web/01'], 'dest': '/srv/consoles//bob/'},
]
CONSOLES = [
    console(WEB01, 'web-01', expired='Nov 28, 2026 4:30:00 PM'),
    console(WEB01),
    console('465a31fe9e91482aac43daa04431fe26', '../etc/pass wd\a;rm -rf', expired='Nov 28, 2026 4:30:00 PM'),
    console('7df0946313d446478cdb08e9c3183c0a', '测试-01'),
    console(DUP1),
    console(DUP2),
    console(WEB02, 'web 01'),
    console('ab04180819704b28aee1f3bc94f96637', 'web/01'),
]


def plan(**kwargs):
    options = dict(users=USERS, novnc_url='http://127.0.0.1:6080/vnc.html', token_lifetime=1800, requested_at=REQUESTED,
                   session_owned=True, server_timezone='UTC')
    options.update(kwargs)
    return console_file_plan(options.pop('consoles', CONSOLES), options.pop('operators', OPERATORS), **options)


def test_plan_directories_files_and_documents():
    alice, bob = plan()
    assert alice['dest'] == '/home/alice/zstack-consoles' and (alice['uid'], alice['gid']) == (1001, 1001)
    assert bob['dest'] == '/srv/consoles/bob' and (bob['uid'], bob['gid']) == (1002, 1002)
    assert [c['stem'] for c in alice['consoles']] == ['web-01', 'etc_pass_wd_rm_-rf', '测试-01']  # web-01 once
    assert [c['stem'] for c in bob['consoles']] == [DUP1, DUP2, 'web_01-a0d4ebf1', 'web_01-ab041808']
    assert alice['file_names'] == ['web-01.html', 'web-01.json', 'etc_pass_wd_rm_-rf.html', 'etc_pass_wd_rm_-rf.json',
                                   '测试-01.html', '测试-01.json', 'index.html']
    assert alice['manifest_name'] == '.zstack-console-files.json'
    hostile = alice['consoles'][1]
    assert hostile['title'] == '../etc/pass wd\ufffd;rm -rf'
    assert hostile['launcher_href'] == 'etc_pass_wd_rm_-rf.html'
    assert alice['consoles'][2]['launcher_href'] == '%E6%B5%8B%E8%AF%95-01.html'
    doc = hostile['document']
    assert doc['vm_instance_name'] == '../etc/pass wd\a;rm -rf'  # the JSON keeps the real name
    assert doc['token'] == '%s_465a31fe9e91482aac43daa04431fe26' % SESSION
    assert doc['expires_at'] == '2026-11-28T16:30:00Z' and doc['expires_at_source'] == 'server'
    assert doc['requested_at'] == REQUESTED and doc['session_owned'] is True
    assert doc['launcher_url'] == hostile['launcher_url'] and doc['launcher_url'].startswith('http://127.0.0.1:6080/vnc.html#')
    assert doc['websocket_url'] == 'ws://10.0.0.5:4900/?token=' + doc['token']
    assert bob['consoles'][0]['document']['vm_instance_name'] is None
    assert bob['consoles'][0]['title'] == DUP1
    assert bob['consoles'][0]['expires_at_source'] == 'lifetime'
    json.dumps(plan())  # plain data


def test_plan_without_secrets_holds_no_token():
    public = plan(with_secrets=False)
    assert SESSION not in json.dumps(public)
    assert all('launcher_url' not in c and 'document' not in c and c['has_token'] for p in public for c in p['consoles'])
    assert [p['file_names'] for p in public] == [p['file_names'] for p in plan()]


def test_plan_in_check_mode_has_no_launcher():
    consoles = [console(WEB01, 'web-01', token=False)]
    (alice,) = plan(consoles=consoles, operators=[{'name': 'alice', 'vms': ['web-01']}])
    assert alice['consoles'][0]['launcher_url'] is None and not alice['consoles'][0]['has_token']
    assert alice['consoles'][0]['expires_at'] == '2026-11-28T16:30:00Z'


def test_plan_directories_only():
    alice, bob = console_file_plan(None, OPERATORS, users=USERS)
    assert alice['consoles'] == [] and alice['file_names'] == [] and 'remove' not in alice
    assert bob['dest'] == '/srv/consoles/bob'


@pytest.mark.parametrize('operators, users, message', [
    ([{'name': 'carol', 'vms': []}], USERS, "'carol' is not a user on the target"),
    ([{'name': 'alice', 'dest': 'relative/dir'}], USERS, 'must be an absolute path'),
    ([{'name': 'alice', 'dest': '/'}], USERS, 'root directory'),
    ([{'name': 'alice', 'dest': '/srv/x/../..'}], USERS, 'root directory'),
    ([{'name': 'alice', 'dest': '/a\x00b'}], USERS, 'NUL'),
    ([{'name': 'alice'}, {'name': 'bob', 'dest': '/home/alice/zstack-consoles/'}], USERS, 'both write to'),
    ([{'name': 'alice'}], {'alice': {'uid': 1, 'gid': 1}}, 'no home directory'),
    ([{'vms': []}], USERS, 'has no name'),
    ('alice', USERS, 'must be a list'),
])
def test_plan_refuses(operators, users, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        console_file_plan(None, operators, users=users)


def test_plan_refuses_missing_or_failed_console():
    with pytest.raises(AnsibleFilterError, match="no console was returned for VM 'db-01'"):
        plan(operators=[{'name': 'alice', 'vms': ['db-01']}])
    failed = [{'vm_instance_name': 'web-01', 'failed': True, 'msg': 'VM web-01: token %s_%s' % (SESSION, WEB01)}]
    with pytest.raises(AnsibleFilterError, match='<redacted>'):
        plan(consoles=failed, operators=[{'name': 'alice', 'vms': ['web-01']}])


def test_plan_other_options():
    (alice,) = plan(operators=[{'name': 'alice', 'vms': ['web-01']}], dirname='consoles', novnc_url='',
                    management_host='mn', token_lifetime='60')
    assert alice['dest'] == '/home/alice/consoles'
    assert alice['consoles'][0]['launcher_url'].startswith('http://mn:5000/thirdparty/vnc_auto.html#&host=10.0.0.5')
    for bad in ('', 'a/b', '..'):
        with pytest.raises(AnsibleFilterError, match='dirname'):
            plan(dirname=bad)
    with pytest.raises(AnsibleFilterError, match='requested_at'):
        plan(requested_at='yesterday')


def test_plan_with_previous_manifests():
    old_alice = {'managed_by': cf.MANAGED_BY, 'files': ['web-01.html', 'web-01.json', 'gone.html', 'gone.json',
                                                        '../../etc/shadow', '.bashrc', 'notes.txt', 'index.html'],
                 'created_dir': True}
    slurped = {'content': base64.b64encode(json.dumps(old_alice).encode()).decode(), 'encoding': 'base64'}
    missing = {'failed': False, 'msg': 'file not found'}
    alice, bob = plan(previous=[slurped, missing], dir_existed=[True, False])
    assert alice['remove'] == ['gone.html', 'gone.json'] and alice['created_dir'] is True
    assert alice['manifest']['files'] == alice['file_names']
    assert alice['interim']['files'] == alice['file_names'] + ['gone.html', 'gone.json']
    assert bob['remove'] == [] and bob['created_dir'] is True  # the role is about to create it
    # state=absent: everything the manifest lists (and believes) goes
    alice, bob = console_file_plan(None, OPERATORS, users=USERS, previous=[slurped, None], dir_existed=True)
    assert alice['remove'] == ['web-01.html', 'web-01.json', 'gone.html', 'gone.json', 'index.html']
    assert bob['remove'] == [] and bob['created_dir'] is False


# ------------------------------------------------------------------ manifest

def test_manifest_trusts_only_plain_names():
    text = json.dumps({'managed_by': cf.MANAGED_BY, 'created_dir': False, 'files': [
        'ok.html', 'ok.json', '../x.html', '/etc/passwd', 'a/b.json', '.hidden.html', 'bad\n.html', 'x.txt', 42,
        '.zstack-console-files.json', '测试-01.html']})
    state = console_file_manifest(text)
    assert state['remove'] == ['ok.html', 'ok.json', '测试-01.html'] and state['created_dir'] is False


@pytest.mark.parametrize('previous', [
    None, '', 'not json', base64.b64encode(b'[1, 2]').decode(), json.dumps({'files': ['a.html']}),  # not ours
    {'content': '!!!', 'encoding': 'base64'}, {'skipped': True},
])
def test_manifest_unreadable_is_empty(previous):
    assert console_file_manifest(previous)['remove'] == []


def test_manifest_for_a_plan():
    state = console_file_manifest(None, {'name': 'alice', 'file_names': ['a.html', 'index.html']}, dir_existed=False)
    assert state['manifest'] == {'managed_by': cf.MANAGED_BY, 'version': 1, 'operator': 'alice', 'created_dir': True,
                                 'files': ['a.html', 'index.html']}
    assert state['interim'] == state['manifest'] and state['remove'] == []


# ------------------------------------------------------------------ sessions

OTHER = 'f' * 32  # another API session (a caller's, or the one that opened a VM's console first)
ROLE = 'e' * 32  # a session an earlier run of the role opened


def slurped(data, source):
    return {'content': base64.b64encode(json.dumps(data).encode()).decode(), 'encoding': 'base64', 'source': source,
            'changed': False, 'failed': False}


def ledger(operator, uid, *sessions):
    return {'managed_by': cf.MANAGED_BY, 'version': 1, 'operator': operator, 'uid': uid,
            'sessions': [{'uuid': uuid, 'owned': owned, 'recorded_at': REQUESTED} for uuid, owned in sessions]}


@pytest.mark.parametrize('token, expected', [
    ('%s_%s' % (SESSION, WEB01), SESSION),
    ('%s_%s_1764345600.5' % (SESSION.upper(), WEB01), SESSION),  # newer agents add the expiry to the token
    (SESSION, None), ('_%s' % WEB01, None), ('xyz_%s' % WEB01, None), (None, None), (42, None), ('', None),
])
def test_token_session(token, expected):
    assert token_session(token) == expected


def test_plan_session_owned_per_entry():
    consoles = [dict(console(WEB01, 'web-01'), session_owned=True),
                dict(console(WEB02, 'web-02'), token='%s_%s' % (OTHER, WEB02), session_owned=False),
                console(DUP1, 'dup-01')]  # no session_owned of its own: the session_owned option decides
    operators = [{'name': 'alice', 'vms': ['web-01', 'web-02', 'dup-01']}]
    for fallback in (True, False):
        (alice,) = plan(consoles=consoles, operators=operators, session_owned=fallback)
        assert [c['document']['session_owned'] for c in alice['consoles']] == [True, False, fallback]
        assert (alice['sessions_owned'], alice['sessions_other']) == (1, 1)  # SESSION once, OTHER once
        assert alice['ledger']['sessions'] == [{'uuid': SESSION, 'owned': True, 'recorded_at': REQUESTED},
                                               {'uuid': OTHER, 'owned': False, 'recorded_at': REQUESTED}]
        assert alice['ledger_name'] == 'uid-1001.json'


def test_plan_carries_ownership_forward_from_ledgers():
    # A second run: web-01 still has the console an earlier run of the role opened (session ROLE), and ZStack hands
    # that token out again; the module marks it not owned (this run logged in as SESSION), the ledger says it is.
    consoles = [dict(console(WEB01, 'web-01'), token='%s_%s' % (ROLE, WEB01), session_owned=False),
                dict(console(WEB02, 'web-02'), token='%s_%s' % (OTHER, WEB02), session_owned=False),
                dict(console(DUP1, 'dup-01'), session_owned=True)]
    operators = [{'name': 'alice', 'vms': ['web-01', 'web-02']}, {'name': 'bob', 'vms': ['dup-01', 'web-01']}]
    old_alice = slurped(ledger('alice', 1001, (OTHER, False), ('a' * 32, True)), '/var/lib/x/uid-1001.json')
    old_bob = slurped(ledger('bob', 1002, (ROLE.upper(), True), ('not a uuid', True)), '/var/lib/x/uid-1002.json')
    alice, bob = plan(consoles=consoles, operators=operators, ledgers=[old_alice, old_bob], requested_at='2026-11-28T17:00:00Z')
    assert [c['document']['session_owned'] for c in alice['consoles']] == [True, False]  # bob's record counts too
    assert [c['document']['session_owned'] for c in bob['consoles']] == [True, True]
    assert alice['ledger']['sessions'] == [
        {'uuid': OTHER, 'owned': False, 'recorded_at': REQUESTED},
        {'uuid': 'a' * 32, 'owned': True, 'recorded_at': REQUESTED},  # kept: its tokens may still be out there
        {'uuid': ROLE, 'owned': True, 'recorded_at': '2026-11-28T17:00:00Z'}]
    assert [s['uuid'] for s in bob['ledger']['sessions']] == [ROLE, SESSION]
    assert (alice['sessions_owned'], alice['sessions_other'], bob['sessions_owned']) == (1, 1, 2)
    # Unreadable or foreign records count as none; a missing one (slurp failed_when false) too.
    (alice,) = plan(consoles=consoles, operators=operators[:1],
                    ledgers=[{'failed': False, 'msg': 'file not found'}])
    assert [c['document']['session_owned'] for c in alice['consoles']] == [False, False]


def test_plan_without_secrets_has_no_session():
    consoles = [dict(console(WEB01, 'web-01'), session_owned=True)]
    (alice,) = plan(consoles=consoles, operators=[{'name': 'alice', 'vms': ['web-01']}], with_secrets=False,
                    ledgers=[slurped(ledger('alice', 1001, (OTHER, True)), '/l/uid-1001.json')])
    assert 'ledger' not in alice and alice['sessions_owned'] == 1
    assert SESSION not in json.dumps(alice) and OTHER not in json.dumps(alice)


def test_plan_ledger_name_needs_uid():
    with pytest.raises(AnsibleFilterError, match='no uid'):
        console_file_plan(None, [{'name': 'alice', 'dest': '/x'}], users={'alice': {'home': '/h'}})


def test_sessions_from_documents_and_ledgers():
    def document(session, vm, owned, **extra):
        return dict({'managed_by': cf.MANAGED_BY, 'vm_instance_uuid': vm, 'token': '%s_%s' % (session, vm),
                     'session_owned': owned}, **extra)

    records = [
        slurped(document(SESSION, WEB01, True), '/home/alice/zstack-consoles/web-01.json'),
        slurped(document(OTHER, WEB02, False), '/home/alice/zstack-consoles/web-02.json'),
        slurped(document(SESSION, DUP1, False), '/srv/bob/dup.json'),  # owned in another file: owned
        slurped(document(OTHER, DUP2, 'yes'), '/srv/bob/dup2.json'),  # only a real true counts
        slurped(ledger('bob', 1002, (ROLE, True), (OTHER, False)), '/var/lib/zcf/uid-1002.json'),
        slurped(dict(document(SESSION, WEB01, True), managed_by='someone else'), '/x/foreign.json'),
        slurped(document('nothex', WEB01, True), '/x/bad.json'),
        {'failed': False, 'msg': 'file not found', 'source': '/x/missing.json'},
        {'skipped': True}, {'failed': True, 'msg': 'Permission denied'}, None, 'text',
    ]
    found = console_file_sessions(records, host='bastion')
    alice_files = ['bastion:/home/alice/zstack-consoles/web-01.json', 'bastion:/srv/bob/dup.json']
    other_files = ['bastion:/home/alice/zstack-consoles/web-02.json', 'bastion:/srv/bob/dup2.json']
    assert found == [
        {'session_uuid': SESSION, 'owned': True, 'sources': alice_files, 'files': alice_files},
        {'session_uuid': OTHER, 'owned': False, 'sources': other_files + ['bastion:/var/lib/zcf/uid-1002.json'],
         'files': other_files},
        {'session_uuid': ROLE, 'owned': True, 'sources': ['bastion:/var/lib/zcf/uid-1002.json'], 'files': []},
    ]
    # Entries of several hosts merge: each session once, owned if any host says so.
    other_host = console_file_sessions([slurped(document(OTHER, WEB01, True), '/h/web-01.json')], host='b2')
    merged = console_file_sessions(found + other_host)
    assert [(e['session_uuid'], e['owned'], len(e['sources']), len(e['files'])) for e in merged] == [
        (SESSION, True, 2, 2), (OTHER, True, 4, 3), (ROLE, True, 1, 0)]
    assert console_file_sessions(None) == [] and console_file_sessions([]) == []
    with pytest.raises(AnsibleFilterError, match='expects a list'):
        console_file_sessions('text')


# ------------------------------------------------------------------ failure messages

TOKEN = '%s_%s' % (SESSION, WEB01)


def test_failure_message_names_failed_vms_without_tokens():
    result = {'failed': False, 'msg': 'Console access failed for 2 of 3 VMs; first: VM app-01: ...',
              'zstack_consoles': [
                  {'vm_instance_name': 'app-01', 'failed': True, 'msg': 'VM app-01: current state is Stopped',
                   'error': {'code': 'SYS.1006'}},
                  console(WEB01, 'web-01'),
                  {'vm_instance_uuid': WEB02, 'failed': True, 'msg': 'VM %s: Session[uuid:%s] expired' % (WEB02, SESSION)},
              ]}
    message = console_failure_message(result)
    assert message == ('zstack_console_access failed for 2 of 3 VMs: VM app-01: current state is Stopped [SYS.1006]; '
                       'VM %s: Session[uuid:<redacted>] expired' % WEB02)
    assert SESSION not in message


def test_failure_message_same_reason_once():
    result = {'zstack_consoles': [{'vm_instance_name': name, 'failed': True, 'msg': 'VM %s: Login failed' % name}
                                  for name in ('a', 'b')]}
    assert console_failure_message(result) == 'zstack_console_access failed for all 2 VMs (a, b): Login failed'


def test_failure_message_plain_and_loops():
    assert console_failure_message({'msg': 'missing required arguments: host'}) == \
        'zstack_console_access failed: missing required arguments: host'
    assert console_failure_message({'msg': 'denied', 'error': {'code': 'ID.1002'}}) == \
        'zstack_console_access failed: denied [ID.1002]'
    loop = {'failed': True, 'msg': 'One or more items failed', 'results': [
        {'failed': False, 'item': [{'name': 'alice'}, {'json': 'ok.json', 'token': TOKEN}]},
        {'failed': True, 'msg': 'Permission denied', 'item': [{'name': 'alice'}, {'json': 'web-01.json', 'token': TOKEN}]},
    ]}
    assert console_failure_message(loop, 'Writing', item_label=['0.name', '1.json']) == \
        'Writing failed: One or more items failed - alice: web-01.json: Permission denied'
    loop['results'][1]['_ansible_item_label'] = 'labelled'
    assert console_failure_message(loop, 'Writing').endswith('- labelled: Permission denied')
    assert console_failure_message(loop, 'Writing', item_label='1.nothing').endswith('- ?: Permission denied')
    assert console_failure_message('boom %s' % TOKEN) == 'zstack_console_access failed: boom <redacted>'
    assert console_failure_message({'unreachable': True, 'msg': 'ssh'}).endswith('(host unreachable)')


@pytest.mark.parametrize('text, expected', [
    ('token %s here' % TOKEN, 'token <redacted> here'),
    ('ws://h:4900/?token=%s' % TOKEN, 'ws://h:4900/?token=<redacted>'),
    ('Authorization: OAuth %s' % SESSION, 'Authorization: OAuth <redacted>'),
    ('session uuid: %s' % SESSION, 'session uuid: <redacted>'),
    ('no api mapping to /v1/accounts/sessions/%s/valid' % SESSION, 'no api mapping to /v1/accounts/sessions/<redacted>/valid'),
    ('vm[uuid:%s] is Stopped' % WEB01, 'vm[uuid:%s] is Stopped' % WEB01),  # VM UUIDs stay: they say what failed
])
def test_redact(text, expected):
    assert redact(text) == expected


# ------------------------------------------------------------------ plugin and documentation

def test_filters_and_their_docs():
    filters = FilterModule().filters()
    assert sorted(filters) == ['console_failure_message', 'console_file_manifest', 'console_file_plan',
                               'console_file_sessions', 'console_launcher_url']
    for name in filters:
        doc = yaml.safe_load((COLLECTION / 'plugins' / 'filter' / ('%s.yml' % name)).read_text(encoding='utf-8'))
        assert doc['DOCUMENTATION']['name'] == name
        assert doc['EXAMPLES'] and doc['RETURN']['_value']
        documented = set(doc['DOCUMENTATION']['options']) - {'_input'}
        code = filters[name].__code__
        arguments = set(code.co_varnames[1:code.co_argcount])
        assert documented == arguments, name


def test_requested_at_defaults_to_now():
    (alice,) = console_file_plan([console(WEB01, 'web-01')], [{'name': 'alice', 'vms': ['web-01']}], users=USERS)
    expires = datetime.fromisoformat(alice['consoles'][0]['expires_at'].replace('Z', '+00:00'))
    assert abs((expires - datetime.now(timezone.utc) - timedelta(seconds=1800)).total_seconds()) < 60
