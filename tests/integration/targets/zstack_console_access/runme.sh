#!/usr/bin/env bash
# zstack_console_access against the ZStack simulator, through real ansible-core:
# playbook tests (every behaviour of the module) and the ad-hoc run from the README.
set -eux

source ../setup_zstack_simulator/simulator.sh
simulator_start
# ansible-core 2.21 returns a module's `invocation` only when asked (INJECT_INVOCATION, default off); ask, so that
# the checks that secrets are masked in it run on every ansible-core.
export ANSIBLE_INJECT_INVOCATION=true
# A second management node whose JVM runs in China Standard Time (tasks/timezone.yml).
simulator_start_another SHANGHAI --timezone Asia/Shanghai

# A loopback port that nothing listens on (bound, then released), for the unreachable-endpoint test.
closed_port=$("$SIM_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False
ansible-playbook main.yml -e sim_url="$SIM_URL" -e sim_port="$SIM_PORT" -e sim_seed="$SIM_SEED" \
    -e sim_token_dir="$SIM_TOKEN_DIR" -e closed_port="$closed_port" \
    -e shanghai_url="$SIM_SHANGHAI_URL" -e shanghai_port="$SIM_SHANGHAI_PORT" "$@"

# The README's ad-hoc run, credentials from ZSTACK_* variables only.
out=$(ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_SCHEME=http ZSTACK_ACCOUNT_NAME=console-ops \
      ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!' \
      ansible localhost -m zstack.cloud.zstack_console_access -a vm_instance_name=web-01)
echo "$out" | grep -q '"vm_instance_uuid": "374f25061ea8462da5c428fcb2aa243c"'
echo "$out" | grep -q '"websocket_url": "ws://127.0.0.1:4900/?token='
echo "$out" | grep -q '"changed": false'
if echo "$out" | grep -q 'C0nsole-Ops!'; then echo "password leaked into ad-hoc output" >&2; exit 1; fi

# A bad UUID fails with one line, before any request, and ad hoc exits non-zero.
set +e
out=$(ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!' \
      ansible localhost -m zstack.cloud.zstack_console_access -a vm_instance_uuid=not-a-uuid 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ]
echo "$out" | grep -q "is not a ZStack UUID (32 hex characters, no dashes)"
if echo "$out" | grep -q Traceback; then echo "traceback in ad-hoc failure" >&2; exit 1; fi

# The ad-hoc line for an incident (docs/incident-playbooks.md): every VM on a host, with a URL a browser opens.
out=$(ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!' \
      ansible localhost -m zstack.cloud.zstack_console_access -a 'vm_query=hostUuid=2c37964565324cce83f7e90f505acb28')
echo "$out" | grep -q '"vm_instance_name": "paused-01"'
# The simulator is ZStack 5.2.1: the web UI's page of 4.0 and later.
echo "$out" | grep -q '"console_url": "http://127.0.0.1:5000/novnc?host=127.0.0.1&port=4900&token=[0-9a-f]\{32\}_ab04180819704b28aee1f3bc94f96637&title=db-01"'

# The incident playbook, with the answers of its AWX survey (checked against the survey as AWX would) and the
# credentials in ZSTACK_*: it lists the host's VMs and prints no token.
root=$(cd ../../../.. && pwd)
"$SIM_PYTHON" ../awx_job_template/awx_job.py launch "$root/extensions/awx/job_templates/incident_host_consoles.yml" \
    '{"incident_host_uuid": "2c37964565324cce83f7e90f505acb28", "incident_vm_query": "name!=db-01\nname~=%-01"}' \
    "$SIM_WORK/incident" >/dev/null
out=$(ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!' \
      ansible-playbook "$root/playbooks/incident_host_consoles.yml" -e "@$SIM_WORK/incident/env/extravars")
echo "$out" | grep -q 'paused-01 (e9982d049c80453e9dbb147063c70efe): console proxy http://127.0.0.1:4900 (vnc)'
echo "$out" | grep -q 'dup-01 (1323e28ee0ad4cda9071efcf77130130): console proxy'
if echo "$out" | grep -q 'db-01 (ab04'; then echo "the incident playbook ignored a query condition" >&2; exit 1; fi
if echo "$out" | grep -Eq '[0-9a-f]{32}_[0-9a-f]{32}|token=|C0nsole-Ops!'; then
    echo "the incident playbook printed a token or the password" >&2; exit 1
fi

# A too-wide query fails the playbook before any console request, and says how many VMs matched.
set +e
out=$(ZSTACK_HOST=127.0.0.1 ZSTACK_PORT="$SIM_PORT" ZSTACK_ACCOUNT_NAME=console-ops ZSTACK_ACCOUNT_PASSWORD='C0nsole-Ops!' \
      ansible-playbook "$root/playbooks/incident_host_consoles.yml" -e incident_host_uuid=930ed76e681e4c39b80fde512cab93ba \
      -e incident_max_vms=2 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ]
echo "$out" | grep -q 'matches 4 VMs that can have a console, more than max_vms=2'
