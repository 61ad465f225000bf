"""Generate the site's reference pages (forms, code lists, rules, CLI, settings, schemas).

Everything here is read from the same sources the validator uses: `validator.standard`
(forms, code lists, settings), `validator.rules.registry()` (rules with their examples),
`validator.cli.build_parser()` (every command and option), the published `schemas/` folder
and the templates helper's `build_all(out_dir)` functions. The hooks in `site/hooks.py` turn
the returned Markdown into virtual MkDocs pages. This file is loaded by path (not imported
as a package: `site` is a standard-library module name).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"

TYPE_LABELS = {
    "text": "文本",
    "integer": "整数",
    "money": "金额（元）",
    "date": "日期",
    "month": "月份",
    "boolean": "是/否",
    "code": "代码（单选）",
    "codes": "代码（可多选）",
    "id_number": "身份证号",
    "phone": "电话",
}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_LABELS = {"manifest": "报送信息", "annex": "附表", "stage": "阶段记录"}
PERSONAL_LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "电话"}
SETTING_COLUMNS = {
    "year": "年度",
    "amount": "金额（元）",
    "source": "来源",
    "key": "键",
    "value": "值",
    "date": "日期",
    "kind": "类型",
    "name": "名称",
    "note": "说明",
}
SETTING_TITLES = {
    "monitoring_line": "监测线",
    "deadline": "上报截止日与核查期限",
    "holiday_overrides": "节假日补充",
}
SETTING_KEYS = {
    "day_of_month": "次月几日前上报",
    "roll_forward": "截止日遇节假日是否顺延",
    "verification_working_days": "评议后几个工作日内完成乡镇核查",
}
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
    "validator.standard.version",
    "validator.rules.registry",
    "validator.report_schema.report_schema",
    "validator.idnumber.check_id",
    "validator.mask.mask",
    "validator.render.text.render_text",
    "validator.render.html.render_html",
    "validator.render.xlsx.annotate_workbook",
)
# The template modules of the templates helper: each has build_all(out_dir) -> list of paths.
TEMPLATE_MODULES = ("validator.xlsx_template", "validator.csv_template", "validator.printable")


@dataclass
class Sources:
    """What the generator read, plus the problems it met (the hook logs them as warnings)."""

    standard: dict
    rules: list = field(default_factory=list)
    parser: argparse.ArgumentParser | None = None
    schema_files: list[Path] = field(default_factory=list)  # relative to ROOT / "schemas"
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
    if not src.schema_files:
        src.problems.append("schemas/ 为空：先运行 fpjc schemas build")
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


def _load_rules(problems: list[str]) -> list:
    from validator import rules

    try:
        return list(rules.registry().values())
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("validator."):
            raise
        problems.append(f"规则登记表不完整：模块 {exc.name} 不存在，目录只列出已登记的规则")
        return [rules._REGISTRY[k] for k in sorted(rules._REGISTRY)]


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
    for module_name in TEMPLATE_MODULES:
        if importlib.util.find_spec(module_name) is None:
            problems.append(f"下载文件不完整：模块 {module_name} 不存在")
            continue
        module = importlib.import_module(module_name)
        if not hasattr(module, "build_all"):
            problems.append(f"下载文件不完整：{module_name} 没有 build_all(out_dir)")
            continue
        module.build_all(out_dir)
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
    if importlib.util.find_spec("validator.rule_examples") is None:
        problems.append("规则示例未运行：模块 validator.rule_examples 不存在")
        return {}
    from validator import rule_examples

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


def cell(value) -> str:
    """Text safe inside a Markdown table cell."""
    if value is None:
        return ""
    text = str(value).replace("\r", "").replace("\n", "<br>")
    return text.replace("|", "\\|")


def shown(value) -> str:
    """A value as a clerk would type it in a cell."""
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list | tuple):
        return "、".join(shown(v) for v in value)
    return str(value)


# (lower key, upper key, both, lower only, upper only): how a field's bounds read on its page.
_BOUNDS = (
    ("minimum", "maximum", "取值 {lo}–{hi}", "不小于 {lo}", "不大于 {hi}"),
    ("min_length", "max_length", "{lo}–{hi} 个字", "至少 {lo} 个字", "最多 {hi} 个字"),
    ("min_items", "max_items", "选 {lo}–{hi} 项", "至少选 {lo} 项", "最多选 {hi} 项"),
)


def field_rules(f: dict) -> list[str]:
    """The constraints of one field in plain Chinese, from its definition only."""
    out = []
    t = f["type"]
    if f.get("unique"):
        out.append("本表内不得重复")
    for low, high, both, at_least, at_most in _BOUNDS:
        lo, hi = f.get(low), f.get(high)
        if lo is not None and hi is not None:
            out.append(both.format(lo=lo, hi=hi))
        elif lo is not None:
            out.append(at_least.format(lo=lo))
        elif hi is not None:
            out.append(at_most.format(hi=hi))
    if t == "date":
        out.append("写作 YYYY-MM-DD（也接受 2020/7/1、2020年7月1日和 Excel 日期单元格）")
    elif t == "month":
        out.append("写作 YYYY-MM")
    elif t == "money":
        out.append("单位元，不小于 0，最多两位小数")
    elif t == "boolean":
        out.append("填“是”或“否”")
    elif t == "codes":
        out.append("多项用顿号“、”分隔")
    elif t == "id_number":
        out.append("18 位，末位是校验码（GB 11643）；把本列设为文本格式")
    elif t == "phone":
        out.append("手机 11 位，或座机 0872-七位号码")
    if f.get("pattern_hint"):
        out.append(f["pattern_hint"])
    if f.get("personal"):
        out.append(f"个人信息（{PERSONAL_LABELS.get(f['personal'], f['personal'])}）：报告中默认打码")
    return out


def field_notes(f: dict) -> str:
    """Description and constraints of a field as one Chinese sentence list."""
    parts = [f.get("description", "").strip().rstrip("。；;")] + field_rules(f)
    return "；".join(p.rstrip("。") for p in parts if p) + "。"


def foreign_key_text(fk: dict, form: dict, std: dict) -> str:
    """A foreign key in the clerk's words: which column must equal which column of which table."""
    here = {x["name"]: x["title"] for x in form["fields"]}
    ref_id = fk["reference"]["resource"]
    ref = next((f for f in std["forms"] if f["id"] == ref_id), None)
    there = {x["name"]: x["title"] for x in ref["fields"]} if ref else {}
    cols = "、".join(f"“{here.get(n, n)}”" for n in fk["fields"])
    ref_cols = "、".join(f"“{there.get(n, n)}”" for n in fk["reference"]["fields"])
    return f"本表的{cols}须与{ref['title'] if ref else ref_id}的{ref_cols}一致。"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()


# ---------------------------------------------------------------------------------------
# Rule examples: patches on the base package, shown as small tables of changed cells


def _field_titles(std: dict) -> dict[str, dict[str, str]]:
    return {f["id"]: {x["name"]: x["title"] for x in f["fields"]} for f in std["forms"]}


def _resource_title(std: dict, rid: str) -> str:
    for f in std["forms"]:
        if f["id"] == rid:
            return f"{f['title']} {f['full_title']}" if f["kind"] == "annex" else f["title"]
    return rid


def patch_blocks(patch: dict, std: dict) -> list[dict]:
    """Turn an example patch into display blocks: cell tables, sentences and raw files."""
    titles = _field_titles(std)
    blocks: list[dict] = []
    if not patch:
        return [{"kind": "text", "text": "不做任何改动：示例报送包本身就能通过这条规则。"}]
    for key, value in patch.items():
        if key == "drop":
            names = "、".join(_resource_title(std, r) for r in value)
            blocks.append({"kind": "text", "text": f"报送包里不提供：{names}。"})
        elif key == "files":
            for name, text in value.items():
                blocks.append({"kind": "code", "title": f"报送包中加一个文件 {name}", "text": _text(text)})
        elif key == "raw":
            for rid, text in value.items():
                blocks.append(
                    {"kind": "code", "title": f"{_resource_title(std, rid)} 的文件内容", "text": _text(text)}
                )
        elif key == "options":
            blocks.extend(_option_blocks(value))
        elif key in titles or isinstance(value, dict):
            blocks.extend(_resource_blocks(key, value, std, titles.get(key, {})))
        else:
            blocks.append(
                {"kind": "code", "title": key, "text": json.dumps(value, ensure_ascii=False, indent=2)}
            )
    return blocks


def _text(data) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return f"（{len(data)} 字节的二进制内容）"
    return str(data)


def _option_blocks(options: dict) -> list[dict]:
    out = []
    for k, v in options.items():
        if k == "today":
            out.append({"kind": "text", "text": f"以 {v} 作为校验当天（命令行 `--today {v}`）。"})
        elif k == "format":
            out.append({"kind": "text", "text": f"报送包以 {v} 文件提交。"})
        elif k == "history":
            out.append(
                {
                    "kind": "code",
                    "title": "同时提供以前报送的历史数据（--history）",
                    "text": json.dumps(v, ensure_ascii=False, indent=2, default=str),
                }
            )
        elif k == "roster":
            out.append(
                {
                    "kind": "code",
                    "title": "同时提供建档立卡名单（--roster）",
                    "text": json.dumps(v, ensure_ascii=False, indent=2, default=str),
                }
            )
        else:
            out.append(
                {"kind": "code", "title": f"选项 {k}", "text": json.dumps(v, ensure_ascii=False, default=str)}
            )
    return out


def _resource_blocks(rid: str, change: dict, std: dict, titles: dict[str, str]) -> list[dict]:
    where = _resource_title(std, rid)
    blocks: list[dict] = []
    cells: list[tuple[str, str, str]] = []
    row_label = f"第 {change.get('row', 1)} 条数据"
    for name, value in (change.get("set") or {}).items():
        cells.append((row_label, titles.get(name, name), shown(value)))
    for i, row in enumerate(change.get("append") or [], start=1):
        for name, value in row.items():
            cells.append((f"新增第 {i} 条", titles.get(name, name), shown(value)))
    if "rows" in change:
        rows = change["rows"]
        if not rows:
            blocks.append({"kind": "text", "text": f"{where}：删去全部数据行，只留表头。"})
        for i, row in enumerate(rows, start=1):
            for name, value in row.items():
                cells.append((f"第 {i} 条数据", titles.get(name, name), shown(value)))
    if cells:
        blocks.append({"kind": "cells", "title": where, "cells": cells})
    if change.get("drop_columns"):
        cols = "、".join(f"“{titles.get(n, n)}”" for n in change["drop_columns"])
        blocks.append({"kind": "text", "text": f"{where}：删去列 {cols}。"})
    for old, new in (change.get("rename_columns") or {}).items():
        blocks.append({"kind": "text", "text": f"{where}：列标题“{old}”改为“{new}”。"})
    known = {"set", "row", "append", "rows", "drop_columns", "rename_columns"}
    for key in change.keys() - known:
        blocks.append(
            {
                "kind": "code",
                "title": f"{where}：{key}",
                "text": json.dumps(change[key], ensure_ascii=False, indent=2, default=str),
            }
        )
    return blocks


# ---------------------------------------------------------------------------------------
# CLI reference


def walk_parser(parser: argparse.ArgumentParser, prefix: str = "") -> list[dict]:
    """Every command and sub-command with its options, depth first."""
    prog = (prefix + " " + parser.prog.split()[-1]).strip() if prefix else parser.prog
    options = []
    children = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                entry = walk_parser(sub, prog)
                entry[0]["help"] = helps.get(name) or sub.description or ""
                children.extend(entry)
            continue
        options.append(
            {
                "names": ", ".join(action.option_strings) if action.option_strings else action.dest,
                "positional": not action.option_strings,
                "metavar": _metavar(action),
                "default": _default(action),
                "choices": "、".join(str(c) for c in action.choices) if action.choices else "",
                "required": bool(action.required)
                if action.option_strings
                else action.nargs not in ("?", "*"),
                "help": _ARGPARSE_HELP.get(action.help, action.help or "")
                if action.help != argparse.SUPPRESS
                else "",
            }
        )
    usage = parser.format_usage().replace("usage: ", "").strip()
    me = {
        "prog": prog,
        "anchor": slug(prog.replace(" ", "-")),
        "description": parser.description or "",
        "help": "",
        "usage": usage,
        "options": options,
    }
    return [me, *children]


# argparse's own English help texts, in the site's language.
_ARGPARSE_HELP = {
    "show this help message and exit": "显示本命令的帮助并退出",
    "show program's version number and exit": "显示程序版本号并退出",
}


def _metavar(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.metavar:
        return action.metavar if isinstance(action.metavar, str) else " ".join(action.metavar)
    return action.dest.upper() if action.option_strings else action.dest


def _default(action: argparse.Action) -> str:
    d = action.default
    if d is None or d is argparse.SUPPRESS or action.nargs == 0 or d is False:
        return ""
    if isinstance(d, list | tuple):
        return " ".join(str(x) for x in d)
    return str(d)


# ---------------------------------------------------------------------------------------
# Downloads and schema files per form


def form_downloads(form: dict, src: Sources) -> list[dict]:
    """The files a form page offers: templates, printable form, JSON Schema, Table Schema."""
    out = []
    fid = form["id"]
    for p in src.downloads:
        name = p.name
        if not (name.startswith(fid + ".") or name.startswith(fid + "-") or form["title"] in name):
            continue
        rel = p.relative_to(src.downloads_dir).as_posix()
        out.append({"label": _download_label(name), "path": f"downloads/{rel}", "name": name})
    for rel in src.schema_files:
        name = rel.as_posix()
        if name == f"{fid}.table.json":
            out.append({"label": "Table Schema（Frictionless）", "path": f"schemas/{name}", "name": name})
        elif name == f"{fid}.row.schema.json":
            out.append({"label": "JSON Schema（一行数据）", "path": f"schemas/{name}", "name": name})
    order = ["Excel", "CSV", "打印", "JSON", "Table"]
    return sorted(out, key=lambda d: next((i for i, k in enumerate(order) if d["label"].startswith(k)), 9))


def shared_downloads(src: Sources) -> list[dict]:
    """Downloads that belong to no single form, such as the whole submission workbook."""
    ids = [(f["id"], f["title"]) for f in src.standard["forms"]]
    out = []
    for p in src.downloads:
        if any(p.name.startswith((fid + ".", fid + "-")) or title in p.name for fid, title in ids):
            continue
        rel = p.relative_to(src.downloads_dir).as_posix()
        label = (
            "整本填报工作簿（各表在同一个 Excel 文件中）" if p.suffix == ".xlsx" else _download_label(p.name)
        )
        out.append({"label": label, "path": f"downloads/{rel}", "name": p.name})
    return out


def _download_label(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "xlsx": "Excel 填报模板",
        "csv": "CSV 模板（UTF-8，带 BOM）",
        "html": "打印表（A4）",
        "pdf": "打印表（PDF）",
    }.get(suffix, name)


def schema_entries(src: Sources) -> list[dict]:
    out = []
    for rel in src.schema_files:
        path = ROOT / "schemas" / rel
        entry = {"path": rel.as_posix(), "id": "", "title": "", "description": ""}
        if path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                data = {}
            entry["id"] = data.get("$id", "")
            entry["title"] = data.get("title", "")
            entry["description"] = data.get("description", "")
        elif path.suffix == ".md":
            first = path.read_text(encoding="utf-8").lstrip().splitlines()[:1]
            entry["title"] = first[0].lstrip("# ").strip() if first else ""
        out.append(entry)
    return out


# ---------------------------------------------------------------------------------------
# Pages


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Markdown heading ids are written {#id}: keep Jinja's comment syntax out of the way.
        comment_start_string="<#--",
        comment_end_string="--#>",
    )
    env.filters["cell"] = cell
    env.filters["shown"] = shown
    env.globals.update(
        TYPE_LABELS=TYPE_LABELS,
        SEVERITY_LABELS=SEVERITY_LABELS,
        KIND_LABELS=KIND_LABELS,
        SETTING_COLUMNS=SETTING_COLUMNS,
        SETTING_TITLES=SETTING_TITLES,
        SETTING_KEYS=SETTING_KEYS,
        field_rules=field_rules,
        field_notes=field_notes,
        foreign_key_text=foreign_key_text,
    )
    return env


def rule_page_path(rule_id: str) -> str:
    return f"rules/{rule_id}.md"


def form_page_path(form_id: str) -> str:
    return f"forms/{form_id}.md"


def pages(src: Sources) -> dict[str, str]:
    """All generated pages: docs-relative path -> Markdown."""
    env = _env()
    std = src.standard
    forms = sorted(std["forms"], key=lambda f: (f.get("order", 99), f["id"]))
    codelist_usage: dict[str, list[tuple[dict, dict]]] = {}
    for f in forms:
        for x in f["fields"]:
            if x.get("codelist"):
                codelist_usage.setdefault(x["codelist"], []).append((f, x))
    rules_by_resource: dict[str, list] = {}
    for r in src.rules:
        for res in r.resources:
            rules_by_resource.setdefault(res, []).append(r)
    categories: dict[str, list] = {}
    for r in src.rules:
        categories.setdefault(r.category, []).append(r)

    out = {}
    common = {"std": std, "forms": forms, "src": src}
    out["forms/index.md"] = env.get_template("forms_index.md.j2").render(
        **common,
        shared=shared_downloads(src),
        downloads=[p.relative_to(src.downloads_dir).as_posix() for p in src.downloads],
    )
    for f in forms:
        out[form_page_path(f["id"])] = env.get_template("form.md.j2").render(
            **common,
            form=f,
            downloads=form_downloads(f, src) + (shared_downloads(src) if f["kind"] != "stage" else []),
            rules=rules_by_resource.get(f["id"], []),
        )
    out["codelists.md"] = env.get_template("codelists.md.j2").render(
        **common,
        codelists=[std["codelists"][k] for k in sorted(std["codelists"])],
        usage=codelist_usage,
        csv_files={rel.stem for rel in src.schema_files if rel.parts[0] == "codelists"},
    )
    out["rules/index.md"] = env.get_template("rules_index.md.j2").render(
        **common, categories=categories, rules=src.rules
    )
    for r in src.rules:
        out[rule_page_path(r.id)] = env.get_template("rule.md.j2").render(
            **common,
            rule=r,
            fail_blocks=patch_blocks(r.fail, std),
            pass_blocks=patch_blocks(r.passing, std),
            produced=src.examples.get(r.id),
            resource_titles={f["id"]: f["title"] for f in forms},
        )
    out["developers/cli.md"] = env.get_template("cli.md.j2").render(
        **common, commands=walk_parser(src.parser) if src.parser else []
    )
    out["developers/settings.md"] = env.get_template("settings.md.j2").render(
        **common, settings=std["settings"]
    )
    out["developers/schemas.md"] = env.get_template("schemas.md.j2").render(
        **common, entries=schema_entries(src)
    )
    out["developers/report.md"] = env.get_template("report.md.j2").render(**common, schema=_report_schema())
    out["report-sample.md"] = env.get_template("report_sample.md.j2").render(**common, sample=src.sample)
    out["developers/api.md"] = env.get_template("api.md.j2").render(**common, api=src.api)
    body = re.sub(r"\A#\s.*\n", "", src.changelog)
    out["developers/changelog.md"] = env.get_template("changelog.md.j2").render(**common, changelog=body)
    return out


def _report_schema() -> dict:
    from validator.report_schema import report_schema

    return report_schema()


def nav_sections(src: Sources) -> dict[str, list]:
    """Nav entries the hook puts under the generated section index pages."""
    forms = sorted(src.standard["forms"], key=lambda f: (f.get("order", 99), f["id"]))
    form_nav = [{_form_nav_title(f): form_page_path(f["id"])} for f in forms]
    by_cat: dict[str, list] = {}
    for r in src.rules:
        by_cat.setdefault(f"{r.id[0]} {r.category}", []).append({f"{r.id} {r.title}": rule_page_path(r.id)})
    rule_nav = [{cat: entries} for cat, entries in by_cat.items()]
    return {"forms/index.md": form_nav, "rules/index.md": rule_nav}


def _form_nav_title(f: dict) -> str:
    return f"{f['title']} {f['full_title']}" if f["kind"] == "annex" else f["title"]
