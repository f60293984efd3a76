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
  - B(What it does on the server) - it logs in (an API session, unless given O(session_uuid) or an AccessKey)
    and, outside check mode, makes ZStack open a console proxy for each VM (or hand back the VM's live one). It
    reports RV(ignore:changed=false) all the same - a console is a short-lived grant that expires by itself
    (C(console.vnc.token.timeout), 1800 s), asking again hands back the same live console, and no VM or setting
    changes - so that a playbook that only needs a console never reports a change.
  - B(Nothing left behind) - the session the module opened is logged out before it returns whenever no console it
    hands out embeds it (check mode, a failed task, every VM failed, consoles ZStack handed back from another
    session); logging out makes ZStack delete the consoles that session opened, so a failed task leaves nothing
    live that it created. The session behind the consoles it does hand out stays open (ending it would kill them);
    see RV(zstack_consoles[].token_session).
  - B(Partial results) - each VM that got no console is an item of RV(failures) with the server's reason. Without
    O(allow_partial) any such VM fails the task and nothing is handed out; with it the task succeeds with the
    consoles that worked and warns once per VM that got none.
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
      - A name with a quote (C(bob's vm)) cannot be sent as it is, because ZStack's query language fails on the
        quote. It is looked for with a C(~=) pattern in which the quote matches any one character, and the match is
        exact on the controller.
    type: str
  vm_instances:
    description:
      - Several VMs, each given by UUID (32 hex characters) or by name, or a query item - a
        dictionary whose key C(query) lists conditions and whose optional key C(max_vms) bounds them - that stands
        for the VMs those conditions select, as O(vm_query) does (C(max_vms) defaults to O(max_vms)). The entries a query item selected carry
        RV(zstack_consoles[].vm_query).
      - They are served by one API session, with at most O(workers) requests in flight; the results keep the
        order of this list (a query item's VMs in order of name, then UUID), and an item given twice counts once.
        Every query runs before any console is requested. A VM that gets no console is an item of RV(failures); see
        O(allow_partial).
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
        management node, with the parameters in the query string as ZStack's UI passes them; that page reads
        nothing else, and its web server's log then holds the token. Which page depends on the node's version,
        which the module asks once per task, without credentials (C(PUT /zstack/v1/management-nodes/actions),
        GetVersion) - C(<scheme>://<host>:5000/novnc) on ZStack 4.0 and later,
        C(<scheme>://<host>:5000/thirdparty/vnc_auto.html) before. When the node does not tell its version, the
        module warns and uses the page from before 4.0. Neither call nor page in check mode.
      - A page served over C(https) connects with C(wss://) (C(encrypt=1)), which needs a console proxy with a
        certificate (O(console_proxy_tls)); a browser does not open C(ws://) from an https page.
    type: str
  console_proxy_tls:
    description:
      - Whether ZStack's console proxy has a TLS certificate (its websockify started with C(--cert), which then takes
        C(ws://) and C(wss://) on the same port). ZStack's answer does not tell, since it says C(scheme=http) for
        every proxied console.
      - With V(true), RV(zstack_consoles[].websocket_url) is C(wss://), and RV(zstack_consoles[].console_url) and
        the launchers of M(zstack.cloud.zstack_console_files) connect with C(wss://).
      - A direct console (scheme C(wss), a console the hypervisor serves itself) is C(wss://) whatever this says.
      - If not set, the environment variable E(ZSTACK_CONSOLE_PROXY_TLS) is used.
    type: bool
    default: false
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
  allow_partial:
    description:
      - When some VMs get no console (stopped, on a host that is down, not found), hand out the consoles of the
        others and succeed, with a warning for each VM that got none; the VMs that got none are in RV(failures).
      - With V(false), any VM without a console fails the task, which names every such VM, hands out no console,
        and logs out the session it opened, which revokes the consoles it created.
      - During an incident some VMs are always in a bad state; the console_files role sets this to V(true) by
        default (C(console_files_allow_partial)).
    type: bool
    default: false
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
  - zstack.cloud.attributes.CHECK_MODE_VALIDATE_ONLY
notes:
  - In check mode the module sends the system tag C(ephemeral::validationOnly) - the server checks the session, the
    arguments and each VM's state, and creates no console. The returned entries then carry no token and no URL,
    whatever the server answers; should a server create a console all the same, the module says so in a warning.
  - A token lives for the server's C(console.vnc.token.timeout) (1800 s by default) and the console proxy stops
    after a minute without connections; ask for the token shortly before it is used.
  - On a node with the identity setting C(enable.unique.session) (off by default), each login ends every other
    session of the same user, and with it their consoles - a second task logging in as the same user revokes the
    tokens the first one handed out, and the forks of one play log each other out. Log in once with
    M(zstack.cloud.zstack_session) and give its session to the tasks (O(session_uuid)). A session that ends again
    right after the module's own new login fails the task with a message that names the setting.
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
    - One entry per VM that got a console, in the order asked; with O(vm_query), in order of name, then UUID.
    - Also set as the fact C(zstack_consoles); use the registered result or C(ansible_facts.zstack_consoles) rather
      than a top-level C(zstack_consoles) variable, which relies on facts being injected as variables.
  returned: success
  type: list
  elements: dict
  contains:
    # BEGIN console entry fields: generated by tools/console_entry_docs.py from _console_entry
    vm_instance_uuid:
      description:
      - UUID of the VM.
      returned: always
      type: str
      sample: 5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
    vm_instance_name:
      description:
      - Name of the VM, when it was asked for by name or selected by a query.
      returned: when known
      type: str
      sample: web-01
    scheme:
      description:
      - 'Scheme of the console as ZStack answers it: C(http) for its console proxy, with or without TLS on the proxy
        (see O(zstack.cloud.zstack_console_access#module:console_proxy_tls)); C(wss) for a direct console, which needs
        no proxy.'
      returned: when a console was created (not in check mode)
      type: str
      sample: http
    hostname:
      description:
      - Host name or address of the console proxy.
      returned: when a console was created (not in check mode)
      type: str
      sample: 10.0.0.5
    port:
      description:
      - Port of the console proxy.
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
      description:
      - Protocol behind the proxy, when the server sends it.
      returned: when the server sends it
      type: str
      sample: vnc
    protocol:
      description:
      - The display protocol the server declares for the console, C(vnc) or C(spice) (from its C(targetScheme)), when
        it declares one of them.
      - Only a declaration - open-source ZStack declares C(vnc) for every VM, SPICE ones included; the launchers and
        the C(zstack-console) bridge of M(zstack.cloud.zstack_console_files) look at what the display speaks.
      returned: when the server declares vnc or spice
      type: str
      sample: vnc
    version:
      description:
      - Console proxy version, when the server sends it.
      returned: when the server sends it
      type: str
      sample: '1'
    expired_date:
      description:
      - When the token expires, as the server wrote it - in the management node's local time, without a zone.
      returned: when the server sends it
      type: raw
      sample: Dec 1, 2026 12:20:00 AM
    expires_at:
      description:
      - When the token expires, in ISO 8601 UTC to the second - the server's C(expired_date) read in the management
        node's zone (see O(zstack.cloud.zstack_console_access#module:server_timezone)).
      returned: when the server sends a date the module can read (never for a direct console, which has no expiry)
      type: str
      sample: '2026-11-30T16:20:00Z'
    token_session:
      description:
      - Which API session the token embeds, and so what ends the console.
      - V(opened) - the session this task logged in itself; the module keeps it open because this token embeds it, and
        ending it revokes the console.
      - V(given) - the session the caller passed in O(zstack.cloud.zstack_console_access#module:session_uuid); ending
        it revokes the console.
      - 'V(other) - another session: ZStack keeps one live console per VM and handed back the live console another session
        opened (or an AccessKey request got one); ending this task''s session will not revoke it, it lives until it
        expires or that session ends.'
      returned: when a console was created (not in check mode)
      type: str
      sample: opened
    session_owned:
      description:
      - 'Whether the token embeds the session this task logged in itself: RV(zstack.cloud.zstack_console_access#module:zstack_consoles[].token_session)
        is V(opened) (see RV(zstack.cloud.zstack_console_access#module:session_created)).'
      - Only a session the caller owns should ever be ended to revoke a token.
      returned: when a console was created (not in check mode)
      type: bool
      sample: true
    websocket_url:
      description:
      - WebSocket URL of the console. It holds the token.
      - Through ZStack's console proxy C(ws://<hostname>:<port>/?token=<token>).
      - C(wss://) instead with O(zstack.cloud.zstack_console_access#module:console_proxy_tls).
      - For a direct console (scheme C(wss)) C(wss://<hostname>:<port><token>), the token being the path.
      returned: when a console was created (not in check mode)
      type: str
      sample: "ws://10.0.0.5:4900/?token=0a1b2c3d4e5f60718293a4b5c6d7e8f9_5f3c2a9b0e6d4c1f8a7b6\
        c5d4e3f2a1b"
    vm_query:
      description:
      - The conditions of the query that selected this VM (O(zstack.cloud.zstack_console_access#module:vm_query), or
        a query item of O(zstack.cloud.zstack_console_access#module:vm_instances)).
      returned: when a query selected the VM
      type: list
      sample:
      - hostUuid=930ed76e681e4c39b80fde512cab93ba
      elements: str
    console_url:
      description:
      - A URL a browser opens to see the console. It holds the token; treat it as a secret.
      - By default the ZStack web UI's console page on the management node (O(zstack.cloud.zstack_console_access#module:host),
        O(zstack.cloud.zstack_console_access#module:scheme), port 5000) - C(/novnc) on ZStack 4.0 and later, C(/thirdparty/vnc_auto.html)
        before, by the version the node reports - with C(host), C(port), C(token) and C(title) in the query string,
        which that page reads; with O(zstack.cloud.zstack_console_access#module:novnc_url), that noVNC 1.x page with
        its parameters in the fragment.
      - The page connects with C(wss://) (C(encrypt=1)) when it is served over https, with O(zstack.cloud.zstack_console_access#module:console_proxy_tls)
        and for a direct console.
      returned: when a console was created (not in check mode)
      type: str
      sample: "http://zstack-mn.example.com:5000/novnc?host=10.0.0.5&port=4900&token=0a1b2c3d4e\
        5f60718293a4b5c6d7e8f9_5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b&title=web-01"
    # END console entry fields
failures:
  description:
    - One item per VM that got no console, with the server's reason, in the order asked. Empty when every VM got
      one.
    - On failure of the task (without O(allow_partial)), the VMs that failed; no console is handed out then.
  returned: always
  type: list
  elements: dict
  sample: [{"vm_instance_uuid": "5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b", "vm_instance_name": "app-01",
            "msg": "VM app-01: ZStack API error SYS.1006: operation error: ... current state is Stopped",
            "error": {"code": "SYS.1006", "description": "operation error"}}]
  contains:
    # BEGIN failure fields: generated by tools/console_entry_docs.py from _console_entry
    vm_instance_uuid:
      description:
      - UUID of the VM, when known (a name that matched no VM has none).
      returned: when known
      type: str
      sample: 5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b
    vm_instance_name:
      description:
      - Name of the VM, when it was asked for by name or selected by a query.
      returned: when known
      type: str
      sample: web-01
    msg:
      description:
      - 'Why the VM got no console: the server''s reason, on one line.'
      returned: always
      type: str
      sample: 'ZStack API error SYS.1006: operation error: vm[uuid:5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b] is not in state
        of [Running, Crashed, VolumeRecovering, Paused, NoState], current state is Stopped'
    error:
      description:
      - The server's API error object (its C(code) tells the kind).
      returned: when the server refused with an API error
      type: dict
      sample:
        code: SYS.1006
        description: operation error
    vm_query:
      description:
      - The conditions of the query that selected this VM (O(zstack.cloud.zstack_console_access#module:vm_query), or
        a query item of O(zstack.cloud.zstack_console_access#module:vm_instances)).
      returned: when a query selected the VM
      type: list
      sample:
      - hostUuid=930ed76e681e4c39b80fde512cab93ba
      elements: str
    # END failure fields
zstack_console:
  description: The entry of RV(zstack_consoles) when exactly one VM was asked for or selected and got a console (also
    set as a fact).
  returned: success, when one VM was asked for and got a console
  type: dict
  sample: {}
vm_count:
  description: How many VMs O(vm_query) matched, when that number failed the task (none, or more than O(max_vms)).
  returned: failure, when O(vm_query) matched no VM or too many
  type: int
  sample: 73
session_created:
  description: Whether the module logged in itself for this task.
  returned: success
  type: bool
  sample: true
session_ended:
  description:
    - Whether the module logged out the session it opened before returning, because no console it hands out embeds
      it (check mode, or every console handed out embeds another session).
  returned: success
  type: bool
  sample: false
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

from ansible_collections.zstack.cloud.plugins.module_utils._connection import env_fallback_nonempty
from ansible_collections.zstack.cloud.plugins.module_utils._console_service import console_access
from ansible_collections.zstack.cloud.plugins.module_utils._module import ZStackModule
from ansible_collections.zstack.cloud.plugins.module_utils._runner import run_task
from ansible_collections.zstack.cloud.plugins.module_utils._vms import SELECTORS, selector_argument_spec


def main():
    module = ZStackModule(
        argument_spec=dict(
            selector_argument_spec(max_vms=50),
            novnc_url=dict(type='str'),
            console_proxy_tls=dict(type='bool', default=False,
                                   fallback=(env_fallback_nonempty, ['ZSTACK_CONSOLE_PROXY_TLS'])),
            system_tags=dict(type='list', elements='str', default=[]),
            user_tags=dict(type='list', elements='str', default=[]),
            workers=dict(type='int', default=8),
            allow_partial=dict(type='bool', default=False),
        ),
        mutually_exclusive=[SELECTORS],
        required_one_of=[SELECTORS],
        supports_check_mode=True,
        failure_fields={'failures': []},  # every result has failures, also a refused argument's
    )
    run_task(module, console_access)


if __name__ == '__main__':
    main()
