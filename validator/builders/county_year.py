"""A synthetic county year, and a province's month, for the household ledger's tests and bench.

`write_year(root)` writes twelve month folders (2020-01 … 2020-12), each with the nine
townships' packages and the county's 研判 record of that month, following households the way the
notice does: a warning (附件1/附件2), the county's decision (认定 or 否定, 二（四）), measures carried
out the next month (帮扶措施记录), a release some months later (附件3, 二（六）), marked in the
national system by the township or on the county's filled 全国系统标注清单. Along the way it puts
in what a county meets in a year: late reports, zero reports, a few 认定 households left without a
measure, releases nobody marked, households warned again after their release, and a household
whose head changed (a new 户主 under the same 户编号). Every package is valid at submission stage
with the earlier months as history, except lateness (T009) where a report is late on purpose.

`Year` records what was written (per household, what should be true at the end), so tests can
compare the ledger's answers with the plan as well as with `fpjc validate --history`.

`write_province(root, counties)` writes one month for many counties (nine townships each), for the
province-size benchmark: each county's packages in its own folder, IDs unique within a county.

Everyone here is invented (see `validator.builders.synth`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from validator.builders import synth
from validator.builders.county_month import PLANS, write_package
from validator.builders.examples import write_csv

YEAR = 2020
MONTHS = tuple(dt.date(YEAR, m, 1) for m in range(1, 13))
TODAY = dt.date(2021, 1, 31)  # the day the whole year is worked through
TOWNSHIPS = tuple(p.township for p in PLANS)
DEPARTMENTS = ("扶贫", "教育", "医保", "卫健", "住建", "民政", "残联", "公安")
RECORD_FOLDER = "县级研判记录"

# Planned irregularities: (township, month number) → days late; zero reports happen when a
# township draws no new warning.
LATE = {("辛屯镇", 3): 4, ("草海镇", 8): 2, ("辛屯镇", 11): 1}
# Package form per township (like the county month: workbooks, a CSV folder, a zip).
FORMS = {p.township: p.form for p in PLANS}


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


@dataclass
class Household:
    head_id: str
    head_name: str
    township: str
    resource: str  # annex1 | annex2
    village: str
    village_group: str
    household_number: str | None
    size: int
    risk_types: tuple
    warned: list[str] = field(default_factory=list)  # months warned (YYYY-MM)
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (month, 认定/否定)
    measures: list[str] = field(default_factory=list)  # months a measure was carried out
    released: list[str] = field(default_factory=list)  # months released (附件3)
    marked: bool = False  # the latest release marked in the national system
    release_log: list[list] = field(default_factory=list)  # [month, way, marked] per release
    state: str = "new"  # new | confirmed | rejected | released | replaced
    previous_head: str | None = None  # the head this one took over from (same 户编号)
    last_row: dict = field(default_factory=dict)  # the latest warning row written

    @property
    def warning_type(self) -> str:
        return "返贫预警" if self.resource == "annex1" else "致贫预警"


@dataclass
class Year:
    root: Path
    households: dict[str, Household]
    packages: dict[str, list[Path]]  # month → township package paths
    records: dict[str, Path]  # month → county record folder
    late: dict[tuple[str, str], int]  # (township, month) → days late
    zero: list[tuple[str, str]]  # (township, month) zero reports
    left_without_measure: list[str]  # head_ids 认定 that never got a measure
    rewarned: list[str]  # head_ids warned again after a release
    head_changes: list[tuple[str, str]]  # (old head, new head) under one 户编号


class _Planner:
    def __init__(self, seed: int):
        self.s = synth.Synth(seed)
        self.rng = random.Random(seed * 7 + 1)
        self.households: dict[str, Household] = {}
        self.left_without_measure: list[str] = []
        self.rewarned: list[str] = []
        self.head_changes: list[tuple[str, str]] = []
        self.head_changed = False

    def township_month(self, township: str, n: int, month: dt.date) -> tuple[dict, list[Household]]:
        """One township's package of `month` (typed rows) and the households it warns."""
        rng, s = self.rng, self.s
        key = month_key(month)
        manifest = s.manifest(township, month)
        late = LATE.get((township, n))
        if late:
            manifest["submitted_date"] = synth.deadline(month) + dt.timedelta(days=late)
        submitted = manifest["submitted_date"]
        mine = [h for h in self.households.values() if h.township == township]
        warned: list[Household] = []
        rows = {"annex1": [], "annex2": []}

        def warn(h: Household, row: dict) -> None:
            row.update(
                township=township,
                village=h.village,
                village_group=h.village_group,
                head_name=h.head_name,
                head_id=h.head_id,
                household_size=h.size,
            )
            if h.resource == "annex1":
                row["household_number"] = h.household_number
            h.warned.append(key)
            h.last_row = row
            h.state = "new"
            rows[h.resource].append(row)
            warned.append(h)

        # New households: none at all some months (a zero report).
        for resource, most in (("annex1", 3), ("annex2", 2)):
            for _ in range(rng.choice((0, 0, 1, 1, 2, most))):
                row = s.warning_row(resource, 0, township, month, submitted)
                h = Household(
                    head_id=row["head_id"],
                    head_name=row["head_name"],
                    township=township,
                    resource=resource,
                    village=row["village"],
                    village_group=row["village_group"],
                    household_number=row.get("household_number")
                    or (f"53293210{rng.randrange(10**9):09d}" if resource == "annex1" else None),
                    size=row["household_size"],
                    risk_types=row["risk_types"],
                )
                self.households[h.head_id] = h
                warn(h, row)
        # Warned again after a release (返贫 after all): at most one a month per township.
        again = [h for h in mine if h.state == "released" and h.released and _gap(h.released[-1], key) >= 2]
        if again and rng.random() < 0.25:
            h = again[0]
            warn(h, s.warning_row(h.resource, 0, township, month, submitted, head_id=h.head_id))
            self.rewarned.append(h.head_id)
        # Once a year: a household's head died; the new head is warned under the same 户编号.
        if not self.head_changed and n >= 5:
            heirs = [
                h
                for h in mine
                if h.state == "confirmed" and h.resource == "annex1" and h.household_number and h.measures
            ]
            if heirs:
                old = heirs[0]
                row = s.warning_row("annex1", 0, township, month, submitted)
                new = Household(
                    head_id=row["head_id"],
                    head_name=row["head_name"],
                    township=township,
                    resource="annex1",
                    village=old.village,
                    village_group=old.village_group,
                    household_number=old.household_number,
                    size=max(1, old.size - 1),
                    risk_types=row["risk_types"],
                    previous_head=old.head_id,
                )
                old.state = "replaced"
                self.households[new.head_id] = new
                warn(new, row)
                self.head_changes.append((old.head_id, new.head_id))
                self.head_changed = True
        for resource in rows:
            for i, row in enumerate(rows[resource], start=1):
                row["seq"] = i

        # Measures carried out this month for last month's 认定 (most of them).
        assistance = []
        for h in mine:
            if (
                h.state == "confirmed"
                and not h.measures
                and h.decisions
                and _gap(h.decisions[-1][0], key) == 1
            ):
                if h.head_id in self.left_without_measure or rng.random() < 0.15:
                    if h.head_id not in self.left_without_measure:
                        self.left_without_measure.append(h.head_id)
                    continue
                measure = h.last_row["measures"][0]
                start = s.workday_in(month, month.replace(day=20))
                assistance.append(
                    {
                        "seq": len(assistance) + 1,
                        "township": township,
                        "head_name": h.head_name,
                        "head_id": h.head_id,
                        "measure": measure,
                        "content": synth.MEASURE_NOTES[measure],
                        "start_date": min(start, submitted),
                        "amount": float(rng.randrange(500, 6000, 100)),
                        "responsible_unit": rng.choice(synth.UNITS),
                    }
                )
                h.measures.append(key)
        # Releases: confirmed households helped at least two months ago; and last month's 否定.
        releases = []
        for h in mine:
            if (
                h.state == "confirmed"
                and h.measures
                and _gap(h.measures[-1], key) >= 2
                and rng.random() < 0.45
            ):
                way = rng.choice(("帮扶消除", "帮扶消除", "风险自然消除"))
            elif (
                h.state == "rejected"
                and h.decisions
                and _gap(h.decisions[-1][0], key) == 1
                and rng.random() < 0.5
            ):
                way = "县级研判否定"
            else:
                continue
            line = synth.monitoring_line(month.year)
            marked = way != "县级研判否定" and rng.random() < 0.35
            releases.append(
                {
                    "seq": len(releases) + 1,
                    "township": township,
                    "village": h.village,
                    "village_group": h.village_group,
                    "head_name": h.head_name,
                    "head_id": h.head_id,
                    "household_size": h.size,
                    "warning_type": h.warning_type,
                    "identified_month": dt.date.fromisoformat(h.warned[-1] + "-01"),
                    "risk_types": h.last_row["risk_types"],
                    "measures_done": h.last_row["measures"][:1] if way != "县级研判否定" else (),
                    "income_per_capita_release": float(rng.randrange(int(line) + 300, 12000, 10))
                    if way != "县级研判否定"
                    else None,
                    "release_way": way,
                    "release_reason": synth.RELEASE_REASONS[way],
                    "release_date": min(s.workday_in(month, month.replace(day=25)), submitted),
                    "system_marked": marked,
                    "remark": None,
                }
            )
            h.released.append(key)
            h.release_log.append([key, way, marked])
            h.marked = marked
            h.state = "released"
        if not rows["annex1"] and not rows["annex2"]:
            manifest["zero_report"] = True
        tables = {
            "manifest": [manifest],
            "annex1": rows["annex1"],
            "annex2": rows["annex2"],
            "annex3": releases,
        }
        if assistance:
            tables["assistance"] = assistance
        return tables, warned

    def record(self, month: dt.date, warned: list[tuple[Household, str, int]], releases: list[dict]) -> dict:
        """The county's 研判 record of `month`: a decision for every warned household, and the
        marking list of the month's releases filled in for most of them."""
        rng, s = self.rng, self.s
        key = month_key(month)
        nxt = synth.next_month(month)
        meeting_date = s.workday_in(nxt.replace(day=10), nxt.replace(day=20))
        rows = []
        for seq, (h, package, line) in enumerate(warned, start=1):
            row = h.last_row
            sure = h.previous_head is not None or h.head_id in self.rewarned
            decision = "认定" if sure or rng.random() < 0.75 else "否定"
            confirmed = decision == "认定"
            rows.append(
                {
                    "seq": seq,
                    "township": h.township,
                    "village": h.village,
                    "village_group": h.village_group,
                    "head_name": h.head_name,
                    "head_id": h.head_id,
                    "warning_type": h.warning_type,
                    "household_size": h.size,
                    "income_per_capita": row.get("income_per_capita"),
                    "risk_types": row["risk_types"],
                    "risk_note": row["risk_note"],
                    "verify_date": row["verify_date"],
                    "measures": row["measures"],
                    "source": f"{package} {'附件1' if h.resource == 'annex1' else '附件2'} 第{line}行",
                    "decision": decision,
                    "category": ("脱贫监测户" if h.resource == "annex1" else "边缘户") if confirmed else None,
                    "guarantee_gaps": ("基本医疗",) if confirmed and rng.random() < 0.5 else (),
                    "decision_note": "同意乡镇帮扶措施建议"
                    if confirmed
                    else "家庭收入稳定，支出已有保障，不存在返贫致贫风险",
                }
            )
            h.decisions.append((key, decision))
            h.state = "confirmed" if confirmed else "rejected"
        marking = []
        for r in releases:
            if r["system_marked"] or r["release_way"] == "县级研判否定" or rng.random() < 0.3:
                continue
            marking.append(
                {
                    "seq": len(marking) + 1,
                    "township": r["township"],
                    "village": r["village"],
                    "head_name": r["head_name"],
                    "head_id": r["head_id"],
                    "warning_type": r["warning_type"],
                    "identified_month": r["identified_month"],
                    "release_way": r["release_way"],
                    "release_date": r["release_date"],
                    "marked_by": s.person_name(),
                    "marked_date": max(r["release_date"], meeting_date),
                }
            )
            self.households[r["head_id"]].marked = True
            self.households[r["head_id"]].release_log[-1][2] = True
        meeting = {
            "county": "鹤庆县",
            "report_month": month,
            "meeting_date": meeting_date,
            "departments": DEPARTMENTS,
            "host": "李国强",
            "recorder": "杨丽华",
        }
        tables = {"county_meeting": [meeting], "county_record": rows}
        if marking:
            tables["county_marking"] = marking
        return tables


def _gap(a: str, b: str) -> int:
    ya, ma = map(int, a.split("-"))
    yb, mb = map(int, b.split("-"))
    return (yb - ya) * 12 + (mb - ma)


def _package_name(township: str, form: str) -> str:
    return township + {"xlsx": ".xlsx", "zip": ".zip", "csv": ""}[form]


def write_record(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """A county record as the CSV files 研判会议, 县级研判表 (and 全国系统标注清单) in a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for form_id, rows in tables.items():
        write_csv(folder / f"{form_id}.csv", form_id, rows, headers="title")
    return folder


def write_year(root: str | Path, *, seed: int = 2020, months: int = 12) -> Year:
    """Twelve month folders of the county (see the module docstring); returns what was planned."""
    root = Path(root)
    planner = _Planner(seed)
    packages: dict[str, list[Path]] = {}
    records: dict[str, Path] = {}
    zero: list[tuple[str, str]] = []
    late: dict[tuple[str, str], int] = {}
    for n, month in enumerate(MONTHS[:months], start=1):
        key = month_key(month)
        folder = root / key
        folder.mkdir(parents=True, exist_ok=True)
        warned_rows: list[tuple[Household, str, int]] = []
        month_releases: list[dict] = []
        packages[key] = []
        for township in TOWNSHIPS:
            tables, warned = planner.township_month(township, n, month)
            form = FORMS[township]
            if form == "xlsx" and "assistance" in tables:
                form = "zip"  # the township workbook has no 帮扶措施记录 sheet: send CSV files
            path = write_package(folder / township, tables, form)
            packages[key].append(path)
            for h in warned:
                line = h.last_row["seq"]
                warned_rows.append((h, path.name, line))
            month_releases += tables["annex3"]
            if tables["manifest"][0].get("zero_report"):
                zero.append((township, key))
            if (township, n) in LATE:
                late[(township, key)] = LATE[(township, n)]
        records[key] = write_record(
            folder / f"{RECORD_FOLDER}-{key}", planner.record(month, warned_rows, month_releases)
        )
    return Year(
        root=root,
        households=planner.households,
        packages=packages,
        records=records,
        late=late,
        zero=zero,
        left_without_measure=planner.left_without_measure,
        rewarned=planner.rewarned,
        head_changes=planner.head_changes,
    )


def write_province(
    root: str | Path, counties: int, *, seed: int = 1, month: dt.date = MONTHS[6]
) -> list[Path]:
    """One month of `counties` counties (nine townships each), a folder per county, as CSV packages.

    A province has about 1,500 townships; the code list knows this county's nine, so every
    county reuses their names, each in its own folder (and its own ledger).
    """
    root = Path(root)
    folders = []
    for c in range(counties):
        s = synth.Synth(seed + c)
        folder = root / f"县{c + 1:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for township in TOWNSHIPS:
            manifest = s.manifest(township, month)
            submitted = manifest["submitted_date"]
            tables = {
                "manifest": [manifest],
                "annex1": [s.warning_row("annex1", i + 1, township, month, submitted) for i in range(8)],
                "annex2": [s.warning_row("annex2", i + 1, township, month, submitted) for i in range(6)],
                "annex3": [],
            }
            write_package(folder / township, tables, "csv")
        folders.append(folder)
    return folders
