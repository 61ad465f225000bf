"""frictionless, run on our Table Schemas, accepts synthetic data and catches broken cells."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from frictionless import Package

from validator.builders import examples


@pytest.fixture()
def bench_package(tmp_path) -> Path:
    examples.bench(tmp_path / "pkg", 300, seed=3, headers="name")
    return tmp_path / "pkg"


def validate(folder: Path):
    cwd = os.getcwd()
    os.chdir(folder)  # frictionless only reads relative paths below the working directory
    try:
        return Package("datapackage.json").validate()
    finally:
        os.chdir(cwd)


def test_frictionless_accepts_synthetic_package(bench_package):
    report = validate(bench_package)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    assert report.tasks[1].stats["rows"] == 300


def test_frictionless_flags_bad_cells_and_foreign_key(bench_package):
    path = bench_package / "annex1.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("township")] = "金墩乡"  # in the code list, but not the manifest's township
    cells[header.index("household_size")] = "0"
    cells[header.index("head_id")] = "5.32932E+17"
    lines[1] = ",".join(cells)
    lines[2] = lines[3]  # the same household twice: primary key
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(bench_package)
    found = {(row, field, kind) for row, field, kind in report.flatten(["rowNumber", "fieldName", "type"])}
    assert (2, "household_size", "constraint-error") in found
    assert (2, "head_id", "constraint-error") in found
    assert any(kind == "foreign-key" and row == 2 for row, _, kind in found)
    assert any(kind == "primary-key" for _, _, kind in found)


def test_bench_script_times_both_tools_on_every_row(tmp_path):
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "result.json"
    cmd = [sys.executable, str(root / "bench" / "run.py"), "--only", "csv", "--rows", "300",
           "--workdir", str(tmp_path / "work"), "--json", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(out.read_text(encoding="utf-8"))["csv"]
    assert result["ok"] and result["rows"] == 300
    for tool in ("fpjc", "frictionless"):
        assert result[tool]["rows_read"] == 300, tool
        assert (
            result[tool]["peak_mb"] > 10 and result[tool]["seconds"] > 0 and result[tool]["cpu_seconds"] > 0
        )
    assert result["ratio"] > 0
