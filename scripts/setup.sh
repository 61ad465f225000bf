#!/usr/bin/env bash
# Install everything the project needs on a fresh Debian machine (Python 3.11+), idempotently:
# Debian packages (Chromium, CJK fonts, Carlito, LibreOffice Calc, Node.js), the virtual environment in
# .venv and the npm packages the site vendors (Pyodide, Mermaid). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# fonts-crosextra-carlito: Calibri's metric twin, the default font of the Excel templates, so that
# LibreOffice lays out and prints the columns as wide as Excel and WPS do (tests/test_paper.py).
apt_packages=(chromium fonts-noto-cjk fonts-crosextra-carlito libreoffice-calc)
python3 -c "import ensurepip, venv" 2>/dev/null || apt_packages+=(python3-venv python3-pip)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev,site,browser]'

if [ -f package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
