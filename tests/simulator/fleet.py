"""A seed for zstack_simulator.py with many VMs: the bundled seed plus a generated fleet.

Used where the number of VMs is the point: the inventory plugin's paging (tests/integration/targets/inventory_zstack,
its unit tests) and `make bench` (tools/bench.py). Stdlib only.

    python fleet.py --vms 1100 --out fleet.json [--seed seed.json]

The fleet's VMs belong to console-ops and are deterministic (same count, same VMs): ``fleet-00000`` on; every VM's
UUID is the MD5 of its name. Over the seed's hosts in turn; every 10th VM Stopped (no host, as ZStack leaves a
stopped VM: hostUuid null, lastHostUuid set), every 50th Destroyed; the 34th of every hundred is named like the one before it (a
name two running VMs share). NICs, in ZStack's VmNicInventory shape: the default NIC (on the VM's defaultL3NetworkUuid, the seed's
vmDefaults) with address 10.<i / 65536>.<i / 256 % 256>.<i % 256>; every 7th VM has another NIC listed first, on
another L3 network, so the default NIC is not always the first; every 25th VM has no NIC at all.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os

SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'seed.json')
OWNER = 'console-ops'
OTHER_L3 = '0b6b7bd3b9d54e0da2b1c58bc0e6f1a0'


def fleet_vms(count, hosts, default_l3):
    """The generated VMs, as seed entries."""
    vms = []
    for index in range(count):
        name = 'fleet-%05d' % (index - 1 if index % 100 == 33 else index)
        uuid = hashlib.md5(('fleet-%05d' % index).encode('ascii')).hexdigest()
        host = hosts[index % len(hosts)]
        vm = {'uuid': uuid, 'name': name, 'owner': OWNER, 'state': 'Running', 'hostUuid': host,
              'vncPort': 5900 + index % 1000}
        if index % 50 == 49:
            vm.update(state='Destroyed', hostUuid=None, lastHostUuid=host, vncPort=None)
        elif index % 10 == 9:
            vm.update(state='Stopped', hostUuid=None, lastHostUuid=host, vncPort=None)
        nics = []
        if index % 25 != 24:
            nics.append(_nic(uuid, 0, default_l3, '10.%d.%d.%d' % (index // 65536, index // 256 % 256, index % 256)))
            if index % 7 == 6:
                nics.insert(0, _nic(uuid, 1, OTHER_L3, '192.168.%d.%d' % (index // 256 % 256, index % 256)))
        vm['vmNics'] = nics
        vms.append({key: value for key, value in vm.items() if value is not None})
    return vms


def _nic(vm_uuid, device, l3, ip):
    return {'uuid': hashlib.md5(('%s-nic-%d' % (vm_uuid, device)).encode('ascii')).hexdigest(),
            'vmInstanceUuid': vm_uuid, 'l3NetworkUuid': l3, 'ip': ip, 'mac': 'fa:16:3e:%02x:%02x:%02x' % (
                int(vm_uuid[:2], 16), int(vm_uuid[2:4], 16), device),
            'netmask': '255.0.0.0', 'gateway': ip.rsplit('.', 1)[0] + '.1', 'deviceId': device,
            'hypervisorType': 'KVM', 'ipVersion': 4}


def fleet_seed(count, seed_path=SEED):
    """The seed at ``seed_path`` with ``count`` fleet VMs added."""
    with open(seed_path, encoding='utf-8') as handle:
        seed = json.load(handle)
    hosts = [host['uuid'] for host in seed['hosts']]
    seed['vms'] = seed['vms'] + fleet_vms(count, hosts, seed['vmDefaults']['defaultL3NetworkUuid'])
    return seed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--vms', type=int, required=True, help='how many fleet VMs')
    parser.add_argument('--out', required=True, help='the seed file to write')
    parser.add_argument('--seed', default=SEED, help='the seed to add them to (default: the bundled one)')
    args = parser.parse_args()
    with open(args.out, 'w', encoding='utf-8') as handle:
        json.dump(fleet_seed(args.vms, args.seed), handle)


if __name__ == '__main__':
    main()
