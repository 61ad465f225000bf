"""Wheels for the in-browser checker and the Pyodide lock file that lists them.

The browser runs the same validator core as the command line, inside Pyodide. Pyodide's npm
package ships no wheels and its own lock file points at a CDN we must not use, so this module
gathers every wheel the core needs into one folder and writes our own ``pyodide-lock.json``
with their sha256 (Pyodide checks each download against it):

- ``fpjc``: built here from ``validator/`` (pure Python);
- openpyxl, et-xmlfile, chinesecalendar, jinja2: pure wheels from PyPI for Pyodide's platform,
  pinned by version and sha256, cached under ``build/wheels/`` so the site builds offline after
  the first run;
- python-calamine: the workbook reader (Rust), the ``cp314-pyemscripten_2026_0_wasm32`` wheel its
  maintainers publish on PyPI for Pyodide 314, pinned the same way;
- markupsafe: PyPI has no pure wheel, so one is assembled from the sdist without the C speedups
  (markupsafe falls back to its pure-Python implementation).

Run standalone: ``python site/wheels.py DEST`` writes the wheels and the lock into DEST.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "wheels"
PYODIDE_DIR = ROOT / "node_modules" / "pyodide"

# Pyodide 314 = CPython 3.14 on emscripten; pip needs both to pick wheels for it.
PLATFORM = "pyemscripten_2026_0_wasm32"
PYTHON_VERSION = "3.14"

# Same versions as the CPython side (pyproject / .venv) so both report the same findings.
# sha256 of the files PyPI serves: a changed file is refused, not shipped.
PYPI_WHEELS: dict[str, dict] = {
    "openpyxl": {
        "version": "3.1.5",
        "file": "openpyxl-3.1.5-py2.py3-none-any.whl",
        "sha256": "5282c12b107bffeef825f4617dc029afaf41d0ea60823bbb665ef3079dc79de2",
        "imports": ["openpyxl"],
        "depends": ["et-xmlfile"],
    },
    "python-calamine": {
        "version": "0.9.1",
        "file": "python_calamine-0.9.1-cp314-cp314-pyemscripten_2026_0_wasm32.whl",
        "sha256": "1f9a2f99d65f4cc647f3fc57ff80a2bb492bf8ce66a637b67064d1663697ae21",
        "imports": ["python_calamine"],
        "depends": [],
    },
    "et-xmlfile": {
        "version": "2.0.0",
        "file": "et_xmlfile-2.0.0-py3-none-any.whl",
        "sha256": "7a91720bc756843502c3b7504c77b8fe44217c85c537d85037f0f536151b2caa",
        "imports": ["et_xmlfile"],
        "depends": [],
    },
    "chinesecalendar": {
        "version": "1.11.0",
        "file": "chinesecalendar-1.11.0-py2.py3-none-any.whl",
        "sha256": "9479ead6010e6001472efdf97317699882c16604c7858ba26862dc9d36d56d46",
        "imports": ["chinese_calendar"],
        "depends": [],
    },
    "jinja2": {
        "version": "3.1.6",
        "file": "jinja2-3.1.6-py3-none-any.whl",
        "sha256": "85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67",
        "imports": ["jinja2"],
        "depends": ["markupsafe"],
    },
}
MARKUPSAFE = {
    "version": "3.0.4",
    "sdist": "markupsafe-3.0.4.tar.gz",
    "sha256": "2e9ad7dd851bf45fab9f75cbff4cb493fee9979e8d8c7c9c3ee119022518edd6",
}
# What the core imports at run time (principle 5) plus what the HTML report and the annotated
# workbook need. Nothing else is shipped: no jsonschema, frictionless, rich or micropip.
CORE_DEPENDS = ["python-calamine", "openpyxl", "chinesecalendar", "jinja2"]

# Fixed zip timestamps make a wheel's bytes depend on its content only.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def write_wheel(dest: Path, name: str, version: str, files: dict[str, bytes], metadata: str) -> Path:
    """Write a pure ``py3-none-any`` wheel holding ``files`` (archive name → bytes)."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    entries = dict(sorted(files.items()))
    entries[f"{info}/METADATA"] = metadata.encode()
    entries[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: fpjc site/wheels.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data in entries.items():
        writer.writerow([arcname, _record_hash(data), len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    entries[f"{info}/RECORD"] = record.getvalue().encode()
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in entries.items():
            zi = zipfile.ZipInfo(arcname, _EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    return path


def _project_version() -> str:
    import tomllib  # build-time only; Python 3.11+

    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def build_fpjc_wheel(dest: Path) -> Path:
    """The ``fpjc`` wheel straight from ``validator/`` in this checkout (every file, sub-packages too)."""
    version = _project_version()
    files: dict[str, bytes] = {}
    for path in sorted((ROOT / "validator").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    if (ROOT / "LICENSE").exists():
        files[f"fpjc-{version}.dist-info/licenses/LICENSE"] = (ROOT / "LICENSE").read_bytes()
    metadata = (
        "Metadata-Version: 2.1\n"
        "Name: fpjc\n"
        f"Version: {version}\n"
        "Summary: fpjc validator core (browser build)\n"
        "License: MIT\n"
        "Requires-Python: >=3.11\n"
        "Requires-Dist: python-calamine==0.9.1\n"
        "Requires-Dist: openpyxl>=3.1\n"
        "Requires-Dist: chinesecalendar>=1.11\n"
    )
    return write_wheel(dest, "fpjc", version, files, metadata)


def _pip_download(args: list[str], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(dest), *args]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip download failed: {' '.join(args)}\n{result.stderr.strip()}")


def _cached(file_name: str, sha256: str, download: list[str]) -> Path:
    path = CACHE / file_name
    if not path.exists():
        _pip_download(download, CACHE)
    if not path.exists():
        raise RuntimeError(f"pip download did not produce {file_name}")
    actual = sha256_file(path)
    if actual != sha256:
        path.unlink()
        raise RuntimeError(f"{file_name}: sha256 {actual} differs from the pinned {sha256}")
    return path


def pypi_wheel(name: str) -> Path:
    spec = PYPI_WHEELS[name]
    return _cached(
        spec["file"],
        spec["sha256"],
        [
            "--only-binary=:all:",
            "--platform",
            PLATFORM,
            "--python-version",
            PYTHON_VERSION,
            f"{name}=={spec['version']}",
        ],
    )


def build_markupsafe_wheel(dest: Path) -> Path:
    """A pure markupsafe wheel: the sdist's Python files, without ``_speedups``."""
    sdist = _cached(
        MARKUPSAFE["sdist"],
        MARKUPSAFE["sha256"],
        ["--no-binary=:all:", f"markupsafe=={MARKUPSAFE['version']}"],
    )
    files: dict[str, bytes] = {}
    metadata = ""
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            parts = member.name.split("/")
            data = tar.extractfile(member).read()
            if parts[1:] == ["PKG-INFO"]:
                metadata = data.decode()
            elif parts[1:3] == ["src", "markupsafe"] and not parts[-1].startswith("_speedups"):
                files["/".join(parts[2:])] = data
            elif parts[1:] == ["LICENSE.txt"]:
                files[f"markupsafe-{MARKUPSAFE['version']}.dist-info/licenses/LICENSE.txt"] = data
    if "markupsafe/__init__.py" not in files or not metadata:
        raise RuntimeError(f"{sdist.name}: unexpected layout")
    return write_wheel(dest, "markupsafe", MARKUPSAFE["version"], files, metadata)


def pyodide_info() -> dict:
    """``info`` of Pyodide's own lock: Pyodide refuses a lock whose ABI differs from its runtime."""
    return json.loads((PYODIDE_DIR / "pyodide-lock.json").read_text())["info"]


def build(dest: Path) -> dict:
    """Put every wheel into ``dest`` and write ``dest/pyodide-lock.json``; return the lock."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    packages: dict[str, dict] = {}

    def add(key: str, name: str, version: str, path: Path, imports: list[str], depends: list[str]) -> None:
        target = dest / path.name
        if path.resolve() != target.resolve():
            target.write_bytes(path.read_bytes())
        packages[key] = {
            "name": name,
            "version": version,
            "file_name": path.name,
            "install_dir": "site",
            "sha256": sha256_file(target),
            "package_type": "package",
            "imports": imports,
            "depends": depends,
            "unvendored_tests": False,
            "tool": {},
        }

    for key, spec in PYPI_WHEELS.items():
        add(key, key, spec["version"], pypi_wheel(key), spec["imports"], spec["depends"])
    with tempfile.TemporaryDirectory() as tmp:
        ms = build_markupsafe_wheel(Path(tmp))
        add("markupsafe", "MarkupSafe", MARKUPSAFE["version"], ms, ["markupsafe"], [])
        fpjc = build_fpjc_wheel(Path(tmp))
        add("fpjc", "fpjc", _project_version(), fpjc, ["validator"], CORE_DEPENDS)
    lock = {"info": pyodide_info(), "packages": dict(sorted(packages.items()))}
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python site/wheels.py DEST")
    for key, pkg in build(Path(sys.argv[1]))["packages"].items():
        print(f"{key:16} {pkg['version']:8} {pkg['file_name']}")
