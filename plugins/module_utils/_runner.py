# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The edge between a module's task and Ansible: the one place where errors become failures."""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError


def run_task(module, task):
    """``task(module)`` returns the result; every ZStackError becomes one ``fail_json`` with its fields."""
    try:
        result = task(module)
    except ZStackError as err:
        module.fail_json(**err.to_result())
    module.exit_json(**result)
