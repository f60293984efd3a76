# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""read_only_session: the one login of a task that only reads, ended when the task is done, failed or not."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.zstack.cloud.plugins.module_utils._auth import (
    AccessKeyAuthenticator,
    LoginAuthenticator,
    SessionAuthenticator,
)
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._session_service import read_only_session

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
RENEWED = '1b2c3d4e5f60718293a4b5c6d7e8f90a'


def client_for(authenticator, fake_time):
    return ZStackClient(Endpoint(HOST), authenticator, retries=0, sleep=fake_time.sleep, clock=fake_time.clock)


def login_reply(rsps, *sessions):
    for session in sessions:
        rsps.add(responses.PUT, BASE + 'accounts/login', json={'inventory': {'uuid': session}})


def methods(rsps):
    return ['%s %s' % (call.request.method, call.request.path_url.split('?')[0].replace('/zstack/v1/', ''))
            for call in rsps.calls]


def test_the_session_it_opened_is_ended_on_success(rsps, fake_time):
    login_reply(rsps, SESSION)
    rsps.add(responses.DELETE, BASE + 'accounts/sessions/%s' % SESSION, json={})
    client = client_for(LoginAuthenticator('ops', 'pw'), fake_time)
    with read_only_session(client, pytest.fail) as session:
        assert session.uuid == SESSION
    assert methods(rsps) == ['PUT accounts/login', 'DELETE accounts/sessions/%s' % SESSION]


def test_and_on_failure(rsps, fake_time):
    login_reply(rsps, SESSION)
    rsps.add(responses.DELETE, BASE + 'accounts/sessions/%s' % SESSION, json={})
    client = client_for(LoginAuthenticator('ops', 'pw'), fake_time)
    with pytest.raises(ZStackError, match='the task failed'):
        with read_only_session(client, pytest.fail):
            raise ZStackError('the task failed')
    assert methods(rsps)[-1] == 'DELETE accounts/sessions/%s' % SESSION


def test_a_renewed_login_is_the_one_ended(rsps, fake_time):
    login_reply(rsps, SESSION, RENEWED)
    rsps.add(responses.GET, BASE + 'vm-instances', status=503, json={'error': {'code': 'ID.1001'}})
    rsps.add(responses.GET, BASE + 'vm-instances', json={'inventories': []})
    rsps.add(responses.DELETE, BASE + 'accounts/sessions/%s' % RENEWED, json={})
    client = client_for(LoginAuthenticator('ops', 'pw'), fake_time)
    with read_only_session(client, pytest.fail):
        client.call('GET', 'vm-instances')
    assert methods(rsps)[-1] == 'DELETE accounts/sessions/%s' % RENEWED


@pytest.mark.parametrize('authenticator', [SessionAuthenticator(SESSION), AccessKeyAuthenticator('key', 'secret')])
def test_a_session_given_or_an_access_key_is_left_as_it_is(rsps, fake_time, authenticator):
    with read_only_session(client_for(authenticator, fake_time), pytest.fail):
        pass
    assert methods(rsps) == []


def test_a_session_that_cannot_be_ended_is_a_warning_without_its_uuid(rsps, fake_time):
    login_reply(rsps, SESSION)
    rsps.add(responses.DELETE, BASE + 'accounts/sessions/%s' % SESSION, status=500,
             body='cannot delete session %s' % SESSION)
    warnings = []
    with read_only_session(client_for(LoginAuthenticator('ops', 'pw'), fake_time), warnings.append):
        pass
    assert len(warnings) == 1 and 'Could not end the API session this task opened' in warnings[0] and 'HTTP 500' in warnings[0]
    assert SESSION not in warnings[0] and '<session>' in warnings[0]
