#!/usr/bin/env bash
# The example project uses Debian's Python packages with /usr/bin/python3.
# Installs them when missing (as root), or says what to install.
set -euo pipefail
packages=(python3-numpy python3-pandas python3-sklearn python3-pytest python3-pytest-cov flake8)
if /usr/bin/python3 -c 'import numpy, pandas, sklearn, pytest, pytest_cov, flake8' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The example project needs Debian's ${packages[*]}: run 'sudo apt-get install -y ${packages[*]}'." >&2
  exit 1
fi
echo "Installing ${packages[*]} …" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
