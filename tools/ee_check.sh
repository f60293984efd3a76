#!/usr/bin/env bash
# Execution environment check: what ansible-builder finds in an installed copy of the collection, and the example
# execution environment definition of docs/awx.md (docs/ee/), built from a tarball of the collection.
#
# Usage: tools/ee_check.sh WORKDIR     (WORKDIR is emptied first; make uses build/ee)
# ansible-galaxy and ansible-builder come from PATH (make puts .venv/bin first). No container runtime is needed:
# `ansible-builder introspect` runs here what a build runs inside the image, `ansible-builder create` only writes the
# build context, and the galaxy stage's collection install is run here on that context, as the image build runs it.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: $0 WORKDIR}
mkdir -p "$work"
work=$(cd "$work" && pwd)
case "$work" in "$src"|/) echo "ee: refusing to empty $work" >&2; exit 2 ;; esac
rm -rf "$work"
mkdir -p "$work/dist" "$work/collections"
export ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False ANSIBLE_NOCOLOR=1

# The collection as an EE build gets it: built and installed.
ansible-galaxy collection build --output-path "$work/dist" "$src" >/dev/null
ansible-galaxy collection install --offline -p "$work/collections" "$work"/dist/zstack-cloud-*.tar.gz >/dev/null
installed=$work/collections/ansible_collections/zstack/cloud

# meta/execution-environment.yml names requirement files that exist in the installed copy, and it and the example
# definition pin an ansible-core the tests use (the oldest or the newest supported).
python - "$installed" "$src/tests/requirements-demo.txt:$src/tests/requirements-newest.txt" \
    "$src/docs/ee/execution-environment.yml" <<'EOF'
import os
import sys

import yaml

root = sys.argv[1]
with open(os.path.join(root, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
    ee = yaml.safe_load(handle)
deps = ee.get('dependencies') or {}
for kind in ('python', 'system'):
    path = deps.get(kind)
    if not isinstance(path, str) or not os.path.isfile(os.path.join(root, path)):
        sys.exit('ee: FAILED: meta/execution-environment.yml dependencies.%s names no file of the collection: %r' % (kind, path))
print('ee: meta/execution-environment.yml names %s and %s' % (deps['python'], deps['system']))

tested = []
for path in sys.argv[2].split(':'):
    with open(path, encoding='utf-8') as handle:
        tested += [line.split('#')[0].strip() for line in handle if line.startswith('ansible-core==')]
with open(sys.argv[3], encoding='utf-8') as handle:
    example = yaml.safe_load(handle)
for name, definition in (('meta/execution-environment.yml', ee), ('docs/ee/execution-environment.yml', example)):
    pinned = ((definition.get('dependencies') or {}).get('ansible_core') or {}).get('package_pip')
    if pinned not in tested:
        sys.exit('ee: FAILED: %s pins %r, the tests use %s' % (name, pinned, ' and '.join(tested)))
    print('ee: %s pins %s, which the tests use' % (name, pinned))
EOF

# What ansible-builder will install into an image with this collection.
ansible-builder introspect "$work/collections" >"$work/introspect.yml"
cat "$work/introspect.yml"
python - "$work/introspect.yml" "$src/meta/ee-requirements.txt" "$src/meta/ee-bindep.txt" <<'EOF'
import re
import sys

import yaml

with open(sys.argv[1], encoding='utf-8') as handle:
    found = yaml.safe_load(handle.read().split('---', 1)[1])


def wanted(path):
    with open(path, encoding='utf-8') as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith('#')]


failed = False
for kind, path in (('python', sys.argv[2]), ('system', sys.argv[3])):
    have = [re.sub(r'\s+#.*$', '', entry) for entry in (found.get(kind) or []) if 'zstack.cloud' in entry]
    for requirement in wanted(path):
        if requirement not in have:
            failed = True
            print('ee: %s requirement %r of the collection is not in introspect\'s output %r' % (kind, requirement, have),
                  file=sys.stderr)
if not any(re.match(r'^requests\b', re.sub(r'\s+#.*$', '', e)) for e in found.get('python') or []):
    failed = True
    print('ee: introspect does not list requests', file=sys.stderr)
if failed:
    sys.exit('ee: FAILED')
print('ee: ansible-builder introspect lists the collection\'s requirements, requests among them')
EOF

# The example execution environment of docs/awx.md, as its comment says to build it: docs/ee/ with a tarball of the
# collection beside it, named zstack-cloud.tar.gz. ansible-builder create writes the build context.
definition=$work/definition
cp -r "$src/docs/ee" "$definition"
cp "$work"/dist/zstack-cloud-*.tar.gz "$definition/zstack-cloud.tar.gz"
ansible-builder create -f "$definition/execution-environment.yml" --context "$work/context" >/dev/null
containerfile=
for name in Containerfile Dockerfile; do  # the name depends on the container runtime ansible-builder finds
    if [ -f "$work/context/$name" ]; then containerfile=$work/context/$name; fi
done
[ -n "$containerfile" ] || { echo "ee: FAILED: ansible-builder create wrote no Containerfile" >&2; exit 1; }
build=$work/context/_build
# The tarball is in the build context (additional_build_files), where requirements.yml names it.
cmp "$definition/zstack-cloud.tar.gz" "$build/collections/zstack-cloud.tar.gz" \
    || { echo "ee: FAILED: the build context has no copy of the tarball at _build/collections/" >&2; exit 1; }
# The galaxy stage copies _build to /build, works there and installs requirements.yml; the final image gets
# introspect's requirements and the definition's own bindep.txt.
# shellcheck disable=SC2016  # $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS is literal text of the Containerfile
for step in 'COPY _build /build' 'WORKDIR /build' \
        'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' 'introspect'; do
    grep -qF -- "$step" "$containerfile" || { echo "ee: FAILED: $containerfile has no step \"$step\"" >&2; exit 1; }
done
# That install, here: from the copy of _build, as the galaxy stage runs it (relative paths resolve against /build).
cp -r "$build" "$work/stage-build"
(cd "$work/stage-build" && ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 ANSIBLE_COLLECTIONS_PATH="$work/image-collections" \
    ansible-galaxy collection install -r requirements.yml --collections-path "$work/image-collections") >/dev/null
[ -f "$work/image-collections/ansible_collections/zstack/cloud/playbooks/incident_start.yml" ] \
    || { echo "ee: FAILED: the galaxy stage's install did not install zstack.cloud" >&2; exit 1; }
echo "ee: the example EE's build context has the tarball, and its galaxy stage installs zstack.cloud from it"
# What the builder stage then installs: the collection's requirements (introspect) and the definition's own, an SSH
# client among them.
ansible-builder introspect --sanitize --user-bindep "$build/bindep.txt" "$work/image-collections" \
    >"$work/image-introspect.yml"
for wanted in 'openssh-clients \[platform:rpm\]' 'ca-certificates \[platform:rpm platform:dpkg\]' "^- 'requests"; do
    grep -Eq -- "$wanted" "$work/image-introspect.yml" \
        || { cat "$work/image-introspect.yml" >&2; echo "ee: FAILED: the image would not get $wanted" >&2; exit 1; }
done
echo "ee: docs/ee/execution-environment.yml makes a build context ($containerfile) whose image gets zstack.cloud," \
    "requests, CA certificates and an SSH client"
