# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base class of every zstack.cloud module: shared options, auth selection, errors at the edge."""

from __future__ import annotations

import decimal
import os
import re

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.zstack.cloud.plugins.module_utils._auth import (
    AccessKeyAuthenticator,
    LoginAuthenticator,
    SessionAuthenticator,
)
from ansible_collections.zstack.cloud.plugins.module_utils._client import (
    REQUESTS_IMPORT_ERROR,
    Endpoint,
    ZStackClient,
)
from ansible_collections.zstack.cloud.plugins.module_utils._consoles import UUID_PATTERN
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError, ZStackError, one_line
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import parse_timezone

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
    return dict(
        host=dict(type='str', required=True, fallback=(env_fallback_nonempty, ['ZSTACK_HOST'])),
        port=dict(type='int', default=8080, fallback=(env_fallback_nonempty, ['ZSTACK_PORT'])),
        scheme=dict(type='str', default='http', choices=['http', 'https'], fallback=(env_fallback_nonempty, ['ZSTACK_SCHEME'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback_nonempty, ['ZSTACK_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback_nonempty, ['ZSTACK_CA_PATH'])),
        timeout=dict(type='int', default=30),
        wait_timeout=dict(type='int', default=120),
        retries=dict(type='int', default=3),
        server_timezone=dict(type='str', fallback=(env_fallback_nonempty, ['ZSTACK_SERVER_TIMEZONE'])),
        # Auth options have no env fallback here on purpose: ZSTACK_* auth variables are read only when a
        # task gives no auth option at all, so a task's own credentials never collide with the environment.
        session_uuid=dict(type='str', no_log=True),
        account_name=dict(type='str'),
        account_password=dict(type='str', no_log=True),
        user_name=dict(type='str'),
        access_key_id=dict(type='str'),
        access_key_secret=dict(type='str', no_log=True),
    )


def _select_auth(params):
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


def _check_bounds(params):
    if not params['host'].strip():
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


def _is_not_finite(value):
    """Whether ansible-core would read this int option as an infinite number (or NaN)."""
    if isinstance(value, bool) or not isinstance(value, (str, float)):
        return False
    try:
        return not decimal.Decimal(value.strip() if isinstance(value, str) else value).is_finite()
    except (decimal.DecimalException, ValueError, TypeError):
        return False


def _build_authenticator(auth):
    if 'session_uuid' in auth:
        return SessionAuthenticator(auth['session_uuid'])
    if 'access_key_id' in auth:
        return AccessKeyAuthenticator(auth['access_key_id'], auth['access_key_secret'])
    return LoginAuthenticator(auth['account_name'], auth['account_password'], auth.get('user_name'))


class ZStackModule(AnsibleModule):
    """AnsibleModule with the connection options merged in and ZStack errors turned into ``fail_json``."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        # Set before AnsibleModule.__init__, which calls fail_json (and so _return_formatted) on invalid arguments.
        self._session_uuid_to_hide = None
        self._client = None
        self._not_finite = []
        super().__init__(argument_spec=spec, **kwargs)
        if self._not_finite:
            self.fail_json(msg='; '.join("argument '%s' is %r, which is not a whole number" % item for item in self._not_finite))
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    def _load_params(self):
        super()._load_params()
        # ansible-core 2.19's int check turns "inf", "Infinity" or .inf into an OverflowError, which escapes its
        # validation as a traceback. Such values are set aside here (the option falls back to its default) and
        # reported as a failure once the arguments are validated, when the no_log values are known.
        for name, spec in self.argument_spec.items():
            if spec.get('type') != 'int':
                continue
            value = self.params.get(name)
            if value is None and spec.get('fallback'):
                value = next((os.environ.get(var) for var in spec['fallback'][1] if var in os.environ), None)
            if _is_not_finite(value):
                self._not_finite.append((name, value))
                self.params[name] = spec.get('default')

    def client(self, pool_size=10, max_requests=None):
        """The task's one ZStack client (created on first use, so one task logs in at most once).

        ``max_requests`` bounds the requests in flight at once, whatever number of threads use the client.
        """
        if self._client is None:
            auth = _select_auth(self.params)
            for name in SECRET_OPTIONS:
                if auth.get(name):
                    self.no_log_values.add(auth[name])
            if auth.get('session_uuid'):
                self._keep_session_out_of_masking(auth['session_uuid'])
            _check_bounds(self.params)
            server_timezone = self.params['server_timezone']
            zone = parse_timezone(server_timezone) if server_timezone not in (None, '') else None
            endpoint = Endpoint(self.params['host'], self.params['port'], self.params['scheme'],
                                self.params['validate_certs'], self.params['ca_path'], self.params['timeout'])
            self._client = ZStackClient(endpoint, _build_authenticator(auth), wait_timeout=self.params['wait_timeout'],
                                        retries=self.params['retries'], pool_size=pool_size,
                                        max_requests=max_requests, server_timezone=zone)
        return self._client

    def _keep_session_out_of_masking(self, session_uuid):
        # Every console token embeds its session UUID ("<session>_<vm>"). Ansible masks each occurrence of a
        # no_log value anywhere in the result, which would ruin the tokens we return. So the caller's session
        # UUID leaves the masking set, and is instead removed from the invocation record by hand.
        self._session_uuid_to_hide = session_uuid
        self.no_log_values.discard(session_uuid)

    def fail_json(self, msg, **kwargs):
        # One line, also for ansible-core's own argument checks, which quote the value given (line breaks included).
        super().fail_json(msg=one_line(msg, limit=2000), **kwargs)

    def _return_formatted(self, kwargs):
        if self._session_uuid_to_hide and 'invocation' not in kwargs:
            kwargs['invocation'] = {'module_args': remove_values(self.params, self.no_log_values | {self._session_uuid_to_hide})}
        super()._return_formatted(kwargs)

    def run(self, action):
        """Call ``action(self)``, which returns the result dict; every ZStackError becomes one failure."""
        try:
            result = action(self)
        except ZStackError as err:
            self.fail_json(**err.to_result())
        self.exit_json(**result)
