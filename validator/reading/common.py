"""Plain data shared by the readers: input entries, the limits every reader enforces, file problems.

`Limits` is the one place where the reading layer's bounds live: what each limit bounds, its
value on the command line and in the browser, and the words used when it is hit. The
developer page "限制与上限" prints the same table (`limits_table()`), and the tests check
every limit at its edge.
"""

from __future__ import annotations

import io
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import BinaryIO

MB = 1024 * 1024
EXCEL_ROWS = 1_048_576  # the grid of every .xlsx (Excel 2007 and later, WPS, LibreOffice)
EXCEL_COLUMNS = 16_384  # A … XFD


@dataclass(frozen=True)
class Limits:
    """Refuse inputs beyond these bounds instead of hanging or exhausting memory.

    The command-line defaults allow a 10^6-row 附件1 (about 300 MB of CSV, or an xlsx whose sheet
    XML unpacks to about 1.5 GB) and refuse anything far beyond; the browser's are smaller
    (`BROWSER_LIMITS`), because a page has far less memory than a process.
    """

    # Files and packages
    max_file_bytes: int = 1024 * MB  # one CSV / xlsx / zip as stored
    max_zip_members: int = 10_000  # members of one zip or workbook; files of one folder package
    max_zip_total: int = 4096 * MB  # uncompressed bytes of one package (zip members, folder, files given)
    max_zip_ratio: int = 200  # uncompressed / compressed, of a member above 1 MB and of the whole zip
    max_xlsx_ratio: int = 1000  # the same inside a workbook (sheet XML compresses far better than CSV)
    max_descriptor_bytes: int = 4 * MB  # datapackage.json
    max_json_depth: int = 64  # nesting of objects and lists in datapackage.json
    # Workbooks
    max_rows: int = EXCEL_ROWS  # row numbers in a sheet (Excel's grid)
    max_columns: int = EXCEL_COLUMNS  # column numbers in a sheet (Excel's grid)
    max_workbook_cells: int = 32 * EXCEL_ROWS  # cells held at once: used rows × used columns, all sheets read
    max_workbook_xml_bytes: int = 4 * MB  # xl/workbook.xml (sheet list, defined names)
    max_defined_names: int = 10_000  # defined names in xl/workbook.xml
    # Finding the table in the first rows
    header_scan_rows: int = 20  # rows searched for the column headers
    header_scan_columns: int = 256  # cells of each of those rows compared with the forms' headers
    header_cell_chars: int = 200  # a longer cell is not compared (no header is that long)

    def with_(self, **changes) -> Limits:
        return replace(self, **changes)


# The page runs in a WebAssembly process with at most a few GB of address space, shared by the
# Pyodide runtime, the file itself and python-calamine's grid (24 bytes a cell on wasm32, plus
# each text): 8 M cells is a 350,000-row 附件1.
BROWSER_LIMITS = Limits(max_file_bytes=256 * MB, max_zip_total=1024 * MB, max_workbook_cells=8 * EXCEL_ROWS)
CLI_LIMITS = Limits()
DEFAULT_LIMITS = BROWSER_LIMITS if sys.platform == "emscripten" else CLI_LIMITS

# What each limit bounds and how much of it is allowed, in the words of the developer page and of
# the messages (unit: the noun the value counts). Order: as on the page.
LIMIT_TEXT: dict[str, tuple[str, str]] = {
    "max_file_bytes": ("单个文件（CSV、xlsx、zip）的大小", "字节"),
    "max_zip_members": ("一个压缩包或工作簿中的成员数；一个报送包文件夹中的文件数", "个"),
    "max_zip_total": (
        "一个报送包解压后的总大小（zip 的全部成员、文件夹中读取的全部文件、网页上选择的全部文件）",
        "字节",
    ),
    "max_zip_ratio": ("压缩比（解压后 ÷ 压缩后）：压缩包中大于 1 MB 的成员，以及整个压缩包", "倍"),
    "max_xlsx_ratio": ("工作簿内部成员的压缩比（大于 1 MB 的成员，以及整个工作簿）", "倍"),
    "max_descriptor_bytes": ("datapackage.json 的大小", "字节"),
    "max_json_depth": ("datapackage.json 中对象和列表的嵌套层数", "层"),
    "max_rows": ("工作表的行号（Excel 的网格）", "行"),
    "max_columns": ("工作表的列号（Excel 的网格，A 到 XFD）", "列"),
    "max_workbook_cells": (
        "一个工作簿同时读入的单元格数：每张读取的工作表从 A1 到最后一个有内容的单元格所围成的矩形，各表相加；"
        "共享字符串（工作簿中不同文字）的个数也不得超过此数",
        "个",
    ),
    "max_workbook_xml_bytes": ("工作簿的结构部件（xl/workbook.xml 及其关系文件）的大小", "字节"),
    "max_defined_names": ("工作簿中定义的名称（名称管理器中的条目）", "个"),
    "header_scan_rows": ("查找列标题行时查看的前几行", "行"),
    "header_scan_columns": ("查找列标题行时，每行查看的单元格数", "个"),
    "header_cell_chars": ("查找列标题行时，参与比较的单元格的最大长度（更长的不可能是列标题）", "个字符"),
}


def amount(name: str, value: int | None = None, limits: Limits | None = None) -> str:
    """A limit's value as a clerk reads it: "1024 MB", "10,000个", "20行"."""
    if value is None:
        value = getattr(limits or DEFAULT_LIMITS, name)
    unit = LIMIT_TEXT[name][1]
    if unit == "字节":
        return f"{value / MB:g} MB" if value >= MB else f"{value:,}字节"
    return f"{value:,}{unit}"


def limits_table() -> list[tuple[str, str, str, str]]:
    """(what, field name, command line, browser) for every limit, as the developer page prints them."""
    names = [f.name for f in fields(Limits)]
    assert set(names) == set(LIMIT_TEXT), "every limit needs its words in LIMIT_TEXT"
    return [
        (LIMIT_TEXT[n][0], n, amount(n, getattr(CLI_LIMITS, n)), amount(n, getattr(BROWSER_LIMITS, n)))
        for n in LIMIT_TEXT
    ]


@dataclass
class Entry:
    """One file of the input, wherever it lives (disk, zip member, bytes from the browser)."""

    name: str  # path relative to the package root, '/'-separated ("annex1.csv", "data/附件1.csv")
    size: int
    opener: Callable[[], BinaryIO]
    path: str | None = None  # real file system path when there is one
    refused: str | None = None  # why it must not be opened (a link out of the package, a FIFO …)

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def stem(self) -> str:
        b = self.basename
        return b.rsplit(".", 1)[0] if "." in b else b

    @property
    def suffix(self) -> str:
        b = self.basename
        return "." + b.rsplit(".", 1)[-1].lower() if "." in b else ""

    def open(self) -> BinaryIO:
        if self.refused:
            raise FileProblem(self.refused)
        return self.opener()

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Entry:
        return cls(name=name, size=len(data), opener=lambda: io.BytesIO(data))


# Everything opening or reading a damaged zip (a workbook is one) can raise: zipfile's own error,
# a corrupt stream, a truncated or unreadable file, bad offsets (ValueError), a version or
# compression method zipfile does not know (NotImplementedError, e.g. "zip file version 22.7"
# from one changed byte), an encrypted member (RuntimeError). Every reader catches all of them.
ZIP_DAMAGE: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


class FileProblem(Exception):
    """One file cannot be read. In a package it becomes an S001/S002 finding; alone, an InputError."""

    def __init__(self, reason: str, *, rule: str = "S001"):
        super().__init__(reason)
        self.reason = reason
        self.rule = rule


def over_limit(name: str, found: str, limits: Limits, *, what: str | None = None) -> str:
    """The sentence for a limit that was hit: what was found, the limit's words and value."""
    return f"{what or LIMIT_TEXT[name][0]}为{found}，超过上限{amount(name, getattr(limits, name))}"


def json_depth(data: bytes) -> int:
    """Deepest nesting of objects and lists in JSON text, counted without parsing (linear, no recursion).

    Brackets inside strings do not count; the text need not be valid JSON.
    """
    import re
    from array import array
    from itertools import accumulate

    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", data, flags=re.S)
    table = bytearray(256)
    table[ord("[")] = table[ord("{")] = 1
    table[ord("]")] = table[ord("}")] = 255  # -1 as a signed byte
    steps = array("b", text.translate(bytes(table)).replace(b"\0", b""))
    return max(accumulate(steps), default=0)
