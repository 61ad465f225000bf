"""`fpjc ledger`: the county's ledger from the command line, on a synthetic spring (three months)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from validator.builders.county_year import TODAY, write_year
from validator.cli import main

ID = re.compile(r"\b\d{17}[\dX]\b")
TODAY_ARG = ["--today", TODAY.isoformat(), "--jobs", "1"]


@pytest.fixture(scope="module")
def spring(tmp_path_factory):
    return write_year(tmp_path_factory.mktemp("spring") / "鹤庆县", months=3)


@pytest.fixture(scope="module")
def built(spring, tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "鹤庆县台账.sqlite"
    assert main(["ledger", "add", str(path), str(spring.root), *TODAY_ARG]) == 0
    return path


@pytest.fixture
def ledger(built, tmp_path) -> Path:
    copy = tmp_path / built.name
    shutil.copy(built, copy)
    return copy


def dump(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        return [
            list(conn.execute(f"SELECT * FROM {t} ORDER BY 1"))
            for (t,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' ORDER BY 1"
            )
        ]
    finally:
        conn.close()


def test_add_takes_a_folder_of_month_folders(built, capsys):
    conn = sqlite3.connect(built)
    assert conn.execute("SELECT count(*) FROM files").fetchone() == (30,)
    assert conn.execute("SELECT group_concat(DISTINCT month) FROM files").fetchone() == (
        "2020-01,2020-02,2020-03",
    )


def test_adding_again_changes_nothing(spring, ledger, capsys):
    before = dump(ledger)
    assert main(["ledger", "add", str(ledger), str(spring.root / "2020-02"), *TODAY_ARG]) == 0
    text = capsys.readouterr().out
    assert "已在台账中未改动10个" in text
    assert dump(ledger) == before


def test_a_rejected_package_is_listed_with_its_report(spring, ledger, tmp_path, capsys):
    month = tmp_path / "2020-04"
    month.mkdir()
    bad = month / "松桂镇"
    shutil.copytree(
        spring.packages["2020-03"][[p.name for p in spring.packages["2020-03"]].index("松桂镇")], bad
    )
    manifest = bad / "manifest.csv"
    text = manifest.read_text(encoding="utf-8").replace(",是,", ",否,")  # not stamped
    manifest.write_text(text.replace("松桂镇,2020-03,", "松桂镇,2020-04,"), encoding="utf-8")
    reports = tmp_path / "退回"
    code = main(["ledger", "add", str(ledger), str(month), "--reports", str(reports), *TODAY_ARG])
    out = capsys.readouterr().out
    assert code == 1
    assert "未入账：有错误" in out and "松桂镇.校验报告.html" in out
    report = (reports / "松桂镇.校验报告.html").read_text(encoding="utf-8")
    assert "<html" in report
    assert main(["ledger", "status", str(ledger), "--format", "csv"]) == 0
    assert "未入账（有错误）" in capsys.readouterr().out


def test_a_damaged_ledger_is_refused_and_rebuilt(spring, ledger, capsys):
    data = bytearray(ledger.read_bytes())
    data[8192:9000] = b"\0" * 808
    ledger.write_bytes(bytes(data))
    assert main(["ledger", "status", str(ledger)]) == 2
    message = capsys.readouterr().err
    assert "已损坏" in message and "fpjc ledger rebuild" in message
    assert main(["ledger", "add", str(ledger), str(spring.root), *TODAY_ARG]) == 2
    capsys.readouterr()
    assert main(["ledger", "rebuild", str(ledger), str(spring.root), *TODAY_ARG]) == 0
    err = capsys.readouterr().err
    kept = [p for p in ledger.parent.iterdir() if ".旧-" in p.name]
    assert len(kept) == 1 and "原台账已改名保留为" in err
    assert kept[0].read_bytes() == bytes(data)  # the damaged file is kept as it was
    assert main(["ledger", "status", str(ledger)]) == 0
    assert not [p for p in ledger.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("query", ["status", "stock", "overdue", "household"])
@pytest.mark.parametrize("form", ["text", "html", "csv", "xlsx", "json"])
def test_every_question_in_every_format_is_masked(spring, built, tmp_path, capsys, query, form):
    head = next(iter(spring.households))
    args = ["ledger", query, str(built), *([head] if query == "household" else [])]
    output = tmp_path / f"out.{form}"
    assert main([*args, "--format", form, "-o", str(output)]) == 0
    if form == "xlsx":
        wb = openpyxl.load_workbook(output)
        text = "\n".join(
            str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None
        )
    else:
        text = output.read_text(encoding="utf-8-sig")
    assert not ID.findall(text), "an ID number shown in full"
    if query != "status":  # the status names no household
        assert "*" in text
    if form == "html":
        assert (
            "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
        )
        assert "<script" not in text
        if query == "status":
            assert text.count("<svg") == 2
    if form == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and len([r for r in rows if r]) >= 2  # titled tables, blank lines between


def test_personal_data_when_asked(spring, built, capsys):
    head = next(iter(spring.households))
    assert main(["ledger", "household", str(built), head, "--show-personal-data"]) == 0
    assert head in capsys.readouterr().out


def test_status_answers_the_plan(spring, built, capsys):
    assert main(["ledger", "status", str(built), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    grid = rows[2 : 2 + 9]
    late = {
        (r[0], m)
        for r in grid
        for m, cell in zip(("2020-01", "2020-02", "2020-03"), r[1:], strict=True)
        if cell.startswith("迟报")
    }
    assert late == {k for k in spring.late}
    zero = {
        (r[0], m)
        for r in grid
        for m, cell in zip(("2020-01", "2020-02", "2020-03"), r[1:], strict=True)
        if "零报告" in cell
    }
    assert zero == set(spring.zero)


def test_outputs_never_land_on_what_is_read(spring, ledger, capsys):
    package = spring.packages["2020-01"][0]
    before = package.read_bytes() if package.is_file() else None
    code = main(
        ["ledger", "status", str(ledger), "-o", str(spring.root / "2020-01" / "x.html"), "--format", "html"]
    )
    assert code == 0  # beside the packages is fine: the month folder is listed, not read whole
    (spring.root / "2020-01" / "x.html").unlink()
    assert main(["ledger", "stock", str(ledger), "-o", str(ledger)]) == 2
    assert "台账文件" in capsys.readouterr().err
    if before is not None:
        assert main(["ledger", "add", str(package), str(spring.root / "2020-01"), *TODAY_ARG]) == 2
        assert package.read_bytes() == before


def test_a_newer_ledger_is_left_alone(ledger, spring, capsys):
    conn = sqlite3.connect(ledger)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = ledger.read_bytes()
    assert main(["ledger", "add", str(ledger), str(spring.root / "2020-01"), *TODAY_ARG]) == 2
    assert "更新版本的 fpjc" in capsys.readouterr().err
    assert ledger.read_bytes() == before


def test_validate_uses_the_ledger_as_history(spring, built, tmp_path, capsys):
    """`fpjc validate --ledger`: the months before the package's own, as --history would give."""
    import json

    from validator.ledger import queries
    from validator.ledger.store import open_ledger

    with open_ledger(built, write=False) as ledger:
        still = queries.stock(ledger.conn, month="2020-02", show_personal_data=True)["rows"][0]["head_id"]
    source, annex = next(
        (p, name)
        for p in spring.packages["2020-03"]
        if p.is_dir()
        for name in ("annex2.csv", "annex1.csv")
        if (p / name).read_text(encoding="utf-8").strip().count("\n") >= 1
    )
    package = tmp_path / source.name
    shutil.copytree(source, package)
    lines = (package / annex).read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    cells[5] = still  # a household still under monitoring, warned again as if new
    lines[1] = ",".join(cells)
    (package / annex).write_text("\n".join(lines), encoding="utf-8")
    base = ["validate", str(package), "--stage", "submit", "--today", TODAY.isoformat(), "--format", "json"]
    main([*base, "--ledger", str(built)])
    report = json.loads(capsys.readouterr().out)
    assert "H006" in {f["rule"] for f in report["findings"]}
    assert "2020-03以前的月份" in report["options"]["history"]
    main(base)
    assert "H006" not in {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert main([*base, "--ledger", str(built), "--history", str(spring.root / "2020-01")]) == 2


def test_a_file_named_after_a_household_head_stays_masked(spring, tmp_path, capsys):
    month = tmp_path / "2020-01"
    month.mkdir()
    workbook = next(p for p in spring.packages["2020-01"] if p.suffix == ".xlsx")
    named = month / f"张秘密_110101199003075555_{workbook.name}"
    shutil.copy(workbook, named)
    ledger = tmp_path / "l.sqlite"
    assert main(["ledger", "add", str(ledger), str(month), *TODAY_ARG]) == 0
    out = capsys.readouterr().out
    assert "110101199003075555" not in out and "张秘密" not in out
    assert main(["ledger", "status", str(ledger), "--format", "json"]) == 0
    assert "110101199003075555" not in capsys.readouterr().out
    assert main(["ledger", "status", str(ledger), "--format", "json", "--show-personal-data"]) == 0
    assert "110101199003075555" in capsys.readouterr().out
