# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_redact: tokens and session UUIDs out of text, and the failure message of a failed task result."""

from __future__ import annotations

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._redact import failure_message, redact

SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
TOKEN = '%s_%s' % (SESSION, WEB01)


def test_failure_message_names_failed_vms_without_tokens():
    result = {'msg': 'Console access failed for 2 of 3 VMs', 'failures': [
        {'vm_instance_name': 'app-01', 'msg': 'VM app-01: current state is Stopped', 'error': {'code': 'SYS.1006'}},
        {'vm_instance_uuid': WEB02, 'msg': 'VM %s: Session[uuid:%s] expired, token %s' % (WEB02, SESSION, TOKEN)}]}
    assert failure_message(result) == ('zstack_console_access failed for 2 VMs: VM app-01: current state is '
                                       'Stopped [SYS.1006]; VM %s: Session[uuid:<redacted>] expired, token <redacted>'
                                       % WEB02)
    same = {'failures': [{'vm_instance_name': n, 'msg': 'VM %s: Login failed' % n} for n in ('a', 'b')]}
    assert failure_message(same) == 'zstack_console_access failed for 2 VMs (a, b): Login failed'
    # Without failures (a failure of the whole task): its message.
    assert failure_message({'msg': 'Login as account ops failed', 'failures': []}) == (
        'zstack_console_access failed: Login as account ops failed')


def test_failure_message_names_each_reason_once_with_its_vms():
    """Many VMs, few reasons (a host down, an outage): one short line, grouped as the module's own message is."""
    down = [{'vm_instance_name': 'web-%02d' % n, 'msg': 'VM web-%02d: host down' % n, 'error': {'code': 'HOST.1001'}}
            for n in range(5)]
    stopped = [{'vm_instance_name': n, 'msg': 'VM %s: current state is Stopped' % n} for n in ('app-01', 'app-02')]
    assert failure_message({'failures': down + stopped}) == (
        'zstack_console_access failed for 7 VMs: 5 VMs (web-00, web-01, web-02 and 2 more): host down [HOST.1001]; '
        '2 VMs (app-01, app-02): current state is Stopped')
    assert failure_message({'failures': down}) == (
        'zstack_console_access failed for 5 VMs (web-00, web-01, web-02 and 2 more): host down [HOST.1001]')
    many = [{'vm_instance_name': 'vm-%d' % n, 'msg': 'VM vm-%d: reason %d' % (n, n)} for n in range(8)]
    assert failure_message({'failures': many}) == (
        'zstack_console_access failed for 8 VMs: VM vm-0: reason 0; VM vm-1: reason 1; VM vm-2: reason 2; VM vm-3: '
        'reason 3; VM vm-4: reason 4; 3 more VMs for other reasons (see failures)')


def test_failure_message_plain_and_loops():
    assert failure_message({'msg': 'denied', 'error': {'code': 'ID.1002'}}) == \
        'zstack_console_access failed: denied [ID.1002]'
    assert failure_message({'msg': 'ledger_dir /x is a symlink'}, 'zstack_console_files') == \
        'zstack_console_files failed: ledger_dir /x is a symlink'
    loop = {'failed': True, 'msg': 'One or more items failed', 'results': [
        {'failed': False, 'item': {'session_uuid': SESSION, 'files': ['/a.json']}},
        {'failed': True, 'msg': 'HTTP 500 for /zstack/v1/accounts/sessions/%s' % SESSION,
         'item': {'session_uuid': SESSION, 'files': ['/b.json']}}]}
    message = failure_message(loop, 'Ending sessions', item_label='files.0')
    assert message == ('Ending sessions failed: One or more items failed - /b.json: HTTP 500 for '
                       '/zstack/v1/accounts/sessions/<redacted>')
    assert failure_message('boom %s' % TOKEN) == 'zstack_console_access failed: boom <redacted>'
    assert failure_message({'unreachable': True, 'msg': 'ssh'}).endswith('(host unreachable)')


@pytest.mark.parametrize('text, expected', [
    ('token %s here' % TOKEN, 'token <redacted> here'),
    ('Authorization: OAuth %s' % SESSION, 'Authorization: OAuth <redacted>'),
    ('/v1/accounts/sessions/%s/valid' % SESSION, '/v1/accounts/sessions/<redacted>/valid'),
    ('vm[uuid:%s] is Stopped' % WEB01, 'vm[uuid:%s] is Stopped' % WEB01),  # VM UUIDs say what failed
])
def test_redact(text, expected):
    assert redact(text) == expected
