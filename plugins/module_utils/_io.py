# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Files written by root into directories that other users own, without ever following their links.

Everything happens relative to a directory file descriptor (``dir_fd=``), opened with ``O_NOFOLLOW``: a path is
resolved once, when its directory is opened, and never again. A file is created under a temporary name with
``O_CREAT|O_EXCL|O_NOFOLLOW`` and mode 0600, given to its owner with ``fchown``, written, ``fsync``ed and renamed over
the old name. So:

- no file ever exists with wider permissions than 0600, not even for a moment;
- a symlink or a hard link that the directory's owner planted under the file's name is replaced by the rename,
  never followed or written through - its target is not touched;
- readers see the old file or the new one, never half of one.

The model is community.crypto's ``module_utils/_io.py`` (``write_file``), made safe for directories others control.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO planted under a file's name must not make the read hang.
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
READ_LIMIT = 4 * 1024 * 1024
FILE_MODE = 0o600


class PathError(Exception):
    """A path that cannot be used safely; ``msg`` is one line for the user."""

    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg


def is_trusted_dir(info):
    """Whether only root can change a directory's entries (owned by root, not writable by group or others)."""
    return info.st_uid == 0 and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _describe(dir_fd, name):
    """What is at ``name`` instead of a directory, for a message."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return 'not a directory'
    return 'a symlink' if stat.S_ISLNK(info.st_mode) else 'not a directory'


def open_subdir(dir_fd, name, path=None):
    """An fd of the directory ``name`` in ``dir_fd``, never through a symlink. FileNotFoundError when missing."""
    try:
        return os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    except NotADirectoryError:  # O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR too
        raise PathError('%s exists but is %s' % (path or name, _describe(dir_fd, name))) from None


def open_dir(path):
    """An fd of the directory at the absolute ``path``, opened one component at a time.

    A symlink among the components is followed only where only root could have made it (in a directory owned by
    root and writable by nobody else: ``/home -> /data/home``); anywhere else - a home directory, ``/tmp`` - a
    symlink is refused. FileNotFoundError when a component is missing.
    """
    if not path.startswith('/') or '\x00' in path:
        raise PathError('%r is not an absolute path' % path)
    parts = [part for part in path.split('/') if part not in ('', '.')]
    if '..' in parts:
        raise PathError('%s: ".." is not allowed in the path' % path)
    fd = os.open('/', DIR_FLAGS)
    try:
        for index, part in enumerate(parts):
            where = '/' + '/'.join(parts[:index + 1])
            try:
                child = os.open(part, DIR_FLAGS, dir_fd=fd)
            except NotADirectoryError:
                info = os.stat(part, dir_fd=fd, follow_symlinks=False)
                if not (stat.S_ISLNK(info.st_mode) and is_trusted_dir(os.fstat(fd))):
                    raise PathError('%s is %s%s' % (where, _describe(fd, part),
                                                    ' in a directory others can write to' if stat.S_ISLNK(info.st_mode)
                                                    else '')) from None
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_subdir(dir_fd, name, uid, gid, mode=0o700):
    """Create the directory ``name`` in ``dir_fd`` (mode ``mode``, then given to uid:gid); return its fd.

    FileExistsError when something is already there.
    """
    os.mkdir(name, 0o700, dir_fd=dir_fd)
    fd = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    try:
        os.fchmod(fd, mode)
        os.fchown(fd, uid, gid)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_file(dir_fd, name, owner=None, mode=None, limit=READ_LIMIT):
    """(content, problem) of the file ``name`` in ``dir_fd``, read without following a link.

    content is None when there is no plain file to read: missing (problem None), or a symlink, a hard link, not a
    regular file, not ``owner``'s, not of mode ``mode`` (when given), or larger than ``limit`` (problem says which).
    Such a file is never read, so nothing a link points at is ever read through it.
    """
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None, None
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK):
            return None, 'a symlink'
        raise
    try:
        info = os.fstat(fd)
        problem = None
        if not stat.S_ISREG(info.st_mode):
            problem = 'not a regular file'
        elif info.st_nlink != 1:
            problem = 'a hard link'
        elif owner is not None and info.st_uid != owner:
            problem = 'owned by uid %d' % info.st_uid
        elif mode is not None and stat.S_IMODE(info.st_mode) != mode:
            problem = 'mode %04o' % stat.S_IMODE(info.st_mode)
        elif info.st_size > limit:
            problem = 'larger than %d bytes' % limit
        if problem:
            return None, problem
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, 'larger than %d bytes' % limit
        return b''.join(chunks), None
    finally:
        os.close(fd)


def exists(dir_fd, name):
    """Whether anything (a link included) is at ``name`` in ``dir_fd``."""
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def write_file(dir_fd, name, content, uid, gid, mode=FILE_MODE):
    """Put ``content`` at ``name`` in ``dir_fd``: a new file, mode 0600 from creation, owned by uid:gid.

    Created under a temporary name (O_CREAT|O_EXCL|O_NOFOLLOW), given to its owner, written, fsync'ed, then renamed
    over ``name`` - whatever was there, a planted link included, is replaced, not followed. ``mode``: the file's
    mode once it is its owner's (0700 for a script); group and others never get write permission.
    """
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PathError('%s: mode %04o would let others write to it' % (name, mode))
    for _attempt in range(10):
        temporary = '.%s.%s.tmp' % (name[:150], secrets.token_hex(6))
        try:
            fd = os.open(temporary, CREATE_FLAGS, FILE_MODE, dir_fd=dir_fd)
            break
        except FileExistsError:
            continue  # someone put something under that name: pick another
    else:
        raise PathError('%s: could not create a temporary file' % name)
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # the umask may have taken bits away; never adds any
            os.fchown(fd, uid, gid)
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
            if mode != FILE_MODE:
                os.fchmod(fd, mode)  # once written: the file is 0600 while it is being written
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=dir_fd)
        except OSError:
            pass
        raise


def remove_file(dir_fd, name):
    """Remove the entry ``name`` (a link itself, never its target); False when it was not there."""
    try:
        os.unlink(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    return True


def remove_dir(dir_fd, name):
    """Remove the directory ``name`` in ``dir_fd`` if it is empty: True if removed, False if missing or not empty."""
    try:
        os.rmdir(name, dir_fd=dir_fd)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as err:
        if err.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return False
        raise
    return True
