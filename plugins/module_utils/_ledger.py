# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What zstack_console_files records and reads back: no file is touched here.

The JSON documents it writes (``managed_by`` marks them ours), the manifest of the files in an operator's
directory and what writing new ones changes, root's record of the API sessions behind the tokens written for an
operator (the ledger), and, from both records, which sessions revocation ends.
"""

from __future__ import annotations

import json
import re

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import embedded_session
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError
from ansible_collections.zstack.cloud.plugins.module_utils._file_names import is_written_name
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import iso_utc

MANAGED_BY = 'zstack.cloud.console_files'
REVOKE_CHOICES = ('owned', 'all', 'none')
REVOKE_WHAT = {'owned': 'sessions the role opened', 'all': 'every session', 'none': 'revocation off'}
UUID_RE = re.compile(r'^[0-9a-fA-F]{32}$')


def dumps(document):
    """A JSON file's bytes: indented, UTF-8, with a final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + '\n').encode('utf-8')


def loads(content):
    """A JSON object this module wrote (``managed_by``), from a file's bytes; {} for anything else."""
    if not content:
        return {}
    try:
        data = json.loads(content.decode('utf-8'))
    except ValueError:
        return {}
    return data if isinstance(data, dict) and data.get('managed_by') == MANAGED_BY else {}


# ------------------------------------------------------------------ the manifest and what changes

def file_changes(planned, current, old_files, present):
    """What writing ``planned`` ({name: content, None when not known}) into a directory changes.

    ``current`` maps names to what is there now (the content of a plain 0600 file of the operator's, else None),
    ``old_files`` is what the old manifest lists and ``present`` the names that exist. Returns (write, unchanged,
    stale): the files to write (their content differs, is not known, or what is there is not a plain file of the
    operator's), those left as they are, and the old files no longer planned that are still there.
    """
    write = [name for name, content in planned.items() if content is None or current.get(name) != content]
    unchanged = [name for name in planned if name not in write]
    stale = [name for name in old_files if name not in planned and name in present]
    return write, unchanged, stale


def read_manifest(content):
    """``{'files', 'created_dir'}`` from an old manifest's bytes, or None when there is none of ours.

    Only names the module writes are believed (``is_written_name``): the operator may have changed the file.
    """
    data = loads(content)
    if not data:
        return None
    files = [name for name in data.get('files') or [] if is_written_name(name)]
    return {'files': list(dict.fromkeys(files)), 'created_dir': data.get('created_dir') is True}


def manifest_bytes(operator, files, created_dir):
    return dumps({'managed_by': MANAGED_BY, 'version': 1, 'operator': operator, 'created_dir': bool(created_dir),
                  'files': list(files)})


# ------------------------------------------------------------------ the ledger and revocation

def ledger_sessions(document):
    """{session uuid: {'owned', 'recorded_at'}} from an operator's session record ({} when unreadable)."""
    sessions = {}
    for entry in document.get('sessions') or []:
        if not isinstance(entry, dict) or not isinstance(entry.get('uuid'), str) or not UUID_RE.match(entry['uuid']):
            continue
        known = sessions.setdefault(entry['uuid'].lower(), {'owned': False, 'recorded_at': entry.get('recorded_at')})
        known['owned'] = known['owned'] or entry.get('owned') is True
    return sessions


def merge_ledger(document, sessions, operator, uid, now):
    """An operator's session record after this run: the old sessions, then the new ones; owned once, owned for good."""
    merged = ledger_sessions(document)
    for uuid, owned in sessions.items():
        entry = merged.setdefault(uuid, {'owned': False, 'recorded_at': iso_utc(now)})
        entry['owned'] = entry['owned'] or owned
    return {'managed_by': MANAGED_BY, 'version': 1, 'operator': operator, 'uid': uid,
            'sessions': [{'uuid': uuid, 'owned': entry['owned'], 'recorded_at': entry['recorded_at']}
                         for uuid, entry in merged.items()]}


def sessions_to_end(ledgers, documents, revoke):
    """The API sessions behind the tokens written, each once, and whether to end it.

    ``ledgers`` are root's records (documents), ``documents`` ``(path, document)`` pairs of the operators' JSON
    files. Only root's record says whether the role opened a session: an operator's file - which the operator may
    have changed - adds sessions to look at, never ownership. ``revoke``: ``owned`` ends the sessions the role opened,
    ``all`` every one, ``none`` none. Returns ``[{'session_uuid', 'owned', 'end', 'files'}]`` (``files``: the JSON
    files whose tokens embed it).
    """
    if revoke not in REVOKE_CHOICES:
        raise ConsoleFilesError('revoke must be one of %s, got %r' % (', '.join(REVOKE_CHOICES), revoke))
    found = {}
    for document in ledgers:
        for uuid, entry in ledger_sessions(document).items():
            session = found.setdefault(uuid, {'session_uuid': uuid, 'owned': False, 'files': []})
            session['owned'] = session['owned'] or entry['owned']
    for path, document in documents:
        uuid = embedded_session(document.get('token'))
        if uuid is not None:
            found.setdefault(uuid, {'session_uuid': uuid, 'owned': False, 'files': []})['files'].append(path)
    for session in found.values():
        session['end'] = revoke == 'all' or (revoke == 'owned' and session['owned'])
    return list(found.values())


def revocation_summary(sessions, revoke):
    """What revocation ends and what it leaves working, for the play's output: file paths, never a session.

    It follows "Ended <number> " in the role's output.
    """
    text = 'API session(s) behind the tokens (%s, console_files_revoke=%s)' % (REVOKE_WHAT[revoke], revoke)
    kept = [s for s in sessions if not s['end']]
    if kept:
        files = sorted(set(path for s in kept for path in s['files']))
        text += ('; kept %d session(s) %s, whose tokens still work (%s%s)'
                 % (len(kept), 'the role did not open' if revoke == 'owned' else 'not ended', ', '.join(files)
                    or 'no file left', '; console_files_revoke=all ends them too' if revoke != 'all' else ''))
    return text
