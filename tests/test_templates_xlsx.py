"""The generated workbook, read back with openpyxl: layout, validations, print setup, identity."""

from __future__ import annotations

import copy
import datetime as dt

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from validator import standard
from validator.catalogue import required_when
from validator.outputs import paper
from validator.outputs.workbook import (
    EARLIEST_DATE,
    HEADER_BLOCK_LABELS,
    form_heading,
    template_rows,
    write_workbook,
)
from validator.reading.headers import display

WORKBOOK_SHEETS = ["填表说明", "报送信息", "附件1", "附件2", "附件3", "_lists", "_fpjc"]
ANNEXES = ["annex1", "annex2", "annex3"]
STAGES = [f["id"] for f in standard.forms() if f["kind"] == "stage"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = write_workbook(tmp_path_factory.mktemp("blank") / "blank.xlsx")
    return openpyxl.load_workbook(path)


def validations_by_column(ws) -> dict[str, list]:
    out: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out.setdefault(get_column_letter(rng.min_col), []).append((dv, rng))
    return out


def defined_list(wb, name: str) -> list[str]:
    dn = wb.defined_names[name]
    (sheet, ref), *_ = list(dn.destinations)
    return [c.value for (c,) in wb[sheet][ref.replace("$", "")]]


def test_sheets_in_order_and_helpers_hidden(blank):
    assert blank.sheetnames == WORKBOOK_SHEETS
    states = {name: blank[name].sheet_state for name in blank.sheetnames}
    assert states.pop("_lists") == "hidden"
    assert states.pop("_fpjc") == "hidden"
    assert set(states.values()) == {"visible"}


def test_meta_sheet_identifies_template(blank):
    meta = {row[0]: row[1] for row in blank["_fpjc"].values}
    assert meta["standard"] == "fpjc"
    assert meta["standard_version"] == standard.version()
    assert meta["template"] == "workbook"
    assert meta["forms"] == "manifest,annex1,annex2,annex3"


@pytest.mark.parametrize("form_id", ANNEXES)
def test_form_sheet_layout(blank, form_id):
    form = standard.form(form_id)
    ws = blank[form["title"]]
    n = len(form["fields"])
    assert ws["A1"].value == form_heading(form)
    # A form printed on several pages has its title over the columns repeated on every page.
    lay = paper.layout(form["fields"])
    span = len(lay.repeated) if len(lay.pages) > 1 else n
    assert f"A1:{get_column_letter(span)}1" in {str(r) for r in ws.merged_cells.ranges}
    labels = [c.value for c in ws[2] if isinstance(c.value, str) and c.value.endswith("：")]
    assert labels == [f"{label}：" for label in HEADER_BLOCK_LABELS]
    # Titles broken into lines between words; the reader joins the lines again.
    assert [display(c.value) for c in ws[3]][:n] == [f["title"] for f in form["fields"]]
    assert "村委会\n（社区）" in [c.value for c in ws[3]] or n < 4
    assert ws.freeze_panes is not None and ws.freeze_panes.endswith("4")
    assert ws.print_title_rows == "$1:$3"


def test_print_setup_instructions_fit_to_width(blank):
    ws = blank["填表说明"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


@pytest.mark.parametrize("sheet", ["报送信息", "附件1", "附件2", "附件3"])
def test_print_setup_forms_on_their_paper_one_page_wide(blank, sheet):
    """Each form on the paper paper.layout picks (the annexes on A3), fitted to one page width,
    the print area ending with the signature rows; the footer only numbers the pages
    (LibreOffice's PDF: tests/test_paper.py)."""
    ws = blank[sheet]
    form = standard.form(standard.find_form(sheet))
    lay = paper.layout(form["fields"])
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == (8 if form["kind"] == "annex" else 9)  # A3, A4
    assert lay.paper == ("A3" if form["kind"] == "annex" else "A4") and len(lay.pages) == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert not ws.col_breaks.brk
    ((area,),) = [ws.print_area.split(",")]
    last_row = int(area.rsplit("$", 1)[1])
    labels = [c.value for row in ws.iter_rows(min_row=last_row - 1, max_row=last_row) for c in row if c.value]
    for label in (*paper.SIGNATURES, paper.STAMP, paper.DATE_LABEL):
        assert f"{label}：" in labels, label
    assert area.startswith("'") or area.startswith("$A$1") or "!$A$1:" in area
    assert f"${get_column_letter(len(form['fields']))}$" in area
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert not ws.oddFooter.left.text and not ws.oddFooter.right.text


def test_manifest_sheet_layout(blank):
    form = standard.form("manifest")
    ws = blank["报送信息"]
    assert ws["A1"].value == form_heading(form)
    assert [display(c.value) for c in ws[2]][: len(form["fields"])] == [f["title"] for f in form["fields"]]
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$2"
    # one value row, validated like the annexes
    for dv in ws.data_validations.dataValidation:
        assert str(dv.sqref).endswith("3")


@pytest.mark.parametrize("form_id", ["manifest", *ANNEXES])
def test_every_column_validated_from_its_definition(blank, form_id):
    form = standard.form(form_id)
    ws = blank[form["title"]]
    first = 3 if form_id == "manifest" else 4
    last = 3 if form_id == "manifest" else 3 + template_rows(form["fields"], 0)
    by_col = validations_by_column(ws)
    yes, no = standard.load()["boolean_labels"]["true"], standard.load()["boolean_labels"]["false"]
    for i, field in enumerate(form["fields"], start=1):
        letter = get_column_letter(i)
        ((dv, rng),) = by_col[letter]
        assert (rng.min_row, rng.max_row) == (first, last), field["name"]
        assert dv.showInputMessage and dv.promptTitle == field["title"][:32]
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
        when = required_when(form_id).get(field["name"])
        expected = "必填" if field["required"] else f"视情况必填：{when[0]}必填" if when else "可不填"
        assert dv.prompt.startswith(expected)
        t = field["type"]
        if t == "code":
            assert dv.type == "list"
            assert defined_list(blank, dv.formula1) == [
                item["label"] for item in standard.codelist(field["codelist"])["items"]
            ]
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
        elif t == "codes":
            # a drop-down offers each item; typing several, separated by 、, stays allowed (no error)
            assert dv.type == "list" and not dv.showErrorMessage
            assert defined_list(blank, dv.formula1) == [
                item["label"] for item in standard.codelist(field["codelist"])["items"]
            ]
            for item in standard.codelist(field["codelist"])["items"]:
                assert item["label"] in dv.prompt
            assert "“、”" in dv.prompt
        elif t == "boolean":
            assert dv.type == "list" and dv.formula1 == f'"{yes},{no}"'
        elif t == "integer":
            assert dv.type == "whole"
            if "minimum" in field:
                assert str(field["minimum"]) == dv.formula1
            if "maximum" in field:
                assert str(field["maximum"]) == dv.formula2
        elif t == "money":
            assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
        elif t == "date":
            assert (dv.type, dv.operator) == ("date", "greaterThanOrEqual")
            assert int(dv.formula1) == (EARLIEST_DATE - dt.date(1899, 12, 30)).days
            assert ws[f"{letter}{first}"].number_format == "yyyy-mm-dd"
        elif t == "id_number":
            assert (dv.type, dv.operator, dv.formula1) == ("textLength", "equal", "18")
        if t in ("id_number", "phone", "month") or field["name"] == "household_number":
            assert ws[f"{letter}{first}"].number_format == "@"
            assert ws[f"{letter}{last}"].number_format == "@"
        if dv.showErrorMessage:
            assert dv.error and dv.errorTitle and len(dv.error) <= 255


def test_instructions_explain_every_column(blank):
    text = "\n".join(str(v) for row in blank["填表说明"].values for v in row if v)
    for form_id in ["manifest", *ANNEXES]:
        form = standard.form(form_id)
        assert form["full_title"] in text
        for field in form["fields"]:
            assert field["title"] in text
            assert " ".join(field["description"].split()) in text or field["description"] in text
    assert "、" in text and standard.load()["notice"]["number"] in text


@pytest.mark.parametrize("form_id", [*ANNEXES, *STAGES])
def test_single_form_workbook(tmp_path, form_id):
    form = standard.form(form_id)
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "one.xlsx", forms=[form_id]))
    assert wb.sheetnames == ["填表说明", form["title"], "_lists", "_fpjc"]
    meta = {row[0]: row[1] for row in wb["_fpjc"].values}
    assert meta["template"] == form_id and meta["forms"] == form_id
    ws = wb[form["title"]]
    assert [display(c.value) for c in ws[3]][: len(form["fields"])] == [f["title"] for f in form["fields"]]
    assert ws.page_setup.orientation == "landscape"


def test_filled_values_are_what_excel_keeps(tmp_path):
    manifest = {
        "township": "黄坪镇",
        "report_month": "2020-07",
        "submitted_date": "2020-08-04",
        "zero_report": False,
        "stamped": True,
        "preparer": "李明",
        "reviewer": "王芳",
        "phone": "13812345678",
    }
    row = {
        "seq": "1",
        "head_id": "532932198001010011",
        "household_size": 4,
        "income_per_capita": "5600.5",
        "risk_types": ["因病", "因学"],
        "appraisal_date": "2020-07-10",
        "verify_date": "2020.07.15",  # not a date to Excel: stays text
        "income_drop": True,
        "phone": "08721234567",
    }
    path = write_workbook(tmp_path / "f.xlsx", {"manifest": [manifest], "annex1": [row]})
    wb = openpyxl.load_workbook(path)
    ws = wb["附件1"]
    cells = {display(ws.cell(3, c).value): ws.cell(4, c).value for c in range(1, ws.max_column + 1)}
    assert cells["序号"] == 1
    assert cells["户主身份证号"] == "532932198001010011"
    assert cells["上年度家庭人均可支配收入（元）"] == 5600.5
    assert cells["风险类型"] == "因病、因学"
    assert cells["民主评议日期"] == dt.datetime(2020, 7, 10)
    assert cells["乡镇核查日期"] == "2020.07.15"
    assert cells["收入大幅缩减"] == "是"
    assert cells["联系电话"] == "08721234567"
    block = [c.value for c in ws[2] if c.value is not None]
    assert block == [
        "填报单位（盖章）：",
        "黄坪镇",
        "报告月份：",
        "2020-07",
        "填报人：",
        "李明",
        "审核人：",
        "王芳",
        "填报日期：",
        dt.datetime(2020, 8, 4),
    ]
    m = wb["报送信息"]
    assert [c.value for c in m[3]][:5] == ["黄坪镇", "2020-07", dt.datetime(2020, 8, 4), "否", "是"]


def test_validation_grows_with_many_rows(tmp_path):
    rows = [{"seq": i} for i in range(1, 120)]
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "big.xlsx", {"annex2": rows}))
    ((dv, rng),) = validations_by_column(wb["附件2"])["A"]
    assert rng.max_row >= 3 + len(rows)


def test_columns_follow_the_definition_not_the_code(tmp_path, monkeypatch):
    # A county official adds a column to 附件1 in the YAML: the template follows with no code change.
    changed = copy.deepcopy(standard.load())
    annex1 = next(f for f in changed["forms"] if f["id"] == "annex1")
    annex1["fields"].insert(
        3,
        {
            "name": "natural_village",
            "title": "自然村",
            "type": "code",
            "codelist": "township",
            "required": True,
            "unique": False,
            "description": "测试用新增列。",
        },
    )
    monkeypatch.setattr(standard, "load", lambda: changed)
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "changed.xlsx"))
    ws = wb["附件1"]
    assert ws["D3"].value == "自然村"
    ((dv, _),) = validations_by_column(ws)["D"]
    assert dv.type == "list" and "自然村" in dv.promptTitle
    assert "自然村" in "".join(str(v) for row in wb["填表说明"].values for v in row if v)


def test_unknown_form_is_refused(tmp_path):
    with pytest.raises(KeyError):
        write_workbook(tmp_path / "x.xlsx", forms=["annex9"])
