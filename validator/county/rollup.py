"""County roll-up: validate every township package in a folder and count what they report.

The county office collects one package per township each month. Each package is
validated on its own by the same engine as `fpjc validate` — packages are never merged —
and its parsed values (read through the same reader and field checker) are reduced to
counts: rows per annex, risk types, measures, release ways. No name, ID number or phone
number ever enters the roll-up, so it can be passed on freely.

Pure: reads files, returns plain data; printing and writing belong to the command.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import validator
from validator import standard
from validator.engine import validate_package
from validator.fields.check import compile_table
from validator.reading import open_package
from validator.reading.history import load_history, load_roster
from validator.settings import Settings, builtin
from validator.tables import InputError
from validator.values.mask import scrub_names_in_paths

ANNEXES = ("annex1", "annex2", "annex3")
PACKAGE_SUFFIXES = (".zip", ".xlsx", ".xlsm")
UNKNOWN_TOWNSHIP = "乡镇不明"

# (form id, field) → roll-up dimension; the code list behind each field gives the categories.
DIMENSIONS = {
    "risk_types": (("annex1", "risk_types"), ("annex2", "risk_types"), ("annex3", "risk_types")),
    "measures": (("annex1", "measures"), ("annex2", "measures"), ("annex3", "measures_done")),
    "release_way": (("annex3", "release_way"),),
    "warning_type": (("annex3", "warning_type"),),
}


def find_packages(folder: str | Path, *, exclude: tuple[Path, ...] = ()) -> tuple[list[Path], list[str]]:
    """The package entries of `folder` (subfolders, .zip, .xlsx) and the names of other files.

    Hidden files are skipped silently; Excel's `~$` lock files are listed as ignored.
    Raises `InputError` when `folder` is not a readable folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root} 不是文件夹：请给出存放各乡镇报送包的文件夹")
    try:
        entries = sorted(root.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise InputError(f"无法读取文件夹 {root}：{exc.strerror or type(exc).__name__}") from exc
    skip = {p.resolve() for p in exclude}
    packages, ignored = [], []
    for entry in entries:
        if entry.name.startswith(".") or entry.resolve() in skip:
            continue
        if entry.is_dir() or (
            entry.is_file() and entry.suffix.lower() in PACKAGE_SUFFIXES and not entry.name.startswith("~$")
        ):
            packages.append(entry)
        else:
            ignored.append(entry.name)
    return packages, ignored


def package_counts(path: str | Path, *, today: dt.date | None = None) -> dict:
    """Manifest values and category counts of one package, read by the validator's own reader.

    Returns {"township", "township_from", "report_month", "zero_report", "rows": {annex: n},
    "counts": {dimension: {table: {label: n}}}}. Only values that parsed count; a household
    with three risk types counts once under each. Raises `InputError` when unreadable.
    """
    today = today or dt.date.today()
    package = open_package([path])
    manifest: dict = {}
    rows = dict.fromkeys(ANNEXES, 0)
    counters: dict[tuple[str, str], Counter] = {
        key: Counter() for keys in DIMENSIONS.values() for key in keys
    }
    row_townships: Counter = Counter()
    for table in package.tables:
        if table.resource != "manifest" and table.resource not in ANNEXES:
            continue
        form = standard.form(table.resource)
        check = compile_table(form, table, emit=_drop, show_personal_data=False, today=today)
        wanted = [
            (field, counters[(table.resource, field)]) for (res, field) in counters if res == table.resource
        ]
        for n, (row, cells) in enumerate(table.rows):
            values = check(row, cells)
            if table.resource == "manifest":
                if n == 0:
                    manifest = values
                continue
            rows[table.resource] += 1
            if values.get("township"):
                row_townships[values["township"]] += 1
            for field, counter in wanted:
                value = values.get(field)
                if value is None:
                    continue
                # A list cell names each label once even if the clerk typed it twice.
                counter.update(set(value) if isinstance(value, tuple) else (value,))
    township, source = manifest.get("township"), "manifest"
    if not township and len(row_townships) == 1:
        # The manifest is missing or wrong but every annex row names the same township.
        township, source = next(iter(row_townships)), "annex"
    month = manifest.get("report_month")
    counts = {
        dim: {res: _ordered(dim, counters[(res, field)]) for res, field in keys}
        for dim, keys in DIMENSIONS.items()
    }
    return {
        "township": township or None,
        "township_from": source if township else None,
        "report_month": f"{month.year:04d}-{month.month:02d}" if month else None,
        "zero_report": manifest.get("zero_report"),
        "rows": rows,
        "counts": counts,
    }


def rollup(
    folder: str | Path,
    *,
    history: str | Path | None = None,
    roster: str | Path | None = None,
    today: dt.date | None = None,
    month: str | None = None,
    exclude: tuple[Path, ...] = (),
    each_report: Callable[[Path, dict], None] | None = None,
    stage: str = "submit",
    settings: Settings | None = None,
) -> dict:
    """Validate each package in `folder` separately and roll their counts up for the county.

    `month` (YYYY-MM) is the month rolled up; by default the month most packages report
    (the later one on a tie). `each_report(entry, report)` receives every package's
    validation report (e.g. to write it as HTML). `stage` is "submit" (the county's intake:
    not stamped and late are errors) unless told otherwise; `settings` are the run's
    (`validator.settings`, built-in when None). Raises `InputError` when `folder`, the
    history or the roster cannot be read.
    """
    today = today or dt.date.today()
    settings = settings or builtin()
    entries, ignored = find_packages(folder, exclude=exclude)
    # Loaded once for all packages, and a bad history or roster stops the run (exit 2)
    # instead of making every package look unreadable.
    earlier = load_history(history, today=today, settings=settings) if history is not None else None
    listed = load_roster(roster, today=today) if roster is not None else None
    options = {
        "history": scrub_names_in_paths(str(history)) if history is not None else None,
        "roster": scrub_names_in_paths(str(roster)) if roster is not None else None,
    }

    packages = []
    for entry in entries:
        # Package names as a masked report shows them: a file named after a household head
        # ("张秘密_110101199003075555.zip") must not carry the name into the roll-up.
        item: dict = {"entry": scrub_names_in_paths(entry.name), "kind": _kind(entry)}
        try:
            report = validate_package(
                open_package([entry], name=entry.name),
                today=today,
                history=earlier,
                roster=listed,
                options=options,
                stage=stage,
                settings=settings,
            )
            counts = package_counts(entry, today=today)
        except InputError as exc:
            item.update(
                readable=False,
                problem=scrub_names_in_paths(str(exc)),
                valid=False,
                error=0,
                warning=0,
                info=0,
            )
            item.update(township=None, township_from=None, report_month=None, zero_report=None)
            item.update(rows=dict.fromkeys(ANNEXES, 0), counts=_empty_counts())
            packages.append(item)
            continue
        if each_report is not None:
            each_report(entry, report)
        summary = report["summary"]
        item.update(readable=True, problem=None, valid=bool(report["valid"]))
        item.update(error=summary["error"], warning=summary["warning"], info=summary["info"])
        item.update(counts)
        packages.append(item)

    if month is None:
        months = Counter(p["report_month"] for p in packages if p["report_month"])
        month = max(months, key=lambda m: (months[m], m)) if months else None
    for p in packages:
        p["counted"] = p["readable"] and month is not None and p["report_month"] == month

    ignored = [scrub_names_in_paths(name) for name in ignored]
    shown_settings = scrub_names_in_paths(settings.file) if isinstance(settings.file, str) else settings.file
    options = {**options, "stage": stage, "settings": shown_settings}
    return _summarise(packages, ignored, month=month, today=today, options=options)


def _summarise(packages: list[dict], ignored: list[str], *, month, today, options) -> dict:
    codes = {i["label"]: i["code"] for i in standard.codelist("township")["items"]}
    by_township: dict[str, list[dict]] = {label: [] for label in codes}
    for p in packages:
        if p["counted"]:
            by_township.setdefault(p["township"] or UNKNOWN_TOWNSHIP, []).append(p)

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
        elif not members[0]["valid"]:
            status = "errors"
        else:
            status = "ok"
        townships.append(
            {
                "township": label,
                "code": codes.get(label),
                "status": status,
                "packages": [m["entry"] for m in members],
                "zero_report": sum(1 for m in members if m["zero_report"]),
                "rows": {a: sum(m["rows"][a] for m in members) for a in ANNEXES},
                "counts": _add_counts(m["counts"] for m in members),
            }
        )

    counted = [p for p in packages if p["counted"]]
    missing = [t["township"] for t in townships if t["status"] == "missing"]
    duplicated = [t["township"] for t in townships if t["status"] == "duplicate"]
    ok = bool(packages) and all(p["valid"] for p in packages) and not missing and not duplicated
    return {
        "fpjc_version": validator.__version__,
        "standard_version": standard.version(),
        "month": month,
        "ok": ok,
        "options": {"today": today.isoformat(), **options},
        "packages": packages,
        "ignored": ignored,
        "townships": townships,
        "missing": missing,
        "duplicated": duplicated,
        "other_month": [p["entry"] for p in packages if p["readable"] and not p["counted"]],
        "unreadable": [p["entry"] for p in packages if not p["readable"]],
        "totals": {
            "packages": len(packages),
            "counted": len(counted),
            "valid": sum(1 for p in packages if p["valid"]),
            "zero_report": sum(1 for p in counted if p["zero_report"]),
            "rows": {a: sum(p["rows"][a] for p in counted) for a in ANNEXES},
            "counts": _add_counts(p["counts"] for p in counted),
        },
    }


def _drop(finding) -> None:
    """The counting pass keeps no findings: validation already reported them."""


def _kind(entry: Path) -> str:
    return "folder" if entry.is_dir() else entry.suffix.lower().lstrip(".").replace("xlsm", "xlsx")


def _labels(dimension: str) -> list[str]:
    form_id, field_name = DIMENSIONS[dimension][0]
    field = next(f for f in standard.form(form_id)["fields"] if f["name"] == field_name)
    return [i["label"] for i in standard.codelist(field["codelist"])["items"]]


def _ordered(dimension: str, counter: Counter) -> dict[str, int]:
    """Every code-list label in code-list order, zeros included, so tables line up."""
    return {label: counter.get(label, 0) for label in _labels(dimension)}


def _empty_counts() -> dict:
    return {dim: {res: _ordered(dim, Counter()) for res, _ in keys} for dim, keys in DIMENSIONS.items()}


def _add_counts(many) -> dict:
    total = _empty_counts()
    for counts in many:
        for dim, tables in counts.items():
            for res, labels in tables.items():
                for label, n in labels.items():
                    total[dim][res][label] += n
    return total
