"""Field checks compiled per table: real cell values (CSV strings and openpyxl values) in,
parsed values and findings out."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from validator import standard
from validator.fields.check import MEMO_LIMIT, compile_table
from validator.findings import column_letter
from validator.tables import Column, Table
from validator.values.idnumber import check_digit, check_id

TODAY = dt.date(2020, 8, 10)
ABSENT = "<absent>"


def compile_fields(form_id: str, names: list[str], *, show: bool = False, headers: dict | None = None):
    """check_row for a table holding only the named columns of the form, in that order."""
    form = standard.form(form_id)
    by_name = {f["name"]: f for f in form["fields"]}
    headers = headers or {}
    columns = [
        Column(i, column_letter(i), headers.get(name, by_name[name]["title"]), name)
        for i, name in enumerate(names)
    ]
    table = Table(form_id, f"{form_id}.csv", None, 1, columns, [])
    found: list = []
    check_row = compile_table(form, table, emit=found.append, show_personal_data=show, today=TODAY)
    return check_row, found


def one(form_id: str, name: str, cell, *, show: bool = False, row: int = 2):
    """Check one cell: (parsed value or ABSENT, [(rule, severity)], findings)."""
    check_row, found = compile_fields(form_id, [name], show=show)
    values = check_row(row, [cell])
    return values.get(name, ABSENT), [(f.rule, f.severity) for f in found], found


def rules_of(form_id, name, cell):
    return [r for r, _ in one(form_id, name, cell)[1]]


# --- required, blank, whitespace ------------------------------------------------------------


@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000"])
def test_required_blank_is_an_error(cell):
    value, rules, found = one("annex1", "village", cell, row=7)
    assert value is ABSENT
    assert rules == [("F001", "error")]
    f = found[0]
    assert (f.resource, f.row, f.field, f.column, f.cell, f.source) == (
        "annex1",
        7,
        "village",
        "村委会（社区）",
        "A7",
        "annex1.csv",
    )
    assert "村委会（社区）" in f.message and f.hint


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_optional_blank_is_silent_and_absent(cell):
    for name in ("phone", "remark", "rigid_expense", "focus_groups", "income_drop", "household_number"):
        assert one("annex1", name, cell)[:2] == (ABSENT, [])


def test_text_is_stripped_silently_and_inner_spaces_kept():
    assert one("annex1", "village", "  新华 村委会 ")[:2] == ("新华 村委会", [])


def test_text_lengths():
    assert rules_of("annex1", "risk_note", "因病") == ["F042"]
    assert one("annex1", "risk_note", "因病致贫")[:2] == ("因病致贫", [])
    assert rules_of("annex1", "village_group", "组" * 51) == ["F041"]
    assert one("annex1", "village_group", "组" * 50)[1] == []


def test_numbers_in_text_columns():
    assert one("annex1", "village_group", 3)[:2] == ("3", [])
    assert one("annex1", "village_group", 3.0)[:2] == ("3", [])
    assert one("annex1", "household_number", 532932101001)[:2] == ("532932101001", [])
    # Excel kept 15 significant digits of a longer number
    assert rules_of("annex1", "household_number", 5.32932101001001e17) == ["F050"]
    assert rules_of("annex1", "household_number", 5329321010010012) == ["F050"]
    assert rules_of("annex1", "household_number", "5.32932E+15") == ["F050"]


def test_date_cell_in_text_column():
    value, rules, found = one("annex1", "village_group", dt.datetime(2020, 3, 1))
    assert (value, rules) == (ABSENT, [("F051", "error")])
    assert "2020-03-01" in found[0].message


def test_pattern():
    assert one("annex1", "household_number", "5329321010010001")[:2] == ("5329321010010001", [])
    value, rules, found = one("annex1", "household_number", "53293210-01")
    assert rules == [("F040", "error")]
    assert "只填数字" in found[0].message
    assert rules_of("annex1", "household_number", "５３２９") == ["F040"]


# --- integers and money ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"), [("4", 4), (4, 4), (4.0, 4), ("4.0", 4), (" 4 ", 4), ("04", 4), ("４", 4)]
)
def test_integer_accepted(cell, value):
    assert one("annex1", "household_size", cell)[:2] == (value, [])


@pytest.mark.parametrize("cell", ["4人", "四", "4.5", 4.5, "1e1", True])
def test_integer_invalid(cell):
    assert rules_of("annex1", "household_size", cell) == ["F002"]


def test_integer_date_cell():
    assert rules_of("annex1", "household_size", dt.date(2020, 1, 4)) == ["F051"]


def test_integer_range():
    value, rules, found = one("annex1", "household_size", "0")
    assert (value, rules) == (ABSENT, [("F003", "error")])
    assert "1—20" in found[0].message
    assert rules_of("annex1", "household_size", 21) == ["F003"]
    assert rules_of("annex1", "exit_year", "2021") == ["F003"]
    assert rules_of("annex1", "exit_year", "2013") == ["F003"]
    assert one("annex1", "exit_year", 2014)[:2] == (2014, [])
    assert rules_of("annex1", "seq", "0") == ["F003"]
    assert rules_of("annex1", "seq", "-1") == ["F003"]
    assert one("annex1", "seq", "100000")[:2] == (100000, [])


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("5000", 5000.0),
        ("5000.5", 5000.5),
        ("5000.25", 5000.25),
        ("5000.50", 5000.5),
        ("5000.500", 5000.5),
        ("0", 0.0),
        (".5", 0.5),
        (5000, 5000.0),
        (5000.25, 5000.25),
        (0.1 + 0.2, 0.3),  # a formula result with binary noise
    ],
)
def test_money_accepted(cell, value):
    assert one("annex1", "income_per_capita", cell)[:2] == (value, [])


def test_money_thousands_separator_is_accepted_with_info():
    value, rules, found = one("annex1", "income_per_capita", "12,345.6")
    assert (value, rules) == (12345.6, [("F007", "info")])
    assert "12345.6" in found[0].message


@pytest.mark.parametrize(
    ("cell", "rule"),
    [
        ("5000元", "F004"),
        ("0.5万", "F004"),
        ("五千", "F004"),
        ("1e3", "F004"),
        ("nan", "F004"),
        ("-100", "F005"),
        (-100, "F005"),
        ("5000.125", "F006"),
        (5000.125, "F006"),
        ("1,23", "F004"),
        (dt.datetime(2020, 1, 1), "F051"),
    ],
)
def test_money_problems(cell, rule):
    assert rules_of("annex1", "income_per_capita", cell) == [rule]


def test_money_yuan_message_says_what_to_do():
    found = one("annex1", "income_per_capita", "5000元")[2]
    assert "不要写“元”" in found[0].message


# --- dates, months, booleans ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "rules"),
    [
        ("2020-07-05", []),
        (dt.datetime(2020, 7, 5), []),
        (dt.datetime(2020, 7, 5, 14, 30), []),
        (dt.date(2020, 7, 5), []),
        ("2020/7/5", ["F012"]),
        ("2020-7-5", ["F012"]),
        ("2020.07.05", ["F012"]),
        ("2020年7月5日", ["F012"]),
        ("2020年07月05号", ["F012"]),
        ("20200705", ["F012"]),
        (20200705, ["F012"]),
        ("2020-07-05 00:00:00", ["F012"]),
        ("２０２０-０７-０５", ["F012"]),
    ],
)
def test_dates_accepted(cell, rules):
    value, found_rules, _ = one("annex1", "appraisal_date", cell)
    assert value == dt.date(2020, 7, 5)
    assert [r for r, _ in found_rules] == rules


@pytest.mark.parametrize(
    ("cell", "rule", "detail"),
    [
        ("2020-02-30", "F011", ""),
        ("2020/4/31", "F011", ""),
        ("7月5日", "F010", "缺少年份"),
        ("44017", "F010", "2020-07-05"),
        (44017, "F010", "2020-07-05"),
        ("2020-07", "F010", ""),
        ("0202-07-05", "F010", "年份"),
        ("下旬", "F010", ""),
        ("2020-7/5", "F010", ""),
    ],
)
def test_date_problems(cell, rule, detail):
    value, rules, found = one("annex1", "appraisal_date", cell)
    assert value is ABSENT
    assert [r for r, _ in rules] == [rule]
    assert detail in found[0].message


@pytest.mark.parametrize(
    ("cell", "rules"),
    [
        ("2020-07", []),
        (dt.datetime(2020, 7, 1), []),
        ("2020/7", ["F014"]),
        ("2020.7", ["F014"]),
        ("2020年7月", ["F014"]),
        ("2020年07月份", ["F014"]),
        ("202007", ["F014"]),
        (202007, ["F014"]),
        ("2020-07-15", ["F014"]),
        (dt.datetime(2020, 7, 15), ["F014"]),
    ],
)
def test_months_accepted(cell, rules):
    value, found_rules, _ = one("manifest", "report_month", cell)
    assert value == dt.date(2020, 7, 1)
    assert [r for r, _ in found_rules] == rules


@pytest.mark.parametrize("cell", ["七月", "7月", "2020-13", "2020-00", "2020", "2020-02-30"])
def test_month_problems(cell):
    assert rules_of("manifest", "report_month", cell) == ["F013"]


@pytest.mark.parametrize(
    ("cell", "value", "rules"),
    [
        ("是", True, []),
        ("否", False, []),
        (" 是 ", True, []),
        (True, True, ["F021"]),
        (False, False, ["F021"]),
        ("TRUE", True, ["F021"]),
        ("y", True, ["F021"]),
        ("N", False, ["F021"]),
        ("1", True, ["F021"]),
        (0, False, ["F021"]),
    ],
)
def test_booleans(cell, value, rules):
    got, found_rules, _ = one("manifest", "stamped", cell)
    assert got is value
    assert [r for r, _ in found_rules] == rules


@pytest.mark.parametrize("cell", ["已盖", "对", "2", 2, "是的"])
def test_boolean_problems(cell):
    assert rules_of("manifest", "stamped", cell) == ["F020"]


# --- code lists -----------------------------------------------------------------------------


def test_code_label_code_and_synonym():
    assert one("annex1", "township", "云鹤镇")[:2] == ("云鹤镇", [])
    value, rules, found = one("annex1", "township", "六合乡")
    assert (value, rules) == ("六合彝族乡", [("F031", "info")])
    assert "六合彝族乡" in found[0].message
    assert one("annex1", "township", "532932101")[:2] == ("云鹤镇", [("F031", "info")])
    assert one("annex1", "township", 532932101)[:2] == ("云鹤镇", [("F031", "info")])
    assert one("annex1", "poor_attr", "一般户")[0] == "一般贫困户"


def test_code_unknown_suggests_the_closest_or_lists_labels():
    value, rules, found = one("annex1", "township", "云鹤")
    assert (value, rules) == (ABSENT, [("F030", "error")])
    assert "是否应为“云鹤镇”" in found[0].message
    found = one("annex1", "discovery", "上级通知")[2]
    assert "农户申请、干部走访排查、部门筛查预警" in found[0].message


def test_code_date_cell():
    assert rules_of("annex1", "township", dt.datetime(2020, 1, 1)) == ["F051"]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("因病", ("因病",)),
        ("因病、因学", ("因病", "因学")),
        ("因病,因学", ("因病", "因学")),
        ("因病，因学", ("因病", "因学")),
        ("因病;因学；因残", ("因病", "因学", "因残")),
        ("因病\n因学", ("因病", "因学")),
        (" 因病 、 因学 、", ("因病", "因学")),
    ],
)
def test_code_lists_accepted(cell, value):
    assert one("annex1", "risk_types", cell)[:2] == (value, [])


def test_code_list_synonyms_and_duplicates():
    value, rules, found = one("annex1", "risk_types", "因自然灾害、因灾、因病")
    assert value == ("因灾", "因病")
    assert rules == [("F031", "info"), ("F032", "warning")]
    assert "因灾" in found[1].message


def test_code_list_unknown_item():
    value, rules, found = one("annex1", "risk_types", "因病、其他事")
    assert (value, rules) == (ABSENT, [("F030", "error")])
    assert "“其他事”" in found[0].message and "“其他”" in found[0].message


def test_code_list_counts():
    six = "因病、因残、因学、因灾、因意外事故、缺劳动力"
    value, rules, found = one("annex1", "risk_types", six)
    assert (value, rules) == (ABSENT, [("F033", "error")])
    assert "1—5项" in found[0].message and "6项" in found[0].message
    assert one("annex1", "risk_types", "、")[1] == [("F001", "error")]
    assert one("annex1", "focus_groups", "、")[:2] == (ABSENT, [])


def test_none_is_exclusive():
    assert one("annex2", "social_security", "无")[:2] == (("无",), [])
    assert one("annex2", "social_security", "低保、残疾人两项补贴")[0] == ("低保", "残疾人两项补贴")
    value, rules, found = one("annex2", "social_security", "低保、无")
    assert (value, rules) == (ABSENT, [("F034", "error")])
    assert one("annex2", "social_security", "没有")[:2] == (("无",), [("F031", "info")])


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["张三", "欧阳娜娜", "阿依古丽·买买提", "㐀三"])
def test_names_accepted(cell):
    assert one("annex1", "head_name", cell)[:2] == (cell, [])


@pytest.mark.parametrize(
    ("cell", "value", "rules"),
    [
        ("张 三", "张三", [("F044", "warning")]),
        ("张\u3000三", "张三", [("F044", "warning")]),
        ("阿依古丽•买买提", "阿依古丽·买买提", [("F044", "warning")]),
        ("阿依古丽.买买提", "阿依古丽·买买提", [("F044", "warning")]),
        ("Zhang San", ABSENT, [("F044", "warning"), ("F043", "error")]),
        ("张三2", ABSENT, [("F043", "error")]),
        ("张三（户主）", ABSENT, [("F043", "error")]),
        ("张", ABSENT, [("F042", "error")]),
        ("张" * 21, ABSENT, [("F041", "error")]),
    ],
)
def test_name_problems(cell, value, rules):
    assert one("annex1", "head_name", cell)[:2] == (value, rules)


def test_name_message_says_what_is_wrong_and_masks_the_value():
    found = one("annex1", "head_name", "张三2")[2]
    assert "数字" in found[0].message
    assert found[0].value == "张**"
    assert "张三" not in found[0].message
    assert one("annex1", "head_name", "张三2", show=True)[2][0].value == "张三2"


def test_other_name_fields_are_normalised_but_not_restricted():
    assert one("annex1", "helper", "李 四")[:2] == ("李四", [("F044", "warning")])
    assert one("annex1", "helper", "李四、王五")[:2] == ("李四、王五", [])


# --- ID numbers -----------------------------------------------------------------------------

ID = "532932198503150011"


@pytest.mark.parametrize(
    ("cell", "value", "rules"),
    [
        (ID, ID, []),
        ("11010519491231002X", "11010519491231002X", []),
        ("11010519491231002x", "11010519491231002X", [("D008", "warning")]),
        ("532932 19850315 0011", ID, [("D008", "warning")]),
        ("５３２９３２１９８５０３１５００１１", ID, [("D008", "warning")]),
        (f" {ID} ", ID, []),
        (532932198503150011, ABSENT, [("D003", "error")]),
        (5.32932198503150e17, ABSENT, [("D003", "error")]),
        ("5.32932E+17", ABSENT, [("D003", "error")]),
        ("532932850315001", ABSENT, [("D002", "error")]),
        ("53293219850315001", ABSENT, [("D001", "error")]),
        ("53293219850315O011", ABSENT, [("D004", "error")]),
        ("532932202002300017", ABSENT, [("D005", "error")]),
        ("532932209901010019", ABSENT, [("D006", "error")]),
        ("532932198503150012", ABSENT, [("D007", "error")]),
        ("532932 19850315 0012", ABSENT, [("D008", "warning"), ("D007", "error")]),
    ],
)
def test_id_numbers(cell, value, rules):
    assert one("annex1", "head_id", cell)[:2] == (value, rules)


def test_id_findings_are_masked_unless_asked():
    found = one("annex1", "head_id", "532932198503150012")[2]
    assert found[0].value == "532932********0012"
    assert "19850315" not in found[0].message
    found = one("annex1", "head_id", "532932198503150012", show=True)[2]
    assert found[0].value == "532932198503150012"


def test_id_length_message():
    found = one("annex1", "head_id", "53293219850315001")[2]
    assert "17位" in found[0].message


def test_id_future_message_names_the_report_day():
    assert "2020-08-10" in one("annex1", "head_id", "532932209901010019")[2][0].message


def test_id_fast_path_agrees_with_check_id():
    """The compiled column and idnumber.check_id must accept exactly the same numbers."""
    rnd = random.Random(17)
    check_row, found = compile_fields("annex1", ["head_id"])
    for i in range(3000):
        born = dt.date(1890, 1, 1) + dt.timedelta(days=rnd.randrange(48000))
        body = f"532932{born:%Y%m%d}{rnd.randrange(1000):03d}"
        number = body + check_digit(body)
        if i % 2:  # corrupt half of them
            pos = rnd.randrange(18)
            number = number[:pos] + rnd.choice("0123456789X") + number[pos + 1 :]
        expected = check_id(number, TODAY)[0]
        assert check_row(i + 2, [number]).get("head_id") == expected, number


def test_leap_day_birth_goes_through():
    body = "532932200002290010"[:17]
    number = body + check_digit(body)
    assert one("annex1", "head_id", number)[:2] == (number, [])


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value", "rules"),
    [
        ("13812345678", "13812345678", []),
        ("0872-4123456", "0872-4123456", []),
        ("138 1234 5678", "13812345678", [("F061", "info")]),
        ("138-1234-5678", "13812345678", [("F061", "info")]),
        ("+86 138 1234 5678", "13812345678", [("F061", "info")]),
        ("8613812345678", "13812345678", [("F061", "info")]),
        ("0872 4123456", "0872-4123456", [("F061", "info")]),
        ("08724123456", "0872-4123456", [("F061", "info")]),
        ("(0872)4123456", "0872-4123456", [("F061", "info")]),
        ("０８７２－４１２３４５６", "0872-4123456", [("F061", "info")]),
        (13812345678, "13812345678", [("F061", "info")]),
        (13812345678.0, "13812345678", [("F061", "info")]),
    ],
)
def test_phones_accepted(cell, value, rules):
    assert one("annex1", "phone", cell)[:2] == (value, rules)


@pytest.mark.parametrize(
    ("cell", "detail"),
    [
        ("1381234567", "11位"),
        ("12812345678", "第二位"),
        ("0871-4123456", "0872"),
        ("0872-412345", "7位"),
        ("4123456", "区号"),
        (8724123456, "0 已丢失"),
        ("138123456７８a", "数字以外"),
        ("无", "数字以外"),
    ],
)
def test_phone_problems(cell, detail):
    value, rules, found = one("annex1", "phone", cell)
    assert (value, rules) == (ABSENT, [("F060", "error")])
    assert detail in found[0].message


def test_phone_scientific_notation_lost_digits():
    assert rules_of("annex1", "phone", "1.38123E+10") == ["F050"]


def test_phone_is_masked_in_findings():
    found = one("annex1", "phone", "1381234567")[2]
    assert found[0].value == "138***4567"
    assert "1381234567" not in found[0].message
    found = one("manifest", "phone", "0872 4123456")[2]
    assert found[0].value == "0872 ***3456"


# --- whole rows, memo and placement ---------------------------------------------------------


def valid_annex1_row() -> dict:
    return {
        "seq": "1",
        "township": "云鹤镇",
        "village": "新华村委会",
        "village_group": "第三组",
        "head_name": "张三",
        "head_id": ID,
        "household_number": "5329321010010001",
        "exit_year": "2016",
        "poor_attr": "一般贫困户",
        "household_size": "4",
        "phone": "13812345678",
        "focus_groups": "低保户、危房户",
        "income_per_capita": "5000",
        "rigid_expense": "12000.5",
        "income_drop": "是",
        "risk_types": "因病、因学",
        "risk_note": "户主患病住院，医疗支出较大",
        "discovery": "干部走访排查",
        "appraisal_date": "2020-07-03",
        "verify_date": "2020-07-08",
        "measures": "医疗救助",
        "measures_note": "",
        "helper": "李四",
        "remark": "",
    }


def test_valid_row_parses_every_field():
    row = valid_annex1_row()
    names = list(row)
    check_row, found = compile_fields("annex1", names)
    values = check_row(4, [row[n] for n in names])
    assert found == []
    assert values == {
        "seq": 1,
        "township": "云鹤镇",
        "village": "新华村委会",
        "village_group": "第三组",
        "head_name": "张三",
        "head_id": ID,
        "household_number": "5329321010010001",
        "exit_year": 2016,
        "poor_attr": "一般贫困户",
        "household_size": 4,
        "phone": "13812345678",
        "focus_groups": ("低保户", "危房户"),
        "income_per_capita": 5000.0,
        "rigid_expense": 12000.5,
        "income_drop": True,
        "risk_types": ("因病", "因学"),
        "risk_note": "户主患病住院，医疗支出较大",
        "discovery": "干部走访排查",
        "appraisal_date": dt.date(2020, 7, 3),
        "verify_date": dt.date(2020, 7, 8),
        "measures": ("医疗救助",),
        "helper": "李四",
    }


def test_unknown_and_repeated_columns_are_ignored_and_cells_point_at_the_right_letter():
    form = standard.form("annex1")
    columns = [
        Column(0, "A", "序号", "seq"),
        Column(1, "B", "说明", None),
        Column(2, "C", "家庭人口数", "household_size"),
        Column(3, "D", "人口", "household_size"),
    ]
    table = Table("annex1", "附件1.xlsx", "附件1", 3, columns, [])
    found = []
    check_row = compile_table(form, table, emit=found.append, show_personal_data=False, today=TODAY)
    assert check_row(9, ["1", "whatever", "x", "5"]) == {"seq": 1}
    (f,) = found
    assert (f.rule, f.cell, f.column, f.sheet, f.source, f.row) == (
        "F002",
        "C9",
        "家庭人口数",
        "附件1",
        "附件1.xlsx",
        9,
    )


def test_short_rows_are_padded():
    check_row, found = compile_fields("annex1", ["seq", "village", "remark"])
    assert check_row(5, ["1"]) == {"seq": 1}
    assert [(f.rule, f.field) for f in found] == [("F001", "village")]


def test_header_as_written_is_used_in_findings():
    check_row, found = compile_fields("annex1", ["household_size"], headers={"household_size": "家庭人口"})
    check_row(3, ["x"])
    assert found[0].column == "家庭人口" and "“家庭人口”" in found[0].message


def test_memo_never_swallows_findings():
    check_row, found = compile_fields("annex1", ["township", "risk_types", "appraisal_date", "village"])
    for row in range(2, 6):
        check_row(row, ["六合乡", "因自然灾害", "2020/7/3", ""])
    assert [(f.rule, f.row) for f in found if f.rule == "F031"] == [
        ("F031", 2),
        ("F031", 2),
        ("F031", 3),
        ("F031", 3),
        ("F031", 4),
        ("F031", 4),
        ("F031", 5),
        ("F031", 5),
    ]
    assert [f.row for f in found if f.rule == "F012"] == [2, 3, 4, 5]
    assert [f.row for f in found if f.rule == "F001"] == [2, 3, 4, 5]


def test_high_cardinality_columns_keep_checking_after_the_memo_fills():
    check_row, found = compile_fields("annex1", ["village", "income_per_capita", "seq"])
    n = MEMO_LIMIT + 500
    for i in range(n):
        assert check_row(i + 2, [f"村{i}", str(1000 + i), str(i + 1)]) == {
            "village": f"村{i}",
            "income_per_capita": float(1000 + i),
            "seq": i + 1,
        }
    assert found == []
    assert check_row(n + 2, ["", "5000元", "0"]) == {}
    assert [f.rule for f in found] == ["F001", "F004", "F003"]
    assert check_row(n + 3, [" 村1 ", "12.5", "7"]) == {"village": "村1", "income_per_capita": 12.5, "seq": 7}


def test_every_field_type_of_every_form_compiles():
    for form in standard.forms():
        names = [f["name"] for f in form["fields"]]
        check_row, found = compile_fields(form["id"], names)
        assert check_row(2, [None] * len(names)) == {}
        required = {f["name"] for f in form["fields"] if f["required"]}
        assert {f.field for f in found} == required
        assert {f.rule for f in found} == {"F001"}


def test_equal_numbers_of_other_types_are_not_confused():
    check_row, found = compile_fields("annex1", ["household_size", "township"])
    assert check_row(2, [1, 532932101]) == {"household_size": 1, "township": "云鹤镇"}
    assert check_row(3, [True, 532932101.0]) == {"township": "云鹤镇"}
    assert [(f.rule, f.row) for f in found] == [("F031", 2), ("F002", 3), ("F031", 3)]
    check_row, found = compile_fields("manifest", ["stamped"])
    assert check_row(2, [1]) == {"stamped": True}
    assert check_row(3, ["是"]) == {"stamped": True}
    assert check_row(4, [True]) == {"stamped": True}
    assert [f.rule for f in found] == ["F021", "F021"]
