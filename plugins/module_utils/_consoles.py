# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding VMs and asking ZStack for console access (RequestConsoleAccess)."""

from __future__ import annotations

import re

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackConfigError,
    ZStackError,
    ZStackResponseError,
    one_line,
)
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock

UUID_PATTERN = re.compile(r'[0-9a-fA-F]{32}')
DASHED_UUID_PATTERN = re.compile(r'[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}')
# PortalSystemTags.VALIDATION_ONLY is an EphemeralSystemTag("validationOnly"), whose format gets the "ephemeral::"
# prefix; ApiMediatorImpl.dispatchMessage tests it with hasSystemTag, an exact List.contains. A bare
# "validationOnly" is ignored and the console is created (docs/zstack-api-notes.md, "Check mode").
VALIDATION_ONLY_TAG = 'ephemeral::validationOnly'


class VmRef:
    """A VM as the user named it: by UUID, or by a name still to be resolved; a VM that vm_query found, by both."""

    def __init__(self, given, uuid=None, name=None):
        self.given = given
        self.uuid = uuid
        self.name = name

    @classmethod
    def parse(cls, value, option):
        value = value.strip() if isinstance(value, str) else value
        if not value:
            raise ZStackConfigError('%s: an empty VM reference is not a UUID or a name' % option)
        if option == 'vm_instance_uuid' or DASHED_UUID_PATTERN.fullmatch(value):
            if not UUID_PATTERN.fullmatch(value):
                raise ZStackConfigError('%s: %r is not a ZStack UUID (32 hex characters, no dashes)' % (option, value))
        if UUID_PATTERN.fullmatch(value):
            return cls(value, uuid=value.lower())
        return cls(value, name=value)


# Names per query when several VMs are asked for by name, and the most characters of names in one query (the
# server, or a proxy in front of it, may refuse a long URL).
NAMES_PER_QUERY = 50
NAME_CHARS_PER_QUERY = 2000
# The server's default page size: a reply this long may have been cut.
QUERY_LIMIT = 1000
# A name with one of these cannot go in a `name?=a,b` list: the comma separates, the others make query operators.
_UNLISTABLE = re.compile(r'[,=<>]')


def find_vm_by_name(client, name):
    """The one VM called ``name`` that is not Destroyed, else a failure that lists the candidates."""
    reply = client.call('GET', 'vm-instances', query=[('q', 'name=%s' % name)])
    inventories = reply.get('inventories')
    if not isinstance(inventories, list):
        raise ZStackResponseError('ZStack answered the VM query for %r without an inventories list' % name)
    return pick_vm(name, inventories)


def listable_names(names):
    """The names that can be resolved together, in chunks for find_vms_by_names; the others go one by one."""
    chunks, chunk, size = [], [], 0
    for name in names:
        if _UNLISTABLE.search(name):
            continue
        if chunk and (len(chunk) >= NAMES_PER_QUERY or size + len(name) > NAME_CHARS_PER_QUERY):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(name)
        size += len(name) + 1
    if chunk:
        chunks.append(chunk)
    return chunks


def find_vms_by_names(client, names):
    """Resolve several names with one query (``q=name?=a,b,c``): ``{name: VM inventory or ZStackError}``.

    Each name gets exactly the verdict find_vm_by_name would give it: the server compares names
    case-insensitively, the client exactly. Returns None when the reply may have been cut (QUERY_LIMIT):
    the caller then resolves these names one by one. A failed query raises, for every name of the chunk.
    """
    reply = client.call('GET', 'vm-instances', query=[('q', 'name?=%s' % ','.join(names))])
    inventories = reply.get('inventories')
    if not isinstance(inventories, list):
        raise ZStackResponseError('ZStack answered the VM query for %d names without an inventories list' % len(names))
    if len(inventories) >= QUERY_LIMIT:
        return None
    found = {}
    for name in names:
        try:
            found[name] = pick_vm(name, inventories)
        except ZStackError as err:
            found[name] = err
    return found


def pick_vm(name, inventories):
    """From a query's inventories, the one VM called exactly ``name`` that is not Destroyed, else a failure."""
    same_name = [vm for vm in inventories if isinstance(vm, dict) and vm.get('name') == name]
    live = [vm for vm in same_name if vm.get('state') != 'Destroyed']
    if len(live) == 1:
        return live[0]
    if live:
        raise ZStackError('VM name %r is ambiguous: %d VMs that are not Destroyed have it (%s); use its UUID instead'
                          % (name, len(live), ', '.join(vm.get('uuid', '?') for vm in live)),
                          candidates=[vm.get('uuid') for vm in live])
    destroyed = [vm.get('uuid', '?') for vm in same_name]
    hint = ' (only Destroyed VMs have that name: %s)' % ', '.join(destroyed) if destroyed else ''
    raise ZStackError('No VM named %r that is not Destroyed%s' % (name, hint), candidates=destroyed)


def validates_only(check_mode, system_tags):
    """Whether the server is only asked to validate: in check mode, or when the caller sends the tag itself."""
    return bool(check_mode) or VALIDATION_ONLY_TAG in (system_tags or ())


def request_console(client, vm_uuid, system_tags=(), user_tags=(), validate_only=False, warn=None):
    """POST /consoles in the body shape the server reads (fields under ``params``); returns the inventory.

    With ``validate_only`` the server checks the session, the arguments and the VM's state and creates
    nothing; the job then ends with an empty body and this returns ``{}``, whatever the server answered: a
    console a server created all the same is never handed out, and ``warn`` is told about it.
    """
    tags = list(system_tags)
    if validate_only and VALIDATION_ONLY_TAG not in tags:
        tags.append(VALIDATION_ONLY_TAG)
    body = {'params': {'vmInstanceUuid': vm_uuid}, 'systemTags': tags, 'userTags': list(user_tags)}
    reply = client.call('POST', 'consoles', body=body)
    inventory = reply.get('inventory')
    if validate_only:
        if inventory and warn is not None:
            warn('VM %s: ZStack created a console although it was asked only to validate (%s); the module withheld '
                 'its token, and the console lives until it expires or its session ends' % (vm_uuid, VALIDATION_ONLY_TAG))
        return {}
    if not isinstance(inventory, dict):
        raise ZStackResponseError('ZStack answered RequestConsoleAccess for VM %s without a console inventory: %s'
                                  % (vm_uuid, one_line(repr(reply), 120)))
    return inventory


def console_entry(vm_uuid, vm_name, inventory, node_clock=None):
    """The console as the module returns it: snake_case keys, ``expires_at`` and a ready websocket URL.

    ``node_clock`` reads the server's zone-less ``expiredDate`` (default: the controller's local zone).
    """
    entry = {'vm_instance_uuid': vm_uuid}
    if vm_name is not None:
        entry['vm_instance_name'] = vm_name
    if not inventory:
        return entry
    missing = [key for key in ('hostname', 'port', 'token') if inventory.get(key) in (None, '')]
    if missing:
        raise ZStackResponseError('The console inventory for VM %s lacks %s' % (vm_uuid, ', '.join(missing)))
    try:
        port = int(float(inventory['port']))  # some servers send 4900.0
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite port (JSON Infinity, "1e999")
        raise ZStackResponseError('The console inventory for VM %s has a port that is not a number: %r'
                                  % (vm_uuid, inventory['port'])) from None
    scheme = inventory.get('scheme') or 'http'
    hostname = str(inventory['hostname'])
    entry.update(scheme=scheme, hostname=hostname, port=port, token=str(inventory['token']))
    for source, target in (('targetScheme', 'target_scheme'), ('version', 'version'), ('expiredDate', 'expired_date')):
        if inventory.get(source) is not None:
            entry[target] = inventory[source]
    expires_at = (node_clock or NodeClock()).expires_at(inventory.get('expiredDate'))
    if expires_at is not None:
        entry['expires_at'] = expires_at
    host_part = '[%s]' % hostname if ':' in hostname else hostname
    entry['websocket_url'] = '%s://%s:%s/?token=%s' % ('wss' if scheme == 'https' else 'ws', host_part, port, entry['token'])
    return entry
