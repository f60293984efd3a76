# shellcheck shell=bash
# Sourced by integration targets' runme.sh: starts ZStack simulators on free loopback ports
# and always stops them when the sourcing script exits.
#
#   source ../setup_zstack_simulator/simulator.sh
#   simulator_start [extra simulator options]   # exports SIM_URL, SIM_PORT, SIM_SEED, SIM_TOKEN_DIR
#   simulator_start_another NAME [options]      # a further simulator: exports SIM_<NAME>_URL, SIM_<NAME>_PORT
#                                               # (e.g. simulator_start_another SHANGHAI --timezone Asia/Shanghai;
#                                               # with --tls-cert/--tls-key its URL is https)
#   simulator_stop                              # stops them all (the EXIT trap does; call it from a trap of your own)
#
# The options are zstack_simulator.py's; --seed defaults to SIM_SEED. Each simulator has a directory of its own
# ($SIM_WORK for the first, $SIM_WORK/NAME for the others: port, pid, url, simulator.log, tokens/).
#
# ansible-test copies tests/simulator/ beside the targets (needs/file aliases), so its path is
# relative to this file.

SIM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../simulator" && pwd)
SIM_PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
SIM_WORK=$(mktemp -d)
SIM_SEED="$SIM_DIR/seed.json"
SIM_DIRS=()

# Start and stop go through tests/simulator/simulator_process.py, the one place that does either.
simulator_stop() {
    local dir
    for dir in "${SIM_DIRS[@]}"; do
        "$SIM_PYTHON" "$SIM_DIR/simulator_process.py" stop --dir "$dir" || true
    done
    SIM_DIRS=()
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
# sets SIM_LAST_PORT and SIM_LAST_URL once it listens.
_simulator_run() {
    local dir=$1 started
    shift
    SIM_DIRS+=("$dir")
    started=$("$SIM_PYTHON" "$SIM_DIR/simulator_process.py" start --dir "$dir" -- --seed "$SIM_SEED" "$@") || return 1
    read -r SIM_LAST_PORT SIM_LAST_URL <<<"$started"
}

simulator_start() {
    SIM_TOKEN_DIR="$SIM_WORK/tokens"
    _simulator_run "$SIM_WORK" "$@"
    SIM_PORT=$SIM_LAST_PORT
    SIM_URL=$SIM_LAST_URL
    export SIM_PORT SIM_URL SIM_SEED SIM_TOKEN_DIR SIM_WORK
}

simulator_start_another() {
    local name=$1
    shift
    _simulator_run "$SIM_WORK/$name" "$@"
    printf -v "SIM_${name}_PORT" '%s' "$SIM_LAST_PORT"
    printf -v "SIM_${name}_URL" '%s' "$SIM_LAST_URL"
    export "SIM_${name}_PORT" "SIM_${name}_URL"
}
