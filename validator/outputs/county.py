"""The workbooks the county clerk receives: the 研判 meeting workbook, feedback sheets, marking list.

All three are laid out from the form definitions (forms/county_*.yaml) with the same cell
formats, drop-downs and input messages as the township template (`outputs.workbook`):

- the meeting workbook (`fpjc county prepare`): 填表说明; 研判会议 (row 1 title, row 2 column
  headers, row 3 the values, like 报送信息); 县级研判表 (row 1 title, row 2 the month and count,
  row 3 column headers, one household a row from row 4; the columns carried over from the
  townships are shaded, the meeting fills the others; printed on A3 landscape); 会签 (the
  departments' signatures, A4; a page of the template that holds no data, so the reader skips
  it); hidden _lists and _fpjc (template identity and version, as in the township template);
- a 研判结果反馈单 workbook per township and the 全国系统标注清单 workbook
  (`fpjc county feedback`), each a titled table with its facts above the column headers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from validator import __version__, standard
from validator.outputs.workbook import (
    BORDER,
    CELL_FONT,
    FONT,
    HEADER_FILL,
    META_SHEET,
    OPTIONAL_FONT,
    TEXT_FORMAT,
    WRAP_CENTER,
    WRAP_LEFT,
    _data_area,
    _headers,
    _lists_sheet,
    _page_setup,
    _title,
    column_width,
    form_heading,
    load_meta_rows,
    text_width,
)
from validator.values.wording import how_to_fill, requirement

MEETING_TEMPLATE = "county_meeting"
MEETING, RECORD, FEEDBACK, MARKING = "county_meeting", "county_record", "county_feedback", "county_marking"
INSTRUCTIONS_SHEET = "填表说明"
SIGN_SHEET = "会签"
TITLE_ROW, BLOCK_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
MEETING_HEADER_ROW, MEETING_VALUE_ROW = 2, 3
CARRIED_FILL = PatternFill("solid", fgColor="EDEDED")  # columns carried over from the townships
# The columns of 县级研判表 the meeting fills in; the others come from the township packages.
MEETING_COLUMNS = ("decision", "category", "guarantee_gaps", "decision_note", "remark")
MARKING_COLUMNS = ("marked_by", "marked_date", "remark")
SIGN_ROWS_SPARE = 4
BLANK_ROWS = 200  # formatted rows of a blank template  # blank lines under the eight named departments, for others ("等")
PRIVATE_NOTE = "本工作簿含户主姓名、身份证号等个人信息，只在县扶贫办内部使用，请勿外传。"


def meeting_file_name(month: str | None) -> str:
    return f"县级研判工作簿-{month or '月份不明'}.xlsx"


def _month_label(month: str | None) -> str:
    if not month:
        return "（月份不明）"
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def _shade(ws, fields: list[dict], first_row: int, last_row: int, filled: tuple[str, ...]) -> None:
    """Shade the columns the clerk does not fill (carried over), in the header and the data."""
    for col, field in enumerate(fields, start=1):
        if field["name"] in filled:
            continue
        for r in range(first_row, last_row + 1):
            ws.cell(r, col).fill = CARRIED_FILL


def _block(ws, row: int, parts: list[str], ncols: int) -> None:
    """A line of facts above the column headers (merged across the table, left aligned)."""
    cell = ws.cell(row, 1, "　　".join(p for p in parts if p))
    cell.font = Font(name=FONT, size=11, bold=True)
    cell.alignment = Alignment(horizontal="left", vertical="center")
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.row_dimensions[row].height = 22


def _a3(ws) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A3


def _meta(wb: Workbook, template: str, form_ids: list[str], extra: list[tuple[str, str]]) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    for r, (key, value) in enumerate([*load_meta_rows(template, form_ids, __version__), *extra], start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value).number_format = TEXT_FORMAT


# ---------------------------------------------------------------------------
# The meeting workbook


def instruction_lines(month: str | None, households: int, packages: list[str]) -> list[str]:
    notice = standard.load()["notice"]["number"]
    included = "、".join(packages) if packages else "无"
    return [
        f"本工作簿由 fpjc county prepare 从{_month_label(month)}各乡镇报送包生成，供县扶贫开发领导小组"
        f"“每月一复核、每月一研判”使用（{notice} 二（四））。共列入{households}户，来自：{included}。",
        "“研判会议”表第3行：县（市、区）和研判月份已填好；会上填写研判日期、参加部门（用顿号“、”分隔，"
        "可写扶贫、教育、医保、卫健、住建、民政、残联、公安以外的部门）、主持人和记录人。",
        "“县级研判表”灰色各列是乡镇上报的内容（附件1 为返贫预警，附件2 为致贫预警），请不要修改；“来源”写明该户在哪个报送包的"
        "哪张表第几行。会上逐户填写白色各列：研判结论（认定或否定）；认定的填纳入管理类别（返贫预警户填脱贫监测户，"
        "致贫预警户填边缘户）和两不愁三保障存在问题；否定的在研判意见中写明理由。",
        "“会签”页打印后由参加研判的各部门签字，县扶贫开发领导小组办公室盖章存档；这一页不参与校验。",
        "会后检查：fpjc county check 本工作簿 --packages 本月报送包文件夹；检查通过后生成反馈单和全国系统标注清单："
        "fpjc county feedback 本工作簿 --packages 本月报送包文件夹 --output 反馈文件夹。",
        "请不要增删、改名或调换列，不要删除或显示隐藏的工作表；另存时保持 .xlsx 格式。" + PRIVATE_NOTE,
    ]


def _instructions(wb: Workbook, lines: list[str], forms: list[dict]) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET, 0)
    widths = (6, 22, 10, 48, 60)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ncols = len(widths)
    ws.cell(1, 1, f"填表说明（{standard.load()['title']} {standard.version()} 版）").font = Font(
        name="黑体", size=14, bold=True
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 28
    r = 1

    def note(text: str, *, bold: bool = False) -> None:
        nonlocal r
        r += 1
        cell = ws.cell(r, 1, text)
        cell.font = Font(name=FONT, size=11, bold=bold)
        cell.alignment = WRAP_LEFT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        ws.row_dimensions[r].height = 16 * max(1, -(-text_width(text) // int(sum(widths) * 0.95))) + 4

    for line in lines:
        note(line)
    for form in forms:
        r += 1
        note(f"{form['title']}：{form['full_title']}（依据{form['clause']}）", bold=True)
        note(" ".join(form["description"].split()))
        r += 1
        for col, text in enumerate(["列", "列标题", "是否必填", "怎么填", "说明"], start=1):
            cell = ws.cell(r, col, text)
            cell.font, cell.fill, cell.border, cell.alignment = (
                OPTIONAL_FONT,
                HEADER_FILL,
                BORDER,
                WRAP_CENTER,
            )
        for col_no, field in enumerate(form["fields"], start=1):
            r += 1
            cells = [
                get_column_letter(col_no),
                field["title"],
                requirement(field),
                how_to_fill(field),
                field.get("description") or "",
            ]
            for col, text in enumerate(cells, start=1):
                cell = ws.cell(r, col, text)
                cell.font, cell.border = CELL_FONT, BORDER
                cell.alignment = WRAP_CENTER if col in (1, 3) else WRAP_LEFT
            lines = max(1, *(-(-text_width(t) // int(w - 1)) for t, w in zip(cells, widths, strict=True)))
            ws.row_dimensions[r].height = 14 * lines + 4
    _page_setup(ws, title_rows=None)


def _meeting_sheet(wb: Workbook, meeting: dict) -> None:
    form = standard.form(MEETING)
    fields = form["fields"]
    ws = wb.create_sheet(form["title"])
    _title(ws, form_heading(form), fields)
    _headers(ws, fields, MEETING_HEADER_ROW)
    for col, field in enumerate(fields, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(column_width(field), 16 if field["type"] == "codes" else 14)
    _data_area(ws, fields, [meeting], MEETING_VALUE_ROW, 1)
    for col in range(1, len(fields) + 1):
        ws.cell(MEETING_VALUE_ROW, col).border = BORDER
    ws.column_dimensions[get_column_letter(4)].width = 40  # 参加部门: up to a dozen names
    ws.row_dimensions[MEETING_VALUE_ROW].height = 36
    ws.freeze_panes = ws.cell(MEETING_VALUE_ROW, 1)
    _page_setup(ws, title_rows=f"{TITLE_ROW}:{MEETING_HEADER_ROW}")


def _record_sheet(wb: Workbook, rows: list[dict], month: str | None, spare: int = 0) -> None:
    form = standard.form(RECORD)
    fields = form["fields"]
    ws = wb.create_sheet(form["title"])
    _title(ws, form_heading(form), fields)
    warned = {w: sum(1 for r in rows if r.get("warning_type") == w) for w in ("返贫预警", "致贫预警")}
    _block(
        ws,
        BLOCK_ROW,
        [
            f"研判月份：{month or ''}",
            f"共{len(rows)}户（返贫预警{warned['返贫预警']}户，致贫预警{warned['致贫预警']}户）",
            "灰色各列由乡镇报送包带出，请勿修改；白色各列在研判会议上填写",
        ],
        len(fields),
    )
    _headers(ws, fields, HEADER_ROW)
    nrows = max(len(rows), 1) + spare
    last = FIRST_DATA_ROW + nrows - 1
    _data_area(ws, fields, rows, FIRST_DATA_ROW, nrows)
    for r in range(FIRST_DATA_ROW, last + 1):
        for col in range(1, len(fields) + 1):
            ws.cell(r, col).border = BORDER
    _shade(ws, fields, HEADER_ROW, last, MEETING_COLUMNS)
    name_col = next(i for i, f in enumerate(fields, start=1) if f["name"] == "head_name")
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, name_col + 1)
    _page_setup(ws, title_rows=f"{TITLE_ROW}:{HEADER_ROW}")
    _a3(ws)


def _sign_sheet(wb: Workbook, month: str | None, households: int) -> None:
    ws = wb.create_sheet(SIGN_SHEET)
    widths = (6, 16, 22, 34, 14)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ncols = len(widths)
    ws.cell(1, 1, f"{_month_label(month)}返贫致贫风险县级复核研判会签").font = Font(
        name="黑体", size=16, bold=True
    )
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 32
    facts = [
        "研判日期：______年____月____日　　地点：________________",
        f"本次复核研判乡镇上报的{households}户：认定 ____ 户（脱贫监测户 ____ 户、边缘户 ____ 户），否定 ____ 户。",
        "各部门对照两不愁三保障标准和本部门掌握的情况提出意见，逐户研判结论见“县级研判表”。",
    ]
    for i, text in enumerate(facts, start=2):
        cell = ws.cell(i, 1, text)
        cell.font = Font(name=FONT, size=11)
        cell.alignment = WRAP_LEFT
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=ncols)
        ws.row_dimensions[i].height = 30
    head = 2 + len(facts)
    for col, text in enumerate(["序号", "参加部门", "参加人（签字）", "意见", "日期"], start=1):
        cell = ws.cell(head, col, text)
        cell.font, cell.fill, cell.border, cell.alignment = OPTIONAL_FONT, HEADER_FILL, BORDER, WRAP_CENTER
    departments = [i["label"] for i in standard.codelist("department")["items"]]
    names = [*departments, *([""] * SIGN_ROWS_SPARE)]
    for n, name in enumerate(names, start=1):
        r = head + n
        for col, text in enumerate([n, name, None, None, None], start=1):
            cell = ws.cell(r, col, text)
            cell.font, cell.border = CELL_FONT, BORDER
            cell.alignment = WRAP_CENTER
        ws.row_dimensions[r].height = 34
    r = head + len(names) + 2
    for text in (
        "记录人（签字）：________________",
        "县扶贫开发领导小组办公室（盖章）　　　　年　　月　　日",
    ):
        cell = ws.cell(r, 1, text)
        cell.font = Font(name=FONT, size=11)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        ws.row_dimensions[r].height = 30
        r += 1
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True


def build_meeting_workbook(
    rows: list[dict], meeting: dict, *, packages: list[str] | None = None, spare: int = 0
) -> Workbook:
    """The meeting workbook in memory: `rows` as from `county.meeting.record_rows`."""
    month = meeting.get("report_month")
    forms = [standard.form(MEETING), standard.form(RECORD)]
    wb = Workbook()
    wb.remove(wb.active)
    _instructions(wb, instruction_lines(month, len(rows), packages or []), forms)
    _meeting_sheet(wb, meeting)
    _record_sheet(wb, rows, month, spare)
    _sign_sheet(wb, month, len(rows))
    _lists_sheet(wb, forms)
    _meta(
        wb,
        MEETING_TEMPLATE,
        [MEETING, RECORD],
        [("layout_sheets", SIGN_SHEET), ("month", month or ""), ("households", str(len(rows)))],
    )
    wb.active = 2
    s = standard.load()
    wb.properties.title = f"{s['title']} 县级研判工作簿 {month or ''}".strip()
    wb.properties.creator = "fpjc"
    wb.properties.language = "zh-CN"
    return wb


def write_meeting_workbook(path: str | Path, rows: list[dict], meeting: dict, **kw) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_meeting_workbook(rows, meeting, **kw).save(path)
    return path


# ---------------------------------------------------------------------------
# Feedback sheets and the marking list


def _table_workbook(
    form_id: str,
    rows: list[dict],
    facts: list[str],
    *,
    filled: tuple[str, ...],
    footer: str,
    extra_meta,
    spare: int = 0,
) -> Workbook:
    form = standard.form(form_id)
    fields = form["fields"]
    wb = Workbook()
    ws = wb.active
    ws.title = form["title"]
    _title(ws, form_heading(form), fields)
    _block(ws, BLOCK_ROW, facts, len(fields))
    _headers(ws, fields, HEADER_ROW)
    nrows = max(len(rows), 1) + spare
    last = FIRST_DATA_ROW + nrows - 1
    _data_area(ws, fields, rows, FIRST_DATA_ROW, nrows)
    for r in range(FIRST_DATA_ROW, last + 1):
        for col in range(1, len(fields) + 1):
            ws.cell(r, col).border = BORDER
    if filled:
        _shade(ws, fields, HEADER_ROW, last, filled)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    _page_setup(ws, title_rows=f"{TITLE_ROW}:{HEADER_ROW}")
    ws.oddFooter.left.text = footer
    ws.oddFooter.left.size = 10
    _lists_sheet(wb, [form])
    _meta(wb, form_id, [form_id], extra_meta)
    wb.properties.creator = "fpjc"
    wb.properties.language = "zh-CN"
    return wb


def build_feedback_workbook(sheet: dict, *, spare: int = 0) -> Workbook:
    """One township's 研判结果反馈单 (`sheet` as from `county.feedback.feedback_sheets`)."""
    date = sheet.get("date")
    meeting_date = sheet.get("meeting_date")
    facts = [
        f"乡镇：{sheet['township']}",
        f"研判月份：{sheet.get('month') or ''}",
        f"研判日期：{meeting_date.isoformat() if isinstance(meeting_date, dt.date) else ''}",
        f"反馈日期：{date.isoformat() if isinstance(date, dt.date) else ''}",
        f"认定{sheet['confirmed']}户，否定{sheet['rejected']}户",
    ]
    return _table_workbook(
        FEEDBACK,
        sheet["rows"],
        facts,
        filled=(),
        footer="县扶贫开发领导小组办公室（盖章）　　乡镇签收人：__________　签收日期：__________",
        extra_meta=[("township", sheet["township"]), ("month", sheet.get("month") or "")],
        spare=spare,
    )


def build_marking_workbook(marking: dict, *, spare: int = 0) -> Workbook:
    """The 全国系统标注清单 (`marking` as from `county.feedback.marking_list`)."""
    facts = [
        f"研判月份：{marking.get('month') or ''}",
        f"待标注{len(marking['rows'])}户",
        f"乡镇已注明标注的{len(marking['already_marked'])}户、县级研判否定的{len(marking['rejected'])}户不列入",
        "标注后填写白色两列：标注人、标注日期",
    ]
    return _table_workbook(
        MARKING,
        marking["rows"],
        facts,
        filled=MARKING_COLUMNS,
        footer=PRIVATE_NOTE,
        extra_meta=[("month", marking.get("month") or "")],
        spare=spare,
    )


def save(wb: Workbook, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def blank_workbook_name() -> str:
    """The blank meeting workbook's name names both its forms, so both form pages offer it."""
    return f"县级研判工作簿（{standard.form(MEETING)['title']}、{standard.form(RECORD)['title']}）.xlsx"


def blank_workbooks(out_dir: str | Path, forms: list[str] | None = None) -> list[Path]:
    """Blank county workbooks for `fpjc template` and the site's form pages."""
    out_dir = Path(out_dir)
    wanted = set(forms or (MEETING, RECORD, FEEDBACK, MARKING))
    written = []
    if wanted & {MEETING, RECORD}:
        wb = build_meeting_workbook([], {"county": "鹤庆县"}, spare=BLANK_ROWS)
        written.append(save(wb, out_dir / blank_workbook_name()))
    if FEEDBACK in wanted:
        empty = {"township": "", "month": None, "meeting_date": None, "date": None, "rows": []}
        empty.update(confirmed=0, rejected=0)
        wb = build_feedback_workbook(empty, spare=BLANK_ROWS)
        written.append(save(wb, out_dir / f"{standard.form(FEEDBACK)['title']}.xlsx"))
    if MARKING in wanted:
        marking = {"month": None, "rows": [], "already_marked": [], "rejected": []}
        written.append(
            save(
                build_marking_workbook(marking, spare=BLANK_ROWS),
                out_dir / f"{standard.form(MARKING)['title']}.xlsx",
            )
        )
    return written
