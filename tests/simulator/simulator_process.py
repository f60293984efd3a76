# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZStack simulator (zstack_simulator.py) as a process of its own: the one place that starts and stops it.

Stdlib only, like the simulator: it runs on any Python that runs ansible-core.

Every simulator lives in a directory of its own, which this module owns these names in:

    DIR/port            the port, written by the simulator once it accepts connections (removed when it stops)
    DIR/pid             its process id
    DIR/url             its URL, once it listens
    DIR/simulator.log   its output and its request log (--log-file)
    DIR/tokens/         its websockify token files, unless --token-dir says otherwise

From Python:

    with simulator_process.start(work_dir, '--timezone', 'Asia/Shanghai') as sim:
        sim.port, sim.url, sim.pid, sim.token_dir, sim.log
    # or sim = start(...); ...; sim.stop()

From a shell:

    python3 simulator_process.py start --dir DIR [--python PY] [--timeout S] [-- SIMULATOR OPTIONS]
        prints "PORT URL" once it listens
    python3 simulator_process.py stop --dir DIR      stops the simulator of DIR, if one runs
    python3 simulator_process.py status --dir DIR    exit status 0 and its URL if one runs, else 1

The simulator options are zstack_simulator.py's (read by its own parser); --seed (default seed.json beside this
file), --host (default 127.0.0.1) and --token-dir (default DIR/tokens) may be given; --port, --port-file and
--log-file are this module's. A simulator that exits during start-up, or does not listen within the time-out, is a
LaunchError whose one-line message quotes the last lines of its log; stop ends it (TERM, then KILL) and waits until it
is gone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

import zstack_simulator

HERE = os.path.dirname(os.path.abspath(__file__))
SIMULATOR = os.path.join(HERE, 'zstack_simulator.py')
SEED = os.path.join(HERE, 'seed.json')
START_TIMEOUT = 30.0   # seconds until the port file is there; the simulator itself needs well under one
STOP_TIMEOUT = 5.0     # seconds after TERM (and again after KILL) until the process is gone
POLL = 0.05
OWN_OPTIONS = ('--port', '--port-file', '--log-file')
LOG_LINES = 5          # lines of the log an error quotes


class LaunchError(Exception):
    """The simulator could not be started or stopped: one line, to be read after "simulator: "."""


class SimulatorExited(LaunchError):
    """The simulator ended before it listened."""


class SimulatorTimedOut(LaunchError):
    """The simulator did not listen within the time-out (it has been stopped)."""


class _Files:
    """The names this module owns in a simulator's directory."""

    def __init__(self, work_dir):
        self.dir = os.path.realpath(work_dir)  # one spelling, which the pid's command line is checked against
        self.port = os.path.join(self.dir, 'port')
        self.pid = os.path.join(self.dir, 'pid')
        self.log = os.path.join(self.dir, 'simulator.log')
        self.url = os.path.join(self.dir, 'url')
        self.tokens = os.path.join(self.dir, 'tokens')


class SimulatorProcess:
    """A simulator that listens: ``port``, ``url``, ``pid``, ``token_dir``, ``log``; ``stop()`` ends and reaps it."""

    def __init__(self, files, process, port, url, token_dir):
        self._files = files
        self._process = process
        self.work_dir = files.dir
        self.log = files.log
        self.pid = process.pid
        self.port = port
        self.url = url
        self.token_dir = token_dir

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        """End the simulator (TERM, then KILL) and reap it; again is a no-op."""
        _end(self._process.pid, self._process)
        _forget(self._files)


def start(work_dir, *simulator_args, python=None, timeout=START_TIMEOUT):
    """Start a simulator with ``simulator_args`` in ``work_dir`` (created); return it once it listens.

    ``python``: the interpreter that runs it (default: this one). Raises LaunchError (SimulatorExited,
    SimulatorTimedOut) with a one-line message; nothing of the simulator runs then.
    """
    files = _Files(work_dir)
    already = running(work_dir)
    if already is not None:
        raise LaunchError('already running from %s (pid %d, %s)' % (files.dir, already[0], already[1]))
    options = _options(files, simulator_args)
    os.makedirs(files.dir, exist_ok=True)
    _forget(files)
    _remove(files.log)
    if os.path.realpath(options.token_dir) == files.tokens:
        shutil.rmtree(files.tokens, ignore_errors=True)  # token files of a simulator that was killed
    os.makedirs(options.token_dir, mode=0o700, exist_ok=True)

    argv = ([python or sys.executable, SIMULATOR, '--seed', options.seed, '--host', options.host,
             '--token-dir', options.token_dir] + list(simulator_args)
            + ['--port', '0', '--port-file', files.port, '--log-file', files.log])
    with open(files.log, 'ab') as log:
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        except OSError as exc:
            raise LaunchError('cannot run %s: %s' % (argv[0], exc.strerror or exc)) from None
    try:
        _write(files.pid, '%d\n' % process.pid)
        port = _wait_for_port(process, files, timeout)
        url = _url(options, port)
        _write(files.url, url + '\n')
    except BaseException:
        _end(process.pid, process)
        _forget(files)
        raise
    return SimulatorProcess(files, process, port, url, options.token_dir)


def running(work_dir):
    """(pid, url) of the simulator that runs from ``work_dir`` (started by start(), in any process), or None."""
    files = _Files(work_dir)
    pid, url = _read_int(files.pid), _read(files.url)
    if pid is None or url is None or not _alive(pid) or not _started_with(pid, files.port):
        return None
    return pid, url


def stop(work_dir):
    """Stop the simulator that runs from ``work_dir`` and wait until it is gone; its pid, or None when none ran."""
    files = _Files(work_dir)
    pid = _read_int(files.pid)
    stopped = None
    if pid is not None and _alive(pid) and _started_with(pid, files.port):
        _end(pid, None)
        stopped = pid
    _forget(files)
    return stopped


def _wait_for_port(process, files, timeout):
    deadline = time.monotonic() + timeout
    while True:
        port = _read_int(files.port)
        if port is not None:
            return port
        if process.poll() is not None:
            how = ('was killed by signal %d' % -process.returncode if process.returncode < 0
                   else 'exited with status %d' % process.returncode)
            raise SimulatorExited('%s before it listened; %s' % (how, _log_tail(files.log)))
        if time.monotonic() >= deadline:
            _end(process.pid, process)
            raise SimulatorTimedOut('did not listen within %g s (stopped it); %s'
                                    % (timeout, _log_tail(files.log)))
        time.sleep(POLL)


# ---------------------------------------------------------------- options

def _options(files, simulator_args):
    """The simulator's options as its own parser reads them, with this module's defaults."""
    for name in (arg.split('=', 1)[0] for arg in simulator_args):
        if name in OWN_OPTIONS:
            raise LaunchError('%s is set by the launcher: give the other options only' % name)
    parser = zstack_simulator.build_parser()

    def error(message):
        raise LaunchError('bad options: %s' % message)

    parser.error = error
    defaults = ['--seed', SEED, '--host', '127.0.0.1', '--token-dir', files.tokens]
    try:
        return parser.parse_args(defaults + list(simulator_args))
    except (OSError, ValueError) as exc:  # an option's own reading (--faults @FILE) that argparse lets through
        raise LaunchError('bad options: %s' % exc) from None


def _url(options, port):
    host = '[%s]' % options.host if ':' in options.host else options.host
    return '%s://%s:%d' % ('https' if options.tls_cert else 'http', host, port)


# ---------------------------------------------------------------- processes

def _alive(pid):
    """Whether ``pid`` is a process that has not ended (a zombie has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii', errors='replace') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return True  # no /proc: kill(0) is all there is


def _started_with(pid, port_file):
    """Whether ``pid`` is the simulator given ``port_file`` (and not a process that reused the pid)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().split(b'\0')
    except FileNotFoundError:
        return not os.path.isdir('/proc/self')  # no /proc at all: trust the pid file
    except OSError:
        return False
    return os.fsencode(port_file) in argv


def _end(pid, process):
    """TERM, then KILL after STOP_TIMEOUT; return once the process is gone (reaped when it is our child)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process is not None and process.poll() is not None:
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            if process is not None:
                process.wait()
            return
        if process is not None:
            try:
                process.wait(STOP_TIMEOUT)
                return
            except subprocess.TimeoutExpired:
                continue
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(POLL)
    raise LaunchError('pid %d did not end within %g s of SIGKILL' % (pid, STOP_TIMEOUT))


# ---------------------------------------------------------------- files

def _read_int(path):
    try:
        with open(path, encoding='ascii') as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _read(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def _write(path, text):
    with open(path, 'w', encoding='ascii') as handle:
        handle.write(text)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _forget(files):
    """Remove what says a simulator runs from ``files.dir`` (the log and the tokens stay)."""
    for path in (files.pid, files.port, files.url):
        _remove(path)


def _log_tail(path):
    """The last lines of the simulator's log, on one line."""
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            lines = [line.strip() for line in handle.read().splitlines() if line.strip()]
    except OSError as exc:
        return 'its log %s cannot be read: %s' % (path, exc.strerror)
    if not lines:
        return 'its log %s is empty' % path
    return 'its log %s ends: %s' % (path, ' | '.join(lines[-LOG_LINES:]))


# ---------------------------------------------------------------- command line

def main(argv=None):
    parser = argparse.ArgumentParser(description='Start and stop the ZStack simulator in a directory of its own.')
    commands = parser.add_subparsers(dest='command', required=True)
    start_parser = commands.add_parser('start', help='start it; prints "PORT URL" once it listens')
    start_parser.add_argument('--python', help='the interpreter that runs the simulator (default: this one)')
    start_parser.add_argument('--timeout', type=float, default=START_TIMEOUT, help='seconds to wait for it to listen')
    for command in (start_parser, commands.add_parser('stop', help='stop it, if it runs'),
                    commands.add_parser('status', help='exit status 0 and its URL if it runs')):
        command.add_argument('--dir', required=True, help='its directory (port, pid, simulator.log, tokens/)')
    start_parser.add_argument('simulator_args', nargs='*', help='zstack_simulator.py options, after --')
    args = parser.parse_args(argv)
    # TERM (a watchdog ending the caller's children) unwinds like an exception: start() then stops what it started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        if args.command == 'start':
            simulator = start(args.dir, *args.simulator_args, python=args.python, timeout=args.timeout)
            print('%d %s' % (simulator.port, simulator.url))
        elif args.command == 'stop':
            pid = stop(args.dir)
            if pid is not None:
                print('simulator: stopped (pid %d)' % pid)
        else:
            state = running(args.dir)
            if state is None:
                print('simulator: not running')
                return 1
            print('simulator: running at %s (pid %d)' % (state[1], state[0]))
    except LaunchError as exc:
        print('simulator: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
