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

    CHECK_MODE_VALIDATE_ONLY = r'''
options: {}
attributes:
  check_mode:
    support: full
    description:
      - In check mode the module asks the server to validate only (C(ephemeral::validationOnly)) - no console is
        created and no token handed out - and logs out the session it opened for that.
      - Outside check mode it opens console proxies on the server (see the description) but reports no change.
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
