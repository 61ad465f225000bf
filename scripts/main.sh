#!/usr/bin/env bash
# Set up and run the main job: build the procedure site into build/site and validate every
# bundled example package, as a folder and as a workbook (HTML reports go to build/reports/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NO_MKDOCS_2_WARNING=1
.venv/bin/fpjc schemas check
.venv/bin/mkdocs build --strict
mkdir -p build/reports
summary=()
for pkg in examples/*/ examples/*.xlsx; do
  name=$(basename "$pkg")
  set +e
  .venv/bin/fpjc validate "$pkg" --no-color
  status=$?
  .venv/bin/fpjc validate "$pkg" --format html --output "build/reports/$name.html" >/dev/null 2>&1
  set -e
  case $status in
    0) verdict="通过" ;;
    1) verdict="有错误" ;;
    *) verdict="无法读取（退出状态 $status）" ;;
  esac
  summary+=("  $name: $verdict")
  echo
done
echo "示例报送包校验结果（errors-* 是故意填错的示例）："
printf '%s\n' "${summary[@]}"
echo "网站：build/site/index.html   报告：build/reports/"
