#!/usr/bin/env bash
# The inventory plugin zstack.cloud.zstack through ansible-inventory, with the endpoint and credentials in ZSTACK_*
# variables set as AWX sets them (the empty ones too), against a simulator with the bundled seed plus 1,100 VMs
# (tests/simulator/fleet.py): more than ZStack's default page of 1000, so every page must be read. Then
# zstack_vm_info selecting by query. Each run logs in once and leaves no session live.
set -eux

source ../setup_zstack_simulator/simulator.sh
"$SIM_PYTHON" "$SIM_DIR/fleet.py" --vms 1100 --out "$SIM_WORK/fleet.json"
SIM_SEED=$SIM_WORK/fleet.json
simulator_start

work=$SIM_WORK/inventory
mkdir -p "$work"
password='C0nsole-Ops!'
export ZSTACK_HOST=127.0.0.1 ZSTACK_PORT=$SIM_PORT ZSTACK_SCHEME=http ZSTACK_VALIDATE_CERTS=true ZSTACK_CA_PATH=''
export ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD=$password ZSTACK_USER_NAME='' ZSTACK_ACCESS_KEY_ID=''
export ZSTACK_ACCESS_KEY_SECRET='' ZSTACK_SESSION_UUID=''
# A source that fails to parse fails the command (AWX sets this too), rather than leaving an empty inventory.
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_LOCALHOST_WARNING=False

cat >"$work/fleet.zstack.yml" <<'YAML'
plugin: zstack.cloud.zstack
keyed_groups:
  - key: zstack_vm.hostUuid
    prefix: host
YAML

# No warning, no traceback, no password in what a command printed.
clean() {
    if grep -Eq '\[(DEPRECATION WARNING|WARNING|ERROR)\]|Traceback' "$1"; then
        echo "$1 has a warning, an error or a traceback:" >&2; head -40 "$1" >&2; exit 1
    fi
    if grep -qF "$password" "$1"; then echo "$1 has the password" >&2; exit 1; fi
}

# 1. The graph: a group per hypervisor host holding its VMs, the Stopped ones ungrouped; one login, two pages.
# As a user runs it: from a directory of their own, without ansible-test's ANSIBLE_PLAYBOOK_DIR (the collection's
# root), with which ansible-core warns that it runs "with default collection zstack.cloud".
unset ANSIBLE_PLAYBOOK_DIR
here=$PWD
cd "$work"
ansible-inventory -i fleet.zstack.yml --graph >graph.out 2>graph.err
clean "$work/graph.out"
clean "$work/graph.err"
"$SIM_PYTHON" "$here/expect.py" graph "$SIM_SEED" "$work/graph.out"
"$SIM_PYTHON" "$here/expect.py" sessions "$SIM_URL" 1 2

# 2. The hostvars: zstack_vm and ansible_host (the default NIC's address) of every VM; one more login, two more pages.
ansible-inventory -i fleet.zstack.yml --list >list.json 2>list.err
clean "$work/list.err"
"$SIM_PYTHON" "$here/expect.py" list "$SIM_SEED" "$work/list.json"
"$SIM_PYTHON" "$here/expect.py" sessions "$SIM_URL" 2 4

# 3. A wrong password: the command fails, says why in one line, shows no password and leaves no session.
set +e
ZSTACK_ACCOUNT_PASSWORD=not-the-password ansible-inventory -i fleet.zstack.yml --graph >wrong.out 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ]
grep -q "Login as account console-ops failed: ZStack API error ID.1000" "$work/wrong.out"
if grep -q -e Traceback -e not-the-password "$work/wrong.out"; then cat "$work/wrong.out" >&2; exit 1; fi
"$SIM_PYTHON" "$here/expect.py" sessions "$SIM_URL" 2

# 4. zstack_vm_info selects by query (and in check mode the same), each run one login, logged out.
host_1=930ed76e681e4c39b80fde512cab93ba
expected=$("$SIM_PYTHON" "$here/expect.py" count "$SIM_SEED" "hostUuid=$host_1")
[ "$expected" -gt 500 ]
ansible-playbook "$here/vm_info.yml" -e host_1="$host_1" -e expected="$expected" >"$work/vm_info.out" 2>&1 \
    || { cat "$work/vm_info.out"; exit 1; }
cat "$work/vm_info.out"
clean "$work/vm_info.out"
"$SIM_PYTHON" "$here/expect.py" sessions "$SIM_URL" 5
