"""A synthetic county month: the nine townships' packages, and a province-size month for the benchmark.

`write_month(folder)` writes one package per township for July 2020 the way townships send
them (workbooks from the township template, a CSV folder, a zip), with the things a county
clerk meets every month: a late report, zero reports, a 乡镇审核记录, releases already marked
in the national system and releases by 县级研判否定. `fill_meeting` then plays the clerk at
the 研判 meeting: it fills a prepared meeting workbook with decisions as a person would type
them. `write_province(folder, n)` writes n small CSV packages for `bench/county.py`.

Everyone here is invented (see `validator.builders.synth`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from validator.builders import synth
from validator.builders.examples import CSV_FILES, write_csv, xlsx_data
from validator.builders.workbook_edit import pin_timestamps
from validator.outputs.workbook import write_workbook

MONTH = dt.date(2020, 7, 1)
TODAY = dt.date(2020, 8, 20)  # the day the county's month is worked through in the tests
MEETING_DATE = dt.date(2020, 8, 18)


@dataclass(frozen=True)
class Plan:
    township: str
    counts: tuple[int, int, int]  # 附件1, 附件2, 附件3 rows
    form: str  # xlsx | csv | zip
    submitted: dt.date | None = None  # None: a working day on time
    zero: bool = False
    verification: bool = False  # the package carries a 乡镇审核记录
    marked: int = 0  # 附件3 rows the township already marks as 已在全国系统标注


PLANS = (
    Plan("云鹤镇", (3, 2, 2), "xlsx", marked=1),
    Plan("辛屯镇", (2, 2, 1), "xlsx", submitted=dt.date(2020, 8, 7)),
    Plan("松桂镇", (3, 1, 1), "csv", verification=True),
    Plan("黄坪镇", (0, 0, 1), "xlsx", zero=True),
    Plan("草海镇", (2, 1, 0), "zip"),
    Plan("西邑镇", (2, 2, 2), "xlsx"),
    Plan("龙开口镇", (1, 2, 0), "xlsx"),
    Plan("金墩乡", (0, 0, 0), "csv", zero=True),
    Plan("六合彝族乡", (2, 1, 1), "xlsx"),
)


def month_tables(plan: Plan, seed: int) -> dict[str, list[dict]]:
    """One township's package as typed rows, coherent with the validator's own rules."""
    tables = synth.monthly(seed, plan.township, MONTH, plan.counts, zero_report=plan.zero)
    if plan.submitted is not None:
        tables["manifest"][0]["submitted_date"] = plan.submitted
    for row in tables["annex3"][: plan.marked]:
        row["system_marked"] = True
    if plan.verification:
        tables["verification"] = [
            {
                "seq": n,
                "township": plan.township,
                "head_name": row["head_name"],
                "head_id": row["head_id"],
                "received_date": row["appraisal_date"],
                "verify_date": row["verify_date"],
                "team": "乡镇扶贫办、包村领导、驻村第一书记",
                "findings": f"入户核实：{row['risk_note']}情况属实。",
                "verification_result": "属实",
            }
            for n, row in enumerate(tables["annex1"] + tables["annex2"], start=1)
        ]
    return tables


def write_package(target: Path, tables: dict[str, list[dict]], form: str) -> Path:
    """A package as a township sends it: workbook (template), CSV folder or zip of one."""
    if form == "xlsx":
        path = target.with_suffix(".xlsx")
        write_workbook(path, _xlsx(tables))
        pin_timestamps(path)
        return path
    folder = target
    folder.mkdir(parents=True, exist_ok=True)
    for form_id, rows in tables.items():
        write_csv(folder / CSV_FILES.get(form_id, f"{form_id}.csv"), form_id, rows, headers="title")
    if form == "csv":
        return folder
    path = target.with_suffix(".zip")
    with zipfile.ZipFile(path, "w") as z:
        for p in sorted(folder.iterdir()):
            zi = zipfile.ZipInfo(p.name, (1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, p.read_bytes())
    shutil.rmtree(folder)
    return path


def _xlsx(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return xlsx_data(synth.Example(name="", title="", description="", tables=tables))


def write_month(folder: str | Path, plans=PLANS, *, seed: int = 2020_07) -> list[Path]:
    """The nine townships' July packages in `folder` (one entry each), named after the township."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    seen: set[str] = set()
    for n, plan in enumerate(plans):
        tables = month_tables(plan, seed + n)
        ids = {r["head_id"] for t in ("annex1", "annex2", "annex3") for r in tables[t]}
        if ids & seen:  # invented numbers never collide in practice; say so if they ever do
            raise ValueError(f"synthetic ID numbers collide for {plan.township}: change the seed")
        seen |= ids
        written.append(write_package(folder / plan.township, tables, plan.form))
    return written


def decide(row_values: dict) -> dict:
    """What the meeting decides for one prepared row: most are 认定, every third 否定."""
    seq = int(row_values["seq"])
    if seq % 3 == 0:
        return {
            "decision": "否定",
            "decision_note": "家庭收入稳定，医疗、教育支出已有保障，不存在返贫致贫风险",
        }
    category = "脱贫监测户" if row_values["warning_type"] == "返贫预警" else "边缘户"
    gaps = "基本医疗" if seq % 2 else "住房安全、饮水安全"
    return {
        "decision": "认定",
        "category": category,
        "guarantee_gaps": gaps,
        "decision_note": "同意乡镇帮扶措施建议",
    }


def fill_meeting(path: str | Path, *, meeting_date: dt.date = MEETING_DATE, recorder: str = "杨丽华") -> Path:
    """Fill a prepared meeting workbook as the clerk would at the meeting, with openpyxl."""
    import openpyxl

    from validator import standard
    from validator.outputs.county import FIRST_DATA_ROW, HEADER_ROW, MEETING_HEADER_ROW, MEETING_VALUE_ROW

    path = Path(path)
    wb = openpyxl.load_workbook(path)
    meeting = wb[standard.form("county_meeting")["title"]]

    def title(cell) -> str:  # printed headers are broken into lines between words
        return str(cell.value or "").replace("\n", "")

    heads = {title(meeting.cell(MEETING_HEADER_ROW, c)): c for c in range(1, meeting.max_column + 1)}
    meeting.cell(MEETING_VALUE_ROW, heads["研判日期"]).value = dt.datetime.combine(meeting_date, dt.time())
    meeting.cell(
        MEETING_VALUE_ROW, heads["参加部门"]
    ).value = "扶贫、教育、医保、卫健、住建、民政、残联、公安"
    meeting.cell(MEETING_VALUE_ROW, heads["主持人"]).value = "李国强"
    meeting.cell(MEETING_VALUE_ROW, heads["记录人"]).value = recorder
    ws = wb[standard.form("county_record")["title"]]
    titles = {f["title"]: f["name"] for f in standard.form("county_record")["fields"]}
    columns = {
        titles[title(ws.cell(HEADER_ROW, c))]: c
        for c in range(1, ws.max_column + 1)
        if title(ws.cell(HEADER_ROW, c)) in titles
    }
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, columns["head_id"]).value in (None, ""):
            continue
        values = {name: ws.cell(r, col).value for name, col in columns.items()}
        for name, value in decide(values).items():
            ws.cell(r, columns[name]).value = value
    wb.save(path)
    return path


def write_province(folder: str | Path, n: int, *, seed: int = 1) -> list[Path]:
    """`n` township packages (CSV folders) of one month for the roll-up benchmark.

    A province has about 1,500 townships; the code list knows only this county's nine, so the
    nine names repeat (the roll-up then reports duplicates, which costs nothing extra).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        plan = PLANS[i % len(PLANS)]
        tables = synth.monthly(seed + i, plan.township, MONTH, (8, 6, 3))
        written.append(write_package(folder / f"{i:05d}-{plan.township}", tables, "csv"))
    return written
