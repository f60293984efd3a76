#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zstack_console_access
short_description: Get console access to ZStack VMs
version_added: 1.0.0
description:
  - Asks a ZStack management node for console access to one or more VMs (the RequestConsoleAccess API,
    C(POST /zstack/v1/consoles)) and returns where and how to connect - the console proxy's scheme, host name,
    port and token, the expiry in UTC, and a ready WebSocket URL - in its result and as facts.
  - Several VMs are served by one API session with requests in parallel.
  - The module never changes anything it would report as changed, so it always returns RV(ignore:changed=false).
  - B(Security) - a console token embeds the API session that asked for it; anyone holding the token holds that
    session. Use a dedicated, least-privileged account or IAM user for console work, keep tokens out of logs
    (C(no_log)), and end the session (log it out) to revoke every console it opened.
author:
  - zstack.cloud maintainers (@zstack-cloud)
requirements:
  - requests
options:
  vm_instance_uuid:
    description:
      - UUID of the VM (32 hex characters, no dashes).
      - Exactly one of O(vm_instance_uuid), O(vm_instance_name), O(vm_instances) and O(vm_query) is required.
    type: str
  vm_instance_name:
    description:
      - Name of the VM. It must match exactly one VM that is not Destroyed; otherwise the task fails and its
        message lists the UUIDs of the candidates.
    type: str
  vm_instances:
    description:
      - Several VMs, each given by UUID (32 hex characters) or by name, or a query item - a
        dictionary whose key C(query) lists conditions and whose optional key C(max_vms) bounds them - that stands
        for the VMs those conditions select, as O(vm_query) does (C(max_vms) defaults to O(max_vms)). The entries a query item selected carry
        RV(zstack_consoles[].vm_query).
      - They are served by one API session, with at most O(workers) requests in flight; the results keep the
        order of this list (a query item's VMs in order of name, then UUID), and an item given twice counts once.
        Every query runs before any console is requested. If some VMs fail, the task fails and still returns the
        consoles it obtained and each VM's error.
    type: list
    elements: raw
  vm_query:
    description:
      - Every VM that matches these ZStack query conditions and is in a state that can have a console (Running,
        Crashed, VolumeRecovering, Paused, NoState), for example every VM of a failing host.
      - Each condition is C(<field><operator><value>) as C(GET /zstack/v1/vm-instances) takes it in a C(q)
        parameter, with the operators C(=), C(!=), C(>), C(<), C(>=), C(<=), C(?=) (in a comma-separated list),
        C(!?=), C(~=) (SQL LIKE, C(%) matches any text), C(!~=), or C(<field> is null), C(<field> not null).
        Fields are those of a VM inventory (C(hostUuid), C(clusterUuid), C(zoneUuid), C(name), ...), nested ones
        (C(vmNics.ip)) and tags (C(__userTag__), C(__systemTag__)). The value is taken as written, spaces included.
        The conditions are ANDed.
      - Each condition is checked before any request, the way ZStack will read it. The server compares text
        ignoring case.
      - The VMs are served in order of name, then UUID. More than O(max_vms) matches, or none, fail the task before
        any console is requested.
      - On the command line (C(-a vm_query=...)) commas separate conditions; give a condition with a comma, such as
        C(name?=web-01,web-02), in a YAML or JSON list.
    type: list
    elements: str
  max_vms:
    description:
      - With O(vm_query), the most VMs it may select, from 1 to 1000. When more VMs match, the task fails with their
        number before any console is requested.
    type: int
    default: 50
  novnc_url:
    description:
      - URL of a noVNC 1.x page (C(vnc.html), C(vnc_lite.html)) that RV(zstack_consoles[].console_url)
        opens, for example C(https://bastion.example.com:6080/vnc.html). The console's host, port and token go in
        the URL fragment, which a browser never sends to a web server.
      - Without it, RV(zstack_consoles[].console_url) opens the ZStack web UI's console page on the
        management node, C(<scheme>://<host>:5000/thirdparty/vnc_auto.html), with the parameters in the query
        string as ZStack's UI passes them; that page reads nothing else, and its web server's log then holds the
        token.
    type: str
  system_tags:
    description:
      - System tags sent with the request. In check mode C(ephemeral::validationOnly) is added.
      - With C(ephemeral::validationOnly) in this list the module works as in check mode.
    type: list
    elements: str
    default: []
  user_tags:
    description:
      - User tags sent with the request.
    type: list
    elements: str
    default: []
  workers:
    description:
      - Largest number of requests in flight at the same time when O(vm_instances) lists several.
      - A VM whose console job is running on the management node holds no request while the module waits for
        the job, so the jobs of many VMs (up to 256) run side by side and a long list costs little more time
        than one VM. The load on the management node is bounded by this number of concurrent requests.
      - With V(1), the VMs are served one after the other.
    type: int
    default: 8
extends_documentation_fragment:
  - zstack.cloud.connection
  - zstack.cloud.auth
  - zstack.cloud.attributes
  - zstack.cloud.attributes.CHECK_MODE_READ_ONLY
notes:
  - In check mode the module sends the system tag C(ephemeral::validationOnly) - the server checks the session, the
    arguments and each VM's state, and creates no console. The returned entries then carry no token and no URL,
    whatever the server answers; should a server create a console all the same, the module says so in a warning.
  - A token lives for the server's C(console.vnc.token.timeout) (1800 s by default) and the console proxy stops
    after a minute without connections; ask for the token shortly before it is used.
  - One task logs in at most once, whatever number of VMs it serves. When a request gets no answer (connection
    refused, DNS, TLS, O(timeout)) or still fails after O(retries), the task sends nothing more - the remaining VMs
    fail at once with that cause instead of each waiting out the same time-outs.
seealso:
  - name: ZStack RequestConsoleAccess API
    description: The API this module calls.
    link: https://www.zstack.io/help/en/dev_manual/
'''

EXAMPLES = r'''
- name: Get a console for one VM by name
  zstack.cloud.zstack_console_access:
    host: zstack-mn.example.com
    account_name: console-ops
    account_password: "{{ vault_console_ops_password }}"
    vm_instance_name: web-01
  register: web01
  no_log: true  # the result holds a token, a credential as strong as its API session

- name: Tell the operator where to connect, without printing the token
  ansible.builtin.debug:
    msg: "{{ web01.zstack_console.vm_instance_name }}: {{ web01.zstack_console.hostname }}:{{ web01.zstack_console.port }}"

- name: Consoles for several VMs in one session, as an incident-response step
  zstack.cloud.zstack_console_access:
    vm_instances:
      - web-01
      - web-02
      - 5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
    workers: 4
  register: consoles
  no_log: true

- name: One line per VM - where to connect and until when (UTC); the label keeps tokens out of the output
  ansible.builtin.debug:
    msg: "{{ item.vm_instance_name | default(item.vm_instance_uuid) }}: {{ item.hostname }}:{{ item.port }} until {{ item.expires_at | default('?') }}"
  loop: "{{ consoles.zstack_consoles }}"
  loop_control:
    label: "{{ item.vm_instance_uuid }}"

- name: The same list is also a fact, for later plays on this host
  ansible.builtin.debug:
    msg: "{{ ansible_facts.zstack_consoles | length }} consoles"

- name: Connection and auth set once for every zstack.cloud module
  module_defaults:
    group/zstack.cloud.zstack:
      host: zstack-mn.example.com
      scheme: https
      ca_path: /etc/pki/zstack-ca.pem
      user_name: oncall
      account_name: ops
      account_password: "{{ vault_oncall_password }}"
  block:
    - name: Check that the VM can have a console, creating none
      zstack.cloud.zstack_console_access:
        vm_instance_uuid: 5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
      check_mode: true

- name: Consoles for every VM on a failing host, as an incident-response step
  zstack.cloud.zstack_console_access:
    vm_query:
      - hostUuid=930ed76e681e4c39b80fde512cab93ba
    max_vms: 100
  no_log: true

- name: Consoles for the web VMs of one cluster, opened from a noVNC page on the bastion
  zstack.cloud.zstack_console_access:
    vm_query:
      - clusterUuid=b5d28439084c49e2880b99d8a8e7dbde
      - name~=web-%
    novnc_url: https://bastion.example.com:6080/vnc.html
  no_log: true

- name: Named VMs and every VM of a failing host, in one session
  zstack.cloud.zstack_console_access:
    vm_instances:
      - db-01
      - query: [hostUuid=930ed76e681e4c39b80fde512cab93ba]
        max_vms: 20
  register: incident_consoles
  no_log: true

# Ad hoc, with the endpoint and credentials in ZSTACK_* environment variables:
#   export ZSTACK_HOST=zstack-mn.example.com ZSTACK_ACCOUNT_NAME=console-ops
#   read -rs ZSTACK_ACCOUNT_PASSWORD && export ZSTACK_ACCOUNT_PASSWORD
#   ansible localhost -m zstack.cloud.zstack_console_access -a vm_instance_name=web-01
#   ansible localhost -m zstack.cloud.zstack_console_access -a 'vm_query=hostUuid=930ed76e681e4c39b80fde512cab93ba'
'''

RETURN = r'''
ansible_facts:
  description: Facts set by the module - the same values as RV(zstack_consoles) and RV(zstack_console).
  returned: success
  type: dict
  contains:
    zstack_consoles:
      description: Same as RV(zstack_consoles).
      returned: success
      type: list
      elements: dict
    zstack_console:
      description: Same as RV(zstack_console).
      returned: success, when one VM was asked for
      type: dict
zstack_consoles:
  description:
    - One entry per VM, in the order asked; with O(vm_query), in order of name, then UUID.
    - Also set as the fact C(zstack_consoles); use the registered result or C(ansible_facts.zstack_consoles) rather
      than a top-level C(zstack_consoles) variable, which relies on facts being injected as variables.
    - On failure, the consoles obtained, and for each VM that failed its C(msg) and, for API errors, the
      server's C(error) object.
  returned: always, once the VMs were asked for
  type: list
  elements: dict
  sample: [{"vm_instance_name": "web-09", "failed": true, "msg": "No VM named 'web-09' that is not Destroyed"}]
  contains:
    vm_instance_uuid:
      description: UUID of the VM.
      returned: always
      type: str
      sample: 5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
    vm_instance_name:
      description: Name of the VM, when it was asked for by name or selected by O(vm_query).
      returned: when known
      type: str
      sample: web-01
    scheme:
      description: Scheme of the console proxy.
      returned: when a console was created (not in check mode)
      type: str
      sample: http
    hostname:
      description: Host name or address of the console proxy.
      returned: when a console was created (not in check mode)
      type: str
      sample: 10.0.0.5
    port:
      description: Port of the console proxy.
      returned: when a console was created (not in check mode)
      type: int
      sample: 4900
    token:
      description:
        - Console token. It embeds the API session that asked for it; treat it as a secret.
      returned: when a console was created (not in check mode)
      type: str
      sample: 0a1b2c3d4e5f60718293a4b5c6d7e8f9_5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
    target_scheme:
      description: Protocol behind the proxy, when the server sends it.
      returned: when the server sends it
      type: str
      sample: vnc
    version:
      description: Console proxy version, when the server sends it.
      returned: when the server sends it
      type: str
      sample: "1"
    expired_date:
      description:
        - When the token expires, as the server wrote it - in the management node's local time, without a zone.
      returned: when the server sends it
      type: str
      sample: "Dec 1, 2026 12:20:00 AM"
    expires_at:
      description:
        - When the token expires, in ISO 8601 UTC to the second - RV(zstack_consoles[].expired_date)
          read in the management node's zone (see O(server_timezone)).
      returned: when the server sends a date the module can read
      type: str
      sample: "2026-11-30T16:20:00Z"
    session_owned:
      description:
        - Whether the token embeds the session this task logged in itself (see RV(session_created)).
        - ZStack keeps one live console per VM, so asking for a VM that already has a console returns the
          existing token, which embeds the session that first asked for it, not this task's.
        - Only a session the caller owns should ever be ended to revoke a token.
      returned: when a console was created (not in check mode)
      type: bool
      sample: true
    websocket_url:
      description: WebSocket URL of the console, C(wss://) when the proxy scheme is C(https).
      returned: when a console was created (not in check mode)
      type: str
      sample: ws://10.0.0.5:4900/?token=0a1b2c3d4e5f60718293a4b5c6d7e8f9_5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
    vm_query:
      description: The conditions of the query that selected this VM (O(vm_query), or a query item of O(vm_instances)).
      returned: when a query selected the VM
      type: list
      elements: str
      sample: ["hostUuid=930ed76e681e4c39b80fde512cab93ba"]
    console_url:
      description:
        - A URL a browser opens to see the console. It holds the token; treat it as a secret.
        - By default the ZStack web UI's console page on the management node (O(host), O(scheme), port 5000)
          with C(host), C(port), C(token) and C(title) in the query string, which that page reads; with
          O(novnc_url), that noVNC 1.x page with its parameters in the fragment.
      returned: when a console was created (not in check mode)
      type: str
      sample: "http://zstack-mn.example.com:5000/thirdparty/vnc_auto.html?host=10.0.0.5&port=4900&\
        token=0a1b2c3d4e5f60718293a4b5c6d7e8f9_5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b&title=web-01"
    failed:
      description: Whether this VM failed (only on failure of the task).
      returned: for a VM that failed
      type: bool
      sample: true
    msg:
      description: Why this VM failed.
      returned: for a VM that failed
      type: str
      sample: "No VM named 'web-09' that is not Destroyed"
    error:
      description: The server's API error object for this VM.
      returned: for a VM that failed on an API error
      type: dict
      sample: {"code": "SYS.1006", "description": "operation error"}
zstack_console:
  description: The entry of RV(zstack_consoles) when exactly one VM was asked for or selected (also set as a fact).
  returned: success, when one VM was asked for
  type: dict
  sample: {}
vm_count:
  description: How many VMs O(vm_query) matched, when that number failed the task (none, or more than O(max_vms)).
  returned: failure, when O(vm_query) matched no VM or too many
  type: int
  sample: 73
session_created:
  description: Whether the module logged in itself for this task (and so owns the session its tokens embed).
  returned: success
  type: bool
  sample: true
validate_only:
  description:
    - Whether the server was only asked to validate (check mode, or C(ephemeral::validationOnly) in O(system_tags)).
      No token or URL is returned then.
  returned: success
  type: bool
  sample: false
error:
  description: The server's API error object (code, description, details and its cause chain) when one ended the task.
  returned: failure, on an API error
  type: dict
  sample: {"code": "SYS.1006", "description": "operation error", "details": "vm is not in state of ...", "cause": null}
'''

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import check_page_url, console_url
from ansible_collections.zstack.cloud.plugins.module_utils._consoles import (
    VmRef,
    console_entry,
    find_vm_by_name,
    find_vms_by_names,
    listable_names,
    request_console,
    validates_only,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackApiError, ZStackConfigError, ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._module import ZStackModule
from ansible_collections.zstack.cloud.plugins.module_utils._vm_query import QueryItem, check_max_vms

# VMs served at the same time when workers > 1: each waits for its console job without holding a request slot.
MAX_VMS_IN_FLIGHT = 256


def _vm_items(params):
    """What the task names, in order: VmRefs, and QueryItems still to run (vm_query, or query items of vm_instances).

    The same item given twice counts once.
    """
    if params['vm_query'] is not None:
        return [QueryItem(params['vm_query'], params['max_vms'])]
    if params['vm_instance_uuid'] is not None:
        return [VmRef.parse(params['vm_instance_uuid'], 'vm_instance_uuid')]
    if params['vm_instance_name'] is not None:
        return [VmRef.parse(params['vm_instance_name'], 'vm_instance_name')]
    if not params['vm_instances']:
        raise ZStackError('vm_instances is empty: list at least one VM UUID or name')
    items, seen = [], set()
    for given in params['vm_instances']:
        if isinstance(given, dict):
            item = QueryItem.parse(given, params['max_vms'])
            key = ('query', tuple(item.conditions), item.max_vms)
        elif isinstance(given, (str, int)) and not isinstance(given, bool):
            item = VmRef.parse(str(given), 'vm_instances')
            key = ('vm', item.given)
        else:
            raise ZStackConfigError('vm_instances: %r is neither a VM UUID or name nor a query item ({query: [...]})'
                                    % (given,))
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def _select(client, items):
    """The VMs to serve: the queries run (with the task's one login), the other references as given."""
    refs = []
    for item in items:
        if isinstance(item, QueryItem):
            refs.extend(VmRef(vm['uuid'], uuid=vm['uuid'], name=vm.get('name'), query=item.conditions)
                        for vm in item.select(client))
        else:
            refs.append(item)
    return refs


def _resolve_names(client, refs, pool):
    """When several VMs are given by name, resolve their names a chunk per query: ``{name: VM or ZStackError}``.

    Names left out (a single name, names that cannot go in a list, chunks whose reply may have been cut) are
    resolved one by one in _console_for, as before.
    """
    names = list(dict.fromkeys(ref.name for ref in refs if ref.name is not None and ref.uuid is None))
    if len(names) < 2:
        return {}

    def resolve(chunk):
        try:
            return find_vms_by_names(client, chunk) or {}
        except ZStackError as err:
            return dict.fromkeys(chunk, err)

    resolved = {}
    chunks = listable_names(names)
    for found in (pool.map(resolve, chunks) if pool else map(resolve, chunks)):
        resolved.update(found)
    return resolved


def _console_for(client, ref, params, validate_only, resolved=None, warn=None):
    """One VM's entry; a failure is caught and recorded so the other VMs still get theirs."""
    label = 'vm_instance_uuid' if ref.uuid else 'vm_instance_name'
    try:
        vm = (resolved or {}).get(ref.name) if ref.name is not None else None
        if isinstance(vm, ZStackError):
            raise vm
        uuid = ref.uuid or (vm or find_vm_by_name(client, ref.name))['uuid']
    except ZStackError as err:
        # The lookup's own verdicts (none, ambiguous) name the VM already; a query that failed does not.
        msg = err.msg if 'candidates' in err.result else 'VM %s: %s' % (ref.given, err.msg)
        return _failed_entry(label, ref.given, msg, err)
    try:
        inventory = request_console(client, uuid, params['system_tags'], params['user_tags'], validate_only, warn)
        entry = console_entry(uuid, ref.name, inventory, client.node_clock)
    except ZStackError as err:
        entry = _failed_entry(label, ref.given, 'VM %s: %s' % (ref.given, err.msg), err)
    if ref.query is not None:
        entry['vm_query'] = ref.query  # which query item selected it (the console_files role matches on it)
    return entry


def _failed_entry(label, given, msg, err):
    entry = {label: given, 'failed': True, 'msg': msg}
    if isinstance(err, ZStackApiError):
        entry['error'] = err.error
    return entry


def _console_page(params):
    """Where console_url points: the noVNC 1.x page of novnc_url (parameters in the fragment), else ZStack's UI page."""
    if params['novnc_url']:
        check_page_url(params['novnc_url'])
        return {'page_url': params['novnc_url'], 'style': 'novnc'}
    return {'management_host': params['host'], 'management_scheme': params['scheme'], 'style': 'zstack'}


def _add_console_urls(entries, page):
    for entry in entries:
        url = console_url(entry, **page)
        if url:  # none without a token (check mode, a failed VM)
            entry['console_url'] = url


def _mark_owned_sessions(entries, authenticator):
    # ZStack keeps one live console per VM: asking again, from any session, returns the existing token,
    # which embeds the session that first asked. So a token embeds this task's own session only if the
    # module logged in itself and the token starts with that session's UUID.
    own = authenticator.session_uuid if authenticator.owns_session else None
    for entry in entries:
        if 'token' in entry:
            entry['session_owned'] = bool(own) and entry['token'].startswith(own + '_')


def run(module):
    params = module.params
    check_max_vms(params['max_vms'])
    items = _vm_items(params)
    if params['workers'] < 1:
        raise ZStackError('workers must be 1 or more, got %s' % params['workers'])
    page = _console_page(params)
    most_vms = sum(item.max_vms if isinstance(item, QueryItem) else 1 for item in items)
    workers = min(params['workers'], most_vms)
    # At most `workers` requests in flight; a VM whose console job is running holds none while it waits,
    # so the jobs of up to MAX_VMS_IN_FLIGHT VMs run on the server side by side.
    client = module.client(pool_size=workers, max_requests=workers)
    # The same client (one login) runs the queries, before any console is asked for, then serves the VMs.
    refs = _select(client, items)
    validate_only = validates_only(module.check_mode, params['system_tags'])
    if workers == 1:
        resolved = _resolve_names(client, refs, None)
        entries = [_console_for(client, ref, params, validate_only, resolved, module.warn) for ref in refs]
    else:
        with ThreadPoolExecutor(max_workers=min(len(refs), MAX_VMS_IN_FLIGHT)) as pool:
            resolved = _resolve_names(client, refs, pool)
            entries = list(pool.map(lambda ref: _console_for(client, ref, params, validate_only, resolved, module.warn),
                                    refs))

    _add_console_urls(entries, page)
    failures = [entry for entry in entries if entry.get('failed')]
    if failures:
        first = failures[0]
        if len(refs) == 1:
            msg = first['msg']
        else:
            msg = 'Console access failed for %d of %d VMs; first: %s' % (len(failures), len(refs), first['msg'])
        extra = {'error': first['error']} if 'error' in first else {}
        raise ZStackError(msg, zstack_consoles=entries, **extra)

    _mark_owned_sessions(entries, client.authenticator)
    consoles = {'zstack_consoles': entries}
    if len(entries) == 1:
        consoles['zstack_console'] = entries[0]
    # In the result for register:, and as facts for the plays that read ansible_facts.
    return dict(
        consoles,
        changed=False,
        ansible_facts=dict(consoles),
        session_created=client.authenticator.owns_session,
        validate_only=validate_only,
    )


def main():
    module = ZStackModule(
        argument_spec=dict(
            vm_instance_uuid=dict(type='str'),
            vm_instance_name=dict(type='str'),
            vm_instances=dict(type='list', elements='raw'),
            vm_query=dict(type='list', elements='str'),
            max_vms=dict(type='int', default=50),
            novnc_url=dict(type='str'),
            system_tags=dict(type='list', elements='str', default=[]),
            user_tags=dict(type='list', elements='str', default=[]),
            workers=dict(type='int', default=8),
        ),
        mutually_exclusive=[('vm_instance_uuid', 'vm_instance_name', 'vm_instances', 'vm_query')],
        required_one_of=[('vm_instance_uuid', 'vm_instance_name', 'vm_instances', 'vm_query')],
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == '__main__':
    main()
