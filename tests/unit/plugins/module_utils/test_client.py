# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _client: the asynchronous-job protocol, error reporting, retries and session expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading

import pytest
import requests
import responses
import urllib3

from ansible_collections.zstack.cloud.plugins.module_utils._auth import (
    AccessKeyAuthenticator,
    LoginAuthenticator,
    SessionAuthenticator,
)
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    SessionExpired,
    ZStackApiError,
    ZStackError,
    ZStackHttpError,
    ZStackJobTimeout,
    ZStackResponseError,
    ZStackTransportError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import parse_timezone

HOST = 'zstack.example.test'
ENDPOINT = 'http://%s:8080' % HOST
BASE = ENDPOINT + '/zstack/v1/'
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
SESSION2 = 'ffeeddccbbaa99887766554433221100'
VM = '5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b'
JOB = '9d8c7b6a5f4e3d2c1b0a998877665544'
FOREIGN_LOCATION = 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + JOB
JOB_URL = BASE + 'api-jobs/' + JOB
CONSOLE = {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900, 'token': '%s_%s' % (SESSION, VM)}
STOPPED_ERROR = {
    'code': 'SYS.1006', 'description': 'operation error',
    'details': 'vm[uuid:%s] is not in state of Running, current state is Stopped' % VM,
    'elaboration': None, 'opaque': None,
    'cause': {'code': 'VM.1000', 'description': 'vm state error', 'details': 'Stopped',
              'cause': {'code': 'SYS.1000', 'description': 'internal', 'details': 'root cause'}},
}
EXPIRED_ERROR = {'code': 'ID.1001', 'description': 'invalid session', 'details': 'Session expired'}


def make_client(fake_time, auth=None, **kwargs):
    kwargs.setdefault('retries', 3)
    return ZStackClient(Endpoint(HOST, **kwargs.pop('endpoint', {})), auth or SessionAuthenticator(SESSION),
                        sleep=fake_time.sleep, clock=fake_time.clock, **kwargs)


def assert_one_line(msg):
    assert isinstance(msg, str) and msg
    assert msg.splitlines() == [msg], repr(msg)
    assert 'Traceback' not in msg
    assert 'File "' not in msg


def closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def conn_reset():
    return requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        'Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))


# ------------------------------------------------------------------ asynchronous jobs

def test_async_job_polled_on_configured_endpoint_not_foreign_host(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=202, json={})
    rsps.get(JOB_URL, status=202, json={})
    rsps.get(JOB_URL, status=200, json={'inventory': CONSOLE})
    client = make_client(fake_time)
    assert client.call('POST', 'consoles', body={'params': {'vmInstanceUuid': VM}}) == {'inventory': CONSOLE}
    urls = [c.request.url for c in rsps.calls]
    assert urls == [BASE + 'consoles', JOB_URL, JOB_URL, JOB_URL]
    assert all('10.255.255.1' not in url for url in urls)
    # Every poll carries the Authorization header too.
    assert all(c.request.headers['Authorization'] == 'OAuth ' + SESSION for c in rsps.calls)
    assert [c.request.method for c in rsps.calls] == ['POST', 'GET', 'GET', 'GET']
    # Polling starts early and backs off (0.05, 0.1, 0.2 ... capped at 1 s).
    assert fake_time.sleeps == [0.05, 0.1, 0.2]


def test_async_poll_backoff_capped_at_one_second(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    for _unused in range(8):
        rsps.get(JOB_URL, status=202, json={})
    rsps.get(JOB_URL, status=200, json={'inventory': CONSOLE})
    make_client(fake_time).call('POST', 'consoles', body={})
    assert fake_time.sleeps == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0]


def test_async_location_with_query_string_is_stripped(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION + '?foo=bar'})
    rsps.get(JOB_URL, status=200, json={'inventory': CONSOLE})
    assert make_client(fake_time).call('POST', 'consoles', body={}) == {'inventory': CONSOLE}
    assert rsps.calls[1].request.url == JOB_URL


def test_async_poll_on_configured_https_endpoint(rsps, fake_time):
    base = 'https://mn.example.test:8443/zstack/v1/'
    rsps.post(base + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(base + 'api-jobs/' + JOB, status=200, json={'inventory': CONSOLE})
    client = ZStackClient(Endpoint('mn.example.test', 8443, 'https'), SessionAuthenticator(SESSION),
                          sleep=fake_time.sleep, clock=fake_time.clock)
    assert client.call('POST', 'consoles', body={}) == {'inventory': CONSOLE}
    assert rsps.calls[1].request.url == base + 'api-jobs/' + JOB


def test_async_poll_access_key_resigned_for_the_job_path(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=200, json={'inventory': CONSOLE})
    make_client(fake_time, AccessKeyAuthenticator('AKID', 'secret')).call('POST', 'consoles', body={})
    for call, signed in zip(rsps.calls, ('POST\n%s\n/v1/consoles', 'GET\n%s\n/v1/api-jobs/' + JOB)):
        date = call.request.headers['Date']
        sig = base64.b64encode(hmac.new(b'secret', (signed % date).encode(), hashlib.sha1).digest()).decode()
        assert call.request.headers['Authorization'] == 'ZStack AKID:' + sig


def test_async_poll_api_error(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=202, json={})
    rsps.get(JOB_URL, status=503, json={'error': STOPPED_ERROR})
    with pytest.raises(ZStackApiError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    err = info.value
    assert err.code == 'SYS.1006'
    assert 'SYS.1006' in err.msg and 'current state is Stopped' in err.msg
    assert err.to_result()['error'] == STOPPED_ERROR
    assert_one_line(err.msg)
    assert len(rsps.calls) == 3  # the API error from the poll is not retried


def test_async_poll_404_is_expired(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=404, body='no api mapping to /zstack/v1/api-jobs/' + JOB, content_type='text/plain')
    with pytest.raises(ZStackResponseError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    msg = info.value.msg
    assert 'unknown or expired' in msg and JOB in msg and 'HTTP 404' in msg and ENDPOINT in msg
    assert_one_line(msg)


def test_async_wait_timeout(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=202, json={})  # forever running
    client = make_client(fake_time, wait_timeout=5)
    start = fake_time.now
    with pytest.raises(ZStackJobTimeout) as info:
        client.call('POST', 'consoles', body={})
    msg = info.value.msg
    assert 'wait_timeout=5' in msg and JOB in msg
    assert_one_line(msg)
    assert 5 <= fake_time.now - start <= 6  # did not wait (much) past the deadline
    assert sum(fake_time.sleeps) == pytest.approx(fake_time.now - start)
    assert max(fake_time.sleeps) <= 1.0
    polls = [c for c in rsps.calls if c.request.method == 'GET']
    assert 5 <= len(polls) <= 12


@pytest.mark.parametrize('reply', [
    {},
    {'location': None},
    {'location': 42},
    {'location': 'http://10.0.0.1:8080/zstack/v1/vm-instances/abc'},
    {'location': 'http://10.0.0.1:8080/zstack/v1/api-jobs/'},
])
def test_async_202_without_usable_location(rsps, fake_time, reply):
    rsps.post(BASE + 'consoles', status=202, json=reply)
    with pytest.raises(ZStackResponseError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    assert 'without a usable job location' in info.value.msg
    assert_one_line(info.value.msg)
    assert len(rsps.calls) == 1


def test_synchronous_200_returned_directly(rsps, fake_time):
    rsps.get(BASE + 'vm-instances/' + VM, json={'inventories': [{'uuid': VM}]})
    assert make_client(fake_time).call('GET', 'vm-instances/' + VM) == {'inventories': [{'uuid': VM}]}
    assert fake_time.sleeps == []


@pytest.mark.parametrize('status', [200, 204])
def test_empty_success_body_is_an_empty_dict(rsps, fake_time, status):
    rsps.delete(BASE + 'something', status=status, body='')
    assert make_client(fake_time).call('DELETE', 'something') == {}


# ------------------------------------------------------------------ errors

def test_api_error_503(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=503, json={'error': STOPPED_ERROR})
    client = make_client(fake_time)
    with pytest.raises(ZStackApiError) as info:
        client.call('POST', 'consoles', body={})
    err = info.value
    assert err.code == 'SYS.1006'
    assert err.msg == ('ZStack API error SYS.1006: operation error: vm[uuid:%s] is not in state of Running, '
                       'current state is Stopped' % VM)
    result = err.to_result()
    assert result['error'] == STOPPED_ERROR  # whole error, cause chain included
    assert result['error']['cause']['cause']['details'] == 'root cause'
    assert result['status'] == 503
    assert result['msg'] == err.msg
    assert len(rsps.calls) == 1  # API errors are not retried
    assert fake_time.sleeps == []


def test_api_error_multiline_details_become_one_line(rsps, fake_time):
    error = {'code': 'SYS.1007', 'description': 'invalid\nargument', 'details': '\u5b57\u6bb5\n  mandatory\r\n'}
    rsps.post(BASE + 'consoles', status=503, json={'error': error})
    with pytest.raises(ZStackApiError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    assert info.value.msg == 'ZStack API error SYS.1007: invalid argument: \u5b57\u6bb5 mandatory'


def test_api_error_without_code(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=503, json={'error': {}})
    with pytest.raises(ZStackApiError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    assert info.value.msg == 'ZStack API error (no code)'


def test_api_error_json_without_json_content_type(rsps, fake_time):
    """The server does not label its replies as JSON; the body is parsed anyway."""
    rsps.post(BASE + 'consoles', status=503, body=json.dumps({'error': STOPPED_ERROR}), content_type='text/plain')
    with pytest.raises(ZStackApiError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    assert info.value.code == 'SYS.1006'


@pytest.mark.parametrize('status, text', [
    (400, 'Invalid Authorization header\nexpected OAuth <session>'),
    (404, 'no api mapping to /zstack/v1/nothing'),
    (405, 'Request method PUT not supported'),
    (500, 'java.lang.IllegalArgumentException: body is not JSON\n\tat org.zstack.rest.RestServer(RestServer.java:1)'),
])
def test_plain_text_http_errors(rsps, fake_time, status, text):
    rsps.put(BASE + 'nothing', status=status, body=text, content_type='text/plain')
    with pytest.raises(ZStackHttpError) as info:
        make_client(fake_time).call('PUT', 'nothing', body={})
    err = info.value
    assert err.status == status
    assert err.msg.startswith('ZStack at %s answered HTTP %d: ' % (ENDPOINT, status))
    assert text.split('\n', 1)[0] in err.msg
    assert_one_line(err.msg)
    assert err.to_result() == {'msg': err.msg, 'status': status}
    assert len(rsps.calls) == 1  # never retried


def test_http_error_empty_body(rsps, fake_time):
    rsps.get(BASE + 'x', status=403, body='')
    with pytest.raises(ZStackHttpError) as info:
        make_client(fake_time).call('GET', 'x')
    assert info.value.msg == 'ZStack at %s answered HTTP 403: (empty body)' % ENDPOINT


def test_http_error_huge_body_is_cut(rsps, fake_time):
    rsps.get(BASE + 'x', status=500, body='E' * 10000)
    with pytest.raises(ZStackHttpError) as info:
        make_client(fake_time).call('GET', 'x')
    assert len(info.value.msg) < 400
    assert info.value.msg.endswith('...')


def test_connection_refused_real_socket(fake_time):
    """No mock: a closed localhost port gives a real 'connection refused'."""
    port = closed_port()
    client = ZStackClient(Endpoint('127.0.0.1', port, timeout=5), SessionAuthenticator(SESSION), retries=3,
                          sleep=fake_time.sleep, clock=fake_time.clock)
    with pytest.raises(ZStackTransportError) as info:
        client.call('GET', 'vm-instances')
    assert info.value.msg == 'Cannot connect to ZStack at http://127.0.0.1:%d: connection refused' % port
    assert fake_time.sleeps == []  # refused is not retried


def test_connection_refused_mocked(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', body=requests.exceptions.ConnectionError(
        "HTTPConnectionPool(host='%s', port=8080): Max retries exceeded with url: /zstack/v1/vm-instances "
        "(Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: "
        "Failed to establish a new connection: [Errno 111] Connection refused'))" % HOST))
    with pytest.raises(ZStackTransportError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    assert info.value.msg == 'Cannot connect to ZStack at %s: connection refused' % ENDPOINT
    assert len(rsps.calls) == 1


def test_dns_failure(rsps, fake_time):
    conn = urllib3.connection.HTTPConnection(HOST, 8080)
    cause = urllib3.exceptions.NameResolutionError(HOST, conn, socket.gaierror(-2, 'Name or service not known'))
    exc = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, '/zstack/v1/vm-instances', cause))
    assert 'NameResolutionError' in str(exc)
    rsps.get(BASE + 'vm-instances', body=exc)
    with pytest.raises(ZStackTransportError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    assert info.value.msg == 'Cannot resolve the host name of ZStack at %s' % ENDPOINT
    assert len(rsps.calls) == 1  # not retried


def test_connect_timeout(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', body=requests.exceptions.ConnectTimeout('connect timed out'))
    client = make_client(fake_time, endpoint={'timeout': 7})
    with pytest.raises(ZStackTransportError) as info:
        client.call('GET', 'vm-instances')
    assert info.value.msg == 'Timed out connecting to ZStack at %s after 7 s' % ENDPOINT
    assert len(rsps.calls) == 1


def test_read_timeout(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', body=requests.exceptions.ReadTimeout(
        "HTTPConnectionPool(host='x', port=8080): Read timed out. (read timeout=30)"))
    with pytest.raises(ZStackTransportError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    assert info.value.msg == 'ZStack at %s did not answer within timeout=30 s' % ENDPOINT
    assert len(rsps.calls) == 1


def test_tls_error_mocked(rsps, fake_time):
    base = 'https://%s:8443/zstack/v1/' % HOST
    rsps.get(base + 'vm-instances', body=requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='%s', port=8443): Max retries exceeded with url: /zstack/v1/vm-instances "
        "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
        "failed: self-signed certificate (_ssl.c:1006)')))" % HOST))
    client = ZStackClient(Endpoint(HOST, 8443, 'https'), SessionAuthenticator(SESSION),
                          sleep=fake_time.sleep, clock=fake_time.clock)
    with pytest.raises(ZStackTransportError) as info:
        client.call('GET', 'vm-instances')
    msg = info.value.msg
    assert msg.startswith('TLS error talking to ZStack at https://%s:8443: certificate verify failed: '
                          'self-signed certificate' % HOST)
    assert 'ca_path' in msg
    assert_one_line(msg)
    assert len(rsps.calls) == 1


def test_tls_error_real_socket(fake_time):
    """No mock: an https client talking to a server that answers plain HTTP fails the TLS handshake."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(('127.0.0.1', 0))
    server.listen(4)
    server.settimeout(5)
    port = server.getsockname()[1]

    def serve():
        try:
            conn, _addr = server.accept()
        except OSError:
            return
        with conn:
            conn.recv(1024)
            conn.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        client = ZStackClient(Endpoint('127.0.0.1', port, 'https', timeout=5), SessionAuthenticator(SESSION),
                              sleep=fake_time.sleep, clock=fake_time.clock)
        with pytest.raises(ZStackTransportError) as info:
            client.call('GET', 'vm-instances')
    finally:
        server.close()
        thread.join(5)
    msg = info.value.msg
    assert msg.startswith('TLS error talking to ZStack at https://127.0.0.1:%d: ' % port), msg
    assert_one_line(msg)
    assert fake_time.sleeps == []


@pytest.mark.parametrize('status', [200, 201, 202])  # (a 204 carries no body on the wire)
@pytest.mark.parametrize('body', ['<html>not json</html>', '{"inventory": ', '[1, 2, 3]', '"a string"', '42', 'null'])
def test_malformed_or_non_object_json_on_success(rsps, fake_time, status, body):
    rsps.get(BASE + 'vm-instances', status=status, body=body)
    with pytest.raises(ZStackResponseError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    msg = info.value.msg
    assert msg.startswith('ZStack at %s answered HTTP %d with a body that is not a JSON object' % (ENDPOINT, status))
    assert_one_line(msg)
    assert len(rsps.calls) == 1


def test_malformed_json_in_poll(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=200, body='{"inventory": {"token": ')
    with pytest.raises(ZStackResponseError) as info:
        make_client(fake_time).call('POST', 'consoles', body={})
    assert 'not a JSON object' in info.value.msg


def test_deeply_nested_json_is_a_clean_error(rsps, fake_time):
    """json.loads raises RecursionError (not ValueError) on very deep nesting: still a clean error."""
    rsps.get(BASE + 'vm-instances', status=200, body='[' * 100000)
    with pytest.raises(ZStackError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    assert_one_line(info.value.msg)


def test_redirect_not_followed(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=302, headers={'Location': 'http://elsewhere.test/'}, body='')
    with pytest.raises(ZStackHttpError) as info:
        make_client(fake_time).call('GET', 'vm-instances')
    assert info.value.status == 302
    assert len(rsps.calls) == 1


# ------------------------------------------------------------------ retries

@pytest.mark.parametrize('transient', [
    {'body': 'conn-reset'},
    {'status': 502, 'body': '<html>Bad Gateway</html>'},
    {'status': 504, 'body': 'Gateway Timeout'},
    {'status': 503, 'body': 'Service Unavailable'},
    {'status': 503, 'body': ''},
    {'status': 503, 'json': {'message': 'no error object'}},
])
def test_transient_failures_are_retried_then_succeed(rsps, fake_time, transient):
    transient = dict(transient)
    if transient.get('body') == 'conn-reset':
        transient['body'] = conn_reset()
    for _unused in range(3):
        rsps.get(BASE + 'vm-instances', **transient)
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    client = make_client(fake_time, retries=3)
    assert client.call('GET', 'vm-instances') == {'inventories': []}
    assert len(rsps.calls) == 4
    assert fake_time.sleeps == [0.5, 1.0, 2.0]  # exponential back-off


def test_backoff_is_capped(rsps, fake_time):
    for _unused in range(6):
        rsps.get(BASE + 'vm-instances', status=502, body='bad gateway')
    rsps.get(BASE + 'vm-instances', json={})
    client = make_client(fake_time, retries=6, backoff=0.5, max_backoff=2.0)
    assert client.call('GET', 'vm-instances') == {}
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_retry_after_honoured(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=503, body='busy', headers={'Retry-After': '5'})
    rsps.get(BASE + 'vm-instances', status=503, body='busy', headers={'Retry-After': '0'})
    rsps.get(BASE + 'vm-instances', status=503, body='busy', headers={'Retry-After': 'Sat, 28 Nov 2026 16:00:00 GMT'})
    rsps.get(BASE + 'vm-instances', status=503, body='busy', headers={'Retry-After': '99999'})
    rsps.get(BASE + 'vm-instances', json={})
    client = make_client(fake_time, retries=4, backoff=0.5, max_backoff=8.0)
    assert client.call('GET', 'vm-instances') == {}
    # 5 s asked > 0.5 s back-off; 0 asked < 1 s back-off; an HTTP date is ignored; a huge value is capped (4 x max).
    assert fake_time.sleeps == [5.0, 1.0, 2.0, 32.0]


@pytest.mark.parametrize('retries', [1, 3])
def test_retries_are_bounded(rsps, fake_time, retries):
    rsps.get(BASE + 'vm-instances', status=502, body='Bad Gateway')
    client = make_client(fake_time, retries=retries)
    with pytest.raises(ZStackHttpError) as info:
        client.call('GET', 'vm-instances')
    assert len(rsps.calls) == retries + 1
    assert len(fake_time.sleeps) == retries
    assert info.value.msg == 'ZStack at %s answered HTTP 502: Bad Gateway (after %d attempts)' % (ENDPOINT, retries + 1)


def test_retries_zero_means_one_attempt(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=504, body='Gateway Timeout')
    with pytest.raises(ZStackHttpError) as info:
        make_client(fake_time, retries=0).call('GET', 'vm-instances')
    assert len(rsps.calls) == 1
    assert 'attempts' not in info.value.msg


def test_connection_reset_bounded(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', body=conn_reset())
    with pytest.raises(ZStackTransportError) as info:
        make_client(fake_time, retries=2).call('GET', 'vm-instances')
    assert info.value.msg == 'Connection to ZStack at %s was dropped before an answer (after 3 attempts)' % ENDPOINT
    assert len(rsps.calls) == 3


def test_chunked_encoding_error_retried(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', body=requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead'))
    rsps.get(BASE + 'vm-instances', json={})
    assert make_client(fake_time).call('GET', 'vm-instances') == {}
    assert len(rsps.calls) == 2


@pytest.mark.parametrize('status, reply', [
    (503, {'json': {'error': STOPPED_ERROR}}),
    (400, {'body': 'bad request'}),
    (401, {'body': 'unauthorized'}),
    (403, {'body': 'clock skew'}),
    (404, {'body': 'no api mapping'}),
    (409, {'json': {'error': STOPPED_ERROR}}),
    (500, {'body': 'NullPointerException'}),
])
def test_api_errors_and_non_transient_statuses_never_retried(rsps, fake_time, status, reply):
    rsps.get(BASE + 'vm-instances', status=status, **reply)
    rsps.get(BASE + 'vm-instances', json={})
    with pytest.raises(ZStackError) as info:
        make_client(fake_time, retries=3).call('GET', 'vm-instances')
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []
    assert 'attempts' not in info.value.msg


def test_retried_post_resends_the_same_body(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=502, body='bad gateway')
    rsps.post(BASE + 'consoles', status=200, json={'inventory': CONSOLE})
    body = {'params': {'vmInstanceUuid': VM}, 'systemTags': [], 'userTags': []}
    make_client(fake_time).call('POST', 'consoles', body=body)
    assert [json.loads(c.request.body) for c in rsps.calls] == [body, body]


def test_retry_in_poll(rsps, fake_time):
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=504, body='gateway timeout')
    rsps.get(JOB_URL, status=200, json={'inventory': CONSOLE})
    assert make_client(fake_time).call('POST', 'consoles', body={}) == {'inventory': CONSOLE}
    assert fake_time.sleeps == [0.05, 0.5]


# ------------------------------------------------------------------ session expiry

def login_json(session):
    return {'inventory': {'uuid': session}}


def test_expired_login_session_renewed_once(rsps, fake_time):
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION))
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION2))
    rsps.get(BASE + 'vm-instances', status=503, json={'error': EXPIRED_ERROR})
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    auth = LoginAuthenticator('admin', 'password')
    client = make_client(fake_time, auth)
    assert client.call('GET', 'vm-instances') == {'inventories': []}
    calls = [(c.request.method, c.request.url, c.request.headers.get('Authorization')) for c in rsps.calls]
    assert calls == [
        ('PUT', BASE + 'accounts/login', None),
        ('GET', BASE + 'vm-instances', 'OAuth ' + SESSION),
        ('PUT', BASE + 'accounts/login', None),
        ('GET', BASE + 'vm-instances', 'OAuth ' + SESSION2),
    ]
    assert client.session.uuid == SESSION2
    assert not any(c.request.method == 'DELETE' for c in rsps.calls)  # never a logout


def test_expired_during_poll_renews_and_reposts(rsps, fake_time):
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION))
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION2))
    rsps.post(BASE + 'consoles', status=202, json={'location': FOREIGN_LOCATION})
    rsps.get(JOB_URL, status=503, json={'error': EXPIRED_ERROR})
    rsps.get(JOB_URL, status=200, json={'inventory': CONSOLE})
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'))
    assert client.call('POST', 'consoles', body={}) == {'inventory': CONSOLE}
    assert [c.request.method for c in rsps.calls] == ['PUT', 'POST', 'GET', 'PUT', 'POST', 'GET']
    assert rsps.calls[-1].request.headers['Authorization'] == 'OAuth ' + SESSION2


def test_second_expiry_in_a_row_fails(rsps, fake_time):
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION))
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION2))
    rsps.get(BASE + 'vm-instances', status=503, json={'error': EXPIRED_ERROR})
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'))
    with pytest.raises(ZStackError) as info:
        client.call('GET', 'vm-instances')
    assert 'ID.1001' in info.value.msg
    assert [c.request.method for c in rsps.calls] == ['PUT', 'GET', 'PUT', 'GET']
    assert not any(c.request.method == 'DELETE' for c in rsps.calls)


def test_expiry_again_after_renewal_in_a_later_call_gives_up(rsps, fake_time):
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION))
    rsps.put(BASE + 'accounts/login', json=login_json(SESSION2))
    rsps.get(BASE + 'vm-instances', status=503, json={'error': EXPIRED_ERROR})
    rsps.get(BASE + 'vm-instances', json={})
    rsps.get(BASE + 'vm-instances', status=503, json={'error': EXPIRED_ERROR})
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'))
    assert client.call('GET', 'vm-instances') == {}
    with pytest.raises(SessionExpired) as info:
        client.call('GET', 'vm-instances')
    msg = info.value.msg
    assert msg.startswith('The session this task logged in for (as account admin) ended again right after a new '
                          'login (ID.1001): ')
    assert 'enable.unique.session' in msg and 'zstack.cloud.zstack_session' in msg and SESSION2 not in msg
    assert info.value.to_result()['error'] == {'code': 'ID.1001'}
    assert [c.request.method for c in rsps.calls].count('PUT') == 2


def test_expired_caller_session_fails_clearly(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=503, json={'error': EXPIRED_ERROR})
    with pytest.raises(SessionExpired) as info:
        make_client(fake_time, SessionAuthenticator(SESSION)).call('GET', 'vm-instances')
    msg = info.value.msg
    assert 'session_uuid' in msg and 'ID.1001' in msg
    assert SESSION not in msg
    assert_one_line(msg)
    assert len(rsps.calls) == 1
    assert not any(c.request.method in ('PUT', 'DELETE') for c in rsps.calls)


def test_expired_access_key_fails(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=503, json={'error': EXPIRED_ERROR})
    with pytest.raises(SessionExpired) as info:
        make_client(fake_time, AccessKeyAuthenticator('AKID', 'secret')).call('GET', 'vm-instances')
    assert 'ID.1001' in info.value.msg
    assert len(rsps.calls) == 1


def test_concurrent_expiry_renews_once(rsps, fake_time, run_together):
    """Several workers see the same session expire: only one logs in again."""
    logins = []

    def login(request):
        logins.append(1)
        return 200, {}, json.dumps(login_json(SESSION if len(logins) == 1 else SESSION2))

    def vm(request):
        if request.headers['Authorization'] == 'OAuth ' + SESSION:
            return 503, {}, json.dumps({'error': EXPIRED_ERROR})
        return 200, {}, json.dumps({'inventories': []})

    rsps.add_callback(responses.PUT, BASE + 'accounts/login', callback=login)
    rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=vm)
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'), pool_size=6)
    client.log_in()  # the first login, before the workers start
    results, errors = run_together(6, lambda: client.call('GET', 'vm-instances'))
    assert errors == []
    assert len(results) == 6
    assert len(logins) == 2


def test_login_answering_session_expired_is_a_clean_error(rsps, fake_time):
    """An ID.1001 from the login itself must not crash the client (it has no stale session to renew)."""
    rsps.put(BASE + 'accounts/login', status=503, json={'error': EXPIRED_ERROR})
    client = make_client(fake_time, LoginAuthenticator('admin', 'password'))
    with pytest.raises(ZStackError) as info:
        client.call('GET', 'vm-instances')
    assert 'ID.1001' in info.value.msg
    assert_one_line(info.value.msg)


def test_endpoint_ipv6_and_verify():
    assert Endpoint('fd00::1', 8080).base_url == 'http://[fd00::1]:8080'
    assert Endpoint('h', validate_certs=False, ca_path='/ca.pem').verify is False
    assert Endpoint('h', ca_path='/ca.pem').verify == '/ca.pem'
    assert Endpoint('h').verify is True


def test_ca_path_and_timeout_passed_to_requests(rsps, fake_time, monkeypatch):
    seen = {}
    original = requests.Session.request

    def spy(self, method, url, **kwargs):
        seen.update(kwargs)
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, 'request', spy)
    rsps.get('https://%s:8443/zstack/v1/vm-instances' % HOST, json={})
    client = ZStackClient(Endpoint(HOST, 8443, 'https', ca_path='/etc/pki/ca.pem', timeout=11),
                          SessionAuthenticator(SESSION), sleep=fake_time.sleep, clock=fake_time.clock)
    client.call('GET', 'vm-instances')
    assert seen['verify'] == '/etc/pki/ca.pem'
    assert seen['timeout'] == 11
    assert seen['allow_redirects'] is False


def test_error_hierarchy():
    # The module catches ZStackError only: every error the client raises must be one.
    for cls in (ZStackApiError, ZStackHttpError, ZStackJobTimeout, ZStackResponseError, ZStackTransportError):
        assert issubclass(cls, ZStackError)


# ------------------------------------------------------------------ the node's clock

def test_send_dated_returns_the_reply_date(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', json={'inventories': []}, headers={'Date': 'Mon, 30 Nov 2026 16:41:20 GMT'})
    client = make_client(fake_time)
    assert client.send_dated('GET', 'vm-instances') == (200, {'inventories': []}, 'Mon, 30 Nov 2026 16:41:20 GMT')
    assert client.send('GET', 'vm-instances') == (200, {'inventories': []})


def test_send_dated_without_a_date_header(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', json={'inventories': []})
    assert make_client(fake_time).send_dated('GET', 'vm-instances')[2] is None


def test_too_skewed_access_key_request_names_the_offset_and_the_option(rsps, fake_time):
    """RestServer.checkTime's plain-text 403 (zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java)."""
    rsps.get(BASE + 'vm-instances', status=403, body='requestTimeTooSkewed')
    client = make_client(fake_time, AccessKeyAuthenticator('AKID', 'sk-1'), server_timezone=parse_timezone('+05:30'))
    with pytest.raises(ZStackError) as info:
        client.call('GET', 'vm-instances')
    msg = info.value.msg
    assert_one_line(msg)
    assert msg.startswith('ZStack at %s refused the AccessKey request as dated too far from its clock '
                          '(HTTP 403 requestTimeTooSkewed): it was dated ' % ENDPOINT)
    assert '(UTC+05:30, from server_timezone); set server_timezone (ZSTACK_SERVER_TIMEZONE)' in msg
    assert info.value.to_result()['status'] == 403
    assert 'sk-1' not in msg
    assert len(rsps.calls) == 1


def test_other_403_stays_an_http_error(rsps, fake_time):
    rsps.get(BASE + 'vm-instances', status=403, body='requestTimeTooSkewed')
    with pytest.raises(ZStackHttpError) as info:  # a session request is never dated: not a clock problem
        make_client(fake_time).call('GET', 'vm-instances')
    assert info.value.status == 403
    rsps.replace(responses.GET, BASE + 'vm-instances', status=403, body='forbidden')
    with pytest.raises(ZStackHttpError):
        make_client(fake_time, AccessKeyAuthenticator('AKID', 'sk-1')).call('GET', 'vm-instances')
