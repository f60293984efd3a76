# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The public filters: thin wrappers over module_utils (tested there), their errors and their documentation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.zstack.cloud.plugins.filter.console_results import (
    FilterModule,
    console_failure_message,
    console_launcher_url,
)
from ansible_collections.zstack.cloud.plugins.filter.inventory import FilterModule as InventoryFilters
from ansible_collections.zstack.cloud.plugins.filter.inventory import inventory_group_vms

COLLECTION = Path(__file__).resolve().parents[4]
SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
TOKEN = '%s_%s' % (SESSION, WEB01)
CONSOLE = {'vm_instance_uuid': WEB01, 'vm_instance_name': 'web-01', 'scheme': 'https', 'hostname': '10.0.0.5',
           'port': 4900, 'token': TOKEN}


def test_launcher_url_follows_the_page():
    url = console_launcher_url(CONSOLE, 'http://127.0.0.1:6080/vnc.html')
    fragment = parse_qs(urlsplit(url).fragment)
    assert fragment['path'] == ['?token=' + TOKEN] and fragment['encrypt'] == ['1'] and urlsplit(url).query == ''
    url = console_launcher_url(CONSOLE, management_host='mn.example.com')
    assert url.startswith('http://mn.example.com:5000/thirdparty/vnc_auto.html?host=10.0.0.5&port=4900&token=')
    assert parse_qs(urlsplit(console_launcher_url(CONSOLE, 'http://x/page.html', title='T')).query)['title'] == ['T']
    assert console_launcher_url({'vm_instance_uuid': WEB01}) is None  # check mode: no token
    url = console_launcher_url(CONSOLE, management_host='mn.example.com', node_version='4.8.0')
    assert url.startswith('http://mn.example.com:5000/novnc?host=10.0.0.5&port=4900&token=')


@pytest.mark.parametrize('console, page, message', [
    ('web-01', '', 'expects a console entry'),
    (CONSOLE, 'ftp://x/vnc.html', 'novnc_url must be an http'),
    (CONSOLE, 'http://x/vnc.html', None),
])
def test_launcher_url_errors(console, page, message):
    if message is None:
        with pytest.raises(AnsibleFilterError, match='style must be one of'):
            console_launcher_url(console, page, style='bogus')
        return
    with pytest.raises(AnsibleFilterError, match=message):
        console_launcher_url(console, page)


def test_failure_message_takes_tokens_out():
    result = {'failures': [{'vm_instance_name': 'web-01', 'msg': 'boom %s' % TOKEN}]}
    assert console_failure_message(result) == 'zstack_console_access failed for 1 VM: VM web-01: boom <redacted>'
    assert console_failure_message({'msg': 'no'}, 'Ending sessions') == 'Ending sessions failed: no'


def test_only_filters_a_user_calls_and_their_docs():
    filters = dict(FilterModule().filters(), **InventoryFilters().filters())
    assert sorted(filters) == ['console_failure_message', 'console_launcher_url', 'inventory_group_vms']
    assert sorted(p.name for p in (COLLECTION / 'plugins' / 'filter').glob('*.yml')) == \
        ['console_failure_message.yml', 'console_launcher_url.yml', 'inventory_group_vms.yml']
    for name, function in filters.items():
        doc = yaml.safe_load((COLLECTION / 'plugins' / 'filter' / ('%s.yml' % name)).read_text(encoding='utf-8'))
        assert doc['DOCUMENTATION']['name'] == name
        assert doc['EXAMPLES'] and doc['RETURN']['_value']
        documented = set(doc['DOCUMENTATION']['options']) - {'_input'}
        code = function.__code__
        assert documented == set(code.co_varnames[1:code.co_argcount]), name


def test_inventory_group_vms_fails_as_a_filter_in_one_line():
    hostvars = {'web': {'zstack_vm': {'uuid': WEB01, 'name': 'web-01'}}}
    assert inventory_group_vms('g', {'g': ['web']}, hostvars) == [hostvars['web']['zstack_vm']]
    with pytest.raises(AnsibleFilterError, match='^inventory group h: no such group in the inventory$'):
        inventory_group_vms('h', {'g': ['web']}, hostvars)
