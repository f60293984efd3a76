# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _auth: password hash, AccessKey signature, header forms, logins."""

from __future__ import annotations

import base64
import datetime
import email.utils
import hashlib
import hmac
import json
import re
import time

import pytest
import responses

from ansible_collections.zstack.cloud.plugins.module_utils._auth import (
    AccessKeyAuthenticator,
    LoginAuthenticator,
    SessionAuthenticator,
    access_key_signature,
    hash_password,
)
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackApiError, ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import parse_timezone

BASE = 'http://zstack.example.test:8080/zstack/v1/'
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
# SHA-512 hex of the ASCII string 'password' (the well-known digest of ZStack's default admin password).
SHA512_PASSWORD = ('b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb9'
                   '80b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86')
# base64(HMAC-SHA1('secret-key', 'GET\nSat, 28 Nov 2026 16:00:00 GMT\n/v1/vm-instances')), computed with openssl.
DATE = 'Sat, 28 Nov 2026 16:00:00 GMT'
SIG_GET_VM_INSTANCES = 'lkqo/3hQ6fDdftUjVEZ/ZvzfZIc='


def make_client(auth, fake_time=None, **kwargs):
    kwargs.setdefault('retries', 0)
    if fake_time is not None:
        kwargs.update(sleep=fake_time.sleep, clock=fake_time.clock)
    return ZStackClient(Endpoint('zstack.example.test'), auth, **kwargs)


def login_reply(session_uuid=SESSION):
    return {'inventory': {'uuid': session_uuid, 'accountUuid': '1' * 32, 'userUuid': '2' * 32,
                          'expiredDate': 'Nov 28, 2026 6:00:00 PM', 'createDate': 'Nov 28, 2026 4:00:00 PM'}}


# ------------------------------------------------------------------ hashing and signing

def test_hash_password_known_vector():
    assert hash_password('password') == SHA512_PASSWORD
    # Independent computation, and the digest is lowercase hex of 128 characters.
    assert hashlib.sha512(b'password').hexdigest() == SHA512_PASSWORD
    assert re.fullmatch(r'[0-9a-f]{128}', hash_password('p\u00e4ssw\u00f6rd'))
    assert hash_password('p\u00e4ssw\u00f6rd') == hashlib.sha512('p\u00e4ssw\u00f6rd'.encode('utf-8')).hexdigest()


def test_access_key_signature_known_vector():
    assert access_key_signature('secret-key', 'GET', DATE, 'vm-instances') == SIG_GET_VM_INSTANCES
    # Independent recomputation of the same vector.
    digest = hmac.new(b'secret-key', ('GET\n%s\n/v1/vm-instances' % DATE).encode(), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() == SIG_GET_VM_INSTANCES


@pytest.mark.parametrize('path', [
    'vm-instances?q=name=web-01&q=state!=Destroyed',
    '/vm-instances',
    'vm-instances?limit=1',
])
def test_access_key_signature_excludes_query_and_leading_slash(path):
    assert access_key_signature('secret-key', 'GET', DATE, path) == SIG_GET_VM_INSTANCES


def test_access_key_signature_method_is_upper_cased_and_signed():
    assert access_key_signature('secret-key', 'get', DATE, 'vm-instances') == SIG_GET_VM_INSTANCES
    assert access_key_signature('secret-key', 'POST', DATE, 'vm-instances') != SIG_GET_VM_INSTANCES


def test_access_key_signature_does_not_sign_the_context_path():
    """The signed path is /v1/<path>; '/zstack' must not be part of it."""
    with_context = base64.b64encode(hmac.new(
        b'secret-key', ('GET\n%s\n/zstack/v1/vm-instances' % DATE).encode(), hashlib.sha1).digest()).decode()
    assert access_key_signature('secret-key', 'GET', DATE, 'vm-instances') != with_context


# ------------------------------------------------------------------ header forms

def test_session_authenticator_header():
    session = SessionAuthenticator(SESSION).open(None)  # nothing is sent: the caller's session, as given
    assert session.headers(None, 'GET', 'vm-instances') == {'Authorization': 'OAuth %s' % SESSION}
    assert (session.uuid, session.opened) == (SESSION, False)


def test_access_key_headers_form(monkeypatch):
    auth = AccessKeyAuthenticator('AKID123', 'secret-key')
    client = make_client(auth, server_timezone=datetime.timezone.utc)
    session = client.log_in()
    assert (session.uuid, session.opened) == (None, False)  # no session: every request is signed
    headers = session.headers(client, 'GET', 'vm-instances?q=name=x')
    assert set(headers) == {'Date', 'Authorization'}
    # RFC 1123 date in GMT for a node in UTC, e.g. "Sat, 28 Nov 2026 16:00:00 GMT".
    assert re.fullmatch(r'(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) '
                        r'\d{4} \d\d:\d\d:\d\d GMT', headers['Date']), headers['Date']
    parsed = email.utils.parsedate_to_datetime(headers['Date'])
    assert abs(parsed.timestamp() - time.time()) < 120
    match = re.fullmatch(r'ZStack AKID123:(\S+)', headers['Authorization'])
    assert match, headers['Authorization']
    expected = base64.b64encode(hmac.new(b'secret-key', ('GET\n%s\n/v1/vm-instances' % headers['Date']).encode(),
                                         hashlib.sha1).digest()).decode()
    assert match.group(1) == expected


def test_access_key_headers_on_the_wire(rsps):
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(AccessKeyAuthenticator('AKID123', 'secret-key'), server_timezone=datetime.timezone.utc)
    assert client.call('GET', 'vm-instances', query=[('q', 'name=web-01')]) == {'inventories': []}
    sent = rsps.calls[0].request
    assert sent.url == BASE + 'vm-instances?q=name%3Dweb-01'
    date = sent.headers['Date']
    assert date.endswith(' GMT')
    expected = base64.b64encode(hmac.new(b'secret-key', ('GET\n%s\n/v1/vm-instances' % date).encode(),
                                         hashlib.sha1).digest()).decode()
    assert sent.headers['Authorization'] == 'ZStack AKID123:%s' % expected
    assert 'secret-key' not in json.dumps(dict(sent.headers))


def test_access_key_date_is_the_nodes_wall_clock(rsps):
    """RestServer.checkTime (rest.checkTimeZone=false) compares the Date's wall clock with the node's, zone ignored:
    for a node in Asia/Shanghai the header carries Shanghai's time, and says so (GMT+08:00) for checkTimeZone=true.
    zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java (checkTime, checkTimeSkewing)."""
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(AccessKeyAuthenticator('AKID123', 'secret-key'), server_timezone=parse_timezone('Asia/Shanghai'))
    client.call('GET', 'vm-instances')
    date = rsps.calls[0].request.headers['Date']
    assert date.endswith(' GMT+08:00'), date
    wall = datetime.datetime.strptime(date[:25], '%a, %d %b %Y %H:%M:%S')
    shanghai_now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)
    assert abs((wall - shanghai_now).total_seconds()) < 60
    expected = base64.b64encode(hmac.new(b'secret-key', ('GET\n%s\n/v1/vm-instances' % date).encode(),
                                         hashlib.sha1).digest()).decode()
    assert rsps.calls[0].request.headers['Authorization'] == 'ZStack AKID123:%s' % expected


def test_access_key_each_poll_signed_with_the_node_clock(rsps):
    rsps.post(BASE + 'consoles', status=202, json={'location': 'http://10.0.0.9:8080/zstack/v1/api-jobs/' + 'c' * 32})
    rsps.get(BASE + 'api-jobs/' + 'c' * 32, json={'inventory': {}})
    client = make_client(AccessKeyAuthenticator('AKID123', 'secret-key'), server_timezone=parse_timezone('-05:30'))
    client.call('POST', 'consoles', body={'params': {}})
    assert [c.request.headers['Date'][-9:] for c in rsps.calls] == ['GMT-05:30', 'GMT-05:30']


def test_login_learns_the_nodes_offset(rsps):
    """createDate (node's wall clock, no zone) against the reply's Date header (UTC) gives the node's offset."""
    reply = login_reply()
    reply['inventory']['createDate'] = 'Dec 1, 2026 12:41:20 AM'
    rsps.put(BASE + 'accounts/login', json=reply, headers={'Date': 'Mon, 30 Nov 2026 16:41:21 GMT'})
    client = make_client(LoginAuthenticator('admin', 'password'))
    assert client.node_clock.zone is None
    client.log_in()
    assert client.node_clock.zone == datetime.timezone(datetime.timedelta(hours=8))
    assert client.node_clock.describe(0) == 'UTC+08:00, learned at login'


def test_login_without_a_date_header_learns_nothing(rsps):
    rsps.put(BASE + 'accounts/login', json=login_reply())
    client = make_client(LoginAuthenticator('admin', 'password'))
    client.log_in()
    assert client.node_clock.zone is None


def test_session_header_on_the_wire(rsps):
    rsps.get(BASE + 'vm-instances/' + 'b' * 32, json={'inventories': []})
    client = make_client(SessionAuthenticator(SESSION))
    client.call('GET', 'vm-instances/' + 'b' * 32)
    sent = rsps.calls[0].request
    assert sent.headers['Authorization'] == 'OAuth ' + SESSION  # case-sensitive "OAuth"
    assert sent.headers['Content-Type'] == 'application/json;charset=UTF-8'


# ------------------------------------------------------------------ logins

def test_login_by_account_body_path_and_header(rsps):
    rsps.put(BASE + 'accounts/login', json=login_reply())
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    auth = LoginAuthenticator('admin', 'password')
    client = make_client(auth)
    assert client.call('GET', 'vm-instances') == {'inventories': []}
    login, call = rsps.calls[0], rsps.calls[1]
    assert login.request.method == 'PUT'
    assert login.request.url == BASE + 'accounts/login'
    assert json.loads(login.request.body) == {'logInByAccount': {'accountName': 'admin', 'password': SHA512_PASSWORD}}
    assert 'Authorization' not in login.request.headers
    assert call.request.headers['Authorization'] == 'OAuth ' + SESSION
    assert (client.session.uuid, client.session.opened) == (SESSION, True)


def test_login_by_user_body_and_path(rsps):
    rsps.put(BASE + 'accounts/users/login', json=login_reply())
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(LoginAuthenticator('ops', 'password', user_name='oncall'))
    client.call('GET', 'vm-instances')
    login = rsps.calls[0].request
    assert login.method == 'PUT'
    assert login.url == BASE + 'accounts/users/login'
    assert json.loads(login.body) == {'logInByUser': {'accountName': 'ops', 'userName': 'oncall',
                                                      'password': SHA512_PASSWORD}}


def test_plaintext_password_never_sent(rsps):
    plaintext = 'Pl41ntext-Secret'
    rsps.put(BASE + 'accounts/login', json=login_reply())
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(LoginAuthenticator('admin', plaintext))
    client.call('GET', 'vm-instances')
    for sent in rsps.calls:
        body = sent.request.body or b''
        body = body.decode() if isinstance(body, bytes) else body
        assert plaintext not in body
        assert plaintext not in sent.request.url
        assert plaintext not in json.dumps(dict(sent.request.headers))
    assert hashlib.sha512(plaintext.encode()).hexdigest() in rsps.calls[0].request.body


def test_login_happens_once_for_several_calls(rsps):
    rsps.put(BASE + 'accounts/login', json=login_reply())
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    auth = LoginAuthenticator('admin', 'password')
    client = make_client(auth)
    for _unused in range(3):
        client.call('GET', 'vm-instances')
    assert [c.request.method for c in rsps.calls] == ['PUT', 'GET', 'GET', 'GET']
    assert auth.logins == 1


def test_login_once_with_eight_concurrent_threads(rsps, run_together):
    def slow_login(request):
        time.sleep(0.05)  # widen the window in which a second login could start
        return 200, {}, json.dumps(login_reply())

    rsps.add_callback(responses.PUT, BASE + 'accounts/login', callback=slow_login)
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    auth = LoginAuthenticator('admin', 'password')
    client = make_client(auth, pool_size=8)
    results, errors = run_together(8, lambda: client.call('GET', 'vm-instances'))
    assert errors == []
    assert len(results) == 8
    logins = [c for c in rsps.calls if c.request.method == 'PUT']
    assert len(logins) == 1
    assert auth.logins == 1
    gets = [c for c in rsps.calls if c.request.method == 'GET']
    assert len(gets) == 8
    assert all(c.request.headers['Authorization'] == 'OAuth ' + SESSION for c in gets)


def test_login_wrong_credentials(rsps):
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {
        'code': 'ID.1000', 'description': 'authentication error', 'details': 'wrong account name or password'}})
    client = make_client(LoginAuthenticator('admin', 'wrong'))
    with pytest.raises(ZStackApiError) as info:
        client.call('GET', 'vm-instances')
    err = info.value
    assert err.code == 'ID.1000'
    assert err.msg.startswith('Login as account admin failed: ZStack API error ID.1000')
    assert 'wrong account name or password' in err.msg
    assert err.to_result()['error']['code'] == 'ID.1000'
    assert len(rsps.calls) == 1  # an API error is not retried, and nothing else is sent


def test_login_user_failure_names_user(rsps):
    rsps.put(BASE + 'accounts/users/login', status=503, json={'error': {'code': 'ID.1000'}})
    client = make_client(LoginAuthenticator('ops', 'wrong', user_name='oncall'))
    with pytest.raises(ZStackApiError) as info:
        client.call('GET', 'vm-instances')
    assert info.value.msg.startswith('Login as IAM user oncall of account ops failed:')


@pytest.mark.parametrize('reply', [{}, {'inventory': {}}, {'inventory': None}, {'inventory': {'uuid': ''}},
                                   {'inventory': True}, {'inventory': 'x'}, {'inventory': [SESSION]},
                                   {'inventory': {'uuid': 42}}, {'inventory': {'uuid': [SESSION]}}])
def test_login_without_session_uuid(rsps, reply):
    rsps.put(BASE + 'accounts/login', json=reply)
    client = make_client(LoginAuthenticator('admin', 'password'))
    with pytest.raises(ZStackError) as info:
        client.call('GET', 'vm-instances')
    assert info.value.msg == 'Login as account admin returned no session UUID'


def test_login_too_many_sessions(rsps):
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {
        'code': 'ID.1006', 'description': 'too many sessions', 'details': 'at most 500'}})
    client = make_client(LoginAuthenticator('admin', 'password'))
    with pytest.raises(ZStackApiError) as info:
        client.call('GET', 'vm-instances')
    assert info.value.code == 'ID.1006'
    assert 'ID.1006' in info.value.msg
