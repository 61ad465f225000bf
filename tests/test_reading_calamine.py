"""The workbook reader (python-calamine) gives the cells openpyxl's read-only mode gave.

openpyxl is the reference here only: a workbook with every kind of cell the validator meets —
numbers, numbers stored as text, long IDs typed as numbers, dates and date-formatted serials,
times, booleans, formulas with cached values, error cells, shared and inline rich text, merged
cells, hidden sheets — is read by both, cell by cell. The two documented differences (see the
developer page 架构与性能) are asserted as such.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from reading_fixtures.make import patched_zip, titles

from validator.api import validate_files
from validator.reading.common import CLI_LIMITS
from validator.reading.xlsxfile import Workbook

CASES = [
    ("int", 42),
    ("zero", 0),
    ("negative", -7),
    ("float", 3.25),
    ("money", 1234.5),
    ("phone typed as a number", 13812345678),
    ("ID lost to 15 digits", 5.32932197802026e17),
    ("text digits", "00123"),
    ("text ID", "53293219780202612X"),
    ("datetime at midnight", dt.datetime(2020, 8, 3)),
    ("datetime with time", dt.datetime(2020, 8, 3, 14, 30)),
    ("date", dt.date(2020, 7, 11)),
    ("time", dt.time(9, 15)),
    ("duration", dt.timedelta(days=1, hours=2)),
    ("true", True),
    ("false", False),
    ("line break", "上年度家庭人均\n可支配收入（元）"),
    ("full-width", "２０２０－０７"),
    ("1900-01-01", dt.datetime(1900, 1, 1)),
    ("inline spaces", " 前后空格 "),
]
FORMATS = [  # (label, value, number format): serials that Excel shows as dates, text-formatted numbers
    ("serial as date", 44044, "yyyy-mm-dd"),
    ("serial with time", 44044.5, "yyyy-mm-dd hh:mm"),
    ("Chinese date format", 44044, 'yyyy"年"m"月"d"日"'),
    ("number formatted as text", 12345, "@"),
    ("percent", 0.5, "0%"),
]


def _book() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    for label, value in CASES:
        ws.append([label, value])
    for label, value, fmt in FORMATS:
        ws.append([label, value])
        ws.cell(ws.max_row, 2).number_format = fmt
    ws.append(["rich text", CellRichText([TextBlock(InlineFont(b=True), "粗"), "体文字"])])
    ws.append(["formula", "=1+2"])
    ws.append(["text formula", '="a"&"b"'])
    ws.append(["error formula", "=1/0"])
    ws.merge_cells("C1:D2")
    ws["C1"] = "merged"
    ws["E40"] = "far corner"
    hidden = wb.create_sheet("_lists")
    hidden.append(["因病"])
    hidden.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    n = len(CASES) + len(FORMATS)

    def cached(d: bytes) -> bytes:
        # openpyxl writes formulas without cached values; Excel writes them (and error cells) like this
        d = re.sub(rb'(<c r="B%d"[^>]*>)<f>1\+2</f><v ?/?>(</v>)?' % (n + 2), rb"\1<f>1+2</f><v>3</v>", d)
        d = re.sub(
            rb'<c r="B%d"([^>]*?)( t="\w+")?>(<f>[^<]*</f>)<v ?/?>(</v>)?' % (n + 3),
            rb'<c r="B%d"\1 t="str">\3<v>ab</v>' % (n + 3),
            d,
        )
        d = re.sub(
            rb'<c r="B%d"([^>]*?)( t="\w+")?>(<f>[^<]*</f>)<v ?/?>(</v>)?' % (n + 4),
            rb'<c r="B%d"\1 t="e">\3<v>#DIV/0!</v>' % (n + 4),
            d,
        )
        return d.replace(
            b"</sheetData>",
            b'<row r="50"><c r="A50" t="inlineStr"><is><t>plain error</t></is></c><c r="B50" t="e"><v>#N/A</v></c></row>'
            b'<row r="51"><c r="A51" t="inlineStr"><is><t>inline rich</t></is></c><c r="B51" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c></row>'
            b'<row r="52"><c r="A52" t="inlineStr"><is><t>iso date</t></is></c><c r="B52" t="d"><v>2020-07-10T00:00:00</v></c></row>'
            b'<row r="53"><c r="A53" t="inlineStr"><is><t>exponent</t></is></c><c r="B53"><v>5.32932197802026E+17</v></c></row>'
            b"</sheetData>",
        )

    return patched_zip(buf.getvalue(), lambda name, d: cached(d) if name == "xl/worksheets/sheet1.xml" else d)


def _openpyxl_rows(data: bytes) -> dict[int, list]:
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)["附件1"]
    ws.reset_dimensions()
    return {n: list(r) for n, r in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True), 1)}


def _calamine_rows(data: bytes) -> dict[int, list]:
    book = Workbook(data, CLI_LIMITS)
    try:
        return dict(book.rows("附件1"))
    finally:
        book.close()


def _trim(cells: list) -> list:
    cells = list(cells)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


@pytest.fixture(scope="module")
def both():
    data = _book()
    return _openpyxl_rows(data), _calamine_rows(data)


def test_every_cell_as_openpyxl_read_it(both):
    ref, got = both
    assert max(ref) == max(got) == 53
    for n in sorted(ref):
        a, b = _trim(ref[n]), _trim(got[n])
        assert [type(x) for x in a] == [type(x) for x in b] and a == b, (n, a, b)


def test_the_cases_are_what_they_claim(both):
    _, got = both
    by_label = {cells[0]: cells[1] for cells in got.values() if cells and cells[0]}
    assert by_label["phone typed as a number"] == 13812345678 and type(by_label["int"]) is int
    assert by_label["serial as date"] == dt.datetime(2020, 8, 1)
    assert by_label["number formatted as text"] == 12345
    assert by_label["rich text"] == "粗体文字" and by_label["inline rich"] == "ab"
    assert by_label["formula"] == 3 and by_label["text formula"] == "ab"
    assert by_label["error formula"] == "#DIV/0!" and by_label["plain error"] == "#N/A"
    assert by_label["ID lost to 15 digits"] == by_label["exponent"] == 5.32932197802026e17
    assert got[1][2] == "merged"  # the merged range's value sits in its first cell (filled later)


def test_documented_differences():
    # Whitespace-only text without xml:space="preserve" is blank for calamine (openpyxl: the spaces),
    # and an integer longer than 15 digits written exactly by a program other than Excel is a double.
    data = patched_zip(
        _book(),
        lambda name, d: (
            d.replace(
                b"</sheetData>",
                b'<row r="60"><c r="B60" t="inlineStr"><is><t>   </t></is></c><c r="C60"><v>532932197802026123</v></c></row></sheetData>',
            )
            if name == "xl/worksheets/sheet1.xml"
            else d
        ),
    )
    ref, got = _openpyxl_rows(data)[60], _calamine_rows(data)[60]
    assert ref[1:3] == ["   ", 532932197802026123]
    assert got[1:3] == [None, float(532932197802026123)]


def test_a_macro_enabled_workbook_reads_like_a_workbook():
    from reading_fixtures.make import raw_workbook, row, rows_xml, sheet_xml

    data = raw_workbook({"附件3": sheet_xml(rows_xml([titles("annex3"), row("annex3", seq="1")]))})
    xlsm = patched_zip(
        data,
        lambda name, d: (
            d.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            if name == "[Content_Types].xml"
            else d
        ),
    )
    report = validate_files([("附件3.xlsm", xlsm)])
    assert report["summary"]["rows"] == {"annex3": 1}
