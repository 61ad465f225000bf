"""Field checks on real files: a CSV and an Excel workbook read by `validator.reading`."""

from __future__ import annotations

import datetime as dt

import openpyxl

from validator import standard
from validator.fields.check import compile_table
from validator.reading import open_package

TODAY = dt.date(2020, 8, 10)
FORM = standard.form("annex1")
TITLES = [f["title"] for f in FORM["fields"]]


def check_file(path, *, show=False):
    package = open_package([path])
    (table,) = [t for t in package.tables if t.resource == "annex1"]
    found = []
    check_row = compile_table(FORM, table, emit=found.append, show_personal_data=show, today=TODAY)
    rows = {row: check_row(row, cells) for row, cells in table.rows}
    return rows, found


def test_csv_file(tmp_path):
    good = "1,云鹤镇,新华村委会,第三组,张三,532932198503150011,,2016,一般贫困户,4,,,5000,,否,因病,户主患病住院,农户申请,2020-07-03,,2020-07-08,医疗救助,,,"
    bad = '2,六合乡,新华村委会,第三组,张 三,53293219850315001X,,2016,一般户,4,138 1234 5678,,"5,000",,否,因病、因病,户主患病住院,农户申请,2020/7/3,,2020-07-08,医疗救助,,,'
    path = tmp_path / "annex1.csv"
    path.write_text(",".join(TITLES) + "\n" + good + "\n" + bad + "\n", encoding="utf-8")
    rows, found = check_file(path)
    assert rows[2]["head_id"] == "532932198503150011"
    assert rows[2]["appraisal_date"] == dt.date(2020, 7, 3)
    assert rows[3]["township"] == "六合彝族乡"
    assert rows[3]["head_name"] == "张三"
    assert rows[3]["phone"] == "13812345678"
    assert rows[3]["income_per_capita"] == 5000.0
    assert rows[3]["risk_types"] == ("因病",)
    assert "head_id" not in rows[3]
    got = [(f.rule, f.cell) for f in found]
    assert got == [
        ("F031", "B3"),
        ("F044", "E3"),
        ("D007", "F3"),
        ("F031", "I3"),
        ("F061", "K3"),
        ("F007", "M3"),
        ("F032", "P3"),
        ("F012", "S3"),
    ]
    assert all(f.source == "annex1.csv" and f.sheet is None and f.resource == "annex1" for f in found)
    by_rule = {f.rule: f for f in found}
    assert by_rule["D007"].value == "532932********001X"
    assert by_rule["F044"].value == "张**"
    assert by_rule["F061"].value == "138 **** 5678"


def test_excel_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    ws.append(["附件1 鹤庆县返贫预警情况统计表"])
    ws.append(TITLES)
    ws.append(
        [1, "云鹤镇", "新华村委会", "第三组", "张三", "532932198503150011", "5329321010010001", 2016, "一般贫困户", 4,
         13812345678, None, 5000, 1200.5, True, "因病", "户主患病住院", "农户申请",
         dt.datetime(2020, 7, 3), None, dt.datetime(2020, 7, 8), "医疗救助", None, None, None]
    )  # fmt: skip
    ws.append(
        [2, "云鹤镇", "新华村委会", dt.datetime(2020, 3, 1), "李四", 532932198503150011, 5.329321010010001e15, 2016,
         "一般贫困户", 4, 8724123456, None, "5000元", 1200.555, "是", "因病", "户主患病住院", "农户申请",
         44015, None, dt.datetime(2020, 7, 8), "医疗救助", None, None, None]
    )  # fmt: skip
    path = tmp_path / "附件1.xlsx"
    wb.save(path)
    rows, found = check_file(path)
    first = rows[3]
    assert first["seq"] == 1 and first["exit_year"] == 2016 and first["income_per_capita"] == 5000.0
    assert first["appraisal_date"] == dt.date(2020, 7, 3) and first["income_drop"] is True
    assert first["phone"] == "13812345678"
    assert [(f.rule, f.cell) for f in found if f.row == 3] == [("F061", "K3"), ("F021", "O3")]
    assert [(f.rule, f.cell) for f in found if f.row == 4] == [
        ("F051", "D4"),
        ("D003", "F4"),
        ("F050", "G4"),
        ("F060", "K4"),
        ("F004", "M4"),
        ("F006", "N4"),
        ("F010", "S4"),
    ]
    assert all(f.sheet == "附件1" and f.source == "附件1.xlsx" for f in found)
    assert "设为“文本”" in next(f for f in found if f.rule == "D003").hint
    assert "2020-07-03" in next(f for f in found if f.rule == "F010").message  # the Excel serial, decoded
    second = rows[4]
    assert set(second) == {
        "seq", "township", "village", "head_name", "exit_year", "poor_attr", "household_size", "income_drop",
        "risk_types", "risk_note", "discovery", "verify_date", "measures",
    }  # fmt: skip
