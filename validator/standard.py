"""The compiled standard (forms, fields, code lists, settings) as read at run time.

`validator/data/standard.json` is generated from forms/ by `fpjc schemas build`; this module
only reads it, with the standard library, so the browser core can use it too.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

STANDARD_JSON = Path(__file__).resolve().parent / "data" / "standard.json"


@lru_cache(maxsize=1)
def load() -> dict:
    """The whole standard as plain data (cached; treat it as read-only)."""
    with STANDARD_JSON.open(encoding="utf-8") as f:
        return json.load(f)


def forms() -> list[dict]:
    return load()["forms"]


def form(form_id: str) -> dict:
    for f in load()["forms"]:
        if f["id"] == form_id:
            return f
    raise KeyError(form_id)


def codelist(list_id: str) -> dict:
    return load()["codelists"][list_id]


def settings() -> dict:
    return load()["settings"]


def version() -> str:
    return load()["version"]
