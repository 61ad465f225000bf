"""The engine end to end on real files: report shape, order, masking, inputs, history, roster."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from validator import api
from validator.builders import rule_examples
from validator.builders.rule_examples import ID, apply_patch, write_package
from validator.tables import InputError

TODAY = dt.date(2020, 8, 10)


def _write(tmp_path: Path, patch: dict, fmt: str = "csv", name: str = "package") -> Path:
    return write_package(tmp_path / name, apply_patch(patch), fmt)


def _rules(report: dict) -> list[str]:
    return [f["rule"] for f in report["findings"]]


def test_report_has_every_key_and_counts_add_up(tmp_path):
    path = _write(tmp_path, {"annex1": {"set": {"township": "辛屯镇", "income_per_capita": "6500"}}})
    report = api.validate(path, today=TODAY)
    assert set(report) == {
        "valid", "fpjc_version", "standard_version", "name", "options", "inputs",
        "summary", "checks_not_run", "settings", "calendar", "findings",
    }  # fmt: skip
    assert report["valid"] is False
    summary = report["summary"]
    assert summary["error"] + summary["warning"] + summary["info"] == len(report["findings"])
    assert summary["by_rule"] == {"R001": 1, "T005": 1}
    assert summary["by_resource"] == {"annex1": {"error": 1, "warning": 1, "info": 0}}
    assert report["options"]["today"] == "2020-08-10"
    t005 = next(f for f in report["findings"] if f["rule"] == "T005")
    assert (t005["resource"], t005["row"], t005["field"], t005["column"], t005["cell"]) == (
        "annex1", 2, "township", "乡镇", "B2",
    )  # fmt: skip
    assert t005["source"] == "annex1.csv"
    assert "辛屯镇" in t005["message"] and "云鹤镇" in t005["message"]


def test_output_is_deterministic(tmp_path):
    patch = {
        "annex1": {"set": {"seq": "5", "head_id": ID["a1_2"]}},
        "annex2": {"set": {"head_id": ID["a1_1"]}},
    }
    path = _write(tmp_path, patch)
    first = api.validate(path, today=TODAY)
    second = api.validate(path, today=TODAY)
    assert first == second
    assert "T004" in _rules(first) and "T001" in _rules(first)


def test_csv_and_workbook_give_the_same_findings(tmp_path):
    patch = {
        "annex1": {"set": {"appraisal_date": "2020-07-16"}},
        "annex3": {"set": {"measures_done": ""}},
        "manifest": {"set": {"stamped": "否"}},
    }
    from_csv = api.validate(_write(tmp_path, patch), today=TODAY)
    from_xlsx = api.validate(_write(tmp_path, patch, "xlsx", "book"), today=TODAY)

    def key(r):
        return sorted((f["rule"], f["resource"], f["row"], f["field"]) for f in r["findings"])

    assert (
        key(from_csv)
        == key(from_xlsx)
        == [
            ("R003", "annex1", 2, "appraisal_date"),
            ("R007", "annex3", 2, "measures_done"),
            ("T008", "manifest", 2, "stamped"),
        ]
    )


def test_personal_data_is_masked_unless_asked(tmp_path):
    path = _write(tmp_path, {"annex1": {"set": {"head_id": ID["a1_2"]}}})
    masked = next(f for f in api.validate(path, today=TODAY)["findings"] if f["rule"] == "T001")
    assert masked["value"] != ID["a1_2"] and masked["value"].endswith(ID["a1_2"][-4:])
    assert ID["a1_2"] not in masked["message"]
    shown = next(
        f for f in api.validate(path, today=TODAY, show_personal_data=True)["findings"] if f["rule"] == "T001"
    )
    assert shown["value"] == ID["a1_2"]


def test_validate_files_from_bytes_matches_validate(tmp_path):
    patch = {"annex2": {"set": {"head_id": ID["a1_1"]}}}
    path = _write(tmp_path, patch)
    files = [(p.name, p.read_bytes()) for p in sorted(path.iterdir())]
    from_paths = api.validate(path, today=TODAY)
    from_bytes = api.validate_files(files, today=TODAY)
    assert from_bytes["findings"] == from_paths["findings"]
    assert _rules(from_bytes) == ["T002"]
    book = _write(tmp_path, patch, "xlsx", "book")
    assert _rules(api.validate_files([(book.name, book.read_bytes())], today=TODAY)) == ["T002"]


def test_missing_manifest_lists_the_checks_not_run(tmp_path):
    report = api.validate(_write(tmp_path, {"drop": ["manifest"]}), today=TODAY)
    assert "S005" in _rules(report)
    not_run = {c["check"][:4] for c in report["checks_not_run"]}
    assert {"T005", "T006", "T008", "T009", "T010", "R005"} <= not_run
    assert all(
        c["reason"] == "报送包没有报送信息表" for c in report["checks_not_run"] if c["check"][:4] == "T008"
    )
    assert not [r for r in _rules(report) if r[0] == "T"]


def test_invalid_manifest_date_skips_only_what_needs_it(tmp_path):
    report = api.validate(
        _write(tmp_path, {"manifest": {"set": {"submitted_date": "八月四日"}}}), today=TODAY
    )
    reasons = {c["check"][:4]: c["reason"] for c in report["checks_not_run"]}
    assert reasons["T009"] == reasons["R005"] == "报送信息中的上报日期缺失或无效"
    assert "T008" not in reasons


def test_unreadable_input_raises_input_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError):
        api.validate(empty, today=TODAY)


def test_history_accepts_folders_zips_and_workbooks(tmp_path):
    history = tmp_path / "history"
    earlier = rule_examples.history_tables({"annex1": [{"head_id": ID["a3_1"]}]})
    write_package(history / "2020-03", earlier)
    zipped = write_package(
        tmp_path / "z", rule_examples.history_tables({"annex2": [{"head_id": ID["a3_2"]}]})
    )
    with zipfile.ZipFile(history / "2020-05.zip", "w") as z:
        for p in zipped.iterdir():
            z.write(p, p.name)
    path = _write(tmp_path, {})
    report = api.validate(path, history=history, today=TODAY)
    assert not [r for r in _rules(report) if r.startswith("H")]
    assert not [c for c in report["checks_not_run"] if c["check"].startswith("H001")]

    # only the zip: the first release has no earlier warning
    (history / "2020-03" / "annex1.csv").unlink()
    report = api.validate(path, history=history, today=TODAY)
    h = [(f["rule"], f["row"]) for f in report["findings"] if f["rule"].startswith("H")]
    assert h == [("H001", 2)]

    book_dir = tmp_path / "history_xlsx"
    write_package(book_dir, earlier, "xlsx")
    report = api.validate(path, history=book_dir, today=TODAY)
    assert [(f["rule"], f["row"]) for f in report["findings"] if f["rule"].startswith("H")] == [("H001", 3)]


def test_roster_from_workbook_with_a_title_row(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["云鹤镇建档立卡户名单"])
    ws.append(["序号", "户主姓名", "户主身份证号"])
    ws.append([1, "段春生", ID["a1_1"]])
    ws.append([2, "赵文英", ID["a1_2"]])
    ws.append([3, "和建明", ID["a2_1"]])
    roster = tmp_path / "roster.xlsx"
    wb.save(roster)
    report = api.validate(_write(tmp_path, {}), roster=roster, today=TODAY)
    assert [(f["rule"], f["resource"], f["row"]) for f in report["findings"]] == [("H004", "annex2", 2)]
    assert api.validate(_write(tmp_path, {}), roster=[ID["a1_1"], ID["a1_2"]], today=TODAY)["findings"] == []


def test_roster_without_an_id_column_is_an_input_error(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名\n段春生\n", encoding="utf-8")
    with pytest.raises(InputError, match="身份证号"):
        api.validate(_write(tmp_path, {}), roster=roster, today=TODAY)


def test_stage_order_names_both_records(tmp_path):
    patch = {"verification": {"set": {"verify_date": "2020-07-09", "received_date": "2020-07-08"}}}
    report = api.validate(_write(tmp_path, patch), today=TODAY)
    g002 = [f for f in report["findings"] if f["rule"] == "G002"]
    assert [(f["resource"], f["row"], f["field"]) for f in g002] == [
        ("verification", 2, "received_date"),
        ("verification", 2, "verify_date"),
    ]
    assert "附件1 第2行" in g002[0]["message"] and "2020-07-10" in g002[0]["message"]


def test_monitoring_line_missing_is_reported_not_silent(tmp_path):
    patch = {
        "manifest": {"set": {"report_month": "2022-07", "submitted_date": "2022-08-04"}},
        "annex1": {"set": {"income_per_capita": "99999"}},
    }
    report = api.validate(_write(tmp_path, patch), today=dt.date(2022, 8, 10))
    assert "R001" not in _rules(report)
    c001 = [f for f in report["findings"] if f["rule"] == "C001"]
    assert len(c001) == 1 and "2022" in c001[0]["message"]
    assert any("2022年收入与监测线比较" in c["check"] for c in report["checks_not_run"])


def test_calendar_fallback_is_in_the_report(tmp_path):
    report = rule_examples.run_example("C002", "fail")
    assert report["calendar"]["fallback_years"] == [2027]
    assert "2027" in report["calendar"]["note"]


@pytest.mark.slow
def test_large_annex1_streams_in_little_memory(tmp_path):
    import csv
    import tracemalloc

    from validator import standard
    from validator.builders import synth

    n = 50_000
    folder = tmp_path / "big"
    folder.mkdir()
    fields = standard.form("annex1")["fields"]
    base_manifest = rule_examples.BASE["manifest"][0]
    (folder / "manifest.csv").write_text(
        ",".join(base_manifest) + "\n" + ",".join(base_manifest.values()) + "\n", encoding="utf-8"
    )
    with open(folder / "annex1.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([x["title"] for x in fields])
        for r in synth.rows("annex1", n, township="云鹤镇"):
            w.writerow([synth.cell(x, r.get(x["name"])) for x in fields])
    tracemalloc.start()
    report = api.validate(folder, today=dt.date(2020, 12, 31))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report["summary"]["rows"]["annex1"] == n
    assert report["summary"]["error"] == 0, report["summary"]["by_rule"]
    # ~150 bytes a row for the household and 序号 indexes; rows themselves are not kept
    assert peak < 40 * 1024 * 1024, peak


def test_core_imports_stay_small(tmp_path):
    """The engine runs in the browser: validating must not pull in generator-only packages."""
    import subprocess
    import sys

    path = _write(tmp_path, {"annex1": {"set": {"seq": "9"}}})
    code = (
        "import sys, datetime\n"
        "from validator import api\n"
        f"r = api.validate({str(path)!r}, today=datetime.date(2020, 8, 10))\n"
        "assert [f['rule'] for f in r['findings']] == ['T004'], r['findings']\n"
        "heavy = {'yaml', 'jinja2', 'rich', 'frictionless', 'jsonschema', 'pytest'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_empty_or_unreadable_history_is_an_input_error(tmp_path):
    path = _write(tmp_path, {})
    empty = tmp_path / "history"
    empty.mkdir()
    with pytest.raises(InputError, match="历史报送包"):
        api.validate(path, history=empty, today=TODAY)
    (empty / "2020-06").mkdir()
    with pytest.raises(InputError, match="历史报送包 2020-06"):
        api.validate(path, history=empty, today=TODAY)


def test_months_are_shown_as_months(tmp_path):
    report = api.validate(_write(tmp_path, {"annex3": {"set": {"identified_month": "2020-08"}}}), today=TODAY)
    r006 = next(f for f in report["findings"] if f["rule"] == "R006")
    assert r006["value"] == "2020-08" and "2020-08 晚于解除日期 2020-07-20" in r006["message"]


@pytest.mark.parametrize(
    "garbage", ["", " ", "？？", "0", "-1", "1e309", "2020-02-30", "是否", "=A1", "\u3000x\u3000"]
)
def test_garbage_in_every_cell_never_crashes(tmp_path, garbage):
    from validator import standard

    patch = {"options": {"today": "2020-08-10"}}
    for form_id in ("manifest", "annex1", "annex2", "annex3", *rule_examples.STAGE_ROWS):
        names = [f["name"] for f in standard.form(form_id)["fields"]]
        patch[form_id] = {"set": {n: garbage for n in names}}
    for fmt in ("csv", "xlsx"):
        folder = tmp_path / fmt
        path = write_package(folder, apply_patch(patch), fmt)
        report = api.validate(path, today=TODAY)
        assert report["valid"] is False
        assert report["summary"]["error"] > 0


def test_manifest_without_data_row(tmp_path):
    report = api.validate(_write(tmp_path, {"manifest": {"rows": []}}), today=TODAY)
    t011 = [f for f in report["findings"] if f["rule"] == "T011"]
    assert len(t011) == 1 and "0行" in t011[0]["message"]
    assert {"check": "T008 加盖乡镇公章", "reason": "报送信息表没有数据行"} in report["checks_not_run"]


def test_seq_duplicates_after_the_run_breaks(tmp_path):
    patch = {
        "annex1": {
            "set": {"seq": "1"},
            "row": 2,
            "append": [{"seq": "2", "head_id": ID["spare_1"]}, {"seq": "", "head_id": ID["spare_2"]}],
        }
    }
    report = api.validate(_write(tmp_path, patch), today=TODAY)
    seq = [(f["rule"], f["row"]) for f in report["findings"] if f["field"] == "seq"]
    # row 3 repeats 1 (breaks the run and duplicates row 2); row 4's 2 is new; row 5 has none
    assert seq == [("T001", 3), ("T004", 3), ("F001", 5)]
    t001 = next(f for f in report["findings"] if f["rule"] == "T001")
    assert "第2行" in t001["message"]
