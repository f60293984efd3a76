# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every test of the pytest suites has a time-out, and a test that hangs fails within it, by name.

The suites get their time-out from their pytest.ini (pytest-timeout): tests/pytest.ini for `make units`
(tests/unit, tests/simulator, tests/tools), tests/e2e/pytest.ini for `make e2e` and tests/docsite/pytest.ini for
`make docsite`. Here a copy of each file runs pytest, in a subprocess, on a test that waits forever - with the
time-out lowered to 2 s on the command line, the only change - and the run must fail within seconds and name that
test.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import time

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = {
    'units': (os.path.join(TESTS, 'pytest.ini'), 120),
    'e2e': (os.path.join(TESTS, 'e2e', 'pytest.ini'), 300),
    'docsite': (os.path.join(TESTS, 'docsite', 'pytest.ini'), 300),
}

HANGING_TEST = '''
import threading


def test_passes():
    assert True


def test_waits_forever():
    threading.Event().wait()  # nothing ever sets it, like a job poll that never ends
'''


@pytest.mark.parametrize('suite', sorted(SUITES))
def test_the_suite_config_gives_every_test_a_time_out(suite):
    path, seconds = SUITES[suite]
    config = configparser.ConfigParser()
    config.read(path, encoding='utf-8')
    assert config.get('pytest', 'timeout') == str(seconds)
    # pytest refuses to run the suite without the plugin, rather than ignoring the time-out.
    assert 'pytest-timeout' in config.get('pytest', 'required_plugins').split()


@pytest.mark.parametrize('suite', sorted(SUITES))
def test_a_hanging_test_fails_with_its_name(suite, tmp_path):
    path = SUITES[suite][0]
    shutil.copy(path, tmp_path / 'pytest.ini')
    (tmp_path / 'test_hang.py').write_text(HANGING_TEST, encoding='utf-8')

    started = time.monotonic()
    run = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-o', 'timeout=2', 'test_hang.py'],
                         cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=60, check=False)
    elapsed = time.monotonic() - started

    assert run.returncode == 1, run.stdout  # 1: tests failed (not 2, interrupted, nor 0)
    assert 'FAILED test_hang.py::test_waits_forever - Failed: Timeout' in run.stdout, run.stdout
    assert '1 failed, 1 passed' in run.stdout, run.stdout
    assert elapsed < 30, 'the hanging test took %.0f s to fail' % elapsed
