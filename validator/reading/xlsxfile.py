"""Excel workbooks (.xlsx, .xlsm): sheets as tables, read with python-calamine.

python-calamine (Rust) reads a sheet about ten times faster than openpyxl's read-only mode and
runs in the browser too (its Pyodide wheel is in the checker's lock). It loads a sheet whole,
as a dense grid from the first to the last used cell, so nothing reaches it unchecked:

1. the zip: member count, sizes and compression ratios (`check_zip`);
2. the structure, read as calamine reads it (`_Structure`): which zip member holds each sheet,
   the size of xl/workbook.xml and its defined names, the shared-string count calamine
   reserves memory for;
3. each sheet's XML, streamed before calamine loads it (`sheetxml.scan_sheet`): cell positions
   within Excel's grid, and the grid calamine will allocate within `Limits.max_workbook_cells`
   for all sheets held at once.

calamine's cells are turned into the types the rest of the validator knows (those openpyxl
gave): integral numbers become int, whole-day dates datetime, empty cells None; error cells,
which calamine returns empty, get their Excel text back (#N/A, #DIV/0! …) from the scan.
Old .xls files and encrypted workbooks are OLE2 compound files: recognised by their first
bytes and refused with a message that says what to do.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from validator import standard, versions
from validator.findings import Finding, column_letter
from validator.reading import headers as H
from validator.reading import rules as S
from validator.reading import sheetxml as X
from validator.reading import signatures
from validator.reading.common import DEFAULT_LIMITS, MB, ZIP_DAMAGE, Entry, FileProblem, Limits, amount
from validator.reading.layout import locate
from validator.reading.sheetxml import SheetProblem, merged_ranges  # noqa: F401 - re-exported
from validator.reading.template_version import template_version_findings
from validator.tables import Table

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
META_SHEET = "_fpjc"  # hidden sheet our templates write: standard, standard_version, template, forms
INSTRUCTIONS_SHEET = "填表说明"  # the instructions sheet of our templates, never data
DAMAGED = "文件已损坏或不完整（可能是下载或复制时中断），请重新保存或重新导出后再检查"


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
    """Refuse zip bombs before reading anything (declared sizes bound what zipfile will inflate).

    `ratio` applies to every member above 1 MB and to the archive as a whole, so a bomb made of
    many small members is refused like one made of a single large one.
    """
    infos = zf.infolist()
    limit_name = "max_zip_ratio" if ratio == limits.max_zip_ratio else "max_xlsx_ratio"
    if len(infos) > limits.max_zip_members:
        raise FileProblem(
            f"压缩文件中有{len(infos):,}个成员，超过上限{amount('max_zip_members', limits=limits)}，"
            "疑似压缩炸弹，已拒绝读取"
        )
    total = packed = 0
    for i in infos:
        total += i.file_size
        packed += i.compress_size
        if i.file_size > MB and i.file_size > ratio * max(i.compress_size, 1):
            raise FileProblem(
                f"压缩文件中的“{i.filename}”压缩比异常（{i.file_size // max(i.compress_size, 1):,}倍，"
                f"上限{amount(limit_name, ratio)}），疑似压缩炸弹，已拒绝读取"
            )
    if total > limits.max_zip_total:
        raise FileProblem(
            f"压缩文件解压后共{total // MB:,} MB，超过上限{amount('max_zip_total', limits=limits)}，已拒绝读取"
        )
    if total > MB and total > ratio * max(packed, 1):
        raise FileProblem(
            f"压缩文件解压后共{total // MB:,} MB，是压缩后的{total // max(packed, 1):,}倍"
            f"（上限{amount(limit_name, ratio)}），疑似压缩炸弹，已拒绝读取"
        )


# --- structure: which member calamine reads for each sheet -----------------------------------

_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}


def _ascii_lower(s: str) -> str:
    return s.translate(_ASCII_LOWER)  # Rust's to_ascii_lowercase (str.lower() folds non-ASCII too)


def _templates() -> frozenset[str]:
    """The names fpjc writes into a template's hidden sheet: the submission workbook or one form."""
    return frozenset(["workbook", *(f["id"] for f in standard.forms())])


@dataclass
class SheetPart:
    name: str
    kind: str  # "worksheet", "chartsheet", "dialogsheet", "macrosheet" …
    state: str  # "visible", "hidden", "veryHidden"
    member: zipfile.ZipInfo | None  # None: the part is missing


class _Structure:
    """The parts of a workbook, located the way calamine locates them.

    calamine finds xl/ from _rels/.rels, each sheet's part from xl/_rels/workbook.xml.rels
    (targets taken literally: "/x" is x, anything else is xl/ + target), and zip members by
    name ignoring ASCII case, with '\\' read as '/'. Archives where that lookup could pick one
    of two members are refused: which one calamine would open is not worth guessing, since the
    scan of that member is what keeps calamine's memory bounded.
    """

    def __init__(self, zf: zipfile.ZipFile, limits: Limits):
        self.zf = zf
        self.limits = limits
        self.by_key: dict[str, zipfile.ZipInfo] = {}
        self.exact: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            key = _ascii_lower(info.filename.replace("\\", "/"))
            if key in self.by_key or info.filename in self.exact:
                raise FileProblem(f"工作簿中有两个同名的部件（“{info.filename}”），文件已损坏或被改动过")
            self.by_key[key] = info
            self.exact[info.filename] = info
        rels = self._read("_rels/.rels", limits.max_workbook_xml_bytes, "max_workbook_xml_bytes")
        if rels is None:
            raise FileProblem(
                "文件是压缩包，但不是 Excel 工作簿（缺少 _rels/.rels）。请用 Excel / WPS 另存为 .xlsx"
            )
        target = None
        started = False
        for is_end, name, raw in X.iter_tags(rels):
            local = X.local_name(name)
            if not started:
                started = not is_end and local == b"Relationships"
                continue
            if is_end and local == b"Relationships":
                break
            if not is_end and local == b"Relationship":
                kind, where = X.get_attrs(raw, b"Type", b"Target")
                if kind and kind.endswith(b"/relationships/officeDocument") and where is not None:
                    target = where.decode("utf-8", "replace")
        if target is None:
            raise FileProblem(
                "文件是压缩包，但不是 Excel 工作簿（找不到工作簿部件）。请用 Excel / WPS 另存为 .xlsx"
            )
        i = target.rfind("/")
        self.xl = target[: i + 1].removeprefix("/") if i >= 0 else ""
        self.sheets = self._sheets()
        self._check_shared_strings()

    def find(self, path: str) -> zipfile.ZipInfo | None:
        return self.by_key.get(_ascii_lower(path)) or self.exact.get(path)

    def _read(self, path: str, limit: int, limit_name: str | None = None) -> bytes | None:
        info = self.find(path)
        if info is None:
            return None
        if info.file_size > limit:
            what = f"工作簿的“{info.filename}”大小"
            raise FileProblem(
                f"{what}为{info.file_size / MB:.1f} MB，超过上限"
                f"{amount(limit_name, limit) if limit_name else f'{limit // MB} MB'}，已拒绝读取"
            )
        return self.zf.read(info)

    def _sheets(self) -> list[SheetPart]:
        rels_data = self._read(
            self.xl + "_rels/workbook.xml.rels", self.limits.max_workbook_xml_bytes, "max_workbook_xml_bytes"
        )
        book = self._read(
            self.xl + "workbook.xml", self.limits.max_workbook_xml_bytes, "max_workbook_xml_bytes"
        )
        if book is None:
            raise FileProblem(
                "文件是压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml）。请用 Excel / WPS 另存为 .xlsx"
            )
        if rels_data is None:
            raise FileProblem("工作簿缺少 xl/_rels/workbook.xml.rels，文件已损坏")
        rels: dict[bytes, tuple[str, str]] = {}
        for is_end, name, raw in X.iter_tags(rels_data):
            local = X.local_name(name)
            if is_end and local == b"Relationships":
                break
            if not is_end and local == b"Relationship":
                rid, kind, target = X.get_attrs(raw, b"Id", b"Type", b"Target")
                if rid is not None:
                    if rid in rels:
                        raise FileProblem("工作簿的关系文件中有重复的编号，文件已损坏或被改动过")
                    rels[rid] = (
                        (target or b"").decode("utf-8", "replace"),
                        (kind or b"").decode("utf-8", "replace"),
                    )
        out: list[SheetPart] = []
        names = 0
        for is_end, name, raw in X.iter_tags(book):
            local = X.local_name(name)
            if is_end:
                if local == b"workbook":
                    break
                continue
            if local == b"definedName":
                names += 1
                if names > self.limits.max_defined_names:
                    raise FileProblem(
                        f"工作簿中定义的名称超过上限{amount('max_defined_names', limits=self.limits)}，"
                        "已拒绝读取（请在“公式 → 名称管理器”中删除不用的名称）"
                    )
            elif local == b"sheet":
                rid = state = None
                title = b""
                for k, v in X.attrs(raw):
                    if k == b"name":
                        title = v
                    elif k == b"state":
                        state = v
                    elif k == b"id" or k.endswith(b":id"):
                        rid = v
                target, kind = rels.get(rid, ("", ""))  # none: calamine refuses the workbook itself
                if "&" in target:
                    raise FileProblem("工作簿的部件名称无法识别，文件已损坏或被改动过")
                path = target[1:] if target.startswith("/") else self.xl + target
                out.append(
                    SheetPart(
                        name=_unescape(title.decode("utf-8", "replace")),
                        kind=kind.rsplit("/", 1)[-1],
                        state=(state or b"visible").decode("ascii", "replace"),
                        member=self.find(path) if target else None,
                    )
                )
        return out

    def _check_shared_strings(self) -> None:
        """calamine reads every shared string when the workbook is opened, and first reserves room
        for as many as the `uniqueCount` attribute claims: both must be what a real workbook holds
        (no more strings than cells may be read; a count the part can hold, at five bytes each)."""
        info = self.find(self.xl + "sharedStrings.xml")
        if info is None:
            return
        room = info.file_size // 5 + 16
        strings = 0
        with self.zf.open(info) as f:
            tail = b""
            while chunk := f.read(X.CHUNK):
                buf = tail + chunk
                for m in re.finditer(rb"uniqueCount([^>]{0,64})", buf):
                    digits = re.sub(rb"[^0-9]", b"", m.group(1))
                    if digits and (len(digits) > 12 or int(digits) > room):
                        raise FileProblem(
                            "工作簿的共享字符串表声明的字符串个数与内容不符，文件已损坏或被改动过，已拒绝读取"
                        )
                cut = max(len(buf) - 80, 0)
                strings += buf.count(b"<si", 0, cut) + buf.count(b":si", 0, cut)
                tail = buf[cut:]
            strings += tail.count(b"<si") + tail.count(b":si")
        if strings > self.limits.max_workbook_cells:
            raise FileProblem(
                f"工作簿中有约{strings:,}个不同的文字（共享字符串），超过单元格上限"
                f"{amount('max_workbook_cells', limits=self.limits)}，已拒绝读取"
            )


_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(3):
            return _NAMED[m.group(3)]
        try:
            return chr(int(m.group(1)) if m.group(1) else int(m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _ENTITY.sub(one, text)


def _sheet_paths(zf: zipfile.ZipFile, limits: Limits = DEFAULT_LIMITS) -> dict[str, str]:
    """Sheet name → the zip member calamine reads for it (for tests and tools; {} if unreadable)."""
    try:
        parts = _Structure(zf, limits).sheets
    except (FileProblem, SheetProblem, KeyError, *ZIP_DAMAGE):
        return {}
    out: dict[str, str] = {}
    for part in parts:
        if part.member is not None:
            out.setdefault(part.name, part.member.filename)
    return out


# --- cells ----------------------------------------------------------------------------------

_FLOAT = float
_STR = str
_DATE = dt.date
_DATETIME = dt.datetime
_EXACT = float(2**53)


def _convert(row: list) -> list:
    """calamine's cells as openpyxl gave them, in place: '' → None, 42.0 → 42, date → datetime."""
    for i, v in enumerate(row):
        t = v.__class__
        if t is _STR:
            if not v:
                row[i] = None
        elif t is _FLOAT:
            if v.is_integer() and -_EXACT <= v <= _EXACT:
                row[i] = int(v)
        elif t is _DATE:  # exactly date: datetime is a subclass
            row[i] = _DATETIME(v.year, v.month, v.day)
    return row


def _panic(exc: BaseException) -> bool:
    """pyo3 turns a Rust panic into PanicException, which derives from BaseException."""
    return type(exc).__name__ == "PanicException"


class Workbook:
    """An .xlsx checked for reading: calamine loads a sheet only after its XML was scanned.

    `rows(name)` gives (row number, cells from column A) for every row from 1 to the last used
    one; the cells budget (`Limits.max_workbook_cells`) counts each sheet from when it is
    loaded until its rows are read to the end or closed.
    """

    def __init__(self, data: bytes, limits: Limits = DEFAULT_LIMITS):
        import python_calamine as pc

        self.pc = pc
        self.limits = limits
        self.used = 0
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            check_zip(self.zf, len(data), limits, ratio=limits.max_xlsx_ratio)
            self.structure = _Structure(self.zf, limits)
        except SheetProblem as p:
            raise FileProblem(f"工作簿的结构文件无法读取（{p.reason}），文件已损坏或被改动过") from None
        except (KeyError, *ZIP_DAMAGE):
            raise FileProblem(DAMAGED) from None
        try:
            self.book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            metadata = list(self.book.sheets_metadata)
        except pc.PasswordError:
            raise FileProblem(ole_reason("EncryptionInfo".encode("utf-16-le"))) from None
        except Exception as exc:  # calamine's errors on malformed parts; none must escape as a traceback
            raise FileProblem(f"{DAMAGED}（{_calamine_reason(exc)}）") from None
        except BaseException as exc:
            if not _panic(exc):
                raise
            raise FileProblem(DAMAGED) from None
        parts = self.structure.sheets
        if len(parts) != len(metadata):
            raise FileProblem("工作簿的工作表清单前后不一致，文件已损坏或被改动过")
        self.parts: dict[str, SheetPart] = {}
        for part, m in zip(parts, metadata, strict=True):
            part.name = m.name
            part.state = (
                "hidden"
                if m.visible == pc.SheetVisibleEnum.Hidden
                else "veryHidden"
                if m.visible == pc.SheetVisibleEnum.VeryHidden
                else "visible"
            )
            self.parts.setdefault(m.name, part)  # calamine finds the first sheet of a name
        self.worksheets = [m.name for m in metadata if m.typ == pc.SheetTypeEnum.WorkSheet]

    def state(self, name: str) -> str:
        return self.parts[name].state

    def load(self, name: str):
        """The calamine sheet `name`, after its XML was scanned and the budget checked."""
        part = self.parts.get(name)
        if part is None or part.member is None:
            raise SheetProblem("工作表的内容在文件中不存在（工作簿已损坏或被其他程序改动过）")
        member = part.member
        limits = self.limits
        room = limits.max_workbook_cells - self.used
        try:
            scan = X.scan_sheet(lambda: self.zf.open(member), limits)
            if scan.cells > room and not scan.exact:
                scan = X.scan_sheet(lambda: self.zf.open(member), limits, precise=True)
        except ZIP_DAMAGE as exc:
            raise SheetProblem(f"工作表的数据已损坏（{type(exc).__name__}）") from None
        if scan.cells > room:
            held = f"（同时读入的其他工作表已占{self.used:,}个）" if self.used else ""
            raise SheetProblem(
                f"工作表已用区域为{scan.max_row:,}行 × {scan.max_col:,}列，共{scan.cells:,}个单元格{held}，"
                f"超过上限{amount('max_workbook_cells', limits=limits)}。"
                "常见原因是远处的行或列中有误填的内容：请删除数据以外的行和列后重新保存",
                limit="max_workbook_cells",
            )
        try:
            sheet = self.book.get_sheet_by_name(name)
        except self.pc.WorksheetNotFound:
            raise SheetProblem("工作表的内容在文件中不存在（工作簿已损坏或被其他程序改动过）") from None
        except Exception as exc:
            raise _Unreadable(_calamine_reason(exc), member) from None
        except BaseException as exc:
            if not _panic(exc):
                raise
            raise _Unreadable("calamine 内部错误", member) from None
        held = sheet.height * sheet.width if sheet.start is not None else 0
        end = sheet.end
        if end is not None and ((end[0] + 1) * (end[1] + 1) > max(scan.cells, 1)):
            # the scan must bound what calamine built; if not, stop before another sheet loads
            raise FileProblem("工作表的读取结果超出了预先检查的范围，为安全起见停止读取本工作簿")
        self.used += held
        return sheet, scan, held

    def rows(self, name: str) -> Iterator[tuple[int, list]]:
        """(1-based row number, cells from column A) of every row up to the last used one."""
        sheet, scan, held = self.load(name)
        return self._rows(sheet, scan, held)

    def _rows(self, sheet, scan: X.SheetScan, held: int) -> Iterator[tuple[int, list]]:
        try:
            start = sheet.start
            if start is None:
                return
            pad = [None] * start[1]  # calamine's rows start at the first used column
            errors: dict[int, list[tuple[int, str]]] = {}
            for (r, c), text in scan.errors.items():
                errors.setdefault(r, []).append((c, text))
            n = 0
            for row in sheet.iter_rows():
                n += 1
                cells = _convert(pad + row if pad else row)
                if errors and n in errors:
                    for c, text in errors[n]:
                        if c <= len(cells):
                            cells[c - 1] = text
                yield n, cells
        finally:
            self.used -= held
            del sheet

    def merges(self, sheet) -> list[tuple[int, int, int, int]]:
        """(min_row, min_col, max_row, max_col), 1-based, of the sheet's merged ranges."""
        out = []
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            out.append((min(r0, r1) + 1, min(c0, c1) + 1, max(r0, r1) + 1, max(c0, c1) + 1))
        return sorted(set(out))

    def meta(self) -> dict | None:
        """The hidden `_fpjc` sheet as {key: value text} (first 50 rows, columns A–B), or None.

        Damage there is not the clerk's data: a sheet that cannot be read gives None.
        """
        if META_SHEET not in self.parts or META_SHEET not in self.worksheets:
            return None
        out: dict = {}
        try:
            rows = self.rows(META_SHEET)
            try:
                for n, row in rows:
                    if n > 50:
                        break
                    if row and row[0] is not None:
                        v = row[1] if len(row) > 1 else None
                        out[str(row[0]).strip()] = None if v is None else str(v).strip()
            finally:
                rows.close()
        except (SheetProblem, FileProblem, _Unreadable):
            return None
        return out

    def close(self) -> None:
        try:
            self.book.close()
        except Exception:  # noqa: BLE001 - closing twice or after an error is harmless
            pass
        self.zf.close()


class _Unreadable(Exception):
    """calamine could not read one sheet (damaged XML or a missing shared string)."""

    def __init__(self, reason: str, member: zipfile.ZipInfo):
        super().__init__(reason)
        self.reason = reason
        self.member = member


def _calamine_reason(exc: BaseException) -> str:
    text = str(exc).strip()
    if "shared strings" in text:
        return "单元格引用的共享字符串不存在"
    if text.startswith("cannot decode") or "utf-8" in text.lower():
        return "含有无法识别的字符"
    return "XML 格式错误" if "XmlError" in type(exc).__name__ or "ill-formed" in text else type(exc).__name__


def open_workbook(
    entry: Entry,
    *,
    emit: Callable[[Finding], None],
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Table], dict, list[tuple[str, str]]]:
    """Tables of every recognised sheet, the input record, and (sheet, form id) of each table."""
    if entry.size == 0:
        raise FileProblem("文件是空的", rule="S002")
    if entry.size > limits.max_file_bytes:
        raise FileProblem(
            f"文件大小{entry.size // MB:,} MB，超过上限{amount('max_file_bytes', limits=limits)}"
        )
    with entry.open() as f:
        data = f.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise FileProblem(f"文件大小超过上限{amount('max_file_bytes', limits=limits)}")
    if not data:
        raise FileProblem("文件是空的", rule="S002")
    head = data[: 64 * 1024]
    if head.startswith(OLE_MAGIC):
        raise FileProblem(ole_reason(head))
    reason = sniff_problem(head)
    if reason:
        raise FileProblem(reason)
    book = Workbook(data, limits)
    del data
    try:
        template_version = template = None
        layout_sheets: set[str] = set()
        meta = book.meta()  # None when there is no version sheet or it cannot be read
        if meta:
            # Both go into the report as they are: only a version number and a known template name
            # are taken, never whatever else the hidden sheet holds (an ID number typed there, say).
            template_version = meta.get("standard_version")
            if template_version is not None and versions.version_tuple(template_version) is None:
                template_version = None
            template = meta.get("template")
            if template not in _templates():
                template = None
            # Printed pages of a template that hold no data (a signature page, say), named by the template.
            layout_sheets = {n for n in (meta.get("layout_sheets") or "").split(",") if n}
            # A county workbook (the 研判 meeting workbook) made on an older standard says so in the
            # county's words (rule K004); one newer than this validator is S023 like any workbook.
            county = bool(template and template.startswith("county"))
            for finding in template_version_findings(template_version, source=entry.name, sheet=META_SHEET):
                if not (county and finding.rule == S.TEMPLATE_OLD.id):
                    emit(finding)
        info = {
            "path": entry.name,
            "kind": "xlsx",
            "encoding": None,
            "sheets": list(book.worksheets),
            "template_version": template_version,
        }
        if template:
            info["template"] = template
        tables = []
        for title in book.worksheets:
            if title in (META_SHEET, INSTRUCTIONS_SHEET) or title in layout_sheets:
                continue
            form_id = H.recognise_name(title)
            if form_id is None and book.state(title) != "visible":
                continue  # hidden helper sheets (drop-down lists) are not data the clerk sees
            try:
                table = _sheet_table(entry, book, title, form_id, emit, limits)
            except (SheetProblem, _Unreadable) as exc:
                reason = f"工作表“{title}”：{exc.reason}"
                emit(
                    S.FILE_UNREADABLE.finding(name=entry.name, reason=reason, source=entry.name, sheet=title)
                )
                continue
            if table is not None:
                if template_version:
                    table.meta["template_version"] = template_version
                tables.append(table)
    finally:
        book.close()  # every table's sheet is loaded: calamine's copy of the file can go
    return tables, info, [(t.sheet, t.resource) for t in tables]


def _sheet_table(entry: Entry, book: Workbook, title: str, form_id, emit, limits: Limits) -> Table | None:
    place = {"source": entry.name, "sheet": title}
    try:
        sheet, scan, held = book.load(title)
        damaged_at = None
    except _Unreadable as exc:
        sheet, scan, held, damaged_at = _salvage(book, title, exc)
    merges = book.merges(sheet)
    rows = book._rows(sheet, scan, held)
    head = []
    for n, r in rows:
        head.append((n, r))
        if n >= limits.header_scan_rows:
            break

    def header_rows_below(row: int) -> int:
        return max((r2 - row for r1, _, r2, _ in merges if r1 == row and r2 > row), default=0)

    layout = locate(
        form_id, head, name=title, place=place, emit=emit, header_rows_below=header_rows_below, limits=limits
    )
    if layout is None:
        rows.close()
        if damaged_at:
            _report_damage(damaged_at, place, form_id, emit)
        return None
    header_row = head[layout.header_index][0]
    data_start = head[layout.data_index][0] if layout.data_index < len(head) else len(head) + 1
    data_merges = [m for m in merges if m[2] >= data_start]
    return Table(
        resource=layout.form_id,
        source=entry.name,
        sheet=title,
        header_row=header_row,
        columns=layout.columns,
        rows=_rows(
            (),
            signatures.data_rows(
                head[layout.data_index :], rows, place={**place, "resource": layout.form_id}, emit=emit
            ),
            len(layout.columns),
            data_merges,
            data_start,
            layout.form_id,
            place,
            emit,
            damaged_at,
        ),
        meta=layout.meta,
    )


def _salvage(book: Workbook, title: str, exc: _Unreadable):
    """A sheet whose XML breaks off: read the rows before the break, say where it broke.

    calamine reads a sheet whole, so a sheet part cut off in the middle (a copy interrupted
    while the zip itself stayed intact) yields nothing. The part up to its last complete row,
    closed properly, is given to calamine in a workbook of its own; the rows after the break
    are reported as unread. Any other damage leaves the whole sheet unreadable.
    """
    member = exc.member
    try:
        with book.zf.open(member) as f:
            xml = f.read()
    except ZIP_DAMAGE:
        raise exc from None
    cut = xml.rfind(b"</row>")
    opened = re.search(rb"<((?:\w+:)?sheetData)\b[^>]*>", xml)
    root = re.search(rb"<((?:\w+:)?worksheet)\b", xml)
    if cut < 0 or opened is None or root is None or cut < opened.end():
        raise exc
    fixed = xml[: cut + 6] + b"</" + opened.group(1) + b"></" + root.group(1) + b">"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in book.zf.infolist():
            out.writestr(info.filename, fixed if info is member else book.zf.read(info))
    try:
        part = Workbook(
            buf.getvalue(), book.limits.with_(max_workbook_cells=book.limits.max_workbook_cells - book.used)
        )
        try:
            sheet, scan, held = part.load(title)
        finally:
            part.close()  # the loaded sheet holds its own cells
    except (FileProblem, SheetProblem, _Unreadable):
        raise exc from None
    book.used += held
    tag = max(xml.rfind(b"<row", 0, cut), xml.rfind(b":row", 0, cut))
    last = re.match(rb'[<:]row\b[^>]*?\br="([0-9]+)"', xml[tag : tag + 4096]) if tag >= 0 else None
    last_row = int(last.group(1)) if last else (sheet.end[0] + 1 if sheet.end else 0)
    return sheet, scan, held, last_row + 1


def _report_damage(at: int, place: dict, resource: str | None, emit, why: str = "已损坏") -> None:
    reason = f"工作表“{place['sheet']}”第{at}行起{why}，其后的行未检查"
    where = {**place, "resource": resource}
    emit(S.FILE_UNREADABLE.finding(name=place["source"], reason=reason, row=at, **where))


def _blank(c) -> bool:
    return c is None or (c.__class__ is str and not c.strip())


def _rows(
    head_rows, rows, ncols, merges, data_start, resource, place, emit, damaged_at
) -> Iterator[tuple[int, list]]:
    """Data rows (row number, cells); merged ranges are filled with their top-left value."""
    place = {**place, "resource": resource}
    by_start: dict[int, list] = {}
    for m in merges:
        by_start.setdefault(max(m[0], data_start), []).append(m)
    active: list = []  # [max_row, min_col, max_col, value]
    blank_at = blank_count = 0

    def all_rows():
        for n, r in head_rows:
            yield n, list(r)  # the header search keeps its own copy
        yield from rows

    stream = all_rows()
    n = 0
    try:
        while True:
            try:
                n, row = next(stream)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - calamine hands rows over from memory; defensive
                _report_damage(n + 1, place, resource, emit, f"无法读取（{type(exc).__name__}）")
                return
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
        if damaged_at:
            _report_damage(damaged_at, place, resource, emit)
    finally:
        rows.close()
