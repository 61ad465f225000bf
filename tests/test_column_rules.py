"""Which rules check which column (catalogue.column_rules) and which optional columns some rows
must fill (catalogue.required_when): derived from the rules, checked against what the rules'
failing examples really report."""

from __future__ import annotations

import pytest

from validator import standard
from validator.builders import rule_examples
from validator.catalogue import column_rules, registry, required_when
from validator.values.wording import requirement


@pytest.mark.parametrize("rule", [r for r in registry().values() if r.id[0] in "FD"], ids=lambda r: r.id)
def test_every_field_rule_is_listed_for_the_column_its_example_fails(rule):
    report = rule_examples.run_example(rule, "fail")
    hits = [f for f in report["findings"] if f["rule"] == rule.id and f.get("field") and f.get("resource")]
    assert hits, f"{rule.id}: the example reports no column"
    for f in hits:
        listed = [r.id for r in column_rules(f["resource"])[f["field"]]]
        assert rule.id in listed, (f["resource"], f["field"], listed)


def test_row_rules_are_listed_for_every_column_they_compare():
    annex1 = column_rules("annex1")
    assert "R003" in [r.id for r in annex1["appraisal_date"]]
    assert "R003" in [r.id for r in column_rules("annex2")["appraisal_date"]]
    assert "D007" in [r.id for r in annex1["head_id"]] and "F001" in [r.id for r in annex1["head_id"]]
    assert "F001" not in [r.id for r in annex1["remark"]]  # optional columns are not required


def test_conditional_requirements_come_from_the_rules():
    annex3 = {f["name"]: f for f in standard.form("annex3")["fields"]}
    when = required_when("annex3")
    assert when["measures_done"] == [registry()["R007"].required_when]
    assert (
        requirement(annex3["measures_done"], when["measures_done"])
        == "视情况必填：解除方式为“帮扶消除”时必填"
    )
    assert requirement(annex3["remark"], when.get("remark", ())) == "可不填"
    assert "必填" not in annex3["measures_done"]["description"]  # said once, by the rule
