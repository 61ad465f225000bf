"""`fpjc validate`: exit status, formats, usage errors and the last-resort error message."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from validator.cli import main
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


def test_options_reach_the_engine(some_file, stub_api, capsys):
    seen = {}

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
