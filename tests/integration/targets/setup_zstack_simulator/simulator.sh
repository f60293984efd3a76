# shellcheck shell=bash
# Sourced by integration targets' runme.sh: starts the ZStack simulator on a free loopback port
# and always stops it when the sourcing script exits.
#
#   source ../setup_zstack_simulator/simulator.sh
#   simulator_start [extra simulator options]   # exports SIM_URL, SIM_PORT, SIM_SEED, SIM_TOKEN_DIR
#
# ansible-test copies tests/simulator/ beside the targets (needs/file aliases), so its path is
# relative to this file.

SIM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../simulator" && pwd)
SIM_PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
SIM_WORK=$(mktemp -d)
SIM_PID=

simulator_stop() {
    if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SIM_PID" 2>/dev/null || true
    fi
    SIM_PID=
    rm -rf "$SIM_WORK"
}
trap simulator_stop EXIT

simulator_start() {
    SIM_SEED="$SIM_DIR/seed.json"
    SIM_TOKEN_DIR="$SIM_WORK/tokens"
    mkdir -p "$SIM_TOKEN_DIR"
    "$SIM_PYTHON" "$SIM_DIR/zstack_simulator.py" --seed "$SIM_SEED" --host 127.0.0.1 --port 0 \
        --port-file "$SIM_WORK/port" --token-dir "$SIM_TOKEN_DIR" --log-file "$SIM_WORK/simulator.log" "$@" &
    SIM_PID=$!
    for _ in $(seq 100); do
        [ -s "$SIM_WORK/port" ] && break
        kill -0 "$SIM_PID" 2>/dev/null || { echo "simulator exited early:" >&2; cat "$SIM_WORK/simulator.log" >&2; return 1; }
        sleep 0.1
    done
    [ -s "$SIM_WORK/port" ] || { echo "simulator did not start within 10 s" >&2; return 1; }
    SIM_PORT=$(cat "$SIM_WORK/port")
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    export SIM_PORT SIM_URL SIM_SEED SIM_TOKEN_DIR SIM_WORK
}
