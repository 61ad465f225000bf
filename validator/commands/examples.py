"""`fpjc examples build|bench`: write the synthetic example packages, or a large benchmark package."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

CSV_FILES = {
    "manifest": "manifest.csv",
    "annex1": "annex1.csv",
    "annex2": "annex2.csv",
    "annex3": "annex3.csv",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
# Row numbers the user sees (interfaces.md): CSV header on line 1; in the workbook the
# 报送信息 sheet has its headers on row 2, the annex sheets on row 3.
CSV_FIRST_ROW = 2
XLSX_FIRST_ROW = {"manifest": 3}
XLSX_FIRST_ROW_ANNEX = 4


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


# ------------------------------------------------------------------ writing


def _fields(form_id: str, drop: list[str] | None = None) -> list[dict]:
    from validator import standard

    return [f for f in standard.form(form_id)["fields"] if f["name"] not in (drop or [])]


def write_csv(path: Path, form_id: str, rows, *, headers: str = "name", drop: list[str] | None = None) -> int:
    """Stream `rows` (typed dicts) into a plain UTF-8 CSV file; returns the number of rows.

    Headers default to field names: with a datapackage.json beside it the CSV is the machine
    interchange form, and Table Schema tools (frictionless) match header to field name.
    """
    from validator import synth

    fields = _fields(form_id, drop)
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([fld[headers] for fld in fields])
        for row in rows:
            writer.writerow([synth.cell(fld, row.get(fld["name"]), "csv") for fld in fields])
            n += 1
    return n


def write_descriptor(folder: Path, *, name: str, title: str, description: str, form_ids) -> None:
    from validator import schemagen, standard

    descriptor = schemagen.package_descriptor(
        standard.load(),
        name=name,
        title=title,
        description=description,
        form_ids=form_ids,
        paths={i: CSV_FILES.get(i, f"{i}.csv") for i in form_ids},
    )
    (folder / "datapackage.json").write_text(schemagen.dump_json(descriptor), encoding="utf-8")


def write_example_csv(example, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for form_id, rows in example.tables.items():
        write_csv(folder / CSV_FILES[form_id], form_id, rows, drop=example.drop_columns.get(form_id))
    write_descriptor(
        folder,
        name=example.name,
        title=example.title,
        description=example.description + "（合成数据，人名、身份证号、村名均为虚构。）",
        form_ids=list(example.tables),
    )


def xlsx_data(example) -> dict[str, list[dict]]:
    """Rows as a clerk types them into the workbook: field name → cell value."""
    from validator import synth

    data = {}
    for form_id, rows in example.tables.items():
        fields = _fields(form_id)
        data[form_id] = [
            {f["name"]: synth.cell(f, row.get(f["name"]), "xlsx") for f in fields} for row in rows
        ]
    return data


def header_block(example) -> dict:
    from validator import synth

    man = example.tables["manifest"][0]
    fields = {f["name"]: f for f in _fields("manifest")}
    return {
        "填报单位（盖章）": f"{man['township']}人民政府",
        "报告月份": synth.cell(fields["report_month"], man["report_month"]),
        "填报人": man["preparer"],
        "审核人": man["reviewer"],
        "填报日期": synth.cell(fields["submitted_date"], man["submitted_date"]),
    }


def write_example_xlsx(example, path: Path) -> None:
    from validator.xlsx_template import write_workbook

    write_workbook(path, xlsx_data(example), header_block=header_block(example))
    if example.drop_columns:
        _drop_columns(path, example)
    _pin_timestamps(path)


def _drop_columns(path: Path, example) -> None:
    import openpyxl

    from validator import standard

    wb = openpyxl.load_workbook(path)
    for form_id, names in example.drop_columns.items():
        ws = wb[standard.form(form_id)["title"]]
        titles = {f["title"] for f in _fields(form_id) if f["name"] in names}
        for col in range(ws.max_column, 0, -1):
            if ws.cell(row=3, column=col).value in titles:
                _delete_column(ws, col)
    wb.save(path)


def _delete_column(ws, col: int) -> None:
    """Delete a column the way Excel does: merged cells, drop-downs and widths move along."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    def shifted(rng: CellRange) -> CellRange | None:
        if rng.min_col == col and rng.max_col == col:
            return None
        min_col = rng.min_col - (rng.min_col > col)
        max_col = rng.max_col - (rng.max_col >= col)
        return CellRange(min_col=min_col, min_row=rng.min_row, max_col=max_col, max_row=rng.max_row)

    merged = [CellRange(str(r)) for r in ws.merged_cells.ranges]
    for rng in merged:
        ws.unmerge_cells(str(rng))
    widths = {c: ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)}
    ws.delete_cols(col)
    for rng in merged:
        new = shifted(rng)
        if new is not None and (new.min_col, new.min_row) != (new.max_col, new.max_row):
            ws.merge_cells(new.coord)
    for c, width in widths.items():
        if c > col:
            ws.column_dimensions[get_column_letter(c - 1)].width = width
    for dv in list(ws.data_validations.dataValidation):
        ranges = [shifted(CellRange(r.coord)) for r in dv.sqref.ranges]
        ranges = [r.coord for r in ranges if r is not None]
        if ranges:
            dv.sqref = " ".join(ranges)
        else:
            ws.data_validations.dataValidation.remove(dv)


def _pin_timestamps(path: Path) -> None:
    """Rewrite the zip with fixed member dates and document properties, so rebuilding is byte-stable."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>2020-07-01T00:00:00Z\3",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 7, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


def readme(examples) -> str:
    from validator import standard

    lines = [
        "# 示例报送包",
        "",
        "本目录由 `fpjc examples build` 生成，请不要手工修改；改了生成程序（`validator/synth.py`）后重新运行该命令。",
        "",
        "所有数据都是**合成的**：人名由常见字随机拼成，村委会、村民小组名称是编的，身份证号按国家标准算出",
        "正确的校验码但对应的人并不存在。不要把这些数据当作真实情况引用。",
        "",
        "每个包都有两种形式：一个 CSV 文件夹（`manifest.csv` 报送信息、`annex1.csv`—`annex3.csv` 附件1—3，"
        "附 `datapackage.json`），和一个与 Excel 模板格式相同的 `.xlsx` 工作簿。",
        "",
        "CSV 文件夹是给程序交换用的数据包（Data Package）：列标题是 `datapackage.json` 里的英文字段名"
        "（`township`、`head_id` 等，每个字段的中文标题见其中的 `title`）。"
        "乡镇填报用的 CSV 模板（`fpjc template`）和工作簿的列标题是中文，和纸质表一致。"
        "fpjc 两种列标题都认。",
        "",
        "行号说明：CSV 的第 1 行是列标题；工作簿中“报送信息”工作表第 2 行是列标题，附件工作表第 3 行是列标题。",
        "",
        "用校验器检查，例如：",
        "",
        "```",
        "fpjc validate examples/valid-2020-07",
        "fpjc validate examples/errors-dates.xlsx",
        "```",
        "",
        "因为列标题就是字段名，这些文件夹也能直接用通用的 Table Schema 工具检查，例如 frictionless：",
        "",
        "```",
        "cd examples/valid-2020-07",
        "frictionless validate datapackage.json",
        "```",
        "",
        "`valid-2020-07` 和 `zero-report-2020-07` 显示 VALID；`errors-*` 显示 INVALID，"
        "列出类型、代码表、格式不符的单元格。frictionless 只看得到 Table Schema 能表达的规则："
        "日期先后、工作日期限、跨表重复、零报告等检查只有 fpjc 做；"
        "代码的同义词（如“因自然灾害”）和小写 x 结尾的身份证号 fpjc 会接受或只给警告，"
        "frictionless 则按不符合约束报告。",
        "",
    ]
    for ex in examples:
        lines += [f"## `{ex.name}` — {ex.title}", "", ex.description, ""]
        counts = "，".join(
            f"{standard.form(k)['title']} {len(v)} 行" for k, v in ex.tables.items() if k != "manifest"
        )
        lines += [f"数据行：{counts}。", ""]
        if ex.mistakes:
            lines += [
                "故意放进去的错误：",
                "",
                "| # | 表 | 位置 | 列 | 级别 | 问题 |",
                "|---|---|---|---|---|---|",
            ]
            order = {f["id"]: i for i, f in enumerate(standard.forms())}
            mistakes = sorted(
                ex.mistakes, key=lambda m: (order[m["resource"]], m["index"] is not None, m["index"] or 0)
            )
            for n, m in enumerate(mistakes, 1):
                form = standard.form(m["resource"])
                title = next((f["title"] for f in form["fields"] if f["name"] == m["field"]), "")
                if m["index"] is None:
                    where = "整列"
                else:
                    xrow = m["index"] + XLSX_FIRST_ROW.get(m["resource"], XLSX_FIRST_ROW_ANNEX)
                    where = (
                        f"{CSV_FILES[m['resource']]} 第 {m['index'] + CSV_FIRST_ROW} 行；工作簿第 {xrow} 行"
                    )
                lines.append(
                    f"| {n} | {form['title']} | {where} | {title} | {SEVERITY_ZH[m['severity']]} | {m['what']} |"
                )
            lines.append("")
        else:
            lines += ["没有故意放进去的错误：校验结果应当没有错误。", ""]
        if ex.notes:
            lines += ["看起来像错、其实不是：", ""] + [f"- {note}" for note in ex.notes] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def have_xlsx_writer() -> bool:
    try:
        import validator.xlsx_template  # noqa: F401
    except ImportError:
        return False
    return True


def build(out: Path, *, xlsx: bool = True) -> list[Path]:
    from validator import synth

    out.mkdir(parents=True, exist_ok=True)
    written = []
    examples = synth.examples()
    for ex in examples:
        write_example_csv(ex, out / ex.name)
        written.append(out / ex.name)
        if xlsx:
            write_example_xlsx(ex, out / f"{ex.name}.xlsx")
            written.append(out / f"{ex.name}.xlsx")
    (out / "README.md").write_text(readme(examples), encoding="utf-8")
    written.append(out / "README.md")
    return written


def bench(out: Path, n: int, *, seed: int = 1, headers: str = "name") -> int:
    """An N-row 附件1 package, streamed row by row so a million rows need little memory."""
    from validator import synth

    out.mkdir(parents=True, exist_ok=True)
    month = synth.dt.date(2020, 7, 1)
    man = synth.Synth(seed).manifest("云鹤镇", month)
    write_csv(out / "manifest.csv", "manifest", [man], headers=headers)
    count = write_csv(
        out / "annex1.csv", "annex1", synth.rows("annex1", n, seed, month=month), headers=headers
    )
    write_descriptor(
        out,
        name=f"fpjc-bench-{n}",
        title=f"基准测试：附件1 {n} 行（合成数据）",
        description="fpjc examples bench 生成的基准测试报送包，全部为合成数据。",
        form_ids=["manifest", "annex1"],
    )
    return count


def run(args: argparse.Namespace) -> int:
    from validator import forms

    if args.action == "bench":
        if args.rows < 0:
            print("--rows 不能是负数。", file=sys.stderr)
            return 2
        count = bench(args.out, args.rows, seed=args.seed, headers=args.headers)
        print(f"已在 {args.out}/ 写入附件1 {count} 行。")
        return 0
    out = args.out or forms.ROOT / "examples"
    xlsx = not args.no_xlsx
    if xlsx and not have_xlsx_writer():
        print("没有找到 validator.xlsx_template，只生成 CSV 文件夹。", file=sys.stderr)
        xlsx = False
    written = build(out, xlsx=xlsx)
    print(f"已生成 {len(written)} 个示例（{out}/）。")
    return 0
