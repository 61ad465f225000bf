"""`fpjc validate-changed FILE...`: validate every submission package the given files belong to.

Made for pre-commit (`.pre-commit-hooks.yaml` passes the staged files) and CI (`git ls-files -z`
or `git diff -z --name-only` piped into `--files-from -`): the files are grouped into packages first, because a package can be a
folder. An .xlsx or .zip is a package by itself; a CSV file or datapackage.json belongs to the
nearest folder above it that holds a datapackage.json (else to the folder it is in), and that
folder is validated once, whole. Other files (README.md, Excel's ~$ lock files, annotated copies
named *.校验结果.xlsx) are skipped and counted. Exit status: 2 if any package cannot be read, else
1 if any has an error, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from validator.commands.common import (
    UsageError,
    add_check_options,
    add_color_option,
    err,
    guarded,
    load_settings,
    out,
    parse_today,
    run_files,
    shown_path,
    want_color,
)

PACKAGE_SUFFIXES = (".xlsx", ".xlsm", ".zip")
OK, ERRORS, UNUSABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="FILE",
        help="改动过的文件或文件夹；xlsx、zip 各是一个报送包，CSV 和 datapackage.json 按所在的报送包文件夹整体校验",
    )
    parser.add_argument(
        "--files-from",
        metavar="FILE",
        help="再从这个文件读取路径，每行一个或以 NUL 分隔（git ls-files -z）；写 - 表示标准输入",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help='text（每个报送包一份文字报告，默认）或 json（{"packages": [...]}，每项含 path 和 report 或 error）',
    )
    add_check_options(parser, stage="draft")
    add_color_option(parser)


def package_of(path: Path, top: Path) -> Path | None:
    """The package a changed file belongs to, or None when it is not part of a submission."""
    name = path.name
    if name.startswith("~$") or name.endswith(".校验结果.xlsx"):
        return None
    if path.is_dir():
        return path
    suffix = path.suffix.lower()
    if suffix in PACKAGE_SUFFIXES:
        return path if path.is_file() else None  # a deleted workbook leaves nothing to check
    if suffix != ".csv" and name != "datapackage.json":
        return None
    folder = path.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "datapackage.json").is_file():
            return candidate
        if candidate.resolve() == top:
            break
    return folder if folder.is_dir() and any(folder.glob("*.csv")) else None


def packages_of(paths: list[Path], top: Path | None = None) -> tuple[list[Path], list[Path]]:
    """(packages in the order first named, skipped paths); each package once."""
    top = (top or Path.cwd()).resolve()
    packages: list[Path] = []
    seen: set[Path] = set()
    skipped: list[Path] = []
    for path in paths:
        package = package_of(path, top)
        if package is None:
            skipped.append(path)
            continue
        key = package.resolve()
        if key not in seen:
            seen.add(key)
            packages.append(package)
    return packages, skipped


def _listed(source: str | None) -> list[str]:
    """Paths named in a list file or on standard input: NUL-separated if there is a NUL, else by line."""
    if source is None:
        return []
    if source == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise UsageError(
                f"无法读取 --files-from 的文件 {source}：{exc.strerror or type(exc).__name__}"
            ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("--files-from 的内容应是 UTF-8 编码的路径") from None
    parts = text.split("\0") if "\0" in text else text.splitlines()
    return [p for p in parts if p.strip()]


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator import api
    from validator.render.text import render_text
    from validator.settings import SettingsError
    from validator.tables import InputError

    files = run_files()
    today = parse_today(args.today)
    if args.files_from and args.files_from != "-":
        files.read("--files-from 的文件", args.files_from)
    if args.history:
        files.read("历史报送包（--history）", args.history)
    if args.roster:
        files.read("建档立卡名单（--roster）", args.roster)
    if args.settings:
        files.read("县设置文件（--settings）", args.settings)
    try:
        settings = load_settings(args.settings)  # read once: every package is checked with the same
    except SettingsError as exc:
        err(str(exc))
        return UNUSABLE
    paths = [Path(p) for p in args.paths] + [Path(p) for p in _listed(args.files_from)]
    packages, skipped = packages_of(paths)
    for package in packages:  # this command writes nothing; a named pipe must not hang it
        files.read("报送包", package)
    color = args.format == "text" and want_color(args)
    results = []
    status = OK
    for i, package in enumerate(packages, 1):
        try:
            report = api.validate(
                [package],
                history=args.history,
                roster=args.roster,
                today=today,
                stage=args.stage,
                settings=settings,
            )
        except InputError as exc:
            results.append({"path": shown_path(str(package)), "error": shown_path(str(exc))})
            status = UNUSABLE
            if args.format == "text":
                out(shown_path(f"【{i}/{len(packages)}】{package}\n无法读取：{exc}\n\n"))
            continue
        results.append({"path": shown_path(str(package)), "report": report})
        if not report["valid"] and status == OK:
            status = ERRORS
        if args.format == "text":
            out(f"【{i}/{len(packages)}】{shown_path(str(package))}\n{render_text(report, color=color)}\n")
    if args.format == "json":
        body = {"valid": status == OK, "packages": results, "skipped": [shown_path(str(p)) for p in skipped]}
        out(json.dumps(body, ensure_ascii=False, indent=2) + "\n", utf8=True)
        return status
    passed = sum(1 for r in results if r.get("report", {}).get("valid"))
    failed = sum(1 for r in results if "report" in r and not r["report"]["valid"])
    unreadable = sum(1 for r in results if "error" in r)
    summary = f"共{len(packages)}个报送包：{passed}个通过，{failed}个有错误，{unreadable}个无法读取"
    if skipped:
        summary += f"；{len(skipped)}个文件不是报送文件，已跳过"
    if not packages:
        summary = "没有要校验的报送包" + (f"（{len(skipped)}个文件不是报送文件，已跳过）" if skipped else "")
    err(summary + "。")
    return status
