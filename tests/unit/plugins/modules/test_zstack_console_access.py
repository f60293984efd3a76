# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The zstack_console_access module, run in-process through main() against a server mocked with ``responses``."""

from __future__ import annotations

import datetime
import functools
import email.utils
import hashlib
import json
import re
import socket
import threading
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses


from ansible_collections.zstack.cloud.plugins.module_utils._redact import failure_message
from ansible_collections.zstack.cloud.plugins.modules import zstack_console_access

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
SESSION2 = 'ffeeddccbbaa99887766554433221100'
PASSWORD = 'Pw-for-unit-tests-91!'
VM1 = '11111111111111111111111111111111'
NODE_ZONE = datetime.timezone(datetime.timedelta(hours=8))
# The console's expiredDate as the node writes it (its wall clock, UTC+08:00), and that instant in UTC.
EXPIRED_DATE = 'Nov 28, 2026 5:21:20 PM'
EXPIRES_AT = '2026-11-28T09:21:20Z'
VM2 = '22222222222222222222222222222222'
VM3 = '33333333333333333333333333333333'
VM_STOPPED = '44444444444444444444444444444444'
VM_GONE = '55555555555555555555555555555555'
VM_HEX = 'abcdef0123456789abcdef0123456789'
VMS = [
    {'uuid': VM1, 'name': 'web-01', 'state': 'Running'},
    {'uuid': VM2, 'name': 'web-02', 'state': 'Running'},
    {'uuid': VM3, 'name': 'db-01', 'state': 'Paused'},
    {'uuid': VM_STOPPED, 'name': 'stopped-01', 'state': 'Stopped'},
    {'uuid': VM_GONE, 'name': 'web-01', 'state': 'Destroyed'},
    {'uuid': '66666666666666666666666666666666', 'name': 'twin', 'state': 'Running'},
    {'uuid': '77777777777777777777777777777777', 'name': 'twin', 'state': 'Stopped'},
    {'uuid': VM_HEX, 'name': 'hex-01', 'state': 'Running'},
]


def stopped_error(vm_uuid):
    return {'code': 'SYS.1006', 'description': 'operation error',
            'details': 'vm[uuid:%s] is not in state of Running, current state is Stopped' % vm_uuid,
            'cause': {'code': 'VM.1001', 'description': 'wrong state', 'details': 'Stopped', 'cause': None}}


class Server:
    """Wires ``responses`` callbacks that answer like a ZStack management node (state in plain dicts)."""

    def __init__(self, rsps, sessions=(SESSION,), expire_first_post=False):
        self.rsps = rsps
        self.sessions = list(sessions)
        self.logins = []
        self.jobs = {}
        self.expire_first_post = expire_first_post
        self.job_delay = {}
        self.ignore_validation_only = False  # a server that grants consoles even when asked only to validate
        self.version = '4.8.0'  # what APIGetVersionMsg answers
        self.extra_vms = []  # VMs beyond VMS, for this test only
        self.inventories = {}  # console inventories that differ from the proxy's, by VM uuid
        self.lock = threading.Lock()
        rsps.add_callback(responses.PUT, BASE + 'accounts/login', callback=self.login)
        rsps.add_callback(responses.PUT, BASE + 'accounts/users/login', callback=self.login)
        rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=self.query)
        rsps.add_callback(responses.POST, BASE + 'consoles', callback=self.post_console)
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r'api-jobs/[0-9a-f]{32}$'), callback=self.job)
        rsps.add_callback(responses.PUT, BASE + 'management-nodes/actions', callback=self.get_version)
        rsps.add_callback(responses.DELETE, re.compile(re.escape(BASE) + r'accounts/sessions/[0-9a-f]{32}$'),
                          callback=self.logout)
        self.logouts = []

    @staticmethod
    def reply(status, body):
        return status, {}, json.dumps(body)

    def login(self, request):
        with self.lock:
            self.logins.append(json.loads(request.body))
            session = self.sessions[min(len(self.logins), len(self.sessions)) - 1]
        # A node in UTC+08:00: createDate is its wall clock without a zone; Tomcat's Date header is GMT.
        now = time.time()
        create_date = datetime.datetime.fromtimestamp(now, NODE_ZONE).strftime('%b %d, %Y %I:%M:%S %p')
        return 200, {'Date': email.utils.formatdate(now, usegmt=True)}, json.dumps(
            {'inventory': {'uuid': session, 'accountUuid': 'a' * 32, 'createDate': create_date}})

    def query(self, request):
        conditions = [value for key, value in parse_qsl(urlsplit(request.url).query) if key == 'q']
        if any("'" in condition for condition in conditions):
            # QueryFacadeImpl writes ' as \' into the ZQL text, which ZQL's lexer cannot read.
            return self.reply(503, {'error': {'code': 'SYS.1000', 'description': 'An internal error happened in system',
                                              'details': 'ParseCancellationException: token recognition error'}})
        vms = VMS + self.extra_vms
        for condition in conditions:
            if condition.startswith('name~='):  # SQL LIKE, case-insensitive
                like = ''.join('.*' if c == '%' else '.' if c == '_' else re.escape(c) for c in condition[6:])
                vms = [vm for vm in vms if re.fullmatch(like, vm['name'], re.IGNORECASE | re.DOTALL)]
            elif condition.startswith('name?='):
                listed = [name.lower() for name in condition[6:].split(',')]
                vms = [vm for vm in vms if vm['name'].lower() in listed]
            elif condition.startswith('name='):
                vms = [vm for vm in vms if vm['name'].lower() == condition[5:].lower()]
        return self.reply(200, {'inventories': vms})

    def post_console(self, request):
        if self.expire_first_post:
            self.expire_first_post = False
            return self.reply(503, {'error': {'code': 'ID.1001', 'description': 'invalid session',
                                              'details': 'Session expired'}})
        body = json.loads(request.body)
        job = hashlib.md5(request.body if isinstance(request.body, bytes) else request.body.encode()).hexdigest()
        with self.lock:
            self.jobs[job] = (body, request.headers.get('Authorization', ''))
        return self.reply(202, {'location': 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + job})

    def job(self, request):
        job = request.url.rsplit('/', 1)[-1]
        body, auth = self.jobs[job]
        vm_uuid = body['params']['vmInstanceUuid']
        time.sleep(self.job_delay.get(vm_uuid, 0))
        vm = [v for v in VMS + self.extra_vms if v['uuid'] == vm_uuid]
        if not vm:
            return self.reply(503, {'error': {'code': 'SYS.1003', 'description': 'resource not found',
                                              'details': 'vm[uuid:%s] not found' % vm_uuid}})
        if vm[0]['state'] not in ('Running', 'Crashed', 'VolumeRecovering', 'Paused', 'NoState'):
            return self.reply(503, {'error': stopped_error(vm_uuid)})
        # ApiMediatorImpl: only the exact "ephemeral::validationOnly" stops the message after validation.
        if 'ephemeral::validationOnly' in body['systemTags'] and not self.ignore_validation_only:
            return self.reply(200, {})
        session = auth.split(' ', 1)[-1]
        if vm_uuid in self.inventories:
            return self.reply(200, {'inventory': self.inventories[vm_uuid]})
        return self.reply(200, {'inventory': {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900.0,
                                              'token': '%s_%s' % (session, vm_uuid), 'targetScheme': 'vnc',
                                              'expiredDate': EXPIRED_DATE}})

    def get_version(self, request):
        assert json.loads(request.body) == {'getVersion': {}}
        return self.reply(200, {'version': self.version, 'success': True})

    def version_calls(self):
        return self.calls('PUT', 'management-nodes/actions')

    def api_calls(self):
        """The calls that carry credentials: all but GetVersion, which is asked without any."""
        return [c for c in self.rsps.calls if 'management-nodes/actions' not in c.request.url]

    def logout(self, request):
        # Session.logout: the session goes, and ConsoleManagerImpl.sessionLogout deletes its consoles.
        with self.lock:
            self.logouts.append(request.url.rsplit('/', 1)[-1])
        return self.reply(200, {})

    def calls(self, method=None, path=None):
        return [c for c in self.rsps.calls
                if (method is None or c.request.method == method) and (path is None or path in c.request.url)]

    def posted_bodies(self):
        return [json.loads(c.request.body) for c in self.calls('POST', 'consoles')]


@pytest.fixture
def server(rsps):
    srv = Server(rsps)
    yield srv
    # The module logs out only a session it logged in for itself, each once (and the tests say when).
    assert set(srv.logouts) <= set(srv.sessions[:len(srv.logins)]), srv.logouts
    assert len(srv.logouts) == len(set(srv.logouts))
    assert not [c for c in rsps.calls if 'sessions' in c.request.url and c.request.method != 'DELETE']


@pytest.fixture
def run(run_module):
    """zstack_console_access's main() in-process: run(args, check_mode=False) -> (exit code, raw stdout, result)."""
    return functools.partial(run_module, zstack_console_access)


def account_args(**kwargs):
    args = {'host': HOST, 'account_name': 'console-ops', 'account_password': PASSWORD}
    args.update(kwargs)
    return args


def assert_clean_failure(code, out, result):
    assert code == 1
    assert result['failed'] is True
    msg = result['msg']
    assert msg.splitlines() == [msg], msg
    assert 'Traceback' not in out
    assert 'exception' not in result
    assert PASSWORD not in out
    assert hashlib.sha512(PASSWORD.encode()).hexdigest() not in out


def token(vm_uuid, session=SESSION):
    return '%s_%s' % (session, vm_uuid)


# ------------------------------------------------------------------ single VM

def test_single_vm_by_uuid(run, server):
    code, out, result = run(account_args(vm_instance_uuid=VM1))
    assert code == 0, result
    assert result['changed'] is False
    assert result['session_created'] is True
    assert result['validate_only'] is False
    expected = {'vm_instance_uuid': VM1, 'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900,
                'token': token(VM1), 'target_scheme': 'vnc', 'protocol': 'vnc', 'expired_date': EXPIRED_DATE,
                'expires_at': EXPIRES_AT,
                'websocket_url': 'ws://10.0.0.5:4900/?token=' + token(VM1), 'session_owned': True,
                'token_session': 'opened',
                'console_url': 'http://%s:5000/novnc?host=10.0.0.5&port=4900&token=%s&title=%s'
                               % (HOST, token(VM1), VM1)}
    assert result['ansible_facts'] == {'zstack_console': expected, 'zstack_consoles': [expected]}
    assert result['failures'] == [] and result['session_ended'] is False
    assert server.logouts == []  # the token embeds the session: it stays open
    assert server.posted_bodies() == [{'params': {'vmInstanceUuid': VM1}, 'systemTags': [], 'userTags': []}]
    assert len(server.logins) == 1
    assert server.logins[0] == {'logInByAccount': {'accountName': 'console-ops',
                                                   'password': hashlib.sha512(PASSWORD.encode()).hexdigest()}}
    assert PASSWORD not in out
    # The job was polled on the configured host, not on the location's.
    assert all(urlsplit(c.request.url).hostname == HOST for c in server.rsps.calls)


def test_single_vm_uppercase_uuid_normalised(run, server):
    code, _out, result = run(account_args(vm_instance_uuid=VM_HEX.upper()))
    assert code == 0, result
    assert result['ansible_facts']['zstack_console']['vm_instance_uuid'] == VM_HEX
    assert server.posted_bodies()[0]['params']['vmInstanceUuid'] == VM_HEX


def test_single_vm_unknown_uuid(run, server):
    unknown = 'ab' * 16
    code, out, result = run(account_args(vm_instance_uuid=unknown))
    assert_clean_failure(code, out, result)
    assert result['msg'].startswith('VM %s: ZStack API error SYS.1003' % unknown)
    assert result['error']['code'] == 'SYS.1003'


def test_single_vm_by_name(run, server):
    code, _out, result = run(account_args(vm_instance_name='web-01', system_tags=['a::b'],
                                          user_tags=['ops']))
    assert code == 0, result
    console = result['ansible_facts']['zstack_console']
    assert console['vm_instance_uuid'] == VM1
    assert console['vm_instance_name'] == 'web-01'
    assert console['token'] == token(VM1)
    assert server.posted_bodies() == [{'params': {'vmInstanceUuid': VM1}, 'systemTags': ['a::b'], 'userTags': ['ops']}]
    lookup = server.calls('GET', 'vm-instances')[0].request
    assert ('q', 'name=web-01') in parse_qsl(urlsplit(lookup.url).query)


def test_single_vm_api_error(run, server):
    code, out, result = run(account_args(vm_instance_uuid=VM_STOPPED))
    assert_clean_failure(code, out, result)
    assert result['msg'] == ('VM %s: ZStack API error SYS.1006: operation error: vm[uuid:%s] is not in state of '
                             'Running, current state is Stopped' % (VM_STOPPED, VM_STOPPED))
    assert result['error'] == stopped_error(VM_STOPPED)  # the whole error, cause chain included
    assert result['failures'] == [{'vm_instance_uuid': VM_STOPPED, 'msg': result['msg'],
                                   'error': stopped_error(VM_STOPPED)}]
    assert 'ansible_facts' not in result and 'zstack_consoles' not in result
    assert server.logouts == [SESSION]  # the session it opened, for nothing: ended


def test_single_vm_name_ambiguous(run, server):
    code, out, result = run(account_args(vm_instance_name='twin'))
    assert_clean_failure(code, out, result)
    assert '66666666666666666666666666666666' in result['msg'] and '77777777777777777777777777777777' in result['msg']
    assert server.calls('POST') == []


def test_single_vm_name_only_destroyed(run, server, rsps):
    rsps.replace(responses.GET, BASE + 'vm-instances', json={'inventories': [VMS[4]]})
    code, out, result = run(account_args(vm_instance_name='web-01'))
    assert_clean_failure(code, out, result)
    assert VM_GONE in result['msg'] and 'only Destroyed' in result['msg']


# ------------------------------------------------------------------ several VMs

def test_list_mode_keeps_input_order_with_one_login(run, server):
    # The first VMs answer slowest, so completion order is the reverse of the input order.
    server.job_delay = {VM3: 0.3, VM1: 0.15}
    code, _out, result = run(account_args(vm_instances=[VM3, 'web-01', VM2.upper(), 'web-02']))
    assert code == 0, result
    consoles = result['ansible_facts']['zstack_consoles']
    assert [c['vm_instance_uuid'] for c in consoles] == [VM3, VM1, VM2, VM2]
    assert [c.get('vm_instance_name') for c in consoles] == [None, 'web-01', None, 'web-02']
    assert [c['token'] for c in consoles] == [token(VM3), token(VM1), token(VM2), token(VM2)]
    assert 'zstack_console' not in result['ansible_facts']
    assert len(server.logins) == 1
    assert len(server.calls('PUT', 'login')) == 1
    assert len(server.version_calls()) == 1  # the node's version: once per task, whatever the number of VMs
    assert sorted(b['params']['vmInstanceUuid'] for b in server.posted_bodies()) == sorted([VM3, VM1, VM2, VM2])


def test_list_mode_with_one_worker(run, server):
    code, _out, result = run(account_args(vm_instances=[VM2, VM1], workers=1))
    assert code == 0, result
    assert [c['vm_instance_uuid'] for c in result['ansible_facts']['zstack_consoles']] == [VM2, VM1]
    assert [b['params']['vmInstanceUuid'] for b in server.posted_bodies()] == [VM2, VM1]


def test_list_mode_failure_names_every_vm_and_hands_out_nothing(run, server):
    code, out, result = run(account_args(vm_instances=['web-02', VM_STOPPED, 'nope', VM1]))
    assert_clean_failure(code, out, result)
    stopped = ('VM %s: ZStack API error SYS.1006: operation error: vm[uuid:%s] is not in state of Running, current '
               'state is Stopped' % (VM_STOPPED, VM_STOPPED))
    assert result['msg'] == ("Console access failed for 2 of 4 VMs: %s; No VM named 'nope' that is not Destroyed "
                             "(no console was handed out; allow_partial=true hands out the others)" % stopped)
    assert result['error'] == stopped_error(VM_STOPPED)
    assert result['failures'] == [
        {'vm_instance_uuid': VM_STOPPED, 'msg': stopped, 'error': stopped_error(VM_STOPPED)},
        {'vm_instance_name': 'nope', 'msg': "No VM named 'nope' that is not Destroyed"}]
    # Nothing handed out: no token anywhere in the result, and the session behind the two consoles it did create
    # was logged out, which makes ZStack delete them.
    assert 'zstack_consoles' not in result and 'ansible_facts' not in result
    assert token(VM2) not in out and token(VM1) not in out
    assert server.logouts == [SESSION]
    assert len(server.logins) == 1


def test_allow_partial_hands_out_what_worked_and_warns_per_vm(run, server):
    code, out, result = run(account_args(vm_instances=['web-02', VM_STOPPED, 'nope', VM1], allow_partial=True))
    assert code == 0, result
    assert [(e['vm_instance_uuid'], e['token'], e['token_session']) for e in result['zstack_consoles']] == [
        (VM2, token(VM2), 'opened'), (VM1, token(VM1), 'opened')]
    assert result['ansible_facts']['zstack_consoles'] == result['zstack_consoles']
    assert 'zstack_console' not in result
    assert [f.get('vm_instance_uuid', f.get('vm_instance_name')) for f in result['failures']] == [VM_STOPPED, 'nope']
    warnings = [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]
    assert warnings == ['No console: %s (allow_partial: the other VMs got theirs)' % f['msg'] for f in result['failures']]
    assert server.logouts == []  # the tokens handed out embed the session
    assert result['session_ended'] is False


def test_allow_partial_with_every_vm_failed_ends_the_session(run, server):
    code, _out, result = run(account_args(vm_instances=[VM_STOPPED, 'nope'], allow_partial=True))
    assert code == 0, result
    assert result['zstack_consoles'] == [] and len(result['failures']) == 2
    assert result['session_ended'] is True and server.logouts == [SESSION]


HOST_DOWN = {'code': 'HOST.1001', 'description': 'host down', 'details': 'host is disconnected'}


def assert_failed_alike(code, out, result, labels, reason):
    """Every VM failed with ``reason``: each failure item named as ``labels`` say (the name a query or a name gave,
    else the UUID), its message that label and the reason, and the task's and the role's messages each name the
    reason once with the VMs it hit."""
    assert_clean_failure(code, out, result)
    assert [f.get('vm_instance_name') or f['vm_instance_uuid'] for f in result['failures']] == labels
    assert [f['msg'] for f in result['failures']] == ['VM %s: %s' % (label, reason) for label in labels]
    named = ', '.join(labels[:3]) + (' and %d more' % (len(labels) - 3) if len(labels) > 3 else '')
    assert result['msg'] == 'Console access failed for %d of %d VMs: %d VMs (%s): %s' % (
        len(labels), len(labels), len(labels), named, reason)
    assert failure_message(result) == 'zstack_console_access failed for %d VMs (%s): %s' % (
        len(labels), ', '.join(labels), reason)


@pytest.mark.parametrize('selector, labels', [({'vm_instances': ['web-01', 'web-02']}, ['web-01', 'web-02']),
                                              ({'vm_instances': [VM_HEX.upper(), VM2]}, [VM_HEX, VM2])])
def test_vms_that_fail_alike_are_named_once_with_the_reason(run, server, rsps, selector, labels):
    """A host down fails its VMs alike, whether they were given by name or by UUID (in any case)."""
    rsps.replace(responses.POST, BASE + 'consoles', status=503, json={'error': HOST_DOWN})
    code, out, result = run(account_args(**selector))
    assert_failed_alike(code, out, result, labels, 'ZStack API error HOST.1001: host down: host is disconnected')


def test_vms_a_query_selected_that_fail_alike_are_named_once_with_the_reason(run_module, start_simulator, fleet_seed):
    """The same for the VMs of a query, against the simulator (which answers queries with their count)."""
    sim = start_simulator(fleet_seed(0))
    sim.add_faults([{'method': 'POST', 'path': '/consoles$', 'error': HOST_DOWN}])
    args = {'host': '127.0.0.1', 'port': sim.port, 'account_name': 'console-ops', 'account_password': 'C0nsole-Ops!',
            'vm_query': ['name~=web-%']}
    code, out, result = run_module(zstack_console_access, args)
    labels = sorted(f['vm_instance_name'] for f in result.get('failures', []))
    assert len(labels) >= 2, result
    assert_failed_alike(code, out, result, labels, 'ZStack API error HOST.1001: host down: host is disconnected')


def test_a_session_that_cannot_be_ended_is_one_warning_without_its_uuid(run, server, rsps):
    rsps.replace(responses.DELETE, re.compile(re.escape(BASE) + r'accounts/sessions/[0-9a-f]{32}$'), status=500,
                 body='cannot delete session %s' % SESSION)
    code, _out, result = run(account_args(vm_instances=[VM_STOPPED], allow_partial=True))
    assert code == 0, result
    assert result['session_ended'] is False
    warnings = [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]
    ended = [w for w in warnings if w.startswith('Could not end the API session this task opened')]
    assert len(ended) == 1 and 'HTTP 500' in ended[0] and '<session>' in ended[0], warnings
    assert SESSION not in ' '.join(warnings)


def test_list_mode_failure_without_api_error_has_no_error_key(run, server):
    code, out, result = run(account_args(vm_instances=['nope', VM1]))
    assert_clean_failure(code, out, result)
    assert result['msg'] == ("Console access failed for 1 of 2 VMs: No VM named 'nope' that is not Destroyed (no "
                             "console was handed out; allow_partial=true hands out the others)")
    assert 'error' not in result


# ------------------------------------------------------------------ the node's page, TLS on the proxy

@pytest.mark.parametrize('version, page', [('4.8.0', '/novnc'), ('4.0.0', '/novnc'), ('5.2.1', '/novnc'),
                                           ('3.10.38', '/thirdparty/vnc_auto.html')])
def test_default_console_url_is_the_page_of_the_node_version(run, server, version, page):
    server.version = version
    code, _out, result = run(account_args(vm_instances=[VM1, 'web-02']))
    assert code == 0, result
    urls = [c['console_url'] for c in result['zstack_consoles']]
    assert urls == ['http://%s:5000%s?host=10.0.0.5&port=4900&token=%s&title=%s' % (HOST, page, token(vm), title)
                    for vm, title in ((VM1, VM1), (VM2, 'web-02'))]
    assert [c.request.headers.get('Authorization') for c in server.version_calls()] == [None]
    assert 'warnings' not in result


@pytest.mark.parametrize('answer', [
    {'status': 404, 'body': 'no api mapping to /v1/management-nodes/actions'},
    {'status': 200, 'body': '{"success": true}'},
    {'status': 200, 'body': '{"version": "<script>", "success": true}'},
    {'status': 503, 'body': '{"error": {"code": "SYS.1000", "description": "internal error"}}'},
])
def test_a_node_that_does_not_tell_its_version_gets_the_old_page_and_one_warning(run, server, rsps, answer):
    rsps.replace(responses.PUT, BASE + 'management-nodes/actions', **answer)
    code, out, result = run(account_args(vm_instances=[VM1, 'web-02']))
    assert code == 0, result
    assert all(c['console_url'].startswith('http://%s:5000/thirdparty/vnc_auto.html?host=' % HOST)
               for c in result['zstack_consoles'])
    warnings = [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]  # 2.19: WarningSummary
    assert len(warnings) == 1 and warnings[0].startswith('ZStack did not tell its version (')
    assert warnings[0].endswith('): console_url opens the console page of ZStack before 4.0, '
                                '/thirdparty/vnc_auto.html; give novnc_url to choose the page')
    assert len(server.version_calls()) == 1
    assert PASSWORD not in out and SESSION not in warnings[0]


@pytest.mark.parametrize('args, check_mode, code', [
    ({'vm_instance_uuid': VM1, 'novnc_url': 'https://bastion/vnc.html'}, False, 0),
    ({'vm_instance_uuid': VM1}, True, 0),
    ({'vm_instance_uuid': VM_STOPPED}, False, 1),
], ids=['novnc_url', 'check_mode', 'no_console'])
def test_no_version_call_with_novnc_url_in_check_mode_or_without_a_console(run, server, args, check_mode, code):
    result = run(account_args(**args), check_mode=check_mode)
    assert result[0] == code, result
    assert server.version_calls() == []


@pytest.mark.parametrize('how', ['option', 'env'])
def test_console_proxy_tls_gives_wss_everywhere(run, server, monkeypatch, how):
    args = account_args(vm_instance_uuid=VM1)
    if how == 'option':
        args['console_proxy_tls'] = True
    else:
        monkeypatch.setenv('ZSTACK_CONSOLE_PROXY_TLS', 'true')
    code, _out, result = run(args)
    assert code == 0, result
    console = result['zstack_console']
    assert console['scheme'] == 'http'  # what ZStack answers, certificate or not
    assert console['websocket_url'] == 'wss://10.0.0.5:4900/?token=' + token(VM1)
    assert console['console_url'] == ('http://%s:5000/novnc?host=10.0.0.5&port=4900&token=%s&encrypt=1&title=%s'
                                      % (HOST, token(VM1), VM1))
    monkeypatch.delenv('ZSTACK_CONSOLE_PROXY_TLS', raising=False)
    code, _out, result = run(account_args(vm_instance_uuid=VM1, novnc_url='https://bastion/vnc.html'))
    assert result['zstack_console']['websocket_url'].startswith('ws://')
    assert '&encrypt=1&' in result['zstack_console']['console_url']  # an https page opens wss:// whatever the option


def test_a_direct_console_gets_the_wss_url_of_its_path(run, server):
    server.inventories[VM1] = {'scheme': 'wss', 'targetScheme': 'wss', 'hostname': 'esx-07.example.test',
                               'port': 443, 'token': '/ticket/0c5b2d1f', 'version': '7.0.3'}
    code, _out, result = run(account_args(vm_instance_uuid=VM1, novnc_url='http://bastion/vnc.html'))
    assert code == 0, result
    console = result['zstack_console']
    assert console['websocket_url'] == 'wss://esx-07.example.test:443/ticket/0c5b2d1f'
    fragment = dict(parse_qsl(urlsplit(console['console_url']).fragment))
    assert (fragment['path'], fragment['encrypt']) == ('ticket/0c5b2d1f', '1')


def test_a_console_scheme_the_collection_does_not_know_fails_that_vm_only(run, server):
    server.inventories[VM1] = {'scheme': 'rdp', 'hostname': '10.0.0.9', 'port': 3389, 'token': 'secret-ticket'}
    code, out, result = run(account_args(vm_instances=[VM1, 'web-02'], allow_partial=True))
    assert code == 0, result
    [failed] = result['failures']
    assert failed == {'vm_instance_uuid': VM1,
                      'msg': "VM %s: ZStack answered a console with scheme 'rdp', which this collection does not know "
                             "(http: ZStack's console proxy; wss: a direct console); no URL was made" % VM1}
    assert 'secret-ticket' not in out
    [served] = result['zstack_consoles']
    assert served['token'] == token(VM2) and served['websocket_url'].startswith('ws://')


# ------------------------------------------------------------------ names with a quote

BOB = {'uuid': '88888888888888888888888888888888', 'name': "bob's vm", 'state': 'Running'}
BOB_LOOKALIKE = {'uuid': '99999999999999999999999999999999', 'name': 'bobXs vm', 'state': 'Running'}


@pytest.mark.parametrize('names', [["bob's vm"], ["bob's vm", 'web-01', 'web-02'], ['web-01', "bob's vm"]])
def test_a_name_with_a_quote_is_found_by_pattern_alone_and_in_a_batch(run, server, names):
    server.extra_vms = [BOB, BOB_LOOKALIKE]
    args = account_args(vm_instance_name=names[0]) if len(names) == 1 else account_args(vm_instances=names)
    code, _out, result = run(args)
    assert code == 0, result
    by_name = {c['vm_instance_name']: c for c in result['zstack_consoles']}
    assert by_name["bob's vm"]['vm_instance_uuid'] == BOB['uuid']  # not its look-alike, which the pattern matches too
    assert by_name["bob's vm"]['token'] == token(BOB['uuid'])
    sent = [value for c in server.calls('GET', 'vm-instances') for key, value in parse_qsl(urlsplit(c.request.url).query)
            if key == 'q']
    assert "name~=bob_s vm" in sent
    assert not any("'" in value for value in sent)


def test_one_name_that_fails_a_batch_query_does_not_fail_the_others(run, server, rsps):
    # A server that refuses the batched query (for whatever one name): each name is then looked up alone.
    original = server.query

    def refuse_lists(request):
        if 'name%3F%3D' in request.url:
            return server.reply(503, {'error': {'code': 'SYS.1000', 'description': 'internal error'}})
        return original(request)
    rsps.replace(responses.GET, BASE + 'vm-instances', body='')  # drop the old callback
    rsps.remove(responses.GET, BASE + 'vm-instances')
    rsps.add_callback(responses.GET, BASE + 'vm-instances', callback=refuse_lists)
    code, _out, result = run(account_args(vm_instances=['web-02', 'db-01', 'nope'], allow_partial=True))
    assert code == 0, result
    assert [c['token'] for c in result['zstack_consoles']] == [token(VM2), token(VM3)]
    assert result['failures'] == [{'vm_instance_name': 'nope', 'msg': "No VM named 'nope' that is not Destroyed"}]


# ------------------------------------------------------------------ check mode

def test_check_mode_validation_only(run, server):
    code, _out, result = run(account_args(vm_instances=[VM1, 'web-02'], system_tags=['x::y']),
                             check_mode=True)
    assert code == 0, result
    assert result['changed'] is False
    assert result['validate_only'] is True
    assert result['ansible_facts']['zstack_consoles'] == [{'vm_instance_uuid': VM1},
                                                          {'vm_instance_uuid': VM2, 'vm_instance_name': 'web-02'}]
    bodies = sorted(server.posted_bodies(), key=lambda b: b['params']['vmInstanceUuid'])
    tags = ['x::y', 'ephemeral::validationOnly']
    assert bodies == [{'params': {'vmInstanceUuid': VM1}, 'systemTags': tags, 'userTags': []},
                      {'params': {'vmInstanceUuid': VM2}, 'systemTags': tags, 'userTags': []}]
    assert 'warnings' not in result


@pytest.mark.parametrize('workers', [1, 4])
def test_check_mode_withholds_a_console_the_server_granted(run, server, workers):
    server.ignore_validation_only = True
    code, out, result = run(account_args(vm_instances=[VM1, 'web-02'], workers=workers), check_mode=True)
    assert code == 0, result
    assert result['validate_only'] is True
    assert result['ansible_facts']['zstack_consoles'] == [{'vm_instance_uuid': VM1},
                                                          {'vm_instance_uuid': VM2, 'vm_instance_name': 'web-02'}]
    assert SESSION not in out  # neither token nor any URL built from it
    assert '"token"' not in out and 'ws://' not in out
    warnings = [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]  # 2.19: WarningSummary
    assert sorted(warnings) == sorted(
        'VM %s: ZStack created a console although it was asked only to validate (ephemeral::validationOnly); the '
        'module withheld its token, and the console lives until it expires or its session ends' % vm for vm in (VM1, VM2))


def test_validation_only_tag_given_by_the_caller_is_check_mode(run, server):
    code, out, result = run(account_args(vm_instance_uuid=VM1, system_tags=['ephemeral::validationOnly']))
    assert code == 0, result
    assert result['validate_only'] is True
    assert result['ansible_facts']['zstack_consoles'] == [{'vm_instance_uuid': VM1}]
    assert server.posted_bodies()[0]['systemTags'] == ['ephemeral::validationOnly']


def test_bare_validation_only_tag_is_sent_as_given_and_gets_a_console(run, server):
    # Not check mode: the module sends what it was given; ZStack ignores a bare "validationOnly" and grants.
    code, _out, result = run(account_args(vm_instance_uuid=VM1, system_tags=['validationOnly']))
    assert code == 0, result
    assert result['validate_only'] is False
    assert result['ansible_facts']['zstack_console']['token'] == token(VM1)
    assert server.posted_bodies()[0]['systemTags'] == ['validationOnly']


def test_check_mode_reports_state_errors(run, server):
    code, out, result = run(account_args(vm_instance_uuid=VM_STOPPED), check_mode=True)
    assert_clean_failure(code, out, result)
    assert result['error']['code'] == 'SYS.1006'
    assert server.posted_bodies()[0]['systemTags'] == ['ephemeral::validationOnly']


# ------------------------------------------------------------------ caller's session

def test_session_uuid_token_intact_invocation_masked(run, server):
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instances': [VM1, VM2]})
    assert code == 0, result
    assert result['session_created'] is False
    consoles = result['ansible_facts']['zstack_consoles']
    assert [c['token'] for c in consoles] == [token(VM1), token(VM2)]
    assert consoles[0]['websocket_url'] == 'ws://10.0.0.5:4900/?token=' + token(VM1)
    module_args = result['invocation']['module_args']
    assert module_args['session_uuid'] != SESSION
    assert SESSION not in json.dumps(result['invocation'])
    assert module_args['vm_instances'] == [VM1, VM2]
    assert server.logins == []
    assert all(c.request.headers['Authorization'] == 'OAuth ' + SESSION for c in server.api_calls())
    assert [c.request.headers.get('Authorization') for c in server.version_calls()] == [None]
    assert SESSION not in out.replace(token(VM1), '').replace(token(VM2), '')


def test_session_uuid_partial_keeps_tokens_and_masks_invocation(run, server):
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instances': [VM1, 'nope'],
                             'allow_partial': True})
    assert code == 0, result
    (entry,) = result['zstack_consoles']
    assert entry['token'] == token(VM1)  # not masked although the session UUID is a no_log value
    assert entry['token_session'] == 'given' and entry['session_owned'] is False
    assert SESSION not in json.dumps(result['invocation'])
    assert server.logouts == [] and result['session_created'] is False  # never the caller's session


def test_session_uuid_failure_never_ends_the_callers_session(run, server):
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instances': [VM1, 'nope']})
    assert_clean_failure(code, out, result)
    assert 'zstack_consoles' not in result and token(VM1) not in out
    assert server.logouts == []


def test_session_uuid_masked_when_failing_before_any_request(run, rsps):
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instance_uuid': 'bad'})
    assert_clean_failure(code, out, result)
    assert SESSION not in out
    assert len(rsps.calls) == 0


def test_session_uuid_expired(run, server, rsps):
    rsps.replace(responses.POST, BASE + 'consoles', status=503,
                 json={'error': {'code': 'ID.1001', 'description': 'invalid session', 'details': 'Session expired'}})
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert 'session_uuid' in result['msg'] and 'ID.1001' in result['msg']
    assert SESSION not in out
    assert server.calls('PUT') == []
    assert len(server.calls('POST')) == 1


# ------------------------------------------------------------------ module-owned session expiry

def test_login_session_expiry_logs_in_again_once(run, rsps):
    server = Server(rsps, sessions=(SESSION, SESSION2), expire_first_post=True)
    code, _out, result = run(account_args(vm_instance_uuid=VM1))
    assert code == 0, result
    assert len(server.logins) == 2
    assert result['ansible_facts']['zstack_console']['token'] == token(VM1, SESSION2)
    # The token embeds the second session, opened by this task: nothing is logged out.
    assert result['ansible_facts']['zstack_console']['token_session'] == 'opened'
    assert server.logouts == []


def test_login_session_expiry_twice_fails(run, rsps):
    server = Server(rsps, sessions=(SESSION, SESSION2))
    rsps.replace(responses.POST, BASE + 'consoles', status=503,
                 json={'error': {'code': 'ID.1001', 'description': 'invalid session', 'details': 'Session expired'}})
    code, out, result = run(account_args(vm_instance_uuid=VM1))
    assert_clean_failure(code, out, result)
    # The new session ended at once too: what a node with enable.unique.session does when another client of the
    # same user logs in meanwhile; the message says so and what to do.
    assert result['msg'].startswith('VM %s: The session this task logged in for (as account console-ops) ended again '
                                    'right after a new login (ID.1001): ' % VM1)
    assert 'enable.unique.session' in result['msg'] and 'zstack.cloud.zstack_session' in result['msg']
    assert SESSION not in result['msg'] and SESSION2 not in result['msg']
    assert result['error'] == {'code': 'ID.1001'}
    assert len(server.logins) == 2
    assert server.logouts == [SESSION2]  # the last session it opened, which no console embeds


# ------------------------------------------------------------------ other auth methods

def test_iam_user_login(run, server):
    code, _out, result = run(account_args(user_name='oncall', vm_instance_uuid=VM1))
    assert code == 0, result
    assert [c.request.url for c in server.calls('PUT', 'login')] == [BASE + 'accounts/users/login']
    assert server.logins[0] == {'logInByUser': {'accountName': 'console-ops', 'userName': 'oncall',
                                                'password': hashlib.sha512(PASSWORD.encode()).hexdigest()}}


def test_access_key(run, server):
    code, out, result = run({'host': HOST, 'access_key_id': 'AKID', 'access_key_secret': 'AK-secret-9',
                             'vm_instance_uuid': VM1, 'server_timezone': 'Asia/Shanghai'})
    assert code == 0, result
    assert result['session_created'] is False
    assert server.logins == []
    for call in server.api_calls():
        assert call.request.headers['Authorization'].startswith('ZStack AKID:')
        assert call.request.headers['Date'].endswith(' GMT+08:00')
    assert 'AK-secret-9' not in out
    assert result['ansible_facts']['zstack_console']['expires_at'] == EXPIRES_AT


# ------------------------------------------------------------------ the result itself, for register:

def test_consoles_in_the_result_and_as_facts(run, server):
    code, _out, result = run(account_args(vm_instances=[VM1, 'web-02']))
    assert code == 0, result
    assert [e['vm_instance_uuid'] for e in result['zstack_consoles']] == [VM1, VM2]
    assert result['ansible_facts'] == {'zstack_consoles': result['zstack_consoles']}
    assert 'zstack_console' not in result  # several VMs asked for
    code, _out, result = run(account_args(vm_instance_name='web-01'))
    assert result['zstack_console'] == result['zstack_consoles'][0] == result['ansible_facts']['zstack_console']
    assert result['zstack_console']['token'] == token(VM1)


def test_ca_path_from_zstack_ca_path(run, rsps, monkeypatch, tmp_path):
    monkeypatch.setenv('ZSTACK_CA_PATH', str(tmp_path / 'missing-ca.pem'))
    code, out, result = run(account_args(vm_instance_uuid=VM1))
    assert_clean_failure(code, out, result)
    assert result['msg'] == 'ca_path %s does not exist or cannot be read (give a PEM bundle of CA certificates)' % (
        tmp_path / 'missing-ca.pem')
    assert len(rsps.calls) == 0


def test_ca_path_from_zstack_ca_path_is_the_bundle_requests_uses(run, server, monkeypatch, tmp_path):
    bundle = tmp_path / 'ca.pem'
    bundle.write_text('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n')
    monkeypatch.setenv('ZSTACK_CA_PATH', str(bundle))
    seen = []
    real_send = requests.Session.send

    def send(self, request, **kwargs):
        seen.append(kwargs.get('verify'))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, 'send', send)
    code, _out, result = run(account_args(vm_instance_uuid=VM1))
    assert code == 0, result
    assert result['invocation']['module_args']['ca_path'] == str(bundle)
    assert seen and set(seen) == {str(bundle)}
    # An option given in the task wins over the variable.
    code, out, result = run(account_args(vm_instance_uuid=VM1, ca_path=str(tmp_path / 'other.pem')))
    assert_clean_failure(code, out, result)
    assert 'other.pem' in result['msg']


# ------------------------------------------------------------------ the node's zone

def test_expires_at_from_the_offset_learned_at_login(run, server):
    # The mock node runs in UTC+08:00 and the module is not told: the login reply shows it.
    code, _out, result = run(account_args(vm_instance_uuid=VM1))
    assert code == 0, result
    entry = result['ansible_facts']['zstack_console']
    assert (entry['expired_date'], entry['expires_at']) == (EXPIRED_DATE, EXPIRES_AT)


@pytest.mark.parametrize('how', ['option', 'env'])
def test_server_timezone_wins_over_the_login(run, server, monkeypatch, how):
    args = account_args(vm_instance_uuid=VM1)
    if how == 'option':
        args['server_timezone'] = '-05:00'
    else:
        monkeypatch.setenv('ZSTACK_SERVER_TIMEZONE', '-05:00')
    code, _out, result = run(args)
    assert code == 0, result
    assert result['ansible_facts']['zstack_console']['expires_at'] == '2026-11-28T22:21:20Z'


def test_session_uuid_without_server_timezone_reads_local_time(run, server, monkeypatch):
    monkeypatch.setenv('TZ', 'Asia/Kolkata')
    time.tzset()
    try:
        code, _out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instance_uuid': VM1})
    finally:
        monkeypatch.undo()
        time.tzset()
    assert code == 0, result
    assert result['ansible_facts']['zstack_console']['expires_at'] == '2026-11-28T11:51:20Z'


@pytest.mark.parametrize('value', ['Mars/Olympus', '+25:00', 'Asia/Shanghai\nX-Injected: 1', '../../etc/localtime'])
def test_bad_server_timezone_fails_before_sending(run, rsps, value):
    code, out, result = run(account_args(vm_instance_uuid=VM1, server_timezone=value))
    assert_clean_failure(code, out, result)
    assert result['msg'].startswith('server_timezone ')
    assert 'such as Asia/Shanghai' in result['msg']
    assert len(rsps.calls) == 0


def test_access_key_too_skewed_says_to_set_server_timezone(run, rsps):
    # RestServer.checkTime answers a Date too far from the node's wall clock with a plain-text 403
    # (zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java).
    rsps.get(BASE + 'vm-instances', status=403, body='requestTimeTooSkewed')
    code, out, result = run({'host': HOST, 'access_key_id': 'AKID', 'access_key_secret': 'AK-secret-9',
                             'vm_instance_name': 'web-01', 'server_timezone': 'UTC'})
    assert_clean_failure(code, out, result)
    msg = result['msg']
    assert 'requestTimeTooSkewed' in msg and 'set server_timezone (ZSTACK_SERVER_TIMEZONE)' in msg
    assert 'UTC+00:00, from server_timezone' in msg
    assert re.search(r'dated \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT ', msg), msg
    assert 'AK-secret-9' not in out
    assert len(rsps.calls) == 1  # a 403 is not retried


def test_login_failure(run, rsps):
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {
        'code': 'ID.1000', 'description': 'authentication error', 'details': 'wrong account name or password'}})
    code, out, result = run(account_args(vm_instance_uuid=VM1))
    assert_clean_failure(code, out, result)
    assert 'Login as account console-ops failed' in result['msg'] and 'ID.1000' in result['msg']
    assert result['error']['code'] == 'ID.1000'
    assert len(rsps.calls) == 1


def test_connection_refused(run):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    code, out, result = run(account_args(host='127.0.0.1', port=port, vm_instance_uuid=VM1))
    assert_clean_failure(code, out, result)
    # The task logs in once, before any VM is served: the login's failure is the task's, not a VM's.
    assert result['msg'] == 'Cannot connect to ZStack at http://127.0.0.1:%d: connection refused' % port


# ------------------------------------------------------------------ argument validation

@pytest.mark.parametrize('args, fragment', [
    ({}, 'one of the following is required: vm_instance_uuid, vm_instance_name, vm_instances'),
    ({'vm_instance_uuid': VM1, 'vm_instance_name': 'web-01'}, 'mutually exclusive'),
    ({'vm_instance_uuid': VM1, 'vm_instances': [VM2]}, 'mutually exclusive'),
    ({'vm_instance_name': 'web-01', 'vm_instances': [VM2]}, 'mutually exclusive'),
    ({'vm_instance_uuid': 'web-01'}, "vm_instance_uuid: 'web-01' is not a ZStack UUID"),
    ({'vm_instance_uuid': '5f3c2a9b-0e6d-4c1f-8a7b-6c5d4e3f2a1b'}, 'is not a ZStack UUID'),
    ({'vm_instance_uuid': VM1 + '0'}, 'is not a ZStack UUID'),
    ({'vm_instance_uuid': ''}, 'empty VM reference'),
    ({'vm_instance_name': '  '}, 'empty VM reference'),
    ({'vm_instances': [VM1, '5f3c2a9b-0e6d-4c1f-8a7b-6c5d4e3f2a1b']}, 'vm_instances: '),
    ({'vm_instances': []}, 'vm_instances is empty'),
    ({'vm_instances': [VM1], 'workers': 0}, 'workers must be 1 or more'),
    ({'vm_instance_uuid': VM1, 'timeout': 0}, 'timeout must be 1 or more'),
    ({'vm_instance_uuid': VM1, 'wait_timeout': 0}, 'wait_timeout must be 1 or more'),
    ({'vm_instance_uuid': VM1, 'retries': -1}, 'retries must be 0 or more'),
    ({'vm_instance_uuid': VM1, 'port': 0}, 'port must be 1 or more'),
    ({'vm_instance_uuid': VM1, 'scheme': 'ftp'}, 'scheme'),
    ({'vm_instance_uuid': VM1, 'bogus': 1}, 'Unsupported parameters'),
])
def test_argument_validation_fails_before_any_request(run, rsps, args, fragment):
    code, out, result = run(account_args(**args))
    assert_clean_failure(code, out, result)
    assert fragment in result['msg']
    assert len(rsps.calls) == 0


def test_missing_host(run, rsps):
    code, out, result = run({'account_name': 'a', 'account_password': PASSWORD, 'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert 'host' in result['msg']
    assert len(rsps.calls) == 0


@pytest.mark.parametrize('auth, fragment', [
    ({}, 'No ZStack credentials'),
    ({'session_uuid': SESSION, 'account_name': 'a', 'account_password': PASSWORD},
     'Give exactly one way to authenticate, not session_uuid and account (from task options)'),
    ({'access_key_id': 'AK', 'access_key_secret': 'AK-secret-value', 'account_name': 'a', 'account_password': PASSWORD},
     'not account and access key (from task options)'),
    ({'session_uuid': SESSION, 'access_key_id': 'AK', 'access_key_secret': 'AK-secret-value'}, 'not session_uuid and access key'),
    ({'account_name': 'a'}, 'account_name and account_password go together (from task options)'),
    ({'account_password': PASSWORD}, 'account_name and account_password go together'),
    ({'access_key_id': 'AK'}, 'access_key_id and access_key_secret go together'),
    ({'access_key_secret': 'AK-secret-value'}, 'access_key_id and access_key_secret go together'),
    ({'user_name': 'oncall'}, 'user_name needs account_name'),
    ({'user_name': 'oncall', 'account_password': PASSWORD}, 'go together'),
    ({'session_uuid': '', 'account_name': ''}, 'No ZStack credentials'),
])
def test_exactly_one_auth_method(run, rsps, auth, fragment):
    args = {'host': HOST, 'vm_instance_uuid': VM1}
    args.update(auth)
    code, out, result = run(args)
    assert_clean_failure(code, out, result)
    assert fragment in result['msg']
    assert len(rsps.calls) == 0


# ------------------------------------------------------------------ environment

def test_env_fallback_for_host_and_account(run, server, monkeypatch):
    monkeypatch.setenv('ZSTACK_HOST', HOST)
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'env-account')
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', PASSWORD)
    code, out, result = run({'vm_instance_uuid': VM1})
    assert code == 0, result
    assert server.logins == [{'logInByAccount': {'accountName': 'env-account',
                                                 'password': hashlib.sha512(PASSWORD.encode()).hexdigest()}}]
    assert result['session_created'] is True
    assert PASSWORD not in out


def test_env_fallback_user_and_port(run, rsps, monkeypatch):
    base = 'http://%s:8999/zstack/v1/' % HOST
    rsps.put(base + 'accounts/users/login', json={'inventory': {'uuid': SESSION}})
    rsps.post(base + 'consoles', json={'inventory': {'hostname': 'h', 'port': 4900, 'token': token(VM1)}})
    monkeypatch.setenv('ZSTACK_PORT', '8999')
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'ops')
    monkeypatch.setenv('ZSTACK_USER_NAME', 'oncall')
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', PASSWORD)
    code, _out, result = run({'host': HOST, 'vm_instance_uuid': VM1})
    assert code == 0, result
    assert json.loads(rsps.calls[0].request.body)['logInByUser']['userName'] == 'oncall'


def test_env_session_uuid(run, server, monkeypatch):
    monkeypatch.setenv('ZSTACK_SESSION_UUID', SESSION)
    code, out, result = run({'host': HOST, 'vm_instance_uuid': VM1})
    assert code == 0, result
    assert result['ansible_facts']['zstack_console']['token'] == token(VM1)
    assert SESSION not in json.dumps(result['invocation'])
    assert server.logins == []


def test_task_options_take_precedence_over_env(run, server, monkeypatch):
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'env-account')
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', 'env-password-77')
    monkeypatch.setenv('ZSTACK_ACCESS_KEY_ID', 'ENVAK')
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instance_uuid': VM1})
    assert code == 0, result  # no "exactly one" error: the environment is ignored as a whole
    assert server.logins == []
    assert all(c.request.headers['Authorization'] == 'OAuth ' + SESSION for c in server.api_calls())
    assert 'env-password-77' not in out


def test_task_account_overrides_env_account(run, server, monkeypatch):
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'env-account')
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', 'env-password-77')
    code, _out, result = run(account_args(vm_instance_uuid=VM1))
    assert code == 0, result
    assert server.logins[0]['logInByAccount']['accountName'] == 'console-ops'


def test_task_options_are_not_mixed_with_env(run, rsps, monkeypatch):
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', PASSWORD)
    code, out, result = run({'host': HOST, 'account_name': 'a', 'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert result['msg'] == 'account_name and account_password go together (from task options)'
    assert len(rsps.calls) == 0


def test_env_with_two_methods_fails(run, rsps, monkeypatch):
    monkeypatch.setenv('ZSTACK_SESSION_UUID', SESSION)
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'a')
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', PASSWORD)
    code, out, result = run({'host': HOST, 'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert result['msg'] == ('Give exactly one way to authenticate, not session_uuid and account '
                             '(from ZSTACK_* environment variables)')
    assert SESSION not in out
    assert len(rsps.calls) == 0


def test_env_password_masked_in_failure(run, rsps, monkeypatch):
    """A password read from the environment is masked too, even if the server echoes it back."""
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {
        'code': 'ID.1000', 'description': 'authentication error', 'details': 'bad password %s' % PASSWORD}})
    monkeypatch.setenv('ZSTACK_ACCOUNT_NAME', 'a')
    monkeypatch.setenv('ZSTACK_ACCOUNT_PASSWORD', PASSWORD)
    code, out, result = run({'host': HOST, 'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert 'ID.1000' in result['msg']


def test_password_never_in_output_on_success(run, server):
    code, out, result = run(account_args(vm_instances=[VM1, 'web-02']))
    assert code == 0, result
    assert PASSWORD not in out
    assert result['invocation']['module_args']['account_password'] != PASSWORD


def test_session_uuid_masked_when_argument_validation_fails(run, rsps):
    code, out, result = run({'host': HOST, 'session_uuid': SESSION, 'vm_instance_uuid': VM1,
                             'vm_instance_name': 'web-01'})
    assert_clean_failure(code, out, result)
    assert 'mutually exclusive' in result['msg']
    assert SESSION not in out
    assert len(rsps.calls) == 0


# ------------------------------------------------------------------ credentials that cannot travel in a header

def test_session_uuid_with_line_break_not_leaked_in_msg(run, server):
    code, out, result = run({'host': HOST, 'session_uuid': SESSION + '\n', 'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert 'session_uuid is not a ZStack session UUID' in result['msg']
    assert SESSION not in out


def test_non_latin1_session_uuid_fails_cleanly(run):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    code, out, result = run({'host': '127.0.0.1', 'port': port, 'session_uuid': SESSION + '\u200b',
                             'vm_instance_uuid': VM1})
    assert_clean_failure(code, out, result)
    assert 'session_uuid is not a ZStack session UUID' in result['msg']
