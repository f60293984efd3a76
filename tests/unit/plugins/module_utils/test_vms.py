# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _vms: VM references as given, and finding one VM by name."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    VmLookupError,
    ZStackApiError,
    ZStackConfigError,
    ZStackResponseError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._vms import VmRef, find_vm_by_name

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
VM = '5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b'
VM2 = '6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a'
VM3 = '7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b'
JOB = '9d8c7b6a5f4e3d2c1b0a998877665544'
LOCATION = 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + JOB
TOKEN = '%s_%s' % (SESSION, VM)


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
    with pytest.raises(VmLookupError) as info:
        find_vm_by_name(client, 'web-01')
    msg = info.value.msg
    assert 'ambiguous' in msg and '2 VMs' in msg
    assert VM in msg and VM2 in msg and VM3 not in msg
    assert info.value.to_result()['candidates'] == [VM, VM2]


def test_find_only_destroyed_lists_uuids(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [vm(VM, state='Destroyed'), vm(VM2, state='Destroyed')]})
    with pytest.raises(VmLookupError) as info:
        find_vm_by_name(client, 'web-01')
    msg = info.value.msg
    assert msg == "No VM named 'web-01' that is not Destroyed (only Destroyed VMs have that name: %s, %s)" % (VM, VM2)
    assert info.value.to_result()['candidates'] == [VM, VM2]


def test_find_none(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    with pytest.raises(VmLookupError) as info:
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
