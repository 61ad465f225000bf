"""Text report and grouping, on a hand-made report that is valid against the report schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from golden_support import check_golden

from validator.render.grouping import group, message_shape
from validator.render.text import render_text
from validator.report_schema import report_schema

HERE = Path(__file__).parent
SAMPLE = HERE / "render_fixtures" / "sample_report.json"
# Explicit titles keep these goldens independent of wording changes in the rule registry.
TITLES = {"D003": "身份证号校验码错误", "F003": "日期格式不对", "S010": "不认识的工作表"}


@pytest.fixture
def report() -> dict:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    jsonschema.validate(data, report_schema())
    return data


def test_text_golden(report):
    check_golden("sample.txt", render_text(report, color=False, titles=TITLES))


def test_text_without_colour_has_no_escape_codes(report):
    assert "\033" not in render_text(report, color=False, titles=TITLES)


def test_colour_only_adds_escape_codes(report):
    plain = render_text(report, color=False, titles=TITLES)
    coloured = render_text(report, color=True, titles=TITLES)
    assert "\033[1;31m" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain


def test_text_says_what_where_and_how(report):
    text = render_text(report, color=False, titles=TITLES)
    assert "结果：不通过：11个错误，3个警告，1个提示" in text
    assert "[错误] D003 身份证号校验码错误" in text
    assert "工作表“附件1”，第4行，“户主身份证号”列（单元格 F4）" in text
    assert "怎么改：核对身份证原件" in text
    assert "另有6处相同问题" in text
    assert "其余2处" in text
    assert "H001 解除户须有此前的预警记录：没有提供历史报送包（--history）" in text
    # summary by table uses the forms' Chinese titles
    assert re.search(r"附件1\s+错误\s+10\s+警告\s+1\s+提示\s+0", text)


def test_errors_come_before_warnings(report):
    text = render_text(report, color=False, titles=TITLES)
    last_error = max(m.start() for m in re.finditer(r"^\[错误\]", text, re.M))
    first_warning = min(m.start() for m in re.finditer(r"^\[警告\]", text, re.M))
    assert last_error < first_warning


def test_valid_report_passes():
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data.update(valid=True, findings=[], checks_not_run=[])
    data["summary"].update(error=0, warning=0, info=0, by_resource={}, by_rule={})
    text = render_text(data, color=False, titles={})
    assert "结果：通过：没有发现问题" in text
    assert "问题明细" not in text


def test_grouping_counts_and_examples(report):
    groups = group(report["findings"])
    d003 = next(g for g in groups if g["rule"] == "D003")
    assert d003["count"] == 7
    assert [f["cell"] for f in d003["examples"]] == ["F4", "F5", "F6", "F7", "F8"]
    assert d003["same_message"] is False  # the expected check digit differs per row
    f003 = next(g for g in groups if g["rule"] == "F003")
    assert f003["count"] == 2 and f003["same_message"] is True
    assert [g["severity"] for g in groups] == sorted(
        (g["severity"] for g in groups), key=["error", "warning", "info"].index
    )
    assert sum(g["count"] for g in groups) == len(report["findings"])


def test_grouping_separates_different_fields_and_shapes():
    base = {"rule": "F003", "severity": "error", "resource": "annex1", "row": 4, "cell": "S4", "value": "x"}
    findings = [
        {**base, "field": "appraisal_date", "message": "“2020.13.45”不是有效日期"},
        {**base, "field": "appraisal_date", "message": "“2020/99/1”不是有效日期"},
        {**base, "field": "verify_date", "message": "“2020.13.45”不是有效日期"},
        {**base, "field": "appraisal_date", "message": "日期晚于今天"},
    ]
    assert [g["count"] for g in group(findings)] == [2, 1, 1]
    assert message_shape(findings[0]) == message_shape(findings[1])


def test_unreadable_input_is_named_in_the_heading(report):
    report["inputs"].append(
        {"path": "附件9.csv", "kind": "csv", "encoding": None, "error": "不是 UTF-8 或 GB18030 编码"}
    )
    text = render_text(report, color=False, titles=TITLES)
    assert "附件9.csv（CSV 文件，无法读取：不是 UTF-8 或 GB18030 编码）" in text


def test_columns_are_named_in_chinese_even_when_the_header_is_the_field_name():
    from validator.render import column_label

    base = {"resource": "annex1", "field": "verify_date"}
    assert column_label({**base, "column": "verify_date"}) == "乡镇核查日期"
    assert column_label({**base, "column": None}) == "乡镇核查日期"
    assert column_label({**base, "column": "核查日期（乡镇）"}) == "核查日期（乡镇）"  # as the clerk wrote it
    assert column_label({"resource": "annex1", "field": None, "column": "其他"}) == "其他"


def test_control_characters_from_cells_cannot_drive_the_terminal(report):
    report["findings"][1]["value"] = "138\x1b[2J1234\x07"
    text = render_text(report, color=False, titles=TITLES)
    assert "\x1b" not in text and "\x07" not in text
    assert "138\\x1b[2J1234\\x07" in text


def test_package_level_counts_are_labelled_in_chinese(tmp_path):
    from validator import api

    (tmp_path / "其他.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    report = api.validate([tmp_path / "其他.csv"], today=None)
    assert "package" in report["summary"]["by_resource"]
    text = render_text(report, color=False)
    assert "整个报送包  错误" in text
    assert not re.search(r"^\s+package\b", text, re.M)
