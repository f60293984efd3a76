# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ZStack VMs as Ansible hosts: the workflow behind the inventory plugin zstack.cloud.zstack.

``read_vms(options, warn)`` lists every VM the options select, in one session that it ends (``_vms.list_vms`` reads
the pages); ``inventory_hosts(vms)`` gives each VM its host name and its variables. Nothing here knows about Ansible's
inventory: the plugin reads its options, keeps the cache and adds the hosts. ``group_vms`` goes the other way, for the
filter inventory_group_vms: from a group of such an inventory back to its VMs.

Host names: a VM's name when no other listed VM has it; when several do, each is ``<name>_<first 8 characters of its
UUID>`` (``<name>_<UUID>`` should a VM have that name already); a VM without a name is its UUID. So a host keeps its
name from run to run as long as the set of VMs that share its name stays the same.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json

from ansible_collections.zstack.cloud.plugins.module_utils._connection import build_client, select_auth
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._session_service import read_only_session
from ansible_collections.zstack.cloud.plugins.module_utils._vms import (
    ANY_STATE_SCOPE,
    UUID_PATTERN,
    LIST_PAGES_IN_FLIGHT,
    NOT_DESTROYED_SCOPE,
    list_vms,
    parse_condition,
)

UUID_PREFIX = 8


def read_vms(options, warn):
    """Every VM the options select (``vm_query``, ``include_destroyed``), in UUID order, as ZStack returns them.

    ``options`` holds the connection options and the auth options the inventory file gave (select_auth reads the
    ZSTACK_* variables when it gave none). One login; the session it opened is ended before this returns.
    """
    conditions = list(options.get('vm_query') or [])
    for condition in conditions:
        parse_condition(condition)
    scope = ANY_STATE_SCOPE if options.get('include_destroyed') else NOT_DESTROYED_SCOPE
    client = build_client(options, select_auth(options), pool_size=LIST_PAGES_IN_FLIGHT,
                          max_requests=LIST_PAGES_IN_FLIGHT)
    with read_only_session(client, warn):
        return list_vms(client, conditions, scope)


def cache_identity(options):
    """What the VMs listed depend on besides the inventory file, as a short digest for the cache key: the endpoint,
    who logs in (account, IAM user or AccessKey ID, never a secret), the query and include_destroyed."""
    auth = select_auth(options)
    who = [auth.get(name) for name in ('account_name', 'user_name', 'access_key_id')]
    identity = [options['scheme'], options['host'], options['port'], who, 'session_uuid' in auth,
                list(options.get('vm_query') or []), bool(options.get('include_destroyed'))]
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode('utf-8')).hexdigest()[:12]


def valid_cached_vms(vms):
    """Whether the inventory cache held a list of VMs as read_vms returns them (anything else is read again)."""
    return isinstance(vms, list) and all(
        isinstance(vm, dict) and isinstance(vm.get('uuid'), str) and UUID_PATTERN.fullmatch(vm['uuid']) for vm in vms)


def inventory_hosts(vms):
    """``[(host name, host variables)]`` of the VMs, in their order: ``zstack_vm`` (the VM as ZStack returned it),
    and ``ansible_host`` when its default NIC has an address."""
    names = host_names(vms)
    hosts = []
    for vm in vms:
        variables = {'zstack_vm': vm}
        address = default_address(vm)
        if address:
            variables['ansible_host'] = address
        hosts.append((names[vm['uuid']], variables))
    return hosts


def host_names(vms):
    """``{VM UUID: host name}``, distinct for every VM (the rule is in this file's docstring)."""
    named = collections.defaultdict(list)
    for vm in vms:
        name = vm.get('name')
        named[name if isinstance(name, str) and name else None].append(vm['uuid'])
    names = {uuids[0]: name for name, uuids in named.items() if name is not None and len(uuids) == 1}
    taken = set(names.values())
    shared = sorted((name, uuid) for name, uuids in named.items() if name is not None and len(uuids) > 1
                    for uuid in uuids)
    for name, uuid in shared + [(None, uuid) for uuid in sorted(named.get(None, []))]:
        last = '%s_%s' % (name, uuid) if name is not None else uuid
        first = ['%s_%s' % (name, uuid[:UUID_PREFIX])] if name is not None else []
        # Numbered names only for names made to collide with these.
        candidates = itertools.chain(first, [last], ('%s_%d' % (last, number) for number in itertools.count(2)))
        chosen = next(candidate for candidate in candidates if candidate not in taken)
        names[uuid] = chosen
        taken.add(chosen)
    return names


def default_address(vm):
    """The IP address of the VM's default NIC - its NIC on ``defaultL3NetworkUuid`` - or None."""
    default_l3 = vm.get('defaultL3NetworkUuid')
    nics = vm.get('vmNics')
    if not default_l3 or not isinstance(nics, list):
        return None
    for nic in nics:
        if isinstance(nic, dict) and nic.get('l3NetworkUuid') == default_l3:
            ip = nic.get('ip')
            return ip if isinstance(ip, str) and ip else None
    return None


def group_vms(group, groups, hostvars, max_vms=None):
    """The VMs (each host's ``zstack_vm``) of an inventory group, in the group's order; ``[]`` for no group ('').

    ``groups`` and ``hostvars`` are Ansible's magic variables. Fails in one line when the group is not in the
    inventory or has no host, when a host of it is not a VM of this plugin's inventory, and when it holds more than
    ``max_vms`` VMs.
    """
    group = (group or '').strip()
    if not group:
        return []
    if group not in groups:
        raise ZStackConfigError('inventory group %s: no such group in the inventory' % group)
    hosts = list(groups[group])
    if not hosts:
        raise ZStackConfigError('inventory group %s has no host' % group)
    vms, strangers = [], []
    for host in hosts:
        vm = hostvars[host].get('zstack_vm') if host in hostvars else None
        if isinstance(vm, dict) and isinstance(vm.get('uuid'), str) and UUID_PATTERN.fullmatch(vm['uuid']):
            vms.append(vm)
        else:
            strangers.append(host)
    if strangers:
        raise ZStackConfigError('inventory group %s: %d of its hosts have no zstack_vm (%s), so they are not VMs of the '
                                'zstack.cloud.zstack inventory' % (group, len(strangers), ', '.join(strangers[:5])))
    if max_vms is not None and len(vms) > int(max_vms):
        raise ZStackConfigError('inventory group %s holds %d VMs, more than max_vms=%d'
                                % (group, len(vms), int(max_vms)))
    return vms
