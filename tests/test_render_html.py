"""HTML report: self-contained, escaped, deterministic, golden."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from golden_support import check_golden

from validator.render.html import render_html

HERE = Path(__file__).parent
SAMPLE = HERE / "render_fixtures" / "sample_report.json"
TITLES = {"D003": "身份证号校验码错误", "F003": "日期格式不对", "S010": "不认识的工作表"}


class Collect(HTMLParser):
    """Tags, attributes and text of a page, to assert on its structure."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.rows_in_all = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def report() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def page(report) -> str:
    return render_html(report, titles=TITLES)


def test_html_golden(page):
    check_golden("sample.html", page)


def test_html_is_deterministic(report, page):
    assert render_html(json.loads(json.dumps(report)), titles=TITLES) == page


def test_no_outside_resources_and_no_scripts(page):
    doc = Collect()
    doc.feed(page)
    tags = [t for t, _ in doc.tags]
    assert "script" not in tags
    assert "style" in tags  # the CSS is inline
    for tag, attrs in doc.tags:
        for key in ("src", "href", "srcset", "action", "data"):
            value = attrs.get(key) or ""
            assert "http" not in value and "//" not in value, (tag, key, value)
        if tag == "link":
            pytest.fail(f"<link> to an outside resource: {attrs}")
    css = page[page.index("<style>") : page.index("</style>")]
    assert "url(" not in css and "@import" not in css


def test_everything_from_the_report_is_escaped(page):
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; “引号”" in page
    assert "无法识别的字符 &lt;b&gt;" in page


def test_summary_groups_and_full_table(report, page):
    doc = Collect()
    doc.feed(page)
    text = "".join(doc.text)
    assert "不通过：11个错误，3个警告，1个提示" in text
    assert "附件1 鹤庆县返贫预警情况统计表" in text
    assert "D003 身份证号校验码错误 （共7处）" in text
    assert "其余2处见下方“全部问题”" in text
    rows_in_full_table = page.split('<table class="all">', 1)[1].split("</table>", 1)[0].count("<tr class=")
    assert rows_in_full_table == len(report["findings"])
    assert 'lang="zh-CN"' in page and '<meta charset="utf-8">' in page
    assert "@media print" in page


def test_personal_data_notice_follows_the_option(report):
    assert "已打码" in render_html(report, titles=TITLES)
    report["options"]["show_personal_data"] = True
    assert "含未打码的个人信息" in render_html(report, titles=TITLES)


def test_a_huge_report_lists_the_first_rows_and_says_so(report):
    page = render_html(report, titles=TITLES, max_rows=4)
    table = page.split('<table class="all">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr class=") == 4
    assert f"其余{len(report['findings']) - 4}处请看 JSON 报告" in page
    assert 'D003 身份证号校验码错误 <span class="muted">（共7处）' in page  # groups still count all
