#!/usr/bin/env bash
# zstack.cloud against a management node that is slow, half up or rejecting sessions, through real ansible-core:
#   1. main.yml: the fault matrix (each fault injected into the simulator, with its expected outcome and a bound
#      on the time it may take), TLS with a self-signed certificate, and session accounting;
#   2. secrets.yml at -vvv: no password, password digest, AccessKey secret or caller session UUID in the output.
set -eux

source ../setup_zstack_simulator/simulator.sh

WORK=$(mktemp -d)
cleanup() {
    simulator_stop
    rm -rf "$WORK"
}
trap cleanup EXIT

# The seed plus a fleet of 40 Running VMs of console-ops, for "one login whatever number of VMs".
"$SIM_PYTHON" - "$SIM_DIR/seed.json" "$WORK/seed.json" <<'PY'
import hashlib
import json
import sys

with open(sys.argv[1], encoding='utf-8') as handle:
    seed = json.load(handle)
hosts = [host['uuid'] for host in seed['hosts']]
for index in range(40):
    name = 'fleet-%02d' % index
    seed['vms'].append({'uuid': hashlib.md5(name.encode()).hexdigest(), 'name': name, 'state': 'Running',
                        'hostUuid': hosts[index % len(hosts)], 'vncPort': 6000 + index, 'owner': 'console-ops'})
with open(sys.argv[2], 'w', encoding='utf-8') as handle:
    json.dump(seed, handle)
PY
simulator_start --seed "$WORK/seed.json"
# ansible-core 2.21 returns a module's `invocation` only when asked (INJECT_INVOCATION, default off); ask, so that
# the checks that secrets are masked in it run on every ansible-core.
export ANSIBLE_INJECT_INVOCATION=true

# A CA and a certificate for 127.0.0.1 that it signed, for a second simulator that serves HTTPS.
command -v openssl >/dev/null || { echo "zstack_faults: openssl is needed for the TLS cases" >&2; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=zstack_faults test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > "$WORK/server.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
    -extfile "$WORK/server.ext" -out "$WORK/server.pem" 2>/dev/null
chmod 0600 "$WORK/ca.key" "$WORK/server.key"

simulator_start_another TLS --seed "$WORK/seed.json" --tls-cert "$WORK/server.pem" --tls-key "$WORK/server.key"
TLS_PORT=$SIM_TLS_PORT

# A loopback port that nothing listens on (bound, then released).
closed_port=$("$SIM_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_NOCOLOR=1
vars=(-e sim_url="$SIM_URL" -e sim_port="$SIM_PORT" -e sim_seed="$WORK/seed.json" -e sim_token_dir="$SIM_TOKEN_DIR"
      -e tls_port="$TLS_PORT" -e tls_ca="$WORK/ca.pem" -e closed_port="$closed_port")

started=$SECONDS
ansible-playbook main.yml "${vars[@]}" "$@"
echo "zstack_faults: main.yml took $((SECONDS - started)) s"

# ---------------------------------------------------------------- secret hygiene at -vvv
# The caller's sessions come from here, through the environment, so that only the modules could print them.
login() {  # login ACCOUNT PASSWORD -> session UUID
    "$SIM_PYTHON" - "$SIM_URL" "$1" "$2" <<'PY'
import hashlib
import json
import sys
import urllib.request

url, account, password = sys.argv[1:4]
body = json.dumps({'logInByAccount': {'accountName': account,
                                      'password': hashlib.sha512(password.encode()).hexdigest()}}).encode()
request = urllib.request.Request(url + '/zstack/v1/accounts/login', data=body, method='PUT',
                                 headers={'Content-Type': 'application/json'})
print(json.loads(urllib.request.urlopen(request, timeout=10).read())['inventory']['uuid'])
PY
}
curl_post() { "$SIM_PYTHON" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="POST"), timeout=10).read()' "$1"; }

curl_post "$SIM_URL/_sim/reset"
OPS_PASSWORD='C0nsole-Ops!'
CALLER_SESSION=$(login console-ops "$OPS_PASSWORD")
EXPIRED_SESSION=$(login console-ops "$OPS_PASSWORD")
curl_post "$SIM_URL/_sim/sessions/$EXPIRED_SESSION/expire"
AK_SECRET=$("$SIM_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["accessKeys"][0]["secret"])' "$WORK/seed.json")
export CALLER_SESSION EXPIRED_SESSION

log=$WORK/secrets.log
unset ANSIBLE_DEBUG
if ! ansible-playbook -vvv secrets.yml "${vars[@]}" "$@" >"$log" 2>&1; then
    cat "$log"
    exit 1
fi

"$SIM_PYTHON" - "$log" "$OPS_PASSWORD" "$AK_SECRET" "$CALLER_SESSION" "$EXPIRED_SESSION" <<'PY'
import hashlib
import re
import sys

path, password, ak_secret, caller_session, expired_session = sys.argv[1:6]
with open(path, encoding='utf-8', errors='replace') as handle:
    text = handle.read()
problems = []
for label, secret in (('account password', password), ('password SHA-512 digest', hashlib.sha512(password.encode()).hexdigest()),
                      ('AccessKey secret', ak_secret), ('wrong password of the failing task', 'Wrong-Pass-3!'),
                      ('IAM user password', 'Vnc-Viewer!1'), ('IAM user password digest', hashlib.sha512(b'Vnc-Viewer!1').hexdigest()),
                      ('wrong AccessKey secret of the failing task', 'not-the-secret-a9')):
    if secret in text:
        problems.append('the %s appears in the -vvv output' % label)
# A token is "<session>_<vm>" and is the module's result: the caller's session may appear only inside tokens.
for label, session in (('caller session UUID', caller_session), ('expired caller session UUID', expired_session)):
    outside = [m.start() for m in re.finditer(re.escape(session) + r'(?!_[0-9a-f]{32})', text)]
    if outside:
        at = outside[0]
        problems.append('the %s appears outside a token: ...%s...' % (label, text[max(at - 80, 0):at].replace(session, '<S>')))
# The run did show results (so that the checks above looked at something).
for needed in ('"zstack_consoles"', '"invocation"', 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', caller_session + '_'):
    if needed not in text:
        problems.append('expected %r in the -vvv output' % needed)
if problems:
    sys.exit('secret hygiene: ' + '; '.join(problems))
print('secret hygiene: -vvv output (%d bytes) holds no secret' % len(text))
PY
echo "zstack_faults: done in $SECONDS s"
