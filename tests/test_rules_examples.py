"""Every registered rule's failing example must produce it, its passing example must not.

The cases are generated from the registry, so a rule added without working examples fails
here. Each example is written to real files and validated through the real engine.
"""

from __future__ import annotations

import pytest

from validator.builders import rule_examples
from validator.catalogue import registry
from validator.report_schema import report_schema

RULES = registry()
# BASE must be clean; these notes are the only findings it may carry.
ALLOWED_ON_BASE: set[str] = set()


def _of(report: dict, rule_id: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule_id]


def test_base_package_is_valid_and_clean():
    report = rule_examples.run_patch({})
    assert report["valid"] is True
    assert [f for f in report["findings"] if f["rule"] not in ALLOWED_ON_BASE] == []
    assert report["summary"]["rows"] == {"manifest": 1, "annex1": 2, "annex2": 2, "annex3": 2}


def test_base_with_every_stage_table_is_clean():
    patch = {name: {} for name in rule_examples.STAGE_ROWS}
    report = rule_examples.run_patch(patch)
    assert report["findings"] == []
    assert not [c for c in report["checks_not_run"] if c["check"].startswith("G")]


def test_base_as_workbook_is_clean():
    report = rule_examples.run_patch({"options": {"format": "xlsx"}})
    assert report["findings"] == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_county_base_is_clean_and_traced(fmt):
    """The county examples' base record passes, and with the month's package every check runs."""
    report = rule_examples.run_patch({"options": {"county": True, "packages": True, "format": fmt}})
    assert report["valid"] is True and report["findings"] == [] and report["checks_not_run"] == []
    assert report["summary"]["rows"] == {"county_meeting": 1, "county_record": 4}
    untraced = rule_examples.run_patch({"options": {"county": True, "format": fmt}})
    assert untraced["findings"] == []
    assert [c["check"][:4] for c in untraced["checks_not_run"]] == ["K012"]


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_failing_example_triggers_rule(rule_id):
    rule = RULES[rule_id]
    report = rule_examples.run_example(rule, "fail")
    hits = _of(report, rule_id)
    assert hits, f"{rule_id} fail example produced: {[(f['rule'], f['message']) for f in report['findings']]}"
    stage = rule.fail.get("options", {}).get("stage", "draft")
    assert {f["severity"] for f in hits} == {rule.severity_at(stage)}
    assert report["valid"] is (not any(f["severity"] == "error" for f in report["findings"]))


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_passing_example_does_not_trigger_rule(rule_id):
    report = rule_examples.run_example(RULES[rule_id], "passing")
    assert _of(report, rule_id) == [], _of(report, rule_id)


def test_every_rule_is_documented():
    for rule in RULES.values():
        assert rule.title and rule.message and rule.hint and rule.clause and rule.description, rule.id
        assert rule.fail, f"{rule.id} has no failing example"


def test_example_reports_follow_the_report_schema():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(report_schema())
    for rule_id in ("T001", "R004", "G002", "H001"):
        validator.validate(rule_examples.run_example(RULES[rule_id], "fail"))


def test_example_reports_are_reproducible():
    patch = RULES["H002"].fail
    assert rule_examples.run_patch(patch) == rule_examples.run_patch(patch)


# The cross-field rules must behave the same when the package arrives as a workbook.
WORKBOOK_RULES = sorted(
    rid for rid, r in RULES.items() if rid[0] in "RTGHCK" and not ({"raw", "files"} & set(r.fail))
)


@pytest.mark.parametrize("rule_id", WORKBOOK_RULES)
def test_failing_example_as_workbook(rule_id):
    patch = dict(RULES[rule_id].fail)
    patch["options"] = {**patch.get("options", {}), "format": "xlsx"}
    csv_hits = _of(rule_examples.run_patch(RULES[rule_id].fail), rule_id)
    book_hits = _of(rule_examples.run_patch(patch), rule_id)
    assert book_hits
    assert [(f["resource"], f["field"]) for f in book_hits] == [(f["resource"], f["field"]) for f in csv_hits]
