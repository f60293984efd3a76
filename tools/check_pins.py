#!/usr/bin/env python
"""Check that two requirement files pin every package they share to the same version, ansible-core excepted.

Usage: tools/check_pins.py NEWEST_REQUIREMENTS REQUIREMENTS

The newest-core stages (tests/requirements-newest.txt) differ from the others (tests/requirements.txt, which
includes tests/requirements-demo.txt) only in ansible-core, so that a failure in one of them is ansible-core's
doing. `-r FILE` lines are followed, relative to the file that has them.
"""

from __future__ import annotations

import os
import re
import sys

PIN = re.compile(r'^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)$')


def pins(path):
    """{normalised name: version} of the `name==version` lines of path and the files it includes."""
    found = {}
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                found.update(pins(os.path.join(os.path.dirname(path), line[3:].strip())))
                continue
            match = PIN.match(line)
            if not match:
                sys.exit('check_pins: %s: not an exact pin: %r' % (path, line))
            found[re.sub(r'[-_.]+', '-', match.group(1)).lower()] = match.group(2)
    return found


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    newest, tested = pins(argv[1]), pins(argv[2])
    differ = ['%s: %s in %s, %s in %s' % (name, newest[name], argv[1], tested[name], argv[2])
              for name in sorted(set(newest) & set(tested)) if name != 'ansible-core' and newest[name] != tested[name]]
    unknown = sorted(set(newest) - set(tested))
    if differ or unknown:
        for line in differ:
            print('check_pins: %s' % line, file=sys.stderr)
        for name in unknown:
            print('check_pins: %s is pinned in %s only' % (name, argv[1]), file=sys.stderr)
        return 1
    print('check_pins: %s pins what %s pins, but ansible-core (%s, %s)'
          % (argv[1], argv[2], newest.get('ansible-core'), tested.get('ansible-core')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
