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
    """A column of a table as found in the file: its position, letters, header and field."""

    index: int  # 0-based position in the file / sheet
    letter: str  # A1 column letters as the user sees them ("C")
    header: str  # header text as written (stripped)
    field: str | None  # matched field name, None when unknown


@dataclass
class Table:
    """One form's table as read: where it is, its columns, and its rows as a stream of raw cells."""

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
    # A CSV file on disk that can also be read from the middle (`reading.csvfile.CsvParts`), so
    # the engine may check a big table in two processes; None for everything else.
    parts: object | None = None


@dataclass
class Package:
    """Everything read from one submission: its tables, the readers' findings and what was read."""

    tables: list[Table]  # in standard order; at most one per resource
    findings: list[Finding]  # structure findings the readers already made
    inputs: list[dict]  # one per input: {"path", "kind", "encoding", "sheets", "template_version"}
    name: str = ""  # what the user passed, for report headings


class InputError(Exception):
    """The input cannot be read at all (exit status 2). The message is Chinese, for the user."""


# The warning each annex records; an earlier package's 附件1/附件2 rows become these.
WARNING_OF = {"annex1": "返贫预警", "annex2": "致贫预警"}
# The county's own record (二（四）): the meeting's one-row cover and one row per household.
COUNTY_MEETING, COUNTY_RECORD = "county_meeting", "county_record"


@dataclass
class History:
    """What earlier accepted packages tell about each household."""

    households: set[int] = field(default_factory=set)  # any table
    warnings: dict[int, set[str]] = field(default_factory=dict)  # key → {返贫预警, 致贫预警}
    released: set[int] = field(default_factory=set)  # 附件3 of an earlier package
    confirmed: set[int] = field(default_factory=set)  # county assessment 认定
    rejected: set[int] = field(default_factory=set)  # county assessment 否定
    # When each household was last warned (附件1/附件2), and when its warning last ended: a
    # release in 附件3 or a county 否定, which lifts the warning (二（四）1) without 附件3.
    warned_on: dict[int, object] = field(default_factory=dict)  # key → datetime.date
    ended_on: dict[int, object] = field(default_factory=dict)  # key → datetime.date
    assessed: bool = False
    packages: list[str] = field(default_factory=list)

    def still_warned(self, key: int) -> bool:
        """Warned earlier and not released or rejected since (a rejection or release on the
        day of the last warning, or one without a date, ends it)."""
        if key not in self.warnings:
            return False
        warned, ended = self.warned_on.get(key), self.ended_on.get(key)
        if ended is None:
            return key not in self.released and key not in self.rejected
        return warned is not None and warned > ended


@dataclass
class Roster:
    keys: set[int]
    bad_rows: list[int]
    source: str


@dataclass(frozen=True)
class ReportedHousehold:
    """Where a township package of the month reported one household (附件1 or 附件2)."""

    township: str | None  # the package's township (manifest, else its rows)
    resource: str  # annex1 | annex2
    row: int  # the row the clerk sees in that table
    package: str  # the package as the county filed it (file or folder name)
    source: str | None = None  # the file inside the package (CSV file or workbook)
    verify_date: object = None  # 乡镇核查日期 (datetime.date) when it parsed


@dataclass
class Reported:
    """The households the month's township packages reported, for the county record checks (K).

    Built by `validator.county` from the month's folder; the checks only read it.
    """

    month: str | None  # YYYY-MM of the packages indexed
    households: dict[int, ReportedHousehold] = field(default_factory=dict)  # household key → where
    packages: list[str] = field(default_factory=list)  # packages whose households are indexed
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (package, why) not indexed
