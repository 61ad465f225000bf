"""Where the maintainer's sources are: the checkout that holds forms/, schemas/ and examples/.

The builders run only in a checkout (an installed wheel has no forms/); commands ask
`in_checkout()` first and say so in Chinese instead of failing on a missing file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMS_DIR = ROOT / "forms"


def in_checkout() -> bool:
    """True in a source checkout with the maintainer's dependencies (PyYAML) installed."""
    return (FORMS_DIR / "standard.yaml").is_file() and importlib.util.find_spec("yaml") is not None
