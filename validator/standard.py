"""The compiled standard (forms, fields, code lists, settings) as read at run time.

`validator/data/standard.json` is generated from forms/ by `fpjc schemas build`; this module
only reads it, with the standard library, so the browser core can use it too. The published
files (Table Schemas, JSON Schemas, code lists, …) are derived from it on demand: `schema_names()`,
`schema(name)` and `published_files()` give exactly what is served at each `$id`.
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
    """Every form (报送信息, 附件1–3, the stage records) in the standard's order, with its fields."""
    return load()["forms"]


def form(form_id: str) -> dict:
    """One form by its id (manifest, annex1, …, assessment); KeyError when there is none."""
    for f in load()["forms"]:
        if f["id"] == form_id:
            return f
    raise KeyError(form_id)


def find_form(name: str) -> str:
    """A form's id from its id, Chinese title, full title or an alias (附件1, 县级研判 …); KeyError if none."""
    wanted = name.strip()
    for f in load()["forms"]:
        names = {f["id"], f["title"], f["full_title"], f"{f['title']} {f['full_title']}"}
        names.update(f.get("aliases") or [])
        if wanted in names or wanted.lower() == f["id"]:
            return f["id"]
    raise KeyError(name)


def codelist(list_id: str) -> dict:
    """One code list (township, risk_type, measure, …): its items with code, label and synonyms."""
    return load()["codelists"][list_id]


def settings() -> dict:
    """The built-in settings: monitoring lines by year, deadline rules, holiday overrides."""
    return load()["settings"]


def version() -> str:
    """The standard's version (semantic versioning), e.g. "1.0.0"."""
    return load()["version"]


def base_uri() -> str:
    """Where the published standard lives: each file's `$id` is base_uri + version + "/" + file name."""
    return load()["base_uri"]


@lru_cache(maxsize=1)
def _published() -> dict[str, str]:
    from validator import published

    return published.generate(load())


def published_files() -> dict[str, str]:
    """Every file of the published standard as {relative path: text}, e.g. "codelists/township.csv".

    The same bytes (UTF-8) as schemas/<version>/ in the source repository and on the site;
    `fpjc schemas export DIR` writes them.
    """
    return dict(_published())


def schema_names() -> list[str]:
    """The names of the published JSON files: Table Schemas, JSON Schemas, the Data Package
    template and the report schema, e.g. "annex1.table.json", "annex1.row.schema.json"."""
    return [name for name in _published() if name.endswith(".json")]


def schema(name: str) -> dict:
    """One published JSON file as a dict (a fresh copy), e.g. `schema("annex1.row.schema.json")`.

    Its `$id` says where it is published; `$ref`s point at the other files' `$id`s. KeyError
    names the files there are when `name` is not one of `schema_names()`.
    """
    files = _published()
    if not name.endswith(".json") or name not in files:
        raise KeyError(f"{name}：没有这个文件；可用的有 {'、'.join(schema_names())}")
    return json.loads(files[name])
