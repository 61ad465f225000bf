"""A big CSV table checked in two processes gives the same report as one process.

The engine forks a second process for the second part of a big CSV file (Linux only). These
tests lower the size threshold so small generated packages are split too, then compare the whole
report with a one-process run, over files made to trip every place where the two parts meet:
households repeated across the cut, 序号 breaks, blank and number-only rows, extra cells, quoted
cells spanning lines, lone CRs, NUL and overlong lines, invalid values of every kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

import pytest

from validator import engine, findings
from validator.builders import examples
from validator.reading import open_package

pytestmark = pytest.mark.skipif(not engine._can_fork(), reason="the two-process path forks (Linux, 2+ cores)")

TODAY = dt.date(2020, 8, 6)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "pkg"
    examples.bench(out, 400, seed=3, headers="name")
    return out


@pytest.fixture
def split(monkeypatch):
    """Split every CSV table, and record each time the second part's results were taken in."""
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    merged: list[int] = []
    real = engine._merge

    def spy(done, findings, ctx, tracker):
        merged.append(done["rows"])
        return real(done, findings, ctx, tracker)

    monkeypatch.setattr(engine, "_merge", spy)
    return merged


def report(path: Path, *, parallel: bool) -> dict:
    return engine.validate_package(open_package([path]), today=TODAY, parallel=parallel)


def test_a_clean_package_is_split_and_reports_the_same(base, split):
    one = report(base, parallel=False)
    two = report(base, parallel=True)
    assert split and 0 < split[0] < 400  # the second process really checked part of the rows
    assert two == one
    assert two["summary"]["rows"]["annex1"] == 400


def test_observed_rows_are_all_seen_in_this_process(base, split):
    """The county's intake counts households from the rows the engine hands to an observer; a
    second process would check its part unseen, so observed packages are checked in one."""
    seen: list[int] = []

    def observe(place, row, values):
        if place.resource == "annex1":
            seen.append(row)

    observed = engine.validate_package(open_package([base]), today=TODAY, observe=observe)
    assert not split and len(seen) == 400 == observed["summary"]["rows"]["annex1"]
    assert observed == report(base, parallel=False)


def _put(cells: list[str], k: int, value: str) -> None:
    cells += [""] * (k + 1 - len(cells))
    cells[k] = value


def _mutate(lines: list[str], rnd: random.Random, width: int) -> list[str]:
    """Damage a CSV's data lines (kept: the header) in ways that matter where parts meet."""
    head, data = lines[:1], lines[1:]
    pick = lambda: rnd.randrange(len(data))  # noqa: E731
    for _ in range(rnd.randint(1, 12)):
        i = pick()
        cells = data[i].split(",")
        what = rnd.choice(
            [
                "dup_row",
                "dup_head",
                "seq",
                "blank",
                "numbered",
                "extra",
                "short",
                "quote_open",
                "quote_cell",
                "bad_value",
                "nul",
                "crlf",
                "lone_cr",
                "long",
                "township",
            ]
        )
        if what == "dup_row":
            data.insert(pick(), data[i])
        elif what == "dup_head":
            j = pick()
            other = data[j].split(",")
            cells[5:6] = other[5:6]
            data[i] = ",".join(cells)
        elif what == "seq":
            cells[:1] = [str(rnd.choice([1, 7, 999, 0]))]
            data[i] = ",".join(cells)
        elif what == "blank":
            for _ in range(rnd.randint(1, 3)):
                data.insert(i, rnd.choice(["", "," * (width - 1), " "]))
        elif what == "numbered":
            data.insert(i, str(rnd.randint(1, 500)) + "," * (width - 1))
        elif what == "extra":
            data[i] += ",多余"
        elif what == "short":
            data[i] = ",".join(cells[: rnd.randint(1, width - 1)])
        elif what == "quote_open":
            data[i] = data[i].replace(",", ',"', 1)
        elif what == "quote_cell":
            _put(cells, 16, '"第一行\n第二行"')
            data[i] = ",".join(cells)
        elif what == "bad_value":
            k = rnd.randrange(1, width)
            _put(cells, k, rnd.choice(["x", "", "2020-13-40", "-5", "1.234", "5329", "１２", "其他", " 1"]))
            data[i] = ",".join(cells)
        elif what == "nul":
            data[i] += "\0"
        elif what == "crlf":
            data[i] += "\r"
        elif what == "lone_cr":
            data[i] = data[i] + "\r" + data[pick()]
        elif what == "long":
            _put(cells, 23, "长" * rnd.choice([1000, 140_000]))
            data[i] = ",".join(cells)
        elif what == "township":
            _put(cells, 1, "辛屯镇")
            data[i] = ",".join(cells)
    return head + data


@pytest.mark.parametrize("seed", range(24))
def test_damaged_files_report_the_same_in_two_processes(base, split, tmp_path, monkeypatch, seed):
    rnd = random.Random(seed)
    monkeypatch.setattr(engine, "MAIN_SHARE", rnd.uniform(0.05, 0.95))
    csv.field_size_limit(131072)  # frictionless, imported by other tests, raises it process-wide
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for name in ("manifest.csv", "datapackage.json"):
        (pkg / name).write_bytes((base / name).read_bytes())
    lines = (base / "annex1.csv").read_text(encoding="utf-8").split("\n")[:-1]
    width = lines[0].count(",") + 1
    text = "\n".join(_mutate(lines, rnd, width)) + rnd.choice(["\n", ""])
    (pkg / "annex1.csv").write_text(text, encoding=rnd.choice(["utf-8", "utf-8-sig", "gb18030"]))
    one = report(pkg, parallel=False)
    two = report(pkg, parallel=True)
    assert two == one


def test_many_errors_are_capped_the_same_way(base, split, tmp_path, monkeypatch):
    """More findings than the report keeps, on both sides of the cut: same kept ones, same counts."""
    monkeypatch.setattr(findings, "KEEP_PER_RULE", 7)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for name in ("manifest.csv", "datapackage.json"):
        (pkg / name).write_bytes((base / name).read_bytes())
    lines = (base / "annex1.csv").read_text(encoding="utf-8").split("\n")[:-1]
    rows = [line.split(",") for line in lines[1:]]
    for i, cells in enumerate(rows):
        cells[0] = "1"  # 序号 repeated: T001 and T004
        cells[2] = "" if i % 3 else cells[2]  # required value missing: F001
        cells[18] = "2020/7/1"  # date written the wrong way: a warning on every row
    (pkg / "annex1.csv").write_text(
        "\n".join([lines[0], *(",".join(c) for c in rows)]) + "\n", encoding="utf-8"
    )
    one = report(pkg, parallel=False)
    two = report(pkg, parallel=True)
    assert split
    assert two == one
    assert one["truncated"]["omitted"] > 0


def test_the_worker_failing_means_one_process_does_it_all(base, split, monkeypatch):
    def broken(send, *args):
        send.send({"ok": False, "error": "MemoryError"})
        send.close()

    monkeypatch.setattr(engine, "_check_part", broken)
    assert report(base, parallel=True) == report(base, parallel=False)
    assert not split


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_small_files_stay_in_one_process(base, monkeypatch):
    started = []
    monkeypatch.setattr(engine, "_check_part", lambda *a: started.append(a))
    report(base, parallel=True)
    assert not started
