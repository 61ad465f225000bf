"""Paper: how every form is laid out when printed, the one place column widths are decided.

Both printed forms use this module: the Excel templates (`workbook`, widths converted to Excel's
column units) and the printable HTML forms (`printable`), so a column is as wide on paper
whichever way it is printed, and wide enough to be filled in and read by hand.

- Paper: A4 landscape (every township office prints A4), 10 mm side margins.
- Minimum width per field type (`MIN_MM`): an ID number takes 18 handwritten digits of 2.5 mm,
  a date “2020-07-15”, a name three or four characters, and so on.
- A header wraps only between the words of its title (`title_words`, cut when the standard is
  compiled) and takes at most `HEADER_LINES` lines at `HEADER_PT`; a column is widened until its
  title fits, so a header never ends with a lone “）”.
- A form wider than the page is split into several pages. Every page repeats the columns from
  the first up to the household head's name (序号 … 户主姓名), so each printed row can be matched
  across the pages; the other columns are shared out evenly and each page is filled to its width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from validator.values.wording import labels

# A4 landscape, in millimetres.
PAGE_MM = (297.0, 210.0)
SIDE_MARGIN_MM = 10.0
TOP_MARGIN_MM = 12.0
BOTTOM_MARGIN_MM = 24.0  # room for the signature line in the footer
PRINTABLE_MM = PAGE_MM[0] - 2 * SIDE_MARGIN_MM
# Columns are planned to fill this share of the width: Excel, WPS and LibreOffice round widths
# and fonts a little differently, and a column that overflows would start a page of its own.
FILL = 0.95

HEADER_PT = 10.0  # column headers, bold
BODY_PT = 10.0  # cells and notes
HEADER_LINES = 3
CELL_PADDING_MM = 3.5  # borders, padding and the red * of a required column
PT_MM = 25.4 / 72
# Handwriting needs more room than print: a character about 4.5 mm, a digit about 2.3 mm
# (an ID number's 18 digits get 2.5 mm each, the 18 boxes of a printed ID field).
HAND_CJK_MM = 4.5
HAND_DIGIT_MM = 2.3

# The narrowest column a value of each type can be written in by hand.
MIN_MM = {
    "id_number": 18 * 2.5 + 1,  # 18 digits: 46 mm
    "date": 10 * HAND_DIGIT_MM,  # 2020-07-15
    "month": 7 * HAND_DIGIT_MM + 2,  # 2020-07
    "money": 8 * HAND_DIGIT_MM,  # 12345.67
    "phone": 11 * HAND_DIGIT_MM,  # 13812345678
    "boolean": 10.0,  # 是 / 否
    "codes": 4 * HAND_CJK_MM + 2,  # one item of up to four characters a line
}
TEXT_MM = {"short": 16.0, "medium": 20.0, "long": 26.0}
CODE_MM = (14.0, 24.0)  # a single choice: narrowest, widest (long labels wrap)


def cjk_width(text: str) -> float:
    """Width in CJK characters: a CJK character counts one, a Latin letter or digit a half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in str(text))


def header_mm(text: str) -> float:
    """Printed width of a header line at HEADER_PT, bold."""
    return cjk_width(text) * HEADER_PT * PT_MM * 1.02


def _type_mm(field: dict) -> float:
    t = field["type"]
    if t in MIN_MM:
        return MIN_MM[t]
    if t == "integer":
        digits = len(str(field["maximum"])) if field.get("maximum") is not None else 3
        return 6 + digits * HAND_DIGIT_MM
    if t == "code":
        longest = max(cjk_width(x) for x in labels(field["codelist"]))
        return min(CODE_MM[1], max(CODE_MM[0], longest * HAND_CJK_MM * 0.8 + 2))
    if field.get("pattern") and "0-9" in field["pattern"]:  # digit strings such as 户编号
        return min(TEXT_MM["long"], (field.get("max_length") or 20) * HAND_DIGIT_MM)
    max_length = field.get("max_length") or 200
    return TEXT_MM["short" if max_length <= 20 else "medium" if max_length <= 50 else "long"]


def header_lines(field: dict, width_mm: float) -> list[str]:
    """The title on as few lines as fit `width_mm`, broken only between its words."""
    room = width_mm - CELL_PADDING_MM
    words = field.get("title_words") or [field["title"]]
    lines = [""]
    for word in words:
        if lines[-1] and header_mm(lines[-1] + word) > room:
            lines.append(word)
        else:
            lines[-1] += word
    if len(lines) > 1:
        # Even out the lines: the fewest lines, then the narrowest widest line.
        best = lines
        for candidate in _splits(words, len(lines)):
            if max(header_mm(x) for x in candidate) < max(header_mm(x) for x in best):
                best = candidate
        lines = best
    return lines


def _splits(words: list[str], n: int):
    """Every way of cutting `words` into `n` non-empty lines, in order."""
    if n == 1:
        yield ["".join(words)]
        return
    for i in range(1, len(words) - n + 2):
        for rest in _splits(words[i:], n - 1):
            yield ["".join(words[:i]), *rest]


def min_width_mm(field: dict) -> float:
    """The narrowest column for a field: its type's minimum, widened until the title fits on
    HEADER_LINES lines without cutting a word."""
    words = field.get("title_words") or [field["title"]]
    width = max(_type_mm(field), max(header_mm(w) for w in words) + CELL_PADDING_MM)
    while len(header_lines(field, width)) > HEADER_LINES:
        width += 1.0
    return round(width, 1)


@dataclass(frozen=True)
class Layout:
    """How a form prints: the width of each column (mm) and the columns on each page."""

    widths_mm: list[float]
    repeated: list[int]  # column indexes printed on every page
    pages: list[list[int]]  # column indexes of each page, repeated columns included

    def header(self, fields: list[dict], index: int) -> list[str]:
        return header_lines(fields[index], self.widths_mm[index])


def repeated_columns(fields: list[dict]) -> list[int]:
    """序号 … 户主姓名: the columns from the first to the first name column (among the first six)."""
    for i, field in enumerate(fields[:6]):
        if field.get("personal") == "name":
            return list(range(i + 1))
    return [0]


def layout(fields: list[dict], *, printable_mm: float = PRINTABLE_MM * FILL) -> Layout:
    """Columns and pages of a form on A4 landscape (see the module docstring)."""
    mins = [min_width_mm(f) for f in fields]
    if sum(mins) <= printable_mm:
        scale = printable_mm / sum(mins)
        return Layout([round(w * scale, 1) for w in mins], [], [list(range(len(fields)))])
    repeated = repeated_columns(fields)
    rest = [i for i in range(len(fields)) if i not in repeated]
    room = printable_mm - sum(mins[i] for i in repeated)
    parts = _balanced(rest, mins, room)
    widths = list(mins)
    for part in parts:
        scale = room / sum(mins[i] for i in part)
        for i in part:
            widths[i] = round(mins[i] * scale, 1)
    return Layout(widths, repeated, [repeated + part for part in parts])


def _balanced(columns: list[int], widths: list[float], room: float) -> list[list[int]]:
    """The columns cut, in order, into the fewest pages that fit `room`, evening out the pages."""
    if any(widths[i] > room for i in columns):
        raise ValueError("a column is wider than the page")
    n = math.ceil(sum(widths[i] for i in columns) / room)
    while True:
        best = None
        for cut in _cuts(len(columns), n):
            parts = [columns[a:b] for a, b in zip((0, *cut), (*cut, len(columns)), strict=True)]
            sizes = [sum(widths[i] for i in p) for p in parts]
            if max(sizes) <= room and (best is None or max(sizes) < best[0]):
                best = (max(sizes), parts)
        if best:
            return best[1]
        n += 1


def _cuts(length: int, n: int):
    """Positions cutting range(length) into n non-empty runs."""
    if n == 1:
        yield ()
        return
    for first in range(1, length - n + 2):
        for rest in _cuts(length - first, n - 1):
            yield (first, *(first + r for r in rest))


# Excel measures a column in characters of the workbook's default font (Calibri 11: 7 pixels
# a character plus 5 pixels of padding, at 96 pixels an inch).
def excel_width(mm: float) -> float:
    return round((mm / 25.4 * 96 - 5) / 7, 2)


SIGNATURES = ("填报人（签字）", "审核人（签字）")
STAMP = "填报单位（盖章）"


def footer_signature() -> str:
    """The signature line printed at the foot of every page of a form sheet (Excel's footer)."""
    return "　".join(f"{label}：＿＿＿＿＿" for label in SIGNATURES)
