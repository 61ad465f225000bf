"""The household ledger's answers as the county reads them: tables, text, HTML with charts, CSV.

Every answer of `validator.ledger.queries` (status, stock, overdue, one household's timeline)
and an ingest run's summary becomes first a list of `Table`s (title, column titles, rows) —
the one definition the text, the HTML page, the CSV file and the workbook
(`outputs.ledger_workbook`) are all drawn from, so the four never disagree. The HTML page adds
bar charts drawn as inline SVG: no script, no network, prints as it shows.

Pure functions of plain data (no file access, no openpyxl): they run in the browser too.
Personal data arrives masked from the queries unless the county asked for it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from validator import standard
from validator.render import visible
from validator.render.county_formats import _CSS, _month_label

QUERIES = ("status", "stock", "overdue", "household", "add")


@dataclass
class Table:
    title: str
    head: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""  # one sentence under the title (what the list is, where it comes from)
    empty: str = "无。"  # what to say when there are no rows


@dataclass
class Chart:
    title: str
    labels: list[str]
    series: list[tuple[str, list[int]]]  # (name, one value per label)


@dataclass
class Answer:
    title: str
    lines: list[str]  # the summary sentences above the tables
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)


def masked_names(value):
    """Every string of an answer with ID and phone numbers in file names masked (and a name
    beside them), as every masked report shows file names; the queries mask the cells already."""
    from validator.values.mask import scrub_names_in_paths

    if isinstance(value, str):
        return scrub_names_in_paths(value)
    if isinstance(value, dict):
        return {k: masked_names(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked_names(v) for v in value]
    return value


def _v(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return visible(str(value))


def _month(month: str | None) -> str:
    return _month_label(month) if month else ""


def _span(first: str | None, last: str | None) -> str:
    if not first:
        return "（台账中还没有月份）"
    return _month(first) if first == last else f"{_month(first)}至{_month(last)}"


# --- the townships' monthly status ----------------------------------------------------------

STATE_WORDS = {"on_time": "按时报送", "late": "迟报", "rejected": "未入账", "missing": "未报送"}


def _state(cell: Mapping) -> str:
    if cell["state"] == "late":
        text = f"迟报{cell['days_late']}天"
    else:
        text = STATE_WORDS[cell["state"]]
    if cell.get("zero_report"):
        text += "，零报告"
    if cell["state"] == "rejected" and cell.get("reason_label"):
        text += f"（{cell['reason_label']}）"
    return text


def status_answer(data: Mapping) -> Answer:
    months, townships = data["months"], data["townships"]
    title = f"各乡镇每月报送情况（{_span(data['first'], data['last'])}）"
    if not months:
        return Answer(title, ["台账中还没有任何月份的报送包。"], [])
    grid = {(c["township"], c["month"]): c for c in data["cells"]}
    matrix = Table(
        "报送情况",
        ["乡镇", *(_month(m) for m in months)],
        [[t, *(_state(grid[(t, m)]) for m in months)] for t in townships],
        note="按时、迟报以报送信息中的报送日期和县设置的截止日计算；未入账的报送包见 fpjc ledger add 的报告。",
    )
    per_month = Table(
        "每月合计",
        ["月份", "已报送乡镇", "其中迟报", "未报送", "未入账", "零报告", "新增预警户", "附件1", "附件2",
         "县级研判认定", "县级研判否定", "解除预警户", "县级研判记录"],
        [
            [_month(t["month"]), t["reported"], t["late"], t["missing"], t["rejected"], t["zero_report"],
             t["new_warnings"], t["annex1"], t["annex2"], t["confirmed"], t["rejected_by_county"], t["releases"],
             t["closed"] or "未入账"]
            for t in data["totals"]
        ],
    )  # fmt: skip
    per_township = Table(
        f"各乡镇合计（{_span(data['first'], data['last'])}）",
        ["乡镇", "已报送月数", "其中迟报", "迟报天数合计", "未报送月数", "零报告月数", "新增预警户",
         "县级研判认定", "县级研判否定", "解除预警户"],
        [
            [t["township"], t["reported"], t["late"], t["days_late"], t["missing"], t["zero_report"],
             t["new_warnings"], t["confirmed"], t["rejected_by_county"], t["releases"]]
            for t in data["by_township"]
        ],
    )  # fmt: skip
    totals = data["totals"]
    expected = len(months) * len(townships)
    reported = sum(t["reported"] for t in totals)
    lines = [
        f"应报送{expected}次（{len(townships)}个乡镇 × {len(months)}个月），已报送{reported}次，"
        f"其中迟报{sum(t['late'] for t in totals)}次；未报送{sum(t['missing'] for t in totals)}次，"
        f"报送了但未入账{sum(t['rejected'] for t in totals)}次；零报告{sum(t['zero_report'] for t in totals)}次。",
        f"新增预警户{sum(t['new_warnings'] for t in totals)}户，县级研判认定{sum(t['confirmed'] for t in totals)}户、"
        f"否定{sum(t['rejected_by_county'] for t in totals)}户，解除预警{sum(t['releases'] for t in totals)}户。",
    ]
    one_year = len({m[:4] for m in months}) == 1
    labels = [f"{int(m[5:])}月" if one_year else _month(m) for m in months]
    charts = [
        Chart(
            f"每月新增预警、研判认定和解除预警（户{'，' + months[0][:4] + '年' if one_year else ''}）",
            labels,
            [
                ("新增预警", [t["new_warnings"] for t in totals]),
                ("研判认定", [t["confirmed"] for t in totals]),
                ("解除预警", [t["releases"] for t in totals]),
            ],
        ),
        Chart(
            "各乡镇新增预警、研判认定和解除预警（户）",
            [t["township"] for t in data["by_township"]],
            [
                ("新增预警", [t["new_warnings"] for t in data["by_township"]]),
                ("研判认定", [t["confirmed"] for t in data["by_township"]]),
                ("解除预警", [t["releases"] for t in data["by_township"]]),
            ],
        ),
    ]
    return Answer(title, lines, [matrix, per_month, per_township], charts)


# --- the monitoring stock -------------------------------------------------------------------


def stock_answer(data: Mapping) -> Answer:
    title = f"{_month(data['month'])}末监测户清单（每月一复核）" if data["month"] else "监测户清单"
    rows = data["rows"]
    households = Table(
        "监测户",
        ["乡镇", "村（社区）", "户主姓名", "户主身份证号", "预警类型", "纳入监测月份", "监测月数", "研判结论",
         "纳入管理类别", "最近研判日期", "拟采取帮扶措施", "已落实帮扶措施", "最近报送月份"],
        [
            [r["township"], r["village"], r["head_name"], r["head_id"], r["warning_type"], _month(r["since"]),
             r["months"], r["state"], r["category"], r["last_review"], r["proposed"], r["done"] or "尚无",
             _month(r["last_month"])]
            for r in rows
        ],
        note="预警后尚未解除、也未被县级研判否定的户，按二（四）“每月一复核”逐户复核。",
        empty="该月末没有监测中的户。",
    )  # fmt: skip
    per_township = Table(
        "各乡镇监测户数",
        ["乡镇", "监测户", "待研判", "已认定", "尚无已落实的帮扶措施"],
        [
            [t["township"], t["households"], t["pending"], t["confirmed"], t["no_measure"]]
            for t in data["by_township"]
        ],
    )
    lines = (
        [
            f"{_month(data['month'])}末监测中的户共{len(rows)}户：待研判{sum(1 for r in rows if r['state'] == '待研判')}户，"
            f"已认定{sum(1 for r in rows if r['state'] == '认定')}户；"
            f"尚无已落实帮扶措施的{sum(1 for r in rows if not r['done'])}户。"
        ]
        if data["month"]
        else ["台账中还没有任何月份的报送包。"]
    )
    charts = [
        Chart(
            "各乡镇监测户数（户）",
            [t["township"] for t in data["by_township"]],
            [
                ("已认定", [t["confirmed"] for t in data["by_township"]]),
                ("待研判", [t["pending"] for t in data["by_township"]]),
            ],
        )
    ]
    return Answer(title, lines, [households, per_township], charts if rows else [])


# --- overdue items ---------------------------------------------------------------------------


def overdue_answer(data: Mapping) -> Answer:
    title = f"逾期事项（截至{_month(data['month'])}末）" if data["month"] else "逾期事项"
    if not data["month"]:
        return Answer(title, ["台账中还没有任何月份的报送包。"], [])
    s = data["settings"]
    late = Table(
        f"乡镇核查超过{s['verification_working_days']}个工作日",
        ["月份", "乡镇", "村（社区）", "户主姓名", "户主身份证号", "起算", "起算日", "期限", "核查日期", "用了工作日",
         "来源"],
        [
            [_month(r["month"]), r["township"], r["village"], r["head_name"], r["head_id"], r["from"], r["start"],
             r["deadline"], r["verify_date"], r["days"], r["source"]]
            for r in data["verify_late"]
        ],
        note=f"二（三）：收到民主评议结果后{s['verification_working_days']}个工作日内完成核查（按县设置的工作日计算）。",
    )  # fmt: skip
    no_measure = Table(
        f"认定后{s['measure_months']}个月以上仍无已落实的帮扶措施",
        ["乡镇", "村（社区）", "户主姓名", "户主身份证号", "预警类型", "纳入管理类别", "认定月份", "研判日期",
         "已过月数", "拟采取帮扶措施"],
        [
            [r["township"], r["village"], r["head_name"], r["head_id"], r["warning_type"], r["category"],
             _month(r["decided"]), r["meeting_date"], r["months"], r["proposed"]]
            for r in data["no_measure"]
        ],
        note=f"县级研判认定、仍在监测中、帮扶措施记录中没有任何已落实措施的户；期限{s['measure_months']}个月"
        "（县设置文件 deadline.measure_months）。",
    )  # fmt: skip
    unmarked = Table(
        "解除预警后未在全国系统标注",
        ["解除月份", "乡镇", "村（社区）", "户主姓名", "户主身份证号", "预警类型", "解除方式", "解除日期",
         "已过月数", "来源"],
        [
            [_month(r["month"]), r["township"], r["village"], r["head_name"], r["head_id"], r["warning_type"],
             r["release_way"], r["release_date"], r["months"], r["source"]]
            for r in data["unmarked"]
        ],
        note="二（六）：解除的户须在全国系统标注；附件3 未注明已标注、全国系统标注清单上也没有标注日期的户。",
    )  # fmt: skip
    rewarned = Table(
        "解除预警后再次预警",
        ["再次预警月份", "乡镇", "村（社区）", "户主姓名", "户主身份证号", "预警类型", "上次解除月份", "上次解除日期",
         "上次解除方式", "来源"],
        [
            [_month(r["warned_again"]), r["township"], r["village"], r["head_name"], r["head_id"], r["warning_type"],
             _month(r["released_month"]), r["released"], r["release_way"], r["source"]]
            for r in data["rewarned"]
        ],
        note="解除预警后又出现在附件1、附件2 中的户：解除是否稳妥，研判时应一并研究。",
    )  # fmt: skip
    lines = [
        f"截至{_month(data['month'])}末（报送包自{_month(data['first'])}起）：乡镇核查超期{len(data['verify_late'])}户，"
        f"认定后无帮扶措施{len(data['no_measure'])}户，解除后未标注{len(data['unmarked'])}户，"
        f"解除后再次预警{len(data['rewarned'])}户。"
    ]
    return Answer(title, lines, [late, no_measure, unmarked, rewarned])


# --- one household ---------------------------------------------------------------------------


def household_answer(data: Mapping) -> Answer:
    if not data["found"]:
        return Answer(
            "一户的全部记录",
            [f"台账中没有户主身份证号或户编号为 {data['key']} 的户（已入账的报送包中都没有）。"],
            [],
        )
    heads = "、".join(data["heads"])
    title = f"一户的全部记录：{data['head_name']}（{data['household']}）"
    lines = [
        f"户主身份证号：{heads}"
        + (f"；户编号：{'、'.join(data['household_numbers'])}" if data["household_numbers"] else "")
    ]
    for ep in data["episodes"]:
        end = f"{_month(ep['end'])}{ep['ended_by']}" if ep["end"] else "至今仍在监测"
        lines.append(f"{_month(ep['start'])}起{ep['warning_type']}，{end}。")
    events = Table(
        "逐月记录",
        ["月份", "日期", "事项", "内容", "说明", "乡镇", "户主姓名", "户主身份证号", "来源"],
        [
            [_month(e["month"]), e["date"], e["label"], e["what"], e["detail"], e["township"], e["head_name"],
             e["head_id"], e["source"]]
            for e in data["events"]
        ],
        note="每一条都注明来自哪个报送包的哪张表、哪一行。",
    )  # fmt: skip
    return Answer(title, lines, [events])


# --- an ingest run ---------------------------------------------------------------------------


def add_answer(data: Mapping) -> Answer:
    c = data["counts"]
    s = data["summary"]
    lines = [
        f"本次共{len(data['entries'])}个报送包或研判记录：新入账{c['added']}个，替换原报送包{c['replaced']}个，"
        f"已在台账中未改动{c['unchanged']}个，未入账{c['rejected']}个。",
        f"台账 {data['ledger']}：{len(s['months'])}个月、{s['files']}个文件（另有被替换的{s['replaced']}个）、"
        f"{s['heads']}个户主身份证号；已结账（县级研判记录已入账）的月份：{'、'.join(_month(m) for m in s['closed']) or '无'}。",
    ]
    if not data.get("history", True):
        lines.append("本次没有用台账中以前的月份做跨月检查（--no-history）。")
    if data.get("ignored"):
        lines.append(f"不是报送包、没有读取的文件：{'、'.join(data['ignored'])}。")
    entries = Table(
        "逐个报送包",
        ["报送包", "类型", "乡镇", "月份", "结果", "说明", "错误", "警告", "校验报告"],
        [
            [e["entry"], "县级研判记录" if e["kind"] == "county" else "乡镇报送包", e["township"], _month(e["month"]),
             e["outcome_label"] + (f"：{e['reason_label']}" if e["reason_label"] else ""),
             e["detail"] + (f"（替换 {e['replaced']}）" if e["replaced"] else ""), e["errors"], e["warnings"],
             e.get("report_file") or ""]
            for e in data["entries"]
        ],
        note="只有上报核对（submit 阶段）没有错误的报送包入账（迟报的也入账，记为迟报）；未入账的须改正后重新加入。",
    )  # fmt: skip
    return Answer("台账入账情况", lines, [entries])


ANSWERS = {
    "status": status_answer,
    "stock": stock_answer,
    "overdue": overdue_answer,
    "household": household_answer,
    "add": add_answer,
}


def answer(query: str, data: Mapping) -> Answer:
    return ANSWERS[query](data)


# --- text ------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_text(a: Answer) -> str:
    out = [a.title, "=" * min(_width(a.title), 80), *a.lines]
    for t in a.tables:
        out += ["", f"【{t.title}】"]
        if t.note:
            out.append(t.note)
        if not t.rows:
            out.append(t.empty)
            continue
        cells = [[_v(x) for x in row] for row in t.rows]
        widths = [max(_width(h), *(_width(r[i]) for r in cells)) for i, h in enumerate(t.head)]
        widths = [min(w, 40) for w in widths]
        out.append("  ".join(_pad(h, w) for h, w in zip(t.head, widths, strict=True)).rstrip())
        out += ["  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(out) + "\n"


# --- CSV -------------------------------------------------------------------------------------


def render_csv(a: Answer) -> str:
    """All the answer's tables in one CSV file (UTF-8 with BOM so Excel and WPS read it):
    each table after a line with its title, tables separated by an empty line."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for i, t in enumerate(a.tables):
        if i:
            w.writerow([])
        if len(a.tables) > 1:
            w.writerow([f"【{t.title}】"])
        w.writerow(t.head)
        for row in t.rows:
            w.writerow([_csv_cell(x) for x in row])
    return "\ufeff" + buf.getvalue()


def _csv_cell(value) -> str:
    text = _v(value)
    # A cell starting with = + - @ would be run as a formula by Excel: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- HTML ------------------------------------------------------------------------------------

_LEDGER_CSS = """
.chart { margin: 3mm 0 5mm; }
.chart svg { max-width: 100%; height: auto; }
.chart text { font-size: 11px; fill: #222; }
.legend span { display: inline-block; margin-right: 4mm; font-size: 9pt; }
.legend i { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; vertical-align: middle; }
p.note { color: #444; font-size: 9pt; margin: 1mm 0 2mm; }
td.late { color: #8a4b00; } td.missing, td.rejected { color: #a00; font-weight: bold; }
"""
COLOURS = ("#1f5fa8", "#d08a1e", "#3a8a3a", "#8a3a8a")


def _chart_svg(c: Chart) -> str:
    """Grouped bars: one group per label, one bar per series; plain SVG text, no script."""
    n, k = len(c.labels), len(c.series)
    most = max([1, *(v for _, values in c.series for v in values)])
    step = next(
        s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10**9) if most <= s * 4
    )
    top = step * 4
    bar = 10
    gap = max(14, 12 * max(len(label) for label in c.labels) + 6 - k * bar)  # room for the label below
    group = k * bar + gap
    left, height, bottom = 36, 160, 40
    width = left + n * group + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + bottom + 10}" '
        f'role="img" aria-label="{escape(c.title)}">'
    ]
    for tick in range(5):
        value = tick * step
        y = 10 + height - height * value / top
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for i, label in enumerate(c.labels):
        x0 = left + i * group + gap / 2
        for j, (name, values) in enumerate(c.series):
            v = values[i]
            h = height * v / top
            out.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{10 + height - h:.1f}" width="{bar - 1}" height="{h:.1f}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(label)} {escape(name)}：{v}</title></rect>'
            )
        out.append(
            f'<text x="{x0 + k * bar / 2:.1f}" y="{height + 26}" text-anchor="middle">{escape(label)}</text>'
        )
    out.append("</svg>")
    legend = "".join(
        f'<span><i style="background:{COLOURS[j % len(COLOURS)]}"></i>{escape(name)}</span>'
        for j, (name, _) in enumerate(c.series)
    )
    return f'<figure class="chart"><figcaption>{escape(c.title)}</figcaption>{"".join(out)}<div class="legend">{legend}</div></figure>'


def _html_cell(value, head: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    text = _v(value)
    cls = ""
    if head != "乡镇" and text.startswith("迟报"):
        cls = ' class="late"'
    elif text.startswith(("未报送", "未入账")):
        cls = ' class="missing"'
    return f"<td{cls}>{escape(text)}</td>"


def render_html(a: Answer) -> str:
    from validator import __version__

    body = [f"<h1>{escape(a.title)}</h1>", *(f"<p>{escape(line)}</p>" for line in a.lines)]
    body += [_chart_svg(c) for c in a.charts]
    for t in a.tables:
        body.append(f"<h2>{escape(t.title)}</h2>")
        if t.note:
            body.append(f'<p class="note">{escape(t.note)}</p>')
        if not t.rows:
            body.append(f"<p>{escape(t.empty)}</p>")
            continue
        body.append(
            "<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in t.head) + "</tr></thead><tbody>"
        )
        body += [
            "<tr>" + "".join(_html_cell(v, h) for v, h in zip(row, t.head, strict=True)) + "</tr>"
            for row in t.rows
        ]
        body.append("</tbody></table>")
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="zh-CN">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f'<meta name="generator" content="fpjc {escape(__version__)}">',
                f"<title>{escape(a.title)}</title>",
                f"<style>{_CSS}{_LEDGER_CSS}</style>",
                "</head>",
                '<body class="wide">',
                *body,
                f"<footer>由 fpjc {escape(__version__)} 依据{escape(standard.load()['notice']['number'])}从台账生成"
                f"（标准 {escape(standard.version())} 版）；台账是各月报送包的索引，以报送包为准。</footer>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


def sheets(a: Answer) -> list[tuple[str, Sequence[str], list[list]]]:
    """(sheet name, column titles, rows) per table, for a workbook writer."""
    return [(t.title[:31], t.head, t.rows) for t in a.tables]
