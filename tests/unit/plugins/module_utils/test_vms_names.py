# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Several names resolved with one query (q=name?=a,b,c): the same verdict per name as one query per name."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._vms import (
    NAMES_PER_QUERY,
    QUERY_LIMIT,
    find_vm_by_name,
    find_vms_by_names,
    listable_names,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError, ZStackResponseError
from ansible_collections.zstack.cloud.plugins.modules import zstack_console_access

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'


def queries(rsps):
    return [[value for key, value in parse_qsl(urlsplit(c.request.url).query) if key == 'q'] for c in rsps.calls]


# ------------------------------------------------------------------ chunks

def test_listable_names_chunks_by_count():
    names = ['vm-%03d' % i for i in range(2 * NAMES_PER_QUERY + 7)]
    chunks = listable_names(names)
    assert [len(chunk) for chunk in chunks] == [NAMES_PER_QUERY, NAMES_PER_QUERY, 7]
    assert sum(chunks, []) == names


def test_listable_names_chunks_by_length():
    names = ['x' * 900, 'y' * 900, 'z' * 900, 'w']
    assert listable_names(names) == [['x' * 900, 'y' * 900], ['z' * 900, 'w']]


@pytest.mark.parametrize('name', ['a,b', 'a=b', 'a!=b', 'a<b', 'a>b', 'x?=y', 'x~=y', ',', "o'hara", "'"])
def test_names_that_cannot_go_in_a_list_are_left_out(name):
    assert listable_names(['web-01', name, 'web-02']) == [['web-01', 'web-02']]


def test_hostile_but_listable_names_stay_in():
    names = ['../etc/pass wd\u0007;rm -rf', '测试-01', 'a!b', 'is null', '%', 'x?y', 'back\\slash']
    assert listable_names(names) == [names]


# ------------------------------------------------------------------ one query, exact verdicts

def test_one_query_exact_case_sensitive_names(rsps, client):
    # The server matches case-insensitively and ignores trailing spaces; the client compares exactly.
    rsps.get(BASE + 'vm-instances', json={'inventories': [
        {'uuid': '1' * 32, 'name': 'web-01', 'state': 'Running'},
        {'uuid': '2' * 32, 'name': 'WEB-01', 'state': 'Running'},
        {'uuid': '3' * 32, 'name': 'web-01', 'state': 'Destroyed'},
        {'uuid': '4' * 32, 'name': 'db-01 ', 'state': 'Running'},
        {'uuid': '5' * 32, 'name': 'twin', 'state': 'Running'},
        {'uuid': '6' * 32, 'name': 'twin', 'state': 'Stopped'},
        {'uuid': '7' * 32, 'name': 'old', 'state': 'Destroyed'},
        'not a dict',
    ]})
    found = find_vms_by_names(client, ['web-01', 'WEB-01', 'db-01', 'twin', 'old', 'gone'])
    assert queries(rsps) == [['name?=web-01,WEB-01,db-01,twin,old,gone']]
    assert found['web-01']['uuid'] == '1' * 32
    assert found['WEB-01']['uuid'] == '2' * 32
    assert isinstance(found['db-01'], ZStackError) and found['db-01'].msg == "No VM named 'db-01' that is not Destroyed"
    assert isinstance(found['twin'], ZStackError) and 'is ambiguous' in found['twin'].msg
    assert found['twin'].result['candidates'] == ['5' * 32, '6' * 32]
    assert 'only Destroyed VMs have that name: %s' % ('7' * 32) in found['old'].msg
    assert found['gone'].msg == "No VM named 'gone' that is not Destroyed"


def test_a_reply_that_may_be_cut_is_not_used(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [{'uuid': '%032x' % i, 'name': 'n%d' % i, 'state': 'Running'}
                                                          for i in range(QUERY_LIMIT)]})
    assert find_vms_by_names(client, ['n1', 'n2']) is None


@pytest.mark.parametrize('reply', [{}, {'inventories': None}, {'inventories': {'uuid': 'x'}}])
def test_a_reply_without_inventories_raises(rsps, client, reply):
    rsps.get(BASE + 'vm-instances', json=reply)
    with pytest.raises(ZStackResponseError) as info:
        find_vms_by_names(client, ['a', 'b'])
    assert info.value.msg == 'ZStack answered the VM query for 2 names without an inventories list'


# ------------------------------------------------------------------ same verdict as one query per name

class FakeServer:
    """A client stand-in that answers VM queries like the server: `=` and `?=`, case-insensitive, trailing
    spaces ignored (MySQL utf8_general_ci)."""

    def __init__(self, vms):
        self.vms = vms
        self.calls = []

    @staticmethod
    def fold(text):
        return text.rstrip(' ').casefold()

    def call(self, method, path, query=None):
        self.calls.append(query)
        (_key, condition), = query
        if condition.startswith('name?='):
            wanted = {self.fold(item) for item in condition[len('name?='):].split(',')}
        else:
            wanted = {self.fold(condition[len('name='):])}
        return {'inventories': [vm for vm in self.vms if self.fold(vm['name']) in wanted]}


NAMES = st.sampled_from(['web-01', 'WEB-01', 'web-01 ', 'Web-01', 'db', 'DB', 'twin', 'x', 'X', '测试', 'ß', 'SS'])
VMS = st.lists(st.fixed_dictionaries({'name': NAMES, 'state': st.sampled_from(['Running', 'Stopped', 'Destroyed'])}),
               max_size=12).map(lambda vms: [dict(vm, uuid='%032x' % i) for i, vm in enumerate(vms)])


def verdict(value):
    return ('error', value.msg, value.result.get('candidates')) if isinstance(value, ZStackError) else ('vm', value['uuid'])


@settings(max_examples=200, deadline=None, database=None)
@given(vms=VMS, names=st.lists(NAMES.map(str.strip), min_size=1, max_size=6, unique=True))
def test_batch_verdicts_equal_single_verdicts(vms, names):
    server = FakeServer(vms)
    batch = find_vms_by_names(server, names)
    for name in names:
        try:
            single = find_vm_by_name(server, name)
        except ZStackError as err:
            single = err
        assert verdict(batch[name]) == verdict(single), name


# ------------------------------------------------------------------ in the module

def test_module_resolves_a_list_of_names_in_one_query(rsps, run_module):
    vms = [{'uuid': '%032x' % (i + 1), 'name': 'vm-%03d' % i, 'state': 'Running'} for i in range(120)]
    vms.append({'uuid': 'f' * 32, 'name': 'a,b', 'state': 'Running'})

    def query(request):
        (_key, condition), = parse_qsl(urlsplit(request.url).query)
        if condition.startswith('name?='):
            wanted = set(condition[len('name?='):].split(','))
        else:
            wanted = {condition[len('name='):]}
        return 200, {}, json.dumps({'inventories': [vm for vm in vms if vm['name'] in wanted]})

    rsps.add_callback('GET', BASE + 'vm-instances', callback=query)
    rsps.add_callback('POST', BASE + 'consoles', callback=lambda request: (200, {}, json.dumps({'inventory': {
        'hostname': 'h', 'port': 4900,
        'token': SESSION + '_' + json.loads(request.body)['params']['vmInstanceUuid']}})))
    names = [vm['name'] for vm in vms] + ['vm-000', 'missing']
    result = run_module(zstack_console_access, {'host': HOST, 'session_uuid': SESSION, 'vm_instances': names,
                                                'workers': 4}).result
    # vm-000 is given twice and counts once.
    assert result['msg'] == ("Console access failed for 1 of 122 VMs: No VM named 'missing' that is not Destroyed "
                             "(no console was handed out; allow_partial=true hands out the others)")
    assert result['failures'] == [{'vm_instance_name': 'missing', 'msg': "No VM named 'missing' that is not Destroyed"}]
    assert 'zstack_consoles' not in result
    consoles = [call for call in rsps.calls if call.request.method == 'POST']
    assert sorted(json.loads(call.request.body)['params']['vmInstanceUuid'] for call in consoles) == sorted(
        vm['uuid'] for vm in vms)
    lookups = queries(rsps)
    lookups = [q for q, c in zip(lookups, rsps.calls) if c.request.method == 'GET']
    # 121 distinct listable names in chunks of 50, and the name with a comma on its own.
    assert sorted(len(q[0].split(',')) for q in lookups if q[0].startswith('name?=')) == [21, 50, 50]
    assert ['name=a,b'] in lookups
    assert len(lookups) == 4


def test_module_reports_a_failed_name_query_for_each_name(rsps, run_module):
    rsps.get(BASE + 'vm-instances', status=500, body='java.lang.NullPointerException')
    result = run_module(zstack_console_access, {'host': HOST, 'session_uuid': SESSION,
                                                'vm_instances': ['web-01', 'web-02']}).result
    assert [item['msg'] for item in result['failures']] == [
        'VM %s: ZStack at http://%s:8080 answered HTTP 500: java.lang.NullPointerException' % (name, HOST)
        for name in ('web-01', 'web-02')]
    assert len(rsps.calls) == 1
