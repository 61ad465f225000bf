"""Each limit of the reports and the annotated copy, at the limit and one past it.

The table is on the developer page docs/developers/limits.md ("报告与标注副本"); every row
names the constant tested here. Beyond a limit nothing is dropped silently: the report or
the copy says what was left out and where to find it.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

import validator.render.xlsx as xlsx
from validator.render.grouping import EXAMPLES, group
from validator.render.html import render_html
from validator.render.xlsx import RESULT_SHEET, AnnotateError, annotated_bytes

SAMPLE = Path(__file__).parent / "render_fixtures" / "sample_report.json"


@pytest.fixture
def report() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _finding(row: int, **extra) -> dict:
    return {
        "rule": "F030",
        "severity": "error",
        "resource": "annex1",
        "row": row,
        "field": "township",
        "column": "乡镇",
        "cell": f"B{row}",
        "source": "annex1.csv",
        "sheet": None,
        "value": "某镇",
        "message": "「乡镇」中的“某镇”不在代码表“乡镇”中。",
        "hint": "改正",
        **extra,
    }


def _csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "annex1.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sheet(data: bytes, title: str):
    return openpyxl.load_workbook(io.BytesIO(data))[title]


def test_shown_value_limit():
    from validator.fields.check import SHOWN_LIMIT, _Column, cell_text  # noqa: F401 - the limit itself

    column = _Column(
        "annex1", {"name": "remark", "title": "备注"}, "备注", "X", _Table(), lambda f: None, False
    )
    assert column.shown("字" * SHOWN_LIMIT) == "字" * SHOWN_LIMIT
    assert column.shown("字" * (SHOWN_LIMIT + 1)) == "字" * (SHOWN_LIMIT - 1) + "…"


class _Table:
    source, sheet = "annex1.csv", None


def test_examples_per_group_limit():
    findings = [_finding(r) for r in range(2, 2 + EXAMPLES + 1)]
    (whole,) = group(findings[:EXAMPLES])
    (over,) = group(findings)
    assert len(whole["examples"]) == EXAMPLES and whole["count"] == EXAMPLES
    assert len(over["examples"]) == EXAMPLES and over["count"] == EXAMPLES + 1


def test_html_table_rows_limit(report):
    report = copy.deepcopy(report)
    report["findings"] = [_finding(r) for r in range(2, 7)]
    assert "请看 JSON 报告" not in render_html(report, max_rows=5)
    assert "其余1处请看 JSON 报告" in render_html(report, max_rows=4)


def test_marked_findings_limit(tmp_path, report, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_FINDINGS", 3)
    source = _csv(tmp_path, ["序号,乡镇", *(f"{i},某镇" for i in range(1, 6))])
    report = {**report, "findings": [_finding(r) for r in range(2, 5)]}
    assert _sheet(annotated_bytes(source, report), RESULT_SHEET)["A5"].value is None
    report["findings"].append(_finding(5))
    assert "其余1处" in _sheet(annotated_bytes(source, report), RESULT_SHEET)["A5"].value


def test_csv_lines_limit(tmp_path, report, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_CSV_ROWS", 10)
    annotated_bytes(_csv(tmp_path, ["序号", *map(str, range(9))]), report)  # 10 lines
    with pytest.raises(AnnotateError, match="超过10行"):
        annotated_bytes(_csv(tmp_path, ["序号", *map(str, range(10))]), report)


def test_csv_bytes_limit(tmp_path, report, monkeypatch):
    source = _csv(tmp_path, ["序号", "1"])
    monkeypatch.setattr(xlsx, "MAX_COPY_BYTES", source.stat().st_size)
    annotated_bytes(source, report)
    monkeypatch.setattr(xlsx, "MAX_COPY_BYTES", source.stat().st_size - 1)
    with pytest.raises(AnnotateError, match="MB"):
        annotated_bytes(source, report)


def test_workbook_sheet_xml_limit(tmp_path, report, monkeypatch):
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "乡镇"])
    source = tmp_path / "book.xlsx"
    wb.save(source)
    with zipfile.ZipFile(source) as z:
        size = sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
    monkeypatch.setattr(xlsx, "MAX_SHEET_XML", size)
    annotated_bytes(source, report)
    monkeypatch.setattr(xlsx, "MAX_SHEET_XML", size - 1)
    with pytest.raises(AnnotateError, match="上限"):
        annotated_bytes(source, report)


def test_excel_cell_characters_limit(tmp_path, report):
    limit = xlsx.EXCEL_CELL_CHARS
    source = _csv(tmp_path, ["备注", "字" * limit, "字" * (limit + 1)])
    data = annotated_bytes(source, {**report, "findings": []})
    ws = next(ws for ws in openpyxl.load_workbook(io.BytesIO(data)).worksheets if ws.title != RESULT_SHEET)
    assert ws["A2"].value == "字" * limit
    assert len(ws["A3"].value) == limit and ws["A3"].value.endswith("…")
    assert "1个单元格超过" in _sheet(data, RESULT_SHEET)["A5"].value


def test_excel_columns_limit(tmp_path, report):
    limit = xlsx.EXCEL_COLUMNS
    source = _csv(tmp_path, ["序号", ",".join(["x"] * limit), ",".join(["y"] * (limit + 1))])
    data = annotated_bytes(source, {**report, "findings": []})
    ws = next(ws for ws in openpyxl.load_workbook(io.BytesIO(data)).worksheets if ws.title != RESULT_SHEET)
    assert ws.cell(row=2, column=limit).value == "x" and ws.cell(row=3, column=limit).value == "y"
    assert ws.max_column == limit
    assert "1行超过" in _sheet(data, RESULT_SHEET)["A5"].value
