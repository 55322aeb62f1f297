#!/usr/bin/env bash
# Create the virtualenv at $2 with interpreter $1. Debian ships `venv` separately
# (python3-venv); install it when it is missing and we may, else say what to do.
set -euo pipefail
python=${1:-python3}
target=${2:-.venv}
if "$python" -m venv "$target" 2>/dev/null; then
  exit 0
fi
rm -rf "$target"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  exec "$python" -m venv "$target"
fi
echo "Cannot create a virtualenv with $python: install python3-venv (sudo apt-get install python3-venv)." >&2
exit 1
