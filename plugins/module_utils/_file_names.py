# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where zstack_console_files writes, and under which names: no file is touched here.

An operator's directory (``dest``, else ``<home>/<dirname>``), the stems made from VM names for each VM's
``<stem>.html`` and ``<stem>.json``, the index and the manifest beside them, which names in that directory are
ours, and the name of an operator's record in root's ledger directory.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError

MANIFEST_NAME = '.zstack-console-files.json'
INDEX_NAME = 'index.html'
# The native-viewer bridge script (_bridge_files), next to the consoles it opens.
BRIDGE_NAME = 'zstack-console'
# Root's record of the sessions behind the tokens written for one operator: <prefix><uid>.json in the ledger dir.
LEDGER_PREFIX = 'uid-'
DEFAULT_DIRNAME = 'zstack-consoles'
DEFAULT_LEDGER_DIR = '/var/lib/zstack-console-files'

# A stem made from a VM name keeps at most this many bytes of UTF-8 before a collision suffix, so that
# stem + "-<32 hex>-NN.json" and the writer's temporary name stay far below NAME_MAX (255).
STEM_MAX_BYTES = 100
RESERVED_STEMS = frozenset(['index'])
SUFFIXES = ('.html', '.json')


def safe_stem(name, fallback):
    """A VM name made safe as a file name stem.

    Letters and digits of any script, '.', '_' and '-' stay; every other run of characters (path separators,
    spaces, control and format characters, quotes, markup) becomes one '_'. Runs of dots collapse to one; leading
    dots, dashes and underscores go (no hidden files, no '..', nothing that looks like an option). Empty results
    and reserved stems fall back to ``fallback`` (the VM UUID).
    """
    out = []
    for char in unicodedata.normalize('NFC', str(name or '')):
        if char in '._-' or (unicodedata.category(char)[0] in 'LN' and char.isprintable()):
            out.append(char)
        elif not out or out[-1] != '_':
            out.append('_')
    stem = re.sub(r'_{2,}', '_', re.sub(r'\.{2,}', '.', ''.join(out))).lstrip('._-')
    stem = stem.encode('utf-8')[:STEM_MAX_BYTES].decode('utf-8', errors='ignore').rstrip('._-')
    if not stem or not any(unicodedata.category(c)[0] in 'LN' for c in stem):
        stem = fallback
    return stem


def assign_stems(items):
    """Distinct stems for ``items`` (dicts with 'name' and 'uuid'), compared case-insensitively.

    VMs whose stems collide all get "-<first 8 hex of their UUID>" (so no VM's file name depends on the order of
    the list), then "-<whole UUID>", then a counter, until every stem is unique and none is reserved.
    """
    bases = [safe_stem(item.get('name'), item['uuid']) for item in items]
    counts = {}
    for base in bases:
        counts[base.casefold()] = counts.get(base.casefold(), 0) + 1
    used = set(RESERVED_STEMS)
    stems = []
    for base, item in zip(bases, items):
        candidates = [base] if counts[base.casefold()] == 1 else []
        candidates += ['%s-%s' % (base, item['uuid'][:8]), '%s-%s' % (base, item['uuid'])]
        stem = next((c for c in candidates if c.casefold() not in used), None)
        number = 2
        while stem is None:
            candidate = '%s-%s-%d' % (base, item['uuid'], number)
            stem = candidate if candidate.casefold() not in used else None
            number += 1
        used.add(stem.casefold())
        stems.append(stem)
    return stems


def is_written_name(name):
    """Whether ``name`` is one the module writes in an operator's directory (the index, or <stem>.html/.json).

    The manifest lives in a directory the operator controls: only such names are believed from it, so state=absent
    never removes anything else.
    """
    if not isinstance(name, str) or name == MANIFEST_NAME:
        return False
    if name in (INDEX_NAME, BRIDGE_NAME):
        return True
    stem, suffix = name[:-5], name[-5:]
    return suffix in SUFFIXES and bool(stem) and safe_stem(stem, '') == stem and len(name.encode('utf-8')) < 200


def ledger_name(uid):
    """File name of an operator's session record in the ledger directory: by uid, never by a name."""
    return '%s%d.json' % (LEDGER_PREFIX, int(uid))


def check_dirname(dirname):
    if not dirname or '/' in dirname or dirname in ('.', '..') or '\x00' in dirname:
        raise ConsoleFilesError('dirname must be a single directory name, got %r' % dirname)


def operator_dest(name, dest, home, dirname):
    """The operator's directory: ``dest``, else ``<home>/<dirname>``, normalised; absolute and not /."""
    if dest in (None, ''):
        if not home:
            raise ConsoleFilesError('operator %r: no home directory on the target; give dest' % name)
        dest = posixpath.join(home, dirname)
    if not dest.startswith('/') or '\x00' in dest:
        raise ConsoleFilesError('operator %r: dest %r must be an absolute path' % (name, dest))
    dest = '/' + posixpath.normpath(dest).lstrip('/')
    if dest == '/':
        raise ConsoleFilesError('operator %r: dest must not be the root directory' % name)
    return dest
