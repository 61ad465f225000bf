"""The Chinese text report for a terminal (`fpjc validate`, the default format).

Colour is plain ANSI escape codes, added only when the caller says the output is a
terminal that wants colour; without colour the text is byte-for-byte stable, which the
golden tests rely on.
"""

from __future__ import annotations

from collections.abc import Mapping

from validator.render import (
    PACKAGE_LABEL,
    SEVERITY_LABELS,
    cleaned,
    input_line,
    option_lines,
    place,
    resource_label,
    resource_order,
    rule_titles,
    short_place,
    truncation,
    truncation_lines,
    truncation_note,
    unlisted,
    verdict,
)
from validator.render.grouping import EXAMPLES, group

_RESET = "\033[0m"
_STYLES = {
    "error": "\033[1;31m",
    "warning": "\033[1;33m",
    "info": "\033[1;36m",
    "ok": "\033[1;32m",
    "bold": "\033[1m",
    "dim": "\033[2m",
}


def render_text(report: Mapping, *, color: bool = False, titles: Mapping[str, str] | None = None) -> str:
    """The whole report as text; `titles` (rule ID → title) defaults to the rule registry."""
    if titles is None:
        titles = rule_titles(report)
    report = cleaned(report)

    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color else text

    out: list[str] = []
    name = report.get("name") or "、".join(i["path"] for i in report.get("inputs", ())) or "报送包"
    out.append(paint("bold", f"fpjc 校验报告：{name}"))
    out.append(f"标准版本 {report['standard_version']}，fpjc {report['fpjc_version']}")
    inputs = report.get("inputs") or []
    if inputs:
        out.append("读取：")
        out.extend(f"  {input_line(i)}" for i in inputs)
    out.extend(option_lines(report))
    out.append("")
    out.append(paint("error" if not report["valid"] else "ok", "结果：" + verdict(report)))

    summary = report["summary"]
    by_resource = summary.get("by_resource") or {}
    rows = summary.get("rows") or {}
    names = sorted(set(by_resource) | set(rows), key=resource_order)
    if names:
        out.append("")
        out.append("按表统计：")
        width = max(_width(_table_name(n)) for n in names)
        for n in names:
            counts = by_resource.get(n, {"error": 0, "warning": 0, "info": 0})
            label = _table_name(n)
            line = f"  {label}{' ' * (width - _width(label))}  错误 {counts['error']:>4}  警告 {counts['warning']:>4}  提示 {counts['info']:>4}"
            if n in rows:
                line += f"  （数据{rows[n]}行）"
            out.append(line)

    groups = group(report.get("findings") or [])
    cut = truncation(report)
    if groups:
        out.append("")
        listed = len(report["findings"])
        if cut:
            omitted = report["truncated"]["omitted"]
            heading = (
                f"问题明细（逐条列出{listed}处，归并为{len(groups)}类；另有{omitted}处未逐条列出，见文末）："
            )
        else:
            heading = f"问题明细（{listed}处，归并为{len(groups)}类）："
        out.append(paint("bold", heading))
        for g in groups:
            out.append("")
            out.extend(_group_lines(g, titles, paint, cut.get((g["rule"], g["resource"]))))
    if cut:
        out.append("")
        out.append(paint("bold", "未逐条列出的问题："))
        out.append(f"  {truncation_note(report)}")
        out.extend(f"  - {line}" for line in truncation_lines(report, titles))

    not_run = report.get("checks_not_run") or []
    if not_run:
        out.append("")
        out.append(paint("bold", "未执行的检查："))
        out.extend(f"  - {c['check']}：{c['reason']}" for c in not_run)
    if groups:
        out.append("")
        out.append(
            paint(
                "dim",
                "加 --format xlsx 可得到标出问题单元格的 Excel 副本，--format html 可得到便于打印的报告。",
            )
        )
    out.append("")
    return "\n".join(out)


def _group_lines(g: dict, titles: Mapping[str, str], paint, cut: Mapping | None = None) -> list[str]:
    first = g["examples"][0]
    title = titles.get(g["rule"], "")
    head = f"[{SEVERITY_LABELS.get(g['severity'], g['severity'])}] {g['rule']}"
    lines = [paint(g["severity"], head) + (f" {title}" if title else "")]
    lines.append(f"  位置：{place(first)}")
    lines.append(f"  问题：{first['message']}")
    if first.get("value") not in (None, ""):
        lines.append(f"  填写的值：{first['value']}")
    if g.get("hint"):
        lines.append(f"  怎么改：{g['hint']}")
    more = g["count"] - 1
    if more:
        lines.append(f"  另有{more}处相同问题：")
        for f in g["examples"][1:]:
            line = f"    - {short_place(f)}"
            if f.get("value") not in (None, ""):
                line += f"，值 {f['value']}"
            if not g["same_message"]:
                line += f"：{f['message']}"
            lines.append(line)
        if g["count"] > EXAMPLES:
            rest = g["count"] - EXAMPLES
            lines.append(paint("dim", f"    - ……其余{rest}处见 HTML 或 JSON 报告（--format html / json）"))
    if cut:
        lines.append(f"  {unlisted(cut)}")
    return lines


def _table_name(resource: str) -> str:
    return resource_label(resource) if resource else PACKAGE_LABEL


def _width(text: str) -> int:
    """Display width in a terminal: CJK and full-width characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
