"""Rule examples on the site: each example patch on the base package shown as small tables of
the cells it changes, sentences and raw files, with values as a clerk would type them.
"""

from __future__ import annotations

import json

from validator.builders.rule_examples import BASE, HISTORY_MANIFEST, TODAY, written_files


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


# ---------------------------------------------------------------------------------------
# The correct example as the files a clerk would hand in

TODAY_TEXT = "以 {day} 作为校验当天（命令行 `--today {day}`）。"
FOLDERS = {"package": "报送包文件夹", "record": "研判记录文件夹", "本月报送包": "本月报送包文件夹"}
MAX_LINES = 8  # lines of a file shown whole


def correct_blocks(fail: dict, passing: dict, std: dict, produced: list | None = None) -> list[dict]:
    """The 正确示例 of a rule page: the passing patch's own cells when it sets some; otherwise
    what the passing example's files really hold where the failing example differs (or where
    its findings point): the cell (file or sheet, A1 cell, column title) and its value, or the
    file itself (name, encoding, lines), the files in the folder, the sheets of the workbook."""
    own = patch_blocks(passing, std) if passing else []
    if any(b["kind"] != "text" for b in own):
        return own
    view = file_view(written_files(fail), written_files(passing), std, produced or [])
    intro = [b for b in own if b.get("changes", True) is False or not _says_unchanged(b)]
    day = passing.get("options", {}).get("today", TODAY)
    if fail.get("options", {}).get("today", TODAY) != day:
        intro.append({"kind": "text", "text": TODAY_TEXT.format(day=day)})
    lead = {"kind": "text", "text": "能通过这条规则的示例中，错误示例出错的地方是这样的："}
    if not view:  # nothing differs in the files (an option alone decides): say what the example is
        return own or [{"kind": "text", "text": "示例报送包原样不动，就能通过这条规则。"}]
    return [*intro, lead, *view]


def _says_unchanged(block: dict) -> bool:
    return block["kind"] == "text" and "原样不动" in block["text"]


def _letters(col: int) -> str:
    """Column number (1-based) as Excel letters: 1 → A, 27 → AA."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _decode(data: bytes) -> tuple[str | None, str]:
    """A CSV file's text and its encoding in a clerk's words, or (None, "") when unreadable."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            return None, ""
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    return None, ""


def _csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


def _form_titles(std: dict) -> dict[str, str]:
    return {f["id"]: f["title"] for f in std["forms"]}


def _file_label(path: str, std: dict) -> str:
    """annex3.csv（附件3）: a file's name and, when its name is a form's, the form."""
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    title = _form_titles(std).get(stem)
    return f"{name}（{title}）" if title and title != stem else name


def _table_label(path: str, std: dict) -> str:
    """The table a CSV file holds, as the failing example's findings name it (报送信息), else the file."""
    name = path.rsplit("/", 1)[-1]
    return _form_titles(std).get(name.rsplit(".", 1)[0], name)


def _value_text(value) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return shown(value)


class _Places:
    """Cells of the correct example, each once, in the order met."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, where: str, cell: str, column: str, value) -> None:
        if not any(r[0] == where and r[1] == cell for r in self.rows):
            self.rows.append((where, cell, column, _value_text(value)))

    def block(self) -> dict:
        """Three columns like the failing example's table (表, 单元格, …), so a phone shows them whole."""
        return {
            "kind": "table",
            "title": "正确的填法",
            "headers": ["表", "单元格", "正确的值"],
            "rows": [[w, f"{c}（{col}）" if col else c, f"`{v}`"] for w, c, col, v in self.rows],
        }


def file_view(before: dict[str, bytes], after: dict[str, bytes], std: dict, produced: list) -> list[dict]:
    """What the passing example's files hold where the failing example's files differ."""
    places = _Places()
    blocks: list[dict] = []
    encodings: list[list[str]] = []
    listed: set[str] = set()
    whole: set[str] = set()  # files shown whole: a finding's cell in them needs no row of its own
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        if new is None:
            folder = path.rsplit("/", 1)[0]
            if folder not in listed:
                listed.add(folder)
                blocks.append(_folder_block(folder, after, std))
            continue
        if path.endswith(".xlsx"):
            blocks.extend(_workbook_diff(old, new, places, std))
            continue
        text, enc = _decode(new)
        old_text, old_enc = _decode(old) if old is not None else (None, "")
        if text is None or not path.endswith(".csv"):
            blocks.append(_whole_file(path, new, std))
            whole.add(path)
            continue
        if old_text is not None and old_text == text:
            first = text.splitlines()[0] if text else ""
            encodings.append([_file_label(path, std), enc, f"`{first}`"])
            continue
        rows, old_rows = _csv_rows(text), _csv_rows(old_text) if old_text is not None else None
        if old_rows is None or len(old_rows) != len(rows) or old_enc != enc:
            blocks.append(_whole_file(path, new, std))
            whole.add(path)
        elif old_rows[0] != rows[0]:
            blocks.append(
                {
                    "kind": "code",
                    "title": f"{_file_label(path, std)} 的第1行（列标题）",
                    "text": text.splitlines()[0],
                }
            )
        else:
            where = _table_label(path, std)
            for i, (a, b) in enumerate(zip(old_rows, rows, strict=True), start=1):
                for j in range(max(len(a), len(b))):
                    va, vb = (a[j] if j < len(a) else ""), (b[j] if j < len(b) else "")
                    if va != vb:
                        header = rows[0][j] if j < len(rows[0]) else ""
                        places.add(where, f"{_letters(j + 1)}{i}", header, vb)
    for f in produced:
        _finding_place(f, {p: d for p, d in after.items() if p not in whole}, places, std)
    if encodings:
        blocks.insert(
            0,
            {
                "kind": "table",
                "title": "文件的编码",
                "headers": ["文件", "编码", "第1行"],
                "rows": encodings,
            },
        )
    if places.rows:
        blocks.insert(0, places.block())
    return blocks


def _whole_file(path: str, data: bytes, std: dict) -> dict:
    text, enc = _decode(data)
    if text is None:
        return {"kind": "text", "text": f"{_file_label(path, std)}：{len(data)}字节。"}
    lines = text.splitlines()
    shown_lines = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown_lines.append(f"……（共{len(lines)}行）")
    what = f"，{enc} 编码" if path.endswith(".csv") else ""
    return {
        "kind": "code",
        "title": f"{_file_label(path, std)}{what}，共{len(lines)}行",
        "text": "\n".join(shown_lines),
    }


def _folder_block(folder: str, after: dict[str, bytes], std: dict) -> dict:
    """The files and folders directly in `folder` of the passing example."""
    entries: dict[str, list[str]] = {}
    prefix = folder + "/"
    for path in sorted(after):
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        head, _, tail = rest.partition("/")
        if tail:
            entries.setdefault(head + "/", []).append(tail)
        else:
            entries.setdefault(_file_label(rest, std), [])
    lines = [f"{name}（{'、'.join(inner)}）" if inner else name for name, inner in entries.items()]
    top = folder.split("/", 1)[0]
    return {"kind": "code", "title": f"{FOLDERS.get(top, folder)}中只有这些文件", "text": "\n".join(lines)}


def _sheet_label(ws) -> str:
    return f"{ws.title}（隐藏的工作表）" if ws.sheet_state != "visible" else ws.title


def _column_title(ws, row: int, col: int, std: dict) -> str:
    """A form sheet's header in row 1 above the cell; on a key/value sheet, the key in column A."""
    if row == 1:
        return "（列标题）"
    if ws.title in {f["title"] for f in std["forms"]}:
        return _value_text(ws.cell(1, col).value)
    return _value_text(ws.cell(row, 1).value) if col > 1 else ""


def _load_workbook(data: bytes | None):
    import io

    from openpyxl import load_workbook

    if data is None:
        return None
    try:
        return load_workbook(io.BytesIO(data))
    except Exception:  # not a workbook: shown as a whole file instead
        return None


def _workbook_diff(old: bytes | None, new: bytes, places: _Places, std: dict) -> list[dict]:
    wb_new, wb_old = _load_workbook(new), _load_workbook(old)
    if wb_new is None:
        return []
    blocks = []
    if wb_old is None or wb_old.sheetnames != wb_new.sheetnames:
        names = "、".join(_sheet_label(ws) for ws in wb_new.worksheets)
        blocks.append({"kind": "code", "title": "工作簿中的工作表", "text": names})
    for ws in wb_new.worksheets:
        if wb_old is None or ws.title not in wb_old.sheetnames:
            continue
        ws_old = wb_old[ws.title]
        rows = max(ws.max_row, ws_old.max_row)
        cols = max(ws.max_column, ws_old.max_column)
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                if ws.cell(r, c).value != ws_old.cell(r, c).value:
                    places.add(
                        _sheet_label(ws),
                        f"{_letters(c)}{r}",
                        _column_title(ws, r, c, std),
                        ws.cell(r, c).value,
                    )
    return blocks


def _finding_place(finding: dict, after: dict[str, bytes], places: _Places, std: dict) -> None:
    """The cell a finding of the failing example points at, as the passing example has it."""
    import re

    cell, source = finding.get("cell"), finding.get("source")
    m = re.fullmatch(r"([A-Z]+)(\d+)", cell or "")
    if not m or not source:
        return
    path = next(
        (p for p in after if p.split("/", 1)[0] in ("package", "record") and p.endswith("/" + source)), None
    )
    if path is None:
        return
    col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(m.group(1))))
    row = int(m.group(2))
    if path.endswith(".xlsx"):
        wb = _load_workbook(after[path])
        sheet = finding.get("sheet")
        if wb is None or sheet not in (wb.sheetnames if wb else []):
            return
        ws = wb[sheet]
        places.add(_sheet_label(ws), cell, _column_title(ws, row, col, std), ws.cell(row, col).value)
        return
    text, _ = _decode(after[path])
    rows = _csv_rows(text or "")
    if row <= len(rows):
        line = rows[row - 1]
        header = rows[0][col - 1] if col - 1 < len(rows[0]) else ""
        places.add(
            _table_label(path, std),
            cell,
            "（列标题）" if row == 1 else header,
            line[col - 1] if col - 1 < len(line) else "",
        )


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
                # A file named like one of the package's own tables takes its place.
                verb = (
                    f"把报送包中的 {name} 换成"
                    if name.rsplit(".", 1)[0] in BASE
                    else f"报送包中加一个文件 {name}"
                )
                blocks.append({"kind": "code", "title": verb + _encoding_note(text), "text": _text(text)})
        elif key == "raw":
            for rid, text in value.items():
                blocks.append(
                    {"kind": "code", "title": f"{_resource_title(std, rid)} 的文件内容", "text": _text(text)}
                )
        elif key == "options":
            blocks.extend(_option_blocks(value, std))
        elif key in titles or isinstance(value, dict):
            blocks.extend(_resource_blocks(key, value, std, titles.get(key, {})))
        else:
            blocks.append(
                {"kind": "code", "title": key, "text": json.dumps(value, ensure_ascii=False, indent=2)}
            )
    if not [b for b in blocks if b.get("changes", True)]:
        blocks.insert(0, {"kind": "text", "text": unchanged})
    return blocks


def _encoding_note(data) -> str:
    """（GB18030 编码）for a file the example writes in another encoding than UTF-8."""
    if isinstance(data, dict) and "text" in data and data.get("encoding", "utf-8") != "utf-8":
        return f"（{data['encoding'].upper()} 编码）"
    return ""


def _text(data) -> str:
    """A file's content as a clerk would see it in a text editor: bytes that are neither UTF-8
    nor anything else show as “�”, and are named below the text."""
    if isinstance(data, dict):
        data = bytes.fromhex(data["hex"]) if "hex" in data else data.get("text", "")
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            bad = []
            i = 0
            while i < len(data):  # the bytes UTF-8 cannot read, one by one
                for n in (4, 3, 2, 1):
                    try:
                        data[i : i + n].decode("utf-8")
                        i += n
                        break
                    except UnicodeDecodeError:
                        continue
                else:
                    bad.append(f"{data[i]:02X}")
                    i += 1
            return f"{text.rstrip()}\n（“�”处是无法识别的字节：{'、'.join(bad)}）"
    return str(data)


def _option_blocks(options: dict, std: dict | None = None) -> list[dict]:
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
        elif k == "encoding":
            label = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GB18030"}.get(v, v)
            out.append({"kind": "text", "text": f"报送包中的 CSV 文件以 {label} 编码保存。"})
        elif k == "format":
            out.append({"kind": "text", "text": f"报送包以 {v} 文件提交。"})
        elif k == "history" and std is not None:
            # The earlier package's rows in the clerk's terms: table, row, column title, value.
            month = (v.get("manifest") or [{}])[0].get("report_month", HISTORY_MANIFEST["report_month"])
            titles = _field_titles(std)
            for rid, rows in v.items():
                cells = [
                    (f"第{i}条数据", titles.get(rid, {}).get(name, name), shown(value))
                    for i, row in enumerate(rows, start=1)
                    for name, value in row.items()
                ]
                out.append(
                    {
                        "kind": "cells",
                        "title": f"同时提供以前报送的报送包（{month}，命令行 --history）中的{_resource_title(std, rid)}",
                        "cells": cells,
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
                    "title": "同时提供建档立卡名单（命令行 --roster，一列身份证号）",
                    "text": "身份证号\n" + "\n".join(str(h) for h in v),
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
