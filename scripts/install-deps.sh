#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, only when they are missing.
# Usage: scripts/install-deps.sh WHAT:PACKAGE...  where WHAT is a command on PATH
# (valgrind:valgrind) or an absolute path to a file the package provides.
set -euo pipefail
missing=()
for pair in "$@"; do
  what=${pair%%:*}
  case "$what" in
    /*) [ -e "$what" ] || missing+=("${pair#*:}") ;;
    *) command -v "$what" >/dev/null 2>&1 || missing+=("${pair#*:}") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} (apt-get)" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
