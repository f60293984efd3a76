#!/usr/bin/env python
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One call to the simulator's admin API, for the playbooks' pipe lookups (a lookup costs a fraction of a uri task).

    sim_admin.py BASE_URL METHOD PATH [JSON_BODY]    prints the reply body; exits non-zero on an HTTP error
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request


def main(argv):
    base_url, method, path = argv[1:4]
    body = argv[4].encode('utf-8') if len(argv) > 4 else None
    request = urllib.request.Request(base_url + path, data=body, method=method,
                                     headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            sys.stdout.write(reply.read().decode('utf-8'))
    except urllib.error.HTTPError as err:
        sys.stderr.write('%s %s: HTTP %s %s\n' % (method, path, err.code, err.read().decode('utf-8', 'replace')))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
