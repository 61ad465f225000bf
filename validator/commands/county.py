"""`fpjc county prepare|check|feedback`: the county office's month after the intake (二（四）、二（六）).

- `prepare DIR`: the month's township packages → the 研判 meeting workbook (every new household
  of the packages accepted for the meeting) and a printable agenda;
- `check RECORD --packages DIR`: the filled meeting workbook (or 研判会议 + 县级研判表 as CSV)
  checked as the county's own record, every household traced to the package that reported it;
- `feedback RECORD --packages DIR --output OUT`: from a record without errors, a 研判结果反馈单
  per township (HTML and xlsx) and the 全国系统标注清单 of the month's releases.

Exit status: 0 done and nothing to chase; 1 something to chase (a package left out of the
meeting, a township missing; errors in the record: then no feedback is written); 2 bad usage
or unreadable input.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from validator.commands.common import (
    UsageError,
    add_check_options,
    add_color_option,
    cannot_write,
    deliver_report,
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

EXAMPLES = examples(
    "fpjc county prepare 2020年7月                （县级研判工作簿和会议议程）",
    "fpjc county check 县级研判工作簿-2020-07.xlsx --packages 2020年7月",
    "fpjc county feedback 县级研判工作簿-2020-07.xlsx --packages 2020年7月 --output 反馈",
)

OK, PROBLEMS, UNUSABLE = 0, 1, 2
CHECK_FORMATS = ("text", "json", "html", "xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True)

    prepare = sub.add_parser(
        "prepare",
        help="从本月各乡镇报送包生成县级研判工作簿（Excel）和研判会议议程（可打印的网页）",
        description="从本月各乡镇报送包生成县级研判工作簿和会议议程：列入通过校验（迟报的也列入）、每个乡镇一份的报送包中"
        "附件1、附件2 的每一户。例：fpjc county prepare 2020年7月 --today 2020-08-10",
    )
    prepare.add_argument(
        "folder", metavar="文件夹", help="存放本月各乡镇报送包的文件夹（与 fpjc rollup 相同）"
    )
    prepare.add_argument(
        "--output",
        "-o",
        metavar="文件",
        help="研判工作簿写入此文件（默认：当前目录下的“县级研判工作簿-<月份>.xlsx”）",
    )
    prepare.add_argument(
        "--agenda",
        metavar="文件",
        help="研判会议议程写入此网页文件（默认：研判工作簿旁的“研判会议议程-<月份>.html”）",
    )
    add_check_options(prepare, stage="submit")
    add_intake_options(prepare)

    check = sub.add_parser(
        "check",
        help="检查填好的县级研判工作簿（或研判会议、县级研判表 CSV），并与本月乡镇报送包逐户核对",
        description="检查县级研判记录：每户的结论是否完整（认定须有纳入管理类别，否定须写明理由），并用 --packages "
        "逐户核对本月乡镇报送包。例：fpjc county check 县级研判工作簿-2020-07.xlsx --packages 2020年7月",
    )
    _record_arguments(check)
    check.add_argument(
        "--format",
        choices=CHECK_FORMATS,
        default="text",
        help="报告格式：text（默认）、json、html、xlsx（标注了问题的研判工作簿副本）",
    )
    check.add_argument(
        "--output", "-o", metavar="文件", help="报告写入此文件；不写时输出到屏幕（xlsx 格式必须写）"
    )
    add_color_option(check)

    feedback = sub.add_parser(
        "feedback",
        help="从检查通过的县级研判记录生成各乡镇的研判结果反馈单和全国系统标注清单",
        description="研判记录没有错误时，为每个有研判结论的乡镇生成研判结果反馈单（网页和 Excel），并列出本月附件3 "
        "中待在全国系统标注的户。例：fpjc county feedback 县级研判工作簿-2020-07.xlsx --packages 2020年7月 "
        "--output 2020年7月反馈",
    )
    _record_arguments(feedback, packages_required=True)
    feedback.add_argument(
        "--output",
        "-o",
        metavar="文件夹",
        required=True,
        help="反馈文件写入此文件夹：每个乡镇一个子文件夹（反馈单的 .html 和 .xlsx），以及全国系统标注清单",
    )
    add_color_option(feedback)


def _record_arguments(parser: argparse.ArgumentParser, *, packages_required: bool = False) -> None:
    parser.add_argument(
        "record",
        nargs="+",
        metavar="研判记录",
        help="县级研判记录：填好的研判工作簿（.xlsx），或研判会议、县级研判表两个 CSV 文件（或其文件夹、zip）",
    )
    parser.add_argument(
        "--packages",
        metavar="文件夹",
        required=packages_required,
        help="本月各乡镇报送包所在的文件夹：研判表中的每一户都要能在某个乡镇的附件1、附件2 中找到",
    )
    add_check_options(parser, stage="submit")
    add_intake_options(parser)
    parser.add_argument(
        "--show-personal-data",
        action="store_true",
        help="在报告和反馈单中显示完整的姓名和身份证号（默认打码）",
    )


def run(args: argparse.Namespace) -> int:
    return guarded({"prepare": _prepare, "check": _check, "feedback": _feedback}[args.action], args)


# --- shared ---------------------------------------------------------------------------


def _month_folder(files, args, text: str, label: str, outputs: tuple[Path | None, ...] = ()):
    """Declare the month's folder, its packages and the check options' files; what to leave out."""
    return declare_month(
        files,
        Path(text),
        label=label,
        history=args.history,
        roster=args.roster,
        settings=args.settings,
        outputs=outputs,
    )


def _settings(args):
    """The run's settings (--settings); a bad file ends the run with its own message (exit 2)."""
    from validator.settings import SettingsError

    try:
        return load_settings(args.settings)
    except SettingsError as exc:
        raise _Unusable(str(exc)) from None


def _intake(args, files, folder: Path, *, exclude=(), keep_rows: bool, month: str | None = None):
    from validator.tables import InputError

    try:
        return take_in(
            folder,
            today=parse_today(args.today),
            history=args.history,
            roster=args.roster,
            month=month if month is not None else parse_month(args.month),
            jobs=parse_jobs(args.jobs),
            keep_rows=keep_rows,
            stage=args.stage,
            settings=_settings(args),
            exclude=tuple(exclude),
            files=files,
        )
    except InputError as exc:
        raise _Unusable(f"无法读取：{exc}") from None


class _Unusable(Exception):
    """Input that cannot be read at all (exit status 2); the message is Chinese."""


def _guard(run):
    def wrapped(args):
        try:
            return run(args)
        except _Unusable as exc:
            err(str(exc))
            return UNUSABLE

    return wrapped


def _save(files, wb, path: Path) -> Path:
    """An openpyxl workbook written through the run's files (whole or not at all)."""
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return files.write_bytes(path, buffer.getvalue())


# --- prepare -----------------------------------------------------------------------------


@_guard
def _prepare(args: argparse.Namespace) -> int:
    files = run_files()
    parse_today(args.today)
    parse_month(args.month)
    parse_jobs(args.jobs)
    folder = Path(args.folder)
    given = tuple(Path(p) if p else None for p in (args.output, args.agenda))
    exclude = _month_folder(files, args, args.folder, "本月报送包文件夹（DIR）", outputs=given)
    # The workbook is an .xlsx: kept in the month's folder, the next intake would read it.
    files.read("本月报送包文件夹（DIR）", folder)
    for label, path in zip(("--output", "--agenda"), given, strict=True):
        if path is not None:
            files.output_file(label, path)

    from validator.county.meeting import agenda, meeting_row, record_rows
    from validator.outputs.county import build_meeting_workbook, meeting_file_name
    from validator.render.county_formats import render_agenda

    rollup, results = _intake(args, files, folder, exclude=exclude, keep_rows=True)
    rows = record_rows(results, rollup)
    month = rollup["month"]
    output = Path(args.output) if args.output else Path.cwd() / meeting_file_name(month)
    agenda_path = (
        Path(args.agenda) if args.agenda else output.with_name(f"研判会议议程-{month or '月份不明'}.html")
    )
    files.output_file("研判工作簿", output)
    files.output_file("研判会议议程", agenda_path)
    try:
        _save(files, build_meeting_workbook(rows, meeting_row(rollup), packages=rollup["meeting"]), output)
        files.write_text(agenda_path, render_agenda(agenda(rollup, rows)))
    except OSError as exc:
        err(cannot_write(output, exc))
        return UNUSABLE

    lines = [
        f"已生成县级研判工作簿：{output}",
        f"研判会议议程：{agenda_path}",
        f"列入研判{len(rows)}户，来自{len(rollup['meeting'])}个报送包（{'、'.join(rollup['meeting']) or '无'}）。",
    ]
    left = [p for p in rollup["packages"] if p.get("meeting") != "accepted"]
    for p in left:
        lines.append(f"未列入：{p['entry']}（{p['township'] or '乡镇不明'}）——{p['meeting_reason']}")
    if rollup["missing"]:
        lines.append(f"本月未报送：{'、'.join(rollup['missing'])}")
    lines.append("研判工作簿含户主姓名和身份证号，只在县扶贫办内部使用。")
    out("\n".join(lines) + "\n")
    return PROBLEMS if left or rollup["missing"] else OK


# --- check -------------------------------------------------------------------------------


def _record_paths(args, files) -> tuple[list[Path], tuple[Path, ...]]:
    """The record's files and (when --packages) the month's folder declared; what to leave out."""
    paths = [files.read("县级研判记录", p) for p in args.record]
    exclude: tuple[Path, ...] = ()
    if args.packages:
        exclude = _month_folder(files, args, args.packages, "本月报送包文件夹（--packages）")
    else:
        for what, given in (
            ("历史报送包（--history）", args.history),
            ("建档立卡名单（--roster）", args.roster),
            ("县设置文件（--settings）", args.settings),
        ):
            if given:
                files.read(what, given)
    return paths, exclude


def _read(args, files, paths: list[Path], exclude, *, keep_rows: bool):
    """(record, roll-up or None, intake results) with the record traced to the month's packages."""
    from validator.county.record import read_record, reported_index
    from validator.county.rollup import summarise
    from validator.tables import InputError

    today = parse_today(args.today) or dt.date.today()
    rollup, results, index = None, [], None
    if args.packages:
        rollup, results = _intake(args, files, Path(args.packages), exclude=exclude, keep_rows=True)
        index = reported_index(results, rollup)
    try:
        record = read_record(
            paths,
            today=today,
            reported=index,
            show_personal_data=args.show_personal_data,
            name=", ".join(str(p) for p in paths),
            packages=args.packages,
            settings=_settings(args),
        )
        months = {r.item["report_month"] for r in results if r.item["readable"]}
        if (
            rollup is not None
            and not args.month
            and record.month
            and record.month != rollup["month"]
            and record.month in months
        ):
            # The folder holds several months: trace against the record's own month.
            rollup = summarise(
                [r.item for r in results],
                rollup["ignored"],
                month=record.month,
                today=today,
                options=rollup["options"],
                settings=_settings(args),
            )
            index = reported_index(results, rollup)
            record = read_record(
                paths,
                today=today,
                reported=index,
                show_personal_data=args.show_personal_data,
                name=", ".join(str(p) for p in paths),
                packages=args.packages,
                settings=_settings(args),
            )
    except InputError as exc:
        raise _Unusable(f"无法读取：{exc}") from None
    tables = set(record.report["summary"].get("rows") or {})
    if not tables & {"county_meeting", "county_record", "county_marking"}:
        names = "、".join(str(p) for p in paths)
        raise _Unusable(
            f"{names} 不是县级研判记录：其中没有“研判会议”“县级研判表”或“全国系统标注清单”。"
            "乡镇报送包请用 fpjc validate 或 fpjc rollup 校验；研判工作簿用 fpjc county prepare 生成。"
        )
    return record, rollup, results


@_guard
def _check(args: argparse.Namespace) -> int:
    files = run_files(show_personal_data=args.show_personal_data)
    output = Path(args.output) if args.output else None
    if args.format == "xlsx" and output is None:
        raise UsageError("--format xlsx 需要用 --output 指定标注副本的文件名")
    paths, exclude = _record_paths(args, files)
    if output is not None:
        files.output_file("--output", output)
    record, _rollup, _ = _read(args, files, paths, exclude, keep_rows=False)
    report = record.report
    status = OK if report["valid"] else PROBLEMS
    return deliver_report(report, args, files, output, paths, status)


# --- feedback ----------------------------------------------------------------------------


@_guard
def _feedback(args: argparse.Namespace) -> int:
    files = run_files(show_personal_data=args.show_personal_data)
    out_dir = Path(args.output)
    paths, exclude = _record_paths(args, files)
    # The feedback folder stays out of the month's folder: the next intake would read it.
    files.read("本月报送包文件夹（--packages）", args.packages)
    files.output_folder("--output", out_dir)
    record, rollup, results = _read(args, files, paths, exclude, keep_rows=True)
    report = record.report
    if not report["valid"]:
        from validator.render.text import render_text

        out(render_text(report, color=want_color(args)))
        err(
            f"县级研判记录有{report['summary']['error']}个错误，没有生成反馈单。"
            "请改正后重新运行（fpjc county check 可只做检查）。"
        )
        return PROBLEMS

    from validator.county.feedback import feedback_sheets, marking_list
    from validator.outputs.county import build_feedback_workbook, build_marking_workbook
    from validator.render.county_formats import render_feedback, render_marking

    today = parse_today(args.today) or dt.date.today()
    sheets = feedback_sheets(record, today=today, show_personal_data=args.show_personal_data)
    marking = marking_list(results, rollup)
    month = record.month or rollup["month"] or "月份不明"
    written = []
    try:
        for sheet in sheets:
            folder = out_dir / sheet["township"]
            stem = f"研判结果反馈单-{sheet['township']}-{month}"
            files.write_text(folder / f"{stem}.html", render_feedback(sheet))
            written.append(_save(files, build_feedback_workbook(sheet), folder / f"{stem}.xlsx"))
        stem = f"全国系统标注清单-{month}"
        files.write_text(out_dir / f"{stem}.html", render_marking(marking))
        written.append(_save(files, build_marking_workbook(marking), out_dir / f"{stem}.xlsx"))
    except OSError as exc:
        err(cannot_write(out_dir, exc))
        return UNUSABLE

    lines = [f"已在 {out_dir} 生成："]
    for sheet in sheets:
        lines.append(
            f"  {sheet['township']}/研判结果反馈单（认定{sheet['confirmed']}户，否定{sheet['rejected']}户）"
        )
    lines.append(f"  全国系统标注清单（待标注{len(marking['rows'])}户）")
    warnings = report["summary"]["warning"]
    if warnings:
        lines.append(f"研判记录有{warnings}个警告，请用 fpjc county check 查看。")
    if not args.show_personal_data:
        lines.append("反馈单中的姓名和身份证号已打码；全国系统标注清单含完整身份证号，只在县扶贫办内部使用。")
    out("\n".join(lines) + "\n")
    return OK
