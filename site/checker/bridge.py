"""The Python side of the in-browser checker (runs in Pyodide; also importable under CPython).

The worker hands over the user's files as bytes and gets back JSON text, so the page sees exactly
what ``fpjc validate --format json`` would write, plus the grouping the reports use. Personal data
stays masked: the page has no option to unmask it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

_last: dict = {}
_county: dict = {}


def start(loading: dict | None = None) -> dict:
    """Import what every check needs (so the first check is not slow) and say what runs.

    ``loading``: versions of packages the worker is still installing (name → version, from the
    lock), reported as they are instead of being looked up."""
    import chinese_calendar  # noqa: F401 - imported now so the first check does not wait for it

    import validator
    import validator.api
    import validator.render
    import validator.render.grouping
    from validator import standard

    return {
        "python": sys.version.split()[0],
        "fpjc": getattr(validator, "__version__", ""),
        "standard": standard.version(),
        **_versions(("python-calamine", "openpyxl", "chinesecalendar", "jinja2"), dict(loading or {})),
    }


def _versions(names: tuple[str, ...], known: dict[str, str]) -> dict[str, str]:
    """Installed versions, read from the wheels' ``NAME-VERSION.dist-info`` folder names beside
    the validator: in the browser importlib.metadata takes a noticeable part of start-up to
    find the same. Anything not found that way (an editable install) asks importlib.metadata."""
    import validator

    found: dict[str, str] = dict(known)
    site = Path(validator.__file__).resolve().parent.parent
    for info in site.glob("*.dist-info"):
        name, _, version = info.name[: -len(".dist-info")].partition("-")
        found[name.lower().replace("_", "-")] = version
    missing = [n for n in names if n not in found]
    if missing:
        import importlib.metadata

        found.update({n: importlib.metadata.version(n) for n in missing})
    return {n: found[n] for n in names}


# What warm() imports, step by step, in the order a clerk needs it: the workbook reader first,
# then what the download buttons use (openpyxl writes the annotated copy, jinja2 the HTML report).
WARM_STEPS = (
    ("python_calamine", "validator.reading.xlsxfile"),
    ("markupsafe", "jinja2", "validator.render.html"),
    ("openpyxl",),
    ("validator.render.xlsx",),
)


def warm(step: int | None = None) -> bool:
    """Import step `step` of WARM_STEPS (all of them when None); False when there is no such step.

    Each takes a moment in the browser and a CSV check needs none of them. The worker runs one
    step per turn of its event loop, so a file the clerk picks meanwhile waits for one step at
    most, never for all of them.
    """
    import importlib

    steps = WARM_STEPS if step is None else WARM_STEPS[step : step + 1]
    for names in steps:
        for name in names:
            importlib.import_module(name)
    return bool(steps)


# Modules the build-time memory snapshot (site/checker_snapshot.mjs) holds already imported, so a
# page that starts from it imports none of them: what start() and WARM_STEPS import, and what
# Pyodide's package loader and importlib.metadata use. Compiled extension modules (python_calamine)
# cannot be in a memory snapshot: the worker loads them after the restore.
SNAPSHOT_SKIP = ("python_calamine",)
SNAPSHOT_EXTRA = ("tarfile", "importlib.metadata", "email.parser", "email.message", "random", "tempfile")


def prepare_snapshot() -> list[str]:
    """Import everything the snapshot should hold; return the imported module names (for the build log).

    Runs once, at site-build time, under Node with the pure wheels unpacked (never in a page)."""
    import gc
    import importlib

    names = [n for step in WARM_STEPS for n in step if n not in SNAPSHOT_SKIP]
    names += ["chinese_calendar", "validator.api", "validator.render", "validator.render.grouping"]
    for name in (*SNAPSHOT_EXTRA, *names):
        importlib.import_module(name)
    importlib.invalidate_caches()
    gc.collect()
    return sorted(sys.modules)


def resume() -> None:
    """After a page restored the snapshot: give this visitor its own random state.

    Every visitor receives the same memory image, so anything seeded at build time (the random
    module, tempfile's name sequence) is reseeded here from the browser's entropy."""
    import random

    random.seed()
    tempfile._name_sequence = None  # rebuilt on first use with a fresh seed


def exercise(name: str, data: bytes) -> int:
    """Check a small fictional workbook and throw the result away; the number of findings.

    After a start from the memory snapshot the browser has compiled almost none of the
    interpreter's and the workbook reader's code (a full start compiles it while Python starts);
    the worker runs this once after "ready", while the clerk picks a file, so the clerk's first
    check does not pay for that compilation."""
    result = check([(name, bytes(data))])  # check() keeps nothing: the last check's downloads stay
    return len(result.get("report", {}).get("findings", []))


def _today(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def check(
    files: list[tuple[str, bytes]],
    today: str | None = None,
    stage: str = "draft",
    settings: tuple[str, bytes] | None = None,
) -> dict:
    """The masked report, and what the page shows of it in the renderers' own words.

    ``report`` is untouched (it is the JSON download); ``groups`` are the renderers' groups of
    identical findings, each with its table, column and rule title, every example with its place.
    ``stage`` is "draft" (the page's default) or "submit"; ``settings`` a county settings file
    the clerk picked, as (file name, bytes). Files that cannot be read at all give
    ``{"unreadable": message}`` instead; a settings file that cannot be used gives
    ``{"settings_error": message}``.
    """
    from validator.api import validate_files
    from validator.findings import SEVERITY_LABELS
    from validator.render import (
        checklist,
        column_label,
        input_line,
        not_run_lines,
        place,
        resource_label,
        rule_titles,
        settings_line,
        truncation,
        truncation_lines,
        truncation_note,
        unlisted,
        verdict,
    )
    from validator.render.grouping import group
    from validator.settings import SettingsError
    from validator.tables import InputError

    try:
        report = validate_files(
            files,
            today=_today(today),
            show_personal_data=False,
            stage=stage if stage in ("draft", "submit") else "draft",
            settings=settings,
        )
    except SettingsError as exc:
        # What `fpjc validate --settings` prints before exiting with status 2.
        return {"settings_error": str(exc)}
    except InputError as exc:
        # What `fpjc validate` prints before exiting with status 2, file names masked like it.
        from validator.values.mask import scrub_names_in_paths

        return {"unreadable": scrub_names_in_paths(f"无法读取：{exc}")}
    titles = rule_titles(report)
    groups = group(report["findings"])
    cut = truncation(report)
    for g in groups:
        c = cut.get((g["rule"], g["resource"]))
        g["unlisted"] = unlisted(c) if c else None
        g["title"] = titles.get(g["rule"], "")
        g["severity_label"] = SEVERITY_LABELS[g["severity"]]
        g["table"] = resource_label(g["resource"])
        g["column"] = column_label(g["examples"][0]) if g["examples"] else None
        # Copies: the examples are the report's own finding dicts, and the report must stay as is.
        g["examples"] = [dict(f, place=place(f), column_label=column_label(f)) for f in g["examples"]]
    return {
        "report": report,
        "groups": groups,
        "verdict": verdict(report),
        "settings_line": settings_line(report),
        "inputs": [input_line(i) for i in report.get("inputs") or ()],
        "rows": [[resource_label(k), n] for k, n in (report["summary"].get("rows") or {}).items()],
        "not_run": not_run_lines(report),
        "checklist": checklist() if report["valid"] else [],
        "stem": download_stem(files, report),
        "truncated": truncation_note(report),
        "truncated_lines": truncation_lines(report, titles),
    }


def download_stem(files: list[tuple[str, bytes]], report: dict) -> str:
    """What the downloads are named after: the package's file (云鹤镇2020年7月.xlsx → 云鹤镇2020年7月),
    or “报送包” for several files; a name that holds personal data is masked like the report."""
    from validator.values.mask import file_name_safe

    stem = Path(files[0][0]).stem if len(files) == 1 else "报送包"
    return stem if (report.get("options") or {}).get("show_personal_data") else file_name_safe(stem)


def exports(files: list[tuple[str, bytes]], report: dict) -> dict:
    """The HTML report and the annotated workbook (bytes) for the download buttons.

    The workbook is the renderers' annotated copy: of the one .xlsx, or of the CSV lines, with
    personal data masked exactly as in the report (the page never unmasks it). When it cannot
    be made (say, two workbooks at once) ``xlsx`` is None and ``note`` says why.
    """
    from validator.render.html import render_html
    from validator.render.xlsx import AnnotateError, annotated_bytes

    result: dict = {"html": render_html(report), "xlsx": None, "xlsx_name": None, "note": None}
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for i, (name, data) in enumerate(files):
            # The report names files as given; keep the names, one folder each in case two clash.
            path = Path(tmp) / str(i) / Path(name).name
            path.parent.mkdir()
            path.write_bytes(data)
            sources.append(path)
        try:
            result["xlsx"] = annotated_bytes(sources, report)
        except AnnotateError as exc:
            result["note"] = str(exc)
        else:
            result["xlsx_name"] = f"{download_stem(files, report)}.校验结果.xlsx"
    return result


# --- called from worker.mjs with JavaScript objects --------------------------------------------


def _from_js(js_files) -> list[tuple[str, bytes]]:
    return [(str(f.name), bytes(f.data.to_py())) for f in js_files]


def settings_js(name, data) -> str:
    """Check a county settings file when the clerk picks it: {"ok": summary} or {"error": message}."""
    from validator.settings import SettingsError, load_bytes

    try:
        s = load_bytes(bytes(data.to_py()), str(name))
    except SettingsError as exc:
        return json.dumps({"error": str(exc)}, ensure_ascii=False)
    return json.dumps({"ok": s.describe()}, ensure_ascii=False)


def check_js(js_files, today, stage="draft", settings_name=None, settings_data=None) -> str:
    files = _from_js(js_files)
    settings = None
    if settings_name:
        settings = (str(settings_name), bytes(settings_data.to_py()))
    result = check(files, today or None, stage or "draft", settings)
    _last.clear()
    if "report" in result:
        _last.update(files=files, report=result["report"])
    return json.dumps(result, ensure_ascii=False)


def exports_js():
    """(html, xlsx bytes or None, xlsx file name or None, note or None) for the last check."""
    if not _last:
        return None
    result = exports(_last["files"], _last["report"])
    return result["html"], result["xlsx"], result["xlsx_name"], result["note"]


# --- the county page (县扶贫办每月工作): the month's township packages dropped in ------------


def county(
    files: list[tuple[str, bytes]], today: str | None = None, settings: tuple[str, bytes] | None = None
) -> dict:
    """The intake of the month's packages, as `fpjc rollup` prints it, in the renderers' words.

    ``rollup`` is what ``fpjc rollup --format json`` writes for the same files (the county takes
    in what was submitted: stage "submit"); the lines and tables are the text renderer's, so the
    page says exactly what the command line says. A settings file that cannot be used gives
    ``{"settings_error": message}``.
    """
    from validator.county.meeting import record_rows
    from validator.county.rollup import rollup_files
    from validator.render import rollup_formats as fmt
    from validator.settings import SettingsError, resolve

    try:
        run_settings = resolve(settings)
    except SettingsError as exc:
        return {"settings_error": str(exc)}
    rollup, results = rollup_files(files, today=_today(today), keep_rows=True, settings=run_settings)
    rows = record_rows(results, rollup)
    _county.clear()
    _county.update(rollup=rollup, rows=rows)
    head, body = fmt.township_rows(rollup)
    package_head, package_body = fmt.package_rows(rollup)
    return {
        "rollup": rollup,
        "title": f"县扶贫办收件汇总：{fmt.month_label(rollup)}",
        "verdict": fmt.verdict(rollup),
        "ok": rollup["ok"],
        "followups": fmt.followups(rollup),
        "options": fmt.option_lines(rollup),
        "townships": {"head": head, "body": body},
        "packages": {"head": package_head, "body": package_body},
        "households": len(rows),
        "meeting_packages": rollup["meeting"],
    }


def county_exports() -> dict:
    """The meeting workbook (bytes), its agenda and the intake summary (HTML) for the last drop."""
    import io

    from validator.county.meeting import agenda, meeting_row
    from validator.outputs.county import build_meeting_workbook, meeting_file_name
    from validator.render import rollup_formats as fmt
    from validator.render.county_formats import render_agenda

    rollup, rows = _county["rollup"], _county["rows"]
    month = rollup["month"] or "月份不明"
    book = io.BytesIO()
    build_meeting_workbook(rows, meeting_row(rollup), packages=rollup["meeting"]).save(book)
    return {
        "xlsx": book.getvalue(),
        "xlsx_name": meeting_file_name(rollup["month"]),
        "agenda": render_agenda(agenda(rollup, rows)),
        "agenda_name": f"研判会议议程-{month}.html",
        "summary": fmt.render_html(rollup),
        "summary_name": f"收件汇总-{month}.html",
    }


def county_js(js_files, today, settings_name=None, settings_data=None) -> str:
    files = _from_js(js_files)
    settings = (str(settings_name), bytes(settings_data.to_py())) if settings_name else None
    result = county(files, today or None, settings)
    if "settings_error" in result:
        _county.clear()
    return json.dumps(result, ensure_ascii=False, default=str)


def county_exports_js():
    """(workbook bytes, its name, agenda HTML, its name, summary HTML, its name) for the last drop."""
    if not _county:
        return None
    r = county_exports()
    return r["xlsx"], r["xlsx_name"], r["agenda"], r["agenda_name"], r["summary"], r["summary_name"]


# --- the county page: the household ledger (台账) opened from disk, updated, handed back ------

_ledger: dict = {}
LEDGER_ANSWERS = ("status", "stock", "overdue")


def ledger(
    db: bytes | None,
    files: list[tuple[str, bytes]],
    today: str | None = None,
    settings: tuple[str, bytes] | None = None,
    name: str | None = None,
) -> dict:
    """Add the month's files to a ledger (`db`: the file's bytes, None for a new ledger), as
    `fpjc ledger add` does, and answer the county's questions as `fpjc ledger status|stock|overdue
    --format html` would. The updated file waits for `ledger_exports`. Personal data masked.

    Returns the run (``add``: counts, entries) and the pages, or ``{"ledger_error": message}`` when
    the file cannot be used (damaged, newer, not a ledger), ``{"settings_error": message}``.
    """
    from validator.county.intake import group_files
    from validator.ledger import queries
    from validator.ledger.ingest import Source, ingest
    from validator.ledger.store import LedgerError, open_ledger
    from validator.render import ledger_formats as fmt
    from validator.settings import SettingsError, resolve

    _ledger.clear()
    try:
        run_settings = resolve(settings)
    except SettingsError as exc:
        return {"settings_error": str(exc)}
    folder = Path(tempfile.mkdtemp(prefix="fpjc-ledger-"))
    path = folder / "ledger.sqlite"
    if db:
        path.write_bytes(bytes(db))
    try:
        with open_ledger(path, create=True) as book:
            groups, ignored = group_files(files)
            sources = [Source.from_files(n, kind, items) for n, kind, items in groups]
            run = ingest(book, sources, today=_today(today), settings=run_settings, ignored=ignored)
            conn = book.conn
            data = {
                "status": queries.status(conn),
                "stock": queries.stock(conn),
                "overdue": queries.overdue(conn, settings=run_settings),
            }
            county = book.meta("county")
    except LedgerError as exc:
        return {"ledger_error": fmt.masked_names(str(exc).replace(str(path), name or "台账文件"))}
    added = fmt.masked_names(run.data)
    added["ledger"] = name or "新台账"
    answer = fmt.answer("add", added)
    pages = {q: fmt.render_html(fmt.answer(q, fmt.masked_names(d))) for q, d in data.items()}
    _ledger.update(db=path.read_bytes(), name=name or f"{county or ''}台账.sqlite", pages=pages)
    return {
        "ok": run.ok,
        "counts": added["counts"],
        "lines": answer.lines,
        "entries": {"head": answer.tables[0].head, "body": answer.tables[0].rows},
        "answers": {q: fmt.masked_names(d) for q, d in data.items()},
        "pages": pages,
        "file_name": _ledger["name"],
    }


def _given(value):
    """None for JavaScript's null and undefined (JsNull under Pyodide 314), else the value."""
    return None if value is None or type(value).__name__ in ("JsNull", "JsUndefined") or not value else value


def ledger_js(db, js_files, today, settings_name=None, settings_data=None, name=None) -> str:
    files = _from_js(js_files)
    settings_name, db, name = _given(settings_name), _given(db), _given(name)
    settings = (str(settings_name), bytes(settings_data.to_py())) if settings_name else None
    data = bytes(db.to_py()) if db is not None else None
    result = ledger(data, files, _given(today), settings, str(name) if name else None)
    return json.dumps(result, ensure_ascii=False, default=str)


def ledger_exports_js():
    """(the updated ledger's bytes, its file name) of the last run, or None."""
    if not _ledger:
        return None
    return _ledger["db"], _ledger["name"]
