"""Earlier packages (`--history`) and the 建档立卡 roster (`--roster`), read for the H rules.

From earlier accepted packages only who was warned as what, who was released and what the
county decided is kept (`tables.History`); from the roster, the households' ID numbers
(`tables.Roster`). Their own problems are not reported again: they were checked when filed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from validator.fields.check import compile_table
from validator.findings import FindingList
from validator.reading.csvfile import decode_bytes
from validator.reading.sources import open_paths
from validator.standard import form
from validator.tables import WARNING_OF, History, InputError, Roster
from validator.values.idnumber import check_id, household_key

ROSTER_HEADERS = ("户主身份证号", "身份证号", "身份证号码", "公民身份号码", "证件号码", "head_id")


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


def load_history(root: str | Path, *, today: dt.date, settings=None) -> History:
    """Read every earlier package under `root`; their own problems are not reported again.

    `settings` (`validator.settings.Settings`) is the run's, so the earlier packages are read
    the way this month's package is.
    """
    history = History()
    paths = _package_paths(Path(root))
    if not paths:
        raise InputError(f"历史报送包目录中没有报送包（文件夹、.zip 或 .xlsx）：{root}")
    for path in paths:
        try:
            package = open_paths([path], name=None)
        except InputError as exc:
            raise InputError(f"历史报送包 {path.name} 无法读取：{exc}") from exc
        history.packages.append(path.name)
        if isinstance(package.findings, FindingList):  # not reported again: let them go as they come
            package.findings.drain = list.clear
        meeting_date = None  # a county record's 研判日期 is on its cover (研判会议), read first
        for table in package.tables:
            try:
                spec = form(table.resource)
            except KeyError:
                continue
            check = compile_table(
                spec, table, emit=lambda f: None, show_personal_data=False, today=today, settings=settings
            )
            for row, cells in table.rows:
                values = check(row, cells)
                if table.resource == "county_meeting" and meeting_date is None:
                    meeting_date = values.get("meeting_date")
                head_id = values.get("head_id")
                if not head_id:
                    continue
                key = household_key(head_id)
                history.households.add(key)
                if table.resource in WARNING_OF:
                    history.warnings.setdefault(key, set()).add(WARNING_OF[table.resource])
                    _later(history.warned_on, key, values.get("verify_date") or values.get("appraisal_date"))
                elif table.resource == "annex3":
                    history.released.add(key)
                    _later(history.ended_on, key, values.get("release_date"))
                elif table.resource in (
                    "assessment",
                    "county_record",
                ):  # 县级研判: stage record or county's own
                    history.assessed = True
                    if values.get("decision") == "认定":
                        history.confirmed.add(key)
                    elif values.get("decision") == "否定":
                        history.rejected.add(key)
                        _later(history.ended_on, key, values.get("meeting_date") or meeting_date)
    return history


def _later(dates: dict, key: int, day) -> None:
    if day is not None and (key not in dates or day > dates[key]):
        dates[key] = day


def load_roster(roster, *, today: dt.date) -> Roster:
    """The 建档立卡 roster from a CSV/.xlsx path, or from an iterable of ID numbers."""
    if isinstance(roster, str | Path):
        path = Path(roster)
        if not path.is_file():
            if path.exists():
                raise InputError(f"建档立卡名单 {path} 不是普通文件（是文件夹、命名管道或设备），已拒绝读取")
            raise InputError(f"找不到建档立卡名单文件：{path}")
        rows = _roster_rows(path)
        source = path.name
    else:
        rows = [(i + 1, v) for i, v in enumerate(roster)]
        source = "名单"
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
            f"建档立卡名单 {source} 中没有一个可识别的身份证号（共{len(bad)}个无法识别，"
            "常见原因是身份证号被 Excel 存成了数字）：请把该列设为文本格式、重新录入后再用 --roster"
        )
    return Roster(keys, bad, source)


def _roster_rows(path: Path) -> list[tuple[int, object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from validator.reading.common import DEFAULT_LIMITS, FileProblem
        from validator.reading.sheetxml import SheetProblem
        from validator.reading.xlsxfile import Workbook, _Unreadable

        try:
            with path.open("rb") as f:
                data = f.read(DEFAULT_LIMITS.max_file_bytes + 1)
            if len(data) > DEFAULT_LIMITS.max_file_bytes:
                raise FileProblem(f"文件超过上限{DEFAULT_LIMITS.max_file_bytes // 1024 // 1024} MB")
            book = Workbook(data, DEFAULT_LIMITS)
        except (FileProblem, OSError) as exc:  # a damaged workbook is the user's input problem, not a crash
            raise InputError(f"建档立卡名单无法读取：{path.name}（{getattr(exc, 'reason', exc)}）") from None
        try:
            for name in book.worksheets:
                try:
                    rows = book.rows(name)
                except (SheetProblem, _Unreadable) as exc:
                    raise InputError(
                        f"建档立卡名单无法读取：{path.name} 的工作表“{name}”（{exc.reason}）"
                    ) from None
                try:
                    found = _find_id_column(rows)
                finally:
                    rows.close()
                if found:
                    return found
        finally:
            book.close()
    else:
        text, bad_lines = decode_bytes(path.read_bytes())
        if bad_lines:
            raise InputError(f"建档立卡名单的编码无法识别：{path.name}（请存为 UTF-8 或 GB18030 的 CSV）")
        try:
            found = _find_id_column(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
        except csv.Error:
            raise InputError(
                f"建档立卡名单不是有效的 CSV 文件：{path.name}（请在 Excel 中另存为“CSV UTF-8”后再用 --roster）"
            ) from None
        if found:
            return found
    raise InputError(
        f"建档立卡名单中找不到身份证号一列：{path.name}（列标题应为 {'、'.join(ROSTER_HEADERS)} 之一）"
    )


def _find_id_column(rows) -> list[tuple[int, object]] | None:
    """Find the header row (within the first 10 rows) and return (row number, ID cell) pairs.

    Stops reading as soon as the first 10 rows hold no header, so a long sheet without one
    is not read to its end."""
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
