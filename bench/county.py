"""A province-size month: `fpjc rollup` over 1,500 township packages, in 1 process and in N.

    .venv/bin/python bench/county.py                        # 1,500 packages, --jobs 1 and --jobs <cores>
    .venv/bin/python bench/county.py --packages 300 --jobs 1 2 --workdir /tmp/fpjc-county

Separate from bench/run.py (which times `fpjc validate` against frictionless on one large
package): this one times the county's intake of many small packages. The packages are written
once by `validator.builders.county_month.write_province` (CSV folders of 8 + 6 + 3 rows, the
county's nine townships repeated) and kept in the work folder for the next run. Each `--jobs`
setting then runs `fpjc rollup DIR --format json` as its own process; wall time, CPU time of
the process and its workers, and packages per second are printed, and the JSON outputs of all
settings must be identical (otherwise the script exits 1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = "2020-08-20"


def fpjc() -> str:
    beside = Path(sys.executable).parent / "fpjc"
    return str(beside) if beside.exists() else "fpjc"


def prepare(workdir: Path, n: int) -> Path:
    folder = workdir / f"province-{n}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    from validator.builders.county_month import write_province

    start = time.perf_counter()
    write_province(folder, n)
    marker.write_text("", encoding="utf-8")
    print(f"wrote {n} packages in {time.perf_counter() - start:.1f} s: {folder}", file=sys.stderr)
    return folder


def run(cmd: list[str], out: Path) -> dict:
    with out.open("wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
        # The rusage of wait4 covers the process and the workers it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "stderr": (proc.stderr.read().decode("utf-8", "replace") if proc.stderr else "")[-1000:],
    }


def main(argv: list[str] | None = None) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=1500)
    parser.add_argument("--jobs", type=int, nargs="+", default=sorted({1, cores}))
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keeps the generated packages between runs"
    )
    parser.add_argument("--fpjc", default=fpjc(), help="the fpjc command to time (default: this checkout's)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fpjc-county-bench-"))
    folder = prepare(workdir, args.packages)
    load = os.getloadavg()[0]
    rows, outputs = [], {}
    for jobs in args.jobs:
        out = workdir / f"rollup-{args.packages}-j{jobs}.json"
        cmd = [args.fpjc, "rollup", str(folder), "--format", "json", "--today", TODAY, "--jobs", str(jobs)]
        result = run(cmd, out)
        if result["exit"] not in (0, 1):
            print(result["stderr"], file=sys.stderr)
            return 1
        data = json.loads(out.read_text(encoding="utf-8"))
        checked = sum(1 for p in data["packages"] if p["readable"])
        outputs[jobs] = out.read_bytes()
        rows.append(
            {
                "jobs": jobs,
                "packages": args.packages,
                "checked": checked,
                **{k: result[k] for k in ("seconds", "cpu_seconds", "peak_mb")},
                "packages_per_second": args.packages / result["seconds"],
            }
        )
    identical = len(set(outputs.values())) == 1
    print(f"load average before: {load:.1f}; cores: {cores}; packages: {args.packages}")
    print("| --jobs | packages checked | wall s | CPU s (all processes) | peak MB (main) | packages / s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['jobs']} | {r['checked']} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
            f"{r['peak_mb']:.0f} | {r['packages_per_second']:.1f} |"
        )
    if len(rows) > 1:
        base = rows[0]["seconds"]
        ups = ", ".join(f"{r['jobs']}: {base / r['seconds']:.2f}×" for r in rows[1:])
        print(f"speed-up over --jobs {rows[0]['jobs']}: {ups}")
    print(f"identical JSON output for every --jobs: {'yes' if identical else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "identical": identical, "load": load}, indent=2))
    ok = identical and all(r["checked"] == args.packages for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
