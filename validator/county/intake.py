"""One township package taken in by the county office: validated and counted in a single read.

The engine checks the package and hands every parsed row to a collector (`engine.Observer`),
which counts what the county rolls up (rows per annex, risk types, measures, release ways) and,
when asked, keeps the households themselves for the meeting workbook, the tracing of the
county record and the feedback. The package is read once; nothing is parsed twice.

`check_package` returns a `PackageResult`: `item` holds counts and file names only (no
personal data: it goes into the roll-up that may be printed and passed on); `households`,
`releases` and `report` stay with the caller. Everything is plain, picklable data, so a
command can run `check_package` in other processes (`fpjc rollup --jobs`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from validator import standard
from validator.engine import validate_package
from validator.reading import open_files, open_package
from validator.settings import Settings, builtin
from validator.tables import InputError
from validator.values.idnumber import household_key
from validator.values.mask import scrub_names_in_paths
from validator.values.workdays import Workdays

ANNEXES = ("annex1", "annex2", "annex3")
WARNING_ANNEXES = ("annex1", "annex2")
PACKAGE_SUFFIXES = (".zip", ".xlsx", ".xlsm")

# (form id, field) → roll-up dimension; the code list behind each field gives the categories.
# Flows that are not alike stay apart: 附件1/附件2 are new warnings with *proposed* measures,
# 附件3 are releases with measures *carried out*; a total only ever adds 附件1 and 附件2.
DIMENSIONS = {
    "risk_types": (("annex1", "risk_types"), ("annex2", "risk_types"), ("annex3", "risk_types")),
    "measures": (("annex1", "measures"), ("annex2", "measures"), ("annex3", "measures_done")),
    "release_way": (("annex3", "release_way"),),
    "warning_type": (("annex3", "warning_type"),),
}

# Error rules that do not keep a package out of the 研判 meeting: a late report is still the
# township's report, and its households must still be assessed (lateness is chased separately).
ADMISSIBLE_ERRORS = frozenset({"T009"})


@dataclass
class PackageResult:
    """What the intake of one package gives back (see the module docstring)."""

    item: dict
    households: list[dict] = field(default_factory=list)  # 附件1/附件2 rows (when kept)
    releases: list[dict] = field(default_factory=list)  # 附件3 rows (when kept)
    report: dict | None = None  # the validation report (None when unreadable)
    others: list[dict] = field(default_factory=list)  # rows of the other tables (when kept)


def deadline(month: dt.date, settings: Settings) -> dt.date:
    """The last day (inclusive) to submit `month`'s report under the run's settings."""
    return Workdays(settings.holiday_rows()).deadline_for(
        month, day_of_month=settings.day_of_month, roll_forward=settings.roll_forward
    )


def kind_of(entry: Path) -> str:
    """folder, zip or xlsx: what an entry of the month's folder is (by its name, when not on disk)."""
    if entry.is_dir() or entry.suffix.lower() not in PACKAGE_SUFFIXES:
        return "folder"
    return entry.suffix.lower().lstrip(".").replace("xlsm", "xlsx")


def check_package(
    source: Path | list[tuple[str, bytes]],
    *,
    name: str,
    today: dt.date,
    history=None,
    roster=None,
    options: dict | None = None,
    keep_rows: bool = False,
    show_personal_data: bool = False,
    kind: str | None = None,
    stage: str = "submit",
    settings: Settings | None = None,
    keep_others: bool = False,
) -> PackageResult:
    """Validate one package and count it in the same read; never raises for an unreadable one.

    `source` is a path (folder, .zip, .xlsx) or the package's files as (name, bytes), as the
    browser hands them over. `history`/`roster` are loaded ones (`reading.history`). The county
    takes in what townships submitted, so `stage` is "submit" (not stamped and late are
    errors) unless told otherwise; `settings` are the run's (built-in when None). `keep_others`
    also keeps the rows (with an ID number) of every other table — stage records, a county
    record — in `others`, as the household ledger files them.
    """
    settings = settings or builtin()
    if kind is None:
        kind = kind_of(source) if isinstance(source, Path) else kind_of(Path(name))
    # The package's name as a masked report shows it (an ID number in a file name is starred).
    item: dict = {"entry": name if show_personal_data else scrub_names_in_paths(name), "kind": kind}
    collector = _Collector(keep_rows, keep_others)
    try:
        package = (
            open_package([source], name=name)
            if isinstance(source, Path)
            else open_files(list(source), name=name)
        )
        report = validate_package(
            package,
            today=today,
            history=history,
            roster=roster,
            options=options or {},
            show_personal_data=show_personal_data,
            observe=collector,
            stage=stage,
            settings=settings,
        )
    except InputError as exc:
        item.update(_unreadable(str(exc) if show_personal_data else scrub_names_in_paths(str(exc))))
        return PackageResult(item=item)
    summary = report["summary"]
    item.update(readable=True, problem=None, valid=bool(report["valid"]))
    item.update(error=summary["error"], warning=summary["warning"], info=summary["info"])
    item["error_rules"] = sorted({f["rule"] for f in report["findings"] if f["severity"] == "error"})
    item["county_record"] = collector.county
    item.update(collector.facts(settings))
    households = collector.households
    for h in households:
        h["township"] = item["township"]
    return PackageResult(
        item=item, households=households, releases=collector.releases, report=report, others=collector.others
    )


def _unreadable(problem: str) -> dict:
    return {
        "readable": False,
        "problem": problem,
        "valid": False,
        "error": 0,
        "warning": 0,
        "info": 0,
        "error_rules": [],
        "county_record": False,
        "township": None,
        "township_from": None,
        "report_month": None,
        "zero_report": None,
        "submitted_date": None,
        "deadline": None,
        "days_late": None,
        "rows": dict.fromkeys(ANNEXES, 0),
        "counts": empty_counts(),
    }


class _Collector:
    """The engine's observer: counts every annex row, keeps households when asked."""

    def __init__(self, keep_rows: bool, keep_others: bool = False):
        self.keep_rows = keep_rows
        self.keep_others = keep_others
        self.others: list[dict] = []
        self.manifest: dict | None = None
        self.rows = dict.fromkeys(ANNEXES, 0)
        self.counters = {key: Counter() for keys in DIMENSIONS.values() for key in keys}
        self.wanted = {
            resource: [(name, self.counters[(res, name)]) for res, name in self.counters if res == resource]
            for resource in ANNEXES
        }
        self.row_townships: Counter = Counter()
        self.households: list[dict] = []
        self.releases: list[dict] = []
        self.findings: dict[int, tuple[str | None, str | None]] = {}  # 乡镇审核记录: key → (核查情况, 结论)
        self.county = False

    def __call__(self, place, row: int, values: dict) -> None:
        resource = place.resource
        if resource == "manifest":
            if self.manifest is None:
                self.manifest = values
            return
        if resource not in ANNEXES:
            if resource.startswith("county"):
                self.county = True
            if self.keep_rows and resource == "verification" and values.get("head_id"):
                key = household_key(values["head_id"])
                self.findings.setdefault(key, (values.get("findings"), values.get("verification_result")))
            if self.keep_others and values.get("head_id"):
                self.others.append(
                    {
                        "resource": resource,
                        "row": row,
                        "file": place.source,
                        "sheet": place.sheet,
                        "values": values,
                    }
                )
            return
        self.rows[resource] += 1
        township = values.get("township")
        if township:
            self.row_townships[township] += 1
        for name, counter in self.wanted[resource]:
            value = values.get(name)
            if value is not None:
                # A list cell names each label once even if the clerk typed it twice.
                counter.update(set(value) if isinstance(value, tuple) else (value,))
        if self.keep_rows and values.get("head_id"):
            kept = {
                "resource": resource,
                "row": row,
                "file": place.source,
                "sheet": place.sheet,
                "values": values,
            }
            (self.releases if resource == "annex3" else self.households).append(kept)

    def facts(self, settings: Settings) -> dict:
        manifest = self.manifest or {}
        township, source = manifest.get("township"), "manifest"
        if not township and len(self.row_townships) == 1:
            # The manifest is missing or wrong but every annex row names the same township.
            township, source = next(iter(self.row_townships)), "annex"
        month = manifest.get("report_month")
        submitted = manifest.get("submitted_date")
        due = deadline(month, settings) if month else None
        days_late = (submitted - due).days if submitted and due and submitted > due else 0
        for h in self.households:
            found = self.findings.get(household_key(h["values"]["head_id"]))
            h["verify_findings"] = found[0] if found else None
        return {
            "township": township or None,
            "township_from": source if township else None,
            "report_month": f"{month.year:04d}-{month.month:02d}" if month else None,
            "zero_report": manifest.get("zero_report"),
            "submitted_date": submitted.isoformat() if submitted else None,
            "deadline": due.isoformat() if due else None,
            "days_late": days_late if submitted and due else None,
            "rows": dict(self.rows),
            "counts": {
                dim: {res: ordered(dim, self.counters[(res, name)]) for res, name in keys}
                for dim, keys in DIMENSIONS.items()
            },
        }


def labels(dimension: str) -> list[str]:
    form_id, field_name = DIMENSIONS[dimension][0]
    spec = next(f for f in standard.form(form_id)["fields"] if f["name"] == field_name)
    return [i["label"] for i in standard.codelist(spec["codelist"])["items"]]


def ordered(dimension: str, counter: Counter) -> dict[str, int]:
    """Every code-list label in code-list order, zeros included, so tables line up."""
    return {label: counter.get(label, 0) for label in labels(dimension)}


def empty_counts() -> dict:
    return {dim: {res: ordered(dim, Counter()) for res, _ in keys} for dim, keys in DIMENSIONS.items()}


def add_counts(many) -> dict:
    total = empty_counts()
    for counts in many:
        for dim, tables in counts.items():
            for res, values in tables.items():
                for label, n in values.items():
                    total[dim][res][label] += n
    return total


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


def group_files(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, str, list]], list[str]]:
    """The packages among files handed over by a browser, and the names of the files left over.

    Each .xlsx or .zip is a package; files inside a folder (names with "/", as a browser gives a
    chosen folder) are the package of that folder. A folder that holds them all (the month's
    folder itself) is looked into. Returns ([(name, kind, files)], ignored names), in name order.
    """
    paths = [(n.replace("\\", "/").strip("/"), data) for n, data in files]
    tops = {p.split("/", 1)[0] for p, _ in paths}
    if len(tops) == 1 and all("/" in p for p, _ in paths):
        top = tops.pop() + "/"
        paths = [(p[len(top) :], data) for p, data in paths]
    packages: dict[str, tuple[str, list]] = {}
    ignored = []
    for path, data in sorted(paths):
        name = path.rsplit("/", 1)[-1]
        if name.startswith((".", "~$")) or not name:
            continue
        if "/" in path:
            folder, inner = path.split("/", 1)
            packages.setdefault(folder, ("folder", []))[1].append((inner, data))
        elif Path(name).suffix.lower() in PACKAGE_SUFFIXES:
            packages[name] = (kind_of(Path(name)), [(name, data)])
        else:
            ignored.append(name)
    return [(name, kind, items) for name, (kind, items) in sorted(packages.items())], ignored
