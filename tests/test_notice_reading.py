"""Issue 10: the rules read 鹤扶开发〔2020〕16号 as it is written, and the county changes its settings.

Each test reproduces one of the issue's points on a copy of examples/valid-2020-07 (the way the
issue measured them) and asserts the behaviour the notice asks for.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from validator import api, standard
from validator.settings import SettingsError, builtin, check_document, load_bytes, settings_schema

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "examples" / "valid-2020-07"
TODAY = dt.date(2020, 8, 10)


def _copy(tmp_path: Path, name: str = "pkg") -> Path:
    folder = tmp_path / name
    shutil.copytree(VALID, folder)
    (folder / "datapackage.json").unlink()  # stage tables are added as plain CSV files
    return folder


def _rows(folder: Path, resource: str) -> list[dict]:
    with (folder / f"{resource}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(folder: Path, resource: str, rows: list[dict], fields: list[str] | None = None) -> None:
    fields = fields or [f["name"] for f in standard.form(resource)["fields"]]
    with (folder / f"{resource}.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _edit(folder: Path, resource: str, index: int, **cells: str) -> dict:
    rows = _rows(folder, resource)
    rows[index].update(cells)
    _write(folder, resource, rows, list(rows[0]))
    return rows[index]


def _found(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def _settings_file(tmp_path: Path, doc: dict, name: str = "县设置.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# 1 ------------------------------------------------------------------------------------------


def _case_file(folder: Path, *, start: str, meeting: str, decision: str = "认定") -> dict:
    """An 附件1 household with a county 研判 record and a measure starting on `start`."""
    head = _rows(folder, "annex1")[0]
    common = {"township": head["township"], "head_name": head["head_name"], "head_id": head["head_id"]}
    _write(
        folder,
        "assessment",
        [
            {
                **common,
                "seq": "1",
                "meeting_date": meeting,
                "departments": "扶贫、医保、民政",
                "decision": decision,
                "category": "脱贫监测户" if decision == "认定" else "",
            }
        ],
    )
    _write(
        folder,
        "assistance",
        [
            {
                **common,
                "seq": "1",
                "measure": "医疗救助",
                "content": "办理大病再救助",
                "start_date": start,
                "responsible_unit": "县医保局",
            }
        ],
    )
    return head


def test_help_may_start_after_verification_before_the_county_decision(tmp_path):
    # 二（三）: "核查情况属实的，对农户进行针对性帮扶" — before the monthly county 研判.
    folder = _copy(tmp_path)
    head = _case_file(folder, start="2020-07-08", meeting="2020-08-20")
    assert head["verify_date"] <= "2020-07-08"
    report = api.validate(folder, today=dt.date(2020, 8, 25))
    assert _found(report, "G002") == [], _found(report, "G002")
    assert not [
        f
        for f in report["findings"]
        if f["severity"] == "error" and f["resource"] in ("assessment", "assistance")
    ]


def test_help_before_the_township_verification_is_still_out_of_order(tmp_path):
    folder = _copy(tmp_path)
    _case_file(folder, start="2020-07-01", meeting="2020-08-20")
    [g002] = _found(api.validate(folder, today=dt.date(2020, 8, 25)), "G002")
    assert "帮扶日期 2020-07-01 早于乡镇审核日期" in g002["message"]


def test_what_follows_a_rejection_is_still_an_error(tmp_path):
    folder = _copy(tmp_path)
    _case_file(folder, start="2020-08-21", meeting="2020-08-20", decision="否定")
    report = api.validate(folder, today=dt.date(2020, 8, 25))
    assert [f["field"] for f in _found(report, "G003")] == ["start_date"]


# 2 ------------------------------------------------------------------------------------------


def test_a_draft_before_stamping_passes_and_says_what_is_left(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "manifest", 0, stamped="否")
    draft = api.validate(folder, today=TODAY)
    assert draft["valid"] is True
    assert draft["options"]["stage"] == "draft"
    [t008] = _found(draft, "T008")
    assert t008["severity"] == "info" and "须加盖乡镇公章" in t008["message"]
    submit = api.validate(folder, today=TODAY, stage="submit")
    assert submit["valid"] is False
    assert [f["severity"] for f in _found(submit, "T008")] == ["error"]


def test_late_is_a_warning_in_a_draft_and_an_error_at_submission(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "manifest", 0, submitted_date="2020-08-07")
    assert [f["severity"] for f in _found(api.validate(folder, today=TODAY), "T009")] == ["warning"]
    submit = api.validate(folder, today=TODAY, stage="submit")
    assert [f["severity"] for f in _found(submit, "T009")] == ["error"] and not submit["valid"]


def test_the_command_line_defaults_draft_for_validate_and_submit_for_rollup(tmp_path):
    month = tmp_path / "2020-07"
    folder = _copy(month, "松桂镇")
    _edit(folder, "manifest", 0, stamped="否")

    def fpjc(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "validator", *args, "--today", "2020-08-10", "--format", "json"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )

    draft = fpjc("validate", str(folder))
    assert draft.returncode == 0, draft.stderr
    assert json.loads(draft.stdout)["options"]["stage"] == "draft"
    submit = fpjc("validate", str(folder), "--stage", "submit")
    assert submit.returncode == 1
    rollup = fpjc("rollup", str(month))
    assert rollup.returncode == 1, rollup.stderr
    result = json.loads(rollup.stdout)
    assert result["options"]["stage"] == "submit"
    assert result["packages"][0]["error"] == 1


# 3 ------------------------------------------------------------------------------------------


def test_departments_beyond_the_eight_are_accepted_with_a_note(tmp_path):
    folder = _copy(tmp_path)
    _case_file(folder, start="2020-07-20", meeting="2020-08-20")
    _edit(folder, "assessment", 0, departments="人社、农业农村、应急、水务、财政、自然资源、乡村振兴")
    report = api.validate(folder, today=dt.date(2020, 8, 25))
    assert _found(report, "F030") == []
    notes = _found(report, "F035")
    assert len(notes) == 6 and {f["severity"] for f in notes} == {"info"}
    assert not [f for f in report["findings"] if f["severity"] == "error" and f["resource"] == "assessment"]
    county = _settings_file(tmp_path, {"departments": {"rows": [{"name": "人社"}, {"name": "财政"}]}})
    again = api.validate(folder, today=dt.date(2020, 8, 25), settings=county)
    assert len(_found(again, "F035")) == 4
    assert not any("“人社”" in f["message"] for f in _found(again, "F035"))


# 4 ------------------------------------------------------------------------------------------


def test_seven_working_days_count_from_the_receipt_of_the_appraisal(tmp_path):
    # 二（三）"接到民主评议结果后…7个工作日内": 7-01 appraisal, results received 7-06, verified 7-13.
    folder = _copy(tmp_path)
    _edit(
        folder, "annex1", 0, appraisal_date="2020-07-01", received_date="2020-07-06", verify_date="2020-07-13"
    )
    report = api.validate(folder, today=TODAY)
    assert _found(report, "R004") == []
    assert not [f for f in report["findings"] if f["rule"] == "S010"]  # the column is known
    _edit(folder, "annex1", 0, received_date="")
    [r004] = _found(api.validate(folder, today=TODAY), "R004")
    assert "没有填收到评议结果日期，从民主评议日期起算" in r004["message"]


def test_a_receipt_before_the_appraisal_is_an_error(tmp_path):
    folder = _copy(tmp_path)
    row = _edit(folder, "annex1", 0, received_date="2020-06-30")
    report = api.validate(folder, today=TODAY)
    [r010] = _found(report, "R010")
    assert row["appraisal_date"] in r010["message"] and _found(report, "R004") == []


# 5 ------------------------------------------------------------------------------------------


def test_the_deadline_is_the_5th_even_in_the_national_day_holiday(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "manifest", 0, report_month="2020-09", submitted_date="2020-10-09")
    for name in ("annex1", "annex2", "annex3"):
        _write(folder, name, [], list(_rows(folder, name)[0]) if _rows(folder, name) else None)
    _edit(folder, "manifest", 0, zero_report="是")
    report = api.validate(folder, today=dt.date(2020, 10, 12), stage="submit")
    [t009] = _found(report, "T009")
    assert "2020-10-05 前（含当天）" in t009["message"] and t009["severity"] == "error"
    rolled = _settings_file(
        tmp_path, {"deadline": {"rows": [{"key": "roll_forward", "value": True, "source": "县里决定"}]}}
    )
    again = api.validate(folder, today=dt.date(2020, 10, 12), stage="submit", settings=rolled)
    assert _found(again, "T009") == [] and again["settings"]["roll_forward"] is True


def test_the_built_in_deadline_does_not_roll_forward():
    s = builtin()
    assert (s.day_of_month, s.roll_forward) == (5, False)
    rows = {r["key"]: r for r in standard.settings()["deadline"]["rows"]}
    assert "不顺延" in rows["roll_forward"]["source"]


# 6 ------------------------------------------------------------------------------------------


def test_inclusion_reads_income_drop_from_the_risk_types(tmp_path):
    folder = _copy(tmp_path)
    _edit(
        folder,
        "annex1",
        0,
        income_per_capita="6500",
        rigid_expense="",
        income_drop="",
        risk_types="因病、收入大幅缩减",
    )
    assert _found(api.validate(folder, today=TODAY), "R001") == []


def test_inclusion_names_only_what_is_really_missing(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "annex1", 0, income_per_capita="6500", rigid_expense="", income_drop="", risk_types="因病")
    [r001] = _found(api.validate(folder, today=TODAY), "R001")
    message = r001["message"]
    assert "6500元不低于2020年监测线6000元" in message
    assert "没有填刚性支出" in message and "因病" in message
    assert "未超过" not in message  # nothing was compared: 刚性支出 is blank
    _edit(folder, "annex1", 0, rigid_expense="26000", household_size="4")
    [r001] = _found(api.validate(folder, today=TODAY), "R001")
    assert "刚性支出26000元未超过上年度家庭收入26000元（6500×4）" in r001["message"]
    _edit(folder, "annex1", 0, rigid_expense="26000.01")
    assert _found(api.validate(folder, today=TODAY), "R001") == []


# 7 ------------------------------------------------------------------------------------------


def test_every_year_from_2020_to_now_has_a_row_and_each_value_a_source():
    rows = {int(r["year"]): r for r in standard.settings()["monitoring_line"]["rows"]}
    assert set(range(2020, dt.date.today().year + 1)) <= set(rows)
    for year, row in rows.items():
        assert row["source"], year
    assert rows[2025]["amount"] == 8700 and "云农办通〔2025〕1号" in rows[2025]["source"]
    assert rows[2021]["amount"] is None and rows[2022]["amount"] is None
    assert "推算" in rows[2020]["source"]


def test_a_year_without_a_line_says_how_the_county_fills_it_in(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "manifest", 0, report_month="2021-07", submitted_date="2021-08-04")
    _edit(
        folder, "annex1", 0, income_per_capita="9000", rigid_expense="", income_drop="否", risk_types="因病"
    )
    report = api.validate(folder, today=dt.date(2021, 8, 10))
    [c001] = _found(report, "C001")
    assert "县设置文件" in c001["hint"] and "forms/settings.yaml" not in c001["hint"]
    assert _found(report, "R001") == []  # no line: no conclusion
    county = _settings_file(
        tmp_path, {"monitoring_line": {"rows": [{"year": 2021, "amount": 6500, "source": "测试"}]}}
    )
    again = api.validate(folder, today=dt.date(2021, 8, 10), settings=county)
    assert _found(again, "C001") == []
    [r001] = _found(again, "R001")
    assert "2021年监测线6500元" in r001["message"]


# 8 ------------------------------------------------------------------------------------------


def _package_2027(tmp_path: Path) -> Path:
    folder = _copy(tmp_path, "pkg2027")
    _edit(folder, "manifest", 0, report_month="2027-07", submitted_date="2027-08-04")
    rows = _rows(folder, "annex1")
    _edit(folder, "annex1", 0, appraisal_date="2027-07-09", received_date="", verify_date="2027-07-21")
    for i in range(1, len(rows)):
        _edit(folder, "annex1", i, appraisal_date="2027-07-09", received_date="", verify_date="2027-07-12")
    for i in range(len(_rows(folder, "annex2"))):
        _edit(folder, "annex2", i, appraisal_date="2027-07-09", received_date="", verify_date="2027-07-12")
    for i in range(len(_rows(folder, "annex3"))):
        _edit(folder, "annex3", i, identified_month="2027-05", release_date="2027-07-20")
    return folder


COUNTY_2027 = {
    "version": "测试",
    "monitoring_line": {"rows": [{"year": 2027, "amount": 3000, "source": "测试：一条很低的监测线"}]},
    "holiday_overrides": {
        "rows": [
            {"date": "2027-07-12", "kind": "holiday", "name": "测试假日"},
            {"date": "2027-07-13", "kind": "holiday", "name": "测试假日"},
        ]
    },
}


def test_a_county_file_changes_a_line_and_a_2027_holiday_for_the_command_line(tmp_path):
    folder = _package_2027(tmp_path)
    county = _settings_file(tmp_path, COUNTY_2027)

    def run(*extra: str) -> dict:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "validator",
                "validate",
                str(folder),
                "--format",
                "json",
                "--today",
                "2027-08-10",
                *extra,
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )
        assert result.returncode in (0, 1), result.stderr
        return json.loads(result.stdout)

    plain = run()
    assert {f["rule"] for f in plain["findings"]} >= {"C001", "C002", "R004"}
    assert plain["settings"]["source"] == "builtin"
    local = run("--settings", str(county))
    rules = {f["rule"] for f in local["findings"]}
    assert "C001" not in rules and "C002" not in rules
    # 7-09 (Fri) + 7 working days: 7-20 by Monday–Friday; with 7-12 and 7-13 off, 7-22.
    assert _found(local, "R004") == []
    # incomes above a line of 3000 and nothing else: R001 now speaks
    assert _found(local, "R001")
    s = local["settings"]
    assert s["source"] == "county" and s["file"] == "县设置.json" and len(s["sha256"]) == 64
    assert "2027年监测线：3000元" in s["changes"] and "节假日补充：2天" in s["changes"]
    assert local["options"]["settings"] == "县设置.json"


def test_a_bad_county_file_stops_with_a_chinese_message(tmp_path):
    folder = _copy(tmp_path)
    bad = _settings_file(
        tmp_path, {"monitoring_line": {"rows": [{"year": 2026, "amount": "8700元", "source": "x"}]}}
    )
    result = subprocess.run(
        [sys.executable, "-m", "validator", "validate", str(folder), "--settings", str(bad)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "监测线（monitoring_line）第1行的金额（amount）应为数或null" in result.stderr
    assert "Traceback" not in result.stderr
    broken = tmp_path / "坏.json"
    broken.write_text('{"deadline": {"rows": [{"key": "roll_forward", "value": true,}]}}', encoding="utf-8")
    with pytest.raises(SettingsError, match="不是有效的 JSON：第1行"):
        api.validate(folder, settings=broken)


def test_an_output_over_the_settings_file_is_refused(tmp_path):
    folder = _copy(tmp_path)
    county = _settings_file(tmp_path, {})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "validator",
            "validate",
            str(folder),
            "--settings",
            str(county),
            "--format",
            "json",
            "--output",
            str(county),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )
    assert result.returncode == 2 and json.loads(county.read_text(encoding="utf-8")) == {}
    assert "会覆盖" in result.stderr and county.name in result.stderr


CASES = [
    ({}, True),
    ({"version": "1", "holiday_overrides": {"rows": [{"date": "2027-10-01", "kind": "holiday"}]}}, True),
    ({"deadline": {"rows": [{"key": "day_of_month", "value": 10, "source": "x"}]}}, True),
    ({"deadline": {"rows": [{"key": "day_of_month", "value": 31, "source": "x"}]}}, False),
    ({"deadline": {"rows": [{"key": "roll_forward", "value": "是", "source": "x"}]}}, False),
    ({"deadline": {"rows": [{"key": "grace_days", "value": 2, "source": "x"}]}}, False),
    ({"monitoring_line": {"rows": [{"year": 2026, "amount": None, "source": "x"}]}}, True),
    ({"monitoring_line": {"rows": [{"year": 2026, "amount": -1, "source": "x"}]}}, False),
    ({"monitoring_line": {"rows": [{"year": 2026, "amount": 9000}]}}, False),
    ({"monitoring_line": [{"year": 2026}]}, False),
    ({"holiday_overrides": {"rows": [{"date": "2027/10/01", "kind": "holiday"}]}}, False),
    ({"holiday_overrides": {"rows": [{"date": "2027-10-01", "kind": "休息"}]}}, False),
    ({"departments": {"rows": [{"name": ""}]}}, False),
    ({"监测线": {}}, False),
    ([], False),
]


@pytest.mark.parametrize("doc, ok", CASES)
def test_the_settings_checker_agrees_with_the_published_schema(doc, ok):
    jsonschema = pytest.importorskip("jsonschema")
    published = json.loads(
        (ROOT / "schemas" / standard.version() / "settings.schema.json").read_text(encoding="utf-8")
    )
    assert {k: v for k, v in published.items() if k not in ("$id", "version")} == {
        k: v for k, v in settings_schema().items() if k not in ("$id", "version")
    }
    validator = jsonschema.Draft202012Validator(published, format_checker=jsonschema.FormatChecker())
    assert validator.is_valid(doc) is ok
    assert (check_document(doc) == []) is ok, check_document(doc)


def test_what_a_schema_cannot_say_is_checked_too():
    twice = {
        "monitoring_line": {
            "rows": [{"year": 2026, "amount": 1, "source": "a"}, {"year": 2026, "amount": 2, "source": "b"}]
        }
    }
    assert check_document(twice) == ["监测线（monitoring_line）第2行的 year 与第1行重复"]
    assert (
        "不是存在的日期"
        in check_document({"holiday_overrides": {"rows": [{"date": "2027-02-30", "kind": "holiday"}]}})[0]
    )


def test_the_published_example_is_a_usable_county_file(tmp_path):
    from validator.outputs.settings_example import write_settings_example

    path = write_settings_example(tmp_path)
    s = load_bytes(path.read_bytes(), path.name)
    assert s.file == "县设置样例.json" and s.departments[-1] == "人社"
    assert s.changes == ["研判部门补充：人社"]  # no invented figure: the year's line stays null


def test_a_county_file_saved_by_notepad_as_ansi_or_with_a_bom_is_read():
    doc = {"departments": {"rows": [{"name": "人社", "source": "县里决定"}]}}
    text = json.dumps(doc, ensure_ascii=False)
    for data in (text.encode("gb18030"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("utf-16")):
        assert load_bytes(data, "县设置.json").departments[-1] == "人社"


# 9 ------------------------------------------------------------------------------------------


def _history(tmp_path: Path, head: dict, *, rejected: bool, released: bool = False) -> Path:
    earlier = _copy(tmp_path / "history", "2020-04")
    _edit(earlier, "manifest", 0, report_month="2020-04", submitted_date="2020-05-05")
    first = _rows(earlier, "annex1")[0]
    first.update(
        head_id=head["head_id"],
        head_name=head["head_name"],
        appraisal_date="2020-04-08",
        received_date="",
        verify_date="2020-04-10",
    )
    _write(earlier, "annex1", [first], list(first))
    _write(earlier, "annex2", [], list(_rows(VALID.parent / "valid-2020-07", "annex2")[0]))
    _write(earlier, "annex3", [], list(_rows(VALID.parent / "valid-2020-07", "annex3")[0]))
    if rejected:
        common = {"township": first["township"], "head_name": first["head_name"], "head_id": first["head_id"]}
        _write(
            earlier,
            "assessment",
            [
                {
                    **common,
                    "seq": "1",
                    "meeting_date": "2020-05-20",
                    "departments": "扶贫、民政",
                    "decision": "否定",
                    "category": "",
                }
            ],
        )
    if released:
        later = _copy(tmp_path / "history", "2020-05")
        _edit(later, "manifest", 0, report_month="2020-05", submitted_date="2020-06-05")
        release = _rows(later, "annex3")[0]
        release.update(
            head_id=head["head_id"],
            head_name=head["head_name"],
            identified_month="2020-04",
            release_date="2020-05-28",
        )
        _write(later, "annex3", [release], list(release))
        _write(later, "annex1", [], list(first))
        _write(later, "annex2", [], list(_rows(VALID.parent / "valid-2020-07", "annex2")[0]))
        _edit(later, "manifest", 0, zero_report="是")
        again = _copy(tmp_path / "history", "2020-06")
        _edit(again, "manifest", 0, report_month="2020-06", submitted_date="2020-07-03")
        warned = dict(first, appraisal_date="2020-06-10", verify_date="2020-06-12")
        _write(again, "annex1", [warned], list(first))
        _write(again, "annex2", [], list(_rows(VALID.parent / "valid-2020-07", "annex2")[0]))
        _write(again, "annex3", [], list(release))
    return tmp_path / "history"


def test_a_household_rejected_by_the_county_and_warned_again_is_a_new_warning(tmp_path):
    folder = _copy(tmp_path)
    head = _rows(folder, "annex1")[0]
    history = _history(tmp_path, head, rejected=True)
    report = api.validate(folder, today=TODAY, history=history)
    assert _found(report, "H006") == []
    plain = api.validate(folder, today=TODAY, history=_history(tmp_path / "b", head, rejected=False))
    assert [f["row"] for f in _found(plain, "H006")] == [2]


def test_a_household_released_and_warned_again_is_still_monitored(tmp_path):
    # April warning, May release, June warning again: July's warning repeats June's.
    folder = _copy(tmp_path)
    head = _rows(folder, "annex1")[0]
    report = api.validate(
        folder, today=TODAY, history=_history(tmp_path, head, rejected=False, released=True)
    )
    [h006] = _found(report, "H006")
    assert "返贫预警" in h006["message"]


# 10 -----------------------------------------------------------------------------------------

RARE = ["李𠀾", "王𪚥", "张𫖮", "赵䶮", "孙𬱖", "丁𰻞", "周﨑", "吴𱍐"]  # Ext B, B, C/E, A, E, G, compat, H


def _names_package(tmp_path: Path, encoding: str) -> Path:
    folder = _copy(tmp_path, f"names-{encoding}")
    rows = _rows(folder, "annex1")
    for row, name in zip(rows, RARE, strict=False):
        row["head_name"] = name
    fields = list(rows[0])
    with (folder / "annex1.csv").open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_rare_characters_in_names_are_accepted_in_every_encoding(tmp_path, encoding):
    folder = _names_package(tmp_path, encoding)
    if encoding == "gb18030":
        assert len("𠀾".encode("gb18030")) == 4  # a four-byte GB18030 sequence
    report = api.validate(folder, today=TODAY, show_personal_data=True)
    assert _found(report, "F043") == [], _found(report, "F043")
    assert report["valid"]


def test_rare_characters_in_names_are_accepted_from_a_workbook(tmp_path):
    import openpyxl

    from validator.builders.rule_examples import apply_patch, write_package

    edits = [{"row": i + 1, "set": {"head_name": name}} for i, name in enumerate(RARE[:2])]
    path = write_package(tmp_path / "book", apply_patch({"annex1": {"edits": edits}}), "xlsx")
    assert openpyxl.load_workbook(path)["附件1"]["E2"].value == RARE[0]
    report = api.validate(path, today=TODAY)
    assert _found(report, "F043") == [] and report["valid"]


def test_a_name_handed_over_as_utf16_halves_is_put_back_together():
    from validator.fields.check import _joined

    halves = "李" + "𠀾".encode("utf-16-le").decode("utf-16-le", "surrogatepass")
    split = "李\ud840\udc3e"
    assert _joined(split) == "李𠀾" == halves
    assert _joined("李\ud840") == "李\ud840"  # a lone half stays, and the pattern refuses it


# 11 -----------------------------------------------------------------------------------------


POVERTY_CAUSES_2014 = [
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
    "其它",
    "因婚",
]
RISK_TYPES_2021 = [
    "因病",
    "因学",
    "因残",
    "因自然灾害",
    "因意外事故",
    "因产业项目失败",
    "因务工就业不稳",
    "缺劳动力",
    "其他",
]


@pytest.mark.parametrize("term", sorted(set(POVERTY_CAUSES_2014 + RISK_TYPES_2021)))
def test_every_official_risk_term_is_accepted(tmp_path, term):
    folder = _copy(tmp_path)
    _edit(folder, "annex1", 0, risk_types=term)
    report = api.validate(folder, today=TODAY)
    assert _found(report, "F030") == [] and report["valid"]
    notes = [f for f in report["findings"] if f["rule"] in ("F031", "F036") and f["row"] == 2]
    label = {t["term"]: t for t in standard.codelist("risk_type")["terms"]}[term]["label"]
    if term == label:
        assert notes == []
    else:
        assert len(notes) == 1 and f"“{label}”" in notes[0]["message"]


def test_terms_without_an_equivalent_are_explained_and_not_counted_twice(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "annex1", 0, risk_types="缺资金、缺技术")
    report = api.validate(folder, today=TODAY)
    notes = _found(report, "F036")
    assert len(notes) == 2 and _found(report, "F032") == []
    assert all("2014—2020年建档立卡“致贫原因”" in f["message"] for f in notes)
    assert any("因产业项目失败" in f["message"] for f in notes)


def test_the_2021_category_hints_do_not_send_users_back_to_2020_terms(tmp_path):
    folder = _copy(tmp_path)
    _case_file(folder, start="2020-07-20", meeting="2020-08-20")
    for typed, rule, label in (("边缘易致贫户", "F031", "边缘户"), ("突发严重困难户", "F036", "边缘户")):
        _edit(folder, "assessment", 0, category=typed)
        [note] = _found(api.validate(folder, today=dt.date(2020, 8, 25)), rule)
        assert f"“{label}”" in note["message"] and "2021年起" in note["message"]
        assert "今后请直接填写标准名称" not in note["hint"]
    assert "脱贫不稳定户" in note["message"]  # a 建档立卡 household is told the 2021 word for it
