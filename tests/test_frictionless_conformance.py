"""Where frictionless and fpjc check the same thing, they agree.

The valid example package (its CSV headers switched to field names, which frictionless needs
and fpjc also accepts) and mutated copies are validated by `frictionless` with our published
Table Schemas (schemas/*.table.json) and by fpjc. Every type, constraint, key error that
frictionless reports at a row and field must be reported by fpjc at the same row and field.
frictionless runs only here, never in the validator.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from validator import api, standard

frictionless = pytest.importorskip("frictionless")

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / standard.version()  # the current version's published files
VALID = ROOT / "examples" / "valid-2020-07"
FORMS = ("manifest", "annex1", "annex2", "annex3")
TODAY = dt.date(2020, 12, 1)
# frictionless error types that name a cell or a row of data (not the file or the header)
ROW_ERRORS = {"type-error", "constraint-error", "unique-error", "primary-key", "foreign-key", "missing-cell"}

pytestmark = pytest.mark.skipif(
    not all((SCHEMAS / f"{f}.table.json").exists() for f in FORMS) or not VALID.exists(),
    reason="needs schemas/*.table.json and examples/valid-2020-07",
)

# (resource, data row index, field, new cell text, what it breaks)
MUTATIONS = [
    ("annex1", 0, "household_size", "四", "integer type"),
    ("annex1", 1, "household_size", "0", "minimum"),
    ("annex1", 2, "household_size", "21", "maximum"),
    ("annex1", 3, "exit_year", "2021", "maximum"),
    ("annex1", 4, "appraisal_date", "2020-13-01", "date type"),
    ("annex1", 5, "discovery", "群众举报", "enum"),
    ("annex1", 6, "head_name", "Zhang San", "pattern"),
    ("annex1", 7, "phone", "12345678901", "pattern"),
    ("annex1", 8, "income_per_capita", "abc", "number type"),
    ("annex1", 9, "income_per_capita", "-5", "minimum"),
    ("annex1", 10, "income_drop", "也许", "boolean type"),
    ("annex1", 11, "risk_types", "因懒", "codes pattern"),
    ("annex2", 0, "village", "", "required"),
    ("annex2", 1, "head_id", None, "duplicate primary key (copied from row 1)"),
    ("annex2", 2, "township", "金墩乡", "foreign key to the manifest"),
    ("annex2", 3, "risk_note", "病", "minLength"),
    ("annex3", 0, "identified_month", "2020-13", "yearmonth type"),
    ("annex3", 1, "release_way", "自动消除", "enum"),
    ("annex3", 2, "seq", "x", "integer type"),
    ("manifest", 0, "stamped", "盖了", "boolean type"),
]


def _english_copy(dest: Path) -> Path:
    """The valid example with field names as headers, plus a descriptor using our schemas."""
    dest.mkdir(parents=True)
    resources = []
    for form_id in FORMS:
        titles = {f["title"]: f["name"] for f in standard.form(form_id)["fields"]}
        with open(VALID / f"{form_id}.csv", encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        rows[0] = [titles.get(h, h) for h in rows[0]]
        _write(dest / f"{form_id}.csv", rows)
        schema = json.loads((SCHEMAS / f"{form_id}.table.json").read_text(encoding="utf-8"))
        schema = {k: v for k, v in schema.items() if not k.startswith(("$", "x-"))}
        resources.append({"name": form_id, "path": f"{form_id}.csv", "schema": schema})
    descriptor = {"name": "conformance", "resources": resources}
    (dest / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return dest


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _mutate(folder: Path, resource: str, index: int, field: str, value: str | None) -> None:
    path = folder / f"{resource}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index(field)
    rows[index + 1][col] = rows[index][col] if value is None else value
    _write(path, rows)


def _frictionless_errors(folder: Path) -> set[tuple[str, int, str, str]]:
    cwd = os.getcwd()
    os.chdir(folder)  # frictionless reads only relative paths below the working directory
    try:
        report = frictionless.Package("datapackage.json").validate()
    finally:
        os.chdir(cwd)
    found = set()
    for task in report.tasks:
        for error in task.errors:
            kind = error.type
            assert kind in ROW_ERRORS, (task.name, kind, error.message)
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            if kind == "primary-key":
                field = "head_id"
            if kind == "foreign-key":
                field = "township"
            found.add((task.name, row, field, kind))
    return found


def _fpjc_places(folder: Path) -> set[tuple[str, int, str]]:
    report = api.validate(folder, today=TODAY)
    return {(f["resource"], f["row"], f["field"]) for f in report["findings"] if f["severity"] == "error"}


def test_both_accept_the_valid_example(tmp_path):
    folder = _english_copy(tmp_path / "valid")
    assert _frictionless_errors(folder) == set()
    report = api.validate(folder, today=TODAY)
    assert report["valid"] and report["findings"] == [], report["findings"]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[f"{m[0]}-{m[2]}-{m[4]}" for m in MUTATIONS])
def test_every_frictionless_error_is_ours_too(tmp_path, mutation):
    resource, index, field, value, _what = mutation
    folder = _english_copy(tmp_path / "pkg")
    _mutate(folder, resource, index, field, value)
    theirs = _frictionless_errors(folder)
    assert theirs, "the mutation should break something frictionless checks"
    ours = _fpjc_places(folder)
    missing = {(res, row, fld, kind) for res, row, fld, kind in theirs if (res, row, fld) not in ours}
    assert not missing, f"frictionless found, fpjc did not: {missing}; fpjc errors: {sorted(ours)}"
    assert (resource, index + 2, field) in ours


def test_all_mutations_at_once(tmp_path):
    folder = _english_copy(tmp_path / "pkg")
    for resource, index, field, value, _ in MUTATIONS:
        _mutate(folder, resource, index, field, value)
    theirs = _frictionless_errors(folder)
    ours = _fpjc_places(folder)
    assert len(theirs) >= len(MUTATIONS)
    assert {(r, row, f) for r, row, f, _ in theirs} <= ours


def test_valid_example_is_large_enough():
    with open(VALID / "annex1.csv", encoding="utf-8") as f:
        assert sum(1 for _ in f) - 1 >= 12


# Stage records: the rule-example base package with every stage table, field names as headers.
STAGE_FORMS = ("screening", "appraisal", "verification", "assessment", "assistance")
STAGE_MUTATIONS = [
    ("screening", 0, "listed", "也许", "boolean type"),
    ("screening", 0, "screening_date", "2020-07-32", "date type"),
    ("appraisal", 0, "attendance", "0", "minimum"),
    ("appraisal", 0, "appraisal_result", "待定", "enum"),
    ("verification", 0, "verification_result", "基本属实", "enum"),
    ("assessment", 0, "departments", "", "required"),
    ("assessment", 0, "meeting_date", "四月", "date type"),
    ("assistance", 0, "amount", "-1", "minimum"),
    ("assistance", 1, "start_date", None, "duplicate composite primary key"),
]


def _stage_copy(dest: Path) -> Path:
    from validator.builders import rule_examples

    tables = rule_examples.apply_patch(
        {name: {} for name in STAGE_FORMS}
        | {"assistance": {"append": [{"seq": "2", "content": "第二次落实", "start_date": "2020-06-01"}]}}
    )
    for table in tables.values():
        table["headers"] = list(table["fields"])
    rule_examples.write_package(dest, tables)
    resources = []
    for form_id in (*FORMS, *STAGE_FORMS):
        schema = json.loads((SCHEMAS / f"{form_id}.table.json").read_text(encoding="utf-8"))
        schema = {k: v for k, v in schema.items() if not k.startswith(("$", "x-"))}
        resources.append({"name": form_id, "path": f"{form_id}.csv", "schema": schema})
    (dest / "datapackage.json").write_text(
        json.dumps({"name": "stages", "resources": resources}, ensure_ascii=False), encoding="utf-8"
    )
    return dest


def _fpjc_rows(folder: Path) -> set[tuple[str, int, str | None]]:
    report = api.validate(folder, today=dt.date(2020, 8, 10))
    return {(f["resource"], f["row"], f["field"]) for f in report["findings"] if f["severity"] == "error"}


@pytest.mark.skipif(
    not all((SCHEMAS / f"{f}.table.json").exists() for f in STAGE_FORMS), reason="needs stage Table Schemas"
)
@pytest.mark.parametrize("mutation", STAGE_MUTATIONS, ids=[f"{m[0]}-{m[2]}-{m[4]}" for m in STAGE_MUTATIONS])
def test_stage_records_agree(tmp_path, mutation):
    resource, index, field, value, _what = mutation
    clean = _stage_copy(tmp_path / "clean")
    assert _frictionless_errors(clean) == set()
    assert api.validate(clean, today=dt.date(2020, 8, 10))["findings"] == []
    folder = _stage_copy(tmp_path / "pkg")
    _mutate(folder, resource, index, field, value)
    theirs = _frictionless_errors(folder)
    assert theirs
    ours = _fpjc_rows(folder)
    for res, row, fld, kind in theirs:
        if kind == "primary-key" and res == "assistance":
            # a composite key names no single field: fpjc reports the whole row (T003)
            assert (res, row, None) in ours, (res, row, kind, sorted(ours))
        else:
            assert (res, row, fld) in ours, (res, row, fld, kind, sorted(ours))
