# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Starting and ending API sessions: the workflow behind zstack_session.

A session is started by logging in as an account (or an IAM user of one) and handed to later tasks; ending it logs it
out, which makes ZStack delete every console proxy it opened (docs/zstack-api-notes.md, "Logout revokes").
A task that only reads (zstack_vm_info, the inventory plugin) holds its login in ``read_only_session``, which ends it.
"""

from __future__ import annotations

import contextlib

from ansible_collections.zstack.cloud.plugins.module_utils._connection import select_auth
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError, ZStackError


def manage_session(module):
    """The task of zstack_session: start a session (state=present) or end the one given (state=absent)."""
    if module.params['state'] == 'present':
        return start_session(module)
    return end_session(module)


def start_session(module):
    if 'account_name' not in select_auth(module.params):
        raise ZStackConfigError('state=present logs in: give account_name and account_password (and user_name '
                                'for an IAM user), not session_uuid or an AccessKey')
    client = module.connect()
    if module.check_mode:
        return {'changed': True}
    session = client.log_in()
    result = {'changed': True, 'session_uuid': session.uuid}
    for source, target in (('expiredDate', 'expired_date'), ('accountUuid', 'account_uuid'), ('userUuid', 'user_uuid')):
        if session.inventory.get(source) is not None:
            result[target] = session.inventory[source]
    expires_at = client.node_clock.expires_at(session.inventory.get('expiredDate'))
    if expires_at is not None:
        result['expires_at'] = expires_at
    return result


def end_session(module):
    session_uuid = select_auth(module.params).get('session_uuid')
    if not session_uuid:
        raise ZStackConfigError('state=absent ends the session given in session_uuid (or ZSTACK_SESSION_UUID)')
    client = module.connect()
    # Neither call needs (or could use) the session itself for auth: it may already be gone.
    was_valid = session_valid(client, session_uuid)
    if was_valid and not module.check_mode:
        log_out(client, session_uuid)
    return {'changed': was_valid, 'was_valid': was_valid}


def session_valid(client, session_uuid):
    """Whether ZStack still knows the session (``GET accounts/sessions/{uuid}/valid``, which needs no auth)."""
    _status, reply = client.send('GET', 'accounts/sessions/%s/valid' % session_uuid)
    return reply.get('valid') is True


def log_out(client, session_uuid):
    """End the session: ZStack then deletes every console proxy it opened (``DELETE accounts/sessions/{uuid}``)."""
    client.send('DELETE', 'accounts/sessions/%s' % session_uuid)


def end_opened_session(client, warn):
    """Log out the session this task opened - the one the client holds, after any new login; whether it ended.

    A session the caller gave (session_uuid) or an AccessKey is left as it is. Ending it can fail (the node is gone):
    ``warn`` is told, without the session's UUID, and the session ends by itself after identity.session.timeout
    without use.
    """
    session = client.session
    if session is None or not session.opened:
        return False
    try:
        log_out(client, session.uuid)
    except ZStackError as err:
        warn('Could not end the API session this task opened (it ends by itself after identity.session.timeout '
             'without use): %s' % err.msg.replace(session.uuid, '<session>'))
        return False
    return True


@contextlib.contextmanager
def read_only_session(client, warn):
    """The one login of a task that only reads; the session it opened is ended when the task is done, failed or not
    (``end_opened_session``)."""
    session = client.log_in()
    try:
        yield session
    finally:
        end_opened_session(client, warn)
