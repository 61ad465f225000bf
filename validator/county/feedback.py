"""After the meeting: a 研判结果反馈单 per township and the releases still to mark nationally.

From a checked county record (`record.read_record`): per township the households 认定 with
their category and those 否定 with the reason and what the township must do (二（四）1: tell
the village committee and lift the warning; 二（四）2: manage and help the household). From the
month's intake: the 附件3 releases of the month that the county office still has to mark in
the national system (二（六）), with columns for who marked them and when.

The feedback leaves the county office, so names and ID numbers are masked unless asked; the
marking list stays in the office and needs the full ID number to find each household.
"""

from __future__ import annotations

import datetime as dt

from validator import standard
from validator.county.intake import PackageResult
from validator.county.meeting import source_text, township_order
from validator.county.record import CountyRecord
from validator.values.mask import mask

REJECTED_FOLLOW_UP = "告知所在村委会，解除预警"
CONFIRMED_FOLLOW_UP = "纳入{category}管理，按拟采取的帮扶措施落实针对性精准帮扶"
# Releases by 县级研判否定 were never under management: nothing to mark nationally.
NOT_MARKED_WAYS = ("县级研判否定",)


def _shown(form_id: str, row: dict, show_personal_data: bool) -> dict:
    if show_personal_data:
        return row
    personal = {f["name"]: f["personal"] for f in standard.form(form_id)["fields"] if f.get("personal")}
    return {k: (mask(personal[k], v) if k in personal and v else v) for k, v in row.items()}


def feedback_sheets(record: CountyRecord, *, today: dt.date, show_personal_data: bool = False) -> list[dict]:
    """One 研判结果反馈单 per township with a household in the record, in township order."""
    meeting = record.meeting or {}
    by_township: dict[str, list[dict]] = {}
    for h in record.households:
        by_township.setdefault(h.get("township") or "乡镇不明", []).append(h)
    order = township_order()
    sheets = []
    for township in sorted(by_township, key=lambda t: (order.get(t, 99), t)):
        rows = []
        for h in sorted(by_township[township], key=lambda h: (h.get("decision") != "否定", h["_row"])):
            decision = h.get("decision")
            category = h.get("category")
            row = {
                "seq": len(rows) + 1,
                "township": township,
                "village": h.get("village"),
                "village_group": h.get("village_group"),
                "head_name": h.get("head_name"),
                "head_id": h.get("head_id"),
                "warning_type": h.get("warning_type"),
                "decision": decision,
                "category": category if decision == "认定" else None,
                "decision_note": h.get("decision_note"),
                "follow_up": REJECTED_FOLLOW_UP
                if decision == "否定"
                else CONFIRMED_FOLLOW_UP.format(category=category or "监测"),
            }
            rows.append(_shown("county_feedback", row, show_personal_data))
        sheets.append(
            {
                "township": township,
                "month": record.month,
                "meeting_date": meeting.get("meeting_date"),
                "departments": meeting.get("departments") or (),
                "date": today,
                "rows": rows,
                "rejected": sum(1 for r in rows if r["decision"] == "否定"),
                "confirmed": sum(1 for r in rows if r["decision"] == "认定"),
                "masked": not show_personal_data,
            }
        )
    return sheets


def marking_list(results: list[PackageResult], rollup: dict) -> dict:
    """The month's 附件3 releases still to mark in the national system, and what was left off why.

    Only packages the roll-up counts for its month are read. A row the township already marks
    as 已在全国系统标注 = 是 is counted, not listed; releases by 县级研判否定 are listed apart.
    """
    counted = {p["entry"] for p in rollup["packages"] if p.get("counted")}
    order = township_order()
    chosen = [r for r in results if r.item["entry"] in counted]
    chosen.sort(key=lambda r: (order.get(r.item["township"], 99), r.item["entry"]))
    rows, already, rejected = [], [], []
    for result in chosen:
        for h in sorted(result.releases, key=lambda h: h["row"]):
            v = h["values"]
            row = {
                "township": result.item["township"],
                "village": v.get("village"),
                "head_name": v.get("head_name"),
                "head_id": v.get("head_id"),
                "warning_type": v.get("warning_type"),
                "identified_month": v.get("identified_month"),
                "release_way": v.get("release_way"),
                "release_date": v.get("release_date"),
                "source": source_text(result.item["entry"], "annex3", h["row"]),
                "marked_by": None,
                "marked_date": None,
                "remark": None,
            }
            if v.get("release_way") in NOT_MARKED_WAYS:
                rejected.append(row)
            elif v.get("system_marked") is True:
                already.append(row)
            else:
                row["seq"] = len(rows) + 1
                rows.append(row)
    return {"month": rollup.get("month"), "rows": rows, "already_marked": already, "rejected": rejected}
