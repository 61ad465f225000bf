"""The household ledger: ingest time, query time and database size, for a county year and a province month.

    .venv/bin/python bench/ledger.py                           # a county year, and 167 counties' month
    .venv/bin/python bench/ledger.py --counties 20 --jobs 1 2 --workdir /tmp/fpjc-ledger

- **county year**: `builders.county_year.write_year` (9 townships × 12 months, and the county's
  研判 record each month: 120 entries) into `fpjc ledger add` with each `--jobs` setting, each a
  fresh ledger; then the same folders again (nothing new: the content-hash path), then each query
  (`status`, `stock`, `overdue`, `household`) as JSON. The answers of every `--jobs` setting must be
  identical (otherwise the script exits 1).
- **province month**: `builders.county_year.write_province` (`--counties` counties × 9 townships,
  one month; 167 counties ≈ 1,500 packages), one ledger per county, the counties' `fpjc ledger
  add` runs spread over `--parallel` processes at a time (a county's ledger is written by one
  process; counties are independent).

Every run is its own process (`fpjc …`), so times include start-up; packages are written once
and kept in the work folder for the next run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = "2021-01-31"


def fpjc() -> str:
    beside = Path(sys.executable).parent / "fpjc"
    return str(beside) if beside.exists() else "fpjc"


def timed(cmd: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return wall, done.stdout


def county_year(workdir: Path, jobs: list[int]) -> int:
    from validator.builders.county_year import write_year

    folder = workdir / "year"
    marker = folder / ".complete"
    if not marker.exists():
        start = time.perf_counter()
        write_year(folder / "鹤庆县")
        marker.write_text("", encoding="utf-8")
        print(f"wrote a county year in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    months = folder / "鹤庆县"
    answers = {}
    print("county year: 9 townships × 12 months + 12 county records = 120 entries")
    print(
        "| --jobs | add (s) | entries/s | again, unchanged (s) | size (KB) | status (s) | stock (s) | overdue (s) | household (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    head = None
    for n in jobs:
        ledger = workdir / f"year-{n}.sqlite"
        ledger.unlink(missing_ok=True)
        add, _ = timed(
            [fpjc(), "ledger", "add", str(ledger), str(months), "--today", TODAY, "--jobs", str(n)]
        )
        again, _ = timed(
            [fpjc(), "ledger", "add", str(ledger), str(months), "--today", TODAY, "--jobs", str(n)]
        )
        if head is None:
            import sqlite3

            conn = sqlite3.connect(ledger)
            head = conn.execute(
                "SELECT head_id FROM warnings GROUP BY head_id ORDER BY count(*) DESC, head_id LIMIT 1"
            ).fetchone()[0]
            conn.close()
        times = []
        for query in ("status", "stock", "overdue", "household"):
            extra = [head] if query == "household" else []
            wall, out = timed([fpjc(), "ledger", query, str(ledger), *extra, "--format", "json"])
            times.append(wall)
            answers.setdefault(query, set()).add(out.replace(str(ledger).encode(), b"LEDGER"))
        size = ledger.stat().st_size / 1024
        print(
            f"| {n} | {add:.1f} | {120 / add:.1f} | {again:.1f} | {size:.0f} | "
            + " | ".join(f"{t:.2f}" for t in times)
            + " |"
        )
    # The same questions inside one process: the queries themselves, without start-up.
    from validator.ledger import queries
    from validator.ledger.store import open_ledger

    with open_ledger(workdir / f"year-{jobs[0]}.sqlite", write=False) as ledger:
        inside = []
        for query in ("status", "stock", "overdue", "timeline"):
            start = time.perf_counter()
            getattr(queries, query)(ledger.conn, *([head] if query == "timeline" else []))
            inside.append(f"{query} {1000 * (time.perf_counter() - start):.0f} ms")
    print("in one process: " + ", ".join(inside))
    differ = [q for q, outs in answers.items() if len(outs) != 1]
    if differ:
        print(f"answers differ between --jobs settings: {differ}", file=sys.stderr)
        return 1
    return 0


def province(workdir: Path, counties: int, parallel: int) -> int:
    from validator.builders.county_year import write_province

    folder = workdir / f"province-{counties}"
    marker = folder / ".complete"
    if not marker.exists():
        start = time.perf_counter()
        write_province(folder, counties)
        marker.write_text("", encoding="utf-8")
        print(f"wrote {counties * 9} packages in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    ledgers = workdir / f"province-{counties}-ledgers"
    ledgers.mkdir(exist_ok=True)
    for old in ledgers.glob("*.sqlite"):
        old.unlink()
    county_dirs = sorted(p for p in folder.iterdir() if p.is_dir())

    def one(county: Path) -> float:
        wall, _ = timed(
            [fpjc(), "ledger", "add", str(ledgers / f"{county.name}.sqlite"), str(county), "--today", "2020-08-20",
             "--jobs", "1"]
        )  # fmt: skip
        return wall

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        walls = list(pool.map(one, county_dirs))
    total = time.perf_counter() - start
    size = sum(p.stat().st_size for p in ledgers.glob("*.sqlite")) / 1024 / 1024
    n = len(county_dirs) * 9
    print(
        f"province month: {len(county_dirs)} counties, {n} packages, {parallel} processes at a time: "
        f"{total:.1f} s ({n / total:.1f} packages/s), one county {min(walls):.1f}–{max(walls):.1f} s, "
        f"ledgers {size:.1f} MB in all"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    parser.add_argument("--counties", type=int, default=167)
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fpjc-ledger-bench")
    parser.add_argument("--only", choices=("year", "province"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    status = 0
    if args.only in (None, "year"):
        status |= county_year(args.workdir, args.jobs)
    if args.only in (None, "province"):
        status |= province(args.workdir, args.counties, args.parallel)
    return status


if __name__ == "__main__":
    sys.exit(main())
