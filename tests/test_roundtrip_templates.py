"""Round trips: fill our own templates, validate, re-save with LibreOffice, print to PDF, re-encode CSV.

The validator must read its templates unchanged (title row, header block, hidden sheets and
all) and report exactly the mistakes planted in the faulty rows, no more, no fewer.
"""

from __future__ import annotations

import copy
import datetime as dt

import openpyxl
import pytest

from tests.roundtrip_support import convert
from validator import standard
from validator.api import validate
from validator.outputs.csvfiles import csv_file_name, write_csv
from validator.outputs.workbook import write_workbook
from validator.reading.headers import display

TODAY = dt.date(2020, 8, 10)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(birth: str, seq: int, *, wrong_check: bool = False) -> str:
    """A synthetic 鹤庆县 ID number with a correct (or deliberately wrong) check character."""
    body = f"532932{birth}{seq:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    if wrong_check:
        check = "0" if check != "0" else "1"
    return body + check


MANIFEST = {
    "township": "黄坪镇",
    "report_month": "2020-07",
    "submitted_date": "2020-08-04",
    "zero_report": "否",
    "stamped": "是",
    "preparer": "杨丽华",
    "reviewer": "段志强",
    "phone": "13887654321",
}


def annex1_row(seq: int, **changes) -> dict:
    row = {
        "seq": seq,
        "township": "黄坪镇",
        "village": "新庄村委会",
        "village_group": "上村",
        "head_name": "杨建华",
        "head_id": resident_id("19650312", 10 + seq),
        "household_number": f"53293210400{seq:05d}",
        "exit_year": 2017,
        "poor_attr": "一般贫困户",
        "household_size": 4,
        "phone": "13812345678",
        "focus_groups": ["重病户"],
        "income_per_capita": 5200,
        "rigid_expense": 12000,
        "income_drop": "否",
        "risk_types": ["因病"],
        "risk_note": "户主患慢性病需长期治疗",
        "discovery": "农户申请",
        "appraisal_date": "2020-07-06",
        "verify_date": "2020-07-10",
        "measures": ["医疗救助", "就业扶持"],
        "measures_note": "落实大病保险报销，推荐子女到县城务工",
        "helper": "李成",
        "remark": "",
    }
    row.update(changes)
    return row


def annex2_row(seq: int, **changes) -> dict:
    row = {
        "seq": seq,
        "township": "黄坪镇",
        "village": "黄坪村委会",
        "village_group": "下营",
        "head_name": "赵桂芬",
        "head_id": resident_id("19720801", 200 + seq),
        "household_size": 3,
        "social_security": ["无"],
        "phone": "0872-4123456",
        "focus_groups": [],
        "income_per_capita": 6800,
        "rigid_expense": 30000,
        "income_drop": "是",
        "risk_types": ["因灾", "收入大幅缩减"],
        "risk_note": "七月洪灾冲毁承包地，当年收入大减",
        "discovery": "干部走访排查",
        "appraisal_date": "2020-07-13",
        "verify_date": "2020-07-17",
        "measures": ["产业扶持"],
        "measures_note": "",
        "helper": "王杰",
        "remark": "",
    }
    row.update(changes)
    return row


def annex3_row(seq: int, **changes) -> dict:
    row = {
        "seq": seq,
        "township": "黄坪镇",
        "village": "新庄村委会",
        "village_group": "中村",
        "head_name": "李文彬",
        "head_id": resident_id("19580115", 300 + seq),
        "household_size": 5,
        "warning_type": "返贫预警",
        "identified_month": "2020-03",
        "risk_types": ["因病"],
        "measures_done": ["医疗救助"],
        "income_per_capita_release": 7800,
        "release_way": "帮扶消除",
        "release_reason": "医疗费用报销后家庭收入恢复稳定",
        "release_date": "2020-07-20",
        "system_marked": "是",
        "remark": "",
    }
    row.update(changes)
    return row


def valid_data() -> dict[str, list[dict]]:
    return {
        "manifest": [dict(MANIFEST)],
        "annex1": [annex1_row(1), annex1_row(2, head_name="杨丽", household_size=2)],
        "annex2": [annex2_row(1)],
        "annex3": [annex3_row(1)],
    }


# Faulty rows appended to 附件1 (rows 6–10 of the sheet: data starts on row 4), each with
# exactly one planted mistake, and the finding (rule, A1 cell) each must produce.
FAULTY_ANNEX1 = [
    (dict(head_id=resident_id("19650312", 33, wrong_check=True)), "D007", "F"),
    (dict(household_size=0), "F003", "J"),
    (dict(risk_types=["因病", "因穷"]), "F030", "P"),
    (dict(appraisal_date="2020-02-30"), "F011", "S"),
    (dict(village=""), "F001", "C"),
]


def faulty_data() -> tuple[dict[str, list[dict]], list[tuple[str, str, str]]]:
    data = valid_data()
    expected = []
    for offset, (changes, rule, column) in enumerate(FAULTY_ANNEX1):
        seq = len(data["annex1"]) + 1
        data["annex1"].append(annex1_row(seq, **changes))
        expected.append((rule, "附件1", f"{column}{3 + seq}"))
        assert offset + 3 == seq
    return data, expected


def findings(report: dict, *, severities=("error", "warning")) -> list[tuple]:
    return sorted(
        (f["rule"], f["sheet"], f["cell"]) for f in report["findings"] if f["severity"] in severities
    )


def xlsx_input(report: dict) -> dict:
    (entry,) = [i for i in report["inputs"] if i["kind"] == "xlsx"]
    return entry


def comparable(report: dict) -> list[dict]:
    """Findings without the file name, to compare the same content read from different files."""
    out = []
    for f in report["findings"]:
        f = {k: v for k, v in f.items() if k != "source"}
        out.append(f)
    return out


# ---------------------------------------------------------------------------
# openpyxl fills the generated workbook


def test_blank_template_is_read_as_our_template(tmp_path):
    report = validate(write_workbook(tmp_path / "blank.xlsx"), today=TODAY)
    # Structure is recognised: no unknown sheet, missing/unknown column, header or version problem.
    assert {f["rule"] for f in report["findings"]} <= {"T011", "F001"}
    assert xlsx_input(report)["template_version"] == standard.version()
    assert report["summary"]["rows"] == {"manifest": 0, "annex1": 0, "annex2": 0, "annex3": 0}


def test_blank_template_is_not_a_valid_submission(tmp_path):
    report = validate(write_workbook(tmp_path / "blank.xlsx"), today=TODAY)
    assert report["valid"] is False
    assert any(f["resource"] == "manifest" and f["severity"] == "error" for f in report["findings"])


def test_filled_valid_workbook_has_no_findings(tmp_path):
    report = validate(write_workbook(tmp_path / "valid.xlsx", valid_data()), today=TODAY)
    assert findings(report, severities=("error", "warning", "info")) == []
    assert report["valid"] is True
    assert report["summary"]["rows"] == {"manifest": 1, "annex1": 2, "annex2": 1, "annex3": 1}


def test_filled_faulty_workbook_has_exactly_the_planted_findings(tmp_path):
    data, expected = faulty_data()
    report = validate(write_workbook(tmp_path / "faulty.xlsx", data), today=TODAY)
    assert findings(report) == sorted(expected)
    assert report["valid"] is False


def fill_blank_template(blank, target, data: dict[str, list[dict]]):
    """Type `data` into a blank generated workbook cell by cell, found by the column headers.

    Values are converted the way Excel stores what a clerk types: ISO dates become date cells,
    numbers in number columns become numbers, lists are joined with "、".
    """
    wb = openpyxl.load_workbook(blank)
    for form_id, rows in data.items():
        form = standard.form(form_id)
        ws = wb[form["title"]]
        header_row = 2 if form["kind"] == "manifest" else 3
        by_title = {f["title"]: f for f in form["fields"]}
        columns = {
            by_title[display(c.value)]["name"]: (c.column, by_title[display(c.value)])
            for c in ws[header_row]
            if display(c.value) in by_title
        }
        for offset, row in enumerate(rows):
            for name, value in row.items():
                col, field = columns[name]
                if isinstance(value, list):
                    value = "、".join(value)
                if field["type"] == "date" and isinstance(value, str) and len(value) == 10:
                    try:
                        value = dt.date.fromisoformat(value)
                    except ValueError:
                        pass
                ws.cell(header_row + 1 + offset, col).value = None if value == "" else value
    # the header block: each value cell follows its label cell
    manifest = data["manifest"][0]
    block = {
        "填报单位（盖章）：": manifest["township"],
        "报告月份：": manifest["report_month"],
        "填报人：": manifest["preparer"],
        "审核人：": manifest["reviewer"],
        "填报日期：": dt.date.fromisoformat(manifest["submitted_date"]),
    }
    for form_id in data:
        if form_id == "manifest":
            continue
        ws = wb[standard.form(form_id)["title"]]
        labels = [c for c in ws[2] if c.value in block]
        for label in labels:
            merged = next((r for r in ws.merged_cells.ranges if label.coordinate in r), None)
            value_col = (merged.max_col if merged else label.column) + 1
            ws.cell(2, value_col).value = block[label.value]
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def test_blank_template_filled_by_hand_validates_like_write_workbook(tmp_path):
    data, expected = faulty_data()
    blank = write_workbook(tmp_path / "blank.xlsx")
    typed = fill_blank_template(blank, tmp_path / "typed" / "faulty.xlsx", data)
    generated = write_workbook(tmp_path / "faulty.xlsx", data)
    typed_report = validate(typed, today=TODAY)
    assert findings(typed_report) == sorted(expected)
    assert comparable(typed_report) == comparable(validate(generated, today=TODAY))
    # openpyxl kept the template's drop-downs and hidden sheets while saving
    wb = openpyxl.load_workbook(typed)
    assert wb["_fpjc"].sheet_state == "hidden" and wb["附件1"].data_validations.dataValidation


def test_header_block_is_read_from_the_template(tmp_path):
    from validator.reading import open_package

    package = open_package([write_workbook(tmp_path / "valid.xlsx", valid_data())])
    annex1 = next(t for t in package.tables if t.resource == "annex1")
    assert annex1.header_row == 3
    assert annex1.meta["title"] == "附件1 鹤庆县返贫预警情况统计表"
    block = annex1.meta["header_block"]
    assert block["报告月份"] == "2020-07" and block["填报人"] == "杨丽华" and block["审核人"] == "段志强"
    assert "黄坪镇" in str(block["填报单位"])


def test_old_template_version_is_warned(tmp_path):
    path = write_workbook(tmp_path / "old.xlsx", valid_data())
    wb = openpyxl.load_workbook(path)
    meta = wb["_fpjc"]
    for row in meta.iter_rows():
        if row[0].value == "standard_version":
            row[1].value = "0.9.0"
    wb.save(path)
    report = validate(path, today=TODAY)
    assert findings(report) == [("S014", "_fpjc", None)]
    assert "0.9.0" in report["findings"][0]["message"]


def test_single_form_workbooks_are_read(tmp_path):
    for form_id in ("annex1", "annex3"):
        data = valid_data()
        path = write_workbook(tmp_path / f"{form_id}.xlsx", {form_id: data[form_id]}, forms=[form_id])
        report = validate(path, today=TODAY)
        # The single-annex workbook is read whole; only the manifest (报送信息) is reported missing.
        assert findings(report) == [("S005", None, None)], form_id
        assert report["summary"]["rows"][form_id] == len(data[form_id])


# ---------------------------------------------------------------------------
# LibreOffice opens and re-saves; the findings do not change


@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_findings(tmp_path):
    data, _ = faulty_data()
    cases = {
        "blank": write_workbook(tmp_path / "src" / "blank.xlsx"),
        "valid": write_workbook(tmp_path / "src" / "valid.xlsx", valid_data()),
        "faulty": write_workbook(tmp_path / "src" / "faulty.xlsx", data),
    }
    for name, src in cases.items():
        resaved = convert(src, "xlsx", tmp_path / "lo", tmp_path / "profile")
        before, after = validate(src, today=TODAY), validate(resaved, today=TODAY)
        assert comparable(after) == comparable(before), name
        assert xlsx_input(after)["template_version"] == standard.version(), name


@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_template_structure(tmp_path):
    src = write_workbook(tmp_path / "src" / "blank.xlsx")
    resaved = convert(src, "xlsx", tmp_path / "lo", tmp_path / "profile")
    a, b = openpyxl.load_workbook(src), openpyxl.load_workbook(resaved)
    assert b.sheetnames == a.sheetnames
    assert [b[s].sheet_state for s in b.sheetnames] == [a[s].sheet_state for s in a.sheetnames]
    for sheet in ("报送信息", "附件1", "附件2", "附件3"):
        kinds_a = sorted(str(dv.type) for dv in a[sheet].data_validations.dataValidation)
        kinds_b = sorted(str(dv.type) for dv in b[sheet].data_validations.dataValidation)
        assert kinds_b == kinds_a, sheet
        assert b[sheet].page_setup.orientation == "landscape"
        assert b[sheet].print_title_rows == a[sheet].print_title_rows
        assert b[sheet].print_title_cols == a[sheet].print_title_cols
        assert [x.id for x in b[sheet].col_breaks.brk] == [x.id for x in a[sheet].col_breaks.brk]
        assert b[sheet].print_area == a[sheet].print_area
        assert b[sheet].sheet_properties.pageSetUpPr.fitToPage  # one page wide (tests/test_paper.py)
        # (Frozen panes are view settings: headless LibreOffice has no view and drops them.)


# ---------------------------------------------------------------------------
# Printing: measured on LibreOffice's PDF in tests/test_paper.py


# ---------------------------------------------------------------------------
# CSV templates: UTF-8 with BOM and GB18030 give the same findings


def _csv_package(folder, data, encoding):
    for form_id, rows in data.items():
        write_csv(folder / csv_file_name(form_id), form_id, rows, encoding=encoding)
    return folder


def test_csv_templates_filled_utf8_and_gb18030_validate_the_same(tmp_path):
    data, _ = faulty_data()
    data = copy.deepcopy(data)
    utf8 = validate(_csv_package(tmp_path / "utf8", data, "utf-8-sig"), today=TODAY)
    gb = validate(_csv_package(tmp_path / "gb", data, "gb18030"), today=TODAY)
    assert (tmp_path / "gb" / "附件1.csv").read_bytes()[:3] != b"\xef\xbb\xbf"
    # GB18030 is reported once per file as information; everything else is identical.
    legacy = [f for f in gb["findings"] if f["rule"] == "S004"]
    assert len(legacy) == len(data)
    assert [f for f in comparable(gb) if f["rule"] != "S004"] == comparable(utf8)
    # and the planted mistakes are found in the CSV rows (header on line 1, data from line 2)
    planted = sorted(
        (rule, f"{column}{1 + seq}") for seq, (_, rule, column) in enumerate(FAULTY_ANNEX1, start=3)
    )
    got = sorted((f["rule"], f["cell"]) for f in utf8["findings"] if f["severity"] in ("error", "warning"))
    assert got == planted
    assert {i["encoding"] for i in gb["inputs"] if i["kind"] == "csv"} == {"gb18030"}


def assessment_rows(data: dict) -> list[dict]:
    """县级研判记录 for the three warned/released households; the third has two planted slips."""

    def record(seq, household, date, **changes):
        row = {
            "seq": seq,
            "township": "黄坪镇",
            "head_name": household["head_name"],
            "head_id": household["head_id"],
            "meeting_date": date,
            "departments": ["扶贫", "医保", "民政"],
            "decision": "认定",
            "category": "脱贫监测户",
            "remark": "",
        }
        row.update(changes)
        return row

    a1, a2, a3 = data["annex1"][0], data["annex1"][1], data["annex3"][0]
    return [
        record(1, a3, "2020-03-27"),
        record(2, a1, "2020-08-06"),
        # 税务 is not one of the eight the notice lists (accepted: "等", a note); 脱贫不稳定户 is the
        # 2021 name of 脱贫监测户 (a note)
        record(3, a2, "2020-08-06", departments=["扶贫", "税务"], category="脱贫不稳定户"),
    ]


def test_stage_record_sheet_in_the_workbook(tmp_path):
    data = valid_data()
    data["assessment"] = assessment_rows(data)
    report = validate(write_workbook(tmp_path / "with-stage.xlsx", data), today=TODAY)
    assert findings(report, severities=("error", "warning", "info")) == [
        ("F031", "县级研判记录", "H6"),
        ("F035", "县级研判记录", "F6"),
    ]


def test_stage_record_single_form_workbook(tmp_path):
    data = valid_data()
    rows = assessment_rows(data)
    path = write_workbook(tmp_path / "assessment.xlsx", {"assessment": rows}, forms=["assessment"])
    report = validate(path, today=TODAY)
    # alone, the records miss the manifest and the annexes their households come from
    assert findings(report) == sorted(
        [("S005", None, None)] + [("G001", "县级研判记录", f"D{r}") for r in (4, 5, 6)]
    )


def test_blank_csv_templates_are_recognised(tmp_path):
    from validator.outputs.csvfiles import write_csv_templates

    write_csv_templates(tmp_path, [f["id"] for f in standard.forms()])
    report = validate(tmp_path, today=TODAY)
    # every file is recognised by its name and every header by its title: no S findings at all
    assert not [f for f in report["findings"] if f["rule"].startswith("S")]
    assert sorted(i["path"] for i in report["inputs"] if i["kind"] == "csv") == sorted(
        f"{f['title']}.csv" for f in standard.forms()
    )
    assert {i["encoding"] for i in report["inputs"] if i["kind"] == "csv"} == {"utf-8-sig"}


# ---------------------------------------------------------------------------
# The signature rows at the foot of each form: not data, however the clerk fills around them


def _signature_row(ws) -> int:
    return next(
        r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("填报人（签字）")
    )


def _sign(ws, row: int) -> None:
    """Names beside 填报人（签字） and 审核人（签字）, the date under the stamp, as a clerk writes them."""
    from openpyxl.cell.cell import MergedCell

    blanks = [
        c for c in ws[row] if not isinstance(c, MergedCell) and c.value is None and c.border.bottom.style
    ]
    for cell, name in zip(blanks, ("李明", "王芳", "黄坪镇人民政府"), strict=False):
        cell.value = name
    for cell in ws[row + 1]:
        if isinstance(cell.value, str) and cell.value.endswith("日"):
            cell.value = "2020年8月4日"


def _move_rows(ws, at: int, amount: int) -> None:
    """Insert (amount > 0) or delete (amount < 0) rows at `at`, moving merged ranges along (as
    Excel does; openpyxl leaves them where they were)."""
    moved = [r for r in ws.merged_cells.ranges if r.min_row >= at]
    for r in moved:
        ws.merged_cells.remove(r)
    if amount > 0:
        ws.insert_rows(at, amount)
    else:
        ws.delete_rows(at, -amount)
    for r in moved:
        r.shift(row_shift=amount)
        ws.merged_cells.add(r)


def _signed_workbook(tmp_path):
    path = write_workbook(tmp_path / "signed.xlsx", valid_data())
    wb = openpyxl.load_workbook(path)
    for title in ("附件1", "附件2", "附件3"):
        ws = wb[title]
        row = _signature_row(ws)
        _move_rows(ws, row - 3, -2)  # two blank rows deleted
        _move_rows(ws, row - 4, 3)  # three inserted among the blank rows
        _sign(ws, _signature_row(ws))
    _sign(wb["报送信息"], _signature_row(wb["报送信息"]))
    wb.save(path)
    return path


def test_signature_rows_are_not_data(tmp_path):
    """A filled template, signed and dated, with blank rows deleted and inserted above the
    signatures: the same (no) findings as the data alone."""
    report = validate(_signed_workbook(tmp_path), today=TODAY)
    assert findings(report, severities=("error", "warning", "info")) == []


def test_content_below_the_signatures_is_reported_once(tmp_path):
    path = _signed_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["附件3"]
    below = _signature_row(ws) + 3
    ws.cell(below, 1).value = 9
    ws.cell(below, 5).value = "赵某"
    wb.save(path)
    report = validate(path, today=TODAY)
    assert findings(report) == [("S024", "附件3", None)]
    assert f"第{below}行" in report["findings"][0]["message"]


@pytest.mark.libreoffice
def test_signed_template_resaved_by_libreoffice_has_no_findings(tmp_path):
    resaved = convert(_signed_workbook(tmp_path), "xlsx", tmp_path / "lo", tmp_path / "profile")
    report = validate(resaved, today=TODAY)
    assert findings(report, severities=("error", "warning", "info")) == []
