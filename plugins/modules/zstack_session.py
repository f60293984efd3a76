#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zstack_session
short_description: Start or end a ZStack API session
version_added: 1.0.0
description:
  - With O(state=present), logs in to ZStack as an account, or as an IAM user of an account, and returns the new
    session's UUID and expiry, so that later tasks can share one session through O(session_uuid) or
    C(module_defaults).
  - With O(state=absent), ends (logs out) the session given in O(session_uuid). ZStack then deletes every console
    proxy that session opened, so this is how console tokens are revoked. A session that is unknown or already
    expired is not an error; the task then reports no change.
  - B(Security) - the returned session UUID is a credential, and so is every console token it obtains, since each
    embeds it. Register the result with C(no_log) and end the session when the work is done.
author:
  - zstack.cloud maintainers (@zstack-cloud)
requirements:
  - requests
options:
  state:
    description:
      - V(present) logs in and returns a new session. It needs O(account_name) and O(account_password)
        (and O(user_name) for an IAM user).
      - V(absent) ends the session given in O(session_uuid) (or E(ZSTACK_SESSION_UUID)).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - zstack.cloud.connection
  - zstack.cloud.auth
  - zstack.cloud.attributes
attributes:
  check_mode:
    support: full
    description:
      - With O(state=present) nothing is sent and the task reports a change.
      - With O(state=absent) the module asks the server whether the session is still valid, and reports
        whether it would end it, without ending it.
  diff_mode:
    support: none
    description: Nothing to show a difference of.
notes:
  - Ending a session removes the console proxies it opened; a browser already connected through one of them
    may stay connected until the console proxy drops the connection.
  - Never end a session you did not create for the purpose (for example one another job or person still uses).
'''

EXAMPLES = r'''
- name: Start a session for the incident
  zstack.cloud.zstack_session:
    host: zstack-mn.example.com
    account_name: console-ops
    account_password: "{{ vault_console_ops_password }}"
  register: incident_session
  no_log: true  # the session UUID is a credential

- name: Consoles in that session
  zstack.cloud.zstack_console_access:
    host: zstack-mn.example.com
    session_uuid: "{{ incident_session.session_uuid }}"
    vm_instances: [web-01, web-02]
  no_log: true

- name: End the incident - end the session, which revokes every console it opened
  zstack.cloud.zstack_session:
    host: zstack-mn.example.com
    session_uuid: "{{ incident_session.session_uuid }}"
    state: absent
  no_log: true

# Ad hoc, with the endpoint in ZSTACK_HOST:
#   read -rs ZSTACK_SESSION_UUID && export ZSTACK_SESSION_UUID
#   ansible localhost -m zstack.cloud.zstack_session -a state=absent
'''

RETURN = r'''
session_uuid:
  description: UUID of the new session. A credential - keep it out of logs.
  returned: success, with O(state=present), not in check mode
  type: str
  sample: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
expired_date:
  description: When the session expires if unused, as the server wrote it (each API call renews it).
  returned: when the server sends it, with O(state=present)
  type: str
  sample: "Nov 28, 2026 8:51:20 PM"
expires_at:
  description:
    - RV(expired_date) in ISO 8601 UTC, to the second, read in the management node's zone (O(server_timezone), else
      the offset the login reply shows).
  returned: when the server sends a date the module can read, with O(state=present)
  type: str
  sample: "2026-11-28T12:51:20Z"
account_uuid:
  description: UUID of the account the session belongs to.
  returned: when the server sends it, with O(state=present)
  type: str
  sample: fb24039ef01f41169a4896bfd86cd203
user_uuid:
  description: UUID of the IAM user (or of the account) the session belongs to.
  returned: when the server sends it, with O(state=present)
  type: str
  sample: 610fcc91716c497aa8106c65007635b7
was_valid:
  description: Whether the session was still valid before this task, with O(state=absent).
  returned: success, with O(state=absent)
  type: bool
  sample: true
'''

from ansible_collections.zstack.cloud.plugins.module_utils._module import ZStackModule
from ansible_collections.zstack.cloud.plugins.module_utils._runner import run_task
from ansible_collections.zstack.cloud.plugins.module_utils._session_service import manage_session


def main():
    module = ZStackModule(
        argument_spec=dict(state=dict(type='str', default='present', choices=['present', 'absent'])),
        supports_check_mode=True,
    )
    run_task(module, manage_session)


if __name__ == '__main__':
    main()
