#!/usr/bin/env bash
# zstack_session against the ZStack simulator: start a session, share it, end it (revoking its consoles).
set -eux

source ../setup_zstack_simulator/simulator.sh
# A node whose JVM runs in China Standard Time, so that expires_at proves the module reads its dates in its zone.
simulator_start --timezone Asia/Shanghai

export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False
ansible-playbook main.yml -e sim_url="$SIM_URL" -e sim_port="$SIM_PORT" -e sim_token_dir="$SIM_TOKEN_DIR" "$@"
