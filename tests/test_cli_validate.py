"""`fpjc validate`: exit status, formats, usage errors and the last-resort error message."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from golden_support import check_golden

from validator.cli import main
from validator.render.text import render_text
from validator.report_schema import report_schema
from validator.tables import InputError

HERE = Path(__file__).parent
SAMPLE = HERE / "render_fixtures" / "sample_report.json"


@pytest.fixture
def some_file(tmp_path) -> Path:
    path = tmp_path / "annex1.csv"
    path.write_text("序号,户主姓名\n1,张三\n", encoding="utf-8")
    return path


@pytest.fixture
def stub_api(monkeypatch):
    """Replace the engine by a function under the test's control, to reach the command's error paths."""
    module = types.ModuleType("validator.api")
    monkeypatch.setitem(sys.modules, "validator.api", module)
    import validator

    monkeypatch.setattr(validator, "api", module, raising=False)
    return module


@pytest.mark.parametrize("today", ["2020-13-01", "2020/08/10", "yesterday", "2020-8-1"])
def test_bad_today_is_bad_usage(some_file, today, capsys):
    assert main(["validate", str(some_file), "--today", today]) == 2
    err = capsys.readouterr().err
    assert "--today" in err and "YYYY-MM-DD" in err and "Traceback" not in err


def test_missing_path_is_exit_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "没有这个文件.xlsx")]) == 2
    assert "找不到" in capsys.readouterr().err


def test_unknown_format_is_exit_2(some_file, capsys):
    assert main(["validate", str(some_file), "--format", "pdf"]) == 2


def test_output_must_not_overwrite_the_input(some_file, capsys):
    before = some_file.read_bytes()
    assert main(["validate", str(some_file), "--format", "json", "--output", str(some_file)]) == 2
    assert "覆盖" in capsys.readouterr().err
    assert some_file.read_bytes() == before


def test_unreadable_input_is_exit_2_with_the_readers_message(some_file, stub_api, capsys):
    def validate(paths, **kw):
        raise InputError("无法识别文件 annex1.csv 的编码")

    stub_api.validate = validate
    assert main(["validate", str(some_file)]) == 2
    err = capsys.readouterr().err
    assert "无法识别文件 annex1.csv 的编码" in err and "Traceback" not in err


def test_unexpected_failure_is_exit_2_without_traceback(some_file, stub_api, capsys, monkeypatch):
    monkeypatch.delenv("FPJC_DEBUG", raising=False)

    def validate(paths, **kw):
        raise ZeroDivisionError("boom")

    stub_api.validate = validate
    assert main(["validate", str(some_file)]) == 2
    out = capsys.readouterr()
    assert "内部错误" in out.err and "ZeroDivisionError" in out.err
    assert "Traceback" not in out.err + out.out


def test_options_reach_the_engine(some_file, stub_api, capsys, tmp_path, monkeypatch):
    seen = {}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "h").mkdir()
    (tmp_path / "r.csv").write_text("身份证号\n", encoding="utf-8")

    def validate(paths, **kw):
        seen.update(kw, paths=paths)
        return json.loads(SAMPLE.read_text(encoding="utf-8"))

    stub_api.validate = validate
    status = main(
        [
            "validate",
            str(some_file),
            "--today",
            "2020-08-10",
            "--history",
            "h",
            "--roster",
            "r.csv",
            "--show-personal-data",
            "--format",
            "json",
        ]
    )
    assert status == 1
    assert seen["paths"] == [str(some_file)]
    assert str(seen["today"]) == "2020-08-10"
    assert seen["history"] == "h" and seen["roster"] == "r.csv" and seen["show_personal_data"] is True


# --- with the real engine, on the synthetic example packages ------------------------------------

EXAMPLES = HERE.parent / "examples"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    status = main(["validate", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_valid_package_exits_0(capsys):
    status, out, err = run_cli(
        [str(EXAMPLES / "valid-2020-07"), "--today", "2020-08-05", "--no-color"], capsys
    )
    assert status == 0, out
    assert "结果：自查通过" in out and "\033" not in out


def test_valid_workbook_exits_0(capsys):
    status, out, _ = run_cli([str(EXAMPLES / "valid-2020-07.xlsx"), "--today", "2020-08-05"], capsys)
    assert status == 0, out


def test_errors_exit_1_and_json_matches_schema_and_golden(capsys):
    args = [str(EXAMPLES / "errors-id-numbers.xlsx"), "--today", "2020-09-03", "--format", "json"]
    status, out, _ = run_cli(args, capsys)
    assert status == 1
    report = json.loads(out)
    jsonschema.validate(report, report_schema())
    assert report["valid"] is False and report["summary"]["error"] > 0
    assert "身份证" in out and "\\u" not in out  # ensure_ascii=False
    # Deterministic: a second run writes exactly the same bytes.
    assert run_cli(args, capsys)[1] == out
    # The file name the user typed depends on where the tests run from; the rest must not change.
    out = out.replace(str(EXAMPLES / "errors-id-numbers.xlsx"), "examples/errors-id-numbers.xlsx")
    check_golden("errors-id-numbers.json", out)


def test_personal_data_masked_unless_asked(capsys):
    path = str(EXAMPLES / "errors-id-numbers.xlsx")
    masked = json.loads(run_cli([path, "--today", "2020-09-03", "--format", "json"], capsys)[1])
    shown = json.loads(
        run_cli([path, "--today", "2020-09-03", "--format", "json", "--show-personal-data"], capsys)[1]
    )
    ids = [f for f in masked["findings"] if f["field"] == "head_id" and f["value"]]
    assert ids and all("*" in f["value"] for f in ids)
    assert any(f["field"] == "head_id" and f["value"] and "*" not in f["value"] for f in shown["findings"])
    assert "*" not in render_text(shown, color=False).split("问题明细")[0]  # heading unaffected
    assert "未打码" in render_text(shown, color=False)


def test_text_report_on_real_findings(capsys):
    status, out, _ = run_cli([str(EXAMPLES / "errors-id-numbers.xlsx"), "--today", "2020-09-03"], capsys)
    assert status == 1
    assert "[错误]" in out and "怎么改：" in out and "工作表“附件1”" in out
    assert "未执行的检查" in out  # no --history / --roster given


def test_html_output_file(tmp_path, capsys):
    dest = tmp_path / "报告.html"
    status, out, err = run_cli(
        [
            str(EXAMPLES / "errors-codes-structure.xlsx"),
            "--today",
            "2020-09-03",
            "--format",
            "html",
            "-o",
            str(dest),
        ],
        capsys,
    )
    assert status == 1 and out == ""
    assert "报告已写入" in err
    page = dest.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "http://" not in page and "https://" not in page


def test_xlsx_annotated_copy_of_a_workbook(tmp_path, capsys):
    src = tmp_path / "errors-id-numbers.xlsx"
    src.write_bytes((EXAMPLES / "errors-id-numbers.xlsx").read_bytes())
    before = digest(src)
    dest = tmp_path / "out" / "标注.xlsx"
    status, out, _ = run_cli(
        [str(src), "--today", "2020-09-03", "--format", "xlsx", "--output", str(dest)], capsys
    )
    assert status == 1 and "标注版 Excel 已写入" in out
    assert digest(src) == before
    report = json.loads(run_cli([str(src), "--today", "2020-09-03", "--format", "json"], capsys)[1])
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames[0] == "校验结果"
    located = [f for f in report["findings"] if f["sheet"] and f["cell"]]
    assert located
    for f in located:
        cell = wb[f["sheet"]][f["cell"]]
        assert cell.fill.fill_type == "solid", f
        assert f["rule"] in cell.comment.text and f["message"] in cell.comment.text


def test_xlsx_without_output_goes_to_the_current_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run_cli(
        [str(EXAMPLES / "errors-dates"), "--today", "2020-10-20", "--format", "xlsx"], capsys
    )
    assert status == 1
    made = tmp_path / "errors-dates.校验结果.xlsx"
    wb = openpyxl.load_workbook(made)
    assert {"校验结果", "附件1", "报送信息"} <= set(wb.sheetnames)


def test_xlsx_next_to_an_input_folder_is_refused(tmp_path, capsys, monkeypatch):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for p in (EXAMPLES / "valid-2020-07").iterdir():
        (pkg / p.name).write_bytes(p.read_bytes())
    monkeypatch.chdir(pkg)
    assert run_cli([".", "--format", "xlsx"], capsys)[0] == 2
    assert not list(pkg.glob("*.xlsx"))


def test_unreadable_workbook_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"this is not a workbook")
    status, out, err = run_cli([str(bad), "--today", "2020-09-03"], capsys)
    assert status == 2
    assert err.strip() and "Traceback" not in err + out


def test_real_command_line_process(tmp_path):
    """The installed entry point: exit status and UTF-8 JSON on stdout."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "validator",
            "validate",
            str(EXAMPLES / "errors-dates.xlsx"),
            "--today",
            "2020-10-20",
            "--format",
            "json",
        ],
        capture_output=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert json.loads(proc.stdout.decode("utf-8"))["valid"] is False
    assert proc.stderr == b""


class FakeTerminal(io.StringIO):
    """A stdout that says it is a terminal, to see when colour is used."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("extra", "env", "coloured"),
    [([], {}, True), (["--no-color"], {}, False), ([], {"NO_COLOR": "1"}, False)],
)
def test_colour_only_on_a_terminal_that_wants_it(extra, env, coloured, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", term)
    assert main(["validate", str(EXAMPLES / "errors-dates.xlsx"), "--today", "2020-10-20", *extra]) == 1
    assert ("\033[" in term.getvalue()) is coloured
    assert "结果：不通过" in term.getvalue()


def test_text_output_file_has_no_colour(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", FakeTerminal())
    dest = tmp_path / "报告.txt"
    assert (
        main(["validate", str(EXAMPLES / "errors-dates.xlsx"), "--today", "2020-10-20", "-o", str(dest)]) == 1
    )
    text = dest.read_text(encoding="utf-8")
    assert "结果：不通过" in text and "\033" not in text


def test_several_csv_files_and_their_annotated_workbook(tmp_path, capsys):
    files = [str(p) for p in sorted((EXAMPLES / "errors-dates").glob("*.csv"))]
    dest = tmp_path / "标注.xlsx"
    status, _, _ = run_cli([*files, "--today", "2020-10-20", "--format", "xlsx", "-o", str(dest)], capsys)
    assert status == 1
    report = json.loads(run_cli([*files, "--today", "2020-10-20", "--format", "json"], capsys)[1])
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames[:2] == ["校验结果", "报送信息"]
    located = [f for f in report["findings"] if f["cell"] and f["resource"]]
    assert located
    titles = {"manifest": "报送信息", "annex1": "附件1", "annex2": "附件2", "annex3": "附件3"}
    for f in located:
        cell = wb[titles[f["resource"]]][f["cell"]]
        assert cell.fill.fill_type == "solid" and f["rule"] in cell.comment.text, f


def test_xlsx_format_with_two_workbooks_is_bad_usage(tmp_path, capsys):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for p in (a, b):
        p.write_bytes((EXAMPLES / "valid-2020-07.xlsx").read_bytes())
    status, _, err = run_cli([str(a), str(b), "--format", "xlsx", "-o", str(tmp_path / "o.xlsx")], capsys)
    assert status == 2 and "一个工作簿" in err
    assert not (tmp_path / "o.xlsx").exists()


def test_an_output_that_cannot_be_written_is_exit_2(tmp_path, capsys):
    blocked = tmp_path / "只读"
    blocked.write_text("a file, so nothing can be created beneath it", encoding="utf-8")
    args = [str(EXAMPLES / "errors-dates.xlsx"), "--today", "2020-10-20", "--format"]
    for fmt in ("html", "xlsx"):
        status, _, err = run_cli([*args, fmt, "-o", str(blocked / f"报告.{fmt}")], capsys)
        assert status == 2 and "无法写入" in err and "Traceback" not in err
