#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zstack_vm_info
short_description: Read ZStack VMs - their state, host and addresses
version_added: 1.0.0
description:
  - Returns the inventories of ZStack VMs as the management node returns them (C(GET /zstack/v1/vm-instances)) -
    state, host, cluster, NICs and their addresses, volumes, and the rest.
  - The VMs are named as M(zstack.cloud.zstack_console_access) names them - by UUID, by name, or by ZStack query
    conditions - and its messages say the same when a name matches no VM, or several.
  - It only reads. It logs in at most once, and a session it opened is ended (logged out) before it returns, whether
    it succeeded or failed; a session given in O(session_uuid) is left as it is.
  - To see every VM as Ansible hosts, use the inventory plugin P(zstack.cloud.zstack#inventory).
author:
  - zstack.cloud maintainers (@zstack-cloud)
requirements:
  - requests
options:
  vm_instance_uuid:
    description:
      - UUID of the VM (32 hex characters, no dashes). A VM given by UUID is returned in any state, Destroyed included.
      - Exactly one of O(vm_instance_uuid), O(vm_instance_name), O(vm_instances) and O(vm_query) is required.
    type: str
  vm_instance_name:
    description:
      - Name of the VM. It must match exactly one VM that is not Destroyed; otherwise the task fails and its message
        lists the UUIDs of the candidates.
    type: str
  vm_instances:
    description:
      - Several VMs, each given by UUID or by name, or a query item - a dictionary whose key C(query) lists conditions
        and whose optional key C(max_vms) bounds them - that stands for the VMs those conditions select, as
        O(vm_query) does (C(max_vms) defaults to O(max_vms)).
      - RV(vms) keeps the order of this list (a query item's VMs in order of name, then UUID), each VM once. The first
        UUID or name that finds no VM fails the task.
    type: list
    elements: raw
  vm_query:
    description:
      - Every VM that matches these ZStack query conditions, ANDed, and is not Destroyed (unless
        O(include_destroyed)), in order of name, then UUID. No match returns an empty RV(vms).
      - The conditions are those of O(zstack.cloud.zstack_console_access#module:vm_query) - C(<field><operator><value>)
        with the operators C(=), C(!=), C(>), C(<), C(>=), C(<=), C(?=), C(!?=), C(~=), C(!~=), or
        C(<field> is null), C(<field> not null) - each checked before any request the way ZStack will read it.
      - More than O(max_vms) matches fail the task with their number.
    type: list
    elements: str
  max_vms:
    description:
      - With O(vm_query) or a query item, the most VMs it may select, from 1 to 1000. When more VMs match, the task
        fails with their number.
    type: int
    default: 1000
  include_destroyed:
    description:
      - Whether O(vm_query) and query items select Destroyed VMs too (ZStack keeps a Destroyed VM until it is
        expunged). Names never match a Destroyed VM; UUIDs always do.
    type: bool
    default: false
extends_documentation_fragment:
  - zstack.cloud.connection
  - zstack.cloud.auth
  - zstack.cloud.attributes
  - zstack.cloud.attributes.INFO_MODULE
seealso:
  - plugin: zstack.cloud.zstack
    plugin_type: inventory
    description: Every VM as an Ansible host.
  - module: zstack.cloud.zstack_console_access
    description: Consoles for the same VMs, named the same way.
'''

EXAMPLES = r'''
- name: Every VM on a failing host, with its state and address
  zstack.cloud.zstack_vm_info:
    host: zstack-mn.example.com
    account_name: ops-readonly
    account_password: "{{ vault_ops_readonly_password }}"
    vm_query:
      - hostUuid=930ed76e681e4c39b80fde512cab93ba
  register: on_host

- name: One line per VM
  ansible.builtin.debug:
    msg: "{{ item.name }} ({{ item.uuid }}): {{ item.state }}"
  loop: "{{ on_host.vms }}"
  loop_control:
    label: "{{ item.uuid }}"

- name: Two VMs by name and one by UUID, with the endpoint and credentials in ZSTACK_* variables
  zstack.cloud.zstack_vm_info:
    vm_instances:
      - web-01
      - db-01
      - 5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
  register: named

- name: The address of each VM's default NIC (the NIC on its default L3 network)
  ansible.builtin.debug:
    msg: >-
      {{ item.name }}: {{ item.vmNics | selectattr('l3NetworkUuid', 'equalto', item.defaultL3NetworkUuid)
                          | map(attribute='ip') | first | default('no address') }}
  loop: "{{ named.vms }}"
  loop_control:
    label: "{{ item.name }}"

# Ad hoc:
#   ansible localhost -m zstack.cloud.zstack_vm_info -a vm_instance_name=web-01
#   ansible localhost -m zstack.cloud.zstack_vm_info -a 'vm_query=hostUuid=930ed76e681e4c39b80fde512cab93ba'
'''

RETURN = r'''
vms:
  description:
    - The VMs, each as ZStack returns its inventory (C(VmInstanceInventory)), in the order asked; with O(vm_query), in
      order of name, then UUID.
    - Only a few of the fields are listed here; ZStack's API reference has them all.
  returned: success
  type: list
  elements: dict
  contains:
    uuid:
      description: UUID of the VM.
      returned: always
      type: str
      sample: 374f25061ea8462da5c428fcb2aa243c
    name:
      description: Name of the VM.
      returned: always
      type: str
      sample: web-01
    state:
      description: State of the VM, such as C(Running), C(Stopped), C(Paused) or C(Destroyed).
      returned: always
      type: str
      sample: Running
    hostUuid:
      description: UUID of the host the VM runs on.
      returned: when the VM is on a host
      type: str
      sample: 930ed76e681e4c39b80fde512cab93ba
    defaultL3NetworkUuid:
      description: UUID of the VM's default L3 network; its NIC on that network is the default NIC.
      returned: when the VM has one
      type: str
      sample: edd1041b785040b88a7e89a2a30acbdf
    vmNics:
      description: The VM's NICs, each with C(l3NetworkUuid), C(ip), C(mac) and more.
      returned: always
      type: list
      elements: dict
      sample: [{"l3NetworkUuid": "edd1041b785040b88a7e89a2a30acbdf", "ip": "10.0.0.11", "mac": "fa:16:3e:00:00:01"}]
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import ZStackModule
from ansible_collections.zstack.cloud.plugins.module_utils._runner import run_task
from ansible_collections.zstack.cloud.plugins.module_utils._vms import SELECTORS, selector_argument_spec
from ansible_collections.zstack.cloud.plugins.module_utils._vm_info_service import vm_info


def main():
    module = ZStackModule(
        argument_spec=dict(
            selector_argument_spec(max_vms=1000),
            include_destroyed=dict(type='bool', default=False),
        ),
        mutually_exclusive=[SELECTORS],
        required_one_of=[SELECTORS],
        supports_check_mode=True,
    )
    run_task(module, vm_info)


if __name__ == '__main__':
    main()
