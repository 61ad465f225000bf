"""The checker's pure-Python wheels with bytecode instead of sources, for a quicker start in the browser.

Pyodide compiles every module it imports from source, and in the browser that is a good part of
the checker's start-up (the validator, chinese_calendar) and of the first workbook (openpyxl).
So each pure wheel is rewritten with its modules compiled by Pyodide's own interpreter under Node
(bytecode must come from the CPython that runs it): every ``x.py`` becomes ``x.pyc`` in the same
place, which Python imports without a source. The pycs are "unchecked-hash" ones (no timestamp),
so a rebuild gives the same bytes. Everything else in a wheel (METADATA, licences) is kept; RECORD
is rewritten. Compiled wheels are cached under ``build/wheels/pyc/`` by the sha256 of the input.

``compile_wheels(folder)`` rewrites the wheels listed in ``folder/pyodide-lock.json`` and the lock's
hashes; it is called by ``site/checker_build.py``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import wheels  # noqa: E402  (sibling module; site/ is not a package)

HERE = Path(__file__).resolve().parent
CACHE = wheels.CACHE / "pyc"
NOTE = "modules compiled to bytecode for the in-browser checker"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def compile_wheels(folder: Path) -> dict:
    """Replace each pure wheel in ``folder`` by its compiled form; rewrite and return the lock."""
    folder = Path(folder)
    lock_path = folder / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    for pkg in lock["packages"].values():
        path = folder / pkg["file_name"]
        if not path.name.endswith("-none-any.whl"):
            continue
        compiled = _compiled(path)
        path.write_bytes(compiled.read_bytes())
        pkg["sha256"] = wheels.sha256_file(path)
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


def _compiled(wheel: Path) -> Path:
    cached = CACHE / f"{wheels.sha256_file(wheel)}.whl"
    if cached.exists():
        return cached
    with tempfile.TemporaryDirectory(prefix="fpjc-pyc-") as tmp:
        tree = Path(tmp) / "tree"
        with zipfile.ZipFile(wheel) as zf:
            entries = {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
        for name, data in entries.items():
            if name.endswith(".py"):
                target = tree / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        if tree.exists():
            _run_pyodide(tree)
        out = {}
        for name, data in entries.items():
            if name.endswith(".py"):
                out[name + "c"] = (tree / (name + "c")).read_bytes()
            elif not name.endswith(".dist-info/RECORD"):
                out[name] = data
        record = next(n for n in entries if n.endswith(".dist-info/RECORD"))
        out[record] = _record(out, record)
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = CACHE / f"{cached.name}.part"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(out):
                info = zipfile.ZipInfo(name, _EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, out[name])
        partial.replace(cached)
    return cached


def _record(files: dict[str, bytes], record: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    for name in sorted(files):
        if name != record:
            writer.writerow([name, wheels._record_hash(files[name]), len(files[name])])
    writer.writerow([record, "", ""])
    return text.getvalue().encode()


def _run_pyodide(tree: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(
            "Node.js is needed to compile the checker's modules with Pyodide (scripts/setup.sh)"
        )
    done = subprocess.run(
        [node, str(HERE / "pycompile.mjs"), str(wheels.PYODIDE_DIR), str(tree)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"compiling with Pyodide failed: {done.stderr.strip()[-2000:]}")
