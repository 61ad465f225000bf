"""Regressions found in review: each test is a mistake a clerk or the county would have met."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from validator.api import validate
from validator.render.xlsx import annotate_workbook

EXAMPLES = Path(__file__).parent.parent / "examples"
TODAY = dt.date(2020, 8, 10)
BAD_ID = "532932197405198360"  # 董富才's ID (annex1 line 4) with a wrong check digit


def _package(
    tmp_path: Path, *, delimiter: str = ",", multiline: bool = False, encoding: str = "utf-8"
) -> Path:
    """valid-2020-07 with one wrong ID in annex1, rewritten with the given CSV delimiter."""
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        if path.stem == "annex1":
            header = rows[0]
            assert rows[3][header.index("head_name")] == "董富才"
            rows[3][header.index("head_id")] = BAD_ID
            if multiline:
                rows[1][header.index("risk_note")] = "第一行说明\n第二行说明\n第三行说明"
        with path.open("w", encoding=encoding, newline="") as f:
            csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return folder


def _commented(path: Path, sheet: str) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.comment}


@pytest.mark.parametrize(
    ("delimiter", "multiline"),
    [(";", False), ("\t", False), (",", True)],
    ids=["semicolon", "tab", "multiline-cell"],
)
def test_annotated_csv_copy_marks_the_cell_the_report_names(tmp_path, delimiter, multiline):
    # The reader accepts ;- and tab-separated CSVs and counts a quoted cell's line breaks; the
    # annotated copy put whole lines into column A, or shifted every later record up, so the
    # comment landed on an empty cell or on another household's ID.
    folder = _package(tmp_path, delimiter=delimiter, multiline=multiline)
    report = validate(folder, today=TODAY)
    [finding] = [f for f in report["findings"] if f["rule"] == "D007"]
    out = annotate_workbook(folder, report, tmp_path / "out.xlsx")
    # The copy is masked like the report (issue "Hardening" point 5): the cell shows what the report shows.
    assert _commented(out, "附件1") == {finding["cell"]: finding["value"]} and finding["value"] != BAD_ID


def test_a_county_correction_keeps_the_rest_of_that_years_holidays():
    # settings.holiday_overrides "补充或更正" the built-in calendar: one corrected day of 2020
    # made every other day of 2020 follow the week, so 国庆 became working days and the
    # deadline of the September report stayed on 10-05, a holiday.
    from validator.values.workdays import Workdays

    cal = Workdays(overrides=[{"date": "2020-07-13", "kind": "holiday", "source": "测试"}])
    assert not cal.is_workday(dt.date(2020, 7, 13))
    assert not cal.is_workday(dt.date(2020, 10, 1))
    assert cal.is_workday(dt.date(2020, 10, 10))  # Saturday, 调休上班
    assert cal.deadline_for(dt.date(2020, 9, 1), roll_forward=True) == dt.date(2020, 10, 9)
    assert cal.fallback_years == set()


def _edit(folder: Path, resource: str, line: int, **cells: str) -> None:
    path = folder / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for name, value in cells.items():
        rows[line - 1][rows[0].index(name)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_a_filled_but_invalid_cell_is_not_also_reported_as_missing(tmp_path):
    # "8000元" got F004 (write digits only) and R008 (must be filled) on the same cell; the
    # second told the clerk to fill in a cell that was filled. A blank one still gets R008.
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    _edit(folder, "annex3", 2, income_per_capita_release="8000元")
    _edit(folder, "annex3", 3, income_per_capita_release="")
    _edit(folder, "annex3", 4, release_way="帮扶消除", measures_done="发钱")
    _edit(folder, "annex3", 6, release_way="帮扶消除", measures_done="、")
    report = validate(folder, today=TODAY)
    found = sorted((f["rule"], f["row"]) for f in report["findings"])
    assert found == [("F004", 2), ("F030", 4), ("R007", 6), ("R008", 3)]


def test_annotated_copy_of_a_utf16_csv_is_readable(tmp_path):
    # Excel's "Unicode text" export is UTF-16 with a BOM and tabs; the reader accepts it, but
    # the annotated copy decoded it as GB18030 and showed mojibake with the comment on it.
    folder = _package(tmp_path, delimiter="\t", encoding="utf-16")
    report = validate(folder, today=TODAY)
    [finding] = [f for f in report["findings"] if f["rule"] == "D007"]
    out = annotate_workbook(folder, report, tmp_path / "out.xlsx")
    # The copy is masked like the report (issue "Hardening" point 5): the cell shows what the report shows.
    assert _commented(out, "附件1") == {finding["cell"]: finding["value"]} and finding["value"] != BAD_ID


def test_history_folder_may_keep_the_json_reports_next_to_the_packages(tmp_path):
    # A county keeping `fpjc validate --format json --output history/….json` beside the
    # accepted packages got "历史报送包 … 无法读取" (exit 2): any .json made the folder itself
    # count as a package. Only CSV files or a datapackage.json do.
    history = tmp_path / "history"
    history.mkdir()
    shutil.copytree(EXAMPLES / "valid-2020-07", history / "2020-07")
    report = validate(EXAMPLES / "valid-2020-07", today=TODAY)
    (history / "2020-07.report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    again = validate(EXAMPLES / "valid-2020-07", today=TODAY, history=history)
    assert (
        again["summary"]["by_rule"]["H006"]
        == report["summary"]["rows"]["annex1"] + report["summary"]["rows"]["annex2"]
    )


def _personal_values(folder: Path) -> set[str]:
    out = set()
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        for row in rows[1:]:
            for name, value in zip(rows[0], row, strict=False):
                if name in ("head_id", "phone") and value:
                    out.add(value)
    return out


def test_ids_and_phones_in_the_wrong_cell_are_masked(tmp_path):
    # A quote left open at line 4 makes the rest of the file one cell of 村委会（社区）, and a
    # row shifted by one column puts a phone in 重点关注类型: the report quoted those cells, with
    # whole ID and phone numbers, although personal data was not to be shown.
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    secrets = _personal_values(folder)
    path = folder / "annex1.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[1].split(",")
    lines[1] = ",".join(cells[:10] + cells[11:12] + cells[10:11] + cells[12:])  # phone ↔ focus groups
    lines[3] = lines[3].replace(",", ',"', 3)
    path.write_text("\n".join(lines), encoding="utf-8")
    report = validate(folder, today=TODAY)
    text = json.dumps(report, ensure_ascii=False)
    assert {f["rule"] for f in report["findings"]} >= {"F030", "F041"}
    assert [s for s in secrets if s in text] == []
    shown = validate(folder, today=TODAY, show_personal_data=True)
    assert any(s in json.dumps(shown, ensure_ascii=False) for s in secrets)


@pytest.mark.parametrize("at", [4, 25])
def test_a_quote_left_open_is_reported_with_the_lines_it_swallowed(tmp_path, at):
    # csv reads from an unpaired quote to the end of the file as one cell: 11 households went
    # unchecked with only a "too long" note on 村委会（社区）. Early lines (read while the
    # header is searched) and later ones take different paths through the reader.
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    path = folder / "annex1.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines += lines[1:] + lines[1:]  # 43 lines: the quote can sit past the header search
    lines[at - 1] = lines[at - 1].replace(",", ',"', 3)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(folder, today=TODAY)
    [s001] = [f for f in report["findings"] if f["rule"] == "S001"]
    assert (s001["resource"], s001["row"]) == ("annex1", at)
    assert f"第{at}—{len(lines)}行" in s001["message"]


def test_header_row_notes_with_personal_numbers_are_masked(tmp_path):
    # A contact number or ID written beside the column headers came back verbatim in the
    # S010 message and column of the report.
    folder = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    path = folder / "annex1.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] += ",联系人 13812345678,532932197702195832"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = validate(folder, today=TODAY)
    text = json.dumps(report, ensure_ascii=False)
    assert report["summary"]["by_rule"]["S010"] == 2
    assert "13812345678" not in text and "532932197702195832" not in text
    assert "13812345678" in json.dumps(
        validate(folder, today=TODAY, show_personal_data=True), ensure_ascii=False
    )


@pytest.mark.parametrize(("category", "rules"), [("", {"G006"}), ("特困户", {"F030"})])
def test_a_category_outside_the_code_list_is_not_also_called_missing(category, rules):
    # The same mechanism as R007/R008, in the county's 县级研判记录: an unknown category got
    # F030 and G006 ("必须填写纳入管理类别") on the same filled cell.
    from validator.builders.rule_examples import run_patch

    report = run_patch({"assessment": {"set": {"category": category}}})
    found = {f["rule"] for f in report["findings"] if f["resource"] == "assessment"}
    assert found == rules


def test_pre_numbered_empty_rows_are_unused_rows_not_missing_values(tmp_path):
    """Clerks number 序号 1…N in advance: rows with only a number are not households."""
    from validator.outputs.workbook import write_workbook

    def rows_of(folder, stem):
        with (folder / f"{stem}.csv").open(encoding="utf-8", newline="") as f:
            return [dict(r) for r in csv.DictReader(f)]

    valid = EXAMPLES / "valid-2020-07"
    data = {stem: rows_of(valid, stem) for stem in ("manifest", "annex1", "annex2", "annex3")}
    n1 = len(data["annex1"])
    data["annex1"] += [{"seq": str(i)} for i in range(n1 + 1, n1 + 11)]  # ten unused numbered rows
    book = tmp_path / "numbered.xlsx"
    write_workbook(book, data)
    report = validate([book], today=TODAY)
    assert report["valid"] and report["findings"] == []
    assert report["summary"]["rows"]["annex1"] == n1

    # A numbered-only row between households is worth a warning (maybe a household was left out).
    data["annex1"].insert(2, {"seq": "99"})
    write_workbook(book, data)
    report = validate([book], today=TODAY)
    assert [(f["rule"], f["row"]) for f in report["findings"] if f["rule"] != "T004"] == [("S021", 6)]


def test_roster_without_any_readable_id_is_refused_not_applied(tmp_path):
    """A roster whose IDs all lost digits in Excel must not brand every 附件1 household."""
    roster = tmp_path / "roster.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["户主身份证号"])
    for n in (5.32932197802026e17, 5.32932198503150e17):
        wb.active.append([n])
    wb.save(roster)
    from validator.tables import InputError

    with pytest.raises(InputError, match="没有一个可识别的身份证号"):
        validate([EXAMPLES / "valid-2020-07"], today=TODAY, roster=roster)
