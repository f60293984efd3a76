#!/usr/bin/env python
"""Seed ansible-test's pip bootstrap cache so ``--venv`` works offline.

When ansible-test creates a virtual environment (``sanity --venv``,
``units --venv``, ...) it bootstraps pip by running
``https://ci-files.testing.ansible.com/ansible-test/get-pip-<ver>.py``, which it
caches at ``~/.ansible/test/cache/get_pip_<ver with _>.py``. That host is not
reachable here, but PyPI is. This script writes a stand-in into that cache
path: it installs pip with ``ensurepip`` and then lets that pip install the
exact packages ansible-test asked for (``pip==<ver>``) from the package index.

ansible-test itself is not modified. Run with the Python that has ansible-test
installed (the project's .venv). Idempotent: a stand-in that is already up to
date is left alone, and a genuine get-pip script (one without our marker, e.g.
downloaded on a machine with full internet access) is never overwritten.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import types

MARKER = '# zstack.cloud: offline stand-in for get-pip.py'

STAND_IN = MARKER + '''
# Written by tools/seed_ansible_test_cache.py; safe to delete (it is rewritten).
# ansible-test runs this as __main__ through its quiet_pip.py wrapper with
# GET_PIP pointing here; argv holds pip options and packages such as
# "--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel".
import os
import subprocess
import sys

# get-pip.py options that "pip install" does not know.
GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    env = dict(os.environ)
    env.pop('GET_PIP', None)
    probe = subprocess.run([sys.executable, '-c', 'import pip'], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if probe.returncode != 0:
        subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], env=env,
                              stdout=subprocess.DEVNULL)
    return subprocess.call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args, env=env)


if __name__ == '__main__':
    sys.exit(main())
'''


def wanted_pip_versions() -> set[str]:
    """Return every pip version ansible-test may bootstrap, from its own data."""
    try:
        # pylint: disable=import-outside-toplevel
        from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
        from ansible_test._internal.python_requirements import get_venv_packages
    except ImportError as ex:
        sys.exit('seed_ansible_test_cache: cannot import ansible_test (%s); run me with the .venv python' % ex)

    versions = set()
    for python_version in SUPPORTED_PYTHON_VERSIONS:
        packages = get_venv_packages(types.SimpleNamespace(version=python_version))
        versions.add(packages['pip'])
    return versions


def cache_path(pip_version: str) -> str:
    """Mirror ansible_test/_util/target/setup/requirements.py bootstrap()."""
    if not re.fullmatch(r'[0-9][0-9A-Za-z.]*', pip_version):
        raise ValueError('unexpected pip version %r' % pip_version)
    return os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % pip_version.replace('.', '_'))


def seed(path: str) -> str:
    """Write the stand-in to path unless not needed; return what was done."""
    if os.path.exists(path):
        with open(path, encoding='utf-8', errors='replace') as handle:
            current = handle.read()
        if current == STAND_IN:
            return 'up to date'
        if MARKER not in current:
            return 'kept (genuine get-pip script)'
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.seed-', suffix='.py')
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(STAND_IN)
    os.replace(tmp, path)
    return 'written'


def main() -> int:
    for pip_version in sorted(wanted_pip_versions()):
        path = cache_path(pip_version)
        print('ansible-test pip %s bootstrap: %s (%s)' % (pip_version, path, seed(path)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
