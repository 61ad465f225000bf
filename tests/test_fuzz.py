"""A bounded run of the fuzzer (tests/fuzz.py) inside the test suite: about a minute of cases.

Many more cases: `python -m tests.fuzz --cases 100000 --jobs 2` (see the module's docstring).
A failing case is kept under test-artifacts/fuzz/ and reproduced with
`python -m tests.fuzz --seed 7 --replay N`.
"""

from __future__ import annotations

import os
import time

import pytest
from fuzz import ROOT, Seeds, make_case, peak_rss_mb, run_case

SEED = 7
CASES = int(os.environ.get("FPJC_FUZZ_CASES", "300"))
CASE_SECONDS = 60  # any single case beyond this is a hang
MEMORY_MB = 2048  # peak resident memory of the test process after the run


@pytest.fixture(scope="module")
def seeds() -> Seeds:
    return Seeds.load()


def test_seeded_cases_never_crash_leak_or_touch_their_inputs(seeds):
    keep = ROOT / "test-artifacts" / "fuzz"
    failures = []
    kinds: dict[str, int] = {}
    started = time.perf_counter()
    for number in range(CASES):
        case = make_case(seeds, SEED, number)
        result = run_case(case, timeout=CASE_SECONDS, keep=keep)
        kinds[f"{case.kind}/{case.note}"] = kinds.get(f"{case.kind}/{case.note}", 0) + 1
        if not result.ok:
            failures.append(f"case {number} ({case.kind}, {case.note}): {'; '.join(result.problems)}")
    assert failures == [], (
        f"{len(failures)} of {CASES} cases failed (reproduce: python -m tests.fuzz --seed {SEED} --replay N):\n"
        + "\n".join(failures[:20])
    )
    # Every kind of input was exercised, in a bounded time and memory.
    assert {"validate/csv folder", "validate/workbook", "validate/zip", "rollup/month folder"} <= set(kinds)
    assert any(k.startswith("browser/") for k in kinds)
    assert time.perf_counter() - started < CASES * 2
    assert peak_rss_mb() < MEMORY_MB


def test_cases_are_reproducible(seeds):
    first = make_case(seeds, SEED, 12)
    again = make_case(seeds, SEED, 12)
    assert first.files == again.files and first.target == again.target and first.fmt == again.fmt


def test_the_fuzzer_notices_a_leak_and_a_changed_input(seeds, monkeypatch):
    """The checks of a case can fail: a renderer that shows IDs unmasked, a command that writes into its input."""
    import validator.render.text as text

    case = make_case(seeds, SEED, 0)
    case.kind, case.fmt, case.show = "validate", "text", False
    case.files = {"pkg/" + n: d for n, d in seeds.csv_packages[-1].items()}
    case.target = ["pkg"]
    monkeypatch.setattr(text, "render_text", lambda report, color=False: "110101199003075555\n")
    assert any("unmasked" in p for p in run_case(case).problems)
    monkeypatch.undo()

    import validator.commands.validate as validate

    real = validate._run

    def scribbling(args):
        with open("pkg/annex1.csv", "ab") as f:  # what the guard exists to stop
            f.write(b"x")
        return real(args)

    monkeypatch.setattr(validate, "_run", scribbling)
    assert "an input file changed" in run_case(case).problems
