"""Every path a command reads is protected from every path it writes; special files are refused.

Built from small generators (a copy of the valid example, a roster of its households, a month
folder with one township): each case of the issue "Hardening" point 1 and point 11, every
command, and the audit hook that stops a write from code that forgot to declare it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hardening_support import ROOT, TODAY, digests, month_folder, package, roster

from validator.cli import main


def run(args: list[str], capsys) -> tuple[int, str, str]:
    status = main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


# --- the four cases of the issue ---------------------------------------------------------------


def test_roster_is_not_overwritten(tmp_path, capsys):
    pkg = package(tmp_path / "pkg")
    listed = roster(tmp_path / "roster.csv")
    before = digests(listed)
    args = ["validate", str(pkg), "--roster", str(listed), "--today", TODAY, "--format", "json"]
    status, out, err = run([*args, "--output", str(listed)], capsys)
    assert status == 2 and "建档立卡名单" in err and "覆盖" in err and out == ""
    assert digests(listed) == before
    # Through a symbolic link and a hard link to it: still the same file.
    (tmp_path / "link.json").symlink_to(listed)
    os.link(listed, tmp_path / "hard.json")
    for other in ("link.json", "hard.json"):
        status, _, err = run([*args, "--output", str(tmp_path / other)], capsys)
        assert status == 2 and "建档立卡名单" in err
    assert digests(listed) == before


def test_rollup_output_into_a_townships_file(tmp_path, capsys):
    month = month_folder(tmp_path / "2020-07")
    before = digests(month)
    target = month / "songgui" / "annex2.csv"
    status, _, err = run(
        ["rollup", str(month), "--today", TODAY, "--format", "csv", "--output", str(target)], capsys
    )
    assert status == 2 and "乡镇报送包" in err
    assert digests(month) == before
    # A new file inside a township's package folder is refused too, and so is a package zip.
    status, _, err = run(
        ["rollup", str(month), "--today", TODAY, "--output", str(month / "songgui" / "汇总.txt")], capsys
    )
    assert status == 2 and "写进" in err
    (month / "yunhe.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    before = digests(month)
    status, _, err = run(
        ["rollup", str(month), "--today", TODAY, "--output", str(month / "yunhe.zip")], capsys
    )
    assert status == 2 and digests(month) == before


def test_rollup_reports_into_a_package(tmp_path, capsys):
    month = month_folder(tmp_path / "2020-07")
    before = digests(month)
    for reports in (month / "songgui", month / "songgui" / "reports"):
        status, _, err = run(["rollup", str(month), "--today", TODAY, "--reports", str(reports)], capsys)
        assert status == 2 and "--reports" in err
    assert digests(month) == before and not (month / "songgui" / "reports").exists()


def test_output_into_the_history(tmp_path, capsys):
    pkg = package(tmp_path / "pkg")
    history = tmp_path / "history"
    package(history / "2020-06")
    before = digests(history)
    for output in (history / "x.json", history / "2020-06" / "x.json"):
        status, _, err = run(
            [
                "validate",
                str(pkg),
                "--history",
                str(history),
                "--today",
                TODAY,
                "--format",
                "json",
                "-o",
                str(output),
            ],
            capsys,
        )
        assert status == 2 and "历史报送包" in err
    assert digests(history) == before
    status, _, err = run(
        ["rollup", str(tmp_path), "--history", str(history), "--today", TODAY, "-o", str(history / "r.txt")],
        capsys,
    )
    assert status == 2 and digests(history) == before


def test_outputs_beside_the_inputs_still_work(tmp_path, capsys):
    """The guard refuses only what touches a read: the usual places keep working."""
    pkg = package(tmp_path / "pkg")
    listed = roster(tmp_path / "roster.csv")
    status, _, _ = run(
        [
            "validate",
            str(pkg),
            "--roster",
            str(listed),
            "--today",
            TODAY,
            "--format",
            "json",
            "-o",
            str(tmp_path / "r.json"),
        ],
        capsys,
    )
    assert status == 0 and (tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")
    month = month_folder(tmp_path / "2020-07")
    args = [
        "rollup",
        str(month),
        "--today",
        TODAY,
        "--reports",
        str(month / "报告"),
        "-o",
        str(month / "汇总.csv"),
    ]
    for _ in range(2):  # a second run finds its own earlier outputs and is not fooled by them
        status, _, err = run([*args, "--format", "csv"], capsys)
        assert status == 1, err  # eight townships are missing
    assert (month / "报告" / "松桂镇" / "songgui.校验报告.html").is_file()  # one folder per township


# --- every command declares its reads and writes ------------------------------------------------


def test_template_out_into_its_print_layouts(tmp_path, capsys, monkeypatch):
    import validator.outputs.printable as printable

    layouts = tmp_path / "print"
    shutil.copytree(printable.LAYOUT_DIR, layouts)
    monkeypatch.setattr(printable, "LAYOUT_DIR", layouts)
    before = digests(layouts)
    status, _, err = run(["template", "--out", str(layouts / "out")], capsys)
    assert status == 2 and "打印表版式" in err
    assert digests(layouts) == before and not (layouts / "out").exists()


def test_schemas_and_examples_out_into_the_form_definitions(tmp_path, capsys, monkeypatch):
    import validator.builders.paths as paths
    import validator.builders.standard_json as forms

    copy = tmp_path / "forms"
    shutil.copytree(forms.FORMS_DIR, copy)
    monkeypatch.setattr(forms, "FORMS_DIR", copy)
    monkeypatch.setattr(paths, "FORMS_DIR", copy)
    before = digests(copy)
    status, _, err = run(["schemas", "build", "--out", str(copy / "schemas")], capsys)
    assert status == 2 and "表单定义" in err
    status, _, err = run(["examples", "build", "--no-xlsx", "--out", str(copy / "ex")], capsys)
    assert status == 2 and "表单定义" in err
    assert digests(copy) == before


def test_every_command_declares_its_files():
    """Every command module goes through `run_files`; a new command cannot forget to."""
    from validator.commands import COMMANDS

    for name, (module, _) in COMMANDS.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        assert "run_files(" in path.read_text(encoding="utf-8"), (
            f"fpjc {name} ({path.name}) declares no files"
        )


def test_the_audit_hook_stops_undeclared_writes(tmp_path):
    """Whatever code writes (openpyxl, a writer that forgot to ask), a declared read is untouched."""
    import openpyxl

    from validator.commands.paths import Refused, RunFiles

    pkg = package(tmp_path / "pkg")
    before = digests(pkg)
    files = RunFiles().start()
    try:
        files.read("被校验的输入", pkg)
        with pytest.raises(Refused):
            (pkg / "annex1.csv").write_text("x", encoding="utf-8")
        with pytest.raises(Refused):
            openpyxl.Workbook().save(pkg / "new.xlsx")
        with pytest.raises(Refused):
            os.replace(tmp_path / "pkg" / "manifest.csv", tmp_path / "moved.csv")
        with pytest.raises(Refused):
            os.remove(pkg / "annex2.csv")
        with pytest.raises(Refused):
            shutil.rmtree(pkg)
        (tmp_path / "elsewhere.txt").write_text("fine", encoding="utf-8")  # outside: allowed
    finally:
        files.finish()
    assert digests(pkg) == before
    (pkg / "after.txt").write_text("the run is over", encoding="utf-8")  # the hook is idle again


# --- point 11: symbolic links at the output, special files as input -----------------------------


def test_output_symlink_is_replaced_not_followed(tmp_path, capsys):
    pkg = package(tmp_path / "pkg")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(precious)
    status, _, _ = run(["validate", str(pkg), "--today", TODAY, "--format", "json", "-o", str(link)], capsys)
    assert status == 0
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("{")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fpjc-")] == []  # no temp file left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("where", ["input", "--history", "--roster"])
def test_a_named_pipe_is_refused_not_waited_for(tmp_path, where):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    pkg = package(tmp_path / "pkg")
    args = {
        "input": [str(fifo)],
        "--history": [str(pkg), "--history", str(fifo)],
        "--roster": [str(pkg), "--roster", str(fifo)],
    }
    proc = subprocess.run(
        [sys.executable, "-m", "validator", "validate", *args[where], "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=60,  # the old behaviour: blocked forever on open()
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert "命名管道" in proc.stderr and "Traceback" not in proc.stderr and "内部错误" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_device_is_refused(tmp_path, capsys):
    pkg = package(tmp_path / "pkg")
    for args in (["/dev/null"], [str(pkg), "--roster", "/dev/null"], [str(pkg), "--history", "/dev/null"]):
        status, _, err = run(["validate", *args, "--today", TODAY], capsys)
        assert status == 2 and "字符设备" in err
    status, _, err = run(["rollup", "/dev/null"], capsys)
    assert status == 2 and "字符设备" in err


def test_the_api_refuses_special_files_too(tmp_path):
    from validator import api
    from validator.tables import InputError

    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def writer():  # so that a reader that opens the pipe gets an empty file instead of a hang
        os.close(os.open(fifo, os.O_WRONLY))

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        with pytest.raises(InputError, match="不是普通文件或文件夹"):
            api.validate([fifo])
    finally:
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # release the writer if nobody read
        thread.join(5)


def test_a_rollup_worker_process_guards_the_runs_reads(tmp_path):
    """`--jobs` workers write the reports themselves: they refuse the parent's declared reads too
    (under the spawn and forkserver start methods nothing of the parent's guard is inherited)."""
    import datetime as dt

    from validator.commands import intake, paths
    from validator.commands.paths import Refused, RunFiles
    from validator.county.intake import check_package

    pkg = package(tmp_path / "pkg")
    parent = RunFiles()
    parent.read("乡镇报送包", pkg)
    job = intake.Job(
        today=dt.date(2020, 8, 10), history=None, roster=None, options={}, keep_rows=False,
        reports=pkg, reads=tuple(parent.reads),
    )  # fmt: skip
    result = check_package(pkg, name="pkg", today=job.today)
    before = digests(pkg)
    assert paths._active == []  # as in a freshly started worker
    intake._init(job)  # what a worker process runs first
    try:
        with pytest.raises(Refused):
            intake.write_reports(intake._files, pkg, pkg, result)
    finally:
        intake._files.finish()
    assert digests(pkg) == before
