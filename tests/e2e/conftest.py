# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""pytest fixtures of the console end-to-end test (the parts themselves are in e2e_stack.py)."""

from __future__ import annotations

from e2e_stack import console_stack  # noqa: F401  pylint: disable=unused-import
