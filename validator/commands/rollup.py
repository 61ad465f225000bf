"""`fpjc rollup`: validate every township package in a folder and roll them up for the county.

Exit status: 0 every package passes and each of the nine townships sent exactly one package
for the month; 1 otherwise (errors, unreadable package, township missing or twice);
2 bad usage, or the folder, history or roster cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from validator.commands.common import (
    UsageError,
    add_check_options,
    add_color_option,
    cannot_write,
    err,
    guarded,
    load_settings,
    out,
    parse_today,
    run_files,
    want_color,
)

FORMATS = ("text", "json", "html", "csv")
REPORT_SUFFIX = ".校验报告.html"
OK, PROBLEMS, UNUSABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder",
        metavar="DIR",
        help="存放本月各乡镇报送包的文件夹：每个乡镇一个子文件夹、.zip 或 .xlsx；其他文件忽略并列出",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="汇总格式：text（终端文字表格，默认）、json、html（可打印的独立网页）、csv（UTF-8 带 BOM，一行一个数）",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="汇总写入此文件；不写时输出到屏幕。可以放在 DIR 中，但不能放进或覆盖某个乡镇的报送包",
    )
    parser.add_argument(
        "--reports",
        metavar="DIR",
        help="把每个报送包的 HTML 校验报告写入此文件夹（文件名为“<报送包名>.校验报告.html”，个人信息已打码）；"
        "不能是某个乡镇的报送包或在其中",
    )
    add_check_options(parser, stage="submit")
    parser.add_argument(
        "--month",
        metavar="YYYY-MM",
        help="汇总哪个报告月份（默认：多数报送包所报的月份）；其他月份的报送包列出但不计入",
    )
    add_color_option(parser)


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator.county.rollup import PACKAGE_SUFFIXES, find_packages
    from validator.tables import InputError

    files = run_files()
    today = parse_today(args.today)
    month = _parse_month(args.month)
    folder = Path(args.folder)
    files.read("汇总的文件夹", folder, record=False)
    if not folder.is_dir():
        raise UsageError(
            f"{folder} 不是文件夹；fpjc rollup 汇总一个文件夹里的全部报送包，单个报送包请用 fpjc validate"
        )
    history = files.read("历史报送包（--history）", args.history) if args.history else None
    roster = files.read("建档立卡名单（--roster）", args.roster) if args.roster else None
    settings = files.read("县设置文件（--settings）", args.settings) if args.settings else None
    output = Path(args.output) if args.output else None
    reports = Path(args.reports) if args.reports else None
    # Our own outputs (and the history) may sit in DIR; they are not townships' packages. A
    # reports folder is ours only while it holds nothing but our reports, and an output with
    # a package's suffix (.zip, .xlsx) is never taken for ours: it would be a township's.
    exclude = [p for p in (history, roster, settings) if p]
    if output is not None and output.suffix.lower() not in PACKAGE_SUFFIXES:
        exclude.append(output)
    if reports is not None and _only_our_reports(reports):
        exclude.append(reports)
    try:
        entries, _ignored = find_packages(folder, exclude=tuple(exclude))
    except InputError as exc:
        raise UsageError(str(exc)) from None
    for entry in entries:  # every township's package is read: none may be written over or into
        files.read("乡镇报送包", entry)
    if output is not None:
        files.output_file("--output", output)
    if reports is not None:
        files.output_folder("--reports", reports)

    each_report = None
    if reports is not None:
        from validator.render.html import render_html
        from validator.values.mask import file_name_safe

        try:
            reports.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            err(cannot_write(reports, exc))
            return UNUSABLE

        def each_report(entry: Path, report: dict) -> None:
            files.write_text(reports / f"{file_name_safe(entry.name)}{REPORT_SUFFIX}", render_html(report))

    from validator.county.rollup import rollup
    from validator.render import rollup_formats as fmt
    from validator.settings import SettingsError

    try:
        result = rollup(
            folder,
            history=history,
            roster=roster,
            today=today,
            month=month,
            exclude=tuple(exclude),
            each_report=each_report,
            stage=args.stage,
            settings=load_settings(args.settings),
        )
    except SettingsError as exc:
        err(str(exc))
        return UNUSABLE
    except InputError as exc:
        err(f"无法读取：{exc}")
        return UNUSABLE
    except OSError as exc:  # writing a package's report failed
        err(cannot_write(reports or Path("."), exc))
        return UNUSABLE

    status = OK if result["ok"] else PROBLEMS
    if args.format == "json":
        body = fmt.render_json(result)
    elif args.format == "html":
        body = fmt.render_html(result)
    elif args.format == "csv":
        body = fmt.render_csv(result)
    else:
        body = fmt.render_text(result, color=output is None and want_color(args))

    if output is None:
        out(body, utf8=args.format != "text")
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            # CSV keeps its CRLF lines (Excel's convention); the rest is written with LF.
            files.write_text(output, body, newline="" if args.format == "csv" else "\n")
        except OSError as exc:
            err(cannot_write(output, exc))
            return UNUSABLE
        err(f"{fmt.verdict(result)}\n汇总已写入：{output}")
    if reports is not None:
        err(f"各报送包的校验报告已写入：{reports}")
    return status


def _only_our_reports(folder: Path) -> bool:
    """Whether `folder` is missing, empty or holds nothing but reports this command wrote."""
    if not folder.is_dir():
        return not folder.exists()
    try:
        return all(p.is_file() and p.name.endswith(REPORT_SUFFIX) for p in folder.iterdir())
    except OSError:
        return False


def _parse_month(text: str | None) -> str | None:
    if text is None:
        return None
    import re

    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month 的月份“{text}”不对，请写成 YYYY-MM，例如 2020-07")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
