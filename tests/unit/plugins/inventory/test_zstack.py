# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin zstack.cloud.zstack through ansible-core's InventoryManager and the `auto` plugin (in a
process of their own: inventory_run.py), against the ZStack simulator (real HTTP on loopback) seeded with a fleet
of VMs."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from ansible_collections.zstack.cloud.plugins.doc_fragments import auth as auth_fragment
from ansible_collections.zstack.cloud.plugins.doc_fragments import connection as connection_fragment
from ansible_collections.zstack.cloud.plugins.module_utils._connection import AUTH_ENV, CONNECTION_ENV
from ansible_collections.zstack.cloud.plugins.module_utils._inventory_service import default_address

ACCOUNT = 'console-ops'
PASSWORD = 'C0nsole-Ops!'
COLLECTIONS = Path(__file__).resolve().parents[7]
RUN = Path(__file__).resolve().parent / 'inventory_run.py'
FLEET = 1100
TEMPLATE_NAME = '{{ 6 * 7 }}'


def read(source, *options):
    """inventory_run.py's answer for the source: {"hosts": {name: vars}, "groups": {name: [hosts]}, ...}, and what
    ansible-core wrote to stderr (its warnings) in "stderr"."""
    assert (COLLECTIONS / 'ansible_collections' / 'zstack' / 'cloud' / 'plugins' / 'inventory' / 'zstack.py').exists()
    env = {name: value for name, value in os.environ.items() if name != 'PYTHONPATH'}
    done = subprocess.run([sys.executable, str(RUN), str(COLLECTIONS), source] + list(options), env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout), stderr=done.stderr)


def parse_directly(source, *options):
    """The plugin alone: its failure, if any, is in "error" ({"type", "message"})."""
    return read(source, '--direct', *options)


def vm_uuids(answer):
    return {variables['zstack_vm']['uuid'] for variables in answer['hosts'].values()}


@pytest.fixture
def fleet(start_simulator, fleet_seed):
    """A simulator with the bundled seed, FLEET more VMs, and a VM whose name looks like a template."""
    seed = fleet_seed(FLEET)
    seed['vms'].append({'uuid': 'f' * 32, 'name': TEMPLATE_NAME, 'state': 'Running', 'owner': ACCOUNT,
                        'hostUuid': seed['hosts'][0]['uuid'], 'vncPort': 5999})
    sim = start_simulator(seed)
    sim.seed = seed
    return sim


def account_vms(sim, include_destroyed=False):
    return [vm for vm in sim.seed['vms'] if vm.get('owner') == ACCOUNT
            and (include_destroyed or vm['state'] != 'Destroyed')]


def write_source(tmp_path, sim, name='fleet.zstack.yml', credentials=True, **options):
    config = {'plugin': 'zstack.cloud.zstack', 'host': '127.0.0.1', 'port': sim.port}
    if credentials:
        config.update(account_name=ACCOUNT, account_password=PASSWORD)
    config.update(options)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config), encoding='utf-8')
    return str(path)


def counters(sim):
    state = sim.snapshot()
    return state['counters'], state['sessions']


def vm_queries(sim):
    return counters(sim)[0]['requests'].get('GET /zstack/v1/vm-instances', 0)


# ------------------------------------------------------------------ hosts, groups, variables

def test_every_vm_but_the_destroyed_ones_is_a_host_read_in_pages_with_one_login_ended_after(tmp_path, fleet):
    answer = read(write_source(tmp_path, fleet, keyed_groups=[{'key': 'zstack_vm.hostUuid', 'prefix': 'host'}]))
    live = account_vms(fleet)
    assert len(answer['hosts']) == len(live) > 1000
    assert vm_uuids(answer) == {vm['uuid'] for vm in live}
    # Every page read (ZStack gives at most 1000 a page), one login, and its session ended: none left live.
    calls, sessions = counters(fleet)
    assert vm_queries(fleet) == math.ceil(len(live) / 1000) == 2
    assert (calls['logins'], calls['logouts'], sessions) == (1, 1, [])
    # keyed_groups by hypervisor host: each group holds exactly the VMs ZStack places on that host; a Stopped VM has
    # no hostUuid (ZStack clears it), so it is in none.
    for seed_host in fleet.seed['hosts']:
        members = answer['groups']['host_%s' % seed_host['uuid']]
        expected = {vm['uuid'] for vm in live if vm.get('hostUuid') == seed_host['uuid']}
        assert {answer['hosts'][name]['zstack_vm']['uuid'] for name in members} == expected
    assert any(vm['state'] == 'Stopped' for vm in live)


def test_zstack_vm_is_the_inventory_zstack_returns_and_ansible_host_the_default_nic(tmp_path, fleet):
    answer = read(write_source(tmp_path, fleet))
    by_uuid = {variables['zstack_vm']['uuid']: variables for variables in answer['hosts'].values()}
    # The fleet: index 6 has a second NIC listed first, index 24 has none, index 0 only the default one.
    first, other_first, no_nic = (by_uuid[_fleet_uuid(index)] for index in (0, 6, 24))
    assert first['ansible_host'] == '10.0.0.0'
    assert other_first['zstack_vm']['vmNics'][0]['ip'].startswith('192.168.')
    assert other_first['ansible_host'] == '10.0.0.6'
    assert 'ansible_host' not in no_nic and no_nic['zstack_vm']['vmNics'] == []
    vm = first['zstack_vm']
    assert vm['name'] == 'fleet-00000' and vm['state'] == 'Running'
    for field in ('zoneUuid', 'clusterUuid', 'hostUuid', 'defaultL3NetworkUuid', 'createDate', 'memorySize'):
        assert field in vm  # the whole inventory, as ZStack returns it


def _fleet_uuid(index):
    return hashlib.md5(('fleet-%05d' % index).encode('ascii')).hexdigest()


def test_a_name_two_vms_share_gives_each_its_own_host_name(tmp_path, fleet):
    names = set(read(write_source(tmp_path, fleet))['hosts'])
    a, b = _fleet_uuid(32), _fleet_uuid(33)  # fleet-00033 is named fleet-00032 too
    assert 'fleet-00032' not in names
    assert {'fleet-00032_%s' % a[:8], 'fleet-00032_%s' % b[:8], 'fleet-00031'} <= names
    assert {'dup-01_7c7208c6', 'dup-01_1323e28e'} <= names  # the seed's two Running dup-01


def test_include_destroyed_and_vm_query(tmp_path, fleet):
    answer = read(write_source(tmp_path, fleet, include_destroyed=True))
    assert vm_uuids(answer) == {vm['uuid'] for vm in account_vms(fleet, include_destroyed=True)}
    assert any(variables['zstack_vm']['state'] == 'Destroyed' for variables in answer['hosts'].values())
    host_1 = fleet.seed['hosts'][0]['uuid']
    answer = read(write_source(tmp_path, fleet, vm_query=['hostUuid=%s' % host_1, 'name~=fleet-%']))
    assert vm_uuids(answer) == {vm['uuid'] for vm in account_vms(fleet)
                                if vm.get('hostUuid') == host_1 and vm['name'].startswith('fleet-')}


def test_compose_groups_and_strict(tmp_path, fleet):
    answer = read(write_source(
        tmp_path, fleet, vm_query=['name~=fleet-0000%'],
        compose={'ansible_host': 'zstack_vm.uuid[:8]', 'zstack_state': 'zstack_vm.state | lower'},
        groups={'stopped': "zstack_vm.state == 'Stopped'", 'broken': 'zstack_vm.no_such_field.x'}))
    host = answer['hosts']['fleet-00009']
    assert host['ansible_host'] == _fleet_uuid(9)[:8] and host['zstack_state'] == 'stopped'
    assert answer['groups']['stopped'] == ['fleet-00009']
    assert 'broken' not in answer['groups']
    # strict: a template that fails fails the source.
    answer = parse_directly(write_source(tmp_path, fleet, name='strict.zstack.yml', vm_query=['name~=fleet-0000%'],
                                         strict=True, groups={'broken': 'zstack_vm.no_such_field.x'}))
    assert 'no_such_field' in answer['error']['message']


def test_values_from_zstack_are_never_templated(tmp_path, fleet):
    source = write_source(tmp_path, fleet, vm_query=['uuid=%s' % ('f' * 32)])
    answer = read(source, '--template', TEMPLATE_NAME, '{{ zstack_vm.name }}')
    assert list(answer['hosts']) == [TEMPLATE_NAME]
    assert answer['hosts'][TEMPLATE_NAME]['zstack_vm']['name'] == TEMPLATE_NAME
    assert answer['templated'] == TEMPLATE_NAME  # not 42


# ------------------------------------------------------------------ the environment (what AWX injects)

def test_the_zstack_environment_feeds_it_and_empty_variables_count_as_unset(tmp_path, fleet, monkeypatch):
    source = tmp_path / 'env.zstack.yml'
    source.write_text('plugin: zstack.cloud.zstack\nvm_query: [name=web-02]\n', encoding='utf-8')
    # AWX sets every variable of the credential type, the empty ones too.
    for name, value in (('ZSTACK_HOST', '127.0.0.1'), ('ZSTACK_PORT', str(fleet.port)), ('ZSTACK_ACCOUNT_NAME', ACCOUNT),
                        ('ZSTACK_ACCOUNT_PASSWORD', PASSWORD), ('ZSTACK_VALIDATE_CERTS', ''), ('ZSTACK_CA_PATH', ''),
                        ('ZSTACK_SCHEME', ''), ('ZSTACK_SERVER_TIMEZONE', ''), ('ZSTACK_USER_NAME', ''),
                        ('ZSTACK_ACCESS_KEY_ID', ''), ('ZSTACK_ACCESS_KEY_SECRET', ''), ('ZSTACK_SESSION_UUID', '')):
        monkeypatch.setenv(name, value)
    answer = parse_directly(str(source), '--options')
    options = answer['options']
    # An empty ZSTACK_VALIDATE_CERTS does not turn certificate checks off, an empty ZSTACK_CA_PATH names no file.
    assert (options['validate_certs'], options['ca_path'], options['scheme']) == (True, None, 'http')
    assert options['port'] == fleet.port and not any(name in options for name in AUTH_ENV)
    assert 'error' not in answer and list(answer['hosts']) == ['web-02']
    monkeypatch.setenv('ZSTACK_PORT', '')
    assert parse_directly(str(source), '--options')['options']['port'] == 8080


def test_auth_in_the_file_wins_over_the_environment_as_a_whole(tmp_path, fleet, monkeypatch):
    # The environment holds an AccessKey; the file an account: the file's is used, never a mix of both.
    monkeypatch.setenv('ZSTACK_ACCESS_KEY_ID', 'AsN1tBkCVhC3uCNnYfX2')
    monkeypatch.setenv('ZSTACK_ACCESS_KEY_SECRET', 'not-this-one')
    assert list(read(write_source(tmp_path, fleet, vm_query=['name=db-01']))['hosts']) == ['db-01']
    assert counters(fleet)[0]['logins'] == 1


def test_the_doc_fragments_name_the_variables_the_modules_read():
    fragments = {}
    for module in (connection_fragment, auth_fragment):
        fragments.update(yaml.safe_load(module.ModuleDocFragment.INVENTORY)['options'])
    documented = {option: [entry['name'] for entry in spec['env']] for option, spec in fragments.items()}
    assert documented == {option: [variable] for option, variable in dict(CONNECTION_ENV, **AUTH_ENV).items()}


# ------------------------------------------------------------------ sessions and failures

def test_a_session_given_is_used_and_left_live(tmp_path, fleet):
    reply = requests.put('%s/zstack/v1/accounts/login' % fleet.base_url, timeout=10, json={'logInByAccount': {
        'accountName': ACCOUNT, 'password': hashlib.sha512(PASSWORD.encode()).hexdigest()}})
    session = reply.json()['inventory']['uuid']
    answer = read(write_source(tmp_path, fleet, credentials=False, session_uuid=session, vm_query=['name=web-01']))
    assert list(answer['hosts']) == ['web-01']
    calls, sessions = counters(fleet)
    assert calls['logouts'] == 0 and [s['uuid'] for s in sessions] == [session]


def test_a_failure_after_the_login_still_ends_the_session(tmp_path, fleet):
    fleet.add_faults({'method': 'GET', 'path': 'vm-instances', 'error': 'SYS.1000', 'times': 1})
    error = parse_directly(write_source(tmp_path, fleet))['error']
    assert error['type'] == 'AnsibleError' and 'ZStack API error SYS.1000' in error['message']
    calls, sessions = counters(fleet)
    assert (calls['logins'], calls['logouts'], sessions) == (1, 1, [])


@pytest.mark.parametrize('options, error, words', [
    ({'account_password': 'wrong-' + PASSWORD}, 'AnsibleError',
     'Login as account console-ops failed: ZStack API error ID.1000'),
    ({'vm_query': ['hostUuid']}, 'AnsibleParserError', "vm_query: 'hostUuid' has no query operator"),
    ({'access_key_id': 'AsN1tBkCVhC3uCNnYfX2'}, 'AnsibleParserError', 'Give exactly one way to authenticate'),
    ({'port': 1}, 'AnsibleError', 'Cannot connect to ZStack at http://127.0.0.1:1: connection refused'),
    ({'timeout': 0}, 'AnsibleParserError', 'timeout must be 1 or more'),
])
def test_failures_are_one_line_without_a_secret(tmp_path, fleet, options, error, words):
    answer = parse_directly(write_source(tmp_path, fleet, **options))
    assert answer['error']['type'] == error and answer['hosts'] == {}
    message = answer['error']['message']
    assert words in message and '\n' not in message and PASSWORD not in message
    if error == 'AnsibleParserError':
        assert counters(fleet)[0]['logins'] == 0  # found before any request


def test_only_zstack_yml_files_are_its_sources(tmp_path):
    for name, wanted in (('a.zstack.yml', True), ('a.zstack.yaml', True), ('zstack.yml', False), ('a.yml', False)):
        path = tmp_path / name
        path.write_text('plugin: zstack.cloud.zstack\nhost: 127.0.0.1\nport: 1\naccount_name: a\n'
                        'account_password: b\n', encoding='utf-8')
        answer = read(str(path))
        # Its own sources reach it (and fail to connect); the others are refused before anything is sent.
        assert answer['hosts'] == {}
        assert ('Cannot connect to ZStack at http://127.0.0.1:1' in answer['stderr']) is wanted
        assert ('could not be verified by inventory plugin' in answer['stderr']) is not wanted


# ------------------------------------------------------------------ the inventory cache

def test_the_cache_answers_the_second_run_and_holds_no_secret(tmp_path, fleet):
    cache_dir = tmp_path / 'cache'
    options = dict(vm_query=['name~=fleet-000%'], cache=True, cache_plugin='ansible.builtin.jsonfile',
                   cache_connection=str(cache_dir), cache_timeout=600)
    source = write_source(tmp_path, fleet, **options)
    first = read(source)['hosts']
    queries = vm_queries(fleet)
    assert len(first) == len([vm for vm in account_vms(fleet) if vm['name'].startswith('fleet-000')])
    second = read(source)['hosts']
    assert second == first and vm_queries(fleet) == queries and counters(fleet)[0]['logins'] == 1
    cached = ''.join(path.read_text(encoding='utf-8') for path in cache_dir.iterdir())
    assert json.loads(cached) and PASSWORD not in cached
    # Another query is another key: read from ZStack again.
    options['vm_query'] = ['name~=fleet-001%']
    other = write_source(tmp_path, fleet, name='other.zstack.yml', **options)
    assert read(other)['hosts'] and vm_queries(fleet) == queries + 1


# ------------------------------------------------------------------ the default NIC, alone

@pytest.mark.parametrize('vm, address', [
    ({'defaultL3NetworkUuid': 'a',
      'vmNics': [{'l3NetworkUuid': 'b', 'ip': '1.1.1.1'}, {'l3NetworkUuid': 'a', 'ip': '2.2.2.2'}]}, '2.2.2.2'),
    ({'defaultL3NetworkUuid': 'a', 'vmNics': [{'l3NetworkUuid': 'b', 'ip': '1.1.1.1'}]}, None),
    ({'vmNics': [{'l3NetworkUuid': 'a', 'ip': '1.1.1.1'}]}, None),
    ({'defaultL3NetworkUuid': 'a', 'vmNics': [{'l3NetworkUuid': 'a'}]}, None),
    ({'defaultL3NetworkUuid': 'a', 'vmNics': 'not a list'}, None),
    ({'defaultL3NetworkUuid': 'a', 'vmNics': ['not a NIC', {'l3NetworkUuid': 'a', 'ip': '3.3.3.3'}]}, '3.3.3.3'),
])
def test_default_address(vm, address):
    assert default_address(vm) == address
