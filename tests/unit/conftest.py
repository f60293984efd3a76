# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the unit tests (plain pytest fixtures, no import-path tricks)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import threading
from collections import namedtuple

import pytest
import responses

from ansible.module_utils import _internal as module_utils_internal
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.parameters import PASS_VARS
from ansible.module_utils.testing import patch_module_args

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError

# Hypothesis keeps caches in ./.hypothesis by default; keep the work tree clean (the tests use database=None too).
os.environ.setdefault('HYPOTHESIS_STORAGE_DIRECTORY', os.path.join(tempfile.gettempdir(), 'zstack-cloud-hypothesis'))


class FakeTime:
    """A clock that only moves when the code under test sleeps; every sleep is recorded."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def sleep(self, seconds):
        assert seconds >= 0, 'negative sleep %r' % seconds
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


@pytest.fixture
def fake_time():
    return FakeTime()


# The ZStack of the unit tests that mock it with responses, and the caller's session they use.
TEST_HOST = 'zstack.example.test'
TEST_SESSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'


@pytest.fixture
def client(fake_time):
    """A client of the mocked ZStack at TEST_HOST with the caller's session TEST_SESSION: no retries, on fake time."""
    from ansible_collections.zstack.cloud.plugins.module_utils._auth import SessionAuthenticator
    from ansible_collections.zstack.cloud.plugins.module_utils._client import Endpoint, ZStackClient

    return ZStackClient(Endpoint(TEST_HOST), SessionAuthenticator(TEST_SESSION), retries=0,
                        sleep=fake_time.sleep, clock=fake_time.clock)


@pytest.fixture
def rsps():
    """A ``responses`` mock; any request that matches no registered reply fails as a refused connection."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch):
    """The few tests that open real localhost connections must not be routed through a proxy from the environment."""
    for var in ('http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'):
        monkeypatch.delenv(var, raising=False)


ModuleRun = namedtuple('ModuleRun', 'code out result')


@pytest.fixture(autouse=True)
def no_zstack_env(monkeypatch):
    """The developer's own ZSTACK_* variables never leak into a test (a test sets the ones it means itself): every
    one is cleared, so a variable a module learns to read is cleared too."""
    for var in [name for name in os.environ if name.startswith('ZSTACK_')]:
        monkeypatch.delenv(var)


def run_in_process(module, args, check_mode=False, diff=False):
    """A module's ``main()`` run in-process, as its own process would run it: ``ModuleRun(code, out, result)``.

    Not the controller (once a test imported controller code, such as a filter plugin, ansible would send module
    warnings to the controller's display instead of the result), with no warnings yet (in-process runs share
    ansible's global lists). ansible-core 2.21 returns ``invocation`` only when the controller asks
    (INJECT_INVOCATION): it is asked, so the tests of its masking run on every ansible-core.
    """
    for name in ('_global_warnings', '_global_deprecations'):
        getattr(ansible_warnings, name).clear()
    args = dict(args)
    if check_mode:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    if 'inject_invocation' in PASS_VARS:
        args['_ansible_inject_invocation'] = True
    out = io.StringIO()
    was_controller = module_utils_internal.is_controller
    module_utils_internal.is_controller = False
    try:
        with patch_module_args(args), contextlib.redirect_stdout(out):
            with pytest.raises(SystemExit) as exit_info:
                module.main()
    finally:
        module_utils_internal.is_controller = was_controller
    return ModuleRun(exit_info.value.code, out.getvalue(), json.loads(out.getvalue()))


@pytest.fixture(scope='session')
def run_module():
    """``run_module(module, args, check_mode=False, diff=False)``: see run_in_process. Session-scoped, so that
    hypothesis tests can use it too."""
    return run_in_process


def _run_together(count, target):
    """``count`` threads released together each call ``target``; returns (results, the ZStackErrors raised).

    Every thread must end: one still running after its join fails the test (a hang, not a result)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            results.append(target())
        except ZStackError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _unused in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


@pytest.fixture
def run_together():
    """Runs one call from several threads released together (login-once and load checks)."""
    return _run_together
