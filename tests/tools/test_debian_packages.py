# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""tools/debian_packages.sh, the step of `make` that installs the Debian packages the stages need.

The script runs for real; only the system's package tools are stand-ins on PATH (dpkg-query, apt-get, sudo, id), so
that the test neither needs nor changes the machine's packages: dpkg-query answers from a list of installed
packages, apt-get records its calls and "installs" into that list, sudo records its calls and works only when the
test says it is passwordless, id says whether we are root. (The real thing - `apt-get remove x11-xserver-utils`,
then `make e2e` installs it back - is what CI's fresh machine does; the README says so.)
"""

from __future__ import annotations

import os
import subprocess
import types

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'tools', 'debian_packages.sh')
E2E = ['chromium', 'tigervnc-standalone-server', 'novnc', 'x11-xserver-utils', 'python3', 'tigervnc-tools',
       'qemu-system-x86', 'virt-viewer', 'xvfb', 'x11-apps', 'imagemagick', 'openssl']
ALL = ['python3-venv', 'git', 'shellcheck', 'openssl'] + E2E[:-1]  # each package once: openssl is integration's too

STAND_INS = {
    'dpkg-query': r'''#!/bin/sh
# dpkg-query -W -f='${Status}' PACKAGE
for package; do :; done
if grep -qx "$package" "$FAKE/installed"; then printf 'install ok installed'; exit 0; fi
echo "dpkg-query: no packages found matching $package" >&2
exit 1
''',
    'apt-get': r'''#!/bin/sh
echo "apt-get $* (DEBIAN_FRONTEND=$DEBIAN_FRONTEND uid=$(id -u))" >>"$FAKE/calls"
if [ "$1" = install ]; then
  for arg; do case "$arg" in -*|install) ;; *) echo "$arg" >>"$FAKE/installed" ;; esac; done
fi
''',
    'sudo': r'''#!/bin/sh
[ "$FAKE_SUDO" = passwordless ] || { echo "sudo: a password is required" >&2; exit 1; }
[ "$1" = -n ] && shift
echo "sudo $*" >>"$FAKE/calls"
FAKE_UID=0 exec "$@"
''',
    'id': r'''#!/bin/sh
echo "$FAKE_UID"
''',
}


def run(tmp_path, installed, *args, uid=0, sudo=None, stand_ins=None):
    fake = tmp_path / 'fake'
    bin_dir = fake / 'bin'
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, text in dict(STAND_INS, **(stand_ins or {})).items():
        (bin_dir / name).write_text(text, encoding='utf-8')
        (bin_dir / name).chmod(0o755)
    (fake / 'installed').write_text(''.join(p + '\n' for p in installed), encoding='utf-8')
    (fake / 'calls').write_text('', encoding='utf-8')
    env = {'PATH': '%s:/usr/bin:/bin' % bin_dir, 'FAKE': str(fake), 'FAKE_UID': str(uid), 'FAKE_SUDO': sudo or ''}
    result = subprocess.run(['bash', SCRIPT] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=60, check=False)
    return types.SimpleNamespace(returncode=result.returncode, stdout=result.stdout, stderr=result.stderr,
                                 calls=(fake / 'calls').read_text(encoding='utf-8').splitlines(),
                                 installed=(fake / 'installed').read_text(encoding='utf-8').split())


def test_nothing_to_do_when_everything_is_installed(tmp_path):
    result = run(tmp_path, ALL, 'ensure')
    assert result.returncode == 0, result.stderr
    assert result.calls == []
    assert 'installed: ' + ' '.join(ALL) in result.stdout


def test_as_root_installs_only_what_is_missing(tmp_path):
    result = run(tmp_path, [p for p in ALL if p != 'x11-xserver-utils'], 'ensure', 'e2e')
    assert result.returncode == 0, result.stderr
    assert result.calls == ['apt-get update -qq (DEBIAN_FRONTEND=noninteractive uid=0)',
                            'apt-get install -y -qq x11-xserver-utils (DEBIAN_FRONTEND=noninteractive uid=0)']
    assert 'x11-xserver-utils' in result.installed


def test_a_stage_asks_only_for_its_own_group(tmp_path):
    # shellcheck is missing, but the e2e stage does not need it.
    result = run(tmp_path, [p for p in ALL if p != 'shellcheck'], 'ensure', 'e2e', uid=1000)
    assert result.returncode == 0, result.stderr
    assert result.calls == []


def test_through_passwordless_sudo(tmp_path):
    result = run(tmp_path, ['git'], 'ensure', 'sanity', 'integration', uid=1000, sudo='passwordless')
    assert result.returncode == 0, result.stderr
    assert result.calls == ['sudo true',  # the check that sudo needs no password
                            'sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq',
                            'apt-get update -qq (DEBIAN_FRONTEND=noninteractive uid=0)',
                            'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck openssl',
                            'apt-get install -y -qq shellcheck openssl (DEBIAN_FRONTEND=noninteractive uid=0)']
    assert {'shellcheck', 'openssl'} <= set(result.installed)


def test_without_root_or_sudo_it_fails_at_once_with_the_command_to_run(tmp_path):
    result = run(tmp_path, ['git', 'openssl', 'python3'], 'ensure', 'e2e', uid=1000)
    assert result.returncode == 1
    assert result.calls == []
    lines = result.stderr.splitlines()
    assert lines[0] == ('debian_packages: missing Debian packages: chromium tigervnc-standalone-server novnc '
                        'x11-xserver-utils tigervnc-tools qemu-system-x86 virt-viewer xvfb x11-apps imagemagick; '
                        'not root and no passwordless sudo.')
    # One command installs what every stage is missing, not only this one's.
    assert lines[-1] == ('  sudo apt-get update && sudo apt-get install -y python3-venv shellcheck chromium '
                         'tigervnc-standalone-server novnc x11-xserver-utils tigervnc-tools qemu-system-x86 '
                         'virt-viewer xvfb x11-apps imagemagick')


def test_a_failed_install_fails(tmp_path):
    does_nothing = '#!/bin/sh\necho "apt-get $*" >>"$FAKE/calls"\n'
    result = run(tmp_path, [], 'ensure', 'git', stand_ins={'apt-get': does_nothing})
    assert result.returncode == 1
    assert 'apt-get install did not install git' in result.stderr
    assert result.calls == ['apt-get update -qq', 'apt-get install -y -qq git']


@pytest.mark.parametrize('args', [['ensure', 'nosuchgroup'], ['list', 'e2e', 'nosuchgroup'], ['frobnicate']])
def test_bad_arguments(tmp_path, args):
    result = run(tmp_path, ALL, *args)
    assert result.returncode in (1, 2)
    assert result.calls == []
    assert result.stderr.strip()


def test_list_is_the_one_list():
    result = subprocess.run(['bash', SCRIPT, 'list'], stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    assert result.stdout.split() == ALL
    result = subprocess.run(['bash', SCRIPT, 'list', 'e2e'], stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    assert result.stdout.split() == E2E
