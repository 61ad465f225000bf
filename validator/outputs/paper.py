"""Paper: how every form is laid out when printed, the one place column widths are decided.

Both printed forms use this module: the Excel templates (`workbook`, widths converted to Excel's
column units) and the printable HTML forms (`printable`), so a column is as wide on paper
whichever way it is printed, and wide enough to be filled in and read by hand.

- Paper, decided per form from its columns' minimum widths: A4 landscape when the form fits
  (every township office prints A4), else A3 landscape with every column on one sheet of paper
  (the annexes: a row of 附件1 is read across one sheet, not matched over three); only a form too
  wide even for A3 is split over several A3 pages, each repeating 序号 … 户主姓名 so that a
  printed row can be matched across them.
- A row is two handwritten lines tall (`ROW_MM`), so a text column only needs room for a few
  characters a line (`HAND_CJK_MM` each) and wraps the rest; numbers are written on one line:
  an ID number in 18 boxes of 2.5 mm (`ID_BOX_MM`), a date “2020-07-15”, a phone number, an
  amount “12345.67” (`HAND_DIGIT_MM` a digit). `min_width_mm` is the narrowest column a field
  can be filled in by hand.
- Headers print at `HEADER_PT` bold and wrap only between the words of their title
  (`title_words`, cut when the standard is compiled), on at most `HEADER_LINES` lines; a column
  is widened until its title fits, so a header never ends with a lone “）”. Cells print at
  `BODY_PT`.
- Columns are planned to fill `FILL` of the printable width and the rest is shared out in
  proportion, so Excel's, WPS's and LibreOffice's rounding cannot push a column onto a sheet
  of its own (the Excel sheets also fit one page width, so an overflow shrinks the print a little).
- Every form ends with the signature and stamp rows (`SIGNATURES`, `STAMP`, `DATE_LABEL`), on
  the printed form and in the Excel template's print area alike; the reader knows them
  (`validator.reading.signatures`) and ends the table's data where they start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from validator.reading.signatures import DATE_LABEL, SIGNATURES, STAMP
from validator.values.wording import labels

__all__ = ["DATE_LABEL", "SIGNATURES", "STAMP"]

# Landscape sheets, width × height in millimetres, smallest first.
PAPERS = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
SIDE_MARGIN_MM = 8.0
TOP_MARGIN_MM = 10.0
BOTTOM_MARGIN_MM = 14.0  # room for the page number in the footer
# Columns are planned to fill this share of the printable width. LibreOffice prints the planned
# widths to within 0.3 % (measured in tests/test_paper.py); Excel and WPS round each column to
# whole pixels and may measure the default font a little differently, a few per cent at most.
FILL = 0.96

HEADER_PT = 9.0  # column headers, bold: 9 pt lets 附件1's long titles wrap into narrow columns
BODY_PT = 10.0  # cells and notes: a typed value stays as legible as the handwritten ones
HEADER_LINES = 5  # 上年度/家庭人均/可支配/收入/（元） over an amount's column
# A form goes on A4 only with this much room to spare over its minimum widths; a form that would
# fill A4 at its narrowest goes on A3, where its columns get room to write in.
A4_SPARE = 1.1
# Borders and the cell's inner margin around a header line (the printed form's red * sits in
# the cell's corner, out of the line).
CELL_PADDING_MM = 2.5
PT_MM = 25.4 / 72
# Handwriting in a ruled cell: a character about 3.5 mm wide, a digit 1.8 mm, and 0.75 mm
# clear of the rule on either side; an ID number's 18 digits go in boxes of 2.5 mm.
HAND_CJK_MM = 3.5
HAND_DIGIT_MM = 1.8
PEN_MM = 1.5
ID_BOX_MM = 2.5
ROW_MM = 12.0  # a data row: two handwritten lines of 6 mm
ROW_PT = ROW_MM / PT_MM


def _chars(n: int) -> float:
    return round(n * HAND_CJK_MM + PEN_MM, 1)


def _digits(n: int) -> float:
    return round(n * HAND_DIGIT_MM + PEN_MM, 1)


# The narrowest column a value of each type can be written in by hand.
MIN_MM = {
    "id_number": 18 * ID_BOX_MM + 1,  # 18 boxes: 46 mm
    "date": _digits(10),  # 2020-07-15, on one line
    "month": _digits(7),  # 2020-07
    "money": _digits(8),  # 12345.67
    "phone": _digits(11),  # 13812345678
    "boolean": _chars(1),  # 是 / 否
    "codes": _chars(3),  # items of a list, three characters a line, over two lines
}
# Free text over the two lines of a row: a name (up to 20 characters) three characters a line,
# a place name (up to 50) three a line, a longer note four a line (the clerk writes it short).
TEXT_MM = {"short": _chars(3), "medium": _chars(3), "long": _chars(4)}
DIGITS_A_LINE = 8  # a long digit string (户编号) over the two lines
CODE_CHARS = (2, 4)  # a single choice: its longest label over two lines, this many characters a line


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
        return _digits(len(str(field["maximum"])) if field.get("maximum") is not None else 3)
    if t == "code":
        longest = max(cjk_width(x) for x in labels(field["codelist"]))
        return _chars(min(CODE_CHARS[1], max(CODE_CHARS[0], math.ceil(longest / 2))))
    if field.get("pattern") and "0-9" in field["pattern"]:  # digit strings such as 户编号
        return _digits(min(DIGITS_A_LINE, field.get("max_length") or DIGITS_A_LINE))
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
        width += 0.5
    return round(width, 1)


def printable_mm(paper: str) -> float:
    """The width between the side margins of a landscape sheet."""
    return PAPERS[paper][0] - 2 * SIDE_MARGIN_MM


@dataclass(frozen=True)
class Layout:
    """How a form prints: its paper, the width of each column (mm) and the columns on each page."""

    paper: str  # "A4" or "A3", always landscape
    widths_mm: list[float]
    repeated: list[int]  # column indexes printed on every page (a split form only)
    pages: list[list[int]]  # column indexes of each page, repeated columns included

    def header(self, fields: list[dict], index: int) -> list[str]:
        return header_lines(fields[index], self.widths_mm[index])

    @property
    def page_mm(self) -> tuple[float, float]:
        return PAPERS[self.paper]

    def blank_rows(self, header_lines: int = HEADER_LINES) -> int:
        """Ruled rows that fill the first page under the title, the header block and the headers
        and above the signature rows (the blank template and the printed form)."""
        header = header_lines * HEADER_PT * 1.3 * PT_MM + 3
        room = self.page_mm[1] - TOP_MARGIN_MM - BOTTOM_MARGIN_MM - TITLE_MM - header - SIGNATURE_MM
        return max(1, int(room // ROW_MM))


TITLE_MM = 24.0  # the form's title and the header block (填报单位 … 填报日期)
SIGNATURE_MM = 30.0  # the signature, stamp and date rows


def repeated_columns(fields: list[dict]) -> list[int]:
    """序号 … 户主姓名: the columns from the first to the first name column (among the first six)."""
    for i, field in enumerate(fields[:6]):
        if field.get("personal") == "name":
            return list(range(i + 1))
    return [0]


def layout(fields: list[dict]) -> Layout:
    """Paper, columns and pages of a form (see the module docstring)."""
    mins = [min_width_mm(f) for f in fields]
    for paper in PAPERS:
        room = printable_mm(paper) * FILL
        if sum(mins) * (A4_SPARE if paper == "A4" else 1.0) <= room:
            scale = room / sum(mins)
            return Layout(paper, [round(w * scale, 1) for w in mins], [], [list(range(len(fields)))])
    room = printable_mm(paper) * FILL
    repeated = repeated_columns(fields)
    rest = [i for i in range(len(fields)) if i not in repeated]
    parts = _balanced(rest, mins, room - sum(mins[i] for i in repeated))
    widths = list(mins)
    for part in parts:
        scale = (room - sum(mins[i] for i in repeated)) / sum(mins[i] for i in part)
        for i in part:
            widths[i] = round(mins[i] * scale, 1)
    return Layout(paper, widths, repeated, [repeated + part for part in parts])


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


# Excel measures a column in widths of a digit of the workbook's default font, a width in the
# file already including the cell's padding: Excel and WPS take the digit as a whole number of
# pixels at 96 an inch, LibreOffice at its exact width. The templates' default font is Calibri
# 12 (cells name their own font), whose digit is 8.1 pixels: the programs agree to within 1.4 %
# (at Calibri 11, 7 against 7.4 pixels, LibreOffice printed every column 6 % wider than Excel).
EXCEL_UNIT_FONT = ("Calibri", 12)
EXCEL_DIGIT_PX = 8


def excel_width(mm: float) -> float:
    return round(mm / 25.4 * 96 / EXCEL_DIGIT_PX, 2)
