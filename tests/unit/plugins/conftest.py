# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ZStack simulator in-process (tests/simulator/), for the unit tests that read many VMs from it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SIM_DIR = Path(__file__).resolve().parents[2] / 'simulator'


def _load(name, path):
    assert path.exists(), 'these tests run against the simulator at %s' % path
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def zstack_sim():
    """The simulator's module (zstack_simulator.py) and its fleet seeds (fleet.py): ``(simulator, fleet)``."""
    return (_load('zstack_simulator_for_plugin_tests', SIM_DIR / 'zstack_simulator.py'),
            _load('zstack_fleet_for_plugin_tests', SIM_DIR / 'fleet.py'))


@pytest.fixture
def start_simulator(zstack_sim):
    """``start_simulator(seed, **options)``: a started simulator (a seed dict or path), stopped after the test."""
    started = []

    def start(seed, **options):
        sim = zstack_sim[0].Simulator(seed, **options)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def fleet_seed(zstack_sim):
    """``fleet_seed(count)``: the bundled seed plus ``count`` fleet VMs (tests/simulator/fleet.py)."""
    return zstack_sim[1].fleet_seed
