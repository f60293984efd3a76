# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading many VMs: list_vms (every page, side by side), find_vms_by_uuids, and the scope each selector keeps.

Against a ``responses`` server that answers like ZStack's RestServer.handleQueryApi (limit, start, sort,
replyWithCount), where the page sizes and the order of the requests are the point.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from ansible_collections.zstack.cloud.plugins.module_utils._auth import SessionAuthenticator
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackApiError, ZStackError, ZStackResponseError
from ansible_collections.zstack.cloud.plugins.module_utils._vms import (
    ANY_STATE_SCOPE,
    CONSOLE_SCOPE,
    NOT_DESTROYED_SCOPE,
    find_vms_by_uuids,
    list_vms,
    select_vms,
)

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'


@pytest.fixture
def client(fake_time):
    return ZStackClient(Endpoint(HOST), SessionAuthenticator(SESSION), retries=0, pool_size=4, max_requests=4,
                        sleep=fake_time.sleep, clock=fake_time.clock)


def _vm(i, state='Running'):
    return {'uuid': '%032x' % (7919 * i % 100003 + 1), 'name': 'vm-%05d' % i, 'state': state}


class QueryServer:
    """GET /vm-instances like ZStack: conditions on state (= != ?=), sort=uuid, start, limit (1000 by default, and
    never more than ``cap``), total with replyWithCount. Records each request's parameters, and the most requests it
    had in flight at once (``gate`` holds every request until released)."""

    def __init__(self, rsps, vms, cap=None, gate=None):
        self.vms, self.cap, self.gate = vms, cap, gate
        self.pages = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=self.answer)

    def answer(self, request):
        params = parse_qsl(urlsplit(request.url).query)
        with self.lock:
            self.pages.append(params)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.gate is not None:
            self.gate.wait(5)
        args = dict(params)
        matched = [vm for vm in self.vms if all(self._holds(vm, value) for name, value in params if name == 'q')]
        if args.get('sort') == 'uuid':
            matched.sort(key=lambda vm: vm['uuid'])
        start, limit = int(args.get('start', 0)), int(args.get('limit', 1000))
        body = {'inventories': matched[start:start + min(limit, self.cap or limit)]}
        if args.get('replyWithCount') == 'true':
            body['total'] = len(matched)
        with self.lock:
            self.in_flight -= 1
        return 200, {}, json.dumps(body)

    @staticmethod
    def _holds(vm, condition):
        for operator, test in (('!=', lambda a, b: a != b), ('?=', lambda a, b: a in b.split(',')),
                               ('=', lambda a, b: a == b)):
            if operator in condition:
                field, value = condition.split(operator, 1)
                return test(str(vm.get(field)), value)
        raise AssertionError('unexpected condition %r' % condition)


def starts(server):
    return sorted(int(dict(page)['start']) for page in server.pages)


# ------------------------------------------------------------------ list_vms

def test_a_listing_under_one_page_is_one_request_that_counts_and_sorts(rsps, client):
    server = QueryServer(rsps, [_vm(i) for i in range(50)] + [_vm(50, 'Destroyed')])
    vms = list_vms(client, [], NOT_DESTROYED_SCOPE)
    assert len(vms) == 50 and [vm['uuid'] for vm in vms] == sorted(vm['uuid'] for vm in vms)
    assert server.pages == [[('q', 'state!=Destroyed'), ('replyWithCount', 'true'), ('sort', 'uuid'),
                             ('limit', '1000'), ('start', '0')]]


def test_every_page_is_read_past_zstacks_default_limit_the_later_ones_side_by_side(rsps, client):
    gate = threading.Barrier(4)  # the four pages after the first must be in flight together to pass
    vms = [_vm(i) for i in range(4500)]
    server = QueryServer(rsps, vms, gate=_after_first(gate))
    listed = list_vms(client, [], ANY_STATE_SCOPE)
    assert [vm['uuid'] for vm in listed] == sorted(vm['uuid'] for vm in vms)
    assert starts(server) == [0, 1000, 2000, 3000, 4000]
    assert server.most_in_flight == 4
    later = [dict(page) for page in server.pages if dict(page)['start'] != '0']
    assert all(page['limit'] == '1000' and page['sort'] == 'uuid' and 'replyWithCount' not in page for page in later)


class _after_first:
    """Lets the first request through, then holds each later one at a barrier."""

    def __init__(self, barrier):
        self.barrier, self.first = barrier, True

    def wait(self, timeout):
        if self.first:
            self.first = False
            return
        self.barrier.wait(timeout)


def test_pages_in_flight_are_bounded(rsps, client):
    server = QueryServer(rsps, [_vm(i) for i in range(9000)])
    assert len(list_vms(client, [], ANY_STATE_SCOPE, pages_in_flight=3)) == 9000
    assert len(server.pages) == 9 and server.most_in_flight <= 3


def test_a_server_that_caps_its_pages_sets_the_page_size(rsps, client):
    server = QueryServer(rsps, [_vm(i) for i in range(1250)], cap=300)
    assert len(list_vms(client, [], ANY_STATE_SCOPE)) == 1250
    assert starts(server) == [0, 300, 600, 900, 1200]
    assert {dict(page)['limit'] for page in server.pages[1:]} == {'300'}


def test_the_scope_is_asked_for_and_checked_again(rsps, client):
    vms = [_vm(0), _vm(1, 'Destroyed'), _vm(2, 'Stopped')]
    QueryServer(rsps, vms)
    assert {vm['state'] for vm in list_vms(client, [], NOT_DESTROYED_SCOPE)} == {'Running', 'Stopped'}
    assert {vm['state'] for vm in list_vms(client, [], ANY_STATE_SCOPE)} == {'Running', 'Stopped', 'Destroyed'}
    # A server that ignored the state filter still gives no Destroyed VM to a NOT_DESTROYED listing.
    rsps.replace(responses.GET, BASE + 'vm-instances', json={'inventories': vms, 'total': 3})
    assert {vm['state'] for vm in list_vms(client, [], NOT_DESTROYED_SCOPE)} == {'Running', 'Stopped'}


def test_no_vm_is_an_empty_listing(rsps, client):
    QueryServer(rsps, [])
    assert list_vms(client, ['name=nothing'], NOT_DESTROYED_SCOPE) == []


@pytest.mark.parametrize('body, words', [
    ({'total': 1}, 'ZStack answered vm_query [name=x] without an inventories list'),
    ({'inventories': [{'uuid': 'x'}], 'total': 1}, 'a VM that has no UUID'),
    ({'inventories': [], 'total': None}, 'without a usable total'),
])
def test_replies_it_cannot_use_fail_in_one_line(rsps, client, body, words):
    rsps.get(BASE + 'vm-instances', json=body)
    with pytest.raises(ZStackResponseError, match=words.replace('[', r'\[').replace(']', r'\]')):
        list_vms(client, ['name=x'], NOT_DESTROYED_SCOPE)


def test_an_api_error_names_the_query(rsps, client):
    rsps.get(BASE + 'vm-instances', status=503, json={'error': {'code': 'SYS.1007', 'details': 'no such field'}})
    with pytest.raises(ZStackApiError, match=r'^vm_query \[noSuchField=1\]: ZStack API error SYS.1007'):
        list_vms(client, ['noSuchField=1'], NOT_DESTROYED_SCOPE)
    rsps.replace(responses.GET, BASE + 'vm-instances', status=503, json={'error': {'code': 'SYS.1000'}})
    with pytest.raises(ZStackApiError, match=r'^the query of every VM: ZStack API error SYS.1000'):
        list_vms(client, [], NOT_DESTROYED_SCOPE)


# ------------------------------------------------------------------ select_vms with another scope

def test_select_vms_with_the_info_scope_takes_no_match_as_an_empty_answer(rsps, client):
    QueryServer(rsps, [_vm(0, 'Stopped'), _vm(1, 'Destroyed')])
    selected = select_vms(client, ['name?=vm-00000,vm-00001'], 50, NOT_DESTROYED_SCOPE)
    assert [vm['state'] for vm in selected] == ['Stopped']
    assert select_vms(client, ['name=nothing'], 50, NOT_DESTROYED_SCOPE) == []
    with pytest.raises(ZStackError, match=r'^No VM in a state that can have a console'):
        select_vms(client, ['name=nothing'], 50, CONSOLE_SCOPE)


def test_too_many_says_what_the_scope_selects(rsps, client):
    QueryServer(rsps, [_vm(i, 'Stopped') for i in range(6)])
    with pytest.raises(ZStackError) as caught:
        select_vms(client, ['state=Stopped'], 5, NOT_DESTROYED_SCOPE)
    assert caught.value.msg == ('vm_query [state=Stopped] matches 6 VMs that are not Destroyed, more than max_vms=5; '
                                'narrow the query or raise max_vms')
    assert caught.value.result['vm_count'] == 6


# ------------------------------------------------------------------ find_vms_by_uuids

def test_vms_by_uuid_in_batches_any_state(rsps, client):
    vms = [_vm(i, 'Destroyed' if i % 2 else 'Running') for i in range(120)]
    server = QueryServer(rsps, vms)
    wanted = [vm['uuid'] for vm in vms] + ['f' * 32]
    found = find_vms_by_uuids(client, wanted + wanted[:3])
    assert set(found) == {vm['uuid'] for vm in vms}
    assert [len(dict(page)['q'].split(',')) for page in server.pages] == [50, 50, 21]
    assert all(dict(page)['q'].startswith('uuid?=') for page in server.pages)
    assert find_vms_by_uuids(client, []) == {} and len(server.pages) == 3
