"""Checks of the revocation scenario in runme.sh, against the simulator and the files the role wrote.

Session UUIDs are credentials: this script keeps them in a 0600 file under $WORK and never prints one (runme.sh runs
with `set -x`, so they must not travel through shell variables either). Sessions are referred to by names.

  sessions.py login NAME                 log in as console-ops (a caller's own session); write $WORK/NAME.json,
                                         {"caller_session": ...}, for ansible-playbook -e @...
  sessions.py remember NAME FILE         the session of the token in the role's JSON file FILE
  sessions.py owned FILE true|false      the JSON file says session_owned so
  sessions.py expect CHECK...            NAME=live|ended (GET .../sessions/NAME/valid), NAME:consoles=N (the
                                         simulator's live consoles of that session and their token files),
                                         logouts=+N (logouts since the previous `expect`; the first one sets the
                                         baseline)
  sessions.py ledger DIR USER SPEC       USER's record in the ledger directory DIR: "none", or NAME=owned|other,...
                                         in order; the file is root's and 0600, the directory 0700
  sessions.py clean FILE...              no remembered session appears in these files
"""

import json
import os
import pwd
import stat
import sys
import urllib.request
from hashlib import sha512

SIM_URL = os.environ['SIM_URL']
TOKEN_DIR = os.environ['SIM_TOKEN_DIR']
STATE = os.path.join(os.environ['WORK'], 'sessions.json')


def request(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(SIM_URL + path, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=10) as reply:
        return json.loads(reply.read().decode() or '{}')


def load():
    try:
        with open(STATE, encoding='utf-8') as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {'sessions': {}, 'logouts': None}


def save(state):
    fd = os.open(STATE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        json.dump(state, handle)


def fail(message):
    sys.exit('sessions.py: FAILED: ' + message)  # names only, never a session UUID


def document(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def main(argv):
    state = load()
    names = state['sessions']
    command, args = argv[0], argv[1:]
    if command == 'login':
        (name,) = args
        reply = request('PUT', '/zstack/v1/accounts/login',
                        {'logInByAccount': {'accountName': 'console-ops', 'password': sha512(b'C0nsole-Ops!').hexdigest()}})
        names[name] = reply['inventory']['uuid']
        fd = os.open(os.path.join(os.environ['WORK'], name + '.json'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            json.dump({'caller_session': names[name]}, handle)
    elif command == 'remember':
        name, path = args
        names[name] = document(path)['token'].split('_', 1)[0]
    elif command == 'owned':
        path, expected = args
        if document(path)['session_owned'] is not (expected == 'true'):
            fail('%s: session_owned is not %s' % (path, expected))
    elif command == 'expect':
        sim = request('GET', '/_sim/state')
        if state['logouts'] is None:  # the first check sets the baseline
            state['logouts'] = sim['counters']['logouts']
        for check in args:
            if check.startswith('logouts=+'):
                delta = sim['counters']['logouts'] - state['logouts']
                if delta != int(check[len('logouts=+'):]):
                    fail('%d logouts since the last check, expected %s' % (delta, check))
            elif ':consoles=' in check:
                name, count = check.split(':consoles=')
                session = names[name]
                live = [c['token'] for c in sim['consoles'] if c['token'].startswith(session + '_')]
                files = [f for f in os.listdir(TOKEN_DIR) if f.startswith(session + '_')]
                if len(live) != int(count) or sorted(files) != sorted(live):
                    fail('session %s has %d live consoles and %d token files, expected %s of each'
                         % (name, len(live), len(files), count))
            else:
                name, expected = check.split('=')
                valid = request('GET', '/zstack/v1/accounts/sessions/%s/valid' % names[name])['valid']
                if valid is not (expected == 'live'):
                    fail('session %s is %s, expected %s' % (name, 'live' if valid else 'ended', expected))
        state['logouts'] = sim['counters']['logouts']
    elif command == 'ledger':
        directory, user, spec = args
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or stat.S_IMODE(info.st_mode) != 0o700 or info.st_uid != 0:
            fail('the ledger directory is not a 0700 directory of root')
        path = os.path.join(directory, 'uid-%d.json' % pwd.getpwnam(user).pw_uid)
        if spec == 'none':
            if os.path.lexists(path):
                fail('%s still has a session record' % user)
        else:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != 0o600 or info.st_uid != 0:
                fail("%s's session record is not a 0600 file of root" % user)
            record = document(path)
            by_uuid = dict((uuid, name) for name, uuid in names.items())
            got = ','.join('%s=%s' % (by_uuid.get(s['uuid'], 'unknown'), 'owned' if s['owned'] else 'other')
                           for s in record['sessions'])
            if got != spec or record['operator'] != user or record['managed_by'] != 'zstack.cloud.console_files':
                fail("%s's session record has %s, expected %s" % (user, got, spec))
    elif command == 'clean':
        for path in args:
            with open(path, encoding='utf-8', errors='replace') as handle:
                text = handle.read()
            leaked = [name for name, uuid in names.items() if uuid in text]
            if leaked:
                fail('%s shows session(s) %s' % (path, ', '.join(leaked)))
    else:
        fail('unknown command %s' % command)
    save(state)


if __name__ == '__main__':
    main(sys.argv[1:])
