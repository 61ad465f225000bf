"""`fpjc template`: blank Excel workbooks, CSV templates and printable forms from the standard.

What is written where: `validator.outputs.templates`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from validator import standard
from validator.commands.common import UsageError, cannot_write, err, guarded, out, run_files
from validator.outputs import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        metavar="目录",
        default=None,
        help="输出目录（默认：当前目录下的 fpjc-模板-<标准版本>）",
    )
    parser.add_argument(
        "--form",
        metavar="表",
        action="append",
        default=None,
        help="只生成这张表（如 annex1、附件1、assessment、县级研判记录），可重复；默认全部，并生成报送工作簿和县设置样例.json",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "all"),
        default="all",
        help="生成哪种格式：xlsx、csv、html（打印表）或 all（默认）",
    )


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator.outputs.printable import LAYOUT_DIR
    from validator.outputs.templates import write_templates

    files = run_files()
    files.read("标准定义", standard.STANDARD_JSON)
    if LAYOUT_DIR.is_dir():
        files.read("打印表版式", LAYOUT_DIR)

    forms = None
    if args.form:
        try:
            forms = [standard.find_form(name) for name in args.form]
        except KeyError as exc:
            known = "、".join(f"{f['id']}（{f['title']}）" for f in standard.forms())
            raise UsageError(f"没有名为“{exc.args[0]}”的表。可用的表：{known}") from None
    formats = FORMATS if args.format == "all" else (args.format,)
    out_dir = files.output_folder(
        "--out", Path(args.out) if args.out else Path(f"fpjc-模板-{standard.version()}")
    )
    try:
        written = write_templates(out_dir, forms=forms, formats=formats)
    except FileNotFoundError as exc:
        # The print layouts are package data: missing only from a broken installation.
        err(f"fpjc template：找不到文件 {exc.filename}：{exc.strerror}")
        return 2
    except OSError as exc:
        err(cannot_write(out_dir, exc))
        return 2
    lines = [f"已在 {out_dir} 生成{len(written)}个文件（标准 {standard.version()} 版）："]
    lines += [f"  {path.relative_to(out_dir)}" for path in written]
    out("\n".join(lines) + "\n")
    return 0
