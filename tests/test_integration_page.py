"""The examples on the developer page "在其他系统中使用" work as written.

Every code block of docs/developers/integration.md runs, in order, in one folder that holds what
the page says it holds (a copy of two synthetic example packages, in a git repository as the CI
example assumes): `sh` with bash (the project's .venv/bin first on PATH), `python` with the
project's interpreter, `js` with Node and the npm packages of this checkout. `yaml` blocks are
checked against what they name (the hook id, the fpjc commands); `text` blocks are not run.
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

from validator import standard
from validator.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "developers" / "integration.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("integration")
    shutil.copytree(ROOT / "examples" / "valid-2020-07", ws / "松桂镇-2020-07")
    shutil.copy(ROOT / "examples" / "errors-dates.xlsx", ws / "黄坪镇-2020-09.xlsx")
    (ws / "node_modules").symlink_to(ROOT / "node_modules")
    git = ["git", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=ws, check=True)
    (ws / ".gitignore").write_text("node_modules\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=ws, check=True)
    return ws


@pytest.fixture(scope="module")
def outputs(workspace) -> list[tuple[str, str]]:
    """(language, output) of every block, run in order in the workspace."""
    env = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("FPJC_DEBUG", None)
    results = []
    for i, (lang, code) in enumerate(blocks()):
        if lang == "sh":
            cmd = ["bash", "-e", "-o", "pipefail", "-c", code]
        elif lang == "python":
            cmd = [sys.executable, "-c", code]
        elif lang == "js":
            script = workspace / f"example-{i}.mjs"
            script.write_text(code, encoding="utf-8")
            cmd = [shutil.which("node") or "node", str(script)]
        else:
            results.append((lang, ""))
            continue
        proc = subprocess.run(cmd, cwd=workspace, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (
            f"block {i} ({lang}) failed:\n{code}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
        results.append((lang, proc.stdout + proc.stderr))
    return results


def test_the_page_has_an_example_of_each_kind():
    langs = [lang for lang, _ in blocks()]
    assert langs.count("python") >= 2 and langs.count("sh") >= 3 and langs.count("js") >= 1
    assert langs.count("yaml") >= 2


def test_command_line_example(outputs, workspace):
    first = next(out for lang, out in outputs if lang == "sh")
    assert f"数据标准 {standard.version()}" in first and "退出状态 1" in first
    report = json.loads((workspace / "报告.json").read_text(encoding="utf-8"))
    assert report["valid"] is False
    published = ROOT / "schemas" / standard.version()
    for path in published.rglob("*"):
        if path.is_file():
            assert (workspace / "标准" / path.relative_to(published)).read_bytes() == path.read_bytes()
    assert (workspace / "模板" / "csv" / "附件1.csv").is_file()


def test_python_examples(outputs):
    first, second = [out for lang, out in outputs if lang == "python"][:2]
    assert f"{standard.base_uri()}{standard.version()}/annex1.row.schema.json" in first
    assert "\nFalse " in first and re.search(r"^[A-Z]\d{3} [A-Z]+\d+ ", first, re.M)
    lines = second.strip().splitlines()
    assert lines[0] == "[]" and "2020年7月" in lines[1]


def test_frictionless_example(outputs):
    out = [out for lang, out in outputs if lang == "sh"][1]
    assert out.count("VALID") == 4 and "INVALID" not in out


def test_ajv_example(outputs):
    out = next(out for lang, out in outputs if lang == "js").splitlines()
    assert out[0] == "true" and out[1].startswith("false") and "date" in out[1]


def test_ci_example(outputs):
    out = [out for lang, out in outputs if lang == "sh"][2]
    assert "退出状态 1" in out
    assert "('松桂镇-2020-07', True)" in out and "('黄坪镇-2020-09.xlsx', False)" in out


def test_yaml_examples_name_what_exists():
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    config, workflow = [yaml.safe_load(code) for lang, code in blocks() if lang == "yaml"][:2]
    named = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
    assert named and set(named) <= hooks
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    commands = re.findall(r"\bfpjc ([a-z-]+)", " ".join(runs))
    assert commands and set(commands) <= set(COMMANDS)
