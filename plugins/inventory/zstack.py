# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: zstack
short_description: ZStack VMs as Ansible hosts
version_added: 1.0.0
description:
  - Every VM of a ZStack management node (or every VM ZStack query conditions select) becomes a host, with the VM's
    inventory as ZStack returns it in the host variable C(zstack_vm) and the address of its default NIC in
    C(ansible_host).
  - Reads an inventory file whose name ends in C(.zstack.yml) or C(.zstack.yaml) and whose O(plugin) is
    V(zstack.cloud.zstack); the C(auto) inventory plugin, enabled by default, hands such a file to this plugin.
  - The connection and auth options are those of the collection's modules, with the same E(ZSTACK_*) environment
    variables, so an AWX credential of the "ZStack" type (C(extensions/awx/credential_types/zstack.yml)) feeds an
    inventory source of this plugin as it feeds a job.
  - One login per run; the session it opened is ended (logged out) before the plugin returns, also when it fails.
    A session given in O(session_uuid) is left as it is.
  - Every page of the VM query is read, however many VMs there are (ZStack answers at most 1000 a page), in UUID
    order, the pages after the first one side by side.
  - B(Host names) - a VM's name when no other listed VM has that name; when several listed VMs share a name, each is
    C(<name>_<the first 8 characters of its UUID>) (or C(<name>_<UUID>) should a VM have that name already); a VM
    without a name is its UUID. A host keeps its name from run to run as long as the set of VMs sharing its name stays
    the same. Use C(zstack_vm.uuid) to tell VMs apart for certain.
  - B(ansible_host) - the C(ip) of the VM's default NIC, its entry of C(vmNics) on the VM's C(defaultL3NetworkUuid).
    A VM without a NIC on that network, or whose NIC there has no address, gets no C(ansible_host); O(compose) can
    set it from C(zstack_vm) otherwise.
author:
  - zstack.cloud maintainers (@zstack-cloud)
requirements:
  - requests
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [zstack.cloud.zstack]
  vm_query:
    description:
      - ZStack query conditions the VMs must all match, as O(zstack.cloud.zstack_console_access#module:vm_query)
        takes them, for example C(clusterUuid=<uuid>), C(name~=web-%) or C(hostUuid not null). Each is checked before
        any request, the way ZStack will read it. Without conditions, every VM the account may see.
    type: list
    elements: str
    default: []
  include_destroyed:
    description:
      - Whether Destroyed VMs (which ZStack keeps until they are expunged) become hosts too.
    type: bool
    default: false
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - zstack.cloud.connection
  - zstack.cloud.connection.inventory
  - zstack.cloud.auth
  - zstack.cloud.auth.inventory
notes:
  - Prefer the E(ZSTACK_*) variables (or an AWX credential) to a password in the inventory file; a value in the file
    can be an inline vault (C(!vault)). An empty E(ZSTACK_*) variable counts as unset.
  - With O(cache), the VMs are kept as ZStack returned them (no credential is cached), under a key made of the file's
    path, the endpoint, the account, user or AccessKey ID, O(vm_query) and O(include_destroyed).
  - Values from ZStack, VM names included, are never templated.
seealso:
  - module: zstack.cloud.zstack_vm_info
    description: The same VMs in a task.
'''

EXAMPLES = r'''
---
# inventory/zstack.zstack.yml - endpoint and credentials from ZSTACK_* variables (an AWX credential sets them)
plugin: zstack.cloud.zstack
keyed_groups:
  # host_<host UUID>: the VMs of each hypervisor host
  - key: zstack_vm.hostUuid
    prefix: host
  - key: zstack_vm.state | lower
    prefix: state
groups:
  web: zstack_vm.name is match('web-')

---
# prod.zstack.yml - one cluster's running VMs, over HTTPS, cached for 10 minutes
plugin: zstack.cloud.zstack
host: zstack-mn.example.com
scheme: https
port: 8443
ca_path: /etc/pki/zstack-ca.pem
vm_query:
  - clusterUuid=b5d28439084c49e2880b99d8a8e7dbde
  - state=Running
compose:
  zstack_host_uuid: zstack_vm.hostUuid
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/zstack-inventory
cache_timeout: 600

# Then, for example:
#   ansible-inventory -i inventory/zstack.zstack.yml --graph
#   ansible-playbook -i inventory/zstack.zstack.yml zstack.cloud.incident_host_consoles -e incident_vm_group=host_930ed76e681e4c39b80fde512cab93ba
'''

import os

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.zstack.cloud.plugins.module_utils._connection import (
    AUTH_ENV,
    CONNECTION_ENV,
    connection_argument_spec,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError, ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._inventory_service import (
    cache_identity,
    inventory_hosts,
    read_vms,
    valid_cached_vms,
)

FILE_SUFFIXES = ('.zstack.yml', '.zstack.yaml')
ZSTACK_VARIABLES = frozenset(CONNECTION_ENV.values()) | frozenset(AUTH_ENV.values())


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """ZStack VMs as hosts; the work is in module_utils/_inventory_service.py."""

    NAME = 'zstack.cloud.zstack'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_options(path)
        options = self._zstack_options()
        try:
            vms = self._vms(path, options, cache)
        except ZStackConfigError as err:
            raise AnsibleParserError(err.msg) from None
        except ZStackError as err:
            raise AnsibleError(err.msg) from None
        strict = self.get_option('strict')
        data = _inventory_data(self.inventory)
        for name, variables in inventory_hosts(vms):
            self.inventory.add_host(name)
            for key, value in variables.items():
                data.set_variable(name, key, value)
            self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)

    def _read_options(self, path):
        """The file's options, and for those it does not set the ZSTACK_* variables - an empty one counting as unset, as
        for a module (AWX sets every variable of a credential type, empty ones too). Ansible's configuration would
        read an empty variable as a value: False for validate_certs, the current directory for ca_path, a refused
        choice for scheme. So the empty ZSTACK_* variables are out of the environment while it reads, and back after.
        """
        empty = {name: value for name, value in os.environ.items() if name in ZSTACK_VARIABLES and not value.strip()}
        for name in empty:
            del os.environ[name]
        try:
            self._read_config_data(path)
        finally:
            os.environ.update(empty)

    def _zstack_options(self):
        """The options as the collection's modules would have them (what _connection and _vms read).

        Auth options come only from the file: when it gives none, select_auth reads the ZSTACK_* variables itself, as
        for a module, so a file's credentials never mix with the environment's.
        """
        options = {}
        for name in connection_argument_spec():
            value, origin = self.get_option_and_origin(name)
            from_environment = isinstance(origin, str) and origin.startswith('env:')
            if name in AUTH_ENV and (from_environment or value in (None, '')):
                continue
            options[name] = value
        options['vm_query'] = self.get_option('vm_query')
        options['include_destroyed'] = self.get_option('include_destroyed')
        return options

    def _vms(self, path, options, cache):
        """The VMs: from the inventory cache when it is on and has them, else from ZStack (then cached)."""
        if not self.get_option('cache'):
            return read_vms(options, self.display.warning)
        key = '%s_%s' % (self.get_cache_key(path), cache_identity(options))
        if cache:
            try:
                cached = self._cache[key]
            except KeyError:
                cached = None
            if valid_cached_vms(cached):
                return cached
        vms = read_vms(options, self.display.warning)
        self._cache[key] = vms
        return vms


def _inventory_data(inventory):
    """Where the VMs' variables go: the inventory data itself, past the wrapper ansible-core 2.19 and later put around
    it for plugins (manager._InventoryDataWrapper).

    The wrapper copies every value and tags each one with its origin: about 0.5 ms for a VM's inventory, some ten
    times what setting it costs, and for 5,000 VMs more than the rest of the run (docs/performance.md). The values
    here are plain JSON from ZStack (dict, list, str, int, float, bool, None: types the wrapper admits) and never
    marked trusted, so they are never templated, as the wrapper would leave them for a plugin that is not
    trusted_by_default (tests/unit/plugins/inventory/test_zstack.py proves a VM name that looks like a template stays
    text; ansible-inventory --list marks each string unsafe, tests/integration/targets/inventory_zstack).
    """
    return getattr(inventory, '__wrapped__', inventory)
