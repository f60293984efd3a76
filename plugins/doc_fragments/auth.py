# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """How to authenticate to ZStack: a session, an account (or IAM user), or an AccessKey.

    DOCUMENTATION serves the modules and the inventory plugin; INVENTORY adds, for the plugin, the environment
    variables the options are read from when the inventory file gives no auth option at all.
    """

    DOCUMENTATION = r'''
options:
  session_uuid:
    description:
      - An existing ZStack API session to use. It is never logged out.
      - Its UUID is kept out of the module's invocation record and logs. Tokens returned for
        consoles embed this session, so treat them as secrets of the same strength.
      - Exclusive with O(account_name) and O(access_key_id).
    type: str
  account_name:
    description:
      - Account to log in as. With O(user_name), the account of that IAM user.
      - A task logs in at most once. M(zstack.cloud.zstack_console_access) does not log the new session out, because
        every console token embeds it and logging out would kill those consoles; M(zstack.cloud.zstack_vm_info) and
        the inventory plugin P(zstack.cloud.zstack#inventory) only read, and log it out when they are done.
      - Use a dedicated, least-privileged account or IAM user for console work.
    type: str
  account_password:
    description:
      - Password of O(account_name) (or of O(user_name)). Only its SHA-512 digest is sent.
    type: str
  user_name:
    description:
      - Log in as this IAM user of O(account_name) instead of as the account itself.
    type: str
  access_key_id:
    description:
      - AccessKey ID; each request is signed with O(access_key_secret).
      - Each request is dated with the management node's wall-clock time, which ZStack checks against its own
        clock to within 15 minutes; see O(server_timezone) when the node runs in another time zone than the controller.
    type: str
  access_key_secret:
    description:
      - AccessKey secret, used to sign requests; never sent.
    type: str
notes:
  - Give exactly one way to authenticate - O(session_uuid), O(account_name) with O(account_password)
    (and optionally O(user_name)), or O(access_key_id) with O(access_key_secret).
  - When a task (or an inventory file) gives none of these options, they are read from the environment variables
    E(ZSTACK_SESSION_UUID), E(ZSTACK_ACCOUNT_NAME), E(ZSTACK_ACCOUNT_PASSWORD), E(ZSTACK_USER_NAME),
    E(ZSTACK_ACCESS_KEY_ID) and E(ZSTACK_ACCESS_KEY_SECRET); an empty variable counts as unset. Options given in the
    task (including through C(module_defaults)) or in the inventory file take precedence over the environment as a
    whole.
'''

    INVENTORY = r'''
options:
  session_uuid:
    env:
      - name: ZSTACK_SESSION_UUID
  account_name:
    env:
      - name: ZSTACK_ACCOUNT_NAME
  account_password:
    env:
      - name: ZSTACK_ACCOUNT_PASSWORD
  user_name:
    env:
      - name: ZSTACK_USER_NAME
  access_key_id:
    env:
      - name: ZSTACK_ACCESS_KEY_ID
  access_key_secret:
    env:
      - name: ZSTACK_ACCESS_KEY_SECRET
'''
