"""`fpjc schemas build|check`: regenerate the published standard, or prove it is up to date."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from validator.commands.common import err, guarded, need_checkout, out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True)
    build = sub.add_parser("build", help="从 forms/ 重新生成 validator/data/standard.json 和 schemas/")
    build.add_argument("--out", type=Path, default=None, help="schemas 输出目录（默认：仓库里的 schemas/）")
    check = sub.add_parser("check", help="检查已提交的 standard.json 和 schemas/ 是否与 forms/ 一致")
    check.add_argument(
        "--out", type=Path, default=None, help="要检查的 schemas 目录（默认：仓库里的 schemas/）"
    )


def drift(schemas_dir: Path, standard_json: Path) -> list[str]:
    """Files whose committed content differs from what forms/ generates now."""
    from validator.builders import schemagen
    from validator.builders import standard_json as forms

    standard = forms.compile_standard()
    differing = []
    if not standard_json.exists() or standard_json.read_bytes() != forms.dump(standard).encode("utf-8"):
        differing.append(str(standard_json))
    with tempfile.TemporaryDirectory(prefix="fpjc-schemas-") as tmp:
        schemagen.write_tree(schemagen.generate(standard), Path(tmp))
        differing += [str(schemas_dir / rel) for rel in schemagen.compare_trees(Path(tmp), schemas_dir)]
    return differing


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    need_checkout("schemas")
    from validator import standard
    from validator.builders import schemagen
    from validator.builders import standard_json as forms
    from validator.builders.paths import ROOT

    target = args.out or ROOT / "schemas"
    try:
        if args.action == "build":
            forms.write_standard()
            standard.load.cache_clear()
            files = schemagen.generate(forms.compile_standard())
            schemagen.write_tree(files, target)
            out(f"已生成 {forms.STANDARD_JSON} 和 {target}/ 下 {len(files)} 个文件。\n")
            return 0
        differing = drift(target, forms.STANDARD_JSON)
    except forms.DefinitionError as exc:
        err(f"表单定义有误：{exc}")
        return 2
    if differing:
        lines = ["以下文件与 forms/ 中的定义不一致（手工改过，或改了定义后没有重新生成）："]
        lines += [f"  {path}" for path in differing]
        lines.append("请运行 `fpjc schemas build` 重新生成后再提交。")
        err("\n".join(lines))
        return 1
    out("schemas/ 和 standard.json 与 forms/ 一致。\n")
    return 0
