"""History and roster rules (H), and reading the earlier packages and the 建档立卡 roster.

`history` is a folder of earlier accepted packages (each a folder, .zip or .xlsx); from them
we keep only who was warned as what, and what the county decided. `roster` is a CSV or .xlsx
list of 建档立卡 households with an ID column. Both are optional: without them the checks
that need them are listed in the report's `checks_not_run`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from validator.checks.context import Context, Place, household_key
from validator.rules import rule
from validator.tables import InputError

WARNING_OF = {"annex1": "返贫预警", "annex2": "致贫预警"}
ANNEX_OF = {v: k for k, v in WARNING_OF.items()}
ROSTER_HEADERS = ("户主身份证号", "身份证号", "身份证号码", "公民身份号码", "证件号码", "head_id")

NO_WARNING = rule(
    id="H001",
    name="release-without-earlier-warning",
    severity="error",
    title="解除的户以前没有预警过",
    message="以前的报送包中没有这户的预警记录，无法解除",
    hint="核对户主身份证号；只有以前在附件1或附件2中预警过的户才能填附件3。",
    clause="二(六)",
    description="附件3 解除的是以前预警过的户：提供历史报送包时，每一户都要能在以前的附件1或附件2中找到。",
    fail={"options": {"history": {"annex1": [{"head_id": "532932194909300050"}]}}},
    passing={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932194909300050"}],
                "annex2": [{"head_id": "532932196102170063"}],
            }
        }
    },
    fail_note="附件3 第 2 户（致贫预警）在以前的报送包中找不到。",
    resources=("annex3",),
)

WRONG_TYPE = rule(
    id="H002",
    name="release-warning-type-mismatch",
    severity="error",
    title="预警类型与以前的预警不一致",
    message="这户以前是“{earlier}”，附件3 填的是“{now}”",
    hint="预警类型按以前的预警填写：在附件1中预警的是返贫预警，在附件2中预警的是致贫预警。",
    clause="二(二)、二(六)",
    description="解除登记的预警类型要与这户当初被预警的表（附件1 返贫、附件2 致贫）一致。",
    fail={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932194909300050"}, {"head_id": "532932196102170063", "seq": "2"}]
            }
        }
    },
    passing={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932194909300050"}],
                "annex2": [{"head_id": "532932196102170063"}],
            }
        }
    },
    resources=("annex3",),
)

NOT_ON_ROSTER = rule(
    id="H003",
    name="annex1-not-on-roster",
    severity="error",
    title="附件1的户不在建档立卡名单中",
    message="附件1 是建档立卡已脱贫户，这户不在建档立卡名单中",
    hint="核对户主身份证号；非建档立卡户应填附件2（致贫预警）。",
    clause="一、二(二)",
    description="返贫预警（附件1）只针对建档立卡已脱贫户：提供名单时，附件1 每一户都要在名单中。",
    fail={"options": {"roster": ["532932195803120013"]}},
    passing={"options": {"roster": ["532932195803120013", "532932196708050023"]}},
    resources=("annex1",),
)

ON_ROSTER = rule(
    id="H004",
    name="annex2-on-roster",
    severity="error",
    title="附件2的户在建档立卡名单中",
    message="附件2 是非建档立卡户，这户却在建档立卡名单中",
    hint="建档立卡已脱贫户应填附件1（返贫预警）；或核对户主身份证号。",
    clause="一、二(二)",
    description="致贫预警（附件2）只针对非建档立卡户：提供名单时，附件2 的户不能在名单中。",
    fail={"options": {"roster": ["532932195803120013", "532932196708050023", "532932197501190031"]}},
    passing={"options": {"roster": ["532932195803120013", "532932196708050023"]}},
    resources=("annex2",),
)

ROSTER_BAD = rule(
    id="H005",
    name="roster-unreadable-ids",
    severity="info",
    title="建档立卡名单中有无法识别的身份证号",
    message="建档立卡名单中有 {count} 个身份证号无法识别（例如第 {first_row} 行），这些行没有参与核对",
    hint="检查名单文件中身份证号一列，把它设为“文本”格式并补全 18 位号码。",
    clause="SPEC §3.3、§6",
    description="名单中的身份证号同样按国家标准检查；无法识别的号码不参与核对，并在报告中说明。",
    fail={"options": {"roster": ["532932195803120013", "532932196708050023", "53293219670805002"]}},
    passing={"options": {"roster": ["532932195803120013", "532932196708050023"]}},
)


ALREADY_WARNED = rule(
    id="H006",
    name="household-already-monitored",
    severity="warning",
    title="这户以前已预警且尚未解除",
    message="这户在以前的报送包中已是“{earlier}”，且没有解除记录，不必重复纳入",
    hint="已在监测中的户继续监测帮扶即可；如以前已解除，请一并提供登记解除的那个月的报送包。",
    clause="二(六)",
    description="提供历史报送包时，新填入附件1、附件2 的户如果以前预警过又从未在附件3 解除，多半是重复上报。",
    fail={"options": {"history": {"annex1": [{"head_id": "532932195803120013"}]}}},
    passing={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932195803120013"}],
                "annex3": [
                    {
                        "head_id": "532932195803120013",
                        "release_date": "2020-03-25",
                        "identified_month": "2020-02",
                    }
                ],
            }
        }
    },
    pass_note="这户以前预警过，但已在附件3 解除，本月再次预警是新的风险。",
    resources=("annex1", "annex2"),
)


@dataclass
class History:
    """What earlier accepted packages tell about each household."""

    households: set[int] = field(default_factory=set)  # any table
    warnings: dict[int, set[str]] = field(default_factory=dict)  # key → {返贫预警, 致贫预警}
    released: set[int] = field(default_factory=set)  # 附件3 of an earlier package
    confirmed: set[int] = field(default_factory=set)  # county assessment 认定
    rejected: set[int] = field(default_factory=set)  # county assessment 否定
    assessed: bool = False
    packages: list[str] = field(default_factory=list)


def _package_paths(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"找不到历史报送包目录：{root}")
    entries = sorted(root.iterdir(), key=lambda p: p.name)
    packages = [p for p in entries if p.is_dir() or p.suffix.lower() in (".zip", ".xlsx")]
    # The folder is itself one package when it holds CSV files or a descriptor; other JSON
    # files (the county's saved reports) are not packages.
    if any(
        p.suffix.lower() == ".csv" or p.name.lower() == "datapackage.json" for p in entries if p.is_file()
    ):
        packages.insert(0, root)
    return packages


def load_history(root: str | Path, *, today: dt.date) -> History:
    """Read every earlier package under `root`; their own problems are not reported again."""
    from validator.fieldcheck import compile_table
    from validator.reading import open_package
    from validator.standard import form

    history = History()
    paths = _package_paths(Path(root))
    if not paths:
        raise InputError(f"历史报送包目录中没有报送包（文件夹、.zip 或 .xlsx）：{root}")
    for path in paths:
        try:
            package = open_package([path])
        except InputError as exc:
            raise InputError(f"历史报送包 {path.name} 无法读取：{exc}") from exc
        history.packages.append(path.name)
        for table in package.tables:
            try:
                spec = form(table.resource)
            except KeyError:
                continue
            check = compile_table(spec, table, emit=lambda f: None, show_personal_data=False, today=today)
            for row, cells in table.rows:
                values = check(row, cells)
                head_id = values.get("head_id")
                if not head_id:
                    continue
                key = household_key(head_id)
                history.households.add(key)
                if table.resource in WARNING_OF:
                    history.warnings.setdefault(key, set()).add(WARNING_OF[table.resource])
                elif table.resource == "annex3":
                    history.released.add(key)
                elif table.resource == "assessment":
                    history.assessed = True
                    if values.get("decision") == "认定":
                        history.confirmed.add(key)
                    elif values.get("decision") == "否定":
                        history.rejected.add(key)
    return history


@dataclass
class Roster:
    keys: set[int]
    bad_rows: list[int]
    source: str


def load_roster(roster, *, today: dt.date) -> Roster:
    """The 建档立卡 roster from a CSV/.xlsx path, or from an iterable of ID numbers."""
    if isinstance(roster, str | Path):
        path = Path(roster)
        if not path.is_file():
            raise InputError(f"找不到建档立卡名单文件：{path}")
        rows = _roster_rows(path)
        source = path.name
    else:
        rows = [(i + 1, v) for i, v in enumerate(roster)]
        source = "名单"
    from validator.idnumber import check_id

    keys: set[int] = set()
    bad: list[int] = []
    for row, value in rows:
        normalised, _problems = check_id(value, today)
        if normalised:
            keys.add(household_key(normalised))
        elif value not in (None, ""):
            bad.append(row)
    if bad and not keys:
        # Checking against a roster of nothing would call every 附件1 household "not on the roster".
        raise InputError(
            f"建档立卡名单 {source} 中没有一个可识别的身份证号（共 {len(bad)} 个无法识别，"
            "常见原因是身份证号被 Excel 存成了数字）：请把该列设为文本格式、重新录入后再用 --roster"
        )
    return Roster(keys, bad, source)


def _roster_rows(path: Path) -> list[tuple[int, object]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a damaged workbook is the user's input problem, not a crash
            raise InputError(f"建档立卡名单无法读取：{path.name}（{exc}）") from exc
        try:
            for ws in wb.worksheets:
                found = _find_id_column(enumerate(ws.iter_rows(values_only=True), start=1))
                if found:
                    return found
        finally:
            wb.close()
    else:
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"建档立卡名单的编码无法识别：{path.name}（请存为 UTF-8 或 GB18030 的 CSV）")
        found = _find_id_column(enumerate(csv.reader(io.StringIO(text)), start=1))
        if found:
            return found
    raise InputError(
        f"建档立卡名单中找不到身份证号一列：{path.name}（列标题应为 {'、'.join(ROSTER_HEADERS)} 之一）"
    )


def _find_id_column(rows) -> list[tuple[int, object]] | None:
    """Find the header row (within the first 10 rows) and return (row number, ID cell) pairs."""
    column = None
    out: list[tuple[int, object]] = []
    for number, cells in rows:
        if column is None:
            if number > 10:
                return None
            for i, cell in enumerate(cells):
                if isinstance(cell, str) and cell.strip() in ROSTER_HEADERS:
                    column = i
                    break
            continue
        if column < len(cells):
            out.append((number, cells[column]))
    return out if column is not None else None


def row_checks(form: dict, ctx: Context) -> list:
    resource = form["id"]
    checks = []
    if resource == "annex3" and ctx.history is not None:
        checks.append(_release_matches(ctx))
    if resource in WARNING_OF and ctx.roster is not None:
        checks.append(_on_roster(ctx, resource))
    if resource in WARNING_OF and ctx.history is not None:
        checks.append(_not_yet_released(ctx))
    return checks


def _not_yet_released(ctx: Context):
    history: History = ctx.history  # type: ignore[assignment]

    def check(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if not head_id:
            return
        key = household_key(head_id)
        earlier = history.warnings.get(key)
        if earlier and key not in history.released:
            ctx.emit(
                ALREADY_WARNED.finding(
                    **place.at(row, "head_id", head_id), earlier="、".join(sorted(earlier))
                )
            )

    return check


def _release_matches(ctx: Context):
    history: History = ctx.history  # type: ignore[assignment]

    def check(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if not head_id:
            return
        earlier = history.warnings.get(household_key(head_id))
        if not earlier:
            ctx.emit(NO_WARNING.finding(**place.at(row, "head_id", head_id)))
            return
        now = values.get("warning_type")
        if now and now not in earlier:
            ctx.emit(
                WRONG_TYPE.finding(
                    **place.at(row, "warning_type", now), earlier="、".join(sorted(earlier)), now=now
                )
            )

    return check


def _on_roster(ctx: Context, resource: str):
    keys = ctx.roster
    must_be_on = resource == "annex1"
    rule_ = NOT_ON_ROSTER if must_be_on else ON_ROSTER

    def check(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if head_id and (household_key(head_id) in keys) != must_be_on:
            ctx.emit(rule_.finding(**place.at(row, "head_id", head_id)))

    return check


def not_run(ctx: Context) -> None:
    """Say which history and roster checks were skipped, and why."""
    if ctx.history is None and ctx.rows.get("annex3"):
        ctx.not_run(
            "H001、H002 解除的户须与以前的预警对应",
            "没有提供历史报送包（--history），无法核对附件3 的户以前是否预警过",
        )
    if ctx.roster is None and (ctx.rows.get("annex1") or ctx.rows.get("annex2")):
        ctx.not_run(
            "H003、H004 建档立卡名单核对",
            "没有提供建档立卡名单（--roster），无法核对附件1 的户是否建档立卡、附件2 的户是否非卡户",
        )


def roster_notes(ctx: Context, roster: Roster) -> None:
    if roster.bad_rows:
        ctx.emit(
            ROSTER_BAD.finding(count=len(roster.bad_rows), first_row=roster.bad_rows[0], source=roster.source)
        )
