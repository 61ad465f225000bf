#!/usr/bin/env bash
# Set up and run the whole test suite: lint, the standard's drift and quality tests, the
# validator, templates with LibreOffice, and the site in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
