#!/usr/bin/env bash
# Every module, inventory plugin, filter and role of the collection renders with ansible-doc, with no warning or error.
#
# Usage: tools/check_ansible_doc.sh COLLECTIONS_DIR
#   COLLECTIONS_DIR holds ansible_collections/zstack/cloud (the tree of `make tree`, or an installed copy);
#   ansible-doc is taken from PATH.
#
# What is checked comes from the source, not from ansible-doc's own listing alone, so a plugin that ansible-doc
# fails to see is an error too: plugins/modules/*.py, plugins/inventory/*.py, the filters listed by ansible-doc -l
# (each must have its plugins/filter/<name>.yml, and every such file a filter), and every role with
# meta/argument_specs.yml.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
collections=${1:?usage: $0 COLLECTIONS_DIR}
export ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False ANSIBLE_NOCOLOR=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

failures=0
checked=0
problem() { echo "ansible-doc: $*" >&2; failures=$((failures + 1)); }

# doc TYPE NAME: render one plugin's documentation; any [WARNING], [DEPRECATION WARNING] or [ERROR] is a failure.
doc() {
    local type=$1 name=$2 rc=0
    ansible-doc -t "$type" "zstack.cloud.$name" >"$out/doc" 2>&1 || rc=$?
    checked=$((checked + 1))
    if [ "$rc" -ne 0 ] || grep -Eq '\[(WARNING|DEPRECATION WARNING|ERROR)\]' "$out/doc"; then
        problem "$type zstack.cloud.$name (exit $rc):"
        sed 's/^/    /' "$out/doc" >&2
    elif ! grep -q "zstack.cloud.$name" "$out/doc"; then
        problem "$type zstack.cloud.$name: the output does not name the plugin"
        sed 's/^/    /' "$out/doc" >&2
    else
        echo "ok: ansible-doc -t $type zstack.cloud.$name"
    fi
}

# listed TYPE: the names ansible-doc lists for the collection (one a line, without zstack.cloud.), and its warnings.
listed() {
    local type=$1 rc=0
    ansible-doc -t "$type" -l zstack.cloud >"$out/list" 2>"$out/list.err" || rc=$?
    if [ "$rc" -ne 0 ] || grep -Eq '\[(WARNING|DEPRECATION WARNING|ERROR)\]' "$out/list" "$out/list.err"; then
        problem "ansible-doc -t $type -l zstack.cloud (exit $rc):"
        sed 's/^/    /' "$out/list" "$out/list.err" >&2
    fi
    sed -n 's/^zstack\.cloud\.\([A-Za-z0-9_]*\).*/\1/p' "$out/list" | sort
}

# Modules: every plugins/modules/*.py, and nothing ansible-doc lists that is not one.
mapfile -t modules < <(find "$src/plugins/modules" -maxdepth 1 -name '*.py' ! -name '__init__.py' -printf '%f\n' \
    | sed 's/\.py$//' | sort)
[ "${#modules[@]}" -gt 0 ] || problem "no modules in plugins/modules"
mapfile -t listed_modules < <(listed module)
if [ "${modules[*]}" != "${listed_modules[*]}" ]; then
    problem "modules in plugins/modules (${modules[*]}) differ from ansible-doc's list (${listed_modules[*]})"
fi
for name in "${modules[@]}"; do doc module "$name"; done

# Inventory plugins: every plugins/inventory/*.py, and nothing ansible-doc lists that is not one.
if [ -d "$src/plugins/inventory" ]; then
    mapfile -t inventories < <(find "$src/plugins/inventory" -maxdepth 1 -name '*.py' ! -name '__init__.py' -printf '%f\n' \
        | sed 's/\.py$//' | sort)
    mapfile -t listed_inventories < <(listed inventory)
    if [ "${inventories[*]}" != "${listed_inventories[*]}" ]; then
        problem "inventory plugins in plugins/inventory (${inventories[*]}) differ from ansible-doc's list (${listed_inventories[*]})"
    fi
    for name in "${inventories[@]}"; do doc inventory "$name"; done
fi

# Filters: what ansible-doc lists, each documented by plugins/filter/<name>.yml, and each such file listed.
mapfile -t filters < <(listed filter)
if [ -d "$src/plugins/filter" ]; then
    mapfile -t filter_docs < <(find "$src/plugins/filter" -maxdepth 1 -name '*.yml' -printf '%f\n' | sed 's/\.yml$//' | sort)
    if [ "${filters[*]}" != "${filter_docs[*]}" ]; then
        problem "filters ansible-doc lists (${filters[*]}) differ from plugins/filter/*.yml (${filter_docs[*]})"
    fi
fi
for name in "${filters[@]}"; do doc filter "$name"; done

# Roles: every role with an argument spec.
if [ -d "$src/roles" ]; then
    while IFS= read -r spec; do
        name=$(basename "$(dirname "$(dirname "$spec")")")
        doc role "$name"
    done < <(find "$src/roles" -mindepth 3 -maxdepth 3 -path '*/meta/argument_specs.yml' | sort)
fi

if [ "$failures" -ne 0 ]; then
    echo "ansible-doc: FAILED: $failures problem(s) in $checked plugin(s) and roles" >&2
    exit 1
fi
echo "ansible-doc: $checked plugins and roles render without warnings"
