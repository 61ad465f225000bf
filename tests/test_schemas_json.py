"""The JSON Schemas accept synthetic valid data and reject typical mistakes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from validator import standard
from validator.builders import synth

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / standard.version()


def registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return Draft202012Validator(
        schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def submission(example) -> dict:
    doc = {}
    for form_id, rows in example.tables.items():
        json_rows = [synth.json_row(form_id, r) for r in rows]
        doc[form_id] = json_rows[0] if form_id == "manifest" else json_rows
    return doc


def errors(v: Draft202012Validator, instance) -> list[str]:
    return sorted("/".join(map(str, e.absolute_path)) + ": " + e.message for e in v.iter_errors(instance))


@pytest.fixture(scope="module")
def valid_doc():
    return submission(synth.valid_example())


def test_valid_example_is_a_valid_submission(valid_doc):
    assert errors(validator("submission.schema.json"), valid_doc) == []


def test_zero_report_example_is_valid_and_rows_break_it():
    doc = submission(synth.zero_report_example())
    v = validator("submission.schema.json")
    assert errors(v, doc) == []
    doc["annex1"] = submission(synth.valid_example())["annex1"][:1]
    assert any("annex1" in e for e in errors(v, doc))


@pytest.mark.parametrize(
    "field, value",
    [
        ("head_id", "53293219800101001"),  # 17 characters
        ("head_id", "532932198001010011x"),
        ("township", "鹤庆镇"),
        ("risk_types", ["因病", "因懒"]),
        ("risk_types", []),
        ("household_size", 0),
        ("income_per_capita", -1),
        ("appraisal_date", "2020/7/3"),
        ("phone", "12812345678"),
        ("head_name", "Li Wei"),
        ("unknown_column", "x"),
    ],
)
def test_row_schema_rejects_typical_mistakes(valid_doc, field, value):
    v = validator("annex1.row.schema.json")
    row = copy.deepcopy(valid_doc["annex1"][0])
    assert errors(v, row) == []
    row[field] = value
    assert errors(v, row)


def test_row_schema_requires_required_fields(valid_doc):
    v = validator("annex2.row.schema.json")
    row = copy.deepcopy(valid_doc["annex2"][0])
    del row["verify_date"]
    assert any("verify_date" in e for e in errors(v, row))
