# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The native-viewer bridge among the files of an operator: the script ``zstack-console``, its mode, and what the
JSON files and the index say about it.

The script is ``_console_bridge`` (imported here, so that Ansible ships it with the module) with a
``#!/usr/bin/env python3`` line; zstack_console_files writes it, mode 0700, into each directory it writes consoles
into, and lists it in the manifest, so state=absent removes it.
"""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.module_utils import _console_bridge
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._file_names import BRIDGE_NAME
from ansible_collections.zstack.cloud.plugins.module_utils._io import FILE_MODE

BRIDGE_MODE = 0o700
SHEBANG = '#!/usr/bin/env python3\n'


def file_mode(name):
    """The mode of a file written into an operator's directory: the script is executable, the rest 0600."""
    return BRIDGE_MODE if name == BRIDGE_NAME else FILE_MODE


def script_bytes():
    """The script ``zstack-console``: the bridge's source (as shipped with the module) after a shebang line."""
    loader = getattr(_console_bridge, '__loader__', None)
    source = loader.get_source(_console_bridge.__name__) if hasattr(loader, 'get_source') else None
    if not source:
        raise ZStackError('the source of the zstack-console script (module_utils/_console_bridge.py) is not in this '
                          'copy of the collection')
    return (SHEBANG + source).encode('utf-8')


def bridge_command(stem):
    """How to open the console ``<stem>.json`` in a native viewer, run in the operator's directory."""
    return 'python3 %s %s' % (BRIDGE_NAME, _shell_word(stem))


def _shell_word(word):
    # Stems hold letters, digits, '.', '_' and '-' (_file_names.safe_stem); letters of other scripts are quoted.
    return word if word.isascii() and all(c.isalnum() or c in '._-' for c in word) else "'%s'" % word


INDEX_NOTE = ('<p>For a native viewer - remote-viewer (SPICE or VNC) or TigerVNC\'s vncviewer - or a VM whose '
              'display speaks SPICE, run the command shown, in this directory (Python 3.8 or later): '
              '<code>zstack-console</code> relays a port on 127.0.0.1 to the console and starts the viewer '
              '(<code>--viewer none --vv FILE</code>: it only relays, and writes a virt-viewer file to open yourself).'
              '</p>\n')
