#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zstack_console_files
short_description: Write ZStack console launchers and token files that only each operator can read
version_added: 1.0.0
description:
  - Runs on the host the operators log in to (a bastion), as root, once for all operators. From console entries
    returned by M(zstack.cloud.zstack_console_access) it writes, in each operator's directory, for every VM a
    launcher C(<vm>.html) and a C(<vm>.json) with the token and its expiry, an C(index.html) listing the
    operator's consoles, the script C(zstack-console) (mode 0700) that opens them in a native viewer, and a manifest
    C(.zstack-console-files.json) of what it wrote; and, in O(ledger_dir), root's record of the API sessions the
    tokens embed (C(uid-<uid>.json)), used to revoke them later.
  - The operator's directory is created mode 0700 and given to the operator if it is missing; an existing one must
    be a real directory (not a symlink) owned by the operator. Its parent must exist; a symlink on the way to it is
    followed only where only root could have made it.
  - Every file is created under a temporary name with C(O_CREAT|O_EXCL|O_NOFOLLOW), mode 0600, given to the operator,
    written, synced and renamed into place, all relative to the directory opened without following links. No file
    ever exists with wider permissions, and a symlink or hard link an operator planted under a file's name is
    replaced, never followed or written through. Files whose content did not change are left alone.
  - By default the launcher is self-contained - it carries noVNC's and spice-html5's clients and connects from
    C(file://) straight to the console's O(consoles[].websocket_url) (C(ws://), or C(wss://) for a proxy with a
    certificate or a direct console), with no web server anywhere. It opens VNC and SPICE
    consoles alike, and picks the client from what the VM's display speaks, since ZStack may call a SPICE display
    C(vnc). With O(novnc_url) it opens that noVNC page instead, except for a console whose C(target_scheme) is
    C(spice), which a noVNC page cannot open.
  - A console whose proxy speaks something other than VNC or SPICE (C(target_scheme), for example C(http)) gets no
    launcher, only its C(<vm>.json) with the reason, and a warning names the VM.
  - C(python3 zstack-console <vm>), run by the operator in that directory (Python 3.8 or later, nothing else),
    relays a port on 127.0.0.1 to the console's WebSocket and starts remote-viewer or vncviewer on it; it tells VNC
    from SPICE on the wire, whatever C(target_scheme) says, and C(--vv FILE) writes a virt-viewer file. Each
    C(<vm>.json) records the declared C(protocol) (C(vnc), C(spice), or null) and, in C(bridge), that command.
  - With O(state=absent) it removes what the manifest lists (only names it would have written), the manifest, the
    operator's record in O(ledger_dir), and the directory if it created it and it is empty. With O(list_sessions)
    it changes nothing and returns the API sessions to end first (see O(revoke)).
  - The result carries file names, counts and expiry times, never a token.
author:
  - zstack.cloud maintainers (@zstack-cloud)
options:
  state:
    description:
      - V(present) writes the files; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  operators:
    description:
      - The operators (OS users on this host) and the VMs each gets a console for.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: OS user who owns and reads the files.
        type: str
        required: true
      vms:
        description:
          - VMs by UUID or by name, each matched against O(consoles) (a name as C(vm_instance_name)), or query
            items (a dictionary whose key C(query) lists conditions), which stand for every entry of O(consoles)
            that query selected (its C(vm_query)).
          - Ignored with O(state=absent).
        type: list
        elements: raw
        default: []
      dest:
        description:
          - Absolute directory of the operator's files. Default C(<home>/<dirname>) (O(dirname)).
        type: str
  ledger_dir:
    description:
      - Directory where root keeps, per operator (C(uid-<uid>.json), mode 0600), the API sessions embedded in the
        tokens written for that operator and whether the console module opened each (so owned by the role).
      - It must be a directory only root can write to (owned by root, not group- or world-writable, not a
        symlink); it is created, mode 0700, if missing. Its parent must exist.
    type: path
    default: /var/lib/zstack-console-files
  dirname:
    description: Directory in each operator's home used when the operator has no C(dest).
    type: str
    default: zstack-consoles
  novnc_url:
    description:
      - Empty (the default) - self-contained launchers, which need no web server.
      - Otherwise the noVNC page the launchers open, with the console's parameters where that page reads them - in
        the query string for ZStack's own pages, C(vnc_auto.html) or C(/novnc) (the token then reaches that web
        server's log), in the fragment for noVNC 1.x C(vnc.html) and C(vnc_lite.html). A console whose
        C(target_scheme) is C(spice) gets the self-contained launcher all the same.
      - The page connects with C(wss://) (C(encrypt=1)) when it is served over https, and when the console's
        O(consoles[].websocket_url) is C(wss://) (the console module's
        O(zstack.cloud.zstack_console_access#module:console_proxy_tls), a direct console).
    type: str
    default: ''
  novnc_style:
    description:
      - The parameters O(novnc_url) takes - V(novnc) (noVNC 1.x), V(zstack) (ZStack's C(vnc_auto.html)), or V(auto)
        to choose by the page's file name.
    type: str
    choices: [auto, novnc, zstack]
    default: auto
  token_lifetime:
    description: Seconds a token is taken to live when its entry has no O(consoles[].expires_at).
    type: int
    default: 1800
  list_sessions:
    description:
      - With O(state=absent) - change nothing; return in RV(sessions) the API sessions behind the tokens written
        for the operators, from root's record and from the operators' JSON files, and which of them to end
        (O(revoke)). They are credentials - register the result with C(no_log).
    type: bool
    default: false
  revoke:
    description:
      - Which sessions RV(sessions) marks to end - V(owned) those root's record says the console module opened
        itself (never a session given to it), V(all) every one, V(none) none.
      - With O(state=absent) (and no O(list_sessions)), the sessions this choice does not end stay in root's record
        (O(ledger_dir)) when the files go, so that a later run with V(all) can still end them.
    type: str
    choices: [owned, all, none]
    default: owned
attributes:
  check_mode:
    support: full
    description: Reports the directories and files it would create, change or remove, and writes nothing.
  diff_mode:
    support: full
    description: The files in each operator's directory before and after, by name (never their content).
  platform:
    platforms: posix
    support: full
    description: Needs C(openat)-style calls (C(dir_fd)) and C(O_NOFOLLOW); Linux and the BSDs have them.
extends_documentation_fragment:
  - zstack.cloud.console_entry
notes:
  - Runs as root (C(become)) to give each operator their own files; nothing is run as an operator.
  - Not in the C(zstack.cloud.zstack) action group - the module does not talk to ZStack and takes no connection
    option, so C(module_defaults) for C(group/zstack.cloud.zstack) do not apply to it.
  - The zstack.cloud.console_files role calls this module; use the role unless you need the parts.
seealso:
  - module: zstack.cloud.zstack_console_access
  - module: zstack.cloud.zstack_session
'''

EXAMPLES = r'''
- name: Get the consoles, once, on the controller
  zstack.cloud.zstack_console_access:
    vm_instances: [web-01, db-01]
  delegate_to: localhost
  run_once: true
  register: consoles
  no_log: true

- name: Write each operator's files on the bastion
  zstack.cloud.zstack_console_files:
    operators:
      - name: alice
        vms: [web-01, db-01]
      - name: bob
        vms: [db-01]
        dest: /srv/consoles/bob
    consoles: "{{ consoles.ansible_facts.zstack_consoles }}"
  become: true

- name: The sessions to end before the files go
  zstack.cloud.zstack_console_files:
    state: absent
    list_sessions: true
    operators: [{name: alice}, {name: bob, dest: /srv/consoles/bob}]
  become: true
  register: found
  no_log: true  # session UUIDs

- name: Remove the files
  zstack.cloud.zstack_console_files:
    state: absent
    operators: [{name: alice}, {name: bob, dest: /srv/consoles/bob}]
  become: true
'''

RETURN = r'''
operators:
  description: What was done (or would be, in check mode) for each operator.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The operator.
      type: str
      sample: alice
    dest:
      description: The operator's directory.
      type: str
      sample: /home/alice/zstack-consoles
    directory:
      description: V(created), V(exists), V(missing), V(removed) or V(kept) (absent, not empty or not created here).
      type: str
      sample: created
    consoles:
      description: Consoles written for the operator, without secrets.
      type: list
      elements: dict
      sample: [{"vm_instance_uuid": "374f25061ea8462da5c428fcb2aa243c", "vm_instance_name": "web-01",
                "launcher": "web-01.html", "json": "web-01.json", "expires_at": "2026-11-30T16:20:00Z",
                "expires_at_source": "server", "no_launcher": null}]
    written:
      description: Files written (or that would be).
      type: list
      elements: str
      sample: [web-01.html, web-01.json, zstack-console, index.html]
    removed:
      description: Files removed (or that would be).
      type: list
      elements: str
      sample: [old-vm.html, old-vm.json]
    unchanged:
      description: Files left as they were, their content being the same.
      type: list
      elements: str
      sample: []
    sessions_owned:
      description: API sessions the tokens embed that the role opened.
      type: int
      sample: 1
    sessions_other:
      description: API sessions the tokens embed that the role did not open.
      type: int
      sample: 0
summary:
  description: One line per operator for the play's output (and, with O(list_sessions), what revocation keeps).
  returned: always
  type: list
  elements: str
  sample: ["alice: 2 console(s) in /home/alice/zstack-consoles/index.html, the first expiring at 2026-11-30T16:20:00Z"]
sessions:
  description:
    - With O(list_sessions), the API sessions behind the tokens, each once - C(session_uuid) (a credential),
      C(owned) (root's record says the role opened it), C(end) (to end, by O(revoke)) and C(files) (JSON files whose
      tokens embed it).
  returned: with O(list_sessions)
  type: list
  elements: dict
  sample: [{"session_uuid": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "owned": true, "end": true, "files": []}]
revocation:
  description:
    - With O(list_sessions), what revocation ends and leaves working, as text for the play (no session UUID), to
      follow "Ended <number>".
  returned: with O(list_sessions)
  type: str
  sample: "API session(s) behind the tokens (sessions the role opened, console_files_revoke=owned); kept 1 session(s)
    the role did not open, whose tokens still work (/srv/consoles/bob/db-01.json; console_files_revoke=all ends them
    too)"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import FAILURE_FIELDS, option_spec
from ansible_collections.zstack.cloud.plugins.module_utils._console_files_service import console_files
from ansible_collections.zstack.cloud.plugins.module_utils._console_plan import DEFAULT_LIFETIME
from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import STYLES
from ansible_collections.zstack.cloud.plugins.module_utils._file_names import DEFAULT_DIRNAME, DEFAULT_LEDGER_DIR
from ansible_collections.zstack.cloud.plugins.module_utils._ledger import REVOKE_CHOICES
from ansible_collections.zstack.cloud.plugins.module_utils._runner import run_task


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            operators=dict(type='list', elements='dict', required=True, options=dict(
                name=dict(type='str', required=True),
                vms=dict(type='list', elements='raw', default=[]),
                dest=dict(type='str'),
            )),
            consoles=dict(type='list', elements='dict', default=[], options=option_spec()),
            failures=dict(type='list', elements='dict', default=[], options=option_spec(FAILURE_FIELDS)),
            ledger_dir=dict(type='path', default=DEFAULT_LEDGER_DIR),
            dirname=dict(type='str', default=DEFAULT_DIRNAME),
            novnc_url=dict(type='str', default=''),
            novnc_style=dict(type='str', default='auto', choices=list(STYLES)),
            token_lifetime=dict(type='int', default=DEFAULT_LIFETIME, no_log=False),  # seconds, not a token
            list_sessions=dict(type='bool', default=False),
            revoke=dict(type='str', default='owned', choices=list(REVOKE_CHOICES)),
        ),
        supports_check_mode=True,
    )
    run_task(module, console_files)


if __name__ == '__main__':
    main()
