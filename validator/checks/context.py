"""What the row, table, package, stage and history rules share while one package is checked.

The engine fills a `Context` as it streams the tables; rule functions read it and emit
findings through it. Only what cross-table rules need is kept: a compact index of households
(head_id → where it was first seen), and per-household dates only when stage records exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from validator.findings import Finding
from validator.settings import Settings
from validator.tables import History, Reported
from validator.values.mask import mask, scrub_value
from validator.values.workdays import Workdays

# Resource codes packed into the household index (value = row << 4 | code).
RESOURCE_CODES = {
    "manifest": 0,
    "annex1": 1,
    "annex2": 2,
    "annex3": 3,
    "screening": 4,
    "appraisal": 5,
    "verification": 6,
    "assessment": 7,
    "assistance": 8,
    "county_meeting": 9,
    "county_record": 10,
    "county_feedback": 11,
    "county_marking": 12,
}
RESOURCE_BY_CODE = {v: k for k, v in RESOURCE_CODES.items()}
_BLANK_CHARS = " \t\r\n\u3000\u00a0、,，;；"  # a list cell of only separators counts as empty


def pack(row: int, resource: str) -> int:
    return row << 4 | RESOURCE_CODES.get(resource, 15)


def unpack(code: int) -> tuple[int, str]:
    return code >> 4, RESOURCE_BY_CODE.get(code & 15, "?")


@dataclass
class Place:
    """Where a table's cells are, so a rule can point at the exact cell the clerk sees."""

    resource: str
    title: str  # 附件1, 报送信息 …: what the clerk calls the table
    source: str | None
    sheet: str | None
    columns: dict[str, tuple[str, str]]  # field → (header as written, column letters)
    show_personal_data: bool = False
    personal: dict[str, str] = field(default_factory=dict)  # field → name | id_number | phone
    months: frozenset[str] = frozenset()  # fields of type month: shown as 2020-07, not 2020-07-01
    index: dict[str, int] = field(default_factory=dict)  # field → position in a row's cells
    cells: list | tuple = ()  # the raw cells of the row being checked (set by the engine)

    def blank(self, field_name: str) -> bool:
        """Whether the current row left a field empty, as opposed to filling it with something
        invalid: its own check reported that, so a "must be filled" rule must not say it again."""
        i = self.index.get(field_name)
        if i is None or i >= len(self.cells):
            return True
        cell = self.cells[i]
        return cell is None or (isinstance(cell, str) and not cell.strip(_BLANK_CHARS))

    def at(self, row: int | None, field_name: str | None, value=None) -> dict:
        """Finding location keywords for a cell (or a row when field_name is None)."""
        header, letter = self.columns.get(field_name, (None, None)) if field_name else (None, None)
        return {
            "resource": self.resource,
            "row": row,
            "field": field_name,
            "column": header,
            "cell": f"{letter}{row}" if letter and row else None,
            "source": self.source,
            "sheet": self.sheet,
            "value": self.show(field_name, value),
        }

    def show(self, field_name: str | None, value) -> str | None:
        """The value as the report shows it: masked when personal, dates in ISO form."""
        if value is None:
            return None
        if field_name in self.months and isinstance(value, dt.date):
            return f"{value.year}-{value.month:02d}"
        text = _text(value)
        if not self.show_personal_data:
            kind = self.personal.get(field_name or "")
            return mask(kind, text) if kind else scrub_value(text)
        return text

    def where(self, row: int | None) -> str:
        """Human place of a row for messages: “附件1 第5行”."""
        return f"{self.title} 第{row}行" if row else self.title


def _text(value) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Event:
    """One dated step of a household's case (stage records, annexes), for the stage-order rules."""

    stage: int  # 1 申报排查 … 6 警情解除
    date: dt.date
    resource: str
    row: int
    field: str
    detail: str | None = None  # decision / release way / result


STAGES = ("draft", "submit")  # checking a draft before stamping, or what is submitted


@dataclass
class Context:
    today: dt.date
    emit: Callable[[Finding], None]
    workdays: Workdays
    settings: Settings
    stage: str = "draft"
    show_personal_data: bool = False
    places: dict[str, Place] = field(default_factory=dict)  # resource → Place
    manifest: dict | None = None  # parsed values of the manifest's (first) data row
    manifest_row: int | None = None
    manifest_second_row: int | None = None  # a manifest has one data row; where the extra begins
    resources: set[str] = field(default_factory=set)  # resources present in the package
    rows: dict[str, int] = field(default_factory=dict)  # data rows read per resource
    # annex1 + annex2 households: key → pack(row, resource); the one big structure.
    warned: dict[int, int] = field(default_factory=dict)
    # annex3 and stage tables: resource → {key: first row}; these tables are small.
    others: dict[str, dict[int, int]] = field(default_factory=dict)
    track_cases: bool = False  # stage records present: keep per-household events
    cases: dict[int, list[Event]] = field(default_factory=dict)
    outcomes: dict[str, dict[int, tuple[int, str]]] = field(default_factory=dict)  # appraisal/verification
    ended: set[int] = field(default_factory=set)  # cases that stopped at screening/appraisal/verification
    history: History | None = None  # what earlier packages say (reading.history)
    roster: set[int] | None = None
    lines_missing: set[int] = field(default_factory=set)
    checks_not_run: list[dict] = field(default_factory=list)
    # A county record (研判会议 + 县级研判表) rather than a township's monthly package.
    county: bool = False
    inputs: list[dict] = field(default_factory=list)  # the package's inputs as the reader recorded them
    reported: Reported | None = None  # the month's township households, for the county record checks
    meeting: dict | None = None  # parsed values of 研判会议's (first) data row
    meeting_row: int | None = None
    meeting_second_row: int | None = None  # 研判会议 has one data row; where an extra one begins
    # `Findings.counter`: lets a rule that may fire on every row count a finding the report
    # would not keep instead of building it (see `passed`).
    counter: Callable | None = None
    counted: dict = field(default_factory=dict)  # (rule id, resource) → count(row)

    @property
    def report_month(self) -> dt.date | None:
        return (self.manifest or {}).get("report_month")

    @property
    def submitted(self) -> dt.date | None:
        return (self.manifest or {}).get("submitted_date")

    def passed(self, rule, place: Place, row: int | None) -> bool:
        """True when a finding of `rule` at `row` of `place`'s table has just been counted and
        need not be built: the report already lists the first ones of this rule there."""
        if self.counter is None or row is None:
            return False
        count = self.counted.get((rule.id, place.resource))
        if count is None:
            count = self.counter(rule.id, rule.severity, place.resource, place.source)
            self.counted[(rule.id, place.resource)] = count
        return count(row)

    def not_run(self, check: str, reason: str) -> None:
        entry = {"check": check, "reason": reason}
        if entry not in self.checks_not_run:
            self.checks_not_run.append(entry)

    @property
    def submitting(self) -> bool:
        """Checking what is submitted (stamp and deadline are errors), not a draft."""
        return self.stage == "submit"

    def line(self, year: int) -> float | None:
        """The monitoring line of a year from the settings; a year without one is remembered."""
        amount = self.settings.line(year)
        if amount is None:
            self.lines_missing.add(year)
        return amount

    def deadline(self, report_month: dt.date) -> dt.date:
        """The last day to submit the report of `report_month`, under this run's settings."""
        return self.workdays.deadline_for(
            report_month,
            day_of_month=self.settings.day_of_month,
            roll_forward=self.settings.roll_forward,
        )

    def add_event(self, key: int, event: Event) -> None:
        self.cases.setdefault(key, []).append(event)
