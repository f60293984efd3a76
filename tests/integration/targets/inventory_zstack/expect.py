# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the inventory must be, from the simulator's seed alone, and the checks of runme.sh.

  expect.py graph SEED GRAPH       `ansible-inventory --graph` output: a host_<host UUID> group per host, holding
                                   as many hosts as the seed places on it (the VMs of console-ops that are not
                                   Destroyed), each named as the plugin's rule says for names no other VM has;
                                   every other VM (no host: Stopped) ungrouped.
  expect.py list SEED LIST         `ansible-inventory --list` output: one host per VM that is not Destroyed, with
                                   zstack_vm (its uuid, name, state) and ansible_host the IP of its NIC on the
                                   seed's default L3 network (none without one), and the groups of `graph`. Every
                                   string from ZStack is marked unsafe ({"__ansible_unsafe": ...}, how ansible-core
                                   writes a value that must never be templated), and read through that mark.
  expect.py sessions URL N [Q]     the simulator's counters: N logins and N logouts so far, no session live, and Q
                                   VM queries (when given).
  expect.py count SEED CONDITION   how many VMs of console-ops that are not Destroyed have FIELD=VALUE.
"""

from __future__ import annotations

import collections
import json
import sys
import urllib.request

ACCOUNT = 'console-ops'


def live_vms(seed_path):
    with open(seed_path, encoding='utf-8') as handle:
        seed = json.load(handle)
    vms = [vm for vm in seed['vms'] if vm.get('owner') == ACCOUNT and vm['state'] != 'Destroyed']
    return seed, vms


def fail(message):
    raise SystemExit('expect.py: FAILED: %s' % message)


def graph(seed_path, graph_path):
    seed, vms = live_vms(seed_path)
    members, group = collections.defaultdict(list), None
    with open(graph_path, encoding='utf-8') as handle:
        for line in handle.read().splitlines():
            name = line.lstrip(' |-')
            if name.startswith('@'):
                group = name[1:].rstrip(':')
            elif name:
                members[group].append(name)
    names = collections.Counter(vm['name'] for vm in vms)
    for host in seed['hosts']:
        on_host = [vm for vm in vms if vm.get('hostUuid') == host['uuid']]
        listed = members.get('host_%s' % host['uuid'], [])
        if len(listed) != len(on_host) or len(set(listed)) != len(listed):
            fail('group host_%s has %d hosts, the seed %d VMs on it' % (host['uuid'], len(listed), len(on_host)))
        missing = [vm['name'] for vm in on_host if names[vm['name']] == 1 and vm['name'] not in listed]
        if missing:
            fail('group host_%s lacks %s' % (host['uuid'], missing[:5]))
    no_host = [vm for vm in vms if not vm.get('hostUuid')]
    if len(members.get('ungrouped', [])) != len(no_host):
        fail('%d ungrouped hosts, the seed has %d VMs on no host' % (len(members.get('ungrouped', [])), len(no_host)))
    print('expect.py: graph: %d hosts in %d host groups and ungrouped, as the seed says'
          % (sum(len(hosts) for hosts in members.values()), len(seed['hosts'])))


def unsafe(value):
    """The value, with each {"__ansible_unsafe": text} read as its text; fails on a string not so marked."""
    if isinstance(value, dict) and set(value) == {'__ansible_unsafe'}:
        return value['__ansible_unsafe']
    if isinstance(value, dict):
        return {key: unsafe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unsafe(item) for item in value]
    if isinstance(value, str):
        fail('a string from ZStack is not marked unsafe: %r' % value)
    return value


def listing(seed_path, list_path):
    seed, vms = live_vms(seed_path)
    with open(list_path, encoding='utf-8') as handle:
        inventory = json.load(handle)
    hostvars = {name: unsafe(variables) for name, variables in inventory['_meta']['hostvars'].items()}
    by_uuid = {variables['zstack_vm']['uuid']: (name, variables) for name, variables in hostvars.items()}
    if len(hostvars) != len(vms) or set(by_uuid) != {vm['uuid'] for vm in vms}:
        fail('%d hosts for %d VMs that are not Destroyed' % (len(hostvars), len(vms)))
    default_l3 = seed['vmDefaults']['defaultL3NetworkUuid']
    for vm in vms:
        name, variables = by_uuid[vm['uuid']]
        got = variables['zstack_vm']
        if (got['name'], got['state'], got.get('hostUuid')) != (vm['name'], vm['state'], vm.get('hostUuid')):
            fail('host %s: zstack_vm is not the VM %s' % (name, vm['uuid']))
        address = next((nic['ip'] for nic in vm.get('vmNics', []) if nic['l3NetworkUuid'] == default_l3), None)
        if variables.get('ansible_host') != address:
            fail('host %s: ansible_host %r, its default NIC has %r' % (name, variables.get('ansible_host'), address))
    for host in seed['hosts']:
        expected = {by_uuid[vm['uuid']][0] for vm in vms if vm.get('hostUuid') == host['uuid']}
        if set(inventory.get('host_%s' % host['uuid'], {}).get('hosts', [])) != expected:
            fail('group host_%s is not the VMs on that host' % host['uuid'])
    print('expect.py: list: %d hosts, each with its VM and default address' % len(hostvars))


def sessions(url, logins, queries=None):
    with urllib.request.urlopen(url.rstrip('/') + '/_sim/state', timeout=10) as reply:
        state = json.load(reply)
    counters = state['counters']
    found = (counters['logins'], counters['logouts'], len(state['sessions']))
    if found != (int(logins), int(logins), 0):
        fail('logins, logouts, live sessions: %s, expected %s, %s, 0' % (found, logins, logins))
    done = counters['requests'].get('GET /zstack/v1/vm-instances', 0)
    if queries is not None and done != int(queries):
        fail('%d VM queries, expected %s' % (done, queries))
    print('expect.py: %d logins, each logged out, no session live, %d VM queries' % (counters['logins'], done))


def count(seed_path, condition):
    field, value = condition.split('=', 1)
    print(sum(1 for vm in live_vms(seed_path)[1] if vm.get(field) == value))


def main(argv):
    command, args = argv[1], argv[2:]
    {'graph': graph, 'list': listing, 'sessions': sessions, 'count': count}[command](*args)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
