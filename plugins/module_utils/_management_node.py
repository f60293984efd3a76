# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a management node tells anyone who asks, without credentials: its version.

APIGetVersionMsg is ``PUT /zstack/v1/management-nodes/actions`` with the body ``{"getVersion": {}}``; it is
@SuppressCredentialCheck and synchronous, and its reply is ``200 {"version": "<x.y.z>", "success": true}``, the
database's schema version, which each release tops with its own number (zstackio/zstack:
header/src/main/java/org/zstack/header/managementnode/APIGetVersionMsg.java, APIGetVersionReply.java,
portal/src/main/java/org/zstack/portal/apimediator/ApiMediatorImpl.java; docs/zstack-api-notes.md, "Version").
"""

from __future__ import annotations

import re

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import ZSTACK_UI_PATH
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError, ZStackResponseError, one_line

_VERSION = re.compile(r'\d+(?:\.\d+)+')


def node_version(client):
    """The node's version (``4.8.0``), asked without credentials; ZStackError when it cannot be had."""
    _status, reply = client.send('PUT', 'management-nodes/actions', body={'getVersion': {}})
    version = reply.get('version')
    if not isinstance(version, str) or not _VERSION.fullmatch(version.strip()):
        raise ZStackResponseError('ZStack answered GetVersion without a version: %s' % one_line(repr(reply), 120))
    return version.strip()


def version_or_none(client, warn=None):
    """``node_version``, or None after telling ``warn`` why (the caller then falls back to its default)."""
    try:
        return node_version(client)
    except ZStackError as err:
        if warn is not None:
            warn('ZStack did not tell its version (%s): console_url opens the console page of ZStack before 4.0, '
                 '%s; give novnc_url to choose the page' % (err.msg, ZSTACK_UI_PATH))
        return None
