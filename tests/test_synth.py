"""Synthetic data: valid ID numbers, coherent dates, invented people, streamed benchmark rows."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tracemalloc
import types
from pathlib import Path

import pytest

from validator import standard
from validator.builders import examples as examples_builder
from validator.builders import synth
from validator.values.idnumber import check_digit

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(standard.form("annex1")["fields"][4]["pattern"])


def id_is_valid(value: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return check_digit(value[:17]) == value[17]


def test_check_character_matches_the_standard_example():
    # The worked example printed in GB 11643-1999.
    assert check_digit("11010519491231002") == "X"
    assert synth.make_id("110105", dt.date(1949, 12, 31), 2) == "11010519491231002X"
    assert not id_is_valid("110105194912310021")


def test_working_days_across_national_day_2020():
    # 10-01..10-08 off; Sunday 09-27 and Saturday 10-10 are make-up working days.
    assert synth.workdays_between(dt.date(2020, 9, 28), dt.date(2020, 10, 10)) == 4
    assert synth.workdays_between(dt.date(2020, 9, 22), dt.date(2020, 10, 12)) == 10
    # "每月5日前": the 5th, even inside the holiday (the county may decide to roll forward).
    assert synth.deadline(dt.date(2020, 9, 1)) == dt.date(2020, 10, 5)
    assert synth.deadline(dt.date(2020, 7, 1)) == dt.date(2020, 8, 5)


def test_same_seed_same_data_other_seed_other_data():
    a = list(synth.rows("annex1", 50, seed=7))
    assert a == list(synth.rows("annex1", 50, seed=7))
    assert a != list(synth.rows("annex1", 50, seed=8))


def test_valid_example_is_coherent():
    ex = synth.valid_example()
    man = ex.tables["manifest"][0]
    month = man["report_month"]
    assert month == dt.date(2020, 7, 1)
    assert synth.next_month(month) <= man["submitted_date"] <= synth.deadline(month)
    assert man["stamped"] and not man["zero_report"]
    warnings = ex.tables["annex1"] + ex.tables["annex2"]
    assert 20 <= len(warnings) + len(ex.tables["annex3"]) <= 50
    line = synth.monitoring_line(2020)
    below = 0
    for row in warnings:
        assert row["appraisal_date"].month == 7
        assert 1 <= synth.workdays_between(row["appraisal_date"], row["verify_date"]) <= 7
        assert row["verify_date"] <= man["submitted_date"]
        below += row["income_per_capita"] < line
        rigid_over_income = (row["rigid_expense"] or 0) > row["income_per_capita"] * row["household_size"]
        assert row["income_per_capita"] < line or rigid_over_income or row["income_drop"], row
        assert row["township"] == man["township"]
        assert row["risk_types"] and row["measures"] and len(row["risk_note"]) >= 4
    assert below >= 0.7 * len(warnings)
    for row in ex.tables["annex3"]:
        assert row["identified_month"] <= row["release_date"] <= man["submitted_date"]
        if row["release_way"] == "帮扶消除":
            assert row["measures_done"]
        if row["release_way"] != "县级研判否定":
            assert row["income_per_capita_release"] >= line
    ids = [r["head_id"] for t in ("annex1", "annex2", "annex3") for r in ex.tables[t]]
    assert len(ids) == len(set(ids))
    for form_id in ("annex1", "annex2", "annex3"):
        assert [r["seq"] for r in ex.tables[form_id]] == list(range(1, len(ex.tables[form_id]) + 1))


@pytest.mark.parametrize("example", synth.examples(), ids=lambda e: e.name)
def test_people_are_synthetic_and_well_formed_unless_a_mistake_says_otherwise(example):
    spoiled = {(m["resource"], m["index"], m["field"]) for m in example.mistakes}
    for form_id, rows in example.tables.items():
        for i, row in enumerate(rows):
            if "head_id" in row and (form_id, i, "head_id") not in spoiled:
                assert id_is_valid(row["head_id"]), (form_id, i, row["head_id"])
                assert row["head_id"].startswith("5329")
                birth = int(row["head_id"][6:10])
                assert 1930 <= birth <= 2002
            for key in ("head_name", "preparer", "reviewer", "helper"):
                if row.get(key) and (form_id, i, key) not in spoiled:
                    assert NAME.match(row[key]) and 2 <= len(row[key]) <= 3, row[key]
            if "village" in row:
                assert row["village"].endswith("村委会")


@pytest.mark.parametrize("example", synth.examples()[2:], ids=lambda e: e.name)
def test_every_mistake_points_at_a_real_place(example):
    assert len(example.mistakes) >= 5
    for m in example.mistakes:
        form = standard.form(m["resource"])
        assert m["field"] in {f["name"] for f in form["fields"]}
        assert m["severity"] in ("error", "warning", "info")
        assert m["index"] is None or 0 <= m["index"] < len(example.tables[m["resource"]])
        assert len(m["what"]) >= 8


def test_faulty_packages_carry_their_mistakes():
    ids = synth.errors_identity_example()
    a1, a2 = ids.tables["annex1"], ids.tables["annex2"]
    assert isinstance(a1[1]["head_id"], float)
    assert not id_is_valid(a1[3]["head_id"]) and len(a1[5]["head_id"]) == 15
    assert a2[2]["head_id"] == a1[2]["head_id"]
    dates = synth.errors_dates_example()
    man = dates.tables["manifest"][0]
    assert man["submitted_date"] > synth.deadline(man["report_month"])
    codes = synth.errors_codes_example()
    assert codes.tables["manifest"][0]["zero_report"] and codes.tables["annex1"]
    assert not codes.tables["manifest"][0]["stamped"]


def test_rows_stream_with_unique_valid_ids():
    stream = synth.rows("annex1", 5000, seed=2)
    assert isinstance(stream, types.GeneratorType)
    ids = [r["head_id"] for r in stream]
    assert len(set(ids)) == 5000
    assert all(id_is_valid(i) for i in ids[::97])


def test_cells_are_what_a_clerk_types():
    fields = {f["name"]: f for f in standard.form("annex1")["fields"]}
    assert synth.cell(fields["risk_types"], ("因病", "因残")) == "因病、因残"
    assert synth.cell(fields["income_drop"], True) == "是"
    assert synth.cell(fields["appraisal_date"], dt.date(2020, 7, 3)) == "2020-07-03"
    assert synth.cell(fields["appraisal_date"], dt.date(2020, 7, 3), "xlsx") == dt.date(2020, 7, 3)
    assert synth.cell(fields["income_per_capita"], 4520.5) == "4520.5"
    assert synth.cell(fields["income_per_capita"], 4520.0) == "4520"
    assert synth.cell(fields["head_id"], 532932198001010000.0) == "5.32932E+17"
    assert synth.cell(fields["focus_groups"], ()) == ""


def test_bench_package_is_streamed(tmp_path):
    tracemalloc.start()
    try:
        count = examples_builder.bench(tmp_path / "b", 20000, seed=5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20000
    assert peak < 8 * 1024 * 1024, f"bench generation held {peak / 1e6:.1f} MB: it must stream"
    with (tmp_path / "b" / "annex1.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header == [fld["name"] for fld in standard.form("annex1")["fields"]]
        assert sum(1 for _ in reader) == 20000
    assert (tmp_path / "b" / "datapackage.json").exists()


def test_example_csv_headers_are_field_names_and_workbooks_chinese_titles():
    import openpyxl

    wb = openpyxl.load_workbook(ROOT / "examples" / "valid-2020-07.xlsx", read_only=True)
    for form_id, file in examples_builder.CSV_FILES.items():
        fields = standard.form(form_id)["fields"]
        with (ROOT / "examples" / "valid-2020-07" / file).open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert header == [fld["name"] for fld in fields]
        header_row = 2 if form_id == "manifest" else 3
        ws = wb[standard.form(form_id)["title"]]
        titles = next(ws.iter_rows(min_row=header_row, max_row=header_row, values_only=True))
        assert list(titles[: len(fields)]) == [fld["title"] for fld in fields]
    wb.close()
    with (ROOT / "examples" / "errors-codes-structure" / "annex1.csv").open(encoding="utf-8") as f:
        assert "discovery" not in next(csv.reader(f))


def test_readme_lists_every_mistake():
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    for ex in synth.examples():
        assert f"`{ex.name}`" in text
        for m in ex.mistakes:
            assert m["what"] in text


def expected_row(mistake: dict, xlsx: bool) -> int | None:
    return examples_builder.example_row(mistake, "xlsx" if xlsx else "csv")


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
@pytest.mark.parametrize("example", synth.examples(), ids=lambda e: e.name)
def test_validator_finds_exactly_the_documented_mistakes(example, suffix):
    """The committed examples, run through the real validator: every listed mistake is found
    where the README says, valid packages are clean, and no unlisted error appears."""
    from validator import api

    path = ROOT / "examples" / f"{example.name}{suffix}"
    report = api.validate([str(path)], today=dt.date(2020, 12, 1))
    findings = report["findings"]
    for m in example.mistakes:
        row = expected_row(m, xlsx=bool(suffix))
        hits = [
            f
            for f in findings
            if f["resource"] == m["resource"]
            and f["field"] == m["field"]
            and f["severity"] == m["severity"]
            and (row is None or f["row"] == row)
        ]
        assert hits, f"{path.name}: not found: {m}"
    listed = {(m["resource"], m["field"]) for m in example.mistakes}
    unlisted = [f for f in findings if f["severity"] == "error" and (f["resource"], f["field"]) not in listed]
    assert not unlisted, unlisted
    if not example.mistakes:
        assert report["valid"] and report["summary"]["warning"] == 0, findings
