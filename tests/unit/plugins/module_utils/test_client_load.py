# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client under load and in an outage: bounded requests in flight, fail fast once the node is gone,
one login per task even when that login fails."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
import requests
import responses
import urllib3

from ansible_collections.zstack.cloud.plugins.module_utils._auth import LoginAuthenticator, SessionAuthenticator
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackError,
    ZStackHttpError,
    ZStackResponseError,
    ZStackTransportError,
)

HOST = 'zstack.example.test'
ENDPOINT = 'http://%s:8080' % HOST
BASE = ENDPOINT + '/zstack/v1/'
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'


def make_client(fake_time, auth=None, **kwargs):
    kwargs.setdefault('retries', 3)
    return ZStackClient(Endpoint(HOST), auth or SessionAuthenticator(SESSION),
                        sleep=fake_time.sleep, clock=fake_time.clock, **kwargs)


def conn_reset():
    return requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        'Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))


class Concurrency:
    """A responses callback that records how many requests were in flight at once."""

    def __init__(self, reply, delay=0.02):
        self.reply = reply
        self.delay = delay
        self.current = 0
        self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.current += 1
            self.peak = max(self.peak, self.current)
        time.sleep(self.delay)
        with self.lock:
            self.current -= 1
        return self.reply(request) if callable(self.reply) else self.reply


# ------------------------------------------------------------------ requests in flight

@pytest.mark.parametrize('max_requests', [1, 3])
def test_max_requests_bounds_requests_in_flight(rsps, fake_time, max_requests, run_together):
    tracker = Concurrency((200, {}, json.dumps({'inventories': []})))
    rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=tracker)
    client = make_client(fake_time, max_requests=max_requests, pool_size=max_requests)
    results, errors = run_together(12, lambda: client.call('GET', 'vm-instances'))
    assert errors == [] and len(results) == 12
    assert tracker.peak <= max_requests


def test_without_max_requests_threads_are_not_serialised(rsps, fake_time, run_together):
    tracker = Concurrency((200, {}, json.dumps({'inventories': []})), delay=0.1)
    rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=tracker)
    client = make_client(fake_time)
    run_together(4, lambda: client.call('GET', 'vm-instances'))
    assert tracker.peak > 1


def test_waiting_for_a_job_holds_no_request_slot(rsps, run_together):
    """With one request slot, two jobs still run side by side: the poll waits happen outside the slot."""
    jobs = {}
    lock = threading.Lock()

    running = set()
    peak = []

    def post(request):
        with lock:
            job = '%032x' % (len(jobs) + 1)
            jobs[job] = time.monotonic()
            running.add(job)
            peak.append(len(running))
        return 202, {}, json.dumps({'location': 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + job})

    def poll(request):
        job = request.url.rsplit('/', 1)[-1]
        if time.monotonic() - jobs[job] < 0.3:
            return 202, {}, '{}'
        with lock:
            running.discard(job)
        return 200, {}, json.dumps({'inventory': {'job': job}})

    rsps.add_callback(responses.POST, BASE + 'consoles', callback=post)
    rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + 'api-jobs/[0-9a-f]{32}$'), callback=poll)
    client = ZStackClient(Endpoint(HOST), SessionAuthenticator(SESSION), max_requests=1, pool_size=1)
    results, errors = run_together(4, lambda: client.call('POST', 'consoles', body={}))
    assert errors == [] and len(results) == 4
    # A job is running from its POST until the poll that finds it done. Had the poll waits held the one slot,
    # every job would have finished before the next POST: never more than one running.
    assert max(peak) > 1, peak


def test_the_slot_is_kept_through_the_back_off(rsps, fake_time):
    """While one request backs off before its retry, no other request is sent in its place."""
    order = []
    replies = iter([(502, {}, 'bad gateway'), (200, {}, '{"first": true}'), (200, {}, '{"second": true}')])

    def callback(request):
        order.append(request.url)
        return next(replies)

    rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=callback)
    client = make_client(fake_time, max_requests=1, pool_size=1)
    assert client.call('GET', 'vm-instances') == {'first': True}
    assert client.call('GET', 'vm-instances') == {'second': True}
    assert fake_time.sleeps == [0.5]


# ------------------------------------------------------------------ outage: fail fast

@pytest.mark.parametrize('failure, expected', [
    ({'body': conn_reset()}, 'was dropped before an answer (after 3 attempts)'),
    ({'status': 502, 'body': 'Bad Gateway'}, 'answered HTTP 502: Bad Gateway (after 3 attempts)'),
    ({'status': 503, 'body': ''}, 'answered HTTP 503: (empty body) (after 3 attempts)'),
    ({'body': requests.exceptions.ConnectionError('Failed to establish a new connection: [Errno 111] Connection refused')},
     'connection refused'),
    ({'body': requests.exceptions.ReadTimeout('read timed out')}, 'did not answer within timeout=30 s'),
    ({'body': requests.exceptions.SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')}, 'TLS error'),
])
def test_after_an_outage_nothing_more_is_sent(rsps, fake_time, failure, expected):
    rsps.get(BASE + 'vm-instances', **failure)
    rsps.post(BASE + 'consoles', json={})
    client = make_client(fake_time, retries=2)
    with pytest.raises(ZStackError) as first:
        client.call('GET', 'vm-instances')
    assert expected in first.value.msg
    sent = len(rsps.calls)
    for _unused in range(3):
        with pytest.raises(ZStackTransportError) as later:
            client.call('POST', 'consoles', body={})
        assert later.value.msg == 'Not sent, because an earlier request failed: %s' % first.value.msg
    assert len(rsps.calls) == sent


@pytest.mark.parametrize('reply, error', [
    ({'status': 503, 'json': {'error': {'code': 'SYS.1006', 'details': 'stopped'}}}, ZStackApiError),
    ({'status': 404, 'body': 'no api mapping'}, ZStackHttpError),
    ({'status': 500, 'body': 'NullPointerException'}, ZStackHttpError),
    ({'status': 200, 'body': '{"inventory": '}, ZStackResponseError),
])
def test_answers_that_are_errors_do_not_stop_the_task(rsps, fake_time, reply, error):
    """The node answered: that VM failed, but the next request is still sent."""
    rsps.get(BASE + 'vm-instances', **reply)
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(fake_time, retries=2)
    with pytest.raises(error):
        client.call('GET', 'vm-instances')
    assert client.call('GET', 'vm-instances') == {'inventories': []}


def test_transient_failure_that_recovers_does_not_stop_the_task(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=503, body='')
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(fake_time, retries=2)
    assert client.call('GET', 'vm-instances') == {'inventories': []}
    assert client.call('GET', 'vm-instances') == {'inventories': []}


def test_outage_with_many_threads_sends_a_bounded_number_of_requests(rsps, fake_time, run_together):
    rsps.get(BASE + 'vm-instances', status=502, body='Bad Gateway')
    client = make_client(fake_time, retries=3, max_requests=2, pool_size=2)
    results, errors = run_together(20, lambda: client.call('GET', 'vm-instances'))
    assert results == [] and len(errors) == 20
    # Two requests in flight, each with its 4 attempts; every other thread fails without sending.
    assert len(rsps.calls) <= 2 * 4
    assert sum(err.msg.startswith('Not sent, because an earlier request failed: ') for err in errors) >= 18


# ------------------------------------------------------------------ one login, even when it fails

@pytest.mark.parametrize('reply, expected', [
    ({'status': 503, 'json': {'error': {'code': 'ID.1000', 'details': 'wrong account name or password'}}},
     'Login as account admin failed: ZStack API error ID.1000'),
    ({'status': 503, 'json': {'error': {'code': 'ID.1006', 'details': 'too many sessions'}}},
     'Login as account admin failed: ZStack API error ID.1006'),
    ({'status': 200, 'json': {'inventory': {}}}, 'Login as account admin returned no session UUID'),
])
def test_a_failed_login_is_not_repeated_by_other_threads(rsps, fake_time, reply, expected, run_together):
    rsps.put(BASE + 'accounts/login', **reply)
    auth = LoginAuthenticator('admin', 'password')
    client = make_client(fake_time, auth, max_requests=8, pool_size=8)
    results, errors = run_together(8, lambda: client.call('GET', 'vm-instances'))
    assert results == [] and len(errors) == 8
    assert all(err.msg.startswith(expected) for err in errors), [err.msg for err in errors]
    assert len([c for c in rsps.calls if c.request.method == 'PUT']) == 1
    assert not [c for c in rsps.calls if c.request.method == 'GET']


def test_a_failed_login_keeps_its_error_object(rsps, fake_time):
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {'code': 'ID.1000', 'details': 'wrong password'}})
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'))
    for _unused in range(2):
        with pytest.raises(ZStackApiError) as info:
            client.call('GET', 'vm-instances')
        assert info.value.error['code'] == 'ID.1000'
        assert info.value.msg.count('Login as account admin failed') == 1
    assert len(rsps.calls) == 1


def test_login_outage_with_many_threads(rsps, fake_time, run_together):
    rsps.put(BASE + 'accounts/login', status=503, body='Service Unavailable')
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'), retries=2, max_requests=4, pool_size=4)
    results, errors = run_together(10, lambda: client.call('GET', 'vm-instances'))
    assert results == [] and len(errors) == 10
    assert len(rsps.calls) == 3  # one login, with its retries
    assert all('answered HTTP 503' in err.msg for err in errors)


# ------------------------------------------------------------------ TLS to a port that does not speak it

def test_https_to_a_plain_http_port_says_so(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', body=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='zstack.example.test', port=8080): Max retries exceeded (Caused by "
        "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))"))
    with pytest.raises(ZStackTransportError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    assert info.value.msg == ('TLS error talking to ZStack at %s: the other end does not speak TLS '
                              '(check scheme and port)' % ENDPOINT)
    assert len(rsps.calls) == 1
