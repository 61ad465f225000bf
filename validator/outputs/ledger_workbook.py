"""The household ledger's answers as an Excel workbook (`fpjc ledger … --format xlsx`).

One sheet per table of the answer (`render.ledger_formats.Answer`): a title row, the summary
sentences on a sheet 说明, column headers frozen, every value written as text except whole
numbers (an ID number must never turn into 5.329E+17), columns sized to their contents. The same
tables as the text, HTML and CSV outputs.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from validator.outputs.workbook import BORDER, HEADER_FILL, TEXT_FORMAT, text_width
from validator.render import visible
from validator.render.ledger_formats import Answer

PRIVATE_NOTE = "含户主姓名、身份证号时只在县扶贫办内部使用，请勿外传；默认已打码。"


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "表"
    base, n = name, 2
    while name in used:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def answer_workbook(a: Answer) -> bytes:
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append([a.title])
    notes["A1"].font = Font(bold=True, size=14)
    for line in [*a.lines, "", PRIVATE_NOTE]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    used = {"说明"}
    for t in a.tables:
        ws = wb.create_sheet(_sheet_name(t.title, used))
        ws.append([t.title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append(list(t.head))
        for col, _ in enumerate(t.head, start=1):
            cell = ws.cell(row=2, column=col)
            cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if not t.rows:
            ws.append([t.empty])
        for row in t.rows:
            ws.append([_value(v) for v in row])
            for col, v in enumerate(row, start=1):
                cell = ws.cell(row=ws.max_row, column=col)
                cell.border = BORDER
                if not isinstance(v, int) or isinstance(v, bool):
                    cell.number_format = TEXT_FORMAT
        for col, head in enumerate(t.head, start=1):
            widest = max([text_width(head), *(text_width(str(_value(r[col - 1]))) for r in t.rows[:500])])
            ws.column_dimensions[get_column_letter(col)].width = min(max(8, widest + 2), 48)
        ws.freeze_panes = "A3"
        if t.rows:
            ws.auto_filter.ref = f"A2:{get_column_letter(len(t.head))}{ws.max_row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return v
    return visible(str(v))
