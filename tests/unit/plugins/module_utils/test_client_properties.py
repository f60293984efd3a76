# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Property tests: whatever a server answers, the client returns a dict or raises a ZStackError with a one-line msg."""

from __future__ import annotations

import json

import responses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._auth import LoginAuthenticator, SessionAuthenticator
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import ConsoleEntry
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
JOB = '9d8c7b6a5f4e3d2c1b0a998877665544'
LOCATION = 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + JOB
JOB_URL = BASE + 'api-jobs/' + JOB

# database=None: no example database is written into the work tree.
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])

CODES = st.sampled_from(['ID.1000', 'ID.1001', 'ID.1002', 'ID.1006', 'SYS.1003', 'SYS.1006', 'SYS.1007'])
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
ERROR_OBJECTS = st.fixed_dictionaries(
    {},
    optional={'code': CODES | JSON_VALUES, 'description': JSON_VALUES, 'details': JSON_VALUES,
              'elaboration': JSON_VALUES, 'cause': JSON_VALUES},
)
JSON_BODIES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({'error': ERROR_OBJECTS | JSON_VALUES}),
    st.fixed_dictionaries({'inventory': JSON_VALUES}),
    st.fixed_dictionaries({'location': st.just(LOCATION) | JSON_VALUES}),
).map(json.dumps)
BODIES = st.one_of(
    JSON_BODIES,
    st.text(max_size=200),
    st.binary(max_size=200),
    st.sampled_from(['', ' ', '{', '[' * 2000, '{"error": ', 'NaN', '\ufeff{}', '<html>\r\n<b>502</b>\r\n</html>']),
)
INVENTORY_KEYS = st.sampled_from(['scheme', 'hostname', 'port', 'token', 'targetScheme', 'version', 'expiredDate'])
# Any status from 100 to 599, with the ones the protocol gives a meaning to drawn more often.
STATUSES = st.one_of(st.sampled_from([200, 201, 202, 204, 400, 404, 500, 502, 503, 504]),
                     st.integers(min_value=100, max_value=599))


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        assert seconds >= 0
        self.now += seconds

    def clock(self):
        return self.now


def make_client(auth=None):
    fake = FakeTime()
    return ZStackClient(Endpoint(HOST), auth or SessionAuthenticator(SESSION), wait_timeout=3, retries=1,
                        sleep=fake.sleep, clock=fake.clock)


def check_outcome(func):
    try:
        result = func()
    except ZStackError as err:
        assert isinstance(err.msg, str) and err.msg
        assert err.msg.splitlines() == [err.msg], repr(err.msg)
        assert 'Traceback' not in err.msg
        assert isinstance(err.to_result(), dict)
        json.dumps(err.to_result())  # the failure result must be serialisable
        return None
    assert isinstance(result, dict)
    return result


def add(rsps, method, url, status, body):
    rsps.add(method, url, status=status, body=body.encode('utf-8') if isinstance(body, str) else body)


@PROPERTY_SETTINGS
@given(status=STATUSES, body=BODIES)
@example(status=200, body='[' * 100000)  # json.loads raised RecursionError
@example(status=503, body='{"error": {"code": "ID.1001"}}')
def test_any_answer_to_the_post(status, body):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        add(rsps, responses.POST, BASE + 'consoles', status, body)
        rsps.get(JOB_URL, json={'inventory': {}})
        check_outcome(lambda: make_client().call('POST', 'consoles', body={'params': {'vmInstanceUuid': JOB}}))


@PROPERTY_SETTINGS
@given(status=STATUSES, body=BODIES)
@example(status=200, body='[' * 100000)  # json.loads raised RecursionError
@example(status=202, body='{}')  # runs until wait_timeout
def test_any_answer_to_the_poll(status, body):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
        add(rsps, responses.GET, JOB_URL, status, body)
        check_outcome(lambda: make_client().call('POST', 'consoles', body={}))
        assert all('10.255.255.1' not in c.request.url for c in rsps.calls)


@PROPERTY_SETTINGS
@given(status=STATUSES, body=BODIES)
@example(status=503, body='{"error": {"code": "ID.1001"}}')  # call() read err.auth_headers that a login error lacks
@example(status=200, body='{"inventory": true}')  # _login called .get on a non-dict inventory
@example(status=200, body='{"inventory": {"uuid": "%s"}}' % SESSION)
def test_any_answer_to_the_login(status, body):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        add(rsps, responses.PUT, BASE + 'accounts/login', status, body)
        rsps.get(BASE + 'vm-instances', json={'inventories': []})
        check_outcome(lambda: make_client(LoginAuthenticator('admin', 'password')).call('GET', 'vm-instances'))


@PROPERTY_SETTINGS
@given(inventory=st.dictionaries(INVENTORY_KEYS, JSON_VALUES | st.sampled_from([4900.0, '4900', float('inf'), '1e999'])))
@example(inventory={'hostname': 'h', 'port': float('inf'), 'token': 't'})  # int(float('inf')) raised OverflowError
def test_console_entry_any_inventory(inventory):
    """Whatever inventory the server sends, console_entry gives an entry or a clean ZStackError."""
    entry = check_outcome(lambda: ConsoleEntry.from_inventory('5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b', None, inventory))
    if entry is not None and inventory:
        assert isinstance(entry['port'], int)
        assert entry['websocket_url'].startswith(('ws://', 'wss://'))
