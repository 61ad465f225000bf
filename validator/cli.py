"""The `fpjc` command line: a thin dispatcher over the sub-command modules."""

from __future__ import annotations

import argparse
import importlib
import sys

from validator import __version__, standard
from validator.commands import COMMANDS
from validator.commands.parser import ArgumentParser, examples


def build_parser() -> argparse.ArgumentParser:
    """The `fpjc` argument parser with every sub-command (the site's command page is made from it)."""
    parser = ArgumentParser(
        prog="fpjc",
        description="鹤庆县防止返贫致贫预警监测：报送包校验、模板与标准生成工具",
        epilog=examples(
            "fpjc validate 云鹤镇2020年7月.xlsx      （自查一个报送工作簿）",
            "fpjc template                          （生成空白填报模板和打印表）",
            "fpjc validate -h                       （看 validate 命令的全部选项和例子）",
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"fpjc {__version__}（数据标准 {standard.version()}）",
        help="显示程序版本和数据标准版本后退出",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        epilog = getattr(module, "EXAMPLES", None)
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=epilog)
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _parser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run `fpjc` with `argv` (default: the command line); returns the exit status 0, 1 or 2."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            # A wrong option after a command is that command's mistake: show its usage, not fpjc's.
            getattr(args, "_parser", parser).error("unrecognized arguments: " + " ".join(extra))
    except SystemExit as exc:  # argparse exits 2 on bad usage, the exit status of bad usage
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
