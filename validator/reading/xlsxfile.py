"""Excel workbooks (.xlsx): sheets as tables, merged cells filled, template metadata read.

openpyxl's read-only mode streams rows but knows nothing about merged ranges, so those are
read from the sheet XML directly (a streaming scan for <mergeCell ref=…>). Old .xls files
and encrypted workbooks are OLE2 compound files: they are recognised by their first bytes
and refused with a message that says what to do.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from itertools import islice
from xml.etree import ElementTree

from validator.findings import Finding, column_letter
from validator.reading import headers as H
from validator.reading import rules as S
from validator.reading.common import DEFAULT_LIMITS, Entry, FileProblem, Limits
from validator.reading.layout import locate
from validator.reading.template_version import template_version_findings
from validator.tables import Table

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
META_SHEET = "_fpjc"  # hidden sheet our templates write: standard, standard_version, template, forms
INSTRUCTIONS_SHEET = "填表说明"  # the instructions sheet of our templates, never data

_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?\"")
_CELL = re.compile(r"([A-Z]+)([0-9]+)")
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def sniff_problem(head: bytes) -> str | None:
    """A Chinese reason when the bytes cannot be an .xlsx workbook, else None."""
    if not head:
        return None
    if head.startswith(OLE_MAGIC):
        return None  # decided by ole_reason on the whole header block
    if not head.startswith(b"PK"):
        text = head[:512].lstrip().lower()
        if text.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
            return "文件扩展名是 .xlsx，但内容是网页或 XML 格式（某些系统导出的“Excel”其实是网页）。请用 Excel 或 WPS 打开后另存为 .xlsx"
        return "文件不是 Excel 工作簿（.xlsx）。请确认文件类型，或用 Excel / WPS 另存为 .xlsx"
    return None


def ole_reason(data: bytes) -> str:
    """Encrypted .xlsx and legacy .xls are both OLE2 files; the stream names tell them apart."""
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return "工作簿设置了打开密码（已加密），无法读取。请在 Excel / WPS 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx"
    return "这是旧版 Excel 97-2003 格式（.xls），不能直接读取。请在 Excel / WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后重新检查"


def check_zip(zf: zipfile.ZipFile, size: int, limits: Limits, *, ratio: int) -> None:
    """Refuse zip bombs before reading anything (declared sizes bound what zipfile will inflate)."""
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        raise FileProblem(
            f"压缩文件中有{len(infos)}个成员，超过上限 {limits.max_zip_members}，疑似压缩炸弹，已拒绝读取"
        )
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > 1024 * 1024 and i.file_size > ratio * max(i.compress_size, 1):
            raise FileProblem(
                f"压缩文件中的“{i.filename}”压缩比异常（{i.file_size // max(i.compress_size, 1)}倍），疑似压缩炸弹，已拒绝读取"
            )
    if total > limits.max_zip_total:
        raise FileProblem(
            f"压缩文件解压后共 {total // 1024 // 1024} MB，超过上限 {limits.max_zip_total // 1024 // 1024} MB，已拒绝读取"
        )


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → XML member path, from workbook.xml and its relationships."""
    try:
        wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
        targets[rel.get("Id")] = path
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet") and el.get(_NS_REL) in targets:
            out[el.get("name")] = targets[el.get(_NS_REL)]
    return out


def merged_ranges(zf: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based, of every merged range in a sheet."""
    out = []
    tail = b""
    try:
        with zf.open(member) as f:
            while chunk := f.read(1024 * 1024):
                buf = tail + chunk
                start = buf.find(b"mergeCell")
                if start >= 0:
                    for m in _REF.finditer(buf, max(start - 20, 0)):
                        a = _cell(m.group(1).decode())
                        b = _cell(m.group(2).decode()) if m.group(2) else a
                        out.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
                    cut = buf.rfind(b"<", len(buf) - 200)
                    tail = buf[cut:] if cut >= 0 else b""
                else:
                    tail = buf[-200:]
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError):
        return []
    return sorted(set(out))


def _cell(ref: str) -> tuple[int, int]:
    m = _CELL.fullmatch(ref)
    letters, digits = m.group(1), m.group(2)
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


def _blank(c) -> bool:
    return c is None or (c.__class__ is str and not c.strip())


def open_workbook(
    entry: Entry,
    *,
    emit: Callable[[Finding], None],
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Table], dict, list[tuple[str, str]]]:
    """Tables of every recognised sheet, the input record, and (sheet, form id) of each table."""
    import openpyxl  # core dependency, but only needed for workbooks

    if entry.size == 0:
        raise FileProblem("文件是空的", rule="S002")
    if entry.size > limits.max_file_bytes:
        raise FileProblem(
            f"文件大小 {entry.size // 1024 // 1024} MB，超过上限 {limits.max_file_bytes // 1024 // 1024} MB"
        )
    with entry.open() as f:
        head = f.read(64 * 1024)
    if head.startswith(OLE_MAGIC):
        raise FileProblem(ole_reason(head))
    reason = sniff_problem(head)
    if reason:
        raise FileProblem(reason)
    source = entry.path or io.BytesIO(_read_all(entry))
    try:
        zf = zipfile.ZipFile(source)
        check_zip(zf, entry.size, limits, ratio=limits.max_xlsx_ratio)
        if "xl/workbook.xml" not in zf.namelist():
            raise FileProblem(
                "文件是压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml）。请用 Excel / WPS 另存为 .xlsx"
            )
        paths = _sheet_paths(zf)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError, ElementTree.ParseError):
        raise FileProblem(
            "文件已损坏或不完整（可能是下载或复制时中断），请重新保存或重新导出后再检查"
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on malformed parts; none must escape as a traceback
        raise FileProblem(f"文件已损坏，无法按 Excel 工作簿读取（{type(exc).__name__}）") from None

    template_version = template = None
    layout_sheets: set[str] = set()
    sheets = [ws.title for ws in wb.worksheets]
    if META_SHEET in sheets:
        damaged = False
        try:
            meta_rows = _read_meta(wb[META_SHEET])
        except Exception as exc:  # a damaged version sheet: said once, the data sheets still read
            reason = f"工作表“{META_SHEET}”已损坏，无法读取（{type(exc).__name__}），无法判断模板版本"
            emit(
                S.FILE_UNREADABLE.finding(name=entry.name, reason=reason, source=entry.name, sheet=META_SHEET)
            )
            meta_rows, damaged = {}, True
        template_version = meta_rows.get("standard_version")
        template = meta_rows.get("template")
        # Printed pages of a template that hold no data (a signature page, say), named by the template.
        layout_sheets = {n for n in (meta_rows.get("layout_sheets") or "").split(",") if n}
        # A county workbook (the 研判 meeting workbook) says so in the county's words (rule K004);
        # a damaged version sheet was said above, not again as a missing version.
        if not damaged and not (template and template.startswith("county")):
            for finding in template_version_findings(template_version, source=entry.name, sheet=META_SHEET):
                emit(finding)
    info = {
        "path": entry.name,
        "kind": "xlsx",
        "encoding": None,
        "sheets": sheets,
        "template_version": template_version,
    }
    if template:
        info["template"] = template
    tables = []
    for ws in wb.worksheets:
        if ws.title in (META_SHEET, INSTRUCTIONS_SHEET) or ws.title in layout_sheets:
            continue
        form_id = H.recognise_name(ws.title)
        if form_id is None and getattr(ws, "sheet_state", "visible") != "visible":
            continue  # hidden helper sheets (drop-down lists) are not data the clerk sees
        try:
            table = _sheet_table(entry, ws, form_id, zf, paths.get(ws.title), emit)
        except Exception as exc:  # one damaged sheet must not hide the others
            reason = f"工作表“{ws.title}”已损坏，无法读取（{type(exc).__name__}）"
            emit(S.FILE_UNREADABLE.finding(name=entry.name, reason=reason, source=entry.name, sheet=ws.title))
            continue
        if table is not None:
            if template_version:
                table.meta["template_version"] = template_version
            tables.append(table)
    zf.close()  # merged ranges are read; openpyxl keeps its own handle for the rows
    return tables, info, [(t.sheet, t.resource) for t in tables]


def _read_all(entry: Entry) -> bytes:
    with entry.open() as f:
        return f.read()


def _read_meta(ws) -> dict:
    out = {}
    for row in ws.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if row and row[0] is not None:
            out[str(row[0]).strip()] = None if len(row) < 2 or row[1] is None else str(row[1]).strip()
    return out


def _sheet_table(entry: Entry, ws, form_id, zf, member, emit) -> Table | None:
    ws.reset_dimensions()  # some writers record wrong dimensions; size rows from the cells instead
    merges = merged_ranges(zf, member) if member else []
    place = {"source": entry.name, "sheet": ws.title}
    rows = ws.iter_rows(min_row=1, min_col=1, values_only=True)
    head = [(n, list(r)) for n, r in enumerate(islice(rows, H.HEADER_SCAN_ROWS), 1)]

    def header_rows_below(row: int) -> int:
        return max((r2 - row for r1, _, r2, _ in merges if r1 == row and r2 > row), default=0)

    layout = locate(form_id, head, name=ws.title, place=place, emit=emit, header_rows_below=header_rows_below)
    if layout is None:
        return None
    header_row = head[layout.header_index][0]
    data_start = head[layout.data_index][0] if layout.data_index < len(head) else len(head) + 1
    data_merges = [m for m in merges if m[2] >= data_start]
    return Table(
        resource=layout.form_id,
        source=entry.name,
        sheet=ws.title,
        header_row=header_row,
        columns=layout.columns,
        rows=_rows(
            head[layout.data_index :],
            rows,
            len(head),
            len(layout.columns),
            data_merges,
            data_start,
            layout.form_id,
            place,
            emit,
        ),
        meta=layout.meta,
    )


def _rows(
    head_rows, rows, last_head, ncols, merges, data_start, resource, place, emit
) -> Iterator[tuple[int, list]]:
    """Data rows (row number, cells); merged ranges are filled with their top-left value."""
    place = {**place, "resource": resource}
    by_start: dict[int, list] = {}
    for m in merges:
        by_start.setdefault(max(m[0], data_start), []).append(m)
    active: list = []  # [max_row, min_col, max_col, value]
    blank_at = blank_count = 0

    def all_rows():
        yield from head_rows
        n = last_head
        for r in rows:
            n += 1
            yield n, r

    stream = all_rows()
    n = last_head
    while True:
        try:
            n, r = next(stream)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet part fails only when its rows are parsed
            reason = f"工作表“{place['sheet']}”第{n + 1}行起已损坏（{type(exc).__name__}），其后的行未检查"
            emit(S.FILE_UNREADABLE.finding(name=place["source"], reason=reason, row=n + 1, **place))
            return
        row = list(r)
        if by_start and n in by_start:
            for r1, c1, r2, c2 in by_start.pop(n):
                value = row[c1 - 1] if c1 - 1 < len(row) else None
                if r1 < n:  # range starts above the data: its value sits in the header area
                    value = None
                active.append([r2, c1, c2, value])
        if active:
            for m in active:
                if m[3] is None:
                    continue
                if len(row) < m[2]:
                    row.extend([None] * (m[2] - len(row)))
                for c in range(m[1] - 1, m[2]):
                    row[c] = m[3]
            active = [m for m in active if m[0] > n]
        for c in row:
            if c is not None and (c.__class__ is not str or c.strip()):
                break
        else:
            if not blank_count:
                blank_at = n
            blank_count += 1
            continue
        if blank_count:
            emit(S.BLANK_ROWS.finding(start=blank_at, row=blank_at, count=blank_count, **place))
            blank_count = 0
        if len(row) < ncols:
            row.extend([None] * (ncols - len(row)))
        elif len(row) > ncols:
            extra = [i for i in range(ncols, len(row)) if not _blank(row[i])]
            if extra:
                cell = f"{column_letter(extra[0])}{n}"
                emit(S.EXTRA_CELLS.finding(line=n, at=cell, row=n, cell=cell, **place))
            del row[ncols:]
        yield n, row
