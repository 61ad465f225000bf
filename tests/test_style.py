"""The mechanical parts of the Chinese style table (docs/developers/style.md), checked over every
message, hint, rule description, template note and page the product publishes.

What is checked: no 「」 or 『』 quotes; no half-width brackets in a clause citation such as
二(三); no reference to the internal specification; 该户/本户 rather than 这户; a number and its
Chinese unit written together (7个工作日, 第5行), so the site's search finds them as typed.

Where the text comes from: the compiled standard (forms, fields, code lists, settings), every
registered rule, the findings of every rule's failing example, every Chinese string literal in
the package, the site generator and the in-browser checker (f-string holes count as a number),
the site's templates and hand-written pages, and the generated pages themselves.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import sys
from pathlib import Path

import pytest

from validator import standard
from validator.catalogue import registry

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")

CHECKS = {
    "corner quotes 「」『』": re.compile(r"[「」『』]"),
    "half-width brackets in a clause citation": re.compile(
        r"[一二三四五六七八九十]\s*\(\s*[一二三四五六七八九十]{1,3}\s*\)|第\s*\(\s*[一二三四五六七八九十]"
    ),
    "the internal specification": re.compile(r"\bSPEC\b"),
    "这户 (write 该户 or 本户)": re.compile(r"这一?户"),
    "a clause cited as 第…条 (write 二（三）)": re.compile(r"依据第[^，。；\n]{0,24}条"),
    "a space between a number and its unit": re.compile(
        r"(?<![A-Za-z\d.])\d+(?:\.\d+)?\s+[个行年月日元项位条处天列户人次倍周字万秒岁名张份类页组段套种]|第\s+\d"
        r"|[至共约近满前后内外第]\s+\d+\s*[个行年月日元项位条处天列户人次倍周字万秒岁名张份类页组段套种]"
    ),
}


def problems(text: str) -> list[str]:
    found = []
    for what, pattern in CHECKS.items():
        for m in pattern.finditer(text):
            start = max(0, m.start() - 12)
            found.append(f"{what}: …{text[start : m.end() + 12]}…")
    return found


# --- where published text lives ---------------------------------------------------------------


def _literal_text(node: ast.AST) -> str | None:
    """A string literal, an f-string with each hole standing for a number (0)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("0")
        return "".join(parts)
    return None


def python_strings(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every Chinese string literal that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    inside = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    out = []
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in inside or not isinstance(node, ast.JoinedStr | ast.Constant):
            continue
        text = _literal_text(node)
        if text and CJK.search(text):
            out.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return out


def _js_strings(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("//"):
            continue
        for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', line):
            if CJK.search(m.group(1)):
                out.append((f"{path.relative_to(ROOT)}:{n}", m.group(1)))
    return out


def _walk_strings(data, where: str):
    if isinstance(data, str):
        if CJK.search(data):
            yield where, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _walk_strings(v, f"{where}.{k}")
    elif isinstance(data, list | tuple):
        for i, v in enumerate(data):
            yield from _walk_strings(v, f"{where}[{i}]")


def sources() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    texts += list(_walk_strings(standard.load(), "standard"))
    for rule in registry().values():
        for f in dataclasses.fields(rule):
            value = getattr(rule, f.name)
            if f.name in ("fail", "passing"):
                continue  # example cells may be deliberately wrong
            texts += [(f"rule {rule.id}.{f.name}{w}", t) for w, t in _walk_strings(value, "")]
    for path in sorted((ROOT / "validator").rglob("*.py")):
        texts += python_strings(path)
    for path in sorted((ROOT / "site").glob("*.py")) + sorted((ROOT / "site" / "checker").glob("*.py")):
        texts += python_strings(path)
    texts += _js_strings(ROOT / "site" / "checker" / "checker.js")
    texts += _js_strings(ROOT / "site" / "checker" / "worker.mjs")
    pages = sorted((ROOT / "site" / "templates").glob("*.j2")) + sorted((ROOT / "docs").rglob("*.md"))
    for path in pages:
        if path.name == "style.md":
            continue  # the style table shows what not to write
        texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "validator").rglob("*.j2")) + sorted((ROOT / "forms" / "print").glob("*.j2")):
        texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return texts


@pytest.fixture(scope="module")
def published() -> list[tuple[str, str]]:
    return sources()


def test_every_published_text_follows_the_style_table(published):
    assert len(published) > 1000
    bad = [f"{where}: {p}" for where, text in published for p in problems(text)]
    assert bad == []


def test_every_finding_of_every_rule_example_follows_the_style_table():
    from validator.builders import rule_examples

    bad = []
    for rule in registry().values():
        report = rule_examples.run_example(rule, "fail")
        for f in report["findings"]:
            bad += [f"{f['rule']}: {p}" for p in problems(f["message"] + "\n" + (f["hint"] or ""))]
        for c in report["checks_not_run"]:
            bad += [f"{rule.id} not run: {p}" for p in problems(c["check"] + c["reason"])]
    assert bad == []


def test_the_generated_pages_follow_the_style_table():
    sys.path.insert(0, str(ROOT / "site"))
    import generate

    src = generate.collect(run_examples=False)
    pages = generate.pages(src)
    assert "developers/settings.md" in pages and len(pages) > 50
    bad = [f"{path}: {p}" for path, text in pages.items() for p in problems(text)]
    assert bad == []


def test_clauses_read_like_official_chinese():
    clause = re.compile(
        r"^(?:[一二三四五六七八九十](?:（[一二三四五六七八九十]{1,2}）(?:\d)?)?"
        r"(?:[、—][一二三四五六七八九十](?:（[一二三四五六七八九十]{1,2}）(?:\d)?)?)*"
        r"|数据标准（[^（）]+）|GB 11643—1999《公民身份号码》)"
        r"(?:；(?:数据标准（[^（）]+）|GB 11643—1999《公民身份号码》))?$"
    )
    bad = [f"{r.id}: {r.clause}" for r in registry().values() if not clause.match(r.clause)]
    assert bad == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("依据二(三)的规定", True),
        ("依据二（三）", False),
        ("第二部分第(三)项", True),
        ("「户主姓名」", True),
        ("见 SPEC §6", True),
        ("这户以前预警过", True),
        ("该户以前预警过", False),
        ("7 个工作日", True),
        ("7个工作日", False),
        ("第 5 行", True),
        ("民主评议日期 2020-07-16 晚于乡镇核查日期 2020-07-15", False),
        ("规则 F001", False),
        ("F010 日期无法识别", False),
        ("（依据第二（二）条）", True),
        ("（依据鹤扶开发〔2020〕16号二（二））", False),
    ],
)
def test_the_checks_themselves(text, found):
    assert bool(problems(text)) is found


def test_the_style_table_is_published():
    page = (ROOT / "docs" / "developers" / "style.md").read_text(encoding="utf-8")
    for word in ("引号", "括号", "条款引用", "数字与单位", "该户"):
        assert word in page
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "developers/style.md" in nav
    assert json.loads(json.dumps(CHECKS, default=str))


def test_the_online_checker_joins_numbers_and_units_too():
    """The page builds some sentences from a number and two literals ("共" + n + "处"): the literal
    after a number must not start with a space before its unit, nor the one before it end with one."""
    script = (ROOT / "site" / "checker" / "checker.js").read_text(encoding="utf-8")
    after = re.findall(
        r'\+\s*"\s+[个行年月日元项位条处天列户人次倍周字万秒岁名张份类页组段套种][^"]*"', script
    )
    before = re.findall(r'"[^"]*(?:共|另有|已用|用时|等了|第)\s+"\s*\+', script)
    assert after == [] and before == []
