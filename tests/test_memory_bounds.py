"""Memory stays bounded whatever the input holds, and running out of it is a clear exit 2.

`fpjc validate` runs in a subprocess whose address space is limited (RLIMIT_AS) to what the
interpreter needs at start plus a margin. A CSV with a mistake on every row used to keep every
finding until the report was written (a 400 KB file of `1,x` rows took 2 GB); now it must
finish within the margin. A package that genuinely needs more memory than allowed must end
with exit status 2 and a Chinese message, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from validator import standard
from validator.commands import common
from validator.values.idnumber import check_digit

resource = pytest.importorskip("resource")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's"
)

MB = 1024 * 1024


@pytest.fixture(scope="module")
def baseline() -> int:
    """Address space of a Python that has imported everything `fpjc validate` imports."""
    code = (
        "import json, validator.cli, validator.api, validator.commands.validate, validator.render.text\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmPeak')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout) * 1024


def run_limited(args: list[str], limit: int, cwd: Path) -> subprocess.CompletedProcess:
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "validator", *args],
        preexec_fn=limit_memory,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_a_finding_on_every_row_stays_within_bounds(tmp_path, baseline):
    """100,000 rows of `1,x` (400 KB): 1.6 million findings. Before: 5.8 GB and a MemoryError."""
    names = [f["name"] for f in standard.form("annex1")["fields"]]
    (tmp_path / "annex1.csv").write_text(",".join(names) + "\n" + "1,x\n" * 100_000, encoding="utf-8")
    proc = run_limited(["validate", "annex1.csv", "--format", "json"], baseline + 100 * MB, tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    by_rule = report["summary"]["by_rule"]
    assert by_rule["F001"] == 14 * 100_000  # every blank required cell counted
    assert by_rule["T001"] == 100_000 - 1  # every repeated 序号
    assert report["summary"]["rows"]["annex1"] == 100_000
    assert len(report["findings"]) < 2_000
    assert report["truncated"]["omitted"] == sum(by_rule.values()) - len(report["findings"])


def test_running_out_of_memory_is_exit_2_with_a_chinese_message(tmp_path, baseline):
    """300,000 distinct households need an index bigger than the 15 MB allowed on top."""
    with (tmp_path / "annex1.csv").open("w", encoding="utf-8") as f:
        f.write("序号,户主身份证号\n")
        for i in range(300_000):
            d = i % 16800
            body = f"532932{1950 + d // 336}{1 + (d // 28) % 12:02d}{1 + d % 28:02d}{i // 16800:03d}"
            f.write(f"{i + 1},{body}{check_digit(body)}\n")
    proc = run_limited(["validate", "annex1.csv", "--format", "json"], baseline + 15 * MB, tmp_path)
    assert proc.returncode == 2
    assert "内存不足" in proc.stderr
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr
    assert proc.stdout == ""


def test_guarded_says_out_of_memory_after_letting_go(capsys):
    held = []

    def greedy(args):
        held.append(bytearray(1024))
        raise MemoryError

    assert common.guarded(greedy, None) == common.UNUSABLE
    err = capsys.readouterr().err
    assert "内存不足" in err and "内部错误" not in err


def test_an_earlier_package_with_a_reader_finding_on_every_row(tmp_path, baseline):
    """--history reads earlier packages without reporting their problems: the reader's findings
    about them (here an extra cell on each of 300,000 rows) must not pile up either."""
    example = Path(__file__).resolve().parent.parent / "examples" / "valid-2020-07"
    earlier = tmp_path / "history" / "2020-06"
    earlier.mkdir(parents=True)
    with (earlier / "annex1.csv").open("w", encoding="utf-8") as f:
        f.write("序号,户主身份证号\n")
        f.writelines(f"{i},,多余\n" for i in range(1, 300_001))
    proc = run_limited(
        ["validate", str(example), "--history", "history", "--format", "json"], baseline + 100 * MB, tmp_path
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert json.loads(proc.stdout)["options"]["history"] == "history"


def test_rows_the_reader_skips_are_counted_within_bounds(tmp_path, baseline):
    """Unused pre-numbered rows are skipped, but a stray cell on each is still reported (S013):
    300,000 of them are counted, the first ones listed, and memory stays bounded."""
    names = [f["name"] for f in standard.form("annex1")["fields"]]
    stray = "," * (len(names) - 1) + ",多余"
    with (tmp_path / "annex1.csv").open("w", encoding="utf-8") as f:
        f.write(",".join(names) + "\n")
        f.writelines(f"{i}{stray}\n" for i in range(1, 300_001))
    proc = run_limited(["validate", "annex1.csv", "--format", "json"], baseline + 100 * MB, tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["summary"]["by_rule"]["S013"] == 300_000
    assert sum(f["rule"] == "S013" for f in report["findings"]) < 1_000
    assert {
        "rule": "S013",
        "resource": "annex1",
        "total": 300_000,
        "listed": report["truncated"]["listed_per_rule"],
    } in report["truncated"]["rules"]
