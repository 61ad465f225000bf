"""Static properties of the built site: offline (nothing referenced from another host),
vendored and pinned Mermaid, Chinese search index, print stylesheet, no generator footer."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Attributes and CSS that make a browser fetch something. Plain <a href> links in the text are
# allowed (a reader may follow them); nothing may be loaded from them.
_LOADING = [
    re.compile(r"<script[^>]+src=[\"']?(?:https?:)?//", re.I),
    re.compile(r"<link[^>]+href=[\"']?(?:https?:)?//[^>]*>", re.I),
    re.compile(r"<(?:img|iframe|source|video|audio|embed)[^>]+src=[\"']?(?:https?:)?//", re.I),
    re.compile(r"@import\s+(?:url\()?[\"']?(?:https?:)?//", re.I),
    re.compile(r"url\([\"']?(?:https?:)?//", re.I),
    re.compile(r"fonts\.googleapis|fonts\.gstatic|unpkg\.com/|cdn\.jsdelivr", re.I),
]


def _offending_links(text: str) -> list[str]:
    hits = []
    for pattern in _LOADING:
        for m in pattern.finditer(text):
            snippet = text[m.start() : m.start() + 160]
            # <link rel="canonical"> and the like are not fetched.
            if snippet.lower().startswith("<link") and not re.search(
                r"rel=[\"']?(stylesheet|preload|modulepreload|icon|manifest|prefetch)", snippet, re.I
            ):
                continue
            hits.append(snippet)
    return hits


def test_pages_and_styles_load_nothing_from_other_hosts(built_site):
    problems = []
    for p in built_site.path.rglob("*"):
        if p.suffix not in (".html", ".css"):
            continue
        rel = p.relative_to(built_site.path).as_posix()
        if rel.startswith("schemas/"):
            continue
        for hit in _offending_links(p.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{rel}: {hit}")
    assert problems == []


def test_mermaid_is_vendored_at_the_pinned_version(built_site):
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["mermaid"]
    installed = json.loads((ROOT / "node_modules/mermaid/package.json").read_text())["version"]
    assert installed == pinned, "run npm ci: node_modules does not match package.json"
    vendored = built_site.path / "assets/vendor/mermaid.min.js"
    assert vendored.read_bytes() == (ROOT / "node_modules/mermaid/dist/mermaid.min.js").read_bytes()
    home = (built_site.path / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/vendor/mermaid.min.js"' in home
    assert '<pre class="mermaid">' in home


def test_mermaid_is_loaded_only_where_a_diagram_is_drawn(built_site):
    """3.5 MB a clerk's browser fetches only on the pages with a flowchart (the check page
    already downloads the checker)."""
    with_diagram, without = [], []
    for page in built_site.path.rglob("*.html"):
        html = page.read_text(encoding="utf-8", errors="replace")
        loads = "mermaid.min.js" in html
        if 'class="mermaid"' in html:
            assert loads, page
            with_diagram.append(page.parent.name)
        elif loads:
            without.append(str(page.relative_to(built_site.path)))
    assert without == [] and len(with_diagram) >= 2
    assert "mermaid" not in (built_site.path / "check" / "index.html").read_text(encoding="utf-8")


def test_theme_is_chinese_without_fonts_or_generator_footer(built_site):
    home = (built_site.path / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]+lang="zh"', home)
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home
    assert "Material for MkDocs" not in home and "squidfunk" not in home


def test_search_index_is_segmented_chinese(built_site):
    index = json.loads((built_site.path / "search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"]
    assert "\\u200b" in index["config"]["separator"]
    text = " ".join(doc["text"] for doc in index["docs"])
    # jieba marks word boundaries with zero-width spaces; the user dictionary keeps 零报告 whole.
    assert "\u200b零报告\u200b" in text
    assert "身份证号" in text


def test_print_stylesheet_targets_a4(built_site):
    css = (built_site.path / "assets/fpjc.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    assert "@media print" in css
    home = (built_site.path / "index.html").read_text(encoding="utf-8")
    assert 'href="assets/fpjc.css"' in home


def test_generated_pages_are_not_written_into_docs():
    """Generated pages are virtual files: docs/ holds only the hand-written pages."""
    assert not (ROOT / "docs/rules").exists()
    assert not (ROOT / "docs/forms").exists()
    assert not (ROOT / "docs/codelists.md").exists()
