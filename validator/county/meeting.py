"""The 研判 meeting: its rows (every new household of the accepted packages) and its agenda.

`record_rows` turns the month's intake into the 县级研判表 rows that `fpjc county prepare`
writes into the meeting workbook: for each household of 附件1/附件2 of every package accepted
for the meeting, its township, village, 风险类型, 风险情况说明, the township's 核查 (date and,
when the package has a 乡镇审核记录, what was found) and 拟采取帮扶措施, with the source
(package, table, row) so every row can be traced back. Personal data stays as the township
wrote it: the workbook stays in the county office. `agenda` is what the printed agenda shows:
counts only.
"""

from __future__ import annotations

from collections import Counter

from validator import standard
from validator.county.intake import PackageResult
from validator.tables import COUNTY_MEETING, COUNTY_RECORD, WARNING_OF

ANNEX_TITLES = {"annex1": "附件1", "annex2": "附件2", "annex3": "附件3"}
# Columns carried over from the township's row, by their name in both forms.
CARRIED = (
    "village",
    "village_group",
    "head_name",
    "head_id",
    "household_size",
    "income_per_capita",
    "risk_types",
    "risk_note",
    "verify_date",
    "measures",
    "measures_note",
)
# The columns the meeting fills in (the rest are carried over and shaded in the workbook).
MEETING_FIELDS = ("decision", "category", "guarantee_gaps", "decision_note", "remark")


def township_order() -> dict[str, int]:
    return {i["label"]: n for n, i in enumerate(standard.codelist("township")["items"])}


def accepted(results: list[PackageResult], rollup: dict) -> list[PackageResult]:
    """The results whose packages go to the meeting, in township order (then package name)."""
    wanted = {p["entry"] for p in rollup["packages"] if p.get("meeting") == "accepted"}
    order = township_order()
    chosen = [r for r in results if r.item["entry"] in wanted]
    return sorted(chosen, key=lambda r: (order.get(r.item["township"], 99), r.item["entry"]))


def source_text(entry: str, resource: str, row: int) -> str:
    return f"{entry} {ANNEX_TITLES[resource]} 第{row}行"


def record_rows(results: list[PackageResult], rollup: dict) -> list[dict]:
    """The 县级研判表 rows for the meeting, numbered from 1 (values as parsed from the packages)."""
    rows = []
    for result in accepted(results, rollup):
        entry = result.item["entry"]
        for h in sorted(result.households, key=lambda h: (h["resource"], h["row"])):
            values = h["values"]
            row = {"seq": len(rows) + 1, "township": result.item["township"]}
            row.update({name: values.get(name) for name in CARRIED})
            row["warning_type"] = WARNING_OF[h["resource"]]
            row["verify_findings"] = h.get("verify_findings")
            row["source"] = source_text(entry, h["resource"], h["row"])
            rows.append(row)
    return rows


def meeting_row(rollup: dict, county: str = "鹤庆县") -> dict:
    """The 研判会议 row as prepared: the county and the month; the meeting fills in the rest."""
    return {"county": county, "report_month": rollup.get("month")}


def agenda(rollup: dict, rows: list[dict]) -> dict:
    """What the printed agenda needs: households per township and per risk type, and what is left out."""
    townships = [i["label"] for i in standard.codelist("township")["items"]]
    risks = [i["label"] for i in standard.codelist("risk_type")["items"]]
    per_township = {t: Counter() for t in townships}
    per_risk = {r: Counter() for r in risks}
    for row in rows:
        t = row["township"]
        per_township.setdefault(t, Counter())[row["warning_type"]] += 1
        for risk in row.get("risk_types") or ():
            per_risk.setdefault(risk, Counter())[t] += 1
    status = {t["township"]: t for t in rollup["townships"]}
    table = []
    for t in per_township:
        c = per_township[t]
        info = status.get(t, {})
        table.append(
            {
                "township": t,
                "status": info.get("status"),
                "days_late": info.get("days_late"),
                "zero_report": bool(info.get("zero_report")),
                "returning": c["返贫预警"],
                "new": c["致贫预警"],
                "total": c["返贫预警"] + c["致贫预警"],
            }
        )
    shown = [t["township"] for t in table]
    return {
        "month": rollup.get("month"),
        "households": len(rows),
        "townships": table,
        "risk_townships": shown,
        "risks": [
            {"risk": r, "by_township": [per_risk[r][t] for t in shown], "total": sum(per_risk[r].values())}
            for r in per_risk
            if sum(per_risk[r].values())
        ],
        "left_out": [
            {"entry": p["entry"], "township": p["township"], "why": p["meeting_reason"]}
            for p in rollup["packages"]
            if p.get("meeting") != "accepted"
        ],
        "missing": list(rollup["missing"]),
        "forms": {"meeting": COUNTY_MEETING, "record": COUNTY_RECORD},
    }
