"""Unit tests of the site generator (site/generate.py, loaded by path: `site` is a stdlib name)."""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from validator import standard

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("fpjc_site_generate", ROOT / "site" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_patch_set_becomes_a_table_of_changed_cells(gen):
    blocks = gen.patch_blocks(
        {"annex1": {"set": {"head_id": "532932198503150012"}, "row": 2}}, standard.load()
    )
    assert blocks == [
        {
            "kind": "cells",
            "title": "附件1 鹤庆县返贫预警情况统计表",
            "cells": [("第2条数据", "户主身份证号", "532932198503150012")],
        }
    ]


def test_patch_structure_changes_read_as_sentences(gen):
    std = standard.load()
    blocks = gen.patch_blocks(
        {
            "drop": ["manifest"],
            "annex2": {"drop_columns": ["head_name"], "rename_columns": {"户主姓名": "姓名"}, "rows": []},
            "files": {"其他.csv": "a,b\n1,2\n"},
            "options": {"today": "2020-08-10"},
        },
        std,
    )
    texts = [b.get("text", "") for b in blocks]
    assert any("不提供：报送信息" in t for t in texts)
    assert any("删去列 “户主姓名”" in t for t in texts)
    assert any("“户主姓名”改为“姓名”" in t for t in texts)
    assert any("删去全部数据行" in t for t in texts)
    assert {"kind": "code", "title": "报送包中加一个文件 其他.csv", "text": "a,b\n1,2\n"} in blocks
    assert any("2020-08-10" in t for t in texts)


def test_empty_patch_says_the_base_package_passes(gen):
    assert "原样不动" in gen.patch_blocks({}, standard.load())[0]["text"]


@pytest.fixture(scope="module")
def rule_pages(gen):
    """Every rule page as the site build writes it (failing examples run through the validator)."""
    src = gen.collect()
    assert src.problems == []
    return {path: text for path, text in gen.pages(src).items() if re.fullmatch(r"rules/[A-Z]\d+\.md", path)}


def _correct_example(page: str) -> str:
    return page[page.index("## 正确示例") : page.index("[返回规则目录]")]


def test_every_rule_page_shows_a_correct_example_a_clerk_can_compare(rule_pages):
    """Not a sentence alone: a table of cells and values, or the file as it should be."""
    prose_only = [
        path
        for path, page in rule_pages.items()
        if "|---" not in _correct_example(page) and "```" not in _correct_example(page)
    ]
    assert len(rule_pages) > 100 and prose_only == []


@pytest.mark.parametrize(
    ("rule_id", "wanted"),
    [
        # A file-level rule: each file of the passing package, its encoding and its header line.
        ("S004", ["| manifest.csv（报送信息） | UTF-8 | `乡镇,报告月份,上报日期"]),
        # The damaged file: the whole file as the passing example has it, encoding named.
        ("S003", ["annex3.csv（附件3），UTF-8 编码，共3行", "序号,乡镇,村委会（社区）"]),
        # A missing table: the table as it should be.
        ("S005", ["manifest.csv（报送信息），UTF-8 编码，共2行", "云鹤镇,2020-07,2020-08-04"]),
        # A stray file: the files the package should hold.
        ("S006", ["报送包文件夹中只有这些文件", "manifest.csv（报送信息）"]),
        # A date rule decided by the day of checking: that day and the cell the message names.
        ("T010", ["以 2020-08-10 作为校验当天", "| 报送信息 | B2（报告月份） | `2020-07` |"]),
        # A workbook: sheet, A1 cell, column title, value.
        ("F051", ["| 附件1 | D2（村民小组） | `上村组` |"]),
        ("S014", [f"| `{standard.version()}` |"]),
        # A stage record the example adds: its cell, not "原样不动".
        ("G001", ["| 申报排查记录 | E2（户主身份证号） | `532932195803120013` |"]),
        (
            "K017",
            ["本月报送包文件夹中只有这些文件", "云鹤镇/（annex1.csv、annex2.csv、annex3.csv、manifest.csv）"],
        ),
    ],
)
def test_correct_examples_show_the_passing_packages_real_content(rule_pages, rule_id, wanted):
    shown = _correct_example(rule_pages[f"rules/{rule_id}.md"])
    for text in wanted:
        assert text in shown, shown
    assert "原样不动" not in shown


def test_the_correct_example_is_read_from_the_passing_examples_files(gen):
    """Change the passing example and the page changes with it: nothing is written per rule."""
    fail = {"annex1": {"row": 1, "set": {"head_id": "53293219800101001X"}}}
    blocks = gen.correct_blocks(fail, {}, standard.load())
    [table] = [b for b in blocks if b["kind"] == "table"]
    assert table["rows"] == [["附件1", "F2（户主身份证号）", "`532932195803120013`"]]
    blocks = gen.correct_blocks(fail, {"annex1": {"set": {"remark": "x"}}}, standard.load())
    assert blocks == gen.patch_blocks({"annex1": {"set": {"remark": "x"}}}, standard.load())
    blocks = gen.correct_blocks(
        {"options": {"encoding": "gb18030"}}, {"options": {"encoding": "utf-8-sig"}}, standard.load()
    )
    [table] = [b for b in blocks if b["kind"] == "table"]
    assert table["title"] == "文件的编码" and {row[1] for row in table["rows"]} == {"UTF-8（带 BOM）"}


def test_values_are_shown_as_a_clerk_types_them(gen):
    assert gen.shown(True) == "是"
    assert gen.shown(["因病", "因学"]) == "因病、因学"
    assert gen.shown("") == "（空）"
    assert gen.cell("a|b\nc") == "a\\|b<br>c"


def test_field_notes_use_the_workbooks_wording(gen):
    """The form page and the workbook's input message describe a constraint in the same words."""
    from validator.outputs.workbook import input_message
    from validator.values.wording import constraints

    f = {"name": "x", "title": "X", "type": "integer", "minimum": 1, "maximum": 20, "unique": True,
         "required": True, "description": "说明"}  # fmt: skip
    assert constraints(f) == ["本表内不得重复", "整数，1—20"]
    assert "整数，1—20" in gen.field_notes(f) and "整数，1—20" in input_message(f)[1]
    codes = {"name": "r", "title": "R", "type": "codes", "codelist": "risk_type", "min_items": 1,
             "max_items": 5, "required": True}  # fmt: skip
    phrase = "可填多项，项与项之间用顿号“、”分隔，1—5项"
    assert constraints(codes) == [phrase]
    assert phrase in input_message(codes)[1]
    for form in standard.forms():
        for field in form["fields"]:
            for part in constraints(field)[field.get("unique", False) :][:1]:
                assert part in gen.field_notes(field)
                assert part.split("：")[0] in input_message(field)[1], (form["id"], field["name"])


def test_walk_parser_finds_nested_commands_and_every_option(gen):
    parser = argparse.ArgumentParser(prog="tool")
    parser.add_argument("--version", action="version", version="1")
    sub = parser.add_subparsers(dest="cmd")
    a = sub.add_parser("check", help="检查")
    a.add_argument("paths", nargs="+", help="路径")
    a.add_argument("--format", choices=["text", "json"], default="text", help="格式")
    b = sub.add_parser("schemas", help="标准")
    bsub = b.add_subparsers(dest="action")
    c = bsub.add_parser("build", help="生成")
    c.add_argument("--out", metavar="DIR", help="输出目录")
    entries = gen.walk_parser(parser)
    progs = [e["prog"] for e in entries]
    assert progs == ["tool", "tool check", "tool schemas", "tool schemas build"]
    check = entries[1]
    assert check["help"] == "检查"
    opts = {o["names"]: o for o in check["options"]}
    assert opts["--format"]["choices"] == "text、json" and opts["--format"]["default"] == "text"
    assert opts["paths"]["positional"] and opts["paths"]["required"]
    assert entries[3]["options"][-1]["metavar"] == "DIR"


def test_every_form_gets_a_page_and_nav_entry(gen):
    src = gen.Sources(standard=standard.load())
    pages = gen.pages(src)
    nav = gen.nav_sections(src)
    for f in standard.forms():
        assert f"forms/{f['id']}.md" in pages
        assert any(f"forms/{f['id']}.md" in entry.values() for entry in nav["forms/index.md"])


# Words that name one constraint; a field's notes say each at most once (issue 16: 户主身份证号
# said “设为文本格式” twice, 重点关注类型 “用顿号分隔” twice).
CONSTRAINT_WORDS = ("顿号", "“文本”格式", "不得重复", "打码", "可填多项")


def test_field_notes_state_each_constraint_once(gen):
    repeated = []
    for form in standard.forms():
        for field in form["fields"]:
            notes = gen.field_notes(field)
            repeated += [(form["id"], field["title"], w) for w in CONSTRAINT_WORDS if notes.count(w) > 1]
            # One range style: 2014—2020, never 2014–2020 or 2014~2020 beside it.
            if re.search(r"\d[–~～]\d", notes):
                repeated.append((form["id"], field["title"], "range style"))
    assert repeated == []


def test_a_damaged_file_in_an_example_reads_as_a_clerk_would_see_it(gen):
    """Raw bytes are shown as text with “�” and the byte named, not as a Python dict; a file named
    like a table of the package replaces it."""
    [block] = gen.patch_blocks({"files": {"annex3.csv": {"hex": "e5ba8fe58fb72c61ff620a"}}}, standard.load())
    assert block["title"] == "把报送包中的 annex3.csv 换成"
    assert block["text"] == "序号,a�b\n（“�”处是无法识别的字节：FF）"
    [block] = gen.patch_blocks(
        {"files": {"其他.csv": {"text": "序号", "encoding": "gb18030"}}}, standard.load()
    )
    assert block["title"] == "报送包中加一个文件 其他.csv（GB18030 编码）" and block["text"] == "序号"
