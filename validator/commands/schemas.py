"""`fpjc schemas export|build|check|release`: the published standard, for users and for maintainers.

`export` works wherever fpjc is installed: it writes the files of the installed standard, derived
from the package's own data, byte for byte as they are published at their `$id`. `build`, `check`
and `release` are the maintainer's: they read forms/ and write schemas/<version>/ in a checkout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from validator.commands.common import UsageError, cannot_write, err, guarded, need_checkout, out, run_files

SEMVER_ADVICE = (
    "只增加选填列、代码或放宽规则时增加次版本号（如 1.0.0 → 1.1.0），删除或改名列、增加必填列、"
    "收紧规则时增加主版本号（如 2.0.0），只改说明时增加修订号（如 1.0.1）"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True)
    export = sub.add_parser(
        "export",
        help="把已安装的数据标准（Table Schema、JSON Schema、代码表、设置、报告格式、Data Package 模板）写入一个文件夹",
    )
    export.add_argument("dir", type=Path, metavar="目录", help="写入的文件夹（不存在时新建）")
    build = sub.add_parser("build", help="维护者：从 forms/ 重新生成 validator/data/ 和 schemas/<版本>/")
    build.add_argument(
        "--out", type=Path, default=None, help="schemas 根目录（含各版本文件夹；默认：仓库里的 schemas/）"
    )
    check = sub.add_parser(
        "check", help="维护者：检查已提交的 schemas/ 和 validator/data/ 是否与 forms/ 一致"
    )
    check.add_argument(
        "--out", type=Path, default=None, help="要检查的 schemas 根目录（默认：仓库里的 schemas/）"
    )
    release = sub.add_parser("release", help="维护者：把当前版本记为已发布（此后该版本的文件不再改变）")
    release.add_argument("--date", metavar="YYYY-MM-DD", default=None, help="发布日期（默认今天）")
    release.add_argument("--out", type=Path, default=None, help="schemas 根目录（默认：仓库里的 schemas/）")


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator import standard as installed

    files = run_files()
    if args.action == "export":
        files.read("已安装的数据标准", installed.STANDARD_JSON.parent)
        files.output_folder("目录", args.dir)
        return _export(args.dir)
    need_checkout(f"schemas {args.action}")
    from validator.builders import releases
    from validator.builders import standard_json as forms

    root = args.out or releases.SCHEMAS_ROOT
    files.read("表单定义", forms.FORMS_DIR)
    if args.action == "check":
        if root.exists():
            files.read("--out", root)
        files.read("标准", forms.STANDARD_JSON)
    else:  # build and release write the version folder, the record and validator/data/
        files.output_folder("--out", root)
        files.output_file("standard.json", forms.STANDARD_JSON)
    try:
        standard = forms.compile_standard()
    except forms.DefinitionError as exc:
        err(f"表单定义有误：{exc}")
        return 2
    if args.action == "build":
        return _build(standard, root)
    if args.action == "release":
        return _release(standard, root, args.date)
    return _check(standard, root)


def _export(target: Path) -> int:
    from validator import published, standard

    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} 是一个文件，请给出一个文件夹")
    files = standard.published_files()
    try:
        published.write_tree(files, target)
    except OSError as exc:
        err(cannot_write(target, exc))
        return 2
    out(
        f"已把数据标准 {standard.version()} 的{len(files)}个文件写入 {target}/"
        f"（与 {standard.base_uri()}{standard.version()}/ 发布的文件相同）。\n"
    )
    return 0


def released_conflict(standard: dict, files: dict[str, str], root: Path) -> str | None:
    """Why these files cannot be written under the standard's version: it was released with others."""
    from validator.builders import releases

    version = standard["version"]
    entry = next((e for e in releases.load_record(root) if e["version"] == version), None)
    if entry is None or releases.digest(files) == entry["sha256"]:
        return None
    folder = root / version
    committed = releases.read_folder(folder) if folder.is_dir() else {}
    differing = [
        rel
        for rel in sorted(set(files) | set(committed))
        if rel not in releases.NOT_DIGESTED
        and (files[rel].encode("utf-8") if rel in files else None) != committed.get(rel)
    ]
    return "\n".join(
        [
            f"标准 {version} 已于 {entry['date']} 发布，已发布的版本不能再改，但 forms/ 生成的文件与它不同："
            + ("、".join(differing) if differing else "（文件夹缺失）"),
            f"请在 forms/standard.yaml 中改用新的版本号（{SEMVER_ADVICE}），在 CHANGELOG.md 写明已填的工作簿"
            "要改什么，然后运行 `fpjc schemas build`。",
        ]
    )


def _derived(standard: dict, root: Path) -> dict[Path, str]:
    """Every derived file outside the version folder: the index, standard.json and versions.json."""
    from validator.builders import releases
    from validator.builders import standard_json as forms
    from validator.published import generate

    files = generate(standard)
    return {
        root / releases.INDEX_NAME: releases.index_readme(standard, root),
        forms.STANDARD_JSON: forms.dump(standard),
        releases.VERSIONS_JSON: releases.dump_versions(
            releases.versions_data(standard["version"], files, root)
        ),
    }


def _build(standard: dict, root: Path) -> int:
    from validator import published, versions
    from validator import standard as installed

    files = published.generate(standard)
    conflict = released_conflict(standard, files, root)
    if conflict:
        err(conflict)
        return 1
    folder = root / standard["version"]
    if folder.exists():
        shutil.rmtree(folder)  # a file the standard no longer has must not stay published
    published.write_tree(files, folder)
    for path, text in _derived(standard, root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    installed.load.cache_clear()
    installed._published.cache_clear()
    versions.load.cache_clear()
    out(f"已生成 validator/data/ 和 {folder}/ 下{len(files)}个文件（标准 {standard['version']}）。\n")
    return 0


def drift(standard: dict, root: Path) -> list[str]:
    """Files whose committed content differs from what forms/ generates now (and broken releases)."""
    from validator import published
    from validator.builders import releases

    files = published.generate(standard)
    differing = []
    for path, text in _derived(standard, root).items():
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            differing.append(str(path))
    folder = root / standard["version"]
    with tempfile.TemporaryDirectory(prefix="fpjc-schemas-") as tmp:
        published.write_tree(files, Path(tmp))
        differing += [str(folder / rel) for rel in published.compare_trees(Path(tmp), folder)]
    return differing + releases.released_problems(root)


def _check(standard: dict, root: Path) -> int:
    from validator import published

    conflict = released_conflict(standard, published.generate(standard), root)
    if conflict:
        err(conflict)
        return 1
    differing = drift(standard, root)
    if differing:
        lines = ["以下文件与 forms/ 中的定义不一致（手工改过，或改了定义后没有重新生成）："]
        lines += [f"  {path}" for path in differing]
        lines.append("请运行 `fpjc schemas build` 重新生成后再提交。")
        err("\n".join(lines))
        return 1
    out(f"schemas/ 和 validator/data/ 与 forms/ 一致（标准 {standard['version']}）。\n")
    return 0


def _release(standard: dict, root: Path, date: str | None) -> int:
    from validator.builders import releases

    version = standard["version"]
    record = releases.load_record(root)
    done = next((e for e in record if e["version"] == version), None)
    if done:
        raise UsageError(
            f"标准 {version} 已于 {done['date']} 发布。要发布新版本，先在 forms/standard.yaml 改版本号"
            f"（{SEMVER_ADVICE}）并运行 fpjc schemas build。"
        )
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise UsageError(f"--date 的日期“{date}”不对，请写成 YYYY-MM-DD") from None
    differing = drift(standard, root)
    if differing:
        err(
            "发布前先运行 `fpjc schemas build`，以下文件与 forms/ 不一致：\n"
            + "\n".join(f"  {p}" for p in differing)
        )
        return 1
    folder = root / version
    entry = {
        "version": version,
        "date": day.isoformat(),
        "sha256": releases.digest(releases.read_folder(folder)),
    }
    (root / releases.RECORD_NAME).write_text(releases.dump_record([*record, entry]), encoding="utf-8")
    for path, text in _derived(standard, root).items():
        path.write_bytes(text.encode("utf-8"))
    out(f"已把标准 {version} 记为已发布（{entry['date']}）；今后改 forms/ 要先换新的版本号。\n")
    return 0
