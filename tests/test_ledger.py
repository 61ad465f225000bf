"""The household ledger (validator.ledger): storage, ingest and the county's questions.

Everything runs on synthetic county years written by `builders.county_year` (real packages in
every form a township sends: workbooks, CSV folders, zips, and the county's 研判 records), and
the answers are checked against what the year was planned to contain and against the history
`fpjc validate --history` reads from the same folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from validator.builders.county_year import TODAY, write_year
from validator.ledger import facts, queries
from validator.ledger.ingest import Source, ingest
from validator.ledger.store import SCHEMA_VERSION, LedgerError, open_ledger
from validator.reading.history import load_history


def sources(*folders: Path) -> list[Source]:
    from validator.county.intake import find_packages

    out = []
    for folder in folders:
        found, _ = find_packages(folder)
        out += [Source.from_path(p) for p in found]
    return out


def fingerprint(path: Path) -> str:
    """Everything the ledger holds except when it was written (a change of content shows)."""
    conn = sqlite3.connect(path)
    try:
        lines = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            if table == "meta":
                continue
            lines += [repr(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    return write_year(tmp_path_factory.mktemp("year") / "鹤庆县", months=9)


@pytest.fixture(scope="module")
def year_ledger(year, tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "鹤庆县台账.sqlite"
    with open_ledger(path, create=True) as ledger:
        run = ingest(ledger, sources(*sorted(year.root.iterdir())), today=TODAY)
    assert run.ok, [e for e in run.data["entries"] if e["outcome"] == "rejected"]
    return path


@pytest.fixture(scope="module")
def spring(tmp_path_factory):
    """Three months, for the tests that change files."""
    return write_year(tmp_path_factory.mktemp("spring") / "鹤庆县", months=3)


def month_dirs(year) -> list[Path]:
    return [year.root / m for m in sorted(year.packages)]


# --- what a year holds, against the plan -----------------------------------------------------


def test_a_year_goes_in_whole(year, year_ledger):
    with open_ledger(year_ledger, write=False) as ledger:
        s = ledger.summary()
    assert s["files"] == 9 * 10  # nine townships and the county record, every month
    assert s["rejected"] == 0 and s["replaced"] == 0
    assert s["closed"] == sorted(year.packages)
    assert s["county"] == "鹤庆县"


def test_status_knows_late_and_zero_reports(year, year_ledger):
    with open_ledger(year_ledger, write=False) as ledger:
        data = queries.status(ledger.conn)
    assert data["months"] == sorted(year.packages)
    late = {(c["township"], c["month"]): c["days_late"] for c in data["cells"] if c["state"] == "late"}
    assert late == year.late
    zero = {(c["township"], c["month"]) for c in data["cells"] if c["zero_report"]}
    assert zero == set(year.zero)
    assert all(c["state"] in ("on_time", "late") for c in data["cells"])
    warned = sum(len(h.warned) for h in year.households.values())
    assert sum(t["new_warnings"] for t in data["totals"]) == warned
    released = sum(len(h.released) for h in year.households.values())
    assert sum(t["releases"] for t in data["totals"]) == released
    decided = [d for h in year.households.values() for d in h.decisions]
    assert sum(t["confirmed"] for t in data["totals"]) == sum(1 for _, d in decided if d == "认定")
    # a span of months
    part = queries.status(sqlite3.connect(year_ledger), first="2020-03", last="2020-04")
    assert part["months"] == ["2020-03", "2020-04"] and len(part["cells"]) == 18


def _open_at_end(year) -> set[str]:
    """Households (by 户编号 or head) the plan leaves under monitoring at the end of December."""
    open_heads = set()
    replaced = {old for old, _ in year.head_changes}
    for h in year.households.values():
        if h.head_id in replaced:
            continue
        last_warned = h.warned[-1]
        decision = next((d for m, d in reversed(h.decisions) if m >= last_warned), None)
        released_after = any(m >= last_warned for m in h.released)
        if decision != "否定" and not released_after:
            open_heads.add(h.head_id)
    return open_heads


def test_stock_is_the_plans_open_households(year, year_ledger):
    with open_ledger(year_ledger, write=False) as ledger:
        data = queries.stock(ledger.conn, month="2020-09", show_personal_data=True)
    heads = {r["head_id"] for r in data["rows"]}
    assert heads == _open_at_end(year)
    assert sum(t["households"] for t in data["by_township"]) == len(data["rows"])
    for r in data["rows"]:
        assert r["months"] >= 1 and r["since"] <= "2020-12"
        assert r["state"] in ("认定", "待研判")
    # December's new households await January's meeting only if the record of December is absent:
    # here it is in, so nobody is pending.
    assert not [r for r in data["rows"] if r["state"] == "待研判"]


def test_stock_masks_unless_asked(year_ledger):
    with open_ledger(year_ledger, write=False) as ledger:
        masked = queries.stock(ledger.conn)
    assert masked["rows"] and all("*" in r["head_id"] and "*" in r["head_name"] for r in masked["rows"])


def test_overdue_lists_match_the_plan(year, year_ledger):
    with open_ledger(year_ledger, write=False) as ledger:
        data = queries.overdue(ledger.conn, month="2020-09", show_personal_data=True)
    # 认定 at least a month ago, still monitored, no measure carried out since the warning.
    expected = set()
    for head in _open_at_end(year):
        h = year.households[head]
        last = h.warned[-1]
        confirmed = [m for m, d in h.decisions if m >= last and d == "认定"]
        if confirmed and confirmed[0] <= "2020-08" and not [m for m in h.measures if m >= last]:
            expected.add(head)
    assert {r["head_id"] for r in data["no_measure"]} == expected
    assert set(year.left_without_measure) <= expected
    # Warned again after a release: released from monitoring (not closed by the county's 否定).
    again = {
        head
        for head in year.rewarned
        if any(
            d == "认定" for m, d in year.households[head].decisions if m < year.households[head].warned[-1]
        )
    }
    assert {r["head_id"] for r in data["rewarned"]} == again
    # Releases nobody marked: neither the township (附件3) nor the county's marking list.
    unmarked = {
        h.head_id
        for h in year.households.values()
        for _month, way, marked in h.release_log
        if not marked and way != "县级研判否定"
    }
    assert {r["head_id"] for r in data["unmarked"]} == unmarked
    assert data["verify_late"] == []  # the synthetic townships verify in time


def test_a_late_verification_is_overdue(year, year_ledger, tmp_path):
    copy = tmp_path / "l.sqlite"
    shutil.copy(year_ledger, copy)
    conn = sqlite3.connect(copy)
    head = conn.execute("SELECT head_id FROM warnings WHERE received_date IS NOT NULL LIMIT 1").fetchone()[0]
    # Received on a Monday, verified 9 working days later: past the 7 of 二（三）.
    conn.execute(
        "UPDATE warnings SET received_date = '2020-06-01', verify_date = '2020-06-12' WHERE head_id = ?",
        (head,),
    )
    conn.commit()
    data = queries.overdue(conn, month="2020-09", show_personal_data=True)
    late = [r for r in data["verify_late"] if r["head_id"] == head]
    assert late and late[0]["days"] == 9 and late[0]["deadline"] == "2020-06-10"


def test_a_change_of_head_keeps_one_history(year, year_ledger):
    (old, new) = year.head_changes[0]
    with open_ledger(year_ledger, write=False) as ledger:
        by_old = queries.timeline(ledger.conn, old, show_personal_data=True)
        by_new = queries.timeline(ledger.conn, new, show_personal_data=True)
        number = year.households[old].household_number
        by_number = queries.timeline(ledger.conn, number, show_personal_data=True)
    assert by_old["events"] == by_new["events"] == by_number["events"]
    assert set(by_old["heads"]) == {old, new}
    assert {e["head_id"] for e in by_old["events"]} == {old, new}
    months = [e["month"] for e in by_old["events"]]
    assert months == sorted(months)
    assert all(" 第" in e["source"] for e in by_old["events"])  # each fact names its file and row


def test_an_unknown_household(year_ledger):
    with open_ledger(year_ledger, write=False) as ledger:
        data = queries.timeline(ledger.conn, "110101199003074514")
    assert data["found"] is False and "*" in data["key"]


# --- the same answers as `fpjc validate --history` ------------------------------------------


def flat_history(year, until: str, to: Path) -> Path:
    """The months before `until` as one folder of packages, the way --history takes them."""
    to.mkdir()
    for month in sorted(year.packages):
        if month >= until:
            break
        for p in [*year.packages[month], year.records[month]]:
            (to / f"{month}-{p.name}").symlink_to(p, target_is_directory=p.is_dir())
    return to


def test_history_from_the_ledger_is_the_folders(year, year_ledger, tmp_path):
    """The H rules see the same households whether they read the folder or the ledger."""
    folder = load_history(flat_history(year, "2021-01", tmp_path / "h"), today=TODAY)
    with open_ledger(year_ledger, write=False) as ledger:
        mine = queries.history(ledger.conn)
    assert folder.households and folder.released and folder.rejected
    for name in (
        "households",
        "warnings",
        "released",
        "confirmed",
        "rejected",
        "warned_on",
        "ended_on",
        "assessed",
    ):
        assert getattr(mine, name) == getattr(folder, name), name


def test_validate_with_the_ledger_history_finds_what_the_folder_finds(year, year_ledger, tmp_path):
    """Every township package of a month: the same findings with --history as with the ledger."""
    from validator.api import validate
    from validator.engine import validate_package
    from validator.reading import open_package

    month = "2020-07"
    folder = flat_history(year, month, tmp_path / "h")
    with open_ledger(year_ledger, write=False) as ledger:
        from_ledger = queries.history(ledger.conn, before=month)
    # One package more: a township warns a household still under monitoring from an earlier month.
    with open_ledger(year_ledger, write=False) as ledger:
        still = queries.stock(ledger.conn, month="2020-06", show_personal_data=True)["rows"][0]["head_id"]
    source = next(
        p
        for p in year.packages[month]
        if p.is_dir() and (p / "annex2.csv").read_text(encoding="utf-8").count("\n") > 1
    )
    again = tmp_path / "again" / source.name
    shutil.copytree(source, again)
    lines = (again / "annex2.csv").read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    cells[5] = still
    lines[1] = ",".join(cells)
    (again / "annex2.csv").write_text("\n".join(lines), encoding="utf-8")
    history_rules = set()
    for package in [*year.packages[month], again]:
        a = validate([package], today=TODAY, history=folder, stage="submit")
        b = validate_package(open_package([package]), today=TODAY, history=from_ledger, stage="submit")
        assert [(f["rule"], f.get("row")) for f in a["findings"]] == [
            (f["rule"], f.get("row")) for f in b["findings"]
        ]
        history_rules |= {f["rule"] for f in a["findings"] if f["rule"].startswith("H")}
    assert "H006" in history_rules  # the history rules had something to say, and said it both ways


# --- idempotence, replacement, closing, rejection --------------------------------------------


def test_adding_the_same_months_again_changes_nothing(year, year_ledger, tmp_path):
    copy = tmp_path / "l.sqlite"
    shutil.copy(year_ledger, copy)
    before = fingerprint(copy)
    with open_ledger(copy) as ledger:
        run = ingest(ledger, sources(*month_dirs(year)[:2]), today=TODAY)
    assert run.data["counts"]["unchanged"] == 20 and run.data["counts"]["added"] == 0
    assert fingerprint(copy) == before


def corrected(package: Path, to: Path, words: str = "复核更正") -> Path:
    """A township's corrected resubmission: same package, one household's note reworded."""
    shutil.copytree(package, to)
    annex = (
        to / "annex2.csv"
        if (to / "annex2.csv").read_text(encoding="utf-8").count("\n") > 1
        else to / "annex1.csv"
    )
    text = annex.read_text(encoding="utf-8")
    lines = text.split("\n")
    cells = lines[1].split(",")
    cells[0] = cells[0]  # keep the row; reword the 风险情况说明 (a free-text column)
    lines[1] = lines[1].replace("。", f"（{words}）。", 1)
    assert lines[1] != text.split("\n")[1]
    annex.write_text("\n".join(lines), encoding="utf-8")
    return to


def test_a_corrected_package_replaces_the_earlier_and_keeps_where_facts_came_from(spring, tmp_path):
    path = tmp_path / "l.sqlite"
    month = spring.root / "2020-02"
    townships = [p for p in spring.packages["2020-02"]]
    folder = next(p for p in townships if p.is_dir())
    with open_ledger(path, create=True) as ledger:
        ingest(ledger, sources(spring.root / "2020-01"), today=TODAY)
        run = ingest(ledger, [Source.from_path(p) for p in townships], today=TODAY)
        assert run.data["counts"]["added"] == 9
    again = corrected(folder, tmp_path / "resubmitted" / folder.name)
    with open_ledger(path) as ledger:
        run = ingest(ledger, [Source.from_path(again)], today=TODAY)
        (entry,) = run.data["entries"]
        assert entry["outcome"] == "replaced" and entry["replaced"] == folder.name
        rows = ledger.conn.execute(
            "SELECT f.path, w.risk_note FROM warnings w JOIN files f ON f.id = w.file_id "
            "WHERE f.township = ? AND w.month = '2020-02'",
            (entry["township"],),
        ).fetchall()
        assert rows and all(p == str(again) for p, _ in rows)
        assert any("复核更正" in note for _, note in rows)
        old = ledger.conn.execute("SELECT replaced_by FROM files WHERE path = ?", (str(folder),)).fetchone()
        assert old[0] is not None
        # the county record closes the month ...
        run = ingest(ledger, [Source.from_path(spring.records["2020-02"])], today=TODAY)
        assert run.ok
        # ... after which no township package of that month enters
        late = corrected(folder, tmp_path / "too-late" / folder.name, "再次更正")
        run = ingest(ledger, [Source.from_path(late)], today=TODAY)
        (entry,) = run.data["entries"]
        assert entry["outcome"] == "rejected" and entry["reason"] == "closed"
        assert "已结账" in entry["detail"]
        assert ledger.summary()["rejected"] == 1
    assert month.is_dir()


def test_packages_with_errors_stay_out_and_are_listed(spring, tmp_path):
    broken = tmp_path / "2020-01" / "松桂镇"
    source = next(p for p in spring.packages["2020-01"] if p.name == "松桂镇")
    shutil.copytree(source, broken)
    manifest = broken / "manifest.csv"
    head, row = manifest.read_text(encoding="utf-8").strip().split("\n")
    manifest.write_text(
        head + "\n" + row.replace("松桂镇,2020-01", "松桂镇,2020-13") + "\n", encoding="utf-8"
    )
    path = tmp_path / "l.sqlite"
    with open_ledger(path, create=True) as ledger:
        run = ingest(ledger, [Source.from_path(broken)], today=TODAY)
        (entry,) = run.data["entries"]
        assert entry["outcome"] == "rejected" and entry["reason"] == "errors"
        assert entry["errors"] >= 1 and entry["error_rules"]
        assert run.entries[0].report["findings"]  # the report, for the township
        listed = ledger.conn.execute("SELECT name, reason, rules FROM rejected").fetchall()
        assert listed == [("松桂镇", "errors", "、".join(entry["error_rules"]))]
        assert ledger.summary()["files"] == 0
    assert not run.ok


def test_one_household_from_two_townships_is_refused(spring, tmp_path):
    path = tmp_path / "l.sqlite"
    first = next(p for p in spring.packages["2020-02"] if p.name == "松桂镇")
    other = next(p for p in spring.packages["2020-02"] if p.name == "金墩乡")
    clash = tmp_path / "x" / "金墩乡"
    shutil.copytree(other, clash)
    # 金墩乡 reports a household 松桂镇 already reported this month
    donor = (first / "annex2.csv").read_text(encoding="utf-8").split("\n")
    if len(donor) < 3 or not donor[1]:
        donor = (first / "annex1.csv").read_text(encoding="utf-8").split("\n")
        target = clash / "annex1.csv"
    else:
        target = clash / "annex2.csv"
    head_id = donor[1].split(",")[5]
    lines = target.read_text(encoding="utf-8").rstrip("\n").split("\n")
    cells = lines[1].split(",") if len(lines) > 1 else None
    assert cells, "the synthetic 金墩乡 has a household in February"
    cells[5] = head_id
    lines[1] = ",".join(cells)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_ledger(path, create=True) as ledger:
        ingest(ledger, sources(spring.root / "2020-01"), today=TODAY)
        ingest(ledger, [Source.from_path(first)], today=TODAY)
        run = ingest(ledger, [Source.from_path(clash)], today=TODAY)
    (entry,) = run.data["entries"]
    assert entry["outcome"] == "rejected", entry
    assert entry["reason"] in ("conflict", "errors")
    if entry["reason"] == "conflict":
        assert "已由松桂镇报送" in entry["detail"] and head_id not in entry["detail"]


# --- the file itself ------------------------------------------------------------------------


@pytest.fixture
def small(spring, tmp_path) -> Path:
    path = tmp_path / "l.sqlite"
    with open_ledger(path, create=True) as ledger:
        ingest(ledger, sources(spring.root / "2020-01"), today=TODAY)
    return path


def test_a_damaged_file_is_refused_then_rebuilt(spring, small, tmp_path):
    data = bytearray(small.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 512] = b"\xff" * 512  # a page of the tables overwritten
    small.write_bytes(bytes(data))
    with pytest.raises(LedgerError) as caught:
        open_ledger(small, write=False)
    assert caught.value.kind == "damaged" and "fpjc ledger rebuild" in str(caught.value)
    rebuilt = tmp_path / "new.sqlite"
    with open_ledger(rebuilt, create=True) as ledger:
        assert ingest(ledger, sources(spring.root / "2020-01"), today=TODAY).ok
        assert ledger.summary()["files"] == 10


@pytest.mark.parametrize(
    "damage, kind",
    [
        (lambda c: c.execute("UPDATE meta SET value = 'writing' WHERE key = 'state'"), "damaged"),
        (lambda c: c.execute("UPDATE files SET facts = facts + 1 WHERE id = 1"), "damaged"),
        (
            lambda c: c.execute(
                f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'"
            ),
            "newer",
        ),
        (lambda c: c.execute("UPDATE meta SET value = 'something-else' WHERE key = 'format'"), "foreign"),
        (lambda c: c.execute("DROP TABLE markings"), "damaged"),
    ],
    ids=["half-written", "facts-do-not-add-up", "newer-format", "foreign", "table-missing"],
)
def test_an_untrustworthy_file_is_refused(small, damage, kind):
    conn = sqlite3.connect(small)
    damage(conn)
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError) as caught:
        open_ledger(small, write=False)
    assert caught.value.kind == kind
    assert "台账" in str(caught.value) and "Error" not in str(caught.value)


def test_not_a_database(tmp_path):
    (tmp_path / "x.sqlite").write_text("鹤庆县,2020-07\n", encoding="utf-8")
    (tmp_path / "empty.sqlite").write_bytes(b"")
    with pytest.raises(LedgerError) as caught:
        open_ledger(tmp_path / "x.sqlite", write=False)
    assert caught.value.kind == "foreign"
    with pytest.raises(LedgerError) as caught:
        open_ledger(tmp_path / "empty.sqlite", write=False)
    assert caught.value.kind == "damaged"
    with pytest.raises(LedgerError) as caught:
        open_ledger(tmp_path / "none.sqlite", write=False)
    assert caught.value.kind == "missing"


def test_an_older_format_is_migrated(small):
    with open_ledger(small) as ledger:
        ledger.conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    step = {0: ("CREATE TABLE notes (id INTEGER PRIMARY KEY)",)}
    with open_ledger(small, migrations=step, target=1) as ledger:
        assert ledger.meta("schema_version") == "1"
        assert ledger.conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)


def test_read_only_file(small):
    small.chmod(0o444)
    try:
        with pytest.raises(LedgerError) as caught:
            open_ledger(small)
        assert caught.value.kind == "readonly" and "只读" in str(caught.value)
        with open_ledger(small, write=False) as ledger:  # queries still work
            assert queries.status(ledger.conn)["months"] == ["2020-01"]
    finally:
        small.chmod(0o644)


def test_locked_file(spring, small):
    holder = sqlite3.connect(small, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_ledger(small, wait=0.2) as ledger, pytest.raises(LedgerError) as caught:
            ingest(ledger, sources(spring.root / "2020-02"), today=TODAY)
        assert caught.value.kind == "locked" and "另一个程序" in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_full_disk_leaves_the_ledger_as_it_was(spring, small):
    before = fingerprint(small)
    with open_ledger(small) as ledger:
        pages = ledger.conn.execute("PRAGMA page_count").fetchone()[0]
        ledger.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "disk is full"
        with pytest.raises(LedgerError) as caught:
            ingest(ledger, sources(spring.root / "2020-02"), today=TODAY)
    assert caught.value.kind == "full" and "磁盘已满" in str(caught.value)
    assert fingerprint(small) == before
    with open_ledger(small, write=False):
        pass  # still sound


def test_an_interrupted_run_leaves_the_ledger_as_it_was(spring, small, monkeypatch):
    before = fingerprint(small)
    calls = []
    real = facts.write_package

    def dies_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(facts, "write_package", dies_on_the_third)
    with open_ledger(small) as ledger, pytest.raises(KeyboardInterrupt):
        ingest(ledger, sources(spring.root / "2020-02"), today=TODAY)
    assert len(calls) == 3
    assert fingerprint(small) == before
    with open_ledger(small, write=False) as ledger:
        assert ledger.summary()["months"] == ["2020-01"]


def test_a_killed_process_is_rolled_back_on_the_next_open(spring, small, tmp_path):
    """A process killed in the middle of a write leaves SQLite's journal; the next open rolls
    the half-written transaction back, and the ledger opens as it was."""
    import subprocess
    import sys

    before = fingerprint(small)
    script = (
        "import os, sys\n"
        "from validator.ledger.store import open_ledger\n"
        "ledger = open_ledger(sys.argv[1])\n"
        'ledger.conn.execute("PRAGMA cache_size = 1")  # changed pages go to the file at once\n'
        "with ledger.writing():\n"
        '    ledger.conn.execute("DELETE FROM warnings")\n'
        '    ledger.conn.execute("UPDATE files SET facts = 0")\n'
        "    os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(small)], check=False)
    assert done.returncode == 9
    journal = Path(f"{small}-journal")
    assert journal.exists() and journal.stat().st_size > 0  # half a write on disk, and its journal
    assert fingerprint_raw_differs(small, before)
    with open_ledger(small, write=False) as ledger:
        assert ledger.summary()["files"] == 10
    assert fingerprint(small) == before


def fingerprint_raw_differs(path: Path, before: str) -> bool:
    """Whether the file's pages, read without its journal, differ from `before` (a copy is read,
    so the hot journal is neither applied nor removed)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite"
        shutil.copy(path, copy)
        try:
            return fingerprint(copy) != before
        except sqlite3.DatabaseError:
            return True


def test_today_is_recorded_not_the_clock(spring, tmp_path):
    path = tmp_path / "l.sqlite"
    with open_ledger(path, create=True) as ledger:
        ingest(ledger, sources(spring.root / "2020-01"), today=dt.date(2020, 2, 20))
        assert {r[0] for r in ledger.conn.execute("SELECT added FROM files")} == {"2020-02-20"}
