#!/usr/bin/env bash
# AWX's inventory source of the collection (extensions/awx/inventory_sources/zstack_vms.yml) updated as AWX's task
# system updates a source "sourced from a project": ansible-runner runs `ansible-inventory --list --export` on the
# project's zstack_vms.zstack.yml with the credential of the shipped "ZStack" type injected, and the output is
# imported (../awx_job_template/awx_job.py inventory-update). Then the incident job template runs on that inventory,
# its survey naming a group (awx_job.py run --inventory-json). Against the simulator with the bundled seed plus 40
# VMs; each step checks what the simulator saw: one login a run, no session left, consoles for the group's VMs.
set -eux

source ../setup_zstack_simulator/simulator.sh
"$SIM_PYTHON" "$SIM_DIR/fleet.py" --vms 40 --out "$SIM_WORK/fleet.json"
SIM_SEED=$SIM_WORK/fleet.json
simulator_start

PY=$SIM_PYTHON
awx=../awx_job_template/awx_job.py
root=$(cd ../../../.. && pwd)  # what ansible-test copied of the collection: the AWX project
cred_type=$root/extensions/awx/credential_types/zstack.yml
inventory_source=$root/extensions/awx/inventory_sources/zstack_vms.yml
job_template=$root/extensions/awx/job_templates/incident_host_consoles.yml
jobs=$SIM_WORK/jobs
mkdir -p "$jobs"
password='C0nsole-Ops!'
host_1=930ed76e681e4c39b80fde512cab93ba

# The collection as ansible-test installed it stands in for the execution environment's copy.
ee_collections=
IFS=: read -r -a collection_paths <<<"${ANSIBLE_COLLECTIONS_PATH:-}"
for path in "${collection_paths[@]}"; do
    if [ -f "$path/ansible_collections/zstack/cloud/galaxy.yml" ]; then ee_collections=$path; break; fi
done
[ -n "$ee_collections" ] || { echo "zstack.cloud is in none of ANSIBLE_COLLECTIONS_PATH" >&2; exit 1; }

# A credential as AWX saves it: the optional fields left empty (AWX injects them as empty variables, the CA too).
credential='{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "scheme": "", "validate_certs": "", "ca_cert": "",
             "account_name": "console-ops", "account_password": "'"$password"'"}'

# no warning, no traceback, no token, no password in an output
clean() {
    if grep -Eq '\[(DEPRECATION WARNING|WARNING)\]|Traceback' "$1"; then echo "$1 has a warning or a traceback" >&2; exit 1; fi
    if grep -Eq '[0-9a-fA-F]{32}_[0-9a-fA-F]{32}' "$1"; then echo "$1 has a console token" >&2; exit 1; fi
    if grep -qF "$password" "$1"; then echo "$1 has the password" >&2; exit 1; fi
}
state() { "$PY" -c 'import json, sys, urllib.request; print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1] + "/_sim/state", timeout=10))))' "$SIM_URL"; }
# sessions N: N logins so far, as many logouts, no session live
sessions() {
    state | "$PY" -c 'import json, sys; s = json.load(sys.stdin); c = s["counters"]
found = (c["logins"], c["logouts"], len(s["sessions"])); want = (int(sys.argv[1]), int(sys.argv[1]), 0)
sys.exit(0 if found == want else "logins, logouts, live sessions: %s, expected %s" % (found, want))' "$1"
}

# 1. The inventory update: the groups of zstack_vms.zstack.yml, each VM a host with zstack_vm; one login, logged out.
"$PY" "$awx" inventory-update --credential-type "$cred_type" --inputs "$credential" \
    --inventory-source "$inventory_source" --project "$root" --ee-collections "$ee_collections" \
    --job-dir "$jobs/update" >"$jobs/update.out" 2>&1 || { cat "$jobs/update.out"; exit 1; }
cat "$jobs/update.out"
grep -q 'awx_job.py: inventory update successful, rc 0' "$jobs/update.out"
clean "$jobs/update.out"
sessions 1
"$PY" - "$SIM_SEED" "$jobs/update/imported.json" <<'PYTHON'
import json, sys
seed, imported = (json.load(open(path, encoding='utf-8')) for path in sys.argv[1:3])
unsafe = lambda value: value['__ansible_unsafe'] if isinstance(value, dict) and '__ansible_unsafe' in value else value
vms = {vm['uuid']: vm for vm in seed['vms'] if vm.get('owner') == 'console-ops' and vm['state'] != 'Destroyed'}
hosts = {unsafe(variables['zstack_vm']['uuid']): name for name, variables in imported['hosts'].items()}
assert set(hosts) == set(vms), 'the import is not the VMs that are not Destroyed'
for host in seed['hosts']:
    group = imported['groups']['host_%s' % host['uuid']]['hosts']
    assert sorted(group) == sorted(hosts[uuid] for uuid, vm in vms.items() if vm.get('hostUuid') == host['uuid'])
cluster = imported['groups']['cluster_%s' % seed['vmDefaults']['clusterUuid']]['hosts']
assert sorted(cluster) == sorted(hosts.values())
assert sorted(imported['groups']['state_stopped']['hosts']) == sorted(
    hosts[uuid] for uuid, vm in vms.items() if vm['state'] == 'Stopped')
print('imported: %d hosts; host, cluster and state groups as the seed says' % len(hosts))
PYTHON

# 2. The incident job on that inventory, its survey naming the group of host 1 (checked as AWX checks answers): a
#    console for each VM of the group, in one session, and no token in the output.
jobs_before=$(state | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["jobs_created"])')
rc=0
"$PY" "$awx" run --credential-type "$cred_type" --inputs "$credential" --job-template "$job_template" \
    --answers '{"incident_vm_group": "host_'"$host_1"'"}' --project "$root" --ee-collections "$ee_collections" \
    --inventory-json "$jobs/update/imported.json" --job-dir "$jobs/group" >"$jobs/group.out" 2>&1 || rc=$?
cat "$jobs/group.out"
[ "$rc" -eq 0 ]
clean "$jobs/group.out"
group_vms=$("$PY" -c 'import json, sys
seed = json.load(open(sys.argv[1], encoding="utf-8"))
print(" ".join(vm["uuid"] for vm in seed["vms"] if vm.get("owner") == "console-ops" and vm.get("hostUuid") == sys.argv[2]
               and vm["state"] == "Running"))' "$SIM_SEED" "$host_1")
for vm in $group_vms; do grep -q "($vm): console proxy http://127.0.0.1:4900 (vnc)" "$jobs/group.out"; done
grep -q 'web-01 (374f25061ea8462da5c428fcb2aa243c): console proxy' "$jobs/group.out"
state | "$PY" -c 'import json, sys; s = json.load(sys.stdin); vms = set(sys.argv[1].split())
consoles = {c["vm_uuid"] for c in s["consoles"]}
assert consoles == vms, "consoles for %d VMs, the group has %d" % (len(consoles), len(vms))
assert len({c["session"] for c in s["consoles"]}) == 1' "$group_vms"
[ "$(state | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["logins"])')" -eq 2 ]

# 3. A group the inventory does not have: the job fails and says so, and no console is requested.
rc=0
"$PY" "$awx" run --credential-type "$cred_type" --inputs "$credential" --job-template "$job_template" \
    --answers '{"incident_vm_group": "host_0000"}' --project "$root" --ee-collections "$ee_collections" \
    --inventory-json "$jobs/update/imported.json" --job-dir "$jobs/no_group" >"$jobs/no_group.out" 2>&1 || rc=$?
cat "$jobs/no_group.out"
[ "$rc" -eq 1 ]
grep -q 'inventory group host_0000: no such group in the inventory' "$jobs/no_group.out"
[ "$(state | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["jobs_created"])')" -eq "$((jobs_before + $(wc -w <<<"$group_vms")))" ]

# 4. An update whose credential has a wrong password fails, says why in one line, and shows no password.
rc=0
"$PY" "$awx" inventory-update --credential-type "$cred_type" \
    --inputs '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "account_name": "console-ops", "account_password": "Wr0ng-pw!"}' \
    --inventory-source "$inventory_source" --project "$root" --ee-collections "$ee_collections" \
    --job-dir "$jobs/wrong" >"$jobs/wrong.out" 2>&1 || rc=$?
cat "$jobs/wrong.out"
[ "$rc" -eq 1 ]
grep -q 'Login as account console-ops failed: ZStack API error ID.1000' "$jobs/wrong.out"
if grep -q -e 'Wr0ng-pw!' -e Traceback "$jobs/wrong.out"; then echo "the failed update shows the password or a traceback" >&2; exit 1; fi
