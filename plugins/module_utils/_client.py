# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one place that talks HTTP to a ZStack management node.

It owns the endpoint, authentication headers, retries of transient failures,
and the asynchronous-job protocol (202 + location, polled until done).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import traceback

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    SESSION_EXPIRED,
    SessionExpired,
    ZStackApiError,
    ZStackError,
    ZStackHttpError,
    ZStackJobTimeout,
    ZStackResponseError,
    ZStackTransportError,
    one_line,
)
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # the module reports it with missing_required_lib
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

API_PREFIX = '/zstack/v1/'
JSON_CONTENT_TYPE = 'application/json;charset=UTF-8'
# HTTP statuses worth another try: a proxy in front of the node failed, or the node is briefly overloaded.
TRANSIENT_STATUSES = (502, 503, 504)
# The job location names the node's own address, often unreachable from here: keep only the path.
_JOB_PATH = re.compile(r'/v1/(api-jobs/[^?#\s]+)')


class Endpoint:
    """Where the management node is and how to reach it."""

    def __init__(self, host, port=8080, scheme='http', validate_certs=True, ca_path=None, timeout=30):
        self.host = host
        self.port = port
        self.scheme = scheme
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout

    @property
    def base_url(self):
        host = '[%s]' % self.host if ':' in self.host else self.host
        return '%s://%s:%s' % (self.scheme, host, self.port)

    @property
    def verify(self):
        """The ``verify`` argument of requests: a CA bundle, or whether to check certificates at all."""
        if not self.validate_certs:
            return False
        return self.ca_path or True


def _describe_transport_error(endpoint, exc):
    """One line for a request that got no HTTP answer, and whether trying again could help."""
    where = 'ZStack at %s' % endpoint.base_url
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        if 'WRONG_VERSION_NUMBER' in text or 'wrong version number' in text:
            return 'TLS error talking to %s: the other end does not speak TLS (check scheme and port)' % where, False
        return 'TLS error talking to %s: %s (set ca_path to a CA bundle that signed its certificate)' % (
            where, _ssl_reason(text)), False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return 'Timed out connecting to %s after %s s' % (where, endpoint.timeout), False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return '%s did not answer within timeout=%s s' % (where, endpoint.timeout), False
    if isinstance(exc, requests.exceptions.ConnectionError):
        if 'NameResolutionError' in text or 'Name or service not known' in text or 'nodename nor servname' in text:
            return 'Cannot resolve the host name of %s' % where, False
        if 'NewConnectionError' in text or 'Connection refused' in text:
            return 'Cannot connect to %s: connection refused' % where, False
        return 'Connection to %s was dropped before an answer' % where, True
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return 'Connection to %s was dropped in the middle of an answer' % where, True
    if not isinstance(exc, requests.exceptions.RequestException):
        text = '%s: %s' % (type(exc).__name__, text)
    return 'Request to %s failed: %s' % (where, one_line(text)), False


def _ssl_reason(text):
    match = re.search(r'\[SSL[^\]]*\]\s*([^(\')"]+)', text)
    return one_line(match.group(1)) if match else 'certificate or handshake rejected'


def _parse_body(text):
    if not text or not text.strip():
        return {}
    return json.loads(text)


class ZStackClient:
    """A ZStack REST client shared by every module of the collection.

    ``send`` does one HTTP exchange (with retries); ``log_in`` opens the task's session with its authenticator, once,
    before any worker starts; ``call`` sends with that session, waits for asynchronous jobs and, for a session the
    task opened, logs in once more when the server says it expired.
    """

    def __init__(self, endpoint, authenticator, wait_timeout=120, retries=3, backoff=0.5, max_backoff=8.0,
                 pool_size=10, max_requests=None, sleep=time.sleep, clock=time.monotonic, server_timezone=None):
        self.endpoint = endpoint
        self._authenticator = authenticator
        # The task's session (``_auth.Session``), once log_in has opened it.
        self.session = None
        self._session_lock = threading.Lock()
        # A failed login is final for the task: every later caller gets the same error instead of trying again (a
        # wrong password, the session limit or an outage would not change in between).
        self._login_failure = None
        # The node's zone (server_timezone, else learned at login, else local): AccessKey dates, expires_at.
        self.node_clock = NodeClock(server_timezone)
        self.wait_timeout = wait_timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._clock = clock
        # At most max_requests exchanges (each with its retries and back-off) at a time, whatever number of
        # threads share this client; a thread waiting for a job between two polls holds no slot.
        self._slots = threading.BoundedSemaphore(max_requests) if max_requests else contextlib.nullcontext()
        # The first failure that says the node cannot be reached or keeps failing; once set, nothing more is sent.
        self._outage = None
        self.http = requests.Session()
        # requests' own retries stay off: this client decides what is worth retrying.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1), max_retries=0)
        self.http.mount('http://', adapter)
        self.http.mount('https://', adapter)

    # The session -------------------------------------------------------------------------------

    def log_in(self):
        """The task's session, opened by the authenticator on the first call (one login per task)."""
        with self._session_lock:
            if self.session is None:
                self._open(lambda: self._authenticator.open(self))
            return self.session

    def _renew(self, expired):
        """The session to retry with after ``expired`` (a SessionExpired): another worker's new login, or a new one."""
        with self._session_lock:
            if self.session is expired.session:  # else another worker already logged in again
                self._open(lambda: self._authenticator.reopen(self, expired))
            return self.session

    def _open(self, opener):
        """Under the session lock: the session ``opener`` opens becomes the task's. A login that failed is not made
        again: its failure is every later caller's."""
        if self._login_failure is not None:
            raise self._login_failure
        try:
            self.session = opener()
        except ZStackError as err:
            self._login_failure = err
            raise

    # One HTTP exchange -------------------------------------------------------------------------

    def send(self, method, path, body=None, query=None, headers=None):
        """Send one request (retrying transient failures) and return ``(status, parsed body)``.

        Raises a ``ZStackError`` subclass for API errors, HTTP errors and transport failures.
        Statuses 200, 201, 202 and 204 are returned; the caller decides what 202 means.
        """
        status, parsed, _date = self.send_dated(method, path, body=body, query=query, headers=headers)
        return status, parsed

    def send_dated(self, method, path, body=None, query=None, headers=None):
        """Like ``send``, plus the answer's HTTP ``Date`` header (None if absent): the node's clock in UTC,
        which a login compares with the session's ``createDate`` to learn the node's zone."""
        url = self.endpoint.base_url + API_PREFIX + path.lstrip('/')
        all_headers = {'Content-Type': JSON_CONTENT_TYPE, 'Accept': 'application/json'}
        all_headers.update(headers or {})
        data = json.dumps(body) if body is not None else None
        # The slot is held through the back-off too: when the node is down, at most max_requests requests
        # are retrying at once, and the others fail fast once the first one has given up (see _outage).
        with self._slots:
            return self._send_with_retries(method, url, query, all_headers, data)

    def _send_with_retries(self, method, url, query, headers, data):
        attempt = 0
        while True:
            if self._outage is not None:
                raise ZStackTransportError('Not sent, because an earlier request failed: %s' % self._outage)
            status, text, reply_headers, failure = self._exchange(method, url, query, headers, data)
            if failure is None:
                outcome = self._interpret(status, text)
                if not isinstance(outcome, Exception):
                    return outcome + (reply_headers.get('Date'),)
                failure, transient = outcome, status in TRANSIENT_STATUSES and not isinstance(outcome, ZStackApiError)
            else:
                failure, transient = failure
            if not transient or attempt >= self.retries:
                if transient and attempt:
                    failure.msg = '%s (after %d attempts)' % (failure.msg, attempt + 1)
                if transient or isinstance(failure, ZStackTransportError):
                    # No answer, or only transient failures until the retries ran out: the node is unreachable
                    # or down. The other requests of this task would each wait out the same time-outs and
                    # retries; they fail at once instead.
                    self._outage = self._outage or failure.msg
                raise failure
            self._sleep(self._delay(attempt, reply_headers.get('Retry-After') if reply_headers else None))
            attempt += 1

    def _exchange(self, method, url, query, headers, data):
        try:
            response = self.http.request(method, url, params=query, headers=headers, data=data,
                                         timeout=self.endpoint.timeout, verify=self.endpoint.verify,
                                         allow_redirects=False)
            return response.status_code, response.text, response.headers, None
        except (OSError, ValueError, OverflowError) as exc:
            # requests' own errors are OSErrors; a CA bundle that cannot be read is a bare OSError, and the
            # layers below may raise ValueError (a header or URL they refuse) or OverflowError (a socket time-out).
            msg, transient = _describe_transport_error(self.endpoint, exc)
            return None, None, None, (ZStackTransportError(msg), transient)

    def _interpret(self, status, text):
        """``(status, body)`` for a usable answer, or the error it stands for."""
        try:
            parsed = _parse_body(text)
        except (ValueError, RecursionError):  # json.loads raises RecursionError on very deep nesting
            parsed = None
        if status in (200, 201, 202, 204):
            if parsed is None or not isinstance(parsed, dict):
                return ZStackResponseError('ZStack at %s answered HTTP %s with a body that is not a JSON object: %s'
                                           % (self.endpoint.base_url, status, one_line(text, 120)), status=status)
            return status, parsed
        if isinstance(parsed, dict) and isinstance(parsed.get('error'), dict):
            return ZStackApiError(parsed['error'], status=status)
        return ZStackHttpError(self.endpoint.base_url, status, text)

    def _delay(self, attempt, retry_after):
        delay = min(self.backoff * (2 ** attempt), self.max_backoff)
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), self.max_backoff * 4))
            except ValueError:
                pass
        return delay

    # Authenticated API calls -------------------------------------------------------------------

    def call(self, method, path, body=None, query=None, headers=None):
        """An authenticated API call; waits for asynchronous jobs and returns the final body.

        Raises ``SessionExpired`` when the session is invalid and cannot be renewed (only a login the task made
        itself is made again, once): the authenticator's ``reopen`` says why, also when the renewed session ends
        too. Bounded: each session is tried once, and an authenticator opens at most a few (``max_logins``).
        """
        session = self.session or self.log_in()
        while True:
            try:
                return self._call_once(session, method, path, body, query, headers)
            except SessionExpired as expired:
                session = self._renew(expired)

    def _call_once(self, session, method, path, body, query, headers):
        auth_headers = session.headers(self, method, path)
        all_headers = dict(headers or {}, **auth_headers)
        try:
            status, reply = self.send(method, path, body=body, query=query, headers=all_headers)
            if status == 202:
                return self._wait_for_job(reply, session, auth_headers)
            return reply
        except ZStackApiError as err:
            if err.code == SESSION_EXPIRED and not isinstance(err, SessionExpired):
                raise SessionExpired(err.error, err.status, session=session) from None
            raise
        except ZStackHttpError as err:
            if err.status == 403 and 'requestTimeTooSkewed' in err.text and 'Date' in auth_headers:
                raise self._skewed(auth_headers['Date']) from None
            raise

    def _skewed(self, date):
        # RestServer.checkTime: with rest.checkTimeZone false (the default) the node compares the Date header's
        # wall-clock time with its own, ignoring the zone; a node in another zone than assumed lands hours off.
        return ZStackError(
            'ZStack at %s refused the AccessKey request as dated too far from its clock (HTTP 403 requestTimeTooSkewed): '
            'it was dated %s (%s); set server_timezone (ZSTACK_SERVER_TIMEZONE) to the zone the management node runs in, '
            'such as Asia/Shanghai or +08:00, and check that both clocks are right'
            % (self.endpoint.base_url, date, self.node_clock.describe(time.time())), status=403)

    def _wait_for_job(self, reply, session, auth_headers):
        location = reply.get('location')
        match = _JOB_PATH.search(location) if isinstance(location, str) else None
        if not match:
            raise ZStackResponseError('ZStack at %s answered 202 without a usable job location: %s'
                                      % (self.endpoint.base_url, one_line(json.dumps(reply), 120)))
        job_path = match.group(1)
        deadline = self._clock() + self.wait_timeout
        # Console jobs usually finish in well under a second: start polling early, then back off to 1 s.
        delay = 0.05
        while True:
            self._sleep(min(delay, max(deadline - self._clock(), 0)))
            try:
                status, result = self.send('GET', job_path, headers=self._poll_headers(session, job_path, auth_headers))
            except ZStackHttpError as err:
                if err.status == 404:
                    raise ZStackResponseError('The asynchronous job %s is unknown or expired on ZStack at %s (HTTP 404)'
                                              % (job_path.rsplit('/', 1)[-1], self.endpoint.base_url), status=404)
                raise
            if status != 202:
                return result
            if self._clock() >= deadline:
                raise ZStackJobTimeout('The asynchronous job %s did not finish within wait_timeout=%s s'
                                       % (job_path.rsplit('/', 1)[-1], self.wait_timeout))
            delay = min(delay * 2, 1.0)

    def _poll_headers(self, session, job_path, auth_headers):
        # AccessKey signatures cover the method, date and path, so each poll needs its own.
        if 'Date' in auth_headers:
            return session.headers(self, 'GET', job_path)
        return auth_headers
