# shellcheck shell=bash
# Sourced by integration targets' runme.sh: starts ZStack simulators on free loopback ports
# and always stops them when the sourcing script exits.
#
#   source ../setup_zstack_simulator/simulator.sh
#   simulator_start [extra simulator options]   # exports SIM_URL, SIM_PORT, SIM_SEED, SIM_TOKEN_DIR
#   simulator_start_another NAME [options]      # a further simulator: exports SIM_<NAME>_URL, SIM_<NAME>_PORT
#                                               # (e.g. simulator_start_another SHANGHAI --timezone Asia/Shanghai)
#
# ansible-test copies tests/simulator/ beside the targets (needs/file aliases), so its path is
# relative to this file.

SIM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../simulator" && pwd)
SIM_PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
SIM_WORK=$(mktemp -d)
SIM_SEED="$SIM_DIR/seed.json"
SIM_PIDS=()

simulator_stop() {
    local pid
    for pid in "${SIM_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    SIM_PIDS=()
    rm -rf "$SIM_WORK"
}
trap simulator_stop EXIT

# Every target that sources this file has a time-out (ZSTACK_TARGET_TIMEOUT seconds, default 1200): a hang fails
# with the target's name instead of stalling the run. The watchdog ends the target's child processes, which lets
# bash run the USR1 trap (bash runs traps only between commands), and it leaves by itself once the target is gone.
SIM_TARGET_NAME=$(basename "$PWD")
SIM_TARGET_TIMEOUT=${ZSTACK_TARGET_TIMEOUT:-1200}
trap 'echo "integration target $SIM_TARGET_NAME: timed out after $SIM_TARGET_TIMEOUT s" >&2; exit 124' USR1
_simulator_watchdog() {
    local target=$1 limit=$2 waited=0
    while [ "$waited" -lt "$limit" ]; do
        sleep 1
        kill -0 "$target" 2>/dev/null || exit 0
        waited=$((waited + 1))
    done
    kill -USR1 "$target" 2>/dev/null || exit 0
    pkill -TERM -P "$target" 2>/dev/null || true
}
_simulator_watchdog "$$" "$SIM_TARGET_TIMEOUT" >/dev/null 2>&1 </dev/null &

# _simulator_run DIR [options]: one simulator with its port file, token directory and log in DIR;
# sets SIM_LAST_PORT once it listens.
_simulator_run() {
    local dir=$1 pid
    shift
    mkdir -p "$dir/tokens"
    "$SIM_PYTHON" "$SIM_DIR/zstack_simulator.py" --seed "$SIM_SEED" --host 127.0.0.1 --port 0 \
        --port-file "$dir/port" --token-dir "$dir/tokens" --log-file "$dir/simulator.log" "$@" &
    pid=$!
    SIM_PIDS+=("$pid")
    for _ in $(seq 100); do
        [ -s "$dir/port" ] && break
        kill -0 "$pid" 2>/dev/null || { echo "simulator exited early:" >&2; cat "$dir/simulator.log" >&2; return 1; }
        sleep 0.1
    done
    [ -s "$dir/port" ] || { echo "simulator did not start within 10 s" >&2; return 1; }
    SIM_LAST_PORT=$(cat "$dir/port")
}

simulator_start() {
    SIM_TOKEN_DIR="$SIM_WORK/tokens"
    _simulator_run "$SIM_WORK" "$@"
    SIM_PORT=$SIM_LAST_PORT
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    export SIM_PORT SIM_URL SIM_SEED SIM_TOKEN_DIR SIM_WORK
}

simulator_start_another() {
    local name=$1
    shift
    _simulator_run "$SIM_WORK/$name" "$@"
    printf -v "SIM_${name}_PORT" '%s' "$SIM_LAST_PORT"
    printf -v "SIM_${name}_URL" '%s' "http://127.0.0.1:$SIM_LAST_PORT"
    export "SIM_${name}_PORT" "SIM_${name}_URL"
}
