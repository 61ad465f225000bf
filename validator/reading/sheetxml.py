"""A worksheet's XML, scanned before python-calamine may load the sheet: its extent and its error cells.

python-calamine builds a sheet as one dense grid from its first to its last used cell, in
memory, before it returns anything; a failed allocation in Rust ends the whole process
(SIGABRT on the command line, a fatal trap in the browser) with no exception to catch. One
value in A1 and one in XFD1048576 ask for 17 billion cells. The `<dimension>` element can
lie, so the bound is taken from the cells themselves, streamed from the zip member in 1 MB
pieces, before calamine sees the sheet.

Where calamine puts a cell: at its own `r="B7"` when the `<c>` tag has one (the enclosing
`<row r>` does not matter then), else at calamine's running counters (the row from the last
`<row r>` plus the rows ended since, the column after the previous cell). The scan yields an
upper bound of the cells calamine keeps (never less), in two ways:

- the fast path, for the plain layout that Excel, WPS, LibreOffice, openpyxl and xlsxwriter
  write: every cell tag is `<c r="A1" s=".." t="..">` with nothing else in it, checked with a
  few C-speed searches per piece; the bound is a number of digits (rows ≤ 999,999 when no row
  number has 7 digits) and the highest column letters seen;
- the exact walk, for anything else (cells without `r`, namespace prefixes, comments, odd
  spacing): every tag in order, with calamine's counters and calamine's reading of a cell's
  contents (which elements it skips, where it ends). A construct that calamine would refuse
  or that this walk cannot follow refuses the sheet.

The same pass finds error cells (`t="e"`): calamine returns them as empty strings, while the
reader reports them as the text Excel shows (#N/A, #DIV/0! …). Merged ranges come from
calamine itself (`merged_ranges` here is the same information, for callers without it).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from validator.reading.common import ZIP_DAMAGE, Limits

CHUNK = 1024 * 1024
MAX_TOKEN = 8 * 1024 * 1024  # no real tag, comment or cell is this long


class SheetProblem(Exception):
    """The sheet must not be given to calamine; `reason` is Chinese, `limit` the `Limits` field hit."""

    def __init__(self, reason: str, *, limit: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


@dataclass
class SheetScan:
    """What the scan found: bounds (1-based, 0 when the sheet holds no value) and error cells."""

    max_row: int = 0
    max_col: int = 0
    exact: bool = False  # bounds are calamine's own positions, not a digit-count bound
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 1-based → '#N/A'

    @property
    def cells(self) -> int:
        """Upper bound of the dense grid calamine allocates (from A1, which is never less)."""
        return self.max_row * self.max_col


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def _grid_problem(row: int, col: int, limits: Limits) -> SheetProblem:
    if row > limits.max_rows:
        what = f"第{row:,}行"
        limit = "max_rows"
    else:
        what = f"第{col:,}列"
        limit = "max_columns"
    return SheetProblem(
        f"单元格位置超出 Excel 的范围（{what}；Excel 最多{limits.max_rows:,}行、{limits.max_columns:,}列），"
        "文件已损坏或被改动过",
        limit=limit,
    )


def scan_sheet(open_member: Callable[[], BinaryIO], limits: Limits, *, precise: bool = False) -> SheetScan:
    """Bounds and error cells of one worksheet part; SheetProblem when calamine must not load it.

    `open_member()` opens the part's XML afresh (the exact walk starts again from the top).
    With `precise`, plain pieces are bounded by their real highest row instead of a digit count
    (slower; for when the digit bound alone would exceed `limits.max_workbook_cells`).
    """
    try:
        with open_member() as f:
            return _Fast(limits, precise).run(f)
    except _Irregular:
        pass
    with open_member() as f:
        return _Exact(limits).run(f)


class _Irregular(Exception):
    """Not the plain layout: walk the sheet exactly."""


# --- fast path -------------------------------------------------------------------------------

# A plain cell tag: r first, one to three upper-case letters and a row number without leading
# zero, then only these attributes, each in double quotes with one space before it, and at most
# one space before the end (openpyxl writes `<c r="E2" s="14" t="n" />`). t="e" is left out on
# purpose: error cells are read one by one.
_PLAIN_ATTRS = rb'(?: (?:s|cm|vm|ph)="[^"<>]*+"| t="(?!e")[^"<>]*+")*+ ?/?>'  # possessive: no backtracking
_TAG = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"((?: (?:s|t|cm|vm|ph)="[^"<>]*")*) ?(/?)>')
_ERROR_VALUE = re.compile(rb"<v>([^<]{1,255})</v>")
# the first cell tag not in the plain form with one letter and at most k digits
_NOT_PLAIN = {
    k: re.compile(rb'<c r="(?![A-Z][1-9][0-9]{0,%d}+"%s)' % (k - 1, _PLAIN_ATTRS)) for k in range(1, 8)
}
# `<c` that is neither `<c r="` nor the start of a longer name (`<col`, `<cfRule` …)
_ODD_C = re.compile(rb'<c(?! r="|[A-Za-z0-9_.:\-])')
_PREFIXED_C = re.compile(rb"<[^\s<>/!?=\"']*:c[\s/>]")
_ROW_7_DIGITS = re.compile(rb'<row r="[0-9]{7}')
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
_REF_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')


class _Fast:
    def __init__(self, limits: Limits, precise: bool):
        self.limits = limits
        self.precise = precise
        self.scan = SheetScan(exact=precise)
        self.digits = 1  # row numbers seen so far have at most this many digits

    def run(self, f: BinaryIO) -> SheetScan:
        tail = b""
        first = True
        while True:
            chunk = f.read(CHUNK)
            buf = tail + chunk if tail else chunk
            if not buf:
                break
            if first:
                first = False
                if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in buf[:4096]:
                    # calamine reads such a sheet as empty: say so rather than report an empty table
                    raise SheetProblem("工作表的 XML 不是 UTF-8 编码，无法读取")
            if chunk:
                # pieces end after a row, else before a tag: no tag (and rarely a cell) is cut in two
                cut = buf.rfind(b"</row>")
                cut = cut + 6 if cut >= 0 else buf.rfind(b"<")
                if cut <= 0:
                    if len(buf) < MAX_TOKEN:
                        tail = buf
                        continue
                    raise _Irregular  # 8 MB without a tag: let the exact walk judge
                buf, tail = buf[:cut], buf[cut:]
            else:
                # the part's end: a tag cut off there is no cell (calamine fails on it, unallocated)
                buf, tail = buf[: buf.rfind(b">") + 1], b""
            self._piece(buf)
        return self.scan

    def _piece(self, b: bytes) -> None:
        limits = self.limits
        if _ODD_C.search(b):
            raise _Irregular  # a cell tag without r, or with r not first
        if b":c" in b and _PREFIXED_C.search(b):
            raise _Irregular
        if _ROW_7_DIGITS.search(b):
            for m in _ROW_NUMBER.finditer(b):
                if int(m.group(1)) > limits.max_rows:
                    raise _grid_problem(int(m.group(1)), 1, limits)
        pos = b.find(b'<c r="')
        if pos < 0:
            return
        s = self.scan
        widest = 0
        while True:
            m = _NOT_PLAIN[self.digits].search(b, pos)
            if m is None:
                break
            t = _TAG.match(b, m.start())
            if t is None:
                raise _Irregular  # odd spacing, another attribute, a second r …
            letters, digits, attrs, empty = t.groups()
            if len(digits) > self.digits:
                self.digits = len(digits)
                continue  # search again from this tag with the wider pattern
            if len(letters) > 1:
                col = col_number(letters)
                if col > limits.max_columns:
                    raise _grid_problem(1, col, limits)
                if not empty:
                    widest = max(widest, col)
            if not empty and b't="e"' in attrs:
                self._error(b, t)
            pos = t.end()
        if self.precise or self.digits == 7:
            self._extract(b)  # real rows (the grid ends within seven digits)
        else:
            s.max_row = max(s.max_row, 10**self.digits - 1)
            s.max_col = max(s.max_col, widest or 26)

    def _extract(self, b: bytes) -> None:
        """Exact bounds of a piece whose cell tags are all plain."""
        tags = _TAG.findall(b)
        if len(tags) != b.count(b'<c r="'):
            raise _Irregular
        s = self.scan
        rows = {t[1] for t in tags}
        top = max(int(r) for r in rows)
        if top > self.limits.max_rows:
            raise _grid_problem(top, 1, self.limits)
        full = [t for t in tags if not t[3]]  # calamine keeps no empty cell
        if full:
            s.max_row = max(s.max_row, max(int(r) for r in {t[1] for t in full}))
            s.max_col = max(s.max_col, max(col_number(c) for c in {t[0] for t in full}))

    def _error(self, b: bytes, t: re.Match) -> None:
        end = b.find(b"</c>", t.end())
        if end < 0:
            raise _Irregular
        v = _ERROR_VALUE.search(b, t.end(), end)
        if v:
            row, col = int(t.group(2)), col_number(t.group(1))
            self.scan.errors[(row, col)] = v.group(1).decode("utf-8", "replace")


# --- exact walk ------------------------------------------------------------------------------

# A start tag as quick-xml delimits it: '<', then anything up to a '>' outside quotes.
_START = re.compile(rb"""<((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_WS = b" \t\r\n\x0c"  # Rust's is_ascii_whitespace (calamine's attribute parser)
_NAME_END = re.compile(rb"[ \t\r\n]")  # quick-xml ends a tag name at these


def _local(name: bytes) -> bytes:
    """quick-xml's local name: everything after the first colon."""
    i = name.find(b":")
    return name if i < 0 else name[i + 1 :]


def _attrs(raw: bytes) -> list[tuple[bytes, bytes]]:
    """calamine's RawAttrIter: (key, value) pairs; SheetProblem where calamine reports an error."""
    out = []
    pos, n = 0, len(raw)
    while True:
        while pos < n and raw[pos] in _WS:
            pos += 1
        if pos >= n:
            return out
        eq = raw.find(b"=", pos)
        if eq < 0:
            raise SheetProblem("工作表的 XML 中有格式错误的属性（缺少等号）")
        key = raw[pos:eq].rstrip(_WS)
        pos = eq + 1
        while pos < n and raw[pos] in _WS:
            pos += 1
        if pos >= n or raw[pos] not in b"\"'":
            raise SheetProblem("工作表的 XML 中有格式错误的属性（值没有引号）")
        quote = raw[pos : pos + 1]
        end = raw.find(quote, pos + 1)
        end = n if end < 0 else end
        out.append((key, raw[pos + 1 : end]))
        pos = end + 1


_REF = re.compile(rb"([A-Za-z]*)([0-9]*)")


def _ref(value: bytes, *, need_col: bool, limits: Limits) -> tuple[int, int]:
    """calamine's get_row_and_optional_column, 1-based (column 0: none); grid checked."""
    m = _REF.fullmatch(value)
    if not m or not m.group(2) or (need_col and not m.group(1)):
        raise SheetProblem("工作表的 XML 中有无法识别的单元格位置")
    letters, digits = m.groups()
    if len(digits) > 9 or len(letters) > 4:
        # calamine would wrap the number around 2^32; no real sheet has such a position
        raise _grid_problem(limits.max_rows + 1 if len(digits) > 9 else 1, limits.max_columns + 1, limits)
    row = int(digits)
    col = col_number(letters) if letters else 0
    if row == 0:
        raise SheetProblem("工作表的 XML 中有第0行")
    if row > limits.max_rows or col > limits.max_columns:
        raise _grid_problem(row, col, limits)
    return row, col


class _Exact:
    """calamine's XlsxCellReader, tag by tag: where each cell lands and which cells hold something.

    States: "head" (before <sheetData>), "rows" (between cells), "cell" (inside <c>), then
    inside a cell's value element as calamine reads it: "is" (inline string), "t" (its text),
    "v1" (the one event calamine reads after <v>), "to_end" (skipped to the matching end tag,
    same-name nesting counted), "until" (skipped to the first end tag of that name); "done"
    after </sheetData>, where calamine stops.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self.scan = SheetScan(exact=True)
        self.state = "head"
        self.row_index = 0  # calamine's counters, 0-based
        self.col_index = 0
        self.cell = (0, 0)  # 1-based position of the cell being read
        self.cell_type: bytes | None = None
        self.has_value = False
        self.error_text = b""
        self.value_name = b""  # QName of the value element being skipped
        self.depth = 0
        self.phonetic = False
        self.t_name = b""

    def run(self, f: BinaryIO) -> SheetScan:
        tail = b""
        first = True
        while self.state != "done":
            chunk = f.read(CHUNK)
            buf = tail + chunk if tail else chunk
            if first:
                first = False
                if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in buf[:4096]:
                    raise SheetProblem("工作表的 XML 不是 UTF-8 编码，无法读取")
            if not chunk:
                # A part that ends early (no </sheetData>, a tag cut off) makes calamine fail
                # before it allocates anything; the reader then salvages the complete rows.
                self._walk(buf, final=True)
                break
            used = self._walk(buf, final=False)
            tail = buf[used:]
            if len(tail) > MAX_TOKEN:
                raise SheetProblem("工作表的 XML 中有超过 8 MB 的标记，不是正常的工作表")
        return self.scan

    def _walk(self, b: bytes, *, final: bool) -> int:
        """Consume whole tokens of `b`; return how many bytes were used (the rest is carried over)."""
        pos = 0
        n = len(b)
        while self.state != "done":
            lt = b.find(b"<", pos)
            if self.state == "v1" and (lt < 0 or lt > pos):
                if lt < 0 and not final:
                    return pos  # the text may go on in the next piece
                self._text(b[pos : lt if lt >= 0 else n])
            if lt < 0:
                return n
            pos = lt
            if n - pos < 9 and not final:
                return pos  # too little to tell what this is
            nxt = b[pos + 1 : pos + 2]
            if nxt == b"!":
                if b.startswith(b"<!--", pos):
                    end = b.find(b"-->", pos + 4)
                    if end < 0:
                        return self._incomplete(pos, final, "注释")
                    body = b[pos + 4 : end]
                    if body.startswith((b">", b"->")) or b"--" in body or body.endswith(b"-"):
                        raise SheetProblem("工作表的 XML 中有格式错误的注释")
                    pos = end + 3
                    self._other()
                    continue
                if b.startswith(b"<![CDATA[", pos):
                    end = b.find(b"]]>", pos + 9)
                    if end < 0:
                        return self._incomplete(pos, final, "CDATA 段")
                    pos = end + 3
                    self._other()
                    continue
                raise SheetProblem("工作表的 XML 中有文档类型声明或无法识别的标记")
            if nxt == b"?":
                end = b.find(b"?>", pos + 2)
                if end < 0:
                    return self._incomplete(pos, final, "处理指令")
                if end == pos + 2 or not (b[pos + 2 : pos + 3].isalpha() or b[pos + 2] in b"_:"):
                    raise SheetProblem("工作表的 XML 中有格式错误的处理指令")
                pos = end + 2
                self._other()
                continue
            if nxt == b"/":
                end = b.find(b">", pos + 2)
                if end < 0:
                    return self._incomplete(pos, final, "结束标记")
                name = b[pos + 2 : end].rstrip(b" \t\r\n")
                if not name:
                    raise SheetProblem("工作表的 XML 中有无法识别的标记")
                pos = end + 1
                self._end(name)
                continue
            m = _START.match(b, pos)
            if m is None:
                return self._incomplete(pos, final, "标记")  # no '>' yet, or a quote left open
            content = m.group(1)
            empty = content.endswith(b"/")
            if empty:
                content = content[:-1]
            w = _NAME_END.search(content)
            name, raw = (content[: w.start()], content[w.start() :]) if w else (content, b"")
            if not name or name[:1] in b"!?/":
                raise SheetProblem("工作表的 XML 中有无法识别的标记")
            pos = m.end()
            self._start(name, raw)
            if empty:  # calamine expands <x/> into <x></x>
                self._end(name)
        return pos

    def _incomplete(self, pos: int, final: bool, what: str) -> int:
        if final:
            self.state = "done"  # cut off here: calamine stops with an error, so nothing after counts
        return pos

    # events, as calamine's loops see them ----------------------------------------------------

    def _text(self, text: bytes) -> None:
        """Text (or an entity) right after <v>: the one event calamine reads."""
        if self.cell_type == b"e":
            self.error_text = text
        self.state = "to_end"
        self.depth = 0

    def _other(self) -> None:
        """A comment, CDATA section or processing instruction."""
        if self.state == "v1":
            self.state = "to_end"
            self.depth = 0

    def _start(self, name: bytes, raw: bytes) -> None:
        st = self.state
        if st == "to_end":
            if name == self.value_name:
                self.depth += 1
            return
        local = _local(name)
        if st == "rows":
            if local == b"row":
                r = next((v for k, v in _attrs(raw) if k == b"r"), None)
                if r is not None:
                    self.row_index = _ref(r, need_col=False, limits=self.limits)[0] - 1
            elif local == b"c":
                r = t = None
                found = 0
                for k, v in _attrs(raw):  # calamine's get_attrs!(r, s, t): a repeated key
                    if k in (b"r", b"s", b"t"):  # overrides, until three keys were seen
                        found += 1
                        if k == b"r":
                            r = v
                        elif k == b"t":
                            t = v
                        if found == 3:
                            break
                if r is not None:
                    row, col = _ref(r, need_col=True, limits=self.limits)
                    self.col_index = col - 1
                else:
                    row, col = self.row_index + 1, self.col_index + 1
                    if row > self.limits.max_rows or col > self.limits.max_columns:
                        raise _grid_problem(row, col, self.limits)
                self.cell = (row, col)
                self.cell_type = t
                self.has_value = False
                self.error_text = b""
                self.state = "cell"
            return
        if st == "head":
            if local == b"sheetData":
                self.state = "rows"
            return
        if st == "cell":
            self.has_value = True
            self.value_name = name
            if local == b"is":
                self.state = "is"
                self.phonetic = False
            elif local == b"v" and self.cell_type in (b"inlineStr", b"is"):
                self.state, self.depth = "to_end", 0
            elif local == b"v" and self.cell_type in (b"n", b"s", b"b", b"e", None):
                self.state = "v1"
            elif local == b"v":
                self.state = "until"
            elif local == b"f":
                self.state, self.depth = "to_end", 0
            else:
                raise SheetProblem("工作表的单元格中有无法识别的元素")
            return
        if st == "is":
            if local == b"rPh":
                self.phonetic = True
            elif local == b"t" and not self.phonetic:
                self.state = "t"
                self.t_name = name
            return
        if st == "v1":  # a start tag is the one event: skipped, not counted for nesting
            self.state, self.depth = "to_end", 0

    def _end(self, name: bytes) -> None:
        st = self.state
        if st == "to_end":
            if name == self.value_name:
                if self.depth:
                    self.depth -= 1
                else:
                    self.state = "cell"
            return
        local = _local(name)
        if st == "rows":
            if local == b"row":
                self.row_index += 1
                self.col_index = 0
            elif local == b"sheetData":
                self.state = "done"
        elif st == "cell":
            if local == b"c":
                self._cell_done()
        elif st == "is":
            if name == self.value_name:
                self.state = "cell"
            elif local == b"rPh":
                self.phonetic = False
        elif st == "t":
            if name == self.t_name:
                self.state = "is"
        elif st == "until":
            if name == self.value_name:
                self.state = "cell"
        elif st == "v1":
            # </v> at once: calamine returns; any other end tag is the one event, then skip to </v>
            self.state, self.depth = ("cell", 0) if name == self.value_name else ("to_end", 0)

    def _cell_done(self) -> None:
        self.state = "rows"
        self.col_index += 1
        if not self.has_value:
            return  # calamine keeps no empty cell
        row, col = self.cell
        s = self.scan
        s.max_row = max(s.max_row, row)
        s.max_col = max(s.max_col, col)
        if self.cell_type == b"e" and self.error_text:
            s.errors[(row, col)] = self.error_text.decode("utf-8", "replace").strip()


# --- merged ranges ---------------------------------------------------------------------------

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?\"")
_CELL = re.compile(rb"([A-Z]+)([0-9]+)")


def merged_ranges(zf: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based, of every merged range in a sheet part."""
    out = []
    tail = b""
    try:
        with zf.open(member) as f:
            while chunk := f.read(CHUNK):
                buf = tail + chunk
                start = buf.find(b"mergeCell")
                if start >= 0:
                    for m in _MERGE.finditer(buf, max(start - 20, 0)):
                        a = _cell(m.group(1))
                        b = _cell(m.group(2)) if m.group(2) else a
                        out.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
                    cut = buf.rfind(b"<", len(buf) - 200)
                    tail = buf[cut:] if cut >= 0 else b""
                else:
                    tail = buf[-200:]
    except (KeyError, *ZIP_DAMAGE):
        return []
    return sorted(set(out))


def _cell(ref: bytes) -> tuple[int, int]:
    m = _CELL.fullmatch(ref)
    return int(m.group(2)), col_number(m.group(1))


# --- small parts (relationships, workbook.xml), read as calamine reads them -------------------


def iter_tags(b: bytes):
    """(is_end, name, raw attributes) of every tag of a small XML part, as quick-xml sees them.

    Comments, CDATA and processing instructions are skipped; `<x/>` gives a start and an end.
    Raises SheetProblem on anything quick-xml might read differently (a DOCTYPE, a tag left open).
    """
    pos = 0
    n = len(b)
    while True:
        lt = b.find(b"<", pos)
        if lt < 0:
            return
        nxt = b[lt + 1 : lt + 2]
        if nxt == b"!":
            if b.startswith(b"<!--", lt):
                end = b.find(b"-->", lt + 4)
                body = b[lt + 4 : end]
                if end < 0 or body.startswith((b">", b"->")) or b"--" in body or body.endswith(b"-"):
                    raise SheetProblem("XML 中有格式错误的注释")
                pos = end + 3
                continue
            if b.startswith(b"<![CDATA[", lt):
                end = b.find(b"]]>", lt + 9)
                if end < 0:
                    raise SheetProblem("XML 中有没有结束的 CDATA 段")
                pos = end + 3
                continue
            raise SheetProblem("XML 中有文档类型声明或无法识别的标记")
        if nxt == b"?":
            end = b.find(b"?>", lt + 2)
            if end < 0 or end == lt + 2:
                raise SheetProblem("XML 中有格式错误的处理指令")
            pos = end + 2
            continue
        if nxt == b"/":
            end = b.find(b">", lt + 2)
            if end < 0:
                raise SheetProblem("XML 中有没有结束的标记")
            yield True, b[lt + 2 : end].rstrip(b" \t\r\n"), b""
            pos = end + 1
            continue
        m = _START.match(b, lt)
        if m is None or lt + 1 >= n:
            raise SheetProblem("XML 中有没有结束的标记")
        content = m.group(1)
        empty = content.endswith(b"/")
        if empty:
            content = content[:-1]
        w = _NAME_END.search(content)
        name, raw = (content[: w.start()], content[w.start() :]) if w else (content, b"")
        if not name:
            raise SheetProblem("XML 中有无法识别的标记")
        yield False, name, raw
        if empty:
            yield True, name, b""
        pos = m.end()


def get_attrs(raw: bytes, *keys: bytes) -> list[bytes | None]:
    """calamine's get_attrs!: values of `keys` (a repeated key overrides) until each was counted once."""
    out: dict[bytes, bytes] = {}
    found = 0
    for k, v in _attrs(raw):
        if k in keys:
            out[k] = v
            found += 1
            if found == len(keys):
                break
    return [out.get(k) for k in keys]


def local_name(name: bytes) -> bytes:
    return _local(name)


def attrs(raw: bytes) -> list[tuple[bytes, bytes]]:
    return _attrs(raw)
