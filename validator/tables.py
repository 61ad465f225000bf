"""What the reading layer hands to the checks: tables of raw cells, streamed.

Readers (CSV in any supported encoding, xlsx sheets, folders, zips, data package
descriptors) all produce `Table`s with the same shape, so checks never care where a cell
came from. Cells are raw: `str` from CSV; from xlsx whatever openpyxl gives (str, int,
float, bool, datetime, date, time or None). Parsing and checking happen downstream.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from validator.findings import Finding


@dataclass(slots=True)
class Column:
    index: int  # 0-based position in the file / sheet
    letter: str  # A1 column letters as the user sees them ("C")
    header: str  # header text as written (stripped)
    field: str | None  # matched field name, None when unknown


@dataclass
class Table:
    resource: str  # form id: manifest, annex1, annex2, annex3, screening, appraisal, ...
    source: str  # file name the user knows (CSV file or workbook)
    sheet: str | None  # sheet name for workbooks, None for CSV
    header_row: int  # 1-based row (CSV line) of the column headers
    columns: list[Column]
    # (row number the user sees, cells aligned with `columns`); fully blank rows are
    # not yielded (the reader reports blank rows between data rows itself).
    rows: Iterable[tuple[int, list]]
    encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig", "gb18030"
    meta: dict = field(default_factory=dict)  # header block (填报单位 …), template version, title


@dataclass
class Package:
    tables: list[Table]  # in standard order; at most one per resource
    findings: list[Finding]  # structure findings the readers already made
    inputs: list[dict]  # one per input: {"path", "kind", "encoding", "sheets", "template_version"}
    name: str = ""  # what the user passed, for report headings


class InputError(Exception):
    """The input cannot be read at all (exit status 2). The message is Chinese, for the user."""
