"""A report keeps the first findings of each rule in each table, counts all, and says so.

A table with a mistake on every row must not fill the memory: `validator.findings.Findings`
keeps, per rule and table, the first `KEEP_PER_RULE` findings in report order and counts every
one. These tests compare a capped report with the same report uncapped, check the published
schema accepts it, and that every renderer says how many findings of which rule it does not list.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import openpyxl
import pytest

from validator import api, findings, standard
from validator.findings import Finding, Findings, sort_key
from validator.render.html import render_html
from validator.render.text import render_text
from validator.render.xlsx import annotate_workbook
from validator.report_schema import report_schema

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2020, 8, 6)


def _finding(rnd: random.Random, rule: str, resource: str | None) -> Finding:
    row = rnd.randint(1, 60)
    col = rnd.choice("ABCDE")
    return Finding(
        rule=rule,
        severity=rnd.choice(["error", "warning"]) if rule == "X999" else "error",
        message=rnd.choice(["甲", "乙", "丙"]),
        resource=resource,
        row=row,
        cell=f"{col}{row}",
        source="a.csv",
        value=str(rnd.random()),  # ties in sort order keep their arrival order
    )


@pytest.mark.parametrize("seed", range(30))
def test_the_first_in_report_order_are_kept_whatever_the_arrival_order(seed):
    rnd = random.Random(seed)
    keep = rnd.choice([1, 3, 10])
    made = [
        _finding(rnd, rnd.choice(["F001", "T001", "X999"]), rnd.choice(["annex1", "annex2", None]))
        for _ in range(rnd.randint(0, 200))
    ]
    capped = Findings(keep=keep)
    for f in made:
        capped.add(f)
    # The full report: every finding, stably sorted; a group is a rule in a table.
    full = sorted(made, key=sort_key)
    expected, seen = [], {}
    for f in full:
        seen[(f.rule, f.resource)] = seen.get((f.rule, f.resource), 0) + 1
        if seen[(f.rule, f.resource)] <= keep:
            expected.append(f)
    assert capped.kept() == expected
    counts = {}
    for f in made:
        counts[(f.rule, f.severity, f.resource)] = counts.get((f.rule, f.severity, f.resource), 0) + 1
    assert capped.counts() == counts
    assert {(o["rule"], o["resource"]): o["total"] for o in capped.omitted()} == {
        k: n for k, n in seen.items() if n > keep
    }


@pytest.mark.parametrize("seed", range(10))
def test_counting_without_building_and_merging_parts_keep_the_same(seed):
    """`counter` (skip building) and `merge` (a second process's part) change nothing kept."""
    rnd = random.Random(seed)
    made = sorted((_finding(rnd, "F001", "annex1") for _ in range(300)), key=lambda f: f.row)
    plain, counted = Findings(keep=5), Findings(keep=5)
    count = counted.counter("F001", "error", "annex1", "a.csv")
    for f in made:
        plain.add(f)
        if not count(f.row):
            counted.add(f)
    assert counted.kept() == plain.kept() and counted.counts() == plain.counts()
    first, second = Findings(keep=5), Findings(keep=5)
    cut = rnd.randrange(len(made))
    for f in made[:cut]:
        first.add(f)
    for f in made[cut:]:
        second.add(f)
    first.merge(second)
    assert first.kept() == plain.kept() and first.counts() == plain.counts()


@pytest.fixture(scope="module")
def crowded(tmp_path_factory) -> Path:
    """附件1 with a mistake on every row: a repeated 序号, an unknown township, blank columns."""
    out = tmp_path_factory.mktemp("crowded")
    names = [f["name"] for f in standard.form("annex1")["fields"]]
    lines = [",".join(names)] + ["1,x"] * 1200 + ["2,云鹤镇,,,杨秋,5329321950010100XX"] * 300
    (out / "annex1.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out / "annex1.csv"


@pytest.fixture(scope="module")
def reports(crowded):
    capped = api.validate(crowded, today=TODAY)
    keep = findings.KEEP_PER_RULE
    findings.KEEP_PER_RULE = 10**9
    try:
        full = api.validate(crowded, today=TODAY)
    finally:
        findings.KEEP_PER_RULE = keep
    return capped, full


def test_a_crowded_table_keeps_the_first_of_each_rule_and_counts_all(reports):
    capped, full = reports
    assert capped["summary"] == full["summary"]
    assert capped["valid"] is False
    listed: dict = {}
    expected = []
    for f in full["findings"]:
        key = (f["rule"], f["resource"])
        listed[key] = listed.get(key, 0) + 1
        if listed[key] <= findings.KEEP_PER_RULE:
            expected.append(f)
    assert capped["findings"] == expected
    over = {k: n for k, n in listed.items() if n > findings.KEEP_PER_RULE}
    assert len(over) >= 2  # several rules were cut, in the same table
    t = capped["truncated"]
    assert t["listed_per_rule"] == findings.KEEP_PER_RULE
    assert {(o["rule"], o["resource"]): o["total"] for o in t["rules"]} == over
    assert t["omitted"] == len(full["findings"]) - len(capped["findings"])
    assert "truncated" not in full
    rest = {k: v for k, v in capped.items() if k not in ("truncated", "findings")}
    assert rest == {k: v for k, v in full.items() if k != "findings"}


def test_the_report_schema_accepts_a_capped_report(reports):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(report_schema())
    capped, full = reports
    for report in (capped, full):
        assert not list(validator.iter_errors(report))
    broken = {**capped, "truncated": {**capped["truncated"], "omitted": "many"}}
    assert list(validator.iter_errors(broken))


def _omitted_lines(report) -> tuple[list[str], list[str]]:
    """What every renderer must say: the cut rules, each one's total and how many are not listed."""
    cut = report["truncated"]["rules"]
    phrases = [f"共{o['total']}处" for o in cut] + [f"未列出{o['total'] - o['listed']}处" for o in cut]
    return [o["rule"] for o in cut], phrases


def test_text_and_html_say_what_they_do_not_list(reports):
    capped, _ = reports
    rules, phrases = _omitted_lines(capped)
    omitted = capped["truncated"]["omitted"]
    for out in (render_text(capped), render_html(capped)):
        assert "未逐条列出的问题" in out
        assert f"另有{omitted}处" in out
        for phrase in phrases:
            assert phrase in out
        assert all(rule in out for rule in rules)
    full_text = render_text(reports[1])
    assert "未逐条列出" not in full_text


def test_the_annotated_workbook_says_what_it_does_not_list(reports, crowded, tmp_path):
    capped, _ = reports
    dest = tmp_path / "annotated.xlsx"
    annotate_workbook(crowded, capped, dest)
    ws = openpyxl.load_workbook(dest, read_only=True)["校验结果"]
    text = "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "未逐条列出的问题" in text
    for phrase in _omitted_lines(capped)[1]:
        assert phrase in text


def test_the_online_checker_says_what_it_does_not_list(crowded):
    sys.path.insert(0, str(ROOT / "site" / "checker"))
    try:
        import bridge
    finally:
        sys.path.remove(str(ROOT / "site" / "checker"))
    result = bridge.check([(crowded.name, crowded.read_bytes())], today=TODAY.isoformat())
    rules = result["report"]["truncated"]["rules"]
    assert result["truncated"] and len(result["truncated_lines"]) == len(rules)
    cut = {(o["rule"], o["resource"]) for o in rules}
    for g in result["groups"]:
        assert (g["unlisted"] is not None) == ((g["rule"], g["resource"]) in cut)
