"""The committed generated files (schemas/, validator/data/, examples/) match their generators."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from validator import published, standard
from validator.builders import examples as examples_builder
from validator.builders import standard_json as forms
from validator.commands import schemas as schemas_cmd

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_ROOT = ROOT / "schemas"
SCHEMAS = SCHEMAS_ROOT / standard.version()  # the current version's folder
EXAMPLES = ROOT / "examples"


def generated_schemas(tmp_path: Path) -> Path:
    out = tmp_path / "generated"
    published.write_tree(published.generate(forms.compile_standard()), out)
    return out


def test_standard_json_is_up_to_date():
    expected = forms.dump(forms.compile_standard()).encode("utf-8")
    assert forms.STANDARD_JSON.read_bytes() == expected, (
        "validator/data/standard.json differs from forms/: run `fpjc schemas build` and commit"
    )


def test_schemas_are_up_to_date(tmp_path):
    differing = published.compare_trees(generated_schemas(tmp_path), SCHEMAS)
    assert not differing, f"schemas/ drifted from forms/ in {differing}: run `fpjc schemas build` and commit"


def test_drift_check_reports_a_hand_edited_file(tmp_path):
    copy = tmp_path / "committed"
    shutil.copytree(SCHEMAS, copy)
    victim = copy / "annex1.table.json"
    data = bytearray(victim.read_bytes())
    data[data.index(b'"title"') + 1] = ord("T")  # one byte: "title" -> "Title"
    victim.write_bytes(bytes(data))
    (copy / "codelists" / "township.csv").unlink()
    (copy / "stray.json").write_text("{}\n", encoding="utf-8")

    differing = published.compare_trees(generated_schemas(tmp_path), copy)
    assert differing == ["annex1.table.json", "codelists/township.csv", "stray.json"]


def test_schemas_check_command_fails_and_names_the_fix(tmp_path, capsys):
    copy = tmp_path / "committed"
    shutil.copytree(SCHEMAS_ROOT, copy)
    path = copy / standard.version() / "settings" / "deadline.csv"
    path.write_bytes(path.read_bytes().replace(b"5", b"6", 1))

    args = type("Args", (), {"action": "check", "out": copy})()
    assert schemas_cmd.run(args) == 1
    err = capsys.readouterr().err
    assert str(path) in err
    assert "fpjc schemas build" in err

    shutil.rmtree(copy)
    shutil.copytree(SCHEMAS_ROOT, copy)
    assert schemas_cmd.run(args) == 0


def test_versions_index_and_data_are_up_to_date():
    """schemas/README.md (the list of versions) and validator/data/versions.json are derived too."""
    args = type("Args", (), {"action": "check", "out": None})()
    assert schemas_cmd.run(args) == 0


def workbook_values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_examples_are_up_to_date(tmp_path):
    out = tmp_path / "examples"
    examples_builder.build(out)
    text_differing = published.compare_trees(out, EXAMPLES, patterns=("*.csv", "*.json", "*.md"))
    assert not text_differing, f"examples/ drifted in {text_differing}: run `fpjc examples build` and commit"
    built = sorted(p.name for p in out.glob("*.xlsx"))
    assert built == sorted(p.name for p in EXAMPLES.glob("*.xlsx"))
    for name in built:
        # Compare what a clerk sees, not zip bytes: openpyxl's output may vary across versions.
        assert workbook_values(out / name) == workbook_values(EXAMPLES / name), (
            f"examples/{name} differs: run `fpjc examples build` and commit"
        )


def test_examples_drift_is_detected(tmp_path):
    out = tmp_path / "examples"
    shutil.copytree(EXAMPLES, out)
    path = out / "valid-2020-07" / "annex1.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("松桂镇", "辛屯镇", 1), encoding="utf-8")
    differing = published.compare_trees(out, EXAMPLES, patterns=("*.csv", "*.json", "*.md"))
    assert differing == ["valid-2020-07/annex1.csv"]
