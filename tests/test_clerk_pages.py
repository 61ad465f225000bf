"""The site's pages as a township clerk reads them (issue 16, point 4), on the session's build:
Chinese sentences without stray spaces, search that leaves out metadata tables, the code lists
clerks use most first, no unfilled placeholders, no server or developer notes on the check page.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from tests.test_site_completeness import page_text
from validator import standard

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hooks():
    spec = importlib.util.spec_from_file_location("fpjc_site_hooks_test", ROOT / "site" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lines_of_a_chinese_paragraph_are_joined(hooks):
    source = "\n".join(
        [
            "乡镇扶贫办收到评议结果后，",
            "在7个工作日内入户核查。",
            "",
            "- 列表项一，",
            "- 列表项二",
            "",
            "| 表头 | 内容 |",
            "|---|---|",
            "```",
            "代码第一行",
            "代码第二行",
            "```",
            "硬换行之后  ",
            "这一行不接上。",
            "English line",
            "接在英文后面的中文不接上。",
        ]
    )
    out = hooks.join_chinese_lines(source).split("\n")
    assert out[0] == "乡镇扶贫办收到评议结果后，在7个工作日内入户核查。"
    assert "- 列表项一，" in out and "- 列表项二" in out
    assert "代码第一行" in out and "代码第二行" in out
    assert "这一行不接上。" in out and "接在英文后面的中文不接上。" in out


@pytest.mark.parametrize("path", ["procedure", "guide", "county", "check"])
def test_no_space_inside_a_chinese_sentence(built_site, path):
    """A source line break inside a paragraph would show as a space between two Chinese characters."""
    html = (built_site.path / path / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    paragraphs = re.findall(r"<p>(.*?)</p>", article, re.S)
    broken = [p for p in paragraphs if re.search(r"[\u4e00-\u9fff，。；：、）]\n[\u4e00-\u9fff（“]", p)]
    assert paragraphs and not broken, broken[:3]


def test_numbers_keep_their_units_in_the_search_index(hooks):
    """One word per number with its unit (and 第), however jieba cut it and whether or not the page
    put spaces around the number; the query is brought to the same form in the search worker."""
    z = "\u200b"
    assert hooks.searchable_numbers(f"在{z}7{z}个{z}工作日") == f"在{z}7个{z}工作日"
    assert hooks.searchable_numbers(f"第{z}5{z}行") == f"{z}第5行{z}"
    assert hooks.searchable_numbers(f"写作{z}第{z} 5 {z}行{z}是") == f"写作{z}第5行{z}是"
    assert hooks.searchable_numbers(f"第{z}5行是") == f"{z}第5行{z}是"  # jieba glued 行是
    assert hooks.searchable_numbers(f"8{z}月{z}5{z}日") == f"{z}8月{z}5日{z}"
    assert hooks.searchable_numbers(f"12.5{z}万元") == f"{z}12.5万{z}元"
    assert hooks.searchable_numbers(f"2020{z}-07") == f"2020{z}-07"


def test_the_search_worker_cuts_a_query_like_the_index(hooks):
    """Both fixes apply to the Material worker this build uses; the query fix reads the same units."""
    import material

    worker = next(
        (Path(material.__file__).parent / "templates/assets/javascripts/workers").glob("search.*.min.js")
    )
    code, applied = hooks.fix_search_worker(worker.read_text(encoding="utf-8"))
    assert applied == len(hooks._WORKER_FIXES) == 2
    assert f"[{hooks.UNITS}]" in code and '.join("* ")' not in code


def test_search_index_has_no_metadata_tables(built_site):
    docs = json.loads((built_site.path / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    for doc in docs:
        text = doc["text"].replace("\u200b", "")
        if doc["location"].startswith(("rules/", "forms/")):
            # The 项目/内容 table of a rule or form page (编号, 严重程度, 依据 …; 全称, 标准版本 …).
            assert "项目 内容" not in text and "项目内容" not in text, doc["location"]
        if doc["location"].startswith("rules/"):
            assert "英文名" not in text, doc["location"]
    assert any("7个\u200b工作日" in d["text"] for d in docs)
    assert not any(re.search(r"\d\u200b[个行日]", d["text"]) for d in docs)


def test_the_code_lists_a_clerk_uses_most_come_first(built_site):
    html = (built_site.path / "codelists" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h2 id="([a-z_]+)"', html)
    assert ids[:3] == ["township", "risk_type", "measure"], ids[:5]
    assert set(ids) >= set(standard.load()["codelists"])


def test_every_placeholder_is_filled(built_site):
    for page in built_site.path.rglob("*.html"):
        if "checker" in page.parts:
            continue
        assert "%%" not in page.read_text(encoding="utf-8"), page


def test_the_check_page_is_for_the_clerk(built_site):
    clerk = page_text(built_site.path, "check")
    for developer in (
        "Content-Security-Policy",
        "MIME",
        "IIS",
        "Web Worker",
        "pyodide-lock",
        "sha256",
        "实测数据",
    ):
        assert developer not in clerk, developer
    admin = page_text(built_site.path, "developers/checker")
    for fact in ("Content-Security-Policy", "IIS", "pyodide-lock.json", "实测数据"):
        assert fact in admin, fact


def test_the_pages_say_how_much_the_checker_downloads(built_site):
    """The size the guide and the check page promise is the size of the checker that was built."""
    total = sum(p.stat().st_size for p in (built_site.path / "checker").rglob("*") if p.is_file())
    for path in ("guide", "check"):
        text = page_text(built_site.path, path)
        sizes = re.findall(r"下载约(\d+) MB", text)
        assert sizes == [f"{total / 1e6:.0f}"], (path, sizes, total)
