"""What the county asks the ledger, and what the ingest run and the history rules read from it.

Answers are plain data (lists and dicts of text and numbers), in the order they are shown;
names and ID numbers are masked unless `show_personal_data`. Only current files count (a
replaced package's facts are gone); months are YYYY-MM, the month of the package or county
record a fact came from.

A *household* is one family across its files: rows with the same 户主身份证号 are one household,
and 附件1 rows with the same 户编号 join their heads into one (a change of household head after a
death keeps one history). The household is named by its first head.

An *episode* of monitoring starts with a warning (附件1/附件2) and ends with a release (附件3) or a
county 否定 (which lifts the warning, 二（四）1). The monitoring stock at the end of a month is every
household whose episode is still open once that month's files are counted.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from validator import standard
from validator.settings import Settings, builtin
from validator.tables import WARNING_OF, History, Reported, ReportedHousehold
from validator.values.idnumber import household_key
from validator.values.mask import mask
from validator.values.workdays import Workdays

# Why a package stays out of the ledger (the `reason` of a rejected entry).
REASONS = {
    "unreadable": "无法读取",
    "errors": "有错误",
    "no_month": "报告月份不明",
    "no_township": "无法确定乡镇",
    "closed": "该月已结账",
    "duplicate": "同一乡镇同一月份有两个新报送包",
    "conflict": "有户已由其他乡镇报送",
    "other_county": "不是本县的研判记录",
    "record_duplicate": "同一月份有两份新的研判记录",
}
RESOURCE_TITLES = {"annex1": "附件1", "annex2": "附件2", "annex3": "附件3"}
NO_MARKING_NEEDED = "县级研判否定"  # released by the county's 否定: never under management, nothing to mark


# --- what the ingest run reads ---------------------------------------------------------------


def known_files(conn: sqlite3.Connection, shas: list[str]) -> dict[str, tuple]:
    """sha256 → (name, month, township, replaced_by) of files already in the ledger."""
    found = {}
    for i in range(0, len(shas), 500):
        chunk = shas[i : i + 500]
        marks = ",".join("?" for _ in chunk)
        for sha, name, month, township, replaced_by in conn.execute(
            f"SELECT sha256, name, month, township, replaced_by FROM files WHERE sha256 IN ({marks})", chunk
        ):
            found[sha] = (name, month, township, replaced_by)
    return found


def has_before(conn: sqlite3.Connection, month: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM files WHERE replaced_by IS NULL AND month < ? LIMIT 1", (month,)
        ).fetchone()
        is not None
    )


def closing_record(conn: sqlite3.Connection, month: str) -> str | None:
    """The name of the county record that closed `month`, or None while it is open."""
    row = conn.execute(
        "SELECT name FROM files WHERE kind = 'county' AND month = ? AND replaced_by IS NULL", (month,)
    ).fetchone()
    return row[0] if row else None


def file_for(conn: sqlite3.Connection, kind: str, month: str, township: str | None) -> tuple[int, str] | None:
    row = conn.execute(
        "SELECT id, name FROM files WHERE kind = ? AND month = ? AND coalesce(township, '') = ? AND replaced_by IS NULL",
        (kind, month, township or ""),
    ).fetchone()
    return (row[0], row[1]) if row else None


def reported_elsewhere(conn: sqlite3.Connection, month: str, township: str, heads: list[str]) -> list[tuple]:
    """(head_id, package, township, row) of `heads` that another township reported in `month`."""
    found = []
    for i in range(0, len(heads), 500):
        chunk = heads[i : i + 500]
        marks = ",".join("?" for _ in chunk)
        found += conn.execute(
            "SELECT w.head_id, f.name, f.township, w.row FROM warnings w JOIN files f ON f.id = w.file_id "
            f"WHERE w.month = ? AND f.township != ? AND f.replaced_by IS NULL AND w.head_id IN ({marks}) "
            "ORDER BY f.name, w.row",
            (month, township, *chunk),
        ).fetchall()
    return found


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _later(dates: dict, key: int, day) -> None:
    if day is not None and (key not in dates or day > dates[key]):
        dates[key] = day


def history(conn: sqlite3.Connection, *, before: str | None = None) -> History:
    """The `tables.History` of the ledger's files (of months before `before`, when given).

    The same as `reading.history.load_history` reading the same files from a folder: who was
    warned as what and when, released, confirmed or rejected by the county and when.
    """
    h = History()
    where = "f.replaced_by IS NULL" + (" AND f.month < ?" if before else "")
    args = (before,) if before else ()
    h.packages = [
        r[0] for r in conn.execute(f"SELECT f.name FROM files f WHERE {where} ORDER BY f.month, f.name", args)
    ]
    for table in ("warnings", "releases", "decisions", "measures", "steps", "markings"):
        for (head_id,) in conn.execute(
            f"SELECT t.head_id FROM {table} t JOIN files f ON f.id = t.file_id WHERE {where}", args
        ):
            h.households.add(household_key(head_id))
    for head_id, resource, verify, appraisal in conn.execute(
        "SELECT t.head_id, t.resource, t.verify_date, t.appraisal_date FROM warnings t JOIN files f ON f.id = t.file_id "
        f"WHERE {where}",
        args,
    ):
        key = household_key(head_id)
        h.warnings.setdefault(key, set()).add(WARNING_OF[resource])
        _later(h.warned_on, key, _day(verify) or _day(appraisal))
    for head_id, released in conn.execute(
        f"SELECT t.head_id, t.release_date FROM releases t JOIN files f ON f.id = t.file_id WHERE {where}",
        args,
    ):
        key = household_key(head_id)
        h.released.add(key)
        _later(h.ended_on, key, _day(released))
    for head_id, decision, meeting in conn.execute(
        f"SELECT t.head_id, t.decision, t.meeting_date FROM decisions t JOIN files f ON f.id = t.file_id WHERE {where}",
        args,
    ):
        key = household_key(head_id)
        h.assessed = True
        if decision == "认定":
            h.confirmed.add(key)
        elif decision == "否定":
            h.rejected.add(key)
            _later(h.ended_on, key, _day(meeting))
    return h


def reported(conn: sqlite3.Connection, month: str) -> Reported:
    """The township households of `month` in the ledger, for tracing that month's county record."""
    index = Reported(month=month)
    index.packages = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM files WHERE kind = 'township' AND month = ? AND replaced_by IS NULL ORDER BY name",
            (month,),
        )
    ]
    for head_id, township, resource, row, name, source, verify in conn.execute(
        "SELECT w.head_id, f.township, w.resource, w.row, f.name, w.source, w.verify_date FROM warnings w "
        "JOIN files f ON f.id = w.file_id WHERE f.month = ? AND f.replaced_by IS NULL ORDER BY f.name, w.resource, w.row",
        (month,),
    ):
        index.households.setdefault(
            household_key(head_id),
            ReportedHousehold(
                township=township,
                resource=resource,
                row=row,
                package=name,
                source=source,
                verify_date=_day(verify),
            ),
        )
    return index


# --- households and their episodes -----------------------------------------------------------


PHASES = {"warning": 0, "step": 1, "decision": 2, "measure": 3, "release": 4, "marking": 5}


@dataclass
class Event:
    month: str
    kind: str  # PHASES
    head_id: str
    head_name: str | None
    township: str | None
    file: str
    row: int
    source: str | None
    table: str
    data: dict = field(default_factory=dict)

    def order(self) -> tuple:
        return (self.month, PHASES[self.kind], self.data.get("date") or "", self.file, self.row)


@dataclass
class Episode:
    start: str
    warning_type: str
    township: str | None
    village: str | None
    head_id: str
    head_name: str | None
    warnings: list[Event] = field(default_factory=list)
    decisions: list[Event] = field(default_factory=list)
    measures: list[Event] = field(default_factory=list)
    end: Event | None = None  # the release or 否定 that closed it


def _events(
    conn: sqlite3.Connection, *, until: str | None = None, heads: list[str] | None = None
) -> list[Event]:
    where = ["f.replaced_by IS NULL"]
    args: list = []
    if until:
        where.append("f.month <= ?")
        args.append(until)
    if heads is not None:
        where.append(f"t.head_id IN ({','.join('?' for _ in heads)})")
        args += heads
    cond = " AND ".join(where)
    events: list[Event] = []

    def fetch(table: str, kind: str, columns: str, build) -> None:
        sql = (
            f"SELECT t.month, t.head_id, t.head_name, t.township, f.name, t.row, t.source, {columns} "
            f"FROM {table} t JOIN files f ON f.id = t.file_id WHERE {cond}"
        )
        for r in conn.execute(sql, args):
            events.append(Event(r[0], kind, r[1], r[2], r[3], r[4], r[5], r[6], table, build(r[7:])))

    fetch(
        "warnings",
        "warning",
        "t.resource, t.village, t.village_group, t.household_number, t.risk_types, t.measures, "
        "t.appraisal_date, t.received_date, t.verify_date",
        lambda r: {
            "resource": r[0],
            "warning_type": WARNING_OF[r[0]],
            "village": r[1],
            "village_group": r[2],
            "household_number": r[3],
            "risk_types": r[4],
            "measures": r[5],
            "appraisal_date": r[6],
            "received_date": r[7],
            "verify_date": r[8],
            "date": r[8] or r[6],
        },
    )
    fetch(
        "steps",
        "step",
        "t.step, t.day, t.result",
        lambda r: {"step": r[0], "date": r[1], "result": r[2]},
    )
    fetch(
        "decisions",
        "decision",
        "t.origin, t.decision, t.category, t.meeting_date, t.guarantee_gaps, t.note, t.warning_type",
        lambda r: {
            "origin": r[0],
            "decision": r[1],
            "category": r[2],
            "date": r[3],
            "guarantee_gaps": r[4],
            "note": r[5],
            "warning_type": r[6],
        },
    )
    fetch(
        "measures",
        "measure",
        "t.measure, t.content, t.start_date, t.amount, t.unit",
        lambda r: {"measure": r[0], "content": r[1], "date": r[2], "amount": r[3], "unit": r[4]},
    )
    fetch(
        "releases",
        "release",
        "t.warning_type, t.release_way, t.release_reason, t.release_date, t.measures_done, t.system_marked, t.village",
        lambda r: {
            "warning_type": r[0],
            "release_way": r[1],
            "release_reason": r[2],
            "date": r[3],
            "measures_done": r[4],
            "system_marked": r[5],
            "village": r[6],
        },
    )
    fetch(
        "markings",
        "marking",
        "t.marked_by, t.marked_date, t.release_date",
        lambda r: {"marked_by": r[0], "date": r[1], "release_date": r[2]},
    )
    events.sort(key=Event.order)
    return events


def households(conn: sqlite3.Connection) -> dict[str, str]:
    """head_id → the household's key (its first head's ID), heads joined by a shared 户编号."""
    first: dict[str, tuple] = {}
    for table in ("warnings", "releases", "decisions", "measures", "steps", "markings"):
        for head_id, month in conn.execute(
            f"SELECT t.head_id, min(t.month) FROM {table} t JOIN files f ON f.id = t.file_id "
            "WHERE f.replaced_by IS NULL GROUP BY t.head_id"
        ):
            if head_id not in first or month < first[head_id][0]:
                first[head_id] = (month, head_id)
    parent = {h: h for h in first}

    def root(h: str) -> str:
        while parent[h] != h:
            parent[h] = parent[parent[h]]
            h = parent[h]
        return h

    by_number: dict[str, str] = {}
    for head_id, number in conn.execute(
        "SELECT w.head_id, w.household_number FROM warnings w JOIN files f ON f.id = w.file_id "
        "WHERE f.replaced_by IS NULL AND w.household_number IS NOT NULL ORDER BY w.month, w.head_id"
    ):
        other = by_number.setdefault(number, head_id)
        a, b = root(head_id), root(other)
        if a != b:
            keep, drop = sorted((a, b), key=lambda h: first[h])
            parent[drop] = keep
    return {h: root(h) for h in first}


def _episodes(events: list[Event], family: dict[str, str]) -> dict[str, list[Episode]]:
    """Each household's episodes, oldest first (see the module docstring)."""
    out: dict[str, list[Episode]] = defaultdict(list)
    open_: dict[str, Episode] = {}
    for ev in events:
        house = family.get(ev.head_id, ev.head_id)
        ep = open_.get(house)
        if ev.kind == "warning":
            if ep is None:
                ep = Episode(
                    start=ev.month,
                    warning_type=ev.data["warning_type"],
                    township=ev.township,
                    village=ev.data.get("village"),
                    head_id=ev.head_id,
                    head_name=ev.head_name,
                )
                open_[house] = ep
                out[house].append(ep)
            ep.warnings.append(ev)
            ep.township, ep.head_id, ep.head_name = ev.township, ev.head_id, ev.head_name
            ep.village = ev.data.get("village") or ep.village
        elif ep is None:
            continue
        elif ev.kind == "decision":
            ep.decisions.append(ev)
            if ev.data.get("decision") == "否定":
                ep.end = ev
                del open_[house]
        elif ev.kind == "measure":
            ep.measures.append(ev)
        elif ev.kind == "release":
            ep.end = ev
            del open_[house]
    return out


def _months_between(a: str, b: str) -> int:
    """Whole months from a to b (YYYY-MM): 2020-07 → 2020-09 is 2."""
    ya, ma = map(int, a.split("-"))
    yb, mb = map(int, b.split("-"))
    return (yb - ya) * 12 + (mb - ma)


def month_span(first: str, last: str) -> list[str]:
    months = []
    y, m = map(int, first.split("-"))
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _masker(show_personal_data: bool):
    if show_personal_data:
        return lambda kind, value: value or ""
    return lambda kind, value: mask(kind, value) if value else ""


def months(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute("SELECT DISTINCT month FROM files WHERE replaced_by IS NULL ORDER BY month")
    ]


def latest_month(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT max(month) FROM files WHERE replaced_by IS NULL").fetchone()
    return row[0] if row else None


def _split(text: str | None) -> list[str]:
    return [t for t in (text or "").split("、") if t]


def _joined(items) -> str:
    seen: list[str] = []
    for item in items:
        for t in _split(item) if isinstance(item, str) else item:
            if t not in seen:
                seen.append(t)
    return "、".join(seen)


def _township_order() -> list[str]:
    return [i["label"] for i in standard.codelist("township")["items"]]


# --- the monthly status of the townships -----------------------------------------------------


def status(
    conn: sqlite3.Connection,
    *,
    first: str | None = None,
    last: str | None = None,
    today: dt.date | None = None,
) -> dict:
    """Each township's month in [first, last]: reported or not, when, late, zero report, counts.

    Without `first`/`last` the ledger's whole span. A month's line for a township says
    "accepted" (with days late when late), "rejected" (a package came but did not enter: the
    latest reason) or "missing".
    """
    all_months = months(conn)
    rejected_months = [
        r[0] for r in conn.execute("SELECT DISTINCT month FROM rejected WHERE month IS NOT NULL")
    ]
    span_all = sorted(set(all_months) | set(rejected_months))
    if not span_all and not (first and last):
        return {
            "first": None,
            "last": None,
            "months": [],
            "townships": [],
            "cells": [],
            "totals": [],
            "by_township": [],
        }
    first = first or span_all[0]
    last = last or span_all[-1]
    span = month_span(first, last)
    townships = _township_order()
    accepted = {}
    for _fid, township, month, name, submitted, deadline, late, zero in conn.execute(
        "SELECT id, township, month, name, submitted, deadline, days_late, zero_report FROM files "
        "WHERE kind = 'township' AND replaced_by IS NULL AND month BETWEEN ? AND ?",
        (first, last),
    ):
        accepted[(township, month)] = {
            "file": name,
            "submitted": submitted,
            "deadline": deadline,
            "days_late": late or 0,
            "zero_report": bool(zero),
        }
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for township, month, resource, n in conn.execute(
        "SELECT f.township, w.month, w.resource, count(*) FROM warnings w JOIN files f ON f.id = w.file_id "
        "WHERE f.replaced_by IS NULL AND w.month BETWEEN ? AND ? GROUP BY f.township, w.month, w.resource",
        (first, last),
    ):
        counts[(township, month)][resource] = n
    for township, month, n in conn.execute(
        "SELECT f.township, r.month, count(*) FROM releases r JOIN files f ON f.id = r.file_id "
        "WHERE f.replaced_by IS NULL AND r.month BETWEEN ? AND ? GROUP BY f.township, r.month",
        (first, last),
    ):
        counts[(township, month)]["annex3"] = n
    for township, month, decision, n in conn.execute(
        "SELECT d.township, d.month, d.decision, count(*) FROM decisions d JOIN files f ON f.id = d.file_id "
        "WHERE f.replaced_by IS NULL AND d.origin = 'county_record' AND d.month BETWEEN ? AND ? "
        "GROUP BY d.township, d.month, d.decision",
        (first, last),
    ):
        counts[(township, month)][decision] = n
    rejected: dict[tuple, dict] = {}
    for township, month, name, reason, detail, _added in conn.execute(
        "SELECT township, month, name, reason, detail, added FROM rejected WHERE month BETWEEN ? AND ? ORDER BY added, id",
        (first, last),
    ):
        rejected[(township, month)] = {"file": name, "reason": reason, "detail": detail}
    closed = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT month, name FROM files WHERE kind = 'county' AND replaced_by IS NULL AND month BETWEEN ? AND ?",
            (first, last),
        )
    }
    cells = []
    for month in span:
        for township in townships:
            c = counts.get((township, month), {})
            cell = {
                "month": month,
                "township": township,
                "annex1": c.get("annex1", 0),
                "annex2": c.get("annex2", 0),
                "annex3": c.get("annex3", 0),
                "confirmed": c.get("认定", 0),
                "rejected_by_county": c.get("否定", 0),
            }
            if (township, month) in accepted:
                a = accepted[(township, month)]
                cell.update(state="late" if a["days_late"] else "on_time", **a)
            elif (township, month) in rejected:
                cell.update(
                    state="rejected",
                    file=rejected[(township, month)]["file"],
                    reason=rejected[(township, month)]["reason"],
                    reason_label=REASONS.get(rejected[(township, month)]["reason"], ""),
                )
                cell.update(submitted=None, deadline=None, days_late=None, zero_report=False)
            else:
                cell.update(
                    state="missing",
                    file=None,
                    submitted=None,
                    deadline=None,
                    days_late=None,
                    zero_report=False,
                )
            cells.append(cell)
    totals = []
    for month in span:
        here = [c for c in cells if c["month"] == month]
        totals.append(
            {
                "month": month,
                "reported": sum(1 for c in here if c["state"] in ("on_time", "late")),
                "late": sum(1 for c in here if c["state"] == "late"),
                "missing": sum(1 for c in here if c["state"] == "missing"),
                "rejected": sum(1 for c in here if c["state"] == "rejected"),
                "zero_report": sum(1 for c in here if c["zero_report"]),
                "new_warnings": sum(c["annex1"] + c["annex2"] for c in here),
                "annex1": sum(c["annex1"] for c in here),
                "annex2": sum(c["annex2"] for c in here),
                "confirmed": sum(c["confirmed"] for c in here),
                "rejected_by_county": sum(c["rejected_by_county"] for c in here),
                "releases": sum(c["annex3"] for c in here),
                "closed": closed.get(month),
            }
        )
    by_township = []
    for township in townships:
        here = [c for c in cells if c["township"] == township]
        by_township.append(
            {
                "township": township,
                "reported": sum(1 for c in here if c["state"] in ("on_time", "late")),
                "late": sum(1 for c in here if c["state"] == "late"),
                "missing": sum(1 for c in here if c["state"] == "missing"),
                "zero_report": sum(1 for c in here if c["zero_report"]),
                "new_warnings": sum(c["annex1"] + c["annex2"] for c in here),
                "confirmed": sum(c["confirmed"] for c in here),
                "rejected_by_county": sum(c["rejected_by_county"] for c in here),
                "releases": sum(c["annex3"] for c in here),
                "days_late": sum(c["days_late"] or 0 for c in here),
            }
        )
    return {
        "first": first,
        "last": last,
        "months": span,
        "townships": townships,
        "cells": cells,
        "totals": totals,
        "by_township": by_township,
        "today": today.isoformat() if today else None,
    }


# --- the monitoring stock --------------------------------------------------------------------


def stock(conn: sqlite3.Connection, *, month: str | None = None, show_personal_data: bool = False) -> dict:
    """Households under monitoring at the end of `month` (default: the ledger's latest month):
    the list the monthly review (每月一复核) starts from."""
    month = month or latest_month(conn)
    if month is None:
        return {"month": None, "rows": [], "by_township": []}
    shown = _masker(show_personal_data)
    family = households(conn)
    episodes = _episodes(_events(conn, until=month), family)
    rows = []
    for house, eps in episodes.items():
        ep = eps[-1]
        if ep.end is not None:
            continue
        decided = [d for d in ep.decisions if d.data.get("decision")]
        last = decided[-1] if decided else None
        confirmed = [d for d in decided if d.data.get("decision") == "认定"]
        category = confirmed[-1].data.get("category") if confirmed else None
        rows.append(
            {
                "township": ep.township,
                "village": ep.village,
                "head_name": shown("name", ep.head_name),
                "head_id": shown("id_number", ep.head_id),
                "household": shown("id_number", house),
                "warning_type": ep.warning_type,
                "since": ep.start,
                "months": _months_between(ep.start, month) + 1,
                "warned": len(ep.warnings),
                "state": ("认定" if last.data["decision"] == "认定" else last.data["decision"])
                if last
                else "待研判",
                "category": category or ("" if last else "待研判"),
                "last_review": last.data.get("date") if last else None,
                "proposed": _joined(w.data.get("measures") for w in ep.warnings),
                "done": _joined(m.data.get("measure") for m in ep.measures if m.data.get("measure")),
                "last_month": ep.warnings[-1].month,
            }
        )
    order = {t: i for i, t in enumerate(_township_order())}
    rows.sort(key=lambda r: (order.get(r["township"], 99), r["since"], r["village"] or "", r["head_id"]))
    by_township = []
    for township in _township_order():
        here = [r for r in rows if r["township"] == township]
        by_township.append(
            {
                "township": township,
                "households": len(here),
                "pending": sum(1 for r in here if r["state"] == "待研判"),
                "confirmed": sum(1 for r in here if r["state"] == "认定"),
                "no_measure": sum(1 for r in here if not r["done"]),
            }
        )
    return {"month": month, "rows": rows, "by_township": by_township}


# --- overdue items ---------------------------------------------------------------------------


def overdue(
    conn: sqlite3.Connection,
    *,
    month: str | None = None,
    first: str | None = None,
    settings: Settings | None = None,
    show_personal_data: bool = False,
) -> dict:
    """Overdue at the end of `month` (default: the latest), over files of months from `first`:

    - verifications later than the working days the settings allow after the appraisal results
      reached the township (二（三）; counted as rule R004 does, on the settings' calendar);
    - households 认定 at least `settings.measure_months` months ago, still monitored, with no
      measure carried out recorded (帮扶措施记录);
    - releases (附件3) not marked in the national system (二（六）): neither marked by the township
      nor on a filled 全国系统标注清单;
    - households warned again after a release.
    """
    settings = settings or builtin()
    month = month or latest_month(conn)
    if month is None:
        return {
            "month": None,
            "first": None,
            "verify_late": [],
            "no_measure": [],
            "unmarked": [],
            "rewarned": [],
        }
    all_months = months(conn)
    first = first or (all_months[0] if all_months else month)
    shown = _masker(show_personal_data)
    workdays = Workdays(settings.holiday_rows())
    limit = settings.verification_working_days

    verify_late = []
    for r in conn.execute(
        "SELECT f.township, w.month, w.head_name, w.head_id, w.village, w.resource, w.appraisal_date, w.received_date, "
        "w.verify_date, f.name, w.row FROM warnings w JOIN files f ON f.id = w.file_id "
        "WHERE f.replaced_by IS NULL AND w.month BETWEEN ? AND ? ORDER BY w.month, f.township, f.name, w.row",
        (first, month),
    ):
        township, wmonth, name, head, village, resource, appraisal, received, verify, file, row = r
        start = _day(received) or _day(appraisal)
        done = _day(verify)
        if not start or not done or (received and verify and received > verify):
            continue
        deadline = workdays.add_workdays(start, limit)
        if done > deadline:
            verify_late.append(
                {
                    "month": wmonth,
                    "township": township,
                    "village": village,
                    "head_name": shown("name", name),
                    "head_id": shown("id_number", head),
                    "from": "收到评议结果" if received else "民主评议",
                    "start": start.isoformat(),
                    "deadline": deadline.isoformat(),
                    "verify_date": done.isoformat(),
                    "days": workdays.workdays_between(start, done),
                    "limit": limit,
                    "source": f"{file} {RESOURCE_TITLES[resource]} 第{row}行",
                }
            )

    family = households(conn)
    episodes = _episodes(_events(conn, until=month), family)
    no_measure = []
    rewarned = []
    for _house, eps in episodes.items():
        ep = eps[-1]
        if ep.end is None:
            confirmed = [d for d in ep.decisions if d.data.get("decision") == "认定"]
            if confirmed and not ep.measures:
                since = confirmed[0].month
                waited = _months_between(since, month)
                if waited >= settings.measure_months:
                    no_measure.append(
                        {
                            "township": ep.township,
                            "village": ep.village,
                            "head_name": shown("name", ep.head_name),
                            "head_id": shown("id_number", ep.head_id),
                            "warning_type": ep.warning_type,
                            "category": confirmed[-1].data.get("category") or "",
                            "decided": since,
                            "meeting_date": confirmed[0].data.get("date"),
                            "months": waited,
                            "limit": settings.measure_months,
                            "proposed": _joined(w.data.get("measures") for w in ep.warnings),
                        }
                    )
        for before, after in zip(eps, eps[1:], strict=False):
            if before.end is not None and before.end.kind == "release" and after.start >= first:
                rewarned.append(
                    {
                        "township": after.township,
                        "village": after.village,
                        "head_name": shown("name", after.head_name),
                        "head_id": shown("id_number", after.head_id),
                        "released": before.end.data.get("date"),
                        "released_month": before.end.month,
                        "release_way": before.end.data.get("release_way"),
                        "warned_again": after.start,
                        "warning_type": after.warning_type,
                        "source": f"{after.warnings[0].file} {RESOURCE_TITLES[after.warnings[0].data['resource']]} 第{after.warnings[0].row}行",
                    }
                )

    marked = defaultdict(list)
    for head_id, mmonth, release_date, marked_date in conn.execute(
        "SELECT m.head_id, m.month, m.release_date, m.marked_date FROM markings m JOIN files f ON f.id = m.file_id "
        "WHERE f.replaced_by IS NULL AND m.month <= ? AND m.marked_date IS NOT NULL",
        (month,),
    ):
        marked[head_id].append((mmonth, release_date, marked_date))
    unmarked = []
    for r in conn.execute(
        "SELECT f.township, r.month, r.head_name, r.head_id, r.village, r.warning_type, r.release_way, r.release_date, "
        "r.system_marked, f.name, r.row FROM releases r JOIN files f ON f.id = r.file_id "
        "WHERE f.replaced_by IS NULL AND r.month BETWEEN ? AND ? ORDER BY r.month, f.township, f.name, r.row",
        (first, month),
    ):
        township, rmonth, name, head, village, wtype, way, released, system_marked, file, row = r
        if system_marked or way == NO_MARKING_NEEDED:
            continue
        if any(_marks(m, rd, d, rmonth, released) for m, rd, d in marked.get(head, ())):
            continue
        unmarked.append(
            {
                "month": rmonth,
                "township": township,
                "village": village,
                "head_name": shown("name", name),
                "head_id": shown("id_number", head),
                "warning_type": wtype,
                "release_way": way,
                "release_date": released,
                "months": _months_between(rmonth, month),
                "source": f"{file} 附件3 第{row}行",
            }
        )
    order = {t: i for i, t in enumerate(_township_order())}
    no_measure.sort(key=lambda r: (order.get(r["township"], 99), r["decided"], r["head_id"]))
    rewarned.sort(key=lambda r: (r["warned_again"], order.get(r["township"], 99), r["head_id"]))
    return {
        "month": month,
        "first": first,
        "settings": {
            "file": settings.file,
            "verification_working_days": limit,
            "measure_months": settings.measure_months,
        },
        "verify_late": verify_late,
        "no_measure": no_measure,
        "unmarked": unmarked,
        "rewarned": rewarned,
    }


def _marks(month: str, release_date: str | None, marked_date: str, rmonth: str, released: str | None) -> bool:
    """Whether a line of a marking list marks the release of `rmonth`: the same release date when
    both say one (a household released twice is marked twice), else a list of that month or later."""
    if release_date and released:
        return release_date == released and marked_date >= released
    return month >= rmonth and (not released or marked_date >= released)


# --- one household ---------------------------------------------------------------------------

EVENT_LABELS = {
    "warning": "预警",
    "step": "工作记录",
    "decision": "县级研判",
    "measure": "帮扶措施",
    "release": "解除预警",
    "marking": "全国系统标注",
}
STEP_LABELS = {"screening": "申报排查", "appraisal": "民主评议", "verification": "乡镇核查"}


def find_heads(conn: sqlite3.Connection, key: str) -> list[str]:
    """The heads of the household `key` names: an ID number (any of its heads) or a 户编号."""
    key = key.strip().upper()
    family = households(conn)
    start = None
    if key in family:
        start = key
    else:
        row = conn.execute(
            "SELECT w.head_id FROM warnings w JOIN files f ON f.id = w.file_id "
            "WHERE f.replaced_by IS NULL AND w.household_number = ? LIMIT 1",
            (key,),
        ).fetchone()
        start = row[0] if row else None
    if start is None:
        return []
    house = family[start]
    return sorted(h for h, f in family.items() if f == house)


def timeline(conn: sqlite3.Connection, key: str, *, show_personal_data: bool = False) -> dict:
    """Every fact about one household, month by month, each with the file and row it came from."""
    shown = _masker(show_personal_data)
    heads = find_heads(conn, key)
    if not heads:
        return {
            "found": False,
            "key": shown("id_number", key) if len(key.strip()) >= 15 else key,
            "events": [],
        }
    family = {h: heads[0] for h in heads}
    events = _events(conn, heads=heads)
    rows = []
    numbers = []
    for ev in events:
        d = ev.data
        if ev.kind == "warning":
            if d.get("household_number") and d["household_number"] not in numbers:
                numbers.append(d["household_number"])
            what = f"{d['warning_type']}（{RESOURCE_TITLES[d['resource']]}）"
            detail = "；".join(
                x
                for x in (
                    f"风险类型：{d['risk_types']}" if d.get("risk_types") else "",
                    f"拟采取帮扶措施：{d['measures']}" if d.get("measures") else "",
                    f"民主评议 {d['appraisal_date']}" if d.get("appraisal_date") else "",
                    f"乡镇核查 {d['verify_date']}" if d.get("verify_date") else "",
                )
                if x
            )
        elif ev.kind == "step":
            what = STEP_LABELS.get(d["step"], d["step"])
            detail = f"结果：{d['result']}" if d.get("result") else ""
        elif ev.kind == "decision":
            what = f"研判{d.get('decision') or '（未填结论）'}"
            detail = "；".join(
                x
                for x in (
                    f"纳入管理类别：{d['category']}" if d.get("category") else "",
                    f"两不愁三保障存在问题：{d['guarantee_gaps']}" if d.get("guarantee_gaps") else "",
                    f"研判意见：{d['note']}" if d.get("note") else "",
                    "（乡镇报送包中的县级研判记录）" if d.get("origin") == "assessment" else "",
                )
                if x
            )
        elif ev.kind == "measure":
            what = d.get("measure") or "帮扶措施"
            detail = "；".join(
                x for x in (d.get("content") or "", f"责任单位：{d['unit']}" if d.get("unit") else "") if x
            )
        elif ev.kind == "release":
            what = f"解除（{d.get('release_way') or ''}）"
            detail = "；".join(
                x
                for x in (
                    f"已落实帮扶措施：{d['measures_done']}" if d.get("measures_done") else "",
                    "乡镇注明已在全国系统标注" if d.get("system_marked") else "",
                )
                if x
            )
        else:
            what = "已在全国系统标注"
            detail = f"标注人：{shown('name', d['marked_by'])}" if d.get("marked_by") else ""
        table = {
            "warnings": RESOURCE_TITLES.get(d.get("resource", ""), ""),
            "releases": "附件3",
            "decisions": "县级研判表" if d.get("origin") == "county_record" else "县级研判记录",
            "measures": "帮扶措施记录",
            "steps": {
                "screening": "申报排查记录",
                "appraisal": "民主评议记录",
                "verification": "乡镇审核记录",
            }.get(d.get("step"), ""),
            "markings": "全国系统标注清单",
        }[ev.table]
        rows.append(
            {
                "month": ev.month,
                "date": d.get("date"),
                "kind": ev.kind,
                "label": EVENT_LABELS[ev.kind],
                "what": what,
                "detail": detail,
                "township": ev.township,
                "head_name": shown("name", ev.head_name),
                "head_id": shown("id_number", ev.head_id),
                "source": f"{ev.file} {table} 第{ev.row}行",
            }
        )
    eps = _episodes(events, family).get(heads[0], [])
    first_head = next((e for e in events if e.head_id == heads[0]), events[0] if events else None)
    return {
        "found": True,
        "key": shown("id_number", key) if len(key.strip()) >= 15 else key,
        "household": shown("id_number", heads[0]),
        "heads": [shown("id_number", h) for h in heads],
        "head_name": shown("name", first_head.head_name) if first_head else "",
        "household_numbers": numbers,
        "episodes": [
            {
                "start": ep.start,
                "warning_type": ep.warning_type,
                "end": ep.end.month if ep.end else None,
                "ended_by": (EVENT_LABELS[ep.end.kind] if ep.end.kind == "release" else "研判否定")
                if ep.end
                else None,
            }
            for ep in eps
        ],
        "events": rows,
    }
