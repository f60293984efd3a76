#!/usr/bin/env bash
# Create a virtual environment from scratch for one Python version and requirement file (make venv, venv-newest,
# venv-demo).
#
# Usage: tools/venv.sh DIR PYTHON X.Y REQUIREMENTS
#   PYTHON   the interpreter to build it from (a name on PATH or a path); when that is the plain name pythonX.Y and
#            it does not run (for example a pyenv shim of a version that is installed but not selected), the
#            pythonX.Y of `pyenv prefix X.Y` is used
#   X.Y      the Python version it must be
# DIR is removed first; DIR/.requirements.stamp is written last, so a venv whose installation failed is rebuilt.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 4 ] || { echo "usage: $0 DIR PYTHON X.Y REQUIREMENTS" >&2; exit 2; }
dir=$1 python=$2 version=$3 requirements=$4

runs() { "$1" -c 'import sys; sys.exit(0 if "%d.%d" % sys.version_info[:2] == sys.argv[1] else 1)' "$version" \
  >/dev/null 2>&1; }

if ! runs "$python" && [ "$python" = "python$version" ] && command -v pyenv >/dev/null \
    && prefix=$(pyenv prefix "$version" 2>/dev/null) && runs "$prefix/bin/python$version"; then
  python=$prefix/bin/python$version
fi
if ! runs "$python"; then
  echo "venv: $python is not a Python $version that runs. Install Python $version (Debian 12: python3.11;" \
    "any system: pyenv install $version) or name one: make ... PYTHON=/path/to/python$version" \
    "(NEWEST_PYTHON for the newest-core stages)" >&2
  exit 1
fi

# Debian's own Python has no ensurepip (so no venv) without python3-venv.
if ! "$python" -c 'import ensurepip' >/dev/null 2>&1; then
  bash "$src/tools/debian_packages.sh" ensure venv
fi

rm -rf "$dir"
"$python" -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --upgrade pip
"$dir/bin/python" -m pip install --quiet -r "$requirements"
touch "$dir/.requirements.stamp"
echo "venv: $dir ($("$dir/bin/python" --version), $requirements)"
