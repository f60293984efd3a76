# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads one inventory source the way ansible-inventory does, in a process of its own, and prints it as JSON.

    python inventory_run.py COLLECTIONS SOURCE [--direct] [--options] [--template HOST EXPRESSION]

COLLECTIONS holds ansible_collections/zstack/cloud. Without --direct the source goes through ansible-core's
InventoryManager (every enabled plugin, `auto` among them); with --direct the plugin zstack.cloud.zstack parses it
alone, so a failure is printed as {"error": {"type", "message"}} instead of a warning. --options adds the options the
plugin hands to the collection's code; --template evaluates an expression with a host's variables.

A process of its own: ansible-core's collection loader, once installed, changes how the test process imports
ansible_collections for every later test.
"""

from __future__ import annotations

import argparse
import json
import sys

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader
from ansible.template import Templar, trust_as_template


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('collections')
    parser.add_argument('source')
    parser.add_argument('--direct', action='store_true')
    parser.add_argument('--options', action='store_true')
    parser.add_argument('--template', nargs=2, metavar=('HOST', 'EXPRESSION'))
    args = parser.parse_args(argv[1:])
    init_plugin_loader([args.collections])
    loader = DataLoader()
    out = {}
    if args.direct:
        plugin = inventory_loader.get('zstack.cloud.zstack')
        data = InventoryData()
        try:
            plugin.parse(data, loader, args.source, cache=False)
        except AnsibleError as err:
            out['error'] = {'type': type(err).__name__, 'message': err.message}
        if args.options:
            out['options'] = plugin._zstack_options()  # pylint: disable=protected-access
        hosts, groups = data.hosts.values(), data.groups.values()
    else:
        manager = InventoryManager(loader=loader, sources=[args.source])
        hosts, groups = manager.get_hosts(), manager.groups.values()
        if args.template:
            host = manager.get_host(args.template[0])
            templar = Templar(loader=loader, variables=host.vars)
            out['templated'] = templar.template(trust_as_template(args.template[1]))
    out['hosts'] = {host.name: host.vars for host in hosts}
    out['groups'] = {group.name: sorted(host.name for host in group.hosts) for group in groups}
    json.dump(out, sys.stdout, default=str)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
