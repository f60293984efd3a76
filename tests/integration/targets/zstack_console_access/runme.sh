#!/usr/bin/env bash
# zstack_console_access against the ZStack simulator, through real ansible-core:
# playbook tests (every behaviour of the module) and the ad-hoc run from the README.
set -eux

source ../setup_zstack_simulator/simulator.sh
simulator_start
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
