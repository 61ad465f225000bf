"""MkDocs hooks: generate the reference pages and vendor the front-end files at build time.

Loaded by mkdocs.yml (`hooks:`). `on_config` reads the standard, the rule registry, the CLI
and the published schemas once, and sets `site_url` from the standard's base_uri (the one
place the published address is written); `on_files` adds the generated pages, every version's
schema files (at schemas/<version>/, their `$id` path), the downloadable templates and Mermaid
(from node_modules, never from a CDN) as virtual files; `on_post_build` runs the in-browser
checker's build step (site/checker_build.py). A missing source is logged as a warning, so `mkdocs build --strict` fails on it.
"""

from __future__ import annotations

import importlib.util
import logging
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


def on_post_build(config):
    # The in-browser checker: Pyodide runtime, our wheels and lock file, the worker.
    _load("checker_build", HERE / "checker_build.py").build(Path(config.site_dir))
