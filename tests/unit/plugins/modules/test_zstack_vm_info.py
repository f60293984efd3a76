# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_vm_info through main(), against the ZStack simulator: selectors, messages, check mode, the session."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from ansible_collections.zstack.cloud.plugins.modules import zstack_vm_info

ACCOUNT = 'console-ops'
PASSWORD = 'C0nsole-Ops!'
WEB_01 = '374f25061ea8462da5c428fcb2aa243c'
WEB_01_DESTROYED = '7c8b84ec66a445748c03268341c286f5'
DB_01 = 'ab04180819704b28aee1f3bc94f96637'
APP_01 = '55206bb6b209490097acd8270869a3de'
DUP_01 = ('7c7208c6159744e597c6474086f04727', '1323e28ee0ad4cda9071efcf77130130')
HOST_1 = '930ed76e681e4c39b80fde512cab93ba'
HOST_2 = '2c37964565324cce83f7e90f505acb28'


@pytest.fixture
def sim(start_simulator, fleet_seed):
    simulator = start_simulator(fleet_seed(60))
    simulator.seed_vms = fleet_seed(60)['vms']
    return simulator


@pytest.fixture
def run(run_module, sim):
    """run(args, check_mode=False): the module against the simulator as console-ops -> (code, out, result)."""
    def go(args, check_mode=False, credentials=True):
        base = {'host': '127.0.0.1', 'port': sim.port}
        if credentials:
            base.update(account_name=ACCOUNT, account_password=PASSWORD)
        return run_module(zstack_vm_info, dict(base, **args), check_mode=check_mode)
    return go


def session_state(sim):
    state = sim.snapshot()
    return state['counters']['logins'], state['counters']['logouts'], state['sessions']


def uuids(result):
    return [vm['uuid'] for vm in result['vms']]


def test_by_query_the_vms_that_are_not_destroyed_by_name_then_uuid(run, sim):
    code, out, result = run({'vm_query': ['hostUuid=%s' % HOST_1]})
    assert code == 0 and result['changed'] is False
    expected = [vm for vm in sim.seed_vms if vm.get('owner') == ACCOUNT and vm.get('hostUuid') == HOST_1]
    assert uuids(result) == [vm['uuid'] for vm in sorted(expected, key=lambda vm: (vm['name'], vm['uuid']))]
    # Every state but Destroyed: a query by lastHostUuid also finds the Stopped and Paused ones.
    code, _out, result = run({'vm_query': ['lastHostUuid=%s' % HOST_2, 'state!=Running']})
    expected = {vm['uuid'] for vm in sim.seed_vms if vm.get('owner') == ACCOUNT
                and (vm.get('lastHostUuid') or vm.get('hostUuid')) == HOST_2 and vm['state'] not in ('Running', 'Destroyed')}
    assert set(uuids(result)) == expected and {vm['state'] for vm in result['vms']} == {'Stopped', 'Paused'}
    # The inventory as ZStack returns it, and one session per task, ended before it returns.
    code, _out, result = run({'vm_query': ['name=fleet-00000']})
    assert result['vms'][0]['vmNics'][0]['l3NetworkUuid'] == result['vms'][0]['defaultL3NetworkUuid']
    assert session_state(sim) == (3, 3, []) and PASSWORD not in out


def test_include_destroyed(run):
    _code, _out, result = run({'vm_query': ['name=web-01'], 'include_destroyed': True})
    assert sorted(uuids(result)) == sorted([WEB_01, WEB_01_DESTROYED])
    _code, _out, result = run({'vm_query': ['name=web-01']})
    assert uuids(result) == [WEB_01]


def test_a_query_no_vm_matches_is_an_empty_list(run):
    code, _out, result = run({'vm_query': ['name=no-such-vm']})
    assert code == 0 and result['vms'] == [] and result['changed'] is False


def test_more_than_max_vms_fails_with_their_number(run, sim):
    code, _out, result = run({'vm_query': ['hostUuid=%s' % HOST_1], 'max_vms': 3})
    assert code == 1 and result['failed']
    assert 'VMs that are not Destroyed, more than max_vms=3; narrow the query or raise max_vms' in result['msg']
    assert result['vm_count'] > 3 and session_state(sim)[1:] == (1, [])


def test_by_uuid_in_any_state_and_by_name_as_the_console_module_resolves_them(run):
    _code, _out, result = run({'vm_instance_uuid': WEB_01_DESTROYED.upper()})
    assert uuids(result) == [WEB_01_DESTROYED] and result['vms'][0]['state'] == 'Destroyed'
    _code, _out, result = run({'vm_instance_name': 'web-01'})
    assert uuids(result) == [WEB_01]


def test_vm_instances_keep_their_order_each_vm_once(run):
    _code, _out, result = run({'vm_instances': ['db-01', APP_01, {'query': ['name?=web-01,db-01']}, 'web-02', DB_01]})
    assert uuids(result)[:3] == [DB_01, APP_01, WEB_01]
    assert len(uuids(result)) == len(set(uuids(result))) == 4


@pytest.mark.parametrize('args, words', [
    ({'vm_instance_name': 'dup-01'}, "VM name 'dup-01' is ambiguous: 2 VMs that are not Destroyed have it"),
    ({'vm_instance_name': 'old-01'}, "No VM named 'old-01' that is not Destroyed (only Destroyed VMs have that name"),
    ({'vm_instances': ['web-01', 'no-such-vm']}, "No VM named 'no-such-vm' that is not Destroyed"),
    ({'vm_instance_uuid': 'f' * 32}, 'No VM with UUID %s that this account can see' % ('f' * 32)),
    ({'vm_instance_uuid': 'eb167e2ad10643e2be1e6bef48bb1ac9'}, 'that this account can see'),  # admin's VM
])
def test_a_reference_that_finds_no_vm_fails_and_still_ends_the_session(run, sim, args, words):
    code, out, result = run(args)
    assert code == 1 and words in result['msg'] and '\n' not in result['msg']
    if 'ambiguous' in words:
        assert sorted(result['candidates']) == sorted(DUP_01)
    assert session_state(sim) == (1, 1, []) and PASSWORD not in out


@pytest.mark.parametrize('args, words', [
    ({'vm_query': ['hostUuid']}, "'hostUuid' has no query operator"),
    ({'vm_query': []}, 'vm_query is empty'),
    ({'vm_query': ['name=x'], 'max_vms': 0}, 'max_vms must be between 1 and 1000'),
    ({'vm_instances': [{'query': ['name=x'], 'bad': 1}]}, 'a query item has the keys query'),
    ({'vm_instance_uuid': '374f2506-1ea8-462d-a5c4-28fcb2aa243c'}, 'is not a ZStack UUID'),
    ({'vm_instance_name': 'web-01', 'vm_query': ['name=x']}, 'mutually exclusive'),
    ({}, 'one of the following is required'),
])
def test_bad_options_fail_before_any_request(run, sim, args, words):
    code, _out, result = run(args)
    assert code == 1 and words in result['msg']
    assert sim.snapshot()['counters']['total'] == 0


def test_check_mode_runs_the_same(run, sim):
    args = {'vm_instances': ['web-02', {'query': ['hostUuid=%s' % HOST_1]}]}
    _code, _out, checked = run(args, check_mode=True)
    _code, _out, ran = run(args)
    assert checked['vms'] == ran['vms'] and checked['changed'] is ran['changed'] is False
    assert session_state(sim) == (2, 2, [])


def test_a_session_given_is_used_and_left_live(run, sim):
    reply = requests.put('%s/zstack/v1/accounts/login' % sim.base_url, timeout=10, json={'logInByAccount': {
        'accountName': ACCOUNT, 'password': hashlib.sha512(PASSWORD.encode()).hexdigest()}})
    session = reply.json()['inventory']['uuid']
    code, out, result = run({'session_uuid': session, 'vm_instance_name': 'web-02'}, credentials=False)
    assert code == 0 and [vm['name'] for vm in result['vms']] == ['web-02']
    logins, logouts, sessions = session_state(sim)
    assert (logins, logouts, [live['uuid'] for live in sessions]) == (1, 0, [session])  # the one login is ours
    assert session not in out


def test_the_environment_feeds_it(run, sim, monkeypatch):
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', ACCOUNT)
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', PASSWORD)
    code, _out, result = run({'vm_instance_name': 'db-01'}, credentials=False)
    assert code == 0 and uuids(result) == [DB_01] and session_state(sim)[:2] == (1, 1)


def test_a_server_that_goes_away_fails_in_one_line(run_module):
    code, _out, result = run_module(zstack_vm_info, {'host': '127.0.0.1', 'port': 1, 'account_name': ACCOUNT,
                                                     'account_password': PASSWORD, 'vm_instance_name': 'web-01'})
    assert code == 1 and result['msg'].startswith('Cannot connect to ZStack at http://127.0.0.1:1')
    assert '\n' not in result['msg'] and PASSWORD not in json.dumps(result)
