"""The synthetic example packages (examples/) and the benchmark package, written to disk.

Each example is written twice: as a Data Package folder of CSV files (headers are field names,
so Table Schema tools match them) and as a workbook made by the clerk's own template writer.
"""

from __future__ import annotations

import csv
from pathlib import Path

from validator import published, standard
from validator.builders import synth
from validator.builders.examples_readme import readme
from validator.builders.workbook_edit import drop_columns, pin_timestamps
from validator.outputs.workbook import FIRST_DATA_ROW, MANIFEST_VALUE_ROW, write_workbook

CSV_FILES = {
    "manifest": "manifest.csv",
    "annex1": "annex1.csv",
    "annex2": "annex2.csv",
    "annex3": "annex3.csv",
}
CSV_FIRST_ROW = 2  # the header is line 1


def example_row(mistake: dict, target: str) -> int | None:
    """The row a clerk sees a deliberate mistake on (`target` csv or xlsx); None for a whole column."""
    if mistake["index"] is None:
        return None
    if target == "csv":
        return mistake["index"] + CSV_FIRST_ROW
    return mistake["index"] + (MANIFEST_VALUE_ROW if mistake["resource"] == "manifest" else FIRST_DATA_ROW)


def _fields(form_id: str, drop: list[str] | None = None) -> list[dict]:
    return [f for f in standard.form(form_id)["fields"] if f["name"] not in (drop or [])]


def write_csv(path: Path, form_id: str, rows, *, headers: str = "name", drop: list[str] | None = None) -> int:
    """Stream `rows` (typed dicts) into a plain UTF-8 CSV file; returns the number of rows.

    Headers default to field names: with a datapackage.json beside it the CSV is the machine
    interchange form, and Table Schema tools (frictionless) match header to field name.
    """
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
    descriptor = published.package_descriptor(
        standard.load(),
        name=name,
        title=title,
        description=description,
        form_ids=form_ids,
        paths={i: CSV_FILES.get(i, f"{i}.csv") for i in form_ids},
    )
    (folder / "datapackage.json").write_text(published.dump_json(descriptor), encoding="utf-8")


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
    data = {}
    for form_id, rows in example.tables.items():
        fields = _fields(form_id)
        data[form_id] = [
            {f["name"]: synth.cell(f, row.get(f["name"]), "xlsx") for f in fields} for row in rows
        ]
    return data


def header_block(example) -> dict:
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
    write_workbook(path, xlsx_data(example), header_block=header_block(example))
    if example.drop_columns:
        drop_columns(path, example.drop_columns)
    pin_timestamps(path)


def build(out: Path, *, xlsx: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    examples = synth.examples()
    for ex in examples:
        write_example_csv(ex, out / ex.name)
        written.append(out / ex.name)
        if xlsx:
            write_example_xlsx(ex, out / f"{ex.name}.xlsx")
            written.append(out / f"{ex.name}.xlsx")
    (out / "README.md").write_text(readme(examples, csv_files=CSV_FILES, row=example_row), encoding="utf-8")
    written.append(out / "README.md")
    return written


def bench(out: Path, n: int, *, seed: int = 1, headers: str = "name", mistakes: bool = False) -> int:
    """An N-row 附件1 package, streamed row by row so a million rows need little memory.

    `mistakes`: every row gets one mistake (`with_mistake`), for measuring a report that has
    more findings than it lists.
    """
    out.mkdir(parents=True, exist_ok=True)
    month = synth.dt.date(2020, 7, 1)
    man = synth.Synth(seed).manifest("云鹤镇", month)
    write_csv(out / "manifest.csv", "manifest", [man], headers=headers)
    rows = synth.rows("annex1", n, seed, month=month)
    if mistakes:
        rows = (with_mistake(row, i) for i, row in enumerate(rows))
    count = write_csv(out / "annex1.csv", "annex1", rows, headers=headers)
    write_descriptor(
        out,
        name=f"fpjc-bench-{n}",
        title=f"基准测试：附件1 {n}行（合成数据）",
        description="fpjc examples bench 生成的基准测试报送包，全部为合成数据。",
        form_ids=["manifest", "annex1"],
    )
    return count


def with_mistake(row: dict, i: int) -> dict:
    """`row` with one mistake, a different kind on each of six rows in turn: checked by the field
    checks (a missing and a malformed value), the row rules (dates out of order, another
    township) and the table's bookkeeping (a repeated 序号)."""
    kind = i % 6
    if kind == 0:
        row["village"] = None
    elif kind == 1:
        row["phone"] = "1380013800"  # a digit short
    elif kind == 2:
        row["township"] = "辛屯镇"
    elif kind == 3:
        row["appraisal_date"] = row["verify_date"] + synth.dt.timedelta(days=1)
    elif kind == 4:
        row["income_per_capita"] = "四千元"
    else:
        row["seq"] = 1
    return row
