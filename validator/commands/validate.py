"""`fpjc validate`: check submission packages and report in text, JSON, HTML or an annotated workbook.

Exit status (SPEC §8): 0 no error (warnings allowed), 1 errors found, 2 input unreadable or
bad usage. User mistakes get a Chinese message on stderr, never a traceback; an unexpected
failure says it is a bug and names the exception type (FPJC_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

FORMATS = ("text", "json", "html", "xlsx")
OK, ERRORS, UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Bad usage found before validating; the message is Chinese."""


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
    parser.add_argument("--history", metavar="DIR", help="此前各月报送包所在的文件夹，用于跨月检查")
    parser.add_argument("--roster", metavar="FILE", help="建档立卡户名单（CSV 或 xlsx），用于核对户的身份")
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="按此日期校验期限（默认今天），用于补查以前的月份"
    )
    parser.add_argument(
        "--show-personal-data",
        action="store_true",
        help="在报告中显示完整的姓名、身份证号和电话（默认打码）；只在自己的电脑上使用",
    )
    parser.add_argument(
        "--no-color", action="store_true", help="终端输出不用颜色（也可设置环境变量 NO_COLOR）"
    )


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        _err(f"用法错误：{exc}")
        return UNUSABLE
    except KeyboardInterrupt:
        _err("已中断。")
        return UNUSABLE
    except BrokenPipeError:
        # The reader of a pipe (e.g. `| head`) went away: nothing left to say.
        _quiet_stdout()
        return UNUSABLE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("FPJC_DEBUG"):
            raise
        _err(
            f"fpjc 出现内部错误（{type(exc).__name__}）。这是程序的缺陷，不是您填写的问题。"
            "请把这条消息和所用的命令报告给维护者（不要附带含个人信息的文件）；"
            "设置环境变量 FPJC_DEBUG=1 后重新运行可看到详细信息。"
        )
        return UNUSABLE


def _run(args: argparse.Namespace) -> int:
    from validator.tables import InputError

    today = _parse_today(args.today)
    inputs = [Path(p) for p in args.paths]
    for p in inputs:
        if not p.exists():
            raise UsageError(f"找不到 {p}，请检查路径是否写对")
    output = Path(args.output) if args.output else None
    if args.format == "xlsx" and sum(p.suffix.lower() in (".xlsx", ".xlsm") for p in inputs) > 1:
        raise UsageError("--format xlsx 一次只能标注一个工作簿，请分别校验每个 .xlsx 文件")
    if args.format == "xlsx" and output is None:
        output = Path.cwd() / f"{_stem(inputs[0])}.校验结果.xlsx"
    if output is not None:
        _refuse_overwrite(output, inputs)
        if output.is_dir():
            raise UsageError(f"--output 应是一个文件，{output} 是文件夹")

    from validator import api

    try:
        report = api.validate(
            [str(p) for p in inputs],
            history=args.history,
            roster=args.roster,
            today=today,
            show_personal_data=args.show_personal_data,
        )
    except InputError as exc:
        _err(f"无法读取：{exc}")
        return UNUSABLE

    status = OK if report["valid"] else ERRORS
    if args.format == "xlsx":
        from validator.render import verdict
        from validator.render.xlsx import AnnotateError, annotate_workbook

        try:
            annotate_workbook(inputs if len(inputs) > 1 else inputs[0], report, output)
        except AnnotateError as exc:
            _err(str(exc))
            return UNUSABLE
        except OSError as exc:
            _err(_cannot_write(output, exc))
            return UNUSABLE
        _out(f"{verdict(report)}\n标注版 Excel 已写入：{output}\n")
        return status

    if args.format == "json":
        import json

        body = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        from validator.render.html import render_html

        body = render_html(report)
    else:
        from validator.render.text import render_text

        body = render_text(report, color=output is None and _want_color(args))

    if output is None:
        _out(body, utf8=args.format != "text")
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(body, encoding="utf-8", newline="\n")
        except OSError as exc:
            _err(_cannot_write(output, exc))
            return UNUSABLE
        from validator.render import verdict

        _err(f"{verdict(report)}\n报告已写入：{output}")
    return status


def _cannot_write(output: Path, exc: OSError) -> str:
    return (
        f"无法写入 {output}（文件可能正在 Excel 或 WPS 中打开，或没有写入权限；"
        f"请关闭它或换一个位置）：{exc.strerror or type(exc).__name__}"
    )


def _parse_today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today 的日期“{text}”不对，请写成 YYYY-MM-DD，例如 2020-08-10") from None


def _stem(path: Path) -> str:
    name = path.resolve().name if path.name in ("", ".", "..") else path.name
    return name[: -len(path.suffix)] if path.suffix and path.is_file() else name


def _refuse_overwrite(output: Path, inputs: list[Path]) -> None:
    target = output.resolve()
    for p in inputs:
        src = p.resolve()
        if target == src or (src.is_dir() and src in target.parents):
            raise UsageError(f"输出文件 {output} 会覆盖或写进被校验的输入 {p}；请用 --output 指定别的位置")


def _want_color(args: argparse.Namespace) -> bool:
    if args.no_color or os.environ.get("NO_COLOR"):
        return False
    if not (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()):
        return False
    return _enable_windows_ansi() if sys.platform == "win32" else True


def _enable_windows_ansi() -> bool:
    """Turn on escape-code handling in the Windows console; False (no colour) if it cannot be."""
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(
            kernel32.SetConsoleMode(handle, mode.value | 0x0004)
        )  # ENABLE_VIRTUAL_TERMINAL_PROCESSING
    except Exception:  # noqa: BLE001 - colour is a nicety
        return False


def _out(text: str, *, utf8: bool = False) -> None:
    """Write to stdout; JSON and HTML always as UTF-8 bytes, text in the console's encoding."""
    if utf8 and hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        sys.stdout.write(text.encode(encoding, errors="replace").decode(encoding))
    sys.stdout.flush()


def _err(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except UnicodeEncodeError:
        print(text.encode("ascii", errors="backslashreplace").decode("ascii"), file=sys.stderr)


def _quiet_stdout() -> None:
    # Point stdout at devnull so the interpreter's final flush does not fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
