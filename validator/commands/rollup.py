"""`fpjc rollup`: the county's intake of a month's township packages (二（三）、二（四）).

Every package is checked on its own with the submission rules and counted in the same read
(in parallel processes with `--jobs`); the roll-up lists per township who reported, on time or
how many days late, zero reports and what to chase, and with `--reports` writes per township
the folder to send back (HTML report and annotated workbook of each package).

Exit status: 0 every package passes and each of the nine townships sent exactly one package
for the month; 1 otherwise (errors, lateness, unreadable package, township missing or twice);
2 bad usage, or the folder, history or roster cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from validator.commands.common import (
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
from validator.commands.intake import add_intake_options, declare_month, parse_jobs, parse_month, take_in
from validator.commands.parser import examples

FORMATS = ("text", "json", "html", "csv")
EXAMPLES = examples(
    "fpjc rollup 2020-07报送",
    "fpjc rollup 2020-07报送 --format html -o 2020年7月汇总.html --reports 发回各乡镇",
    "fpjc rollup 2020-07报送 --history 以前各月 --roster 建档立卡名单.xlsx --settings 县设置.json",
)
OK, PROBLEMS, UNUSABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder",
        metavar="文件夹",
        help="存放本月各乡镇报送包的文件夹：每个乡镇一个子文件夹、.zip 或 .xlsx；其他文件忽略并列出",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="汇总格式：text（终端文字表格，默认）、json、html（可打印的独立网页）、csv（UTF-8 带 BOM，一行一个数）",
    )
    parser.add_argument("--output", "-o", metavar="文件", help="汇总写入此文件；不写时输出到屏幕")
    parser.add_argument(
        "--reports",
        metavar="文件夹",
        help="按乡镇把要发回的文件写入此文件夹：每个乡镇一个子文件夹，内有该乡镇每个报送包的"
        "“<报送包名>.校验报告.html”（个人信息已打码）和“<报送包名>.校验结果.xlsx”（标注了问题的工作簿）；"
        "不能是某个乡镇的报送包或在其中",
    )
    add_check_options(parser, stage="submit")
    add_intake_options(parser)
    add_color_option(parser)


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator.tables import InputError

    files = run_files()
    today = parse_today(args.today)
    month = parse_month(args.month)
    jobs = parse_jobs(args.jobs)
    folder = Path(args.folder)
    output = Path(args.output) if args.output else None
    reports = Path(args.reports) if args.reports else None
    # Our own outputs (and the history) may sit in DIR; they are not townships' packages.
    exclude = declare_month(
        files,
        folder,
        label="汇总的文件夹",
        history=args.history,
        roster=args.roster,
        settings=args.settings,
        outputs=(output,),
        reports=reports,
    )
    if output is not None:
        files.output_file("--output", output)
    if reports is not None:
        files.output_folder("--reports", reports)
        try:
            reports.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            err(cannot_write(reports, exc))
            return UNUSABLE

    from validator.render import rollup_formats as fmt
    from validator.settings import SettingsError

    try:
        result, _ = take_in(
            folder,
            today=today,
            history=args.history,
            roster=args.roster,
            month=month,
            jobs=jobs,
            exclude=exclude,
            reports=reports,
            stage=args.stage,
            settings=load_settings(args.settings),
            files=files,
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
        err(f"要发回各乡镇的校验报告和标注工作簿已按乡镇写入：{reports}")
    return status
