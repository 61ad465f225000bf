"""Small generators shared by the hardening tests: packages, rosters and month folders built in tmp."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
VALID = EXAMPLES / "valid-2020-07"
VALID_XLSX = EXAMPLES / "valid-2020-07.xlsx"
TODAY = "2020-08-10"  # the valid example passes on this day


def package(dest: Path, source: Path = VALID) -> Path:
    """A copy of an example CSV package (folder) at `dest`."""
    shutil.copytree(source, dest)
    return dest


def head_ids(folder: Path = VALID) -> list[str]:
    with (folder / "annex1.csv").open(encoding="utf-8") as f:
        return [row["head_id"] for row in csv.DictReader(f)]


def roster(path: Path, ids: list[str] | None = None) -> Path:
    """A 建档立卡 roster CSV listing the valid example's households."""
    path.write_text("身份证号\n" + "".join(f"{i}\n" for i in ids or head_ids()), encoding="utf-8")
    return path


def month_folder(dest: Path) -> Path:
    """A month folder of the county with one township package (songgui, a CSV folder)."""
    dest.mkdir()
    package(dest / "songgui")
    return dest


def digests(root: Path) -> dict[str, str]:
    """Every file under `root` (or `root` itself) → sha256: proof that nothing read was changed."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
