# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""vm_query: conditions checked the way ZStack reads them, the state filter, max_vms, paging, the order.

Selection runs against the ZStack simulator (tests/simulator/, real HTTP on loopback) where its query semantics
matter, and against a ``responses`` server where a page cut short or a malformed reply is the point.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._auth import LoginAuthenticator
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackConfigError,
    ZStackError,
    ZStackResponseError,
)
from ansible_collections.zstack.cloud.plugins.modules import zstack_console_access
from ansible_collections.zstack.cloud.plugins.module_utils._vms import (
    CONSOLE_STATES,
    QUERY_OPERATORS,
    STATE_CONDITION,
    check_conditions,
    check_max_vms,
    parse_condition,
    select_vms,
)

COLLECTION = Path(__file__).resolve().parents[4]
SIM_DIR = COLLECTION / 'tests' / 'simulator'
SEED = json.loads((SIM_DIR / 'seed.json').read_text(encoding='utf-8'))
HOST_1 = SEED['hosts'][0]['uuid']
HOST_2 = SEED['hosts'][1]['uuid']
CLUSTER = SEED['vmDefaults']['clusterUuid']

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'


def seed_vms(**match):
    return [vm for vm in SEED['vms'] if all(vm.get(key) == value for key, value in match.items())]


def by_name_then_uuid(vms):
    return [vm['uuid'] for vm in sorted(vms, key=lambda vm: (vm['name'], vm['uuid']))]


@pytest.fixture(scope='module')
def simulator(zstack_sim):
    """One simulator for the module's tests (the simulator module from tests/unit/plugins/conftest.py)."""
    sim = zstack_sim[0].Simulator(str(SIM_DIR / 'seed.json'), job_delay=0.01)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim_client(simulator):
    simulator.reset()
    return ZStackClient(Endpoint('127.0.0.1', simulator.port, timeout=10),
                        LoginAuthenticator('console-ops', 'C0nsole-Ops!'), retries=0)


def vm_queries(simulator):
    return simulator.snapshot()['counters']['requests'].get('GET /zstack/v1/vm-instances', 0)


# ------------------------------------------------------------------ conditions, before any request

@pytest.mark.parametrize('condition', [
    'hostUuid=%s' % HOST_1, 'clusterUuid=%s' % CLUSTER, 'name~=web-%', '__userTag__=team-a', 'vmNics.ip=10.0.0.5',
    'memorySize>=1073741824', 'cpuNum<4', 'name?=web-01,db-01', 'name!?=a,b', 'name!~=%-old', 'state!=Paused',
    'hostUuid is null', 'hostUuid not null', ' name =web-01', 'description=two words ', 'name=测试-01',
])
def test_conditions_zstack_reads_as_meant_are_sent_unchanged(condition):
    assert check_conditions([condition]) == [condition]


@pytest.mark.parametrize('condition, words', [
    ('hostUuid', 'has no query operator'),
    ('', 'is not a condition'),
    ('   ', 'is not a condition'),
    ('host uuid=abc', "'host uuid' is not a field name"),
    ('=abc', "'' is not a field name"),
    ('name~=a!=b', "field 'name~=a' and operator '!='"),  # RestServer takes "!=" first, wherever it is
    ('name=a<=b', "field 'name=a' and operator '<='"),
    ('name=', "has no value after '='"),
    ('name==web-01', 'starts with its operator'),
    ('hostUuid is null please', "has text after 'is null'"),
    ('name;drop=1', 'is not a field name'),
])
def test_conditions_zstack_would_misread_fail_in_one_line(condition, words):
    with pytest.raises(ZStackConfigError) as caught:
        check_conditions(['hostUuid=%s' % HOST_1, condition])
    assert words in caught.value.msg
    assert caught.value.msg.startswith('vm_query')
    assert '\n' not in caught.value.msg


def test_an_empty_query_is_refused_rather_than_selecting_every_vm():
    with pytest.raises(ZStackConfigError, match='vm_query is empty'):
        check_conditions([])


@pytest.mark.parametrize('value, ok', [(1, True), (50, True), (1000, True), (0, False), (-1, False), (1001, False)])
def test_max_vms_is_bounded(value, ok):
    if ok:
        assert check_max_vms(value) == value
    else:
        with pytest.raises(ZStackConfigError, match='max_vms must be between 1 and 1000, got %d' % value):
            check_max_vms(value)


_FIELD = st.from_regex(r'[A-Za-z0-9_]{1,8}(\.[A-Za-z0-9_]{1,8})?', fullmatch=True)
_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=('Cs',)), max_size=12)
# Values without a character of any operator (nor the words of "is null" / "not null").
_PLAIN_TEXT = st.text(alphabet=st.characters(blacklist_categories=('Cs',), blacklist_characters='=!<>?~'),
                      min_size=1, max_size=12).filter(lambda text: 'null' not in text)


@settings(max_examples=300, deadline=None, database=None)
@given(field=_FIELD, operator=st.sampled_from(QUERY_OPERATORS), value=_ANY_TEXT, padding=st.sampled_from(['', ' ']))
def test_what_the_client_accepts_the_server_reads_the_same_way(zstack_sim, field, operator, value, padding):
    """Whatever parse_condition lets through, RestServer's parser (as the simulator replays it) reads alike."""
    zs = zstack_sim[0]
    condition = padding + field + padding + operator + value
    try:
        parsed = parse_condition(condition)
    except ZStackConfigError:
        return
    name, op, parsed_value = zs._parse_condition(condition)  # pylint: disable=protected-access
    assert (name, op, parsed_value) == (parsed[0], dict(zs.QUERY_OPS)[parsed[1]], parsed[2])


@settings(max_examples=200, deadline=None, database=None)
@given(field=_FIELD, operator=st.sampled_from(QUERY_OPERATORS), value=_PLAIN_TEXT)
def test_a_plain_condition_is_read_as_written(field, operator, value):
    if operator in ('is null', 'not null'):
        assert parse_condition('%s %s' % (field, operator)) == (field, operator, None)
    else:
        assert parse_condition(field + operator + value) == (field, operator, value)


# ------------------------------------------------------------------ selection against the simulator

def test_a_host_query_selects_its_vms_that_can_have_a_console_by_name_then_uuid(simulator, sim_client):
    # console-ops owns these; admin-01 on the same host belongs to another account and stays out.
    expected = [vm for vm in seed_vms(hostUuid=HOST_1, owner='console-ops') if vm['state'] in CONSOLE_STATES]
    vms = select_vms(sim_client, ['hostUuid=%s' % HOST_1], 50)
    assert [vm['uuid'] for vm in vms] == by_name_then_uuid(expected)
    assert len(vms) == 4
    assert vm_queries(simulator) == 1
    assert simulator.snapshot()['counters']['logins'] == 1


def test_states_without_a_console_are_left_out(simulator, sim_client):
    # Every VM last on host 2: db-01, dup-01, paused-01 (Paused has a console), 测试-01 and the Stopped app-01.
    last_on_2 = seed_vms(lastHostUuid=HOST_2) + [vm for vm in seed_vms(hostUuid=HOST_2) if 'lastHostUuid' not in vm]
    assert 'Stopped' in {vm['state'] for vm in last_on_2}
    vms = select_vms(sim_client, ['lastHostUuid=%s' % HOST_2], 50)
    assert {vm['name'] for vm in vms} == {'db-01', 'dup-01', 'paused-01', '测试-01'}
    assert {vm['state'] for vm in vms} == {'Running', 'Paused'}


def test_a_name_pattern_and_a_host_are_anded(sim_client):
    vms = select_vms(sim_client, ['name~=dup-%', 'hostUuid=%s' % HOST_2], 50)
    assert [vm['uuid'] for vm in vms] == [vm['uuid'] for vm in seed_vms(name='dup-01', hostUuid=HOST_2)]


def test_same_names_are_ordered_by_uuid(sim_client):
    vms = select_vms(sim_client, ['name=dup-01'], 50)
    assert [vm['uuid'] for vm in vms] == sorted(vm['uuid'] for vm in seed_vms(name='dup-01'))


def test_more_matches_than_max_vms_fail_with_the_count_after_one_query(simulator, sim_client):
    with pytest.raises(ZStackError) as caught:
        select_vms(sim_client, ['clusterUuid=%s' % CLUSTER], 3)
    live = [vm for vm in seed_vms(owner='console-ops') if vm['state'] in CONSOLE_STATES]
    assert caught.value.msg == ('vm_query [clusterUuid=%s] matches %d VMs that can have a console, more than '
                                'max_vms=3; narrow the query or raise max_vms (no console was requested)'
                                % (CLUSTER, len(live)))
    assert caught.value.result['vm_count'] == len(live)
    assert vm_queries(simulator) == 1
    assert simulator.snapshot()['counters']['jobs_created'] == 0


def test_exactly_max_vms_matches_pass(sim_client):
    assert len(select_vms(sim_client, ['hostUuid=%s' % HOST_1], 4)) == 4


def test_no_match_fails_naming_the_query(sim_client):
    with pytest.raises(ZStackError) as caught:
        select_vms(sim_client, ['name~=nothing-%', 'hostUuid=%s' % HOST_1], 50)
    assert caught.value.msg == ('No VM in a state that can have a console (Running, Crashed, VolumeRecovering, Paused, '
                                'NoState) matches vm_query [name~=nothing-%%, hostUuid=%s]' % HOST_1)
    assert caught.value.result['vm_count'] == 0


def test_only_stopped_matches_count_as_no_match(sim_client):
    with pytest.raises(ZStackError, match=r'No VM in a state that can have a console .* matches vm_query \[name=app-01\]'):
        select_vms(sim_client, ['name=app-01'], 50)


def test_a_field_the_server_does_not_know_fails_with_its_error_and_the_query(sim_client):
    with pytest.raises(ZStackApiError) as caught:
        select_vms(sim_client, ['noSuchField=1'], 50)
    # On the ZQL path an unknown field is an internal error, SYS.1000 (docs/zstack-api-notes.md, "Finding a VM by name").
    assert caught.value.code == 'SYS.1000'
    assert caught.value.msg.startswith('vm_query [noSuchField=1]: ZStack API error SYS.1000')


# ------------------------------------------------------------------ paging and replies, against `responses`

def _vm(i, name=None, state='Running'):
    return {'uuid': '%032x' % (i + 1), 'name': name or 'vm-%03d' % i, 'state': state}


class PagingServer:
    """Answers GET /vm-instances from ``vms`` like ZStack (start, limit, total), but never more than ``cap`` a page."""

    def __init__(self, rsps, vms, cap=None, total=None):
        self.vms, self.cap, self.total = vms, cap, total
        self.pages = []
        rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=self.answer)

    def answer(self, request):
        params = parse_qsl(urlsplit(request.url).query)
        args = dict(params)
        self.pages.append(params)
        start, limit = int(args.get('start', 0)), int(args.get('limit', 1000))
        ordered = sorted(self.vms, key=lambda vm: vm['uuid']) if args.get('sort') == 'uuid' else self.vms
        page = ordered[start:start + min(limit, self.cap or limit)]
        body = {'inventories': page}
        if args.get('replyWithCount') == 'true':
            body['total'] = len(self.vms) if self.total is None else self.total
        return 200, {}, json.dumps(body)


def test_the_query_sends_each_condition_the_state_filter_a_count_and_a_stable_sort(rsps, client):
    server = PagingServer(rsps, [_vm(0)])
    select_vms(client, ['hostUuid=%s' % HOST_1, 'name~=web-%'], 7)
    assert server.pages == [[('q', 'hostUuid=%s' % HOST_1), ('q', 'name~=web-%'),
                             ('q', 'state?=Running,Crashed,VolumeRecovering,Paused,NoState'), ('replyWithCount', 'true'),
                             ('sort', 'uuid'), ('limit', '7'), ('start', '0')]]
    assert STATE_CONDITION == 'state?=' + ','.join(CONSOLE_STATES)


def test_pages_follow_while_the_server_cuts_the_answer(rsps, client):
    vms = [_vm(i, name='web-%02d' % (25 - i)) for i in range(25)]
    server = PagingServer(rsps, vms, cap=10)
    selected = select_vms(client, ['name~=web-%'], 50)
    assert [dict(page)['start'] for page in server.pages] == ['0', '10', '20']
    assert [vm['name'] for vm in selected] == sorted(vm['name'] for vm in vms)
    assert len({vm['uuid'] for vm in selected}) == 25


def test_one_page_when_the_server_gives_everything(rsps, client):
    server = PagingServer(rsps, [_vm(i) for i in range(40)])
    assert len(select_vms(client, ['name~=vm-%'], 40)) == 40
    assert len(server.pages) == 1


def test_paging_ends_when_the_vms_run_out_before_the_count(rsps, client):
    # VMs stopped between the count and the last page: what is there is served, no endless loop.
    server = PagingServer(rsps, [_vm(i) for i in range(5)], cap=2, total=9)
    assert len(select_vms(client, ['name~=vm-%'], 50)) == 5
    assert [dict(page)['start'] for page in server.pages] == ['0', '2', '4', '5']


def test_a_count_over_max_vms_stops_at_the_first_page(rsps, client):
    server = PagingServer(rsps, [_vm(i) for i in range(60)], cap=10)
    with pytest.raises(ZStackError, match='matches 60 VMs that can have a console, more than max_vms=50'):
        select_vms(client, ['name~=vm-%'], 50)
    assert len(server.pages) == 1


def test_a_server_that_gives_more_than_it_counts_and_asked_still_meets_max_vms(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [_vm(i) for i in range(8)], 'total': 2})
    with pytest.raises(ZStackError, match='matches 8 VMs .* more than max_vms=5'):
        select_vms(client, ['name~=vm-%'], 5)


def test_states_are_checked_on_the_client_too(rsps, client):
    PagingServer(rsps, [_vm(0, 'b', 'Running'), _vm(1, 'a', 'Stopped'), _vm(2, 'c', 'Destroyed'), _vm(3, 'd', 'NoState')])
    assert [vm['name'] for vm in select_vms(client, ['name~=%'], 50)] == ['b', 'd']


@pytest.mark.parametrize('body, words', [
    ({'total': 1}, 'without an inventories list'),
    ({'inventories': [_vm(0)]}, 'without a usable total'),
    ({'inventories': [_vm(0)], 'total': 'one'}, 'without a usable total'),
    ({'inventories': [_vm(0)], 'total': True}, 'without a usable total'),
    ({'inventories': [{'name': 'x', 'state': 'Running'}], 'total': 1}, 'a VM that has no UUID'),
    ({'inventories': ['not a VM'], 'total': 1}, 'a VM that has no UUID'),
])
def test_replies_the_client_cannot_use_fail_clearly(rsps, client, body, words):
    rsps.get(BASE + 'vm-instances', json=body)
    with pytest.raises(ZStackResponseError) as caught:
        select_vms(client, ['name=x'], 50)
    assert words in caught.value.msg
    assert 'vm_query [name=x]' in caught.value.msg


def test_a_total_written_as_a_float_is_read(rsps, client):
    rsps.get(BASE + 'vm-instances', json={'inventories': [_vm(0)], 'total': 1.0})
    assert len(select_vms(client, ['name=x'], 50)) == 1


# ------------------------------------------------------------------ query items in vm_instances (the role's selectors)

def test_vm_instances_mixes_names_and_query_items_with_one_login(simulator, run_module):
    simulator.reset()
    db01 = seed_vms(name='db-01')[0]['uuid']
    query = ['hostUuid=%s' % HOST_1]
    _code, _out, result = run_module(zstack_console_access, {
        'host': '127.0.0.1', 'port': simulator.port, 'account_name': 'console-ops', 'account_password': 'C0nsole-Ops!',
        'vm_instances': ['db-01', {'query': query, 'max_vms': 10}, 'db-01', {'query': query, 'max_vms': 10}]})
    assert not result.get('failed'), result.get('msg')
    entries = result['zstack_consoles']
    expected = [vm for vm in seed_vms(hostUuid=HOST_1, owner='console-ops') if vm['state'] in CONSOLE_STATES]
    # Each item once, in order: the name, then the query's VMs by name then UUID, each marked with its query.
    assert [entry['vm_instance_uuid'] for entry in entries] == [db01] + by_name_then_uuid(expected)
    assert 'vm_query' not in entries[0]
    assert all(entry['vm_query'] == query and entry['token'] for entry in entries[1:])
    assert simulator.snapshot()['counters']['logins'] == 1


@pytest.mark.parametrize('item, words', [
    ({'query': ['hostUuid=%s' % HOST_1], 'maxvms': 3}, 'a query item has the keys query'),
    ({'max_vms': 3}, 'a query item has the keys query'),
    ({'query': {'hostUuid': HOST_1}}, 'query must be a list of conditions'),
    ({'query': ['hostUuid']}, 'has no query operator'),
    ({'query': ['hostUuid=%s' % HOST_1], 'max_vms': 'many'}, 'max_vms must be a whole number'),
    ({'query': ['hostUuid=%s' % HOST_1], 'max_vms': 5000}, 'max_vms must be between 1 and 1000'),
    (['web-01'], 'neither a VM UUID or name nor a query item'),
])
def test_bad_query_items_fail_in_one_line_before_any_request(simulator, run_module, item, words):
    simulator.reset()
    _code, _out, result = run_module(zstack_console_access, {
        'host': '127.0.0.1', 'port': simulator.port, 'account_name': 'console-ops', 'account_password': 'C0nsole-Ops!',
        'vm_instances': ['web-02', item]})
    assert result['failed'] and words in result['msg'] and '\n' not in result['msg']
    assert simulator.snapshot()['counters']['logins'] == 0


def test_a_query_item_wider_than_its_max_vms_fails_before_any_console(simulator, run_module):
    simulator.reset()
    _code, _out, result = run_module(zstack_console_access, {
        'host': '127.0.0.1', 'port': simulator.port, 'account_name': 'console-ops', 'account_password': 'C0nsole-Ops!',
        'vm_instances': ['web-02', {'query': ['hostUuid=%s' % HOST_1], 'max_vms': 2}]})
    assert result['failed'] and 'more than max_vms=2' in result['msg'] and result['vm_count'] == 4
    assert simulator.snapshot()['counters']['jobs_created'] == 0
