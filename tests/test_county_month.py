"""The county's month end to end, with synthetic packages: nine townships → intake → meeting
workbook → filled at the meeting (openpyxl, then re-saved by LibreOffice) → record check →
feedback sheets and marking list, each compared with a golden file. Then the bad inputs of a
real month, each with its clear Chinese line, nothing dropped silently.

Set FPJC_UPDATE_GOLDEN=1 to regenerate the goldens after an intended change.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from golden_support import check_golden

from validator import standard
from validator.builders import county_month
from validator.cli import main
from validator.outputs.county import FIRST_DATA_ROW, HEADER_ROW, SIGN_SHEET, meeting_file_name
from validator.reading.headers import display

GOLDEN = Path(__file__).parent / "golden" / "county"
TODAY = county_month.TODAY.isoformat()
MONTH = "2020-07"
RECORD_TITLE = standard.form("county_record")["title"]
MEETING_TITLE = standard.form("county_meeting")["title"]


def golden(name: str, text: str) -> None:
    check_golden(name, text, GOLDEN)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def workbook_text(path: Path) -> str:
    """Every sheet's visible and hidden cell values, one row a line, for golden comparison."""
    wb = openpyxl.load_workbook(path)
    lines = []
    for ws in wb.worksheets:
        lines.append(f"## {ws.title} ({ws.sheet_state})")
        for row in ws.iter_rows(values_only=True):
            cells = [
                "" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else str(v))
                for v in row
            ]
            while cells and cells[-1] == "":
                cells.pop()
            if cells and not (ws.title == "_fpjc" and cells[0] == "fpjc_version"):
                lines.append(" | ".join(cells))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    """A working folder holding the month's nine packages in 2020-07/."""
    root = tmp_path_factory.mktemp("county")
    county_month.write_month(root / MONTH)
    return root


@pytest.fixture
def here(month, tmp_path, monkeypatch) -> Path:
    """A fresh working folder with its own copy of the month, as the current directory
    (so reports name files as the clerk typed them, not as temporary paths)."""
    shutil.copytree(month / MONTH, tmp_path / MONTH)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_whole_month(here, capsys):
    # 1. Intake: every township reported; 辛屯镇 two days late; two zero reports.
    code, out, _ = run(capsys, "rollup", MONTH, "--today", TODAY, "--no-color", "--jobs", "1")
    assert code == 1  # a late report is something to chase
    assert "辛屯镇：迟报2天（2020-08-07 上报，截止日 2020-08-05）" in out
    assert "黄坪镇：零报告" in out and "金墩乡：零报告" in out
    golden("rollup.txt", out)

    # 2. The meeting workbook and its agenda.
    code, out, _ = run(capsys, "county", "prepare", MONTH, "--today", TODAY, "--jobs", "1")
    assert code == 0, out
    book = here / meeting_file_name(MONTH)
    agenda = here / f"研判会议议程-{MONTH}.html"
    assert "列入研判26户，来自9个报送包" in out
    golden("meeting-workbook.txt", workbook_text(book))
    golden("agenda.html", agenda.read_text(encoding="utf-8"))

    # Unfilled, it is a county record with every decision missing, and says so.
    code, out, _ = run(
        capsys, "county", "check", book.name, "--packages", MONTH, "--today", TODAY, "--format", "json"
    )
    report = json.loads(out)
    assert code == 1 and report["summary"]["by_rule"] == {"F001": 29}

    # 3. The meeting fills it in (openpyxl, as a clerk's Excel would), then it is checked.
    county_month.fill_meeting(book)
    code, out, _ = run(
        capsys, "county", "check", book.name, "--packages", MONTH, "--today", TODAY, "--format", "json"
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["valid"] and report["findings"] == [] and report["checks_not_run"] == []
    assert report["summary"]["rows"] == {"county_meeting": 1, "county_record": 26}
    golden("record-check.json", out)

    # 4. Feedback sheets per township and the marking list.
    code, out, _ = run(
        capsys, "county", "feedback", book.name, "--packages", MONTH, "--today", TODAY, "--output", "反馈"
    )
    assert code == 0, out
    golden("feedback-command.txt", out)
    written = sorted(
        p.relative_to(here / "反馈").as_posix() for p in (here / "反馈").rglob("*") if p.is_file()
    )
    townships_with_households = ["云鹤镇", "辛屯镇", "松桂镇", "草海镇", "西邑镇", "龙开口镇", "六合彝族乡"]
    assert written == sorted(
        [
            f"{t}/研判结果反馈单-{t}-{MONTH}.{ext}"
            for t in townships_with_households
            for ext in ("html", "xlsx")
        ]
        + [f"全国系统标注清单-{MONTH}.html", f"全国系统标注清单-{MONTH}.xlsx"]
    )
    golden(
        "feedback-辛屯镇.html",
        (here / "反馈" / "辛屯镇" / f"研判结果反馈单-辛屯镇-{MONTH}.html").read_text("utf-8"),
    )
    golden(
        "feedback-辛屯镇.xlsx.txt",
        workbook_text(here / "反馈" / "辛屯镇" / f"研判结果反馈单-辛屯镇-{MONTH}.xlsx"),
    )
    golden("marking.html", (here / "反馈" / f"全国系统标注清单-{MONTH}.html").read_text("utf-8"))
    golden("marking.xlsx.txt", workbook_text(here / "反馈" / f"全国系统标注清单-{MONTH}.xlsx"))


def test_feedback_is_masked_and_the_record_stays_whole(here, capsys):
    run(capsys, "county", "prepare", MONTH, "--today", TODAY, "--jobs", "1")
    book = here / meeting_file_name(MONTH)
    county_month.fill_meeting(book)
    run(
        capsys,
        "county",
        "feedback",
        book.name,
        "--packages",
        MONTH,
        "--today",
        TODAY,
        "-o",
        "反馈",
        "-j",
        "1",
    )
    ids = set()
    wb = openpyxl.load_workbook(book)
    ws = wb[RECORD_TITLE]
    heads = {display(ws.cell(HEADER_ROW, c).value): c for c in range(1, ws.max_column + 1)}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        value = ws.cell(r, heads["户主身份证号"]).value
        if value:
            ids.add(value)
    assert len(ids) == 26
    for page in (here / "反馈").rglob("研判结果反馈单-*.html"):
        text = page.read_text("utf-8")
        assert not [i for i in ids if i in text], page.name
    # The marking list stays in the office: full numbers, so the clerk can find each household.
    marking = (here / "反馈" / f"全国系统标注清单-{MONTH}.html").read_text("utf-8")
    assert "532932" in marking and "********" not in marking


def test_meeting_workbook_is_a_real_printable_excel_file(here, capsys):
    run(capsys, "county", "prepare", MONTH, "--today", TODAY, "--jobs", "1")
    book = here / meeting_file_name(MONTH)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["填表说明", MEETING_TITLE, RECORD_TITLE, SIGN_SHEET, "_lists", "_fpjc"]
    assert wb["_lists"].sheet_state == wb["_fpjc"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in wb["_fpjc"].iter_rows(values_only=True)}
    assert meta["template"] == "county_meeting"
    assert meta["standard_version"] == standard.version()
    assert meta["layout_sheets"] == SIGN_SHEET and meta["month"] == MONTH and meta["households"] == "26"
    ws = wb[RECORD_TITLE]
    heads = {display(ws.cell(HEADER_ROW, c).value): c for c in range(1, ws.max_column + 1)}
    letter = openpyxl.utils.get_column_letter
    # Text-formatted ID column; drop-downs on the decision and the category.
    assert ws.cell(FIRST_DATA_ROW, heads["户主身份证号"]).number_format == "@"
    lists = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists["fpjc_assessment_decision"].startswith(f"{letter(heads['研判结论'])}{FIRST_DATA_ROW}:")
    assert lists["fpjc_monitoring_category"].startswith(f"{letter(heads['纳入管理类别'])}{FIRST_DATA_ROW}:")
    # A3 landscape with the title and headers on every page; the signature page A4 portrait.
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A3 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$3"
    sign = wb[SIGN_SHEET]
    assert str(sign.page_setup.paperSize) == sign.PAPERSIZE_A4 and sign.page_setup.orientation == "portrait"
    departments = [sign.cell(r, 2).value for r in range(1, sign.max_row + 1)]
    for name in ("扶贫", "教育", "医保", "卫健", "住建", "民政", "残联", "公安"):
        assert name in departments


@pytest.mark.libreoffice
def test_libreoffice_resave_and_print(here, capsys, tmp_path):
    from roundtrip_support import convert, pdf_pages

    run(capsys, "county", "prepare", MONTH, "--today", TODAY, "--jobs", "1")
    book = here / meeting_file_name(MONTH)
    county_month.fill_meeting(book)
    _, before, _ = run(
        capsys, "county", "check", book.name, "--packages", MONTH, "--today", TODAY, "--format", "json"
    )
    resaved = convert(book, "xlsx", tmp_path / "lo", tmp_path / "profile")
    code, after, _ = run(
        capsys, "county", "check", str(resaved), "--packages", MONTH, "--today", TODAY, "--format", "json"
    )
    assert code == 0
    first, second = json.loads(before), json.loads(after)
    assert second["findings"] == first["findings"] == []
    assert second["summary"] == first["summary"]

    pdf = convert(book, "pdf", tmp_path / "pdf", tmp_path / "profile")
    pages = [(round(w), round(h)) for w, h in pdf_pages(pdf.read_bytes())]
    assert (1191, 842) in pages  # 县级研判表 on A3 landscape
    assert (595, 842) in pages  # 会签 on A4 portrait


def test_jobs_give_identical_output(here, capsys):
    outputs = {}
    for jobs in ("1", "2"):
        code, out, _ = run(
            capsys,
            "rollup",
            MONTH,
            "--today",
            TODAY,
            "--format",
            "json",
            "--jobs",
            jobs,
            "--reports",
            f"r{jobs}",
        )
        outputs[jobs] = (code, out)
        files = sorted(
            p.relative_to(here / f"r{jobs}").as_posix() for p in (here / f"r{jobs}").rglob("*.html")
        )
        outputs[f"{jobs}-files"] = files
        outputs[f"{jobs}-html"] = [(here / f"r{jobs}" / f).read_bytes() for f in files]
    assert outputs["1"] == outputs["2"]
    assert outputs["1-files"] == outputs["2-files"] and len(outputs["1-files"]) == 9
    assert outputs["1-html"] == outputs["2-html"]
    code, one, _ = run(capsys, "county", "prepare", MONTH, "--today", TODAY, "--jobs", "1", "-o", "a.xlsx")
    code, two, _ = run(capsys, "county", "prepare", MONTH, "--today", TODAY, "--jobs", "2", "-o", "b.xlsx")
    assert workbook_text(here / "a.xlsx") == workbook_text(here / "b.xlsx")


def test_intake_reads_each_package_once(here, monkeypatch):
    """Validation and counting share one read (the old roll-up opened every package twice)."""
    import validator.reading as reading
    from validator.county.rollup import rollup

    opened = []
    real = reading.open_paths

    def counting(paths, **kw):
        opened.extend(str(p) for p in paths)
        return real(paths, **kw)

    monkeypatch.setattr(reading, "open_paths", counting)
    result = rollup(here / MONTH, today=county_month.TODAY)
    assert result["totals"]["counted"] == 9
    assert sorted(opened) == sorted(str(p) for p in (here / MONTH).iterdir())


# --- bad input ------------------------------------------------------------------------------


def test_two_packages_of_one_township_are_both_named_and_neither_goes_to_the_meeting(here, capsys):
    shutil.copy(here / MONTH / "云鹤镇.xlsx", here / MONTH / "云鹤镇-更正.xlsx")
    code, out, _ = run(capsys, "rollup", MONTH, "--today", TODAY, "--no-color")
    assert code == 1
    assert "云鹤镇：重复报送——云鹤镇-更正.xlsx、云鹤镇.xlsx；请确认以哪一份为准" in out
    code, out, _ = run(capsys, "county", "prepare", MONTH, "--today", TODAY)
    assert code == 1
    for entry in ("云鹤镇-更正.xlsx", "云鹤镇.xlsx"):
        assert f"未列入：{entry}（云鹤镇）——同一乡镇本月有两个以上报送包，须先确认以哪一份为准" in out
    assert "列入研判21户，来自8个报送包" in out


def test_a_package_of_another_month_is_named_not_counted(here, capsys):
    from validator.builders import synth

    tables = synth.monthly(808, "松桂镇", dt.date(2020, 8, 1), (2, 1, 0))
    county_month.write_package(here / MONTH / "松桂镇-8月", tables, "xlsx")
    code, out, _ = run(capsys, "rollup", MONTH, "--today", "2020-09-10", "--no-color")
    assert "报告月份为 2020-08，不是本次汇总月份，未计入：松桂镇-8月.xlsx" in out
    code, out, _ = run(capsys, "county", "prepare", MONTH, "--today", "2020-09-10")
    assert "未列入：松桂镇-8月.xlsx（松桂镇）——不是本月的报送包" in out
    assert "列入研判26户" in out
    # Every package of the folder is named in the output: nothing dropped silently.
    for entry in (here / MONTH).iterdir():
        assert entry.name in out


def test_a_meeting_workbook_from_an_older_template_says_so(here, capsys):
    run(capsys, "county", "prepare", MONTH, "--today", TODAY)
    book = here / meeting_file_name(MONTH)
    county_month.fill_meeting(book)
    wb = openpyxl.load_workbook(book)
    meta = wb["_fpjc"]
    for row in meta.iter_rows():
        if row[0].value == "standard_version":
            row[1].value = "0.9.0"
    wb.save(book)
    code, out, _ = run(
        capsys, "county", "check", book.name, "--packages", MONTH, "--today", TODAY, "--no-color"
    )
    assert code == 0  # a warning: it was checked against today's standard
    assert f"这份研判工作簿由标准 0.9.0 版生成，当前是 {standard.version()} 版" in out
    assert "S014" not in out  # said once, in the county's words


def test_a_meeting_workbook_newer_than_the_validator_says_so(here, capsys):
    run(capsys, "county", "prepare", MONTH, "--today", TODAY)
    book = here / meeting_file_name(MONTH)
    county_month.fill_meeting(book)
    wb = openpyxl.load_workbook(book)
    for row in wb["_fpjc"].iter_rows():
        if row[0].value == "standard_version":
            row[1].value = "99.0.0"
    wb.save(book)
    code, out, _ = run(
        capsys, "county", "check", book.name, "--packages", MONTH, "--today", TODAY, "--no-color"
    )
    assert code == 0  # a warning: checked by the rules this validator knows
    assert "S023" in out and "K004" not in out and "S014" not in out


def test_a_record_naming_a_household_no_township_reported(here, capsys):
    from validator.builders.synth import make_id

    run(capsys, "county", "prepare", MONTH, "--today", TODAY)
    book = here / meeting_file_name(MONTH)
    county_month.fill_meeting(book)
    wb = openpyxl.load_workbook(book)
    ws = wb[RECORD_TITLE]
    heads = {display(ws.cell(HEADER_ROW, c).value): c for c in range(1, ws.max_column + 1)}
    stranger = make_id("532932", dt.date(1961, 3, 4), 77)
    ws.cell(FIRST_DATA_ROW + 2, heads["户主身份证号"]).value = stranger
    wb.save(book)
    code, out, _ = run(
        capsys, "county", "check", book.name, "--packages", MONTH, "--today", TODAY, "--no-color"
    )
    assert code == 1
    assert f"本月各乡镇报送包的附件1、附件2 中都没有该户（户主身份证号 {stranger[:6]}" in out
    # The household it replaced was reported and now has no decision: said too.
    assert "K016" in out
    code, out, err = run(
        capsys, "county", "feedback", book.name, "--packages", MONTH, "--today", TODAY, "-o", "反馈"
    )
    assert code == 1 and "没有生成反馈单" in err and not (here / "反馈").exists()


def test_a_county_record_validates_on_its_own(here, capsys):
    """`fpjc validate` takes the county's record like any package: no township manifest asked for."""
    run(capsys, "county", "prepare", MONTH, "--today", TODAY)
    book = here / meeting_file_name(MONTH)
    county_month.fill_meeting(book)
    code, out, _ = run(capsys, "validate", book.name, "--today", TODAY, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["findings"] == []
    assert [c["check"][:4] for c in report["checks_not_run"]] == ["K012"]  # no month folder given


def test_outputs_never_go_into_the_month_folder(here, capsys):
    code, _, err = run(capsys, "county", "prepare", MONTH, "--today", TODAY, "-o", f"{MONTH}/研判.xlsx")
    assert code == 2 and "写进本月报送包文件夹" in err
    assert not (here / MONTH / "研判.xlsx").exists()
    # Over a township's package, and the feedback into the month's folder: refused the same way.
    code, _, err = run(capsys, "county", "prepare", MONTH, "--today", TODAY, "-o", f"{MONTH}/云鹤镇.xlsx")
    assert code == 2 and "会覆盖" in err
    code, _, err = run(
        capsys, "county", "feedback", f"{MONTH}/云鹤镇.xlsx", "--packages", MONTH, "-o", f"{MONTH}/反馈"
    )
    assert code == 2 and "写进本月报送包文件夹" in err and not (here / MONTH / "反馈").exists()


def test_a_township_package_given_as_the_record_is_refused(here, capsys):
    code, out, err = run(capsys, "county", "check", f"{MONTH}/云鹤镇.xlsx", "--today", TODAY)
    assert code == 2 and "不是县级研判记录" in err and out == ""
