"""Writing facts: one accepted package or county record into the ledger's tables.

Each fact row keeps the file it came from (`file_id`), the row the clerk sees in that file and
the file inside the package (`source`), so every answer can be traced back to a filed row.
Called inside `Ledger.writing()` only (the ingest run's one transaction).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from validator.ledger.store import FACT_TABLES

# Township stage records (二（一）—二（五）) and the fact table each goes to.
STAGE_STEPS = {"screening": "screening", "appraisal": "appraisal", "verification": "verification"}


def text(value) -> str | None:
    """A parsed value as the ledger stores it (the standard's own way of writing it)."""
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value) if value else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def month_text(value) -> str | None:
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return None


def flag(value) -> int | None:
    return None if value is None else int(bool(value))


def number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))


def _new_file(conn: sqlite3.Connection, replaces: tuple[int, str] | None, row: dict) -> int:
    new_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM files").fetchone()[0]
    if replaces is not None:
        old_id = replaces[0]
        for table in FACT_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE file_id = ?", (old_id,))
        # The foreign key to the new row is checked at commit (DEFERRABLE INITIALLY DEFERRED).
        conn.execute("UPDATE files SET replaced_by = ?, facts = 0 WHERE id = ?", (new_id, old_id))
    _insert(conn, "files", {"id": new_id, **row})
    conn.execute("DELETE FROM rejected WHERE sha256 = ?", (row["sha256"],))
    return new_id


def write_package(conn, source, sha256: str, result, today: dt.date, *, replaces=None) -> int:
    """A township package (`county.intake.PackageResult`, rows kept) as a current file."""
    item = result.item
    file_id = _new_file(
        conn,
        replaces,
        {
            "sha256": sha256,
            "name": source.name,
            "path": source.path,
            "kind": "township",
            "township": item["township"],
            "month": item["report_month"],
            "submitted": item.get("submitted_date"),
            "deadline": item.get("deadline"),
            "days_late": item.get("days_late"),
            "zero_report": flag(item.get("zero_report")),
            "warnings": item.get("warning", 0),
            "infos": item.get("info", 0),
            "added": today.isoformat(),
        },
    )
    month, township = item["report_month"], item["township"]
    facts = 0

    def base(kept: dict) -> dict:
        v = kept["values"]
        return {
            "file_id": file_id,
            "month": month,
            "row": kept["row"],
            "source": kept.get("sheet") or kept.get("file"),
            "township": v.get("township") or township,
            "head_name": v.get("head_name"),
            "head_id": v["head_id"],
        }

    for kept in result.households:
        v = kept["values"]
        _insert(
            conn,
            "warnings",
            {
                **base(kept),
                "resource": kept["resource"],
                "village": v.get("village"),
                "village_group": v.get("village_group"),
                "household_number": text(v.get("household_number")),
                "household_size": number(v.get("household_size")),
                "risk_types": text(v.get("risk_types")),
                "risk_note": v.get("risk_note"),
                "measures": text(v.get("measures")),
                "measures_note": v.get("measures_note"),
                "income_per_capita": number(v.get("income_per_capita")),
                "appraisal_date": text(v.get("appraisal_date")),
                "received_date": text(v.get("received_date")),
                "verify_date": text(v.get("verify_date")),
            },
        )
        facts += 1
    for kept in result.releases:
        v = kept["values"]
        _insert(
            conn,
            "releases",
            {
                **base(kept),
                "village": v.get("village"),
                "village_group": v.get("village_group"),
                "warning_type": v.get("warning_type"),
                "identified_month": month_text(v.get("identified_month")),
                "risk_types": text(v.get("risk_types")),
                "measures_done": text(v.get("measures_done")),
                "release_way": v.get("release_way"),
                "release_reason": v.get("release_reason"),
                "release_date": text(v.get("release_date")),
                "system_marked": flag(v.get("system_marked")),
            },
        )
        facts += 1
    for kept in result.others:
        v, resource = kept["values"], kept["resource"]
        if resource == "assessment":
            row = {
                **base(kept),
                "origin": "assessment",
                "meeting_date": text(v.get("meeting_date")),
                "decision": v.get("decision"),
                "category": v.get("category"),
                "note": v.get("remark"),
            }
            _insert(conn, "decisions", row)
        elif resource == "assistance":
            row = {
                **base(kept),
                "measure": v.get("measure"),
                "content": v.get("content"),
                "start_date": text(v.get("start_date")),
                "amount": number(v.get("amount")),
                "unit": v.get("responsible_unit"),
            }
            _insert(conn, "measures", row)
        elif resource in STAGE_STEPS:
            day = {
                "screening": "screening_date",
                "appraisal": "appraisal_date",
                "verification": "verify_date",
            }
            result_field = {
                "screening": "listed",
                "appraisal": "appraisal_result",
                "verification": "verification_result",
            }
            row = {
                **base(kept),
                "step": STAGE_STEPS[resource],
                "day": text(v.get(day[resource])),
                "result": text(v.get(result_field[resource])),
            }
            _insert(conn, "steps", row)
        else:
            continue
        facts += 1
    conn.execute("UPDATE files SET facts = ? WHERE id = ?", (facts, file_id))
    return file_id


def write_record(conn, source, sha256: str, record, month: str, today: dt.date, *, replaces=None) -> int:
    """A county record (`county.record.CountyRecord`) as the month's current county file."""
    meeting = record.meeting or {}
    summary = record.report["summary"]
    file_id = _new_file(
        conn,
        replaces,
        {
            "sha256": sha256,
            "name": source.name,
            "path": source.path,
            "kind": "county",
            "township": None,
            "month": month,
            "submitted": text(meeting.get("meeting_date")),
            "warnings": summary.get("warning", 0),
            "infos": summary.get("info", 0),
            "added": today.isoformat(),
        },
    )
    facts = 0
    meeting_date = text(meeting.get("meeting_date"))
    for h in record.households:
        if not h.get("head_id"):
            continue
        _insert(
            conn,
            "decisions",
            {
                "file_id": file_id,
                "month": month,
                "row": h["_row"],
                "source": h.get("_source"),
                "township": h.get("township"),
                "head_name": h.get("head_name"),
                "head_id": h["head_id"],
                "origin": "county_record",
                "warning_type": h.get("warning_type"),
                "meeting_date": meeting_date,
                "decision": h.get("decision"),
                "category": h.get("category"),
                "guarantee_gaps": text(h.get("guarantee_gaps")),
                "note": h.get("decision_note"),
                "traced_to": h.get("source"),
            },
        )
        facts += 1
    for m in record.marking:
        if not m.get("head_id"):
            continue
        _insert(
            conn,
            "markings",
            {
                "file_id": file_id,
                "month": month,
                "row": m["_row"],
                "source": m.get("_source"),
                "township": m.get("township"),
                "head_name": m.get("head_name"),
                "head_id": m["head_id"],
                "release_date": text(m.get("release_date")),
                "marked_by": m.get("marked_by"),
                "marked_date": text(m.get("marked_date")),
            },
        )
        facts += 1
    conn.execute("UPDATE files SET facts = ? WHERE id = ?", (facts, file_id))
    return file_id


def write_rejection(conn, entry, today: dt.date) -> None:
    """A package that stays out, so the monthly status can say the township sent one."""
    if not entry.look.sha256:
        return
    summary = (entry.report or {}).get("summary") or {}
    rules = sorted({f["rule"] for f in (entry.report or {}).get("findings", ()) if f["severity"] == "error"})
    submitted = None
    result = entry.result
    if result is not None and hasattr(result, "item"):
        submitted = result.item.get("submitted_date")
    _insert_or_replace = (
        "INSERT INTO rejected (sha256, name, path, kind, township, month, submitted, reason, detail, errors, rules, added) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(sha256) DO UPDATE SET name = excluded.name, path = excluded.path, reason = excluded.reason, "
        "detail = excluded.detail, errors = excluded.errors, rules = excluded.rules, added = excluded.added, "
        "township = excluded.township, month = excluded.month, submitted = excluded.submitted"
    )
    conn.execute(
        _insert_or_replace,
        (
            entry.look.sha256,
            entry.source.name,
            entry.source.path,
            entry.look.kind,
            entry.township,
            entry.month,
            submitted,
            entry.reason,
            entry.detail,
            summary.get("error", 0),
            "、".join(rules) or None,
            today.isoformat(),
        ),
    )
