"""`fpjc validate`: check submission packages and report in text, JSON, HTML or an annotated workbook.

Exit status: 0 no error (warnings allowed), 1 errors found, 2 input unreadable or
bad usage. User mistakes get a Chinese message on stderr, never a traceback; an unexpected
failure says it is a bug and names the exception type (FPJC_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from validator.commands.common import (
    UsageError,
    add_check_options,
    add_color_option,
    deliver_report,
    err,
    guarded,
    load_settings,
    parse_today,
    run_files,
    shown_path,
)
from validator.commands.parser import examples
from validator.values.mask import file_name_safe

FORMATS = ("text", "json", "html", "xlsx")
EXAMPLES = examples(
    "fpjc validate 云鹤镇2020年7月.xlsx",
    "fpjc validate 云鹤镇2020年7月.xlsx --format html -o 自查报告.html",
    "fpjc validate 云鹤镇2020年7月.xlsx --format xlsx      （生成“云鹤镇2020年7月.校验结果.xlsx”）",
    "fpjc validate 云鹤镇2020年7月.xlsx --stage submit     （盖章后、上报前）",
    "fpjc validate 报送包文件夹 --settings 县设置.json",
)
OK, ERRORS, UNUSABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="报送包",
        help="报送包：文件夹（可含 datapackage.json）、zip、xlsx 工作簿或一个或多个 CSV 文件",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="报告格式：text（终端文字，默认）、json、html（独立网页）、xlsx（标注版 Excel；生成不了时输出文字报告并说明原因）",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="文件",
        help="报告写入此文件；不写时输出到屏幕。xlsx 格式不写时在当前目录生成“<名称>.校验结果.xlsx”。"
        "不能是被校验的文件或其文件夹中的文件，也不能是 --history、--roster 的文件；是符号链接时替换链接本身",
    )
    add_check_options(parser, stage="draft")
    parser.add_argument(
        "--ledger",
        metavar="文件",
        help="县扶贫办台账文件（fpjc ledger 建立）：用台账中该报送包所报月份以前的各月做跨月检查，代替 --history",
    )
    parser.add_argument(
        "--show-personal-data",
        action="store_true",
        help="在报告、标注版 Excel 和消息中显示完整的姓名、身份证号和电话（默认打码，文件名中的号码也打码）；只在自己的电脑上使用",
    )
    add_color_option(parser)


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator.tables import InputError

    files = run_files(show_personal_data=args.show_personal_data)
    today = parse_today(args.today)
    inputs = [files.read("被校验的输入", p) for p in args.paths]
    for p in inputs:
        if p.name == "datapackage.json":  # the reader opens the whole folder it describes
            files.read("被校验的输入", p.parent)
    if args.history:
        files.read("历史报送包（--history）", args.history)
    if args.ledger:
        if args.history:
            raise UsageError("--history 和 --ledger 只能用一个：台账就是以前各月报送包的索引")
        files.read("台账文件（--ledger）", args.ledger)
    if args.roster:
        files.read("建档立卡名单（--roster）", args.roster)
    if args.settings:
        files.read("县设置文件（--settings）", args.settings)
    output = Path(args.output) if args.output else None
    if args.format == "xlsx" and sum(p.suffix.lower() in (".xlsx", ".xlsm") for p in inputs) > 1:
        raise UsageError("--format xlsx 一次只能标注一个工作簿，请分别校验每个 .xlsx 文件")
    if args.format == "xlsx" and output is None:
        stem = _stem(inputs[0])
        output = Path.cwd() / f"{stem if args.show_personal_data else file_name_safe(stem)}.校验结果.xlsx"
        label = "标注版 Excel 的默认位置（当前文件夹）"
    else:
        label = "--output"
    if output is not None:
        files.output_file(label, output)

    from validator import api
    from validator.settings import SettingsError

    try:
        settings = load_settings(args.settings)
        history, label = (args.history, None) if not args.ledger else _ledger_history(args.ledger, inputs)
        report = api.validate(
            [str(p) for p in inputs],
            history=history,
            history_label=label,
            roster=args.roster,
            today=today,
            show_personal_data=args.show_personal_data,
            stage=args.stage,
            settings=settings,
        )
    except SettingsError as exc:
        err(str(exc))
        return UNUSABLE
    except InputError as exc:
        err(f"无法读取：{exc}")
        return UNUSABLE

    status = OK if report["valid"] else ERRORS
    return deliver_report(report, args, files, output, inputs, status)


def _stem(path: Path) -> str:
    name = path.resolve().name if path.name in ("", ".", "..") else path.name
    return name[: -len(path.suffix)] if path.suffix and path.is_file() else name


def _ledger_history(path: str, inputs: list[Path]):
    """The ledger's months before the package's own (its 报送信息), as the history rules see them."""
    from validator.ledger import queries
    from validator.ledger.ingest import Source, look
    from validator.ledger.store import open_ledger

    if len(inputs) == 1:
        source = Source.from_path(inputs[0])
    else:  # several CSV files make one package
        source = Source.from_files("package", "folder", [(p.name, p.read_bytes()) for p in inputs])
    month = look(source).month
    with open_ledger(path, write=False) as ledger:
        history = queries.history(ledger.conn, before=month)
    where = shown_path(path)
    return history, (f"台账 {where} 中{month}以前的月份" if month else f"台账 {where}")
