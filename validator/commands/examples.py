"""`fpjc examples build|bench`: write the synthetic example packages, or a large benchmark package.

Maintainer-only: the writers are `validator.builders.examples`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from validator.commands.common import UsageError, guarded, need_checkout, out, run_files


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="操作", required=True)
    build = sub.add_parser("build", help="生成 examples/ 下的合成示例报送包（CSV 文件夹和 xlsx）")
    build.add_argument("--out", type=Path, default=None, help="输出目录（默认：仓库里的 examples/）")
    build.add_argument("--no-xlsx", action="store_true", help="只写 CSV 文件夹")
    bench = sub.add_parser("bench", help="生成 N 行附件1 的基准测试报送包（CSV + datapackage.json）")
    bench.add_argument("--rows", type=int, required=True, help="附件1 的数据行数")
    bench.add_argument("--out", type=Path, required=True, help="输出文件夹")
    bench.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    bench.add_argument(
        "--headers",
        choices=("name", "title"),
        default="name",
        help="列标题用英文字段名（name，frictionless 也能按名对上）或中文标题（title）",
    )
    bench.add_argument(
        "--mistakes", action="store_true", help="每一行都放一个错误（测量问题很多时的速度和内存）"
    )


def run(args: argparse.Namespace) -> int:
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    from validator import standard
    from validator.builders import examples
    from validator.builders.paths import FORMS_DIR, ROOT

    files = run_files()
    files.read("标准定义", standard.STANDARD_JSON)
    if FORMS_DIR.is_dir():
        files.read("表单定义", FORMS_DIR)

    if args.action == "bench":
        if args.rows < 0:
            raise UsageError("--rows 不能是负数。")
        files.output_folder("--out", args.out)
        count = examples.bench(
            args.out, args.rows, seed=args.seed, headers=args.headers, mistakes=args.mistakes
        )
        out(f"已在 {args.out}/ 写入附件1 {count}行。\n")
        return 0
    need_checkout("examples build")
    target = files.output_folder("--out", args.out or ROOT / "examples")
    written = examples.build(target, xlsx=not args.no_xlsx)
    out(f"已生成{len(written)}个示例（{target}/）。\n")
    return 0
