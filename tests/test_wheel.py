"""The wheel is the product for developers: build it, install it into a fresh virtual environment and
use every command a user is offered from a folder that has nothing to do with the checkout.

`python -m build --wheel` runs on a clean copy of the source files (setuptools' build/lib keeps files
a previous build left behind), pip installs the wheel with its dependencies from the package index
(cached after the first run), and each command runs with the checkout out of reach: another working
directory, no PYTHONPATH, and `validator` imported from the new environment's site-packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from validator import standard

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PUBLISHED = ROOT / "schemas" / standard.version()
# What the installed package imports (and nothing else): see pyproject.toml.
RUNTIME_DEPENDENCIES = {"python-calamine", "openpyxl", "chinesecalendar", "jinja2"}

pytestmark = pytest.mark.slow


def _source_copy(dest: Path) -> Path:
    """The files a fresh clone would have (tracked and new, not ignored): nothing a build left behind."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel-build")
    source = _source_copy(work / "source")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (built,) = (work / "dist").glob("fpjc-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("wheel-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    proc = subprocess.run(
        # PyYAML too: the maintainer commands must refuse because there is no checkout, not
        # merely because a developer dependency is missing.
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel), "pyyaml"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return env_dir


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    """An unrelated working folder holding copies of two example packages."""
    folder = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(EXAMPLES / "valid-2020-07", folder / "松桂镇-2020-07")
    shutil.copy(EXAMPLES / "errors-dates.xlsx", folder / "黄坪镇-2020-09.xlsx")
    return folder


def run(venv: Path, cwd: Path, *args: str, python: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "FPJC_DEBUG")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUTF8"] = "1"
    cmd = [str(venv / "bin" / ("python" if python else "fpjc")), *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_wheel_holds_the_package_its_data_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"validator"}
    for needed in (
        "validator/data/standard.json",
        "validator/render/templates/report.html.j2",
        "validator/outputs/print/form.j2",
        "validator/outputs/print/print.css",
    ):
        assert needed in names
    requires = {
        line.split(":", 1)[1].split(";")[0].strip().split(">")[0].split("=")[0].split("<")[0].strip().lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert requires == RUNTIME_DEPENDENCIES


def test_installed_package_is_not_the_checkout(venv, elsewhere):
    proc = run(venv, elsewhere, "-c", "import validator; print(validator.__file__)", python=True)
    assert proc.returncode == 0, proc.stderr
    location = Path(proc.stdout.strip())
    assert venv in location.parents and ROOT not in location.parents


def test_version_names_program_and_standard(venv, elsewhere):
    proc = run(venv, elsewhere, "--version")
    assert proc.returncode == 0
    assert "0.1.0" in proc.stdout and f"数据标准 {standard.version()}" in proc.stdout


def test_validate_in_every_format(venv, elsewhere, tmp_path):
    ok = run(venv, elsewhere, "validate", "松桂镇-2020-07", "--today", "2020-08-10", "--no-color")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "通过" in ok.stdout

    bad = run(venv, elsewhere, "validate", "黄坪镇-2020-09.xlsx", "--today", "2020-10-20", "--format", "json")
    assert bad.returncode == 1, bad.stderr
    report = json.loads(bad.stdout)
    assert report["valid"] is False and report["standard_version"] == standard.version()

    html = run(
        venv, elsewhere, "validate", "黄坪镇-2020-09.xlsx", "--format", "html", "--output", "报告.html"
    )
    assert html.returncode == 1 and "<html" in (elsewhere / "报告.html").read_text(encoding="utf-8")

    xlsx = run(
        venv, elsewhere, "validate", "黄坪镇-2020-09.xlsx", "--format", "xlsx", "--output", "标注.xlsx"
    )
    assert xlsx.returncode == 1, xlsx.stderr
    assert zipfile.is_zipfile(elsewhere / "标注.xlsx")


def test_validate_changed_and_benchmark_data(venv, elsewhere):
    changed = run(
        venv,
        elsewhere,
        "validate-changed",
        "松桂镇-2020-07/annex1.csv",
        "黄坪镇-2020-09.xlsx",
        "--today",
        "2020-10-20",
        "--format",
        "json",
    )
    assert changed.returncode == 1, changed.stderr
    assert [p["path"] for p in json.loads(changed.stdout)["packages"]] == [
        "松桂镇-2020-07",
        "黄坪镇-2020-09.xlsx",
    ]
    bench = run(venv, elsewhere, "examples", "bench", "--rows", "30", "--out", "基准")
    assert bench.returncode == 0, bench.stderr
    assert run(venv, elsewhere, "validate", "基准", "--format", "json").returncode in (0, 1)


def test_rollup(venv, elsewhere):
    month = elsewhere / "2020-07"
    month.mkdir(exist_ok=True)
    shutil.copytree(EXAMPLES / "valid-2020-07", month / "松桂镇", dirs_exist_ok=True)
    shutil.copy(EXAMPLES / "zero-report-2020-07.xlsx", month / "六合彝族乡.xlsx")
    proc = run(venv, elsewhere, "rollup", "2020-07", "--today", "2020-08-10", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["packages"]) == 2


def test_county_month(venv, elsewhere):
    """The county office's commands from the wheel alone: meeting workbook, record check, feedback."""
    month = elsewhere / "2020-07-county"
    month.mkdir(exist_ok=True)
    shutil.copytree(EXAMPLES / "valid-2020-07", month / "松桂镇", dirs_exist_ok=True)
    shutil.copy(EXAMPLES / "zero-report-2020-07.xlsx", month / "六合彝族乡.xlsx")
    proc = run(
        venv,
        elsewhere,
        "county",
        "prepare",
        month.name,
        "--today",
        "2020-08-10",
        "-o",
        "研判.xlsx",
        "-j",
        "2",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # seven townships have not reported
    assert "列入研判24户" in proc.stdout and (elsewhere / "研判.xlsx").is_file()
    assert (elsewhere / "研判会议议程-2020-07.html").is_file()
    check = run(
        venv,
        elsewhere,
        "county",
        "check",
        "研判.xlsx",
        "--packages",
        month.name,
        "--today",
        "2020-08-10",
        "--format",
        "json",
    )
    assert check.returncode == 1, check.stderr  # nothing decided yet
    assert json.loads(check.stdout)["summary"]["rows"] == {"county_meeting": 1, "county_record": 24}
    feedback = run(venv, elsewhere, "county", "feedback", "研判.xlsx", "--packages", month.name, "-o", "反馈")
    assert feedback.returncode == 1 and "没有生成反馈单" in feedback.stderr


def test_template_in_every_format(venv, elsewhere):
    proc = run(venv, elsewhere, "template", "--out", "模板")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = elsewhere / "模板"
    suffixes = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert {".xlsx", ".csv", ".html"} <= suffixes
    printable = (out / "print" / "附件1.html").read_text(encoding="utf-8")
    assert "附件1" in printable and "<style" in printable
    for form in standard.forms():
        assert (out / "print" / f"{form['title']}.html").is_file()


def test_schemas_export_writes_the_published_standard(venv, elsewhere):
    proc = run(venv, elsewhere, "schemas", "export", "标准")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    exported = elsewhere / "标准"
    published = sorted(p.relative_to(PUBLISHED).as_posix() for p in PUBLISHED.rglob("*") if p.is_file())
    written = sorted(p.relative_to(exported).as_posix() for p in exported.rglob("*") if p.is_file())
    assert written == published
    differing = [rel for rel in published if (exported / rel).read_bytes() != (PUBLISHED / rel).read_bytes()]
    assert differing == []
    assert {"datapackage.template.json", "report.schema.json", "codelists/township.csv"} <= set(written)


def test_python_api_gives_each_schema_as_a_dict(venv, elsewhere):
    code = (
        "import json; from validator import standard;"
        "names = standard.schema_names();"
        "print(json.dumps({n: standard.schema(n)['$id'] for n in names}))"
    )
    proc = run(venv, elsewhere, "-c", code, python=True)
    assert proc.returncode == 0, proc.stderr
    ids = json.loads(proc.stdout)
    expected = {
        p.name: json.loads(p.read_text(encoding="utf-8"))["$id"] for p in sorted(PUBLISHED.glob("*.json"))
    }
    assert ids == expected


@pytest.mark.parametrize(
    "args", [("schemas", "build"), ("schemas", "check"), ("schemas", "release"), ("examples", "build")]
)
def test_maintainer_commands_refuse_outside_a_checkout(venv, elsewhere, args):
    proc = run(venv, elsewhere, *args)
    assert proc.returncode == 2
    assert "源码仓库" in proc.stderr and "Traceback" not in proc.stderr
    assert not (elsewhere / "schemas").exists() and not (elsewhere / "examples").exists()
