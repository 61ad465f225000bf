"""The county's printable pages: the 研判 meeting agenda, the feedback sheets, the marking list.

Each is one self-contained HTML page (inline CSS, no scripts, nothing fetched) laid out for A4
(the marking list: A4 landscape), printed from the browser or saved as PDF. The renderers read
plain data only (`validator.county.meeting.agenda`, `validator.county.feedback`); they mask
nothing themselves: the feedback rows arrive masked unless the clerk asked otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape

from validator import standard
from validator.render import visible

_CSS = """
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
@page wide { size: A4 landscape; margin: 12mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "SimSun", "宋体", "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #000; margin: 0 auto; max-width: 190mm; padding: 8mm 0; font-size: 11pt; line-height: 1.55; }
body.wide { max-width: 277mm; page: wide; }
h1 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 17pt; text-align: center; margin: 0 0 4mm; letter-spacing: .04em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 12.5pt; margin: 6mm 0 2mm; }
p { margin: 1.5mm 0; }
.facts { display: flex; flex-wrap: wrap; gap: 1mm 8mm; margin: 0 0 3mm; }
.blank { display: inline-block; min-width: 30mm; border-bottom: .3mm solid #000; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 3mm; font-size: 10pt; }
th, td { border: .3mm solid #000; padding: 1mm 1.5mm; vertical-align: middle; }
th { background: #f2f2f2; font-weight: bold; text-align: center; word-break: keep-all; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.id { white-space: nowrap; font-family: "Noto Sans Mono CJK SC", "SimSun", monospace; }
tr.total td { font-weight: bold; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
ol.steps li { margin: 1mm 0; }
.sign { display: flex; justify-content: space-between; flex-wrap: wrap; gap: 4mm 10mm; margin-top: 10mm; }
.note { font-size: 9.5pt; color: #333; }
footer { margin-top: 6mm; font-size: 8.5pt; color: #555; border-top: .3mm solid #999; padding-top: 1.5mm; }
@media screen { body { padding: 12mm; } }
"""


def _month_label(month: str | None) -> str:
    if not month:
        return "（月份不明）"
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _cell(value, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td{attr}>{escape(visible(_text(value)))}</td>"


def _table(head: list[str], body: list[list], *, total: bool = False, id_column: int | None = None) -> str:
    out = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for i, row in enumerate(body):
        cls = ' class="total"' if total and i == len(body) - 1 else ""
        cells = "".join(_cell(v, "id" if j == id_column else "") for j, v in enumerate(row))
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _page(title: str, body: list[str], *, wide: bool = False) -> str:
    from validator import __version__

    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="zh-CN">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f'<meta name="generator" content="fpjc {escape(__version__)}">',
                f"<title>{escape(title)}</title>",
                f"<style>{_CSS}</style>",
                "</head>",
                f'<body class="{"wide" if wide else ""}">',
                *body,
                f"<footer>由 fpjc {escape(__version__)} 依据{escape(standard.load()['notice']['number'])}生成"
                f"（标准 {escape(standard.version())} 版）。</footer>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


# --- the meeting agenda ------------------------------------------------------------------

STATUS_WORDS = {
    "ok": "已报送",
    "late": "已报送",  # the days late follow
    "errors": "已报送，有错误",
    "duplicate": "重复报送",
    "missing": "未报送",
    "unknown": "乡镇不明",
}


def render_agenda(agenda: Mapping) -> str:
    """The printable agenda of the month's 复核研判 meeting: counts per township and risk type."""
    month = _month_label(agenda.get("month"))
    departments = "、".join(i["label"] for i in standard.codelist("department")["items"])
    title = f"鹤庆县{month}返贫致贫风险县级复核研判会议议程"
    body = [
        f"<h1>{escape(title)}</h1>",
        '<div class="facts">'
        '<span>时间：<span class="blank"></span></span>'
        '<span>地点：<span class="blank"></span></span>'
        '<span>主持：<span class="blank"></span></span></div>',
        f"<p>参加部门：{escape(departments)}等涉及行业部门（鹤扶开发〔2020〕16号 二（四））。</p>",
        f"<p>本次复核研判{escape(month)}各乡镇上报的 <strong>{agenda['households']}</strong> 户"
        "（返贫预警为附件1 的建档立卡已脱贫户，致贫预警为附件2 的非卡户），逐户研判结论填在县级研判工作簿的“县级研判表”中。</p>",
        "<h2>一、县扶贫办通报各乡镇报送情况</h2>",
    ]
    rows = []
    for t in agenda["townships"]:
        state = STATUS_WORDS.get(t["status"] or "", "")
        if t.get("days_late"):
            state += f"，迟报{t['days_late']}天"
        if t.get("zero_report"):
            state += "，零报告"
        rows.append([t["township"], state, t["returning"], t["new"], t["total"]])
    rows.append(
        [
            "合计",
            "",
            sum(t["returning"] for t in agenda["townships"]),
            sum(t["new"] for t in agenda["townships"]),
            agenda["households"],
        ]
    )
    body.append(
        _table(["乡镇", "报送情况", "返贫预警（户）", "致贫预警（户）", "提请研判（户）"], rows, total=True)
    )
    if agenda["left_out"]:
        body.append("<p>未列入本次研判的报送包（请县扶贫办跟进）：</p><ul>")
        for p in agenda["left_out"]:
            who = f"（{p['township']}）" if p.get("township") else ""
            body.append(f"<li>{escape(visible(p['entry']))}{escape(who)}：{escape(p['why'] or '')}</li>")
        body.append("</ul>")
    if agenda["missing"]:
        body.append(f"<p>本月未报送的乡镇：{escape('、'.join(agenda['missing']))}。</p>")
    body.append("<h2>二、按风险类型逐户复核（户次）</h2>")
    if agenda["risks"]:
        shown = [
            (i, t)
            for i, t in enumerate(agenda["risk_townships"])
            if any(r["by_township"][i] for r in agenda["risks"])
        ]
        head = ["风险类型", *(t for _, t in shown), "合计"]
        body.append(
            _table(
                head,
                [[r["risk"], *(r["by_township"][i] for i, _ in shown), r["total"]] for r in agenda["risks"]],
            )
        )
        body.append('<p class="note">户次：一户有几个风险类型就计几次，所以合计可以大于户数。</p>')
    else:
        body.append("<p>本月没有提请研判的户。</p>")
    body += [
        "<h2>三、研判程序</h2>",
        '<ol class="steps">',
        "<li>县扶贫办逐户介绍乡镇上报的风险类型、风险情况说明、乡镇核查情况和拟采取帮扶措施；</li>",
        "<li>各行业部门对照本部门掌握的情况（教育、医保、卫健、住建、民政、残联、公安等）提出意见；</li>",
        "<li>对照两不愁三保障脱贫标准逐户作出结论：认定存在返贫致贫风险的，纳入脱贫监测户（返贫预警户）"
        "或边缘户（致贫预警户）管理，根据乡镇提出的帮扶措施建议统筹研究帮扶；否定的，写明理由（二（四）1、2）；</li>",
        "<li>记录人当场把结论填入县级研判表，会后用 fpjc county check 检查；</li>",
        "<li>参加部门在“会签”页签字；县扶贫办把研判结果反馈乡镇（fpjc county feedback），"
        "否定的户由乡镇告知村委会、解除预警；本月解除的户在全国扶贫开发信息系统中标注（二（六））。</li>",
        "</ol>",
    ]
    return _page(title, body)


# --- feedback sheets ---------------------------------------------------------------------


def render_feedback(sheet: Mapping) -> str:
    """One township's printable 研判结果反馈单."""
    month = _month_label(sheet.get("month"))
    title = f"{month}返贫致贫风险县级研判结果反馈单"
    meeting = sheet.get("meeting_date")
    date = sheet.get("date")
    body = [
        f"<h1>{escape(title)}</h1>",
        '<div class="facts">'
        f"<span>乡镇：{escape(sheet['township'])}</span>"
        f"<span>研判日期：{escape(_text(meeting))}</span>"
        f"<span>反馈日期：{escape(_text(date))}</span></div>",
        f"<p>{escape(sheet['township'])}扶贫办：{escape(month)}你乡镇上报的返贫致贫风险户，经县扶贫开发领导小组会同"
        f"{escape('、'.join(sheet.get('departments') or ()) or '有关行业部门')}复核研判，"
        f"认定{sheet['confirmed']}户、否定{sheet['rejected']}户，结果如下。</p>",
    ]
    rejected = [r for r in sheet["rows"] if r["decision"] == "否定"]
    confirmed = [r for r in sheet["rows"] if r["decision"] == "认定"]
    head = ["序号", "村委会（社区）", "村民小组", "户主姓名", "户主身份证号", "预警类型"]
    body.append("<h2>一、否定存在返贫致贫风险的户</h2>")
    if rejected:
        body.append("<p>请乡镇告知所在村委会，解除预警（鹤扶开发〔2020〕16号 二（四）1）。</p>")
        body.append(
            _table(
                [*head, "否定理由"],
                [_people(r) + [r.get("decision_note")] for r in rejected],
                id_column=4,
            )
        )
    else:
        body.append("<p>无。</p>")
    body.append("<h2>二、认定存在返贫致贫风险的户</h2>")
    if confirmed:
        body.append(
            "<p>纳入脱贫监测户或边缘户管理，请乡镇按拟采取的帮扶措施落实针对性精准帮扶，"
            "做到一户一策（二（四）2、二（五））；帮扶后风险消除的，按附件3 登记解除。</p>"
        )
        body.append(
            _table(
                [*head, "纳入管理类别", "研判意见"],
                [_people(r) + [r.get("category"), r.get("decision_note")] for r in confirmed],
                id_column=4,
            )
        )
    else:
        body.append("<p>无。</p>")
    if sheet.get("masked"):
        body.append(
            '<p class="note">姓名和身份证号已打码；乡镇按村委会、村民小组和身份证号末几位对照本乡镇报表。</p>'
        )
    body.append(
        '<div class="sign"><span>县扶贫开发领导小组办公室（盖章）</span>'
        '<span>乡镇签收人：<span class="blank"></span></span>'
        '<span>签收日期：<span class="blank"></span></span></div>'
    )
    return _page(title, body)


def _people(r: Mapping) -> list:
    return [
        r["seq"],
        r.get("village"),
        r.get("village_group"),
        r.get("head_name"),
        r.get("head_id"),
        r.get("warning_type"),
    ]


# --- the marking list --------------------------------------------------------------------


def render_marking(marking: Mapping) -> str:
    """The printable 全国系统标注清单 (A4 landscape): releases of the month still to mark."""
    month = _month_label(marking.get("month"))
    title = f"{month}返贫致贫预警解除全国系统标注清单"
    head = [
        "序号",
        "乡镇",
        "村委会（社区）",
        "户主姓名",
        "户主身份证号",
        "预警类型",
        "纳入监测时间",
        "解除方式",
        "解除日期",
        "来源",
        "标注人",
        "标注日期",
    ]
    rows = [
        [
            r["seq"],
            r["township"],
            r.get("village"),
            r.get("head_name"),
            r.get("head_id"),
            r.get("warning_type"),
            _month_text(r.get("identified_month")),
            r.get("release_way"),
            r.get("release_date"),
            r.get("source"),
            r.get("marked_by"),
            r.get("marked_date"),
        ]
        for r in marking["rows"]
    ]
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>本月各乡镇附件3 登记解除预警的户，由县扶贫开发领导小组办公室在全国扶贫开发信息系统中及时标注"
        f"（鹤扶开发〔2020〕16号 二（六））。待标注 <strong>{len(rows)}</strong> 户；标注后填写标注人和标注日期。</p>",
        _table(head, rows, id_column=4) if rows else "<p>本月没有待标注的户。</p>",
    ]
    if marking["already_marked"]:
        body.append(
            f"<p>乡镇在附件3 中注明已在全国系统标注的{len(marking['already_marked'])}户未列入，请抽查核实。</p>"
        )
    if marking["rejected"]:
        body.append(
            f"<p>以“县级研判否定”解除的{len(marking['rejected'])}户未纳入监测管理，无需在全国系统标注，未列入。</p>"
        )
    body.append('<p class="note">本清单含户主姓名和完整身份证号，只在县扶贫办内部使用，请勿外传。</p>')
    return _page(title, body, wide=True)


def _month_text(value) -> str:
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    return _text(value)
