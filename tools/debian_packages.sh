#!/usr/bin/env bash
# The Debian packages the tests need: the one list, and the step of `make` that installs what is missing.
#
#   tools/debian_packages.sh ensure [GROUP...]   install the missing packages of these groups (default: all):
#                                                nothing to do when all are installed (dpkg-query); else
#                                                apt-get update + apt-get install of the missing ones only, as root
#                                                or through passwordless sudo; otherwise fail at once and print the
#                                                one command to run
#   tools/debian_packages.sh list [GROUP...]     the packages of these groups (default: all), one a line
#
# `make` calls `ensure` with the group of each stage (the Makefile); `make test` first ensures them all, so one
# apt-get run installs everything. On a system without dpkg-query and apt-get it only says what it would need.
set -euo pipefail

# group: packages   (why)
#   venv:        python3-venv    venv for Debian's python3.11, which lacks ensurepip without it (only asked for
#                                when PYTHON lacks ensurepip)
#   git:         git             the collection tree (tools/collection_tree.sh), release-check and the AWX test
#                                (ansible-galaxy collection install from a git URL)
#   sanity:      shellcheck      ansible-test's shellcheck sanity test (skipped without it)
#   integration: openssl         a CA and a server certificate for the TLS cases of zstack_faults
#   e2e:         chromium tigervnc-standalone-server novnc x11-xserver-utils (xsetroot) python3 (the operators'
#                Python on the target, outside root's home) tigervnc-tools (vncpasswd, for a console with a VNC
#                password; only a Recommends of the server) openssl (certificates of the TLS cases): the browser
#                end-to-end console test; qemu-system-x86
#                (VMs with a real VNC and SPICE display, tests/e2e/displays.py) virt-viewer (remote-viewer) xvfb
#                x11-apps (xwd) imagemagick (convert): the native-viewer bridge test
#   docsite:     chromium        the documentation site test (make docsite) opens the site in it
#   node:        nodejs npm      rebuilding the bundled noVNC client (make novnc-check); asked for only when npm
#                                is not on PATH (a Node.js from elsewhere, with its own npm, will do)
declare -A GROUPS_PACKAGES=(
  [venv]="python3-venv"
  [git]="git"
  [sanity]="shellcheck"
  [integration]="openssl"
  [e2e]="chromium tigervnc-standalone-server novnc x11-xserver-utils python3 tigervnc-tools qemu-system-x86 virt-viewer
         xvfb x11-apps imagemagick openssl"
  [docsite]="chromium"
  [node]="nodejs npm"
)
# node is not in the default set: Node.js often comes from elsewhere (with its own npm), and Debian's npm would
# fight it; `make novnc-check` asks for the group only when npm is missing.
ALL_GROUPS=(venv git sanity integration e2e docsite)

die() { echo "debian_packages: $*" >&2; exit 1; }

check_groups() {
  local group
  for group in "$@"; do
    [ -n "${GROUPS_PACKAGES[$group]+set}" ] || die "unknown group '$group' (groups: ${ALL_GROUPS[*]})"
  done
}

# packages_of GROUP...: the packages of the groups, each once, in order.
packages_of() {
  local group package
  local -A seen=()
  for group in "$@"; do
    for package in ${GROUPS_PACKAGES[$group]}; do
      if [ -z "${seen[$package]+set}" ]; then seen[$package]=1; echo "$package"; fi
    done
  done
}

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# missing_of GROUP...: the packages of the groups that dpkg does not have installed.
missing_of() {
  local package
  while IFS= read -r package; do
    installed "$package" || echo "$package"
  done < <(packages_of "$@")
}

ensure() {
  local groups=("$@")
  [ "${#groups[@]}" -gt 0 ] || groups=("${ALL_GROUPS[@]}")
  check_groups "${groups[@]}"
  local wanted missing
  mapfile -t wanted < <(packages_of "${groups[@]}")
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "debian_packages: not a Debian system (no dpkg-query/apt-get): make sure the equivalents of" \
      "${wanted[*]} are installed" >&2
    return 0
  fi
  mapfile -t missing < <(missing_of "${groups[@]}")
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "debian_packages: installed: ${wanted[*]}"
    return 0
  fi

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      # Everything missing, not only this stage's, so that one command is enough for every stage.
      local all
      mapfile -t all < <(missing_of "${ALL_GROUPS[@]}")
      echo "debian_packages: missing Debian packages: ${missing[*]}; not root and no passwordless sudo." >&2
      echo "debian_packages: run this once, then make again:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y ${all[*]}" >&2
      exit 1
    fi
  fi
  echo "debian_packages: installing ${missing[*]} (${sudo[*]:-as root})"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  mapfile -t missing < <(missing_of "${groups[@]}")
  [ "${#missing[@]}" -eq 0 ] || die "apt-get install did not install ${missing[*]}"
  echo "debian_packages: installed: ${wanted[*]}"
}

cmd=${1:-}
[ $# -eq 0 ] || shift
case "$cmd" in
  ensure) ensure "$@" ;;
  list) check_groups "$@"; if [ $# -eq 0 ]; then packages_of "${ALL_GROUPS[@]}"; else packages_of "$@"; fi ;;
  *) echo "usage: $0 ensure|list [GROUP...]   (groups: ${ALL_GROUPS[*]})" >&2; exit 2 ;;
esac
