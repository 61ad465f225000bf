"""The county's 研判 record read back: checked, traced to the month's packages, its decisions kept.

A county record (the filled meeting workbook, or 研判会议 + 县级研判表 as CSV) is a package of
its own: `read_record` validates it with the county rules (K) and, given the month's township
packages (`reported_index` of their intake), traces every household back to the package that
reported it. It returns the report and the parsed rows, which is what the feedback sheets and
the household ledger start from:

    record = read_record([path], reported=index, today=day)
    record.report["valid"]        # False: do not feed back (or file) it
    record.meeting                # {"county", "report_month", "meeting_date", "departments", ...}
    record.households             # one dict per 县级研判表 row: field name → parsed value,
                                  #   plus "_row" (the row the clerk sees) and "_source" (file)
    record.marking                # rows of a filled 全国系统标注清单, if the package has one

Values are parsed as everywhere in fpjc: dates are `datetime.date`, months the first day of
the month, list cells tuples of canonical labels, ID numbers normalised strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from validator.county.intake import PackageResult, check_package, find_packages
from validator.engine import validate_package
from validator.reading import open_files, open_package
from validator.settings import Settings, builtin
from validator.tables import COUNTY_MEETING, COUNTY_RECORD, Reported, ReportedHousehold
from validator.values.idnumber import household_key

MARKING = "county_marking"


@dataclass
class CountyRecord:
    """A county record as checked (see the module docstring)."""

    report: dict
    meeting: dict | None = None
    households: list[dict] = field(default_factory=list)
    marking: list[dict] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])

    @property
    def month(self) -> str | None:
        month = (self.meeting or {}).get("report_month")
        return f"{month.year:04d}-{month.month:02d}" if month else None


def reported_index(results: list[PackageResult], rollup: dict) -> Reported:
    """The households of the month's township packages (those the roll-up counts for its month).

    Every readable township package of the month is indexed, accepted for the meeting or not;
    unreadable packages are named, since their households cannot be traced.
    """
    counted = {p["entry"] for p in rollup["packages"] if p.get("counted")}
    index = Reported(month=rollup.get("month"))
    for result in results:
        item = result.item
        if not item["readable"]:
            index.unreadable.append((item["entry"], item["problem"]))
            continue
        if item["entry"] not in counted:
            continue
        index.packages.append(item["entry"])
        for h in result.households:
            values = h["values"]
            key = household_key(values["head_id"])
            index.households.setdefault(
                key,
                ReportedHousehold(
                    township=item["township"],
                    resource=h["resource"],
                    row=h["row"],
                    package=item["entry"],
                    source=h.get("file"),
                    verify_date=values.get("verify_date"),
                ),
            )
    return index


def index_folder(
    folder: str | Path, *, today: dt.date, month: str | None = None, settings: Settings | None = None
) -> tuple[Reported, dict]:
    """The month's township households of a folder of packages (one process), and its roll-up.

    Raises `InputError` when the folder cannot be read.
    """
    from validator.county.rollup import summarise

    settings = settings or builtin()
    entries, ignored = find_packages(folder)
    results = [check_package(e, name=e.name, today=today, keep_rows=True, settings=settings) for e in entries]
    items = [r.item for r in results]
    rollup = summarise(items, ignored, month=month, today=today, options={}, settings=settings)
    return reported_index(results, rollup), rollup


def read_record(
    source: list[Path | str] | list[tuple[str, bytes]],
    *,
    today: dt.date | None = None,
    reported: Reported | None = None,
    show_personal_data: bool = False,
    name: str | None = None,
    packages: str | None = None,
    settings: Settings | None = None,
) -> CountyRecord:
    """Check a county record (paths, or (file name, bytes) as the browser gives them).

    `reported` is the month's township households (`reported_index`); `packages` names where
    they came from, for the report.
    Raises `InputError` when nothing can be read.
    """
    today = today or dt.date.today()
    kept = CountyRecord(report={})

    def observe(place, row: int, values: dict) -> None:
        if place.resource == COUNTY_MEETING:
            if kept.meeting is None:
                kept.meeting = values
        elif place.resource == COUNTY_RECORD:
            kept.households.append({**values, "_row": row, "_source": place.source})
        elif place.resource == MARKING:
            kept.marking.append({**values, "_row": row, "_source": place.source})

    if source and isinstance(source[0], tuple):
        package = open_files(list(source), name=name)
    else:
        package = open_package([Path(p) for p in source], name=name)
    kept.report = validate_package(
        package,
        today=today,
        reported=reported,
        show_personal_data=show_personal_data,
        observe=observe,
        options={"packages": packages} if packages else {},
        settings=settings,
    )
    return kept
