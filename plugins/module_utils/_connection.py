# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""From connection and auth options to a ZStack client: the options, their checks, the choice of authenticator.

Used by every module (through ``_module.ZStackModule``) and by anything else that talks to ZStack with the same
options; nothing here knows about AnsibleModule. Documented once in the ``zstack.cloud.connection`` and
``zstack.cloud.auth`` doc fragments.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.basic import AnsibleFallbackNotFound

from ansible_collections.zstack.cloud.plugins.module_utils._auth import (
    AccessKeyAuthenticator,
    LoginAuthenticator,
    SessionAuthenticator,
)
from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import parse_timezone
from ansible_collections.zstack.cloud.plugins.module_utils._vms import UUID_PATTERN

# Auth options and the environment variables read when a task gives none of them.
AUTH_ENV = {
    'session_uuid': 'ZSTACK_SESSION_UUID',
    'account_name': 'ZSTACK_ACCOUNT_NAME',
    'account_password': 'ZSTACK_ACCOUNT_PASSWORD',
    'user_name': 'ZSTACK_USER_NAME',
    'access_key_id': 'ZSTACK_ACCESS_KEY_ID',
    'access_key_secret': 'ZSTACK_ACCESS_KEY_SECRET',
}
SECRET_OPTIONS = ('session_uuid', 'account_password', 'access_key_secret')
# Connection options and their environment variables (read per option when the task does not set it).
CONNECTION_ENV = {
    'host': 'ZSTACK_HOST',
    'port': 'ZSTACK_PORT',
    'scheme': 'ZSTACK_SCHEME',
    'validate_certs': 'ZSTACK_VALIDATE_CERTS',
    'ca_path': 'ZSTACK_CA_PATH',
    'server_timezone': 'ZSTACK_SERVER_TIMEZONE',
}
# Bounds of the numeric options. The upper ones keep every wait finite (a socket time-out must fit the platform's
# clock) and every retry loop short: a task fails within about (retries + 1) x timeout plus back-off.
BOUNDS = {'timeout': (1, 3600), 'wait_timeout': (1, 86400), 'retries': (0, 20), 'port': (1, 65535)}


def env_fallback_nonempty(*names):
    """Like ansible's env_fallback, but an empty variable counts as unset (AWX injects every variable of a
    credential type, the empty ones included)."""
    for name in names:
        if os.environ.get(name, '').strip():
            return os.environ[name]
    raise AnsibleFallbackNotFound


def connection_argument_spec():
    """Endpoint and auth options, documented once in the ``zstack.cloud.connection`` doc fragment."""
    def env(option):
        return (env_fallback_nonempty, [CONNECTION_ENV[option]])

    return dict(
        host=dict(type='str', required=True, fallback=env('host')),
        port=dict(type='int', default=8080, fallback=env('port')),
        scheme=dict(type='str', default='http', choices=['http', 'https'], fallback=env('scheme')),
        validate_certs=dict(type='bool', default=True, fallback=env('validate_certs')),
        ca_path=dict(type='path', fallback=env('ca_path')),
        timeout=dict(type='int', default=30),
        wait_timeout=dict(type='int', default=120),
        retries=dict(type='int', default=3),
        server_timezone=dict(type='str', fallback=env('server_timezone')),
        # Auth options have no env fallback here on purpose: ZSTACK_* auth variables are read only when a
        # task gives no auth option at all, so a task's own credentials never collide with the environment.
        session_uuid=dict(type='str', no_log=True),
        account_name=dict(type='str'),
        account_password=dict(type='str', no_log=True),
        user_name=dict(type='str'),
        access_key_id=dict(type='str'),
        access_key_secret=dict(type='str', no_log=True),
    )


def select_auth(params):
    """Auth options from the task, or else from the environment; exactly one method must result."""
    chosen = {name: params.get(name) for name in AUTH_ENV if params.get(name) not in (None, '')}
    source = 'task options'
    if not chosen:
        chosen = {name: os.environ[var] for name, var in AUTH_ENV.items() if os.environ.get(var)}
        source = 'ZSTACK_* environment variables'
    methods = [m for m, keys in (('session_uuid', ('session_uuid',)),
                                 ('account', ('account_name', 'account_password', 'user_name')),
                                 ('access key', ('access_key_id', 'access_key_secret')))
               if any(k in chosen for k in keys)]
    if not methods:
        raise ZStackConfigError('No ZStack credentials: give exactly one of session_uuid, account_name with '
                                'account_password, or access_key_id with access_key_secret (or their ZSTACK_* variables)')
    if len(methods) > 1:
        raise ZStackConfigError('Give exactly one way to authenticate, not %s (from %s)' % (' and '.join(methods), source))
    for pair in (('account_name', 'account_password'), ('access_key_id', 'access_key_secret')):
        if any(k in chosen for k in pair) and not all(k in chosen for k in pair):
            raise ZStackConfigError('%s and %s go together (from %s)' % (pair[0], pair[1], source))
    if 'user_name' in chosen and 'account_name' not in chosen:
        raise ZStackConfigError('user_name needs account_name: an IAM user logs in within its account')
    _check_header_safe(chosen)
    return chosen


def check_bounds(params):
    if not (params['host'] or '').strip():
        raise ZStackConfigError('host is empty: give the name or address of the ZStack management node')
    for name, (lowest, highest) in BOUNDS.items():
        if params[name] < lowest:
            raise ZStackConfigError('%s must be %d or more, got %s' % (name, lowest, _short_number(params[name])))
        if params[name] > highest:
            raise ZStackConfigError('%s must be %d or less, got %s' % (name, highest, _short_number(params[name])))
    ca_path = params.get('ca_path')
    if ca_path and not (os.path.exists(ca_path) and os.access(ca_path, os.R_OK)):
        raise ZStackConfigError('ca_path %s does not exist or cannot be read (give a PEM bundle of CA certificates)'
                                % ca_path)


def _check_header_safe(auth):
    # These values travel in HTTP headers. A stray newline or non-ASCII character would make the HTTP
    # library fail with a message that quotes the header, session UUID included, or crash outright.
    session_uuid = auth.get('session_uuid')
    if session_uuid is not None and not UUID_PATTERN.fullmatch(session_uuid):
        raise ZStackConfigError('session_uuid is not a ZStack session UUID (32 hex characters)')
    key_id = auth.get('access_key_id')
    if key_id is not None and not re.fullmatch(r'[\x21-\x7e]+', key_id):
        raise ZStackConfigError('access_key_id must be printable ASCII without spaces')


def _short_number(value):
    text = str(value)
    return text if len(text) <= 20 else '%s... (%d digits)' % (text[:12], len(text.lstrip('-')))


def build_authenticator(auth):
    """The authenticator for the auth options ``select_auth`` chose."""
    if 'session_uuid' in auth:
        return SessionAuthenticator(auth['session_uuid'])
    if 'access_key_id' in auth:
        return AccessKeyAuthenticator(auth['access_key_id'], auth['access_key_secret'])
    return LoginAuthenticator(auth['account_name'], auth['account_password'], auth.get('user_name'))


def build_client(params, auth, pool_size=10, max_requests=None):
    """A client for the connection options in ``params`` and the auth options ``auth`` (from select_auth).

    Nothing is sent: the caller logs in with ``client.log_in()``, once, before starting any worker.
    ``max_requests`` bounds the requests in flight at once, whatever number of threads use the client.
    """
    check_bounds(params)
    server_timezone = params.get('server_timezone')
    zone = parse_timezone(server_timezone) if server_timezone not in (None, '') else None
    endpoint = Endpoint(params['host'], params['port'], params['scheme'], params['validate_certs'],
                        params.get('ca_path'), params['timeout'])
    return ZStackClient(endpoint, build_authenticator(auth), wait_timeout=params['wait_timeout'],
                        retries=params['retries'], pool_size=pool_size, max_requests=max_requests,
                        server_timezone=zone)
