"""The validation engine: one package in, one report dict out.

For each table the field checker is compiled once, then the rows stream through it and
through the row rules; only what cross-table rules need is kept (see `checks.context`).
Table, package, stage and history rules run when every table has been read. The report is
plain data in a fixed, deterministic order (no timestamps), as `validator.report_schema`
describes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

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
from validator.findings import Finding, sort_key
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
) -> dict:
    """Check a package read by `validator.reading`; `history`/`roster` as from `reading.history`.

    `stage`: "draft" (a township checking before it stamps: the stamp and the deadline are
    reminders) or "submit" (what is submitted: both are errors). `settings`: the run's settings
    (`validator.settings`), the built-in ones by default. `reported`: the month's township
    households (from `validator.county`), against which a county record is traced.
    `observe(place, row, values)` sees every parsed row, so a caller that also needs the values
    (the county's intake counts them) reads the package only once.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    today = today or dt.date.today()
    settings = settings or builtin()
    findings: list[Finding] = []
    ctx = Context(
        today=today,
        emit=findings.append if show_personal_data else _scrubbing(findings.append),
        workdays=Workdays(settings.holiday_rows()),
        settings=settings,
        stage=stage,
        show_personal_data=show_personal_data,
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
            emit=findings.append,
            show_personal_data=show_personal_data,
            today=today,
            settings=settings,
        )
        if form["id"] == "manifest":
            _read_manifest(ctx, table, check_row, place, observe)
            continue
        checks = tuple(check for module in modules for check in module.row_checks(form, ctx))
        if observe is not None:
            checks += (observe,)
        add = package_checks.TableTracker(ctx, form, place).add
        count = 0
        for row, cells in table.rows:
            values = check_row(row, cells)
            count += 1
            add(row, values)
            place.cells = cells
            for check in checks:
                check(place, row, values)
        ctx.rows[table.resource] = count

    for module in modules:
        module.finish(ctx)
    # Reader findings are appended while rows stream, so collect them last. They quote
    # headers and file names as written, which may hold a number the clerk noted there.
    findings.extend(map(_readable if show_personal_data else _scrubbed, package.findings))
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


def _read_manifest(ctx: Context, table: Table, check_row, place: Place, observe: Observer | None) -> None:
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
    ctx.rows["manifest"] = count


_REPORTED_OPTIONS = ("today", "stage", "history", "roster", "settings", "show_personal_data")


def _report(package: Package, findings: list[Finding], ctx: Context, options: dict) -> dict:
    findings.sort(key=sort_key)
    counts = Counter(f.severity for f in findings)
    by_resource: dict[str, dict[str, int]] = {}
    for f in findings:
        entry = by_resource.setdefault(f.resource or "package", {"error": 0, "warning": 0, "info": 0})
        entry[f.severity] += 1
    by_rule = Counter(f.rule for f in findings)
    return {
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
        "findings": [f.to_dict() for f in findings],
    }
