"""What the build and the tests depend on is pinned to the major version that is tested.

Every requirement of the build backend, the `dev`, `site` and `browser` extras has an upper bound
below the next major version (for 0.x, the next minor), and the installed version satisfies it;
MkDocs 2 and Material 10 are excluded. The npm packages are pinned exactly and installed as pinned.
The package's own runtime dependencies keep lower bounds only: capping them would break other
people's environments.
"""

from __future__ import annotations

import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PINNED = [
    *PYPROJECT["build-system"]["requires"],
    *(
        r
        for extra in ("dev", "site", "browser")
        for r in PYPROJECT["project"]["optional-dependencies"][extra]
    ),
]


def next_major(version: Version) -> Version:
    return Version(f"0.{version.minor + 1}") if version.major == 0 else Version(f"{version.major + 1}")


@pytest.mark.parametrize("text", PINNED)
def test_requirement_is_capped_at_the_tested_major(text):
    req = Requirement(text)
    lower = [Version(s.version) for s in req.specifier if s.operator == ">="]
    upper = [Version(s.version) for s in req.specifier if s.operator == "<"]
    assert lower and upper, f"{text}: needs a lower bound and an upper bound"
    assert upper[0] <= next_major(lower[0]), f"{text}: allows more than one major version"


@pytest.mark.parametrize("text", [r for r in PINNED if not r.startswith("setuptools")])
def test_installed_version_is_the_pinned_one(text):
    req = Requirement(text)
    installed = metadata.version(req.name)
    assert req.specifier.contains(installed, prereleases=True), (
        f"{req.name} {installed} is not {req.specifier}"
    )


def test_mkdocs_2_and_material_10_are_excluded():
    reqs = {Requirement(r).name: Requirement(r).specifier for r in PINNED}
    assert not reqs["mkdocs"].contains("2.0.0") and reqs["mkdocs"].contains("1.6.1")
    assert not reqs["mkdocs-material"].contains("10.0.0")


def test_runtime_dependencies_are_not_capped():
    for text in PYPROJECT["project"]["dependencies"]:
        assert not [s for s in Requirement(text).specifier if s.operator in ("<", "<=", "==")], text


def test_npm_packages_are_pinned_exactly_and_installed_as_pinned():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    for section in ("dependencies", "devDependencies"):
        for name, version in package.get(section, {}).items():
            assert version[0].isdigit(), f"{name}: {version} is a range"
            installed = json.loads(
                (ROOT / "node_modules" / name / "package.json").read_text(encoding="utf-8")
            )
            assert installed["version"] == version, f"{name}: run npm ci"
