"""Regenerate the screenshots of docs/county.md (县扶贫办每月工作) from a synthetic month.

    .venv/bin/python site/county_screenshots.py            # writes docs/assets/county/*.png

Maintainer-only (needs Chromium with Playwright, LibreOffice and Ghostscript). It runs the real
commands on `validator.builders.county_month`'s nine townships (金墩乡 left out, so the intake
has a township to chase), plays the clerk at the meeting, and photographs what each step
produces: the pages in headless Chromium, the meeting workbook as LibreOffice prints it. All
data is invented. Run it again when a step's output changes, and commit the pictures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "docs" / "assets" / "county"
TODAY = "2020-08-20"


def fpjc(*args, cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "validator", *map(str, args)], cwd=cwd, check=False, capture_output=True
    )


def shoot(pages: dict[str, Path], *, width: int = 960, height: int = 1000) -> None:
    from checker_support import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        for name, html in pages.items():
            page.goto(html.resolve().as_uri())
            page.screenshot(path=str(OUT / name), clip={"x": 0, "y": 0, "width": width, "height": height})
        browser.close()


def workbook_page(book: Path, work: Path, target: Path) -> None:
    """The first A3 page of the workbook as LibreOffice prints it (the 县级研判表)."""
    from roundtrip_support import convert, pdf_pages

    pdf = convert(book, "pdf", work / "pdf", work / "profile")
    pages = pdf_pages(pdf.read_bytes())
    first = next(i for i, (w, h) in enumerate(pages, start=1) if round(w) == 1191 and round(h) == 842)
    full = work / "page.png"
    subprocess.run(
        [
            "gs",
            "-q",
            "-sDEVICE=png16m",
            "-r90",
            f"-dFirstPage={first}",
            f"-dLastPage={first}",
            "-o",
            str(full),
            str(pdf),
        ],
        check=True,
    )
    # The upper part of the page is enough to read the columns: Chromium crops it.
    html = work / "page.html"
    html.write_text(f'<body style="margin:0"><img src="{full.name}"></body>', encoding="utf-8")
    shoot({target.name: html}, width=1488, height=640)


def main() -> int:
    from validator.builders import county_month

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fpjc-county-shots-") as tmp:
        work = Path(tmp)
        month = work / "2020年7月"
        county_month.write_month(month)
        shutil.rmtree(month / "金墩乡")
        env_today = ("--today", TODAY)
        fpjc("rollup", month, *env_today, "--format", "html", "--output", "收件汇总.html", cwd=work)
        fpjc(
            "county",
            "prepare",
            month,
            *env_today,
            "--output",
            "研判工作簿.xlsx",
            "--agenda",
            "议程.html",
            cwd=work,
        )
        county_month.fill_meeting(work / "研判工作簿.xlsx")
        shutil.copy(work / "研判工作簿.xlsx", work / "有问题的研判工作簿.xlsx")
        _one_mistake(work / "有问题的研判工作簿.xlsx")
        fpjc(
            "county", "check", "有问题的研判工作簿.xlsx", "--packages", month, *env_today,
            "--format", "html", "--output", "检查.html", cwd=work,
        )  # fmt: skip
        fpjc(
            "county",
            "feedback",
            "研判工作簿.xlsx",
            "--packages",
            month,
            *env_today,
            "--output",
            "反馈",
            cwd=work,
        )
        shoot(
            {
                "step1-rollup.png": work / "收件汇总.html",
                "step2-agenda.png": work / "议程.html",
                "step4-check.png": work / "检查.html",
                "step5-feedback.png": work / "反馈" / "辛屯镇" / "研判结果反馈单-辛屯镇-2020-07.html",
                "step5-marking.png": work / "反馈" / "全国系统标注清单-2020-07.html",
            }
        )
        workbook_page(work / "研判工作簿.xlsx", work, OUT / "step2-workbook.png")
    for p in sorted(OUT.glob("*.png")):
        print(f"{p.stat().st_size // 1024:>5} KB  {p.relative_to(ROOT)}")
    return 0


def _one_mistake(book: Path) -> None:
    """A decision left incomplete, as happens in a hurried meeting: 认定 without its category."""
    import openpyxl

    from validator import standard
    from validator.outputs.county import FIRST_DATA_ROW, HEADER_ROW
    from validator.reading.headers import display

    wb = openpyxl.load_workbook(book)
    ws = wb[standard.form("county_record")["title"]]
    heads = {display(ws.cell(HEADER_ROW, c).value): c for c in range(1, ws.max_column + 1)}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, heads["研判结论"]).value == "认定":
            ws.cell(r, heads["纳入管理类别"]).value = None
            break
    wb.save(book)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    sys.exit(main())
