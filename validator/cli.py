"""The `fpjc` command line: a thin dispatcher over the sub-command modules."""

from __future__ import annotations

import argparse
import importlib
import sys

from validator import __version__, standard
from validator.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    """The `fpjc` argument parser with every sub-command (the site's command page is made from it)."""
    parser = argparse.ArgumentParser(
        prog="fpjc",
        description="鹤庆县防止返贫致贫预警监测：报送包校验、模板与标准生成工具",
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
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run `fpjc` with `argv` (default: the command line); returns the exit status 0, 1 or 2."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, the exit status of bad usage
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
