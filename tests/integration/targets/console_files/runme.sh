#!/usr/bin/env bash
# The console_files role against the ZStack simulator, through real ansible-playbook runs:
# two operators, several VMs (a hostile name, a non-ASCII name, two names that make one file name), modes and
# owners, expiry, no token in the output, stale files removed, check mode writes nothing, a refused directory,
# a failed VM reported without its token, and state=absent removing everything the role wrote.
set -eux

source ../setup_zstack_simulator/simulator.sh
# The server's clock is UTC+08:00 and writes its dates without a zone, as ZStack does; the role is told so.
simulator_start --tz-offset-minutes 480

ALICE=zstack-it-alice
BOB=zstack-it-bob
CREATED_USERS=()
WORK=$(mktemp -d)
chmod 0755 "$WORK"

cleanup() {
    for user in "${CREATED_USERS[@]}"; do userdel --remove "$user" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
    simulator_stop
}
trap cleanup EXIT

for user in "$ALICE" "$BOB"; do
    if ! getent passwd "$user" >/dev/null; then
        useradd --create-home --shell /bin/sh "$user"
        CREATED_USERS+=("$user")
    fi
    rm -rf "$(getent passwd "$user" | cut -d: -f6)/zstack-consoles"
done

# Modules that run as an operator need a Python that user can execute (ansible-test's may live under /root).
TARGET_PYTHON=${CONSOLE_FILES_TARGET_PYTHON:-/usr/bin/python3}
su "$ALICE" -c "$TARGET_PYTHON -c pass"

# Two VMs whose names make the same file name ("web 01" and "web/01" are both "web_01").
admin() {  # admin METHOD URL [JSON BODY]: the simulator's admin API
    "$SIM_PYTHON" -c 'import sys, urllib.request
body = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request(sys.argv[2], data=body, method=sys.argv[1], headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req, timeout=10).read().decode())' "$@"
}
admin POST "$SIM_URL/_sim/vms/a0d4ebf1259e4272892b996261cc9a21" '{"name": "web 01"}'
admin POST "$SIM_URL/_sim/vms/ab04180819704b28aee1f3bc94f96637" '{"name": "web/01"}'

cat > "$WORK/inventory.ini" <<INI
[bastions]
bastion ansible_connection=local ansible_python_interpreter=$TARGET_PYTHON ansible_become_method=su
[controller]
localhost ansible_connection=local ansible_python_interpreter=${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(command -v python)}
INI

export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_NOCOLOR=1
run() { ansible-playbook -i "$WORK/inventory.ini" "$@" -e work="$WORK" -e sim_url="$SIM_URL" -e sim_port="$SIM_PORT" \
        -e alice="$ALICE" -e bob="$BOB"; }
no_token_in() {
    if grep -E '[0-9a-f]{32}_[0-9a-f]{32}' "$1"; then echo "a console token appeared in $1" >&2; exit 1; fi
}

# 1. Present: write the files, then check them.
run present.yml "$@" | tee "$WORK/present.out"
no_token_in "$WORK/present.out"
run verify_present.yml "$@"

# 2. Fewer VMs: the files of the VM dropped go, the others are rewritten.
run present.yml -e drop_vm=true "$@" | tee "$WORK/present2.out"
no_token_in "$WORK/present2.out"
run verify_present.yml -e drop_vm=true "$@"

# 3. Check mode (credentials from ZSTACK_* this time): nothing written, no console created, changes reported.
# What is in the operators' directories (Ansible's own ~/.ansible/tmp aside), with modes, owners, sizes, times.
snapshot() {
    find "$(getent passwd "$ALICE" | cut -d: -f6)" "$WORK/bob-consoles" -path '*/.ansible' -prune -o \
        -printf '%p %m %u %s %T@\n' | sort
}
snapshot > "$WORK/before.txt"
admin GET "$SIM_URL/_sim/state" > "$WORK/state-before.json"
ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!' \
    run check_mode.yml --check "$@" | tee "$WORK/check.out"
no_token_in "$WORK/check.out"
grep -E 'changed=[1-9]' "$WORK/check.out"
snapshot | diff "$WORK/before.txt" -
[ ! -e "$WORK/carol-never" ]
admin GET "$SIM_URL/_sim/state" > "$WORK/state-after.json"
"$SIM_PYTHON" - "$WORK/state-before.json" "$WORK/state-after.json" <<'PY'
import json, sys
before, after = (json.load(open(path)) for path in sys.argv[1:3])
new = after['console_requests'][len(before['console_requests']):]
assert new, 'check mode asked nothing'
assert all('validationOnly' in r['system_tags'] for r in new), new
assert sorted(c['token'] for c in after['consoles']) == sorted(c['token'] for c in before['consoles']), 'check mode made a console'
PY

# 4. Refused: a dest that exists but is not the operator's; a VM that cannot have a console. No token either way.
set +e
run present.yml -e '{"override_operators": [{"name": "'"$ALICE"'", "vms": ["web-01"], "dest": "'"$WORK"'"}]}' "$@" \
    > "$WORK/refused.out" 2>&1
rc_refused=$?
run present.yml -e '{"override_operators": [{"name": "'"$ALICE"'", "vms": ["web-01"], "dest": "'"$WORK"'/no/such"}]}' "$@" \
    > "$WORK/orphan.out" 2>&1
rc_orphan=$?
run present.yml -e '{"override_operators": [{"name": "'"$ALICE"'", "vms": ["web-01", "app-01", "no-such-vm"]}]}' "$@" \
    > "$WORK/failed.out" 2>&1
rc_failed=$?
set -e
cat "$WORK/refused.out" "$WORK/orphan.out" "$WORK/failed.out"
[ "$rc_refused" -ne 0 ] && [ "$rc_orphan" -ne 0 ] && [ "$rc_failed" -ne 0 ]
grep -q "exists but is owned by uid 0, not by $ALICE" "$WORK/refused.out"
grep -q "the parent of $WORK/no/such does not exist" "$WORK/orphan.out"
[ ! -e "$WORK/no" ]
grep -q "zstack_console_access failed for 2 of 3 VMs: VM app-01: .*current state is Stopped; VM no-such-vm: No VM named 'no-such-vm'" "$WORK/failed.out"
no_token_in "$WORK/refused.out"
no_token_in "$WORK/orphan.out"
no_token_in "$WORK/failed.out"
run verify_present.yml -e drop_vm=true "$@"  # the failed runs changed nothing

# 5. Absent: everything the role wrote goes; a file of the operator's own stays, and so does its directory.
su "$ALICE" -c 'echo mine > ~/zstack-consoles/notes.txt'
snapshot > "$WORK/before.txt"
run absent.yml --check "$@" | tee "$WORK/absent-check.out"
grep -E 'changed=[1-9]' "$WORK/absent-check.out"
snapshot | diff "$WORK/before.txt" -
run absent.yml "$@" | tee "$WORK/absent.out"
run verify_absent.yml "$@"
