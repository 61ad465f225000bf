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
    cannot_write,
    err,
    guarded,
    load_settings,
    out,
    parse_today,
    want_color,
)

FORMATS = ("text", "json", "html", "xlsx")
OK, ERRORS, UNUSABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="报送包：文件夹（可含 datapackage.json）、zip、xlsx 工作簿或一个或多个 CSV 文件",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="报告格式：text（终端文字，默认）、json、html（独立网页）、xlsx（标注版 Excel）",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="报告写入此文件；不写时输出到屏幕。xlsx 格式不写时在当前目录生成“<名称>.校验结果.xlsx”",
    )
    add_check_options(parser, stage="draft")
    parser.add_argument(
        "--show-personal-data",
        action="store_true",
        help="在报告中显示完整的姓名、身份证号和电话（默认打码）；只在自己的电脑上使用",
    )
    add_color_option(parser)


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator.tables import InputError

    today = parse_today(args.today)
    inputs = [Path(p) for p in args.paths]
    for p in inputs:
        if not p.exists():
            raise UsageError(f"找不到 {p}，请检查路径是否写对")
    output = Path(args.output) if args.output else None
    if args.format == "xlsx" and sum(p.suffix.lower() in (".xlsx", ".xlsm") for p in inputs) > 1:
        raise UsageError("--format xlsx 一次只能标注一个工作簿，请分别校验每个 .xlsx 文件")
    if args.format == "xlsx" and output is None:
        output = Path.cwd() / f"{_stem(inputs[0])}.校验结果.xlsx"
    read = inputs + [Path(p) for p in (args.settings, args.roster) if p]
    if output is not None:
        _refuse_overwrite(output, read)
        if output.is_dir():
            raise UsageError(f"--output 应是一个文件，{output} 是文件夹")

    from validator import api
    from validator.settings import SettingsError

    try:
        settings = load_settings(args.settings)
        report = api.validate(
            [str(p) for p in inputs],
            history=args.history,
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
    if args.format == "xlsx":
        from validator.render import verdict
        from validator.render.xlsx import AnnotateError, annotate_workbook

        try:
            annotate_workbook(inputs if len(inputs) > 1 else inputs[0], report, output)
        except AnnotateError as exc:
            err(str(exc))
            return UNUSABLE
        except OSError as exc:
            err(cannot_write(output, exc))
            return UNUSABLE
        out(f"{verdict(report)}\n标注版 Excel 已写入：{output}\n")
        return status

    if args.format == "json":
        import json

        body = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        from validator.render.html import render_html

        body = render_html(report)
    else:
        from validator.render.text import render_text

        body = render_text(report, color=output is None and want_color(args))

    if output is None:
        out(body, utf8=args.format != "text")
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(body, encoding="utf-8", newline="\n")
        except OSError as exc:
            err(cannot_write(output, exc))
            return UNUSABLE
        from validator.render import verdict

        err(f"{verdict(report)}\n报告已写入：{output}")
    return status


def _stem(path: Path) -> str:
    name = path.resolve().name if path.name in ("", ".", "..") else path.name
    return name[: -len(path.suffix)] if path.suffix and path.is_file() else name


def _refuse_overwrite(output: Path, inputs: list[Path]) -> None:
    target = output.resolve()
    for p in inputs:
        src = p.resolve()
        if target == src or (src.is_dir() and src in target.parents):
            raise UsageError(f"输出文件 {output} 会覆盖或写进被校验的输入 {p}；请用 --output 指定别的位置")
