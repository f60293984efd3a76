#!/usr/bin/env bash
# make demo and make demo-stop: the collection built and installed as a user would, the bundled ZStack simulator
# started, playbooks/demo.yml run against it - and then the simulator left running, with a file that sets up a shell
# to try the collection by hand (docs/user-guide.md, "Try it without a ZStack cloud", has the same lines).
#
#   tools/demo.sh run DEMO_VENV BUILD    build into BUILD/dist, install into BUILD/demo-collections, start the
#                                        simulator (state in BUILD/demo-simulator), run the demo, write
#                                        BUILD/demo-env.sh, print the lines to paste; on failure stop the simulator
#   tools/demo.sh stop BUILD             stop that simulator and remove BUILD/demo-env.sh
#
# BUILD/demo-env.sh, for `source`: the demo venv's bin first on PATH (ansible, ansible-playbook, ansible-doc, with
# ansible-core and requests only), ANSIBLE_COLLECTIONS_PATH on the installed copy, the simulator's ZSTACK_* variables
# (its demo account), and no notice about running without an inventory.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}

build_dir() {
    mkdir -p "$1"
    (cd "$1" && pwd)
}

case "$cmd" in
run)
    [ $# -eq 3 ] || { echo "usage: $0 run DEMO_VENV BUILD" >&2; exit 2; }
    venv=$(cd "$2" && pwd)
    build=$(build_dir "$3")
    ;;
stop)
    [ $# -eq 2 ] || { echo "usage: $0 stop BUILD" >&2; exit 2; }
    build=$(build_dir "$2")
    ;;
*)
    echo "usage: $0 run DEMO_VENV BUILD | stop BUILD" >&2
    exit 2
    ;;
esac

env_file=$build/demo-env.sh
export SIMULATOR_STATE_DIR=$build/demo-simulator

if [ "$cmd" = stop ]; then
    bash "$src/tools/simulator.sh" stop
    rm -f "$env_file"
    exit 0
fi

dist=$build/dist
collections=$build/demo-collections
# An earlier demo's simulator goes first: one demo at a time.
bash "$src/tools/simulator.sh" stop >/dev/null
rm -f "$env_file"
rm -rf "$dist" "$collections"
"$venv/bin/ansible-galaxy" collection build --force --output-path "$dist" "$src"
ANSIBLE_COLLECTIONS_PATH=$collections \
    "$venv/bin/ansible-galaxy" collection install --offline --force -p "$collections" "$dist"/zstack-cloud-*.tar.gz

export SIMULATOR_PYTHON=$venv/bin/python
ready=false
trap '[ "$ready" = true ] || bash "$src/tools/simulator.sh" stop' EXIT
trap 'exit 130' INT TERM
bash "$src/tools/simulator.sh" start
zstack_env=$(bash "$src/tools/simulator.sh" env)

# The shell set-up, written before the demo runs with exactly it.
umask 077  # it holds the simulator's demo password
{
    echo "# Written by make demo: the demo's ansible on PATH, the collection where it looks, the running simulator's"
    echo "# endpoint and demo account. \`make demo-stop\` stops the simulator and removes this file."
    # shellcheck disable=SC2016  # "$PATH" is for the file, expanded where it is sourced
    printf 'export PATH=%q:"$PATH"\n' "$venv/bin"
    printf 'export ANSIBLE_COLLECTIONS_PATH=%q\n' "$collections"
    echo 'export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False'
    echo "$zstack_env"
} >"$env_file"
umask 022

# shellcheck source=/dev/null  # written just above
source "$env_file"
echo "demo: simulator at $ZSTACK_SCHEME://$ZSTACK_HOST:$ZSTACK_PORT as $ZSTACK_ACCOUNT_NAME"
ansible-playbook "$src/playbooks/demo.yml" -e demo_consoles_dest="$build/demo-consoles"
ready=true

relative_env=${env_file#"$PWD"/}
cat <<EOF

demo: the simulator keeps running, for you to try the collection; paste these lines into a shell here:

source $relative_env
ansible localhost -m zstack.cloud.zstack_console_access -a vm_instance_name=web-01
make demo-stop

EOF
