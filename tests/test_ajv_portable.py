"""The published JSON Schemas work outside Python: Ajv (draft 2020-12, from npm) agrees with fpjc.

`tests/ajv_rows.mjs` reads Data Package folders with nothing but the published files (the JSON
Schemas of the current version, registered under their `$id`, so `$ref`s resolve offline) and
the conventions they state, turns each CSV row into the JSON object the row schema describes
and validates it with Ajv. The packages are every example under examples/ and the failing and
passing example of every field rule (F, D) written as a Data Package.

Where JSON Schema can express a rule, the verdicts agree place by place (resource, row, field):
an fpjc error is an Ajv error there, and Ajv rejects nothing fpjc does not flag. Where it cannot,
the difference is listed below and on the developer page (docs/developers/integration.md), and
each listed difference is shown to be real by the rule's own failing example.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from validator import api, standard
from validator.builders import rule_examples
from validator.catalogue import registry

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / standard.version()
SCRIPT = ROOT / "tests" / "ajv_rows.mjs"
INTEGRATION_PAGE = ROOT / "docs" / "developers" / "integration.md"
TODAY = dt.date(2020, 12, 1)

# Field rules JSON Schema expresses (type, required, enum, pattern, format, length, range, items).
EXPRESSIBLE = {
    "F001", "F002", "F003", "F004", "F005", "F010", "F011", "F013", "F020", "F030", "F033",
    "F040", "F041", "F042", "F043", "F050", "F060", "D001", "D002", "D003", "D004",
    "S009",  # a required column missing from the file: fpjc says it once, Ajv on every row
    "F035",  # an open code list (研判部门 "…等"): both accept any name, fpjc adds a note
}  # fmt: skip
# fpjc accepts the value (with a note or a warning); the schema, which describes the clean
# spelling, rejects it.
LENIENT = {
    "F007": "千位分隔符（12,345.60）",
    "F012": "其他日期写法（2020/7/3、2020年7月3日）",
    "F014": "其他年月写法（2020年7月）",
    "F021": "是/否的其他写法（TRUE、1、Y）",
    "F031": "代码表中登记的同义词和数字代码",
    "F036": "其他时期没有对应项的说法（按最接近的一项读取）",
    "F032": "多选项重复：fpjc 只给警告，JSON Schema 的 uniqueItems 判为不符",
    "F044": "姓名中的空格和其他分隔点",
    "F061": "带空格、短横线或 +86 的电话号码",
    "D008": "全角数字、空格、小写 x 的身份证号",
}
# fpjc rejects the value; JSON Schema cannot say why.
NOT_EXPRESSIBLE = {
    "D005": "身份证号中的出生日期不存在（如 2 月 30 日）",
    "D006": "身份证号中的出生日期晚于校验当天",
    "D007": "身份证号的校验码（ISO 7064 MOD 11-2）",
    "F006": "金额最多两位小数（multipleOf 0.01 在二进制浮点数上不可靠）",
    "F034": "“无”与其他项同时填写",
}
# Only a workbook can show it (a typed Excel cell); a CSV row cannot.
WORKBOOK_ONLY = {"F051"}


def field_rules() -> list:
    return [r for rid, r in registry().items() if rid[0] in "FD"]


def test_every_field_rule_is_classified_and_the_differences_are_documented():
    ids = {r.id for r in field_rules()}
    classified = (EXPRESSIBLE - {"S009"}) | set(LENIENT) | set(NOT_EXPRESSIBLE) | WORKBOOK_ONLY
    assert ids == classified, f"classify: {sorted(ids - classified)}; gone: {sorted(classified - ids)}"
    page = INTEGRATION_PAGE.read_text(encoding="utf-8")
    missing = [rid for rid in [*LENIENT, *NOT_EXPRESSIBLE, *WORKBOOK_ONLY] if f"[{rid}]" not in page]
    assert missing == [], f"the developer page does not list {missing}"
    for words in ("校验码", "工作日", "跨表", "同义词"):
        assert words in page


def _as_data_package(folder: Path, tables: dict) -> Path:
    """A rule example's tables written with field names as headers, plus datapackage.json."""
    resources = []
    for form_id, table in tables.items():
        if form_id.startswith("_") or "raw" in table:
            continue
        table["headers"] = list(table["fields"])
        resources.append({"name": form_id, "path": f"{form_id}.csv"})
    rule_examples.write_package(folder, tables)
    descriptor = {"name": "example", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, dict]:
    """name → {"dir", "fpjc": findings, "rule", "which"} for every package the test compares."""
    root = tmp_path_factory.mktemp("ajv")
    out: dict[str, dict] = {}
    for example in sorted(p for p in (ROOT / "examples").iterdir() if (p / "datapackage.json").exists()):
        report = api.validate(example, today=TODAY)
        out[f"examples/{example.name}"] = {"dir": example, "fpjc": report["findings"], "rule": None}
    for r in field_rules():
        for which, patch in (("fail", r.fail), ("pass", r.passing)):
            options = patch.get("options", {})
            if options.get("format") == "xlsx":
                continue
            folder = _as_data_package(root / f"{r.id}-{which}", rule_examples.apply_patch(patch))
            today = dt.date.fromisoformat(options.get("today", rule_examples.TODAY))
            report = api.validate(folder, today=today)
            out[f"{r.id}-{which}"] = {"dir": folder, "fpjc": report["findings"], "rule": r.id, "which": which}
    return out


@pytest.fixture(scope="module")
def ajv(packages) -> dict[str, set]:
    """name → {(resource, row, field)} that Ajv rejects."""
    node = shutil.which("node")
    assert node, "Node.js is missing: run scripts/setup.sh"
    assert (ROOT / "node_modules" / "ajv" / "package.json").exists(), "run npm ci (scripts/setup.sh does)"
    names = list(packages)
    proc = subprocess.run(
        [node, str(SCRIPT), str(SCHEMAS), *(str(packages[n]["dir"]) for n in names)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == len(names)
    out = {}
    for name, result in zip(names, results, strict=True):
        out[name] = {(x["resource"], x["row"], f) for x in result["rejected"] for f in x["fields"]}
    return out


def places(findings: list[dict], rules, *, errors_only: bool = False) -> set:
    return {
        (f["resource"], f["row"], f["field"])
        for f in findings
        if f["rule"] in rules and (not errors_only or f["severity"] == "error")
    }


def _missing_columns(findings: list[dict]) -> set:
    return {(f["resource"], f["field"]) for f in findings if f["rule"] == "S009"}


def test_ajv_accepts_the_valid_examples(ajv):
    for name in ("examples/valid-2020-07", "examples/zero-report-2020-07"):
        assert ajv[name] == set(), name


def test_every_fpjc_error_that_json_schema_can_express_is_an_ajv_error(packages, ajv):
    missing = []
    for name, pkg in packages.items():
        ours = places(pkg["fpjc"], EXPRESSIBLE - {"S009"}, errors_only=True)
        missing += [(name, *p) for p in sorted(ours - ajv[name], key=str)]
        for resource, field in _missing_columns(pkg["fpjc"]):
            if not any(p[0] == resource and p[2] == field for p in ajv[name]):
                missing.append((name, resource, "every row", field))
    assert missing == []


def test_ajv_rejects_nothing_fpjc_lets_pass(packages, ajv):
    unexplained = []
    for name, pkg in packages.items():
        ours = places(pkg["fpjc"], (EXPRESSIBLE | set(LENIENT)) - {"S009"})
        columns = _missing_columns(pkg["fpjc"])
        for place in ajv[name]:
            if place not in ours and (place[0], place[2]) not in columns:
                unexplained.append((name, *place))
    assert unexplained == []


def test_passing_examples_are_valid_rows_for_ajv_too(packages, ajv):
    rejected = {
        name: sorted(ajv[name])
        for name, pkg in packages.items()
        if pkg["rule"] and pkg["which"] == "pass" and pkg["rule"] not in LENIENT and ajv[name]
    }
    assert rejected == {}


@pytest.mark.parametrize("rule_id", sorted(NOT_EXPRESSIBLE))
def test_a_documented_gap_is_real(packages, ajv, rule_id):
    """fpjc rejects the rule's failing example; Ajv, with the published schema, accepts that cell."""
    pkg = packages[f"{rule_id}-fail"]
    ours = places(pkg["fpjc"], {rule_id}, errors_only=True)
    assert ours, f"{rule_id}'s failing example should fail in fpjc"
    assert ours.isdisjoint(ajv[f"{rule_id}-fail"]), f"Ajv catches {rule_id}: move it to EXPRESSIBLE"


@pytest.mark.parametrize("rule_id", sorted(LENIENT))
def test_a_documented_leniency_is_real(packages, ajv, rule_id):
    """fpjc accepts the rule's failing example with a note or a warning; Ajv rejects it."""
    pkg = packages[f"{rule_id}-fail"]
    found = [f for f in pkg["fpjc"] if f["rule"] == rule_id]
    assert found and all(f["severity"] in ("info", "warning") for f in found)
    assert places(found, {rule_id}) <= ajv[f"{rule_id}-fail"]


def test_the_examples_exercise_both_directions(packages, ajv):
    """The comparison is not empty: the faulty examples make Ajv and fpjc reject rows."""
    faulty = [n for n in packages if n.startswith("examples/errors-")]
    assert len(faulty) >= 3 and all(ajv[n] for n in faulty)
    assert sum(len(ajv[n]) for n in packages) >= 40
