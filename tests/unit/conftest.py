# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the unit tests (plain pytest fixtures, no import-path tricks)."""

from __future__ import annotations

import os
import tempfile
import threading

import pytest
import responses

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


def _call_concurrently(client, count, method='GET', path='vm-instances'):
    """``count`` threads make the same client call at once; returns (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            results.append(client.call(method, path))
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _unused in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results, errors


@pytest.fixture
def call_concurrently():
    """Runs one client call from several threads released together (for the login-once checks)."""
    return _call_concurrently
