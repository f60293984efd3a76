#!/usr/bin/env bash
# make demo-check: the user guide's "Try it without a ZStack cloud" lines, run exactly as written, one after the
# other in one bash, from the repository root - `make demo`, `source build/demo-env.sh`, the ad-hoc `ansible` line,
# `make demo-stop`. Checked: each line succeeds; `make demo` printed those same lines for the reader to paste; the
# ad-hoc run used the demo's ansible and the installed collection and got web-01's console from the simulator;
# afterwards the simulator is stopped and build/demo-env.sh is gone.
#
# Usage: tools/demo_check.sh WORKDIR     (WORKDIR is emptied first; make uses build/demo-check)
# It runs `make demo`, so it uses .venv-demo and build/ of this checkout like a reader would.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: $0 WORKDIR}
mkdir -p "$work"
work=$(cd "$work" && pwd)
case "$work" in "$src"|/) echo "demo-check: refusing to empty $work" >&2; exit 2 ;; esac
rm -rf "$work"
mkdir -p "$work"

section="Try it without a ZStack cloud"
python3 "$src/tests/integration/targets/docs_examples/doc_block.py" "$src/docs/user-guide.md" "$section" sh \
    >"$work/try-it.sh"
echo "demo-check: the user guide's lines:"
cat "$work/try-it.sh"
grep -qx 'make demo .*' "$work/try-it.sh" || { echo "demo-check: FAILED: the lines do not start with make demo" >&2; exit 1; }

# After the lines, in the same shell: which ansible they ran, and whether the simulator still runs.
# shellcheck disable=SC2016  # the lines are for that shell, expanded there
{
    echo 'echo "demo-check: ansible was $(command -v ansible)"'
    echo 'SIMULATOR_STATE_DIR=build/demo-simulator bash tools/simulator.sh status && exit 97 || true'
} >"$work/after.sh"

# A shell as a reader has one: none of make's variables, nothing of ours on PATH.
set +e
(cd "$src" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u ANSIBLE_COLLECTIONS_PATH -u SIMULATOR_STATE_DIR \
    bash -e -c "$(cat "$work/try-it.sh" "$work/after.sh")") >"$work/try-it.out" 2>&1
rc=$?
set -e
cat "$work/try-it.out"
if [ "$rc" -eq 97 ]; then
    echo "demo-check: FAILED: the simulator still runs after make demo-stop" >&2
    exit 1
fi
[ "$rc" -eq 0 ] || { echo "demo-check: FAILED: the lines exited $rc" >&2; exit 1; }

# make demo printed the lines that follow it in the guide (comments aside), for the reader to paste.
sed -e 's/[[:space:]]*#.*$//' "$work/try-it.sh" | sed -n '2,$p' >"$work/guide-lines"
sed -n '/^demo: the simulator keeps running/,$p' "$work/try-it.out" | grep -Ev '^(demo: |$)' \
    | head -n "$(wc -l <"$work/guide-lines")" >"$work/printed-lines"
if ! diff -u "$work/guide-lines" "$work/printed-lines"; then
    echo "demo-check: FAILED: make demo printed other lines than the user guide's (- guide, + printed)" >&2
    exit 1
fi

grep -q "^demo-check: ansible was $src/.venv-demo/bin/ansible$" "$work/try-it.out" \
    || { echo "demo-check: FAILED: the ad-hoc line did not run the demo's ansible" >&2; exit 1; }
grep -q '^localhost | SUCCESS => {' "$work/try-it.out" \
    || { echo "demo-check: FAILED: the ad-hoc line did not succeed" >&2; exit 1; }
grep -q '"vm_instance_name": "web-01"' "$work/try-it.out" \
    || { echo "demo-check: FAILED: the ad-hoc line returned no console for web-01" >&2; exit 1; }
[ ! -e "$src/build/demo-env.sh" ] || { echo "demo-check: FAILED: build/demo-env.sh is left after make demo-stop" >&2; exit 1; }
echo "demo-check: the user guide's lines work as written: make demo printed them, the ad-hoc line got web-01's" \
    "console from the simulator with the demo's ansible, make demo-stop stopped it"
