# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The zstack_console_files module, run in-process through main() on a scratch directory, as root.

Operators are uids without passwd entries (``pwd.getpwnam`` is replaced): root gives them their files.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import namedtuple

import pytest


from ansible_collections.zstack.cloud.plugins.module_utils import _console_files_service
from ansible_collections.zstack.cloud.plugins.modules import zstack_console_files

SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
TOKEN_RE = re.compile(r'[0-9a-f]{32}_[0-9a-f]{32}')
ALICE = 4301
BOB = 4302
Passwd = namedtuple('Passwd', 'pw_name pw_uid pw_gid pw_dir')


def console(uuid, name, **extra):
    token = '%s_%s' % (SESSION, uuid)
    entry = {'vm_instance_uuid': uuid, 'vm_instance_name': name, 'scheme': 'http', 'hostname': '10.0.0.5',
             'port': 4900, 'token': token, 'websocket_url': 'ws://10.0.0.5:4900/?token=' + token,
             'target_scheme': 'vnc', 'version': '2', 'expired_date': 'Nov 30, 2026 4:30:00 PM',
             'expires_at': '2099-11-30T16:30:00Z', 'session_owned': True}
    entry.update(extra)
    return entry


CONSOLES = [console(WEB01, 'web-01'), console(WEB02, 'web-02')]


@pytest.fixture(autouse=True)
def as_root():
    assert os.geteuid() == 0, 'these tests run as root: the module gives files to other uids'


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Homes for alice and bob (theirs, 0755), a root-only ledger parent, a root file nobody else may reach."""
    os.chmod(tmp_path, 0o755)
    users = {}
    for name, uid in (('alice', ALICE), ('bob', BOB)):
        home = tmp_path / 'home' / name
        home.mkdir(parents=True)
        os.chown(home, uid, uid)
        users[name] = Passwd(name, uid, uid, str(home))

    def getpwnam(name):
        return users[name]

    monkeypatch.setattr(_console_files_service.pwd, 'getpwnam', getpwnam)
    secret = tmp_path / 'secret'
    secret.write_text('root only\n')
    os.chmod(secret, 0o600)
    return {'root': tmp_path, 'alice': tmp_path / 'home' / 'alice' / 'zstack-consoles',
            'bob': tmp_path / 'home' / 'bob' / 'zstack-consoles', 'ledger': tmp_path / 'ledger', 'secret': secret}


def args(site, **extra):
    base = {'operators': [{'name': 'alice', 'vms': ['web-01', WEB02]}, {'name': 'bob', 'vms': ['web-02']}],
            'consoles': CONSOLES, 'ledger_dir': str(site['ledger'])}
    base.update(extra)
    return base


@pytest.fixture
def run(run_module):
    """zstack_console_files in-process: run(args, check_mode, diff) -> (exit code, result); never a token in the output."""
    def run_files(module_args, check_mode=False, diff=False):
        code, out, result = run_module(zstack_console_files, module_args, check_mode=check_mode, diff=diff)
        assert not TOKEN_RE.search(out), 'a token in the module output'
        return code, result
    return run_files


def warnings(result):
    """The warnings' texts (ansible-core 2.19 returns each as a WarningSummary with its event)."""
    return [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings', [])]


def snapshot(root):
    """Every path under root with its type, mode, owner and content."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            content = open(path, 'rb').read() if stat.S_ISREG(info.st_mode) else os.readlink(path) \
                if stat.S_ISLNK(info.st_mode) else None
            found[path] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_uid, content)
    return found


def listing(directory):
    return sorted(os.listdir(directory))


# ------------------------------------------------------------------ present

def test_present_writes_every_operators_files_safely(site, run, monkeypatch):
    # Every write goes to a file that is already 0600 and its owner's; every file is created O_EXCL|O_NOFOLLOW
    # at 0600 relative to a directory fd; before each rename, every regular file in the directory is 0600 - but the
    # script zstack-console (no secret in it), 0700 once written.
    creates = []
    real_open, real_write, real_rename = os.open, os.write, os.rename

    def watched_open(path, flags, mode=0o777, *, dir_fd=None):
        if flags & os.O_CREAT:
            creates.append((path, flags, mode, dir_fd))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    def watched_write(fd, data):
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid in (0, ALICE, BOB)
        return real_write(fd, data)

    def watched_rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        for name in os.listdir(src_dir_fd):
            info = os.stat(name, dir_fd=src_dir_fd, follow_symlinks=False)
            mode = 0o700 if name == 'zstack-console' or name.startswith('.zstack-console.') else 0o600
            assert not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) == mode, name
        return real_rename(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, 'open', watched_open)
    monkeypatch.setattr(os, 'write', watched_write)
    monkeypatch.setattr(os, 'rename', watched_rename)
    code, result = run(args(site))
    monkeypatch.undo()

    assert code == 0, result
    assert result['changed'] is True
    wanted = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    assert creates and all(flags & wanted == wanted and mode == 0o600 and dir_fd is not None and '/' not in path
                           for path, flags, mode, dir_fd in creates)
    assert listing(site['alice']) == ['.zstack-console-files.json', 'index.html', 'web-01.html', 'web-01.json',
                                      'web-02.html', 'web-02.json', 'zstack-console']
    assert listing(site['bob']) == ['.zstack-console-files.json', 'index.html', 'web-02.html', 'web-02.json',
                                    'zstack-console']
    for who, uid in (('alice', ALICE), ('bob', BOB)):
        info = os.lstat(site[who])
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o700, uid, uid)
        for name in os.listdir(site[who]):
            info = os.lstat(site[who] / name)
            mode = 0o700 if name == 'zstack-console' else 0o600  # the script: the operator's, writable by no one else
            assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == mode and info.st_uid == uid, name
    document = json.loads((site['alice'] / 'web-01.json').read_text())
    assert document['token'] == CONSOLES[0]['token'] and document['expires_at'] == '2099-11-30T16:30:00Z'
    assert CONSOLES[0]['websocket_url'] in (site['alice'] / 'web-01.html').read_text()
    manifest = json.loads((site['alice'] / '.zstack-console-files.json').read_text())
    assert manifest['created_dir'] is True and sorted(manifest['files']) == listing(site['alice'])[1:]
    # Root's record: a 0700 directory of root's, one 0600 file per operator, by uid.
    assert stat.S_IMODE(os.lstat(site['ledger']).st_mode) == 0o700 and os.lstat(site['ledger']).st_uid == 0
    assert listing(site['ledger']) == ['uid-%d.json' % ALICE, 'uid-%d.json' % BOB]
    ledger = json.loads((site['ledger'] / ('uid-%d.json' % ALICE)).read_text())
    assert ledger['sessions'][0]['uuid'] == SESSION and ledger['sessions'][0]['owned'] is True
    # The result: names, counts, expiry - no token (checked in run()).
    alice = result['operators'][0]
    assert alice['directory'] == 'created' and sorted(alice['written']) == listing(site['alice'])[1:]
    assert [c['expires_at'] for c in alice['consoles']] == ['2099-11-30T16:30:00Z'] * 2
    assert result['summary'][0].startswith('alice: 2 console(s) in %s/index.html, the first expiring at 2099-' %
                                           site['alice'])


def test_the_bridge_script_is_the_operators_own_executable_and_goes_with_the_consoles(site, run):
    from ansible_collections.zstack.cloud.plugins.module_utils import _console_bridge

    alice = site['alice']
    alice.mkdir(mode=0o700)
    os.chown(alice, ALICE, ALICE)
    os.symlink(site['secret'], alice / 'zstack-console')  # planted: replaced, never written through
    code, result = run(args(site))
    assert code == 0, result
    info = os.lstat(alice / 'zstack-console')
    assert stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and (info.st_uid, info.st_gid) == (ALICE, ALICE)
    assert stat.S_IMODE(info.st_mode) == 0o700  # the operator's to run; no one else may write (or read) it
    with open(_console_bridge.__file__, 'rb') as handle:
        assert (alice / 'zstack-console').read_bytes() == b'#!/usr/bin/env python3\n' + handle.read()
    assert site['secret'].read_text() == 'root only\n' and stat.S_IMODE(os.stat(site['secret']).st_mode) == 0o600
    assert 'zstack-console' in json.loads((alice / '.zstack-console-files.json').read_text())['files']
    # Its mode put back if changed, like any file's; left alone when nothing changed.
    os.chmod(alice / 'zstack-console', 0o775)
    code, result = run(args(site))
    assert 'zstack-console' in result['operators'][0]['written']
    assert stat.S_IMODE(os.lstat(alice / 'zstack-console').st_mode) == 0o700
    code, result = run(args(site))
    assert result['changed'] is False and 'zstack-console' in result['operators'][0]['unchanged']
    # No consoles left for bob: the script goes with them; state=absent removes alice's.
    code, result = run(args(site, operators=[{'name': 'bob', 'vms': []}]))
    assert code == 0 and 'zstack-console' in result['operators'][0]['removed']
    assert listing(site['bob']) == ['.zstack-console-files.json', 'index.html']
    code, result = run(args(site, state='absent', operators=[{'name': 'alice'}]))
    assert code == 0 and 'zstack-console' in result['operators'][0]['removed']
    assert listing(alice) == []  # the directory was there before: it stays


def test_planted_links_are_replaced_and_their_targets_untouched(site, run):
    alice = site['alice']
    alice.mkdir(mode=0o700)
    os.chown(alice, ALICE, ALICE)
    os.symlink(site['secret'], alice / 'web-01.html')
    os.link(site['secret'], alice / 'web-01.json')
    os.symlink(site['secret'], alice / 'index.html')
    os.link(site['secret'], alice / '.zstack-console-files.json')
    secret_before = os.stat(site['secret'])
    code, result = run(args(site))
    assert code == 0, result
    secret_after = os.stat(site['secret'])
    assert site['secret'].read_text() == 'root only\n'
    assert (secret_after.st_uid, stat.S_IMODE(secret_after.st_mode), secret_after.st_mtime_ns, secret_after.st_nlink) \
        == (0, 0o600, secret_before.st_mtime_ns, 1)
    for name in ('web-01.html', 'web-01.json', 'index.html', '.zstack-console-files.json'):
        info = os.lstat(alice / name)
        assert stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == ALICE, name
    assert json.loads((alice / 'web-01.json').read_text())['vm_instance_name'] == 'web-01'
    assert result['operators'][0]['directory'] == 'exists'
    # The manifest was a link: not believed (a warning says so), and the directory is not the module's own.
    assert any('.zstack-console-files.json is a hard link: ignored' in w for w in warnings(result))
    assert json.loads((alice / '.zstack-console-files.json').read_text())['created_dir'] is False


def test_second_run_with_the_same_consoles_changes_nothing_and_a_dropped_vm_goes(site, run):
    assert run(args(site))[1]['changed'] is True
    before = snapshot(site['root'])
    code, result = run(args(site))
    assert code == 0 and result['changed'] is False, result
    assert snapshot(site['root']) == before
    assert sorted(result['operators'][0]['unchanged']) == ['index.html', 'web-01.html', 'web-01.json', 'web-02.html',
                                                           'web-02.json', 'zstack-console']
    (site['alice'] / 'notes.txt').write_text('mine')
    code, result = run(args(site, operators=[{'name': 'alice', 'vms': ['web-01']}]))
    assert code == 0 and result['changed'] is True
    assert sorted(result['operators'][0]['removed']) == ['web-02.html', 'web-02.json']
    assert listing(site['alice']) == ['.zstack-console-files.json', 'index.html', 'notes.txt', 'web-01.html',
                                      'web-01.json', 'zstack-console']


def test_check_mode_writes_nothing_and_diff_says_what_would_change(site, run):
    tokenless = [{'vm_instance_uuid': c['vm_instance_uuid'], 'vm_instance_name': c['vm_instance_name']}
                 for c in CONSOLES]  # what zstack_console_access gives in check mode
    before = snapshot(site['root'])
    code, result = run(args(site, consoles=tokenless), check_mode=True, diff=True)
    assert code == 0 and result['changed'] is True, result
    assert snapshot(site['root']) == before
    assert result['operators'][0]['directory'] == 'created'
    assert sorted(result['operators'][0]['written']) == ['index.html', 'web-01.html', 'web-01.json', 'web-02.html',
                                                         'web-02.json', 'zstack-console']
    assert result['diff'][0] == {'before_header': str(site['alice']), 'after_header': str(site['alice']), 'before': '',
                                 'after': '.zstack-console-files.json\nindex.html\nweb-01.html\nweb-01.json\n'
                                          'web-02.html\nweb-02.json\nzstack-console\n'}
    assert result['summary'][0].endswith('(check mode: nothing written)')
    # With real consoles after a run: check mode finds nothing to change.
    run(args(site))
    before = snapshot(site['root'])
    code, result = run(args(site), check_mode=True)
    assert code == 0 and result['changed'] is False and snapshot(site['root']) == before


def test_outside_check_mode_entries_need_tokens(site, run):
    code, result = run(args(site, consoles=[{'vm_instance_uuid': WEB01, 'vm_instance_name': 'web-01'},
                                            {'vm_instance_uuid': WEB02, 'vm_instance_name': 'web-02'}]))
    assert code == 1 and "operator 'alice': a console entry has no token" in result['msg']
    assert not site['alice'].exists()


def test_spice_console_gets_a_launcher(site, run):
    consoles = [console(WEB01, 'web-01', target_scheme='spice'), console(WEB02, 'web-02')]
    code, result = run(args(site, consoles=consoles))
    assert code == 0, result
    assert {'web-01.html', 'web-01.json'} <= set(listing(site['alice']))
    assert not [w for w in warnings(result) if 'launcher' in w]
    assert 'window.ZStackSpice' in (site['alice'] / 'web-01.html').read_text()


def test_unknown_console_protocol_gets_json_and_a_warning_but_no_launcher(site, run):
    consoles = [console(WEB01, 'web-01', target_scheme='rdp'), console(WEB02, 'web-02')]
    code, result = run(args(site, consoles=consoles))
    assert code == 0, result
    assert 'web-01.html' not in listing(site['alice']) and 'web-01.json' in listing(site['alice'])
    assert any(w.startswith('operator alice, VM web-01: no launcher written:') for w in warnings(result))
    assert 'no launcher for web-01' in result['summary'][0]


def test_page_launchers_with_novnc_url(site, run):
    code, result = run(args(site, novnc_url='http://127.0.0.1:6080/vnc_lite.html'))
    assert code == 0, result
    document = json.loads((site['bob'] / 'web-02.json').read_text())
    assert document['launcher_url'].startswith('http://127.0.0.1:6080/vnc_lite.html#autoconnect=true&')
    assert 'location.replace' in (site['bob'] / 'web-02.html').read_text()


@pytest.mark.parametrize('prepare, message', [
    (lambda s: (s['alice'].mkdir(), None), 'alice: {alice} exists but is owned by uid 0, not by alice (uid 4301); '
                                           'give the operator a dest of their own'),
    (lambda s: os.symlink(s['root'], s['alice']), 'alice: {alice} exists but is a symlink; give the operator'),
    (lambda s: (s['ledger'].mkdir(), os.chown(s['ledger'], BOB, BOB)),
     'ledger_dir {ledger} exists but is owned by uid 4302, not by root; give a directory only root can write to'),
    (lambda s: (s['ledger'].mkdir(), os.chmod(s['ledger'], 0o770)), 'ledger_dir {ledger} exists but is writable by its'),
    (lambda s: os.symlink(s['root'], s['ledger']), 'ledger_dir {ledger} exists but is a symlink'),
])
def test_refused_directories_change_nothing(site, run, prepare, message):
    prepare(site)
    before = snapshot(site['root'])
    code, result = run(args(site))
    assert code == 1 and result['msg'].startswith(message.format(**{k: str(v) for k, v in site.items()})), result
    assert snapshot(site['root']) == before


@pytest.mark.parametrize('operators, message', [
    ([{'name': 'alice', 'dest': '/nonexistent-parent/x'}], 'alice: the parent of /nonexistent-parent/x does not exist'),
    ([{'name': 'carol'}], "operator 'carol' is not a user on the target"),
    ([{'name': 'alice', 'dest': '/tmp/zc-x'}, {'name': 'bob', 'dest': '/tmp/zc-x/'}],
     "operators #1 'alice' and #2 'bob' both write to /tmp/zc-x"),
    ([{'name': 'alice'}, {'name': 'alice', 'dest': '/tmp/zc-y'}], "operators #1 'alice' and #2 'alice' both are uid"),
    ([{'name': 'alice', 'vms': ['db-01']}], "operator 'alice': no console was given for VM 'db-01'"),
])
def test_refused_operators(site, run, operators, message):
    code, result = run(args(site, operators=operators))
    assert code == 1 and message in result['msg'], result
    assert not os.path.exists('/tmp/zc-x') and not os.path.exists('/tmp/zc-y')


# ------------------------------------------------------------------ absent

def test_list_sessions_then_absent(site, run):
    run(args(site))
    (site['alice'] / 'notes.txt').write_text('mine')
    # The operator edits the manifest to point at root's file and outside the directory: not believed.
    manifest = json.loads((site['bob'] / '.zstack-console-files.json').read_text())
    manifest['files'] += ['../../../secret', str(site['secret'])]
    (site['bob'] / '.zstack-console-files.json').write_text(json.dumps(manifest))
    os.symlink(site['secret'], site['bob'] / 'linked.json')

    before = snapshot(site['root'])
    _code, listed = run(args(site, state='absent', list_sessions=True))
    assert listed['changed'] is False and snapshot(site['root']) == before
    (session,) = listed['sessions']
    assert session['session_uuid'] == SESSION and session['owned'] is True and session['end'] is True
    holders = (('alice', 'web-01.json'), ('alice', 'web-02.json'), ('bob', 'web-02.json'))
    assert sorted(session['files']) == sorted(str(site[who] / name) for who, name in holders)
    assert listed['revocation'] == 'API session(s) behind the tokens (sessions the role opened, console_files_revoke=owned)'

    code, result = run(args(site, state='absent'), check_mode=True)
    assert code == 0 and result['changed'] is True and snapshot(site['root']) == before
    assert [o['directory'] for o in result['operators']] == ['kept', 'kept']  # bob's: linked.json is in it

    code, result = run(args(site, state='absent'))
    assert code == 0 and result['changed'] is True, result
    assert listing(site['alice']) == ['notes.txt'] and listing(site['bob']) == ['linked.json']
    assert site['secret'].read_text() == 'root only\n' and listing(site['ledger']) == []
    os.unlink(site['bob'] / 'linked.json')
    code, result = run(args(site, state='absent'))
    assert code == 0 and result['changed'] is False  # nothing left of the module's: bob's directory stays too


def test_absent_removes_a_directory_it_created_once_empty(site, run):
    run(args(site))
    code, result = run(args(site, state='absent'), diff=True)
    assert code == 0 and [o['directory'] for o in result['operators']] == ['removed', 'removed']
    assert not site['alice'].exists() and not site['bob'].exists()
    assert result['diff'][1]['after'] == '' and 'web-02.json\n' in result['diff'][1]['before']
    assert result['summary'][1] == 'bob: removed 5 file(s) from %s, and the directory' % site['bob']
    code, result = run(args(site, state='absent'))
    assert code == 0 and result['changed'] is False and result['operators'][0]['directory'] == 'missing'


def test_list_sessions_only_with_absent(site, run):
    code, result = run(args(site, list_sessions=True))
    assert code == 1 and result['msg'] == 'list_sessions goes with state=absent'


def test_token_inputs_are_no_log(site, run):
    code, result = run(args(site))
    assert code == 0
    consoles = result['invocation']['module_args']['consoles']
    assert consoles[0]['token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert consoles[0]['websocket_url'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


# ------------------------------------------------------------------ partial incidents and advice that works

def test_vms_that_got_no_console_get_a_line_each_and_no_files(site, run):
    failures = [{'vm_instance_name': 'app-01', 'msg': 'VM app-01: ZStack API error SYS.1006: current state is Stopped'},
                {'vm_instance_name': 'gone-01', 'msg': "No VM named 'gone-01' that is not Destroyed"}]
    operators = [{'name': 'alice', 'vms': ['web-01', 'app-01', 'gone-01']}, {'name': 'bob', 'vms': ['app-01']}]
    code, result = run(args(site, operators=operators, consoles=[console(WEB01, 'web-01')], failures=failures))
    assert code == 0, result
    assert result['summary'][1:3] == [
        'alice: VM app-01 got no console: VM app-01: ZStack API error SYS.1006: current state is Stopped',
        "alice: VM gone-01 got no console: No VM named 'gone-01' that is not Destroyed"]
    assert result['summary'][3].startswith('bob: 0 console(s)')
    assert result['summary'][4] == ('bob: VM app-01 got no console: VM app-01: ZStack API error SYS.1006: current '
                                    'state is Stopped')
    assert [item['vm'] for item in result['operators'][0]['no_console']] == ['app-01', 'gone-01']
    assert 'web-01.html' in listing(site['alice']) and not any(name.startswith('app-01') for name in listing(site['alice']))
    # A VM that is in neither list is still an error (the play asked ZStack for other VMs than it lists here).
    code, result = run(args(site, operators=[{'name': 'alice', 'vms': ['db-07']}], failures=failures))
    assert code == 1 and "no console was given for VM 'db-07'" in result['msg']


def test_absent_keeps_the_sessions_it_did_not_end_so_that_the_printed_advice_works(site, run):
    """revoke=owned leaves a session the role did not open; the summary advises console_files_revoke=all, and a run
    with it, after the files are gone, still finds that session (root's record keeps it) - and then forgets it."""
    other = 'ffeeddccbbaa99887766554433221100'
    consoles = [console(WEB01, 'web-01'), console(WEB02, 'web-02', token='%s_%s' % (other, WEB02),
                                                  websocket_url='ws://10.0.0.5:4900/?token=%s_%s' % (other, WEB02),
                                                  session_owned=False)]
    assert run(args(site, consoles=consoles))[0] == 0
    code, listed = run(args(site, state='absent', list_sessions=True))
    assert {s['session_uuid']: s['end'] for s in listed['sessions']} == {SESSION: True, other: False}
    assert listed['revocation'].endswith('; console_files_revoke=all ends them too)')
    code, result = run(args(site, state='absent'))  # the role ended SESSION just before, as it was told to
    assert code == 0 and not site['alice'].exists() and not site['bob'].exists()
    # As advised: revoke=all. The files are gone, root's record is not.
    code, listed = run(args(site, state='absent', list_sessions=True, revoke='all'))
    assert [(s['session_uuid'], s['owned'], s['end']) for s in listed['sessions']] == [(other, False, True)]
    code, result = run(args(site, state='absent', revoke='all'))
    assert code == 0 and listing(site['ledger']) == []
    code, listed = run(args(site, state='absent', list_sessions=True, revoke='all'))
    assert listed['sessions'] == []
