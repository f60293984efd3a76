#!/usr/bin/env bash
# The console_files role against the ZStack simulator, through real ansible-playbook runs:
# two operators (bob a service account with a nologin shell: nothing becomes an operator), several VMs (a hostile
# name, a non-ASCII name, two names that make one file name), modes and owners, expiry, no token in the output,
# stale files removed, check mode writes nothing, a refused directory, a failed VM reported without its token, a
# SPICE console (a launcher), a console of another protocol (its JSON, no launcher, a warning), and state=absent
# removing everything the role wrote; then revocation:
# state=absent ends the sessions the role opened (once each), keeps a caller's own session and another's session
# that opened a VM's console first, ends them too with console_files_revoke=all, and none with false.
set -eux

source ../setup_zstack_simulator/simulator.sh
# The server's clock is UTC+08:00 and writes its dates without a zone, as ZStack does; the console module learns
# the node's zone at login and gives each console's expiry in UTC (expires_at).
simulator_start --tz-offset-minutes 480

# Names of this run only: other runs of this target (other checkouts, CI jobs on the same machine) create, empty and
# remove their own operators at any time.
ALICE=zit-alice-$$
BOB=zit-bob-$$
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
        shell=/bin/sh
        [ "$user" = "$BOB" ] && shell=/usr/sbin/nologin  # cannot be become: the role never tries
        useradd --create-home --shell "$shell" "$user"
        CREATED_USERS+=("$user")
    fi
    rm -rf "$(getent passwd "$user" | cut -d: -f6)/zstack-consoles"
done

# The module runs as root on the target: any Python there will do (nothing runs as an operator).
TARGET_PYTHON=${CONSOLE_FILES_TARGET_PYTHON:-/usr/bin/python3}

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
LEDGER="$WORK/ledger"  # root's record of the sessions behind the tokens (console_files_ledger_dir)
# Before any console exists: verify_present.yml checks each token's 30 minutes against it (not against a guess of how
# long the runs in between took on a loaded machine).
RUN_STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run() { ansible-playbook -i "$WORK/inventory.ini" -e console_files_ledger_dir="$LEDGER" "$@" -e work="$WORK" \
        -e sim_url="$SIM_URL" -e sim_port="$SIM_PORT" -e alice="$ALICE" -e bob="$BOB" -e run_started="$RUN_STARTED"; }
sessions() { WORK="$WORK" "$SIM_PYTHON" sessions.py "$@"; }  # session UUIDs stay in that script (set -x would print them here)
no_token_in() {
    if grep -E '[0-9a-f]{32}_[0-9a-f]{32}' "$1"; then echo "a console token appeared in $1" >&2; exit 1; fi
}

# 1. Present: write the files, then check them.
run present.yml "$@" | tee "$WORK/present.out"
no_token_in "$WORK/present.out"
run verify_present.yml "$@"

# 1b. A console proxy with a certificate (console_files_console_proxy_tls; ZStack still answers scheme http): the
# JSON files say wss://, and the launchers connect there and allow nothing else (their Content-Security-Policy).
run present.yml -e console_files_console_proxy_tls=true "$@" > "$WORK/present-tls.out"
no_token_in "$WORK/present-tls.out"
alice_dir="$(getent passwd "$ALICE" | cut -d: -f6)/zstack-consoles"
grep -q '"scheme": "http"' "$alice_dir/web-01.json"
grep -q '"websocket_url": "wss://127.0.0.1:4900/?token=' "$alice_dir/web-01.json"
grep -q 'connect-src wss://127.0.0.1:4900;' "$alice_dir/web-01.html"
if grep -q 'ws://127.0.0.1:4900' "$alice_dir/web-01.html"; then echo "a TLS launcher still names ws://" >&2; exit 1; fi

# 2. Fewer VMs: the files of the VM dropped go, the others are rewritten (without the option again: ws://).
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
assert all('ephemeral::validationOnly' in r['system_tags'] for r in new), new
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
run present.yml -e '{"override_operators": [{"name": "'"$ALICE"'", "dest": "'"$WORK"'/strict", "vms": ["web-01", "app-01", "no-such-vm"]}]}' \
    -e console_files_allow_partial=false "$@" > "$WORK/failed.out" 2>&1
rc_failed=$?
set -e
cat "$WORK/refused.out" "$WORK/orphan.out" "$WORK/failed.out"
[ "$rc_refused" -ne 0 ] && [ "$rc_orphan" -ne 0 ] && [ "$rc_failed" -ne 0 ]
grep -q "exists but is owned by uid 0, not by $ALICE" "$WORK/refused.out"
grep -q "the parent of $WORK/no/such does not exist" "$WORK/orphan.out"
[ ! -e "$WORK/no" ] && [ ! -e "$WORK/strict" ]
grep -q "zstack_console_access failed for 2 VMs: VM app-01: .*current state is Stopped.*; VM no-such-vm: No VM named 'no-such-vm'" "$WORK/failed.out"
# 4a. The same VMs with the role's default (console_files_allow_partial): an incident is partial. The files for
#     web-01, one line for each VM that got none, with the server's reason; no token in the output.
run present.yml -e '{"override_operators": [{"name": "'"$ALICE"'", "dest": "'"$WORK"'/partial", "vms": ["web-01", "app-01", "no-such-vm"]}]}' \
    "$@" | tee "$WORK/partial.out"
no_token_in "$WORK/partial.out"
grep -q "$ALICE: VM app-01 got no console: VM app-01: ZStack API error SYS.1006: .*current state is Stopped" "$WORK/partial.out"
grep -q "$ALICE: VM no-such-vm got no console: No VM named 'no-such-vm' that is not Destroyed" "$WORK/partial.out"
grep -q "$ALICE: 1 console(s) in $WORK/partial/index.html" "$WORK/partial.out"
[ -f "$WORK/partial/web-01.html" ] && [ -f "$WORK/partial/web-01.json" ] && ! compgen -G "$WORK/partial/app-01*" >/dev/null
# (console_files_revoke=none: the session behind web-01's console is the first run's, still in use by the files
# of steps 1 and 2.)
run absent.yml -e '{"override_operators": [{"name": "'"$ALICE"'", "dest": "'"$WORK"'/partial"}]}' \
    -e console_files_revoke=none "$@" > /dev/null
[ ! -e "$WORK/partial" ]
# A ledger directory root does not own alone is refused before anything is written.
set +e
run present.yml -e console_files_ledger_dir="$WORK/bob-consoles" "$@" > "$WORK/ledger-refused.out" 2>&1
rc_ledger=$?
set -e
cat "$WORK/ledger-refused.out"
[ "$rc_ledger" -ne 0 ]
grep -q "ledger_dir $WORK/bob-consoles exists but is owned by uid $(id -u "$BOB"), not by root" "$WORK/ledger-refused.out"
no_token_in "$WORK/refused.out"
no_token_in "$WORK/orphan.out"
no_token_in "$WORK/failed.out"
run verify_present.yml -e drop_vm=true "$@"  # the failed runs changed nothing

# 5. Absent: everything the role wrote goes; a file of the operator's own stays, and so does its directory.
su "$ALICE" -c 'echo mine > ~/zstack-consoles/notes.txt'  # alice has a shell: she adds a file of her own
snapshot > "$WORK/before.txt"
run absent.yml --check "$@" | tee "$WORK/absent-check.out"
grep -E 'changed=[1-9]' "$WORK/absent-check.out"
snapshot | diff "$WORK/before.txt" -
run absent.yml "$@" | tee "$WORK/absent.out"
run verify_absent.yml "$@"
# Every console was opened by a session of the role's own runs (the second run got the first run's tokens back and
# the ledger marked them owned): none is left, and each session was logged out once.
admin GET "$SIM_URL/_sim/state" > "$WORK/state-absent.json"
"$SIM_PYTHON" - "$WORK/state-absent.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
assert state['consoles'] == [], 'consoles left after state=absent: %d' % len(state['consoles'])
assert state['counters']['logouts'] >= 1, state['counters']
PY
grep -q "Ended 1 API session(s) behind the tokens" "$WORK/absent.out"
sessions ledger "$LEDGER" "$ALICE" none  # root's records go with the files
sessions ledger "$LEDGER" "$BOB" none

# 5a. The files cannot be written (a refused ledger directory) after the consoles were asked for, in a session this
# run opened (no console is live any more): that session is ended, and with it the consoles nobody got.
install -d -o "$BOB" -m 0700 "$WORK/not-roots"
set +e
run present.yml -e console_files_ledger_dir="$WORK/not-roots" "$@" > "$WORK/refused-late.out" 2>&1
rc_late=$?
set -e
cat "$WORK/refused-late.out"
[ "$rc_late" -ne 0 ]
grep -q "(the consoles asked for were revoked: their session was ended)" "$WORK/refused-late.out"
no_token_in "$WORK/refused-late.out"
admin GET "$SIM_URL/_sim/state" > "$WORK/state-late.json"
"$SIM_PYTHON" - "$WORK/state-late.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
assert state['consoles'] == [], 'consoles left after a refused run: %d' % len(state['consoles'])
live = [s for s in state['sessions'] if not s['expired']]
assert live == [], 'live sessions left after a refused run: %d' % len(live)
PY

# 5b. The endpoint and the account only in module_defaults for group/zstack.cloud.zstack (issue 20): no
# console_files_* connection variable and no ZSTACK_* variable. The role's console request and, with state=absent,
# its zstack_session call both take them from the group. Then a role variable beats the group's value for the same
# option: the group's port is closed, console_files_port is the simulator's.
for var in $(compgen -e | grep '^ZSTACK_' || true); do unset "$var"; done
GROUP_DIR="$WORK/group-consoles"
admin GET "$SIM_URL/_sim/state" > "$WORK/state-g0.json"
run module_defaults.yml "$@" | tee "$WORK/group.out"
no_token_in "$WORK/group.out"
grep -q "$BOB: 2 console(s) in $GROUP_DIR/index.html" "$WORK/group.out"
grep -q "their tokens embed 1 API session(s) the role opened" "$WORK/group.out"
[ -s "$GROUP_DIR/web-01.json" ] && [ -s "$GROUP_DIR/paused-01.json" ]
admin GET "$SIM_URL/_sim/state" > "$WORK/state-g1.json"
"$SIM_PYTHON" - "$WORK/state-g0.json" "$WORK/state-g1.json" <<'PY'
import json, sys
before, after = (json.load(open(path)) for path in sys.argv[1:3])
assert after['counters']['logins'] - before['counters']['logins'] == 1, 'one login, with the group\'s account'
assert len(after['consoles']) == 2, after['consoles']
PY
CLOSED_PORT=$("$SIM_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
set +e
run module_defaults.yml -e group_port="$CLOSED_PORT" "$@" > "$WORK/group-closed.out" 2>&1
rc_closed=$?
set -e
cat "$WORK/group-closed.out"
[ "$rc_closed" -ne 0 ] && grep -q "Cannot connect to ZStack at http://127.0.0.1:$CLOSED_PORT: connection refused" "$WORK/group-closed.out"
run module_defaults.yml -e group_port="$CLOSED_PORT" -e role_port="$SIM_PORT" "$@" | tee "$WORK/group-role.out"
grep -q "$BOB: 2 console(s) in $GROUP_DIR/index.html" "$WORK/group-role.out"
# state=absent ends the role's session through the group's endpoint (its only credential is the session), and the
# files go.
run module_defaults.yml -e state=absent "$@" | tee "$WORK/group-absent.out"
grep -q "Ended 1 API session(s) behind the tokens" "$WORK/group-absent.out"
[ ! -e "$GROUP_DIR" ]
admin GET "$SIM_URL/_sim/state" > "$WORK/state-g2.json"
"$SIM_PYTHON" - "$WORK/state-g2.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
assert state['consoles'] == [], 'consoles left after state=absent: %d' % len(state['consoles'])
PY
for out in group group-closed group-role group-absent; do no_token_in "$WORK/$out.out"; done

# 6. Revocation. alice's consoles come from the role's own login (session "own"); bob's from a caller's session
# ("caller") - and bob's web-01 is the console alice's run opened, whose token embeds "own", not bob's session.
sessions expect logouts=+0  # from here on, logouts are counted
sessions login caller
ALICE_DIR="$(getent passwd "$ALICE" | cut -d: -f6)/zstack-consoles"
BOB_DIR="$WORK/bob-consoles"
alice_ops='{"operators": [{"name": "'"$ALICE"'", "vms": ["web-01", "paused-01"]}]}'
bob_ops='{"operators": [{"name": "'"$BOB"'", "dest": "'"$BOB_DIR"'", "vms": ["7df0946313d446478cdb08e9c3183c0a", "web-01"]}]}'
both_ops='{"operators": [{"name": "'"$ALICE"'"}, {"name": "'"$BOB"'", "dest": "'"$BOB_DIR"'"}]}'
run revoke.yml -e "$alice_ops" "$@" | tee "$WORK/r-alice.out"
run revoke.yml -e "$bob_ops" -e @"$WORK/caller.json" "$@" | tee "$WORK/r-bob.out"
sessions remember own "$ALICE_DIR/web-01.json"
sessions owned "$ALICE_DIR/web-01.json" true
sessions owned "$ALICE_DIR/paused-01.json" true
sessions owned "$BOB_DIR/7df0946313d446478cdb08e9c3183c0a.json" false
sessions owned "$BOB_DIR/web-01.json" false  # alice's console: its token embeds "own"
sessions ledger "$LEDGER" "$ALICE" own=owned
sessions ledger "$LEDGER" "$BOB" caller=other,own=other
sessions expect own=live caller=live own:consoles=2 caller:consoles=1 logouts=+0
grep -q "their tokens embed 1 API session(s) the role opened .* and 0 it did not" "$WORK/r-alice.out"
grep -q "their tokens embed 0 API session(s) the role opened .* and 2 it did not" "$WORK/r-bob.out"

# 6a. bob's files only: none of their sessions is the role's - nothing is ended, the files and bob's record go.
run revoke.yml -e "$bob_ops" -e state=absent "$@" | tee "$WORK/r-absent-bob.out"
grep -q "Ended 0 API session(s) behind the tokens .*; kept 2 session(s) the role did not open, whose tokens still work ($BOB_DIR/" "$WORK/r-absent-bob.out"
sessions expect own=live caller=live own:consoles=2 caller:consoles=1 logouts=+0
sessions ledger "$LEDGER" "$BOB" caller=other,own=other  # kept: a later console_files_revoke=all can end them
[ ! -e "$BOB_DIR" ]

# 6b. Both operators, in check mode: the one session of the role's would be ended; nothing is, nothing is removed.
run revoke.yml -e "$bob_ops" -e @"$WORK/caller.json" "$@" > "$WORK/r-bob2.out"
snapshot > "$WORK/before.txt"
run revoke.yml -e "$both_ops" -e state=absent --check "$@" | tee "$WORK/r-check.out"
grep -q "Would end 1 API session(s) behind the tokens" "$WORK/r-check.out"
snapshot | diff "$WORK/before.txt" -
sessions expect own=live caller=live own:consoles=2 caller:consoles=1 logouts=+0
sessions ledger "$LEDGER" "$ALICE" own=owned
sessions ledger "$LEDGER" "$BOB" caller=other,own=other

# 6c. Both operators: "own" is ended, once, and its consoles and token files go (alice's and bob's web-01 alike);
# the caller's session and its console stay.
run revoke.yml -e "$both_ops" -e state=absent "$@" | tee "$WORK/r-absent.out"
grep -q "Ended 1 API session(s) behind the tokens (sessions the role opened, console_files_revoke=owned); kept 1 session(s)" "$WORK/r-absent.out"
sessions expect own=ended caller=live own:consoles=0 caller:consoles=1 logouts=+1
sessions ledger "$LEDGER" "$ALICE" none
sessions ledger "$LEDGER" "$BOB" caller=other
[ ! -e "$BOB_DIR" ] && [ ! -e "$ALICE_DIR/web-01.json" ]

# 6d. Again: no files; root's record still names the caller's session, kept - nothing ended, nothing changed, and
# the same advice.
run revoke.yml -e "$both_ops" -e state=absent "$@" | tee "$WORK/r-again.out"
grep -q "Ended 0 API session(s) behind the tokens .*; kept 1 session(s) the role did not open, whose tokens still work (no file left; console_files_revoke=all ends them too)" "$WORK/r-again.out"
grep -qE 'bastion +: ok=[0-9]+ +changed=0 ' "$WORK/r-again.out"
sessions expect caller=live caller:consoles=1 logouts=+0

# 6d'. The advice followed as printed, the files long gone: console_files_revoke=all ends the caller's session, and
# root's record forgets it.
run revoke.yml -e "$both_ops" -e state=absent -e console_files_revoke=all "$@" | tee "$WORK/r-advised.out"
grep -q "Ended 1 API session(s) behind the tokens (every session, console_files_revoke=all)" "$WORK/r-advised.out"
sessions expect caller=ended caller:consoles=0 logouts=+1
sessions ledger "$LEDGER" "$BOB" none
sessions login caller  # a new caller's session for 6e

# 6e. console_files_revoke: all ends the caller's session too.
run revoke.yml -e "$bob_ops" -e @"$WORK/caller.json" "$@" > "$WORK/r-bob3.out"
sessions owned "$BOB_DIR/7df0946313d446478cdb08e9c3183c0a.json" false
run revoke.yml -e "$bob_ops" -e state=absent -e console_files_revoke=all "$@" | tee "$WORK/r-all.out"
grep -q "Ended 1 API session(s) behind the tokens (every session, console_files_revoke=all)" "$WORK/r-all.out"
sessions expect caller=ended caller:consoles=0 logouts=+1

# 6f. The incident playbooks (endpoint and account from ZSTACK_*, as an AWX credential sets them, one operator and
# a VM a line, as an AWX survey gives them). incident_start refuses a session: the role would not own it.
export ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!'
incident=(-e incident_operator="$ALICE" -e 'incident_vms="web-01\npaused-01\n"')
set +e
ZSTACK_SESSION_UUID=0123456789abcdef0123456789abcdef run zstack.cloud.incident_start "${incident[@]}" "$@" \
    > "$WORK/r-refused.out" 2>&1
rc_refused=$?
set -e
[ "$rc_refused" -ne 0 ] && grep -q "not a session or an AccessKey" "$WORK/r-refused.out"
run zstack.cloud.incident_start "${incident[@]}" "$@" | tee "$WORK/r-start.out"
sessions remember own2 "$ALICE_DIR/web-01.json"
sessions owned "$ALICE_DIR/paused-01.json" true
sessions ledger "$LEDGER" "$ALICE" own2=owned
# console_files_revoke: false (a YAML boolean through incident_revoke, the value of earlier releases) is none: it
# ends nothing; the files and the record go.
run zstack.cloud.incident_end -e incident_operator="$ALICE" -e '{"incident_revoke": false}' "$@" | tee "$WORK/r-false.out"
grep -q "Ended 0 API session(s) behind the tokens (revocation off, console_files_revoke=none); kept 1 session(s) not ended, whose tokens still work (.*; console_files_revoke=all ends them too)" "$WORK/r-false.out"
sessions expect own2=live own2:consoles=2 logouts=+0
sessions ledger "$LEDGER" "$ALICE" own2=owned
[ ! -e "$ALICE_DIR/web-01.json" ]
# As it advises, word for word (-e console_files_revoke=all): the files are gone, root's record is not.
run zstack.cloud.incident_end -e incident_operator="$ALICE" -e console_files_revoke=all "$@" | tee "$WORK/r-advised2.out"
grep -q "Ended 1 API session(s) behind the tokens (every session, console_files_revoke=all)" "$WORK/r-advised2.out"
sessions expect own2=ended own2:consoles=0 logouts=+1
sessions ledger "$LEDGER" "$ALICE" none
unset ZSTACK_HOST ZSTACK_PORT ZSTACK_ACCOUNT_NAME ZSTACK_ACCOUNT_PASSWORD

# 7. A SPICE console (ZStack gives one for a VM whose console mode is SPICE): a launcher that opens it with
# spice-html5, no warning; a console of another protocol (ConsoleConstants also knows "http"): its JSON with the
# reason, no launcher, a warning naming the VM.
admin POST "$SIM_URL/_sim/config" '{"console_target_scheme": "spice"}'
run present.yml -e '{"override_operators": [{"name": "'"$BOB"'", "dest": "'"$WORK"'/spice", "vms": ["paused-01"]}]}' "$@" \
    2>&1 | tee "$WORK/spice.out"
no_token_in "$WORK/spice.out"
if grep "no launcher" "$WORK/spice.out"; then echo "a SPICE console got no launcher" >&2; exit 1; fi
grep -q 'window.ZStackSpice' "$WORK/spice/paused-01.html" && grep -q '"declared": "spice"' "$WORK/spice/paused-01.html"
admin POST "$SIM_URL/_sim/config" '{"console_target_scheme": "http"}'
run present.yml -e '{"override_operators": [{"name": "'"$BOB"'", "dest": "'"$WORK"'/spice", "vms": ["paused-01"]}]}' "$@" \
    2>&1 | tee "$WORK/http.out"  # the warning is on stderr
admin POST "$SIM_URL/_sim/config" '{"console_target_scheme": "vnc"}'
no_token_in "$WORK/http.out"
grep -q "VM paused-01: no launcher written" "$WORK/http.out"
grep -q "no launcher for paused-01 (see the warnings)" "$WORK/http.out"
[ -f "$WORK/spice/paused-01.json" ] && [ ! -e "$WORK/spice/paused-01.html" ]
"$SIM_PYTHON" - "$WORK/spice/paused-01.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc['target_scheme'] == 'http' and doc['launcher'] is None and 'VNC and SPICE only' in doc['no_launcher'], doc
assert doc['protocol'] is None and doc['bridge'] == 'python3 zstack-console paused-01', doc
PY
# The native-viewer bridge opens it: the operator's script, not writable by others.
[ "$(stat -c '%U %a' "$WORK/spice/zstack-console")" = "$BOB 700" ]
run absent.yml -e '{"override_operators": [{"name": "'"$BOB"'", "dest": "'"$WORK"'/spice"}]}' "$@" > /dev/null
[ ! -e "$WORK/spice" ]

# 8. Query items (issue 13): "every VM of a failing host" next to a name, in one call, one login. The host
# 2c37964565324cce83f7e90f505acb28 runs dup-01, paused-01 (Paused can have a console), 测试-01 and the VM renamed
# "web/01" above.
QUERY_HOST=2c37964565324cce83f7e90f505acb28
admin GET "$SIM_URL/_sim/state" > "$WORK/state-q0.json"
run present.yml -e '{"override_operators": [{"name": "'"$BOB"'", "dest": "'"$WORK"'/query",
    "vms": ["web-01", {"query": ["hostUuid='"$QUERY_HOST"'"], "max_vms": 10}]}]}' "$@" | tee "$WORK/query.out"
no_token_in "$WORK/query.out"
admin GET "$SIM_URL/_sim/state" > "$WORK/state-q1.json"
"$SIM_PYTHON" - "$WORK/state-q0.json" "$WORK/state-q1.json" "$WORK/query" <<'PY'
import json, os, sys
before, after = (json.load(open(path)) for path in sys.argv[1:3])
assert after['counters']['logins'] - before['counters']['logins'] == 1, 'one login for the names and the query'
names = sorted(json.load(open(os.path.join(sys.argv[3], f)))['vm_instance_name']
               for f in os.listdir(sys.argv[3]) if f.endswith('.json') and not f.startswith('.'))
assert names == sorted(['web-01', 'web/01', 'dup-01', 'paused-01', '测试-01']), names
PY
# A query wider than its max_vms fails before any console is requested, with the count; the files stay as they were.
set +e
run present.yml -e '{"override_operators": [{"name": "'"$BOB"'", "dest": "'"$WORK"'/query",
    "vms": [{"query": ["hostUuid='"$QUERY_HOST"'"], "max_vms": 2}]}]}' "$@" > "$WORK/query-wide.out" 2>&1
rc_wide=$?
set -e
cat "$WORK/query-wide.out"
[ "$rc_wide" -ne 0 ]
grep -q "matches 4 VMs that can have a console, more than max_vms=2" "$WORK/query-wide.out"
admin GET "$SIM_URL/_sim/state" > "$WORK/state-q2.json"
"$SIM_PYTHON" - "$WORK/state-q1.json" "$WORK/state-q2.json" <<'PY'
import json, sys
before, after = (json.load(open(path)) for path in sys.argv[1:3])
assert len(after['console_requests']) == len(before['console_requests']), 'a console was requested'
PY
[ -f "$WORK/query/dup-01.json" ]
run absent.yml -e '{"override_operators": [{"name": "'"$BOB"'", "dest": "'"$WORK"'/query"}]}' "$@" > /dev/null
[ ! -e "$WORK/query" ]

# No session UUID and no token in any output.
for out in "$WORK"/r-*.out "$WORK/absent.out" "$WORK/present.out"; do no_token_in "$out"; done
sessions clean "$WORK"/r-*.out "$WORK/absent.out"
