"""Findings: the plain data every check produces and every report renders.

A finding is one problem (or note) at one place, in the clerk's terms: the file or sheet,
the row number the user sees, the Chinese column title and the A1 cell. Renderers (text,
JSON, HTML, annotated workbook) only read these; checks never format output themselves.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(slots=True)
class Finding:
    """One problem (or note) at one place, in the clerk's terms; `to_dict()` is its JSON form."""

    rule: str  # stable rule ID, e.g. "ID003"
    severity: str  # error | warning | info
    message: str  # Chinese, says what is wrong and what to do
    resource: str | None = None  # manifest, annex1, annex2, annex3, screening, ...; None for the package
    row: int | None = None  # spreadsheet row / CSV line (header on line 1); None for file-level findings
    field: str | None = None  # field name, e.g. "head_id"
    column: str | None = None  # the Chinese column title as in the file, e.g. "户主身份证号"
    cell: str | None = None  # A1 reference in the file as submitted, e.g. "G7"
    source: str | None = None  # file name (CSV) or workbook file name
    sheet: str | None = None  # sheet name for workbooks
    value: str | None = None  # the offending value, masked unless the user asked otherwise
    hint: str | None = None  # how to fix it (from the rule)
    extra: dict = dataclasses.field(default_factory=dict)  # rule-specific details (expected check digit, ...)

    def to_dict(self) -> dict:
        """The finding as the JSON report writes it (report_schema's `findings` items)."""
        d = {
            "rule": self.rule,
            "severity": self.severity,
            "resource": self.resource,
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "cell": self.cell,
            "source": self.source,
            "sheet": self.sheet,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }
        if self.extra:
            d["extra"] = self.extra
        return d


class FindingList(list):
    """The findings a reader makes while its rows stream: a list that hands them on in batches.

    A reader may find something on every row it reads, also on rows it does not hand over
    (unused pre-numbered rows with stray cells), so a consumer that wants them bounded sets
    `drain` (called with this list, which it must empty) instead of waiting for the next row.
    """

    BATCH = 4096

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.drain = None

    def append(self, finding: Finding) -> None:
        super().append(finding)
        if self.drain is not None and len(self) >= self.BATCH:
            self.drain(self)


_TABLE_ORDER = {"manifest": 0, "annex1": 1, "annex2": 2, "annex3": 3}


def sort_key(f: Finding) -> tuple:
    """Deterministic order: by resource order, then row, then column, then rule."""
    # Table order first, so a CSV folder (manifest.csv sorts after annex1.csv) and a workbook
    # list their findings the same way.
    return (
        _TABLE_ORDER.get(f.resource or "", 9 if f.resource else -1),
        f.resource or "",
        f.source or "",
        f.row if f.row is not None else -1,
        _col_index(f.cell),
        f.rule,
        f.message,
    )


# Findings of one rule in one table that a report lists in full; the rest are only counted.
KEEP_PER_RULE = 500


class _Kept:
    """The findings of one rule in one table: how many there were, and the first ones kept."""

    __slots__ = ("total", "severities", "items", "limit")

    def __init__(self) -> None:
        self.total = 0
        self.severities: dict[str, int] = {}  # a rule has one severity, unless a check overrides it
        self.items: list[tuple[tuple, int, Finding]] = []  # (sort key, arrival, finding)
        self.limit: tuple | None = None  # once trimmed: the sort key of the last one kept


class Findings:
    """Every finding counted; of each rule in each table, the first `keep` in report order kept.

    A table with a mistake on every row would otherwise hold millions of findings until the
    report is written. Counts by severity, table and rule stay complete; `omitted()` says, per
    rule and table, how many were counted but not kept. Which findings are kept does not
    depend on the order they arrive in: always the first `keep` of the sorted report (ties in
    arrival order, as a stable sort of all of them would give).
    """

    def __init__(self, keep: int | None = None) -> None:
        self.keep = KEEP_PER_RULE if keep is None else keep
        self._groups: dict[tuple[str, str | None], _Kept] = {}
        self._arrival = 0

    def add(self, f: Finding) -> None:
        """Count a finding and keep it if it is among the first `keep` of its rule and table."""
        group = self._groups.get((f.rule, f.resource))
        if group is None:
            group = self._groups[(f.rule, f.resource)] = _Kept()
        group.total += 1
        severities = group.severities
        severities[f.severity] = severities.get(f.severity, 0) + 1
        key = sort_key(f)
        if group.limit is not None and key >= group.limit:
            return  # after every kept one (a tie arrived later, so it sorts later too)
        self._arrival += 1
        group.items.append((key, self._arrival, f))
        if len(group.items) >= 2 * self.keep:
            _trim(group, self.keep)

    def counter(self, rule: str, severity: str, resource: str | None, source: str | None):
        """`count(row)` for findings of one rule in one table and file, whose row is known first.

        `count(row)` counts a finding at `row` and returns True when the report would not keep
        it, so the caller need not build it; False means: build it and `add` it (which counts
        it). For checks that may find the same thing on every row of a big table.
        """
        group = self._groups.get((rule, resource))
        if group is None:
            group = self._groups[(rule, resource)] = _Kept()
        source = source or ""
        severities = group.severities

        def count(row: int) -> bool:
            limit = group.limit
            if limit is None or row <= limit[3] or limit[2] != source:
                return False
            group.total += 1
            severities[severity] = severities.get(severity, 0) + 1
            return True

        return count

    def merge(self, other: Findings) -> None:
        """Add the counts and kept findings of another `Findings` (a later part of a table).

        Its findings count as arriving after all of ours, in their own order.
        """
        base = self._arrival
        for key, theirs in other._groups.items():
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = _Kept()
            group.total += theirs.total
            for severity, n in theirs.severities.items():
                group.severities[severity] = group.severities.get(severity, 0) + n
            for sort, arrival, f in theirs.items:
                if group.limit is None or sort < group.limit:
                    group.items.append((sort, base + arrival, f))
            if len(group.items) >= 2 * self.keep:
                _trim(group, self.keep)
        self._arrival = base + other._arrival

    def extend(self, findings) -> None:
        for f in findings:
            self.add(f)

    def kept(self) -> list[Finding]:
        """The kept findings in report order."""
        items = []
        for group in self._groups.values():
            if len(group.items) > self.keep:
                _trim(group, self.keep)
            items += group.items
        items.sort(key=_order)
        return [f for _, _, f in items]

    def counts(self) -> dict[tuple[str, str, str | None], int]:
        """(rule, severity, resource) → number of findings, kept or not."""
        return {
            (rule, severity, resource): n
            for (rule, resource), group in self._groups.items()
            for severity, n in group.severities.items()
        }

    def omitted(self) -> list[dict]:
        """Per rule and table with more findings than were kept: rule, resource, total, listed."""
        out = []
        for (rule, resource), group in self._groups.items():
            if group.total > self.keep:
                out.append({"rule": rule, "resource": resource, "total": group.total, "listed": self.keep})
        out.sort(
            key=lambda o: (
                _TABLE_ORDER.get(o["resource"] or "", 9 if o["resource"] else -1),
                o["resource"] or "",
                o["rule"],
            )
        )
        return out


def _order(item: tuple) -> tuple:
    return item[0], item[1]


def _trim(group: _Kept, keep: int) -> None:
    group.items.sort(key=_order)
    del group.items[keep:]
    group.limit = group.items[-1][0]


def _col_index(cell: str | None) -> int:
    if not cell:
        return -1
    n = 0
    for ch in cell:
        if ch.isalpha():
            n = n * 26 + (ord(ch.upper()) - 64)
        else:
            break
    return n


def column_letter(index: int) -> str:
    """0-based column index → A1 letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
