#!/usr/bin/env bash
# Run the bundled ZStack simulator (tests/simulator/zstack_simulator.py) in the
# background, for `make demo`, benchmarks and manual tries.
#
#   tools/simulator.sh start    start on a free loopback port; waits until it listens
#   tools/simulator.sh stop     stop it (no error if it is not running)
#   tools/simulator.sh status   exit 0 if running, print the URL
#   tools/simulator.sh env      print `export ZSTACK_...=...` lines for the running
#                               simulator and the seed's demo account: eval "$(tools/simulator.sh env)"
#
# tests/simulator/simulator_process.py starts and stops it. State lives in
# $SIMULATOR_STATE_DIR (default build/simulator/): port, pid, url, simulator.log,
# tokens/. Knobs: SIMULATOR_PYTHON (default .venv/bin/python, else python3),
# SIMULATOR_SEED (default tests/simulator/seed.json), SIMULATOR_ARGS (extra options), SIMULATOR_DEMO_ACCOUNT (default console-ops),
# SIMULATOR_TIMEZONE (the node's zone, e.g. Asia/Shanghai or +08:00: the dates it
# writes and the AccessKey Date check follow it; default: this machine's zone).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${SIMULATOR_STATE_DIR:-$root/build/simulator}
launcher=$root/tests/simulator/simulator_process.py  # starts, watches and stops the simulator
seed=${SIMULATOR_SEED:-$root/tests/simulator/seed.json}
account=${SIMULATOR_DEMO_ACCOUNT:-console-ops}
if [ -z "${SIMULATOR_PYTHON:-}" ]; then
  if [ -x "$root/.venv/bin/python" ]; then SIMULATOR_PYTHON=$root/.venv/bin/python; else SIMULATOR_PYTHON=python3; fi
fi

launch() {
  "$SIMULATOR_PYTHON" "$launcher" "$@"
}

start() {
  local started
  # shellcheck disable=SC2086  # SIMULATOR_ARGS is a list of options
  started=$(launch start --dir "$state" -- --seed "$seed" ${SIMULATOR_TIMEZONE:+--timezone "$SIMULATOR_TIMEZONE"} \
    ${SIMULATOR_ARGS:-}) || return 1
  echo "simulator: ${started#* } (pid $(cat "$state/pid"), log $state/simulator.log)"
}

stop() {
  launch stop --dir "$state"
}

status() {
  launch status --dir "$state"
}

print_env() {
  status >/dev/null || { echo "simulator: not running" >&2; return 1; }
  "$SIMULATOR_PYTHON" - "$seed" "$account" "$(cat "$state/port")" <<'EOF'
import json
import shlex
import sys

seed_path, account, port = sys.argv[1:4]
with open(seed_path, encoding='utf-8') as handle:
    seed = json.load(handle)

record = next((item for item in seed.get('accounts', []) if item.get('name') == account), None)
if record is None or not isinstance(record.get('password'), str):
    sys.exit('simulator: no account %r with a password in %s' % (account, seed_path))
values = {
    'ZSTACK_HOST': '127.0.0.1',
    'ZSTACK_PORT': port,
    'ZSTACK_SCHEME': 'http',
    'ZSTACK_ACCOUNT_NAME': account,
    'ZSTACK_ACCOUNT_PASSWORD': record['password'],
}
for key, value in values.items():
    print('export %s=%s' % (key, shlex.quote(value)))
EOF
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
