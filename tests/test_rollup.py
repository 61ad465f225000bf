"""`fpjc rollup`: a county folder built from the examples, exact counts, exit statuses, formats,
and no personal data in any of them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from validator import standard
from validator.cli import main
from validator.county.rollup import package_counts, rollup

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
VALID = EXAMPLES / "valid-2020-07"  # 松桂镇 2020-07: 附件1 14, 附件2 10, 附件3 5
TODAY = "2020-08-10"
TOWNSHIPS = [i["label"] for i in standard.codelist("township")["items"]]


def township_copy(dest: Path, township: str, *, synonym: bool = False) -> Path:
    """valid-2020-07 with every township cell (manifest and annexes) set to `township`.

    With `synonym`, one 附件1 household's 因灾 is written as the synonym 因自然灾害."""
    shutil.copytree(VALID, dest)
    for path in dest.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
            fields = list(rows[0])
        changed = False
        for row in rows:
            row["township"] = township
            if synonym and path.stem == "annex1" and not changed and "因灾" in row["risk_types"].split("、"):
                row["risk_types"] = row["risk_types"].replace("因灾", "因自然灾害")
                changed = True
        assert changed or not (synonym and path.stem == "annex1")
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return dest


def zipped(folder: Path) -> Path:
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as z:
        for path in sorted(folder.iterdir()):
            z.write(path, path.name)
    shutil.rmtree(folder)
    return target


def example_counts(stem: str, column: str) -> Counter:
    """Labels in a column of the valid example, counted straight from its CSV."""
    with (VALID / f"{stem}.csv").open(encoding="utf-8") as f:
        return Counter(label for row in csv.DictReader(f) for label in row[column].split("、") if label)


def personal_values() -> set[str]:
    """Every name, ID number and phone number in the packages the tests use."""
    values = set()
    for folder in (VALID, EXAMPLES / "zero-report-2020-07", EXAMPLES / "errors-id-numbers"):
        for path in folder.glob("*.csv"):
            with path.open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    for key in ("head_name", "head_id", "phone", "preparer", "reviewer"):
                        # "5.32932E+17" (a number that lost its digits) identifies nobody.
                        if row.get(key) and len(row[key]) >= 2 and "E+" not in row[key]:
                            values.add(row[key].strip())
    return values


@pytest.fixture
def county(tmp_path) -> Path:
    """July: 松桂镇 (folder), 辛屯镇 (folder, one synonym), 云鹤镇 (zip), 六合彝族乡 (zero report,
    xlsx); an August package (errors-id-numbers.xlsx), a broken zip and a note."""
    root = tmp_path / "county"
    root.mkdir()
    shutil.copytree(VALID, root / "松桂镇")
    township_copy(root / "辛屯镇", "辛屯镇", synonym=True)
    zipped(township_copy(root / "云鹤镇", "云鹤镇"))
    shutil.copy(EXAMPLES / "zero-report-2020-07.xlsx", root / "六合彝族乡.xlsx")
    shutil.copy(EXAMPLES / "errors-id-numbers.xlsx", root)
    (root / "损坏.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "说明.txt").write_text("各乡镇7月报送包", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\0")
    return root


@pytest.fixture
def full_county(tmp_path) -> Path:
    """All nine townships, each a valid July package."""
    root = tmp_path / "full"
    root.mkdir()
    for name in TOWNSHIPS:
        township_copy(root / name, name)
    return root


def test_counts_of_one_package_match_its_csv():
    counts = package_counts(VALID, today=dt.date(2020, 8, 10))
    assert counts["township"] == "松桂镇"
    assert counts["report_month"] == "2020-07"
    assert counts["zero_report"] is False
    assert counts["rows"] == {"annex1": 14, "annex2": 10, "annex3": 5}
    for stem, field, dim in [
        ("annex1", "risk_types", "risk_types"),
        ("annex2", "measures", "measures"),
        ("annex3", "measures_done", "measures"),
        ("annex3", "release_way", "release_way"),
    ]:
        expected = example_counts(stem, field)
        got = {k: v for k, v in counts["counts"][dim][stem].items() if v}
        assert got == dict(expected), (stem, field)


def test_county_rollup_counts_and_gaps(county):
    result = rollup(county, today=dt.date(2020, 8, 10))
    assert result["month"] == "2020-07"
    assert result["ok"] is False
    assert result["ignored"] == ["说明.txt"]
    assert result["unreadable"] == ["损坏.zip"]
    assert result["other_month"] == ["errors-id-numbers.xlsx"]
    assert result["missing"] == ["黄坪镇", "草海镇", "西邑镇", "龙开口镇", "金墩乡"]
    assert result["duplicated"] == []

    by_entry = {p["entry"]: p for p in result["packages"]}
    assert set(by_entry) == {
        "松桂镇",
        "辛屯镇",
        "云鹤镇.zip",
        "六合彝族乡.xlsx",
        "errors-id-numbers.xlsx",
        "损坏.zip",
    }
    assert by_entry["云鹤镇.zip"]["township"] == "云鹤镇" and by_entry["云鹤镇.zip"]["kind"] == "zip"
    assert by_entry["六合彝族乡.xlsx"]["zero_report"] is True
    assert by_entry["六合彝族乡.xlsx"]["rows"] == {"annex1": 0, "annex2": 0, "annex3": 1}
    broken = by_entry["损坏.zip"]
    assert broken["readable"] is False and broken["valid"] is False and broken["problem"]
    august = by_entry["errors-id-numbers.xlsx"]
    assert august["report_month"] == "2020-08" and not august["counted"]
    assert august["valid"] is False and august["error"] > 0
    for entry in ("松桂镇", "辛屯镇", "云鹤镇.zip", "六合彝族乡.xlsx"):
        assert by_entry[entry]["valid"] and by_entry[entry]["error"] == 0 and by_entry[entry]["counted"]

    status = {t["township"]: t["status"] for t in result["townships"]}
    assert list(status) == TOWNSHIPS
    assert status["松桂镇"] == status["辛屯镇"] == status["云鹤镇"] == status["六合彝族乡"] == "ok"
    assert status["黄坪镇"] == "missing"

    totals = result["totals"]
    assert totals["counted"] == 4 and totals["packages"] == 6 and totals["zero_report"] == 1
    assert totals["rows"] == {"annex1": 42, "annex2": 30, "annex3": 16}
    risk = example_counts("annex1", "risk_types")
    # The synonym 因自然灾害 is counted under its canonical label.
    assert totals["counts"]["risk_types"]["annex1"]["因灾"] == 3 * risk["因灾"]
    assert "因自然灾害" not in totals["counts"]["risk_types"]["annex1"]
    assert totals["counts"]["risk_types"]["annex1"]["因病"] == 3 * risk["因病"]
    done = example_counts("annex3", "measures_done")
    assert totals["counts"]["measures"]["annex3"]["兜底保障帮扶"] == 3 * done["兜底保障帮扶"] + 0
    ways = example_counts("annex3", "release_way")
    zero_way = package_counts(EXAMPLES / "zero-report-2020-07.xlsx", today=dt.date(2020, 8, 10))["counts"]
    assert totals["counts"]["release_way"]["annex3"] == {
        label: 3 * ways[label] + zero_way["release_way"]["annex3"][label]
        for label in ("帮扶消除", "风险自然消除", "县级研判否定")
    }
    xintun = next(t for t in result["townships"] if t["township"] == "辛屯镇")
    assert xintun["rows"] == {"annex1": 14, "annex2": 10, "annex3": 5}
    assert xintun["packages"] == ["辛屯镇"]


def test_complete_county_passes_then_a_duplicate_fails(full_county, capsys):
    assert main(["rollup", str(full_county), "--today", TODAY, "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "九个乡镇均已按时报送" in out
    assert "全县合计" in out

    # A second package of 云鹤镇 (say, a corrected one saved next to the first).
    shutil.copy(EXAMPLES / "valid-2020-07.xlsx", full_county / "松桂镇-更正.xlsx")
    assert main(["rollup", str(full_county), "--today", TODAY, "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["duplicated"] == ["松桂镇"]
    assert result["missing"] == []
    songgui = next(t for t in result["townships"] if t["township"] == "松桂镇")
    assert songgui["status"] == "duplicate"
    assert songgui["packages"] == ["松桂镇", "松桂镇-更正.xlsx"]
    assert songgui["rows"]["annex1"] == 28  # both counted, and flagged


def test_month_option_counts_another_month(county, capsys):
    code = main(["rollup", str(county), "--today", "2020-09-10", "--month", "2020-08", "--format", "json"])
    assert code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["month"] == "2020-08"
    xintun = next(t for t in result["townships"] if t["township"] == "辛屯镇")
    assert xintun["status"] == "errors" and xintun["packages"] == ["errors-id-numbers.xlsx"]
    assert len(result["missing"]) == 8
    assert result["totals"]["rows"] == {"annex1": 8, "annex2": 6, "annex3": 2}


def test_text_lists_what_to_chase(county, capsys):
    assert main(["rollup", str(county), "--today", TODAY, "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    # Township by township, with how long the deadline (2020-08-05) is past on the day checked.
    for name in ("黄坪镇", "草海镇", "西邑镇", "龙开口镇", "金墩乡"):
        assert f"{name}：未报送（请催报，截止日 2020-08-05 已过5天）" in out
    assert "六合彝族乡：零报告（本月没有新增监测对象），请核实" in out
    assert "无法读取：损坏.zip" in out
    assert "已忽略（不是文件夹、.zip 或 .xlsx）：说明.txt" in out
    assert ".DS_Store" not in out
    assert "errors-id-numbers.xlsx" in out and "2020-08" in out
    lines = out.splitlines()
    total = next(line for line in lines if line.startswith("全县合计"))
    # 附件1, 附件2, their sum (new warnings), and 附件3 (releases) standing alone.
    assert total.split()[-4:] == ["42", "30", "72", "16"]


def test_every_format_is_free_of_personal_data(county, tmp_path, capsys):
    secrets = personal_values()
    assert len(secrets) > 50
    outputs = {}
    for fmt in ("text", "json", "html", "csv"):
        target = tmp_path / f"rollup.{fmt}"
        assert main(["rollup", str(county), "--today", TODAY, "--format", fmt, "--output", str(target)]) == 1
        outputs[fmt] = target.read_bytes()
    reports = tmp_path / "reports"
    main(["rollup", str(county), "--today", TODAY, "--reports", str(reports), "--format", "json"])
    capsys.readouterr()
    written = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file())
    # One folder per township to send back: each package's HTML report and annotated workbook.
    assert written == sorted(
        [
            "云鹤镇/云鹤镇.zip.校验报告.html",
            "云鹤镇/云鹤镇.zip.校验结果.xlsx",
            "六合彝族乡/六合彝族乡.xlsx.校验报告.html",
            "六合彝族乡/六合彝族乡.xlsx.校验结果.xlsx",
            "松桂镇/松桂镇.校验报告.html",
            "松桂镇/松桂镇.校验结果.xlsx",
            "辛屯镇/errors-id-numbers.xlsx.校验报告.html",
            "辛屯镇/errors-id-numbers.xlsx.校验结果.xlsx",
            "辛屯镇/辛屯镇.校验报告.html",
            "辛屯镇/辛屯镇.校验结果.xlsx",
            "无法读取/损坏.zip.无法读取.txt",
        ]
    )
    for path in reports.rglob("*"):
        # The annotated workbooks are the township's own data going back to it (masking them is
        # the annotated copy's own rule); every text file must be masked.
        if path.is_file() and path.suffix != ".xlsx":
            outputs[path.name] = path.read_bytes()
    assert "532932********" in outputs["errors-id-numbers.xlsx.校验报告.html"].decode("utf-8")
    for name, data in outputs.items():
        text = data.decode("utf-8-sig")
        leaked = [s for s in secrets if s in text]
        assert not leaked, (name, leaked[:3])


def test_csv_is_long_format_with_bom(county, tmp_path):
    target = tmp_path / "rollup.csv"
    main(["rollup", str(county), "--today", TODAY, "--format", "csv", "--output", str(target)])
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["报告月份", "统计项", "乡镇", "乡镇代码", "表", "类别", "数量"]
    body = rows[1:]
    assert {r[0] for r in body} == {"2020-07"}
    households = [r for r in body if r[1] == "户数"]
    assert len(households) == 9 * 3
    assert sum(int(r[6]) for r in households if r[4] == "附件1") == 42
    assert ["2020-07", "户数", "辛屯镇", "532932102", "附件2", "", "10"] in body
    status = {r[2]: r[5] for r in body if r[1] == "报送包数"}
    assert status["黄坪镇"] == "未报送" and status["云鹤镇"] == "已报送，通过"
    risk = example_counts("annex1", "risk_types")
    yinbing = [r for r in body if r[1] == "风险类型（户次）" and r[4] == "附件1" and r[5] == "因病"]
    assert sum(int(r[6]) for r in yinbing) == 3 * risk["因病"]


def test_json_is_deterministic_and_html_self_contained(county, capsys):
    main(["rollup", str(county), "--today", TODAY, "--format", "json"])
    first = capsys.readouterr().out
    main(["rollup", str(county), "--today", TODAY, "--format", "json"])
    assert capsys.readouterr().out == first
    main(["rollup", str(county), "--today", TODAY, "--format", "html"])
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "@media print" in page
    assert "黄坪镇" in page and "未报送" in page


def test_outputs_inside_the_folder_are_not_packages(county, capsys):
    reports = county / "报告"
    assert main(["rollup", str(county), "--today", TODAY, "--reports", str(reports), "--format", "json"]) == 1
    capsys.readouterr()
    main(["rollup", str(county), "--today", TODAY, "--reports", str(reports), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert "报告" not in {p["entry"] for p in result["packages"]}


def test_bad_usage_exits_2(tmp_path, capsys):
    assert main(["rollup", str(tmp_path / "nope")]) == 2
    assert "找不到" in capsys.readouterr().err
    file = tmp_path / "a.xlsx"
    file.write_bytes(b"x")
    assert main(["rollup", str(file)]) == 2
    assert "不是文件夹" in capsys.readouterr().err
    assert main(["rollup", str(tmp_path), "--month", "2020-13"]) == 2
    assert "--month" in capsys.readouterr().err
    assert main(["rollup", str(tmp_path), "--today", "2020/8/1"]) == 2
    assert main(["rollup", str(tmp_path), "--format", "xlsx"]) == 2


def test_unreadable_history_exits_2(county, tmp_path, capsys):
    empty = tmp_path / "history"
    empty.mkdir()
    assert main(["rollup", str(county), "--today", TODAY, "--history", str(empty)]) == 2
    assert "历史报送包" in capsys.readouterr().err


def test_empty_folder_lists_all_townships_missing(tmp_path, capsys):
    assert main(["rollup", str(tmp_path), "--today", TODAY, "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["missing"] == TOWNSHIPS and result["month"] is None


def test_township_from_annexes_when_the_manifest_is_missing(tmp_path):
    root = tmp_path / "county"
    package = root / "无报送信息"
    package.mkdir(parents=True)
    for stem in ("annex1", "annex2", "annex3"):
        shutil.copy(VALID / f"{stem}.csv", package)
    shutil.copytree(VALID, root / "松桂镇")
    result = rollup(root, today=dt.date(2020, 8, 10), month="2020-07")
    orphan = next(p for p in result["packages"] if p["entry"] == "无报送信息")
    assert orphan["readable"] and not orphan["valid"]
    assert orphan["township"] == "松桂镇" and orphan["township_from"] == "annex"
    # Without a manifest there is no report month: listed, not counted, so no false duplicate.
    assert orphan["report_month"] is None and not orphan["counted"]
    assert result["duplicated"] == [] and result["other_month"] == ["无报送信息"]


def test_totals_add_only_alike_flows(county):
    """New warnings (附件1 + 附件2) add up; releases (附件3) and measures carried out stand alone."""
    from validator.render.rollup_formats import dimension_rows

    result = rollup(county, today=dt.date(2020, 8, 10))
    head, body = dimension_rows(result, "risk_types")
    assert head == ["类别", "附件1", "附件2", "新增预警合计", "附件3 原风险"]
    head, measures = dimension_rows(result, "measures")
    assert head == ["类别", "附件1 拟采取", "附件2 拟采取", "拟采取合计", "附件3 已落实"]
    for row in body + measures:
        assert row[3] == row[1] + row[2]
    assert any(row[4] for row in body) and any(row[4] for row in measures)
