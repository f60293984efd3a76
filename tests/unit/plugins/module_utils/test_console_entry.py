# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The console entry type: built from the server's inventory and checked, and the one source of its docs and spec."""

from __future__ import annotations

import yaml
import pytest

from ansible_collections.zstack.cloud.plugins.doc_fragments.console_entry import ModuleDocFragment
from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import (
    FAILURE_FIELDS,
    FIELD_NAMES,
    ConsoleEntry,
    embedded_session,
    option_docs,
    option_spec,
    return_docs,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackError,
    ZStackResponseError,
)
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock, parse_timezone
from ansible_collections.zstack.cloud.plugins.module_utils._vms import VmRef
from ansible_collections.zstack.cloud.plugins.modules import zstack_console_access, zstack_console_files

VM = '5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b'
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
TOKEN = '%s_%s' % (SESSION, VM)
INVENTORY = {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900.0, 'token': '%s_%s' % (SESSION, VM),
             'targetScheme': 'vnc', 'version': '1', 'expiredDate': 'Nov 28, 2026 5:21:20 PM'}


def test_built_from_the_inventory_with_the_node_zone():
    entry = ConsoleEntry.from_inventory(VM, 'web-01', INVENTORY, NodeClock(parse_timezone('+08:00')))
    assert entry == {
        'vm_instance_uuid': VM, 'vm_instance_name': 'web-01', 'scheme': 'http', 'hostname': '10.0.0.5',
        'port': 4900, 'token': INVENTORY['token'], 'target_scheme': 'vnc', 'protocol': 'vnc', 'version': '1',
        'expired_date': 'Nov 28, 2026 5:21:20 PM', 'expires_at': '2026-11-28T09:21:20Z',
        'websocket_url': 'ws://10.0.0.5:4900/?token=%s' % INVENTORY['token'],
    }
    assert set(entry) <= set(FIELD_NAMES)


@pytest.mark.parametrize('target, protocol', [('vnc', 'vnc'), ('SPICE', 'spice'), ('http', None), (None, None)])
def test_protocol_only_when_the_server_declares_vnc_or_spice(target, protocol):
    entry = ConsoleEntry.from_inventory(VM, None, dict(INVENTORY, targetScheme=target))
    assert entry.get('protocol') == protocol


def test_an_empty_inventory_is_the_vm_alone():
    assert ConsoleEntry.from_inventory(VM, None, {}) == {'vm_instance_uuid': VM}


@pytest.mark.parametrize('broken, fragment', [
    ({'token': ''}, 'lacks token'),
    ({'hostname': None}, 'lacks hostname'),
    ({'port': 'four'}, "port that is not a number: 'four'"),
    ({'port': float('inf')}, 'port that is not a number'),
])
def test_bad_data_from_the_server_is_its_own_error(broken, fragment):
    with pytest.raises(ZStackResponseError) as info:
        ConsoleEntry.from_inventory(VM, None, dict(INVENTORY, **broken))
    assert fragment in info.value.msg
    assert SESSION not in info.value.msg


def test_failure_items_carry_the_vm_as_known_and_the_api_error():
    error = {'code': 'SYS.1006', 'description': 'operation error'}
    by_name = VmRef.parse('web-01', 'vm_instances')
    assert ConsoleEntry.failure(by_name, ZStackApiError(error), VM) == {
        'vm_instance_uuid': VM, 'vm_instance_name': 'web-01', 'msg': 'ZStack API error SYS.1006: operation error',
        'error': error}
    assert ConsoleEntry.failure(by_name, ZStackError('no such VM')) == {'vm_instance_name': 'web-01',
                                                                        'msg': 'no such VM'}
    selected = VmRef(VM, uuid=VM, name='db-01', query=['hostUuid=%s' % VM])
    assert ConsoleEntry.failure(selected, ZStackError('boom')) == {
        'vm_instance_uuid': VM, 'vm_instance_name': 'db-01', 'msg': 'boom', 'vm_query': ['hostUuid=%s' % VM]}
    assert set(ConsoleEntry.failure(selected, ZStackApiError(error))) <= {field.name for field in FAILURE_FIELDS}


def test_return_docs_of_the_console_module_come_from_the_fields():
    """tools/console_entry_docs.py writes them (ansible reads RETURN as a literal); this keeps them in step."""
    returned = yaml.safe_load(zstack_console_access.RETURN)['zstack_consoles']['contains']
    assert returned == return_docs()
    assert list(returned) == list(FIELD_NAMES)


def test_the_files_module_takes_every_field_with_the_secrets_hidden():
    """The role passes zstack_console_access's entries as they are: each field must be accepted, and each that holds
    the token must be no_log."""
    spec = option_spec()
    assert list(spec) == list(FIELD_NAMES)
    assert sorted(name for name, option in spec.items() if option.get('no_log')) == [
        'console_url', 'token', 'websocket_url']


def test_the_doc_fragment_documents_every_field():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['consoles']['suboptions']
    assert documented == option_docs()
    assert 'consoles' not in (yaml.safe_load(zstack_console_files.DOCUMENTATION).get('options') or {})
    assert 'zstack.cloud.console_entry' in yaml.safe_load(zstack_console_files.DOCUMENTATION)[
        'extends_documentation_fragment']


# ------------------------------------------------------------------ console_entry

def test_console_entry_port_float_to_int():
    entry = ConsoleEntry.from_inventory(VM, None, {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900.0, 'token': TOKEN})
    assert entry == {'vm_instance_uuid': VM, 'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN,
                     'websocket_url': 'ws://10.0.0.5:4900/?token=' + TOKEN}
    assert type(entry['port']) is int  # pylint: disable=unidiomatic-typecheck


def test_console_entry_port_string():
    assert ConsoleEntry.from_inventory(VM, None, {'hostname': 'h', 'port': '4900', 'token': 't'})['port'] == 4900


def test_console_entry_https_gives_wss_and_name():
    entry = ConsoleEntry.from_inventory(VM, 'web-01', {'scheme': 'https', 'hostname': 'proxy.example.test', 'port': 4443,
                                                       'token': TOKEN, 'targetScheme': 'vnc', 'version': '1',
                                                       'expiredDate': 'Nov 28, 2026 5:21:20 PM'}, NodeClock(parse_timezone('UTC')))
    assert entry == {'vm_instance_uuid': VM, 'vm_instance_name': 'web-01', 'scheme': 'https',
                     'hostname': 'proxy.example.test', 'port': 4443, 'token': TOKEN, 'target_scheme': 'vnc', 'protocol': 'vnc',
                     'version': '1', 'expired_date': 'Nov 28, 2026 5:21:20 PM', 'expires_at': '2026-11-28T17:21:20Z',
                     'websocket_url': 'wss://proxy.example.test:4443/?token=' + TOKEN}


def test_console_proxy_tls_gives_wss_for_the_http_scheme_zstack_always_answers():
    # ManagementServerConsoleProxyBackend answers "http" whether or not the proxy has a certificate.
    entry = ConsoleEntry.from_inventory(VM, None, {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900,
                                                   'token': TOKEN}, proxy_tls=True)
    assert entry['scheme'] == 'http' and entry['websocket_url'] == 'wss://10.0.0.5:4900/?token=' + TOKEN


@pytest.mark.parametrize('token, url', [
    ('/ticket/0c5b2d1f', 'wss://esx-07.example.test:443/ticket/0c5b2d1f'),
    # URI.getPath is decoded: what must be encoded in a URL is encoded again, "%" included.
    ('/console/a b%2F', 'wss://esx-07.example.test:443/console/a%20b%252F'),
    ('ticket/no-slash', 'wss://esx-07.example.test:443/ticket/no-slash'),
])
def test_a_direct_console_is_the_wss_url_of_its_path(token, url):
    # ConsoleProxyBase.doEstablishDirectConsoleConnection: scheme and targetScheme the URL's, token its path.
    entry = ConsoleEntry.from_inventory(VM, 'vmware-01', {'scheme': 'wss', 'targetScheme': 'wss', 'port': 443,
                                                          'hostname': 'esx-07.example.test', 'token': token,
                                                          'expiredDate': 'Nov 28, 2026 5:21:20 PM'},
                                        NodeClock(parse_timezone('UTC')), proxy_tls=False)
    assert entry['websocket_url'] == url
    # Its expiredDate is when the row was written (ZStack sets none): kept as sent, never read as an expiry.
    assert entry['expired_date'] == 'Nov 28, 2026 5:21:20 PM' and 'expires_at' not in entry


@pytest.mark.parametrize('scheme', ['vnc', 'spice', 'ws', 'ftp', 'x' * 200])
def test_a_scheme_the_collection_does_not_know_is_bad_data_not_a_made_up_url(scheme):
    with pytest.raises(ZStackResponseError) as caught:
        ConsoleEntry.from_inventory(VM, None, {'scheme': scheme, 'hostname': 'h', 'port': 1, 'token': TOKEN})
    msg = caught.value.msg
    assert 'which this collection does not know' in msg and 'no URL was made' in msg
    assert TOKEN not in msg and len(msg) < 250 and '\n' not in msg


@pytest.mark.parametrize('zone, expired_date, expires_at', [
    # ZStack writes expiredDate with gson's default format in the node's zone, without the zone
    # (zstackio/zstack: header/src/main/java/org/zstack/header/console/ConsoleInventory.java, a java.sql.Timestamp).
    ('Asia/Shanghai', 'Dec 1, 2026 12:20:00 AM', '2026-11-30T16:20:00Z'),
    ('Asia/Shanghai', 'Dec 1, 2026, 12:20:00\u202fAM', '2026-11-30T16:20:00Z'),
    ('+05:30', 'Nov 30, 2026 9:50:00 PM', '2026-11-30T16:20:00Z'),
    ('UTC', 1796055600000, '2026-11-30T16:20:00Z'),
])
def test_console_entry_expires_at_in_the_nodes_zone(zone, expired_date, expires_at):
    entry = ConsoleEntry.from_inventory(VM, None, {'hostname': 'h', 'port': 4900, 'token': 't', 'expiredDate': expired_date},
                                        NodeClock(parse_timezone(zone)))
    assert entry['expired_date'] == expired_date  # the server's own value, untouched
    assert entry['expires_at'] == expires_at


def test_console_entry_expires_at_only_when_readable():
    for inventory_date in (None, 'soon'):
        entry = ConsoleEntry.from_inventory(VM, None, {'hostname': 'h', 'port': 4900, 'token': 't', 'expiredDate': inventory_date})
        assert 'expires_at' not in entry


def test_console_entry_optional_keys_only_when_sent():
    entry = ConsoleEntry.from_inventory(VM, None, {'hostname': 'h', 'port': 4900, 'token': 't', 'targetScheme': None})
    assert set(entry) == {'vm_instance_uuid', 'scheme', 'hostname', 'port', 'token', 'websocket_url'}
    assert entry['scheme'] == 'http'  # default when the server sends none


def test_console_entry_ipv6_host():
    entry = ConsoleEntry.from_inventory(VM, None, {'hostname': 'fd00::5', 'port': 4900, 'token': 't'})
    assert entry['websocket_url'] == 'ws://[fd00::5]:4900/?token=t'
    assert entry['hostname'] == 'fd00::5'


def test_console_entry_empty_inventory_in_check_mode():
    assert ConsoleEntry.from_inventory(VM, 'web-01', {}) == {'vm_instance_uuid': VM, 'vm_instance_name': 'web-01'}


@pytest.mark.parametrize('missing', ['hostname', 'port', 'token'])
@pytest.mark.parametrize('absent', [None, '', 'drop'])
def test_console_entry_missing_keys(missing, absent):
    inventory = {'hostname': 'h', 'port': 4900, 'token': TOKEN}
    if absent == 'drop':
        del inventory[missing]
    else:
        inventory[missing] = absent
    with pytest.raises(ZStackResponseError) as info:
        ConsoleEntry.from_inventory(VM, None, inventory)
    assert info.value.msg == 'The console inventory for VM %s lacks %s' % (VM, missing)


@pytest.mark.parametrize('port', ['abc', [], {}, float('nan'), float('inf'), '1e999'])
def test_console_entry_bad_port(port):
    with pytest.raises(ZStackResponseError) as info:
        ConsoleEntry.from_inventory(VM, None, {'hostname': 'h', 'port': port, 'token': 't'})
    assert 'port that is not a number' in info.value.msg


@pytest.mark.parametrize('token, expected', [
    ('%s_%s' % (SESSION, VM), SESSION), ('%s_%s' % (SESSION.upper(), VM), SESSION),
    ('%s_%s_1732900000000' % (SESSION, VM), SESSION),  # before ZStack 5.0: <session>_<vm>_<expiry>
    ('nounderscore', None), ('short_%s' % VM, None), ('%s\n_%s' % (SESSION, VM), None), (None, None), (12, None),
])
def test_embedded_session(token, expected):
    assert embedded_session(token) == expected
