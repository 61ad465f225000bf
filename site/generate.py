"""Generate the site's reference pages (forms, code lists, rules, CLI, settings, schemas).

It routes and renders pages; what it reads comes from `gen_sources.collect()`, the rule
examples' display from `gen_examples`, the command reference from `gen_cli`.

Everything here is read from the same sources the validator uses: `validator.standard`
(forms, code lists, settings), `validator.catalogue.registry()` (rules with their examples),
`validator.cli.build_parser()` (every command and option), the published `schemas/` folder
and `validator.outputs.templates.build_all(out_dir)` (the downloads). The hooks in `site/hooks.py` turn
the returned Markdown into virtual MkDocs pages. This file is loaded by path (not imported
as a package: `site` is a standard-library module name).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jinja2

from validator.catalogue import column_rules, required_when
from validator.findings import SEVERITY_LABELS
from validator.outputs import paper
from validator.values.wording import TYPE_LABELS, constraints, requirement

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the sibling modules below; site/ is not a package
    sys.path.insert(0, str(HERE))

from gen_cli import slug, walk_parser  # noqa: E402
from gen_examples import correct_blocks, patch_blocks, shown  # noqa: E402
from gen_sources import EXAMPLE_DOWNLOAD, ROOT, SAMPLE_DIR, Sources, collect  # noqa: E402

TEMPLATES = HERE / "templates"
__all__ = [
    "collect",
    "pages",
    "nav_sections",
    "patch_blocks",
    "shown",
    "walk_parser",
    "slug",
    "ROOT",
    "SAMPLE_DIR",
]

KIND_LABELS = {"manifest": "报送信息", "annex": "附表", "stage": "阶段记录", "county": "县级表单"}
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
    "departments": "研判部门补充",
}
SETTING_KEYS = {
    "day_of_month": "次月几日前上报",
    "roll_forward": "截止日遇节假日是否顺延",
    "verification_working_days": "评议后几个工作日内完成乡镇核查",
    "measure_months": "认定后几个月内落实帮扶措施（台账的逾期事项）",
}


def cell(value) -> str:
    """Text safe inside a Markdown table cell."""
    if value is None:
        return ""
    text = str(value).replace("\r", "").replace("\n", "<br>")
    return text.replace("|", "\\|")


def field_notes(f: dict) -> str:
    """Description and constraints of a field as one Chinese sentence list."""
    parts = [f.get("description", "").strip().rstrip("。；;")] + constraints(f)
    return "；".join(p.rstrip("。") for p in parts if p) + "。"


def rule_links(rules: list, prefix: str = "../rules/") -> str:
    """检查规则 F001、D007 … as links to the rule pages."""
    return "、".join(f"[{r.id}]({prefix}{r.id}.md)" for r in rules)


# The code lists a township clerk uses most come first on the code-list page.
CODELISTS_FIRST = ("township", "risk_type", "measure")


def foreign_key_text(fk: dict, form: dict, std: dict) -> str:
    """A foreign key in the clerk's words: which column must equal which column of which table."""
    here = {x["name"]: x["title"] for x in form["fields"]}
    ref_id = fk["reference"]["resource"]
    ref = next((f for f in std["forms"] if f["id"] == ref_id), None)
    there = {x["name"]: x["title"] for x in ref["fields"]} if ref else {}
    cols = "、".join(f"“{here.get(n, n)}”" for n in fk["fields"])
    ref_cols = "、".join(f"“{there.get(n, n)}”" for n in fk["reference"]["fields"])
    return f"本表的{cols}须与{ref['title'] if ref else ref_id}的{ref_cols}一致。"


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
        label = _download_label(name, paper.layout(form["fields"]).paper)
        out.append({"label": label, "path": f"downloads/{rel}", "name": name})
    version = src.standard["version"]
    for rel in src.schema_files:
        if rel.parts[0] != version:
            continue
        name = rel.relative_to(version).as_posix()
        if name == f"{fid}.table.json":
            out.append(
                {"label": "Table Schema（Frictionless）", "path": schema_path(src, name), "name": name}
            )
        elif name == f"{fid}.row.schema.json":
            out.append({"label": "JSON Schema（一行数据）", "path": schema_path(src, name), "name": name})
    order = ["Excel", "CSV", "打印", "JSON", "Table"]
    return sorted(out, key=lambda d: next((i for i, k in enumerate(order) if d["label"].startswith(k)), 9))


def download_links() -> dict[str, str]:
    """Docs-relative paths of the downloads hand-written pages link to (site/hooks.py fills them in)."""
    from validator.outputs.workbook import workbook_file_name

    return {
        "template_workbook": f"downloads/{workbook_file_name()}",
        "example_workbook": f"downloads/{EXAMPLE_DOWNLOAD}",
    }


def shared_downloads(src: Sources) -> list[dict]:
    """Downloads that belong to no single form, such as the whole submission workbook."""
    ids = [(f["id"], f["title"]) for f in src.standard["forms"]]
    out = []
    for p in src.downloads:
        if any(p.name.startswith((fid + ".", fid + "-")) or title in p.name for fid, title in ids):
            continue
        rel = p.relative_to(src.downloads_dir).as_posix()
        if p.name == EXAMPLE_DOWNLOAD:
            label = "填报示例：已填好的工作簿（虚构数据，能通过校验）"
        elif p.suffix == ".xlsx":
            label = "整本填报工作簿（各表在同一个 Excel 文件中）"
        else:
            label = _download_label(p.name)
        out.append({"label": label, "path": f"downloads/{rel}", "name": p.name})
    return out


def _download_label(name: str, paper_name: str = "A4") -> str:
    if name.startswith("县级研判工作簿"):
        return "Excel 空白研判工作簿（研判会议、县级研判表和会签页；每月用 fpjc county prepare 生成已填好各户的工作簿）"
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "xlsx": "Excel 填报模板",
        "csv": "CSV 模板（UTF-8，带 BOM）",
        "html": f"打印表（{paper_name} 横向）",
        "pdf": "打印表（PDF）",
        "json": "县设置文件样例（JSON，县扶贫办改好后发给各乡镇）",
    }.get(suffix, name)


def schema_path(src: Sources, name: str) -> str:
    """Where the site serves a published file of the current version (its `$id`, relative to site_url)."""
    return f"schemas/{src.standard['version']}/{name}"


def schema_entries(src: Sources) -> list[dict]:
    """The current version's published files, with their `$id`, title or description."""
    out = []
    version = src.standard["version"]
    for rel in src.schema_files:
        if rel.parts[0] != version:
            continue
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
        schemas_dir=lambda std: f"schemas/{std['version']}",
        TYPE_LABELS=TYPE_LABELS,
        SEVERITY_LABELS=SEVERITY_LABELS,
        KIND_LABELS=KIND_LABELS,
        SETTING_COLUMNS=SETTING_COLUMNS,
        SETTING_TITLES=SETTING_TITLES,
        SETTING_KEYS=SETTING_KEYS,
        field_notes=field_notes,
        foreign_key_text=foreign_key_text,
        rule_links=rule_links,
        requirement=requirement,
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
            checks=column_rules(f["id"]),
            when=required_when(f["id"]),
            downloads=form_downloads(f, src)
            + (shared_downloads(src) if f["kind"] in ("manifest", "annex") else []),
            rules=rules_by_resource.get(f["id"], []),
        )
    used_order = [x["codelist"] for f in forms for x in f["fields"] if x.get("codelist")]
    order = [*CODELISTS_FIRST, *dict.fromkeys(used_order), *sorted(std["codelists"])]
    out["codelists.md"] = env.get_template("codelists.md.j2").render(
        **common,
        codelists=[std["codelists"][k] for k in dict.fromkeys(order) if k in std["codelists"]],
        usage=codelist_usage,
        csv_files={rel.stem for rel in src.schema_files if rel.parts[:2] == (std["version"], "codelists")},
    )
    out["rules/index.md"] = env.get_template("rules_index.md.j2").render(
        **common, categories=categories, rules=src.rules
    )
    for r in src.rules:
        out[rule_page_path(r.id)] = env.get_template("rule.md.j2").render(
            **common,
            rule=r,
            fail_blocks=patch_blocks(r.fail, std),
            pass_blocks=correct_blocks(r.fail, r.passing, std, src.examples.get(r.id)),
            produced=src.examples.get(r.id),
            resource_titles={f["id"]: f["title"] for f in forms},
        )
    out["developers/rules.md"] = env.get_template("rule_names.md.j2").render(**common, categories=categories)
    out["developers/cli.md"] = env.get_template("cli.md.j2").render(
        **common, commands=walk_parser(src.parser) if src.parser else []
    )
    out["developers/settings.md"] = env.get_template("settings.md.j2").render(
        **common, settings=std["settings"]
    )
    out["developers/schemas.md"] = env.get_template("schemas.md.j2").render(
        **common, entries=schema_entries(src), versions=src.versions
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
