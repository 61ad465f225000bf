"""Conformance: the Pyodide build (same runtime, wheels, lock and bridge as the page, run by Node)
gives exactly the CPython results for every rule's failing and passing example and every example
package. The browser page adds only display and downloads on top of this bridge."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
from pathlib import Path

import pytest
from checker_support import ROOT, checker_build, node_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not node_available(), reason="needs Node.js"),
]


def _bridge():
    spec = importlib.util.spec_from_file_location("fpjc_checker", ROOT / "site" / "checker" / "bridge.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NodeChecker:
    def __init__(self, built: dict):
        self.proc = subprocess.Popen(
            [
                "node",
                str(ROOT / "tests" / "checker_node.mjs"),
                built["dir"],
                built["runtime"],
                built["packages"],
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.hello = json.loads(self.proc.stdout.readline() or '{"ready": false, "error": "node exited"}')

    def check(
        self, files: list[Path], today: str, stage: str = "draft", settings: Path | None = None
    ) -> dict:
        request = {"files": [{"name": f.name, "path": str(f)} for f in files], "today": today, "stage": stage}
        if settings is not None:
            request["settings"] = {"name": settings.name, "path": str(settings)}
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if not answer["ok"]:
            raise AssertionError(answer["error"])
        return json.loads(answer["json"])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    built = checker_build.build(tmp_path_factory.mktemp("site"))
    checker = NodeChecker(built)
    assert checker.hello.get("ready"), checker.hello
    yield checker
    checker.close()


def _cpython(files: list[Path], today: str, stage: str = "draft", settings: Path | None = None) -> dict:
    county = (settings.name, settings.read_bytes()) if settings is not None else None
    result = _bridge().check([(f.name, f.read_bytes()) for f in files], today, stage, county)
    return json.loads(json.dumps(result, ensure_ascii=False))


def _package_files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())


def test_runs_python_314_with_the_pinned_libraries(node):
    versions = node.hello["versions"]
    assert versions["python"].startswith("3.14")
    wheels = checker_build.wheels
    assert versions["openpyxl"] == wheels.PYPI_WHEELS["openpyxl"]["version"]
    assert versions["python-calamine"] == wheels.PYPI_WHEELS["python-calamine"]["version"]
    assert versions["jinja2"] == wheels.PYPI_WHEELS["jinja2"]["version"]
    from validator import standard

    assert versions["standard"] == standard.version()


def test_every_rule_example_matches_cpython(node, tmp_path):
    from validator.builders import rule_examples
    from validator.catalogue import registry

    rules = registry()
    assert rules
    mismatches, unreadable, ran = [], [], 0
    for rule_id, rule in sorted(rules.items()):
        for which, patch in (("fail", rule.fail), ("passing", rule.passing)):
            options = patch.get("options", {})
            tables = rule_examples.apply_patch(patch)
            target = tmp_path / f"{rule_id}-{which}"
            path = rule_examples.write_package(target, tables, options.get("format", "csv"), options=options)
            files = _package_files(path)
            today = options.get("today", rule_examples.TODAY)
            stage = options.get("stage", "draft")
            settings = None
            if "settings" in options:
                settings = tmp_path / f"{rule_id}-{which}.县设置.json"
                settings.write_text(json.dumps(options["settings"], ensure_ascii=False), encoding="utf-8")
            in_pyodide = node.check(files, today, stage, settings)
            in_cpython = _cpython(files, today, stage, settings)
            ran += 1
            if in_pyodide != in_cpython:
                mismatches.append(f"{rule_id} {which}")
            # The browser has no history or roster; every other failing example must fire there too
            # (or, like the CLI's exit status 2, say the input is unreadable).
            # Nor the month's township packages a county record is traced against (`--packages`).
            needs_more = "history" in options or "roster" in options or "packages" in options
            if which == "fail" and not needs_more:
                if "unreadable" in in_pyodide:
                    unreadable.append(rule_id)
                elif rule_id not in in_pyodide["report"]["summary"]["by_rule"]:
                    mismatches.append(f"{rule_id} fail: rule not reported in Pyodide")
    assert ran == 2 * len(rules)
    assert mismatches == []
    assert len(unreadable) < len(rules) // 4, unreadable  # most examples are real reports


EXAMPLES = ROOT / "examples"


def test_every_example_package_matches_cpython(node):
    cases = [[p] for p in sorted(EXAMPLES.glob("*.xlsx"))]
    cases += [sorted(d.glob("*.csv")) for d in sorted(EXAMPLES.iterdir()) if d.is_dir()]
    assert cases
    for files in cases:
        today = "2020-10-20"
        in_pyodide = node.check(files, today)
        assert in_pyodide == _cpython(files, today), files[0]
        # And the same findings as the path-based API the CLI uses.
        from validator.api import validate

        expected = validate(files, today=dt.date.fromisoformat(today))
        assert in_pyodide["report"]["findings"] == json.loads(
            json.dumps(expected["findings"], ensure_ascii=False)
        )
