"""The small valid base package every rule example starts from, and the example runner.

A rule's `fail` and `passing` examples are patches on BASE (see `validator.rules` for the patch
forms). The runner writes the patched package as a folder of CSV files (or one .xlsx workbook)
and validates it through the real engine, so an example shows exactly what a clerk would see.
All names and ID numbers here are invented; the ID numbers carry valid check digits.

Beyond the forms in `validator.rules`:
    {"assessment": {...}}          a stage table absent from BASE starts from STAGE_ROWS
    {"files": {"x.csv": {"hex": "e5ba8f"}}}   raw bytes; {"text": ..., "encoding": "gb18030"} also works
    {"options": {"encoding": "gb18030"}}      write every CSV in that encoding
    {"options": {"template_version": "0.9.0"}}  (xlsx) the version written to the hidden _fpjc sheet
    {"options": {"history": {"annex1": [{...}], ...}}}  one earlier accepted package; rows are
        completed from BASE's first row of the same form, its manifest from HISTORY_MANIFEST
    {"options": {"roster": ["5329…", ...]}}   the 建档立卡 roster (head_ids)
    {"options": {"stage": "submit"}}          check what is submitted (default: a draft)
    {"options": {"settings": {...}}}          a county settings file (its JSON document)

County record examples (rule K) start from COUNTY_BASE instead, a meeting and its four decisions
on BASE's 附件1/附件2 households:
    {"options": {"county": True}}                       the county base package
    {"options": {"county": True, "packages": True}}     ... traced against BASE as the month's package
    {"options": {..., "month_files": {"x.zip": "..."}}}  more files in the month's folder
    {"county_marking": {...}}                           a 全国系统标注清单 (from MARKING_ROWS)
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import tempfile
from pathlib import Path

from validator import api, standard
from validator.catalogue import registry
from validator.county.record import index_folder, read_record

TODAY = "2020-08-10"

# Invented households; every ID has a correct GB 11643 check character.
ID = {
    "a1_1": "532932195803120013",
    "a1_2": "532932196708050023",
    "a2_1": "532932197501190031",
    "a2_2": "532932198204260042",
    "a3_1": "532932194909300050",
    "a3_2": "532932196102170063",
    "spare_1": "532932198811030070",
    "spare_2": "53293219540722008X",
}

BASE: dict[str, list[dict[str, str]]] = {
    "manifest": [
        {
            "township": "云鹤镇",
            "report_month": "2020-07",
            "submitted_date": "2020-08-04",
            "zero_report": "否",
            "stamped": "是",
            "preparer": "杨丽华",
            "reviewer": "李国强",
            "phone": "13900000001",
        }
    ],
    "annex1": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "village": "东山村委会",
            "village_group": "上村组",
            "head_name": "段春生",
            "head_id": ID["a1_1"],
            "household_number": "5329320100001",
            "exit_year": "2018",
            "poor_attr": "一般贫困户",
            "household_size": "4",
            "phone": "13900000011",
            "focus_groups": "重病户",
            "income_per_capita": "5200",
            "rigid_expense": "18000",
            "income_drop": "否",
            "risk_types": "因病",
            "risk_note": "户主患慢性病，长期住院，医疗支出大",
            "discovery": "农户申请",
            "appraisal_date": "2020-07-10",
            "verify_date": "2020-07-15",
            "measures": "医疗救助、就业扶持",
            "measures_note": "办理大病再救助，推荐公益性岗位",
            "helper": "王明",
            "remark": "",
        },
        {
            "seq": "2",
            "township": "云鹤镇",
            "village": "东山村委会",
            "village_group": "下村组",
            "head_name": "赵文英",
            "head_id": ID["a1_2"],
            "household_number": "5329320100002",
            "exit_year": "2019",
            "poor_attr": "低保贫困户",
            "household_size": "3",
            "phone": "",
            "focus_groups": "",
            "income_per_capita": "7200",
            "rigid_expense": "",
            "income_drop": "是",
            "risk_types": "因务工就业不稳、收入大幅缩减",
            "risk_note": "外出务工停工，家庭收入减少一半",
            "discovery": "干部走访排查",
            "appraisal_date": "2020-07-10",
            "verify_date": "2020-07-16",
            "measures": "就业扶持",
            "measures_note": "",
            "helper": "王明",
            "remark": "",
        },
    ],
    "annex2": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "village": "西坡村委会",
            "village_group": "大箐组",
            "head_name": "和建明",
            "head_id": ID["a2_1"],
            "household_size": "5",
            "social_security": "低保",
            "phone": "13900000021",
            "focus_groups": "残疾人户",
            "income_per_capita": "5600",
            "rigid_expense": "",
            "income_drop": "",
            "risk_types": "因残",
            "risk_note": "家中两人残疾，缺少劳动力",
            "discovery": "部门筛查预警",
            "appraisal_date": "2020-07-08",
            "verify_date": "2020-07-14",
            "measures": "兜底保障帮扶",
            "measures_note": "",
            "helper": "",
            "remark": "",
        },
        {
            "seq": "2",
            "township": "云鹤镇",
            "village": "西坡村委会",
            "village_group": "小箐组",
            "head_name": "杨秀兰",
            "head_id": ID["a2_2"],
            "household_size": "2",
            "social_security": "无",
            "phone": "",
            "focus_groups": "受灾户",
            "income_per_capita": "9000",
            "rigid_expense": "25000",
            "income_drop": "否",
            "risk_types": "因灾、住房安全问题",
            "risk_note": "房屋受洪灾损毁，重建支出大",
            "discovery": "农户申请",
            "appraisal_date": "2020-07-08",
            "verify_date": "2020-07-14",
            "measures": "住房保障、金融扶贫",
            "measures_note": "",
            "helper": "",
            "remark": "",
        },
    ],
    "annex3": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "village": "东山村委会",
            "village_group": "上村组",
            "head_name": "李春花",
            "head_id": ID["a3_1"],
            "household_size": "3",
            "warning_type": "返贫预警",
            "identified_month": "2020-03",
            "risk_types": "因灾",
            "measures_done": "住房保障",
            "income_per_capita_release": "8200",
            "release_way": "帮扶消除",
            "release_reason": "危房改造完成，务工收入恢复",
            "release_date": "2020-07-20",
            "system_marked": "是",
            "remark": "",
        },
        {
            "seq": "2",
            "township": "云鹤镇",
            "village": "西坡村委会",
            "village_group": "大箐组",
            "head_name": "张志国",
            "head_id": ID["a3_2"],
            "household_size": "4",
            "warning_type": "致贫预警",
            "identified_month": "2020-05",
            "risk_types": "因学",
            "measures_done": "",
            "income_per_capita_release": "",
            "release_way": "县级研判否定",
            "release_reason": "县级研判认为收入稳定，不存在致贫风险",
            "release_date": "2020-07-06",
            "system_marked": "否",
            "remark": "",
        },
    ],
}

# Stage records consistent with BASE: the township stages of annex1's first household and
# the county stages of annex3's first household. A patch naming one of these tables adds it.
STAGE_ROWS: dict[str, list[dict[str, str]]] = {
    "screening": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "village": "东山村委会",
            "head_name": "段春生",
            "head_id": ID["a1_1"],
            "discovery": "农户申请",
            "screening_date": "2020-07-03",
            "work_group": "包村领导、村干部、驻村工作队员",
            "listed": "是",
            "remark": "",
        }
    ],
    "appraisal": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "village": "东山村委会",
            "head_name": "段春生",
            "head_id": ID["a1_1"],
            "appraisal_date": "2020-07-10",
            "host": "王明",
            "attendance": "26",
            "appraisal_result": "返贫预警",
            "objections": "",
            "answers": "",
        }
    ],
    "verification": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "head_name": "段春生",
            "head_id": ID["a1_1"],
            "received_date": "2020-07-13",
            "verify_date": "2020-07-15",
            "team": "乡镇扶贫办、包村领导、驻村第一书记",
            "findings": "家庭情况与申请一致，医疗支出属实",
            "verification_result": "属实",
        }
    ],
    "assessment": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "head_name": "李春花",
            "head_id": ID["a3_1"],
            "meeting_date": "2020-04-28",
            "departments": "扶贫、住建、民政",
            "decision": "认定",
            "category": "脱贫监测户",
            "remark": "",
        }
    ],
    "assistance": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "head_name": "李春花",
            "head_id": ID["a3_1"],
            "measure": "住房保障",
            "content": "实施危房改造",
            "start_date": "2020-05-10",
            "amount": "15000",
            "responsible_unit": "县住建局",
        }
    ],
}

# The county's record of a meeting on BASE's households (rule K examples).
COUNTY_BASE: dict[str, list[dict[str, str]]] = {
    "county_meeting": [
        {
            "county": "鹤庆县",
            "report_month": "2020-07",
            "meeting_date": "2020-08-07",
            "departments": "扶贫、教育、医保、卫健、住建、民政、残联、公安",
            "host": "李国强",
            "recorder": "杨丽华",
        }
    ],
    "county_record": [
        {
            "seq": "1",
            "township": "云鹤镇",
            "village": "东山村委会",
            "village_group": "上村组",
            "head_name": "段春生",
            "head_id": ID["a1_1"],
            "warning_type": "返贫预警",
            "household_size": "4",
            "income_per_capita": "5200",
            "risk_types": "因病",
            "risk_note": "户主患慢性病，长期住院，医疗支出大",
            "verify_date": "2020-07-15",
            "verify_findings": "",
            "measures": "医疗救助、就业扶持",
            "measures_note": "办理大病再救助，推荐公益性岗位",
            "source": "云鹤镇 附件1 第2行",
            "decision": "认定",
            "category": "脱贫监测户",
            "guarantee_gaps": "基本医疗",
            "decision_note": "同意乡镇帮扶措施建议",
            "remark": "",
        },
        {
            "seq": "2",
            "township": "云鹤镇",
            "village": "东山村委会",
            "village_group": "下村组",
            "head_name": "赵文英",
            "head_id": ID["a1_2"],
            "warning_type": "返贫预警",
            "verify_date": "2020-07-16",
            "source": "云鹤镇 附件1 第3行",
            "decision": "否定",
            "category": "",
            "guarantee_gaps": "",
            "decision_note": "外出务工已恢复，家庭收入稳定，不存在返贫风险",
        },
        {
            "seq": "3",
            "township": "云鹤镇",
            "village": "西坡村委会",
            "village_group": "大箐组",
            "head_name": "和建明",
            "head_id": ID["a2_1"],
            "warning_type": "致贫预警",
            "verify_date": "2020-07-14",
            "source": "云鹤镇 附件2 第2行",
            "decision": "认定",
            "category": "边缘户",
            "guarantee_gaps": "",
            "decision_note": "",
        },
        {
            "seq": "4",
            "township": "云鹤镇",
            "village": "西坡村委会",
            "village_group": "小箐组",
            "head_name": "杨秀兰",
            "head_id": ID["a2_2"],
            "warning_type": "致贫预警",
            "verify_date": "2020-07-14",
            "source": "云鹤镇 附件2 第3行",
            "decision": "认定",
            "category": "边缘户",
            "guarantee_gaps": "住房安全",
            "decision_note": "",
        },
    ],
}
# A 全国系统标注清单 row: BASE's first 附件3 release, marked after its release date.
MARKING_ROWS = [
    {
        "seq": "1",
        "township": "云鹤镇",
        "village": "东山村委会",
        "head_name": "李春花",
        "head_id": ID["a3_1"],
        "warning_type": "返贫预警",
        "identified_month": "2020-03",
        "release_way": "帮扶消除",
        "release_date": "2020-07-20",
        "source": "云鹤镇 附件3 第2行",
        "marked_by": "杨丽华",
        "marked_date": "2020-08-06",
        "remark": "",
    }
]

# The earlier package that `options.history` tables are written into.
HISTORY_MANIFEST = {
    "township": "云鹤镇",
    "report_month": "2020-03",
    "submitted_date": "2020-04-03",
    "zero_report": "否",
    "stamped": "是",
    "preparer": "杨丽华",
    "reviewer": "李国强",
    "phone": "13900000001",
}


def _table(form_id: str, rows: list[dict]) -> dict:
    fields = [f["name"] for f in standard.form(form_id)["fields"]]
    titles = {f["name"]: f["title"] for f in standard.form(form_id)["fields"]}
    return {"fields": fields, "headers": [titles[n] for n in fields], "rows": copy.deepcopy(rows)}


def base_tables(*, county: bool = False) -> dict:
    """BASE (or COUNTY_BASE) as tables: form id → {"fields", "headers", "rows"} (a fresh copy)."""
    return {form_id: _table(form_id, rows) for form_id, rows in (COUNTY_BASE if county else BASE).items()}


def is_county(patch: dict) -> bool:
    return bool(patch.get("options", {}).get("county"))


def apply_patch(patch: dict) -> dict:
    """BASE with a rule example's patch applied: form id → table, plus "_files" for raw files."""
    tables = base_tables(county=is_county(patch))
    for name in patch.get("drop", []):
        tables.pop(name, None)
    for resource, change in patch.items():
        if resource in ("drop", "files", "raw", "options"):
            continue
        if resource not in tables:
            rows = (
                BASE.get(resource)
                or STAGE_ROWS.get(resource)
                or (MARKING_ROWS if resource == "county_marking" else [])
            )
            tables[resource] = _table(resource, rows)
        _change(tables[resource], change)
    for resource, text in patch.get("raw", {}).items():
        tables[resource] = {"raw": text}
    if patch.get("files"):
        tables["_files"] = dict(patch["files"])
    return tables


def _change(table: dict, change: dict) -> None:
    rows = table["rows"]
    if "rows" in change:
        template = rows[0] if rows else {}
        rows[:] = [{**template, **r} if template else dict(r) for r in change["rows"]]
    if "set" in change:
        rows[change.get("row", 1) - 1].update(change["set"])
    for edit in change.get("edits", []):  # several rows: [{"row": 2, "set": {...}}]
        rows[edit.get("row", 1) - 1].update(edit["set"])
    if "append" in change:
        template = rows[0] if rows else {}
        rows.extend({**template, **r} for r in change["append"])
    for name in change.get("drop_columns", []):
        if name in table["fields"]:
            i = table["fields"].index(name)
            del table["fields"][i]
            del table["headers"][i]
    for old, new in change.get("rename_columns", {}).items():
        if old in table["headers"]:
            table["headers"][table["headers"].index(old)] = new


def _csv_text(table: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table["headers"])
    for r in table["rows"]:
        writer.writerow([r.get(n, "") for n in table["fields"]])
    return out.getvalue()


def _file_bytes(content, encoding: str = "utf-8") -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, dict):
        if "hex" in content:
            return bytes.fromhex(content["hex"])
        return content["text"].encode(content.get("encoding", "utf-8"))
    return content.encode(encoding)


def write_package(
    directory: str | Path, tables: dict, format: str = "csv", *, options: dict | None = None
) -> Path:
    """Write tables as a CSV folder (returns the folder) or one workbook (returns the .xlsx)."""
    options = options or {}
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if format == "xlsx":
        return _write_xlsx(directory / "package.xlsx", tables, options)
    encoding = options.get("encoding", "utf-8")
    for resource, table in tables.items():
        if resource == "_files":
            continue
        text = table["raw"] if "raw" in table else _csv_text(table)
        (directory / f"{resource}.csv").write_bytes(_file_bytes(text, encoding))
    for name, content in tables.get("_files", {}).items():
        (directory / name).write_bytes(_file_bytes(content, encoding))
    return directory


def _write_xlsx(path: Path, tables: dict, options: dict) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for resource, table in tables.items():
        if resource == "_files":
            continue
        ws = wb.create_sheet(standard.form(resource)["title"] if resource in _FORM_IDS else resource)
        if "raw" in table:
            for r in csv.reader(io.StringIO(table["raw"])):
                ws.append(r)
            continue
        types = {f["name"]: f["type"] for f in standard.form(resource)["fields"]}
        ws.append(table["headers"])
        for r in table["rows"]:
            ws.append([_cell(types.get(n), r.get(n, "")) for n in table["fields"]])
    for name, content in tables.get("_files", {}).items():
        if name.endswith(".csv") and isinstance(content, str):
            ws = wb.create_sheet(name[:-4][:31])
            for r in csv.reader(io.StringIO(content)):
                ws.append(r)
    meta = wb.create_sheet("_fpjc")
    meta.sheet_state = "hidden"
    for key, value in (
        ("standard", standard.load()["name"]),
        ("standard_version", options.get("template_version", standard.version())),
        ("template", "county_meeting" if options.get("county") else "workbook"),
        ("forms", ",".join(t for t in tables if t in _FORM_IDS)),
    ):
        meta.append([key, value])
    wb.save(path)
    return path


_FORM_IDS = {f["id"] for f in standard.forms()}


def _cell(kind: str | None, text: str):
    """What a clerk's typing becomes in Excel: numbers and dates turn into typed cells."""
    if text == "" or text is None:
        return None
    try:
        if kind == "integer":
            return int(text)
        if kind == "money":
            return float(text) if "." in text else int(text)
        if kind == "date":
            return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    return text


def history_tables(history: dict) -> dict:
    tables = {"manifest": _table("manifest", [{**HISTORY_MANIFEST, **history.get("manifest", [{}])[0]}])}
    for form_id, rows in history.items():
        if form_id == "manifest":
            continue
        template = (BASE.get(form_id) or STAGE_ROWS.get(form_id) or [{}])[0]
        tables[form_id] = _table(form_id, [{**template, **r} for r in rows])
    return tables


def _write_example(tmp: Path, patch: dict) -> dict:
    """Write what a rule example checks into `tmp`: the package (a folder of CSV files or one
    workbook) or the county record and the month's packages, plus the history, roster and
    settings files its options name. Returns the paths (None for what it does not use)."""
    options = patch.get("options", {})
    tables = apply_patch(patch)
    fmt = options.get("format", "csv")
    paths: dict = {"history": None, "roster": None, "settings": None, "month": None}
    if is_county(patch):
        paths["package"] = write_package(tmp / "record", tables, fmt, options=options)
        if options.get("packages"):
            month = paths["month"] = tmp / "本月报送包"
            write_package(month / "云鹤镇", base_tables())
            for name, content in (options.get("month_files") or {}).items():
                (month / name).write_bytes(_file_bytes(content))
        return paths
    paths["package"] = write_package(tmp / "package", tables, fmt, options=options)
    if options.get("history") is not None:
        paths["history"] = tmp / "history"
        write_package(paths["history"] / "2020-03", history_tables(options["history"]))
    if options.get("roster") is not None:
        paths["roster"] = tmp / "roster.csv"
        paths["roster"].write_text(
            "身份证号\n" + "".join(f"{h}\n" for h in options["roster"]), encoding="utf-8"
        )
    if options.get("settings") is not None:
        paths["settings"] = tmp / "县设置.json"
        paths["settings"].write_text(
            json.dumps(options["settings"], ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return paths


def written_files(patch: dict) -> dict[str, bytes]:
    """The files a rule example hands to the validator, as {path: bytes}: the package's files
    under "package/" (a workbook as "package.xlsx"), a county record's under "record/" and the
    month's packages under "本月报送包/". The site shows a correct example from these."""
    with tempfile.TemporaryDirectory(prefix="fpjc-example-") as tmp:
        root = Path(tmp)
        paths = _write_example(root, patch)
        shown = [paths["package"], paths["month"]]
        out = {}
        for top in shown:
            if top is None:
                continue
            for p in sorted([top] if top.is_file() else top.rglob("*")):
                if p.is_file():
                    out[p.relative_to(root).as_posix()] = p.read_bytes()
        return out


def run_patch(patch: dict) -> dict:
    """Validate BASE with `patch` applied through the real engine; returns the report dict."""
    options = patch.get("options", {})
    today = dt.date.fromisoformat(options.get("today", TODAY))
    with tempfile.TemporaryDirectory(prefix="fpjc-example-") as tmp:
        paths = _write_example(Path(tmp), patch)
        path = paths["package"]
        if is_county(patch):
            index = None
            if paths["month"] is not None:
                index, _ = index_folder(paths["month"], today=today)
            record = read_record(
                [path],
                today=today,
                reported=index,
                name=f"示例研判记录{path.suffix}",
                packages="本月报送包" if index is not None else None,
            )
            return _without_temp_paths(record.report, tmp)
        report = api.validate(
            [path],
            history=paths["history"],
            roster=paths["roster"],
            today=today,
            name=f"示例报送包{path.suffix}",
            stage=options.get("stage", "draft"),
            settings=paths["settings"],
        )
        return _without_temp_paths(report, tmp)


def _without_temp_paths(report: dict, tmp: str) -> dict:
    """Example reports are shown on the site and compared: no random temporary folder names."""
    prefix = str(Path(tmp)) + "/"
    for item in report.get("inputs", []):
        item["path"] = str(item["path"]).replace(prefix, "")
    for key in ("history", "roster"):
        if report["options"].get(key):
            report["options"][key] = str(report["options"][key]).replace(prefix, "")
    return report


def run_example(rule, which: str = "fail") -> dict:
    """Run a registered rule's failing (`which="fail"`) or passing example."""
    r = registry()[rule] if isinstance(rule, str) else rule
    return run_patch(r.fail if which == "fail" else r.passing)
