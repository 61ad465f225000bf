"""Quality of the published standard: every field documented, code lists consistent, schemas valid."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from frictionless import Package, Schema
from jsonschema import Draft202012Validator

from validator import published, standard
from validator.builders import standard_json as forms

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / standard.version()  # the current version's published files
STANDARD = forms.compile_standard()
FORMS = STANDARD["forms"]
CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

TOWNSHIPS = {
    "云鹤镇": "532932101", "辛屯镇": "532932102", "松桂镇": "532932103", "黄坪镇": "532932104",
    "草海镇": "532932105", "西邑镇": "532932106", "龙开口镇": "532932107", "金墩乡": "532932201",
    "六合彝族乡": "532932203",
}  # fmt: skip


def load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def labels(list_id: str) -> list[str]:
    return [i["label"] for i in STANDARD["codelists"][list_id]["items"]]


def all_fields():
    for form in FORMS:
        for field in form["fields"]:
            yield form, field


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f["id"])
def test_fields_have_chinese_title_and_description(form):
    for field in form["fields"]:
        assert CJK.search(field["title"]), f"{form['id']}.{field['name']} has no Chinese title"
        assert len(field["description"]) >= 4, f"{form['id']}.{field['name']} has no description"
    table = load(published.table_schema_name(form["id"]))
    for tf in table["fields"]:
        assert CJK.search(tf["title"]) and tf["description"], tf["name"]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f["id"])
def test_names_are_unique_snake_case(form):
    names = [f["name"] for f in form["fields"]]
    assert len(names) == len(set(names))
    assert all(SNAKE.match(n) for n in names), names
    assert len({f["title"] for f in form["fields"]}) == len(names), "two columns share a Chinese header"
    assert SNAKE.match(form["id"])


def test_code_fields_match_their_code_lists():
    checked = 0
    for form, field in all_fields():
        if field["type"] not in ("code", "codes"):
            continue
        assert field["codelist"] in STANDARD["codelists"], field
        expected = labels(field["codelist"])
        table = {f["name"]: f for f in load(published.table_schema_name(form["id"]))["fields"]}[field["name"]]
        row = load(published.row_schema_name(form["id"]))["properties"][field["name"]]
        if STANDARD["codelists"][field["codelist"]].get("open"):
            # "…等": the listed names are examples, any other name is accepted with a note
            assert table["x-fpjc"]["open"] is True
            assert "enum" not in table.get("constraints", {}) and "pattern" not in table.get(
                "constraints", {}
            )
            item = row["items"] if field["type"] == "codes" else row
            assert item["examples"] == expected and "enum" not in item
        elif field["type"] == "code":
            assert table["constraints"]["enum"] == expected
            assert row["enum"] == expected
        else:
            assert published.list_pattern_labels(table["constraints"]["pattern"]) == expected
            assert row["items"]["enum"] == expected
        assert table["x-fpjc"]["codelist"] == field["codelist"]
        checked += 1
    assert checked >= 20


def test_list_pattern_accepts_labels_with_every_separator_and_rejects_others():
    pattern = {f["name"]: f for f in load("annex1.table.json")["fields"]}["risk_types"]["constraints"][
        "pattern"
    ]
    full = re.compile(f"^(?:{pattern})$")
    for sep in STANDARD["list_separators_accepted"]:
        assert full.match(f"因病{sep}因残")
    assert full.match("因病、 因学")
    assert full.match("其他")
    assert not full.match("因病、因懒")
    assert not full.match("因病、")
    assert not full.match("")


def test_code_list_csvs_round_trip():
    for list_id, cl in STANDARD["codelists"].items():
        with (SCHEMAS / "codelists" / f"{list_id}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert [r["label"] for r in rows] == labels(list_id)
        assert [r["code"] for r in rows] == [i["code"] for i in cl["items"]]
        for r, item in zip(rows, cl["items"], strict=True):
            assert (r["synonyms"].split("|") if r["synonyms"] else []) == item["synonyms"]


def test_townships_are_the_nine_of_spec_4_1():
    items = STANDARD["codelists"]["township"]["items"]
    assert {i["label"]: i["code"] for i in items} == TOWNSHIPS
    assert all(re.fullmatch(r"532932\d{3}", i["code"]) for i in items)


def test_every_settings_row_cites_a_source():
    settings = STANDARD["settings"]
    for table in ("monitoring_line", "deadline", "holiday_overrides"):
        for row in settings[table]["rows"]:
            assert len(str(row.get("source", "")).strip()) >= 4, (table, row)
        with (SCHEMAS / "settings" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            assert reader.fieldnames[-1] == "source"
            assert all(r["source"].strip() for r in reader)
    years = {r["year"]: r["amount"] for r in settings["monitoring_line"]["rows"]}
    assert years[2020] == 6000


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f["id"])
def test_primary_and_foreign_keys_name_existing_fields(form):
    table = load(published.table_schema_name(form["id"]))
    names = {f["name"] for f in table["fields"]}
    assert table["primaryKey"] and set(table["primaryKey"]) <= names
    by_id = {f["id"]: f for f in FORMS}
    for fk in table.get("foreignKeys", []):
        assert set(fk["fields"]) <= names
        target = by_id[fk["reference"]["resource"]]
        assert set(fk["reference"]["fields"]) <= {f["name"] for f in target["fields"]}


def test_every_schema_has_a_stable_id_and_version():
    json_files = sorted(SCHEMAS.glob("*.json"))
    # A row and a table schema per form; the submission and the county record as JSON documents
    # and as Data Package templates; the report; the county settings.
    assert len(json_files) == 2 * len(FORMS) + 6
    ids = set()
    for path in json_files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["$id"] == f"{STANDARD['base_uri']}{STANDARD['version']}/{path.name}"
        assert data["version"] == STANDARD["version"]
        ids.add(data["$id"])
    assert len(ids) == len(json_files)


def test_generated_files_are_deterministic_text():
    for path in SCHEMAS.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert text.endswith("\n") and not text.endswith("\n\n"), path
            assert "\\u" not in text or path.suffix == ".json", path  # ensure_ascii=False


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMAS.glob("*.table.json")))
def test_frictionless_accepts_table_schema(name):
    report = Schema.validate_descriptor(load(name))
    assert report.valid, [e.note for e in report.errors]


def test_frictionless_rejects_a_broken_table_schema():
    broken = load("annex1.table.json")
    broken["fields"][0]["type"] = "nonsense"
    assert not Schema.validate_descriptor(broken).valid


def test_frictionless_accepts_the_package_template_and_example_descriptors():
    template = load("datapackage.template.json")
    report = Package.validate_descriptor(template)
    assert report.valid, [e.note for e in report.errors]
    assert [r["name"] for r in template["resources"]] == ["manifest", "annex1", "annex2", "annex3"]
    for resource in template["resources"]:
        assert resource["path"] == f"{resource['name']}.csv"
        assert resource["schema"] == load(published.table_schema_name(resource["name"]))
    for path in sorted((ROOT / "examples").glob("*/datapackage.json")):
        report = Package.validate_descriptor(json.loads(path.read_text(encoding="utf-8")))
        assert report.valid, (path, [e.note for e in report.errors])


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMAS.glob("*.schema.json")))
def test_json_schemas_pass_the_metaschema(name):
    schema = load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_metaschema_check_can_fail():
    from jsonschema.exceptions import SchemaError

    broken = load("annex1.row.schema.json")
    broken["properties"]["seq"]["type"] = "whole-number"
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(broken)
