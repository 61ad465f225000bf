"""The submission workbook clerks fill in Excel or WPS: built from standard.json alone.

Every sheet, column header, drop-down, input message and 填表说明 line is derived from the
form definitions, so a county official who edits a form YAML gets a new template with no
code change. Layout (the reader relies on it, see docs of `write_workbook`):

- form sheets: row 1 title (merged), row 2 header block (label cells ending in "：", each
  followed by its value cell), row 3 Chinese column headers, data from row 4;
- 报送信息: row 1 title, row 2 column headers, row 3 the values;
- hidden `_lists` (code lists the drop-downs point at) and hidden `_fpjc` (template identity).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from validator import __version__, standard
from validator.catalogue import column_rules, required_when
from validator.outputs import paper
from validator.values.wording import (
    boolean_labels,
    deadline_text,
    how_to_fill,
    labels,
    length_text,
    range_text,
    requirement,
    separator,
)

# The submission workbook holds these forms; stage records get a workbook of their own.
WORKBOOK_FORMS = ("manifest", "annex1", "annex2", "annex3")
INSTRUCTIONS_SHEET = "填表说明"
LISTS_SHEET = "_lists"
META_SHEET = "_fpjc"

# Header block of the form sheets (row 2): label as printed, and the manifest field a clerk
# would copy into it, so a filled workbook carries the same facts in both places.
HEADER_BLOCK = (
    ("填报单位（盖章）", "township"),
    ("报告月份", "report_month"),
    ("填报人", "preparer"),
    ("审核人", "reviewer"),
    ("填报日期", "submitted_date"),
)
HEADER_BLOCK_LABELS = tuple(label for label, _ in HEADER_BLOCK)

TITLE_ROW, BLOCK_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
MANIFEST_HEADER_ROW, MANIFEST_VALUE_ROW = 2, 3
# Ruled, formatted and validated rows below the headers: the blank template has as many as fill
# its first page (`paper.Layout.blank_rows`) and the signature rows follow; a filled workbook has
# its rows and this many blank ones. A clerk with more households inserts rows among them.
SPARE_ROWS = 5
# 建档立卡 began in 2014: an earlier date in any of these forms is a typing mistake.
EARLIEST_DATE = dt.date(2014, 1, 1)
EXCEL_EPOCH = dt.date(1899, 12, 30)

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
MONEY_FORMAT = "0.00"

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
REQUIRED_FONT = Font(name=FONT, size=paper.HEADER_PT, bold=True, color="9C0006")
OPTIONAL_FONT = Font(name=FONT, size=paper.HEADER_PT, bold=True)
CELL_FONT = Font(name=FONT, size=paper.BODY_PT)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)

# Excel refuses longer input messages and titles (the file would not open cleanly).
PROMPT_MAX, PROMPT_TITLE_MAX, ERROR_MAX = 255, 32, 255


# ---------------------------------------------------------------------------
# Headings and widths


def form_heading(form: dict) -> str:
    """The printed title, e.g. `附件1 鹤庆县返贫预警情况统计表`."""
    return f"{form['title']} {form['full_title']}"


# ---------------------------------------------------------------------------
# Column widths (in Excel character units; a CJK character counts two)


def text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def column_widths(fields: list[dict]) -> list[float]:
    """Excel widths of a form's columns, from the paper layout (`paper.layout`, in millimetres)."""
    return [paper.excel_width(mm) for mm in paper.layout(fields).widths_mm]


def column_width(field: dict) -> float:
    """Excel width of one column on its own: the narrowest its type can be written in by hand."""
    return paper.excel_width(paper.min_width_mm(field))


# ---------------------------------------------------------------------------
# Data validation


def _excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def input_message(field: dict, when: tuple[str, ...] | list[str] = ()) -> tuple[str, str]:
    """(title, message) shown when the clerk selects a cell of this column; `when` are the
    conditions under which an optional column is required (`catalogue.required_when`)."""
    title = _clip(field["title"], PROMPT_TITLE_MAX)
    rule = f"{requirement(field, when)}。{how_to_fill(field)}"
    description = field.get("description") or ""
    if len(rule) + len(description) + 1 > PROMPT_MAX:
        # The allowed values matter more than the prose; 填表说明 has the full text.
        description = _clip(description, max(0, PROMPT_MAX - len(rule) - 1))
    message = f"{rule}\n{description}" if description else rule
    if len(message) > PROMPT_MAX:
        message = _clip(
            f"{requirement(field, when)}。{how_to_fill(field, with_options=False)}见“填表说明”。", PROMPT_MAX
        )
    return title, message


def list_name(list_id: str) -> str:
    return f"fpjc_{list_id}"


def validation_for(field: dict, when: tuple[str, ...] | list[str] = ()) -> DataValidation:
    """The Excel data validation that refuses obvious mistakes in this column."""
    t = field["type"]
    title, prompt = input_message(field, when)
    dv: DataValidation
    error = ""
    error_style = "stop"
    if t == "code":
        dv = DataValidation(type="list", formula1=list_name(field["codelist"]))
        error = f"请从下拉列表中选择{field['title']}。"
    elif t == "boolean":
        yes, no = boolean_labels()
        dv = DataValidation(type="list", formula1=f'"{yes},{no}"')
        error = f"请填“{yes}”或“{no}”。"
    elif t == "integer":
        lo, hi = field.get("minimum"), field.get("maximum")
        if lo is not None and hi is not None:
            dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi))
        elif lo is not None:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(lo))
        elif hi is not None:
            dv = DataValidation(type="whole", operator="lessThanOrEqual", formula1=str(hi))
        else:
            dv = DataValidation(
                type="whole", operator="between", formula1="-2147483648", formula2="2147483647"
            )
        error = f"{field['title']}只能填整数" + (
            f"，范围 {range_text(field)}。" if range_text(field) else "。"
        )
    elif t == "money":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        error = f"{field['title']}只能填不小于0的金额（元），不要带“元”字。"
    elif t == "date":
        dv = DataValidation(
            type="date", operator="greaterThanOrEqual", formula1=str(_excel_serial(EARLIEST_DATE))
        )
        error = f"{field['title']}请填日期，如 2020-07-15，且不早于 {EARLIEST_DATE.isoformat()}。"
    elif t == "month":
        dv = DataValidation(type="textLength", operator="equal", formula1="7")
        error = f"{field['title']}请写成 2020-07 的样式（年-月）。"
        error_style = "warning"
    elif t == "id_number":
        dv = DataValidation(type="textLength", operator="equal", formula1="18")
        error = "身份证号应为18位。请确认本列是“文本”格式，再重新输入。"
    elif t == "phone":
        dv = DataValidation(type="textLength", operator="between", formula1="11", formula2="12")
        error = "手机号为11位，座机写成 0872-1234567。"
        error_style = "warning"
    elif t == "text" and (field.get("max_length") or field.get("min_length")):
        lo, hi = field.get("min_length") or 0, field.get("max_length") or 32767
        dv = DataValidation(type="textLength", operator="between", formula1=str(lo), formula2=str(hi))
        error = f"{field['title']}：{length_text(field)}。"
    elif t == "codes":
        # Several items in one cell: the drop-down offers each item (pick one, or pick the first
        # and type “、” and the next after it); typing a list must stay possible, so no error.
        dv = DataValidation(type="list", formula1=list_name(field["codelist"]))
        dv.showErrorMessage = False
    else:
        # Free text: only the input message; the validator does the rest.
        dv = DataValidation(type=None)
    dv.allow_blank = True
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = prompt
    if error:
        dv.showErrorMessage = True
        dv.errorStyle = error_style
        dv.errorTitle = _clip(f"{field['title']}填写有误", PROMPT_TITLE_MAX)
        dv.error = _clip(error, ERROR_MAX)
    return dv


def number_format(field: dict) -> str | None:
    t = field["type"]
    if t == "date":
        return DATE_FORMAT
    if t == "money":
        return MONEY_FORMAT
    if t in ("id_number", "phone", "month") or (t == "text" and field.get("pattern")):
        return TEXT_FORMAT
    if t in ("text", "codes"):
        return TEXT_FORMAT
    return None


# ---------------------------------------------------------------------------
# Values as a clerk's Excel stores them

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


def cell_value(field: dict, value):
    """Turn a row value into what Excel keeps after the clerk types it into this column.

    Excel turns a typed ISO date into a date cell and a typed number into a number; text-
    formatted columns (ID, phone, month, lists) keep the string. Anything Excel would not
    convert (a malformed date, a word in a number column) stays as typed, so faulty rows
    can be written too.
    """
    if value is None or value == "":
        return None
    t = field["type"]
    sep = separator()
    if isinstance(value, list | tuple | set):
        return sep.join(str(v) for v in value)
    if isinstance(value, bool):
        if t == "boolean":
            yes, no = boolean_labels()
            return yes if value else no
        return value
    if t == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str) and (m := _ISO_DATE.match(value)):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return value
        return value
    if t == "month":
        if isinstance(value, dt.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value
    if t in ("integer", "money") and isinstance(value, str) and _NUMBER.match(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return value


# ---------------------------------------------------------------------------
# Sheets


def _page_setup(ws, *, title_rows: str | None, fields: list[dict] | None = None, last_row: int = 0) -> None:
    """Landscape, on the paper `paper.layout` picks for the form (A4 for 填表说明, fitted to the
    page width). A form that fits one page width is fitted to it: it prints at 100 %, and should
    a spreadsheet program lay it out a little wider than planned it shrinks a little rather than
    spill a column onto a sheet of its own. A form too wide for A3 prints at 100 % with page
    breaks between the parts `paper.layout` plans and 序号 … 户主姓名 repeated on each. The print
    area ends with the signature rows (`_signature_block`); the footer holds the page number."""
    inch = 25.4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = paper.SIDE_MARGIN_MM / inch
    ws.page_margins.top = paper.TOP_MARGIN_MM / inch
    ws.page_margins.bottom = paper.BOTTOM_MARGIN_MM / inch
    ws.page_margins.header = ws.page_margins.footer = 0.2
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    lay = paper.layout(fields) if fields is not None else None
    if lay is not None:
        ws.page_setup.paperSize = ws.PAPERSIZE_A3 if lay.paper == "A3" else ws.PAPERSIZE_A4
        if last_row:
            ws.print_area = f"A1:{get_column_letter(len(fields))}{last_row}"
    if lay is None or len(lay.pages) == 1:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        return
    ws.page_setup.scale = 100
    last = get_column_letter(lay.repeated[-1] + 1)
    ws.print_title_cols = f"A:{last}"
    for page in lay.pages[:-1]:
        ws.col_breaks.append(Break(id=page[-1] + 1))


def _title(ws, text: str, fields: list[dict]) -> None:
    """The form's title over the whole width, or, when the form prints on several pages, over
    the columns repeated on every page, so that each page carries it."""
    lay = paper.layout(fields)
    ncols = len(lay.repeated) if len(lay.pages) > 1 else len(fields)
    ws.cell(TITLE_ROW, 1, text).font = Font(name="黑体", size=16 if len(lay.pages) == 1 else 14, bold=True)
    align = "center" if len(lay.pages) == 1 else "left"
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal=align, vertical="center")
    if ncols > 1:
        ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=ncols)
    ws.row_dimensions[TITLE_ROW].height = 32


def header_line_count(fields: list[dict]) -> int:
    """Lines of the tallest column header as `paper.layout` breaks them."""
    lay = paper.layout(fields)
    return max(len(lay.header(fields, i)) for i in range(len(fields)))


def _headers(ws, fields: list[dict], row: int) -> None:
    """The column titles, each broken into lines between its words (`paper.header_lines`): the
    reader joins the lines again, and Excel has no reason to break a word of its own."""
    lay = paper.layout(fields)
    for col, field in enumerate(fields, start=1):
        title = paper.header_lines(field, lay.widths_mm[col - 1])
        cell = ws.cell(row, col, "\n".join(title))
        cell.font = REQUIRED_FONT if field["required"] else OPTIONAL_FONT
        cell.alignment = WRAP_CENTER
        cell.border = BORDER
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = paper.excel_width(lay.widths_mm[col - 1])
    ws.row_dimensions[row].height = max(30, round(paper.HEADER_PT * 1.3 * header_line_count(fields) + 6))


def _spread(fields: list[dict], parts: int) -> list[tuple[int, int]]:
    """The columns (first, last; 1-based) of `parts` stretches of about equal printed width."""
    widths = paper.layout(fields).widths_mm
    total = sum(widths)
    out, first, acc = [], 1, 0.0
    for col, w in enumerate(widths, start=1):
        acc += w
        if acc >= total * (len(out) + 1) / parts - 0.01 and len(out) < parts - 1 and col < len(widths):
            out.append((first, col))
            first = col + 1
    out.append((first, len(widths)))
    return out


def _labelled_blank(
    ws, row: int, span: tuple[int, int], widths: list[float], label: str, blank: str | None = None
) -> None:
    """“label：” then a ruled blank to write on, within the columns `span` (first, last)."""
    first, last = span
    need = paper.cjk_width(label) * paper.BODY_PT * paper.PT_MM * 1.05 + 2
    col, acc = first, 0.0
    while col <= last and acc < need:
        acc += widths[col - 1]
        col += 1
    label_last = max(first, col - 1)
    cell = ws.cell(row, first, label)
    cell.font = Font(name=FONT, size=paper.BODY_PT, bold=True)
    cell.alignment = Alignment(horizontal="right", vertical="bottom")
    if label_last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=label_last)
    if label_last >= last:
        return
    value = ws.cell(row, label_last + 1, blank)
    value.font = CELL_FONT
    value.number_format = TEXT_FORMAT
    value.alignment = Alignment(horizontal="center", vertical="bottom")
    for c in range(label_last + 1, last + 1):
        ws.cell(row, c).border = Border(bottom=THIN)
    if last > label_last + 1:
        ws.merge_cells(start_row=row, start_column=label_last + 1, end_row=row, end_column=last)


def _signature_block(ws, fields: list[dict], row: int) -> int:
    """The signature and stamp rows under the table, inside the print area, as on the printed
    form: 填报人（签字）、审核人（签字）、填报单位（盖章）, and the date under the stamp. The
    reader ends the table's data where they start (`validator.reading.signatures`). Returns the
    last row of the block."""
    widths = paper.layout(fields).widths_mm
    stretches = _spread(fields, 3)
    for span, label in zip(stretches, (*paper.SIGNATURES, paper.STAMP), strict=True):
        _labelled_blank(ws, row, span, widths, f"{label}：")
    _labelled_blank(ws, row + 1, stretches[-1], widths, f"{paper.DATE_LABEL}：", "年　　月　　日")
    ws.row_dimensions[row].height = 40
    ws.row_dimensions[row + 1].height = 30
    return row + 1


def _header_block(ws, fields: list[dict], values: dict[str, object]) -> None:
    """Row 2: label cell "填报单位（盖章）：" then its value cell, spread along the columns."""
    widths = column_widths(fields)
    col = 1

    def take(min_width: float) -> tuple[int, int]:
        nonlocal col
        start, total = col, 0.0
        while True:
            total += widths[col - 1] if col <= len(widths) else 10
            col += 1
            if total >= min_width:
                return start, col - 1

    for label in HEADER_BLOCK_LABELS:
        first, last = take(text_width(label) + 3)
        ws.cell(BLOCK_ROW, first, f"{label}：").font = Font(name=FONT, size=10, bold=True)
        ws.cell(BLOCK_ROW, first).alignment = Alignment(horizontal="right", vertical="center")
        if last > first:
            ws.merge_cells(start_row=BLOCK_ROW, start_column=first, end_row=BLOCK_ROW, end_column=last)
        v_first, v_last = take(14 if label.startswith("填报单位") else 10)
        cell = ws.cell(BLOCK_ROW, v_first, _block_value(label, values.get(label)))
        cell.font = CELL_FONT
        cell.alignment = Alignment(horizontal="left", vertical="center")
        cell.border = Border(bottom=THIN)
        cell.number_format = DATE_FORMAT if label == "填报日期" else TEXT_FORMAT
        for c in range(v_first + 1, v_last + 1):
            ws.cell(BLOCK_ROW, c).border = Border(bottom=THIN)
        if v_last > v_first:
            ws.merge_cells(start_row=BLOCK_ROW, start_column=v_first, end_row=BLOCK_ROW, end_column=v_last)
    ws.row_dimensions[BLOCK_ROW].height = 24


def _block_value(label: str, value):
    if label == "填报日期":
        return cell_value({"type": "date"}, value)
    if label == "报告月份":
        return cell_value({"type": "month"}, value)
    return value if value not in ("", None) else None


def _freeze_column(fields: list[dict]) -> int:
    """Keep the household's name in view while scrolling right (first name column, if early)."""
    for i, field in enumerate(fields[:6], start=1):
        if field.get("personal") == "name":
            return i + 1
    return 1


def _data_area(
    ws, fields: list[dict], rows: list[dict], first_row: int, nrows: int, when: dict | None = None
) -> None:
    """`nrows` ruled rows from `first_row`, the first ones holding `rows`: each column's format,
    drop-down and input message, borders, and the height of two handwritten lines."""
    last_row = first_row + nrows - 1
    when = when or {}
    for col, field in enumerate(fields, start=1):
        letter = get_column_letter(col)
        dv = validation_for(field, when.get(field["name"], ()))
        dv.add(f"{letter}{first_row}:{letter}{last_row}")
        ws.add_data_validation(dv)
        # Cell formats must exist before the clerk types: Excel decides on entry whether
        # 532932... becomes a (rounded) number.
        fmt = number_format(field)
        align = WRAP_LEFT if field["type"] in ("text", "codes") else WRAP_CENTER
        for r in range(first_row, last_row + 1):
            cell = ws.cell(r, col)
            if fmt:
                cell.number_format = fmt
            cell.font = CELL_FONT
            cell.border = BORDER
            cell.alignment = align
    widths = paper.layout(fields).widths_mm
    for r in range(first_row, last_row + 1):
        ws.row_dimensions[r].height = round(paper.ROW_PT, 1)
    line_mm = paper.BODY_PT * paper.PT_MM
    for offset, row in enumerate(rows):
        r = first_row + offset
        lines = 1
        for col, field in enumerate(fields, start=1):
            cell = ws.cell(r, col)
            cell.value = cell_value(field, row.get(field["name"]))
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, str):
                room = max(line_mm, widths[col - 1] - paper.PEN_MM)
                lines = max(lines, math.ceil(paper.cjk_width(cell.value) * line_mm / room))
        if lines > 2:
            # Excel and LibreOffice do not grow a row for wrapped text written by a program.
            ws.row_dimensions[r].height = max(round(paper.ROW_PT, 1), 13 * min(lines, 6) + 3)


def template_rows(fields: list[dict], filled: int) -> int:
    """Ruled rows of a form sheet: enough to fill the first page of the blank template, or the
    rows written and SPARE_ROWS blank ones."""
    return max(
        paper.layout(fields).blank_rows(header_line_count(fields)), filled + SPARE_ROWS if filled else 0
    )


def _form_sheet(wb: Workbook, form: dict, rows: list[dict], block: dict[str, object]) -> None:
    ws = wb.create_sheet(form["title"])
    fields = form["fields"]
    _title(ws, form_heading(form), fields)
    _header_block(ws, fields, block)
    _headers(ws, fields, HEADER_ROW)
    nrows = template_rows(fields, len(rows))
    _data_area(ws, fields, rows, FIRST_DATA_ROW, nrows, required_when(form["id"]))
    last = _signature_block(ws, fields, FIRST_DATA_ROW + nrows)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, _freeze_column(fields))
    _page_setup(ws, title_rows=f"{TITLE_ROW}:{HEADER_ROW}", fields=fields, last_row=last)


def _manifest_sheet(wb: Workbook, form: dict, rows: list[dict]) -> None:
    ws = wb.create_sheet(form["title"])
    fields = form["fields"]
    _title(ws, form_heading(form), fields)
    _headers(ws, fields, MANIFEST_HEADER_ROW)
    nrows = max(1, len(rows))
    _data_area(ws, fields, rows, MANIFEST_VALUE_ROW, nrows, required_when(form["id"]))
    last = _signature_block(ws, fields, MANIFEST_VALUE_ROW + nrows + 1)
    ws.freeze_panes = ws.cell(MANIFEST_VALUE_ROW, 1)
    _page_setup(ws, title_rows=f"{TITLE_ROW}:{MANIFEST_HEADER_ROW}", fields=fields, last_row=last)


def _lists_sheet(wb: Workbook, forms: list[dict]) -> None:
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    used: list[str] = []
    for form in forms:
        for field in form["fields"]:
            if field["type"] in ("code", "codes") and field["codelist"] not in used:
                used.append(field["codelist"])
    for col, list_id in enumerate(used, start=1):
        values = labels(list_id)
        ws.cell(1, col, list_id)
        for r, label in enumerate(values, start=2):
            ws.cell(r, col, label)
        letter = get_column_letter(col)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        wb.defined_names[list_name(list_id)] = DefinedName(list_name(list_id), attr_text=ref)


def _meta_sheet(wb: Workbook, template: str, form_ids: list[str]) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    meta = load_meta_rows(template, form_ids, __version__)
    for r, (key, value) in enumerate(meta, start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value).number_format = TEXT_FORMAT


def load_meta_rows(template: str, form_ids: list[str], fpjc_version: str) -> list[tuple[str, str]]:
    """The rows of the hidden `_fpjc` sheet (keys in column A, values in column B)."""
    return [
        ("standard", standard.load()["name"]),
        ("standard_version", standard.version()),
        ("template", template),
        ("forms", ",".join(form_ids)),
        ("fpjc_version", fpjc_version),
    ]


def sheet_rows(form: dict) -> tuple[int, int]:
    """(header row, first data row) of a form's sheet in the template."""
    if form["kind"] == "manifest":
        return MANIFEST_HEADER_ROW, MANIFEST_VALUE_ROW
    return HEADER_ROW, FIRST_DATA_ROW


def instruction_rows(forms: list[dict]) -> Iterable[tuple[str, list[str]]]:
    """(kind, cells) lines of the 填表说明 sheet: general notes, then every column of every form."""
    s = standard.load()
    sep = separator()
    yes, no = boolean_labels()
    yield "title", [f"填表说明（{s['title']} {s['version']} 版）"]
    rows = []
    for form in forms:
        head, first = sheet_rows(form)
        if form["kind"] == "manifest":
            rows.append(f"“{form['title']}”第{head}行是列标题，第{first}行填本月的报送信息（只填一行）")
        else:
            rows.append(
                f"“{form['title']}”第{BLOCK_ROW}行填表头信息，第{head}行是列标题，从第{first}行起每户填一行"
            )
    general = [
        f"本模板依据{s['notice']['number']}制作，列与标准 {s['version']} 版一致。请不要增删、改名或调换列，"
        "不要修改表名、表头信息的标签和列标题，也不要删除或显示隐藏的工作表。",
        "；".join(rows)
        + "；数据行中间不要留空行。"
        + "各表最后是签字盖章栏（填报人、审核人签字，填报单位盖章，日期），数据填在签字栏上方；"
        "预留的空行不够时，选中其中几行，右键“插入”，插入的行带有同样的格式和下拉列表。签字栏里写的姓名和日期不作为数据检查。"
        + (
            f"表头信息是：{'、'.join(HEADER_BLOCK_LABELS)}（报告月份写成 2020-07）。"
            if any(f["kind"] != "manifest" for f in forms)
            else ""
        ),
        f"日期写成 2020-07-15；月份写成 2020-07；是否类的列填“{yes}”或“{no}”。",
        f"可以填多项的列（如风险类型、帮扶措施、重点关注类型）：项与项之间用顿号“{sep}”分隔，如“因病{sep}因学”。"
        f"可以从单元格的下拉列表选一项；要填多项时，选好第一项后双击单元格（或按 F2），在末尾输入“{sep}”"
        "再写下一项，也可以直接输入整串。各列可选的名称见下表“怎么填”。",
        "身份证号、电话、户编号等列已设为“文本”格式，请直接输入，不要改成数字格式，否则 Excel 会吞掉后几位。",
        _printing_note(forms),
        f"每月数据在{deadline_text()}加盖公章报送；"
        f"当月没有新增对象时也要报送，在“报送信息”中把“零报告”填为“{yes}”。",
        f"报送前请先校验：用浏览器打开 {standard.checker_url()} （在线校验，文件不会上传），"
        "或在装有 fpjc 的电脑上运行 fpjc validate；按提示改正后再上报。红色列标题为必填列；"
        "“检查规则”一列的编号在网站的“校验规则”中有说明和例子。",
    ]
    for line in general:
        yield "note", [line]
    for form in forms:
        when = required_when(form["id"])
        checks = column_rules(form["id"])
        yield "blank", []
        yield (
            "section",
            [f"{form['title']}：{form['full_title']}（依据{s['notice']['number']}{form['clause']}）"],
        )
        yield "note", [" ".join(form["description"].split())]
        yield "header", ["列", "列标题", "是否必填", "怎么填", "说明", "检查规则"]
        for col, field in enumerate(form["fields"], start=1):
            yield (
                "field",
                [
                    get_column_letter(col),
                    field["title"],
                    requirement(field, when.get(field["name"], ())),
                    how_to_fill(field),
                    field.get("description") or "",
                    "、".join(r.id for r in checks.get(field["name"], ())),
                ],
            )


def _printing_note(forms: list[dict]) -> str:
    """Which paper each form prints on (`paper.layout`), as set in the workbook."""
    by_paper: dict[str, list[str]] = {}
    for form in forms:
        by_paper.setdefault(paper.layout(form["fields"]).paper, []).append(f"“{form['title']}”")
    papers = "，".join(f"{'、'.join(titles)}用 {name} 纸" for name, titles in by_paper.items())
    return (
        f"打印：各表已设好纸张和页面，直接打印即可（{papers}，均为横向，一张纸的宽度放下全部列；"
        "行多时续页，每页重复表头）。签字盖章栏印在最后一页。"
    )


def _instructions_sheet(wb: Workbook, forms: list[dict]) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET, 0)
    widths = (5, 18, 14, 46, 46, 20)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ncols = len(widths)
    r = 0
    for kind, cells in instruction_rows(forms):
        r += 1
        if kind == "title":
            ws.cell(r, 1, cells[0]).font = Font(name="黑体", size=14, bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
            ws.row_dimensions[r].height = 28
        elif kind in ("note", "section"):
            cell = ws.cell(r, 1, cells[0])
            cell.font = Font(name=FONT, size=11, bold=kind == "section")
            cell.alignment = WRAP_LEFT
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
            # Merged cells do not grow with wrapped text, so size the row by hand.
            lines = max(1, -(-text_width(cells[0]) // int(sum(widths) * 0.95)))
            ws.row_dimensions[r].height = 16 * lines + 4
        elif kind in ("header", "field"):
            for col, text in enumerate(cells, start=1):
                cell = ws.cell(r, col, text)
                cell.border = BORDER
                cell.alignment = WRAP_CENTER if col in (1, 3) or kind == "header" else WRAP_LEFT
                cell.font = OPTIONAL_FONT if kind == "header" else CELL_FONT
                if kind == "header":
                    cell.fill = HEADER_FILL
            if kind == "field":
                lines = max(
                    1,
                    *(-(-text_width(t) // int(w - 1)) for t, w in zip(cells, widths, strict=True)),
                )
                ws.row_dimensions[r].height = 14 * lines + 4
    _page_setup(ws, title_rows=None)


# ---------------------------------------------------------------------------
# Public entry points


def _normalise_block(header_block: dict | None, manifest_rows: list[dict]) -> dict[str, object]:
    block: dict[str, object] = {}
    if manifest_rows:
        first = manifest_rows[0]
        for label, field_name in HEADER_BLOCK:
            if first.get(field_name) not in (None, ""):
                block[label] = first[field_name]
    for key, value in (header_block or {}).items():
        # Accept "填报单位" as well as "填报单位（盖章）".
        label = next((lbl for lbl in HEADER_BLOCK_LABELS if lbl == key or lbl.startswith(key)), key)
        block[label] = value
    return block


def workbook_forms(forms: list[str] | None, data: dict | None) -> list[str]:
    """Form ids a workbook will hold, in the standard's order."""
    order = [f["id"] for f in standard.forms()]
    wanted = set(forms) if forms else set(WORKBOOK_FORMS) | set(data or {})
    unknown = wanted - set(order)
    if unknown:
        raise KeyError(f"unknown form id(s): {', '.join(sorted(unknown))}")
    return [fid for fid in order if fid in wanted]


def _workbook() -> Workbook:
    """An empty workbook whose default font is the one column widths are measured in
    (`paper.EXCEL_UNIT_FONT`); every cell written names its own font."""
    wb = Workbook()
    wb.remove(wb.active)
    name, size = paper.EXCEL_UNIT_FONT
    normal = Font(name=name, sz=size, family=2, scheme="minor")
    wb._fonts = IndexedList([normal])
    wb._named_styles["Normal"].font = copy(normal)
    return wb


def build_workbook(
    data: dict[str, list[dict]] | None = None,
    *,
    forms: list[str] | None = None,
    header_block: dict | None = None,
) -> Workbook:
    """The template workbook in memory (see `write_workbook`)."""
    data = data or {}
    form_ids = workbook_forms(forms, data)
    form_defs = [standard.form(fid) for fid in form_ids]
    template = "workbook" if set(form_ids) >= set(WORKBOOK_FORMS) or len(form_ids) != 1 else form_ids[0]
    block = _normalise_block(header_block, data.get("manifest") or [])

    wb = _workbook()
    _instructions_sheet(wb, form_defs)
    for form in form_defs:
        rows = list(data.get(form["id"]) or [])
        if form["kind"] == "manifest":
            _manifest_sheet(wb, form, rows)
        else:
            _form_sheet(wb, form, rows, block)
    _lists_sheet(wb, form_defs)
    _meta_sheet(wb, template, form_ids)
    wb.active = 1 if len(wb.sheetnames) > 1 else 0
    s = standard.load()
    wb.properties.title = f"{s['title']} 填报模板 {s['version']}"
    wb.properties.creator = "fpjc"
    wb.properties.language = "zh-CN"
    return wb


def write_workbook(
    path: str | Path,
    data: dict[str, list[dict]] | None = None,
    *,
    forms: list[str] | None = None,
    header_block: dict | None = None,
) -> Path:
    """Write the official-looking workbook, blank or filled with `data`.

    `data` maps form id → rows (dicts of field name → value as a clerk types it: strings for
    IDs, ISO dates or `date`s, lists or "、"-joined strings for list cells). `forms` picks the
    sheets (default: 报送信息 and 附件1–3, plus any other form present in `data`; one id gives
    the single-form workbook). `header_block` maps 填报单位/报告月份/填报人/审核人/填报日期 to
    values; by default they are copied from the manifest row, as a clerk would.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(data, forms=forms, header_block=header_block).save(path)
    return path


def workbook_file_name() -> str:
    """`fpjc-模板-1.0.0.xlsx`: the version in the name tells clerks which template they hold."""
    return f"fpjc-模板-{standard.version()}.xlsx"


def write_workbooks(out_dir: str | Path, forms: list[str] | None = None) -> list[Path]:
    """The submission workbook (when `forms` is None) and one workbook per form in `out_dir`/xlsx."""
    out_dir = Path(out_dir)
    written = [] if forms else [write_workbook(out_dir / workbook_file_name())]
    for fid in forms or [f["id"] for f in standard.forms()]:
        if standard.form(fid)["kind"] == "county":
            continue  # the county's workbooks have layouts of their own (outputs.county)
        written.append(write_workbook(out_dir / "xlsx" / f"{standard.form(fid)['title']}.xlsx", forms=[fid]))
    return written
