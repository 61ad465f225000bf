"""The example Data Packages pass and fail the real `frictionless validate` command as a user runs it.

The CSV folders in examples/ carry field names as headers so that any Table Schema tool can
check them against their datapackage.json; these tests run the installed CLI in a subprocess.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPT = Path(sys.executable).with_name("frictionless")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "frictionless"]


def frictionless(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, "validate", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def errors(folder: Path) -> tuple[int, set[tuple[str, int | None, str | None, str]]]:
    done = frictionless("datapackage.json", "--json", cwd=folder)
    report = json.loads(done.stdout)
    found = {
        (task["name"], e.get("rowNumber"), e.get("fieldName"), e["type"])
        for task in report["tasks"]
        for e in task["errors"]
    }
    assert report["valid"] == (not found) == (done.returncode == 0), done.stdout[-2000:]
    return done.returncode, found


@pytest.mark.parametrize("name", ["valid-2020-07", "zero-report-2020-07"])
def test_valid_examples_are_valid_typed_in_the_folder(name):
    done = frictionless("datapackage.json", cwd=EXAMPLES / name)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "VALID" in done.stdout and "INVALID" not in done.stdout


def test_valid_example_is_valid_given_a_path_from_the_repository():
    done = frictionless("examples/valid-2020-07/datapackage.json", cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "INVALID" not in done.stdout


def test_faulty_example_is_invalid_for_its_documented_dates():
    done = frictionless("datapackage.json", cwd=EXAMPLES / "errors-dates")
    assert done.returncode != 0 and "INVALID" in done.stdout
    code, found = errors(EXAMPLES / "errors-dates")
    # README mistakes 5 and 6: 2020-09-31 and 9月8日 in 附件2 (annex2.csv lines 3 and 4).
    assert found == {
        ("annex2", 3, "appraisal_date", "type-error"),
        ("annex2", 4, "verify_date", "type-error"),
    }


def test_faulty_example_is_invalid_for_its_documented_codes():
    code, found = errors(EXAMPLES / "errors-codes-structure")
    assert code != 0
    assert ("annex2", 2, "focus_groups", "constraint-error") in found  # 贫困户
    assert ("annex2", 5, "discovery", "constraint-error") in found  # 群众举报
    assert ("annex2", 3, "measures", "constraint-error") in found  # required, left blank


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture()
def valid_copy(tmp_path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    return folder


def test_hand_broken_date_is_a_type_error(valid_copy):
    def spoil(rows):
        rows[2][rows[0].index("appraisal_date")] = "2020-07-32"

    rewrite(valid_copy / "annex1.csv", spoil)
    assert errors(valid_copy) == (1, {("annex1", 3, "appraisal_date", "type-error")})


def test_hand_broken_keys_are_key_errors(valid_copy):
    def spoil(rows):
        header = rows[0]
        rows[3] = list(rows[2])  # the same household twice
        rows[3][header.index("seq")] = "3"
        rows[5][header.index("township")] = "金墩乡"  # a real township, not the manifest's

    rewrite(valid_copy / "annex1.csv", spoil)
    code, found = errors(valid_copy)
    assert code == 1
    keys = {(table, row, kind) for table, row, _, kind in found if kind.endswith("-key")}
    assert keys == {("annex1", 4, "primary-key"), ("annex1", 6, "foreign-key")}
    # Fields marked unique (the ID number, the household number) repeat on the copied row too.
    assert {kind for _, row, _, kind in found if not kind.endswith("-key")} <= {"unique-error"}
