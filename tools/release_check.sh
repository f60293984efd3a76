#!/usr/bin/env bash
# Release check: build the collection as a release would, check exactly what the tarball holds, install it the ways
# the README's "Install" section says - its commands run exactly as written, in a git checkout of the project - and
# run the demo playbook (and the AWX job template's playbook) from the installed copies against the simulator.
#
# Usage: tools/release_check.sh WORKDIR     (WORKDIR is emptied first; make uses build/release-check)
# ansible-galaxy, ansible-playbook and python come from PATH (make puts .venv/bin first).
#
# The tarball must hold every file of the project (git's tracked and untracked-but-not-ignored files, as
# tools/collection_tree.sh copies them) except galaxy.yml and .ci/, plus MANIFEST.json and FILES.json, and nothing
# else. That is checked twice: on a build of this checkout as it is (with whatever .venv, build/, tests/output and
# caches the other stages left), and on a build of a copy in which every kind of litter galaxy.yml's build_ignore
# must keep out is planted on purpose. The licence (LICENSE, the GPL-3.0 text) must be among those files.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: $0 WORKDIR}
mkdir -p "$work"
work=$(cd "$work" && pwd)
case "$work" in "$src"|/) echo "release-check: refusing to empty $work" >&2; exit 2 ;; esac
rm -rf "$work"
mkdir -p "$work"

# Only the installed copy may provide zstack.cloud.
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False ANSIBLE_NOCOLOR=1
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False

# project_files DIR: the files a release of DIR must ship, sorted (relative paths).
project_files() {
    (cd "$1" && git ls-files -z --cached --others --exclude-standard) | tr '\0' '\n' \
        | while IFS= read -r path; do [ -f "$1/$path" ] && printf '%s\n' "$path"; done \
        | grep -Ev '^(galaxy\.yml|\.ci/.*)$' | { cat; printf '%s\n' MANIFEST.json FILES.json; } | LC_ALL=C sort -u
}

# build_and_compare NAME DIR: build DIR into $work/NAME/ and compare the tarball's files with project_files.
build_and_compare() {
    local name=$1 dir=$2 out=$work/$1
    mkdir -p "$out"
    project_files "$dir" >"$out/expected"
    ansible-galaxy collection build --output-path "$out" "$dir" >"$out/build.log"
    local tarballs=("$out"/zstack-cloud-*.tar.gz)
    if [ "${#tarballs[@]}" -ne 1 ] || [ ! -f "${tarballs[0]}" ]; then
        echo "release-check: FAILED: not exactly one tarball in $out" >&2
        exit 1
    fi
    tar tzf "${tarballs[0]}" | sed 's#^\./##' | grep -v '/$' | LC_ALL=C sort -u >"$out/contents"
    if ! diff -u "$out/expected" "$out/contents" >"$out/diff"; then
        echo "release-check: FAILED: the $name tarball differs from the project's files" \
            "(+ in the tarball only, - missing from it):" >&2
        grep -E '^[+-][^+-]' "$out/diff" >&2 || true
        exit 1
    fi
    echo "release-check: $name tarball: $(wc -l <"$out/contents") files, exactly the project's ($(basename "${tarballs[0]}"))"
}

# 1. This checkout as it is.
present=()
for junk in .venv .venv-newest .venv-demo build tests/output .pytest_cache .hypothesis .ansible .cache; do
    [ -e "$src/$junk" ] && present+=("$junk")
done
echo "release-check: building $src (present and to be left out: ${present[*]:-none})"
build_and_compare checkout "$src"
# The licence galaxy.yml names ships with it.
for file in LICENSE README.md meta/runtime.yml; do
    grep -qx "$file" "$work/checkout/contents" || { echo "release-check: FAILED: $file is not in the tarball" >&2; exit 1; }
done
cmp -s <(tar xzf "$work"/checkout/zstack-cloud-*.tar.gz -O LICENSE) "$src/LICENSE" \
    || { echo "release-check: FAILED: the tarball's LICENSE differs from the repository's" >&2; exit 1; }
if ! grep -q 'GNU GENERAL PUBLIC LICENSE' "$src/LICENSE" || ! grep -q 'Version 3, 29 June 2007' "$src/LICENSE"; then
    echo "release-check: FAILED: LICENSE is not the GPL-3.0 text galaxy.yml's GPL-3.0-or-later names" >&2
    exit 1
fi
echo "release-check: LICENSE (GPL-3.0) is in the tarball"

# 2. A copy with litter planted where build_ignore must keep it out.
copy=$work/litter/ansible_collections/zstack/cloud
bash "$src/tools/collection_tree.sh" "$copy" >/dev/null  # a git work tree of its own, with the .gitignore
for junk in .venv/bin/python .venv-newest/bin/python .venv-demo/bin/python build/collections/x tests/output/e2e/console.png .pytest_cache/v/cache/nodeids \
        .hypothesis/examples/x .ansible/collections/x .cache/x plugins/modules/__pycache__/x.cpython-311.pyc \
        tests/unit/stray.pyc zstack-cloud-0.0.1.tar.gz changelogs/.plugin-cache.yaml; do
    mkdir -p "$(dirname "$copy/$junk")"
    echo litter >"$copy/$junk"
done
build_and_compare litter "$copy"

# 3. The README's install instructions, exactly as written, in a checkout: a git repository (branch main) holding the
#    project's files, as a clone has them. Each way installs into a home of its own, where ansible-galaxy puts
#    collections by default (~/.ansible/collections), with no ANSIBLE_COLLECTIONS_PATH.
checkout=$work/zstack.cloud
mkdir -p "$checkout"
(cd "$src" && project_files "$src" | grep -Ev '^(MANIFEST|FILES)\.json$' | tar -cf - -T -) | tar -C "$checkout" -xf -
cp "$src/galaxy.yml" "$checkout/"
git -C "$checkout" init -q -b main
git -C "$checkout" add -A
git -C "$checkout" -c user.name=zstack.cloud -c user.email=release-check@example.com commit -q -m "the project"
version=$(sed -n 's/^version:[[:space:]]*//p' "$src/galaxy.yml" | tr -d "\"' ")
doc_block() { python "$src/tests/integration/targets/docs_examples/doc_block.py" "$src/README.md" Install "$@"; }

# readme_install NAME LANG N: run the README's Nth LANG block of "Install" in the checkout, HOME=$work/home-NAME;
# check that zstack.cloud $version is then installed there, and print where.
readme_install() {
    local name=$1 home=$work/home-$1
    mkdir -p "$home"
    doc_block "$2" "$3" >"$work/install-$name.sh"
    echo "release-check: the README's install commands ($name):" >&2
    cat "$work/install-$name.sh" >&2
    (cd "$checkout" && env -u ANSIBLE_COLLECTIONS_PATH HOME="$home" bash -e "$work/install-$name.sh") \
        >"$work/install-$name.out" 2>&1 || { cat "$work/install-$name.out" >&2; echo "release-check: FAILED: $name" >&2; exit 1; }
    env -u ANSIBLE_COLLECTIONS_PATH HOME="$home" ansible-galaxy collection list zstack.cloud >"$work/list-$name.out" 2>&1 || true
    if ! grep -q "^# $home/.ansible/collections/ansible_collections$" "$work/list-$name.out" \
            || ! grep -Eq "^zstack\.cloud +$version *\$" "$work/list-$name.out"; then
        cat "$work/install-$name.out" "$work/list-$name.out" >&2
        echo "release-check: FAILED: after the README's $name commands, zstack.cloud $version is not in $home/.ansible/collections" >&2
        exit 1
    fi
    echo "release-check: README install ($name) put zstack.cloud $version into $home/.ansible/collections" >&2
    echo "$home/.ansible/collections/ansible_collections/zstack/cloud"
}
installed=$(readme_install tarball sh 1)
# The tarball the README builds is the release's: the same files as the one checked above.
tar tzf "$checkout/zstack-cloud-$version.tar.gz" | sed 's#^\./##' | grep -v '/$' | LC_ALL=C sort -u \
    | diff -u "$work/checkout/contents" - >&2 || { echo "release-check: FAILED: the README's tarball differs" >&2; exit 1; }
HOME=$work/home-tarball ansible-galaxy collection verify --offline zstack.cloud
installed_git=$(readme_install git sh 2)
# requirements.yml: the README's, with a git+file:// URL of the checkout for the example's (which is no real server).
doc_block yaml 1 >"$work/requirements.yml"
grep -q 'name: https://git.example.com/infra/zstack.cloud.git' "$work/requirements.yml"
sed -i "s#https://git.example.com/infra/zstack.cloud.git#git+file://$checkout#" "$work/requirements.yml"
mkdir -p "$work/home-requirements"
(cd "$work" && env -u ANSIBLE_COLLECTIONS_PATH HOME="$work/home-requirements" \
    ansible-galaxy collection install -r "$work/requirements.yml") >"$work/install-requirements.out" 2>&1 \
    || { cat "$work/install-requirements.out" >&2; exit 1; }
env -u ANSIBLE_COLLECTIONS_PATH HOME="$work/home-requirements" ansible-galaxy collection list zstack.cloud \
    | grep -Eq "^zstack\.cloud +$version *\$" || { echo "release-check: FAILED: requirements.yml did not install zstack.cloud $version" >&2; exit 1; }
for copy in "$installed_git" "$work/home-requirements/.ansible/collections/ansible_collections/zstack/cloud"; do
    diff -r -q -x MANIFEST.json -x FILES.json "$installed" "$copy" >&2 \
        || { echo "release-check: FAILED: $copy (installed from git) differs from the tarball's copy" >&2; exit 1; }
done
echo "release-check: the README's install instructions work as written: tarball, git checkout, requirements.yml"
export ANSIBLE_COLLECTIONS_PATH=$work/home-tarball/.ansible/collections

# 4. The demo, from the installed copy, against the simulator; from a directory with nothing else in it.
export SIMULATOR_STATE_DIR=$work/simulator
trap 'bash "$src/tools/simulator.sh" stop' EXIT
trap 'exit 130' INT TERM
bash "$src/tools/simulator.sh" start
zstack_env=$(bash "$src/tools/simulator.sh" env)
eval "$zstack_env"
mkdir -p "$work/run"
cd "$work/run"
# demo_consoles_dest: where the demo's console_files play writes the demo operator's files (here, not in $HOME).
mkdir -p "$work/consoles"
ansible-playbook "$installed/playbooks/demo.yml" -e demo_consoles_dest="$work/consoles/demo" | tee "$work/demo.out"
grep -Eq 'localhost +: ok=[1-9][0-9]* .*failed=0' "$work/demo.out"
for vm in web-01 web-02 db-01; do grep -q "\"$vm (" "$work/demo.out"; done
ansible-playbook zstack.cloud.awx_console -e '{"vm_names": "web-01\nweb-02"}' | tee "$work/awx_console.out"
grep -Eq 'localhost +: ok=[1-9][0-9]* .*failed=0' "$work/awx_console.out"
if grep -Eq '[0-9a-fA-F]{32}_[0-9a-fA-F]{32}' "$work/demo.out" "$work/awx_console.out"; then
    echo "release-check: FAILED: a console token is in the playbook output" >&2
    exit 1
fi
echo "release-check: the installed collection ($installed) ran playbooks/demo.yml and zstack.cloud.awx_console"
