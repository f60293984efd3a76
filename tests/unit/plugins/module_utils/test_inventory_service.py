# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin's workflow without Ansible: host names, host variables, the cache's key and check, read_vms
against the simulator (one login, every page, the session ended), and from an inventory group back to its VMs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._inventory_service import (
    cache_identity,
    group_vms,
    host_names,
    inventory_hosts,
    read_vms,
    valid_cached_vms,
)

A = 'a' * 32
B = 'b' * 32
C = 'c' * 32
D = 'd' * 32
ACCOUNT = 'console-ops'
PASSWORD = 'C0nsole-Ops!'


def vm(uuid, name, **fields):
    return dict(fields, uuid=uuid, name=name)


def options(port=8080, **more):
    base = dict(host='127.0.0.1', port=port, scheme='http', validate_certs=True, ca_path=None, timeout=10,
                wait_timeout=30, retries=0, server_timezone=None, account_name=ACCOUNT, account_password=PASSWORD,
                vm_query=[], include_destroyed=False)
    base.update(more)
    return base


# ------------------------------------------------------------------ host names

def test_a_name_no_other_vm_has_is_the_host_name():
    assert host_names([vm(A, 'web-01'), vm(B, 'db-01')]) == {A: 'web-01', B: 'db-01'}


def test_a_shared_name_gives_each_vm_its_name_and_uuid_prefix():
    assert host_names([vm(A, 'web'), vm(B, 'web'), vm(C, 'db')]) == {A: 'web_aaaaaaaa', B: 'web_bbbbbbbb', C: 'db'}


def test_a_name_taken_already_falls_back_to_the_whole_uuid():
    names = host_names([vm(A, 'web'), vm(B, 'web'), vm(C, 'web_aaaaaaaa')])
    assert names == {A: 'web_' + A, B: 'web_bbbbbbbb', C: 'web_aaaaaaaa'}


def test_a_vm_without_a_name_is_its_uuid():
    assert host_names([vm(A, ''), {'uuid': B}, vm(C, None)]) == {A: A, B: B, C: C}


def test_the_names_do_not_depend_on_the_order():
    vms = [vm(A, 'x'), vm(B, 'x'), vm(C, 'x_aaaaaaaa'), vm(D, 'y')]
    assert host_names(vms) == host_names(list(reversed(vms)))


# Names made to collide with the names the rule makes: VM i has UUID %032x of i + 1.
COLLIDING = ['w', 'w_00000000', 'w_%032x' % 1, 'w_%032x_2' % 1, '', 'x', '%032x' % 2, '%032x_2' % 2]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.sampled_from(COLLIDING), max_size=12))
def test_host_names_are_distinct_whatever_the_names(names):
    vms = [vm('%032x' % (index + 1), name) for index, name in enumerate(names)]
    assert len(set(host_names(vms).values())) == len(vms)


def test_inventory_hosts_hold_the_vm_and_its_default_address():
    nic = {'l3NetworkUuid': 'l3', 'ip': '10.0.0.5'}
    hosts = inventory_hosts([vm(A, 'web', defaultL3NetworkUuid='l3', vmNics=[nic]), vm(B, 'db', vmNics=[])])
    assert hosts == [('web', {'zstack_vm': vm(A, 'web', defaultL3NetworkUuid='l3', vmNics=[nic]),
                              'ansible_host': '10.0.0.5'}),
                     ('db', {'zstack_vm': vm(B, 'db', vmNics=[])})]


# ------------------------------------------------------------------ the cache

def test_the_cache_key_changes_with_what_the_vms_depend_on_and_holds_no_secret():
    key = cache_identity(options())
    assert key == cache_identity(options(account_password='another password'))
    for change in ({'host': 'other'}, {'port': 8443}, {'account_name': 'admin'}, {'user_name': 'oncall'},
                   {'vm_query': ['name=x']}, {'include_destroyed': True}):
        assert cache_identity(options(**change)) != key
    assert PASSWORD not in key and len(key) == 12


@pytest.mark.parametrize('cached, valid', [
    ([], True), ([{'uuid': A, 'name': 'x'}], True), (None, False), ({'uuid': A}, False), ([{'uuid': 'x'}], False),
    (['vm'], False), ([{'name': 'x'}], False),
])
def test_only_a_list_of_vms_is_taken_from_the_cache(cached, valid):
    assert valid_cached_vms(cached) is valid


# ------------------------------------------------------------------ read_vms against the simulator

@pytest.fixture
def fleet(start_simulator, fleet_seed):
    return start_simulator(fleet_seed(1100))


def test_read_vms_logs_in_once_reads_every_page_and_ends_the_session(fleet):
    warnings = []
    vms = read_vms(options(fleet.port), warnings.append)
    state = fleet.snapshot()
    assert len(vms) > 1000 and all(vm['state'] != 'Destroyed' for vm in vms)
    assert [vm['uuid'] for vm in vms] == sorted(vm['uuid'] for vm in vms)
    assert (state['counters']['logins'], state['counters']['logouts'], state['sessions']) == (1, 1, [])
    assert state['counters']['requests']['GET /zstack/v1/vm-instances'] == 2 and warnings == []


def test_a_bad_condition_fails_before_any_request(fleet):
    with pytest.raises(ZStackConfigError, match="'hostUuid' has no query operator"):
        read_vms(options(fleet.port, vm_query=['hostUuid']), print)
    assert fleet.snapshot()['counters']['total'] == 0


# ------------------------------------------------------------------ an inventory group back to its VMs

GROUPS = {'host_1': ['web', 'db'], 'empty': [], 'mixed': ['web', 'bastion']}
HOSTVARS = {'web': {'zstack_vm': vm(A, 'web')}, 'db': {'zstack_vm': vm(B, 'db')}, 'bastion': {'ansible_host': 'x'}}


def test_group_vms_are_its_hosts_zstack_vm_in_order():
    assert group_vms('host_1', GROUPS, HOSTVARS, 2) == [vm(A, 'web'), vm(B, 'db')]
    assert group_vms(' host_1 ', GROUPS, HOSTVARS) == [vm(A, 'web'), vm(B, 'db')]
    assert group_vms('', GROUPS, HOSTVARS) == group_vms(None, GROUPS, HOSTVARS) == []


@pytest.mark.parametrize('group, max_vms, words', [
    ('host_2', None, 'inventory group host_2: no such group in the inventory'),
    ('empty', None, 'inventory group empty has no host'),
    ('mixed', None, 'inventory group mixed: 1 of its hosts have no zstack_vm (bastion), so they are not VMs of the '
                    'zstack.cloud.zstack inventory'),
    ('host_1', 1, 'inventory group host_1 holds 2 VMs, more than max_vms=1'),
])
def test_group_vms_fail_in_one_line(group, max_vms, words):
    with pytest.raises(ZStackConfigError) as caught:
        group_vms(group, GROUPS, HOSTVARS, max_vms)
    assert caught.value.msg == words
