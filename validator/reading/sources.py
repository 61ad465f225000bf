"""Inputs to tables: paths, folders, zips, in-memory files and datapackage.json descriptors.

Every input becomes a set of `Entry`s (files relative to a package root); nothing is ever
extracted to disk, fetched from the network or opened outside the package. A file that
cannot be read becomes a finding when other files could be read, and an `InputError` (exit
status 2) when nothing could.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from validator import standard
from validator.findings import Finding, FindingList
from validator.reading import headers as H
from validator.reading import rules as S
from validator.reading.common import (
    DEFAULT_LIMITS,
    MB,
    ZIP_DAMAGE,
    Entry,
    FileProblem,
    Limits,
    amount,
    json_depth,
)
from validator.reading.csvfile import open_csv
from validator.reading.template_version import descriptor_version, template_version_findings
from validator.reading.xlsxfile import OLE_MAGIC, check_zip, ole_reason, open_workbook
from validator.tables import InputError, Package, Table

CSV_SUFFIXES = (".csv", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Spreadsheets the validator does not read, each named so the clerk knows what to do.
OTHER_SHEETS = {
    ".ods": "这是 OpenDocument 表格（.ods），不能直接读取。请用 WPS、LibreOffice 或 Excel 打开，"
    "另存为“Excel 工作簿（*.xlsx）”后重新检查",
    ".xlsb": "这是 Excel 二进制工作簿（.xlsb），不能直接读取。请在 Excel 中打开，"
    "另存为“Excel 工作簿（*.xlsx）”后重新检查",
    ".et": "这是 WPS 表格格式（.et），不能直接读取。请在 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后重新检查",
    ".numbers": "这是 Apple Numbers 表格，不能直接读取。请导出为 Excel（.xlsx）后重新检查",
}
DATA_SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + (".xls", *OTHER_SHEETS)
DESCRIPTOR = "datapackage.json"
REFUSED_LINK = "是指向报送包以外的链接"
REFUSED_SPECIAL = "不是普通文件（是命名管道、设备或套接字）"
_IGNORED = re.compile(r"^(\.|~\$|__MACOSX$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


class _Collector:
    """Accumulates tables, findings and input records while the inputs are opened."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.tables: dict[str, Table] = {}
        self.findings: list[Finding] = FindingList()  # the engine drains it while rows stream
        self.inputs: list[dict] = []
        self.problems: list[tuple[str, FileProblem]] = []  # (file name, problem)
        self.readable = 0
        self.read_bytes = 0  # of every file opened, for Limits.max_zip_total

    def emit(self, f: Finding) -> None:
        self.findings.append(f)

    def add_table(self, t: Table) -> None:
        seq_at = next((i for i, c in enumerate(t.columns) if c.field == "seq"), None)
        if seq_at is not None:
            place = {"resource": t.resource, "source": t.source, "sheet": t.sheet}
            t.rows = _without_numbered_only_rows(t.rows, seq_at, len(t.columns), place, self.emit)
        first = self.tables.get(t.resource)
        if first is None:
            self.tables[t.resource] = t
            return

        def where(x: Table) -> str:
            return f"{x.source}（工作表 {x.sheet}）" if x.sheet else x.source

        self.emit(
            S.DUPLICATE_RESOURCE.finding(
                name=where(t),
                first=where(first),
                title=H.form_label(t.resource),
                resource=t.resource,
                source=t.source,
                sheet=t.sheet,
            )
        )
        _close(t)

    def read(self, entry: Entry, *, form_id: str | None = None, kind: str | None = None) -> None:
        """Read one data file; file-level problems are recorded, never raised."""
        try:
            if entry.refused:
                raise FileProblem(f"该文件{entry.refused}，为安全起见未读取")
            kind = kind or _kind(entry)
            if entry.size > self.limits.max_file_bytes:
                raise FileProblem(
                    f"文件大小{entry.size / MB:,.0f} MB，超过上限{amount('max_file_bytes', limits=self.limits)}"
                )
            self.read_bytes += entry.size
            if self.read_bytes > self.limits.max_zip_total:
                raise FileProblem(
                    f"报送包中读取的文件合计已超过上限{amount('max_zip_total', limits=self.limits)}，"
                    "本文件及其后的文件未读取"
                )
            if kind in OTHER_SHEETS:
                raise FileProblem(OTHER_SHEETS[kind])
            if kind == "xls":
                with entry.open() as f:
                    raise FileProblem(ole_reason(f.read(64 * 1024)))
            if kind == "xlsx":
                tables, info, _ = open_workbook(entry, emit=self.emit, limits=self.limits)
                self.inputs.append(info)
                for t in tables:
                    self.add_table(t)
            else:
                form_id = form_id or H.recognise_name(entry.stem)
                table, info = open_csv(entry, form_id=form_id, emit=self.emit)
                self.inputs.append(info)
                if table is not None:
                    self.add_table(table)
            self.readable += 1
        except (*ZIP_DAMAGE, UnicodeError) as exc:
            # a damaged zip member or unreadable file: CRC errors surface only while reading
            self._problem(entry, kind, FileProblem(f"文件已损坏或无法读取（{type(exc).__name__}）"))
        except FileProblem as p:
            self._problem(entry, kind, p)
        except MemoryError:
            self._problem(entry, kind, FileProblem("文件太大，内存不足，无法读取"))

    def _problem(self, entry: Entry, kind: str | None, p: FileProblem) -> None:
        self.problems.append((entry.name, p))
        kind = kind or ("csv" if entry.suffix in CSV_SUFFIXES else "xlsx")
        self.inputs.append(
            {
                "path": entry.name,
                "kind": "csv" if kind == "csv" else "xlsx",
                "encoding": None,
                "sheets": None,
                "template_version": None,
                "error": p.reason,
            }
        )

    def package(self, name: str) -> Package:
        if self.readable == 0:
            if self.problems:
                raise InputError("；".join(f"{n}：{p.reason}" for n, p in self.problems))
            why = "；".join(f.message for f in self.findings if f.severity == "error")
            raise InputError("没有找到可检查的 .xlsx 或 .csv 文件" + (f"（{why}）" if why else ""))
        for n, p in self.problems:
            r = S.EMPTY_FILE if p.rule == "S002" else S.FILE_UNREADABLE
            self.emit(r.finding(name=n, reason=p.reason, source=n))
        # A county record (研判会议 and 县级研判表) has a cover of its own and no township manifest.
        county = any(standard.form(r)["kind"] == "county" for r in self.tables)
        if "manifest" not in self.tables and not county:
            self.emit(S.MANIFEST_MISSING.finding())
        order = {f["id"]: i for i, f in enumerate(standard.forms())}
        tables = sorted(self.tables.values(), key=lambda t: order.get(t.resource, 99))
        return Package(tables=tables, findings=self.findings, inputs=self.inputs, name=name)


def _without_numbered_only_rows(rows, seq_at: int, ncols: int, place: dict, emit):
    """Rows with nothing but a 序号 are unused rows of a pre-numbered form: skip them like
    blank rows (no 'required value missing' for every cell), and warn when data follows."""
    others = [i for i in range(ncols) if i != seq_at]
    start = count = 0
    try:
        for n, row in rows:
            for i in others:  # a filled row stops at its first non-blank cell
                c = row[i]
                if c is not None and (c.__class__ is not str or c.strip()):
                    break
            else:
                if not count:
                    start = n
                count += 1
                continue
            if count:
                emit(S.NUMBERED_ONLY_ROWS.finding(start=start, count=count, row=start, **place))
                count = 0
            yield n, row
    finally:
        close = getattr(rows, "close", None)
        if close:
            close()


def _close(t: Table) -> None:
    close = getattr(t.rows, "close", None)
    if close:
        close()


def _kind(entry: Entry) -> str:
    suffix = entry.suffix
    if suffix in OTHER_SHEETS:
        return suffix
    if suffix in XLSX_SUFFIXES:
        return _zip_kind(entry) if suffix == ".xlsx" else "xlsx"
    if suffix == ".xls":
        return "xls"
    if suffix in CSV_SUFFIXES:
        return "csv"
    with entry.open() as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        return _zip_kind(entry)
    if head.startswith(OLE_MAGIC):
        return "xls"
    return "csv"


def _zip_kind(entry: Entry) -> str:
    """ "xlsx", ".ods" or ".xlsb" by the members of a zip-based spreadsheet (a renamed file says
    what it really is); "xlsx" when it cannot be told (the workbook reader explains then)."""
    try:
        with entry.open() as f, zipfile.ZipFile(f) as zf:
            return _zip_kind_of(zf) or "xlsx"
    except ZIP_DAMAGE:
        return "xlsx"


def _zip_kind_of(zf: zipfile.ZipFile) -> str | None:
    names = {n.lower() for n in zf.namelist()[:10_000]}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return ".xlsb"
    if "mimetype" in names and "content.xml" in names:
        try:
            if zf.read("mimetype")[:100].startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                return ".ods"
        except (KeyError, *ZIP_DAMAGE):
            return None
    return None


# --- packages: a set of entries under one root ---------------------------------------------


def _read_entries(c: _Collector, entries: dict[str, Entry]) -> None:
    """A package root: datapackage.json resources if present, else every data file by name."""
    descriptor = entries.get(DESCRIPTOR)
    if descriptor is not None:
        listed = _read_descriptor(c, descriptor, entries)
        if listed is not None:
            for name, e in sorted(entries.items()):
                if (
                    name not in listed
                    and name != DESCRIPTOR
                    and "/" not in name
                    and not _IGNORED.match(e.basename)
                ):
                    c.emit(
                        S.FILE_NOT_CHECKED.finding(name=name, why="没有列在 datapackage.json 中", source=name)
                    )
            return
    top = [e for n, e in sorted(entries.items()) if "/" not in n and n != DESCRIPTOR]
    for e in top:
        if _IGNORED.match(e.basename):
            continue
        if e.suffix in DATA_SUFFIXES or e.refused:
            c.read(e)
        else:
            c.emit(S.FILE_NOT_CHECKED.finding(name=e.name, why="不是 .xlsx 或 .csv 数据文件", source=e.name))
    if not top:
        subdirs = {n.split("/", 1)[0] for n in entries if "/" in n}
        if len(subdirs) == 1:  # a package zipped together with its folder
            d = subdirs.pop()
            _read_entries(c, {n[len(d) + 1 :]: e for n, e in entries.items() if n.startswith(d + "/")})


def unsafe_path(path: object) -> str | None:
    """Why a descriptor path must not be opened (Chinese), or None when it stays inside the package."""
    if not isinstance(path, str) or not path.strip():
        return "不是文件路径"
    p = path.strip()
    if (
        re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", p)
        or p.startswith("//")
        or p.lower().startswith(("http:", "https:", "ftp:", "file:", "data:"))
    ):
        return "是网址（校验器不联网）"
    if p.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", p):
        return "是绝对路径"
    if ".." in re.split(r"[\\/]", p):
        return "指向报送包以外（含 ..）"
    return None


def _read_descriptor(c: _Collector, descriptor: Entry, entries: dict[str, Entry]) -> set[str] | None:
    """Read the resources a datapackage.json lists; None when it is unusable (then go by names)."""
    limits = c.limits
    try:
        if descriptor.refused:
            raise TypeError(f"该文件{descriptor.refused}，为安全起见未读取")
        with descriptor.open() as f:
            raw = f.read(limits.max_descriptor_bytes + 1)
        if len(raw) > limits.max_descriptor_bytes:
            raise TypeError(f"文件超过上限{amount('max_descriptor_bytes', limits=limits)}")
        depth = json_depth(raw)
        if depth > limits.max_json_depth:
            raise TypeError(f"对象和列表嵌套了{depth:,}层，超过上限{amount('max_json_depth', limits=limits)}")
        data = json.loads(raw.decode("utf-8-sig"))
        if not isinstance(data, dict):
            raise TypeError("不是 JSON 对象")
        resources = data["resources"]
        if not isinstance(resources, list):
            raise TypeError("resources 不是列表")
    except RecursionError:
        c.emit(S.DESCRIPTOR_INVALID.finding(reason="嵌套层数过深", source=DESCRIPTOR))
        return None
    except (KeyError, TypeError, *ZIP_DAMAGE) as exc:
        reason = {
            "KeyError": "缺少 resources",
            "UnicodeDecodeError": "不是 UTF-8 文本",
            "JSONDecodeError": "不是有效的 JSON",
        }.get(
            type(exc).__name__,
            "文件已损坏" if isinstance(exc, ZIP_DAMAGE) and not isinstance(exc, ValueError) else str(exc),
        )
        c.emit(S.DESCRIPTOR_INVALID.finding(reason=reason, source=DESCRIPTOR))
        return None
    found = descriptor_version(data)
    c.inputs.append(
        {
            "path": descriptor.name,
            "kind": "datapackage",
            "encoding": None,
            "sheets": None,
            "template_version": found,
        }
    )
    for finding in template_version_findings(found, source=DESCRIPTOR, what=DESCRIPTOR):
        c.emit(finding)
    listed: set[str] = set()
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            continue
        rname = str(res.get("name") or f"#{i + 1}")
        path = res.get("path")
        if isinstance(path, list) and len(path) == 1:
            path = path[0]
        why = unsafe_path(path)
        if why:
            c.emit(S.DESCRIPTOR_PATH_REFUSED.finding(name=rname, path=str(path), why=why, source=DESCRIPTOR))
            continue
        rel = str(PurePosixPath(path.strip().replace("\\", "/")))
        entry = entries.get(rel)
        if entry is None:
            c.emit(S.RESOURCE_FILE_MISSING.finding(name=rname, path=path, source=DESCRIPTOR))
            continue
        if entry.refused:
            c.emit(
                S.DESCRIPTOR_PATH_REFUSED.finding(name=rname, path=path, why=entry.refused, source=DESCRIPTOR)
            )
            listed.add(rel)
            continue
        listed.add(rel)
        form_id = H.recognise_name(rname) or H.recognise_name(entry.stem)
        fmt = str(res.get("format") or "").lower()
        kind = "xlsx" if fmt in ("xlsx", "excel") else "csv" if fmt in ("csv", "tsv") else None
        c.read(entry, form_id=form_id, kind=kind)
    return listed


# --- where entries come from ----------------------------------------------------------------


def _file_entry(path: Path, name: str) -> Entry:
    return Entry(name=name, size=path.stat().st_size, opener=lambda: open(path, "rb"), path=str(path))


def _refused(name: str, why: str) -> Entry:
    return Entry(name=name, size=0, opener=_never, refused=why)


def _never():
    raise FileProblem("未读取")


def folder_entries(root: Path, limits: Limits) -> dict[str, Entry]:
    """Files under a folder (two levels deep at most), never following links out of it.

    Nothing is opened here. A link that leads out of the folder, and anything that is not a
    regular file (a named pipe would block the reader forever, a device never end), becomes a
    refused entry: reported by name when the package is read, never opened.
    """
    real_root = os.path.realpath(root)
    out: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        dirnames[:] = [d for d in sorted(dirnames) if not _IGNORED.match(d)] if depth < 2 else []
        for fn in filenames:
            p = Path(dirpath) / fn
            rel = p.relative_to(root).as_posix()
            try:
                if p.is_symlink():
                    real = os.path.realpath(p)
                    if os.path.commonpath([real_root, real]) != real_root:
                        out[rel] = _refused(rel, REFUSED_LINK)
                        continue
                mode = os.stat(p).st_mode  # follows a link inside the folder; never blocks
            except (OSError, ValueError):
                out[rel] = _refused(rel, "无法访问（链接指向的文件不存在或没有读取权限）")
                continue
            if not stat.S_ISREG(mode):
                out[rel] = _refused(rel, REFUSED_SPECIAL)
                continue
            out[rel] = _file_entry(p, rel)
            if len(out) > limits.max_zip_members:
                raise InputError(
                    f"文件夹中的文件超过上限{amount('max_zip_members', limits=limits)}，请只选择报送包文件夹"
                )
    return out


def zip_entries(source, name: str, limits: Limits) -> tuple[dict[str, Entry], zipfile.ZipFile]:
    """Members of a package zip, refusing zip bombs and members whose names climb out (zip slip)."""
    try:
        zf = zipfile.ZipFile(source)
        check_zip(zf, 0, limits, ratio=limits.max_zip_ratio)
    except FileProblem as p:
        raise InputError(f"{name}：{p.reason}") from None
    except ZIP_DAMAGE:
        raise InputError(f"{name}：压缩文件已损坏或不完整，请重新压缩后再检查") from None
    out: dict[str, Entry] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        raw = info.filename
        if info.flag_bits & 0x800 == 0:
            # Windows zip tools store Chinese names in GBK without the UTF-8 flag.
            try:
                raw = raw.encode("cp437").decode("gb18030")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        if unsafe_path(raw) or raw.startswith("__MACOSX/"):
            if not raw.startswith("__MACOSX/"):
                raise InputError(
                    f"{name}：压缩文件中的“{raw}”{unsafe_path(raw)}，为安全起见拒绝读取整个压缩文件"
                )
            continue
        if info.flag_bits & 0x1:
            raise InputError(f"{name}：压缩文件设置了密码，请解压后直接检查文件夹")
        rel = str(PurePosixPath(raw.replace("\\", "/")))
        if stat.S_ISLNK(info.external_attr >> 16):
            out[rel] = _refused(rel, "是压缩包中的符号链接")
            continue
        out[rel] = Entry(name=rel, size=info.file_size, opener=lambda info=info: zf.open(info))
    return out, zf


def _read_path(c: _Collector, p: Path) -> None:
    try:
        mode = os.stat(p).st_mode  # never blocks, even on a named pipe
    except (OSError, ValueError):
        raise InputError(f"找不到文件或文件夹：{p}") from None
    if not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        raise InputError(f"{p}：{REFUSED_SPECIAL}，已拒绝读取；请指定报送包文件夹、.zip、.xlsx 或 .csv 文件")
    if stat.S_ISDIR(mode):
        c.inputs.append(
            {"path": str(p), "kind": "folder", "encoding": None, "sheets": None, "template_version": None}
        )
        _read_entries(c, folder_entries(p, c.limits))
        return
    if p.name == DESCRIPTOR:
        _read_entries(c, folder_entries(p.parent, c.limits))
        return
    e = _file_entry(p, p.name)
    _read_entry(c, e)


def _read_entry(c: _Collector, e: Entry) -> None:
    """A single file given directly: a zip package, a workbook or a CSV."""
    if e.size > c.limits.max_file_bytes:
        raise InputError(
            f"{e.name}：文件大小 {e.size // 1024 // 1024} MB，超过上限 {c.limits.max_file_bytes // 1024 // 1024} MB"
        )
    if e.suffix in OTHER_SHEETS:
        raise InputError(f"{e.name}：{OTHER_SHEETS[e.suffix]}")
    if e.suffix == ".zip" or (e.suffix not in XLSX_SUFFIXES and _is_package_zip(e)):
        source = e.path or e.open()
        entries, _zf = zip_entries(source, e.name, c.limits)
        c.inputs.append(
            {"path": e.name, "kind": "zip", "encoding": None, "sheets": None, "template_version": None}
        )
        _read_entries(c, entries)
        return
    if e.suffix not in DATA_SUFFIXES and e.suffix:
        with e.open() as f:
            head = f.read(8)
        if not head.startswith((b"PK", OLE_MAGIC)) and e.suffix not in (".txt",):
            raise InputError(
                f"{e.name}：不支持的文件类型“{e.suffix}”，请提供 .xlsx、.csv、.zip 或报送包文件夹"
            )
    c.read(e)


def _is_package_zip(e: Entry) -> bool:
    """A zip of package files (not a workbook, and not another kind of spreadsheet)."""
    with e.open() as f:
        head = f.read(4)
    if not head.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(e.path or e.open()) as zf:
            return _zip_kind_of(zf) is None
    except ZIP_DAMAGE:
        return False


def open_paths(paths, *, name: str | None, limits: Limits = DEFAULT_LIMITS) -> Package:
    if not paths:
        raise InputError("没有指定要检查的文件或文件夹")
    c = _Collector(limits)
    for p in paths:
        _read_path(c, Path(p))
    return c.package(name if name is not None else ", ".join(str(p) for p in paths))


def open_bytes(files, *, name: str | None, limits: Limits = DEFAULT_LIMITS) -> Package:
    if not files:
        raise InputError("没有提供要检查的文件")
    c = _Collector(limits)
    entries = {}
    for n, data in files:
        key = str(PurePosixPath(n.replace("\\", "/")))
        entries[key] = Entry.from_bytes(key, data)
    if any(unsafe_path(n) for n in entries):
        raise InputError("文件名含有不安全的路径")
    if len(entries) == 1 or any("/" in n for n in entries) or DESCRIPTOR in entries:
        # one file, or a folder the browser handed over with relative paths
        if len(entries) == 1 and DESCRIPTOR not in entries:
            _read_entry(c, next(iter(entries.values())))
        else:
            _read_entries(c, entries)
    else:
        for e in entries.values():
            if e.suffix == ".zip":
                _read_entry(c, e)
        _read_entries(c, {n: e for n, e in entries.items() if e.suffix != ".zip"})
    return c.package(name if name is not None else ", ".join(n for n, _ in files))
