"""Rule examples on the site: each example patch on the base package shown as small tables of
the cells it changes, sentences and raw files, with values as a clerk would type them.
"""

from __future__ import annotations

import json


def shown(value) -> str:
    """A value as a clerk would type it in a cell."""
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list | tuple):
        return "、".join(shown(v) for v in value)
    return str(value)


def _field_titles(std: dict) -> dict[str, dict[str, str]]:
    return {f["id"]: {x["name"]: x["title"] for x in f["fields"]} for f in std["forms"]}


def _resource_title(std: dict, rid: str) -> str:
    for f in std["forms"]:
        if f["id"] == rid:
            return f"{f['title']} {f['full_title']}" if f["kind"] == "annex" else f["title"]
    return rid


def unchanged_blocks(fail: dict, std: dict, base: dict) -> list[dict]:
    """A passing example that changes nothing, shown as what it keeps: the cells the failing
    example changes, with the values the example package really has there."""
    titles = _field_titles(std)
    cells = []
    for rid, change in fail.items():
        if rid not in titles or not isinstance(change, dict) or not base.get(rid):
            continue
        row = change.get("row", 1)
        rows = base[rid]
        for name in change.get("set") or {}:
            if row <= len(rows):
                cells.append(
                    (
                        f"{_resource_title(std, rid)} 第{row}条数据",
                        titles[rid].get(name, name),
                        shown(rows[row - 1].get(name)),
                    )
                )
    if not cells:
        return [{"kind": "text", "text": "示例报送包原样不动，就能通过这条规则。"}]
    return [
        {"kind": "text", "text": "示例报送包原样不动，这些单元格是这样填的："},
        {"kind": "cells", "title": "正确的填法", "cells": cells},
    ]


def patch_blocks(patch: dict, std: dict) -> list[dict]:
    """Turn an example patch into display blocks: cell tables, sentences and raw files."""
    titles = _field_titles(std)
    blocks: list[dict] = []
    county = bool(patch.get("options", {}).get("county"))
    unchanged = (
        "示例研判记录原样不动，就能通过这条规则。" if county else "示例报送包原样不动，就能通过这条规则。"
    )
    if not patch:
        return [{"kind": "text", "text": unchanged}]
    for key, value in patch.items():
        if key == "drop":
            names = "、".join(_resource_title(std, r) for r in value)
            blocks.append(
                {"kind": "text", "text": f"{'研判记录' if county else '报送包'}里不提供：{names}。"}
            )
        elif key == "files":
            for name, text in value.items():
                blocks.append({"kind": "code", "title": f"报送包中加一个文件 {name}", "text": _text(text)})
        elif key == "raw":
            for rid, text in value.items():
                blocks.append(
                    {"kind": "code", "title": f"{_resource_title(std, rid)} 的文件内容", "text": _text(text)}
                )
        elif key == "options":
            blocks.extend(_option_blocks(value))
        elif key in titles or isinstance(value, dict):
            blocks.extend(_resource_blocks(key, value, std, titles.get(key, {})))
        else:
            blocks.append(
                {"kind": "code", "title": key, "text": json.dumps(value, ensure_ascii=False, indent=2)}
            )
    if not [b for b in blocks if b.get("changes", True)]:
        blocks.insert(0, {"kind": "text", "text": unchanged})
    return blocks


def _text(data) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return f"（{len(data)}字节的二进制内容）"
    return str(data)


def _option_blocks(options: dict) -> list[dict]:
    out = []
    for k, v in options.items():
        if k == "county":
            continue  # said in the page's introduction: the example is the county's record
        if k == "packages":
            out.append(
                {
                    "kind": "text",
                    "text": "同时提供本月的乡镇报送包（`--packages`），即其他规则的示例所用的小示例报送包（云鹤镇2020年7月），逐户核对。",
                    "changes": False,
                }
            )
        elif k == "month_files":
            for name, text in v.items():
                out.append(
                    {"kind": "code", "title": f"本月报送包文件夹中另有一个文件 {name}", "text": _text(text)}
                )
        elif k == "today":
            out.append({"kind": "text", "text": f"以 {v} 作为校验当天（命令行 `--today {v}`）。"})
        elif k == "format":
            out.append({"kind": "text", "text": f"报送包以 {v} 文件提交。"})
        elif k == "history":
            out.append(
                {
                    "kind": "code",
                    "title": "同时提供以前报送的历史数据（--history）",
                    "text": json.dumps(v, ensure_ascii=False, indent=2, default=str),
                }
            )
        elif k == "stage":
            label = {"draft": "自查草稿", "submit": "上报核对"}.get(v, v)
            out.append({"kind": "text", "text": f"按{label}校验（命令行 `--stage {v}`）。"})
        elif k == "settings":
            out.append(
                {
                    "kind": "code",
                    "title": "同时提供县设置文件（--settings，或在线校验页的“选择县设置文件”）",
                    "text": json.dumps(v, ensure_ascii=False, indent=2, default=str),
                }
            )
        elif k == "roster":
            out.append(
                {
                    "kind": "code",
                    "title": "同时提供建档立卡名单（--roster）",
                    "text": json.dumps(v, ensure_ascii=False, indent=2, default=str),
                }
            )
        else:
            out.append(
                {"kind": "code", "title": f"选项 {k}", "text": json.dumps(v, ensure_ascii=False, default=str)}
            )
    return out


def _resource_blocks(rid: str, change: dict, std: dict, titles: dict[str, str]) -> list[dict]:
    where = _resource_title(std, rid)
    blocks: list[dict] = []
    cells: list[tuple[str, str, str]] = []
    row_label = f"第{change.get('row', 1)}条数据"
    for name, value in (change.get("set") or {}).items():
        cells.append((row_label, titles.get(name, name), shown(value)))
    for i, row in enumerate(change.get("append") or [], start=1):
        for name, value in row.items():
            cells.append((f"新增第{i}条", titles.get(name, name), shown(value)))
    if "rows" in change:
        rows = change["rows"]
        if not rows:
            blocks.append({"kind": "text", "text": f"{where}：删去全部数据行，只留表头。"})
        for i, row in enumerate(rows, start=1):
            for name, value in row.items():
                cells.append((f"第{i}条数据", titles.get(name, name), shown(value)))
    if cells:
        blocks.append({"kind": "cells", "title": where, "cells": cells})
    if change.get("drop_columns"):
        cols = "、".join(f"“{titles.get(n, n)}”" for n in change["drop_columns"])
        blocks.append({"kind": "text", "text": f"{where}：删去列 {cols}。"})
    for old, new in (change.get("rename_columns") or {}).items():
        blocks.append({"kind": "text", "text": f"{where}：列标题“{old}”改为“{new}”。"})
    known = {"set", "row", "append", "rows", "drop_columns", "rename_columns"}
    for key in change.keys() - known:
        blocks.append(
            {
                "kind": "code",
                "title": f"{where}：{key}",
                "text": json.dumps(change[key], ensure_ascii=False, indent=2, default=str),
            }
        )
    return blocks
