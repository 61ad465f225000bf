"""Golden files: compare output with a committed file, rewrite it only when asked.

Set FPJC_UPDATE_GOLDEN=1 to regenerate after an intended change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "render"


def check_golden(name: str, text: str, folder: Path = GOLDEN) -> None:
    path = folder / name
    if os.environ.get("FPJC_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"missing golden {path}; run with FPJC_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs; if intended, regenerate with FPJC_UPDATE_GOLDEN=1"
    )
