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
# State lives in $SIMULATOR_STATE_DIR (default build/simulator/): pid, port,
# simulator.log, tokens/. Knobs: SIMULATOR_PYTHON (default .venv/bin/python,
# else python3), SIMULATOR_SEED (default tests/simulator/seed.json),
# SIMULATOR_ARGS (extra options), SIMULATOR_DEMO_ACCOUNT (default console-ops),
# SIMULATOR_TIMEZONE (the node's zone, e.g. Asia/Shanghai or +08:00: the dates it
# writes and the AccessKey Date check follow it; default: this machine's zone).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${SIMULATOR_STATE_DIR:-$root/build/simulator}
pid_file=$state/pid
port_file=$state/port
log_file=$state/simulator.log
simulator=$root/tests/simulator/zstack_simulator.py
seed=${SIMULATOR_SEED:-$root/tests/simulator/seed.json}
account=${SIMULATOR_DEMO_ACCOUNT:-console-ops}
if [ -z "${SIMULATOR_PYTHON:-}" ]; then
  if [ -x "$root/.venv/bin/python" ]; then SIMULATOR_PYTHON=$root/.venv/bin/python; else SIMULATOR_PYTHON=python3; fi
fi

running() {
  [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

start() {
  if running; then
    echo "simulator: already running (pid $(cat "$pid_file"), port $(cat "$port_file" 2>/dev/null || echo '?'))" >&2
    return 1
  fi
  [ -f "$simulator" ] || { echo "simulator: $simulator not found" >&2; return 1; }
  rm -rf "$state"
  mkdir -p "$state/tokens"
  # shellcheck disable=SC2086  # SIMULATOR_ARGS is a list of options
  nohup "$SIMULATOR_PYTHON" "$simulator" --seed "$seed" --host 127.0.0.1 --port 0 \
    --port-file "$port_file" --token-dir "$state/tokens" --log-file "$log_file" \
    ${SIMULATOR_TIMEZONE:+--timezone "$SIMULATOR_TIMEZONE"} \
    ${SIMULATOR_ARGS:-} >>"$state/stdout.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 150); do
    if [ -s "$port_file" ]; then
      echo "simulator: http://127.0.0.1:$(cat "$port_file") (pid $(cat "$pid_file"), log $log_file)"
      return 0
    fi
    if ! running; then
      echo "simulator: exited during start-up:" >&2
      cat "$state/stdout.log" "$log_file" >&2 2>/dev/null || true
      rm -f "$pid_file"
      return 1
    fi
    sleep 0.1
  done
  echo "simulator: no port file after 15 s; stopping it" >&2
  stop
  return 1
}

stop() {
  if [ -s "$pid_file" ]; then
    local pid
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      echo "simulator: stopped (pid $pid)"
    fi
  fi
  rm -f "$pid_file" "$port_file"
}

status() {
  if running; then
    echo "simulator: running at http://127.0.0.1:$(cat "$port_file") (pid $(cat "$pid_file"))"
  else
    echo "simulator: not running"
    return 1
  fi
}

print_env() {
  running || { echo "simulator: not running" >&2; return 1; }
  "$SIMULATOR_PYTHON" - "$seed" "$account" "$(cat "$port_file")" <<'EOF'
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
