# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters a playbook calls on zstack_console_access results: thin wrappers over module_utils.

Documentation: one ``<filter name>.yml`` beside this file per filter.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import console_url
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._redact import failure_message


def console_launcher_url(console, novnc_url='', style='auto', title=None, management_host='', node_version=''):
    """The URL that opens ``console`` (an entry of zstack_consoles) on a noVNC page, or None without a token."""
    if not isinstance(console, dict):
        raise AnsibleFilterError('console_launcher_url expects a console entry (a dict), got %s' % type(console).__name__)
    try:
        return console_url(console, page_url=novnc_url, management_host=management_host or None, style=style,
                           title=title, node_version=node_version or None)
    except ZStackError as err:
        raise AnsibleFilterError(err.msg) from None


def console_failure_message(result, what='zstack_console_access', item_label=None):
    """A one-paragraph failure message from a failed task result, with no token in it."""
    return failure_message(result, what, item_label)


class FilterModule:
    """Filters on zstack_console_access results."""

    def filters(self):
        return {
            'console_launcher_url': console_launcher_url,
            'console_failure_message': console_failure_message,
        }
