"""The validation engine: one package in, one report dict out.

For each table the field checker is compiled once, then the rows stream through it and
through the row rules; only what cross-table rules need is kept (see `checks.context`).
Table, package, stage and history rules run when every table has been read. The report is
plain data in a fixed, deterministic order (no timestamps), as `validator.report_schema`
describes.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections import Counter
from collections.abc import Callable
from itertools import chain

import validator
from validator import standard
from validator.checks import calendar as calendar_checks
from validator.checks import county as county_checks
from validator.checks import history as history_checks
from validator.checks import package as package_checks
from validator.checks import rows as row_checks
from validator.checks import stages as stage_checks
from validator.checks.context import STAGES, Context, Place
from validator.fields.check import compile_table
from validator.findings import Finding, FindingList, Findings
from validator.reading.sources import _without_numbered_only_rows as without_numbered_only_rows
from validator.settings import Settings, builtin
from validator.tables import Package, Reported, Table
from validator.values.mask import readable, scrub, scrub_names_in_paths
from validator.values.workdays import Workdays

# The check modules: each has `row_checks(form, ctx)` and `finish(ctx)`. Row checks run in
# this order for every row; `finish` runs in this order once every table has been read.
CHECK_MODULES = (package_checks, row_checks, stage_checks, history_checks, calendar_checks)
# A county record (研判会议 + 县级研判表) is checked by the county rules instead.
COUNTY_CHECK_MODULES = (county_checks, calendar_checks)

# Called with every parsed data row of every table (the manifest's too), after the row's own
# checks: (where the table is, row number, parsed values). It must not change the values.
Observer = Callable[[Place, int, dict], None]


def validate_package(
    package: Package,
    *,
    today: dt.date | None = None,
    history=None,
    roster=None,
    show_personal_data: bool = False,
    options: dict | None = None,
    stage: str = "draft",
    settings: Settings | None = None,
    reported: Reported | None = None,
    observe: Observer | None = None,
    parallel: bool = True,
) -> dict:
    """Check a package read by `validator.reading`; `history`/`roster` as from `reading.history`.

    `stage`: "draft" (a township checking before it stamps: the stamp and the deadline are
    reminders) or "submit" (what is submitted: both are errors). `settings`: the run's settings
    (`validator.settings`), the built-in ones by default. `reported`: the month's township
    households (from `validator.county`), against which a county record is traced.
    `observe(place, row, values)` sees every parsed row, so a caller that also needs the values
    (the county's intake counts them) reads the package only once. `parallel`: a big CSV table
    may be checked in two processes (see `_second_part`); not when rows are observed, as every
    row must be seen here. The report is the same either way.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    today = today or dt.date.today()
    settings = settings or builtin()
    # Every finding is counted; only the first few hundred of each rule in each table are kept.
    findings = Findings()
    ctx = Context(
        today=today,
        emit=findings.add if show_personal_data else _scrubbing(findings.add),
        workdays=Workdays(settings.holiday_rows()),
        settings=settings,
        stage=stage,
        show_personal_data=show_personal_data,
        counter=findings.counter,
    )
    ctx.history = history
    if roster is not None:
        ctx.roster = roster.keys
        history_checks.roster_notes(ctx, roster)
    ctx.resources = {t.resource for t in package.tables}
    ctx.track_cases = any(r in ctx.resources for r in stage_checks.STAGE_TABLES)
    ctx.county = county_checks.is_county(ctx.resources)
    ctx.inputs = package.inputs
    ctx.reported = reported
    modules = COUNTY_CHECK_MODULES if ctx.county else CHECK_MODULES

    read = package.findings  # the reader's own findings, added to while its rows stream
    _collect(findings, read, show_personal_data)
    if isinstance(read, FindingList):  # also while it reads rows it does not hand over
        read.drain = lambda batch: _collect(findings, batch, show_personal_data)
    # The manifest first: row rules compare against its township and dates.
    order = {f["id"]: f["order"] for f in standard.forms()}
    for table in sorted(package.tables, key=lambda t: order.get(t.resource, 99)):
        try:
            form = standard.form(table.resource)
        except KeyError:  # the reader only hands over known forms; be safe anyway
            continue
        place = _place(form, table, show_personal_data)
        ctx.places[table.resource] = place
        check_row = compile_table(
            form,
            table,
            emit=findings.add,
            counter=findings.counter,
            show_personal_data=show_personal_data,
            today=today,
            settings=settings,
        )
        if form["id"] == "manifest":
            _read_manifest(
                ctx, table, check_row, place, observe, lambda: _collect(findings, read, show_personal_data)
            )
            continue
        checks = tuple(check for module in modules for check in module.row_checks(form, ctx))
        if observe is not None:
            checks += (observe,)
        tracker = package_checks.TableTracker(ctx, form, place)

        def collect() -> None:
            _collect(findings, read, show_personal_data)

        split = parallel and observe is None
        part = _second_part(table, form, ctx, tracker.fields, today) if split else None
        if part is None:
            count, _ = _stream(table.rows, check_row, tracker.add, place, checks, read, collect)
        else:
            count, held = _stream(table.rows, check_row, tracker.add, place, checks, read, collect, part.line)
            done = (
                part.result() if held is not None and held[0] == part.line and held[1] == part.cells else None
            )
            if done is None:  # the file is not what the cut assumed, or the other process failed
                part.cancel()
                if held is not None:
                    more, _ = _stream(
                        chain([held], table.rows), check_row, tracker.add, place, checks, read, collect
                    )
                    count += more
            else:
                _close(table.rows)
                count += _merge(done, findings, ctx, tracker)
        ctx.rows[table.resource] = count
        _collect(findings, read, show_personal_data)

    for module in modules:
        module.finish(ctx)
    _collect(findings, read, show_personal_data)
    report = _report(package, findings, ctx, options or {})
    return _names_shown(report, show_personal_data)


def _scrubbing(emit):
    """The row, table and package rules' `emit`, masking any ID or phone number a message quotes
    (a 序号 or a count parsed from a shifted cell); field checks mask their own messages."""
    memo: dict[str, str] = {}

    def scrubbed(f: Finding) -> None:
        text = memo.get(f.message)
        if text is None:
            text = scrub(f.message)
            if len(memo) < 10_000:
                memo[f.message] = text
        f.message = text
        emit(f)

    return scrubbed


def _readable(f: Finding) -> Finding:
    f.message = readable(f.message)  # a file name that is not UTF-8
    return f


def _stream(rows, check_row, add, place: Place, checks, read: list, collect, stop: int | None = None):
    """Check rows until the end, or until a row at line `stop` or later (returned unchecked).

    Each row: field checks, the table's bookkeeping (`add`: uniqueness, household index), the
    row rules. Returns (rows checked, the row held back or None).
    """
    stop = _NEVER if stop is None else stop
    count = 0
    for row, cells in rows:
        if row >= stop:
            return count, (row, cells)
        values = check_row(row, cells)
        count += 1
        add(row, values)
        place.cells = cells
        for check in checks:
            check(place, row, values)
        if read:  # the reader reports as rows stream (blank rows, extra cells): count as they come
            collect()
    return count, None


_NEVER = 1 << 62  # a line number no file reaches

# --- a big CSV table in two processes -----------------------------------------------------
#
# Most of the time goes into reading, field checks and row rules, which need nothing from the
# rows before; only the table's bookkeeping (uniqueness, 序号 order, the household index) must
# see every row in order. So a forked process checks the second part of a big CSV file with the
# same code, and sends back its findings (counted and capped as here) plus, per row, just the
# values the bookkeeping reads; this process checks the first part, then feeds those values to
# its own bookkeeping. Its share is smaller to leave time for that.

PARALLEL_MIN_BYTES = 24 * 1024 * 1024  # smaller files are over before a second process pays off
MAIN_SHARE = 0.46
_BATCH = 50_000  # rows of bookkeeping values per pickled batch


class _Part:
    """The second part of a table, being checked by a forked process."""

    def __init__(self, process, receive, line: int, cells: list[str]):
        self.process = process
        self.receive = receive
        self.line = line
        self.cells = cells

    def result(self) -> dict | None:
        try:
            done = self.receive.recv()
        except (EOFError, OSError):
            done = None
        self.receive.close()
        self.process.join()
        return done if isinstance(done, dict) and done.get("ok") else None

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receive.close()


def _can_fork() -> bool:
    """Processes are forked on Linux only: elsewhere (Windows, macOS, the browser) one process."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


def _second_part(table: Table, form: dict, ctx: Context, fields: tuple[str, ...], today) -> _Part | None:
    parts = table.parts
    if parts is None or parts.size < PARALLEL_MIN_BYTES or ctx.track_cases or ctx.county or not _can_fork():
        # Stage records are followed household by household across tables, and a county record's
        # rules keep what they need in this process's context: both in order, here.
        return None
    cut = parts.cut(MAIN_SHARE)
    if cut is None:
        return None
    offset, line, cells = cut
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    receive, send = mp.Pipe(duplex=False)
    process = mp.Process(
        target=_check_part, args=(send, table, form, ctx, fields, offset, line, today), daemon=True
    )
    process.start()
    send.close()
    return _Part(process, receive, line, cells)


def _check_part(send, table: Table, form: dict, ctx: Context, fields, offset: int, line: int, today) -> None:
    """In the forked process: check the rows from `offset` on, send what the parent needs."""
    import contextlib
    import copy
    import dataclasses
    import pickle
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        findings = Findings()
        mine = copy.copy(ctx)
        mine.emit = findings.add if ctx.show_personal_data else _scrubbing(findings.add)
        mine.counter = findings.counter
        mine.counted = {}
        mine.lines_missing = set()
        read = FindingList()
        read.drain = lambda batch: _collect(findings, batch, ctx.show_personal_data)
        rows = table.parts.rows(offset, line, read.append)
        seq_at = next((i for i, c in enumerate(table.columns) if c.field == "seq"), None)
        if seq_at is not None:  # as the reader does for every table with a 序号 column
            where = {"resource": table.resource, "source": table.source, "sheet": table.sheet}
            rows = without_numbered_only_rows(rows, seq_at, len(table.columns), where, read.append)
        part = dataclasses.replace(table, rows=rows, parts=None)
        place = _place(form, part, ctx.show_personal_data)
        mine.places = {**ctx.places, table.resource: place}
        check_row = compile_table(
            form,
            part,
            emit=findings.add,
            counter=findings.counter,
            show_personal_data=ctx.show_personal_data,
            today=today,
            settings=ctx.settings,
        )
        checks = tuple(check for module in CHECK_MODULES for check in module.row_checks(form, mine))
        batches: list[bytes] = []
        batch: list[tuple] = []
        keep = batch.append

        def add(row: int, values: dict) -> None:
            keep((row, *map(values.get, fields)))
            if len(batch) >= _BATCH:
                batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
                batch.clear()

        def collect() -> None:
            _collect(findings, read, ctx.show_personal_data)

        count, _ = _stream(rows, check_row, add, place, checks, read, collect)
        collect()
        batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        send.send(
            {
                "ok": True,
                "rows": count,
                "fields": fields,
                "batches": batches,
                "findings": findings,
                "lines_missing": mine.lines_missing,
                "fallback_years": mine.workdays.fallback_years,
            }
        )
    except BaseException as exc:  # noqa: BLE001 - the parent checks the part itself instead
        with contextlib.suppress(BaseException):
            send.send({"ok": False, "error": type(exc).__name__})
    finally:
        send.close()


def _merge(done: dict, findings: Findings, ctx: Context, tracker) -> int:
    """Take in the second part: its findings, notes, and its rows through this table's bookkeeping."""
    import pickle

    findings.merge(done["findings"])
    ctx.lines_missing |= done["lines_missing"]
    ctx.workdays.fallback_years |= done["fallback_years"]
    replay = _replayer(done["fields"])
    for blob in done["batches"]:
        replay(pickle.loads(blob), tracker.add)
    return done["rows"]


def _replayer(fields: tuple[str, ...]):
    """`replay(items, add)`: each (row, value, …) as `add(row, {field: value, …})`, in a loop
    written out for these fields (half a million rows go through it)."""
    names = [f"v{i}" for i in range(len(fields))]
    target = ", ".join(["row", *names]) + ("," if not names else "")
    values = "{" + ", ".join(f"{field!r}: {name}" for field, name in zip(fields, names, strict=True)) + "}"
    namespace: dict = {}
    exec(f"def replay(items, add):\n    for {target} in items:\n        add(row, {values})", namespace)
    return namespace["replay"]


def _close(rows) -> None:
    close = getattr(rows, "close", None)
    if close:
        close()


def _collect(findings: Findings, read: list[Finding], show_personal_data: bool) -> None:
    """Move the reader's findings so far into `findings` (the reader keeps appending to `read`).

    They quote headers and file names as written, which may hold a number the clerk noted there.
    """
    findings.extend(map(_readable if show_personal_data else _scrubbed, read))
    read.clear()


def _scrubbed(f: Finding) -> Finding:
    f.message = scrub_names_in_paths(f.message)
    if f.column:
        f.column = scrub(f.column)
    if f.value:
        f.value = scrub(f.value)
    return f


def _names_shown(report: dict, show_personal_data: bool) -> dict:
    """File, folder and sheet names as the report shows them, whatever the file system holds.

    A name that is not valid UTF-8 (GBK bytes left by unzip) is shown with U+FFFD so every
    report can be written; unless personal data is shown, an ID or phone number in a name (and
    a name written beside it, "张秘密_110101199003075555.csv") is masked like in a cell.
    """
    show = readable if show_personal_data else scrub_names_in_paths
    memo: dict[str, str] = {}

    def shown(text):
        if not isinstance(text, str):
            return text
        if text not in memo:
            memo[text] = show(text)
        return memo[text]

    report["name"] = shown(report["name"])
    for key in ("history", "roster", "settings"):
        report["options"][key] = shown(report["options"].get(key))
    if report.get("settings"):
        report["settings"]["file"] = shown(report["settings"].get("file"))
    for item in report["inputs"]:
        for key in ("path", "error"):
            if item.get(key):
                item[key] = shown(item[key])
        if item.get("sheets"):
            item["sheets"] = [shown(s) for s in item["sheets"]]
    for f in report["findings"]:
        for key in ("source", "sheet"):
            if f[key]:
                f[key] = shown(f[key])
    return report


def _place(form: dict, table: Table, show_personal_data: bool) -> Place:
    titles = {f["name"]: f["title"] for f in form["fields"]}
    # A Data Package CSV has field names as headers; the clerk still reads the Chinese title.
    columns = {
        c.field: (titles[c.field] if c.header == c.field else c.header, c.letter)
        for c in table.columns
        if c.field
    }
    personal = {f["name"]: f["personal"] for f in form["fields"] if f.get("personal")}
    index: dict[str, int] = {}
    for position, c in enumerate(table.columns):
        if c.field:
            index.setdefault(c.field, position)  # a repeated column is checked at its first place
    return Place(
        resource=table.resource,
        title=form["title"],
        source=table.source,
        sheet=table.sheet,
        columns=columns,
        show_personal_data=show_personal_data,
        personal=personal,
        months=frozenset(f["name"] for f in form["fields"] if f["type"] == "month"),
        index=index,
    )


def _read_manifest(
    ctx: Context, table: Table, check_row, place: Place, observe: Observer | None, collect
) -> None:
    count = 0
    for row, cells in table.rows:
        values = check_row(row, cells)
        if observe is not None:
            observe(place, row, values)
        count += 1
        if count == 1:
            ctx.manifest, ctx.manifest_row = values, row
        elif count == 2:
            ctx.manifest_second_row = row
        if (
            not count % 4096
        ):  # a manifest has one row; a file of thousands may come with a reader finding each
            collect()
    ctx.rows["manifest"] = count
    collect()


_REPORTED_OPTIONS = ("today", "stage", "history", "roster", "settings", "show_personal_data")


def _report(package: Package, findings: Findings, ctx: Context, options: dict) -> dict:
    counts: Counter = Counter()
    by_resource: dict[str, dict[str, int]] = {}
    by_rule: Counter = Counter()
    for (rule, severity, resource), n in findings.counts().items():
        counts[severity] += n
        entry = by_resource.setdefault(resource or "package", {"error": 0, "warning": 0, "info": 0})
        entry[severity] += n
        by_rule[rule] += n
    report = {
        "valid": counts["error"] == 0,
        "fpjc_version": validator.__version__,
        "standard_version": standard.version(),
        "name": package.name,
        "options": {
            "today": ctx.today.isoformat(),
            "stage": ctx.stage,
            "history": options.get("history"),
            "roster": options.get("roster"),
            "settings": ctx.settings.file,
            "show_personal_data": ctx.show_personal_data,
            # Anything else the caller checked against (a county record: the month's packages).
            **{k: v for k, v in options.items() if k not in _REPORTED_OPTIONS},
        },
        # The report schema wants `sheets` as a list; CSV inputs have none.
        "inputs": [{k: v for k, v in i.items() if not (k == "sheets" and v is None)} for i in package.inputs],
        "summary": {
            "error": counts["error"],
            "warning": counts["warning"],
            "info": counts["info"],
            "by_resource": dict(sorted(by_resource.items())),
            "by_rule": dict(sorted(by_rule.items())),
            "rows": dict(ctx.rows),
        },
        "checks_not_run": ctx.checks_not_run,
        "settings": ctx.settings.describe(),
        "calendar": ctx.workdays.source_info(),
    }
    omitted = findings.omitted()
    if omitted:
        report["truncated"] = {
            "listed_per_rule": findings.keep,
            "omitted": sum(o["total"] - o["listed"] for o in omitted),
            "rules": omitted,
        }
    report["findings"] = [f.to_dict() for f in findings.kept()]
    return report
