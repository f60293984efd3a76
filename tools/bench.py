#!/usr/bin/env python
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: consoles for 1, 50 and 200 VMs from a simulated management node with a fixed latency per request.

Scenarios, each run through ansible-playbook against the bundled simulator:
  (a)  one zstack_console_access task with the list option (vm_instances), VMs by UUID
  (a') the same, VMs by name (what the name lookups cost)
  (b)  a loop of single-VM zstack_console_access tasks (vm_instance_uuid), each logging in itself
  (c)  the hand-written alternative with ansible.builtin.uri: log in, POST each console, poll each job
  (r)  the zstack.cloud.console_files role for 1, 10 and 50 VMs and 2 operators (each gets every VM), run as root on
       this host as its target, next to (a') for the same VMs in the same run: the role's cost over the module's
  (i)  the inventory plugin zstack.cloud.zstack: `ansible-inventory --graph` over a *.zstack.yml listing 50 and
       5,000 VMs (tests/simulator/fleet.py), each size from a simulator of its own with the same latency, the runs
       by turns; `--list` (every host's variables printed) once each, for information

For each: wall time of the whole ansible-playbook run, HTTP requests per VM, sessions created, and for (a) the
ratio to its lower bound:
  start + L + D + N x 2 x L / W
  start  one ansible-playbook run with one module start (measured: a task that fails before any request)
  L      the added latency per request;  D  how long a console job runs on the server
  N x 2  one POST and one poll per VM at the very least;  W  requests in flight (the module's workers)
Targets (exit status 1 if one is missed): (a) for 200 VMs within 2x the wall time of (a) for 1 VM; at most one
login per task; for (a), requests per VM no more than the POST plus the polls the job needs (the module's poll
schedule against D, see polls_needed); (r) for 50 VMs and 2 operators within 6x (a') for those 50 VMs; (i) 5,000 VMs
listed within 3x the time for 50, each run with one login, its session ended, and one VM query per 1000 VMs.

The role benchmark needs root: it creates two OS users (zbench-*, nologin, no home; removed at the end) whose files
the role writes under a scratch directory. --no-role leaves it out.

    make bench                         # or: .venv/bin/python tools/bench.py --collections build/collections
    make bench BENCH_ARGS=--role-only  # only (r) and the (a') runs it is compared with
    make bench BENCH_ARGS=--full       # (b) and (c) for 200 VMs too (several more minutes)
    make bench BENCH_ARGS=--inventory-only   # only (i); --no-inventory leaves it out

Not a timed test: it prints figures for docs/performance.md and checks the targets above.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))

import fleet  # noqa: E402  pylint: disable=wrong-import-position
import simulator_process  # noqa: E402  pylint: disable=wrong-import-position

SEED = simulator_process.SEED
ACCOUNT, PASSWORD = 'console-ops', 'C0nsole-Ops!'
FLEET = 200
# The 200-VM task within this many times the 1-VM task (issue "A console service with one entry type": no
# regression from the 1.78x this bench measured before the service).
A_200_WITHIN = 2

PLAY_HEAD = '''- name: Benchmark
  hosts: localhost
  gather_facts: false
  tasks:
'''
MODULE_ARGS = '''        host: 127.0.0.1
        port: "{{ sim_port }}"
        account_name: "{{ account }}"
        account_password: "{{ password }}"
'''
PLAYBOOKS = {
    # One module start that fails before any request: the fixed cost of a run.
    'start.yml': PLAY_HEAD + '''    - name: A task that fails before sending anything
      zstack.cloud.zstack_console_access:
''' + MODULE_ARGS + '''        vm_instances: "{{ vms }}"
        workers: 0
      ignore_errors: true
''',
    'list.yml': PLAY_HEAD + '''    - name: Consoles for every VM in one task
      zstack.cloud.zstack_console_access:
''' + MODULE_ARGS + '''        vm_instances: "{{ vms }}"
        workers: "{{ workers | default(omit) }}"
      no_log: true
''',
    'loop.yml': PLAY_HEAD + '''    - name: A console per task
      zstack.cloud.zstack_console_access:
''' + MODULE_ARGS + '''        vm_instance_uuid: "{{ item }}"
      loop: "{{ vms }}"
      no_log: true
''',
    'uri.yml': PLAY_HEAD + '''    - name: Log in
      ansible.builtin.uri:
        url: "http://127.0.0.1:{{ sim_port }}/zstack/v1/accounts/login"
        method: PUT
        body_format: json
        body: {logInByAccount: {accountName: "{{ account }}", password: "{{ password | hash('sha512') }}"}}
        return_content: true
      register: login
      no_log: true

    - name: Ask for each console
      ansible.builtin.uri:
        url: "http://127.0.0.1:{{ sim_port }}/zstack/v1/consoles"
        method: POST
        headers: {Authorization: "OAuth {{ (login.content | from_json).inventory.uuid }}"}
        body_format: json
        body: {params: {vmInstanceUuid: "{{ item }}"}}
        status_code: 202
        return_content: true
      loop: "{{ vms }}"
      register: posted
      no_log: true

    - name: Wait for each job
      ansible.builtin.uri:
        url: "http://127.0.0.1:{{ sim_port }}/zstack/v1/api-jobs/{{ (item.content | from_json).location
              | regex_replace('^.*/api-jobs/', '') }}"
        headers: {Authorization: "OAuth {{ (login.content | from_json).inventory.uuid }}"}
        status_code: [200, 202]
        return_content: true
      loop: "{{ posted.results }}"
      register: job
      until: job.status == 200
      retries: 60
      delay: 1
      no_log: true
''',
}


# The role on this host as its target (become: no-op, the play runs as root), the API calls delegated to localhost.
ROLE_PLAYBOOK = '''- name: Benchmark the console_files role
  hosts: bastion
  gather_facts: false
  roles:
    - role: zstack.cloud.console_files
      vars:
        console_files_host: 127.0.0.1
        console_files_port: "{{ sim_port }}"
        console_files_account_name: "{{ account }}"
        console_files_account_password: "{{ password }}"
        console_files_ledger_dir: "{{ ledger_dir }}"
        console_files_workers: "{{ workers | default(omit) }}"
        console_files_operators: "{{ operators }}"
'''
ROLE_OPERATORS = 2


def polls_needed(job_delay, latency, first=0.05, factor=2.0, cap=1.0):
    """Polls the module makes for a job that runs job_delay seconds: its schedule (module_utils/_client.py,
    _wait_for_job) waits 0.05 s, then twice as long each time up to 1 s, and each poll takes `latency`."""
    elapsed, delay, polls = 0.0, first, 0
    while True:
        elapsed += delay + latency
        polls += 1
        if elapsed >= job_delay:
            return polls
        delay = min(delay * factor, cap)


def make_seed(path):
    """The bundled seed plus FLEET Running VMs of console-ops ("bench-000" ...), spread over the seed's hosts."""
    with open(SEED, encoding='utf-8') as handle:
        seed = json.load(handle)
    hosts = [host['uuid'] for host in seed['hosts']]
    for index in range(FLEET):
        name = 'bench-%03d' % index
        seed['vms'].append({'uuid': hashlib.md5(name.encode()).hexdigest(), 'name': name, 'state': 'Running',
                            'hostUuid': hosts[index % len(hosts)], 'vncPort': 5900 + index, 'owner': ACCOUNT})
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(seed, handle)
    bench_vms = seed['vms'][-FLEET:]
    return [vm['uuid'] for vm in bench_vms], [vm['name'] for vm in bench_vms]


def start_simulator(work, seed, latency_ms, job_delay):
    """The simulator with a fixed latency per request, in work/simulator/; SystemExit with one line if it fails.

    No request log (--log-level WARNING): a line per request would be part of what is measured.
    """
    try:
        return simulator_process.start(os.path.join(work, 'simulator'), '--seed', seed, '--latency-ms', str(latency_ms),
                                       '--job-delay', str(job_delay), '--log-level', 'WARNING')
    except simulator_process.LaunchError as exc:
        raise SystemExit('bench: simulator: %s' % exc) from None


def admin(sim, method, path):
    """A call of the simulator's admin API (/_sim/...)."""
    request = urllib.request.Request(sim.url + path, method=method)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read().decode('utf-8'))


class Bench:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.sim = None
        self.operators = []
        self.playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections),
                        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='False',
                        ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='False')
        for name, text in dict(PLAYBOOKS, **{'role.yml': ROLE_PLAYBOOK}).items():
            with open(os.path.join(work, name), 'w', encoding='utf-8') as handle:
                handle.write(text)
        with open(os.path.join(work, 'inventory.ini'), 'w', encoding='utf-8') as handle:
            handle.write('bastion ansible_connection=local ansible_python_interpreter=%s\n'
                         'localhost ansible_connection=local ansible_python_interpreter=%s\n'
                         % (sys.executable, sys.executable))

    def admin(self, method, path):
        return admin(self.sim, method, path)

    def run(self, playbook, vms, extra=None):
        """One ansible-playbook run from a reset simulator: (wall seconds, simulator state after)."""
        self.admin('POST', '/_sim/reset')
        extra = dict({'sim_port': self.sim.port, 'account': ACCOUNT, 'password': PASSWORD, 'vms': vms}, **(extra or {}))
        if self.args.workers:
            extra['workers'] = self.args.workers
        extra_file = os.path.join(self.work, 'vars.json')
        with open(extra_file, 'w', encoding='utf-8') as handle:
            json.dump(extra, handle)
        log = os.path.join(self.work, 'last-run.log')
        started = time.monotonic()
        with open(log, 'w', encoding='utf-8') as out:
            code = subprocess.call([self.playbook, '-i', os.path.join(self.work, 'inventory.ini'),
                                    os.path.join(self.work, playbook), '-e', '@' + extra_file],
                                   stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=self.work)
        wall = time.monotonic() - started
        state = self.admin('GET', '/_sim/state')
        if code != 0 and playbook != 'start.yml':
            with open(log, encoding='utf-8') as handle:
                sys.stderr.write(handle.read()[-3000:])
            raise SystemExit('bench: %s with %d VMs failed (exit status %d)' % (playbook, len(vms), code))
        if playbook != 'start.yml' and len(state['consoles']) != len(set(vms)):
            raise SystemExit('bench: %s with %d VMs made %d consoles' % (playbook, len(vms), len(state['consoles'])))
        return wall, state

    # ---------------------------------------------------------------- the role (r)
    def add_operators(self):
        """Two OS users for the role to write files for: nologin, no home (their files go under the scratch dir)."""
        for number in range(1, ROLE_OPERATORS + 1):
            name = 'zbench-%d-%d' % (number, os.getpid())
            subprocess.run(['useradd', '--no-create-home', '--shell', '/usr/sbin/nologin', name], check=True,
                           timeout=60, stdout=subprocess.DEVNULL)
            self.operators.append(name)

    def remove_operators(self):
        for name in self.operators:
            subprocess.run(['userdel', name], check=False, timeout=60, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    def run_role(self, vms):
        """The role for ``vms`` and every operator, from nothing (no files, no ledger): wall seconds."""
        files = os.path.join(self.work, 'role-files')
        shutil.rmtree(files, ignore_errors=True)
        os.mkdir(files, 0o755)
        operators = [{'name': name, 'vms': vms, 'dest': os.path.join(files, name)} for name in self.operators]
        wall, _state = self.run('role.yml', vms, {'operators': operators, 'ledger_dir': os.path.join(files, 'ledger')})
        for name in self.operators:
            written = os.listdir(os.path.join(files, name))
            uid = pwd.getpwnam(name).pw_uid
            # A launcher and a JSON file per VM, the index, the manifest and the bridge script zstack-console.
            if len(written) != 2 * len(vms) + 3 or os.stat(os.path.join(files, name)).st_uid != uid:
                raise SystemExit('bench: the role wrote %d files for %s, expected %d'
                                 % (len(written), name, 2 * len(vms) + 3))
        return wall


def summarise(label, size, walls, state):
    counters = state['counters']
    requests = counters['requests']
    jobs = requests.get('POST /zstack/v1/consoles', 0) + requests.get('GET /zstack/v1/api-jobs/{uuid}', 0)
    return {'label': label, 'vms': size, 'wall': statistics.median(walls), 'walls': walls,
            'requests_per_vm': counters['total'] / size, 'jobs_per_vm': jobs / size,
            'queries_per_vm': requests.get('GET /zstack/v1/vm-instances', 0) / size,
            'logins': counters['logins'], 'requests': requests}


# ---------------------------------------------------------------- the inventory plugin (i)
# Every fleet VM, whatever its state: the hosts are exactly the size asked for.
INVENTORY_SOURCE = '''plugin: zstack.cloud.zstack
host: 127.0.0.1
port: %d
account_name: %s
account_password: "%s"
include_destroyed: true
vm_query:
  - name~=fleet-%%
'''


class InventoryBench:
    """A simulator per size, each with a fleet of that many VMs and a *.zstack.yml listing all of them."""

    def __init__(self, args, work, sizes):
        self.sizes = sizes
        self.command = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_INVENTORY_UNPARSED_FAILED='True')
        self.sims, self.sources = {}, {}
        for size in sizes:
            directory = os.path.join(work, 'inventory-%d' % size)
            os.mkdir(directory)
            with open(os.path.join(directory, 'seed.json'), 'w', encoding='utf-8') as handle:
                json.dump(fleet.fleet_seed(size), handle)
            self.sims[size] = start_simulator(directory, os.path.join(directory, 'seed.json'), args.latency_ms,
                                              args.job_delay)
            self.sources[size] = os.path.join(directory, 'fleet.zstack.yml')
            with open(self.sources[size], 'w', encoding='utf-8') as handle:
                handle.write(INVENTORY_SOURCE % (self.sims[size].port, ACCOUNT, PASSWORD))

    def run(self, size, how='--graph'):
        """One ansible-inventory run from a reset simulator: wall seconds; fails unless it listed every VM with one
        login, ended its session and read one page per 1000 VMs."""
        sim = self.sims[size]
        admin(sim, 'POST', '/_sim/reset')
        started = time.monotonic()
        done = subprocess.run([self.command, '-i', self.sources[size], how], env=self.env, cwd=os.path.dirname(
            self.sources[size]), capture_output=True, text=True, timeout=900, check=False)
        wall = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit('bench: ansible-inventory %s for %d VMs failed: %s' % (how, size, done.stderr[-2000:]))
        if how == '--graph':
            hosts = [line for line in done.stdout.splitlines() if line.strip(' |-') and '@' not in line]
        else:
            hosts = list(json.loads(done.stdout)['_meta']['hostvars'])
        state = admin(sim, 'GET', '/_sim/state')
        counters = state['counters']
        seen = (len(hosts), counters['logins'], counters['logouts'], len(state['sessions']),
                counters['requests'].get('GET /zstack/v1/vm-instances', 0))
        if seen != (size, 1, 1, 0, math.ceil(size / 1000)):
            raise SystemExit('bench: ansible-inventory %s for %d VMs: hosts, logins, logouts, live sessions, VM queries '
                             '%s, expected %s' % (how, size, seen, (size, 1, 1, 0, math.ceil(size / 1000))))
        return wall

    def stop(self):
        for sim in self.sims.values():
            sim.stop()


def inventory_bench(args, work):
    """(i): the table of the runs, and the target's verdict; returns the failures."""
    sizes = [int(size) for size in args.inventory_sizes.split(',')]
    bench = InventoryBench(args, work, sizes)
    walls, lists = {size: [] for size in sizes}, {}
    try:
        for _run in range(args.repeat):  # by turns: a slow spell of a shared machine weighs on every size
            for size in sizes:
                walls[size].append(bench.run(size))
                print('bench: (i)  ansible-inventory --graph          %5d VMs  %6.2f s' % (size, walls[size][-1]),
                      flush=True)
        for size in sizes:
            lists[size] = bench.run(size, '--list')
            print('bench: (i)  ansible-inventory --list           %5d VMs  %6.2f s' % (size, lists[size]), flush=True)
    finally:
        bench.stop()
    print()
    header = '%-38s %5s %12s %14s %12s' % ('(i) the inventory plugin, one login', 'VMs', '--graph s',
                                           'VM queries', '--list s')
    print(header)
    print('-' * len(header))
    for size in sizes:
        print('%-38s %5d %12.2f %14d %12.2f' % ('', size, statistics.median(walls[size]), math.ceil(size / 1000),
                                                lists[size]))
    print()
    failures = []
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        ratio = statistics.median(walls[large]) / statistics.median(walls[small])
        print('target: (i) %d VMs listed within 3x the time for %d: %.2f s / %.2f s = %.2fx  %s'
              % (large, small, statistics.median(walls[large]), statistics.median(walls[small]), ratio,
                 'met' if ratio <= 3 else 'MISSED'))
        if ratio > 3:
            failures.append('(i) %d VMs took %.2fx the time of %d' % (large, ratio, small))
    print('target: (i) one login a run, its session ended, one VM query per 1000 VMs: met')
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--collections', default=os.path.join(ROOT, 'build', 'collections'),
                        help='ANSIBLE_COLLECTIONS_PATH holding zstack.cloud (default: build/collections, from make tree)')
    parser.add_argument('--latency-ms', type=float, default=20.0, help='added to every API request (default 20)')
    parser.add_argument('--job-delay', type=float, default=0.3, help='seconds a console job runs (default 0.3)')
    parser.add_argument('--sizes', default='1,50,200', help='VM counts for (a) and (a\') (default 1,50,200)')
    parser.add_argument('--loop-sizes', default='1,50', help='VM counts for (b) and (c) (default 1,50)')
    parser.add_argument('--full', action='store_true', help='(b) and (c) for every size of --sizes')
    parser.add_argument('--repeat', type=int, default=3, help='runs of (a), (a\') and the start, median kept (default 3)')
    parser.add_argument('--workers', type=int, help='the module\'s workers (default: its own default)')
    parser.add_argument('--role-sizes', default='1,10,50', help='VM counts for (r) (default 1,10,50)')
    role = parser.add_mutually_exclusive_group()
    role.add_argument('--no-role', action='store_true', help='leave out (r), the role benchmark (which needs root)')
    role.add_argument('--role-only', action='store_true', help='only (r) and the (a\') runs it is compared with')
    parser.add_argument('--inventory-sizes', default='50,5000', help='VM counts for (i) (default 50,5000)')
    inventory = parser.add_mutually_exclusive_group()
    inventory.add_argument('--no-inventory', action='store_true', help='leave out (i), the inventory plugin')
    inventory.add_argument('--inventory-only', action='store_true', help='only (i)')
    args = parser.parse_args(argv)
    if not os.path.isdir(os.path.join(args.collections, 'ansible_collections', 'zstack', 'cloud')):
        parser.error('no zstack.cloud under %s (run make tree, or give --collections)' % args.collections)
    if args.inventory_only:
        work = tempfile.mkdtemp(prefix='zstack-bench-')
        try:
            failures = inventory_bench(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if failures:
            print('bench: targets missed: ' + '; '.join(failures), file=sys.stderr)
        return 1 if failures else 0
    role_sizes = [] if args.no_role else [int(size) for size in args.role_sizes.split(',')]
    if role_sizes and os.geteuid() != 0:
        parser.error('the role benchmark (r) creates two OS users and needs root; --no-role leaves it out')
    sizes = [int(size) for size in args.sizes.split(',')]
    loop_sizes = sizes if args.full else [int(size) for size in args.loop_sizes.split(',')]
    if args.role_only:
        sizes, loop_sizes = [], []
    if max(sizes + loop_sizes + role_sizes) > FLEET:
        parser.error('at most %d VMs' % FLEET)

    work = tempfile.mkdtemp(prefix='zstack-bench-')
    bench = Bench(args, work)
    uuids, names = make_seed(os.path.join(work, 'seed.json'))
    bench.sim = start_simulator(work, os.path.join(work, 'seed.json'), args.latency_ms, args.job_delay)
    rows, role_rows = [], []
    try:
        if role_sizes:
            bench.add_operators()
        # The role and the module alone for the same VMs, run by turns: a slow spell of a shared machine weighs
        # on both sides of each ratio.
        for size in role_sizes:
            module, role_walls = [], []
            for _run in range(args.repeat):
                module.append(bench.run('list.yml', names[:size])[0])
                role_walls.append(bench.run_role(names[:size]))
            role_rows.append({'vms': size, 'module': statistics.median(module), 'role': statistics.median(role_walls)})
            label = '(r) the role, %d operators' % ROLE_OPERATORS
            print("bench: %-38s %3d VMs  %6.2f s  (a') %.2f s"
                  % (label, size, role_rows[-1]['role'], role_rows[-1]['module']), flush=True)
        # The fixed cost is measured before and after the (a) rows, so that a slow spell of a shared machine
        # weighs on both sides of the ratio.
        starts = [bench.run('start.yml', uuids[:1])[0] for _run in range(args.repeat if sizes else 0)]
        for size in sizes:
            for label, vms in (('(a)  one task, vm_instances by UUID', uuids[:size]),
                               ("(a') one task, vm_instances by name", names[:size])):
                runs = [bench.run('list.yml', vms) for _run in range(args.repeat)]
                rows.append(summarise(label, size, [wall for wall, _state in runs], runs[-1][1]))
                print('bench: %-38s %3d VMs  %6.2f s' % (label, size, rows[-1]['wall']), flush=True)
        starts += [bench.run('start.yml', uuids[:1])[0] for _run in range(args.repeat if sizes else 0)]
        start = statistics.median(starts) if starts else 0.0
        for size in loop_sizes:
            for label, playbook in (('(b)  loop of single-VM tasks', 'loop.yml'), ('(c)  ansible.builtin.uri by hand', 'uri.yml')):
                wall, state = bench.run(playbook, uuids[:size])
                rows.append(summarise(label, size, [wall], state))
                print('bench: %-38s %3d VMs  %6.2f s' % (label, size, wall), flush=True)
    finally:
        bench.sim.stop()
        bench.remove_operators()
        shutil.rmtree(work, ignore_errors=True)

    latency, delay = args.latency_ms / 1000.0, args.job_delay
    workers = args.workers or 8
    polls = polls_needed(delay, latency)
    print()
    print('zstack.cloud benchmark: simulator latency %g ms per request, console job %g s, workers %s; %s, %d CPUs, '
          'Python %s' % (args.latency_ms, delay, args.workers or 'default (8)', platform.machine(), os.cpu_count(),
                         platform.python_version()))
    if starts:
        print('start (one ansible-playbook run, one module start, no request): %.2f s (median of %d)'
              % (start, len(starts)))
    if rows:
        print('lower bound of (a) = start + L + D + N x 2 x L / min(workers, N);  polls a %g s job needs: %d'
              % (delay, polls))
    print()
    columns = ('scenario', 'VMs', 'wall s', 'requests/VM', 'POST+polls/VM', 'sessions', 'vs bound')
    header = '%-38s %5s %8s %12s %14s %9s %12s' % columns
    if rows:
        print(header)
        print('-' * len(header))
    for row in rows:
        ratio = ''
        if row['label'].startswith('(a)'):
            bound = start + latency + delay + row['vms'] * 2 * latency / min(workers, row['vms'])
            row['bound'] = bound
            ratio = '%.2fx' % (row['wall'] / bound)
        print('%-38s %5d %8.2f %12.2f %14.2f %9d %12s' % (row['label'], row['vms'], row['wall'], row['requests_per_vm'],
                                                          row['jobs_per_vm'], row['logins'], ratio))
    print()

    failures = []
    if role_rows:
        role_header = '%-38s %5s %8s %12s %12s' % ('(r) the role, %d operators, VMs by name' % ROLE_OPERATORS,
                                                   'VMs', "(a') s", 'role s', "role/(a')")
        print(role_header)
        print('-' * len(role_header))
        for row in role_rows:
            print('%-38s %5d %8.2f %12.2f %11.2fx'
                  % ('', row['vms'], row['module'], row['role'], row['role'] / row['module']))
        print()
        by_size = {row['vms']: row for row in role_rows}
        if 50 in by_size:
            ratio = by_size[50]['role'] / by_size[50]['module']
            print("target: (r) for 50 VMs and %d operators within 6x (a') for 50 VMs: %.2f s / %.2f s = %.2fx  %s"
                  % (ROLE_OPERATORS, by_size[50]['role'], by_size[50]['module'], ratio,
                     'met' if ratio <= 6 else 'MISSED'))
            if ratio > 6:
                failures.append('(r) for 50 VMs took %.2fx the time of the module alone' % ratio)
    by_uuid = {row['vms']: row for row in rows if row['label'].startswith('(a) ')}
    if 1 in by_uuid and 200 in by_uuid:
        ratio = by_uuid[200]['wall'] / by_uuid[1]['wall']
        verdict = 'met' if ratio <= A_200_WITHIN else 'MISSED'
        print('target: (a) for 200 VMs within %gx (a) for 1 VM: %.2f s / %.2f s = %.2fx  %s'
              % (A_200_WITHIN, by_uuid[200]['wall'], by_uuid[1]['wall'], ratio, verdict))
        if ratio > A_200_WITHIN:
            failures.append('(a) for 200 VMs took %.2fx the time of 1 VM' % ratio)
    for row in rows:
        if row['label'].startswith('(a') and row['logins'] > 1:
            failures.append('%s, %d VMs: %d logins in one task' % (row['label'], row['vms'], row['logins']))
        if row['label'].startswith('(a) ') and row['jobs_per_vm'] > 1 + polls:
            failures.append('%s, %d VMs: %.2f POST+polls per VM, more than 1 + %d' % (row['label'], row['vms'],
                                                                                      row['jobs_per_vm'], polls))
        if row['label'].startswith('(a) ') and row['queries_per_vm']:
            failures.append('%s, %d VMs: VM queries although every VM was given by UUID' % (row['label'], row['vms']))
    if rows:
        print('target: at most one login per task: %s' % ('met' if not any('logins' in f for f in failures) else 'MISSED'))
        print('target: (a) requests per VM at most the POST plus the %d polls a %g s job needs: %s'
              % (polls, delay, 'met' if not any('POST+polls' in f for f in failures) else 'MISSED'))
    if not args.no_inventory:
        print()
        work = tempfile.mkdtemp(prefix='zstack-bench-')
        try:
            failures += inventory_bench(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print('bench: targets missed: ' + '; '.join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
