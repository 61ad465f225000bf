"""`fpjc ledger add|rebuild|status|stock|overdue|household`: the county's household ledger (台账).

- `add LEDGER DIR…`: the packages and county records of month folders into the ledger (made
  when missing): same content twice changes nothing, a township's corrected package replaces
  its earlier one, rejected packages are listed with why (and their reports with --reports);
- `rebuild LEDGER DIR…`: a new ledger from the files, replacing a damaged one (kept aside);
- `status LEDGER`: the townships' monthly status over a span of months;
- `stock LEDGER`: households under monitoring at the end of a month (每月一复核);
- `overdue LEDGER`: verifications past the working days, 认定 without a measure, releases not
  marked in the national system, households warned again after release;
- `household LEDGER ID`: one household's timeline from all its files.

Queries write text, HTML (with charts), CSV, xlsx or JSON; personal data masked unless
--show-personal-data. Exit status: 0 done; 1 (add, rebuild) a package was not entered; 2 bad
usage, an unusable ledger file or unreadable input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path

from validator.commands.common import (
    UsageError,
    cannot_write,
    err,
    guarded,
    load_settings,
    out,
    parse_today,
    run_files,
    shown_path,
)
from validator.commands.intake import default_jobs, parse_jobs
from validator.commands.parser import examples

EXAMPLES = examples(
    "fpjc ledger add 鹤庆县台账.sqlite 2020年7月      （本月报送包和研判记录入账）",
    "fpjc ledger stock 鹤庆县台账.sqlite --format xlsx -o 监测户.xlsx",
    "fpjc ledger status 鹤庆县台账.sqlite",
)

OK, PROBLEMS, UNUSABLE = 0, 1, 2
FORMATS = ("text", "html", "csv", "xlsx", "json")
REPORT_SUFFIX = ".校验报告.html"
QUERY_NAMES = {
    "status": "各乡镇报送情况",
    "stock": "监测户清单",
    "overdue": "逾期事项",
    "household": "一户的记录",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True)

    add = sub.add_parser(
        "add",
        help="把各月报送包和县级研判记录加入台账（台账文件不存在时新建）",
        description="把月份文件夹中的乡镇报送包和县级研判记录加入台账：同一文件再加入不改动台账，乡镇更正后重报的"
        "报送包替换原来的，未通过上报核对的不入账并列出原因。例：fpjc ledger add 鹤庆县台账.sqlite 2020年7月",
    )
    _ledger_argument(add)
    _folders_argument(add)
    _ingest_options(add)

    rebuild = sub.add_parser(
        "rebuild",
        help="从各月报送包重建台账（台账损坏或没写完时用；原文件改名保留）",
        description="台账只是各月报送包的索引：从全部月份文件夹重新建立，建好后才替换原文件，原文件改名保留。"
        "例：fpjc ledger rebuild 鹤庆县台账.sqlite 报送包存档",
    )
    _ledger_argument(rebuild)
    _folders_argument(rebuild)
    _ingest_options(rebuild)

    status = sub.add_parser(
        "status",
        help="各乡镇每月报送情况：是否报送、是否按时、零报告、户数",
        description="各乡镇在所选月份的报送情况（已报送、迟报、零报告、未报送、未入账）和新增预警、研判、解除户数。"
        "例：fpjc ledger status 鹤庆县台账.sqlite --from 2020-01 --to 2020-06 --format html -o 报送情况.html",
    )
    _ledger_argument(status)
    status.add_argument("--from", dest="first", metavar="YYYY-MM", help="从哪个月起（默认台账的第一个月）")
    status.add_argument("--to", dest="last", metavar="YYYY-MM", help="到哪个月止（默认台账的最后一个月）")
    _query_options(status)

    stock = sub.add_parser(
        "stock",
        help="某月末监测中的户（每月一复核的清单）",
        description="某月末仍在监测中的户：纳入监测的月份、监测月数、最近研判、帮扶措施、纳入管理类别、乡镇。"
        "例：fpjc ledger stock 鹤庆县台账.sqlite --month 2020-07 --format xlsx -o 监测户-2020-07.xlsx",
    )
    _ledger_argument(stock)
    stock.add_argument("--month", metavar="YYYY-MM", help="哪个月末（默认台账的最后一个月）")
    _query_options(stock)

    overdue = sub.add_parser(
        "overdue",
        help="逾期事项：核查超期、认定后无帮扶措施、解除后未标注、解除后再次预警",
        description="截至某月末的逾期事项。核查期限和认定后落实帮扶措施的月数按县设置文件（--settings）。"
        "例：fpjc ledger overdue 鹤庆县台账.sqlite --format html -o 逾期事项.html",
    )
    _ledger_argument(overdue)
    overdue.add_argument("--month", metavar="YYYY-MM", help="截至哪个月末（默认台账的最后一个月）")
    overdue.add_argument("--from", dest="first", metavar="YYYY-MM", help="只看从哪个月起的报送包（默认全部）")
    overdue.add_argument(
        "--settings",
        metavar="文件",
        help="县设置文件（JSON）：核查期限、节假日、认定后几个月内须落实帮扶措施；不写时用内置设置",
    )
    _query_options(overdue)

    household = sub.add_parser(
        "household",
        help="一户从预警到解除的逐月记录（按户主身份证号或户编号）",
        description="一户在台账中的全部记录，逐月列出，注明来自哪个报送包的哪一行；户主变更（同一户编号）的也列在一起。"
        "例：fpjc ledger household 鹤庆县台账.sqlite 532932194908262486",
    )
    _ledger_argument(household)
    household.add_argument("key", metavar="身份证号或户编号", help="户主身份证号（18位），或户编号")
    _query_options(household)


def _ledger_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ledger", metavar="台账文件", help="台账文件（SQLite，例如 鹤庆县台账.sqlite）")
    parser.add_argument(
        "--wait",
        metavar="秒数",
        type=float,
        default=10.0,
        help="台账正被另一个程序使用时最多等几秒（默认 10）",
    )


def _folders_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folders",
        nargs="+",
        metavar="文件夹",
        help="月份文件夹（其中是各乡镇报送包和县级研判记录），或存放各月文件夹的文件夹",
    )


def _ingest_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--settings",
        metavar="文件",
        help="县设置文件（JSON）：监测线、截止日顺延、节假日补充、研判部门等；不写时用内置设置",
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="按此日期校验期限（默认今天），用于补录以前的月份"
    )
    parser.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=int,
        default=None,
        help=f"同时校验几个报送包（并行进程数，默认为本机的处理器核数，本机为 {default_jobs()}）；结果与 --jobs 1 完全相同",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="不用台账中以前的月份做跨月检查（台账从年中开始建时用）",
    )
    parser.add_argument(
        "--reports",
        metavar="文件夹",
        help="把未入账的报送包的校验报告（网页）写入此文件夹，退给乡镇改正",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="入账情况的格式：text（默认）、html、csv、xlsx、json",
    )
    parser.add_argument("--output", "-o", metavar="文件", help="入账情况写入此文件；不写时输出到屏幕")
    parser.add_argument(
        "--show-personal-data", action="store_true", help="在报告中显示完整的姓名和身份证号（默认打码）"
    )


def _query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="格式：text（默认）、html（含统计图，可打印）、csv、xlsx、json",
    )
    parser.add_argument("--output", "-o", metavar="文件", help="写入此文件；不写时输出到屏幕（xlsx 必须写）")
    parser.add_argument(
        "--show-personal-data", action="store_true", help="显示完整的姓名和身份证号（默认打码）"
    )


def run(args: argparse.Namespace) -> int:
    action = args.action
    return guarded(_ingest if action in ("add", "rebuild") else _query, args)


# --- shared ----------------------------------------------------------------------------------


def _month(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"{option} 的月份“{text}”不对，请写成 YYYY-MM，例如 2020-07")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def _output(files, args) -> Path | None:
    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式要用 --output 指定写入哪个文件，例如 -o 台账.xlsx")
    if not args.output:
        return None
    return files.output_file("--output", args.output)


def _emit(files, args, output: Path | None, query: str, data: dict) -> None:
    from validator.render import ledger_formats as fmt

    if not args.show_personal_data:
        data = fmt.masked_names(data)

    if args.format == "json":
        body: str | bytes = json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n"
    else:
        answer = fmt.answer(query, data)
        if args.format == "xlsx":
            from validator.outputs.ledger_workbook import answer_workbook

            body = answer_workbook(answer)
        elif args.format == "html":
            body = fmt.render_html(answer)
        elif args.format == "csv":
            body = fmt.render_csv(answer)
        else:
            body = fmt.render_text(answer)
    if output is None:
        out(body, utf8=args.format != "text")
        return
    try:
        if isinstance(body, bytes):
            files.write_bytes(output, body)
        else:
            files.write_text(output, body, newline="" if args.format == "csv" else "\n")
    except OSError as exc:
        raise _Unusable(cannot_write(output, exc)) from None
    err(f"已写入：{shown_path(str(output))}")


class _Unusable(Exception):
    """The run cannot go on (exit status 2); the message is Chinese."""


def _settings(files, args):
    from validator.settings import SettingsError

    if args.settings:
        files.read("县设置文件（--settings）", args.settings)
    try:
        return load_settings(args.settings)
    except SettingsError as exc:
        raise _Unusable(str(exc)) from None


def _declare_ledger(files, path: Path, *, write: bool) -> Path:
    """The ledger is read and written in place: it must not be, or lie inside, a package read."""
    if path.exists() and path.is_dir():
        raise UsageError(f"台账应是一个文件，{shown_path(str(path))} 是文件夹")
    if write:
        files.output_file("台账文件", path)
    else:
        files.read("台账文件", path)
    return path


# --- add, rebuild ----------------------------------------------------------------------------

_MONTH_FOLDER = re.compile(r"^(\d{4})[-年._]?(\d{1,2})月?")


def month_folders(folder: Path) -> list[Path]:
    """The month folders a DIR stands for: itself, or its subfolders when it holds month folders
    (folders named like 2020-07 or 2020年7月 that are not a township's CSV package)."""
    subs = [p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    months = [p for p in subs if _MONTH_FOLDER.match(p.name) and not any(p.glob("*.csv"))]
    return months if months and len(months) == len(subs) else [folder]


def _ingest(args: argparse.Namespace) -> int:
    try:
        return _ingest_run(args)
    except _Unusable as exc:
        err(str(exc))
        return UNUSABLE


def _ingest_run(args: argparse.Namespace) -> int:
    from validator.county.intake import find_packages
    from validator.ledger.ingest import Source, ingest
    from validator.ledger.store import LedgerError, open_ledger
    from validator.tables import InputError

    files = run_files(show_personal_data=args.show_personal_data)
    today = parse_today(args.today)
    jobs = parse_jobs(args.jobs)
    settings = _settings(files, args)
    path = Path(args.ledger)
    output = _output(files, args)
    reports = Path(args.reports) if args.reports else None
    entries: list[Path] = []
    ignored: list[str] = []
    for text in args.folders:
        folder = files.read("月份文件夹", text, record=False)
        if not folder.is_dir():
            raise UsageError(
                f"{shown_path(text)} 不是文件夹：请给出存放各乡镇报送包和县级研判记录的月份文件夹"
            )
        for month_folder in month_folders(folder):
            exclude = tuple(p for p in (path, output, reports) if p is not None)
            try:
                found, skipped = find_packages(month_folder, exclude=exclude)
            except InputError as exc:
                raise _Unusable(str(exc)) from None
            entries += found
            ignored += [f"{month_folder.name}/{name}" for name in skipped if not _ledger_file(name, path)]
    for entry in entries:
        files.read("报送包", entry)
    _declare_ledger(files, path, write=True)
    if reports is not None:
        files.output_folder("--reports", reports)

    sources = [Source.from_path(e) for e in entries]
    if args.action == "rebuild":
        target = path.with_name(f".{path.name}.rebuilding")
        files.output_file("台账文件", target)
        if target.exists():
            target.unlink()
        for extra in (Path(f"{target}-journal"),):
            if extra.exists():
                extra.unlink()
    else:
        target = path
    mapper, pool = _mapper(jobs, len(sources), files)
    try:
        with open_ledger(target, create=True, wait=args.wait) as ledger:
            run = ingest(
                ledger,
                sources,
                today=today,
                settings=settings,
                mapper=mapper,
                use_history=not args.no_history,
                show_personal_data=args.show_personal_data,
                ignored=ignored,
            )
    except LedgerError as exc:
        if args.action == "rebuild" and target.exists():
            target.unlink()
        raise _Unusable(str(exc)) from None
    finally:
        if pool is not None:
            pool.shutdown()
    data = run.data
    if args.action == "rebuild":
        data["ledger"] = str(path)
        data["summary"]["path"] = str(path)
        kept = _replace(target, path)
        data["kept"] = str(kept) if kept else None
    if reports is not None:
        _write_reports(files, reports, run)
    _emit(files, args, output, "add", data)
    if args.action == "rebuild" and data.get("kept"):
        err(f"原台账已改名保留为：{shown_path(data['kept'])}")
    return OK if run.ok else PROBLEMS


def _ledger_file(name: str, path: Path) -> bool:
    return name == path.name or name.startswith(f"{path.name}-") or name.startswith(f".{path.name}")


def _replace(new: Path, path: Path) -> Path | None:
    """Put the rebuilt ledger in place; the old file (if any) is renamed, never deleted."""
    import os

    kept = None
    if path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.stem}.旧-{stamp}{path.suffix}")
        os.replace(path, kept)
        journal = Path(f"{path}-journal")
        if journal.exists():
            os.replace(journal, Path(f"{kept}-journal"))
    os.replace(new, path)
    return kept


def _guard_worker(reads: tuple) -> None:
    """A worker process guards the parent's declared reads itself (spawn inherits no hook)."""
    from validator.commands.paths import RunFiles

    files = RunFiles()
    files.reads = list(reads)
    files.start()


def _mapper(jobs: int, n: int, files):
    """map() in this process, or a process pool's (packages validated in parallel, results in order)."""
    if jobs <= 1 or n <= 1:
        return map, None
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=min(jobs, n), initializer=_guard_worker, initargs=(tuple(files.reads),)
    )

    def mapper(function, items):
        chunk = max(1, len(items) // (min(jobs, n) * 4))
        return pool.map(function, items, chunksize=chunk)

    return mapper, pool


def _write_reports(files, reports: Path, run) -> None:
    from validator.render.html import render_html
    from validator.values.mask import file_name_safe

    for entry, public in zip(run.entries, run.data["entries"], strict=True):
        if entry.outcome != "rejected" or not entry.report:
            continue
        name = f"{file_name_safe(entry.source.name)}{REPORT_SUFFIX}"
        try:
            files.write_text(reports / name, render_html(entry.report))
        except OSError as exc:
            raise _Unusable(cannot_write(reports / name, exc)) from None
        public["report_file"] = name


# --- queries ---------------------------------------------------------------------------------


def _query(args: argparse.Namespace) -> int:
    try:
        return _query_run(args)
    except _Unusable as exc:
        err(str(exc))
        return UNUSABLE


def _query_run(args: argparse.Namespace) -> int:
    from validator.ledger import queries
    from validator.ledger.store import LedgerError, open_ledger

    files = run_files(show_personal_data=args.show_personal_data)
    path = _declare_ledger(files, Path(args.ledger), write=False)
    settings = _settings(files, args) if args.action == "overdue" else None
    output = _output(files, args)
    personal = args.show_personal_data
    try:
        with open_ledger(path, write=False, wait=args.wait) as ledger:
            conn = ledger.conn
            if args.action == "status":
                first, last = _month(args.first, "--from"), _month(args.last, "--to")
                if first and last and first > last:
                    raise UsageError(f"--from {first} 晚于 --to {last}")
                if (first is None) != (last is None):
                    span = queries.months(conn)
                    first = first or (span[0] if span else last)
                    last = last or (span[-1] if span else first)
                data = queries.status(conn, first=first, last=last)
            elif args.action == "stock":
                data = queries.stock(conn, month=_month(args.month, "--month"), show_personal_data=personal)
            elif args.action == "overdue":
                data = queries.overdue(
                    conn,
                    month=_month(args.month, "--month"),
                    first=_month(args.first, "--from"),
                    settings=settings,
                    show_personal_data=personal,
                )
            else:
                data = queries.timeline(conn, args.key, show_personal_data=personal)
    except LedgerError as exc:
        raise _Unusable(str(exc)) from None
    data["ledger"] = shown_path(str(path))
    _emit(files, args, output, args.action, data)
    return OK
