# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A running zstack-console script, as its tests watch it: the unit tests (test_console_bridge.py) and the e2e
tests (tests/e2e/test_console_bridge.py, as the operator) both start it through ``BridgeProcess``."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import threading
import time

LISTENING = re.compile(r' console on 127\.0\.0\.1:(\d+) ')


class BridgeProcess:
    """``argv`` started with ``popen`` options, in a session of its own; its output lines collected as they come."""

    def __init__(self, argv, **popen):
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, start_new_session=True, **popen)
        self.lines = queue.Queue()
        self.out, self.err = [], []
        self.readers = [threading.Thread(target=self._read, args=(stream, kept), daemon=True)
                        for stream, kept in ((self.process.stdout, self.out), (self.process.stderr, self.err))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, kept):
        for line in stream:
            kept.append(line)
            self.lines.put(line)

    def output(self):
        """Everything it wrote so far, standard output then standard error (what failure messages show)."""
        return ''.join(self.out) + ''.join(self.err)

    def port(self, timeout=30):
        """The port it says it listens on; fails the test when it ends or stays silent for ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            match = LISTENING.search(line)
            if match:
                return int(match.group(1))
        raise AssertionError('the bridge did not say where it listens: %r' % self.output())

    def said(self, text, timeout=20):
        """Whether its output holds ``text`` within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            time.sleep(0.05)
        return False

    def wait(self, timeout=30):
        """Its exit status; whatever still runs of it after ``timeout`` seconds is killed, and every line read."""
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.stop_now()
            for reader in self.readers:
                reader.join(10)

    def stop(self):
        """Ends it as Ctrl-C or a terminal's close would (SIGTERM to its session), and waits."""
        self._signal(signal.SIGTERM)
        return self.wait()

    def stop_now(self):
        """Kills it and anything it started (a viewer)."""
        if self._signal(signal.SIGKILL):
            self.process.wait(10)

    def _signal(self, number):
        if self.process.poll() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)
        return True
