"""Read the authored definitions in forms/ and compile them into one plain JSON document.

This is the only place that reads the YAML files. Everything else (schemas/, templates,
site pages, the validator core) starts from the compiled document, so a field is defined
once. Runs at build time only: it needs PyYAML, which the browser core does not ship.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import yaml

from validator.builders.paths import FORMS_DIR
from validator.standard import STANDARD_JSON

FIELD_TYPES = {"text", "integer", "money", "date", "month", "boolean", "code", "codes", "id_number", "phone"}
# Optional keys of a field definition, copied to the compiled field when given.
OPTIONAL_FIELD_KEYS = (
    "codelist",
    "minimum",
    "maximum",
    "min_length",
    "max_length",
    "pattern",
    "pattern_hint",
    "min_items",
    "max_items",
    "personal",
)
FIELD_KEYS = {"name", "title", "type", "required", "unique", "description", *OPTIONAL_FIELD_KEYS}
FORM_KEYS = {
    "id",
    "title",
    "full_title",
    "aliases",
    "kind",
    "clause",
    "order",
    "description",
    "primary_key",
    "foreign_keys",
    "fields",
    "warning_type",
    "stage",
}
PERSONAL_KINDS = {"name", "id_number", "phone"}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class DefinitionError(ValueError):
    """An authored definition is malformed; the message names the file and the field."""


# A line break inside wrapped Chinese prose must vanish, not become a space.
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’])"
    r"|(?<=[\u3000-\u303f\uff00-\uffef“”‘’]) (?=\S)"
)


def _prose(text) -> str:
    """Fold YAML-wrapped prose into one line, without spaces between Chinese characters."""
    return _CJK_GAP.sub("", " ".join(str(text).split()))


def title_words(title: str, extra_words: list[str]) -> list[str]:
    """A column title cut into the words a printed header may wrap between (jieba, at build time).

    A bracketed part (“（元）”) stays one unit, and a one-character word (已、拟、原) stays with
    the word after it, so no line of a wrapped header is a lone “）” or a stray character.
    `extra_words` are the procedure's words jieba's dictionary lacks (standard.yaml title_words).
    """
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in extra_words:
        jieba.add_word(word, freq=1_000_000)  # wins over the dictionary's own cuts
    tokens = [t for t in jieba.cut(title, HMM=False) if t.strip()]
    words: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in "（(":
            j = i + 1
            while j < len(tokens) and tokens[j - 1] not in "）)":
                j += 1
            words.append("".join(tokens[i:j]))
            i = j
            continue
        if len(token) == 1 and i + 1 < len(tokens) and tokens[i + 1] not in "（(":
            tokens[i + 1] = token + tokens[i + 1]
        else:
            words.append(token)
        i += 1
    assert "".join(words) == title, (title, words)
    return words


def _load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _field(raw: dict, shared: dict, where: str) -> dict:
    raw = dict(raw)
    if "ref" in raw:
        ref = raw.pop("ref")
        if ref not in shared:
            raise DefinitionError(f"{where}: ref '{ref}' is not in forms/fields.yaml")
        merged = {"name": ref, **shared[ref]}
        merged.update(raw)
        raw = merged
    unknown = set(raw) - FIELD_KEYS
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {sorted(unknown)} in field {raw.get('name')}")
    for key in ("name", "title", "type", "description"):
        if not raw.get(key):
            raise DefinitionError(f"{where}: field {raw.get('name')} lacks '{key}'")
    if raw["type"] not in FIELD_TYPES:
        raise DefinitionError(f"{where}: field {raw['name']} has unknown type {raw['type']}")
    if raw["type"] in ("code", "codes") and not raw.get("codelist"):
        raise DefinitionError(f"{where}: field {raw['name']} of type {raw['type']} needs a codelist")
    if raw.get("personal") and raw["personal"] not in PERSONAL_KINDS:
        raise DefinitionError(f"{where}: field {raw['name']} has unknown personal kind {raw['personal']}")
    field = {
        "name": raw["name"],
        "title": raw["title"],
        "type": raw["type"],
        "required": bool(raw.get("required", False)),
        "unique": bool(raw.get("unique", False)),
        "description": _prose(raw["description"]),
    }
    for key in OPTIONAL_FIELD_KEYS:
        if raw.get(key) is not None:
            field[key] = raw[key]
    return field


def _codelist(path: Path) -> dict:
    raw = _load(path)
    where = f"forms/codelists/{path.name}"
    items = []
    for item in raw["items"]:
        items.append(
            {
                "code": str(item["code"]),
                "label": item["label"],
                "description": item.get("description", ""),
                "synonyms": list(item.get("synonyms", [])),
            }
        )
    labels = {i["label"] for i in items}
    eras = {str(k): _prose(v) for k, v in (raw.get("eras") or {}).items()}
    terms, reading = [], {}
    for t in raw.get("terms") or []:
        era = str(t["era"])
        if era not in eras:
            raise DefinitionError(f"{where}: term {t['term']} names unknown era {era}")
        if t["label"] not in labels:
            raise DefinitionError(f"{where}: term {t['term']} maps to unknown label {t['label']}")
        if reading.setdefault(t["term"], t["label"]) != t["label"]:
            raise DefinitionError(f"{where}: term {t['term']} is read as two different labels")
        if t.get("approximate") and not t.get("note"):
            raise DefinitionError(f"{where}: approximate term {t['term']} needs a note")
        terms.append(
            {
                "term": t["term"],
                "era": era,
                "label": t["label"],
                "approximate": bool(t.get("approximate", False)),
                "note": _prose(t.get("note", "")),
            }
        )
    compiled = {
        "id": raw["id"],
        "title": raw["title"],
        "description": _prose(raw.get("description", "")),
        "source": raw.get("source", ""),
        "open": bool(raw.get("open", False)),
        "items": items,
    }
    if terms:
        compiled["eras"] = eras
        compiled["terms"] = terms
    return compiled


def _settings(raw: dict) -> dict:
    deadline = {row["key"]: row for row in raw["deadline"]["rows"]}
    for key in ("day_of_month", "roll_forward", "verification_working_days", "measure_months"):
        if key not in deadline:
            raise DefinitionError(f"forms/settings.yaml: deadline lacks the row '{key}'")
    years = [int(r["year"]) for r in raw["monitoring_line"]["rows"]]
    if len(set(years)) != len(years):
        raise DefinitionError("forms/settings.yaml: a monitoring_line year is given twice")

    def rows(section: str) -> list[dict]:
        out = []
        for r in (raw.get(section) or {}).get("rows") or []:
            r = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
            if "source" in r:
                r["source"] = _prose(r["source"])
            out.append(r)
        return out

    return {
        "version": raw["version"],
        "monitoring_line": {
            "description": _prose(raw["monitoring_line"]["description"]),
            "rows": rows("monitoring_line"),
        },
        "deadline": {
            "description": _prose(raw["deadline"]["description"]),
            "rows": rows("deadline"),
            "day_of_month": deadline["day_of_month"]["value"],
            "roll_forward": deadline["roll_forward"]["value"],
            "verification_working_days": deadline["verification_working_days"]["value"],
            "measure_months": deadline["measure_months"]["value"],
        },
        "holiday_overrides": {
            "description": _prose(raw["holiday_overrides"]["description"]),
            "rows": rows("holiday_overrides"),
        },
        "departments": {
            "description": _prose(raw["departments"]["description"]),
            "rows": rows("departments"),
        },
    }


def compile_standard(forms_dir: Path = FORMS_DIR) -> dict:
    """Return the whole standard as plain data, checking the definitions as it goes."""
    meta = _load(forms_dir / "standard.yaml")
    shared = _load(forms_dir / "fields.yaml")
    codelists = {}
    for path in sorted((forms_dir / "codelists").glob("*.yaml")):
        cl = _codelist(path)
        if cl["id"] != path.stem:
            raise DefinitionError(f"{path.name}: id '{cl['id']}' differs from the file name")
        codelists[cl["id"]] = cl
    forms = []
    extra_words = list(meta.get("title_words") or [])
    for stem in meta["forms"]:
        raw = _load(forms_dir / f"{stem}.yaml")
        where = f"forms/{stem}.yaml"
        unknown = set(raw) - FORM_KEYS
        if unknown:
            raise DefinitionError(f"{where}: unknown keys {sorted(unknown)}")
        fields = [_field(f, shared, where) for f in raw["fields"]]
        names = [f["name"] for f in fields]
        if len(set(names)) != len(names):
            raise DefinitionError(f"{where}: duplicate field names")
        for f in fields:
            if not SNAKE.match(f["name"]):
                raise DefinitionError(f"{where}: field name {f['name']} is not snake_case")
            if f.get("codelist") and f["codelist"] not in codelists:
                raise DefinitionError(f"{where}: field {f['name']} names unknown code list {f['codelist']}")
        for f in fields:
            f["title_words"] = title_words(f["title"], extra_words)
        for key in raw.get("primary_key", []):
            if key not in names:
                raise DefinitionError(f"{where}: primary key {key} is not a field")
        form = {
            "id": raw["id"],
            "title": raw["title"],
            "full_title": raw["full_title"],
            "aliases": list(raw["aliases"]),
            "kind": raw["kind"],
            "clause": raw["clause"],
            "order": raw["order"],
            "description": _prose(raw["description"]),
            "primary_key": list(raw.get("primary_key", [])),
            "foreign_keys": list(raw.get("foreign_keys", [])),
            "fields": fields,
        }
        for key in ("warning_type", "stage"):
            if key in raw:
                form[key] = raw[key]
        forms.append(form)
    return {
        "name": meta["name"],
        "title": meta["title"],
        "edition": str(meta["edition"]),
        "version": meta["version"],
        "base_uri": meta["base_uri"],
        "notice": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in meta["notice"].items()},
        "list_separator": meta["list_separator"],
        "list_separators_accepted": meta["list_separators_accepted"],
        "boolean_labels": {"true": meta["boolean_labels"]["true"], "false": meta["boolean_labels"]["false"]},
        "date_format": meta["date_format"],
        "month_format": meta["month_format"],
        "forms": forms,
        "codelists": codelists,
        "settings": _settings(_load(forms_dir / "settings.yaml")),
    }


def dump(standard: dict) -> str:
    """Serialise deterministically, so the committed file only changes when a definition does."""
    return json.dumps(standard, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def write_standard(target: Path = STANDARD_JSON, forms_dir: Path = FORMS_DIR) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump(compile_standard(forms_dir)), encoding="utf-8")
    return target
