# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of zstack_console_files on the target: every operator's files written, or removed, or the sessions
behind them listed.

The operators are looked up in the passwd database; their directories and root's ledger directory are opened
once, without following links, and held open for the run. What to write comes from ``_console_plan``, what is
recorded from ``_ledger``; every file is read, written and removed through ``_io``, relative to an open directory.
``console_files(module)`` is the module's one call.
"""

from __future__ import annotations

import os
import posixpath
import pwd
import stat
from datetime import datetime, timezone

from ansible_collections.zstack.cloud.plugins.module_utils import _io
from ansible_collections.zstack.cloud.plugins.module_utils._bridge_files import file_mode
from ansible_collections.zstack.cloud.plugins.module_utils._console_plan import pick_consoles, plan_files
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError
from ansible_collections.zstack.cloud.plugins.module_utils._file_names import (
    DEFAULT_LEDGER_DIR,
    INDEX_NAME,
    MANIFEST_NAME,
    check_dirname,
    ledger_name,
    operator_dest,
)
from ansible_collections.zstack.cloud.plugins.module_utils._ledger import (
    dumps,
    file_changes,
    ledger_sessions,
    loads,
    manifest_bytes,
    merge_ledger,
    read_manifest,
    revocation_summary,
    sessions_to_end,
)

LEDGER_HINT = 'give a directory only root can write to (default %s)' % DEFAULT_LEDGER_DIR


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
            _io.write_file(directory.fd, name, content, uid, gid, file_mode(name))
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
        plans, missed = [], []
        owned = set()
        for operator in self.operators:  # sessions any operator's record says the role opened
            owned.update(uuid for uuid, entry in ledger_sessions(self._ledger_document(operator)).items()
                         if entry['owned'])
        for operator in self.operators:
            chosen, no_console = pick_consoles(operator['name'], operator['vms'], consoles, self.params['failures'])
            missed.append(no_console)
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

        results, summary = [], []
        for operator, plan, directory, no_console in zip(self.operators, plans, directories, missed):
            result = self._present_one(operator, plan, directory)
            result['no_console'] = no_console
            results.append(result)
            # One line for the operator, and one for each of their VMs that got no console.
            summary.append(result.pop('_summary'))
            summary.extend('%s: VM %s got no console: %s' % (operator['name'], item['vm'], item['msg'])
                           for item in no_console)
        return {'operators': results, 'summary': summary}

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
        # What is there now: the content of each plain file of the operator's with its mode (0600; the script 0700),
        # None for anything else.
        names = list(files) + [MANIFEST_NAME] + (old['files'] if old else [])
        current = {name: self._read(directory, name, owner=uid, mode=file_mode(name)) for name in names}
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
    def _records(self, directories):
        """What is on disk for each operator, read once: ``(root's record of them, the manifest in their directory,
        the (path, document) of the JSON files it lists)``."""
        records = []
        for operator, directory in zip(self.operators, directories):
            manifest = read_manifest(self._read(directory, MANIFEST_NAME, owner=operator['uid']))
            documents = []
            for name in (manifest['files'] if manifest else []):
                if name.endswith('.json'):
                    document = loads(self._read(directory, name, owner=operator['uid']))
                    if document:
                        documents.append((posixpath.join(directory.path, name), document))
            records.append((self._ledger_document(operator), manifest, documents))
        return records

    def _sessions(self, records):
        """The sessions behind the tokens written for the operators, from root's record and their JSON files, and
        which ``revoke`` ends (``_ledger.sessions_to_end``)."""
        return sessions_to_end([ledger for ledger, _manifest, _documents in records],
                               [document for _ledger, _manifest, documents in records for document in documents],
                               self.params['revoke'])

    def sessions(self):
        """Nothing changes: the sessions behind the tokens, from root's record and the operators' JSON files."""
        self.open_ledger(create=False)
        directories = [self.open_operator(operator, create=False) for operator in self.operators]
        sessions = self._sessions(self._records(directories))
        return {'operators': [], 'sessions': sessions, 'summary': [],
                'revocation': revocation_summary(sessions, self.params['revoke'])}

    def absent(self):
        self.open_ledger(create=False)
        results, summary = [], []
        directories = [self.open_operator(operator, create=False) for operator in self.operators]
        # The sessions revoke ends, decided as for list_sessions (the role ended them just before). Root's record
        # keeps each operator's others, so that a later run with revoke=all can still end them.
        records = self._records(directories)
        ended = set(session['session_uuid'] for session in self._sessions(records) if session['end'])
        for operator, directory, (ledger, old, documents) in zip(self.operators, directories, records):
            kept = {session['session_uuid']: session['owned']
                    for session in sessions_to_end([ledger], documents, 'none') if session['session_uuid'] not in ended}
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
            self._keep_in_ledger(operator, ledger, kept)
            self.changed |= bool(removed) or status == 'removed'
            results.append({'name': operator['name'], 'dest': directory.path, 'directory': status,
                            'consoles': [], 'written': [], 'removed': removed, 'unchanged': [],
                            'sessions_owned': 0, 'sessions_other': 0})
            summary.append('%s: %s %d file(s) from %s%s' % (
                operator['name'], 'would remove' if self.check else 'removed', len(removed), directory.path,
                ', and the directory' if status == 'removed' else ''))
        return {'operators': results, 'summary': summary}

    def _keep_in_ledger(self, operator, old, kept):
        """Root's record of the operator (``old``, as read) after state=absent: only the sessions ``kept`` (uuid:
        owned), else none."""
        ledger_file = ledger_name(operator['uid'])
        if not self.ledger or self.ledger.fd is None:
            if kept:  # a session whose token was written (an operator's file names it) but root never recorded
                self.open_ledger(create=True)
            else:
                return
        if kept:
            still = [entry for entry in old.get('sessions') or []
                     if isinstance(entry, dict) and str(entry.get('uuid') or '').lower() in kept]
            new = merge_ledger(dict(old, sessions=still), kept, operator['name'], operator['uid'], self.now)
            if new != old:
                self.changed = True
                if not self.check:
                    self._write(self.ledger, ledger_file, dumps(new), 0, 0)
        elif self.ledger.fd is not None and _io.exists(self.ledger.fd, ledger_file):
            self.changed = True
            if not self.check:
                self._remove(self.ledger, ledger_file)

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


def console_files(module):
    """The task of zstack_console_files: the files written or removed, or the sessions behind them; raises
    ``ConsoleFilesError`` (a ZStackError) for anything it refuses or cannot do."""
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
