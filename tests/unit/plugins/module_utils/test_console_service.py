# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _console_service: the RequestConsoleAccess request and what it asks the server for."""

from __future__ import annotations

import json

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_service import ConsoleOptions, request_console
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackConfigError,
    ZStackResponseError,
)

HOST = 'zstack.example.test'
BASE = 'http://%s:8080/zstack/v1/' % HOST
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
VM = '5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b'
VM2 = '6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a'
VM3 = '7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b'
JOB = '9d8c7b6a5f4e3d2c1b0a998877665544'
LOCATION = 'http://10.255.255.1:8080/zstack/v1/api-jobs/' + JOB
TOKEN = '%s_%s' % (SESSION, VM)


# ------------------------------------------------------------------ request_console

def test_request_console_body_shape(rsps, client):
    rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
    inventory = {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN}
    rsps.get(BASE + 'api-jobs/' + JOB, json={'inventory': inventory})
    inventory = request_console(client, VM, ConsoleOptions(['ks::v'], ['mine']))
    assert inventory['token'] == TOKEN
    post = rsps.calls[0].request
    assert post.method == 'POST' and post.url == BASE + 'consoles'
    assert json.loads(post.body) == {'params': {'vmInstanceUuid': VM}, 'systemTags': ['ks::v'], 'userTags': ['mine']}
    assert post.headers['Content-Type'] == 'application/json;charset=UTF-8'


def test_request_console_default_tags_are_lists(rsps, client):
    rsps.post(BASE + 'consoles', json={'inventory': {'hostname': 'h', 'port': 1, 'token': 't'}})
    request_console(client, VM, ConsoleOptions())
    assert json.loads(rsps.calls[0].request.body) == {'params': {'vmInstanceUuid': VM}, 'systemTags': [], 'userTags': []}


def test_request_console_validate_only(rsps, client):
    rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
    rsps.get(BASE + 'api-jobs/' + JOB, json={})
    tags = ['ks::v']
    assert request_console(client, VM, ConsoleOptions(tags, [], check_mode=True)) == {}
    # The exact tag ZStack recognises: PortalSystemTags.VALIDATION_ONLY = new EphemeralSystemTag("validationOnly"),
    # and EphemeralSystemTag prefixes "ephemeral::" (zstackio/zstack:
    # portal/src/main/java/org/zstack/portal/apimediator/PortalSystemTags.java, tag/src/main/java/org/zstack/tag/
    # EphemeralSystemTag.java); ApiMediatorImpl.dispatchMessage matches it with List.contains.
    assert json.loads(rsps.calls[0].request.body) == {
        'params': {'vmInstanceUuid': VM}, 'systemTags': ['ks::v', 'ephemeral::validationOnly'], 'userTags': []}
    assert tags == ['ks::v']  # the caller's list is not modified


def test_request_console_validate_only_not_duplicated(rsps, client):
    rsps.post(BASE + 'consoles', json={})
    request_console(client, VM, ConsoleOptions(['ephemeral::validationOnly'], []))
    assert json.loads(rsps.calls[0].request.body)['systemTags'] == ['ephemeral::validationOnly']


def test_request_console_bare_validation_only_is_not_the_tag(rsps, client):
    rsps.post(BASE + 'consoles', json={})
    request_console(client, VM, ConsoleOptions(['validationOnly'], [], check_mode=True))
    assert json.loads(rsps.calls[0].request.body)['systemTags'] == ['validationOnly', 'ephemeral::validationOnly']


@pytest.mark.parametrize('reply', [{'inventory': {'hostname': 'h', 'port': 4900, 'token': TOKEN}}, {'inventory': 'x'}])
def test_request_console_validate_only_withholds_what_the_server_granted(rsps, client, reply):
    rsps.post(BASE + 'consoles', json=reply)
    warnings = []
    assert request_console(client, VM, ConsoleOptions([], [], check_mode=True), warn=warnings.append) == {}
    assert warnings == ['VM %s: ZStack created a console although it was asked only to validate '
                        '(ephemeral::validationOnly); the module withheld its token, and the console lives until it '
                        'expires or its session ends' % VM]
    assert TOKEN not in warnings[0]


def test_validates_only():
    assert ConsoleOptions([], check_mode=True).validate_only
    assert ConsoleOptions(['a', 'ephemeral::validationOnly']).validate_only
    assert not ConsoleOptions(['validationOnly']).validate_only and not ConsoleOptions().validate_only


@pytest.mark.parametrize('workers', [0, -1])
def test_workers_below_one_is_a_config_error(workers):
    with pytest.raises(ZStackConfigError) as info:
        ConsoleOptions(workers=workers)
    assert info.value.msg == 'workers must be 1 or more, got %d' % workers


@pytest.mark.parametrize('reply', [{}, {'inventory': None}, {'inventory': 'x'}, {'inventory': []}])
def test_request_console_without_inventory(rsps, client, reply):
    rsps.post(BASE + 'consoles', json=reply)
    with pytest.raises(ZStackResponseError) as info:
        request_console(client, VM, ConsoleOptions())
    assert 'without a console inventory' in info.value.msg and VM in info.value.msg
    assert info.value.msg.splitlines() == [info.value.msg]


def test_request_console_stopped_vm(rsps, client):
    error = {'code': 'SYS.1006', 'description': 'operation error',
             'details': 'vm[uuid:%s] is not in state of Running, current state is Stopped' % VM}
    rsps.post(BASE + 'consoles', status=202, json={'location': LOCATION})
    rsps.get(BASE + 'api-jobs/' + JOB, status=503, json={'error': error})
    with pytest.raises(ZStackApiError) as info:
        request_console(client, VM, ConsoleOptions())
    assert info.value.error == error


# ------------------------------------------------------------------ the failure message of many VMs

def test_many_vms_that_fail_alike_are_one_reason_with_their_vms():
    from ansible_collections.zstack.cloud.plugins.module_utils._console_service import _failed

    down = 'ZStack at http://mn:8080 answered HTTP 502: Bad Gateway (after 3 attempts)'
    failures = ([{'vm_instance_uuid': '%032x' % 1, 'msg': 'VM %032x: %s' % (1, down)}]
                + [{'vm_instance_uuid': '%032x' % n, 'msg': 'VM %032x: Not sent, because an earlier request failed: %s'
                    % (n, down)} for n in range(2, 21)]
                + [{'vm_instance_name': 'nope', 'msg': "No VM named 'nope' that is not Destroyed"}])
    err = _failed(failures, 21)
    assert err.msg == ("Console access failed for 21 of 21 VMs: VM %032x: %s; 19 VMs (%032x, %032x, %032x and 16 more): "
                       "Not sent, because an earlier request failed: %s; No VM named 'nope' that is not Destroyed"
                       % (1, down, 2, 3, 4, down))
    assert err.result['failures'] == failures  # every VM, whatever the message shows
    many = [{'vm_instance_name': 'vm-%d' % n, 'msg': 'VM vm-%d: reason %d' % (n, n)} for n in range(8)]
    assert _failed(many, 9).msg == ('Console access failed for 8 of 9 VMs: VM vm-0: reason 0; VM vm-1: reason 1; '
                                    'VM vm-2: reason 2; VM vm-3: reason 3; VM vm-4: reason 4; 3 more VMs for other '
                                    'reasons (see failures) (no console was handed out; allow_partial=true hands out '
                                    'the others)')
