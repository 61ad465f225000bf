"""The checker's build: vendored runtime, our wheels, our lock file (offline, no browser needed)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import zipfile
from pathlib import Path

import pytest
from checker_support import ROOT, checker_build

wheels = checker_build.wheels


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    return checker_build.build(tmp_path_factory.mktemp("site"))


def _out(built) -> Path:
    return Path(built["dir"])


def test_lock_matches_pyodide_runtime_and_every_hash(built):
    out = _out(built)
    lock = json.loads((out / built["packages"] / "pyodide-lock.json").read_text())
    pyodide_lock = json.loads((wheels.PYODIDE_DIR / "pyodide-lock.json").read_text())
    assert lock["info"] == pyodide_lock["info"]  # Pyodide refuses a lock for another ABI
    assert set(lock["packages"]) == {
        "fpjc",
        "python-calamine",
        "openpyxl",
        "et-xmlfile",
        "chinesecalendar",
        "jinja2",
        "markupsafe",
    }
    for key, pkg in lock["packages"].items():
        path = out / built["packages"] / pkg["file_name"]
        assert path.exists(), key
        assert wheels.sha256_file(path) == pkg["sha256"], key
        for dep in pkg["depends"]:
            assert dep in lock["packages"], (key, dep)


def test_nothing_heavy_or_networked_is_shipped(built):
    names = " ".join(built["files"]).lower()
    for banned in ("jsonschema", "frictionless", "rich", "micropip", "pydantic", "yaml"):
        assert banned not in names


def test_wheels_are_pure_and_installable(built):
    # One compiled wheel, python-calamine's own build for Pyodide 314 (pinned by hash); the
    # rest are pure Python.
    out = _out(built) / built["packages"]
    native = wheels.PYPI_WHEELS["python-calamine"]["file"]
    assert native.endswith(f"-cp314-cp314-{wheels.PLATFORM}.whl") and (out / native).exists()
    for whl in out.glob("*.whl"):
        if whl.name == native:
            with zipfile.ZipFile(whl) as zf:
                assert zf.testzip() is None
                assert [n for n in zf.namelist() if n.endswith("-wasm32-emscripten.so")]
            continue
        assert whl.name.endswith(("-py3-none-any.whl", "-py2.py3-none-any.whl")), whl.name
        with zipfile.ZipFile(whl) as zf:
            names = zf.namelist()
            assert not [n for n in names if n.endswith((".so", ".c", ".pyd"))], whl.name
            wheel_meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
            assert "Root-Is-Purelib: true" in zf.read(wheel_meta).decode()
            assert zf.testzip() is None


def test_fpjc_wheel_holds_the_whole_package(built):
    whl = next((_out(built) / built["packages"]).glob("fpjc-*.whl"))
    with zipfile.ZipFile(whl) as zf:
        names = set(zf.namelist())
    # Modules are shipped compiled (x.py as x.pyc, see site/pycompile.py), every other file as is.
    expected = {
        p.relative_to(ROOT).as_posix() + ("c" if p.suffix == ".py" else "")
        for p in (ROOT / "validator").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected <= names
    assert not [n for n in names if n.endswith(".py")]
    assert "validator/data/standard.json" in names
    assert any(n.startswith("validator/render/") for n in names)  # sub-packages too


def test_markupsafe_wheel_has_no_speedups(built):
    whl = next((_out(built) / built["packages"]).glob("markupsafe-*.whl"))
    with zipfile.ZipFile(whl) as zf:
        names = zf.namelist()
    assert "markupsafe/__init__.pyc" in names
    assert not [n for n in names if "_speedups" in n]


@pytest.mark.parametrize(
    "dist, key",
    [
        ("python-calamine", "python-calamine"),
        ("openpyxl", "openpyxl"),
        ("et-xmlfile", "et-xmlfile"),
        ("chinesecalendar", "chinesecalendar"),
        ("jinja2", "jinja2"),
    ],
)
def test_browser_versions_equal_the_cpython_ones(dist, key):
    # The equality tests compare browser and CPython findings; different library versions
    # could make them differ for reasons that have nothing to do with our code.
    assert importlib.metadata.version(dist) == wheels.PYPI_WHEELS[key]["version"]


def test_markupsafe_version_equals_cpython():
    assert importlib.metadata.version("markupsafe") == wheels.MARKUPSAFE["version"]


def test_page_files_name_this_build(built):
    out = _out(built)
    for name in checker_build.PAGE_FILES:
        text = (out / name).read_text(encoding="utf-8")
        assert "__FPJC_CHECKER_" not in text, name
    worker = (out / "worker.mjs").read_text(encoding="utf-8")
    assert f'"./{built["runtime"]}/pyodide.mjs"' in worker
    assert built["packages"] in worker
    assert built["build_id"] in (out / "checker.js").read_text(encoding="utf-8")


def test_no_outside_address_in_shipped_page_files(built):
    out = _out(built)
    for name in checker_build.PAGE_FILES:
        text = (out / name).read_text(encoding="utf-8")
        urls = [u for u in re.findall(r"https?://[^\s\"'）)]+", text) if not u.startswith("http://127.0.0.1")]
        assert urls == [], (name, urls)


def test_runtime_is_the_pinned_npm_package(built):
    out = _out(built) / built["runtime"]
    for name in checker_build.RUNTIME_FILES:
        assert (out / name).read_bytes() == (wheels.PYODIDE_DIR / name).read_bytes()
    assert (
        json.loads((wheels.PYODIDE_DIR / "package.json").read_text())["version"]
        == checker_build.PYODIDE_VERSION
    )
    package_json = json.loads((ROOT / "package.json").read_text())
    assert package_json["dependencies"]["pyodide"] == checker_build.PYODIDE_VERSION


def test_rebuild_is_byte_identical(built, tmp_path):
    again = checker_build.build(tmp_path)
    assert again["packages"] == built["packages"]
    assert again["build_id"] == built["build_id"]


def test_standalone_command(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "site" / "checker_build.py"), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "checker" / "checker.js").exists()
    assert "total" in result.stdout


def test_notice_names_every_shipped_component(built):
    notice = (_out(built) / "NOTICE.txt").read_text(encoding="utf-8")
    assert f"Pyodide {checker_build.PYODIDE_VERSION}" in notice and "MPL-2.0" in notice
    for whl in (_out(built) / built["packages"]).glob("*.whl"):
        assert whl.name in notice


def test_pure_wheels_carry_bytecode_for_the_runtime_python(built):
    """Each module compiled by the Pyodide that runs it: the pyc's magic number is that CPython's,
    and it is an unchecked-hash pyc (no timestamp, so rebuilds are byte-identical)."""
    import importlib.util

    out = _out(built) / built["packages"]
    magics = set()
    for whl in out.glob("*-none-any.whl"):
        with zipfile.ZipFile(whl) as zf:
            pycs = [n for n in zf.namelist() if n.endswith(".pyc")]
            assert pycs and not [n for n in zf.namelist() if n.endswith(".py")], whl.name
            for name in pycs:
                head = zf.read(name)[:8]
                magics.add(head[:4])
                assert int.from_bytes(head[4:8], "little") == 0b01, (whl.name, name)  # hash-based, unchecked
    assert len(magics) == 1 and importlib.util.MAGIC_NUMBER not in magics  # not this 3.11's bytecode


def _integrity(data: bytes) -> str:
    import base64
    import hashlib

    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_memory_snapshot_is_named_by_its_hash_and_checked_by_the_worker(built):
    """The snapshot ships gzipped, named after its sha256; the worker holds the integrity of the
    gzipped file and of the unpacked image, and of each pure wheel it fetches itself."""
    import gzip
    import hashlib

    out = _out(built)
    snap = built["snapshot"]
    packed = (out / snap["file"]).read_bytes()
    assert snap["file"] == f"snapshot-{hashlib.sha256(packed).hexdigest()[:12]}.gz"
    raw = gzip.decompress(packed)
    assert int.from_bytes(raw[:4], "little") == 1886286592  # Pyodide's snapshot magic number
    worker = (out / "worker.mjs").read_text(encoding="utf-8")
    assert f'const SNAPSHOT = "{snap["file"]}";' in worker
    assert f'const SNAPSHOT_INTEGRITY = "{_integrity(packed)} {_integrity(raw)}";' in worker
    lock = json.loads((out / built["packages"] / "pyodide-lock.json").read_text())
    pure = [
        [p["file_name"], _integrity((out / built["packages"] / p["file_name"]).read_bytes())]
        for p in lock["packages"].values()
        if p["file_name"].endswith("-none-any.whl")
    ]
    assert len(pure) == len(lock["packages"]) - 1  # every wheel but python-calamine
    assert f"const PURE_WHEELS = {json.dumps(pure)};" in worker
    assert snap["file"] in (out / "NOTICE.txt").read_text(encoding="utf-8")
    warmup = (out / "warmup.xlsx").read_bytes()
    assert warmup == checker_build.WARMUP_EXAMPLE.read_bytes()
    assert f'const WARMUP_INTEGRITY = "{_integrity(warmup)}";' in worker


def test_a_build_without_the_snapshot_starts_the_full_way(tmp_path):
    info = checker_build.build(tmp_path, snapshot=False)
    out = Path(info["dir"])
    assert not list(out.glob("snapshot-*")) and not (out / "warmup.xlsx").exists()
    worker = (out / "worker.mjs").read_text(encoding="utf-8")
    assert 'const SNAPSHOT = "";' in worker and "const PURE_WHEELS = [];" in worker


def test_memory_snapshot_is_reproducible(built, tmp_path, monkeypatch):
    # Made again without the cache, from the same runtime, lock and bridge: the same bytes (the
    # cache under build/snapshots relies on it).
    import shutil

    out = tmp_path / "checker"
    shutil.copytree(_out(built), out)
    (out / built["snapshot"]["file"]).unlink()
    monkeypatch.setattr(checker_build, "SNAPSHOT_CACHE", tmp_path / "cache")
    again = checker_build.build_snapshot(out, built["packages"])
    assert again == built["snapshot"]
