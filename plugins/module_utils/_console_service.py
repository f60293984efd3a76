# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Consoles for the VMs a task names: the workflow behind zstack_console_access.

``serve_consoles(client, items, options)`` logs in once, before any worker starts; selects the VMs (queries first,
then names in batches); asks ZStack for their consoles in parallel (RequestConsoleAccess); builds the entries with
their URLs; and says which session the tokens embed. ``console_access(module)`` is the module's one call: options
from the task, the client, then serve_consoles.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import ConsoleEntry
from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import check_page_url, console_url
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackConfigError,
    ZStackError,
    ZStackResponseError,
    one_line,
)
from ansible_collections.zstack.cloud.plugins.module_utils._management_node import version_or_none
from ansible_collections.zstack.cloud.plugins.module_utils._vms import (
    most_vms,
    parse_items,
    resolve_names,
    select,
    vm_uuid,
)

# PortalSystemTags.VALIDATION_ONLY is an EphemeralSystemTag("validationOnly"), whose format gets the "ephemeral::"
# prefix; ApiMediatorImpl.dispatchMessage tests it with hasSystemTag, an exact List.contains. A bare
# "validationOnly" is ignored and the console is created (docs/zstack-api-notes.md, "Check mode").
VALIDATION_ONLY_TAG = 'ephemeral::validationOnly'
# VMs served at the same time when workers > 1: each waits for its console job without holding a request slot.
MAX_VMS_IN_FLIGHT = 256


class ConsoleOptions:
    """How to ask for the consoles and where their URLs point (everything but the VMs and the connection)."""

    def __init__(self, system_tags=(), user_tags=(), check_mode=False, workers=8, novnc_url=None,
                 management_host=None, management_scheme='http', proxy_tls=False):
        if workers < 1:
            raise ZStackConfigError('workers must be 1 or more, got %s' % workers)
        self.system_tags = list(system_tags)
        self.user_tags = list(user_tags)
        # Only validate: in check mode, or when the caller sends the tag itself.
        self.validate_only = bool(check_mode) or VALIDATION_ONLY_TAG in self.system_tags
        self.workers = workers
        # The console proxy has a certificate: wss:// (ZStack's reply says http whatever the proxy is).
        self.proxy_tls = bool(proxy_tls)
        # Where console_url points: the noVNC 1.x page of novnc_url (parameters in the fragment), else ZStack's UI.
        if novnc_url:
            check_page_url(novnc_url)
            self.page = {'page_url': novnc_url, 'style': 'novnc'}
        else:
            self.page = {'management_host': management_host, 'management_scheme': management_scheme,
                         'style': 'zstack'}

    @classmethod
    def from_params(cls, params, check_mode):
        return cls(params['system_tags'], params['user_tags'], check_mode, params['workers'], params['novnc_url'],
                   params['host'], params['scheme'], params['console_proxy_tls'])


def console_access(module):
    """The task of zstack_console_access: its options read, one client, the consoles served."""
    params = module.params
    items = parse_items(params)
    options = ConsoleOptions.from_params(params, module.check_mode)
    # At most `workers` requests in flight; a VM whose console job is running holds none while it waits,
    # so the jobs of up to MAX_VMS_IN_FLIGHT VMs run on the server side by side.
    workers = min(options.workers, most_vms(items))
    client = module.connect(pool_size=workers, max_requests=workers)
    return serve_consoles(client, items, options, warn=module.warn)


def serve_consoles(client, items, options, warn=None):
    """The consoles of the VMs ``items`` name (from _vms.parse_items), as the module's result.

    Fails (ZStackError carrying ``zstack_consoles``) when any VM got no console.
    """
    session = client.log_in()  # the task's one login, before any worker starts
    refs = select(client, items)
    if options.workers == 1:
        resolved = resolve_names(client, refs)
        entries = [_console_for(client, ref, options, resolved, warn) for ref in refs]
    else:
        with ThreadPoolExecutor(max_workers=min(len(refs), MAX_VMS_IN_FLIGHT)) as pool:
            resolved = resolve_names(client, refs, pool)
            entries = list(pool.map(lambda ref: _console_for(client, ref, options, resolved, warn), refs))
    page = options.page
    if page['style'] == 'zstack' and any(entry.get('token') for entry in entries):
        # ZStack's own page is the one of the node's version, asked once, without credentials.
        page = dict(page, node_version=version_or_none(client, warn))
    for entry in entries:
        url = console_url(entry, **page)
        if url:  # none without a token (check mode, a failed VM)
            entry['console_url'] = url

    failures = [entry for entry in entries if entry.get('failed')]
    if failures:
        first = failures[0]
        if len(refs) == 1:
            msg = first['msg']
        else:
            msg = 'Console access failed for %d of %d VMs; first: %s' % (len(failures), len(refs), first['msg'])
        extra = {'error': first['error']} if 'error' in first else {}
        raise ZStackError(msg, zstack_consoles=entries, **extra)

    # ZStack keeps one live console per VM: asking again, from any session, returns the existing token, which
    # embeds the session that first asked. So a token embeds this task's own session only if the task logged in
    # itself and the token starts with that session's UUID.
    own = session.uuid if session.opened else None
    for entry in entries:
        if 'token' in entry:
            entry['session_owned'] = bool(own) and entry['token'].startswith(own + '_')
    consoles = {'zstack_consoles': entries}
    if len(entries) == 1:
        consoles['zstack_console'] = entries[0]
    # In the result for register:, and as facts for the plays that read ansible_facts.
    return dict(consoles, changed=False, ansible_facts=dict(consoles), session_created=session.opened,
                validate_only=options.validate_only)


def _console_for(client, ref, options, resolved, warn):
    """One VM's entry; a failure is caught and recorded so the other VMs still get theirs."""
    label = 'vm_instance_uuid' if ref.uuid else 'vm_instance_name'
    try:
        uuid = vm_uuid(client, ref, resolved)
    except ZStackError as err:
        return ConsoleEntry.failure(label, ref.given, err)
    try:
        inventory = request_console(client, uuid, options, warn)
        entry = ConsoleEntry.from_inventory(uuid, ref.name, inventory, client.node_clock, options.proxy_tls)
    except ZStackError as err:
        entry = ConsoleEntry.failure(label, ref.given, err.within('VM %s' % ref.given))
    if ref.query is not None:
        entry['vm_query'] = ref.query  # which query item selected it (the console_files role matches on it)
    return entry


def request_console(client, vm_uuid, options, warn=None):
    """POST /consoles in the body shape the server reads (fields under ``params``); returns the inventory.

    When only validating, the server checks the session, the arguments and the VM's state and creates nothing; the
    job then ends with an empty body and this returns ``{}``, whatever the server answered: a console a server
    created all the same is never handed out, and ``warn`` is told about it.
    """
    tags = list(options.system_tags)
    if options.validate_only and VALIDATION_ONLY_TAG not in tags:
        tags.append(VALIDATION_ONLY_TAG)
    body = {'params': {'vmInstanceUuid': vm_uuid}, 'systemTags': tags, 'userTags': list(options.user_tags)}
    reply = client.call('POST', 'consoles', body=body)
    inventory = reply.get('inventory')
    if options.validate_only:
        if inventory and warn is not None:
            warn('VM %s: ZStack created a console although it was asked only to validate (%s); the module withheld '
                 'its token, and the console lives until it expires or its session ends' % (vm_uuid, VALIDATION_ONLY_TAG))
        return {}
    if not isinstance(inventory, dict):
        raise ZStackResponseError('ZStack answered RequestConsoleAccess for VM %s without a console inventory: %s'
                                  % (vm_uuid, one_line(repr(reply), 120)))
    return inventory
