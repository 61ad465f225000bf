"""The command reference page: every `fpjc` command and option, walked from the real parser."""

from __future__ import annotations

import argparse
import re

from validator.commands.parser import EXAMPLES_TITLE, USAGE_PREFIX


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()


def walk_parser(parser: argparse.ArgumentParser, prefix: str = "") -> list[dict]:
    """Every command and sub-command with its options, depth first."""
    prog = (prefix + " " + parser.prog.split()[-1]).strip() if prefix else parser.prog
    options = []
    children = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                entry = walk_parser(sub, prog)
                entry[0]["help"] = helps.get(name) or sub.description or ""
                children.extend(entry)
            continue
        options.append(
            {
                "names": ", ".join(action.option_strings) if action.option_strings else action.dest,
                "positional": not action.option_strings,
                "metavar": _metavar(action),
                "default": _default(action),
                "choices": "、".join(str(c) for c in action.choices) if action.choices else "",
                "required": bool(action.required)
                if action.option_strings
                else action.nargs not in ("?", "*"),
                "help": (action.help or "") if action.help != argparse.SUPPRESS else "",
            }
        )
    usage = parser.format_usage().strip()
    usage = usage.removeprefix(USAGE_PREFIX).removeprefix("usage: ")
    me = {
        "prog": prog,
        "anchor": slug(prog.replace(" ", "-")),
        "description": parser.description or "",
        "help": "",
        "usage": usage,
        "examples": _examples(parser.epilog),
        "options": options,
    }
    return [me, *children]


def _examples(epilog: str | None) -> list[str]:
    """The command lines of a command's “例子：” epilog (validator.commands.parser.examples)."""
    if not epilog or not epilog.startswith(EXAMPLES_TITLE):
        return []
    return [line.strip() for line in epilog.splitlines()[1:] if line.strip()]


def _metavar(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.metavar:
        return action.metavar if isinstance(action.metavar, str) else " ".join(action.metavar)
    return action.dest.upper() if action.option_strings else action.dest


def _default(action: argparse.Action) -> str:
    d = action.default
    if d is None or d is argparse.SUPPRESS or action.nargs == 0 or d is False:
        return ""
    if isinstance(d, list | tuple):
        return " ".join(str(x) for x in d)
    return str(d)
