#!/usr/bin/env bash
# The AWX / AAP job template of docs/awx.md, run the way AWX runs a job, against the ZStack simulator.
#
# Each job goes through awx_job.py run (see its docstring for what is AWX's own logic and what is not): the shipped
# credential type (extensions/awx/credential_types/zstack.yml) and a credential's inputs, checked and injected as AWX
# does (every ZSTACK_* variable set, empty ones too; the CA in a file of the job named by ZSTACK_CA_PATH); the survey
# answers of the shipped job template (extensions/awx/job_templates/zstack_console.yml) as its extra vars; its
# playbook (playbooks/awx_console.yml) run by ansible-runner from a copy of the project, with none of this script's
# ZSTACK_* or ANSIBLE_* environment. Then the job output (from the runner's events, as AWX shows it) and the
# simulator's consoles are checked: consoles exist for the VMs asked, and no secret, token or warning is in the
# output. The last job uses a project of its own whose collections/requirements.yml (docs/awx.md, step 1 A) installs
# the collection from a git URL, as AWX's project update does.
set -eux

source ../setup_zstack_simulator/simulator.sh
simulator_start

PY=$SIM_PYTHON
root=$(cd ../../../.. && pwd)  # what ansible-test copied of the collection: the AWX project, in the usual set-up
cred_type=$root/extensions/awx/credential_types/zstack.yml
job_template=$root/extensions/awx/job_templates/zstack_console.yml
jobs=$SIM_WORK/jobs
mkdir -p "$jobs"

# The collection as ansible-test installed it (a path of ANSIBLE_COLLECTIONS_PATH): it stands in for the copy in the
# execution environment (/usr/share/ansible/collections), and is the source of the git repository of the last job.
ee_collections=
IFS=: read -r -a collection_paths <<<"${ANSIBLE_COLLECTIONS_PATH:-}"
for path in "${collection_paths[@]}"; do
    if [ -f "$path/ansible_collections/zstack/cloud/galaxy.yml" ]; then ee_collections=$path; break; fi
done
[ -n "$ee_collections" ] || { echo "zstack.cloud is in none of ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}" >&2; exit 1; }

ops_password='C0nsole-Ops!'
viewer_password='Vnc-Viewer!1'
ak_id=AsN1tBkCVhC3uCNnYfX2
ak_secret=VG6bEIFna4y5DdsF5yGaxaTT-i0GLiEwomDmHWiu
web_01=374f25061ea8462da5c428fcb2aa243c
web_02=a0d4ebf1259e4272892b996261cc9a21
db_01=ab04180819704b28aee1f3bc94f96637

# A second simulator serving HTTPS with a certificate of a private CA, for the ca_cert and validate_certs fields.
tls=$SIM_WORK/certs  # the CA, and the certificate it signed for 127.0.0.1
mkdir -p "$tls"
"$PY" make_tls.py "$tls"
simulator_start_another TLS --tls-cert "$tls/server.pem" --tls-key "$tls/server.key"
tls_port=$SIM_TLS_PORT

# run_job NAME CREDENTIAL_INPUTS_JSON SURVEY_ANSWERS_JSON [awx_job.py run options]
# One job, like AWX; its output goes to $jobs/NAME.out and its exit status to $jobs/NAME.rc (0 successful, 1 failed,
# 3 refused by AWX). The project is the collection's repository unless --project says otherwise.
run_job() {
    local name=$1 inputs=$2 answers=$3 rc=0
    shift 3
    "$PY" awx_job.py run --credential-type "$cred_type" --inputs "$inputs" --job-template "$job_template" \
        --answers "$answers" --project "$root" --ee-collections "$ee_collections" --job-dir "$jobs/$name" "$@" \
        >"$jobs/$name.out" 2>&1 || rc=$?
    echo "$rc" >"$jobs/$name.rc"
    cat "$jobs/$name.out"
}

ok() { [ "$(cat "$jobs/$1.rc")" -eq 0 ] || { echo "job $1 failed" >&2; exit 1; }; }
failed() { [ "$(cat "$jobs/$1.rc")" -eq 1 ] || { echo "job $1 should have run and failed" >&2; exit 1; }; }
says() { grep -qF -- "$2" "$jobs/$1.out" || { echo "job $1 output lacks: $2" >&2; exit 1; }; }
never_says() { if grep -qF -- "$2" "$jobs/$1.out"; then echo "job $1 output has: $2" >&2; exit 1; fi; }
# No console token (<session uuid>_<vm uuid>), no traceback, no warning or deprecation warning in any job output
# (with `warned`, only the warnings of VMs that got no console).
clean() {
    if grep -Eq '[0-9a-fA-F]{32}_[0-9a-fA-F]{32}' "$jobs/$1.out"; then echo "job $1 output has a token" >&2; exit 1; fi
    never_says "$1" Traceback
    if [ "${2:-}" = warned ]; then
        if grep -F "[WARNING]" "$jobs/$1.out" | grep -vqF "No console: "; then echo "job $1 warns of more" >&2; exit 1; fi
    else
        never_says "$1" "[WARNING]"
    fi
    never_says "$1" "[DEPRECATION WARNING]"
}
console_of() { "$PY" awx_job.py consoles "$1" | awk -v vm="$2" '$1 == vm'; }

# 1. An account credential with only the required fields and a password; two VMs in the textarea, one line each
#    (with the blank line and spaces people type). Scheme, port default, validate_certs: AWX leaves them empty.
run_job account \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "account_name": "console-ops", "account_password": "'"$ops_password"'"}' \
    '{"vm_names": "web-01\n db-01 \n\n"}'
ok account
says account "web-01 ($web_01): console proxy http://127.0.0.1:4900 (vnc)"
says account "db-01 ($db_01): console proxy http://127.0.0.1:4900 (vnc)"
says account "the token embeds the session this job opened (ending it revokes the console)"
never_says account "$ops_password"
clean account
# The simulator has both consoles, each with its websockify token file, in one session.
for vm in $web_01 $db_01; do
    read -r _ session token_file <<<"$(console_of "$SIM_URL" "$vm")"
    [ -n "$session" ] && [ -s "$token_file" ]
    grep -q "^${session}_${vm}: " "$token_file"
done
[ "$(console_of "$SIM_URL" "$web_01" | cut -d' ' -f2)" = "$(console_of "$SIM_URL" "$db_01" | cut -d' ' -f2)" ]
account_session=$(console_of "$SIM_URL" "$web_01" | cut -d' ' -f2)
never_says account "$account_session"

# 2. An AccessKey credential and a VM by UUID that already has a console (from job 1): ZStack returns the existing
#    token, which embeds job 1's session, and the job says so. Run as the collection's playbook, by its FQCN.
run_job access_key \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "access_key_id": "'"$ak_id"'", "access_key_secret": "'"$ak_secret"'"}' \
    "{\"vm_names\": \"$web_01\"}" --playbook zstack.cloud.awx_console
ok access_key
says access_key "$web_01: console proxy http://127.0.0.1:4900"
says access_key "the token embeds another session, which opened this console earlier"
never_says access_key "$ak_secret"
clean access_key

# 3. A session credential: the job uses it and leaves it valid (the module never logs out a session it was given).
session=$("$PY" - "$SIM_URL" "$ops_password" <<'EOF'
import hashlib, json, sys, urllib.request
url, password = sys.argv[1:3]
body = {"logInByAccount": {"accountName": "console-ops", "password": hashlib.sha512(password.encode()).hexdigest()}}
request = urllib.request.Request(url + "/zstack/v1/accounts/login", data=json.dumps(body).encode(), method="PUT",
                                 headers={"Content-Type": "application/json;charset=UTF-8"})
print(json.load(urllib.request.urlopen(request, timeout=10))["inventory"]["uuid"])
EOF
)
run_job session '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "session_uuid": "'"$session"'"}' \
    '{"vm_names": "web-02"}'
ok session
says session "web-02 ($web_02): console proxy"
[ "$(console_of "$SIM_URL" "$web_02" | cut -d' ' -f2)" = "$session" ]
curl_valid=$("$PY" -c 'import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1], timeout=10))["valid"])' \
    "$SIM_URL/zstack/v1/accounts/sessions/$session/valid")
[ "$curl_valid" = True ]
never_says session "$session"
clean session

# 4. An IAM user over HTTPS, the management node's certificate signed by the CA pasted into the credential;
#    validate_certs left empty, so certificates are checked.
ca_pem=$("$PY" -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$tls/ca.pem")
iam_tls='{"host": "127.0.0.1", "port": "'"$tls_port"'", "scheme": "https", "account_name": "console-ops",
          "user_name": "vnc-viewer", "account_password": "'"$viewer_password"'"'
run_job iam_tls "$iam_tls, \"ca_cert\": $ca_pem}" '{"vm_names": "web-02"}'
ok iam_tls
says iam_tls "web-02 ($web_02): console proxy"
never_says iam_tls "$viewer_password"
clean iam_tls

# 5. The same without the CA: the certificate is checked and rejected, and the job says it is a TLS problem.
run_job tls_no_ca "$iam_tls}" '{"vm_names": "web-02"}'
failed tls_no_ca
says tls_no_ca "TLS error talking to ZStack at https://127.0.0.1:$tls_port"
clean tls_no_ca

# 6. validate_certs "false" (a lab): no CA needed.
run_job tls_lab "$iam_tls, \"validate_certs\": \"false\"}" '{"vm_names": "db-01"}'
ok tls_lab
says tls_lab "db-01 ($db_01): console proxy"
clean tls_lab

# 7. One VM that does not exist and one that does: an incident is partial, so the job hands out the console that
#    worked, says which VM got none and why, and shows no token.
run_job unknown_vm \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "account_name": "console-ops", "account_password": "'"$ops_password"'"}' \
    '{"vm_names": "web-01\nno-such-vm"}'
ok unknown_vm
says unknown_vm "web-01 ($web_01): console proxy http://127.0.0.1:4900"
says unknown_vm "no-such-vm: no console: No VM named 'no-such-vm' that is not Destroyed"
never_says unknown_vm "$ops_password"
clean unknown_vm warned

# 7b. Only VMs that cannot have a console: the job fails and says so.
run_job none_worked \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "account_name": "console-ops", "account_password": "'"$ops_password"'"}' \
    '{"vm_names": "no-such-vm"}'
failed none_worked
says none_worked "No VM got a console (1 failed; see above)"
clean none_worked warned

# 8. An answer of blank lines (AWX accepts it: it is not empty) asks for nothing and says why.
run_job blank \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "account_name": "console-ops", "account_password": "'"$ops_password"'"}' \
    '{"vm_names": " \n "}'
failed blank
says blank "vm_names is empty: give one VM name or UUID per line"

# 9. AWX refuses to launch with the survey's required answer left empty (nothing runs).
run_job no_answer \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "account_name": "console-ops", "account_password": "'"$ops_password"'"}' \
    '{}'
[ "$(cat "$jobs/no_answer.rc")" -eq 3 ]
says no_answer "AWX would refuse this: 'vm_names' value  is too small (length is 0 must be at least 1)."

# 10. docs/awx.md, step 1 A: a project of its own - its collections/requirements.yml and zstack_console.yml exactly as
#     the page shows them, but for the collection's git URL, replaced by a file URL of a git repository holding the
#     collection's files - synced as AWX's project update does (ansible-galaxy collection install -r into the job's
#     requirements_collections), in an execution environment without the collection. The credential leaves the
#     choice fields empty, which AWX saves as their first choice, and the CA empty, which sets ZSTACK_CA_PATH empty.
repo=$SIM_WORK/zstack.cloud
mkdir -p "$repo"
tar -C "$ee_collections/ansible_collections/zstack/cloud" --exclude=./tests/output --exclude=./.git -cf - . \
    | tar -C "$repo" -xf -
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=zstack.cloud -c user.email=test@example.com commit -q -m "the collection"
project=$SIM_WORK/project
mkdir -p "$project/collections"
"$PY" awx_job.py doc-block "$root/docs/awx.md" '# collections/requirements.yml' >"$project/collections/requirements.yml"
sed -i "s#https://git.example.com/infra/zstack.cloud.git#git+file://$repo#" "$project/collections/requirements.yml"
grep -q "name: git+file://$repo" "$project/collections/requirements.yml"
"$PY" awx_job.py doc-block "$root/docs/awx.md" '# zstack_console.yml' >"$project/zstack_console.yml"
# awx/playbooks/project_update.yml runs `ansible-galaxy collection install -r <project>/collections/requirements.yml`
# with the collections path set to the project's requirements_collections.
update=$SIM_WORK/project-update/requirements_collections
ANSIBLE_COLLECTIONS_PATH=$update ansible-galaxy collection install -r "$project/collections/requirements.yml" \
    | tee "$SIM_WORK/project-update.out"
grep -q "zstack.cloud:.* was installed successfully" "$SIM_WORK/project-update.out"
[ -f "$update/ansible_collections/zstack/cloud/playbooks/awx_console.yml" ]
empty_ee=$SIM_WORK/empty-ee
mkdir -p "$empty_ee"
run_job own_project \
    '{"host": "127.0.0.1", "port": "'"$SIM_PORT"'", "scheme": "", "validate_certs": "", "ca_cert": "",
      "account_name": "console-ops", "account_password": "'"$ops_password"'"}' \
    '{"vm_names": "web-02"}' --project "$project" --ee-collections "$empty_ee" --requirements-collections "$update" \
    --playbook zstack_console.yml
ok own_project
says own_project "web-02 ($web_02): console proxy http://127.0.0.1:4900 (vnc)"
never_says own_project "$ops_password"
clean own_project
