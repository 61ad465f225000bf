#!/usr/bin/env bash
# Set up and run the main job: build the procedure site into build/site and validate the
# bundled example packages (each report goes to build/reports/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/fpjc schemas check
.venv/bin/mkdocs build --strict
mkdir -p build/reports
status=0
for pkg in examples/*/; do
  name=$(basename "$pkg")
  .venv/bin/fpjc validate "$pkg" --today 2020-08-10 --format html --output "build/reports/$name.html" || true
  .venv/bin/fpjc validate "$pkg" --today 2020-08-10 --format text || true
done
echo "site: build/site/index.html   reports: build/reports/"
exit $status
