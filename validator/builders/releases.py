"""Released versions of the standard: the record, the frozen folders, and what changed since each.

schemas/<version>/ holds the published files of every version; schemas/releases.json records the
versions that have been released, with the date and a digest of their files. A released version
never changes: `fpjc schemas build` refuses to write different files under a released version
number (change the version in forms/standard.yaml instead), and `fpjc schemas check` and the tests
compare every released folder with its digest. For each earlier released version, the changes a
clerk must make to a workbook filled in on its template are computed here from the Table Schemas
and code lists and compiled into validator/data/versions.json, which the reader uses (S014).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from functools import lru_cache
from pathlib import Path

from validator.builders.paths import ROOT

SCHEMAS_ROOT = ROOT / "schemas"
RECORD_NAME = "releases.json"
INDEX_NAME = "README.md"
VERSIONS_JSON = ROOT / "validator" / "data" / "versions.json"
# Files of a version folder that describe it rather than define it: not in the digest.
NOT_DIGESTED = ("README.md",)


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a semantic version "1.10.0" → (1, 10, 0)."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise ValueError(f"版本号“{version}”不是 主.次.修订 的形式") from None


def load_record(root: Path = SCHEMAS_ROOT) -> list[dict]:
    """The released versions, oldest first: [{"version", "date", "sha256"}]."""
    path = root / RECORD_NAME
    if not path.is_file():
        return []
    entries = json.loads(path.read_text(encoding="utf-8"))["released"]
    return sorted(entries, key=lambda e: version_key(e["version"]))


def dump_record(entries: list[dict]) -> str:
    data = {
        "description": "已发布的标准版本：发布日期和文件摘要（除 README.md 外各文件的 SHA-256）。"
        "已发布的版本不再改变；由 fpjc schemas release 写入。",
        "released": sorted(entries, key=lambda e: version_key(e["version"])),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def digest(files: dict[str, str | bytes]) -> str:
    """One SHA-256 over every file's path and content (README.md excepted), independent of order."""
    lines = []
    for rel in sorted(files):
        if rel in NOT_DIGESTED:
            continue
        data = files[rel]
        data = data.encode("utf-8") if isinstance(data, str) else data
        lines.append(f"{rel}\0{hashlib.sha256(data).hexdigest()}\n")
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def read_folder(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def version_folders(root: Path = SCHEMAS_ROOT) -> list[str]:
    """The version folders present under schemas/, oldest first."""
    found = []
    for p in root.iterdir() if root.is_dir() else ():
        if p.is_dir():
            try:
                version_key(p.name)
            except ValueError:
                continue
            found.append(p.name)
    return sorted(found, key=version_key)


def released_problems(root: Path = SCHEMAS_ROOT) -> list[str]:
    """Released versions whose folder is missing or no longer matches the recorded digest."""
    problems = []
    for entry in load_record(root):
        folder = root / entry["version"]
        if not folder.is_dir():
            problems.append(f"已发布的版本 {entry['version']} 缺少文件夹 {folder}")
        elif digest(read_folder(folder)) != entry["sha256"]:
            problems.append(f"已发布的版本 {entry['version']} 的文件（{folder}）与发布时的摘要不同")
    return problems


# ------------------------------------------------------------------ what changed for a workbook


def _codelist_labels(files: dict[str, str | bytes], list_id: str) -> tuple[list[str], dict[str, str]]:
    """(labels, {synonym: label}) of a published code list CSV."""
    data = files.get(f"codelists/{list_id}.csv")
    if data is None:
        return [], {}
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    labels, synonyms = [], {}
    for row in csv.DictReader(io.StringIO(text)):
        labels.append(row["label"])
        for s in filter(None, (row.get("synonyms") or "").split("|")):
            synonyms[s] = row["label"]
    return labels, synonyms


def _tables(files: dict[str, str | bytes]) -> dict[str, dict]:
    """{form id: Table Schema} in the order the data package template lists the forms, then the rest."""
    out = {}
    for rel, data in files.items():
        if rel.endswith(".table.json") and "/" not in rel:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            schema = json.loads(text)
            out[schema["name"]] = schema
    return out


def _rule_of(field: dict) -> dict:
    """What a clerk must satisfy in a column, apart from its title, requiredness and code list."""
    constraints = {k: v for k, v in (field.get("constraints") or {}).items() if k not in ("required", "enum")}
    # pattern_hint is how the rule is worded for the clerk, not the rule: rewording is no change.
    extra = {
        k: v
        for k, v in (field.get("x-fpjc") or {}).items()
        if k not in ("codelist", "personal", "pattern_hint")
    }
    if (field.get("x-fpjc") or {}).get("codelist"):
        constraints.pop("pattern", None)  # a list cell's pattern is its code list, compared on its own
    return {"type": field["type"], "constraints": constraints, "extra": extra}


_CLASS = re.compile(r"\^?\[([^\]]+)\]\+\$?")
_LAST_CODE_POINT = 0x3FFFF  # the Tertiary Ideographic Plane: every character a form could need


@lru_cache(maxsize=16)
def _class_widened(old: str, new: str) -> bool:
    """Whether the pattern `new` accepts every character `old` accepts, for patterns that are one
    repeated character class (^[…]+$): then a cell valid before is valid now."""
    if not (_CLASS.fullmatch(old) and _CLASS.fullmatch(new)):
        return False
    was, now = (
        re.compile(f"[{_CLASS.fullmatch(old).group(1)}]"),
        re.compile(f"[{_CLASS.fullmatch(new).group(1)}]"),
    )
    return all(now.match(ch) for ch in map(chr, range(_LAST_CODE_POINT + 1)) if was.match(ch))


def _widened(before: dict, field: dict) -> bool:
    """A changed rule that only accepts more (a name pattern that takes more characters, a code list
    that became open): a filled workbook stays valid, so nothing has to be changed."""
    old, new = _rule_of(before), _rule_of(field)
    if old["type"] != new["type"]:
        return False
    old_extra = {k: v for k, v in old["extra"].items() if k != "pattern_hint"}
    new_extra = {k: v for k, v in new["extra"].items() if k not in ("pattern_hint", "open")}
    if new["extra"].get("open") is not True and "open" in new["extra"]:
        return False
    if old_extra != new_extra:
        return False
    old_c, new_c = dict(old["constraints"]), dict(new["constraints"])
    old_p, new_p = old_c.pop("pattern", None), new_c.pop("pattern", None)
    if old_c != new_c:
        return False
    return old_p == new_p or (old_p is not None and new_p is not None and _class_widened(old_p, new_p))


def workbook_changes(old: dict[str, str | bytes], new: dict[str, str | bytes]) -> list[dict]:
    """What a clerk must change in a workbook filled in on the `old` template to meet `new`.

    Both arguments are published file trees ({relative path: content}). Each change is a plain
    dict with `kind` (form_added, form_removed, column_added, column_removed, column_renamed,
    column_required, column_rule, column_widened, code_removed, code_renamed) and the titles a
    clerk sees; column_widened is a rule that now accepts more, so a filled cell stays valid.
    Descriptions, added optional codes and other changes that leave a filled workbook valid are
    not listed.
    """
    old_tables, new_tables = _tables(old), _tables(new)
    changes: list[dict] = []
    for form_id, schema in new_tables.items():
        if form_id not in old_tables:
            changes.append({"kind": "form_added", "form": form_id, "form_title": schema["title"]})
    for form_id, schema in old_tables.items():
        if form_id not in new_tables:
            changes.append({"kind": "form_removed", "form": form_id, "form_title": schema["title"]})
    for form_id, new_schema in new_tables.items():
        old_schema = old_tables.get(form_id)
        if old_schema is None:
            continue
        where = {"form": form_id, "form_title": new_schema["title"]}
        old_fields = {f["name"]: f for f in old_schema["fields"]}
        new_names = [f["name"] for f in new_schema["fields"]]
        for i, field in enumerate(new_schema["fields"]):
            required = bool((field.get("constraints") or {}).get("required"))
            before = old_fields.get(field["name"])
            if before is None:
                after = new_schema["fields"][i - 1]["title"] if i else None
                changes.append(
                    {
                        **where,
                        "kind": "column_added",
                        "title": field["title"],
                        "after": after,
                        "required": required,
                    }
                )
                continue
            if before["title"] != field["title"]:
                changes.append(
                    {**where, "kind": "column_renamed", "old_title": before["title"], "title": field["title"]}
                )
            if required and not (before.get("constraints") or {}).get("required"):
                changes.append({**where, "kind": "column_required", "title": field["title"]})
            if _rule_of(before) != _rule_of(field):
                kind = "column_widened" if _widened(before, field) else "column_rule"
                changes.append({**where, "kind": kind, "title": field["title"], "name": field["name"]})
            list_id = (field.get("x-fpjc") or {}).get("codelist")
            old_list = (before.get("x-fpjc") or {}).get("codelist")
            if list_id:
                old_labels, _ = _codelist_labels(old, old_list or list_id)
                new_labels, synonyms = _codelist_labels(new, list_id)
                for label in old_labels:
                    if label in new_labels:
                        continue
                    if label in synonyms:
                        changes.append(
                            {
                                **where,
                                "kind": "code_renamed",
                                "title": field["title"],
                                "code": label,
                                "now": synonyms[label],
                            }
                        )
                    else:
                        changes.append(
                            {**where, "kind": "code_removed", "title": field["title"], "code": label}
                        )
        for name, before in old_fields.items():
            if name not in new_names:
                changes.append({**where, "kind": "column_removed", "title": before["title"]})
    return changes


def versions_data(current: str, files: dict[str, str], root: Path = SCHEMAS_ROOT) -> dict:
    """validator/data/versions.json: the released versions and, for each earlier one, what to change."""
    record = load_record(root)
    changes = {}
    for entry in record:
        if version_key(entry["version"]) >= version_key(current):
            continue
        folder = root / entry["version"]
        changes[entry["version"]] = workbook_changes(read_folder(folder), files) if folder.is_dir() else []
    return {
        "current": current,
        "released": [{"version": e["version"], "date": e["date"]} for e in record],
        "changes_since": changes,
    }


def dump_versions(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def index_readme(standard: dict, root: Path = SCHEMAS_ROOT) -> str:
    """schemas/README.md: every version folder, the released ones with their date."""
    record = {e["version"]: e for e in load_record(root)}
    versions = sorted(set(version_folders(root)) | {standard["version"]}, key=version_key, reverse=True)
    lines = [
        f"# {standard['title']}：各版本",
        "",
        "本目录由 `fpjc schemas build` 生成，请不要手工修改。每个版本一个文件夹，文件夹里是该版本发布的全部文件，",
        f"与网站上 `{standard['base_uri']}<版本>/<文件名>`（即各文件的 `$id`）的内容逐字节相同。",
        "已发布的版本不再改变；`releases.json` 记录每个已发布版本的日期和文件摘要。",
        "",
        "| 版本 | 状态 | 发布日期 |",
        "|---|---|---|",
    ]
    for v in versions:
        if v in record:
            state = "已发布" + ("（当前）" if v == standard["version"] else "")
            date = record[v]["date"]
        else:
            state, date = "未发布（修订中）", "—"
        lines.append(f"| [{v}]({v}/README.md) | {state} | {date} |")
    return "\n".join(lines) + "\n"
