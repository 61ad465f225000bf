"""argparse in Chinese: help, usage lines and argparse's own error messages.

`ArgumentParser` here is the class of every `fpjc` parser (sub-commands inherit it through
`add_subparsers`). It does not touch gettext or the argparse module: the section titles, the
`-h` option and the usage prefix are set per parser, and the English errors argparse builds
internally are translated in `error()`, the one method every parsing error goes through.
Help text wraps by display width, so Chinese lines fill the terminal instead of half of it.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata

USAGE_PREFIX = "用法："
HELP_HELP = "显示本命令的帮助（选项和例子）后退出"
POSITIONALS_TITLE = "位置参数"
OPTIONALS_TITLE = "选项"
EXAMPLES_TITLE = "例子："

_TYPE_NAMES = {"int": "整数", "float": "数字", "Path": "路径"}

# argparse's messages (Python 3.11–3.14) → Chinese. Argument names and values stay as typed.
_INNER = [
    (
        re.compile(r"^invalid choice: (.+?) \(choose from (.+)\)$"),
        lambda m: f"{m[1]} 不是可用的取值（可选：{_choices(m[2])}）",
    ),
    (re.compile(r"^invalid (\w+) value: (.+)$"), lambda m: f"{m[2]} 不是有效的{_TYPE_NAMES.get(m[1], m[1])}"),
    (re.compile(r"^expected one argument$"), lambda m: "后面要写一个值"),
    (re.compile(r"^expected at least one argument$"), lambda m: "后面至少要写一个值"),
    (re.compile(r"^expected at most one argument$"), lambda m: "后面最多写一个值"),
    (re.compile(r"^expected (\d+) arguments?$"), lambda m: f"后面要写{m[1]}个值"),
    (re.compile(r"^not allowed with argument (.+)$"), lambda m: f"不能与 {m[1]} 同时使用"),
    (re.compile(r"^ignored explicit argument (.+)$"), lambda m: f"不接受值 {m[1]}"),
]
_OUTER = [
    (
        re.compile(r"^the following arguments are required: (.+)$"),
        lambda m: f"缺少必需的参数：{_names(m[1])}",
    ),
    (re.compile(r"^unrecognized arguments?: (.+)$"), lambda m: f"无法识别的参数：{m[1]}"),
    (
        re.compile(r"^one of the arguments (.+) is required$"),
        lambda m: f"以下参数须提供其中一个：{_names(m[1])}",
    ),
    (
        re.compile(r"^ambiguous option: (\S+) could match (.+)$"),
        lambda m: f"选项 {m[1]} 不明确，可能是：{_names(m[2])}",
    ),
    (re.compile(r"^argument (.+?): (.+)$", re.S), lambda m: f"参数 {m[1]}：{_translate(_INNER, m[2])}"),
]


def _choices(text: str) -> str:
    return "、".join(part.strip().strip("'\"") for part in text.split(","))


def _names(text: str) -> str:
    return "、".join(part.strip() for part in text.split(","))


def _translate(table, message: str) -> str:
    for pattern, make in table:
        m = pattern.match(message.strip())
        if m:
            return make(m)
    return message


def translate(message: str) -> str:
    """argparse's English error message in Chinese (unknown messages are returned unchanged)."""
    return _translate(_OUTER, message)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """“用法：” and help text wrapped by display width (a Chinese character takes two columns);
    the description and the examples (epilog) keep their own line breaks."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)

    def format_help(self):
        # Section headings (位置参数, 选项) end with a full-width colon like the rest of the text.
        return re.sub(r"^( *[^\s:]+):$", r"\1：", super().format_help(), flags=re.M)

    def add_argument(self, action):
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            # Align the help column by display width: 文件 takes four columns, not two.
            widths = [_width(self._format_action_invocation(action)) + self._current_indent]
            self._indent()
            widths += [
                _width(self._format_action_invocation(sub)) + self._current_indent
                for sub in self._iter_indented_subactions(action)
            ]
            self._dedent()
            self._action_max_length = max(self._action_max_length, *widths)

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_lines = []
        if action.help and action.help is not argparse.SUPPRESS:
            help_lines = self._split_lines(self._expand_help(action), max(self._width - help_position, 11))
        head = " " * self._current_indent + self._format_action_invocation(action)
        lines = [head]
        if help_lines and _width(head) + 2 <= help_position:
            lines = [head + " " * (help_position - _width(head)) + help_lines.pop(0)]
        lines += [" " * help_position + line for line in help_lines]
        text = "\n".join(lines) + "\n"
        self._indent()
        for sub in self._iter_indented_subactions(action):
            text += self._format_action(sub)
        self._dedent()
        return text

    def _split_lines(self, text, width):
        lines: list[str] = []
        for paragraph in " ".join(text.split()).splitlines() or [""]:
            line = ""
            for token in re.findall(r"[A-Za-z0-9_./<>\-\[\]{}=|:*'\"]+|\s+|.", paragraph):
                if line and _width(line + token.rstrip()) > width:
                    lines.append(line.rstrip())
                    line = token.lstrip()
                else:
                    line += token
            lines.append(line.rstrip())
        return lines


class ArgumentParser(argparse.ArgumentParser):
    """A parser whose help and errors are Chinese; bad usage prints this command's usage and
    a Chinese message on standard error and exits with status 2."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = POSITIONALS_TITLE
        self._optionals.title = OPTIONALS_TITLE
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP_HELP)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{translate(message)}\n运行 {self.prog} -h 查看帮助和例子。\n")


def examples(*lines: str) -> str:
    """The epilog of a command: “例子：” and one indented command line each."""
    return EXAMPLES_TITLE + "\n" + "\n".join(f"  {line}" for line in lines)
