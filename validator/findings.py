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


def sort_key(f: Finding) -> tuple:
    """Deterministic order: by resource order, then row, then column, then rule."""
    order = {"manifest": 0, "annex1": 1, "annex2": 2, "annex3": 3}
    # Table order first, so a CSV folder (manifest.csv sorts after annex1.csv) and a workbook
    # list their findings the same way.
    return (
        order.get(f.resource or "", 9 if f.resource else -1),
        f.resource or "",
        f.source or "",
        f.row if f.row is not None else -1,
        _col_index(f.cell),
        f.rule,
        f.message,
    )


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
