"""Paper that can be filled and read by hand: both printed forms measured on their PDFs.

The Excel template is printed by LibreOffice (as a clerk's Excel or WPS would print it: the
page setup is the workbook's), the printable HTML form by Chromium. On each PDF the tests
measure the page size, every column's width between its ruled lines, the font size of the
headers and the cells, where the headers break, and that the signature and stamp rows print
on the last page, inside the printed area. A filled template, re-saved by LibreOffice with
names written beside the signatures, validates without a finding from those rows.
"""

from __future__ import annotations

import itertools
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
A3_LANDSCAPE = (420, 297)
ANNEXES = ("annex1", "annex2", "annex3")
SIGN_TEXTS = (*paper.SIGNATURES, paper.STAMP, f"{paper.DATE_LABEL}：")
CLOSING = "）)】」』”’，。、；：！？"


# --- the layout itself -------------------------------------------------------------------------


def _all_fields():
    return [(form, field) for form in standard.forms() for field in form["fields"]]


@pytest.mark.parametrize("form", [f["id"] for f in standard.forms()])
def test_every_form_fits_one_page_width_with_minimum_widths(form):
    fields = standard.form(form)["fields"]
    lay = paper.layout(fields)
    # Every form of the standard prints on one page width: the annexes on A3, the others on A4.
    assert len(lay.pages) == 1
    assert lay.paper == ("A3" if standard.form(form)["kind"] == "annex" else lay.paper)
    assert sum(lay.widths_mm) <= paper.printable_mm(lay.paper) * paper.FILL + 0.5
    for i, field in enumerate(fields):
        assert lay.widths_mm[i] >= paper.min_width_mm(field) - 0.1
        if field["type"] == "id_number":
            assert lay.widths_mm[i] >= 45


def test_a_form_too_wide_for_a3_is_split_repeating_the_household():
    """Only a form wider than A3 is split: each A3 page repeats 序号 … 户主姓名."""
    fields = standard.form("annex1")["fields"]
    wide = fields + [dict(f, name=f"{f['name']}_2", title=f"{f['title']}2") for f in fields[6:]]
    lay = paper.layout(wide)
    assert lay.paper == "A3" and len(lay.pages) == 2
    titles = [wide[i]["title"] for i in lay.repeated]
    assert titles[0] == "序号" and titles[-1] == "户主姓名"
    assert all(page[: len(lay.repeated)] == lay.repeated for page in lay.pages)
    for page in lay.pages:
        assert sum(lay.widths_mm[i] for i in page) <= paper.printable_mm("A3")


def test_minimum_widths_for_handwriting():
    """An ID number takes 18 boxes (≥ 45 mm), a date, phone or amount its digits on one line;
    text wraps over the row's two handwritten lines."""
    by_type = {}
    for _, field in _all_fields():
        by_type.setdefault(field["type"], []).append(paper.min_width_mm(field))
    assert min(by_type["id_number"]) >= 45
    assert min(by_type["date"]) >= 10 * paper.HAND_DIGIT_MM
    assert min(by_type["phone"]) >= 11 * paper.HAND_DIGIT_MM
    assert min(by_type["money"]) >= 8 * paper.HAND_DIGIT_MM
    assert min(by_type["text"]) >= 3 * paper.HAND_CJK_MM
    assert paper.ROW_MM >= 2 * 5.5  # two handwritten lines
    assert paper.HEADER_PT >= 9 and paper.BODY_PT >= 10


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


def _column_edges(page, top: float, bottom: float) -> list[float]:
    """x of the vertical rules crossing the band top … bottom (a header row), left to right."""
    xs = sorted(
        {round(e["x0"], 1) for e in page.vertical_edges if e["top"] <= top + 1 and e["bottom"] >= bottom - 1}
    )
    out: list[float] = []
    for x in xs:  # a ruled line may be drawn as two close edges
        if not out or x - out[-1] > 1:
            out.append(x)
    return out


def _measured_columns(page) -> list[float]:
    """The printed width (mm) of each column, between the rules crossing the header row."""
    at = _find(_text_of(page), "序号")
    assert at >= 0
    first = page.chars[at]
    edges = _column_edges(page, first["top"], first["bottom"])
    return [(b - a) * MM for a, b in itertools.pairwise(edges)]


def _last(page, needle: str):
    """The first character of the last occurrence of `needle` on the page."""
    text = _text_of(page)
    at = _find(text, needle)
    while at >= 0:
        nxt = _find(text[at + 1 :], needle)
        if nxt < 0:
            break
        at += 1 + nxt
    return page.chars[at] if at >= 0 else None


def _form_pages(pdf, form_id: str) -> list:
    """The pages of a form's sheet: each starts with its title (“附件1 鹤庆县…”)."""
    form = standard.form(form_id)
    heading = f"{form['title']} {form['full_title']}"
    return [p for p in pdf.pages if _lines(p) and _has(_lines(p)[0], heading)]


@pytest.fixture(scope="module")
def workbook_pdf(tmp_path_factory):
    """附件1 with six rows, printed by LibreOffice: its pages."""
    tmp = tmp_path_factory.mktemp("paper-xlsx")
    data = {"annex1": [annex1_row(i) for i in range(1, 7)]}
    xlsx = write_workbook(tmp / "annex1.xlsx", data, forms=["annex1"])
    pdf = pdfplumber.open(convert(xlsx, "pdf", tmp / "pdf", tmp / "profile"))
    yield pdf, _form_pages(pdf, "annex1")
    pdf.close()


@pytest.mark.libreoffice
def test_filled_workbook_prints_on_a3_one_page_wide(workbook_pdf):
    """Six filled rows (tall where their text wraps) and the blank rows: A3 pages each with every
    column, typed text at 10 pt, the signatures on the last page."""
    _, pages = workbook_pdf
    assert pages and {_page_mm(p) for p in pages} == {A3_LANDSCAPE}
    fields = standard.form("annex1")["fields"]
    for page in pages:
        widths = _measured_columns(page)  # every column on every page: one page wide
        assert len(widths) == len(fields)
        assert widths[[f["type"] for f in fields].index("id_number")] >= 45
    page = pages[0]
    # Headers at 9 pt and cells at 10 pt: the sheet is not shrunk to fit.
    assert min(_sizes(page, "户主身份证号")) >= paper.HEADER_PT - 0.1
    assert min(_sizes(page, "杨建华")) >= paper.BODY_PT - 0.1
    assert min(_sizes(page, "532932196503120112")) >= paper.BODY_PT - 0.1
    for label in SIGN_TEXTS:
        assert _has(pages[-1], label)
    for label in paper.SIGNATURES:  # (填报单位（盖章） and 日期 are in the header block too)
        assert not any(_has(p, label) for p in pages[:-1])


@pytest.mark.libreoffice
def test_workbook_headers_break_between_words(workbook_pdf):
    _, pages = workbook_pdf
    for page in pages:
        lines = _lines(page)
        assert not [line for line in lines if line and line[0] in CLOSING]


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
    expected = A3_LANDSCAPE if form["kind"] == "annex" else A4_LANDSCAPE
    assert paper.layout(form["fields"]).page_mm == expected
    assert {_page_mm(p) for p in pdf.pages} == {expected}
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
@pytest.mark.parametrize("form_id", ["annex1", "annex3"])
def test_printable_columns_and_font_sizes(printable_pdfs, form_id):
    """All columns on the first A3 page, the ID column ≥ 45 mm, every column its minimum (less
    Chromium's collapsed borders), headers at 9 pt."""
    first = printable_pdfs[form_id].pages[0]
    fields = standard.form(form_id)["fields"]
    widths = _measured_columns(first)
    assert _column_mm(first, "户主身份证号") >= 45
    for field, width in zip(fields, widths, strict=True):
        assert width >= paper.min_width_mm(field) - 0.5, (field["title"], width)
    assert min(_sizes(first, "户主身份证号")) >= paper.HEADER_PT - 0.1


@pytest.fixture(scope="module")
def template_pdf(tmp_path_factory):
    """The whole empty submission template as a clerk prints it (every sheet), by LibreOffice."""
    tmp = tmp_path_factory.mktemp("paper-template")
    pdf = pdfplumber.open(convert(write_workbook(tmp / "template.xlsx"), "pdf", tmp / "pdf", tmp / "profile"))
    yield pdf
    pdf.close()


@pytest.mark.libreoffice
@pytest.mark.parametrize("form_id", ANNEXES)
def test_every_annex_of_the_template_prints_on_one_a3_page_width(template_pdf, form_id):
    """Every annex sheet of the blank template: one A3 landscape page with every column, each
    column at least its minimum (the ID number ≥ 45 mm), headers ≥ 9 pt, no header line that is
    a lone closing bracket, and the signature and stamp rows on it, inside the printed area."""
    form = standard.form(form_id)
    fields = form["fields"]
    pages = _form_pages(template_pdf, form_id)
    assert [_page_mm(p) for p in pages] == [A3_LANDSCAPE], form_id
    page = pages[0]
    widths = _measured_columns(page)
    for field, width in zip(fields, widths, strict=True):
        assert width >= paper.min_width_mm(field) - 0.2, (form_id, field["title"], round(width, 1))
        if field["type"] == "id_number":
            assert width >= 45
    assert sum(widths) <= 420 - 2 * 5  # nothing beyond the paper's printable width
    assert min(round(c["size"], 1) for c in page.chars) >= paper.HEADER_PT - 0.1, form_id
    for field in fields:
        assert min(_sizes(page, field["title_words"][0])) >= paper.HEADER_PT - 0.1
    assert not [line for line in _lines(page) if line and line[0] in CLOSING]
    # The signature rows: below the table's last ruled row, above the page's foot.
    table_bottom = max(e["bottom"] for e in page.vertical_edges)  # the column rules end with the grid
    for label in SIGN_TEXTS:
        char = _last(page, label)
        assert char is not None, (form_id, label)
        assert table_bottom < char["top"] < page.height - paper.BOTTOM_MARGIN_MM / MM, (form_id, label)


@pytest.mark.libreoffice
def test_manifest_prints_on_a4_with_signatures(template_pdf):
    (page,) = _form_pages(template_pdf, "manifest")
    assert _page_mm(page) == A4_LANDSCAPE
    for label in SIGN_TEXTS:
        assert _has(page, label)


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
    bottom = next(y for y in below if y > top + paper.ROW_MM / MM * 0.9)  # the row, not the boxes' band
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
