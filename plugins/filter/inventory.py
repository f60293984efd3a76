# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters on the inventory of the plugin zstack.cloud.zstack: thin wrappers over module_utils.

Documentation: one ``<filter name>.yml`` beside this file per filter.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._inventory_service import group_vms


def inventory_group_vms(group, groups, hostvars, max_vms=None):
    """The ZStack VMs (``zstack_vm``) of the hosts of an inventory group."""
    try:
        return group_vms(group, groups, hostvars, max_vms)
    except ZStackError as err:
        raise AnsibleFilterError(err.msg) from None


class FilterModule:
    """Filters on the zstack.cloud.zstack inventory."""

    def filters(self):
        return {'inventory_group_vms': inventory_group_vms}
