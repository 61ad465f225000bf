"""The findings of every package in examples/ (CSV folder and workbook), pinned.

A change in any rule's wording, place or severity shows up here as a diff of a small JSON
file. After an intended change, regenerate with
    FPJC_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_examples_golden.py
and review the diff of tests/golden/examples/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from validator import api

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "examples"
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.is_dir() or p.suffix == ".xlsx")
TODAY = dt.date(2020, 12, 1)
# Messages, values and header spellings are tested with each rule; the golden files pin places.
KEYS = ("rule", "severity", "resource", "row", "field", "cell", "sheet")


def _digest(report: dict) -> dict:
    return {
        "valid": report["valid"],
        "summary": {k: report["summary"][k] for k in ("error", "warning", "info", "by_rule", "rows")},
        "checks_not_run": report["checks_not_run"],
        "findings": [{k: f.get(k) for k in KEYS} for f in report["findings"]],
    }


def test_there_are_examples():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_findings_match_golden(path):
    digest = _digest(api.validate(path, today=TODAY))
    golden = GOLDEN / f"{path.name}.json"
    if os.environ.get("FPJC_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(digest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with FPJC_UPDATE_GOLDEN=1"
    assert digest == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["valid-2020-07", "zero-report-2020-07"])
def test_valid_examples_are_clean(name):
    for path in (ROOT / "examples" / name, ROOT / "examples" / f"{name}.xlsx"):
        report = api.validate(path, today=TODAY)
        assert report["valid"] and report["findings"] == [], report["findings"]


def test_workbook_and_csv_examples_agree():
    for folder in (p for p in EXAMPLES if p.is_dir()):
        book = folder.with_suffix(".xlsx")
        from_csv = api.validate(folder, today=TODAY)["findings"]
        from_book = api.validate(book, today=TODAY)["findings"]

        def shape(findings):
            return sorted((f["rule"], f["severity"], f["resource"], f["field"]) for f in findings)

        assert shape(from_csv) == shape(from_book), folder.name
