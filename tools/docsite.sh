#!/usr/bin/env bash
# The documentation site, built to HTML: antsibull-docs' pages of every module, filter and role, and the user
# documentation - README.md, docs/*.md, the console_files role's README, CHANGELOG.rst - included as they are in the
# repository, at the same paths, so that their relative links hold in the site too (Markdown through MyST).
#
#   tools/docsite.sh COLLECTIONS_DIR DEST    assemble the Sphinx source in DEST/src, build DEST/html
#
# COLLECTIONS_DIR holds ansible_collections/zstack/cloud (the tree of `make tree`). Sphinx configuration:
# tools/docsite/conf.py; start page: tools/docsite/index.rst. In the site, docs/reference/ is antsibull-docs'
# Sphinx rendering (the repository's docs/reference/ is its simplified-rst rendering of the same documentation,
# page for page under the same names). The build is offline and strict: a Sphinx warning fails it.
# antsibull-docs and sphinx-build come from PATH (make puts .venv/bin first). tests/docsite opens the result.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 COLLECTIONS_DIR DEST" >&2; exit 2; }
collections=$(cd "$1" && pwd)
mkdir -p "$2"
dest=$(cd "$2" && pwd)
case "$dest" in "$src"|/) echo "docsite: refusing to build into $dest" >&2; exit 2 ;; esac
site=$dest/src
rm -rf "$site" "$dest/html" "$dest/doctrees"
mkdir -p "$site/docs/reference" "$site/roles/console_files"

# The repository's pages at their repository paths (LICENSE too: the README links it).
cp "$src/tools/docsite/index.rst" "$site/index.rst"
cp "$src/README.md" "$src/CHANGELOG.rst" "$src/LICENSE" "$site/"
cp "$src"/docs/*.md "$site/docs/"
cp "$src/roles/console_files/README.md" "$site/roles/console_files/"

# antsibull-docs' pages; its link to the collection is the README's install section (the collection is not on
# Galaxy), in the site as on the repository's pages (tools/docs.sh).
export ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False ANSIBLE_NOCOLOR=1
bash "$src/tools/docs.sh" config ../../README.html#install >"$dest/antsibull-docs.cfg"
antsibull-docs --config-file "$dest/antsibull-docs.cfg" collection --use-current --fail-on-error --squash-hierarchy \
    --no-add-antsibull-docs-version --cleanup everything --dest-dir "$site/docs/reference" zstack.cloud >/dev/null

sphinx-build -b html -W --keep-going -q -n -c "$src/tools/docsite" -d "$dest/doctrees" "$site" "$dest/html"
echo "docsite: $(find "$dest/html" -name '*.html' | wc -l) pages in $dest/html (start: index.html)"
