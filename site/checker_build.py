"""Put the in-browser checker into a built site: ``SITE/checker/``.

Everything the 在线校验 page needs is served by the site itself (no CDN, no package index):

- ``checker.js`` (page script, small, on every page; starts the worker only where the checker
  element is), ``checker.css``, ``worker.mjs`` (module Web Worker), ``bridge.py`` (the Python
  side the worker runs: validate, group, render);
- ``pyodide-314.0.7/``: the Pyodide runtime from the pinned npm package;
- ``packages-<hash>/``: our wheels and our own ``pyodide-lock.json`` (see ``site/wheels.py``),
  the pure-Python ones with their modules compiled to bytecode (``site/pycompile.py``).
  The folder is named after the lock's hash, so a browser never mixes a cached old lock or
  wheel with new ones (Pyodide would refuse the wheel's hash), while the 13 MB runtime stays
  cached across site updates;
- ``snapshot-<hash>.gz``: Pyodide's memory snapshot of the checker's interpreter with the
  validator, the bridge and the renderers imported (``site/checker_snapshot.mjs``, run with Node
  from the wheels and the bridge just built). The worker starts from it in a fraction of the
  time; its sha256 (gzipped and unpacked) is written into ``worker.mjs``, and a snapshot that is
  missing, altered or unusable makes the worker start the full way. It is deterministic (fixed
  hash seed, clock and entropy while it is made) and cached under ``build/snapshots/`` by the
  hash of everything it is made from;
- ``warmup.xlsx``: the committed fictional example workbook ``examples/valid-2020-07.xlsx``; after
  a start from the snapshot the worker checks it once (result thrown away) while the clerk picks
  a file, so the browser compiles the code a check runs before the clerk's own file arrives.

Called by the MkDocs hook after the build; also runs alone: ``python site/checker_build.py build/site``.
"""

from __future__ import annotations

import base64
import email.parser
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pycompile  # noqa: E402
import wheels  # noqa: E402  (sibling module; site/ is not a package)

SOURCE = HERE / "checker"
PYODIDE_VERSION = "314.0.7"
RUNTIME_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
PAGE_FILES = ["checker.js", "checker.css", "worker.mjs", "bridge.py"]
BUILD_ID_MARK = "__FPJC_CHECKER_BUILD__"
PACKAGES_MARK = "__FPJC_CHECKER_PACKAGES__"
SNAPSHOT_MARK = "__FPJC_CHECKER_SNAPSHOT__"
SNAPSHOT_INTEGRITY_MARK = "__FPJC_CHECKER_SNAPSHOT_INTEGRITY__"
PURE_WHEELS_MARK = '"__FPJC_CHECKER_PURE_WHEELS__"'  # a JS string in the source, an array when built
WARMUP_MARK = "__FPJC_CHECKER_WARMUP_INTEGRITY__"
# Checked once after a start from the snapshot (worker.mjs): a committed, fictional example.
WARMUP_EXAMPLE = wheels.ROOT / "examples" / "valid-2020-07.xlsx"
SNAPSHOT_SCRIPT = HERE / "checker_snapshot.mjs"
SNAPSHOT_CACHE = wheels.ROOT / "build" / "snapshots"
RUNTIME_DIR = f"pyodide-{PYODIDE_VERSION}"


def _check_pyodide() -> None:
    package = wheels.PYODIDE_DIR / "package.json"
    if not package.exists():
        raise RuntimeError("node_modules/pyodide is missing: run `npm ci` (scripts/setup.sh does it)")
    version = json.loads(package.read_text())["version"]
    if version != PYODIDE_VERSION:
        raise RuntimeError(f"node_modules/pyodide is {version}, the checker is built for {PYODIDE_VERSION}")


def _wheel_license(path: Path) -> tuple[str, str, str]:
    """(name, version, licence) from a wheel's METADATA."""
    with zipfile.ZipFile(path) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    licence = meta.get("License-Expression") or meta.get("License") or ""
    if not licence:
        classifiers = [
            c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
        ]
        licence = ", ".join(classifiers)
    return meta["Name"], meta["Version"], licence or "see the wheel"


def _notice(runtime: Path, packages: Path) -> str:
    pyodide = json.loads((wheels.PYODIDE_DIR / "package.json").read_text())
    lines = [
        "The in-browser checker of this site ships these components, unchanged unless noted.",
        "Their licence texts are inside each wheel's .dist-info folder.",
        "",
        f"Pyodide {pyodide['version']} ({runtime.name}/): {pyodide.get('license', '')}, npm package 'pyodide'",
    ]
    for snap in sorted(packages.parent.glob("snapshot-*.gz")):
        lines.append(
            f"{snap.name}: a memory image of the Pyodide runtime above with the pure-Python wheels below"
            " imported, made when the site was built (site/checker_snapshot.mjs)"
        )
    for whl in sorted(packages.glob("*.whl")):
        name, version, licence = _wheel_license(whl)
        note = (
            " (pure-Python build from the sdist, without C speedups)" if name.lower() == "markupsafe" else ""
        )
        if whl.name.endswith("-none-any.whl"):
            note += f" ({pycompile.NOTE})"
        lines.append(f"{name} {version} ({packages.name}/{whl.name}): {licence}{note}")
    return "\n".join(lines) + "\n"


def integrity(data: bytes) -> str:
    """A Subresource Integrity value (what ``fetch(url, {integrity})`` checks)."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def _snapshot_key(out: Path, packages: str) -> str:
    """Everything the snapshot is made from: the runtime, the lock (it names every wheel by its
    sha256), the bridge and the script that makes it."""
    h = hashlib.sha256()
    for path in [
        *(out / RUNTIME_DIR / name for name in RUNTIME_FILES),
        out / packages / "pyodide-lock.json",
        out / "bridge.py",
        SNAPSHOT_SCRIPT,
    ]:
        h.update(path.name.encode() + b"\0" + wheels.sha256_file(path).encode())
    return h.hexdigest()


def build_snapshot(out: Path, packages: str) -> dict:
    """Write ``out/snapshot-<hash>.gz`` (see the module docstring); return its name, integrity and sizes."""
    key = _snapshot_key(out, packages)
    cached = SNAPSHOT_CACHE / f"{key}.gz"
    if not cached.exists():
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node.js is needed to make the checker's memory snapshot (scripts/setup.sh)")
        SNAPSHOT_CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        done = subprocess.run(
            [node, str(SNAPSHOT_SCRIPT), str(out), RUNTIME_DIR, packages, str(partial)],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise RuntimeError(f"making the checker's memory snapshot failed: {done.stderr.strip()[-2000:]}")
        partial.replace(cached)
    packed = cached.read_bytes()
    raw = gzip.decompress(packed)
    name = f"snapshot-{hashlib.sha256(packed).hexdigest()[:12]}.gz"
    (out / name).write_bytes(packed)
    return {
        "file": name,
        "integrity": f"{integrity(packed)} {integrity(raw)}",
        "bytes": len(packed),
        "memory_bytes": len(raw),
    }


def build(site_dir: Path, *, snapshot: bool | None = None) -> dict:
    """Write ``site_dir/checker/``; return what was written (files with sizes, the lock, a build id).

    ``snapshot=False`` (or the environment variable ``FPJC_CHECKER_SNAPSHOT=0``) leaves the memory
    snapshot out: a site for slow links, where 8 MB more to download costs more than it saves; the
    worker then always starts the full way."""
    if snapshot is None:
        snapshot = os.environ.get("FPJC_CHECKER_SNAPSHOT", "1").strip() not in ("0", "no", "false")
    _check_pyodide()
    out = Path(site_dir) / "checker"
    if out.exists():
        shutil.rmtree(out)
    runtime = out / RUNTIME_DIR
    runtime.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copyfile(wheels.PYODIDE_DIR / name, runtime / name)
    staging = out / "packages"
    wheels.build(staging)
    # Bytecode instead of sources: Pyodide would compile every module the checker imports.
    lock = pycompile.compile_wheels(staging)
    packages = f"packages-{wheels.sha256_file(staging / 'pyodide-lock.json')[:12]}"
    staging.rename(out / packages)

    # The snapshot imports the bridge as shipped (it has no marks to replace).
    shutil.copyfile(SOURCE / "bridge.py", out / "bridge.py")
    if snapshot:
        snapshot = build_snapshot(out, packages)
        pure = [
            [pkg["file_name"], integrity((out / packages / pkg["file_name"]).read_bytes())]
            for pkg in lock["packages"].values()
            if pkg["file_name"].endswith("-none-any.whl")
        ]
        shutil.copyfile(WARMUP_EXAMPLE, out / "warmup.xlsx")
        warmup = integrity((out / "warmup.xlsx").read_bytes())
    else:
        snapshot = {"file": "", "integrity": "", "bytes": 0, "memory_bytes": 0}
        pure = []
        warmup = ""

    # The page adds the build id to the worker's URL, so a new build is never run by an old worker.
    digest = hashlib.sha256(packages.encode() + snapshot["file"].encode())
    for name in PAGE_FILES:
        digest.update(name.encode() + (SOURCE / name).read_bytes())
    build_id = digest.hexdigest()[:12]
    for name in PAGE_FILES:
        text = (SOURCE / name).read_text(encoding="utf-8")
        text = (
            text.replace(BUILD_ID_MARK, build_id)
            .replace(PACKAGES_MARK, packages)
            .replace(SNAPSHOT_INTEGRITY_MARK, snapshot["integrity"])
            .replace(SNAPSHOT_MARK, snapshot["file"])
            .replace(PURE_WHEELS_MARK, json.dumps(pure))
            .replace(WARMUP_MARK, warmup)
        )
        (out / name).write_text(text, encoding="utf-8")

    (out / "NOTICE.txt").write_text(_notice(runtime, out / packages), encoding="utf-8")

    files = {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}
    return {
        "dir": str(out),
        "build_id": build_id,
        "runtime": RUNTIME_DIR,
        "packages": packages,
        "snapshot": snapshot,
        "files": files,
        "bytes": sum(files.values()),
        "lock": lock,
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python site/checker_build.py SITE_DIR")
    result = build(Path(sys.argv[1]))
    for name, size in result["files"].items():
        print(f"{size:>10}  {name}")
    print(f"{result['bytes']:>10}  total in {result['dir']} (build {result['build_id']})")
