# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Attributes shared by the collection's modules."""

    DOCUMENTATION = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/zstack.cloud.zstack) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - zstack.cloud.zstack
'''

    CHECK_MODE_READ_ONLY = r'''
options: {}
attributes:
  check_mode:
    support: full
    description: The module changes nothing on the server in any mode; in check mode it asks the server to validate only.
  diff_mode:
    support: none
    description: Nothing to show a difference of.
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    description: The module only reads; in check mode it runs the same and returns the same.
  diff_mode:
    support: none
    description: Nothing to show a difference of.
'''
