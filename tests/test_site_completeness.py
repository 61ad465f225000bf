"""The site documents everything the validator has: every rule, CLI option, setting, form
field, code list entry and published schema file must appear in the built HTML.

The expectations are read straight from the validator (not from the site generator), so a
rule registered without a page, or an option added without documentation, fails here.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from validator import standard
from validator.catalogue import registry
from validator.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


class _Text(HTMLParser):
    """Visible text of a page's main article (no navigation, no scripts)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <article>
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def gen_sources_module():
    """site/gen_sources.py, loaded by path as the MkDocs hook does (site/ is not a package)."""
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "site"))
    spec = importlib.util.spec_from_file_location("fpjc_site_gen_sources", ROOT / "site" / "gen_sources.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def page_text(site: Path, path: str) -> str:
    file = site / path / "index.html" if not path.endswith(".html") else site / path
    assert file.exists(), f"page {path} is missing from the site"
    parser = _Text()
    parser.feed(file.read_text(encoding="utf-8"))
    return norm("".join(parser.parts))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u200b", "")).strip()


def test_build_has_no_warnings(built_site):
    """The README builds with --strict: any warning (missing source, broken link) fails it."""
    assert built_site.warnings == []


def test_every_rule_has_a_complete_page(built_site):
    rules = registry()
    assert rules, "the rule registry is empty"
    catalogue = page_text(built_site.path, "rules")
    missing = []
    for rid, r in rules.items():
        if rid not in catalogue:
            missing.append(f"{rid} not in the catalogue")
            continue
        text = page_text(built_site.path, f"rules/{rid}")
        for what, value in {
            "id": rid,
            "title": r.title,
            "severity": SEVERITY_LABELS[r.severity],
            "clause": r.clause,
            "message": r.message,
            "hint": r.hint,
            "description": r.description,
            "failing example": "错误示例",
            "passing example": "正确示例",
        }.items():
            if norm(value) not in text:
                missing.append(f"{rid}: {what} {value!r}")
    assert missing == []


def _options(parser: argparse.ArgumentParser, prog: str = "fpjc"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prog, name
                yield from _options(sub, f"{prog} {name}")
        elif action.option_strings:
            for opt in action.option_strings:
                yield prog, opt
        else:
            yield prog, action.dest


def test_every_cli_command_and_option_is_documented(built_site):
    text = page_text(built_site.path, "developers/cli")
    options = list(_options(build_parser()))
    assert len(options) > 10
    missing = [f"{prog}: {opt}" for prog, opt in options if opt not in text]
    assert missing == []
    for prog in {p for p, _ in options}:
        assert prog in text


def test_every_setting_and_its_source_is_documented(built_site):
    text = page_text(built_site.path, "developers/settings")
    missing = []
    for key, setting in standard.settings().items():
        if not isinstance(setting, dict) or "rows" not in setting:
            continue
        if key not in text:
            missing.append(key)
        for row in setting["rows"]:
            for k, v in row.items():
                shown = {True: "是", False: "否"}.get(v, v) if isinstance(v, bool) else v
                if v is None:
                    shown = "没有数值"
                if norm(str(shown)) not in text:
                    missing.append(f"{key}.{k} = {v}")
    assert missing == []


def test_every_form_field_is_documented(built_site):
    missing = []
    for form in standard.forms():
        text = page_text(built_site.path, f"forms/{form['id']}")
        for f in form["fields"]:
            for value in (f["name"], f["title"], f["description"].rstrip("。")):
                if norm(value) not in text:
                    missing.append(f"{form['id']}.{f['name']}: {value}")
            if f.get("codelist") and standard.codelist(f["codelist"])["title"] not in text:
                missing.append(f"{form['id']}.{f['name']}: code list link")
    assert missing == []


def test_every_code_list_entry_and_synonym_is_documented(built_site):
    text = page_text(built_site.path, "codelists")
    missing = []
    for list_id, cl in standard.load()["codelists"].items():
        if list_id not in text or cl["title"] not in text:
            missing.append(list_id)
        for item in cl["items"]:
            for value in (item["code"], item["label"], *item.get("synonyms", [])):
                if norm(value) not in text:
                    missing.append(f"{list_id}: {value}")
    assert missing == []
    assert "2021" in text and "脱贫不稳定户" in text  # the term mapping section


def test_every_schema_file_is_published_with_its_id(built_site):
    """Every file of every version is on the site; the current version's are listed with their $id."""
    text = page_text(built_site.path, "developers/schemas")
    root = ROOT / "schemas"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    current = standard.version()
    missing = []
    for p in files:
        rel = p.relative_to(root).as_posix()
        copy = built_site.path / "schemas" / rel
        if p.suffix == ".md":  # published as a page: schemas/1.0.0/README.md -> schemas/1.0.0/index.html
            copy = copy.parent / ("index.html" if p.stem == "README" else p.stem + "/index.html")
            if not copy.exists():
                missing.append(f"{rel}: no page")
        elif not copy.exists() or copy.read_bytes() != p.read_bytes():
            missing.append(f"{rel}: not copied")
        if rel.startswith(f"{current}/") and rel not in text:
            missing.append(f"{rel}: not listed")
        if p.suffix == ".json" and rel.startswith(f"{current}/"):
            sid = json.loads(p.read_text(encoding="utf-8")).get("$id")
            if sid and sid not in text:
                missing.append(f"{rel}: $id {sid} not shown")
    assert missing == []


@pytest.mark.parametrize("form_id", [f["id"] for f in standard.forms()])
def test_form_page_offers_its_downloads(built_site, form_id):
    """Schemas always; the Excel and CSV templates and the printable form for the forms a
    township fills in (the templates helper's build_all decides which forms get files)."""
    page = built_site.path / "forms" / form_id / "index.html"
    hrefs = re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8"))
    targets = {(page.parent / unquote(h)).resolve() for h in hrefs if not h.startswith(("http:", "https:"))}
    names = {t.name for t in targets if t.is_file()}
    assert f"{form_id}.table.json" in names
    assert f"{form_id}.row.schema.json" in names
    if form_id in ("manifest", "annex1", "annex2", "annex3"):
        suffixes = {Path(n).suffix for n in names}
        assert {".xlsx", ".csv", ".html"} <= suffixes, sorted(names)


def test_changelog_and_report_format_are_included(built_site):
    changelog = page_text(built_site.path, "developers/changelog")
    for line in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,3} (.+)$", line)
        if heading:
            assert norm(heading.group(1)) in changelog
    report = page_text(built_site.path, "developers/report")
    from validator.report_schema import report_schema

    schema = report_schema()
    for name in schema["properties"]:
        assert name in report
    for name in schema["properties"]["findings"]["items"]["properties"]:
        assert name in report
    api = page_text(built_site.path, "developers/api")
    for name in ("validator.api.validate", "validator.api.validate_files", "validator.catalogue.registry"):
        assert name in api


def test_every_api_entry_has_its_docstring(gen_sources_module):
    """An entry on the API page with no text is a public name nobody explained: fail on it."""
    entries = gen_sources_module._api_entries(problems := [])
    assert not problems
    assert len(entries) == len(gen_sources_module.API_FUNCTIONS)
    assert [e["name"] for e in entries if not e["doc"].strip()] == []


def test_the_empty_api_entry_guard_can_fail(gen_sources_module, monkeypatch):
    monkeypatch.setattr(
        gen_sources_module, "API_FUNCTIONS", ("validator.values.wording.separator", "json.dumps")
    )
    import validator.values.wording

    monkeypatch.setattr(validator.values.wording.separator, "__doc__", None)
    entries = gen_sources_module._api_entries([])
    assert [e["name"] for e in entries if not e["doc"].strip()] == ["validator.values.wording.separator"]


def test_python_example_on_the_api_page_runs(built_site, capsys, monkeypatch):
    """The code a developer copies from the site works as shown."""
    page = (built_site.path / "developers/api/index.html").read_text(encoding="utf-8")
    block = re.search(r'<div class="highlight"><pre>(.*?)</pre>', page, re.S)  # the first code block
    assert block, "no Python example on the API page"
    code = html.unescape(re.sub(r"<[^>]+>", "", block.group(1)))
    monkeypatch.chdir(ROOT)
    exec(compile(code, "api-example", "exec"), {})
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("True ")


def test_sample_report_is_real_output(built_site):
    text = page_text(built_site.path, "report-sample")
    assert "不通过" in text and "D007" in text
    assert "532932********" in text  # personal data masked
    for name in ("errors-id-numbers.xlsx", "报告.html", "标注.xlsx"):
        assert (built_site.path / "downloads/report-sample" / name).stat().st_size > 1000


def test_guide_common_mistakes_match_the_rules():
    """The hand-written guide names rules and their severity; fail when the registry disagrees."""
    guide = (ROOT / "docs/guide.md").read_text(encoding="utf-8")
    section = guide.split("## 十个最常见的错误", 1)[1]
    table, after = section.split("\n\n另外两个自查时经常出现的**警告**", 1)
    rules = registry()
    errors = [
        re.findall(r"\[([A-Z]\d{3})\]\(rules/", line)[0] for line in table.splitlines() if "](rules/" in line
    ]
    warnings = re.findall(r"\[([A-Z]\d{3})\]\(rules/", after)
    assert len(errors) == 10 and len(warnings) == 2
    # The table lists what the county rejects (errors when what is submitted is checked); the
    # two warnings are what a township's draft check says.
    assert [r for r in errors if rules[r].severity_at("submit") != "error"] == []
    assert [r for r in warnings if rules[r].severity_at("draft") != "warning"] == []
