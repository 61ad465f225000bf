"""CSV files: encoding detection, delimiter sniffing and row streaming.

Encodings: a BOM decides (UTF-8, UTF-16); otherwise the whole file is checked as strict
UTF-8 in chunks, then as GB18030 (a superset of GBK and GB2312, so never decode as gb2312).
When neither decodes cleanly the one with fewer bad lines is used, with replacement
characters, and every bad line is reported (S003). Rows are streamed from a decoded text
stream: lines without quotes are split directly, the rest go through csv.reader (same cells);
the per-row work is a length check and a blank check.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from itertools import islice

from validator.findings import Finding, column_letter
from validator.reading import headers as H
from validator.reading import rules as S
from validator.reading.common import ZIP_DAMAGE, Entry, FileProblem
from validator.reading.layout import locate
from validator.tables import Table

# Probe chunk. Large chunks (1 MB, 2 MB once decoded) are allocated fresh by mmap each time
# and cost a page fault per 4 KB: a third of a second of system time on a 380 MB file. 32 KB
# chunks stay in the heap; the probe gives the same answer for any size.
CHUNK = 32 * 1024
MAX_BAD_LINES = 20  # S003 findings per file; the last one says how many more there are


def detect_encoding(entry: Entry) -> tuple[str, list[int]]:
    """(encoding, 1-based lines with bytes that do not decode in it)."""
    with entry.open() as f:
        start = f.read(4)
    if start.startswith(codecs.BOM_UTF8):
        bad = _bad_lines(entry, "utf-8-sig") if not _decodes(entry, "utf-8-sig") else []
        return "utf-8-sig", bad
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", []
    if _decodes(entry, "utf-8"):
        return "utf-8", []
    if _decodes(entry, "gb18030"):
        return "gb18030", []
    bad_utf8 = _bad_lines(entry, "utf-8")
    bad_gb = _bad_lines(entry, "gb18030")
    return ("utf-8", bad_utf8) if len(bad_utf8) <= len(bad_gb) else ("gb18030", bad_gb)


def decode_bytes(data: bytes) -> tuple[str, list[int]]:
    """A whole small CSV file as text, in the encoding `detect_encoding` picks, and its bad lines.

    For the roster and the annotated copy of a CSV, which must read a file exactly as the
    reader did; undecodable bytes become U+FFFD.
    """
    encoding, bad = detect_encoding(Entry.from_bytes("", data))
    return data.decode(encoding, errors="replace"), bad


def _decodes(entry: Entry, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with entry.open() as f:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _bad_lines(entry: Entry, encoding: str) -> list[int]:
    # Neither UTF-8 nor GB18030 multi-byte sequences contain 0x0A, so lines split safely on bytes.
    bad = []
    with entry.open() as f:
        for n, line in enumerate(f, 1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                bad.append(n)
    return bad


def sniff_delimiter(entry: Entry, encoding: str) -> str:
    """Comma unless the first lines clearly use semicolons or tabs."""
    with entry.open() as f:
        sample = f.read(64 * 1024).decode(encoding, errors="replace")
    return sniff_text_delimiter(sample)


def sniff_text_delimiter(sample: str) -> str:
    """The delimiter of decoded CSV text (its first lines); the annotated copy needs the same one."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:20]
    # Lines that contain the delimiter first (list cells may hold ';'), then how often it occurs.
    score = {d: (sum(d in ln for ln in lines), sum(ln.count(d) for ln in lines)) for d in (",", "\t", ";")}
    best = max(score, key=lambda d: score[d])
    return best if score[best] > score[","] else ","


def open_csv(
    entry: Entry,
    *,
    form_id: str | None,
    emit: Callable[[Finding], None],
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[Table | None, dict]:
    """Open one CSV file as a table of `form_id` (None: recognise it by its columns).

    Returns the table (None when it cannot be checked; findings say why) and the input record.
    """
    if entry.size == 0:
        raise FileProblem("文件是空的", rule="S002")
    bad: list[int] = []
    if encoding is None:
        encoding, bad = detect_encoding(entry)
    info = {"path": entry.name, "kind": "csv", "encoding": encoding, "sheets": None, "template_version": None}
    place = {"source": entry.name}
    _report_bad_lines(bad, encoding, form_id, place, emit)
    if encoding == "gb18030":
        emit(S.LEGACY_ENCODING.finding(name=entry.name, encoding="GB18030（GBK）", resource=form_id, **place))
    delimiter = delimiter or sniff_delimiter(entry, encoding)

    binary = entry.open()
    text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    head: list[tuple[int, list]] = []
    line = 0
    try:
        for row in islice(reader, H.HEADER_SCAN_ROWS):
            head.append((line + 1, row))
            line = reader.line_num
    except csv.Error as exc:
        text.close()
        raise FileProblem(f"第{line + 1}行 CSV 格式错误（{exc}）") from None
    layout = locate(form_id, head, name=entry.name, place=place, emit=emit)
    if layout is None:
        text.close()
        return None, info
    header_row = head[layout.header_index][0]
    table = Table(
        resource=layout.form_id,
        source=entry.name,
        sheet=None,
        header_row=header_row,
        columns=layout.columns,
        rows=_rows(
            text,
            delimiter,
            head[layout.data_index :],
            line,
            len(layout.columns),
            layout.form_id,
            place,
            emit,
        ),
        encoding=encoding,
        meta=layout.meta,
    )
    if entry.path is not None and encoding in ("utf-8", "utf-8-sig", "gb18030"):
        table.parts = CsvParts(
            path=entry.path,
            size=entry.size,
            encoding=encoding,
            delimiter=delimiter,
            ncols=len(layout.columns),
            resource=layout.form_id,
            place=place,
            head_lines=line,
        )
    return table, info


def _report_bad_lines(bad, encoding, form_id, place, emit) -> None:
    label = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}.get(encoding, encoding)
    for i, n in enumerate(bad[:MAX_BAD_LINES]):
        f = S.UNDECODABLE.finding(line=n, encoding=label, row=n, resource=form_id, **place)
        if i == MAX_BAD_LINES - 1 and len(bad) > MAX_BAD_LINES:
            f.extra = {"more_lines": len(bad) - MAX_BAD_LINES}
        emit(f)


def _feed(text, pending: list[str]) -> Iterator[str]:
    """Lines for csv.reader: first the one handed back in `pending`, then on from `text`."""
    while True:
        if pending:
            yield pending.pop()
        else:
            nxt = next(text, None)
            if nxt is None:
                return
            yield nxt


def _rows(
    text, delimiter: str, head_rows, line: int, ncols: int, resource: str, place: dict, emit
) -> Iterator[tuple[int, list]]:
    """Data rows as (record start line, cells). Blank rows are skipped; blank runs followed by
    data are reported (S012), trailing ones are not. Short rows are padded with ''."""
    blank_at = 0
    blank_count = 0
    place = {**place, "resource": resource}

    def flush_blanks():
        emit(S.BLANK_ROWS.finding(start=blank_at, row=blank_at, count=blank_count, **place))

    def swallowed(n, row):
        """A quote left open reads the following lines into one cell: say so, once per record."""
        least = max(2, (ncols - 1) // 2)
        for c in row:
            if ("\n" in c or "\r" in c) and any(ln.count(delimiter) >= least for ln in c.splitlines()):
                text = delimiter.join(row).rstrip("\r\n")
                last = n + (text.count("\n") or text.count("\r"))
                reason = (
                    f"第{n}行有一个引号没有配对，第{n}—{last}行被读成了同一行，其中各户没有逐行检查；"
                    "请删去这个引号，或在单元格内容两端都加上引号"
                )
                emit(S.FILE_UNREADABLE.finding(name=place["source"], reason=reason, row=n, **place))
                return

    def fix(n, row):
        if len(row) < ncols:
            row.extend([""] * (ncols - len(row)))
        elif any(c.strip() for c in row[ncols:]):
            k = next(i for i in range(ncols, len(row)) if row[i].strip())
            cell = f"{column_letter(k)}{n}"
            emit(S.EXTRA_CELLS.finding(line=n, at=cell, row=n, cell=cell, **place))
            del row[ncols:]
        else:
            del row[ncols:]

    try:
        for n, row in head_rows:
            if not any(row) or not "".join(row).strip():
                if not blank_count:
                    blank_at = n
                blank_count += 1
                continue
            if blank_count:
                flush_blanks()
                blank_count = 0
            if len(row) < ncols:
                swallowed(n, row)
            if len(row) != ncols:
                fix(n, row)
            yield n, row
        # A line without quotes, NUL or anything near csv's field size limit is one record
        # whose cells are the line split at the delimiter: the same cells csv.reader gives,
        # several times faster than its character-by-character parser. Every other line is
        # handed to csv.reader, which may read on (a quoted cell with line breaks) and raises
        # csv.Error as before.
        limit = csv.field_size_limit()
        pending: list[str] = []
        reader = csv.reader(_feed(text, pending), delimiter=delimiter)
        for raw in text:
            if '"' in raw or "\0" in raw or len(raw) >= limit:
                pending.append(raw)
                before = reader.line_num
                row = next(reader)
                n = line + 1
                line += reader.line_num - before
                if line > n and len(row) < ncols:
                    swallowed(n, row)
            else:
                n = line = line + 1
                raw = raw.rstrip("\r\n")  # newline="": a line ends in \n, \r or \r\n, kept as written
                row = raw.split(delimiter) if raw else []
            # Blank: no cells, or all cells blank. A first cell with text settles it in one test.
            if not row or ((not row[0] or row[0].isspace()) and not "".join(row).strip()):
                if not blank_count:
                    blank_at = n
                blank_count += 1
                continue
            if blank_count:
                flush_blanks()
                blank_count = 0
            if len(row) != ncols:
                fix(n, row)
            yield n, row
    except (csv.Error, *ZIP_DAMAGE) as exc:
        what = f"CSV 格式错误（{exc}）" if isinstance(exc, csv.Error) else f"文件损坏（{type(exc).__name__}）"
        emit(
            S.FILE_UNREADABLE.finding(
                name=place["source"],
                reason=f"第{line + 1}行起{what}，其后的行未检查",
                row=line + 1,
                **place,
            )
        )
    finally:
        text.close()


class CsvParts:
    """A CSV file on disk read from the middle: lets the engine check a big table in two parts.

    `cut(fraction)` picks a line to start the second part at; `rows(cut)` streams the rows from
    there exactly as the table's own `rows` gives them once it reaches that line (same reading
    code, same line numbers). The engine only keeps the second part's results when the table's
    own stream really yields that line as the start of a record with the same cells, so a quote
    left open before the cut, a line the csv module cannot read, or anything else that makes
    the line mean something else in the whole file, just means the file is read in one piece.
    In UTF-8 and GB18030 a line feed byte is never part of a character, so decoding from the
    byte after one gives the same text.
    """

    SCAN = 4 * 1024 * 1024  # bytes per read while counting lines
    LOOK = 200  # lines after the chosen place that are looked at for a suitable one

    def __init__(self, *, path, size, encoding, delimiter, ncols, resource, place, head_lines):
        self.path = path
        self.size = size
        # Past the start there is no byte order mark to skip: a U+FEFF there is text.
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.delimiter = delimiter
        self.ncols = ncols
        self.resource = resource
        self.place = place
        self.head_lines = head_lines

    def cut(self, fraction: float) -> tuple[int, int, list[str]] | None:
        """(byte offset, line number, cells) of a full data line near `fraction` of the file.

        The line has every column, a first cell, and neither quotes nor NUL, so reading it
        reports nothing about it; None when no such line is near or a lone CR (an old Mac line
        ending) makes line numbers unknowable from the bytes.
        """
        with open(self.path, "rb") as f:
            f.seek(int(self.size * fraction))
            window = f.read(1024 * 1024)
            start = window.find(b"\n")
            if start < 0:
                return None
            offset = f.tell() - len(window) + start + 1
            for raw in window[start + 1 :].split(b"\n")[: self.LOOK]:
                text = raw.decode(self.encoding, errors="replace").rstrip("\r")
                cells = text.split(self.delimiter)
                if (
                    len(cells) == self.ncols
                    and '"' not in text
                    and "\0" not in text
                    and "\r" not in text
                    and cells[0].strip()
                    and sum(1 for c in cells if c.strip()) >= 2
                    and offset + len(raw) < self.size
                ):
                    break
                offset += len(raw) + 1
            else:
                return None
            lines = _count_lines(f, offset, self.SCAN)
        if lines is None or lines < self.head_lines:
            return None
        return offset, lines + 1, cells

    def rows(self, offset: int, line: int, emit: Callable[[Finding], None]) -> Iterator[tuple[int, list]]:
        """The rows from byte `offset`, which starts line `line`, reported through `emit`."""
        binary = open(self.path, "rb")  # noqa: SIM115 - closed by the row stream
        binary.seek(offset)
        text = io.TextIOWrapper(binary, encoding=self.encoding, errors="replace", newline="")
        return _rows(text, self.delimiter, [], line - 1, self.ncols, self.resource, self.place, emit)


def _count_lines(f, end: int, step: int) -> int | None:
    """Line feeds in the first `end` bytes of `f`; None when a CR there is not followed by a LF."""
    f.seek(0)
    lines = crs = pairs = 0
    last = b""
    while (pos := f.tell()) < end:
        chunk = f.read(min(step, end - pos))
        if not chunk:
            return None
        lines += chunk.count(b"\n")
        if b"\r" in chunk or last == b"\r":
            crs += chunk.count(b"\r")
            pairs += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
        last = chunk[-1:]
    return lines if crs == pairs else None
