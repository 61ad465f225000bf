"""`fpjc template`: blank Excel workbooks, CSV templates and printable forms from the standard.

Output layout (also what the site build publishes, via `build_all`):

    fpjc-模板-<version>.xlsx   submission workbook: 填表说明, 报送信息, 附件1–3
    xlsx/<表名>.xlsx           one workbook per form (e.g. xlsx/附件1.xlsx, xlsx/县级研判记录.xlsx)
    csv/<表名>.csv             CSV template per form, UTF-8 with BOM, header row only
    print/<表名>.html          printable blank form per form, A4 landscape
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("xlsx", "csv", "html")


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
        help="只生成这张表（如 annex1、附件1、assessment、县级研判记录），可重复；默认全部，并生成报送工作簿",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "all"),
        default="all",
        help="生成哪种格式：xlsx、csv、html（打印表）或 all（默认）",
    )


def resolve_form(name: str) -> str:
    """A form id from an id, a Chinese title, a full title or an alias (附件1, 县级研判 …)."""
    from validator import standard

    wanted = name.strip()
    for form in standard.forms():
        names = {form["id"], form["title"], form["full_title"], f"{form['title']} {form['full_title']}"}
        names.update(form.get("aliases") or [])
        if wanted in names or wanted.lower() == form["id"]:
            return form["id"]
    raise KeyError(name)


def build(out_dir: Path, *, forms: list[str] | None = None, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the requested templates into `out_dir`; the submission workbook only when `forms` is None."""
    from validator import standard
    from validator.csv_template import write_csv_templates
    from validator.printable import write_printables
    from validator.xlsx_template import write_workbooks

    out_dir = Path(out_dir)
    ids = forms or [f["id"] for f in standard.forms()]
    written: list[Path] = []
    if "xlsx" in formats:
        written.extend(write_workbooks(out_dir, forms))
    if "csv" in formats:
        written.extend(write_csv_templates(out_dir / "csv", ids))
    if "html" in formats:
        written.extend(write_printables(out_dir / "print", ids))
    return written


def build_all(out_dir: Path) -> list[Path]:
    """Everything the site publishes: the submission workbook and every form in every format."""
    return build(Path(out_dir))


def run(args: argparse.Namespace) -> int:
    from validator import standard

    forms = None
    if args.form:
        try:
            forms = [resolve_form(name) for name in args.form]
        except KeyError as exc:
            known = "、".join(f"{f['id']}（{f['title']}）" for f in standard.forms())
            print(f"fpjc template：没有名为“{exc.args[0]}”的表。可用的表：{known}", file=sys.stderr)
            return 2
    formats = FORMATS if args.format == "all" else (args.format,)
    out_dir = Path(args.out) if args.out else Path(f"fpjc-模板-{standard.version()}")
    try:
        written = build(out_dir, forms=forms, formats=formats)
    except FileNotFoundError as exc:
        # The print layouts live in forms/print of the source tree, not in an installed wheel.
        print(f"fpjc template：找不到文件 {exc.filename}：{exc.strerror}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"fpjc template：无法写入 {out_dir}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"已在 {out_dir} 生成 {len(written)} 个文件（标准 {standard.version()} 版）：")
    for path in written:
        print(f"  {path.relative_to(out_dir)}")
    return 0
