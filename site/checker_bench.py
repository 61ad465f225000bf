"""Measure the in-browser checker: cold start, bytes transferred, and checks of 1k and 10k rows.

    .venv/bin/python site/checker_bench.py                 # prints a Markdown table
    .venv/bin/python site/checker_bench.py --write-docs    # also puts it into docs/check.md

Serves a minimal page with the built checker from 127.0.0.1 (no compression, like
`python -m http.server`) and drives headless Chromium with a fresh profile, every other host
blocked. "Cold" is a first visit (empty cache); "warm" reopens the page in the same profile.
A check is timed on the page from picking the file to the findings on screen (in brackets: the
part spent in validate + grouping inside the worker) and until the downloads are ready (adds the
HTML report and the annotated workbook). Each check starts right after "ready", as a quick clerk
would: the worker imports the workbook reader and the renderers one step at a time after "ready",
so the first check waits for at most the step under way. The
same files are timed with CPython's `validator.api.validate` for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
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
    return {"wall_s": wall, "worker_s": int(page.get_attribute("#fpjc-checker", "data-ready-ms")) / 1000}


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


def measure(
    sizes: list[int], kinds: tuple[str, ...] = ("csv", "xlsx"), *, workdir: Path | None = None
) -> dict:
    """Cold and warm start of the checker, then each size and kind of input checked on the page.

    Returns {"cold": {wall_s, worker_s, bytes}, "warm": {...}, "bytes": checker folder size,
    "gzipped": …, "checks": [{rows, kind, shown_s, findings_s, total_s, cpython_s}], "load": …}.
    `workdir` keeps the generated inputs between runs (they take a while at 100,000 rows).
    """
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="fpjc-bench-") as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        info = build_minimal_site(site)
        gzipped = gzip_bytes(site / "checker")
        inputs = {n: _inputs(workdir or tmp, n) for n in sizes}
        with Server(site) as server, sync_playwright() as p:
            ctx = launch(p, tmp / "profile")
            page = ctx.new_page()
            cold = open_ready(page, server.url)
            cold["bytes"] = server.bytes_sent
            page.close()
            server.reset()
            page = ctx.new_page()
            warm = open_ready(page, server.url)
            warm["bytes"] = server.bytes_sent
            results = []
            for n in sizes:
                for kind in kinds:
                    page.reload()
                    _wait(page, ["ready"])
                    r = check(page, inputs[n][kind])
                    # Only a check that really read every row counts.
                    if f"附件1 {n}行" not in page.inner_text(".fpjc-ck-facts"):
                        raise SystemExit(f"the page did not read {n} rows of {kind}")
                    r.update(rows=n, kind=kind, cpython_s=cpython_seconds(inputs[n][kind]))
                    results.append(r)
            ctx.close()
    return {
        "cold": cold,
        "warm": warm,
        "bytes": info["bytes"],
        "gzipped": gzipped,
        "checks": results,
        "load": (load_before, os.getloadavg()[0]),
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


def run(sizes: list[int]) -> str:
    m = measure(sizes)
    cold, warm = m["cold"], m["warm"]
    cpu = platform.processor() or platform.machine()
    load = f"{m['load'][0]:.1f} / {m['load'][1]:.1f}"
    lines = [
        f"测量环境：headless Chromium（Debian），{os.cpu_count()} 核 {cpu}，系统平均负载（开始/结束）{load}，"
        f"本机 127.0.0.1 提供文件，未压缩传输；{dt.date.today().isoformat()} 用 `python site/checker_bench.py` 测得。"
    ]
    lines.append("")
    lines.append("| 项目 | 结果 |")
    lines.append("|---|---|")
    lines.append(
        f"| 首次打开（无缓存）到“校验器已就绪” | {cold['wall_s']:.1f}秒（Worker 内{cold['worker_s']:.1f}秒） |"
    )
    lines.append(
        f"| 首次打开传输量 | {cold['bytes'] / 1e6:.1f} MB（checker 目录共 {m['bytes'] / 1e6:.1f} MB；"
        f"服务器开启 gzip 时约 {m['gzipped'] / 1e6:.1f} MB） |"
    )
    lines.append(f"| 再次打开（有缓存）到就绪 | {warm['wall_s']:.1f}秒，传输 {warm['bytes'] / 1e6:.2f} MB |")
    lines.append("")
    lines.append("| 文件 | 行数 | 选中文件到显示问题（其中校验） | 到下载文件就绪 | CPython（命令行核心） |")
    lines.append("|---|---|---|---|---|")
    for r in m["checks"]:
        label = "CSV（报送信息 + 附件1）" if r["kind"] == "csv" else "Excel 模板工作簿"
        lines.append(
            f"| {label} | {r['rows']:,} | {r['shown_s']:.2f}秒（{r['findings_s']:.2f}秒） | {r['total_s']:.2f}秒 | {r['cpython_s']:.2f}秒 |"
        )
    return "\n".join(lines)


def write_docs(table: str) -> None:
    path = ROOT / "docs" / "check.md"
    text = path.read_text(encoding="utf-8")
    block = f"{MARK}\n### 实测数据\n\n{table}\n{MARK.replace('<!--', '<!-- end')}"
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
    parser.add_argument("--write-docs", action="store_true", help="put the table into docs/check.md")
    args = parser.parse_args(argv)
    table = run(args.rows)
    print(table)
    if args.write_docs:
        write_docs(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
