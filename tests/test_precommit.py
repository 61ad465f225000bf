"""In other people's pipelines: the pre-commit hook and `fpjc validate-changed`.

The grouping of changed files into packages is tested directly; then pre-commit itself installs
the hook from a copy of this repository (as `repo:` in a user's .pre-commit-config.yaml would)
and runs it on a repository of submissions, once failing and once passing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from validator.cli import main
from validator.commands import COMMANDS
from validator.commands.changed import packages_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def hook() -> dict:
    (entry,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return entry


def test_hook_definition():
    h = hook()
    assert h["id"] == "fpjc-validate" and h["language"] == "python"
    program, command = h["entry"].split()
    assert program == "fpjc" and command in COMMANDS
    assert h["pass_filenames"] is True and h["require_serial"] is True

    def selected(path: str) -> bool:
        return bool(re.search(h["files"], path)) and not re.search(h["exclude"], path)

    for path in ("2020-07/松桂镇.xlsx", "a/b/annex1.csv", "2020-07/金墩乡/datapackage.json", "x.zip"):
        assert selected(path), path
    for path in ("README.md", "2020-07/松桂镇.校验结果.xlsx", "2020-07/~$松桂镇.xlsx", "notes.json"):
        assert not selected(path), path


def test_changed_files_are_grouped_into_packages(tmp_path):
    month = tmp_path / "2020-07"
    shutil.copytree(EXAMPLES / "valid-2020-07", month / "松桂镇")
    nested = month / "金墩乡"
    (nested / "data").mkdir(parents=True)
    shutil.copy(EXAMPLES / "valid-2020-07" / "annex1.csv", nested / "data" / "annex1.csv")
    (nested / "datapackage.json").write_text("{}", encoding="utf-8")
    shutil.copy(EXAMPLES / "errors-dates.xlsx", month / "黄坪镇.xlsx")
    (month / "~$黄坪镇.xlsx").write_bytes(b"lock")
    (month / "黄坪镇.校验结果.xlsx").write_bytes(b"copy")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")

    changed = [
        month / "松桂镇" / "annex1.csv",
        month / "松桂镇" / "annex2.csv",
        month / "松桂镇" / "datapackage.json",
        nested / "data" / "annex1.csv",
        month / "黄坪镇.xlsx",
        month / "~$黄坪镇.xlsx",
        month / "黄坪镇.校验结果.xlsx",
        tmp_path / "README.md",
        month / "已删除.xlsx",
    ]
    packages, skipped = packages_of(changed, top=tmp_path)
    assert packages == [month / "松桂镇", nested, month / "黄坪镇.xlsx"]
    assert skipped == changed[5:]


def test_exit_status_is_the_worst_package(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLES / "valid-2020-07", tmp_path / "ok")
    shutil.copy(EXAMPLES / "errors-dates.xlsx", tmp_path / "bad.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    today = ["--today", "2020-08-10", "--no-color"]
    assert main(["validate-changed", "ok/annex1.csv", *today]) == 0
    assert main(["validate-changed", "ok/annex1.csv", "bad.xlsx", *today]) == 1
    assert main(["validate-changed", "ok/annex1.csv", "bad.xlsx", "broken.xlsx", *today]) == 2
    assert main(["validate-changed", "README.md"]) == 0
    capsys.readouterr()
    assert main(["validate-changed", "ok/annex1.csv", "bad.xlsx", "--format", "json", *today]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [p["path"] for p in data["packages"]] == ["ok", "bad.xlsx"]
    assert data["packages"][0]["report"]["valid"] and not data["valid"]


@pytest.mark.slow
def test_pre_commit_runs_the_hook_from_this_repository(tmp_path):
    source = tmp_path / "fpjc"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for rel in filter(None, listed.split("\0")):
        if (ROOT / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, source / rel)
    git = [
        "git",
        "-c",
        "user.name=fpjc",
        "-c",
        "user.email=fpjc@example.invalid",
        "-c",
        "init.defaultBranch=main",
    ]
    subprocess.run([*git, "init", "-q"], cwd=source, check=True)
    subprocess.run([*git, "add", "-A"], cwd=source, check=True)
    subprocess.run([*git, "commit", "-qm", "hook source"], cwd=source, check=True)

    subs = tmp_path / "submissions"
    subs.mkdir()
    shutil.copytree(EXAMPLES / "valid-2020-07", subs / "2020-07" / "松桂镇")
    (subs / "2020-09").mkdir()
    shutil.copy(EXAMPLES / "errors-dates.xlsx", subs / "2020-09" / "黄坪镇.xlsx")
    (subs / "README.md").write_text("# 报送包\n", encoding="utf-8")
    subprocess.run([*git, "init", "-q"], cwd=subs, check=True)
    subprocess.run([*git, "add", "-A"], cwd=subs, check=True)

    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PYTHONUTF8": "1"}
    env.pop("VIRTUAL_ENV", None)
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(source), "fpjc-validate"]

    failing = subprocess.run(
        [*pre_commit, "--all-files"], cwd=subs, env=env, capture_output=True, text=True, timeout=900
    )
    assert failing.returncode == 1, failing.stdout[-3000:] + failing.stderr[-3000:]
    assert "黄坪镇.xlsx" in failing.stdout and "共2个报送包：1个通过，1个有错误" in failing.stdout

    passing = subprocess.run(
        [*pre_commit, "--files", "2020-07/松桂镇/annex1.csv", "2020-07/松桂镇/datapackage.json", "README.md"],
        cwd=subs,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert passing.returncode == 0, passing.stdout[-3000:] + passing.stderr[-3000:]
    assert "Passed" in passing.stdout
