# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Print a fenced code block of a Markdown section, exactly as the reader sees it.

Usage: doc_block.py FILE HEADING [LANG [N]]

HEADING is the text of a heading of any level (for example "Quick start" for `## Quick start`); the section runs to
the next heading of the same or a higher level. The block is the Nth (default 1) fenced block of language LANG
(default yaml) in it. tools/release_check.sh and tools/demo_check.sh take the README's and the user guide's commands
from here too.
"""

from __future__ import annotations

import sys


def heading_level(line):
    level = len(line) - len(line.lstrip('#'))
    return level if level and line[level:level + 1] == ' ' else 0


def block(path, heading, lang='yaml', number=1):
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    start = next((index for index, line in enumerate(lines)
                  if heading_level(line) and line[heading_level(line):].strip() == heading), None)
    if start is None:
        sys.exit('doc_block.py: %s has no "%s" section' % (path, heading))
    level = heading_level(lines[start])
    fence, seen, inside = None, 0, []
    for line in lines[start + 1:]:
        if fence is None:  # between blocks: a heading can end the section, a fence opens a block
            if heading_level(line) and heading_level(line) <= level:
                break
            if line.startswith('```'):
                fence = line[3:]
                seen += fence == lang
        elif line == '```':
            if fence == lang and seen == number:
                return '\n'.join(inside) + '\n'
            fence = None
        elif fence == lang and seen == number:
            inside.append(line)
    sys.exit('doc_block.py: the "%s" section of %s has no complete ```%s block number %d' % (heading, path, lang, number))


if __name__ == '__main__':
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    sys.stdout.write(block(sys.argv[1], sys.argv[2], *sys.argv[3:4], *[int(n) for n in sys.argv[4:5]]))
