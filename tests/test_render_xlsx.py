"""Annotated workbook: fills and comments at the findings' cells, result sheet, input untouched."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from validator.render.xlsx import FILLS, RESULT_SHEET, AnnotateError, annotate_workbook

HERE = Path(__file__).parent
SAMPLE = HERE / "render_fixtures" / "sample_report.json"
TITLES = {"D003": "身份证号校验码错误"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def report() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def workbook(tmp_path) -> Path:
    """A workbook with the sheets the sample report talks about, and a comment already on F5."""
    wb = openpyxl.Workbook()
    wb.active.title = "报送信息"
    for title in ("附件1", "附件2", "附件3", "Sheet1"):
        wb.create_sheet(title)
    ws = wb["附件1"]
    ws["A1"] = "附件1 鹤庆县返贫预警情况统计表"
    for r in range(4, 11):
        for c in range(1, 25):
            ws.cell(row=r, column=c, value=f"r{r}c{c}")
    ws["F5"].comment = openpyxl.comments.Comment("村里已核实", "clerk")
    path = tmp_path / "errors-1.xlsx"
    wb.save(path)
    return path


def test_input_is_not_modified(workbook, report, tmp_path):
    before = digest(workbook)
    annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES)
    assert digest(workbook) == before


def test_cells_are_filled_and_commented(workbook, report, tmp_path):
    out = annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES)
    wb = openpyxl.load_workbook(out)
    ws = wb["附件1"]
    for r in range(4, 11):
        cell = ws[f"F{r}"]
        assert cell.fill.fgColor.rgb.endswith(FILLS["error"])
        assert "D003 身份证号校验码错误" in cell.comment.text
        assert "怎么改：核对身份证原件" in cell.comment.text
        assert cell.value == f"r{r}c6"  # data unchanged
    assert ws["X9"].fill.fgColor.rgb.endswith(FILLS["warning"])
    assert wb["报送信息"]["H3"].fill.fgColor.rgb.endswith(FILLS["warning"])
    assert wb["附件2"]["E5"].fill.fgColor.rgb.endswith(FILLS["error"])
    assert ws["F5"].comment.text.startswith("村里已核实")  # the clerk's own comment is kept
    assert ws["A4"].comment is None and ws["A4"].fill.fill_type is None  # untouched cells stay plain
    assert ws["A1"].value == "附件1 鹤庆县返贫预警情况统计表"


def test_worst_severity_wins_on_a_shared_cell(workbook, report, tmp_path):
    extra = copy.deepcopy(next(f for f in report["findings"] if f["cell"] == "F4"))
    extra.update(rule="F099", severity="warning", message="另一条警告")
    report["findings"].append(extra)
    wb = openpyxl.load_workbook(annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES))
    cell = wb["附件1"]["F4"]
    assert cell.fill.fgColor.rgb.endswith(FILLS["error"])
    assert "另一条警告" in cell.comment.text and "D003" in cell.comment.text


def test_result_sheet_lists_every_finding_with_links(workbook, report, tmp_path):
    wb = openpyxl.load_workbook(annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES))
    assert wb.sheetnames[0] == RESULT_SHEET
    assert wb.active.title == RESULT_SHEET
    ws = wb[RESULT_SHEET]
    header = [c.value for c in ws[6]]
    assert header[:3] == ["序号", "严重程度", "规则"]
    rows = [r for r in ws.iter_rows(min_row=7, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == len(report["findings"])
    links = {
        ws.cell(row=7 + i, column=9).hyperlink.location
        for i in range(len(rows))
        if ws.cell(row=7 + i, column=9).hyperlink
    }
    assert "'附件1'!F4" in links and "'报送信息'!H3" in links
    assert "不通过" in ws["A2"].value


def test_refuses_to_overwrite_the_input(workbook, report):
    before = digest(workbook)
    with pytest.raises(AnnotateError):
        annotate_workbook(workbook, report, workbook)
    assert digest(workbook) == before


def test_csv_inputs_become_a_new_workbook(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "annex1.csv").write_text(
        "序号,户主姓名,户主身份证号,备注\n1,张三,=cmd|x,=cmd|x\n2,李四,532932199001011234,已\x07核实\n",
        encoding="utf-8",
    )
    (folder / "manifest.csv").write_bytes("乡镇,报告月份\n金墩乡,2020-07\n".encode("gb18030"))
    before = {p.name: digest(p) for p in folder.iterdir()}
    finding = {
        "rule": "D003",
        "severity": "error",
        "resource": "annex1",
        "row": 3,
        "field": "head_id",
        "column": "户主身份证号",
        "cell": "C3",
        "source": "annex1.csv",
        "sheet": None,
        "value": "532932********1234",
        "message": "校验码错误",
        "hint": "核对原件",
    }
    report = json.loads(SAMPLE.read_text(encoding="utf-8"))
    report["findings"] = [finding]
    out = annotate_workbook(folder, report, tmp_path / "out.xlsx", titles=TITLES)
    assert {p.name: digest(p) for p in folder.iterdir()} == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == RESULT_SHEET
    ws = wb["附件1"]
    assert ws["C3"].value == "532932********1234"  # masked like the report, and text, not a number
    assert ws["B3"].value == "李*"
    assert ws["C3"].fill.fgColor.rgb.endswith(FILLS["error"])
    assert "校验码错误" in ws["C3"].comment.text
    assert ws["D2"].value == "=cmd|x" and ws["D2"].data_type == "s"  # never a formula
    assert wb["manifest"]["A2"].value == "金墩乡"  # GB18030 decoded
    assert ws["D3"].value == "已\\x07核实"  # a control character cannot break the workbook
    assert "CSV" in wb[RESULT_SHEET]["A4"].value


@pytest.mark.libreoffice
def test_libreoffice_opens_the_annotated_copy(workbook, report, tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    out = annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdfplumber = pytest.importorskip("pdfplumber")
    from tests.test_paper import A4_LANDSCAPE, _column_mm, _has, _lines, _page_mm, _sizes

    with pdfplumber.open(tmp_path / "pdf" / "out.pdf") as pdf:
        first = pdf.pages[0]  # the 校验结果 sheet comes first
        assert _page_mm(first) == A4_LANDSCAPE
        # Fitted to the width: every column on the first page, each header on one line (行, 列
        # and 单元格 apart), readable.
        headers = "序号 严重程度 规则 规则名称 表 文件 / 工作表 行 列 单元格 填写的值 问题 怎么改"
        assert headers in _lines(first)
        assert min(_sizes(first, "严重程度")) >= 9
        assert min(_sizes(first, "怎么改")) >= 9
        assert _column_mm(first, "填写的值") >= 20
        assert _column_mm(first, "怎么改") >= 45
        # Wrapped text is not cut off: rows are as tall as their text, so the second line of
        # F003's hint (按 YYYY-MM-DD 填写，例如 / 2020-07-15) is printed too.
        assert _has(first, "2020-07-15")


def test_control_characters_do_not_break_the_workbook(workbook, report, tmp_path):
    report["findings"][1]["value"] = "138\x0b1234"
    report["findings"][1]["message"] = "联系电话\x01不对"
    wb = openpyxl.load_workbook(annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES))
    assert "联系电话\\x01不对" in wb["报送信息"]["H3"].comment.text
    values = [c.value for row in wb[RESULT_SHEET].iter_rows() for c in row]
    assert "138\\x0b1234" in values


def test_a_workbook_inside_a_zip_is_copied(workbook, report, tmp_path):
    import zipfile

    archive = tmp_path / "乡镇报送.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(workbook, "errors-1.xlsx")
    before = digest(archive)
    wb = openpyxl.load_workbook(annotate_workbook(archive, report, tmp_path / "out.xlsx", titles=TITLES))
    assert digest(archive) == before
    assert wb["附件1"]["F4"].fill.fgColor.rgb.endswith(FILLS["error"])
    assert "有问题的单元格已标色" in wb[RESULT_SHEET]["A4"].value


def test_nothing_to_copy_is_a_clear_error(tmp_path, report):
    folder = tmp_path / "空文件夹"
    folder.mkdir()
    with pytest.raises(AnnotateError, match="没有 .xlsx 工作簿或 CSV 文件"):
        annotate_workbook(folder, report, tmp_path / "out.xlsx", titles=TITLES)


def test_too_many_findings_are_trimmed_and_said_so(workbook, report, tmp_path, monkeypatch):
    import validator.render.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_FINDINGS", 3)
    wb = openpyxl.load_workbook(annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES))
    ws = wb[RESULT_SHEET]
    assert f"其余{len(report['findings']) - 3}处请看 JSON 报告" in ws["A5"].value
    assert [r[0] for r in ws.iter_rows(min_row=7, max_row=10, values_only=True)] == [1, 2, 3, None]


def test_a_huge_csv_is_refused_with_a_way_out(tmp_path, report, monkeypatch):
    import validator.render.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_CSV_ROWS", 10)
    big = tmp_path / "annex1.csv"
    big.write_text("序号\n" + "".join(f"{i}\n" for i in range(20)), encoding="utf-8")
    with pytest.raises(AnnotateError, match="--format html"):
        annotate_workbook(big, report, tmp_path / "out.xlsx", titles=TITLES)


def test_sentences_under_the_table_wrap_across_the_printed_width(workbook, report, tmp_path):
    """The 未执行的检查 lines under the table print like those above it: one merged cell across
    every column, wrapped, as tall as its lines (a long line in column A alone was cut off)."""
    report = copy.deepcopy(report)
    report["checks_not_run"] = [
        {"check": "G001–G010 阶段记录检查", "reason": "报送包中没有阶段记录表"},
        {
            "check": "H003、H004 建档立卡名单核对",
            "reason": "没有提供建档立卡名单，无法核对附件1 的户是否建档立卡",
        },
    ]
    wb = openpyxl.load_workbook(annotate_workbook(workbook, report, tmp_path / "out.xlsx", titles=TITLES))
    ws = wb[RESULT_SHEET]
    width = len([c for c in ws[6] if c.value])
    last = max(r for r in range(7, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int))
    under = [r for r in range(last + 1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, str)]
    sentences = [r for r in under if len(ws.cell(r, 1).value) > 20]
    assert sentences, [ws.cell(r, 1).value for r in under]
    merged = {(m.min_row, m.min_col, m.max_col) for m in ws.merged_cells.ranges}
    for r in sentences:
        assert (r, 1, width) in merged, (r, ws.cell(r, 1).value)
        assert ws.cell(r, 1).alignment.wrap_text
        assert ws.row_dimensions[r].height
