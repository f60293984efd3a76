# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _consoles: VM references, lookup by name, the RequestConsoleAccess body and the console entry."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._auth import SessionAuthenticator
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._consoles import (
    VmRef,
    console_entry,
    find_vm_by_name,
    request_console,
    validates_only,
)
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock, parse_timezone
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackConfigError,
    ZStackError,
    ZStackResponseError,
)

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
VM = '5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b'
VM2 = '6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a'
VM3 = '7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b'
JOB = '9d8c7b6a5f4e3d2c1b0a998877665544'
LOCATION = 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + JOB
TOKEN = '%s_%s' % (SESSION, VM)


@pytest.fixture
def client(fake_time):
    return ZStackClient(Endpoint(HOST), SessionAuthenticator(SESSION), retries=0,
                        sleep=fake_time.sleep, clock=fake_time.clock)


# ------------------------------------------------------------------ VmRef.parse

@pytest.mark.parametrize('option', ['vm_instance_uuid', 'vm_instance_name', 'vm_instances'])
def test_parse_uuid(option):
    ref = VmRef.parse(VM, option)
    assert (ref.uuid, ref.name, ref.given) == (VM, None, VM)


@pytest.mark.parametrize('option', ['vm_instance_uuid', 'vm_instances'])
def test_parse_uppercase_uuid_normalised(option):
    ref = VmRef.parse('  ' + VM.upper() + '\n', option)
    assert ref.uuid == VM
    assert ref.name is None


@pytest.mark.parametrize('option', ['vm_instance_uuid', 'vm_instance_name', 'vm_instances'])
def test_parse_dashed_uuid_rejected(option):
    dashed = '5f3c2a9b-0e6d-4c1f-8a7b-6c5d4e3f2a1b'
    with pytest.raises(ZStackConfigError) as info:
        VmRef.parse(dashed, option)
    assert info.value.msg.startswith(option + ': ')
    assert 'not a ZStack UUID' in info.value.msg and dashed in info.value.msg


@pytest.mark.parametrize('value', ['web-01', VM[:31], VM + 'a', VM[:-1] + 'g', 'not a uuid'])
def test_parse_bad_uuid_option(value):
    with pytest.raises(ZStackConfigError) as info:
        VmRef.parse(value, 'vm_instance_uuid')
    assert 'vm_instance_uuid' in info.value.msg and '32 hex characters' in info.value.msg


@pytest.mark.parametrize('value', ['web-01', 'db server', '\u4e91\u4e3b\u673a-1', VM[:31], VM + '0', 'a' * 300])
def test_parse_names(value):
    for option in ('vm_instance_name', 'vm_instances'):
        ref = VmRef.parse(value, option)
        assert (ref.uuid, ref.name, ref.given) == (None, value, value)


def test_parse_name_is_stripped():
    assert VmRef.parse('  web-01 ', 'vm_instance_name').name == 'web-01'


@pytest.mark.parametrize('value', ['', '   ', '\n\t', None])
@pytest.mark.parametrize('option', ['vm_instance_uuid', 'vm_instance_name', 'vm_instances'])
def test_parse_empty(value, option):
    with pytest.raises(ZStackConfigError) as info:
        VmRef.parse(value, option)
    assert 'empty VM reference' in info.value.msg


@settings(max_examples=200, deadline=None, database=None)
@given(value=st.text(max_size=60) | st.from_regex(r'\A[0-9a-fA-F]{32}\Z') | st.from_regex(
    r'\A[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z'),
    option=st.sampled_from(['vm_instance_uuid', 'vm_instance_name', 'vm_instances']))
def test_parse_property(value, option):
    try:
        ref = VmRef.parse(value, option)
    except ZStackConfigError as err:
        assert err.msg.splitlines() == [err.msg]
        assert err.msg.startswith(option + ': ')
        return
    assert (ref.uuid is None) != (ref.name is None)
    if ref.uuid is not None:
        assert re.fullmatch(r'[0-9a-f]{32}', ref.uuid)
        assert ref.uuid == value.strip().lower()
    else:
        assert option != 'vm_instance_uuid'
        assert ref.name == value.strip() and ref.name
        assert not re.fullmatch(r'[0-9a-fA-F]{32}', ref.name)


# ------------------------------------------------------------------ find_vm_by_name

def vm(uuid, name='web-01', state='Running'):
    return {'uuid': uuid, 'name': name, 'state': state, 'hostUuid': 'h' * 32}


def test_find_unique(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [vm(VM), vm(VM2, state='Destroyed')]})
    assert find_vm_by_name(client, 'web-01')['uuid'] == VM
    query = parse_qsl(urlsplit(rsps.calls[0].request.url).query)
    assert ('q', 'name=web-01') in query
    assert rsps.calls[0].request.headers['Authorization'] == 'OAuth ' + SESSION


def test_find_name_is_url_encoded(rsps, client):
    name = 'db & cache=1?'
    rsps.get(BASE + 'vm-instances', json={'inventories': [vm(VM, name=name)]})
    assert find_vm_by_name(client, name)['uuid'] == VM
    assert parse_qsl(urlsplit(rsps.calls[0].request.url).query) == [('q', 'name=' + name)]


def test_find_ignores_other_names(rsps, client):
    """A server that matched loosely (or ignored the filter) does not make another VM match."""
    rsps.get(BASE + 'vm-instances', json={'inventories': [vm(VM2, name='web-010'), vm(VM), 'junk', None]})
    assert find_vm_by_name(client, 'web-01')['uuid'] == VM


def test_find_ambiguous_lists_uuids(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [vm(VM), vm(VM2, state='Stopped'), vm(VM3, state='Destroyed')]})
    with pytest.raises(ZStackError) as info:
        find_vm_by_name(client, 'web-01')
    msg = info.value.msg
    assert 'ambiguous' in msg and '2 VMs' in msg
    assert VM in msg and VM2 in msg and VM3 not in msg
    assert info.value.to_result()['candidates'] == [VM, VM2]


def test_find_only_destroyed_lists_uuids(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [vm(VM, state='Destroyed'), vm(VM2, state='Destroyed')]})
    with pytest.raises(ZStackError) as info:
        find_vm_by_name(client, 'web-01')
    msg = info.value.msg
    assert msg == "No VM named 'web-01' that is not Destroyed (only Destroyed VMs have that name: %s, %s)" % (VM, VM2)
    assert info.value.to_result()['candidates'] == [VM, VM2]


def test_find_none(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    with pytest.raises(ZStackError) as info:
        find_vm_by_name(client, 'web-01')
    assert info.value.msg == "No VM named 'web-01' that is not Destroyed"
    assert info.value.to_result()['candidates'] == []


@pytest.mark.parametrize('reply', [{}, {'inventories': None}, {'inventories': {'uuid': VM}}, {'inventory': [vm(VM)]}])
def test_find_bad_reply(rsps, client, reply):
    rsps.get(BASE + 'vm-instances', json=reply)
    with pytest.raises(ZStackResponseError) as info:
        find_vm_by_name(client, 'web-01')
    assert 'without an inventories list' in info.value.msg


def test_find_permission_denied(rsps, client):
    rsps.get(BASE + 'vm-instances', status=503, json={'error': {'code': 'ID.1002', 'description': 'permission denied'}})
    with pytest.raises(ZStackApiError) as info:
        find_vm_by_name(client, 'web-01')
    assert info.value.code == 'ID.1002'


# ------------------------------------------------------------------ request_console

def test_request_console_body_shape(rsps, client):
    rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
    inventory = {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN}
    rsps.get(BASE + 'api-jobs/' + JOB, json={'inventory': inventory})
    inventory = request_console(client, VM, ['ks::v'], ['mine'])
    assert inventory['token'] == TOKEN
    post = rsps.calls[0].request
    assert post.method == 'POST' and post.url == BASE + 'consoles'
    assert json.loads(post.body) == {'params': {'vmInstanceUuid': VM}, 'systemTags': ['ks::v'], 'userTags': ['mine']}
    assert post.headers['Content-Type'] == 'application/json;charset=UTF-8'


def test_request_console_default_tags_are_lists(rsps, client):
    rsps.post(BASE + 'consoles', json={'inventory': {'hostname': 'h', 'port': 1, 'token': 't'}})
    request_console(client, VM)
    assert json.loads(rsps.calls[0].request.body) == {'params': {'vmInstanceUuid': VM}, 'systemTags': [], 'userTags': []}


def test_request_console_validate_only(rsps, client):
    rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
    rsps.get(BASE + 'api-jobs/' + JOB, json={})
    tags = ['ks::v']
    assert request_console(client, VM, tags, [], validate_only=True) == {}
    # The exact tag ZStack recognises: PortalSystemTags.VALIDATION_ONLY = new EphemeralSystemTag("validationOnly"),
    # and EphemeralSystemTag prefixes "ephemeral::" (zstackio/zstack:
    # portal/src/main/java/org/zstack/portal/apimediator/PortalSystemTags.java, tag/src/main/java/org/zstack/tag/
    # EphemeralSystemTag.java); ApiMediatorImpl.dispatchMessage matches it with List.contains.
    assert json.loads(rsps.calls[0].request.body) == {
        'params': {'vmInstanceUuid': VM}, 'systemTags': ['ks::v', 'ephemeral::validationOnly'], 'userTags': []}
    assert tags == ['ks::v']  # the caller's list is not modified


def test_request_console_validate_only_not_duplicated(rsps, client):
    rsps.post(BASE + 'consoles', json={})
    request_console(client, VM, ['ephemeral::validationOnly'], [], validate_only=True)
    assert json.loads(rsps.calls[0].request.body)['systemTags'] == ['ephemeral::validationOnly']


def test_request_console_bare_validation_only_is_not_the_tag(rsps, client):
    rsps.post(BASE + 'consoles', json={})
    request_console(client, VM, ['validationOnly'], [], validate_only=True)
    assert json.loads(rsps.calls[0].request.body)['systemTags'] == ['validationOnly', 'ephemeral::validationOnly']


@pytest.mark.parametrize('reply', [{'inventory': {'hostname': 'h', 'port': 4900, 'token': TOKEN}}, {'inventory': 'x'}])
def test_request_console_validate_only_withholds_what_the_server_granted(rsps, client, reply):
    rsps.post(BASE + 'consoles', json=reply)
    warnings = []
    assert request_console(client, VM, [], [], validate_only=True, warn=warnings.append) == {}
    assert warnings == ['VM %s: ZStack created a console although it was asked only to validate '
                        '(ephemeral::validationOnly); the module withheld its token, and the console lives until it '
                        'expires or its session ends' % VM]
    assert TOKEN not in warnings[0]


def test_validates_only():
    assert validates_only(True, []) and validates_only(False, ['a', 'ephemeral::validationOnly'])
    assert not validates_only(False, ['validationOnly']) and not validates_only(False, None)


@pytest.mark.parametrize('reply', [{}, {'inventory': None}, {'inventory': 'x'}, {'inventory': []}])
def test_request_console_without_inventory(rsps, client, reply):
    rsps.post(BASE + 'consoles', json=reply)
    with pytest.raises(ZStackResponseError) as info:
        request_console(client, VM)
    assert 'without a console inventory' in info.value.msg and VM in info.value.msg
    assert info.value.msg.splitlines() == [info.value.msg]


def test_request_console_stopped_vm(rsps, client):
    error = {'code': 'SYS.1006', 'description': 'operation error',
             'details': 'vm[uuid:%s] is not in state of Running, current state is Stopped' % VM}
    rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
    rsps.get(BASE + 'api-jobs/' + JOB, status=503, json={'error': error})
    with pytest.raises(ZStackApiError) as info:
        request_console(client, VM)
    assert info.value.error == error


# ------------------------------------------------------------------ console_entry

def test_console_entry_port_float_to_int():
    entry = console_entry(VM, None, {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900.0, 'token': TOKEN})
    assert entry == {'vm_instance_uuid': VM, 'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN,
                     'websocket_url': 'ws://10.0.0.5:4900/?token=' + TOKEN}
    assert type(entry['port']) is int  # pylint: disable=unidiomatic-typecheck


def test_console_entry_port_string():
    assert console_entry(VM, None, {'hostname': 'h', 'port': '4900', 'token': 't'})['port'] == 4900


def test_console_entry_https_gives_wss_and_name():
    entry = console_entry(VM, 'web-01', {'scheme': 'https', 'hostname': 'proxy.example.test', 'port': 4443,
                                         'token': TOKEN, 'targetScheme': 'vnc', 'version': '1',
                                         'expiredDate': 'Nov 28, 2026 5:21:20 PM'}, NodeClock(parse_timezone('UTC')))
    assert entry == {'vm_instance_uuid': VM, 'vm_instance_name': 'web-01', 'scheme': 'https',
                     'hostname': 'proxy.example.test', 'port': 4443, 'token': TOKEN, 'target_scheme': 'vnc',
                     'version': '1', 'expired_date': 'Nov 28, 2026 5:21:20 PM', 'expires_at': '2026-11-28T17:21:20Z',
                     'websocket_url': 'wss://proxy.example.test:4443/?token=' + TOKEN}


@pytest.mark.parametrize('zone, expired_date, expires_at', [
    # ZStack writes expiredDate with gson's default format in the node's zone, without the zone
    # (zstackio/zstack: header/src/main/java/org/zstack/header/console/ConsoleInventory.java, a java.sql.Timestamp).
    ('Asia/Shanghai', 'Dec 1, 2026 12:20:00 AM', '2026-11-30T16:20:00Z'),
    ('Asia/Shanghai', 'Dec 1, 2026, 12:20:00\u202fAM', '2026-11-30T16:20:00Z'),
    ('+05:30', 'Nov 30, 2026 9:50:00 PM', '2026-11-30T16:20:00Z'),
    ('UTC', 1796055600000, '2026-11-30T16:20:00Z'),
])
def test_console_entry_expires_at_in_the_nodes_zone(zone, expired_date, expires_at):
    entry = console_entry(VM, None, {'hostname': 'h', 'port': 4900, 'token': 't', 'expiredDate': expired_date},
                          NodeClock(parse_timezone(zone)))
    assert entry['expired_date'] == expired_date  # the server's own value, untouched
    assert entry['expires_at'] == expires_at


def test_console_entry_expires_at_only_when_readable():
    for inventory_date in (None, 'soon'):
        entry = console_entry(VM, None, {'hostname': 'h', 'port': 4900, 'token': 't', 'expiredDate': inventory_date})
        assert 'expires_at' not in entry


def test_console_entry_optional_keys_only_when_sent():
    entry = console_entry(VM, None, {'hostname': 'h', 'port': 4900, 'token': 't', 'targetScheme': None})
    assert set(entry) == {'vm_instance_uuid', 'scheme', 'hostname', 'port', 'token', 'websocket_url'}
    assert entry['scheme'] == 'http'  # default when the server sends none


def test_console_entry_ipv6_host():
    entry = console_entry(VM, None, {'hostname': 'fd00::5', 'port': 4900, 'token': 't'})
    assert entry['websocket_url'] == 'ws://[fd00::5]:4900/?token=t'
    assert entry['hostname'] == 'fd00::5'


def test_console_entry_empty_inventory_in_check_mode():
    assert console_entry(VM, 'web-01', {}) == {'vm_instance_uuid': VM, 'vm_instance_name': 'web-01'}


@pytest.mark.parametrize('missing', ['hostname', 'port', 'token'])
@pytest.mark.parametrize('absent', [None, '', 'drop'])
def test_console_entry_missing_keys(missing, absent):
    inventory = {'hostname': 'h', 'port': 4900, 'token': TOKEN}
    if absent == 'drop':
        del inventory[missing]
    else:
        inventory[missing] = absent
    with pytest.raises(ZStackResponseError) as info:
        console_entry(VM, None, inventory)
    assert info.value.msg == 'The console inventory for VM %s lacks %s' % (VM, missing)


@pytest.mark.parametrize('port', ['abc', [], {}, float('nan'), float('inf'), '1e999'])
def test_console_entry_bad_port(port):
    with pytest.raises(ZStackResponseError) as info:
        console_entry(VM, None, {'hostname': 'h', 'port': port, 'token': 't'})
    assert 'port that is not a number' in info.value.msg
