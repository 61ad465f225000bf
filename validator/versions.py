"""Earlier versions of the standard, and what a workbook filled in on an earlier template must change.

`validator/data/versions.json` is compiled by `fpjc schemas build` from the released versions kept
under schemas/ (see `validator.builders.releases`): which versions were released, and for each one
older than the current version the changes that matter to a filled workbook (a column added,
removed or renamed, a column now required or checked differently, a code removed). The reader uses
it when a workbook's hidden sheet names an older template version (rule S014).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from validator import standard
from validator.values.wording import how_to_fill

VERSIONS_JSON = Path(__file__).resolve().parent / "data" / "versions.json"


@lru_cache(maxsize=1)
def load() -> dict:
    """The compiled version data: {"current", "released": [{"version", "date"}], "changes_since"}."""
    with VERSIONS_JSON.open(encoding="utf-8") as f:
        return json.load(f)


def released() -> list[str]:
    """The released versions of the standard, oldest first."""
    return [entry["version"] for entry in load()["released"]]


_VERSION = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}")


def version_tuple(version: str) -> tuple[int, ...] | None:
    """(1, 0, 0) for "1.0.0"; None when the text is not a dotted version number (at most four parts
    of at most four digits: a long number such as an ID typed into the version cell is not one)."""
    text = str(version).strip()
    if not _VERSION.fullmatch(text):
        return None
    return tuple(int(part) for part in text.split("."))


def changes_since(version: str) -> list[dict] | None:
    """What changed for a filled workbook since a released `version`; None if it was never released."""
    return load()["changes_since"].get(version)


def describe(change: dict) -> str:
    """One change as the instruction a clerk follows, e.g. 附件1：在“户主姓名”列之后插入“联系电话”列（必填）."""
    kind, form = change["kind"], change.get("form_title", "")
    title = change.get("title", "")
    if kind == "form_added":
        return f"新增“{form}”：用新模板填写这张表"
    if kind == "form_removed":
        return f"“{form}”不再报送：删除这张工作表"
    if kind == "column_added":
        where = f"在“{change['after']}”列之后" if change.get("after") else "在最前面"
        need = "必填" if change.get("required") else "可不填"
        return f"{form}：{where}插入“{title}”列（{need}）"
    if kind == "column_removed":
        return f"{form}：删除“{title}”列"
    if kind == "column_renamed":
        return f"{form}：把列标题“{change['old_title']}”改为“{title}”"
    if kind == "column_required":
        return f"{form}：“{title}”列现在必填，每行都要填写"
    if kind == "column_rule":
        return f"{form}：“{title}”列的填写要求改为：{_how(change)}"
    if kind == "column_widened":
        return f"{form}：“{title}”列现在接受更多的写法，已填的内容仍然有效"
    if kind == "code_renamed":
        return f"{form}：“{title}”列的“{change['code']}”改称“{change['now']}”"
    if kind == "code_removed":
        return f"{form}：“{title}”列不再有“{change['code']}”这一项，请改选现有的一项"
    return f"{form}：“{title}”列有变化"


def _how(change: dict) -> str:
    try:
        form = standard.form(change["form"])
        field = next(f for f in form["fields"] if f["name"] == change["name"])
    except (KeyError, StopIteration):
        return "见新模板的填表说明"
    return how_to_fill(field, with_options=False).rstrip("。")


# Changes after which a filled workbook still passes: nothing has to be done about them.
OPTIONAL_KINDS = {"form_added", "form_removed", "code_renamed", "column_widened"}


def must_change(change: dict) -> bool:
    """Whether a filled workbook has to be edited for this change (else it is only worth knowing)."""
    if change["kind"] == "column_added":
        return bool(change.get("required"))
    return change["kind"] not in OPTIONAL_KINDS


def _county_form(form_id: str | None) -> bool:
    try:
        return standard.form(form_id)["kind"] == "county"
    except KeyError:
        return False


def upgrade_text(version: str, *, county: bool = False) -> tuple[str, bool]:
    """What a clerk must change in a workbook made on template `version`, and whether anything must.

    ("…", False) when the workbook passes as it is (the columns and codes it uses are unchanged).
    A township's workbook never holds the county's forms and the county's meeting workbook holds
    only those: `county` says which changes concern the workbook.
    """
    changes = changes_since(version)
    if changes is None:
        return f"{version} 不是已发布的标准版本，无法逐项列出要改的地方，请换用最新模板", True
    changes = [c for c in changes if _county_form(c.get("form")) == county]
    needed = [c for c in changes if must_change(c)]
    # A rule that only accepts more leaves every filled cell valid: not worth a clerk's reading.
    optional = [c for c in changes if not must_change(c) and c["kind"] != "column_widened"]
    if needed:
        text = "要改的地方：" + "；".join(f"（{i}）{describe(c)}" for i, c in enumerate(needed, 1))
        if optional:
            text += "。另外（不改也可以）：" + "；".join(describe(c) for c in optional)
        return text, True
    if optional:
        return "已填的内容不必改动，可以照常报送；新模板另有：" + "；".join(
            describe(c) for c in optional
        ), False
    if changes:
        return "已填的内容不必改动，可以照常报送", False
    return "两个版本的工作表、列和代码相同，可以照常报送", False
