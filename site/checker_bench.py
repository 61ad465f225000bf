"""Measure the in-browser checker: cold start, bytes transferred, and checks of 1k and 10k rows.

    .venv/bin/python site/checker_bench.py                 # prints a Markdown table
    .venv/bin/python site/checker_bench.py --write-docs    # also puts it into docs/developers/checker.md

Serves a minimal page with the built checker from 127.0.0.1 (no compression, like
`python -m http.server`) and drives headless Chromium with a fresh profile, every other host
blocked. "Cold" is a first visit (empty cache); "warm" reopens the page in the same profile.
A check is timed on the page from picking the file to the findings on screen (in brackets: the
part spent in validate + grouping inside the worker) and until the downloads are ready (adds the
HTML report and the annotated workbook). These checks run on a reloaded page (runtime and compiled
code from the browser's cache) and start right after "ready", as a quick clerk would.
Cold starts are measured with and without the build's memory snapshot, alternately, each with a
fresh profile; after each, the largest workbook is checked as on a first visit, picked
`PICK_DELAY_S` after "ready" (a clerk's time in the file dialog, during which a worker started
from the snapshot runs its warm-up check). The same files are timed with CPython's
`validator.api.validate` for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from checker_support import Server, build_minimal_site, launch  # noqa: E402

MARK = "<!-- checker-measurements -->"
TODAY = "2020-08-20"


def write_inputs(folder: Path, n: int) -> dict[str, list[Path]]:
    """A manifest and `n` valid 附件1 rows, as a workbook from our template and as CSV files."""
    from validator import standard
    from validator.builders import synth
    from validator.outputs.workbook import write_workbook

    month = dt.date(2020, 7, 1)
    manifest = synth.monthly(1, "云鹤镇", month, (0, 0, 0))["manifest"]
    rows = list(synth.rows("annex1", n, seed=1, month=month))
    data = {"manifest": manifest, "annex1": rows}

    def as_cells(form_id: str, items: list[dict], target: str) -> list[dict]:
        fields = standard.form(form_id)["fields"]
        return [{f["name"]: synth.cell(f, r.get(f["name"]), target) for f in fields} for r in items]

    xlsx = folder / f"annex1-{n}.xlsx"
    write_workbook(xlsx, {k: as_cells(k, v, "xlsx") for k, v in data.items()}, forms=["manifest", "annex1"])
    csv_dir = folder / f"csv-{n}"
    csv_dir.mkdir()
    import csv

    for form_id, items in data.items():
        fields = standard.form(form_id)["fields"]
        with (csv_dir / f"{form_id}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([fld["title"] for fld in fields])
            for r in as_cells(form_id, items, "csv"):
                w.writerow([r[fld["name"]] for fld in fields])
    return {"xlsx": [xlsx], "csv": sorted(csv_dir.glob("*.csv"))}


def _state(page) -> str:
    return page.get_attribute("#fpjc-checker", "data-state")


def _wait(page, states: list[str], timeout: float = 300_000) -> None:
    page.wait_for_function(
        "s => s.includes(document.getElementById('fpjc-checker').getAttribute('data-state'))",
        arg=states,
        timeout=timeout,
    )


def open_ready(page, url: str) -> dict:
    t0 = time.perf_counter()
    page.goto(url)
    _wait(page, ["ready", "failed", "timeout"])
    wall = time.perf_counter() - t0
    if _state(page) != "ready":
        raise SystemExit("checker did not start: " + page.inner_text("#fpjc-checker"))
    root = "#fpjc-checker"
    return {
        "wall_s": wall,
        "worker_s": int(page.get_attribute(root, "data-ready-ms")) / 1000,
        "start": page.get_attribute(root, "data-start"),
        "phases": json.loads(page.get_attribute(root, "data-start-phases") or "{}"),
    }


PICK_DELAY_S = 5.0


def cold_start(playwright, server: Server, profile: Path, first_check: list[Path] | None = None) -> dict:
    """A first visit: a fresh browser profile (empty HTTP and code caches) opens the page; then,
    with `first_check`, that file is checked `PICK_DELAY_S` after "ready"."""
    server.reset()
    ctx = launch(playwright, profile)
    try:
        page = ctx.new_page()
        result = open_ready(page, server.url)
        result["bytes"] = server.bytes_sent
        if first_check:
            page.wait_for_timeout(PICK_DELAY_S * 1000)
            result["first_check"] = check(page, first_check)
    finally:
        ctx.close()
    return result


def check(page, files: list[Path]) -> dict:
    page.fill(".fpjc-ck-today", TODAY)
    t0 = time.perf_counter()
    page.set_input_files(".fpjc-ck-input", [str(f) for f in files])
    page.wait_for_function("() => document.getElementById('fpjc-checker').hasAttribute('data-check-ms')")
    shown = time.perf_counter() - t0
    _wait(page, ["done"])
    total = time.perf_counter() - t0
    root = "#fpjc-checker"
    return {
        "findings_s": int(page.get_attribute(root, "data-check-ms")) / 1000,
        "shown_s": shown,
        "total_s": total,
    }


def gzip_bytes(folder: Path) -> int:
    """What the checker would transfer from a server that gzips everything (level 6)."""
    import gzip

    return sum(len(gzip.compress(p.read_bytes(), 6)) for p in folder.rglob("*") if p.is_file())


def cpython_seconds(files: list[Path]) -> float:
    from validator.api import validate

    t0 = time.perf_counter()
    validate(files, today=dt.date.fromisoformat(TODAY))
    return time.perf_counter() - t0


def _median(values: list[float]) -> float:
    return statistics.median(values)


def measure(
    sizes: list[int],
    kinds: tuple[str, ...] = ("csv", "xlsx"),
    *,
    workdir: Path | None = None,
    repeat: int = 3,
) -> dict:
    """Cold starts with and without the memory snapshot (interleaved, `repeat` each, a fresh
    profile every time), a warm start, then each size and kind of input checked `repeat` times on
    the page started from the snapshot; medians.

    Returns {"cold": {wall_s, worker_s, bytes, phases, runs}, "cold_full": {...}, "warm": {...},
    "bytes": checker folder size, "gzipped": …, "snapshot": …, "checks": [{rows, kind, shown_s,
    findings_s, total_s, cpython_s, runs}], "load": (before, after)}.
    `workdir` keeps the generated inputs between runs (they take a while at 100,000 rows).
    """
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fpjc-bench-") as tmp:
        tmp = Path(tmp)
        site, full_site = tmp / "site", tmp / "site-full"
        info = build_minimal_site(site, snapshot=True)
        build_minimal_site(full_site, snapshot=False)
        gzipped = gzip_bytes(site / "checker")
        inputs = {n: _inputs(workdir or tmp, n) for n in sizes}
        runs: dict[str, list[dict]] = {"snapshot": [], "full": []}
        with Server(site) as server, Server(full_site) as full, sync_playwright() as p:
            first = inputs[max(sizes)]["xlsx"] if "xlsx" in kinds else None
            for i in range(repeat):
                runs["snapshot"].append(cold_start(p, server, tmp / f"profile-s{i}", first))
                runs["full"].append(cold_start(p, full, tmp / f"profile-f{i}", first))
            if any(r["start"] != "snapshot" for r in runs["snapshot"]):
                raise SystemExit("the checker did not start from its snapshot")
            ctx = launch(p, tmp / "profile")
            page = ctx.new_page()
            open_ready(page, server.url)
            page.close()
            server.reset()
            page = ctx.new_page()
            warm = open_ready(page, server.url)
            warm["bytes"] = server.bytes_sent
            results = []
            for n in sizes:
                for kind in kinds:
                    timings = []
                    for _ in range(repeat):
                        page.reload()
                        _wait(page, ["ready"])
                        r = check(page, inputs[n][kind])
                        # Only a check that really read every row counts.
                        if f"附件1 {n}行" not in page.inner_text(".fpjc-ck-facts"):
                            raise SystemExit(f"the page did not read {n} rows of {kind}")
                        timings.append(r)
                    r = {k: _median([t[k] for t in timings]) for k in ("findings_s", "shown_s", "total_s")}
                    r.update(rows=n, kind=kind, runs=timings, cpython_s=cpython_seconds(inputs[n][kind]))
                    results.append(r)
            # The same check on a page that starts the full way (no snapshot), in this run.
            full_checks = []
            if first:
                page.goto(full.url)
                _wait(page, ["ready"])
                for _ in range(repeat):
                    page.reload()
                    _wait(page, ["ready"])
                    full_checks.append(check(page, first)["shown_s"])
            ctx.close()
    return {
        "full_check_s": _median(full_checks) if full_checks else None,
        "cold": _summary(runs["snapshot"]),
        "cold_full": _summary(runs["full"]),
        "warm": warm,
        "bytes": info["bytes"],
        "gzipped": gzipped,
        "snapshot": info["snapshot"],
        "checks": results,
        "load": (load_before, os.getloadavg()),
    }


def _summary(runs: list[dict]) -> dict:
    """Medians of cold starts, phase by phase (ms since the worker started)."""
    names = sorted(
        {k for r in runs for k in r["phases"]}, key=lambda k: _median([r["phases"].get(k, 0) for r in runs])
    )
    firsts = [r["first_check"]["shown_s"] for r in runs if "first_check" in r]
    return {
        "first_check_s": _median(firsts) if firsts else None,
        "wall_s": _median([r["wall_s"] for r in runs]),
        "worker_s": _median([r["worker_s"] for r in runs]),
        "bytes": _median([r["bytes"] for r in runs]),
        "phases": {k: _median([r["phases"][k] for r in runs if k in r["phases"]]) for k in names},
        "runs": [round(r["wall_s"], 2) for r in runs],
    }


def _inputs(folder: Path, n: int) -> dict[str, list[Path]]:
    xlsx = folder / f"annex1-{n}.xlsx"
    csv_dir = folder / f"csv-{n}"
    if xlsx.exists() and csv_dir.is_dir():
        return {"xlsx": [xlsx], "csv": sorted(csv_dir.glob("*.csv"))}
    if csv_dir.exists():
        import shutil

        shutil.rmtree(csv_dir)
    return write_inputs(folder, n)


PHASE_LABELS = {
    "snapshot_fetched": "快照下载并解压完",
    "runtime": "运行环境就绪",
    "packages": "组件安装完",
    "bridge": "就绪",
}


def _phases(summary: dict) -> str:
    return "，".join(f"{PHASE_LABELS.get(k, k)} {v / 1000:.2f}" for k, v in summary["phases"].items())


def run(sizes: list[int], repeat: int = 3) -> str:
    m = measure(sizes, repeat=repeat)
    cold, full, warm = m["cold"], m["cold_full"], m["warm"]
    cpu = platform.processor() or platform.machine()
    load = f"{m['load'][0][0]:.1f} / {m['load'][1][0]:.1f}"
    lines = [
        f"测量环境：headless Chromium（Debian），{os.cpu_count()} 核 {cpu}，系统 1 分钟平均负载（开始/结束）{load}，"
        f"本机 127.0.0.1 提供文件，未压缩传输；每项测{repeat}次取中位数；"
        f"{dt.date.today().isoformat()} 用 `python site/checker_bench.py` 测得。"
    ]
    lines.append("")
    lines.append("| 项目 | 结果 |")
    lines.append("|---|---|")
    lines.append(
        f"| 首次打开（无缓存）到“校验器已就绪”，从内存快照启动 | {cold['wall_s']:.1f}秒（Worker 内{cold['worker_s']:.1f}秒；"
        f"各次 {'、'.join(f'{x:.1f}' for x in cold['runs'])}） |"
    )
    lines.append(f"| 其中各步（Worker 启动后秒数） | {_phases(cold)} |")
    lines.append(
        f"| 同上，不用快照（完整启动） | {full['wall_s']:.1f}秒（Worker 内{full['worker_s']:.1f}秒；"
        f"各次 {'、'.join(f'{x:.1f}' for x in full['runs'])}） |"
    )
    lines.append(f"| 其中各步（Worker 启动后秒数） | {_phases(full)} |")
    if cold["first_check_s"] is not None:
        rows = max(r["rows"] for r in m["checks"])
        lines.append(
            f"| 首次打开后第一次校验{rows:,}行工作簿（就绪后{PICK_DELAY_S:.0f}秒选中文件），选中到显示问题 | "
            f"用快照 {cold['first_check_s']:.2f}秒，不用快照 {full['first_check_s']:.2f}秒 |"
        )
    lines.append(
        f"| 首次打开传输量 | 用快照 {cold['bytes'] / 1e6:.1f} MB（其中快照 {m['snapshot']['bytes'] / 1e6:.1f} MB，"
        f"解压后 {m['snapshot']['memory_bytes'] / 1e6:.1f} MB），不用快照 {full['bytes'] / 1e6:.1f} MB；"
        f"checker 目录共 {m['bytes'] / 1e6:.1f} MB，服务器开启 gzip 时约 {m['gzipped'] / 1e6:.1f} MB |"
    )
    lines.append(f"| 再次打开（有缓存）到就绪 | {warm['wall_s']:.1f}秒，传输 {warm['bytes'] / 1e6:.2f} MB |")
    lines.append("")
    lines.append("再次打开（有缓存）、刚就绪就选中文件：")
    lines.append("")
    lines.append("| 文件 | 行数 | 选中文件到显示问题（其中校验） | 到下载文件就绪 | CPython（命令行核心） |")
    lines.append("|---|---|---|---|---|")
    for r in m["checks"]:
        label = "CSV（报送信息 + 附件1）" if r["kind"] == "csv" else "Excel 模板工作簿"
        lines.append(
            f"| {label} | {r['rows']:,} | {r['shown_s']:.2f}秒（{r['findings_s']:.2f}秒） | {r['total_s']:.2f}秒 | {r['cpython_s']:.2f}秒 |"
        )
    if m["full_check_s"] is not None:
        rows = max(r["rows"] for r in m["checks"])
        lines.append(f"| 同上，页面不用快照（完整启动） | {rows:,} | {m['full_check_s']:.2f}秒 | | |")
    return "\n".join(lines)


def write_docs(table: str) -> None:
    path = ROOT / "docs" / "developers" / "checker.md"
    text = path.read_text(encoding="utf-8")
    block = f"{MARK}\n## 实测数据\n\n{table}\n{MARK.replace('<!--', '<!-- end')}"
    pattern = re.compile(re.escape(MARK) + r".*?" + re.escape(MARK.replace("<!--", "<!-- end")), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    elif MARK in text:
        text = text.replace(MARK, block)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="cold starts and checks measured N times (medians)"
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="put the table into docs/developers/checker.md"
    )
    args = parser.parse_args(argv)
    table = run(args.rows, args.repeat)
    print(table)
    if args.write_docs:
        write_docs(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
