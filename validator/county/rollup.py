"""The county's monthly intake: every township package checked on its own, then rolled up.

The county office collects one package per township each month (二（三）). Each package is
taken in by `intake.check_package` — validated by the same engine as `fpjc validate`, with
the submission rules, and counted in the same read — and never merged with another. The
roll-up says per township whether it reported, on time or how many days late, whether it was a
zero report, and which packages can go to the 研判 meeting; it adds up only flows that are
alike. No name, ID number or phone number enters the roll-up, so it can be passed on freely.

Pure: reads packages, returns plain data; printing and writing belong to the command.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import validator
from validator import standard
from validator.county.intake import (
    ADMISSIBLE_ERRORS,
    ANNEXES,
    PackageResult,
    add_counts,
    check_package,
    find_packages,
    group_files,
)
from validator.county.intake import (
    deadline as deadline_for_month,
)
from validator.reading.history import load_history, load_roster
from validator.settings import Settings, builtin
from validator.tables import InputError
from validator.values.mask import scrub_names_in_paths

UNKNOWN_TOWNSHIP = "乡镇不明"

# Why a package does not go to the 研判 meeting (`meeting` of each package).
LEFT_OUT = {
    "unreadable": "无法读取",
    "county_record": "是县级研判记录，不是乡镇报送包",
    "other_month": "不是本月的报送包",
    "no_month": "报告月份不明",
    "duplicate": "同一乡镇本月有两个以上报送包，须先确认以哪一份为准",
    "errors": "有错误，须乡镇改正后重报",
    "unknown_township": "无法确定乡镇",
}


def load_checks(history, roster, *, today: dt.date, settings: Settings | None = None):
    """History and roster loaded once for every package (a bad one stops the run: exit 2)."""
    earlier = load_history(history, today=today, settings=settings) if history is not None else None
    listed = load_roster(roster, today=today) if roster is not None else None
    options = {
        "history": scrub_names_in_paths(str(history)) if history is not None else None,
        "roster": scrub_names_in_paths(str(roster)) if roster is not None else None,
    }
    return earlier, listed, options


def rollup(
    folder: str | Path,
    *,
    history: str | Path | None = None,
    roster: str | Path | None = None,
    today: dt.date | None = None,
    month: str | None = None,
    exclude: tuple[Path, ...] = (),
    each_result: Callable[[Path, PackageResult], None] | None = None,
    keep_rows: bool = False,
    stage: str = "submit",
    settings: Settings | None = None,
) -> dict:
    """Take in each package in `folder` separately and roll them up for the county (one process).

    `month` (YYYY-MM) is the month rolled up; by default the month most packages report (the
    later one on a tie). `each_result(entry, result)` receives every package's result (its
    report, and its households when `keep_rows`). Raises `InputError` when `folder`, the
    history or the roster cannot be read.
    """
    today = today or dt.date.today()
    settings = settings or builtin()
    entries, ignored = find_packages(folder, exclude=exclude)
    earlier, listed, options = load_checks(history, roster, today=today, settings=settings)
    items = []
    for entry in entries:
        result = check_package(
            entry,
            name=entry.name,
            today=today,
            history=earlier,
            roster=listed,
            options=options,
            keep_rows=keep_rows,
            stage=stage,
            settings=settings,
        )
        if each_result is not None:
            each_result(entry, result)
        items.append(result.item)
    options = {**options, "stage": stage, "settings": settings.file}
    return summarise(items, ignored, month=month, today=today, options=options, settings=settings)


def rollup_files(
    files: list[tuple[str, bytes]],
    *,
    today: dt.date | None = None,
    month: str | None = None,
    keep_rows: bool = False,
    stage: str = "submit",
    settings: Settings | None = None,
) -> tuple[dict, list[PackageResult]]:
    """The roll-up of packages handed over as (file name, bytes), as the browser does, and the
    intake results (with the households when `keep_rows`). No history or roster there."""
    today = today or dt.date.today()
    settings = settings or builtin()
    groups, ignored = group_files(files)
    results = [
        check_package(
            items, name=name, kind=kind, today=today, keep_rows=keep_rows, stage=stage, settings=settings
        )
        for name, kind, items in groups
    ]
    options = {"history": None, "roster": None, "stage": stage, "settings": settings.file}
    items = [r.item for r in results]
    return summarise(items, ignored, month=month, today=today, options=options, settings=settings), results


def pick_month(items: Iterable[dict]) -> str | None:
    """The month most township packages report (the later one on a tie), or None."""
    months = Counter(p["report_month"] for p in items if p["report_month"] and not p.get("county_record"))
    return max(months, key=lambda m: (months[m], m)) if months else None


def summarise(
    items: list[dict],
    ignored: list[str],
    *,
    month: str | None,
    today: dt.date,
    options: dict,
    settings: Settings | None = None,
) -> dict:
    """The roll-up of the packages' intake items (in the order given: the folder's order)."""
    settings = settings or builtin()
    packages = [dict(p) for p in items]
    # Names as a masked report shows them: a file named after a household head
    # ("张秘密_110101199003075555.zip") must not carry the name into the roll-up.
    ignored = [scrub_names_in_paths(name) for name in ignored]
    if isinstance(options.get("settings"), str):
        options = {**options, "settings": scrub_names_in_paths(options["settings"])}
    if month is None:
        month = pick_month(packages)
    for p in packages:
        p["counted"] = (
            p["readable"] and not p.get("county_record") and month is not None and p["report_month"] == month
        )

    codes = {i["label"]: i["code"] for i in standard.codelist("township")["items"]}
    by_township: dict[str, list[dict]] = {label: [] for label in codes}
    for p in packages:
        if p["counted"]:
            by_township.setdefault(p["township"] or UNKNOWN_TOWNSHIP, []).append(p)
    deadline = _deadline(month, settings)
    overdue = (today - deadline).days if deadline and today > deadline else 0

    townships = []
    for label, members in by_township.items():
        if label not in codes and not members:
            continue
        if label not in codes:
            status = "unknown"
        elif not members:
            status = "missing"
        elif len(members) > 1:
            status = "duplicate"
        elif _only_late(members[0]):
            status = "late"  # an error at submission, but nothing to correct in the tables
        elif not members[0]["valid"]:
            status = "errors"
        else:
            status = "ok"
        for m in members:
            m["meeting"] = _meeting_status(m, status)
        late = [m["days_late"] for m in members if m.get("days_late")]
        townships.append(
            {
                "township": label,
                "code": codes.get(label),
                "status": status,
                "packages": [m["entry"] for m in members],
                "submitted_date": min(
                    (m["submitted_date"] for m in members if m["submitted_date"]), default=None
                ),
                "days_late": max(late) if late else (0 if members else None),
                "days_overdue": overdue if status == "missing" else None,
                "zero_report": sum(1 for m in members if m["zero_report"]),
                "rows": {a: sum(m["rows"][a] for m in members) for a in ANNEXES},
                "counts": add_counts(m["counts"] for m in members),
            }
        )
    for p in packages:
        p["only_late"] = _only_late(p)
        if not p["counted"]:
            p["meeting"] = (
                "unreadable"
                if not p["readable"]
                else "county_record"
                if p.get("county_record")
                else "other_month"
                if p["report_month"]
                else "no_month"
            )

    for p in packages:
        p["meeting_reason"] = LEFT_OUT.get(p["meeting"])
    counted = [p for p in packages if p["counted"]]
    township_packages = [p for p in packages if not p.get("county_record")]
    missing = [t["township"] for t in townships if t["status"] == "missing"]
    duplicated = [t["township"] for t in townships if t["status"] == "duplicate"]
    ok = (
        bool(township_packages)
        and all(p["valid"] for p in township_packages)
        and not missing
        and not duplicated
    )
    late = [t["township"] for t in townships if t["days_late"]]
    ok = ok and not late
    rows = {a: sum(p["rows"][a] for p in counted) for a in ANNEXES}
    return {
        "fpjc_version": validator.__version__,
        "standard_version": standard.version(),
        "month": month,
        "deadline": deadline.isoformat() if deadline else None,
        "ok": ok,
        "options": {"today": today.isoformat(), **options},
        "packages": packages,
        "ignored": ignored,
        "townships": townships,
        "missing": missing,
        "duplicated": duplicated,
        "late": late,
        "zero_reports": [t["township"] for t in townships if t["zero_report"]],
        "other_month": [p["entry"] for p in township_packages if p["readable"] and not p["counted"]],
        "unreadable": [p["entry"] for p in packages if not p["readable"]],
        "county_records": [p["entry"] for p in packages if p.get("county_record")],
        "meeting": [p["entry"] for p in packages if p.get("meeting") == "accepted"],
        "totals": {
            "packages": len(township_packages),
            "counted": len(counted),
            "valid": sum(1 for p in township_packages if p["valid"]),
            "zero_report": sum(1 for p in counted if p["zero_report"]),
            "rows": rows,
            "new_warnings": rows["annex1"] + rows["annex2"],
            "counts": add_counts(p["counts"] for p in counted),
        },
    }


def _only_late(p: dict) -> bool:
    """Errors only for lateness (at submission): nothing the township can correct in its tables."""
    return bool(p["error_rules"]) and set(p["error_rules"]) <= ADMISSIBLE_ERRORS


def _meeting_status(p: dict, township_status: str) -> str:
    """`accepted` when the package's households go to the 研判 meeting, else why not (LEFT_OUT)."""
    if township_status == "unknown":
        return "unknown_township"
    if township_status == "duplicate":
        return "duplicate"
    if set(p["error_rules"]) - ADMISSIBLE_ERRORS:
        return "errors"
    return "accepted"


def _deadline(month: str | None, settings: Settings) -> dt.date | None:
    if not month:
        return None
    year, mon = month.split("-")
    return deadline_for_month(dt.date(int(year), int(mon), 1), settings)


def package_counts(path: str | Path, *, today: dt.date | None = None) -> dict:
    """Manifest facts and category counts of one package (validated and counted in one read)."""
    path = Path(path)
    result = check_package(path, name=path.name, today=today or dt.date.today())
    if not result.item["readable"]:
        raise InputError(result.item["problem"])
    keys = ("township", "township_from", "report_month", "zero_report", "rows", "counts")
    return {k: result.item[k] for k in keys}
