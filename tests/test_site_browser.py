"""The built site in a real browser: every page loads from 127.0.0.1 alone, without console
errors, broken internal links or missing images; the flowchart is drawn; search finds
Chinese words the way a person would search for them; screenshots are kept as artefacts.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Pages that start long-running work on load (the in-browser checker fetches Pyodide only
# when used, but give any page a moment to settle before judging it).
SETTLE_MS = 300


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)  # site-relative paths visited
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # local requests that failed or returned >= 400
    broken_images: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (page, absolute href)
    ids: dict[str, set[str]] = field(default_factory=dict)  # page path -> element ids


def _page_paths(site: Path) -> list[str]:
    """Every HTML page of the build, as the URL path a reader would open."""
    out = []
    for p in sorted(site.rglob("*.html")):
        rel = p.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith(("checker/", "assets/", "schemas/")):
            continue
        out.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return out


def _is_local(url: str, origin: str) -> bool:
    if url.startswith(("data:", "blob:", "about:", "javascript:")):
        return True
    return url.startswith(origin)


@pytest.fixture(scope="module")
def crawl(built_site, site_url, browser_context) -> Crawl:
    result = Crawl()
    origin = site_url.rstrip("/")
    page = browser_context.new_page()
    current = {"path": ""}

    def on_request(request):
        if not _is_local(request.url, origin):
            result.outside.append(f"{current['path']}: {request.url}")

    def on_failed(request):
        # ERR_ABORTED is the browser cancelling a fetch because the crawl moved on.
        if _is_local(request.url, origin) and "ERR_ABORTED" not in (request.failure or ""):
            result.failed.append(f"{current['path']}: {request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400 and _is_local(response.url, origin):
            result.failed.append(f"{current['path']}: {response.url} -> HTTP {response.status}")

    def on_console(msg):
        if msg.type == "error":
            result.console_errors.append(f"{current['path']}: {msg.text}")

    def on_pageerror(exc):
        result.console_errors.append(f"{current['path']}: uncaught {exc}")

    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", on_pageerror)

    for path in _page_paths(built_site.path):
        current["path"] = path or "/"
        page.goto(site_url + path, wait_until="load")
        page.wait_for_timeout(SETTLE_MS)
        result.pages.append(path)
        info = page.evaluate(
            """() => ({
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
                ids: [...document.querySelectorAll('[id]')].map(e => e.id),
                images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
                          .map(i => i.currentSrc || i.src),
            })"""
        )
        result.links.extend((path, href) for href in info["links"])
        result.ids[path] = set(info["ids"])
        result.broken_images.extend(f"{path}: {src}" for src in info["images"])
    page.close()
    return result


def test_every_page_was_visited(crawl, built_site):
    assert len(crawl.pages) >= 20, crawl.pages
    for must in (
        "",
        "procedure/",
        "forms/",
        "forms/annex1/",
        "codelists/",
        "rules/",
        "guide/",
        "developers/",
    ):
        assert must in crawl.pages


def test_nothing_is_loaded_from_another_host(crawl):
    assert crawl.outside == []


def test_no_console_errors(crawl):
    assert crawl.console_errors == []


def test_every_local_request_succeeds(crawl):
    assert crawl.failed == []


def test_no_missing_images(crawl):
    assert crawl.broken_images == []


def test_no_broken_internal_links(crawl, built_site, site_url):
    origin = site_url.rstrip("/")
    broken = []
    for page, href in crawl.links:
        if not href.startswith(origin):
            continue
        url, fragment = urldefrag(href)
        path = unquote(urlsplit(url).path).lstrip("/")
        target = built_site.path / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{page or '/'} -> {href}")
            continue
        key = posixpath.normpath(path) + "/" if path.endswith("/") else path
        key = "" if key in ("./", "/") else key
        if fragment and key in crawl.ids and unquote(fragment) not in crawl.ids[key]:
            broken.append(f"{page or '/'} -> {href} (no element with this id)")
    assert broken == []


def _open(context, url: str):
    page = context.new_page()
    page.goto(url, wait_until="load")
    return page


def _wait_for_flowchart(page, min_height: int = 150) -> dict:
    page.wait_for_function("() => typeof window.mermaid !== 'undefined'", timeout=15000)
    # Material replaces <pre class="mermaid"> by a <div class="mermaid"> holding the SVG in a
    # closed shadow root: the drawn chart shows as the host element's size.
    page.wait_for_function(
        "h => { const e = document.querySelector('div.mermaid');"
        " return e && e.getBoundingClientRect().height > h; }",
        arg=min_height,
        timeout=15000,
    )
    return page.evaluate(
        "() => { const r = document.querySelector('div.mermaid').getBoundingClientRect();"
        " return {width: r.width, height: r.height}; }"
    )


def test_flowchart_is_drawn_with_vendored_mermaid(browser_context, site_url, artefacts):
    page = _open(browser_context, site_url + "procedure/")
    size = _wait_for_flowchart(page)
    assert size["width"] > 200 and size["height"] > 300
    page.screenshot(path=str(artefacts / "procedure.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("身份证", ("rules/D", "forms/annex1", "guide")),
        ("零报告", ("procedure", "guide", "forms/manifest")),
        # A number with its Chinese unit, as a clerk types it (the pages write 7个工作日).
        ("7个工作日", ("procedure", "guide", "rules/R004")),
        ("7 个工作日", ("procedure", "guide", "rules/R004")),
        # 第N行 as one word, typed with or without spaces, found where a page writes 第5行 or 第 5 行.
        ("第5行", ("report-sample", "developers/style")),
        ("第 5 行", ("report-sample", "developers/style")),
        ("2020年7月", ("county", "procedure", "report-sample")),
        # Several words in one run: each is looked up, the last one too (Material cut 日期 to 日).
        ("民主评议日期", ("rules/R003", "rules/R010", "forms/annex1")),
    ],
)
def test_search_finds_chinese_words(browser_context, site_url, word, expected):
    page = _open(browser_context, site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(word, delay=50)
    box.press("End")  # Material listens to key events
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.href)")
    assert hrefs, f"no results for {word}"
    # The best results are the pages about the word, not pages that merely mention a part of it.
    assert any(e in h for e in expected for h in hrefs[:5]), hrefs[:5]
    meta = page.inner_text(".md-search-result__meta")
    phrase = word.replace(" ", "")  # 第 5 行 and 第5行 are one phrase; the index writes it without spaces
    text = page.inner_text(".md-search-result__list").replace("\u200b", "")
    assert phrase in text.replace(" ", ""), (meta, text[:500])
    # The best results show the phrase itself, not pages that merely have its parts somewhere.
    items = page.eval_on_selector_all(".md-search-result__item", "els => els.map(e => e.innerText)")
    best = [t.replace("\u200b", "").replace(" ", "") for t in items[:3]]
    assert all(phrase in t for t in best[:2]), best
    # No part of the query is struck out as missing from the two best pages.
    missing = page.eval_on_selector_all(
        ".md-search-result__item:nth-child(-n+2) > a del", "els => els.map(e => e.textContent)"
    )
    assert not missing, missing
    print(word, meta, hrefs[:5])
    # Open the first result, as a reader would, and find the word on that page.
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_load_state("load")
    assert phrase in page.inner_text("article").replace(" ", "")
    page.close()


def test_screenshots(browser_context, site_url, built_site, artefacts):
    """Home (with the overview flowchart), a form page and a rule page, for a person to look at."""
    rules = sorted((built_site.path / "rules").glob("D*/index.html")) or sorted(
        (built_site.path / "rules").glob("[A-Z][0-9]*/index.html")
    )
    assert rules, "no rule pages were generated"
    rule_path = rules[min(len(rules) - 1, 6)].parent.relative_to(built_site.path).as_posix() + "/"
    shots = {"home.png": "", "form-annex1.png": "forms/annex1/", "rule.png": rule_path}
    for name, path in shots.items():
        page = _open(browser_context, site_url + path)
        if name == "home.png":
            _wait_for_flowchart(page, min_height=40)
        page.wait_for_timeout(300)
        page.screenshot(path=str(artefacts / name), full_page=True)
        assert "鹤庆" in page.inner_text("body")
        page.close()
        assert (artefacts / name).stat().st_size > 20_000


def test_print_layout_is_a4_without_navigation(browser_context, site_url, artefacts):
    page = _open(browser_context, site_url + "forms/annex1/")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "() => ['.md-header', '.md-sidebar--primary', '.md-footer'].map("
        "s => { const e = document.querySelector(s); return !e || getComputedStyle(e).display === 'none'; })"
    )
    assert all(hidden)
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    (artefacts.parent / "form-annex1.pdf").write_bytes(pdf)
    page.close()


def test_printed_flowchart_fits_one_a4_page(browser_context, site_url):
    page = _open(browser_context, site_url + "procedure/")
    _wait_for_flowchart(page)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1000})  # A4 width less the @page margins, in CSS px
    page.wait_for_timeout(300)
    height = page.evaluate("() => document.querySelector('div.mermaid').getBoundingClientRect().height")
    assert 200 < height < 1000  # an A4 page holds about 1000 CSS px between the margins
    page.close()
