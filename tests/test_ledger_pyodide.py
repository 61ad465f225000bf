"""The household ledger runs under Pyodide (the site's runtime, wheels and lock, run by Node) and
gives exactly CPython's ledger and answers: sqlite3 is in Pyodide's standard library, so the county
page can open a ledger file, add the month's packages and hand the file back."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from checker_support import ROOT, checker_build, node_available

from validator.builders.county_year import TODAY, write_year
from validator.county.intake import group_files
from validator.ledger import queries
from validator.ledger.ingest import Source, ingest
from validator.ledger.store import open_ledger

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not node_available(), reason="needs Node.js"),
]


@pytest.fixture(scope="module")
def spring(tmp_path_factory):
    return write_year(tmp_path_factory.mktemp("spring") / "鹤庆县", months=3)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return checker_build.build(tmp_path_factory.mktemp("site"))


def month_files(folder: Path) -> list[dict]:
    """A month folder's files as a browser hands them over (names relative to the folder)."""
    return [
        {"name": p.relative_to(folder).as_posix(), "path": str(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]


def in_pyodide(built: dict, request: dict, tmp_path: Path) -> dict:
    req = tmp_path / "request.json"
    req.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            str(ROOT / "tests" / "ledger_node.mjs"),
            built["dir"],
            built["runtime"],
            built["packages"],
            str(req),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_cpython(path: Path, months: list[list[dict]]) -> dict:
    with open_ledger(path, create=True) as ledger:
        for files in months:
            groups, ignored = group_files([(f["name"], Path(f["path"]).read_bytes()) for f in files])
            ingest(
                ledger,
                [Source.from_files(n, k, items) for n, k, items in groups],
                today=TODAY,
                ignored=ignored,
            )
        answers = {
            "status": queries.status(ledger.conn),
            "stock": queries.stock(ledger.conn),
            "overdue": queries.overdue(ledger.conn),
        }
    return json.loads(json.dumps(answers, ensure_ascii=False, default=str))


def content(path: Path) -> list:
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


def test_the_same_ledger_and_answers_in_pyodide(built, spring, tmp_path):
    months = [month_files(spring.root / m) for m in sorted(spring.packages)]
    out = tmp_path / "pyodide.sqlite"
    answer = in_pyodide(
        built, {"ledger": None, "out": str(out), "today": TODAY.isoformat(), "months": months}, tmp_path
    )
    assert answer["python"].startswith("3.14")
    assert [r["added"] for r in answer["runs"]] == [10, 10, 10]
    expected = in_cpython(tmp_path / "cpython.sqlite", months)
    for query in ("status", "stock", "overdue"):
        assert answer[query] == expected[query], query
    # The file handed back is a sound ledger for CPython, with the same content.
    with open_ledger(out, write=False) as ledger:
        assert ledger.summary()["files"] == 30
    assert content(out) == content(tmp_path / "cpython.sqlite")


def test_a_ledger_made_by_the_command_line_is_updated_in_pyodide(built, spring, tmp_path):
    from validator.cli import main

    cli = tmp_path / "鹤庆县台账.sqlite"
    months = sorted(spring.packages)
    assert (
        main(
            [
                "ledger",
                "add",
                str(cli),
                *(str(spring.root / m) for m in months[:2]),
                "--today",
                TODAY.isoformat(),
                "-j",
                "1",
            ]
        )
        == 0
    )
    before = tmp_path / "before.sqlite"
    shutil.copy(cli, before)
    out = tmp_path / "handed-back.sqlite"
    request = {
        "ledger": str(cli),
        "out": str(out),
        "today": TODAY.isoformat(),
        "months": [month_files(spring.root / m) for m in months],
    }
    answer = in_pyodide(built, request, tmp_path)
    # the two months already in: recognised by content, unchanged; the third added
    assert [r["unchanged"] for r in answer["runs"]] == [10, 10, 0]
    assert answer["runs"][2]["added"] == 10
    assert (
        main(
            ["ledger", "add", str(cli), str(spring.root / months[2]), "--today", TODAY.isoformat(), "-j", "1"]
        )
        == 0
    )
    with open_ledger(out, write=False) as a, open_ledger(cli, write=False) as b:
        assert queries.stock(a.conn) == queries.stock(b.conn)
        assert queries.overdue(a.conn) == queries.overdue(b.conn)
