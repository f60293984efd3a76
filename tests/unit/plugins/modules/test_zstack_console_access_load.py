# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""zstack_console_access with many VMs and in an outage: jobs side by side with a bounded number of requests
in flight, one login per task, a fast failure once the node is gone, and bounds that keep every wait finite."""

from __future__ import annotations

import json
import re
import socket
import threading
import time

import pytest
import responses


from ansible_collections.zstack.cloud.plugins.modules import zstack_console_access

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
PASSWORD = 'Pw-for-load-tests-3!'
VMS = ['%032x' % (index + 1) for index in range(24)]


@pytest.fixture
def run(run_module):
    """zstack_console_access in-process: run(args) -> (exit code, result); a failure must be one clean line."""
    def run_clean(args):
        code, out, result = run_module(zstack_console_access, args)
        if code:
            assert result['msg'].splitlines() == [result['msg']]
            assert 'Traceback' not in out
            assert PASSWORD not in out
        return code, result
    return run_clean


def account_args(**kwargs):
    return dict({'host': HOST, 'account_name': 'ops', 'account_password': PASSWORD}, **kwargs)


class SlowJobs:
    """Console jobs that take `job_time` seconds; records requests in flight and jobs running at once."""

    def __init__(self, rsps, job_time=0.25, latency=0.01):
        self.job_time = job_time
        self.latency = latency
        self.lock = threading.Lock()
        self.jobs = {}
        self.in_flight = self.peak_in_flight = 0
        self.peak_jobs = 0
        self.logins = 0
        rsps.add_callback(responses.PUT, BASE + 'accounts/login', callback=self.tracked(self.login))
        rsps.add_callback(responses.POST, BASE + 'consoles', callback=self.tracked(self.post))
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r'api-jobs/[0-9a-f]{32}$'),
                          callback=self.tracked(self.poll))

    def tracked(self, handler):
        def callback(request):
            with self.lock:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            time.sleep(self.latency)
            try:
                with self.lock:
                    return handler(request)
            finally:
                with self.lock:
                    self.in_flight -= 1
        return callback

    def login(self, request):
        self.logins += 1
        return 200, {}, json.dumps({'inventory': {'uuid': SESSION}})

    def post(self, request):
        vm_uuid = json.loads(request.body)['params']['vmInstanceUuid']
        self.jobs[vm_uuid] = time.monotonic()
        running = sum(1 for started in self.jobs.values() if time.monotonic() - started < self.job_time)
        self.peak_jobs = max(self.peak_jobs, running)
        return 202, {}, json.dumps({'location': 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + vm_uuid})

    def poll(self, request):
        vm_uuid = request.url.rsplit('/', 1)[-1]
        if time.monotonic() - self.jobs[vm_uuid] < self.job_time:
            return 202, {}, '{}'
        return 200, {}, json.dumps({'inventory': {'hostname': 'h', 'port': 4900, 'token': SESSION + '_' + vm_uuid}})


def test_jobs_run_side_by_side_with_bounded_requests(run, rsps):
    server = SlowJobs(rsps)
    code, result = run(account_args(vm_instances=VMS, workers=3))
    assert code == 0, result
    assert [c['vm_instance_uuid'] for c in result['ansible_facts']['zstack_consoles']] == VMS
    assert server.logins == 1
    assert server.peak_in_flight <= 3
    # More jobs than request slots ran at once: a VM does not hold its slot while its job runs.
    assert server.peak_jobs > 3, server.peak_jobs


def test_one_worker_serves_vms_one_after_the_other(run, rsps):
    server = SlowJobs(rsps, job_time=0.05)
    code, result = run(account_args(vm_instances=VMS[:4], workers=1))
    assert code == 0, result
    assert server.peak_in_flight == 1
    assert server.peak_jobs == 1
    assert [json.loads(c.request.body)['params']['vmInstanceUuid'] for c in rsps.calls
            if c.request.method == 'POST'] == VMS[:4]


def test_outage_fails_fast_for_the_remaining_vms(run, rsps):
    rsps.put(BASE + 'accounts/login', json={'inventory': {'uuid': SESSION}})
    rsps.post(BASE + 'consoles', status=502, body='<html>Bad Gateway</html>')
    code, result = run(account_args(vm_instances=VMS, workers=4, retries=1))
    assert code == 1
    # Each reason once, with its VMs, in the order the VMs came: which ones were sent depends on the threads.
    assert result['msg'].startswith('Console access failed for 24 of 24 VMs: ')
    assert 'Not sent, because an earlier request failed' in result['msg'] and 'HTTP 502' in result['msg']
    posts = [c for c in rsps.calls if c.request.method == 'POST']
    assert len(posts) <= 4 * 2  # four requests in flight, each tried twice; then nothing more
    failures = result['failures']
    assert len(failures) == 24 and 'zstack_consoles' not in result
    # At most the four VMs in flight got an answer; every other VM was never sent, so never backed off.
    assert sum('Not sent, because an earlier request failed: ZStack at' in item['msg'] for item in failures) >= 20


def test_login_failure_is_one_login_for_all_vms(run, rsps):
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {'code': 'ID.1000', 'details': 'wrong password'}})
    code, result = run(account_args(vm_instances=VMS, workers=8))
    assert code == 1
    assert len(rsps.calls) == 1
    # The login comes first, once, before any worker: its failure is the task's, with the server's error.
    assert result['msg'].startswith('Login as account ops failed: ZStack API error ID.1000')
    assert 'zstack_consoles' not in result
    assert result['error']['code'] == 'ID.1000'


def test_session_limit_is_one_login_for_all_vms(run, rsps):
    rsps.put(BASE + 'accounts/login', status=503, json={'error': {'code': 'ID.1006', 'details': 'too many sessions'}})
    code, result = run(account_args(vm_instances=VMS[:5], workers=5))
    assert code == 1
    assert len(rsps.calls) == 1
    assert result['error']['code'] == 'ID.1006'


# ------------------------------------------------------------------ bounds that keep every wait finite

@pytest.mark.parametrize('option, value, fragment', [
    ('timeout', 3601, 'timeout must be 3600 or less, got 3601'),
    ('timeout', 10 ** 10, 'timeout must be 3600 or less'),  # too large for a socket time-out: was a traceback
    ('timeout', 10 ** 30, 'timeout must be 3600 or less'),
    ('wait_timeout', 86401, 'wait_timeout must be 86400 or less'),
    ('retries', 21, 'retries must be 20 or less, got 21'),
    ('retries', 10 ** 30, 'retries must be 20 or less'),
    ('port', 65536, 'port must be 65535 or less, got 65536'),
    ('port', 10 ** 30, 'port must be 65535 or less'),
    ('host', '   ', 'host is empty'),
    ('ca_path', '/nonexistent/ca.pem', 'ca_path /nonexistent/ca.pem does not exist or cannot be read'),
])
def test_out_of_bounds_options_fail_before_any_request(run, option, value, fragment):
    """A real socket (nothing mocked): before the bounds, a huge timeout raised OverflowError from settimeout()."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    args = account_args(host='127.0.0.1', port=port, scheme='https', vm_instance_uuid=VMS[0])
    args[option] = value
    code, result = run(args)
    assert code == 1
    assert fragment in result['msg']


@pytest.mark.parametrize('option, value', [('timeout', 3600), ('wait_timeout', 86400), ('retries', 20),
                                           ('retries', 0), ('port', 65535)])
def test_options_at_their_bounds_are_accepted(run, rsps, option, value):
    base = 'http://%s:%s/zstack/v1/' % (HOST, value if option == 'port' else 8080)
    rsps.put(base + 'accounts/login', json={'inventory': {'uuid': SESSION}})
    rsps.post(base + 'consoles', json={'inventory': {'hostname': 'h', 'port': 4900, 'token': SESSION + '_' + VMS[0]}})
    code, result = run(account_args(vm_instance_uuid=VMS[0], **{option: value}))
    assert code == 0, result


def test_unreadable_ca_bundle_is_a_clean_failure(capsys, tmp_path):
    """requests raises a bare OSError for a CA bundle it cannot use; the client reports it in one line."""
    from ansible_collections.zstack.cloud.plugins.module_utils._auth import SessionAuthenticator
    from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient
    from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackTransportError

    missing = str(tmp_path / 'gone.pem')
    client = ZStackClient(Endpoint('127.0.0.1', 9, 'https', ca_path=missing), SessionAuthenticator(SESSION))
    with pytest.raises(ZStackTransportError) as info:
        client.call('GET', 'vm-instances')
    assert info.value.msg.startswith('Request to ZStack at https://127.0.0.1:9 failed: OSError: ')
    assert missing in info.value.msg


@pytest.mark.parametrize('option, value', [
    ('wait_timeout', float('inf')), ('timeout', 'Infinity'), ('retries', '-inf'), ('port', ' inf '),
    ('workers', 'NaN'), ('timeout', float('-inf')),
])
def test_infinite_numbers_fail_cleanly(run, rsps, option, value):
    """ansible-core 2.19 raised OverflowError (a traceback) for an infinite value of an int option."""
    code, result = run(account_args(vm_instances=VMS[:2], **{option: value}))
    assert code == 1
    assert result['msg'] == "argument '%s' is %r, which is not a whole number" % (option, value)
    assert len(rsps.calls) == 0


def test_infinite_port_from_the_environment_fails_cleanly(run, rsps, monkeypatch):
    monkeypatch.setenv('ZSTACK_PORT', 'inf')
    code, result = run(account_args(vm_instance_uuid=VMS[0]))
    assert code == 1
    assert result['msg'] == "argument 'port' is 'inf', which is not a whole number"


def test_a_huge_number_is_shown_short(run, rsps):
    code, result = run(account_args(vm_instance_uuid=VMS[0], retries='1e999'))
    assert code == 1
    assert result['msg'] == 'retries must be 20 or less, got 100000000000... (1000 digits)'
