# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The zstack_session module, run in-process through main() against a server mocked with ``responses``."""

from __future__ import annotations

import functools
import hashlib
import json

import pytest
import responses


from ansible_collections.zstack.cloud.plugins.modules import zstack_session

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
PASSWORD = 'Pw-for-session-tests-7!'


@pytest.fixture
def run(run_module):
    """zstack_session's main() in-process: run(args, check_mode=False) -> (exit code, raw stdout, result)."""
    return functools.partial(run_module, zstack_session)


def test_present_logs_in_once_with_the_hashed_password(run, rsps):
    rsps.add(responses.PUT, BASE + 'accounts/users/login',
             body=json.dumps({'inventory': {'uuid': SESSION, 'accountUuid': 'a' * 32, 'userUuid': 'b' * 32,
                                            'expiredDate': 'Nov 28, 2026 8:51:20 PM'}}))
    code, out, result = run({'host': HOST, 'account_name': 'ops', 'user_name': 'oncall',
                             'account_password': PASSWORD})
    assert code == 0, result
    assert result['changed'] is True
    assert result['session_uuid'] == SESSION
    assert result['user_uuid'] == 'b' * 32
    assert result['expired_date'] == 'Nov 28, 2026 8:51:20 PM'
    assert len(rsps.calls) == 1
    assert json.loads(rsps.calls[0].request.body) == {'logInByUser': {
        'accountName': 'ops', 'userName': 'oncall', 'password': hashlib.sha512(PASSWORD.encode()).hexdigest()}}
    assert PASSWORD not in out


def test_present_expires_at_in_the_offset_the_login_shows(run, rsps):
    # A node in UTC+08:00: createDate is its wall clock (no zone), the reply's Date header is GMT.
    rsps.add(responses.PUT, BASE + 'accounts/login', headers={'Date': 'Sat, 28 Nov 2026 10:51:21 GMT'},
             body=json.dumps({'inventory': {'uuid': SESSION, 'createDate': 'Nov 28, 2026 6:51:20 PM',
                                            'expiredDate': 'Nov 28, 2026 8:51:20 PM'}}))
    code, _out, result = run({'host': HOST, 'account_name': 'ops', 'account_password': PASSWORD})
    assert code == 0, result
    assert (result['expired_date'], result['expires_at']) == ('Nov 28, 2026 8:51:20 PM', '2026-11-28T12:51:20Z')
    code, _out, result = run({'host': HOST, 'account_name': 'ops', 'account_password': PASSWORD,
                              'server_timezone': 'UTC'})
    assert result['expires_at'] == '2026-11-28T20:51:20Z'


def test_present_in_check_mode_sends_nothing(run, rsps):
    code, _out, result = run({'host': HOST, 'account_name': 'ops', 'account_password': PASSWORD},
                             check_mode=True)
    assert code == 0 and result['changed'] is True and 'session_uuid' not in result
    assert len(rsps.calls) == 0


@pytest.mark.parametrize('valid, check_mode, deleted', [(True, False, True), (True, True, False),
                                                        (False, False, False), (False, True, False)])
def test_absent(run, rsps, valid, check_mode, deleted):
    rsps.add(responses.GET, BASE + 'accounts/sessions/%s/valid' % SESSION, body=json.dumps({'valid': valid}))
    rsps.add(responses.DELETE, BASE + 'accounts/sessions/%s' % SESSION, body='{}')
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'state': 'absent'},
                            check_mode=check_mode)
    assert code == 0, result
    assert result['changed'] is valid
    assert result['was_valid'] is valid
    assert [c.request.method for c in rsps.calls] == ['GET'] + (['DELETE'] if deleted else [])
    assert result['invocation']['module_args']['session_uuid'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert SESSION not in out


def test_absent_takes_the_session_from_the_environment(run, rsps, monkeypatch):
    monkeypatch.setenv('ZSTACK_SESSION_UUID', SESSION)
    rsps.add(responses.GET, BASE + 'accounts/sessions/%s/valid' % SESSION, body=json.dumps({'valid': True}))
    rsps.add(responses.DELETE, BASE + 'accounts/sessions/%s' % SESSION, body='{}')
    code, _out, result = run({'host': HOST, 'state': 'absent'})
    assert code == 0 and result['changed'] is True


@pytest.mark.parametrize('args, message', [
    ({'state': 'absent', 'account_name': 'ops', 'account_password': PASSWORD}, 'state=absent ends the session'),
    ({'state': 'present', 'session_uuid': SESSION}, 'state=present logs in'),
    ({'state': 'present', 'access_key_id': 'AK', 'access_key_secret': 'secret'}, 'state=present logs in'),
])
def test_wrong_auth_for_state_fails_before_any_request(run, rsps, args, message):
    code, _out, result = run(dict(args, host=HOST))
    assert code == 1 and message in result['msg']
    assert len(rsps.calls) == 0


def test_absent_with_unreachable_server_is_one_clean_line(run, rsps):
    code, out, result = run({'host': '127.0.0.1', 'port': 9, 'session_uuid': SESSION, 'state': 'absent'})
    assert code == 1
    assert '\n' not in result['msg'] and 'Traceback' not in result['msg']
    assert SESSION not in out
