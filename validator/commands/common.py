"""What the commands share: the checking options, Chinese error handling and console output."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from validator.commands.paths import Refused, RunFiles

UNUSABLE = 2  # input unreadable or bad usage


class UsageError(Exception):
    """Bad usage found before validating; the message is Chinese."""


_shown = {"personal": False}  # --show-personal-data of the run in progress


def run_files(*, show_personal_data: bool = False) -> RunFiles:
    """The reads and writes of this run (`paths.RunFiles`), guarded until the run ends.

    Every command declares there each path it reads and each path it writes; messages name
    those paths with personal data in file names masked unless `show_personal_data`.
    """
    _shown["personal"] = show_personal_data
    return RunFiles(show=shown_path).start()


def shown_path(text: str) -> str:
    """A path or message as the clerk sees it: ID and phone numbers (and a name beside them)
    in file names masked unless --show-personal-data, undecodable bytes as U+FFFD."""
    from validator.values.mask import readable, scrub_names_in_paths

    return readable(text) if _shown["personal"] else scrub_names_in_paths(text)


STAGES = ("draft", "submit")


def add_check_options(parser: argparse.ArgumentParser, *, stage: str) -> None:
    """--stage, --settings, --history, --roster and --today, worded the same for every command
    that validates; `stage` is the command's default stage."""
    parser.add_argument(
        "--stage",
        choices=STAGES,
        default=stage,
        help=(
            "校验阶段：draft 自查草稿（盖章前；未盖章只作提示，逾期只作警告）；"
            "submit 上报核对（未盖章、逾期都是错误）。默认 " + stage
        ),
    )
    parser.add_argument(
        "--settings",
        metavar="文件",
        help="县设置文件（JSON）：改用县里的监测线、截止日顺延、节假日补充、研判部门等设置；不写时用内置设置",
    )
    parser.add_argument("--history", metavar="文件夹", help="此前各月报送包所在的文件夹，用于跨月检查")
    parser.add_argument("--roster", metavar="文件", help="建档立卡户名单（CSV 或 xlsx），用于核对户的身份")
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="按此日期校验期限（默认今天），用于补查以前的月份"
    )


def load_settings(path: str | None):
    """The run's settings from --settings (built-in when not given); a bad file is bad input."""
    from validator.settings import builtin, load_file

    return builtin() if path is None else load_file(path)


def add_color_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-color", action="store_true", help="终端输出不用颜色（也可设置环境变量 NO_COLOR）"
    )


def guarded(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command so that no user ever sees a traceback: Chinese messages, exit status 2."""
    from validator.commands import paths

    try:
        return _unless_out_of_memory(run, args)
    except UsageError as exc:
        err(f"用法错误：{exc}")
        return UNUSABLE
    except Refused as exc:
        err(str(exc))
        return UNUSABLE
    except KeyboardInterrupt:
        err("已中断。")
        return UNUSABLE
    except BrokenPipeError:
        # The reader of a pipe (e.g. `| head`) went away: nothing left to say.
        quiet_stdout()
        return UNUSABLE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("FPJC_DEBUG"):
            raise
        err(
            f"fpjc 出现内部错误（{type(exc).__name__}）。这是程序的缺陷，不是您填写的问题。"
            "请把这条消息和所用的命令报告给维护者（不要附带含个人信息的文件）；"
            "设置环境变量 FPJC_DEBUG=1 后重新运行可看到详细信息。"
        )
        return UNUSABLE
    finally:
        for active in list(paths._active):
            active.finish()
        _shown["personal"] = False


def _unless_out_of_memory(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run; on MemoryError let go of everything the run held, then say so in Chinese (exit 2).

    The message is printed after the except clause, when the exception and the frames it
    kept alive are gone: a failing allocation is often a big one, and what it leaves may be
    too little to format even a short message.
    """
    try:
        return run(args)
    except MemoryError:
        pass
    gc.collect()
    err(
        "内存不足，校验没有完成。请关闭其他程序后重试；报送包很大时，可把各表拆成几个较小的文件分别校验，"
        "或换一台内存更大的电脑。"
    )
    return UNUSABLE


def need_checkout(command: str) -> None:
    """Maintainer commands read forms/ and write the repository: refuse them outside a checkout."""
    from validator.builders.paths import ROOT, in_checkout

    if not in_checkout():
        raise UsageError(
            f"fpjc {command} 是维护者命令，要在 fpjc 的源码仓库中运行（需要 forms/ 目录和开发依赖："
            f"pip install -e '.[dev]'）；没有找到 {ROOT / 'forms'}"
        )


def cannot_write(output: Path, exc: OSError) -> str:
    return (
        f"无法写入 {shown_path(str(output))}（文件可能正在 Excel 或 WPS 中打开，或没有写入权限；"
        f"请关闭它或换一个位置）：{exc.strerror or type(exc).__name__}"
    )


def deliver_report(
    report: dict, args: argparse.Namespace, files: RunFiles, output: Path | None, inputs, status: int
) -> int:
    """Write a check's report as `args.format` asks (text, json, html, or the annotated xlsx copy of
    `inputs`) to `output` or the screen; the exit status is `status`, or 2 when it cannot be written.

    When the annotated copy cannot be made, the clerk still gets the text report and the reason.
    """
    from validator.render import verdict
    from validator.values.mask import readable

    if args.format == "xlsx":
        from validator.render.xlsx import AnnotateError, annotated_bytes

        try:
            data = annotated_bytes(inputs if len(inputs) > 1 else inputs[0], report)
        except AnnotateError as exc:
            from validator.render.text import render_text

            out(render_text(report, color=want_color(args)))
            err(f"未生成标注版 Excel：{exc}\n以上是文字版校验报告。")
            return status
        try:
            files.write_bytes(output, data)
        except OSError as exc:
            err(cannot_write(output, exc))
            return UNUSABLE
        out(f"{verdict(report)}\n标注版 Excel 已写入：{shown_path(str(output))}\n")
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
        return status
    try:
        files.write_text(output, readable(body))
    except OSError as exc:
        err(cannot_write(output, exc))
        return UNUSABLE
    err(f"{verdict(report)}\n报告已写入：{shown_path(str(output))}")
    return status


def parse_today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today 的日期“{text}”不对，请写成 YYYY-MM-DD，例如 2020-08-10") from None


def want_color(args: argparse.Namespace) -> bool:
    if args.no_color or os.environ.get("NO_COLOR"):
        return False
    if not (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()):
        return False
    return enable_windows_ansi() if sys.platform == "win32" else True


def enable_windows_ansi() -> bool:
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


def out(text: str, *, utf8: bool = False) -> None:
    """Write to stdout; JSON and HTML always as UTF-8 bytes, text in the console's encoding."""
    from validator.values.mask import readable

    text = readable(text)
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


def err(text: str) -> None:
    """A message on stderr; paths in it are shown as `shown_path` shows them."""
    text = shown_path(text)
    try:
        print(text, file=sys.stderr)
    except UnicodeEncodeError:
        print(text.encode("ascii", errors="backslashreplace").decode("ascii"), file=sys.stderr)


def quiet_stdout() -> None:
    # Point stdout at devnull so the interpreter's final flush does not fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
