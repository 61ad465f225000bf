"""Versioning users can rely on: a released standard never changes, a change gets a new version, the
CHANGELOG says what a filled workbook must change, and a workbook made on an earlier template is
accepted or told exactly what to change (S014).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from validator import api, published, standard, versions
from validator.builders import releases, rule_examples
from validator.builders import standard_json as forms
from validator.commands import schemas as schemas_cmd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHANGELOG = ROOT / "CHANGELOG.md"


@pytest.fixture(scope="module")
def compiled() -> dict:
    return forms.compile_standard()


def test_released_versions_are_intact():
    record = releases.load_record()
    assert record, "schemas/releases.json lists no released version"
    assert releases.released_problems() == []
    folders = releases.version_folders()
    assert [e["version"] for e in record] == [v for v in folders if v in {e["version"] for e in record}]


def test_forms_match_the_release_of_their_version(compiled):
    """forms/ compiled now equals the last release while the version is unchanged; a new version
    must be newer than every release."""
    record = {e["version"]: e for e in releases.load_record()}
    files = published.generate(compiled)
    version = compiled["version"]
    if version in record:
        assert releases.digest(files) == record[version]["sha256"], schemas_cmd.released_conflict(
            compiled, files, releases.SCHEMAS_ROOT
        )
    else:
        newest = max(record, key=releases.version_key)
        assert releases.version_key(version) > releases.version_key(newest)


def _changed_forms(tmp_path: Path) -> Path:
    """A copy of forms/ where a column of 附件1 (and 附件2) has a new title, the version left as it is."""
    copy_dir = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", copy_dir)
    path = copy_dir / "fields.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title: 家庭人口数" in text
    path.write_text(text.replace("title: 家庭人口数", "title: 家庭人口数（人）", 1), encoding="utf-8")
    return copy_dir


def test_a_changed_form_under_a_released_version_is_refused(tmp_path, capsys):
    changed = forms.compile_standard(_changed_forms(tmp_path))
    changed["version"] = releases.load_record()[-1]["version"]  # a change under the released number
    files = published.generate(changed)
    problem = schemas_cmd.released_conflict(changed, files, releases.SCHEMAS_ROOT)
    assert problem and "annex1.table.json" in problem and "forms/standard.yaml" in problem

    before = {
        p: p.read_bytes() for p in (releases.SCHEMAS_ROOT / changed["version"]).rglob("*") if p.is_file()
    }
    json_before = forms.STANDARD_JSON.read_bytes()
    assert schemas_cmd._build(changed, releases.SCHEMAS_ROOT) == 1
    assert "已发布的版本不能再改" in capsys.readouterr().err
    after = {
        p: p.read_bytes() for p in (releases.SCHEMAS_ROOT / changed["version"]).rglob("*") if p.is_file()
    }
    assert after == before and forms.STANDARD_JSON.read_bytes() == json_before


def test_a_new_version_builds_beside_the_released_one(tmp_path, capsys, monkeypatch):
    changed = forms.compile_standard(_changed_forms(tmp_path))
    changed["version"] = "1.9.0"
    root = tmp_path / "schemas"
    shutil.copytree(releases.SCHEMAS_ROOT, root)
    # Build into the copy; the package data it writes goes to temporary files too.
    monkeypatch.setattr(forms, "STANDARD_JSON", tmp_path / "standard.json")
    monkeypatch.setattr(releases, "VERSIONS_JSON", tmp_path / "versions.json")
    assert schemas_cmd._build(changed, root) == 0
    capsys.readouterr()
    assert releases.read_folder(root / "1.0.0") == releases.read_folder(releases.SCHEMAS_ROOT / "1.0.0")
    assert (root / "1.9.0" / "annex1.table.json").is_file()
    index = (root / "README.md").read_text(encoding="utf-8")
    assert (
        "| [1.9.0](1.9.0/README.md) | 未发布（修订中） |" in index
        and "| [1.0.0](1.0.0/README.md) | 已发布 |" in index
    )
    data = (tmp_path / "versions.json").read_text(encoding="utf-8")
    assert '"kind": "column_renamed"' in data and "家庭人口数（人）" in data
    standard.load.cache_clear()
    standard._published.cache_clear()
    versions.load.cache_clear()


def _variant(compiled: dict, edit) -> dict[str, str]:
    new = copy.deepcopy(compiled)
    edit(new)
    return published.generate(new)


def test_workbook_changes_name_each_kind_of_change(compiled):
    old = published.generate(compiled)

    def edit(s):
        annex1 = next(f for f in s["forms"] if f["id"] == "annex1")
        fields = annex1["fields"]
        names = [f["name"] for f in fields]
        fields[names.index("household_size")]["title"] = "家庭人口"  # renamed
        fields[names.index("phone")]["required"] = True  # now required
        fields[names.index("exit_year")]["maximum"] = 2019  # checked differently
        fields.insert(
            names.index("head_name") + 1,
            {
                **fields[names.index("head_name")],
                "name": "spouse_name",
                "title": "配偶姓名",
                "required": True,
            },
        )
        fields[:] = [f for f in fields if f["name"] != "remark"]  # removed
        risk = s["codelists"]["risk_type"]["items"]
        gone = next(i for i in risk if i["label"] == "缺劳动力")
        risk.remove(gone)
        disaster = next(i for i in risk if i["label"] == "因灾")
        disaster["label"], disaster["synonyms"] = "因自然灾害", [*disaster["synonyms"], "因灾"]
        s["forms"] = [f for f in s["forms"] if f["id"] != "assistance"]

    changes = releases.workbook_changes(old, _variant(compiled, edit))
    kinds = {(c["kind"], c.get("title") or c.get("form")) for c in changes}
    assert ("column_renamed", "家庭人口") in kinds
    assert ("column_required", "联系电话") in kinds
    assert ("column_rule", "脱贫年度") in kinds
    assert ("column_added", "配偶姓名") in kinds
    assert ("column_removed", "备注") in kinds
    assert ("code_removed", "风险类型") in kinds
    assert ("code_renamed", "风险类型") in kinds
    assert ("form_removed", "assistance") in kinds
    texts = [versions.describe(c) for c in changes]
    assert "附件1 鹤庆县返贫预警情况统计表：把列标题“家庭人口数”改为“家庭人口”" in texts
    assert "附件1 鹤庆县返贫预警情况统计表：在“户主姓名”列之后插入“配偶姓名”列（必填）" in texts
    assert any(
        "“脱贫年度”列的填写要求改为：整数，2014—2020" in t or "“脱贫年度”列的填写要求改为" in t for t in texts
    )
    assert "附件1 鹤庆县返贫预警情况统计表：“风险类型”列不再有“缺劳动力”这一项，请改选现有的一项" in texts
    assert "附件1 鹤庆县返贫预警情况统计表：“风险类型”列的“因灾”改称“因自然灾害”" in texts


def test_a_rule_that_only_accepts_more_needs_no_change(compiled):
    """Names with rare characters and an open department list (standard 1.1.0) leave every cell of
    a filled workbook valid; narrowing the same pattern is a change the clerk must make."""
    old = published.generate(compiled)
    head_name = next(f for f in compiled["forms"][1]["fields"] if f["name"] == "head_name")
    pattern = head_name["pattern"]

    def narrow(s):
        for form in s["forms"]:
            for f in form["fields"]:
                if f["name"] == "head_name":
                    f["pattern"] = pattern.replace("\\u3400-\\u4dbf", "")

    def widen(s):
        for form in s["forms"]:
            for f in form["fields"]:
                if f["name"] == "head_name":
                    f["pattern"] = pattern.replace("·", "·•")
        s["codelists"]["township"]["open"] = True

    narrowed = releases.workbook_changes(old, _variant(compiled, narrow))
    assert narrowed and {c["kind"] for c in narrowed} == {"column_rule"}
    assert all(versions.must_change(c) for c in narrowed)
    widened = releases.workbook_changes(old, _variant(compiled, widen))
    assert {(c["kind"], c["title"]) for c in widened} >= {
        ("column_widened", "户主姓名"),
        ("column_widened", "乡镇"),
    }
    assert not any(versions.must_change(c) for c in widened)


def test_descriptions_alone_change_nothing_for_a_workbook(compiled):
    def edit(s):
        for f in s["forms"]:
            f["description"] += "（修订）"
            for x in f["fields"]:
                x["description"] += "（修订）"
                if x.get("pattern_hint"):  # how a rule is worded is not the rule (户编号 was “widened”)
                    x["pattern_hint"] += "（修订）"

    assert releases.workbook_changes(published.generate(compiled), _variant(compiled, edit)) == []


def _fake_versions(monkeypatch, changes_since: dict) -> None:
    data = {
        "current": standard.version(),
        "released": [{"version": v, "date": "2020-07-01"} for v in changes_since],
        "changes_since": changes_since,
    }
    monkeypatch.setattr(versions, "load", lambda: data)


def _s014(template_version: str) -> list[dict]:
    report = rule_examples.run_patch({"options": {"format": "xlsx", "template_version": template_version}})
    return [f for f in report["findings"] if f["rule"] == "S014"]


def test_old_template_is_told_exactly_what_to_change(monkeypatch):
    renamed = {
        "kind": "column_renamed",
        "form": "annex1",
        "form_title": "附件1",
        "old_title": "人口数",
        "title": "家庭人口数",
    }
    optional = {
        "kind": "column_added",
        "form": "annex2",
        "form_title": "附件2",
        "title": "收到评议结果日期",
        "after": "民主评议日期",
        "required": False,
    }
    _fake_versions(monkeypatch, {"0.9.0": [renamed, optional]})
    (finding,) = _s014("0.9.0")
    assert finding["severity"] == "warning"
    assert "要改的地方：（1）附件1：把列标题“人口数”改为“家庭人口数”" in finding["message"]
    assert (
        "另外（不改也可以）：附件2：在“民主评议日期”列之后插入“收到评议结果日期”列（可不填）"
        in finding["message"]
    )


def test_old_template_without_changes_that_matter_is_accepted(monkeypatch):
    optional = {
        "kind": "code_renamed",
        "form": "annex1",
        "form_title": "附件1",
        "title": "风险类型",
        "code": "因灾",
        "now": "因自然灾害",
    }
    _fake_versions(monkeypatch, {"0.9.0": [optional], "0.8.0": []})
    (finding,) = _s014("0.9.0")
    assert finding["severity"] == "info" and "可以照常报送" in finding["message"]
    (finding,) = _s014("0.8.0")
    assert finding["severity"] == "info" and "相同" in finding["message"]
    (finding,) = _s014("0.7.0")
    assert finding["severity"] == "warning" and "不是已发布的标准版本" in finding["message"]
    assert _s014(standard.version()) == []


def _csv_package_of_version(tmp_path: Path, version: str) -> Path:
    """The valid example as a CSV package whose datapackage.json names `version` of the standard."""
    pkg = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", pkg)
    descriptor = pkg / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    data["x-fpjc"]["standard_version"] = version
    descriptor.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return pkg


def _version_findings(pkg: Path) -> list[dict]:
    report = api.validate(pkg)
    return [f for f in report["findings"] if f["rule"] in ("S014", "S023")]


def test_a_csv_package_names_its_version_in_datapackage_json(tmp_path, monkeypatch):
    renamed = {
        "kind": "column_renamed",
        "form": "annex1",
        "form_title": "附件1",
        "old_title": "人口数",
        "title": "家庭人口数",
    }
    _fake_versions(monkeypatch, {"0.9.0": [renamed]})
    (old,) = _version_findings(_csv_package_of_version(tmp_path / "old", "0.9.0"))
    assert old["rule"] == "S014" and old["severity"] == "warning" and old["source"] == "datapackage.json"
    assert (
        old["message"].startswith("datapackage.json使用的模板版本 0.9.0") and "家庭人口数" in old["message"]
    )
    assert _version_findings(_csv_package_of_version(tmp_path / "same", standard.version())) == []


def test_a_package_newer_than_the_validator_says_its_result_may_be_incomplete(tmp_path):
    (newer,) = _version_findings(_csv_package_of_version(tmp_path, "99.0.0"))
    assert newer["rule"] == "S023" and newer["severity"] == "warning"
    assert "99.0.0" in newer["message"] and "没有检查" in newer["message"]
    report = rule_examples.run_patch({"options": {"format": "xlsx", "template_version": "99.0.0"}})
    assert [f["rule"] for f in report["findings"] if f["rule"].startswith("S0")] == ["S023"]


def changelog_problems(text: str, current: str, record: list[str], changes: list[dict]) -> list[str]:
    """What the CHANGELOG misses about the standard: every release named, and for an unreleased new
    version a "### Standard <version>" section naming each change a filled workbook needs."""
    problems = [v for v in record if not re.search(rf"standard {re.escape(v)}\b", text, re.I)]
    if current not in record:
        section = re.search(rf"^### Standard {re.escape(current)}\b.*?(?=^##|\Z)", text, re.M | re.S)
        if not section:
            return [*problems, f"no '### Standard {current}' section"]
        for change in changes:
            if versions.must_change(change):
                word = change.get("title") or change.get("form_title")
                if word not in section.group(0):
                    problems.append(f"{current}: {word} not in the section")
    return problems


def test_changelog_says_what_changed_for_filled_workbooks():
    record = versions.released()
    current = standard.version()
    last = record[-1]
    changes = versions.changes_since(last) if current != last else []
    assert changelog_problems(CHANGELOG.read_text(encoding="utf-8"), current, record, changes or []) == []


def test_the_changelog_check_can_fail():
    change = {
        "kind": "column_added",
        "form": "annex1",
        "form_title": "附件1",
        "title": "收到评议结果日期",
        "required": True,
    }
    text = "## [Unreleased]\n\n### Added\n- Published standard 1.0.0.\n"
    assert changelog_problems(text, "1.1.0", ["1.0.0"], [change]) == ["no '### Standard 1.1.0' section"]
    text += "\n### Standard 1.1.0\n- 附件1：新增一列。\n"
    assert changelog_problems(text, "1.1.0", ["1.0.0"], [change]) == [
        "1.1.0: 收到评议结果日期 not in the section"
    ]
    text = text.replace("新增一列", "新增“收到评议结果日期”列")
    assert changelog_problems(text, "1.1.0", ["1.0.0"], [change]) == []
