# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The three ways to authenticate to ZStack, one class each.

An authenticator gives the headers for a request and says whether it can get a
fresh session when the server reports ``ID.1001`` (only a login it made itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackError,
)

SESSION_EXPIRED = 'ID.1001'


def hash_password(password):
    """ZStack compares the SHA-512 hex digest; the plaintext never goes over the wire."""
    return hashlib.sha512(password.encode('utf-8')).hexdigest()


def access_key_signature(secret, method, date, path):
    """base64(HMAC-SHA1(secret, METHOD\\nDate\\n/v1/<path>)), as ZStack's SDKs sign.

    ``path`` is the API path after ``/zstack/v1/``, without the query string.
    """
    string_to_sign = '%s\n%s\n/v1/%s' % (method.upper(), date, path.split('?', 1)[0].lstrip('/'))
    digest = hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


class SessionAuthenticator:
    """A session the caller already holds. Never renewed, never logged out."""

    owns_session = False

    def __init__(self, session_uuid):
        self.session_uuid = session_uuid

    def headers(self, client, method, path):
        return {'Authorization': 'OAuth %s' % self.session_uuid}

    def renew(self, client, stale_headers):
        raise ZStackError(
            'The session given in session_uuid is invalid or has expired (%s); log in again, '
            'or give account credentials instead so the module logs in itself' % SESSION_EXPIRED,
            error={'code': SESSION_EXPIRED})


class LoginAuthenticator:
    """Logs in as an account, or as an IAM user of an account, at most once per task.

    The session is deliberately never logged out: every console token embeds it,
    and logging it out would kill the consoles this task hands back.
    """

    owns_session = True
    # When a session the module made expires mid-run, it logs in once more and goes on;
    # a second expiry in one task means something is wrong and fails.
    max_renewals = 1

    def __init__(self, account_name, password, user_name=None):
        self.account_name = account_name
        self.user_name = user_name
        self._password_hash = hash_password(password)
        self._lock = threading.Lock()
        self.session_uuid = None
        self.session_inventory = None
        self.login_count = 0
        # A failed login is final for the task: the other workers get the same error instead of each
        # trying again (a wrong password, the session limit or an outage would not change in between).
        self._login_failure = None

    def _login(self, client):
        if self.user_name:
            path = 'accounts/users/login'
            body = {'logInByUser': {'accountName': self.account_name, 'userName': self.user_name,
                                    'password': self._password_hash}}
            who = 'IAM user %s of account %s' % (self.user_name, self.account_name)
        else:
            path = 'accounts/login'
            body = {'logInByAccount': {'accountName': self.account_name, 'password': self._password_hash}}
            who = 'account %s' % self.account_name
        if self._login_failure is not None:
            raise self._login_failure
        try:
            _status, reply, reply_date = client.send_dated('PUT', path, body=body)
            inventory = reply.get('inventory') if isinstance(reply, dict) else None
            session_uuid = inventory.get('uuid') if isinstance(inventory, dict) else None
            if not session_uuid or not isinstance(session_uuid, str):
                raise ZStackError('Login as %s returned no session UUID' % who)
        except ZStackError as err:
            if isinstance(err, ZStackApiError):
                err.msg = 'Login as %s failed: %s' % (who, err.msg)
            self._login_failure = err
            raise
        self.session_uuid = session_uuid
        self.session_inventory = inventory
        self.login_count += 1
        # The node wrote createDate in its own zone just before the reply's Date (UTC): their gap is its offset.
        client.node_clock.learn(inventory.get('createDate'), reply_date)

    def session(self, client):
        """The login inventory of this task's session, logging in first if needed."""
        with self._lock:
            if self.session_uuid is None:
                self._login(client)
            return self.session_inventory

    def headers(self, client, method, path):
        return {'Authorization': 'OAuth %s' % self.session(client)['uuid']}

    def renew(self, client, stale_headers):
        with self._lock:
            if stale_headers.get('Authorization') != 'OAuth %s' % self.session_uuid:
                return  # another worker already logged in again
            if self.login_count > self.max_renewals:
                raise ZStackError('The session expired again right after a new login (%s); giving up' % SESSION_EXPIRED,
                                  error={'code': SESSION_EXPIRED})
            self._login(client)


class AccessKeyAuthenticator:
    """Signs every request with an AccessKey (``Authorization: ZStack <id>:<signature>`` and ``Date``).

    The ``Date`` carries the node's wall-clock time (see _timezone.request_date): ZStack checks it against
    its own wall clock, ignoring the zone, unless rest.checkTimeZone is on.
    """

    owns_session = False

    def __init__(self, access_key_id, access_key_secret):
        self.access_key_id = access_key_id
        self._secret = access_key_secret

    def headers(self, client, method, path):
        date = client.node_clock.request_date(time.time())
        signature = access_key_signature(self._secret, method, date, path)
        return {'Date': date, 'Authorization': 'ZStack %s:%s' % (self.access_key_id, signature)}

    def renew(self, client, stale_headers):
        raise ZStackError('ZStack reported the AccessKey session as expired (%s)' % SESSION_EXPIRED,
                          error={'code': SESSION_EXPIRED})
