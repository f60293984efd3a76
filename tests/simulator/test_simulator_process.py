"""Tests of simulator_process.py, the one way the simulator is started as a process (Python API and command line)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import urllib.parse

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simulator_process  # noqa: E402  pylint: disable=wrong-import-position

SCRIPT = simulator_process.__file__
OPS = ('console-ops', 'C0nsole-Ops!')  # from seed.json
WEB_02 = 'a0d4ebf1259e4272892b996261cc9a21'


def gone(pid):
    """Whether process ``pid`` has ended and been reaped (or is a zombie of a parent that is not us)."""
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except FileNotFoundError:
        return True


def wait_until_gone(pid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return gone(pid)


def fake_python(tmp_path, body):
    """An executable that stands in for the simulator's interpreter: it ignores its arguments and runs ``body``."""
    path = tmp_path / 'fake-python'
    path.write_text('#!/bin/sh\n' + body)
    path.chmod(0o755)
    return str(path)


def cli(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True, timeout=60, check=False)


def test_start_listens_and_stop_reaps(tmp_path):
    work = tmp_path / 'sim'
    sim = simulator_process.start(work, '--job-delay', '0')
    pid = sim.pid
    try:
        assert sim.url == 'http://127.0.0.1:%d' % sim.port
        assert requests.get(sim.url + '/_sim/health', timeout=10).json() == {'status': 'ok'}
        assert (work / 'pid').read_text().strip() == str(pid)
        assert (work / 'port').read_text().strip() == str(sim.port)
        assert sim.token_dir == str(work / 'tokens') and (work / 'tokens').stat().st_mode & 0o777 == 0o700
        assert simulator_process.running(work) == (pid, sim.url)
    finally:
        sim.stop()
    # Reaped: no zombie left, and it is no longer our child.
    assert not os.path.exists('/proc/%d' % pid)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.url + '/_sim/health', timeout=5)
    assert sorted(os.listdir(work)) == ['simulator.log', 'tokens']
    assert 'GET /_sim/health -> 200' in (work / 'simulator.log').read_text()
    assert simulator_process.running(work) is None
    sim.stop()  # again: nothing to do


def test_options_are_the_simulators_own(tmp_path):
    """--host and --token-dir go to the simulator and into the URL and token_dir; the context manager stops it."""
    tokens = tmp_path / 'proxy-tokens'
    with simulator_process.start(tmp_path / 'sim', '--host', '127.0.0.2', '--token-dir', str(tokens),
                                 '--job-delay', '0') as sim:
        assert sim.url == 'http://127.0.0.2:%d' % sim.port
        assert sim.token_dir == str(tokens)
        login = requests.put(sim.url + '/zstack/v1/accounts/login', timeout=10, json={'logInByAccount': {
            'accountName': OPS[0], 'password': hashlib.sha512(OPS[1].encode()).hexdigest()}}).json()
        headers = {'Authorization': 'OAuth ' + login['inventory']['uuid']}
        location = requests.post(sim.url + '/zstack/v1/consoles', json={'params': {'vmInstanceUuid': WEB_02}},
                                 headers=headers, timeout=10).json()['location']
        job = requests.get(sim.url + urllib.parse.urlsplit(location).path, headers=headers, timeout=10).json()
        assert os.listdir(tokens) == [job['inventory']['token']]
        pid = sim.pid
    assert wait_until_gone(pid, timeout=0)
    assert os.listdir(tokens) == []  # the simulator removed its token files: it stopped cleanly (TERM)


def test_early_exit_is_one_line_with_the_log(tmp_path):
    work = tmp_path / 'sim'
    with pytest.raises(simulator_process.SimulatorExited) as caught:
        simulator_process.start(work, '--seed', str(tmp_path / 'no-such-seed.json'))
    message = str(caught.value)
    assert '\n' not in message
    assert message.startswith('exited with status 2 before it listened; its log %s ends: ' % (work / 'simulator.log'))
    assert "zstack_simulator: [Errno 2] No such file or directory: '%s'" % (tmp_path / 'no-such-seed.json') in message
    assert sorted(os.listdir(work)) == ['simulator.log', 'tokens']


def test_early_exit_quotes_the_last_lines_of_the_log(tmp_path):
    python = fake_python(tmp_path, 'for n in 1 2 3 4 5 6 7 8; do echo "line $n"; done\nexit 3\n')
    with pytest.raises(simulator_process.SimulatorExited) as caught:
        simulator_process.start(tmp_path / 'sim', python=python)
    assert str(caught.value).endswith('ends: line 4 | line 5 | line 6 | line 7 | line 8')
    assert str(caught.value).startswith('exited with status 3 before it listened')


def test_time_out_stops_it(tmp_path):
    pid_file = tmp_path / 'fake.pid'
    python = fake_python(tmp_path, 'echo $$ > %s\necho "warming up"\nexec sleep 60\n' % pid_file)
    with pytest.raises(simulator_process.SimulatorTimedOut) as caught:
        simulator_process.start(tmp_path / 'sim', python=python, timeout=1)
    message = str(caught.value)
    assert '\n' not in message
    assert message == 'did not listen within 1 s (stopped it); its log %s ends: warming up' % (tmp_path / 'sim' / 'simulator.log')
    pid = int(pid_file.read_text())
    assert not os.path.exists('/proc/%d' % pid)
    assert not (tmp_path / 'sim' / 'pid').exists()


def test_stop_kills_what_ignores_term(tmp_path, monkeypatch):
    monkeypatch.setattr(simulator_process, 'STOP_TIMEOUT', 0.5)
    pid_file = tmp_path / 'fake.pid'
    python = fake_python(tmp_path, "trap '' TERM\necho $$ > %s\nwhile :; do sleep 0.1; done\n" % pid_file)
    with pytest.raises(simulator_process.SimulatorTimedOut):
        simulator_process.start(tmp_path / 'sim', python=python, timeout=1)
    assert not os.path.exists('/proc/%d' % int(pid_file.read_text()))


def test_options_it_sets_itself_are_refused(tmp_path):
    for name, option in (('--port', ('--port', '8080')), ('--port-file', ('--port-file=x',)),
                         ('--log-file', ('--log-file', 'x'))):
        with pytest.raises(simulator_process.LaunchError, match='^%s is set by the launcher' % name):
            simulator_process.start(tmp_path / 'sim', *option)
    with pytest.raises(simulator_process.LaunchError, match='^bad options: .*--no-such-option'):
        simulator_process.start(tmp_path / 'sim', '--no-such-option')
    assert not (tmp_path / 'sim').exists()  # nothing was started


def test_command_line_start_status_stop(tmp_path):
    work = str(tmp_path / 'sim')
    started = cli('start', '--dir', work, '--', '--timezone', 'Asia/Shanghai', '--tz-offset-minutes', '-300')
    # Both zone options: the simulator's parser takes them; the simulator refuses the pair and says so.
    assert started.returncode == 1 and started.stdout == ''
    assert started.stderr.startswith('simulator: exited with status 2 before it listened; its log')
    assert started.stderr.count('\n') == 1

    started = cli('start', '--dir', work, '--', '--tz-offset-minutes', '-300')
    assert started.returncode == 0, started.stderr
    port, url = started.stdout.split()
    assert url == 'http://127.0.0.1:%s' % port
    pid = int((tmp_path / 'sim' / 'pid').read_text())
    try:
        assert requests.get(url + '/_sim/health', timeout=10).status_code == 200
        assert requests.get(url + '/_sim/config', timeout=10).json()['tz_offset_minutes'] == -300
        status = cli('status', '--dir', work)
        assert (status.returncode, status.stdout) == (0, 'simulator: running at %s (pid %d)\n' % (url, pid))
        again = cli('start', '--dir', work)
        assert again.returncode == 1
        assert again.stderr == 'simulator: already running from %s (pid %d, %s)\n' % (work, pid, url)
    finally:
        stopped = cli('stop', '--dir', work)
    assert (stopped.returncode, stopped.stdout) == (0, 'simulator: stopped (pid %d)\n' % pid)
    assert wait_until_gone(pid, timeout=0)
    status = cli('status', '--dir', work)
    assert (status.returncode, status.stdout) == (1, 'simulator: not running\n')
    assert cli('stop', '--dir', work).returncode == 0


def test_stop_leaves_a_process_that_took_over_the_pid(tmp_path):
    """A pid file of a simulator long gone names some other process now: stop leaves that process alone."""
    stranger = subprocess.Popen(['sleep', '60'])  # pylint: disable=consider-using-with
    try:
        work = tmp_path / 'sim'
        work.mkdir()
        (work / 'pid').write_text('%d\n' % stranger.pid)
        (work / 'port').write_text('1\n')
        (work / 'url').write_text('http://127.0.0.1:1\n')
        assert simulator_process.running(work) is None
        assert simulator_process.stop(work) is None
        assert stranger.poll() is None
        assert os.listdir(work) == []
    finally:
        stranger.kill()
        stranger.wait()
