"""Every report the engine writes is valid against the published report schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from validator import api
from validator.builders import rule_examples
from validator.catalogue import registry
from validator.report_schema import report_schema

jsonschema = pytest.importorskip("jsonschema")
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.is_dir() or p.suffix == ".xlsx")
VALIDATOR = jsonschema.Draft202012Validator(report_schema())


def _check(report: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(report), key=lambda e: list(e.path))
    assert not errors, [(list(e.path), e.message) for e in errors[:5]]
    # the report survives a JSON round trip unchanged (plain data only)
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report
    rules = registry()
    for f in report["findings"]:
        assert f["rule"] in rules, f["rule"]
        stage = report["options"]["stage"]
        assert f["severity"] == rules[f["rule"]].severity_at(stage) or f["rule"][0] in "SFD"


def test_the_schema_itself_is_valid():
    jsonschema.Draft202012Validator.check_schema(report_schema())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_package_reports(path):
    _check(api.validate(path, today=dt.date(2020, 12, 31)))


@pytest.mark.parametrize(
    "patch",
    [
        {},
        {"drop": ["manifest"]},
        {"options": {"format": "xlsx"}, "annex1": {"set": {"head_id": "532932196708050023"}}},
        {name: {} for name in rule_examples.STAGE_ROWS}
        | {"screening": {"set": {"screening_date": "2020-07-12"}}},
        {
            "options": {
                "history": {"annex1": [{"head_id": "532932194909300050"}]},
                "roster": ["532932194909300050", "1"],
            }
        },
        {"manifest": {"set": {"report_month": "2027-07", "submitted_date": "2027-08-04"}}},
    ],
    ids=["base", "no-manifest", "xlsx", "stages", "history-roster", "fallback"],
)
def test_rule_example_reports(patch):
    _check(rule_examples.run_patch(patch))


def test_show_personal_data_report_is_valid(tmp_path):
    path = rule_examples.write_package(tmp_path / "p", rule_examples.apply_patch({}))
    report = api.validate(path, today=dt.date(2020, 8, 10), show_personal_data=True)
    _check(report)
    assert report["options"]["show_personal_data"] is True
