"""The command line speaks Chinese: help, usage lines, argparse's own errors and examples.

Every case runs the real `fpjc` program in a child process (as a clerk types it) and reads what
it prints; nothing English from argparse may be left, and argparse itself stays untouched for
other code in the same interpreter.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from validator.cli import build_parser
from validator.commands.parser import translate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "valid-2020-07.xlsx"
ENGLISH = (
    "usage:",
    "error:",
    "unrecognized",
    "invalid choice",
    "the following arguments",
    "show this help",
    "positional arguments",
    "options:",
    "expected one argument",
    "invalid int value",
)


def fpjc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100", "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "validator", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def _commands() -> list[list[str]]:
    """Every command and sub-command, walked from the real parser."""
    found = [[]]

    def walk(parser, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*path, name])
                    walk(sub, [*path, name])

    walk(build_parser(), [])
    return found


COMMANDS = _commands()


def _no_english(text: str) -> None:
    left = [word for word in ENGLISH if word in text]
    assert left == [], text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "fpjc")
def test_every_help_is_chinese(command):
    proc = fpjc(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    _no_english(out)
    assert out.startswith("用法：fpjc")
    assert "选项：" in out and "显示本命令的帮助" in out


# Placeholders a clerk reads as a pattern to type, not as an English word.
PATTERNS = {"YYYY-MM-DD", "YYYY-MM", "N"}


def _placeholders(parser: argparse.ArgumentParser, path: list[str]) -> list[tuple[str, str]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _placeholders(sub, [*path, name])
        elif isinstance(action.metavar, str):
            found.append((" ".join(path) or "fpjc", action.metavar))
    return found


def test_every_placeholder_in_a_usage_line_is_chinese_or_a_pattern():
    english = [
        (command, metavar)
        for command, metavar in _placeholders(build_parser(), [])
        if metavar not in PATTERNS and metavar.isascii()
    ]
    assert english == []


def test_every_top_level_command_shows_examples():
    top = [c for c in COMMANDS if len(c) <= 1]
    assert len(top) >= 7
    for command in top:
        out = fpjc(*command, "-h").stdout
        assert "例子：" in out, command
        examples = out.split("例子：", 1)[1]
        want = f"fpjc {command[0]}" if command else "fpjc validate"
        assert want in examples, command


def test_help_columns_line_up_with_chinese_option_values():
    out = fpjc("validate", "-h").stdout
    # The help of --history starts in the same display column as the help of --today.
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip().startswith("--")}

    def help_column(line: str, text: str) -> int:
        import unicodedata

        before = line[: line.index(text)]
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in before)

    assert help_column(lines["--history"], "此前") == help_column(lines["--today"], "按此日期")


@pytest.mark.parametrize(
    "args, usage, message",
    [
        (["validate"], "用法：fpjc validate", "缺少必需的参数：报送包"),
        (["validate", str(EXAMPLE), "--bogus"], "用法：fpjc validate", "无法识别的参数：--bogus"),
        (["validate", str(EXAMPLE), "--format", "pdf"], "用法：fpjc validate", "'pdf' 不是可用的取值"),
        (["validate", str(EXAMPLE), "--format"], "用法：fpjc validate", "参数 --format：后面要写一个值"),
        (["frob"], "用法：fpjc ", "'frob' 不是可用的取值（可选：validate、"),
        (["schemas"], "用法：fpjc schemas", "缺少必需的参数：操作"),
        (
            ["examples", "bench", "--rows", "x", "--out", "o"],
            "用法：fpjc examples bench",
            "'x' 不是有效的整数",
        ),
        (["rollup", "--month"], "用法：fpjc rollup", "后面要写一个值"),
    ],
)
def test_argparse_errors_are_chinese_and_show_the_commands_usage(args, usage, message):
    proc = fpjc(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr
    _no_english(err)
    assert err.startswith(usage), err
    assert message in err
    assert "：错误：" in err and "-h 查看帮助和例子" in err


def test_a_wrong_option_after_validate_prints_validates_usage_not_fpjcs():
    err = fpjc("validate", str(EXAMPLE), "--stge", "submit").stderr
    assert err.startswith("用法：fpjc validate [-h]")
    assert "用法：fpjc [-h]" not in err
    assert "无法识别的参数：--stge submit" in err


def test_a_file_of_the_wrong_kind_is_named(tmp_path):
    report = tmp_path / "七月报表.pdf"
    report.write_bytes(b"%PDF-1.4\n")
    proc = fpjc("validate", str(report))
    assert proc.returncode == 2
    assert "七月报表.pdf" in proc.stderr and "“.pdf”" in proc.stderr
    _no_english(proc.stderr)


@pytest.mark.parametrize(
    "english, chinese",
    [
        # Python 3.11 quotes each choice; 3.12 and later do not.
        (
            "argument --format: invalid choice: 'pdf' (choose from 'text', 'json')",
            "参数 --format：'pdf' 不是可用的取值（可选：text、json）",
        ),
        (
            "argument --format: invalid choice: 'pdf' (choose from text, json)",
            "参数 --format：'pdf' 不是可用的取值（可选：text、json）",
        ),
        ("the following arguments are required: PATH, --rows", "缺少必需的参数：PATH、--rows"),
        ("unrecognized arguments: --a --b", "无法识别的参数：--a --b"),
        ("argument --rows: invalid int value: 'x'", "参数 --rows：'x' 不是有效的整数"),
        ("argument --out: expected one argument", "参数 --out：后面要写一个值"),
        (
            "ambiguous option: --st could match --stage, --strict",
            "选项 --st 不明确，可能是：--stage、--strict",
        ),
        ("something argparse adds one day", "something argparse adds one day"),
    ],
)
def test_translations(english, chinese):
    assert translate(english) == chinese


def test_argparse_itself_is_left_alone():
    """Other code in the same interpreter still gets argparse's own wording (no global patch)."""
    build_parser().format_help()
    plain = argparse.ArgumentParser(prog="other")
    plain.add_argument("--x")
    assert plain.format_usage().startswith("usage: other")
    assert "show this help message and exit" in plain.format_help()
