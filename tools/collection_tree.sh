#!/usr/bin/env bash
# Build a fresh copy of the collection for ansible-test and pytest:
#   build/collections/ansible_collections/zstack/cloud
#
# A copy, not a symlink: ansible-test resolves the real path and needs it to end
# in ansible_collections/<namespace>/<name>.
#
# Which files ansible-test tests: it looks for a `.git` in the collection root
# and then in every parent directory, and if it finds one it tests only what
# `git ls-files --cached --others --exclude-standard` lists *under the
# collection root*. Left alone, the copy would be found inside this repository,
# whose .gitignore ignores build/, so ansible-test would see no files at all
# ("WARNING: All targets skipped."). So the copy gets its own empty
# `git init` repository, and only the files git considers part of the project
# are copied into it: tracked files plus untracked files that are not ignored
# (the same ls-files query, run on the source). .venv, build/, tests/output
# and caches stay out. Outside a git work tree (e.g. an unpacked tarball) a
# find with the same exclusions picks the files.
#
# Usage: tools/collection_tree.sh [DEST]   (run from anywhere)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
namespace=$(sed -n 's/^namespace:[[:space:]]*//p' "$src/galaxy.yml" | tr -d "\"' ")
name=$(sed -n 's/^name:[[:space:]]*//p' "$src/galaxy.yml" | tr -d "\"' ")
dest=${1:-$src/build/collections/ansible_collections/$namespace/$name}

case "$dest" in
  */ansible_collections/"$namespace"/"$name") ;;
  *) echo "collection_tree.sh: destination must end in ansible_collections/$namespace/$name: $dest" >&2; exit 2 ;;
esac

rm -rf "$dest"
mkdir -p "$dest"

list_files() {
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # -z: NUL-separated, no quoting of unusual names.
    git -C "$src" ls-files -z --cached --others --exclude-standard
  else
    (cd "$src" && find . \
      \( -name .git -o -name .venv -o -name build -o -name __pycache__ \
         -o -name .pytest_cache -o -name .hypothesis -o -path ./tests/output \) -prune \
      -o \( -type f -o -type l \) ! -name '*.pyc' -print0 | sed -z 's#^\./##')
  fi
}

# Keep only paths that still exist (a tracked file may be deleted in the work
# tree but not yet committed) and never anything under build/ or .venv/.
filelist=$(mktemp)
trap 'rm -f "$filelist"' EXIT
count=0
while IFS= read -r -d '' path; do
  case "$path" in build/*|.venv/*|tests/output/*) continue ;; esac
  if [ -e "$src/$path" ] || [ -L "$src/$path" ]; then
    printf '%s\0' "$path"
    count=$((count + 1))
  fi
done < <(list_files) > "$filelist"

tar -C "$src" --null --no-recursion -T "$filelist" -cf - | tar -C "$dest" -xf -
# Untracked files in a repository of its own: see the header.
git -c init.defaultBranch=tree init -q "$dest"
echo "collection tree: $dest ($count files)"
