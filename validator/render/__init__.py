"""Renderers: the JSON report dict turned into something a clerk reads.

Every renderer takes the report dict (format: `validator.report_schema`) and nothing else
from the run, so a saved JSON report renders exactly like a fresh one. Shared wording
(severity labels, table names, "where" phrases) lives here so text, HTML and the annotated
workbook say the same thing the same way.

May import the core below it (the rule catalogue for rule titles, the reader's CSV decoding
for the annotated copy of a CSV); never `outputs`, `builders` or `commands`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from validator import standard
from validator.catalogue import registry
from validator.findings import SEVERITIES, SEVERITY_LABELS

__all__ = [
    "SEVERITIES",
    "SEVERITY_LABELS",
    "INPUT_KINDS",
    "resource_label",
    "column_label",
    "place",
    "rule_titles",
    "verdict",
    "option_lines",
    "stage_line",
    "settings_line",
    "calendar_line",
    "input_line",
    "not_run_lines",
    "report_title",
    "checklist",
    "truncation",
    "truncation_note",
    "truncation_lines",
    "unlisted",
]

INPUT_KINDS = {
    "folder": "文件夹",
    "zip": "zip 压缩包",
    "xlsx": "Excel 工作簿",
    "csv": "CSV 文件",
    "datapackage": "数据包描述文件",
}

PACKAGE_LABEL = "整个报送包"
PACKAGE_KEY = "package"  # summary.by_resource's key for findings about the whole package


@lru_cache(maxsize=1)
def _forms() -> dict[str, dict]:
    return {f["id"]: f for f in standard.forms()}


def resource_label(resource: str | None, *, full: bool = False) -> str:
    """附件1 (or 附件1 鹤庆县返贫预警情况统计表 with full=True); unknown names as given."""
    if not resource or resource == PACKAGE_KEY:
        return PACKAGE_LABEL
    form = _forms().get(resource)
    if form is None:
        return resource
    if full and form["full_title"] != form["title"]:
        if form["full_title"].startswith(form["title"]):
            return form["full_title"]
        return f"{form['title']} {form['full_title']}"
    return form["title"]


def column_label(finding: Mapping) -> str | None:
    """The column header the clerk sees: as written in the file, else the standard's title.

    A file may use the English field names as headers; the Chinese title reads better then.
    """
    name = finding.get("field")
    if finding.get("column") and finding["column"] != name:
        return finding["column"]
    if not name:
        return finding.get("column")
    form = _forms().get(finding.get("resource") or "")
    if form:
        for field in form["fields"]:
            if field["name"] == name:
                return field["title"]
    return name


def place(finding: Mapping) -> str:
    """Where a finding is, in the clerk's words: file, sheet, row, column, cell."""
    parts = []
    source, sheet = finding.get("source"), finding.get("sheet")
    if source:
        parts.append(f"文件 {source}")
    if sheet:
        parts.append(f"工作表“{sheet}”")
    if not source and not sheet:
        parts.append(resource_label(finding.get("resource")))
    if finding.get("row") is not None:
        parts.append(f"第{finding['row']}行")
    column = column_label(finding)
    if column:
        parts.append(f"“{column}”列")
    text = "，".join(parts)
    if finding.get("cell"):
        text += f"（单元格 {finding['cell']}）"
    return text


def short_place(finding: Mapping) -> str:
    """Row and cell only, for the extra examples of a group."""
    bits = []
    if finding.get("row") is not None:
        bits.append(f"第{finding['row']}行")
    if finding.get("cell"):
        bits.append(finding["cell"])
    return " ".join(bits) or place(finding)


def rule_titles(report: Mapping) -> dict[str, str]:
    """Short Chinese titles of the rules in the report, from the rule registry.

    The registry is static documentation shipped with the code, not run data, so reading it
    keeps renderers faithful to the report; a rule the registry does not know (a report
    from another fpjc version) simply shows without a title.
    """
    known = registry()
    wanted = {f["rule"] for f in report.get("findings", ())}
    wanted.update(report.get("summary", {}).get("by_rule", {}))
    return {rid: known[rid].title for rid in sorted(wanted) if rid in known}


def truncation(report: Mapping) -> dict[tuple[str, str | None], Mapping]:
    """(rule, table) → {total, listed} for each rule whose findings the report did not all list."""
    rules = (report.get("truncated") or {}).get("rules") or ()
    return {(o["rule"], o.get("resource")): o for o in rules}


def unlisted(cut: Mapping) -> str:
    """Under a group of findings whose rule has more in this table than the report lists."""
    return (
        f"本表这条规则共有{cut['total']}处问题，报告只逐条列出前{cut['listed']}处，"
        f"另有{cut['total'] - cut['listed']}处未列出。"
    )


def truncation_note(report: Mapping) -> str | None:
    """One sentence on what the report counted but does not list; None when it lists everything."""
    t = report.get("truncated")
    if not t:
        return None
    return (
        f"问题太多：每条规则在每张表中只逐条列出前{t['listed_per_rule']}处，"
        f"另有{t['omitted']}处只计数、没有逐条列出；按表统计和总数包括全部问题。"
        "改正列出的问题后重新校验，其余的会逐条列出。"
    )


def truncation_lines(report: Mapping, titles: Mapping[str, str]) -> list[str]:
    """Per rule and table with findings left out: how many there are and how many are listed."""
    lines = []
    for (rule, resource), o in truncation(report).items():
        title = titles.get(rule, "")
        label = resource_label(resource) if resource else PACKAGE_LABEL
        lines.append(
            f"{label} {rule}{' ' + title if title else ''}：共{o['total']}处，"
            f"列出{o['listed']}处，未列出{o['total'] - o['listed']}处"
        )
    return lines


def verdict(report: Mapping) -> str:
    """One line: passed or not, with the counts (a draft check says it is one)."""
    s = report["summary"]
    counts = f"{s['error']}个错误，{s['warning']}个警告，{s['info']}个提示"
    # A county record (研判会议, 县级研判表) is not submitted but fed back to the townships.
    county = is_county_record(report)
    draft = (report.get("options") or {}).get("stage") == "draft" and not county
    then = "生成反馈单" if county else "上报"
    if report["valid"]:
        if draft:
            return f"自查通过（{counts}）。盖章后、上报前，请按上报核对再查一次"
        if s["warning"] or s["info"]:
            return f"通过（{counts}；警告和提示不影响{then}，但请看一看）"
        return "通过：没有发现问题"
    return f"不通过：{counts}。请改正全部错误后再{then}"


STAGE_LABELS = {
    "draft": "自查草稿（盖章前；未盖章只作提示，逾期只作警告）",
    "submit": "上报核对（未盖章、逾期都是错误）",
}


def is_county_record(report: Mapping) -> bool:
    """Whether the report is of the county's own record (its tables are the county forms)."""
    return any(str(r).startswith("county_") for r in (report.get("summary") or {}).get("rows") or ())


def stage_line(report: Mapping) -> str | None:
    """Which stage was checked: a draft before stamping, or what is submitted (a township's)."""
    if is_county_record(report):
        return None  # the stamp and the deadline are the townships'; the record has neither
    stage = (report.get("options") or {}).get("stage")
    return f"校验阶段：{STAGE_LABELS.get(stage, stage)}" if stage else None


def settings_line(report: Mapping) -> str:
    """Which settings were used: the built-in ones, or a county file with its hash and changes."""
    s = report.get("settings") or {}
    if s.get("source") != "county":
        text = "内置设置"
        if s.get("builtin_version"):
            text += f"（{s['builtin_version']} 版）"
    else:
        text = f"县设置文件 {s.get('file')}"
        if s.get("sha256"):
            text += f"（SHA-256 {s['sha256'][:12]}…）"
        changes = s.get("changes") or []
        text += "，改动：" + "；".join(changes) if changes else "，与内置设置相同"
    years = s.get("years_without_line") or []
    if years:
        text += "。没有监测线的年度：" + "、".join(str(y) for y in years)
    return text


def option_lines(report: Mapping) -> list[str]:
    """The options that change what was checked, as short Chinese lines."""
    opts = report.get("options") or {}
    lines = []
    if opts.get("today"):
        lines.append(f"校验日期：{opts['today']}")
    stage = stage_line(report)
    if stage:
        lines.append(stage)
    lines.append(f"设置：{settings_line(report)}")
    # Only when given: a township's check goes without them (not_run_lines says so once).
    if opts.get("history"):
        lines.append(f"历史报送包：{opts['history']}")
    if opts.get("roster"):
        lines.append(f"建档立卡名单：{opts['roster']}")
    if opts.get("packages"):
        lines.append(f"本月乡镇报送包：{opts['packages']}")
    if opts.get("show_personal_data"):
        lines.append("个人信息：未打码（--show-personal-data），请勿转发本报告")
    else:
        lines.append("个人信息：已打码")
    calendar = calendar_line(report)
    if calendar:
        lines.append(calendar)
    return lines


def calendar_line(report: Mapping) -> str | None:
    """Which holidays the working-day counts used, in the clerk's words (no library names);
    the report's `calendar` keeps the source and version for developers."""
    cal = report.get("calendar") or {}
    if not cal.get("source"):
        return None
    years = cal.get("years")
    if isinstance(years, list) and len(years) == 2 and all(isinstance(y, int) for y in years):
        text = f"工作日：按法定节假日数据（{years[0]}—{years[1]}年）计算"
    else:
        text = "工作日：没有节假日数据，按星期一至星期五计算"
    if cal.get("overrides"):
        text += f"，县设置文件补充了{cal['overrides']}天"
    if cal.get("note"):
        text += f"。注意：{cal['note']}"
    return text


def input_line(item: Mapping) -> str:
    """One input as read: path, kind, encoding or sheets, template version."""
    text = f"{item['path']}（{INPUT_KINDS.get(item['kind'], item['kind'])}"
    if item.get("encoding"):
        text += f"，编码 {item['encoding']}"
    # Sheets named _… are the template's own hidden sheets (code lists, template identity).
    sheets = [name for name in item.get("sheets") or () if not name.startswith("_")]
    if sheets:
        text += "，工作表：" + "、".join(sheets)
    if item.get("template_version"):
        text += f"，模板版本 {item['template_version']}"
    if item.get("error"):
        text += f"，无法读取：{item['error']}"
    return text + "）"


# Checks that need what only the county holds: stage records (G), earlier months and the
# roster (H). A township's check skips them as a matter of course; one plain line says so.
COUNTY_PREFIXES = ("G", "H")
_RULE_IDS = re.compile(r"^\s*([A-Z])\d{3}(?:\s*[、–—,-]\s*[A-Z]\d{3})*\s*")


def not_run_lines(report: Mapping) -> list[str]:
    """The checks that did not run, as lines for a clerk: each of the township's own with its
    reason, and the county's (stage records, earlier months, roster) together in one line."""
    own, county = [], []
    for c in report.get("checks_not_run") or ():
        m = _RULE_IDS.match(c["check"])
        if m and m[1] in COUNTY_PREFIXES:
            county.append(c["check"][m.end() :])
        else:
            own.append(f"{c['check']}：{c['reason']}")
    if county:
        own.append(f"县扶贫办汇总时才做的核对（{'、'.join(county)}）本次没有做，不影响结论")
    return own


def report_title(report: Mapping) -> str:
    """“校验报告：云鹤镇2020年7月.xlsx”: the package by its own name, never a whole path."""
    name = report.get("name") or "、".join(i["path"] for i in report.get("inputs", ())) or "报送包"
    parts = [p for p in re.split(r"[\\/]", name.rstrip("/\\")) if p]
    return f"校验报告：{parts[-1] if parts else name}"


def checklist() -> list[str]:
    """What to check before submitting, after the check has passed (the guide shows the same list)."""
    from validator.values.wording import boolean_labels, deadline_text

    yes, _ = boolean_labels()
    return [
        "校验通过：盖章后按“上报核对”再查一次，结论为“通过”（没有错误）。",
        f"零报告与盖章：当月没有新增对象的，报送信息中“零报告”填“{yes}”；附件盖章后“已加盖乡镇公章”填“{yes}”。",
        f"上报日期：填实际上报的日期，在报告月份{deadline_text()}。",
        "纸质件：附件1、附件2（有解除时附件3）打印后由填报人、审核人签字，加盖乡镇公章。",
        "文件命名：电子文件名写明乡镇和报告月份，如“云鹤镇2020年7月.xlsx”，便于县扶贫办归档。",
    ]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters from a cell shown as \\xNN: they must not drive the terminal or
    make a workbook unreadable (XML forbids most of them)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def cleaned(data):
    """A copy of report data with `visible` applied to every string (keys included)."""
    if isinstance(data, str):
        return visible(data) if _CONTROL.search(data) else data
    if isinstance(data, Mapping):
        return {cleaned(k): cleaned(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [cleaned(v) for v in data]
    return data


def resource_order(resource: str | None) -> tuple:
    """Summary tables list the package first, then the standard's forms in order."""
    if not resource or resource == PACKAGE_KEY:
        return (-1, "")
    form = _forms().get(resource)
    return (form["order"] if form and form.get("order") is not None else 999, resource)
