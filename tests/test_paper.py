"""Paper that can be filled and read by hand: both printed forms measured on their PDFs.

The Excel template is printed by LibreOffice (as a clerk's Excel or WPS would print it: the
page setup is the workbook's), the printable HTML form by Chromium. On each PDF the tests
measure the page size, the width of the ID-number column between its ruled lines, the font size
of the headers and the cells, where the headers break, and that every page carries 序号, 户主姓名
and the signature and stamp lines.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.roundtrip_support import convert
from tests.test_roundtrip_templates import annex1_row
from validator import standard
from validator.outputs import paper
from validator.outputs.printable import render_form
from validator.outputs.workbook import write_workbook

pdfplumber = pytest.importorskip("pdfplumber")
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # Chromium's fonts make it chatty

MM = 25.4 / 72  # millimetres in a PDF point
A4_LANDSCAPE = (297, 210)
ANNEXES = ("annex1", "annex2", "annex3")
CLOSING = "）)】」』”’，。、；：！？"


# --- the layout itself -------------------------------------------------------------------------


def _all_fields():
    return [(form, field) for form in standard.forms() for field in form["fields"]]


@pytest.mark.parametrize("form", [f["id"] for f in standard.forms()])
def test_every_form_fits_a4_landscape_with_minimum_widths(form):
    fields = standard.form(form)["fields"]
    lay = paper.layout(fields)
    for page in lay.pages:
        assert sum(lay.widths_mm[i] for i in page) <= paper.PRINTABLE_MM
    assert sorted({i for page in lay.pages for i in page}) == list(range(len(fields)))
    for i, field in enumerate(fields):
        assert lay.widths_mm[i] >= paper.min_width_mm(field) - 0.1
        if field["type"] == "id_number":
            assert lay.widths_mm[i] >= 45
    if len(lay.pages) > 1:
        titles = [fields[i]["title"] for i in lay.repeated]
        assert titles[0] == "序号" and titles[-1] == "户主姓名"
        assert all(page[: len(lay.repeated)] == lay.repeated for page in lay.pages)


@pytest.mark.parametrize("form, field", _all_fields(), ids=lambda x: x.get("title", x.get("id")))
def test_headers_break_only_between_words(form, field):
    lay = paper.layout(form["fields"])
    lines = lay.header(form["fields"], form["fields"].index(field))
    assert "".join(lines) == field["title"]
    assert 1 <= len(lines) <= paper.HEADER_LINES
    cuts = {len("".join(field["title_words"][:i])) for i in range(len(field["title_words"]) + 1)}
    at = 0
    for line in lines:
        assert at in cuts, (field["title"], lines)
        assert line[0] not in CLOSING, (field["title"], lines)
        at += len(line)


def test_brackets_stay_with_their_word():
    field = next(f for f in standard.form("annex1")["fields"] if f["title"] == "刚性支出（元）")
    assert field["title_words"][-1] == "（元）"
    for width in (12, 16, 20, 30):
        assert all(line not in ("）", "元）") for line in paper.header_lines(field, width))


# --- PDFs --------------------------------------------------------------------------------------


def _page_mm(page) -> tuple[float, float]:
    return round(page.width * MM), round(page.height * MM)


def _text_of(page) -> str:
    return "".join(c["text"] for c in page.chars)


def _find(text: str, needle: str) -> int:
    """Where `needle` is in a PDF's text, or -1. Chromium's PDFs name some CJK characters by
    their radical look-alikes (⼾ for 户, ⻛ for 风): such a character matches any CJK one."""
    pattern = "".join(
        f"[{re.escape(ch)}\u2e80-\u2fdf]" if "\u3400" <= ch <= "\u9fff" else re.escape(ch) for ch in needle
    )
    m = re.search(pattern, text)
    return m.start() if m else -1


def _has(page_or_text, needle: str) -> bool:
    text = page_or_text if isinstance(page_or_text, str) else _text_of(page_or_text)
    return _find(text, needle) >= 0


def _column_mm(page, header: str) -> float:
    """Width between the ruled lines left and right of a header's first character."""
    chars = page.chars
    at = _find(_text_of(page), header)
    assert at >= 0, f"{header} not on the page"
    first = chars[at]
    mid_y = (first["top"] + first["bottom"]) / 2
    xs = [e["x0"] for e in page.vertical_edges if e["top"] - 1 <= mid_y <= e["bottom"] + 1]
    left = max(x for x in xs if x <= first["x0"] + 0.5)
    right = min(x for x in xs if x > chars[at + len(header) - 1]["x1"] - 0.5)
    return (right - left) * MM


def _sizes(page, text: str) -> set[float]:
    chars = page.chars
    at = _find(_text_of(page), text)
    assert at >= 0, text
    return {round(c["size"], 1) for c in chars[at : at + len(text)]}


def _lines(page) -> list[str]:
    return [line.strip() for line in (page.extract_text() or "").splitlines()]


@pytest.fixture(scope="module")
def workbook_pdf(tmp_path_factory):
    """附件1 with six rows, printed by LibreOffice; only the 附件1 pages (the 填表说明 sheet has no
    signature footer)."""
    tmp = tmp_path_factory.mktemp("paper-xlsx")
    data = {"annex1": [annex1_row(i) for i in range(1, 7)]}
    xlsx = write_workbook(tmp / "annex1.xlsx", data, forms=["annex1"])
    pdf = pdfplumber.open(convert(xlsx, "pdf", tmp / "pdf", tmp / "profile"))
    pages = [p for p in pdf.pages if _has(p, paper.SIGNATURES[0])]
    yield pdf, pages
    pdf.close()


@pytest.mark.libreoffice
def test_workbook_prints_on_a4_landscape_pages_split_as_planned(workbook_pdf):
    pdf, pages = workbook_pdf
    assert {_page_mm(p) for p in pdf.pages} == {A4_LANDSCAPE}
    lay = paper.layout(standard.form("annex1")["fields"])
    assert len(lay.pages) == 3
    assert len(pages) == len(lay.pages)  # six rows fit one page down, three pages across
    fields = standard.form("annex1")["fields"]
    for page, columns in zip(pages, lay.pages, strict=True):
        assert _has(page, "序号") and _has(page, "户主姓名")  # repeated on every page
        assert _has(page, fields[columns[-1]]["title_words"][0])


@pytest.mark.libreoffice
def test_workbook_columns_are_wide_enough_to_read_and_write(workbook_pdf):
    _, pages = workbook_pdf
    first = pages[0]
    assert _column_mm(first, "户主身份证号") >= 45
    assert _column_mm(first, "户主姓名") >= 15
    assert _column_mm(first, "脱贫年度") >= 12
    # Headers and cells print at 10 pt: the sheet is not shrunk to fit.
    assert min(_sizes(first, "户主身份证号")) >= 9.5
    assert min(_sizes(first, "杨建华")) >= 9.5


@pytest.mark.libreoffice
def test_workbook_headers_break_between_words_and_pages_carry_signatures(workbook_pdf):
    _, pages = workbook_pdf
    for page in pages:
        lines = _lines(page)
        assert not [line for line in lines if line and line[0] in CLOSING]
        for label in (*paper.SIGNATURES, paper.STAMP):
            assert _has(page, label)


@pytest.fixture(scope="module")
def printable_pdfs(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium not installed")
    tmp = tmp_path_factory.mktemp("paper-html")
    out = {}
    for form_id in ("annex1", "annex3", "manifest", "assistance"):
        src = tmp / f"{form_id}.html"
        src.write_text(render_form(form_id), encoding="utf-8")
        pdf = tmp / f"{form_id}.pdf"
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp / 'profile'}",
                f"--print-to-pdf={pdf}",
                src.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        out[form_id] = pdfplumber.open(pdf)
    yield out
    for pdf in out.values():
        pdf.close()


@pytest.mark.browser
@pytest.mark.parametrize("form_id", ["annex1", "annex3", "manifest", "assistance"])
def test_printable_form_pages(printable_pdfs, form_id):
    pdf = printable_pdfs[form_id]
    form = standard.form(form_id)
    assert {_page_mm(p) for p in pdf.pages} == {A4_LANDSCAPE}
    sheets = [p for p in pdf.pages if _has(p, form["full_title"])]
    planned = 1 if form["kind"] == "manifest" else len(paper.layout(form["fields"]).pages)
    assert len(sheets) == planned  # each part of the form is exactly one page
    for page in sheets:
        for label in (*paper.SIGNATURES, paper.STAMP):
            assert _has(page, label)
        if planned > 1:
            assert _has(page, "序号") and _has(page, "户主姓名")
        assert not [line for line in _lines(page) if line and line[0] in CLOSING]


@pytest.mark.browser
def test_printable_id_column_and_font_sizes(printable_pdfs):
    first = printable_pdfs["annex1"].pages[0]
    assert _column_mm(first, "户主身份证号") >= 45
    assert min(_sizes(first, "户主身份证号")) >= 9.5
    assert _column_mm(first, "脱贫年度") >= 12
    assert _column_mm(first, "序号") >= 10


@pytest.fixture(scope="module")
def template_pdf(tmp_path_factory):
    """The whole empty submission template as a clerk prints it (every sheet), by LibreOffice."""
    tmp = tmp_path_factory.mktemp("paper-template")
    pdf = pdfplumber.open(convert(write_workbook(tmp / "template.xlsx"), "pdf", tmp / "pdf", tmp / "profile"))
    yield pdf
    pdf.close()


@pytest.mark.libreoffice
def test_every_annex_of_the_template_prints_readable_and_signed(template_pdf):
    """Every annex sheet of the template: A4 landscape, the pages `paper.layout` plans, no text
    under 9 pt, 序号 and 户主姓名 and the signature and stamp lines on each page."""
    assert {_page_mm(p) for p in template_pdf.pages} == {A4_LANDSCAPE}
    for form_id in ANNEXES:
        form = standard.form(form_id)
        # A page of the annex starts with the sheet's title (填表说明 only mentions it further down).
        pages = [p for p in template_pdf.pages if _lines(p) and _has(_lines(p)[0], form["full_title"])]
        assert len(pages) == len(paper.layout(form["fields"]).pages), form_id
        for page in pages:
            assert min(round(c["size"], 1) for c in page.chars) >= 9.0, form_id
            assert _has(page, "序号") and _has(page, "户主姓名"), form_id
            for label in (*paper.SIGNATURES, paper.STAMP):
                assert _has(page, label), (form_id, label)
            assert not [line for line in _lines(page) if line and line[0] in CLOSING]


@pytest.mark.browser
def test_html_report_prints_on_a4_without_its_button(tmp_path):
    """The HTML report of a faulty package, printed by Chromium as a clerk would print it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium not installed")
    import datetime as dt

    from validator.api import validate
    from validator.render.html import render_html

    report = validate(
        [Path(__file__).parent.parent / "examples" / "errors-id-numbers.xlsx"], today=dt.date(2020, 9, 10)
    )
    src = tmp_path / "report.html"
    src.write_text(render_html(report), encoding="utf-8")
    assert "打印（A4）" in src.read_text(encoding="utf-8")
    pdf_path = tmp_path / "report.pdf"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf_path}", src.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with pdfplumber.open(pdf_path) as pdf:
        assert {_page_mm(p) for p in pdf.pages} == {(210, 297)}
        text = "".join(_text_of(p) for p in pdf.pages)
        assert not _has(text, "打印（A4）")  # the button is for the screen
        assert min(round(c["size"], 1) for p in pdf.pages for c in p.chars) >= 9
        for page in pdf.pages:  # nothing runs off the paper's right edge
            assert max(c["x1"] for c in page.chars) <= page.width


@pytest.mark.browser
def test_printable_id_cells_have_18_boxes(printable_pdfs):
    """Each blank 户主身份证号 cell of the printed form is divided into 18 boxes, one per digit:
    17 ticks between the cell's ruled sides, seen on the rendered page."""
    page = printable_pdfs["annex1"].pages[0]
    chars = page.chars
    at = _find(_text_of(page), "户主身份证号")
    first, last = chars[at], chars[at + len("户主身份证号") - 1]
    mid_y = (first["top"] + first["bottom"]) / 2
    xs = [e["x0"] for e in page.vertical_edges if e["top"] - 1 <= mid_y <= e["bottom"] + 1]
    left = max(x for x in xs if x <= first["x0"] + 0.5)
    right = min(x for x in xs if x > last["x1"] - 0.5)
    # The first blank row: from the header row's bottom rule to the next rule below it.
    rules = sorted(
        {round(e["top"], 1) for e in page.horizontal_edges if e["x0"] <= left + 1 and e["x1"] >= right - 1}
    )
    below = [y for y in rules if y > first["bottom"] + 2]
    top = below[0]
    bottom = next(y for y in below if y > top + 20)  # the row (9 mm), not the border or the boxes
    image = page.crop((left, top, right, bottom)).to_image(resolution=400).original.convert("L")
    width, height = image.size
    margin = int(400 / 25.4)  # leave out the ruled sides (1 mm)
    best = 0
    for y in range(height):
        runs, dark = 0, False
        for x in range(margin, width - margin):
            if image.getpixel((x, y)) < 200:
                runs += not dark
                dark = True
            else:
                dark = False
        best = max(best, runs)
    assert best == 17, best
