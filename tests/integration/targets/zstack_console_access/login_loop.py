"""Another client of the same user: logs in to the simulator again and again until told to stop.

    login_loop.py URL ACCOUNT PASSWORD_SHA512 STARTED_FILE STOP_FILE

On a node with identity enable.unique.session each of these logins logs out every other session of the user, as
parallel tasks or forks that log in as the same user do. Writes STARTED_FILE after its first login; stops when
STOP_FILE exists, and after 120 s whatever happens.
"""

import json
import os
import sys
import time
import urllib.request


def main(url, account, password_hash, started, stop):
    body = json.dumps({"logInByAccount": {"accountName": account, "password": password_hash}}).encode()
    deadline = time.monotonic() + 120
    while not os.path.exists(stop) and time.monotonic() < deadline:
        request = urllib.request.Request(url + "/zstack/v1/accounts/login", data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()
        if not os.path.exists(started):
            with open(started, "w", encoding="utf-8"):
                pass
        time.sleep(0.1)


if __name__ == "__main__":
    main(*sys.argv[1:])
