"""Every speed and memory target of issue 13, measured in one run, as ratios where there is a reference.

    .venv/bin/python bench/run.py                                  # everything (about half an hour)
    .venv/bin/python bench/run.py --only csv --rows 100000         # one part, one size
    .venv/bin/python bench/run.py --only workbook cold browser rollup --workdir /tmp/fpjc-bench
    .venv/bin/python bench/run.py --json result.json               # also every figure as JSON

Parts (`--only`):

- csv: `fpjc validate` against `frictionless validate` on the same synthetic 附件1 package
  (`fpjc examples bench`, every rule on), 10^4, 10^5 and 10^6 rows. Target: 10^6 rows ≥ 10×.
- errors: memory and time when nearly every row has a mistake (10^6 rows, `--mistakes`), and
  for CSV files of `1,x` rows (400 KB and 4 MB). Target: peak ≤ 300 MB.
- workbook: a 100,000-row 附件1 workbook from the clerk's template, `fpjc validate` against
  openpyxl read-only iteration of the same file. Target ≥ 10×.
- cold: a 50-row township workbook checked by a fresh process. Target ≤ 0.3 s.
- browser: the online checker in headless Chromium (site/checker_bench.py): ready after a cold
  start, and a 10,000-row workbook to findings on screen. Targets ≤ 4 s and ≤ 1.5 s.
- rollup: a province-size month (1,500 synthetic township packages) through `fpjc rollup --jobs N`,
  in packages per second; "not available" when this fpjc has no `--jobs`.

Every command runs as its own process. Wall time is measured around it; CPU time is the
process's own plus that of the processes it waited for (`os.wait4`), so a second process that
fpjc forks for a big table is counted; peak memory is the largest sum of the resident sizes of
the process and its children, sampled every 20 ms from /proc (on other systems: the process's
own peak). On a machine shared with other work, CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTS = ("csv", "errors", "workbook", "cold", "browser", "rollup")
TODAY = "2020-08-06"
TARGETS = {
    "csv_ratio": ("CSV 10^6 行：fpjc 比 frictionless 快（墙钟）", ">=", 10.0, "倍"),
    "csv_cpu_ratio": ("CSV 10^6 行：fpjc 比 frictionless 快（CPU 时间）", ">=", None, "倍"),
    "errors_peak_mb": ("10^6 行几乎每行有错：内存峰值", "<=", 300.0, "MB"),
    "workbook_ratio": ("10 万行工作簿：fpjc 比 openpyxl 只读遍历快", ">=", 10.0, "倍"),
    "cold_s": ("50 行乡镇工作簿，新进程校验", "<=", 0.3, "秒"),
    "browser_ready_s": ("浏览器冷启动到就绪", "<=", 4.0, "秒"),
    "browser_10k_xlsx_s": ("浏览器 1 万行工作簿到显示问题", "<=", 1.5, "秒"),
    "rollup_packages_per_s": ("1,500 个乡镇报送包 rollup --jobs", ">=", None, "包/秒"),
}


def executable(name: str) -> str:
    """The tool from the same virtual environment as this Python, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"cannot find the `{name}` command")
    return found


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and its descendants (Linux /proc); 0 when unavailable."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        p = int(entry.name)
        parents[p] = int(fields[1])
        rss[p] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += [c for c, parent in parents.items() if parent == p]
    return total


def measure(cmd: list[str], cwd: Path, out: Path | None = None, env: dict | None = None) -> dict:
    """Run `cmd` (stdout to `out`): wall and CPU seconds, peak memory (MB) and exit status."""
    sink = out.open("wb") if out else subprocess.DEVNULL
    peak = [0]
    done = threading.Event()
    try:
        # Linux hands a child the parent's memory high-water mark when it execs (vfork shares the
        # parent's memory), so a ru_maxrss no higher than ours at the start says nothing about the child.
        ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.PIPE, env=env)

        def sample() -> None:
            while not done.wait(0.02):
                try:
                    peak[0] = max(peak[0], _tree_rss(proc.pid))
                except OSError:
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        if Path("/proc/self/stat").exists():
            sampler.start()
        # wait4 gives this child's own rusage, including the children it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
    finally:
        if out:
            sink.close()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": max(peak[0] / 1024 / 1024, usage.ru_maxrss / 1024 if usage.ru_maxrss > ours else 0),
        "exit": os.waitstatus_to_exitcode(status),
        "stderr": stderr.strip()[-2000:],
    }


def _report(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _fpjc(*args: str) -> list[str]:
    return [executable("fpjc"), *args]


def _line(label: str, r: dict, extra: str = "") -> None:
    print(
        f"  {label:<34} {r['seconds']:>8.2f} s {r['cpu_seconds']:>8.2f} s cpu {r['peak_mb']:>8.1f} MB"
        f"  exit {r['exit']}{'  ' + extra if extra else ''}",
        flush=True,
    )


# --- csv ---------------------------------------------------------------------------------------


def part_csv(workdir: Path, sizes: list[int], results: dict) -> None:
    from validator.builders import examples

    print("csv: fpjc validate vs frictionless validate, same package, every rule on")
    rows = []
    for n in sizes:
        pkg = workdir / f"annex1-{n}"
        if not (pkg / "datapackage.json").exists():
            examples.bench(pkg, n, seed=1, headers="name")
        fp = measure(
            _fpjc("validate", str(pkg), "--format", "json", "--today", TODAY),
            workdir,
            workdir / f"fpjc-{n}.json",
        )
        got = _report(workdir / f"fpjc-{n}.json").get("summary", {}).get("rows", {}).get("annex1")
        _line(f"{n:>9,} rows  fpjc", fp, "" if got == n else f"NOT OK: read {got}")
        # frictionless refuses paths outside its working directory, so it runs in the package.
        fl = measure(
            [executable("frictionless"), "validate", "datapackage.json", "--json"],
            pkg,
            workdir / f"fl-{n}.json",
        )
        tasks = _report(workdir / f"fl-{n}.json").get("tasks", [])
        fl_rows = next((t.get("stats", {}).get("rows") for t in tasks if t.get("name") == "annex1"), None)
        _line(f"{n:>9,} rows  frictionless", fl, "" if fl_rows == n else f"NOT OK: read {fl_rows}")
        fp["rows_read"], fl["rows_read"] = got, fl_rows
        ok = got == n and fl_rows == n and fp["exit"] in (0, 1) and fl["exit"] in (0, 1)
        ratio = fl["seconds"] / fp["seconds"]
        cpu_ratio = fl["cpu_seconds"] / fp["cpu_seconds"]
        print(f"  {n:>9,} rows  fpjc is {ratio:.1f}× as fast (CPU time: {cpu_ratio:.1f}×)", flush=True)
        rows.append(
            {"rows": n, "fpjc": fp, "frictionless": fl, "ratio": ratio, "cpu_ratio": cpu_ratio, "ok": ok}
        )
    results["csv"] = rows
    big = [r for r in rows if r["rows"] == 1_000_000 and r["ok"]]
    if big:
        results["targets"]["csv_ratio"] = big[0]["ratio"]
        results["targets"]["csv_cpu_ratio"] = big[0]["cpu_ratio"]


# --- errors ------------------------------------------------------------------------------------


def part_errors(workdir: Path, rows: int, results: dict) -> None:
    from validator import standard
    from validator.builders import examples

    print("errors: a mistake on nearly every row")
    out = {}
    pkg = workdir / f"mistakes-{rows}"
    if not (pkg / "datapackage.json").exists():
        examples.bench(pkg, rows, seed=1, headers="name", mistakes=True)
    r = measure(
        _fpjc("validate", str(pkg), "--format", "json", "--today", TODAY), workdir, workdir / "mistakes.json"
    )
    report = _report(workdir / "mistakes.json")
    summary = report.get("summary", {})
    _line(
        f"{rows:,} rows, one mistake each",
        r,
        f"{summary.get('error')} errors, {len(report.get('findings', []))} listed",
    )
    out["mistakes"] = {
        **r,
        "rows": rows,
        "errors": summary.get("error"),
        "listed": len(report.get("findings", [])),
    }
    names = ",".join(f["name"] for f in standard.form("annex1")["fields"])
    for n in (100_000, 1_000_000):
        path = workdir / f"onex-{n}" / "annex1.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(names + "\n" + "1,x\n" * n, encoding="utf-8")
        r = measure(_fpjc("validate", str(path), "--format", "json"), workdir, workdir / f"onex-{n}.json")
        summary = _report(workdir / f"onex-{n}.json").get("summary", {})
        size = path.stat().st_size / 1e6
        _line(f"`1,x` x {n:,} ({size:.1f} MB)", r, f"{summary.get('error')} errors counted")
        out[f"onex_{n}"] = {**r, "rows": n, "errors": summary.get("error")}
    results["errors"] = out
    if out["mistakes"]["exit"] in (0, 1):
        results["targets"]["errors_peak_mb"] = out["mistakes"]["peak_mb"]


# --- workbook ----------------------------------------------------------------------------------

_OPENPYXL_ITERATION = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True)))
"""


def _workbook(folder: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "site"))
    sys.path.insert(0, str(ROOT / "tests"))
    import checker_bench

    return checker_bench._inputs(folder, n)["xlsx"][0]


def part_workbook(workdir: Path, rows: int, results: dict) -> None:
    print(f"workbook: {rows:,}-row 附件1 workbook, fpjc validate vs openpyxl read-only iteration")
    book = _workbook(workdir, rows)
    fp = measure(
        _fpjc("validate", str(book), "--format", "json", "--today", TODAY), workdir, workdir / "wb.json"
    )
    got = _report(workdir / "wb.json").get("summary", {}).get("rows", {}).get("annex1")
    _line("fpjc validate", fp, "" if got == rows else f"NOT OK: read {got}")
    op = measure([sys.executable, "-c", _OPENPYXL_ITERATION, str(book)], workdir)
    _line("openpyxl read-only iteration", op)
    ratio = op["seconds"] / fp["seconds"]
    cpu_ratio = op["cpu_seconds"] / fp["cpu_seconds"]
    print(f"  fpjc is {ratio:.1f}× as fast (CPU time: {cpu_ratio:.1f}×)", flush=True)
    results["workbook"] = {"rows": rows, "fpjc": fp, "openpyxl": op, "ratio": ratio, "cpu_ratio": cpu_ratio}
    if got == rows:
        results["targets"]["workbook_ratio"] = ratio


# --- cold --------------------------------------------------------------------------------------


def part_cold(workdir: Path, runs: int, results: dict) -> None:
    print("cold: a 50-row township workbook, each check a new process")
    book = _workbook(workdir, 50)
    # An installed fpjc has compiled bytecode: keep it in a cache of our own (this checkout may
    # be installed in editable mode with bytecode writing turned off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    cmd = _fpjc("validate", str(book), "--format", "json", "--today", "2020-08-20")
    measure(cmd, workdir, env=env)  # writes the bytecode
    times = [measure(cmd, workdir, env=env) for _ in range(runs)]
    wall = statistics.median(t["seconds"] for t in times)
    cpu = statistics.median(t["cpu_seconds"] for t in times)
    print(f"  median of {runs}: {wall:.3f} s wall, {cpu:.3f} s CPU, exit {times[0]['exit']}", flush=True)
    results["cold"] = {"runs": times, "median_s": wall, "median_cpu_s": cpu}
    results["targets"]["cold_s"] = wall


# --- browser -----------------------------------------------------------------------------------


def part_browser(workdir: Path, results: dict) -> None:
    print("browser: the online checker in headless Chromium")
    try:
        sys.path.insert(0, str(ROOT / "site"))
        sys.path.insert(0, str(ROOT / "tests"))
        import checker_bench

        m = checker_bench.measure([10_000], ("xlsx", "csv"), workdir=workdir)
    except (ImportError, RuntimeError, OSError, SystemExit) as exc:
        print(f"  not available: {exc}", flush=True)
        results["browser"] = {"error": str(exc)}
        return
    print(f"  cold start to ready: {m['cold']['wall_s']:.2f} s (in the worker {m['cold']['worker_s']:.2f} s)")
    for c in m["checks"]:
        print(f"  {c['rows']:,} rows {c['kind']}: findings on screen after {c['shown_s']:.2f} s", flush=True)
    results["browser"] = m
    results["targets"]["browser_ready_s"] = m["cold"]["wall_s"]
    xlsx = [c for c in m["checks"] if c["kind"] == "xlsx"]
    if xlsx:
        results["targets"]["browser_10k_xlsx_s"] = xlsx[0]["shown_s"]


# --- rollup ------------------------------------------------------------------------------------


def _province(folder: Path, n: int) -> Path:
    """`n` township packages of one month (CSV folders, 0–12 households each), synthetic."""
    from validator import standard
    from validator.builders import examples, synth

    month_dir = folder / f"province-{n}"
    if (month_dir / ".complete").exists():
        return month_dir
    if month_dir.exists():
        shutil.rmtree(month_dir)
    townships = [i["label"] for i in standard.codelist("township")["items"]]
    month = dt.date(2020, 7, 1)
    for i in range(n):
        counts = (i % 9, i % 4, i % 3)
        data = synth.monthly(i, townships[i % len(townships)], month, counts, zero_report=not any(counts[:2]))
        pkg = month_dir / f"pkg-{i:04d}"
        pkg.mkdir(parents=True)
        for form_id, rows in data.items():
            examples.write_csv(pkg / examples.CSV_FILES[form_id], form_id, rows, headers="title")
    (month_dir / ".complete").write_text("")
    return month_dir


def part_rollup(workdir: Path, packages: int, results: dict) -> None:
    print(f"rollup: a province-size month, {packages:,} township packages")
    helptext = subprocess.run(_fpjc("rollup", "--help"), capture_output=True, text=True).stdout
    if "--jobs" not in helptext:
        print("  not available: this fpjc has no `rollup --jobs`", flush=True)
        results["rollup"] = {"available": False}
        return
    month_dir = _province(workdir, packages)
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    out = {"available": True, "packages": packages}
    for n in sorted({1, jobs}):
        r = measure(
            _fpjc("rollup", str(month_dir), "--jobs", str(n), "--format", "json", "--today", TODAY),
            workdir,
            workdir / f"rollup-{n}.json",
        )
        rate = packages / r["seconds"]
        _line(f"--jobs {n}", r, f"{rate:.1f} packages/s")
        out[f"jobs_{n}"] = {**r, "packages_per_s": rate}
    results["rollup"] = out
    results["targets"]["rollup_packages_per_s"] = out[f"jobs_{jobs}"]["packages_per_s"]


# --- summary -----------------------------------------------------------------------------------


def summary(results: dict) -> str:
    lines = ["| 目标 | 测得 | 要求 | 结果 |", "|---|---:|---:|---|"]
    for key, (label, op, target, unit) in TARGETS.items():
        value = results["targets"].get(key)
        if value is None:
            lines.append(f"| {label} | 未测 | {op} {target or '—'} {unit} | |")
            continue
        met = (
            ""
            if target is None
            else ("达到" if (value >= target if op == ">=" else value <= target) else "未达到")
        )
        shown = f"{value:.2f}" if value < 10 else f"{value:.1f}"
        lines.append(
            f"| {label} | {shown} {unit} | {op + ' ' + str(target) + ' ' + unit if target else '—'} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="csv sizes")
    parser.add_argument("--mistake-rows", type=int, default=1_000_000)
    parser.add_argument("--workbook-rows", type=int, default=100_000)
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--packages", type=int, default=1_500, help="township packages for rollup")
    parser.add_argument("--workdir", type=Path, default=None, help="keep generated inputs and reports here")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file")
    args = parser.parse_args(argv)

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="fpjc-bench-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results: dict = {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "machine": f"{os.cpu_count()} cores {platform.machine()}, Python {platform.python_version()}",
        "load_before": load,
        "targets": {},
    }
    print(f"# {results['date']}, {results['machine']}, load average {load}")
    try:
        for part in args.only:
            if part == "csv":
                part_csv(workdir, args.rows, results)
            elif part == "errors":
                part_errors(workdir, args.mistake_rows, results)
            elif part == "workbook":
                part_workbook(workdir, args.workbook_rows, results)
            elif part == "cold":
                part_cold(workdir, args.cold_runs, results)
            elif part == "browser":
                part_browser(workdir, results)
            elif part == "rollup":
                part_rollup(workdir, args.packages, results)
    finally:
        results["load_after"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        if tmp is not None:
            tmp.cleanup()
    print()
    print(summary(results))
    print(f"\nload average {results['load_before']} before, {results['load_after']} after")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
