"""The county roll-up (`validator.county.rollup`) as text, HTML, CSV and JSON.

Every renderer reads the roll-up dict only. The roll-up holds counts and file names, never
personal data, so nothing here needs masking.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from html import escape

from validator.render import INPUT_KINDS, resource_label, visible

STATUS_LABELS = {
    "ok": "已报送，通过",
    "errors": "已报送，有错误",
    "late": "已报送，迟报",
    "duplicate": "重复报送",
    "missing": "未报送",
    "unknown": "无法确定乡镇",
}
TABLE_HEADINGS = {"annex1": "附件1 返贫预警", "annex2": "附件2 致贫预警", "annex3": "附件3 解除"}
NEW_WARNINGS = "新增预警合计"
DIMENSION_TITLES = {
    "risk_types": "风险类型（户次）",
    "measures": "帮扶措施（户次）",
    "release_way": "解除方式（户）",
    "warning_type": "解除的预警类型（户）",
}
# Column headings of the per-dimension tables: 附件1/2 list planned measures, 附件3 the ones done.
DIMENSION_COLUMNS = {
    "risk_types": {"annex1": "附件1", "annex2": "附件2", "annex3": "附件3 原风险"},
    "measures": {"annex1": "附件1 拟采取", "annex2": "附件2 拟采取", "annex3": "附件3 已落实"},
    "release_way": {"annex3": "附件3"},
    "warning_type": {"annex3": "附件3"},
}
# Only alike flows are added: new warnings of 附件1 and 附件2 (with the measures they propose).
# 附件3 is a different flow (releases, measures carried out) and always stands alone.
DIMENSION_SUMS = {"risk_types": "新增预警合计", "measures": "拟采取合计"}
ANNEXES = ("annex1", "annex2", "annex3")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def month_label(rollup: Mapping) -> str:
    month = rollup.get("month")
    if not month:
        return "报告月份不明"
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def verdict(rollup: Mapping) -> str:
    """One line: whether the county can go on, or what to chase first."""
    if rollup["ok"]:
        return f"{month_label(rollup)}：九个乡镇均已按时报送，全部报送包通过校验"
    problems = []
    if rollup["missing"]:
        problems.append(f"{len(rollup['missing'])}个乡镇未报送（{'、'.join(rollup['missing'])}）")
    if rollup["duplicated"]:
        problems.append(f"{len(rollup['duplicated'])}个乡镇重复报送（{'、'.join(rollup['duplicated'])}）")
    if rollup.get("late"):
        problems.append(f"{len(rollup['late'])}个乡镇迟报（{'、'.join(rollup['late'])}）")
    failing = [
        p for p in _township_packages(rollup) if p["readable"] and not p["valid"] and not _only_late(p)
    ]
    if failing:
        problems.append(f"{len(failing)}个报送包有错误")
    if rollup["unreadable"]:
        problems.append(f"{len(rollup['unreadable'])}个报送包无法读取")
    if not _township_packages(rollup):
        problems.append("文件夹中没有报送包")
    return f"{month_label(rollup)}：需要处理——" + "；".join(problems)


def _township_packages(rollup: Mapping) -> list:
    return [p for p in rollup["packages"] if not p.get("county_record")]


def _only_late(p: Mapping) -> bool:
    """Errors only for lateness, which the township cannot correct in its tables."""
    return bool(p.get("only_late"))


def _package_result(p: Mapping) -> str:
    if not p["readable"]:
        return "无法读取"
    if p.get("county_record"):
        return "县级研判记录"
    if _only_late(p):
        return "迟报（其余通过）"
    return "通过" if p["valid"] else "不通过"


def _month_note(p: Mapping, rollup: Mapping) -> str:
    if p["readable"] and not p["counted"] and not p.get("county_record"):
        return "（不是本月，未计入）" if p["report_month"] else "（月份不明，未计入）"
    return ""


def _yes_no(value) -> str:
    return "—" if value is None else ("是" if value else "否")


def _late_text(days) -> str:
    if days is None:
        return "—"
    return f"迟报{days}天" if days else "按时"


def package_rows(rollup: Mapping) -> tuple[list[str], list[list]]:
    head = ["报送包", "类型", "乡镇", "报告月份", "上报日期", "是否按时", "校验结果", "错误", "警告", "提示"]
    head += ["零报告", *(resource_label(a) for a in ANNEXES), "研判"]
    body = []
    for p in rollup["packages"]:
        township = p["township"] or "—"
        if p["township_from"] == "annex":
            township += "（据附件）"
        body.append(
            [
                p["entry"],
                INPUT_KINDS.get(p["kind"], p["kind"]),
                township,
                (p["report_month"] or "—") + _month_note(p, rollup),
                p.get("submitted_date") or "—",
                _late_text(p.get("days_late")),
                _package_result(p),
                p["error"],
                p["warning"],
                p["info"],
                _yes_no(p["zero_report"]),
                *(p["rows"][a] for a in ANNEXES),
                "列入" if p.get("meeting") == "accepted" else "不列入",
            ]
        )
    return head, body


def _township_state(t: Mapping) -> str:
    text = STATUS_LABELS[t["status"]]
    if t["status"] == "missing" and t.get("days_overdue"):
        text += f"（已逾期{t['days_overdue']}天）"
    return text


def township_rows(rollup: Mapping) -> tuple[list[str], list[list]]:
    head = ["乡镇", "代码", "报送情况", "上报日期", "是否按时", "报送包", "零报告"]
    head += [TABLE_HEADINGS["annex1"], TABLE_HEADINGS["annex2"], NEW_WARNINGS, TABLE_HEADINGS["annex3"]]
    body = [
        [
            t["township"],
            t["code"] or "—",
            _township_state(t),
            t.get("submitted_date") or "—",
            _late_text(t.get("days_late")),
            "、".join(t["packages"]) or "—",
            t["zero_report"],
            t["rows"]["annex1"],
            t["rows"]["annex2"],
            t["rows"]["annex1"] + t["rows"]["annex2"],
            t["rows"]["annex3"],
        ]
        for t in rollup["townships"]
    ]
    totals = rollup["totals"]
    rows = totals["rows"]
    body.append(
        [
            "全县合计",
            "",
            "",
            "",
            "",
            f"{totals['counted']}个",
            totals["zero_report"],
            rows["annex1"],
            rows["annex2"],
            rows["annex1"] + rows["annex2"],
            rows["annex3"],
        ]
    )
    return head, body


def dimension_rows(rollup: Mapping, dimension: str) -> tuple[list[str], list[list]]:
    columns = DIMENSION_COLUMNS[dimension]
    tables = rollup["totals"]["counts"][dimension]
    labels = list(next(iter(tables.values())))
    head = ["类别"]
    body: list[list] = [[label] for label in labels]
    for annex, heading in columns.items():
        head.append(heading)
        for row, label in zip(body, labels, strict=True):
            row.append(tables[annex][label])
        if annex == "annex2" and dimension in DIMENSION_SUMS:
            head.append(DIMENSION_SUMS[dimension])
            for row, label in zip(body, labels, strict=True):
                row.append(tables["annex1"][label] + tables["annex2"][label])
    return head, body


def followups(rollup: Mapping) -> list[str]:
    """What the county office should chase, one line each, township by township."""
    lines = []
    for t in rollup["townships"]:
        if t["status"] == "missing":
            overdue = (
                f"，截止日 {rollup['deadline']} 已过{t['days_overdue']}天" if t.get("days_overdue") else ""
            )
            lines.append(f"{t['township']}：未报送（请催报{overdue}）")
        elif t["status"] == "duplicate":
            lines.append(
                f"{t['township']}：重复报送——{'、'.join(t['packages'])}；请确认以哪一份为准，"
                "把另一份移出文件夹后重新汇总（在此之前户数两份都计入，两份都不列入研判）"
            )
        if t.get("days_late"):
            lines.append(
                f"{t['township']}：迟报{t['days_late']}天（{t['submitted_date']} 上报，截止日 {rollup['deadline']}）"
            )
        if t["zero_report"]:
            lines.append(f"{t['township']}：零报告（本月没有新增监测对象），请核实")
    for p in rollup["packages"]:
        if not p["readable"]:
            # Reader messages often start with the file name already.
            problem = p["problem"].removeprefix(f"{p['entry']}：")
            lines.append(f"无法读取：{p['entry']}——{problem}")
            continue
        if p.get("county_record"):
            lines.append(f"不是乡镇报送包（县级研判记录），未计入：{p['entry']}")
            continue
        if not p["counted"]:
            month = p["report_month"] or "不明"
            lines.append(f"报告月份为 {month}，不是本次汇总月份，未计入：{p['entry']}")
        if not p["valid"] and not _only_late(p):
            lines.append(
                f"有{p['error']}个错误，请乡镇改正后重报：{p['entry']}（{p['township'] or '乡镇不明'}）"
            )
    if rollup["ignored"]:
        lines.append("已忽略（不是文件夹、.zip 或 .xlsx）：" + "、".join(rollup["ignored"]))
    return lines


def option_lines(rollup: Mapping) -> list[str]:
    opts = rollup["options"]
    return [
        f"汇总月份：{rollup['month'] or '不明'}",
        f"上报截止日：{rollup.get('deadline') or '—'}",
        f"校验日期：{opts['today']}",
        "校验阶段：" + ("自查草稿" if opts.get("stage") == "draft" else "上报核对（未盖章、逾期都是错误）"),
        f"设置：{'县设置文件 ' + opts['settings'] if opts.get('settings') else '内置设置'}",
        f"历史报送包：{opts['history'] or '未提供'}",
        f"建档立卡名单：{opts['roster'] or '未提供'}",
        f"标准版本：{rollup['standard_version']}（fpjc {rollup['fpjc_version']}）",
    ]


# --- text ------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(head: list[str], body: list[list]) -> str:
    cells = [[visible(str(c)) for c in row] for row in [head, *body]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(head))]
    numeric = [all(isinstance(row[i], int) for row in body) for i in range(len(head))]

    def line(row):
        out = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - _width(text))
            out.append(pad + text if numeric[i] else text + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def render_text(rollup: Mapping, *, color: bool = False) -> str:
    red, green, off = ("\x1b[31;1m", "\x1b[32;1m", "\x1b[0m") if color else ("", "", "")
    out = [f"县扶贫办收件汇总：{month_label(rollup)}", ""]
    out.append((green if rollup["ok"] else red) + verdict(rollup) + off)
    out += ["", *option_lines(rollup), ""]
    todo = followups(rollup)
    if todo:
        out += ["需要跟进", *(f"  - {line}" for line in todo), ""]
    out += ["一、各乡镇报送情况和户数", _table(*township_rows(rollup)), ""]
    out += ["二、各报送包的校验结果", _table(*package_rows(rollup)), ""]
    for n, dim in enumerate(DIMENSION_TITLES, start=3):
        out += [
            f"{'一二三四五六七'[n - 1]}、{DIMENSION_TITLES[dim]}",
            _table(*dimension_rows(rollup, dim)),
            "",
        ]
    out.append(NOTE)
    return "\n".join(out) + "\n"


NOTE = (
    "说明：只计入本月、能读取的报送包；户次指一户有几个风险类型或措施就计几次。"
    "附件1、附件2 是本月新增的预警户，附件3 是解除预警的户，两者不相加；拟采取的措施和已落实的措施也分开统计。"
    "“研判”一列说明该报送包的户是否列入县级研判工作簿（fpjc county prepare）。"
    "汇总只有数字，不含姓名、身份证号和电话。"
)


# --- JSON ------------------------------------------------------------------------------


def render_json(rollup: Mapping) -> str:
    return json.dumps(rollup, ensure_ascii=False, indent=2) + "\n"


# --- CSV -------------------------------------------------------------------------------

CSV_HEADER = ["报告月份", "统计项", "乡镇", "乡镇代码", "表", "类别", "数量"]


def render_csv(rollup: Mapping) -> str:
    """One long-format table (one count per line), UTF-8 with BOM so Excel opens it right.

    Per township only, without total lines: a pivot table or a filter in Excel sums them
    without counting anything twice. Category lines with a zero count are left out.
    """
    month = rollup["month"] or ""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for t in rollup["townships"]:
        code = t["code"] or ""
        writer.writerow(
            [month, "报送包数", t["township"], code, "", STATUS_LABELS[t["status"]], len(t["packages"])]
        )
        writer.writerow([month, "零报告", t["township"], code, "", "", t["zero_report"]])
        if t.get("days_late"):
            writer.writerow([month, "迟报天数", t["township"], code, "", "", t["days_late"]])
        if t.get("days_overdue"):
            writer.writerow([month, "未报逾期天数", t["township"], code, "", "", t["days_overdue"]])
        for a in ANNEXES:
            writer.writerow([month, "户数", t["township"], code, resource_label(a), "", t["rows"][a]])
        for dim, title in DIMENSION_TITLES.items():
            for a, heading in DIMENSION_COLUMNS[dim].items():
                for label, n in t["counts"][dim][a].items():
                    if n:
                        writer.writerow([month, title, t["township"], code, heading, label, n])
    return "\ufeff" + buf.getvalue()


# --- HTML ------------------------------------------------------------------------------

_CSS = """
:root { --err: #b42318; --err-bg: #fde8e6; --ok: #067647; --ok-bg: #e3f6ec; --warn: #8a5a00; --warn-bg: #fff4d6; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif; color: #1d2939; margin: 0 auto; max-width: 1200px; padding: 1.5rem; line-height: 1.6; font-size: 15px; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
.verdict { padding: .75rem 1rem; border-radius: 6px; font-weight: bold; font-size: 1.1rem; margin: 1rem 0; }
.verdict.fail { background: var(--err-bg); color: var(--err); border: 1px solid var(--err); }
.verdict.pass { background: var(--ok-bg); color: var(--ok); border: 1px solid var(--ok); }
ul.meta { list-style: none; padding: 0; margin: 0; color: #475467; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin-bottom: 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.bad td:first-child { border-left: 4px solid var(--err); }
tr.total td { font-weight: bold; background: #f9fafb; }
ul.todo li { margin: .2rem 0; }
.note { color: #667085; font-size: .9rem; }
footer { margin-top: 2rem; color: #667085; font-size: .85rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .verdict, th, tr td:first-child { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def _html_table(head: list[str], body: list[list], *, bad=lambda row: False, total_last: bool = False) -> str:
    out = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for i, row in enumerate(body):
        classes = []
        if bad(row):
            classes.append("bad")
        if total_last and i == len(body) - 1:
            classes.append("total")
        attr = f' class="{" ".join(classes)}"' if classes else ""
        cells = "".join(
            f'<td class="num">{c}</td>'
            if isinstance(c, int)
            else f'<td class="date">{c}</td>'
            if _DATE.fullmatch(str(c))
            else f"<td>{escape(visible(str(c)))}</td>"
            for c in row
        )
        out.append(f"<tr{attr}>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(rollup: Mapping) -> str:
    """A self-contained, printable page: inline CSS, no scripts, nothing fetched."""
    title = f"县扶贫办收件汇总：{month_label(rollup)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="fpjc {escape(rollup["fpjc_version"])}">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<div class="verdict {"pass" if rollup["ok"] else "fail"}">{escape(verdict(rollup))}</div>',
        '<ul class="meta">' + "".join(f"<li>{escape(line)}</li>" for line in option_lines(rollup)) + "</ul>",
        "</header>",
        "<main>",
    ]
    todo = followups(rollup)
    if todo:
        parts.append("<h2>需要跟进</h2>")
        parts.append('<ul class="todo">' + "".join(f"<li>{escape(visible(t))}</li>" for t in todo) + "</ul>")
    parts.append("<h2>各乡镇报送情况和户数</h2>")
    good_status = STATUS_LABELS["ok"]
    parts.append(
        _html_table(
            *township_rows(rollup),
            bad=lambda row: row[2] not in (good_status, "") or row[4].startswith("迟报"),
            total_last=True,
        )
    )
    parts.append("<h2>各报送包的校验结果</h2>")
    parts.append(_html_table(*package_rows(rollup), bad=lambda row: row[6] != "通过"))
    for dim, heading in DIMENSION_TITLES.items():
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts.append(_html_table(*dimension_rows(rollup, dim)))
    parts += [
        f'<p class="note">{escape(NOTE.removeprefix("说明："))}</p>',
        "</main>",
        f"<footer>fpjc {escape(rollup['fpjc_version'])}，标准版本 {escape(rollup['standard_version'])}。"
        "各报送包的详细问题见各自的校验报告。</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"
