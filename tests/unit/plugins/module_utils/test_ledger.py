# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_ledger: the sessions tokens embed, the manifest, root's record of the sessions, and revocation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError
from ansible_collections.zstack.cloud.plugins.module_utils._ledger import (
    MANAGED_BY,
    file_changes,
    ledger_sessions,
    manifest_bytes,
    merge_ledger,
    read_manifest,
    revocation_summary,
    sessions_to_end,
)

SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
OTHER_SESSION = 'f' * 32
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
DUP1 = '7c7208c6159744e597c6474086f04727'
NOW = datetime(2026, 11, 30, 16, 0, 0, tzinfo=timezone.utc)


# ------------------------------------------------------------------ manifest and what changes

def test_manifest_believes_only_names_the_module_writes():
    content = json.dumps({'managed_by': MANAGED_BY, 'created_dir': True, 'files': [
        'web-01.html', 'index.html', '../../etc/shadow', '/etc/passwd', '.bashrc', 'notes.txt', 7,
        '.zstack-console-files.json', 'web-01.html']}).encode()
    assert read_manifest(content) == {'files': ['web-01.html', 'index.html'], 'created_dir': True}
    for bad in (b'', b'not json', b'[]', json.dumps({'files': ['a.json']}).encode()):
        assert read_manifest(bad) is None
    manifest = json.loads(manifest_bytes('alice', ['a.html'], False))
    assert read_manifest(manifest_bytes('alice', ['a.html'], False)) == {'files': ['a.html'], 'created_dir': False}
    assert manifest['operator'] == 'alice' and manifest['managed_by'] == MANAGED_BY


def test_file_changes():
    write, unchanged, stale = file_changes(
        {'a.html': b'A', 'b.json': b'B', 'c.json': None, 'index.html': b'I'},
        {'a.html': b'A', 'b.json': b'old', 'c.json': b'C', 'index.html': None},
        ['a.html', 'gone.json', 'missing.json', 'b.json'], ['a.html', 'b.json', 'gone.json', 'index.html'])
    assert write == ['b.json', 'c.json', 'index.html']  # different, not known (check mode), not a plain file
    assert unchanged == ['a.html']
    assert stale == ['gone.json']  # listed before, no longer planned, still there


# ------------------------------------------------------------------ ledger and revocation

def test_ledger_merge_keeps_old_sessions_and_owned_for_good():
    old = merge_ledger({}, {SESSION: True}, 'alice', 1001, NOW)
    later = merge_ledger(old, {SESSION: False, OTHER_SESSION: False}, 'alice', 1001, NOW + timedelta(hours=1))
    assert later['sessions'] == [
        {'uuid': SESSION, 'owned': True, 'recorded_at': '2026-11-30T16:00:00Z'},
        {'uuid': OTHER_SESSION, 'owned': False, 'recorded_at': '2026-11-30T17:00:00Z'}]
    assert later['uid'] == 1001 and later['managed_by'] == MANAGED_BY
    assert ledger_sessions({'sessions': [{'uuid': 'nope'}, 'x', {'uuid': SESSION.upper(), 'owned': 'yes'}]}) == \
        {SESSION: {'owned': False, 'recorded_at': None}}


def test_sessions_to_end_trusts_only_roots_record_for_ownership():
    ledger = merge_ledger({}, {SESSION: True, DUP1: False}, 'alice', 1001, NOW)
    documents = [('/home/alice/zstack-consoles/web-01.json', {'token': '%s_%s' % (SESSION, WEB01)}),
                 # an operator's own edit: another session, "owned" - adds a session, never ownership
                 ('/home/alice/zstack-consoles/x.json', {'token': '%s_%s' % (OTHER_SESSION, WEB02),
                                                         'session_owned': True})]
    owned = {s['session_uuid']: s for s in sessions_to_end([ledger], documents, 'owned')}
    assert owned[SESSION] == {'session_uuid': SESSION, 'owned': True, 'end': True,
                              'files': ['/home/alice/zstack-consoles/web-01.json']}
    assert owned[OTHER_SESSION]['owned'] is False and owned[OTHER_SESSION]['end'] is False
    assert owned[DUP1]['end'] is False
    assert all(s['end'] for s in sessions_to_end([ledger], documents, 'all'))
    assert not any(s['end'] for s in sessions_to_end([ledger], documents, 'none'))
    with pytest.raises(ConsoleFilesError, match='revoke must be one of'):
        sessions_to_end([], [], 'true')


def test_revocation_summary_names_files_never_sessions():
    sessions = sessions_to_end([merge_ledger({}, {SESSION: True}, 'a', 1, NOW)],
                               [('/srv/b/db.json', {'token': '%s_%s' % (OTHER_SESSION, WEB02)})], 'owned')
    text = revocation_summary(sessions, 'owned')
    assert text == ('API session(s) behind the tokens (sessions the role opened, console_files_revoke=owned); kept 1 '
                    'session(s) the role did not open, whose tokens still work (/srv/b/db.json; '
                    'console_files_revoke=all ends them too)')
    for session in sessions:
        session['end'] = True  # as sessions_to_end(..., 'all') marks them
    assert revocation_summary(sessions, 'all') == 'API session(s) behind the tokens (every session, console_files_revoke=all)'
    assert SESSION not in text and OTHER_SESSION not in text
