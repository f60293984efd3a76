# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""VMs as ZStack describes them: the workflow behind zstack_vm_info.

``vm_info(module)`` reads the VMs the task names - by UUID, by name, or by query, with zstack_console_access's
selectors and messages (``_vms``) - in one session that it ends before returning, and returns their inventories as
ZStack returns them. It only reads, so check mode runs the same.
"""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.module_utils._errors import VmLookupError
from ansible_collections.zstack.cloud.plugins.module_utils._session_service import read_only_session
from ansible_collections.zstack.cloud.plugins.module_utils._vms import (
    ANY_STATE_SCOPE,
    NOT_DESTROYED_SCOPE,
    QueryItem,
    find_vms_by_uuids,
    named_vm,
    parse_items,
    resolve_names,
)


def vm_info(module):
    """The task of zstack_vm_info: the VMs it names, read in one session, which is ended before the result returns."""
    params = module.params
    scope = ANY_STATE_SCOPE if params['include_destroyed'] else NOT_DESTROYED_SCOPE
    items = parse_items(params, scope)
    client = module.connect()
    with read_only_session(client, module.warn):
        vms = read_vms(client, items)
    return {'changed': False, 'vms': vms}


def read_vms(client, items):
    """The inventories of the VMs ``items`` (from _vms.parse_items) name, in their order, each VM once.

    UUIDs are read together (any state: a VM given by UUID is the one meant), names are resolved together (exactly
    one VM that is not Destroyed, as zstack_console_access resolves them), and each query keeps its scope. The first
    reference that finds no VM fails the task.
    """
    refs = [item for item in items if not isinstance(item, QueryItem)]
    by_uuid = find_vms_by_uuids(client, [ref.uuid for ref in refs if ref.uuid])
    resolved = resolve_names(client, refs)
    vms = {}
    for item in items:
        if isinstance(item, QueryItem):
            found = item.select(client)
        elif item.uuid:
            if item.uuid not in by_uuid:
                raise VmLookupError('No VM with UUID %s that this account can see' % item.uuid)
            found = [by_uuid[item.uuid]]
        else:
            found = [named_vm(client, item, resolved)]
        for vm in found:
            vms.setdefault(vm['uuid'], vm)
    return list(vms.values())
