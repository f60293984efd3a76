#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: zstack_console_files
short_description: Write ZStack console launchers and token files that only each operator can read
version_added: 0.1.0
description:
  - Runs on the host the operators log in to (a bastion), as root, once for all operators. From console entries
    returned by M(zstack.cloud.zstack_console_access) it writes, in each operator's directory, for every VM a
    launcher C(<vm>.html) and a C(<vm>.json) with the token and its expiry, an C(index.html) listing the
    operator's consoles, and a manifest C(.zstack-console-files.json) of what it wrote; and, in O(ledger_dir), root's
    record of the API sessions the tokens embed (C(uid-<uid>.json)), used to revoke them later.
  - The operator's directory is created mode 0700 and given to the operator if it is missing; an existing one must
    be a real directory (not a symlink) owned by the operator. Its parent must exist; a symlink on the way to it is
    followed only where only root could have made it.
  - Every file is created under a temporary name with C(O_CREAT|O_EXCL|O_NOFOLLOW), mode 0600, given to the operator,
    written, synced and renamed into place, all relative to the directory opened without following links. No file
    ever exists with wider permissions, and a symlink or hard link an operator planted under a file's name is
    replaced, never followed or written through. Files whose content did not change are left alone.
  - By default the launcher is self-contained - it carries noVNC's and spice-html5's clients and connects from
    C(file://) straight to the console proxy's WebSocket, with no web server anywhere. It opens VNC and SPICE
    consoles alike, and picks the client from what the VM's display speaks, since ZStack may call a SPICE display
    C(vnc). With O(novnc_url) it opens that noVNC page instead, except for a console whose C(target_scheme) is
    C(spice), which a noVNC page cannot open.
  - A console whose proxy speaks something other than VNC or SPICE (C(target_scheme), for example C(http)) gets no
    launcher, only its C(<vm>.json) with the reason, and a warning names the VM.
  - With O(state=absent) it removes what the manifest lists (only names it would have written), the manifest, the
    operator's record in O(ledger_dir), and the directory if it created it and it is empty. With O(list_sessions)
    it changes nothing and returns the API sessions to end first (see O(revoke)).
  - The result carries file names, counts and expiry times, never a token.
author:
  - zstack.cloud maintainers (@zstack-cloud)
options:
  state:
    description:
      - V(present) writes the files; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  operators:
    description:
      - The operators (OS users on this host) and the VMs each gets a console for.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: OS user who owns and reads the files.
        type: str
        required: true
      vms:
        description:
          - VMs by UUID or by name, each matched against O(consoles) (a name as C(vm_instance_name)), or query
            items (a dictionary whose key C(query) lists conditions), which stand for every entry of O(consoles)
            that query selected (its C(vm_query)).
          - Ignored with O(state=absent).
        type: list
        elements: raw
        default: []
      dest:
        description:
          - Absolute directory of the operator's files. Default C(<home>/<dirname>) (O(dirname)).
        type: str
  consoles:
    description:
      - The console entries, as C(zstack_consoles) of M(zstack.cloud.zstack_console_access) returns them (its
        RV(zstack.cloud.zstack_console_access#module:ansible_facts.zstack_consoles)).
      - Needed with O(state=present) for every VM an operator lists. Entries without a token (that module's check
        mode) are accepted in check mode only.
    type: list
    elements: dict
    default: []
    suboptions:
      vm_instance_uuid:
        description: UUID of the VM.
        type: str
      vm_instance_name:
        description: Name of the VM, when it was asked for by name.
        type: str
      scheme:
        description: Scheme of the console proxy (C(http) or C(https)).
        type: str
      hostname:
        description: Host of the console proxy.
        type: str
      port:
        description: Port of the console proxy.
        type: int
      token:
        description: The console token, a credential.
        type: str
      websocket_url:
        description: The console's WebSocket URL, with the token in it.
        type: str
      console_url:
        description: The console's URL on a noVNC page, with the token in it (not used; see O(novnc_url)).
        type: str
      target_scheme:
        description:
          - Protocol behind the proxy (C(vnc), C(spice)). Launchers are written for both (and when it is missing);
            a launcher for C(vnc) still checks what the display speaks, one for C(spice) goes to the SPICE client.
        type: str
      version:
        description: Console proxy version.
        type: str
      expired_date:
        description: The token's expiry as the server wrote it (not used; O(consoles[].expires_at) is).
        type: raw
      expires_at:
        description:
          - The token's expiry, ISO 8601 with a zone (C(2026-11-30T16:20:00Z)). Without it the expiry written is now
            plus O(token_lifetime).
        type: str
      session_owned:
        description: Whether the token embeds a session the console module logged in for itself.
        type: bool
      failed:
        description: Set on an entry of a VM that failed; such an entry is refused.
        type: bool
      msg:
        description: Why the VM failed.
        type: str
      error:
        description: The API error of a VM that failed.
        type: dict
      vm_query:
        description: The conditions of the query item that selected the VM.
        type: list
        elements: str
  ledger_dir:
    description:
      - Directory where root keeps, per operator (C(uid-<uid>.json), mode 0600), the API sessions embedded in the
        tokens written for that operator and whether the console module opened each (so owned by the role).
      - It must be a directory only root can write to (owned by root, not group- or world-writable, not a
        symlink); it is created, mode 0700, if missing. Its parent must exist.
    type: path
    default: /var/lib/zstack-console-files
  dirname:
    description: Directory in each operator's home used when the operator has no C(dest).
    type: str
    default: zstack-consoles
  novnc_url:
    description:
      - Empty (the default) - self-contained launchers, which need no web server.
      - Otherwise the noVNC page the launchers open, with the console's parameters where that page reads them - in
        the query string for ZStack's own C(vnc_auto.html) (the token then reaches that web server's log), in the
        fragment for noVNC 1.x C(vnc.html) and C(vnc_lite.html). A console whose C(target_scheme) is C(spice) gets
        the self-contained launcher all the same.
    type: str
    default: ''
  novnc_style:
    description:
      - The parameters O(novnc_url) takes - V(novnc) (noVNC 1.x), V(zstack) (ZStack's C(vnc_auto.html)), or V(auto)
        to choose by the page's file name.
    type: str
    choices: [auto, novnc, zstack]
    default: auto
  token_lifetime:
    description: Seconds a token is taken to live when its entry has no O(consoles[].expires_at).
    type: int
    default: 1800
  list_sessions:
    description:
      - With O(state=absent) - change nothing; return in RV(sessions) the API sessions behind the tokens written
        for the operators, from root's record and from the operators' JSON files, and which of them to end
        (O(revoke)). They are credentials - register the result with C(no_log).
    type: bool
    default: false
  revoke:
    description:
      - Which sessions RV(sessions) marks to end - V(owned) those root's record says the console module opened
        itself (never a session given to it), V(all) every one, V(none) none.
    type: str
    choices: [owned, all, none]
    default: owned
attributes:
  check_mode:
    support: full
    description: Reports the directories and files it would create, change or remove, and writes nothing.
  diff_mode:
    support: full
    description: The files in each operator's directory before and after, by name (never their content).
  platform:
    platforms: posix
    support: full
    description: Needs C(openat)-style calls (C(dir_fd)) and C(O_NOFOLLOW); Linux and the BSDs have them.
extends_documentation_fragment:
  - zstack.cloud.attributes
notes:
  - Runs as root (C(become)) to give each operator their own files; nothing is run as an operator.
  - The zstack.cloud.console_files role calls this module; use the role unless you need the parts.
seealso:
  - module: zstack.cloud.zstack_console_access
  - module: zstack.cloud.zstack_session
'''

EXAMPLES = r'''
- name: Get the consoles, once, on the controller
  zstack.cloud.zstack_console_access:
    vm_instances: [web-01, db-01]
  delegate_to: localhost
  run_once: true
  register: consoles
  no_log: true

- name: Write each operator's files on the bastion
  zstack.cloud.zstack_console_files:
    operators:
      - name: alice
        vms: [web-01, db-01]
      - name: bob
        vms: [db-01]
        dest: /srv/consoles/bob
    consoles: "{{ consoles.ansible_facts.zstack_consoles }}"
  become: true

- name: The sessions to end before the files go
  zstack.cloud.zstack_console_files:
    state: absent
    list_sessions: true
    operators: [{name: alice}, {name: bob, dest: /srv/consoles/bob}]
  become: true
  register: found
  no_log: true  # session UUIDs

- name: Remove the files
  zstack.cloud.zstack_console_files:
    state: absent
    operators: [{name: alice}, {name: bob, dest: /srv/consoles/bob}]
  become: true
'''

RETURN = r'''
operators:
  description: What was done (or would be, in check mode) for each operator.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The operator.
      type: str
      sample: alice
    dest:
      description: The operator's directory.
      type: str
      sample: /home/alice/zstack-consoles
    directory:
      description: V(created), V(exists), V(missing), V(removed) or V(kept) (absent, not empty or not created here).
      type: str
      sample: created
    consoles:
      description: Consoles written for the operator, without secrets.
      type: list
      elements: dict
      sample: [{"vm_instance_uuid": "374f25061ea8462da5c428fcb2aa243c", "vm_instance_name": "web-01",
                "launcher": "web-01.html", "json": "web-01.json", "expires_at": "2026-11-30T16:20:00Z",
                "expires_at_source": "server", "no_launcher": null}]
    written:
      description: Files written (or that would be).
      type: list
      elements: str
      sample: [web-01.html, web-01.json, index.html]
    removed:
      description: Files removed (or that would be).
      type: list
      elements: str
      sample: [old-vm.html, old-vm.json]
    unchanged:
      description: Files left as they were, their content being the same.
      type: list
      elements: str
      sample: []
    sessions_owned:
      description: API sessions the tokens embed that the role opened.
      type: int
      sample: 1
    sessions_other:
      description: API sessions the tokens embed that the role did not open.
      type: int
      sample: 0
summary:
  description: One line per operator for the play's output (and, with O(list_sessions), what revocation keeps).
  returned: always
  type: list
  elements: str
  sample: ["alice: 2 console(s) in /home/alice/zstack-consoles/index.html, the first expiring at 2026-11-30T16:20:00Z"]
sessions:
  description:
    - With O(list_sessions), the API sessions behind the tokens, each once - C(session_uuid) (a credential),
      C(owned) (root's record says the role opened it), C(end) (to end, by O(revoke)) and C(files) (JSON files whose
      tokens embed it).
  returned: with O(list_sessions)
  type: list
  elements: dict
  sample: [{"session_uuid": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "owned": true, "end": true, "files": []}]
revocation:
  description:
    - With O(list_sessions), what revocation ends and leaves working, as text for the play (no session UUID), to
      follow "Ended <number>".
  returned: with O(list_sessions)
  type: str
  sample: "API session(s) behind the tokens (sessions the role opened, console_files_revoke=owned); kept 1 session(s)
    the role did not open, whose tokens still work (/srv/consoles/bob/db-01.json; console_files_revoke=all ends them
    too)"
'''

import os
import posixpath
import pwd
import stat
from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zstack.cloud.plugins.module_utils import _io
from ansible_collections.zstack.cloud.plugins.module_utils._console_files import (
    INDEX_NAME,
    MANIFEST_NAME,
    ConsoleFilesError,
    check_dirname,
    dumps,
    file_changes,
    ledger_name,
    ledger_sessions,
    loads,
    manifest_bytes,
    merge_ledger,
    operator_dest,
    pick_consoles,
    plan_files,
    read_manifest,
    revocation_summary,
    sessions_to_end,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError

LEDGER_HINT = 'give a directory only root can write to (default /var/lib/zstack-console-files)'


def _operators(params):
    """The operators with their passwd entries and directories; each OS user and directory once."""
    check_dirname(params['dirname'])
    operators, dests, uids = [], {}, {}
    for number, given in enumerate(params['operators'], start=1):
        name = given['name']
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            raise ConsoleFilesError('operator %r is not a user on the target (no passwd entry)' % name) from None
        dest = operator_dest(name, given.get('dest'), user.pw_dir, params['dirname'])
        for seen, key, what in ((dests, dest, 'write to %s' % dest), (uids, user.pw_uid, 'are uid %d' % user.pw_uid)):
            if key in seen:
                raise ConsoleFilesError('operators #%d %r and #%d %r both %s; give each its own'
                                        % (seen[key][0], seen[key][1], number, name, what))
            seen[key] = (number, name)
        operators.append({'name': name, 'uid': user.pw_uid, 'gid': user.pw_gid, 'dest': dest,
                          'vms': given.get('vms') or []})
    if os.geteuid() != 0 and any(op['uid'] != os.geteuid() for op in operators):
        raise ConsoleFilesError("writing other users' files needs root on the target (become: true)")
    return operators


class Directory:
    """A directory held open (fd) for the whole run, or None where it does not exist (yet)."""

    def __init__(self, path, fd=None, created=False):
        self.path = path
        self.fd = fd
        self.created = created

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _open(path, refuse, wanted=False):
    """Open the directory ``path``, or a Directory without fd where it is missing.

    ``wanted`` (state=present): its parent must exist. ``refuse(info)`` says why an existing directory cannot be
    used, or None.
    """
    parent_path, base = posixpath.split(path)
    try:
        parent = _io.open_dir(parent_path or '/')
    except (FileNotFoundError, NotADirectoryError):
        if not wanted:
            return Directory(path)
        raise ConsoleFilesError('the parent of %s does not exist; create it first' % path) from None
    try:
        try:
            fd = _io.open_subdir(parent, base, path)
        except FileNotFoundError:
            return Directory(path)
        problem = refuse(os.fstat(fd))
        if problem:
            os.close(fd)
            raise ConsoleFilesError('%s exists but is %s' % (path, problem))
        return Directory(path, fd)
    finally:
        os.close(parent)


def _make(directory, uid, gid):
    """Create the missing ``directory``, mode 0700, for uid:gid, and keep it open."""
    parent_path, base = posixpath.split(directory.path)
    parent = _io.open_dir(parent_path or '/')
    try:
        directory.fd = _io.make_subdir(parent, base, uid, gid)
    finally:
        os.close(parent)
    directory.created = True


class ConsoleFiles:
    """One run of the module: the ledger directory and every operator's directory, opened once."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.now = datetime.now(timezone.utc)
        self.operators = _operators(self.params)
        self.dirs = []
        self.ledger = None
        self.changed = False
        self.diff = []

    # ---------------------------------------------------------------- directories
    def open_ledger(self, create):
        """Root's record directory; ``create`` makes it (not in check mode) when it is missing."""
        if self.ledger is not None:
            if self.ledger.fd is not None or not create:
                return
            self.ledger = None
        path = self.params['ledger_dir']
        if not path.startswith('/') or posixpath.normpath(path) == '/':
            raise ConsoleFilesError('ledger_dir %s must be an absolute path other than /; %s' % (path, LEDGER_HINT))

        def refuse(info):
            if info.st_uid != 0:
                return 'owned by uid %d, not by root; %s' % (info.st_uid, LEDGER_HINT)
            if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return 'writable by its group or by others; %s' % LEDGER_HINT
            return None

        try:
            self.ledger = _open(posixpath.normpath(path), refuse, wanted=create)
        except ConsoleFilesError as err:
            raise ConsoleFilesError('ledger_dir %s' % err.msg) from None
        except _io.PathError as err:
            raise ConsoleFilesError('ledger_dir %s; %s' % (err.msg, LEDGER_HINT)) from None
        if create and self.ledger.fd is None:
            self.changed = True
            if not self.check:
                _make(self.ledger, 0, 0)

    def open_operator(self, operator, create):
        """The operator's directory, or one without fd where it is missing (``create``: it is wanted)."""
        def refuse(info):
            if info.st_uid != operator['uid']:
                return ('owned by uid %d, not by %s (uid %d); give the operator a dest of their own'
                        % (info.st_uid, operator['name'], operator['uid']))
            return None

        try:
            directory = _open(operator['dest'], refuse, wanted=create)
        except ConsoleFilesError as err:
            raise ConsoleFilesError('%s: %s' % (operator['name'], err.msg)) from None
        except _io.PathError as err:
            raise ConsoleFilesError('%s: %s; give the operator a dest of their own' % (operator['name'], err.msg)) from None
        self.dirs.append(directory)
        return directory

    def close(self):
        for directory in self.dirs + ([self.ledger] if self.ledger else []):
            directory.close()

    # ---------------------------------------------------------------- small helpers
    def _read(self, directory, name, owner, mode=None):
        if directory.fd is None:
            return None
        content, problem = _io.read_file(directory.fd, name, owner=owner, mode=mode)
        if problem and name == MANIFEST_NAME:
            self.module.warn('%s/%s is %s: ignored (files it listed are not removed)' % (directory.path, name, problem))
        return content

    def _write(self, directory, name, content, uid, gid):
        try:
            _io.write_file(directory.fd, name, content, uid, gid)
        except (OSError, _io.PathError) as err:
            reason = getattr(err, 'msg', None) or getattr(err, 'strerror', None) or err
            raise ConsoleFilesError('cannot write %s in %s: %s' % (name, directory.path, reason)) from None

    def _remove(self, directory, name):
        try:
            return _io.remove_file(directory.fd, name)
        except OSError as err:
            self.module.warn('cannot remove %s in %s: %s' % (name, directory.path, err.strerror or err))
            return False

    def _listing(self, directory, before, after):
        if self.module._diff:
            self.diff.append({'before_header': directory.path, 'after_header': directory.path,
                              'before': ''.join('%s\n' % n for n in sorted(before)),
                              'after': ''.join('%s\n' % n for n in sorted(after))})

    def _ledger_document(self, operator):
        content = self._read(self.ledger, ledger_name(operator['uid']), owner=0) if self.ledger else None
        return loads(content)

    # ---------------------------------------------------------------- state=present
    def present(self):
        self.open_ledger(create=False)  # to read it; created below, once every directory is known to be usable
        consoles = [c for c in self.params['consoles'] if isinstance(c, dict)]
        plans = []
        owned = set()
        for operator in self.operators:  # sessions any operator's record says the role opened
            owned.update(uuid for uuid, entry in ledger_sessions(self._ledger_document(operator)).items()
                         if entry['owned'])
        for operator in self.operators:
            chosen = pick_consoles(operator['name'], operator['vms'], consoles)
            if not self.check and any(not c.get('token') for c in chosen):
                raise ConsoleFilesError('operator %r: a console entry has no token (zstack_console_access in check '
                                        'mode gives none): pass the entries it returns outside check mode'
                                        % operator['name'])
            plan = plan_files(operator['name'], chosen, self.now, self.params['novnc_url'], self.params['novnc_style'],
                              self.params['token_lifetime'], owned)
            for warning in plan['warnings']:
                self.module.warn(warning)
            plans.append(plan)
        # Every directory checked before anything is created: a refused one leaves no trace.
        directories = [self.open_operator(operator, create=True) for operator in self.operators]
        self.open_ledger(create=True)
        for operator, directory in zip(self.operators, directories):
            if directory.fd is None and not self.check:
                _make(directory, operator['uid'], operator['gid'])

        # Root's record first: an interrupted run leaves no session behind a written token unrecorded.
        for operator, plan in zip(self.operators, plans):
            if not plan['sessions']:
                continue
            old = self._ledger_document(operator)
            new = merge_ledger(old, plan['sessions'], operator['name'], operator['uid'], self.now)
            if new != old:
                self.changed = True
                if not self.check:
                    self._write(self.ledger, ledger_name(operator['uid']), dumps(new), 0, 0)

        results = []
        for operator, plan, directory in zip(self.operators, plans, directories):
            results.append(self._present_one(operator, plan, directory))
        return {'operators': results, 'summary': [r.pop('_summary') for r in results]}

    def _present_one(self, operator, plan, directory):
        uid, gid = operator['uid'], operator['gid']
        status = 'created' if directory.created or directory.fd is None else 'exists'
        if status == 'created':
            self.changed = True
        elif stat.S_IMODE(os.fstat(directory.fd).st_mode) != 0o700:
            self.changed = True
            if not self.check:
                os.fchmod(directory.fd, 0o700)
        old = read_manifest(self._read(directory, MANIFEST_NAME, owner=uid))
        files = plan['files']
        created_dir = old['created_dir'] if old else status == 'created'
        manifest = manifest_bytes(operator['name'], list(files), created_dir)
        # What is there now: the content of each plain 0600 file of the operator's, None for anything else.
        names = list(files) + [MANIFEST_NAME] + (old['files'] if old else [])
        current = {name: self._read(directory, name, owner=uid, mode=0o600) for name in names}
        present = [name for name in names if directory.fd is not None and _io.exists(directory.fd, name)]
        write, unchanged, stale = file_changes(dict(files, **{MANIFEST_NAME: manifest}), current,
                                               old['files'] if old else [], present)
        self.changed |= bool(write or stale)
        self._listing(directory, present, list(files) + [MANIFEST_NAME])
        write = [name for name in write if name != MANIFEST_NAME]  # written first and last, below
        if not self.check and (write or stale or MANIFEST_NAME not in unchanged):
            # The manifest first lists the old files as well, so an interrupted run leaves nothing untracked.
            interim = manifest_bytes(operator['name'], list(files) + stale, created_dir)
            self._write(directory, MANIFEST_NAME, interim, uid, gid)
            for name in write:
                self._write(directory, name, files[name], uid, gid)
            for name in stale:
                self._remove(directory, name)
            self._write(directory, MANIFEST_NAME, manifest, uid, gid)
            os.fsync(directory.fd)
        records = plan['records']
        owned = sum(1 for value in plan['sessions'].values() if value)
        other = len(plan['sessions']) - owned
        summary = '%s: %d console(s) in %s' % (operator['name'], len(records), posixpath.join(directory.path, INDEX_NAME))
        if records:
            summary += ', the first expiring at %s' % min(r['expires_at'] for r in records)
        if plan['sessions']:
            summary += ('; their tokens embed %d API session(s) the role opened (ended by state=absent) and %d it did '
                        'not' % (owned, other))
        missing = [r['title'] for r in records if r['no_launcher']]
        if missing:
            summary += '; no launcher for %s (see the warnings)' % ', '.join(missing)
        if self.check:
            summary += ' (check mode: nothing written)'
        return {'name': operator['name'], 'dest': directory.path, 'directory': status,
                'consoles': records, 'written': write, 'removed': stale,
                'unchanged': [name for name in unchanged if name != MANIFEST_NAME],
                'sessions_owned': owned, 'sessions_other': other, '_summary': summary}

    # ---------------------------------------------------------------- state=absent
    def sessions(self):
        """Nothing changes: the sessions behind the tokens, from root's record and the operators' JSON files."""
        self.open_ledger(create=False)
        ledgers, documents = [], []
        for operator in self.operators:
            ledgers.append(self._ledger_document(operator))
            directory = self.open_operator(operator, create=False)
            old = read_manifest(self._read(directory, MANIFEST_NAME, owner=operator['uid']))
            for name in (old['files'] if old else []):
                if name.endswith('.json'):
                    document = loads(self._read(directory, name, owner=operator['uid']))
                    if document:
                        documents.append((posixpath.join(directory.path, name), document))
        sessions = sessions_to_end(ledgers, documents, self.params['revoke'])
        return {'operators': [], 'sessions': sessions, 'summary': [],
                'revocation': revocation_summary(sessions, self.params['revoke'])}

    def absent(self):
        self.open_ledger(create=False)
        results, summary = [], []
        for operator in self.operators:
            directory = self.open_operator(operator, create=False)
            uid = operator['uid']
            old = read_manifest(self._read(directory, MANIFEST_NAME, owner=uid))
            present = [name for name in (old['files'] if old else []) + [MANIFEST_NAME]
                       if directory.fd is not None and _io.exists(directory.fd, name)]
            self._listing(directory, present, [])
            removed = present if self.check else [name for name in present if self._remove(directory, name)]
            if removed and not self.check:
                os.fsync(directory.fd)
            status = 'missing' if directory.fd is None else 'kept'
            if old and old['created_dir'] and directory.fd is not None:
                if self.check:
                    status = 'removed' if set(os.listdir(directory.fd)) <= set(present) else 'kept'
                else:
                    directory.close()
                    status = 'removed' if self._remove_dir(directory.path) else 'kept'
            ledger_file = ledger_name(uid)
            if self.ledger and self.ledger.fd is not None and _io.exists(self.ledger.fd, ledger_file):
                self.changed = True
                if not self.check:
                    self._remove(self.ledger, ledger_file)
            self.changed |= bool(removed) or status == 'removed'
            results.append({'name': operator['name'], 'dest': directory.path, 'directory': status,
                            'consoles': [], 'written': [], 'removed': removed, 'unchanged': [],
                            'sessions_owned': 0, 'sessions_other': 0})
            summary.append('%s: %s %d file(s) from %s%s' % (
                operator['name'], 'would remove' if self.check else 'removed', len(removed), directory.path,
                ', and the directory' if status == 'removed' else ''))
        return {'operators': results, 'summary': summary}

    def _remove_dir(self, path):
        parent_path, base = posixpath.split(path)
        try:
            parent = _io.open_dir(parent_path or '/')
        except (OSError, _io.PathError):
            return False
        try:
            return _io.remove_dir(parent, base)
        finally:
            os.close(parent)


def run(module):
    params = module.params
    if params['list_sessions'] and params['state'] != 'absent':
        raise ConsoleFilesError('list_sessions goes with state=absent')
    if params['token_lifetime'] < 1:
        raise ConsoleFilesError('token_lifetime must be 1 or more, got %d' % params['token_lifetime'])
    files = ConsoleFiles(module)
    try:
        if params['state'] == 'present':
            result = files.present()
        elif params['list_sessions']:
            result = files.sessions()
        else:
            result = files.absent()
    finally:
        files.close()
    result['changed'] = files.changed and not params['list_sessions']
    if module._diff and files.diff:
        result['diff'] = files.diff
    return result


CONSOLE_OPTIONS = dict(
    vm_instance_uuid=dict(type='str'),
    vm_instance_name=dict(type='str'),
    scheme=dict(type='str'),
    hostname=dict(type='str'),
    port=dict(type='int'),
    token=dict(type='str', no_log=True),
    websocket_url=dict(type='str', no_log=True),
    console_url=dict(type='str', no_log=True),
    target_scheme=dict(type='str'),
    version=dict(type='str'),
    expired_date=dict(type='raw'),
    expires_at=dict(type='str'),
    session_owned=dict(type='bool'),
    failed=dict(type='bool'),
    msg=dict(type='str'),
    error=dict(type='dict'),
    vm_query=dict(type='list', elements='str'),
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            operators=dict(type='list', elements='dict', required=True, options=dict(
                name=dict(type='str', required=True),
                vms=dict(type='list', elements='raw', default=[]),
                dest=dict(type='str'),
            )),
            consoles=dict(type='list', elements='dict', default=[], options=CONSOLE_OPTIONS),
            ledger_dir=dict(type='path', default='/var/lib/zstack-console-files'),
            dirname=dict(type='str', default='zstack-consoles'),
            novnc_url=dict(type='str', default=''),
            novnc_style=dict(type='str', default='auto', choices=['auto', 'novnc', 'zstack']),
            token_lifetime=dict(type='int', default=1800, no_log=False),  # seconds, not a token
            list_sessions=dict(type='bool', default=False),
            revoke=dict(type='str', default='owned', choices=['owned', 'all', 'none']),
        ),
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except ZStackError as err:
        module.fail_json(**err.to_result())
    module.exit_json(**result)


if __name__ == '__main__':
    main()
