# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Print the first fenced ```yaml block of a Markdown section, exactly as the reader sees it.

Usage: doc_block.py FILE HEADING      (HEADING: the text of a `## ` heading, for example "Quick start")
"""

from __future__ import annotations

import sys


def block(path, heading):
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    try:
        start = lines.index('## ' + heading)
    except ValueError:
        sys.exit('doc_block.py: %s has no "## %s" section' % (path, heading))
    inside = None
    for line in lines[start + 1:]:
        if inside is None:
            if line.startswith('## '):
                break
            if line == '```yaml':
                inside = []
        elif line == '```':
            return '\n'.join(inside) + '\n'
        else:
            inside.append(line)
    sys.exit('doc_block.py: the "## %s" section of %s has no complete ```yaml block' % (heading, path))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.stdout.write(block(sys.argv[1], sys.argv[2]))
