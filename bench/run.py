"""Time `fpjc validate` against `frictionless validate` on the same synthetic 附件1 package.

    .venv/bin/python bench/run.py                      # 10^4, 10^5 and 10^6 rows
    .venv/bin/python bench/run.py --rows 100000 --skip fpjc

For each size the package is written once by `fpjc examples bench` (manifest.csv, annex1.csv
with English field names as headers, datapackage.json with our Table Schemas inlined), then
each tool runs as a separate process on it. Wall time is measured around the process; peak
memory is that process's own maximum resident set size (os.wait4), not the sum of children.
Each report is parsed afterwards to make sure the tool really read every row.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def executable(name: str) -> str:
    """The tool from the same virtual environment as this Python, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"cannot find the `{name}` command")
    return found


def measure(cmd: list[str], cwd: Path, out: Path) -> dict:
    """Run `cmd` with stdout to `out`; wall seconds, peak RSS (MB) and exit status."""
    with out.open("wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the max over all runs.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": seconds,
        # CPU time of the process itself: on a shared machine wall time also counts the time
        # spent waiting for a core, which depends on what else is running.
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "exit": proc.returncode,
        "stderr": stderr.strip()[-2000:],
    }


def rows_read_fpjc(report: Path) -> tuple[int | None, int | None]:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    return data.get("summary", {}).get("rows", {}).get("annex1"), data.get("summary", {}).get("error")


def rows_read_frictionless(report: Path) -> tuple[int | None, int | None]:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    for task in data.get("tasks", []):
        if task.get("name") == "annex1":
            return task.get("stats", {}).get("rows"), task.get("stats", {}).get("errors")
    return None, None


def run_size(n: int, workdir: Path, tools: list[str], today: str) -> list[dict]:
    from validator.builders import examples

    pkg = workdir / f"annex1-{n}"
    if not (pkg / "datapackage.json").exists():
        t0 = time.perf_counter()
        examples.bench(pkg, n, seed=1, headers="name")
        print(f"# generated {n} rows in {time.perf_counter() - t0:.1f} s: {pkg}", file=sys.stderr)
    results = []
    for tool in tools:
        report = workdir / f"{tool}-{n}.json"
        if tool == "fpjc":
            cmd = [executable("fpjc"), "validate", str(pkg), "--format", "json", "--today", today]
            result = measure(cmd, workdir, report)
            rows, errors = rows_read_fpjc(report)
            ok = result["exit"] in (0, 1)
        else:
            # frictionless refuses absolute paths outside the working directory ("not safe"),
            # so it runs inside the package folder on the descriptor: both resources, with the
            # foreign key annex1 → manifest, exactly what fpjc checks too.
            cmd = [executable("frictionless"), "validate", "datapackage.json", "--json"]
            result = measure(cmd, pkg, report)
            rows, errors = rows_read_frictionless(report)
            ok = result["exit"] in (0, 1)
        result.update(tool=tool, rows=n, rows_read=rows, errors=errors, ok=ok and rows == n)
        result["rows_per_second"] = n / result["seconds"] if result["seconds"] else None
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--skip", choices=("fpjc", "frictionless"), action="append", default=[])
    parser.add_argument("--workdir", type=Path, default=None, help="keep packages and reports here")
    parser.add_argument("--today", default="2020-08-06", help="passed to fpjc validate --today")
    parser.add_argument("--json", type=Path, default=None, help="also write all results to this file")
    args = parser.parse_args(argv)
    tools = [t for t in ("fpjc", "frictionless") if t not in args.skip]

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="fpjc-bench-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
    all_results = []
    try:
        print(
            f"{'rows':>9} {'tool':<13} {'seconds':>8} {'cpu s':>8} {'rows/s':>10} {'peak MB':>8} {'exit':>4}"
            "  read/errors"
        )
        for n in args.rows:
            results = run_size(n, workdir, tools, args.today)
            all_results += results
            for r in results:
                print(
                    f"{n:>9} {r['tool']:<13} {r['seconds']:>8.2f} {r['cpu_seconds']:>8.2f} "
                    f"{r['rows_per_second']:>10,.0f} "
                    f"{r['peak_mb']:>8.1f} {r['exit']:>4}  {r['rows_read']}/{r['errors']}"
                    + ("" if r["ok"] else "  NOT OK: " + (r["stderr"].splitlines() or ["?"])[-1])
                )
            by_tool = {r["tool"]: r for r in results}
            if (
                {"fpjc", "frictionless"} <= set(by_tool)
                and by_tool["fpjc"]["ok"]
                and by_tool["frictionless"]["ok"]
            ):
                ratio = by_tool["frictionless"]["seconds"] / by_tool["fpjc"]["seconds"]
                cpu_ratio = by_tool["frictionless"]["cpu_seconds"] / by_tool["fpjc"]["cpu_seconds"]
                print(f"{n:>9} fpjc is {ratio:.1f}× as fast as frictionless ({cpu_ratio:.1f}× in CPU time)")
            sys.stdout.flush()
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        args.json.write_text(json.dumps(all_results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in all_results) else 1


if __name__ == "__main__":
    sys.exit(main())
