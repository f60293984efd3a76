# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Property tests: whatever option values a task passes, the modules end in a clean result or a clean failure.

main() runs in-process against a ZStack server mocked with ``responses``; any request to another host or port
fails like a refused connection. Every example must exit 0 or 1 with one JSON document on stdout; a failure
has a one-line ``msg`` and no traceback; no password, password digest, AccessKey secret or caller session UUID
shows up where it must not. The server's side (arbitrary bodies and statuses) is covered in
tests/unit/plugins/module_utils/test_zstack_client_properties.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import responses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st


from ansible_collections.zstack.cloud.plugins.module_utils._client import ZStackClient
from ansible_collections.zstack.cloud.plugins.modules import zstack_console_access, zstack_session

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
NEW_SESSION = 'ffeeddccbbaa99887766554433221100'
VMS = [
    {'uuid': '11111111111111111111111111111111', 'name': 'web-01', 'state': 'Running'},
    {'uuid': '22222222222222222222222222222222', 'name': 'WEB-01', 'state': 'Running'},
    {'uuid': '33333333333333333333333333333333', 'name': 'twin', 'state': 'Running'},
    {'uuid': '44444444444444444444444444444444', 'name': 'twin', 'state': 'Running'},
    {'uuid': '55555555555555555555555555555555', 'name': 'stopped', 'state': 'Stopped'},
    {'uuid': '66666666666666666666666666666666', 'name': '测试-01\u0007', 'state': 'Running'},
]
ENV = ('ZSTACK_HOST', 'ZSTACK_PORT', 'ZSTACK_SCHEME', 'ZSTACK_VALIDATE_CERTS', 'ZSTACK_SESSION_UUID',
       'ZSTACK_ACCOUNT_NAME', 'ZSTACK_ACCOUNT_PASSWORD', 'ZSTACK_USER_NAME', 'ZSTACK_ACCESS_KEY_ID',
       'ZSTACK_ACCESS_KEY_SECRET')

# database=None: no example database is written into the work tree. The examples are quick (the mocked server
# answers at once and the client's waits are skipped), so these tests take a few seconds in all.
PROPERTY_SETTINGS = settings(max_examples=1000, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])

# Text as an operator types it in a hurry, or as a broken template renders it: control characters, line breaks,
# non-ASCII, characters that mean something in URLs, queries and shells.
HOSTILE = st.sampled_from(['', ' ', '\n', '\r\n', '\x00', '\t', 'web-01', 'WEB-01', 'web-01 ', ' web-01', 'twin',
                           'stopped', '测试-01\u0007', 'a,b', 'name=x', 'q=name!=x', '%', '%00', '../etc/passwd',
                           '$(reboot)', '{{ x }}', '\u202e', '\ufeff', '\u200b', 'x' * 300, SESSION, SESSION.upper(),
                           '5f3c2a9b-0e6d-4c1f-8a7b-6c5d4e3f2a1b', VMS[0]['uuid'], VMS[0]['uuid'].upper(),
                           VMS[4]['uuid'], 'ab' * 16])
TEXT = st.text(max_size=40) | HOSTILE
VM_REF = st.one_of(st.sampled_from([vm['uuid'] for vm in VMS] + [vm['name'] for vm in VMS]), HOSTILE,
                   st.text(max_size=40))
# Any JSON-ish value, for options given the wrong type altogether.
ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT,
                st.lists(st.integers() | TEXT, max_size=2), st.dictionaries(TEXT, st.integers(), max_size=2))
NUMBERS = st.one_of(st.integers(min_value=-3, max_value=5), st.integers(min_value=-2 ** 64, max_value=2 ** 64),
                    st.sampled_from([2 ** 31, 10 ** 30]))
TAGS = st.lists(TEXT, max_size=3)
# Secrets get markers, so that finding one in the output is never a coincidence of short strings.
PASSWORDS = st.builds('Pw~{}~wP'.format, st.text(max_size=20))
SECRETS = st.builds('Sk~{}~kS'.format, st.text(max_size=20))

# Options of the right type (the values themselves anything), or of any type at all.
CONNECTION = {
    'port': st.just(8080) | NUMBERS,
    'scheme': st.sampled_from(['http', 'https']),
    'validate_certs': st.booleans(),
    'ca_path': TEXT,
    'timeout': NUMBERS,
    'wait_timeout': NUMBERS,
    'retries': NUMBERS,
}
WILD_CONNECTION = {name: ANY for name in CONNECTION}
AUTH = st.one_of(
    st.fixed_dictionaries({'session_uuid': st.sampled_from([SESSION, SESSION.upper()]) | TEXT}),
    st.fixed_dictionaries({'account_name': st.just('ops') | TEXT, 'account_password': PASSWORDS},
                          optional={'user_name': TEXT}),
    st.fixed_dictionaries({'access_key_id': st.just('AKID') | TEXT, 'access_key_secret': SECRETS}),
    # Several methods, halves of one, or values of another type: refused before any request.
    st.fixed_dictionaries({}, optional={'session_uuid': TEXT | ANY, 'account_name': TEXT, 'account_password': PASSWORDS,
                                        'user_name': TEXT | ANY, 'access_key_id': TEXT, 'access_key_secret': SECRETS}),
)
VM_SELECTION = st.one_of(
    st.fixed_dictionaries({'vm_instance_uuid': VM_REF}),
    st.fixed_dictionaries({'vm_instance_name': VM_REF}),
    st.fixed_dictionaries({'vm_instances': st.lists(VM_REF, min_size=1, max_size=6)}),
    st.fixed_dictionaries({}, optional={'vm_instance_uuid': VM_REF | ANY, 'vm_instance_name': VM_REF | ANY,
                                        'vm_instances': st.lists(VM_REF, max_size=3) | ANY}),
)
CONSOLE_OPTIONS = {'system_tags': TAGS, 'user_tags': TAGS, 'workers': NUMBERS}
WILD_CONSOLE_OPTIONS = {name: ANY for name in CONSOLE_OPTIONS}


def options(extra):
    """host (mostly the mocked one), connection options, one auth choice, the module's own options."""
    connection = st.one_of(st.fixed_dictionaries({}, optional=CONNECTION),
                           st.fixed_dictionaries({}, optional=CONNECTION),
                           st.fixed_dictionaries({}, optional=WILD_CONNECTION))
    host = st.fixed_dictionaries({'host': st.just(HOST) | st.just(HOST) | TEXT})
    return st.tuples(host, connection, AUTH, extra).map(lambda parts: {k: v for part in parts for k, v in part.items()})


def console_options():
    own = st.one_of(st.fixed_dictionaries({}, optional=CONSOLE_OPTIONS),
                    st.fixed_dictionaries({}, optional=WILD_CONSOLE_OPTIONS))
    return options(st.tuples(VM_SELECTION, own).map(lambda parts: dict(parts[0], **parts[1])))


class MockServer:
    """A ZStack management node in ``responses`` callbacks: login, VM query, console job, session routes."""

    def __init__(self, rsps):
        self.logins = 0
        rsps.add_callback(responses.PUT, BASE + 'accounts/login', callback=self.login)
        rsps.add_callback(responses.PUT, BASE + 'accounts/users/login', callback=self.login)
        rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=self.query)
        rsps.add_callback(responses.POST, BASE + 'consoles', callback=self.post)
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r'api-jobs/.*'), callback=self.poll)
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r'accounts/sessions/[^/]+/valid$'),
                          callback=lambda request: (200, {}, json.dumps({'valid': True})))
        rsps.add_callback(responses.DELETE, re.compile(re.escape(BASE) + r'accounts/sessions/[^/]+$'),
                          callback=lambda request: (200, {}, '{}'))

    def login(self, request):
        self.logins += 1
        return 200, {}, json.dumps({'inventory': {'uuid': NEW_SESSION, 'accountUuid': 'a' * 32}})

    @staticmethod
    def query(request):
        conditions = [value for key, value in parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
                      if key == 'q']
        names = [cond.split('=', 1)[1] for cond in conditions if cond.startswith('name=')]
        # Like MySQL's utf8_general_ci: case-insensitive, trailing spaces ignored.
        found = [vm for vm in VMS if names and vm['name'].casefold() == names[0].rstrip(' ').casefold()]
        return 200, {}, json.dumps({'inventories': found})

    @staticmethod
    def post(request):
        body = json.loads(request.body)
        vm_uuid = body['params']['vmInstanceUuid']
        return 202, {}, json.dumps({'location': 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + vm_uuid})

    @staticmethod
    def poll(request):
        vm_uuid = request.url.rsplit('/', 1)[-1]
        vm = [v for v in VMS if v['uuid'] == vm_uuid]
        if not vm:
            return 503, {}, json.dumps({'error': {'code': 'SYS.1003', 'details': 'vm %s not found' % vm_uuid}})
        if vm[0]['state'] != 'Running':
            return 503, {}, json.dumps({'error': {'code': 'SYS.1006', 'details': 'current state is Stopped'}})
        session = request.headers.get('Authorization', '').split(' ')[-1].split(':')[0]
        return 200, {}, json.dumps({'inventory': {'hostname': '10.0.0.5', 'port': 4900,
                                                  'token': '%s_%s' % (session, vm_uuid)}})


def _no_wait_init(original):
    def init(self, *args, **kwargs):
        kwargs['sleep'] = lambda seconds: None
        original(self, *args, **kwargs)
    return init


def run_main(run_module, module, args, check_mode=False):
    """The module with these args against MockServer (shared run_module): (exit code, stdout, result, server, the calls it got)."""
    with contextlib.ExitStack() as stack:
        environ = stack.enter_context(mock.patch.dict('os.environ', {}))
        for var in ENV:
            environ.pop(var, None)
        stack.enter_context(mock.patch.object(ZStackClient, '__init__', _no_wait_init(ZStackClient.__init__)))
        rsps = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
        server = MockServer(rsps)
        code, text, result = run_module(module, args, check_mode=check_mode)
        calls = list(rsps.calls)  # responses forgets them when its context ends
    return code, text, result, server, calls


def check_clean(code, text, result, args):
    assert code in (0, 1), (code, text)
    assert 'Traceback' not in text
    assert 'module_stderr' not in result and 'exception' not in result
    if code == 1:
        assert result.get('failed') is True
        msg = result['msg']
        assert isinstance(msg, str) and msg
        assert msg.splitlines() == [msg], repr(msg)
    else:
        assert not result.get('failed')
    # Secrets: never the password or its digest (which logs in as well as the password does), never the AccessKey
    # secret; the caller's session UUID never in the invocation record. (Unless the same text was also given in
    # another option: ansible-core masks no_log values in option values, not in the keys of a dict option.)
    others = json.dumps({k: v for k, v in args.items() if k not in ('account_password', 'access_key_secret',
                                                                    'session_uuid')}, ensure_ascii=False)
    for name in ('account_password', 'access_key_secret'):
        secret = args.get(name)
        if isinstance(secret, str) and secret and secret not in others:
            assert secret not in text
            assert hashlib.sha512(secret.encode('utf-8', 'surrogatepass')).hexdigest() not in text
    session = args.get('session_uuid')
    if isinstance(session, str) and re.fullmatch(r'\s*[0-9a-fA-F]{32}\s*', session) and session.strip() not in others:
        assert session.strip() not in json.dumps(result.get('invocation', {}), ensure_ascii=False)


@PROPERTY_SETTINGS
@given(args=console_options(), check_mode=st.booleans())
@example(args={'host': HOST, 'session_uuid': SESSION, 'vm_instances': ['web-01', 'twin', 'stopped', 'nope'],
               'workers': 3}, check_mode=False)
@example(args={'host': HOST, 'account_name': 'ops', 'account_password': 'Pw~x~wP', 'vm_instance_name': 'WEB-01 ',
               'timeout': 10 ** 30}, check_mode=False)
@example(args={'host': HOST, 'session_uuid': SESSION, 'vm_instance_uuid': VMS[0]['uuid'], 'port': 70000},
         check_mode=False)
@example(args={'host': 'x\ny', 'access_key_id': 'AKID', 'access_key_secret': 'Sk~\n~kS', 'vm_instances': 'a,b'},
         check_mode=True)
def test_console_access_any_options(run_module, args, check_mode):
    code, text, result, server, calls = run_main(run_module, zstack_console_access, args, check_mode)
    check_clean(code, text, result, args)
    assert server.logins <= 1  # one task logs in at most once
    # ... and logs out only the session it opened, once, and only when no console it hands out embeds it.
    logouts = [c.request.url for c in calls if c.request.method == 'DELETE']
    assert logouts in ([], [BASE + 'accounts/sessions/' + NEW_SESSION] if server.logins else [])
    assert isinstance(result.get('failures'), list)
    if code == 0:
        consoles = result['ansible_facts']['zstack_consoles']
        assert consoles and all(isinstance(entry['vm_instance_uuid'], str) for entry in consoles)
        assert result['validate_only'] is check_mode
        if not check_mode:
            assert all(entry['websocket_url'].endswith(entry['token']) for entry in consoles)
        assert bool(logouts) == (server.logins == 1 and not any(e.get('token_session') == 'opened' for e in consoles))
    else:
        assert 'zstack_consoles' not in result  # a failed task hands out nothing
        if server.logins:
            assert logouts


@PROPERTY_SETTINGS
@given(args=options(st.fixed_dictionaries({}, optional={'state': st.sampled_from(['present', 'absent']) | ANY})),
       check_mode=st.booleans())
@example(args={'host': HOST, 'session_uuid': SESSION, 'state': 'absent'}, check_mode=False)
def test_session_any_options(run_module, args, check_mode):
    code, text, result, server, calls = run_main(run_module, zstack_session, args, check_mode)
    check_clean(code, text, result, args)
    assert server.logins <= 1
    if code == 0 and args.get('state', 'present') == 'present' and not check_mode:
        assert result['session_uuid'] == NEW_SESSION
    if not (code == 0 and args.get('state') == 'absent'):
        assert not [c for c in calls if c.request.method == 'DELETE']
