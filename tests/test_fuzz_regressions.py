"""Crashes and leaks the fuzzer found, each reduced to a small generated input.

Found by `python -m tests.fuzz` (seed 1, the case number in each docstring); each failed
before its fix with an internal error (exit 2) or an unmasked number in the output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile

import pytest
from hardening_support import ROOT, TODAY, VALID, package

from validator.cli import main
from validator.values import mask, parse


def run(args: list[str], capsys) -> tuple[int, str]:
    status = main(args)
    out = capsys.readouterr()
    return status, out.out + out.err


@pytest.mark.parametrize("cell", [1e308, -1e308, float("inf"), 10**400, "9" * 400, "1e999"])
@pytest.mark.parametrize("parser", [parse.parse_money, parse.parse_date, parse.parse_month])
def test_huge_numbers_are_invalid_values_not_crashes(parser, cell):
    """Case 759: an amount of 400 nines became float('inf') and int(inf) raised OverflowError."""
    value, problem, _ = parser(cell)
    assert value is None and problem == "invalid"


@pytest.mark.parametrize("text", ["9999999", "²", "٣"])
def test_date_serials_beyond_9999_and_non_ascii_digits(text):
    assert parse.parse_date(text)[1] == "invalid"


def _edit_annex1(pkg, field: str, value: str, row: int = 0):
    with (pkg / "annex1.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[row][field] = value
    with (pkg / "annex1.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("amount", ["9" * 400, "9" * 20, "9" * 400 + ".5"])
def test_a_huge_amount_in_a_csv(tmp_path, capsys, amount):
    """Digits only took the fast path to float('inf') and were accepted silently."""
    pkg = package(tmp_path / "pkg")
    _edit_annex1(pkg, "rigid_expense", amount)
    status, text = run(["validate", str(pkg), "--today", TODAY, "--format", "json"], capsys)
    assert status == 1 and "内部错误" not in text and "数字太大" in text


def test_a_huge_amount_in_a_workbook(tmp_path, capsys):
    """An integer cell of 400 digits (openpyxl reads <v>999…</v> as int) overflowed float()."""
    import re

    from hardening_support import VALID_XLSX

    buffer = io.BytesIO()
    with zipfile.ZipFile(VALID_XLSX) as zin, zipfile.ZipFile(buffer, "w") as z:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":  # 附件1; N4 is 刚性支出 of the first household
                data, n = re.subn(
                    rb'<c r="N4"[^>]*?(?:/>|>.*?</c>)', b'<c r="N4"><v>' + b"9" * 400 + b"</v></c>", data
                )
                assert n == 1
            z.writestr(info.filename, data)
    source = tmp_path / "big.xlsx"
    source.write_bytes(buffer.getvalue())
    status, text = run(["validate", str(source), "--today", TODAY, "--format", "json"], capsys)
    assert status == 1 and "内部错误" not in text and "数字太大" in text


def test_a_number_quoted_by_a_rule_message_is_masked(tmp_path, capsys):
    """Case 276: T004 said “序号应为 1，这里是 110101900307555” in full."""
    pkg = package(tmp_path / "pkg")
    _edit_annex1(pkg, "seq", "110101900307555")
    status, text = run(["validate", str(pkg), "--today", TODAY, "--format", "json"], capsys)
    report = json.loads(text)
    assert any(f["rule"] == "T004" for f in report["findings"])
    assert "110101900307555" not in text


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_a_long_value_cut_for_the_report_leaves_no_number_that_reads_as_an_id(tmp_path, capsys, fmt):
    """Case 55,676 of seed 2026: a value longer than the report shows was cut after 15 digits of a
    longer run of digits (not an ID as a whole, so left as it was), leaving "110101191010119…",
    which reads as a legacy 15-digit ID number."""
    pkg = package(tmp_path / "pkg")
    value = "x" * 64 + "1101011910101199999"
    _edit_annex1(pkg, "household_size", value)
    status, text = run(["validate", str(pkg), "--today", TODAY, "--format", fmt], capsys)
    assert status == 1 and "内部错误" not in text
    assert "110101191010119" not in text and mask.unmasked(text) == []


@pytest.mark.parametrize("key", ["template", "standard_version"])
def test_what_the_hidden_sheet_holds_is_not_echoed_into_the_report(tmp_path, capsys, key):
    """Case 7,563 of seed 2027: an ID number typed into the hidden _fpjc sheet's template cell was
    copied into the report's `inputs` in full; in the version cell it read as version 110101….0."""
    import openpyxl
    from hardening_support import VALID_XLSX

    book = openpyxl.load_workbook(VALID_XLSX)
    meta = book["_fpjc"]
    (row,) = [r for r in meta.iter_rows() if r[0].value == key]
    row[1].value = "110101199003075555"
    source = tmp_path / "book.xlsx"
    book.save(source)
    for fmt in ("json", "text", "html"):
        status, text = run(["validate", str(source), "--today", TODAY, "--format", fmt], capsys)
        assert status in (0, 1) and "内部错误" not in text
        assert "110101199003075555" not in text and mask.unmasked(text) == []


def test_a_roster_csv_that_csv_cannot_read(tmp_path, capsys):
    """Case 197: csv.Error from the roster reader was an internal error."""
    roster = tmp_path / "roster.csv"
    roster.write_text('身份证号\n"' + "1" * 140_000 + '"\n', encoding="utf-8")
    status, text = run(["validate", str(package(tmp_path / "pkg")), "--roster", str(roster)], capsys)
    assert status == 2 and "内部错误" not in text and "建档立卡名单" in text


def test_a_damaged_descriptor_inside_a_zip(tmp_path, capsys):
    """Case 889: a datapackage.json member with a broken local header raised BadZipFile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for f in sorted(VALID.iterdir()):
            z.writestr(f.name, f.read_bytes())
    data = buffer.getvalue()
    at = data.index(b"datapackage.json") - 30  # the member's local header starts 30 bytes before its name
    assert data[at : at + 4] == b"PK\x03\x04"
    archive = tmp_path / "pkg.zip"
    archive.write_bytes(data[:at] + b"PK\x03\x05" + data[at + 4 :])
    status, text = run(["validate", str(archive), "--today", TODAY, "--format", "json"], capsys)
    assert status in (0, 1) and "内部错误" not in text and "datapackage.json" in text


def test_the_online_checkers_unreadable_message_masks_file_names():
    """Case 207: the page's 无法读取 message named 张秘密_110101199003075555.xlsx in full."""
    sys.path.insert(0, str(ROOT / "site" / "checker"))
    try:
        import bridge
    finally:
        sys.path.pop(0)
    result = bridge.check([("张秘密_110101199003075555.xlsx", b"PK\x03\x04 broken")], TODAY)
    assert "unreadable" in result
    assert "110101199003075555" not in result["unreadable"] and "张秘密" not in result["unreadable"]


def test_a_descriptor_nested_thousands_deep(tmp_path, capsys):
    """Seed 7, case 52: a datapackage.json of 100,000 nested brackets raised RecursionError."""
    pkg = package(tmp_path / "pkg")
    (pkg / "datapackage.json").write_text('{"resources": ' + "[" * 100_000 + "]" * 100_000 + "}")
    status, text = run(["validate", str(pkg), "--today", TODAY], capsys)
    assert status == 1 and "S016" in text and "内部错误" not in text


def test_a_damaged_version_sheet(tmp_path, capsys):
    """Seed 7, cases 100 and 202: a broken cell in the hidden version sheet escaped as ParseError
    or ValueError; the version sheet is not the clerk's data, so the reader passes over it and the
    data sheets are still checked."""
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(ROOT / "examples" / "valid-2020-07.xlsx") as src:
        names = {i.filename: src.read(i.filename) for i in src.infolist()}
    workbook = names["xl/workbook.xml"].decode("utf-8")
    rels = names["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rid = re.search(r'<sheet [^>]*name="_fpjc"[^>]*r:id="(rId\d+)"', workbook).group(1)
    target = re.search(rf'Target="([^"]+)" Id="{rid}"', rels).group(1)
    member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    for broken in (b'<c r="1A"', b'<c r="A1" \x01'):
        names_copy = dict(names)
        names_copy[member] = names[member].replace(b'<c r="A1"', broken, 1)
        with zipfile.ZipFile(book, "w") as dst:
            for name, data in names_copy.items():
                dst.writestr(name, data)
        status, text = run(["validate", str(book), "--today", TODAY], capsys)
        assert status == 0 and "内部错误" not in text, text[-600:]
        assert "附件1     错误    0  警告    0  提示    0  （数据14行）" in text, text[-600:]
