# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The three ways to authenticate to ZStack, one class each, and the session each hands back.

An authenticator is used once, up front: ``open(client)`` logs in (or wraps the credential it was given) and returns
a ``Session``; the client sends every request with ``session.headers(...)``. When the server says the session
expired (``ID.1001``), the client asks ``reopen``: only a login the task made itself is made again, once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    SESSION_EXPIRED,
    SessionExpired,
    ZStackApiError,
    ZStackResponseError,
)


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


class Session:
    """An API session as a task uses it.

    ``uuid`` is the session every console token asked for with it embeds; ``opened`` says whether this task logged
    in for it (and so may end it); ``inventory`` is the login reply (None for a session the caller gave).
    """

    def __init__(self, uuid, opened, inventory=None):
        self.uuid = uuid
        self.opened = opened
        self.inventory = inventory

    def headers(self, client, method, path):
        return {'Authorization': 'OAuth %s' % self.uuid}


class AccessKeySession:
    """No session at all: every request is signed with an AccessKey (``Authorization: ZStack <id>:<signature>``).

    The ``Date`` carries the node's wall-clock time (see _timezone.request_date): ZStack checks it against its own
    wall clock, ignoring the zone, unless rest.checkTimeZone is on.
    """

    uuid = None
    opened = False
    inventory = None

    def __init__(self, access_key_id, access_key_secret):
        self.access_key_id = access_key_id
        self._secret = access_key_secret

    def headers(self, client, method, path):
        date = client.node_clock.request_date(time.time())
        signature = access_key_signature(self._secret, method, date, path)
        return {'Date': date, 'Authorization': 'ZStack %s:%s' % (self.access_key_id, signature)}


def _expired(msg):
    return SessionExpired({'code': SESSION_EXPIRED}, msg=msg)


class SessionAuthenticator:
    """A session the caller already holds. Never renewed, never logged out."""

    def __init__(self, session_uuid):
        self.session_uuid = session_uuid

    def open(self, client):
        return Session(self.session_uuid, opened=False)

    def reopen(self, client, expired):
        raise _expired('The session given in session_uuid is invalid or has expired (%s); log in again, '
                       'or give account credentials instead so the module logs in itself' % SESSION_EXPIRED)


class LoginAuthenticator:
    """Logs in as an account, or as an IAM user of an account: once per task, and once more if that session expires.

    The session is never logged out here: every console token embeds it, and logging it out would kill the
    consoles the task hands back (whoever ends it decides, see _console_service).
    """

    # When a session the task opened expires mid-run, it logs in once more and goes on; a second expiry in one
    # task means something ends its sessions (a node with identity enable.unique.session, for one) and fails.
    max_logins = 2

    def __init__(self, account_name, password, user_name=None):
        self.account_name = account_name
        self.user_name = user_name
        self._password_hash = hash_password(password)
        self.logins = 0

    @property
    def who(self):
        if self.user_name:
            return 'IAM user %s of account %s' % (self.user_name, self.account_name)
        return 'account %s' % self.account_name

    def open(self, client):
        if self.user_name:
            path = 'accounts/users/login'
            body = {'logInByUser': {'accountName': self.account_name, 'userName': self.user_name,
                                    'password': self._password_hash}}
        else:
            path = 'accounts/login'
            body = {'logInByAccount': {'accountName': self.account_name, 'password': self._password_hash}}
        try:
            _status, reply, reply_date = client.send_dated('PUT', path, body=body)
        except ZStackApiError as err:  # a transport failure names the node already
            raise err.within('Login as %s failed' % self.who) from None
        inventory = reply.get('inventory') if isinstance(reply, dict) else None
        session_uuid = inventory.get('uuid') if isinstance(inventory, dict) else None
        if not session_uuid or not isinstance(session_uuid, str):
            raise ZStackResponseError('Login as %s returned no session UUID' % self.who)
        self.logins += 1
        # The node wrote createDate in its own zone just before the reply's Date (UTC): their gap is its offset.
        client.node_clock.learn(inventory.get('createDate'), reply_date)
        return Session(session_uuid, opened=True, inventory=inventory)

    def reopen(self, client, expired):
        if self.logins >= self.max_logins:
            # identity enable.unique.session: Session.login logs out the same user's other sessions first
            # (zstackio/zstack: identity/src/main/java/org/zstack/identity/Session.java), consoles included.
            raise _expired('The session this task logged in for (as %s) ended again right after a new login (%s): '
                           'another login as the same user ends it - on a node with the identity setting '
                           'enable.unique.session each login logs out the user\'s other sessions and their consoles. '
                           'Log in once with zstack.cloud.zstack_session and give its session_uuid to every task '
                           '(or each task a user of its own)' % (self.who, SESSION_EXPIRED))
        return self.open(client)


class AccessKeyAuthenticator:
    """Signs every request with an AccessKey; there is no session to open or renew."""

    def __init__(self, access_key_id, access_key_secret):
        self.access_key_id = access_key_id
        self._secret = access_key_secret

    def open(self, client):
        return AccessKeySession(self.access_key_id, self._secret)

    def reopen(self, client, expired):
        raise _expired('ZStack reported the AccessKey session as expired (%s)' % SESSION_EXPIRED)
