#!/usr/bin/env bash
# The README's quick-start playbook and playbooks/demo.yml, run as a user would - with the ZSTACK_* environment the
# README's quick start sets - against the simulator. Each must work, print where the consoles are, and print no
# token, no warning and no deprecation warning (for example, ansible-core 2.21 deprecates reading facts as top-level
# variables, INJECT_FACTS_AS_VARS). make integration and make integration-newest run it on both ansible-cores.
set -eux

source ../setup_zstack_simulator/simulator.sh
simulator_start

root=$(cd ../../../.. && pwd)
work=$SIM_WORK/docs_examples
mkdir -p "$work"

# The playbook exactly as the README shows it.
"$SIM_PYTHON" doc_block.py "$root/README.md" "Quick start" >"$work/consoles.yml"
grep -q 'zstack.cloud.zstack_console_access' "$work/consoles.yml"

# The README's environment. Ansible's settings as a user has them: none of ansible-test's ANSIBLE_* settings (it
# turns deprecation warnings off, for one) but the collections path; only the notices about running without an
# inventory are silenced.
export ZSTACK_HOST=127.0.0.1 ZSTACK_PORT=$SIM_PORT ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!'
while read -r var; do unset "$var"; done < <(compgen -e | grep '^ANSIBLE_' | grep -Ev '^ANSIBLE_(COLLECTIONS_PATH|TEST_)')
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False

# clean NAME: the output has no console token (<session uuid>_<vm uuid>), no password, no warning of any kind and
# no traceback.
clean() {
    local out=$work/$1.out
    if grep -Eq '[0-9a-fA-F]{32}_[0-9a-fA-F]{32}' "$out"; then echo "$1: a console token is in the output" >&2; exit 1; fi
    if grep -Eq '\[(DEPRECATION WARNING|WARNING)\]|Traceback' "$out"; then
        echo "$1: the output has a warning or a traceback:" >&2
        grep -E -A3 '\[(DEPRECATION WARNING|WARNING)\]|Traceback' "$out" >&2
        exit 1
    fi
    if grep -q 'C0nsole-Ops!' "$out"; then echo "$1: the password is in the output" >&2; exit 1; fi
}
ok() { grep -Eq 'localhost +: ok=[1-9][0-9]* .*failed=0' "$work/$1.out" || { echo "$1 failed" >&2; exit 1; }; }

# The check below sees deprecation warnings: from ansible-core 2.21 on, reading a fact as a top-level variable makes
# one (INJECT_FACTS_AS_VARS), here as a playbook that does just that.
if ansible-playbook --version | head -1 | grep -Eq 'core 2\.(2[1-9]|[3-9][0-9])'; then
    printf '%s\n' '- hosts: localhost' '  gather_facts: false' '  tasks:' '    - ansible.builtin.set_fact: {x: 1}' \
        '    - ansible.builtin.setup: {filter: ansible_user_id}' '    - ansible.builtin.debug: {msg: "{{ ansible_user_id }}"}' \
        >"$work/canary.yml"
    ansible-playbook "$work/canary.yml" >"$work/canary.out" 2>&1
    grep -q '\[DEPRECATION WARNING\]: INJECT_FACTS_AS_VARS' "$work/canary.out" \
        || { cat "$work/canary.out"; echo "deprecation warnings do not reach the output here" >&2; exit 1; }
fi

(cd "$work" && ansible-playbook consoles.yml) >"$work/quick_start.out" 2>&1 || { cat "$work/quick_start.out"; exit 1; }
cat "$work/quick_start.out"
ok quick_start
clean quick_start
for vm in web-01 web-02 db-01; do
    grep -q "\"msg\": \"$vm: http://127.0.0.1:4900\"" "$work/quick_start.out"
    grep -q "(item=$vm)" "$work/quick_start.out"
done

# The demo playbook, as make demo runs it (both plays: the consoles, and the console_files role writing files for
# the user running it).
ansible-playbook "$root/playbooks/demo.yml" -e demo_consoles_dest="$work/demo-consoles" >"$work/demo.out" 2>&1 \
    || { cat "$work/demo.out"; exit 1; }
cat "$work/demo.out"
ok demo
clean demo
for vm in web-01 web-02 db-01; do grep -q "\"$vm (" "$work/demo.out"; done
[ -s "$work/demo-consoles/web-01.json" ]
