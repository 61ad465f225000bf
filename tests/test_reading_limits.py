"""The reading layer's bounds: every limit at its edge, the scan that keeps python-calamine's
memory bounded, and the hostile inputs of the hardening round that used to hang, crash or pass.

Files are made by small generators here (no large binary fixtures). Inputs that would abort a
process if the guard failed are run in a child process, so a regression shows up as a failed
test, not as a test run that dies.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reading_fixtures.make import (
    csv_text,
    manifest_csv,
    patched_zip,
    raw_workbook,
    row,
    rows_xml,
    sheet_xml,
    titles,
    write,
    zip_bytes,
)

from validator import api, standard
from validator.cli import main
from validator.reading import Limits, open_files, open_package
from validator.reading import headers as H
from validator.reading import sheetxml as X
from validator.reading.common import (
    BROWSER_LIMITS,
    CLI_LIMITS,
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    LIMIT_TEXT,
    json_depth,
    limits_table,
)
from validator.reading.xlsxfile import Workbook, check_zip
from validator.tables import InputError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "valid-2020-07.xlsx"
VALID = ROOT / "examples" / "valid-2020-07"
TODAY = "2020-08-10"
ANNEX1_PART = "xl/worksheets/sheet3.xml"  # 附件1 in the generated example workbook


def _example_with(change_annex1) -> bytes:
    """The valid example workbook with its 附件1 sheet part passed through change(bytes)."""
    return patched_zip(EXAMPLE.read_bytes(), lambda n, d: change_annex1(d) if n == ANNEX1_PART else d)


def _append_rows(xml: bytes):
    return lambda d: d.replace(b"</sheetData>", xml + b"</sheetData>")


def _cli(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    """`fpjc …` in a child process: a hang or an abort fails the test instead of the test run."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("FPJC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "validator", *args],
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )


def _json_report(tmp_path: Path, path: Path, *extra: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    p = _cli(["validate", str(path), "--format", "json", "--output", str(out), "--today", TODAY, *extra])
    assert b"\xe5\x86\x85\xe9\x83\xa8\xe9\x94\x99\xe8\xaf\xaf" not in p.stderr  # 内部错误
    assert p.returncode in (0, 1, 2), p.stderr.decode()
    return p.returncode, (json.loads(out.read_text(encoding="utf-8")) if out.exists() else {})


def _s001(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "S001"]


def _annex3(*extra_rows: bytes, head: bytes = b"") -> bytes:
    """A one-sheet workbook: 附件3's headers in row 1 and one household in row 2, then `extra_rows`."""
    body = rows_xml([titles("annex3"), row("annex3", seq="1")]).replace(
        b"</sheetData>", b"".join(extra_rows) + b"</sheetData>"
    )
    return raw_workbook({"附件3": sheet_xml(body, head=head)})


# --- rows and columns beyond Excel's grid (issue 15 point 2) ----------------------------------


def test_a_row_number_beyond_the_grid_is_refused_not_iterated(tmp_path):
    # The valid example plus one <row r="99999999999">: the read-only openpyxl reader yielded an
    # empty row for every missing row number and never finished.
    path = write(tmp_path / "松桂镇.xlsx", _example_with(_append_rows(b'<row r="99999999999"></row>')))
    status, report = _json_report(tmp_path, path)
    assert status == 1
    [f] = _s001(report)
    assert f["sheet"] == "附件1" and "超出 Excel 的范围" in f["message"] and "1,048,576" in f["message"]


def test_one_such_workbook_does_not_stall_a_rollup(tmp_path):
    month = tmp_path / "2020-07"
    month.mkdir()
    (month / "松桂镇.xlsx").write_bytes(_example_with(_append_rows(b'<row r="99999999999"></row>')))
    (month / "辛屯镇.xlsx").write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "rollup.json"
    p = _cli(["rollup", str(month), "--format", "json", "--output", str(out), "--today", TODAY], timeout=300)
    assert p.returncode in (0, 1), p.stderr.decode()
    text = out.read_text(encoding="utf-8")
    assert "松桂镇.xlsx" in text and "辛屯镇.xlsx" in text


@pytest.mark.parametrize(
    ("ref", "ok"),
    [("A1048576", True), ("A1048577", False), ("XFD2", True), ("XFE2", False)],
)
@pytest.mark.parametrize("layout", ["plain", "exact"])
def test_grid_edges(ref, ok, layout):
    cell = b'<c r="%s"><v>7</v></c>' % ref.encode()
    if layout == "exact":  # r not first: the scan walks the sheet tag by tag
        cell = b'<c s="0" r="%s"><v>7</v></c>' % ref.encode()
    data = _annex3(b'<row r="%s">%s</row>' % (ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode(), cell))
    book = Workbook(data, CLI_LIMITS)
    try:
        if ok:
            sheet, scan, held = book.load("附件3")
            assert scan.exact == (layout == "exact")
            assert (sheet.end[0] + 1) * (sheet.end[1] + 1) <= scan.cells
        else:
            with pytest.raises(X.SheetProblem, match="超出 Excel 的范围") as exc:
                book.load("附件3")
            assert exc.value.limit in ("max_rows", "max_columns")
    finally:
        book.close()
    assert (EXCEL_ROWS, EXCEL_COLUMNS) == (CLI_LIMITS.max_rows, CLI_LIMITS.max_columns)


@pytest.mark.parametrize(("last", "ok"), [("J10", True), ("J11", False), ("K10", False)])
def test_workbook_cells_edge(last, ok):
    # 100 cells: A1:J10 is exactly 100, one row or column more is 110.
    limits = Limits(max_workbook_cells=100)
    sheet = sheet_xml(
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="%s"><c r="%s"><v>2</v></c></row></sheetData>'
        % (last[1:].encode(), last.encode())
    )
    book = Workbook(raw_workbook({"S": sheet}), limits)
    try:
        if ok:
            book.load("S")
        else:
            with pytest.raises(X.SheetProblem, match="超过上限100个") as exc:
                book.load("S")
            assert exc.value.limit == "max_workbook_cells"
    finally:
        book.close()


def test_the_cells_limit_counts_every_sheet_held_at_once():
    limits = Limits(max_workbook_cells=100)
    sheet = sheet_xml(
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="6"><c r="J6"><v>1</v></c></row></sheetData>'
    )  # A1:J6, 60 cells
    book = Workbook(raw_workbook({"A": sheet, "B": sheet}), limits)
    try:
        rows = book.rows("A")
        with pytest.raises(X.SheetProblem, match="已占60个"):
            book.load("B")
        list(rows)  # A read to its end: its cells are released
        book.load("B")
    finally:
        book.close()


@pytest.mark.parametrize(
    "far",
    [
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',  # one value at the grid's end
        b'<row r="1048576"><c r="X1048576" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD9"><v>1</v></c></row>',
    ],
)
def test_a_stray_far_cell_is_refused_before_calamine_allocates(tmp_path, far):
    # calamine would ask for 17 billion cells (550 GB) and abort the process.
    path = write(tmp_path / "附件.xlsx", _example_with(_append_rows(far)))
    status, report = _json_report(tmp_path, path)
    assert status == 1
    [f] = _s001(report)
    assert f["sheet"] == "附件1" and "个单元格" in f["message"] and "超过上限" in f["message"]


def test_empty_styled_cells_far_right_cost_nothing():
    # An empty formatted cell in column XFD on every row (30 s and 375 MB with openpyxl): calamine
    # keeps no empty cell, and the scan does not count them.
    def styled(d: bytes) -> bytes:
        return re.sub(
            rb'<row r="(\d+)"([^>]*)>(.*?)</row>',
            lambda m: (
                b'<row r="%s"%s>%s<c r="XFD%s" s="0"/></row>'
                % (m.group(1), m.group(2), m.group(3), m.group(1))
            ),
            d,
            flags=re.S,
        )

    data = _example_with(styled)
    assert zipfile.ZipFile(io.BytesIO(data)).read(ANNEX1_PART).count(b'"XFD') > 10
    report = api.validate_files([("松桂镇.xlsx", data)])
    assert report["valid"] and not report["findings"]


# --- the scan never bounds less than calamine builds -----------------------------------------

A1 = b'<row r="1"><c r="A1"><v>1</v></c></row>'
HOSTILE = {
    "A1 and XFD1048576": [A1, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
    "only XFD1048576": [b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
    "dimension lies": [A1, b'<row r="500"><c r="Z500"><v>1</v></c></row>'],
    "row 99999999999, cell without r": [A1, b'<row r="99999999999"><c><v>1</v></c></row>'],
    "cell r wraps past 2^32": [b'<row r="1"><c r="A1"><v>1</v></c><c r="B4294967297"><v>2</v></c></row>'],
    "four-letter column": [b'<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZ1"><v>2</v></c></row>'],
    "single quotes": [A1, b"<row r='9'><c r='XFD9'><v>1</v></c></row>"],
    "second r wins": [b'<row r="1"><c r="A1" r="XFD9"><v>1</v></c></row>'],
    "r glued to a quote": [A1, b'<row r="2"><c r="A2" s="0"r="XFD9"><v>1</v></c></row>'],
    "'>' in a value before r": [A1, b'<row r="2"><c foo=">" r="XFD9"><v>1</v></c></row>'],
    "spaces around =": [A1, b'<row r="2"><c r = "XFD9"><v>1</v></c></row>'],
    "lower-case ref": [A1, b'<row r="2"><c r="xfd9"><v>1</v></c></row>'],
    "non-ASCII prefix": [A1, '<row r="2"><é:c r="XFD9"><v>1</v></é:c></row>'.encode()],
    "no r anywhere": [b"<row>" + b"<c><v>1</v></c>" * 3 + b"</row>"] * 3,
    "no r, row from row r": [A1, b'<row r="900"><c><v>1</v></c></row>'],
    "20000 cells without r": [b"<row>" + b"<c><v>1</v></c>" * 20000 + b"</row>"],
    "commented-out far cell": [A1, b'<!-- <c r="XFD9"><v>1</v></c> -->'],
    "prefixed cells": [b'<x:row r="1"><x:c r="C3"><x:v>1</x:v></x:c></x:row>'],
    "self-closing row, then counters": [b'<row r="7"/><row><c><v>1</v></c></row>'],
    "form feed before a second r": [A1, b'<row r="2"><c r="A2"\x0cr="XFD9"><v>1</v></c></row>'],
    "r after s and t": [A1, b'<row r="2"><c r="A2" s="0" t="n" r="XFD9"><v>1</v></c></row>'],
    "r, t, r": [A1, b'<row r="2"><c r="A2" t="n" r="XFD9"><v>1</v></c></row>'],
    "newline after <c": [A1, b'<row r="2"><c\nr="XFD9"><v>1</v></c></row>'],
    "'/>' in a value": [A1, b'<row r="2"><c r="XFD9" a="/>"><v>1</v></c></row>'],
    "a row end inside a value": [
        b'<row r="9"><c r="A9"><v>1</v></c></row>',
        b'<row r="1">' + b'<c t="str"><v>1</row></v></c>' * 3 + b"</row>",
    ],
    "a cell inside <v>": [A1, b'<row r="2"><c r="A2"><v>1<c r="XFD2"><v>2</v></v></c></row>'],
    "empty far cell, not self-closing": [A1, b'<row r="2"><c r="XFD2" s="3"></c></row>'],
    "wide plain sheet": [
        b'<row r="%d"><c r="A%d"><v>1</v></c><c r="AD%d"><v>1</v></c></row>' % (i, i, i) for i in range(1, 5)
    ],
}


def _fuzz_sheet(rnd: random.Random) -> bytes:
    """A random sheetData mixing the constructs calamine reads differently from a plain layout."""
    refs = [b"A1", b"B2", b"C3", b"AA5", b"A40", b"Z9", b"a3", b"B2", b"C9", b"D4", b"", b"B"]
    values = [
        b"",
        b"<v>1</v>",
        b"<v>#N/A</v>",
        b"<is><t>x</t></is>",
        b"<f>1+1</f><v>2</v>",
        b"<v></v>",
        b"<v>1</row></v>",
        b"<v><v>1</v></v>",
        b"<is><rPh><t>b</t></rPh><t>c</t></is>",
        b"<!-- </c> -->",
    ]

    def attrs(keys):
        out = b""
        for k in keys:
            sep = rnd.choice([b" "] * 8 + [b"\t", b"\n", b""])
            value = (
                rnd.choice(refs)
                if k == b"r"
                else rnd.choice([b"e", b"s", b"n", b"str", b"inlineStr", b"1:4"])
            )
            out += sep + k + rnd.choice([b"=", b"=", b"=", b" = "]) + b'"' + value + b'"'
        return out

    rows = []
    for _ in range(rnd.randint(1, 6)):
        cells = b""
        for _ in range(rnd.randint(0, 4)):
            pre = rnd.choice([b"", b"", b"", b"x:"])
            tag = b"<" + pre + b"c" + attrs(rnd.sample([b"r", b"s", b"t", b"r"], rnd.randint(0, 3)))
            cells += (
                tag + b"/>" if rnd.random() < 0.2 else tag + b">" + rnd.choice(values) + b"</" + pre + b"c>"
            )
        rows.append(
            b"<row" + attrs(rnd.sample([b"r", b"spans"], rnd.randint(0, 2))) + b">" + cells + b"</row>"
        )
        if rnd.random() < 0.15:
            rows.append(rnd.choice([b"<!-- <row r='9'> -->", b"<?pi x?>", b"</row>", b"<row>"]))
    return b"".join(rows)


_CHILD = r"""
import io, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
import python_calamine as pc
for line in sys.stdin:
    data = bytes.fromhex(line.strip())
    try:
        s = pc.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("S")
        print(json.dumps(s.end), flush=True)
    except BaseException as exc:
        print(json.dumps(type(exc).__name__), flush=True)
"""


def test_the_scan_bounds_what_calamine_builds():
    """Every sheet the scan accepts is one calamine builds within the bound (checked by calamine
    itself, in a child process limited to 3 GB); hand-made hostile layouts and 400 random ones,
    each scanned whole and in 7-byte pieces (so every tag is cut somewhere)."""
    limits = Limits(max_workbook_cells=50_000)
    rnd = random.Random(20200701)
    sheets = [b"<sheetData>" + b"".join(rows) + b"</sheetData>" for rows in HOSTILE.values()]
    sheets += [b"<sheetData>" + _fuzz_sheet(rnd) + b"</sheetData>" for _ in range(400)]
    accepted = []
    refused = 0
    for body in sheets:
        data = raw_workbook({"S": sheet_xml(body)})
        for piece in (X.CHUNK, 7):
            old, X.CHUNK = X.CHUNK, piece
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    scan = X.scan_sheet(lambda zf=zf: zf.open("xl/worksheets/sheet1.xml"), limits)
                if scan.cells <= limits.max_workbook_cells:
                    accepted.append((body, data, scan))
                else:
                    refused += 1
            except X.SheetProblem:
                refused += 1
            finally:
                X.CHUNK = old
    p = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input="\n".join(d.hex() for _, d, _ in accepted) + "\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    ends = [json.loads(x) for x in p.stdout.splitlines()]
    assert p.returncode == 0 and len(ends) == len(accepted), p.stderr[-500:]
    built = 0
    for (body, _, scan), end in zip(accepted, ends, strict=True):
        if isinstance(end, list):
            built += 1
            assert end[0] + 1 <= scan.max_row and end[1] + 1 <= scan.max_col, (body[:300], scan, end)
    print(f"{len(accepted)} accepted, {built} built by calamine, {refused} refused")
    assert built > 100 and refused > 30  # both sides are exercised


def test_hostile_layouts_are_refused_with_the_grid_or_cells_limit():
    for name in ("A1 and XFD1048576", "row 99999999999, cell without r", "second r wins", "single quotes"):
        body = b"".join(HOSTILE[name]).replace(b"XFD9", b"XFD1048576").replace(b"'9'", b"'1048576'")
        data = raw_workbook({"S": sheet_xml(b"<sheetData>" + body + b"</sheetData>")})
        book = Workbook(data, CLI_LIMITS)
        try:
            with pytest.raises(X.SheetProblem) as exc:
                book.load("S")
            assert exc.value.limit in ("max_rows", "max_columns", "max_workbook_cells"), name
        finally:
            book.close()


@pytest.mark.parametrize("layout", ["plain", "exact"])
def test_error_cells_read_as_excel_shows_them(layout):
    extra = b'<row r="3"><c r="A3" t="e"><f>NA()</f><v>#N/A</v></c><c r="B3" t="e"><v>#DIV/0!</v></c></row>'
    if layout == "exact":
        extra = b"<!-- x -->" + extra
    book = Workbook(_annex3(extra), CLI_LIMITS)
    try:
        rows = dict(book.rows("附件3"))
    finally:
        book.close()
    assert rows[3][:2] == ["#N/A", "#DIV/0!"]  # calamine alone returns ''


def test_cells_without_r_and_prefixed_tags_read_where_excel_puts_them():
    body = (
        b'<x:sheetData><x:row r="1"><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>'
        b"<x:row><x:c/><x:c><x:v>3</x:v></x:c></x:row></x:sheetData>"
    )
    part = (
        sheet_xml(b"")
        .replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
        .replace(b"</worksheet>", body + b"</x:worksheet>")
    )
    book = Workbook(raw_workbook({"S": part}), CLI_LIMITS)
    try:
        sheet, scan, _ = book.load("S")
        assert scan.exact and (scan.max_row, scan.max_col) == (2, 2)
    finally:
        book.close()


def test_a_shared_string_count_calamine_would_reserve_for_is_refused(tmp_path):
    # calamine reserves room for uniqueCount strings before reading one: 10^10 asked for 240 GB.
    sst = '<?xml version="1.0"?><sst xmlns="%s" count="1" uniqueCount="10000000000"><si><t>x</t></si></sst>'
    data = raw_workbook(
        {"附件3": sheet_xml(b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')},
        parts={"xl/sharedStrings.xml": sst % "http://schemas.openxmlformats.org/spreadsheetml/2006/main"},
    )
    path = write(tmp_path / "附件3.xlsx", data)
    status, _ = _json_report(tmp_path, path)
    p = _cli(["validate", str(path), "--today", TODAY])
    assert status == 2 and p.returncode == 2 and "共享字符串" in p.stderr.decode()


def test_more_shared_strings_than_cells_are_refused():
    strings = "".join(f"<si><t>{i}</t></si>" for i in range(101))
    data = raw_workbook(
        {"S": sheet_xml(b"<sheetData/>")},
        parts={"xl/sharedStrings.xml": f'<sst xmlns="x" count="101" uniqueCount="101">{strings}</sst>'},
    )
    Workbook(data, Limits(max_workbook_cells=101)).close()
    with pytest.raises(Exception, match="共享字符串"):
        Workbook(data, Limits(max_workbook_cells=100))


@pytest.mark.parametrize(("names", "ok"), [(3, True), (4, False)])
def test_defined_names_edge(names, ok):
    data = raw_workbook({"S": sheet_xml(b"<sheetData/>")}, defined_names=names)
    if ok:
        Workbook(data, Limits(max_defined_names=3)).close()
    else:
        with pytest.raises(Exception, match="定义的名称超过上限3个"):
            Workbook(data, Limits(max_defined_names=3))


def test_workbook_xml_size_edge():
    data = raw_workbook({"S": sheet_xml(b"<sheetData/>")}, defined_names=10)
    size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/workbook.xml").file_size
    Workbook(data, Limits(max_workbook_xml_bytes=size)).close()
    with pytest.raises(Exception, match="超过上限"):
        Workbook(data, Limits(max_workbook_xml_bytes=size - 1))


def test_two_million_defined_names_are_refused_quickly(tmp_path):
    # 10 MB of workbook.xml took 36 s and 1.7 GB: refused by its size before anything is parsed.
    data = raw_workbook({"附件3": sheet_xml(rows_xml([titles("annex3")]))}, defined_names=200_000)
    path = write(tmp_path / "附件3.xlsx", data)
    with pytest.raises(InputError, match="workbook.xml.*超过上限"):
        open_package([path])


def test_a_sheet_part_in_utf16_is_named_not_read_as_empty():
    part = sheet_xml(rows_xml([titles("annex3")])).decode().replace("UTF-8", "UTF-16").encode("utf-16")
    report = api.validate_files([("附件3.xlsx", raw_workbook({"附件3": part}))])
    [f] = [f for f in report["findings"] if f["rule"] == "S001"]
    assert f["sheet"] == "附件3" and "UTF-8" in f["message"]


# --- damaged and missing parts (issue 15 points 7 and 8) ---------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[: len(d) // 2],
        lambda d: b"garbage",
        lambda d: d.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        ),
        lambda d: d.replace(b"<v>", b"<v><x>", 1),
    ],
    ids=["cut", "garbage", "far-cell", "bad-element"],
)
def test_a_damaged_hidden_version_sheet_does_not_stop_validation(damage):
    data = patched_zip(EXAMPLE.read_bytes(), lambda n, d: damage(d) if n == "xl/worksheets/sheet7.xml" else d)
    assert b"_fpjc" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    report = api.validate_files([("松桂镇.xlsx", data)])
    assert report["valid"] and report["findings"] == []


def test_a_sheet_whose_part_is_missing_is_an_error_naming_it(tmp_path, capsys):
    # The workbook listed 附件1 but its part was gone: the households went unchecked, exit 0.
    path = write(
        tmp_path / "松桂镇.xlsx",
        patched_zip(EXAMPLE.read_bytes(), lambda n, d: None if n == ANNEX1_PART else d),
    )
    assert main(["validate", str(path), "--today", TODAY, "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "附件1" in out and "不存在" in out


# --- bounded work per package (issue 15 point 4) ----------------------------------------------


def test_many_small_members_are_refused_as_a_bomb(tmp_path):
    # 300 one-line members of 1 MiB each in a 340 KB zip ran past 120 s: the bomb check skipped
    # every member of 1 MiB or less. The whole archive's ratio is checked now.
    data = zip_bytes({f"x{i}.csv": b"1," * (512 * 1024) for i in range(30)})
    with pytest.raises(InputError, match="上限200倍.*压缩炸弹"):
        open_files([("many.zip", data)])


def _infos(*sizes: tuple[int, int]):
    out = []
    for i, (size, packed) in enumerate(sizes):
        info = zipfile.ZipInfo(f"m{i}")
        info.file_size, info.compress_size = size, packed
        out.append(info)

    class Stub:
        def infolist(self):
            return out

    return Stub()


@pytest.mark.parametrize(
    ("sizes", "ok"),
    [
        (((2_000_000, 10_000),), True),  # one member, exactly 200 times
        (((2_000_000, 9_999),), False),
        (((800_000, 4_000), (800_000, 4_000)), True),  # members under 1 MB, the whole at 200
        (((800_000, 4_000), (800_000, 3_999)), False),
    ],
)
def test_zip_ratio_edge(sizes, ok):
    limits = Limits()
    if ok:
        check_zip(_infos(*sizes), 0, limits, ratio=limits.max_zip_ratio)
    else:
        with pytest.raises(Exception, match="压缩比|倍"):
            check_zip(_infos(*sizes), 0, limits, ratio=limits.max_zip_ratio)


def test_files_read_from_a_folder_count_towards_the_package_total(tmp_path):
    write(tmp_path / "manifest.csv", manifest_csv())
    write(tmp_path / "annex3.csv", csv_text("annex3", [row("annex3")]))
    sizes = sorted(p.stat().st_size for p in tmp_path.iterdir())
    pkg = open_package([tmp_path], limits=Limits(max_zip_total=sum(sizes)))
    assert [t.resource for t in pkg.tables] == ["manifest", "annex3"]
    pkg = open_package([tmp_path], limits=Limits(max_zip_total=sum(sizes) - 1))
    [f] = [f for f in pkg.findings if f.rule == "S001"]
    assert "合计已超过上限" in f.message


def test_header_search_looks_at_a_bounded_number_of_cells(monkeypatch):
    # Header detection normalised every cell of the first rows for each form (nine then):
    # 3.2 s per MiB of a single line. Only the first 256 cells of each row are compared now.
    calls = []
    real = H.normalise
    monkeypatch.setattr(H, "normalise", lambda t: calls.append(1) or real(t))
    wide = ",".join(f"列{i}" for i in range(100_000))
    pkg = open_files([("表.csv", (wide + "\n" + wide + "\n").encode())])
    assert {"S022", "S006"} <= {f.rule for f in pkg.findings}
    forms = len(standard.forms())  # the township's nine and the county's own
    assert len(calls) <= forms * 2 * CLI_LIMITS.header_scan_columns + 10  # and the file's name


@pytest.mark.parametrize(("at", "ok"), [(256, True), (257, False)])
def test_header_scan_width_edge(at, ok):
    header = titles("annex3") + [""] * (at - len(titles("annex3")) - 1) + ["多余"]
    pkg = open_files([("annex3.csv", (",".join(header) + "\n").encode())])
    rules = [f.rule for f in pkg.findings]
    assert ("S022" not in rules) == ok
    if not ok:
        assert "256" in next(f.message for f in pkg.findings if f.rule == "S022")


@pytest.mark.parametrize(("chars", "ok"), [(200, True), (201, False)])
def test_header_cell_length_edge(monkeypatch, chars, ok):
    monkeypatch.setattr(H, "HEADER_CELL_CHARS", 200)
    title = "户主姓名"
    cell = title + " " * (chars - len(title))  # normalises to the title whatever its length
    assert (H.field_for("annex3", cell) == "head_name") == ok


@pytest.mark.parametrize(("line", "ok"), [(20, True), (21, False)])
def test_header_scan_rows_edge(line, ok):
    text = "说明\n" * (line - 1) + ",".join(titles("annex3")) + "\n"
    pkg = open_files([("annex3.csv", text.encode())])
    assert ("S008" not in [f.rule for f in pkg.findings]) == ok
    assert CLI_LIMITS.header_scan_rows == 20


# --- datapackage.json (issue 15 point 10) -------------------------------------------------------


def _nested(levels: int) -> str:
    resources = '[{"name": "manifest", "path": "manifest.csv"}]'
    return '{"resources": ' + resources + ', "x": ' + "[" * levels + "]" * levels + "}"


def test_json_depth_counts_without_recursion():
    assert json_depth(b'{"a": "[[[", "b": [[1], {"c": []}]}') == 4
    assert json_depth(_nested(100_000).encode()) == 100_001


@pytest.mark.parametrize(("levels", "ok"), [(63, True), (64, False)])
def test_descriptor_depth_edge(levels, ok):
    # the object itself is one level: 63 nested lists inside it make 64
    files = [("datapackage.json", _nested(levels).encode()), ("manifest.csv", manifest_csv().encode())]
    pkg = open_files(files)
    s016 = [f for f in pkg.findings if f.rule == "S016"]
    assert (not s016) == ok
    if not ok:
        assert "嵌套了65层" in s016[0].message and "上限64层" in s016[0].message


def test_a_deeply_nested_descriptor_is_a_finding_everywhere(tmp_path):
    # 10^5 levels ended in an internal RecursionError, also via --history.
    pkg = write(tmp_path / "pkg" / "datapackage.json", _nested(100_000))
    write(tmp_path / "pkg" / "manifest.csv", manifest_csv())
    status, report = _json_report(tmp_path, pkg.parent)
    assert status == 1 and "嵌套" in next(f["message"] for f in report["findings"] if f["rule"] == "S016")
    history = tmp_path / "history"
    (history / "2020-06").mkdir(parents=True)
    (history / "2020-06" / "datapackage.json").write_text(_nested(100_000), encoding="utf-8")
    write(history / "2020-06" / "manifest.csv", manifest_csv())
    status, report = _json_report(tmp_path, VALID, "--history", str(history))
    assert status == 1 and report["summary"]["by_rule"].get("H001")  # read: no household was warned
    # the browser hands the same files over as bytes
    files = [
        ("pkg/datapackage.json", _nested(100_000).encode()),
        ("pkg/manifest.csv", manifest_csv().encode()),
    ]
    assert [f.rule for f in open_files(files).findings] == ["S016"]


def test_descriptor_size_edge():
    body = json.dumps({"resources": [{"name": "manifest", "path": "manifest.csv"}]}).encode()
    files = [("datapackage.json", body), ("manifest.csv", manifest_csv().encode())]
    assert not open_files(files, limits=Limits(max_descriptor_bytes=len(body))).findings
    [f] = open_files(files, limits=Limits(max_descriptor_bytes=len(body) - 1)).findings
    assert f.rule == "S016" and "超过上限" in f.message


# --- what the file is, and what must not be opened (issue 15 points 11 and 13) ------------------


def _ods() -> bytes:
    return zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})


def _xlsb() -> bytes:
    return zip_bytes({"[Content_Types].xml": "<x/>", "xl/workbook.bin": b"\0", "_rels/.rels": "<x/>"})


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("附件1.ods", _ods(), "OpenDocument"),
        ("附件1.xlsb", _xlsb(), "二进制工作簿"),
        ("改了扩展名.xlsx", _ods(), "OpenDocument"),
        ("附件1.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "WPS 表格"),
    ],
)
def test_other_spreadsheets_say_what_they_are(tmp_path, name, data, says):
    # They got the generic "没有找到可检查的文件".
    with pytest.raises(InputError, match=says):
        open_package([write(tmp_path / name, data)])
    folder = tmp_path / "pkg"
    write(folder / name, data)
    write(folder / "manifest.csv", manifest_csv())
    [f] = [f for f in open_package([folder]).findings if f.rule == "S001"]
    assert says in f.message and f.source == name


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_link_out_of_the_package_is_refused_not_missing(tmp_path):
    outside = write(tmp_path / "outside" / "annex3.csv", csv_text("annex3", [row("annex3")]))
    root = tmp_path / "pkg"
    write(root / "manifest.csv", manifest_csv())
    os.symlink(outside, root / "annex3.csv")
    f = next(f for f in open_package([root]).findings if f.rule == "S001")
    assert f.source == "annex3.csv" and "报送包以外的链接" in f.message
    resources = [{"name": "manifest", "path": "manifest.csv"}, {"name": "annex3", "path": "annex3.csv"}]
    write(root / "datapackage.json", json.dumps({"resources": resources}))
    rules = {f.rule: f for f in open_package([root]).findings}
    assert "S018" not in rules and "报送包以外的链接" in rules["S015"].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipes_and_sockets_in_a_folder_are_refused_not_opened(tmp_path):
    # Opening a FIFO blocks until a writer comes: the whole check hung.
    root = tmp_path / "pkg"
    write(root / "manifest.csv", manifest_csv())
    os.mkfifo(root / "annex1.csv")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "annex2.csv"))
        p = _cli(["validate", str(root), "--format", "json", "--today", TODAY], timeout=60)
    finally:
        sock.close()
    report = json.loads(p.stdout)
    refused = {f["source"]: f["message"] for f in report["findings"] if f["rule"] == "S001"}
    assert set(refused) == {"annex1.csv", "annex2.csv"} and all("不是普通文件" in m for m in refused.values())
    fifo = _cli(["validate", str(root / "annex1.csv"), "--today", TODAY], timeout=60)
    assert fifo.returncode == 2 and "不是普通文件" in fifo.stderr.decode()


def test_zip_members_that_are_links_are_not_read():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.csv", manifest_csv())
        link = zipfile.ZipInfo("annex3.csv")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "../../etc/passwd")
    [f] = [f for f in open_files([("p.zip", buf.getvalue())]).findings if f.rule == "S001"]
    assert "符号链接" in f.message


# --- the table of limits ------------------------------------------------------------------------


def test_every_limit_is_described_and_published():
    page = (ROOT / "docs" / "developers" / "limits.md").read_text(encoding="utf-8")
    rows = limits_table()
    assert {r[1] for r in rows} == set(LIMIT_TEXT)
    for what, name, cli, browser in rows:
        assert f"`{name}`" in page and what in page and cli in page and browser in page, name
    assert BROWSER_LIMITS.max_workbook_cells < CLI_LIMITS.max_workbook_cells


def test_a_roster_workbook_goes_through_the_same_guard(tmp_path):
    roster = write(
        tmp_path / "名单.xlsx",
        raw_workbook(
            {"名单": sheet_xml(b"<sheetData>" + b"".join(HOSTILE["A1 and XFD1048576"]) + b"</sheetData>")}
        ),
    )
    p = _cli(["validate", str(VALID), "--roster", str(roster), "--today", TODAY])
    assert p.returncode == 2 and "建档立卡名单无法读取" in p.stderr.decode()
    good = write(
        tmp_path / "好.xlsx",
        raw_workbook({"名单": sheet_xml(rows_xml([["说明"], ["户主身份证号"], ["532932197702195832"]]))}),
    )
    from validator.reading.history import load_roster

    roster = load_roster(good, today=__import__("datetime").date(2020, 8, 10))
    assert len(roster.keys) == 1 and roster.bad_rows == []


def _central_entry_patched(data: bytes, member: bytes, change) -> bytes:
    """The zip with the central directory entry of `member` passed through change(bytearray)."""
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(member)] != member:
        at = data.index(b"PK\x01\x02", at + 4)
    entry = bytearray(data[at : at + 46])
    change(entry)
    return data[:at] + bytes(entry) + data[at + 46 :]


def _version(entry: bytearray) -> None:
    entry[6:8] = (227).to_bytes(2, "little")  # "needs zip 22.7": one changed byte did this


def _encrypted(entry: bytearray) -> None:
    entry[8] |= 1  # the member says it is encrypted


@pytest.mark.parametrize("damage", [_version, _encrypted], ids=["unknown zip version", "encrypted member"])
@pytest.mark.parametrize("member", [b"xl/workbook.xml", ANNEX1_PART.encode()])
def test_zip_damage_beyond_badzipfile_is_a_clear_refusal(tmp_path, damage, member):
    # zipfile raises NotImplementedError or RuntimeError for these, which no reader caught:
    # the damaged-workbook test met "zip file version 22.7" from a random byte.
    data = _central_entry_patched(EXAMPLE.read_bytes(), member, damage)
    path = write(tmp_path / "松桂镇.xlsx", data)
    try:
        pkg = open_package([path])
        for t in pkg.tables:
            list(t.rows)
    except InputError as exc:
        assert "松桂镇.xlsx" in str(exc)
    else:
        assert any(f.rule == "S001" for f in pkg.findings)
    status, _ = _json_report(tmp_path, path)
    assert status in (1, 2)
