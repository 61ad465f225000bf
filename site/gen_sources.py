"""What the site generator reads before it writes any page: the standard, the rule registry,
the CLI parser, the published schemas, the public API's docstrings, the downloadable templates,
a sample report and every rule's failing example run through the real validator.

Loaded from site/generate.py (site/ is not a package: `site` is a standard-library module).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The filled example workbook clerks can download and try on the check page (synthetic data).
EXAMPLE_WORKBOOK = "valid-2020-07.xlsx"
EXAMPLE_DOWNLOAD = "填报示例（虚构数据）.xlsx"
# The guide's sample report: a synthetic faulty package from examples/, checked on a fixed day.
SAMPLE_PACKAGE = "errors-id-numbers.xlsx"
SAMPLE_TODAY = (2020, 9, 10)
SAMPLE_DIR = "report-sample"
# The public Python interface documented on developers/api.md, in reading order.
API_FUNCTIONS = (
    "validator.api.validate",
    "validator.api.validate_files",
    "validator.reading.open_package",
    "validator.reading.open_files",
    "validator.standard.load",
    "validator.standard.forms",
    "validator.standard.form",
    "validator.standard.codelist",
    "validator.standard.settings",
    "validator.settings.load_file",
    "validator.settings.load_bytes",
    "validator.settings.Settings",
    "validator.settings.settings_schema",
    "validator.standard.version",
    "validator.standard.find_form",
    "validator.standard.schema_names",
    "validator.standard.schema",
    "validator.standard.published_files",
    "validator.standard.base_uri",
    "validator.catalogue.registry",
    "validator.rules.Rule",
    "validator.findings.Finding",
    "validator.tables.Table",
    "validator.tables.Package",
    "validator.tables.InputError",
    "validator.report_schema.report_schema",
    "validator.values.idnumber.check_id",
    "validator.values.mask.mask",
    "validator.render.text.render_text",
    "validator.render.html.render_html",
    "validator.render.xlsx.annotate_workbook",
    "validator.engine.validate_package",
    "validator.county.rollup.rollup",
    "validator.county.rollup.rollup_files",
    "validator.county.record.index_folder",
    "validator.county.record.read_record",
    "validator.county.record.CountyRecord",
    "validator.cli.main",
)


@dataclass
class Sources:
    """What the generator read, plus the problems it met (the hook logs them as warnings)."""

    standard: dict
    rules: list = field(default_factory=list)
    parser: argparse.ArgumentParser | None = None
    schema_files: list[Path] = field(default_factory=list)  # relative to ROOT / "schemas": <version>/…
    versions: list[dict] = field(default_factory=list)  # every version folder: version, date, released
    downloads: list[Path] = field(default_factory=list)  # absolute paths of built templates
    downloads_dir: Path | None = None
    changelog: str = ""
    examples: dict = field(default_factory=dict)  # rule id -> findings of its failing example
    api: list[dict] = field(default_factory=list)  # documented functions: name, signature, doc
    sample: dict = field(default_factory=dict)  # the sample report shown in the guide
    sample_files: list[Path] = field(default_factory=list)  # absolute paths under downloads_dir
    problems: list[str] = field(default_factory=list)


def collect(*, downloads_dir: Path | None = None, run_examples: bool = True) -> Sources:
    """Read every source; a missing one becomes a problem, not a crash."""
    from validator import standard

    src = Sources(standard=standard.load())
    src.rules = _load_rules(src.problems)
    src.parser = _load_parser(src.problems)
    schemas_dir = ROOT / "schemas"
    if schemas_dir.is_dir():
        src.schema_files = sorted(p.relative_to(schemas_dir) for p in schemas_dir.rglob("*") if p.is_file())
    if not any(rel.parts[0] == src.standard["version"] for rel in src.schema_files):
        src.problems.append(f"schemas/{src.standard['version']}/ 为空：先运行 fpjc schemas build")
    src.versions = _versions(src.standard)
    if downloads_dir is not None:
        src.downloads_dir = downloads_dir
        src.downloads = _build_downloads(downloads_dir, src.problems)
        src.sample, src.sample_files = _sample_report(downloads_dir / SAMPLE_DIR, src.problems)
    changelog = ROOT / "CHANGELOG.md"
    src.changelog = changelog.read_text(encoding="utf-8") if changelog.exists() else ""
    src.api = _api_entries(src.problems)
    if run_examples and src.rules:
        src.examples = _run_examples(src.rules, src.problems)
    return src


def _versions(std: dict) -> list[dict]:
    """Every version of the standard kept under schemas/, newest first, with its release date."""
    from validator.builders import releases

    record = {e["version"]: e for e in releases.load_record()}
    found = set(releases.version_folders()) | {std["version"]}
    return [
        {
            "version": v,
            "date": record[v]["date"] if v in record else None,
            "released": v in record,
            "current": v == std["version"],
        }
        for v in sorted(found, key=releases.version_key, reverse=True)
    ]


def _load_rules(problems: list[str]) -> list:
    from validator.catalogue import registry

    return list(registry().values())


def _load_parser(problems: list[str]) -> argparse.ArgumentParser | None:
    from validator import cli

    try:
        return cli.build_parser()
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("validator."):
            raise
        problems.append(f"命令行参考不完整：模块 {exc.name} 不存在")
        return None


def _api_entries(problems: list[str]) -> list[dict]:
    out = []
    for dotted in API_FUNCTIONS:
        module_name, _, name = dotted.rpartition(".")
        try:
            func = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError) as exc:
            problems.append(f"Python 接口文档不完整：{dotted} 无法导入（{type(exc).__name__}）")
            continue
        try:
            signature = str(inspect.signature(func))
        except (TypeError, ValueError):
            signature = "(...)"
        out.append(
            {
                "name": dotted,
                "module": module_name,
                "signature": f"{name}{signature}",
                "doc": inspect.getdoc(func) or "",
            }
        )
    return out


def _build_downloads(out_dir: Path, problems: list[str]) -> list[Path]:
    if out_dir.exists():  # a file renamed upstream must not linger on the site
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    from validator.outputs.templates import build_all

    build_all(out_dir)
    example = ROOT / "examples" / EXAMPLE_WORKBOOK
    if example.is_file():
        shutil.copyfile(example, out_dir / EXAMPLE_DOWNLOAD)
    else:
        problems.append(f"填报示例缺少：examples/{EXAMPLE_WORKBOOK}（先运行 fpjc examples build）")
    return sorted(p for p in out_dir.rglob("*") if p.is_file())


def _sample_report(out_dir: Path, problems: list[str]) -> tuple[dict, list[Path]]:
    """Check one synthetic example package and keep the text, HTML and annotated reports."""
    import datetime as dt

    package = ROOT / "examples" / SAMPLE_PACKAGE
    if not package.exists():
        problems.append(f"报告样例缺少输入：examples/{SAMPLE_PACKAGE}")
        return {}, []
    try:
        from validator.api import validate
        from validator.render.html import render_html
        from validator.render.text import render_text
        from validator.render.xlsx import annotate_workbook

        report = validate([package], today=dt.date(*SAMPLE_TODAY), name=SAMPLE_PACKAGE)
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package, out_dir / SAMPLE_PACKAGE)
        (out_dir / "报告.html").write_text(render_html(report), encoding="utf-8")
        annotate_workbook(package, report, out_dir / "标注.xlsx")
        text = render_text(report, color=False)
    except Exception as exc:  # the guide must say so rather than show a stale or invented report
        problems.append(f"报告样例无法生成：{type(exc).__name__}: {exc}")
        return {}, []
    sample = {
        "package": SAMPLE_PACKAGE,
        "today": dt.date(*SAMPLE_TODAY).isoformat(),
        "text": text,
        "summary": report["summary"],
        "valid": report["valid"],
        "files": {
            "input": f"downloads/{SAMPLE_DIR}/{SAMPLE_PACKAGE}",
            "html": f"downloads/{SAMPLE_DIR}/报告.html",
            "xlsx": f"downloads/{SAMPLE_DIR}/标注.xlsx",
        },
    }
    return sample, sorted(p for p in out_dir.iterdir() if p.is_file())


def _run_examples(rules: list, problems: list[str]) -> dict:
    """Run each rule's failing example through the real validator, for the rule pages."""
    from validator.builders import rule_examples

    out = {}
    for r in rules:
        try:
            report = rule_examples.run_example(r, "fail")
        except Exception as exc:  # a broken example must not hide the rest of the catalogue
            problems.append(f"规则 {r.id} 的错误示例无法运行：{type(exc).__name__}: {exc}")
            continue
        found = [f for f in report.get("findings", []) if f.get("rule") == r.id]
        if not found:
            problems.append(f"规则 {r.id} 的错误示例没有触发这条规则，网站不能把它当作例子展示")
        out[r.id] = found[:3]
    return out


# ---------------------------------------------------------------------------------------
# Small helpers the templates use
