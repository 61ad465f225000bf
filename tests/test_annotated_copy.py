"""The annotated workbook masks personal data like every report, and its absence never costs the report.

Issue "Hardening" point 5 (the copy said 个人信息已打码 while keeping 92 full values) and point 6
(`--format xlsx` failed with an internal error where validation succeeded).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hardening_support import TODAY, VALID, VALID_XLSX, package

from validator.cli import main

UNMASKED = re.compile(
    r"(?<![0-9])(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"|1[3-9][0-9]{9})(?![0-9Xx])"
)


def run(args: list[str], capsys) -> tuple[int, str, str]:
    status = main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def every_part(book: Path) -> str:
    """All text of every part of an .xlsx: cells, comments, sheet names, properties, tips."""
    with zipfile.ZipFile(book) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def personal_values(source: Path) -> list[str]:
    """Names, ID numbers and phones of the personal columns and header blocks, as the reader sees them."""
    from validator import standard
    from validator.reading import open_package

    found = []
    for table in open_package([source]).tables:
        kinds = {f["name"]: f.get("personal") for f in standard.form(table.resource)["fields"]}
        at = [i for i, c in enumerate(table.columns) if c.field and kinds.get(c.field)]
        for _, cells in table.rows:
            found += [str(cells[i]) for i in at if cells[i] not in (None, "")]
        block = table.meta.get("header_block") or {}
        found += [str(v) for k, v in block.items() if k in ("填报人", "审核人", "联系电话") and v]
    return found


@pytest.mark.parametrize("source", [VALID_XLSX, VALID], ids=["workbook", "csv folder"])
def test_no_personal_value_survives_in_a_masked_copy(source, tmp_path, capsys):
    values = personal_values(source)
    assert len(values) >= 92  # the issue counted 92 in the example; header blocks add their names
    book = tmp_path / "copy.xlsx"
    status, _, err = run(
        ["validate", str(source), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys
    )
    assert status == 0, err
    text = every_part(book)
    assert UNMASKED.findall(text) == []
    cells = {
        str(v) for ws in openpyxl.load_workbook(book) for row in ws.iter_rows(values_only=True) for v in row
    }
    assert [v for v in values if v in cells] == []
    assert "个人信息已打码" in openpyxl.load_workbook(book)["校验结果"]["A3"].value


def test_show_personal_data_keeps_them_and_says_so(tmp_path, capsys):
    book = tmp_path / "copy.xlsx"
    args = ["validate", str(VALID_XLSX), "--today", TODAY, "--format", "xlsx", "-o", str(book)]
    assert run([*args, "--show-personal-data"], capsys)[0] == 0
    assert len(UNMASKED.findall(every_part(book))) >= 52
    about = openpyxl.load_workbook(book)["校验结果"]["A3"].value
    assert "未打码" in about and "已打码" not in about


def test_numbers_and_stray_personal_data_anywhere_are_masked(tmp_path, capsys):
    """An ID typed as a number, a phone in 备注, a list sheet of the clerk's own, a comment."""
    wb = openpyxl.load_workbook(VALID_XLSX)
    ws = wb["附件1"]
    remark = next(c.column_letter for c in ws[3] if c.value == "备注")
    ws[f"{remark}4"] = 13812345678  # 备注 as a number
    ws[f"{remark}5"] = "户主电话 13912345678，身份证 532932197702195832"
    ws[f"{remark}6"].comment = openpyxl.comments.Comment("核对 532932197702195832", "clerk")
    extra = wb.create_sheet("名单")
    extra.append(["序号", "姓名", "身份证号码", "联系电话"])
    extra.append([1, "寸松福", 532932197702195832, "15449469351"])
    source = tmp_path / "with-extras.xlsx"
    wb.save(source)
    book = tmp_path / "copy.xlsx"
    status, _, err = run(
        ["validate", str(source), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys
    )
    assert status in (0, 1), err
    text = every_part(book)
    assert UNMASKED.findall(text) == [] and "寸松福" not in text
    copy = openpyxl.load_workbook(book)
    assert copy["名单"]["B2"].value == "寸**" and copy["附件1"][f"{remark}4"].value == "138****5678"


def test_a_copy_that_would_leak_is_refused_and_the_report_still_shown(tmp_path, capsys):
    """Personal data where the masking does not reach (a page header) stops the copy, not the check."""
    wb = openpyxl.load_workbook(VALID_XLSX)
    wb["附件1"].oddHeader.center.text = "户主 532932197702195832"
    source = tmp_path / "header.xlsx"
    wb.save(source)
    book = tmp_path / "copy.xlsx"
    status, out, err = run(
        ["validate", str(source), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys
    )
    assert status == 0 and not book.exists()
    assert "未生成标注版 Excel" in err and "无法打码" in err
    assert "fpjc 校验报告" in out and "532932197702195832" not in out + err


# --- point 6: when the copy cannot be made, the report is still given --------------------------


def _annex1(tmp_path: Path, edit) -> Path:
    pkg = package(tmp_path / "pkg")
    lines = (pkg / "annex1.csv").read_text(encoding="utf-8").splitlines()
    (pkg / "annex1.csv").write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return pkg


def test_a_cell_beyond_csvs_field_limit(tmp_path, capsys):
    long_text = "很长的备注" * 30_000  # 150 000 characters, beyond csv's 131 072
    pkg = _annex1(
        tmp_path, lambda lines: [*lines[:2], lines[2] + long_text, f'{lines[3]}"{long_text}"', *lines[4:]]
    )
    book = tmp_path / "copy.xlsx"
    status, out, err = run(
        ["validate", str(pkg), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys
    )
    assert status in (0, 1) and "内部错误" not in err
    if book.exists():
        note = openpyxl.load_workbook(book)["校验结果"]["A5"].value
        assert "32767" in note or "无法按 CSV 读取" in note
    else:
        assert "未生成标注版 Excel" in err and "fpjc 校验报告" in out


def test_more_columns_than_excel_has(tmp_path, capsys):
    pkg = _annex1(tmp_path, lambda lines: [lines[0], lines[1] + "," * 18_300 + "尾", *lines[2:]])
    book = tmp_path / "copy.xlsx"
    status, _, err = run(
        ["validate", str(pkg), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys
    )
    assert status in (0, 1) and "内部错误" not in err
    note = openpyxl.load_workbook(book)["校验结果"]["A5"].value
    assert "16384列" in note


def _damaged(tmp_path: Path, name: str, change) -> Path:
    """The valid example with its instructions sheet (which no check reads) damaged."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(VALID_XLSX) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info)
            z.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


DAMAGE = {
    "bad-reference": lambda d: re.sub(rb'r="A1"', b'r="1A"', d, count=1),
    "gbk-sheet-xml": lambda d: (
        d.decode("utf-8").replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk", "replace")
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_workbook_the_full_loader_cannot_open(damage, tmp_path, capsys):
    source = _damaged(tmp_path, damage, DAMAGE[damage])
    book = tmp_path / "copy.xlsx"
    status, out, err = run(
        ["validate", str(source), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys
    )
    assert status == 0 and "内部错误" not in err and not book.exists()
    assert "未生成标注版 Excel" in err and "结构无法完整读取" in err
    assert "fpjc 校验报告" in out and "通过" in out


def test_annotated_bytes_turns_every_failure_into_a_reason(tmp_path):
    from validator import api
    from validator.render.xlsx import AnnotateError, annotated_bytes

    report = api.validate([VALID_XLSX], today=dt.date.fromisoformat(TODAY))
    for damage, change in DAMAGE.items():
        with pytest.raises(AnnotateError):
            annotated_bytes(_damaged(tmp_path, damage, change), report)
    not_a_zip = tmp_path / "x.xlsx"
    not_a_zip.write_bytes(b"not a zip")
    with pytest.raises(AnnotateError):
        annotated_bytes(not_a_zip, report)


def test_csv_records_match_the_readers_line_numbers(tmp_path):
    """A quoted cell with a line break does not shift later rows in the copy (as in the reader)."""
    from validator.render.xlsx import _records

    text = 'a,b\n1,"x\ny"\n2,z\n'
    notes: list[str] = []
    assert list(_records(text, "t.csv", notes)) == [(1, ["a", "b"]), (2, ["1", "x\ny"]), (4, ["2", "z"])]
    assert list(_records('a\n"open\n', "t.csv", notes))[-1][0] == 2 or notes


def test_the_header_block_names_are_found(tmp_path):
    from validator.render.xlsx import _labelled

    row = {
        0: "填报单位（盖章）：",
        3: "松桂镇人民政府",
        7: "填报人：",
        9: "黄福",
        11: "审核人：",
        12: "王光秀",
    }
    assert _labelled(row) == {9: "name", 12: "name"}
    assert _labelled({0: "联系电话：0872-4898685"}) == {0: "labelled-phone"}


def test_csv_roundtrip_keeps_csv_module_results(tmp_path):
    """For ordinary files the copy's records are exactly csv.reader's."""
    from validator.render.xlsx import _records

    text = (VALID / "annex1.csv").read_text(encoding="utf-8")
    expected = list(csv.reader(io.StringIO(text, newline="")))
    assert [r for _, r in _records(text, "annex1.csv", [])] == expected
