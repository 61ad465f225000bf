"""Packages and county records into the ledger, idempotently, month by month, in one transaction.

A run takes any number of package entries (what `county.intake.find_packages` finds in the
month folders, or the groups of files a browser hands over) and:

1. **looks** at each one (`look`): its content hash (SHA-256 of the file, or of a CSV folder's
   files by name) and, from its cover row only, whether it is a township package (报送信息) or a
   county record (研判会议) and which month it reports. A file already in the ledger (same hash)
   is "unchanged": adding the same month twice changes nothing.
2. **validates**, month by month from the oldest, what is new: a township package with the
   submission rules (`stage="submit"`) and, as history, the ledger's earlier months (so the H
   rules see what `fpjc validate --history` would see); then the month's county records against
   the month's township households in the ledger (rules K). The validation itself is a pure
   function of one entry (`check_task`), so a caller may run it in other processes (`mapper`).
3. **files** what passed — the only error a package may carry is lateness (T009), which the ledger
   records as the township's lateness — and lists what did not with the reason and its report:
   errors, unreadable, month unknown, township unknown, a month already closed, two new packages
   for one township and month, a household another township already reported that month, a
   county record of another county.

A township's month is *replaced* by a later package with other content (a corrected
resubmission): the old file stays listed as replaced, its facts go. A month is **closed** once
the county's 研判 record of that month is in the ledger: the decisions refer to the townships'
rows, so no township package of that month enters afterwards (a correction goes into the next
month's package); the county record itself may still be replaced by a corrected one.

Everything is written by the caller's process in one transaction (`Ledger.writing`): an error,
a full disk or an interrupted run leaves the ledger as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from validator import standard
from validator.county.intake import ADMISSIBLE_ERRORS, check_package, kind_of
from validator.county.record import read_record
from validator.fields.check import compile_table
from validator.ledger import facts, queries
from validator.ledger.store import Ledger
from validator.reading import open_files, open_package
from validator.settings import Settings, builtin
from validator.tables import COUNTY_MEETING, InputError
from validator.values.mask import mask

REASONS = queries.REASONS
OUTCOMES = {
    "added": "已入账",
    "replaced": "已入账，替换原报送包",
    "unchanged": "已在台账中，未改动",
    "rejected": "未入账",
}


@dataclass(frozen=True)
class Source:
    """One package entry: a path (folder, .zip, .xlsx) or a browser's group of (name, bytes)."""

    name: str  # as the county filed it (the entry's own name)
    path: str  # where it was read from, as shown to the clerk
    data: Path | tuple[tuple[str, bytes], ...]
    kind: str  # folder | zip | xlsx

    @classmethod
    def from_path(cls, path: Path) -> Source:
        return cls(name=path.name, path=str(path), data=path, kind=kind_of(path))

    @classmethod
    def from_files(cls, name: str, kind: str, items: Iterable[tuple[str, bytes]], where: str = "") -> Source:
        return cls(name=name, path=f"{where}/{name}" if where else name, data=tuple(items), kind=kind)


@dataclass
class Look:
    """What `look` found without validating: the hash, the kind (township|county) and the month."""

    sha256: str | None
    kind: str | None = None
    month: str | None = None
    problem: str | None = None  # why it cannot be read at all


@dataclass
class Entry:
    """One entry's way through a run, and what the clerk is told about it."""

    source: Source
    look: Look
    outcome: str | None = None  # OUTCOMES
    reason: str | None = None  # REASONS (rejected)
    detail: str = ""
    township: str | None = None
    month: str | None = None
    report: dict | None = None
    result: object = None  # county.intake.PackageResult or county.record.CountyRecord
    replaced: str | None = None  # the file it replaced

    def public(self) -> dict:
        """What the outputs show (no rows, no personal data beyond the masked messages)."""
        summary = (self.report or {}).get("summary") or {}
        return {
            "entry": self.source.name,
            "path": self.source.path,
            "kind": self.look.kind,
            "township": self.township,
            "month": self.month,
            "outcome": self.outcome,
            "outcome_label": OUTCOMES.get(self.outcome or "", ""),
            "reason": self.reason,
            "reason_label": REASONS.get(self.reason or "", ""),
            "detail": self.detail,
            "replaced": self.replaced,
            "errors": summary.get("error", 0),
            "warnings": summary.get("warning", 0),
            "infos": summary.get("info", 0),
            "error_rules": sorted(
                {f["rule"] for f in (self.report or {}).get("findings", ()) if f["severity"] == "error"}
            ),
        }


# --- looking (no validation) -----------------------------------------------------------------


def digest(source: Source) -> str:
    """SHA-256 of a package's content: the file's bytes, or a folder's files by relative name."""
    h = hashlib.sha256()
    if isinstance(source.data, Path) and source.data.is_file():
        with open(source.data, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    if isinstance(source.data, Path):
        root = source.data
        items = [
            (p.relative_to(root).as_posix(), p)
            for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith((".", "~$")) for part in p.relative_to(root).parts)
        ]
        for name, path in sorted(items):
            data = path.read_bytes()
            h.update(f"{name}\0{len(data)}\0".encode())
            h.update(data)
        return h.hexdigest()
    items = list(source.data)
    if source.kind != "folder" and len(items) == 1:
        h.update(items[0][1])
        return h.hexdigest()
    for name, data in sorted(items):
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _open(source: Source, name: str | None = None):
    if isinstance(source.data, Path):
        return open_package([source.data], name=name or source.name)
    return open_files(list(source.data), name=name or source.name)


def look(source: Source, sha: str | None = None) -> Look:
    """The hash, kind and month of an entry, from its cover row only; never raises.

    `sha`: the hash when already computed (then only the cover is read)."""
    if sha is None:
        try:
            sha = digest(source)
        except OSError as exc:
            return Look(None, problem=f"无法读取 {source.path}：{exc.strerror or type(exc).__name__}")
    try:
        package = _open(source)
    except InputError as exc:
        return Look(sha, problem=str(exc))
    resources = {t.resource for t in package.tables}
    kind = "county" if any(r.startswith("county_") for r in resources) else "township"
    cover = "manifest" if kind == "township" else COUNTY_MEETING
    month = None
    for table in package.tables:
        if table.resource != cover:
            continue
        check = compile_table(
            standard.form(cover), table, emit=lambda f: None, show_personal_data=False, settings=builtin()
        )
        for row, cells in table.rows:
            value = check(row, cells).get("report_month")
            month = f"{value.year:04d}-{value.month:02d}" if value else None
            break
    return Look(sha, kind=kind, month=month)


def look_task(item: tuple[Source, str | None]) -> Look:
    return look(*item)


def _hashed(source: Source) -> Look:
    try:
        return Look(digest(source))
    except OSError as exc:
        return Look(None, problem=f"无法读取 {source.path}：{exc.strerror or type(exc).__name__}")


# --- validating (a pure function of one entry; may run in another process) --------------------


@dataclass(frozen=True)
class Task:
    source: Source
    kind: str  # township | county
    today: dt.date
    settings: Settings
    history: object = None  # tables.History or None (township packages)
    reported: object = None  # tables.Reported (county records)
    options: dict = field(default_factory=dict)


def check_task(task: Task):
    """Validate one entry as the ledger needs it; returns a PackageResult or a CountyRecord."""
    source = task.source
    if task.kind == "county":
        try:
            return read_record(
                [source.data] if isinstance(source.data, Path) else list(source.data),
                today=task.today,
                reported=task.reported,
                name=source.name,
                packages=task.options.get("packages"),
                settings=task.settings,
            )
        except InputError as exc:
            return exc
    return check_package(
        source.data if isinstance(source.data, Path) else list(source.data),
        name=source.name,
        kind=source.kind,
        today=task.today,
        history=task.history,
        options=task.options,
        keep_rows=True,
        keep_others=True,
        stage="submit",
        settings=task.settings,
    )


Mapper = Callable[[Callable, list], Iterable]


@dataclass
class Run:
    """What one ingest run did: `data` for the outputs (plain, masked), `entries` with reports."""

    data: dict
    entries: list[Entry]

    @property
    def ok(self) -> bool:
        return not any(e.outcome == "rejected" for e in self.entries)


# --- the run ---------------------------------------------------------------------------------


def ingest(
    ledger: Ledger,
    sources: list[Source],
    *,
    today: dt.date | None = None,
    settings: Settings | None = None,
    mapper: Mapper | None = None,
    use_history: bool = True,
    show_personal_data: bool = False,
    ignored: Iterable[str] = (),
) -> Run:
    """Add `sources` to the ledger (see the module docstring); returns the run (`Run`).

    `mapper(function, items)` runs `look_task`/`check_task` over a list (in order); the built-in
    `map` by default, a process pool's in the command line. `use_history=False` validates
    without the ledger's earlier months (a ledger started in the middle of a year: the H rules
    are then listed as not run). Raises `LedgerError` when the ledger cannot be written; nothing
    is written then.
    """
    today = today or dt.date.today()
    settings = settings or builtin()
    mapper = mapper or map
    # Hashes first: a file already in the ledger is not opened at all (adding a month twice is cheap).
    hashed = [_hashed(s) for s in sources]
    before = queries.known_files(ledger.conn, [h.sha256 for h in hashed if h.sha256])
    entries = [Entry(source=s, look=h) for s, h in zip(sources, hashed, strict=True)]
    _look(entries, mapper, skip=before)
    shown = (lambda v: v) if show_personal_data else (lambda v: mask("id_number", v))

    with ledger.writing():
        known = queries.known_files(ledger.conn, [e.look.sha256 for e in entries if e.look.sha256])
        _look([e for e in entries if e.look.sha256 in before and e.look.sha256 not in known], mapper, skip={})
        seen: dict[str, Entry] = {}
        pending: list[Entry] = []
        for e in entries:
            sha = e.look.sha256
            if e.look.problem is not None:
                _reject(ledger, e, "unreadable", e.look.problem, today)
            elif sha in known:
                name, month, township, replaced_by = known[sha]
                e.outcome, e.month, e.township = "unchanged", month, township
                e.detail = (
                    "与台账中的 " + name + (" 相同（已被后来的报送包替换）" if replaced_by else " 相同")
                )
            elif sha in seen:
                e.outcome = "unchanged"
                e.detail = f"与本次加入的 {seen[sha].source.name} 内容相同"
            else:
                seen[sha] = e
                pending.append(e)

        months = sorted({e.look.month for e in pending if e.look.month})
        # A package whose month cannot be read is validated anyway, for its report.
        rounds: list[str | None] = ([None] if any(e.look.month is None for e in pending) else []) + months
        for month in rounds:
            here = [e for e in pending if e.look.month == month]
            _township_round(
                ledger,
                [e for e in here if e.look.kind == "township"],
                month,
                today,
                settings,
                mapper,
                use_history,
                shown,
            )
            _county_round(
                ledger, [e for e in here if e.look.kind == "county"], month, today, settings, mapper
            )
        data = _summary(ledger, entries, list(ignored), today, settings, use_history)
    return Run(data=data, entries=entries)


def _look(entries: list[Entry], mapper, *, skip) -> None:
    """Read the cover of every entry not yet looked at and not in `skip` (hashes in the ledger)."""
    todo = [
        e for e in entries if e.look.problem is None and e.look.kind is None and e.look.sha256 not in skip
    ]
    for e, found in zip(todo, mapper(look_task, [(e.source, e.look.sha256) for e in todo]), strict=True):
        e.look = found


def _township_round(ledger, entries, month, today, settings, mapper, use_history, shown) -> None:
    if not entries:
        return
    history = (
        queries.history(ledger.conn, before=month)
        if use_history and month and queries.has_before(ledger.conn, month)
        else None
    )
    options = {
        "history": f"台账中{month}以前的月份" if history is not None else None,
        "roster": None,
    }
    tasks = [Task(e.source, "township", today, settings, history=history, options=options) for e in entries]
    for e, result in zip(entries, mapper(check_task, tasks), strict=True):
        e.result, e.report = result, result.report
        item = result.item
        e.township, e.month = item.get("township"), item.get("report_month") or month
    # Two new packages of one township and month: the county must say which one counts.
    groups: dict[tuple, list[Entry]] = {}
    for e in entries:
        if e.result.item["readable"]:
            groups.setdefault((e.township, e.month), []).append(e)
    for e in entries:
        item = e.result.item
        if not item["readable"]:
            _reject(ledger, e, "unreadable", item["problem"], today)
            continue
        blocking = sorted(set(item["error_rules"]) - ADMISSIBLE_ERRORS)
        if blocking:
            errors = e.report["summary"]["error"]
            _reject(
                ledger, e, "errors", f"有{errors}个错误（{'、'.join(blocking)}），须乡镇改正后重报", today
            )
            continue
        if not e.month:
            _reject(ledger, e, "no_month", "报送信息中的报告月份缺失或无法识别，无法记入哪个月", today)
            continue
        if not e.township:
            _reject(
                ledger,
                e,
                "no_township",
                "报送信息中的乡镇缺失或无效，各附件的乡镇也不一致，无法记入哪个乡镇",
                today,
            )
            continue
        closing = queries.closing_record(ledger.conn, e.month)
        if closing:
            _reject(
                ledger,
                e,
                "closed",
                f"{_month_label(e.month)}已结账（县级研判记录 {closing} 已入台账），该月的乡镇报送包不能再补报或替换；"
                "请把需要更正或补报的户并入下月报送包",
                today,
            )
            continue
        twins = [o for o in groups.get((e.township, e.month), []) if o is not e]
        if twins:
            _reject(
                ledger,
                e,
                "duplicate",
                f"{e.township}{_month_label(e.month)}本次有两个新报送包（{e.source.name}、"
                f"{'、'.join(o.source.name for o in twins)}），须先确认以哪一份为准，再只加入那一份",
                today,
            )
            continue
        heads = [h["values"]["head_id"] for h in e.result.households]
        clash = queries.reported_elsewhere(ledger.conn, e.month, e.township, heads)
        if clash:
            head_id, other, township, row = clash[0]
            more = f"等{len(clash)}户" if len(clash) > 1 else ""
            _reject(
                ledger,
                e,
                "conflict",
                f"该户（户主身份证号 {shown(head_id)}）{more}{_month_label(e.month)}已由{township}报送（{other} 第{row}行）；"
                "同一户不能由两个乡镇报送，请两个乡镇核实该户所在乡镇后更正",
                today,
            )
            continue
        replaced = queries.file_for(ledger.conn, "township", e.month, e.township)
        facts.write_package(ledger.conn, e.source, e.look.sha256, e.result, today, replaces=replaced)
        e.outcome = "replaced" if replaced else "added"
        e.replaced = replaced[1] if replaced else None
        late = item.get("days_late")
        e.detail = f"迟报{late}天" if late else ""


def _county_round(ledger, entries, month, today, settings, mapper) -> None:
    if not entries:
        return
    reported = queries.reported(ledger.conn, month) if month else None
    options = {"packages": f"台账中{month}的乡镇报送包" if month else None}
    tasks = [Task(e.source, "county", today, settings, reported=reported, options=options) for e in entries]
    results = list(mapper(check_task, tasks))
    for e, result in zip(entries, results, strict=True):
        e.month = month
        if isinstance(result, InputError):
            _reject(ledger, e, "unreadable", str(result), today)
            continue
        e.result, e.report = result, result.report
    valid = [e for e in entries if e.outcome is None and e.result.valid]
    county = ledger.meta("county")
    for e in entries:
        if e.outcome is not None:
            continue
        record = e.result
        if not record.valid:
            errors = record.report["summary"]["error"]
            rules = sorted({f["rule"] for f in record.report["findings"] if f["severity"] == "error"})
            _reject(ledger, e, "errors", f"有{errors}个错误（{'、'.join(rules)}），须改正后再加入", today)
            continue
        if not month:
            _reject(ledger, e, "no_month", "研判会议中的研判月份缺失或无法识别，无法记入哪个月", today)
            continue
        name = (record.meeting or {}).get("county")
        if county and name and name != county:
            _reject(ledger, e, "other_county", f"台账是{county}的，该研判记录是{name}的", today)
            continue
        twins = [o for o in valid if o is not e]
        if twins:
            _reject(
                ledger,
                e,
                "record_duplicate",
                f"{_month_label(month)}本次有两份新的县级研判记录（{e.source.name}、{'、'.join(o.source.name for o in twins)}），"
                "须先确认以哪一份为准，再只加入那一份",
                today,
            )
            continue
        if name and not county:
            ledger.set_meta("county", name)
            county = name
        replaced = queries.file_for(ledger.conn, "county", month, None)
        facts.write_record(ledger.conn, e.source, e.look.sha256, record, month, today, replaces=replaced)
        e.outcome = "replaced" if replaced else "added"
        e.replaced = replaced[1] if replaced else None
        e.detail = f"{_month_label(month)}结账"


def _reject(ledger: Ledger, e: Entry, reason: str, detail: str, today: dt.date) -> None:
    e.outcome, e.reason, e.detail = "rejected", reason, detail
    e.month = e.month or e.look.month
    facts.write_rejection(ledger.conn, e, today)


def _month_label(month: str | None) -> str:
    if not month:
        return "（月份不明）"
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def _summary(
    ledger: Ledger,
    entries: list[Entry],
    ignored: list[str],
    today: dt.date,
    settings: Settings,
    use_history: bool,
) -> dict:
    counts = {k: sum(1 for e in entries if e.outcome == k) for k in OUTCOMES}
    return {
        "ledger": str(ledger.path),
        "today": today.isoformat(),
        "settings": settings.file,
        "history": use_history,
        "counts": counts,
        "entries": [e.public() for e in entries],
        "ignored": ignored,
        "summary": ledger.summary(),
    }
