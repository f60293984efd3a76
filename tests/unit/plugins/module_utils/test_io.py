# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_io: files written through directory fds, 0600 from creation, links replaced and never followed.

Runs as root (the files are given to another uid, and the links planted point at root's files).
"""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _io

OTHER = 4242  # an operator's uid and gid; no passwd entry is needed to own files


@pytest.fixture(autouse=True)
def as_root():
    assert os.geteuid() == 0, 'these tests run as root: they give files to another uid'


@pytest.fixture
def tree(tmp_path):
    """tmp_path/op: the operator's 0700 directory; tmp_path/secret: a root file the operator must not reach."""
    os.chmod(tmp_path, 0o755)
    op = tmp_path / 'op'
    op.mkdir(mode=0o700)
    os.chown(op, OTHER, OTHER)
    secret = tmp_path / 'secret'
    secret.write_text('root only\n')
    os.chmod(secret, 0o600)
    return tmp_path


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def watch(monkeypatch):
    """Every os.open, os.write and os.rename the code makes, checked as it happens.

    At each write the file written is already 0600 and the operator's; before each rename every regular file in
    the directory is 0600. Every file created is created with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, relative to a
    directory fd.
    """
    seen = {'creates': [], 'writes': 0, 'renames': 0}
    real_open, real_write, real_rename = os.open, os.write, os.rename

    def fake_open(path, flags, mode=0o777, *, dir_fd=None):
        if flags & os.O_CREAT:
            seen['creates'].append((path, flags, mode, dir_fd))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    def fake_write(fd, data):
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            assert stat.S_IMODE(info.st_mode) == 0o600, oct(info.st_mode)
            assert info.st_uid in (0, OTHER)
            seen['writes'] += 1
        return real_write(fd, data)

    def fake_rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        assert src_dir_fd is not None and dst_dir_fd is not None
        for name in os.listdir(src_dir_fd):
            info = os.stat(name, dir_fd=src_dir_fd, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                assert stat.S_IMODE(info.st_mode) == 0o600, (name, oct(info.st_mode))
        seen['renames'] += 1
        return real_rename(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, 'open', fake_open)
    monkeypatch.setattr(os, 'write', fake_write)
    monkeypatch.setattr(os, 'rename', fake_rename)
    return seen


def test_write_file_is_0600_from_creation_and_owned(tree, watch, monkeypatch):
    monkeypatch.setattr(os, 'umask', os.umask)  # restored
    old = os.umask(0)  # even with no umask at all
    try:
        fd = _io.open_dir(str(tree / 'op'))
        try:
            _io.write_file(fd, 'web-01.json', b'{"token": "x"}\n', OTHER, OTHER)
        finally:
            os.close(fd)
    finally:
        os.umask(old)
    path = tree / 'op' / 'web-01.json'
    assert path.read_bytes() == b'{"token": "x"}\n'
    assert mode_of(path) == 0o600 and os.lstat(path).st_uid == OTHER and os.lstat(path).st_gid == OTHER
    assert watch['writes'] >= 1 and watch['renames'] == 1
    (name, flags, mode, dir_fd), = watch['creates']
    wanted = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    assert flags & wanted == wanted and mode == 0o600 and dir_fd is not None and '/' not in name
    assert sorted(os.listdir(tree / 'op')) == ['web-01.json']  # no temporary file left


def test_a_script_is_written_at_0600_then_given_its_mode(tree, monkeypatch):
    modes = []
    real_write = os.write

    def noted_write(fd, data):
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, 'write', noted_write)
    fd = _io.open_dir(str(tree / 'op'))
    try:
        _io.write_file(fd, 'zstack-console', b'#!/usr/bin/env python3\n', OTHER, OTHER, 0o700)
        with pytest.raises(_io.PathError, match='mode 0720 would let others write to it'):
            _io.write_file(fd, 'other', b'x', OTHER, OTHER, 0o720)
    finally:
        os.close(fd)
    path = tree / 'op' / 'zstack-console'
    # Every write went to a 0600 file; the file is 0700 once written, the operator's.
    assert modes and set(modes) == {0o600}
    assert mode_of(path) == 0o700 and os.lstat(path).st_uid == OTHER
    assert sorted(os.listdir(tree / 'op')) == ['zstack-console']


@pytest.mark.parametrize('plant', ['symlink', 'hardlink'])
def test_a_planted_link_is_replaced_and_its_target_untouched(tree, watch, plant):
    target = tree / 'secret'
    planted = tree / 'op' / 'web-01.html'
    if plant == 'symlink':
        planted.symlink_to(target)
    else:
        os.link(target, planted)
    before = (target.read_bytes(), os.stat(target))
    fd = _io.open_dir(str(tree / 'op'))
    try:
        content, problem = _io.read_file(fd, 'web-01.html', owner=OTHER)
        assert content is None and problem == ('a symlink' if plant == 'symlink' else 'a hard link')
        _io.write_file(fd, 'web-01.html', b'launcher', OTHER, OTHER)
    finally:
        os.close(fd)
    after = os.stat(target)
    assert target.read_bytes() == before[0] == b'root only\n'
    assert (after.st_uid, stat.S_IMODE(after.st_mode), after.st_mtime_ns) == \
        (before[1].st_uid, stat.S_IMODE(before[1].st_mode), before[1].st_mtime_ns)
    assert after.st_nlink == 1  # the hard link is gone from the operator's directory
    assert not planted.is_symlink() and planted.read_bytes() == b'launcher' and mode_of(planted) == 0o600
    assert os.lstat(planted).st_uid == OTHER


def test_a_planted_temporary_name_is_not_used(tree, monkeypatch):
    names = iter(['aaaaaaaaaaaa', 'bbbbbbbbbbbb'])
    monkeypatch.setattr(_io.secrets, 'token_hex', lambda _n: next(names))
    (tree / 'op' / '.x.json.aaaaaaaaaaaa.tmp').symlink_to(tree / 'secret')
    fd = _io.open_dir(str(tree / 'op'))
    try:
        _io.write_file(fd, 'x.json', b'new', OTHER, OTHER)
    finally:
        os.close(fd)
    assert (tree / 'secret').read_bytes() == b'root only\n'
    assert (tree / 'op' / 'x.json').read_bytes() == b'new'


def test_a_failed_write_leaves_no_temporary_file(tree, monkeypatch):
    def broken(_fd):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', broken)
    fd = _io.open_dir(str(tree / 'op'))
    try:
        with pytest.raises(OSError, match='No space'):
            _io.write_file(fd, 'x.json', b'new', OTHER, OTHER)
        assert os.listdir(fd) == []
    finally:
        os.close(fd)


def test_read_file_reads_only_plain_files(tree):
    op = tree / 'op'
    (op / 'ok').write_bytes(b'data')
    os.chmod(op / 'ok', 0o600)
    (op / 'wide').write_bytes(b'data')
    os.chmod(op / 'wide', 0o644)
    os.mkfifo(op / 'fifo')  # would block a plain open
    (op / 'dir').mkdir()
    fd = _io.open_dir(str(op))
    try:
        assert _io.read_file(fd, 'ok') == (b'data', None)
        assert _io.read_file(fd, 'ok', owner=OTHER) == (None, 'owned by uid 0')
        assert _io.read_file(fd, 'wide') == (b'data', None)
        assert _io.read_file(fd, 'wide', mode=0o600) == (None, 'mode 0644')
        assert _io.read_file(fd, 'fifo') == (None, 'not a regular file')
        assert _io.read_file(fd, 'dir') == (None, 'not a regular file')
        assert _io.read_file(fd, 'missing') == (None, None)
        assert _io.read_file(fd, 'ok', limit=3) == (None, 'larger than 3 bytes')
    finally:
        os.close(fd)


def test_open_dir_refuses_symlinks_others_could_plant(tree):
    # A symlink in the operator's directory (or any directory others can write to) is never followed ...
    (tree / 'op' / 'sub').symlink_to(tree)
    with pytest.raises(_io.PathError, match=r'/op/sub is a symlink in a directory others can write to'):
        _io.open_dir(str(tree / 'op' / 'sub'))
    world = tree / 'world'
    world.mkdir()
    os.chmod(world, 0o1777)
    (world / 'link').symlink_to(tree / 'op')
    with pytest.raises(_io.PathError, match='a symlink in a directory others can write to'):
        _io.open_dir(str(world / 'link'))
    # ... but one only root could have made is (/home -> /data/home).
    (tree / 'rootlink').symlink_to(tree / 'op')
    fd = _io.open_dir(str(tree / 'rootlink'))
    try:
        assert os.fstat(fd).st_uid == OTHER
    finally:
        os.close(fd)


@pytest.mark.parametrize('path, error', [('relative/dir', _io.PathError), ('/a/../b', _io.PathError)])
def test_open_dir_wants_a_plain_absolute_path(path, error):
    with pytest.raises(error):
        _io.open_dir(path)


def test_open_subdir_and_make_subdir(tree):
    fd = _io.open_dir(str(tree))
    try:
        (tree / 'file').write_text('x')
        (tree / 'link').symlink_to(tree / 'op')
        with pytest.raises(_io.PathError, match='link exists but is a symlink'):
            _io.open_subdir(fd, 'link')
        with pytest.raises(_io.PathError, match='file exists but is not a directory'):
            _io.open_subdir(fd, 'file')
        with pytest.raises(FileNotFoundError):
            _io.open_subdir(fd, 'new')
        new = _io.make_subdir(fd, 'new', OTHER, OTHER)
        info = os.fstat(new)
        os.close(new)
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OTHER, OTHER, 0o700)
        with pytest.raises(FileExistsError):
            _io.make_subdir(fd, 'link', OTHER, OTHER)
    finally:
        os.close(fd)


def test_remove_file_and_dir_never_follow(tree):
    op = tree / 'op'
    (op / 'link').symlink_to(tree / 'secret')
    (op / 'sub').mkdir()
    (op / 'sub' / 'f').write_text('x')
    fd = _io.open_dir(str(op))
    try:
        assert _io.remove_file(fd, 'link') is True
        assert _io.remove_file(fd, 'link') is False
        assert _io.remove_dir(fd, 'sub') is False  # not empty
        os.unlink(op / 'sub' / 'f')
        assert _io.remove_dir(fd, 'sub') is True
        assert _io.remove_dir(fd, 'sub') is False
        assert _io.exists(fd, 'sub') is False
    finally:
        os.close(fd)
    assert (tree / 'secret').read_bytes() == b'root only\n'
