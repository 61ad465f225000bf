"""Personal data in file names and misplaced cells, and file names that are not UTF-8.

Issue "Hardening" points 9 and 12: `张秘密_110101199003075555.csv` must not show the ID or the
name in any report or exit-2 message unless --show-personal-data; a name typed into another
column is shown masked; a GBK file name (as Linux unzip leaves it) must not crash any report.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hardening_support import TODAY, VALID, month_folder, package

from validator.cli import main

SECRET_ID = "110101199003075555"
SECRET_NAME = "张秘密"
SECRET_FILE = f"{SECRET_NAME}_{SECRET_ID}"


def run(args: list[str], capsys) -> tuple[int, str]:
    status = main(args)
    out = capsys.readouterr()
    return status, out.out + out.err


def outputs_of(target: Path, tmp_path: Path, capsys, *extra: str) -> list[tuple[str, int, str]]:
    """(format, status, everything the command wrote) for text, JSON, HTML, text to a file and xlsx."""
    got = []
    base = ["validate", str(target), "--today", TODAY, *extra]
    for fmt in ("text", "json", "html"):
        status, text = run([*base, "--format", fmt], capsys)
        got.append((fmt, status, text))
    report = tmp_path / "out" / "report.txt"
    status, text = run([*base, "-o", str(report)], capsys)
    got.append(("text file", status, text + report.read_text(encoding="utf-8")))
    book = tmp_path / "out" / "copy.xlsx"
    status, text = run([*base, "--format", "xlsx", "-o", str(book)], capsys)
    wb = openpyxl.load_workbook(book)
    cells = [
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    ]
    got.append(("xlsx", status, text + "\n".join([*cells, *wb.sheetnames])))
    return got


# --- point 12: personal data in file names -----------------------------------------------------


@pytest.fixture
def named_after_a_person(tmp_path) -> Path:
    """The valid example with its 附件1 saved as 张秘密_110101199003075555.csv."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for f in VALID.glob("*.csv"):
        name = f"{SECRET_FILE}.csv" if f.name == "annex1.csv" else f.name
        (pkg / name).write_bytes(f.read_bytes())
    return pkg


def test_an_id_and_a_name_in_a_file_name_are_masked_in_every_report(named_after_a_person, tmp_path, capsys):
    for fmt, status, text in outputs_of(named_after_a_person, tmp_path, capsys):
        assert status in (0, 1), (fmt, text[-500:])
        assert SECRET_ID not in text and SECRET_NAME not in text, fmt
        assert "张**_110101********5555" in text, fmt  # still recognisable for the clerk
        assert SECRET_ID[:6] + "********" + SECRET_ID[-4:] in text, fmt


def test_show_personal_data_shows_the_file_name(named_after_a_person, capsys):
    status, text = run(
        ["validate", str(named_after_a_person), "--today", TODAY, "--format", "json", "--show-personal-data"],
        capsys,
    )
    assert status in (0, 1) and f"{SECRET_FILE}.csv" in text


def test_exit_2_messages_mask_the_file_name(tmp_path, capsys):
    broken = tmp_path / f"{SECRET_FILE}.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    missing = tmp_path / f"{SECRET_FILE}.zip"
    for target in (broken, missing):
        status, text = run(["validate", str(target), "--today", TODAY], capsys)
        assert status == 2 and text
        assert SECRET_ID not in text and SECRET_NAME not in text, text
    # The command's own messages (a refused output) too.
    pkg = package(tmp_path / f"{SECRET_FILE}-pkg")
    status, text = run(["validate", str(pkg), "-o", str(pkg / "r.json")], capsys)
    assert status == 2 and SECRET_ID not in text and SECRET_NAME not in text


def test_the_default_annotated_copy_name_is_masked(named_after_a_person, tmp_path, capsys, monkeypatch):
    book = tmp_path / f"{SECRET_FILE}.xlsx"
    wb = openpyxl.load_workbook(VALID.parent / "valid-2020-07.xlsx")
    wb.save(book)
    monkeypatch.chdir(tmp_path / "pkg")
    status, text = run(["validate", str(book), "--today", TODAY, "--format", "xlsx"], capsys)
    assert status == 0 and SECRET_ID not in text
    written = [p.name for p in Path.cwd().glob("*.校验结果.xlsx")]
    assert written == ["张xx_110101xxxxxxxx5555.校验结果.xlsx"]


def test_rollup_masks_package_names(tmp_path, capsys):
    month = month_folder(tmp_path / "2020-07")
    (month / "songgui").rename(month / SECRET_FILE)
    (month / f"{SECRET_FILE}备注.txt").write_text("x", encoding="utf-8")
    reports = tmp_path / "reports"
    for fmt in ("text", "json", "html", "csv"):
        status, text = run(
            ["rollup", str(month), "--today", TODAY, "--format", fmt, "--reports", str(reports)], capsys
        )
        assert status == 1 and SECRET_ID not in text and SECRET_NAME not in text, fmt
    written = [p for p in reports.rglob("*") if p.is_file()]  # per township: report and annotated copy
    assert {p.suffix for p in written} == {".html", ".xlsx"}
    for page in written:
        assert SECRET_ID not in page.name and SECRET_NAME not in page.name
        if page.suffix == ".html":
            assert SECRET_ID not in page.read_text(encoding="utf-8")
        else:
            with zipfile.ZipFile(page) as book:
                assert not any(SECRET_ID in book.read(n).decode("utf-8") for n in book.namelist())


# --- point 12: names typed into other columns ----------------------------------------------------


def _annex1_with(tmp_path: Path, changes: dict[int, dict[str, str]]) -> Path:
    pkg = package(tmp_path / "pkg")
    with (pkg / "annex1.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, values in changes.items():
        rows[i].update(values)
    with (pkg / "annex1.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return pkg


def test_a_name_in_another_column_is_masked(tmp_path, capsys):
    pkg = _annex1_with(
        tmp_path,
        {0: {"household_size": "张三丰"}, 1: {"risk_types": "因病、李四"}, 2: {"township": "黄坪"}},
    )
    status, text = run(["validate", str(pkg), "--today", TODAY, "--format", "json"], capsys)
    report = json.loads(text)
    by_field = {f["field"]: f for f in report["findings"] if f["rule"].startswith("F")}
    assert by_field["household_size"]["value"] == "张**"
    assert "李四" not in by_field["risk_types"]["message"] and "“李*”" in by_field["risk_types"]["message"]
    assert "张三丰" not in text and "李四" not in text
    # Not every short word is a name: a mistyped township stays readable.
    assert by_field["township"]["value"] == "黄坪"
    status, text = run(
        ["validate", str(pkg), "--today", TODAY, "--format", "json", "--show-personal-data"], capsys
    )
    assert "张三丰" in text and "李四" in text


def test_a_name_in_another_column_is_masked_in_the_annotated_copy(tmp_path, capsys):
    pkg = _annex1_with(tmp_path, {0: {"household_size": "张三丰"}})
    book = tmp_path / "copy.xlsx"
    status, _ = run(["validate", str(pkg), "--today", TODAY, "--format", "xlsx", "-o", str(book)], capsys)
    assert status == 1
    values = [v for ws in openpyxl.load_workbook(book) for row in ws.iter_rows(values_only=True) for v in row]
    assert "张三丰" not in values and "张**" in values


@pytest.mark.parametrize(
    ("text", "name"),
    [("张三", True), ("欧阳娜娜", True), ("阿依古丽·买买提", True), ("杨丽华", True)]
    + [
        ("黄坪", False),
        ("黄坪镇", False),
        ("李家村", False),
        ("因病返贫", False),
        ("不详", False),
        ("户主身份证号", False),
    ]
    + [("张", False), ("2020-07", False), ("张三 ", True), ("Zhang San", False)],
)
def test_looks_like_name(text, name):
    from validator.values.mask import looks_like_name, scrub_value

    assert looks_like_name(text) is name
    assert (scrub_value(text) != text.strip()) is name or not name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张秘密_110101199003075555.csv", "张**_110101********5555.csv"),
        ("13812341234李四.xlsx", "138****1234李*.xlsx"),
        ("/data/王五-13912345678/annex1.csv", "/data/王*-139****5678/annex1.csv"),
        ("附件1_黄坪镇.csv", "附件1_黄坪镇.csv"),
        ("张三.csv", "张三.csv"),  # a name alone in a file name is not recognised (documented)
        ("身份证号110101199003075555.csv", "身份证号110101********5555.csv"),
    ],
)
def test_file_names(name, shown):
    from validator.values.mask import scrub_names_in_paths

    assert scrub_names_in_paths(name) == shown


# --- point 9: file names that are not UTF-8 ------------------------------------------------------

posix_bytes = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="needs a file system that stores any bytes in names"
)


def _gbk_folder(tmp_path: Path) -> Path:
    """The valid example with two files renamed to GBK bytes, as unzip leaves a Windows zip."""
    pkg = package(tmp_path / "gbk")
    base = os.fsencode(pkg)
    os.rename(base + b"/annex1.csv", base + b"/" + "附件1".encode("gbk") + b".csv")
    os.rename(base + b"/annex2.csv", base + b"/" + "张三".encode("gbk") + b".csv")
    return pkg


@posix_bytes
def test_non_utf8_file_names_do_not_crash_any_report(tmp_path, capsys):
    pkg = _gbk_folder(tmp_path)
    first = outputs_of(pkg, tmp_path, capsys)
    for fmt, status, text in first:
        assert status in (0, 1), (fmt, text[-400:])
        assert "内部错误" not in text and "\ufffd" in text, fmt
        text.encode("utf-8")  # nothing left that UTF-8 cannot hold
    again = outputs_of(pkg, tmp_path, capsys)
    assert [t for _, _, t in again] == [t for _, _, t in first]  # the same replacement every time


@posix_bytes
def test_non_utf8_names_in_rollup_and_history(tmp_path, capsys):
    month = tmp_path / "2020-07"
    month.mkdir()
    pkg = _gbk_folder(tmp_path)
    os.rename(os.fsencode(pkg), os.fsencode(month) + b"/" + "松桂镇".encode("gbk"))
    for fmt in ("text", "json", "html", "csv"):
        status, text = run(["rollup", str(month), "--today", TODAY, "--format", fmt], capsys)
        assert status == 1 and "内部错误" not in text, fmt
        assert fmt == "csv" or "\ufffd" in text, fmt  # the CSV has counts only, no package names
    history = _gbk_folder(tmp_path / "h")
    status, text = run(
        ["validate", str(package(tmp_path / "p")), "--history", str(history.parent), "--format", "json"],
        capsys,
    )
    assert status in (0, 1) and "内部错误" not in text


def test_a_zip_with_gbk_member_names(tmp_path, capsys):
    """A Windows zip stores GBK names without the UTF-8 flag; the reports show them decoded."""
    gbk = "附件1.csv".encode("gbk")
    placeholder = b"X" * (len(gbk) - len(b"1.csv")) + b"1.csv"  # same length, plain ASCII
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for f in VALID.glob("*.csv"):
            zf.writestr(placeholder.decode() if f.name == "annex1.csv" else f.name, f.read_bytes())
    archive = tmp_path / "松桂镇.zip"
    archive.write_bytes(buffer.getvalue().replace(placeholder, gbk))  # local header and directory
    for fmt in ("json", "html", "text"):
        status, text = run(["validate", str(archive), "--today", TODAY, "--format", fmt], capsys)
        assert status in (0, 1) and "内部错误" not in text and "附件1.csv" in text, fmt


def test_readable():
    from validator.values.mask import readable

    assert readable("a\udcd5\udcc5b") == "a\ufffd\ufffdb"
    assert readable("附件1.csv") == "附件1.csv"
