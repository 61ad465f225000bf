"""examples/README.md, written from the examples themselves: what each holds, every deliberate
mistake and the row a clerk finds it on, in the CSV folder and in the workbook."""

from __future__ import annotations

from collections.abc import Callable

from validator import standard
from validator.findings import SEVERITY_LABELS
from validator.outputs.workbook import HEADER_ROW, MANIFEST_HEADER_ROW


def readme(examples, *, csv_files: dict[str, str], row: Callable[[dict, str], int | None]) -> str:
    """examples/README.md: what each example holds and every deliberate mistake, with its rows.

    `csv_files` names each table's CSV file; `row(mistake, "csv" | "xlsx")` is the row a clerk
    sees the mistake on (both from `builders.examples`, which writes the files).
    """
    lines = [
        "# 示例报送包",
        "",
        "本目录由 `fpjc examples build` 生成，请不要手工修改；改了生成程序（`validator/builders/synth.py`）后重新运行该命令。",
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
        f"行号说明：CSV 的第1行是列标题；工作簿中“报送信息”工作表第{MANIFEST_HEADER_ROW}行是列标题，"
        f"附件工作表第{HEADER_ROW}行是列标题。",
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
            f"{standard.form(k)['title']} {len(v)}行" for k, v in ex.tables.items() if k != "manifest"
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
                    where = f"{csv_files[m['resource']]} 第{row(m, 'csv')}行；工作簿第{row(m, 'xlsx')}行"
                lines.append(
                    f"| {n} | {form['title']} | {where} | {title} | {SEVERITY_LABELS[m['severity']]} | {m['what']} |"
                )
            lines.append("")
        else:
            lines += ["没有故意放进去的错误：校验结果应当没有错误。", ""]
        if ex.notes:
            lines += ["看起来像错、其实不是：", ""] + [f"- {note}" for note in ex.notes] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"
