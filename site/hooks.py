"""MkDocs hooks: generate the reference pages and vendor the front-end files at build time.

Loaded by mkdocs.yml (`hooks:`). `on_config` reads the standard, the rule registry, the CLI
and the published schemas once, and sets `site_url` from the standard's base_uri (the one
place the published address is written); `on_files` adds the generated pages, every version's
schema files (at schemas/<version>/, their `$id` path), the downloadable templates and Mermaid
(from node_modules, never from a CDN) as virtual files; `on_post_build` runs the in-browser
checker's build step (site/checker_build.py). A missing source is logged as a warning, so `mkdocs build --strict` fails on it.

`on_page_markdown` fills the few placeholders hand-written pages use (%%template_workbook%%,
%%example_workbook%%: links to the downloads, whose names carry the version; %%checklist%%: the
pre-submission checklist the results screen shows; %%checker_mb%%, the checker's size in MB, is
filled in the built pages once the checker is built) and joins the lines of a Markdown paragraph
where both sides are Chinese, so a wrapped source line does not become a space inside a Chinese
sentence. `on_post_build` also makes numbers with Chinese units searchable as typed (7个工作日, 第5行 or 第 5 行)
and corrects how Material's search worker cuts a Chinese query of several words (`_WORKER_FIXES`).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import posixpath
import re
import sys
from pathlib import Path

import material
from mkdocs.structure.files import File, Files

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MERMAID = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
MERMAID_DEST = "assets/vendor/mermaid.min.js"
FAVICON = Path(material.__file__).parent / "templates" / "assets" / "images" / "favicon.png"
DOWNLOADS = ROOT / "build" / "site-downloads"  # outside site_dir: mkdocs cleans that one

log = logging.getLogger("mkdocs.plugins.fpjc")
_state: dict = {}


def _load(name: str, path: Path):
    """Import a sibling file by path (site/ is not a package; `site` is a stdlib name)."""
    spec = importlib.util.spec_from_file_location(f"fpjc_site_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def on_config(config):
    generate = _load("generate", HERE / "generate.py")
    src = generate.collect(downloads_dir=DOWNLOADS)
    for problem in src.problems:
        log.warning(problem)
    _state.update(generate=generate, src=src, pages=generate.pages(src))
    config.extra["standard_version"] = src.standard["version"]
    config.site_url = site_url(src.standard["base_uri"], config.site_url)
    return config


def site_url(base_uri: str, configured: str | None) -> str | None:
    """The site's address, from the one place it is set: the standard's base_uri (forms/standard.yaml).

    Published files are served at schemas/<version>/<file> below the site, so each `$id`
    (base_uri + version + file) resolves; the sitemap and canonical links use the same address.
    """
    if not base_uri.endswith("/schemas/"):
        log.warning(
            f"standard.yaml 的 base_uri（{base_uri}）应以 /schemas/ 结尾：网站无法在 $id 的地址提供文件"
        )
        return configured
    derived = base_uri[: -len("schemas/")]
    if configured and configured.startswith(("http://127.0.0.1", "http://localhost")):
        return configured  # `mkdocs serve` puts its own address here
    if configured and configured.rstrip("/") + "/" != derived:
        log.warning(
            f"mkdocs.yml 的 site_url（{configured}）与 standard.yaml 的 base_uri 不一致：只在 base_uri 中设置"
        )
    return derived


def on_files(files: Files, config) -> Files:
    generate, src = _state["generate"], _state["src"]
    for path, text in _state["pages"].items():
        _add(files, File.generated(config, path, content=text))
    for rel in src.schema_files:
        _add(
            files,
            File.generated(config, f"schemas/{rel.as_posix()}", abs_src_path=str(ROOT / "schemas" / rel)),
        )
    for p in [*src.downloads, *src.sample_files]:
        rel = p.relative_to(DOWNLOADS).as_posix()
        _add(files, File.generated(config, f"downloads/{rel}", abs_src_path=str(p)))
    # Standalone pages (printable forms) have no icon link, so browsers ask for /favicon.ico.
    _add(files, File.generated(config, "favicon.ico", abs_src_path=str(FAVICON)))
    if MERMAID.exists():
        _add(files, File.generated(config, MERMAID_DEST, abs_src_path=str(MERMAID)))
    else:
        log.warning(f"找不到 {MERMAID.relative_to(ROOT)}：先运行 npm ci（scripts/setup.sh 会运行）")
    config.nav = _expand_nav(config.nav, generate.nav_sections(src))
    return files


def _add(files: Files, file: File) -> None:
    old = files.get_file_from_path(file.src_uri)
    if old is not None:
        files.remove(old)
    files.append(file)


def _expand_nav(nav, sections: dict[str, list]):
    """Turn `标题: forms/index.md` into a section (index page + generated pages)."""
    out = []
    for item in nav or []:
        if isinstance(item, dict):
            (title, value), *_ = item.items()
            if isinstance(value, str) and value in sections:
                item = {title: [value, *sections[value]]}
            elif isinstance(value, list):
                item = {title: _expand_nav(value, sections)}
        out.append(item)
    return out


def on_page_markdown(markdown: str, page, config, files) -> str:
    markdown = fill_placeholders(markdown, page.file.src_uri)
    return join_chinese_lines(markdown)


def fill_placeholders(markdown: str, src_uri: str) -> str:
    if "%%" not in markdown:
        return markdown
    from validator.render import checklist

    generate = _state.get("generate") or _load("generate", HERE / "generate.py")
    here = posixpath.dirname(src_uri)
    for name, target in generate.download_links().items():
        markdown = markdown.replace(f"%%{name}%%", posixpath.relpath(target, here or "."))
    return markdown.replace("%%checklist%%", "\n".join(f"- [ ] {line}" for line in checklist()))


_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’…—"
_ENDS_CJK = re.compile(f"[{_CJK}]$")
_STARTS_CJK = re.compile(f"^[{_CJK}]")
# A line that starts a block of its own is never joined to the line before it.
_BLOCK_START = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|\||#|>|!!!|\?\?\?|===|<|```|~~~|\[\^)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def join_chinese_lines(markdown: str) -> str:
    """Join the lines of a paragraph where a Chinese character ends one line and starts the next
    (Markdown would show a space between them). Code blocks, tables, headings, list items and
    other block starts are left as they are; so is a line ending in a hard break."""
    out: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        stripped = line.strip()
        prev = out[-1] if out else ""
        if (
            not fenced
            and out
            and stripped
            and _STARTS_CJK.match(stripped)
            and not _BLOCK_START.match(stripped)
            and _ENDS_CJK.search(prev)
            and not prev.lstrip().startswith(("|", "#", "<"))
            and not prev.endswith("  ")
        ):
            out[-1] = prev + stripped
        else:
            out.append(line)
    return "\n".join(out)


# Material's search cuts Chinese text with jieba and puts a zero-width space between the words,
# so a number ends up apart from its unit (第​5​行, 7​个​工作日) or glued to the word after it
# (5行是); a page that writes 第 5 行 gives the words 第, 5 and 行. A reader types 第5行, 第 5 行
# or 7个工作日 alike. Both sides are brought to one form: a number with its unit (and the 第
# before it) is one word, with no space inside and a word break on either side, in the index
# (`searchable_numbers`, at build time) and in the query (`_QUERY_FIX`, in the search worker).
UNITS = "个行列页条款项章节号年月日时天周元万户人次位名岁倍处字张份类组段套种步级批轮秒"
_NUMBER_UNIT = re.compile(rf"(?<![\d.])(第[ \u00a0\u200b]*)?(\d+(?:\.\d+)?)[ \u00a0\u200b]*([{UNITS}])")


def searchable_numbers(index_text: str) -> str:
    """The search index with each number joined to its Chinese unit (and a 第 before it) as one word."""
    text = _NUMBER_UNIT.sub(
        lambda m: f"\u200b{'第' if m.group(1) else ''}{m.group(2)}{m.group(3)}\u200b", index_text
    )
    return re.sub("\u200b{2,}", "\u200b", text)


def _query_fix(m: re.Match) -> str:
    """The worker's query line with the same number words: each number word kept whole and apart,
    only the Chinese in between cut into the index's words (joined with " ", see (2) below)."""
    query, han, cut = m.groups()
    number = rf"(?<![\\d.])(第\\s*)?(\\d+(?:\\.\\d+)?)\\s*([{UNITS}])"
    word = rf"(?<![\\d.])第?\\d+(?:\\.\\d+)?[{UNITS}]|\\p{{sc=Han}}+"
    return (
        f'{query}={query}.replace(new RegExp("{number}","gu"),(m,d,n,u)=>" "+(d?"第":"")+n+u+" ")'
        f'.replace(new RegExp("{word}","gu"),{han}=>/\\d/.test({han})?{han}:'
        f'[...{cut}({han},this.index.invertedIndex)].join(" "))'
    )


# Material's search worker (9.x) cuts a Chinese query into the index's words, but (1) never tries
# a word that ends at the query's last character (民主评议日期 becomes 民主评议 + 日) and (2) joins
# the words with "* " before adding "*" to every term, so all but the last get "**" and are shown
# struck out as missing (7个工作日: “缺少: 7个*”); (2) also puts the number words together as the
# index has them (see above). If Material's code changes the fixes no longer match and the build
# warns (strict: fails).
_WORKER_FIXES = (
    # for(let o=s+1;o<t.length;o++)t.slice(s,o)in e  ->  o<=t.length
    (
        re.compile(r"for\(let (\w+)=(\w+)\+1;\1<(\w+)\.length;\1\+\+\)\3\.slice\(\2,\1\)in "),
        lambda m: "for(let {0}={1}+1;{0}<={2}.length;{0}++){2}.slice({1},{0})in ".format(*m.groups()),
    ),
    # e=e.replace(new RegExp("\\p{sc=Han}+","gu"),s=>[...fe(s,this.index.invertedIndex)].join("* "))
    (
        re.compile(
            r'(\w+)=\1\.replace\(new RegExp\("\\\\p\{sc=Han\}\+","gu"\),(\w+)=>'
            r'\[\.\.\.(\w+)\(\2,this\.index\.invertedIndex\)\]\.join\("\* "\)\)'
        ),
        _query_fix,
    ),
)


def fix_search_worker(code: str) -> tuple[str, int]:
    """The worker's code with both query fixes, and how many of them applied."""
    applied = 0
    for pattern, repl in _WORKER_FIXES:
        code, n = pattern.subn(repl, code)
        applied += n == 1
    return code, applied


CHECKER_MB = "%%checker_mb%%"  # the pages say how much the checker downloads: filled after it is built


def on_post_build(config):
    site = Path(config.site_dir)
    # The in-browser checker: Pyodide runtime, our wheels and lock file, the worker.
    checker = _load("checker_build", HERE / "checker_build.py").build(site)
    size = f"{checker['bytes'] / 1e6:.0f}"
    for page in site.rglob("*.html"):
        if page.relative_to(site).parts[0] == "checker":
            continue
        text = page.read_text(encoding="utf-8")
        if CHECKER_MB in text:
            page.write_text(text.replace(CHECKER_MB, size), encoding="utf-8")
    index = site / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        for doc in data.get("docs", []):
            for key in ("title", "text"):
                if isinstance(doc.get(key), str):
                    doc[key] = searchable_numbers(doc[key].replace(CHECKER_MB, size))
        index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    workers = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    for worker in workers:
        code, applied = fix_search_worker(worker.read_text(encoding="utf-8"))
        if applied != len(_WORKER_FIXES):
            log.warning(
                f"{worker.name}：Material 的搜索代码变了，中文查询的修正没有用上（site/hooks.py _WORKER_FIXES）"
            )
        worker.write_text(code, encoding="utf-8")
    if not workers:
        log.warning("找不到 Material 的搜索 worker（assets/javascripts/workers/search.*.min.js）")
