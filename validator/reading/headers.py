"""Recognising tables and columns: resource names, the header row, header → field, the header block.

Everything is derived from the standard (form ids, titles, full titles, aliases, field titles
and names), so renaming a column in forms/ changes what the reader accepts. Header cells are
compared after normalisation: full-width → half-width (NFKC), whitespace and line breaks
removed, required-marks (*) dropped, case folded.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from validator import standard
from validator.findings import Finding, column_letter
from validator.reading import rules as S
from validator.reading.common import DEFAULT_LIMITS
from validator.tables import Column

HEADER_SCAN_ROWS = DEFAULT_LIMITS.header_scan_rows  # the header row is searched for in this many leading rows
HEADER_CELL_CHARS = DEFAULT_LIMITS.header_cell_chars  # a longer cell is never a header (not even compared)
SHOWN_CHARS = 60  # an unknown header is quoted in a message up to this length

# Labels of the header block above the column headers of the printed annexes (layout, not
# columns): 填报单位（盖章）：… 报告月份：… 填报人：… 审核人：… 填报日期：…
HEADER_BLOCK_KEYS = ("填报单位", "报告月份", "填报人", "审核人", "填报日期")

_DROP = re.compile(r"[\s\u200b\u200c\u200d\ufeff*]+")
_BRACKETED = re.compile(r"\([^()]*\)")


def normalise(text: object) -> str:
    """Comparable form of a header or name: NFKC, no whitespace or '*', lower case."""
    if text is None:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text))).lower()


def display(text: object) -> str:
    """A header as the user wrote it, on one line (cells may hold line breaks)."""
    if text is None:
        return ""
    return re.sub(r"\s*[\r\n]+\s*", "", str(text)).strip()


# --- forms --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _form_keys() -> dict[str, dict[str, str]]:
    """form id → {normalised header → field name}: titles, names, titles without (元)-style parts."""
    out: dict[str, dict[str, str]] = {}
    for f in standard.forms():
        keys: dict[str, str] = {}
        loose: dict[str, list[str]] = {}
        for fld in f["fields"]:
            keys[normalise(fld["title"])] = fld["name"]
            keys[normalise(fld["name"])] = fld["name"]
            bare = _BRACKETED.sub("", normalise(fld["title"]))
            if bare:
                loose.setdefault(bare, []).append(fld["name"])
        for bare, names in loose.items():
            if len(names) == 1 and bare not in keys:
                keys[bare] = names[0]
        out[f["id"]] = keys
    return out


def field_for(form_id: str, header: object) -> str | None:
    return _lookup(_form_keys()[form_id], header)


def _lookup(keys: dict[str, str], header: object) -> str | None:
    """Field for a header: exact (normalised), else without a bracketed unit such as （人）."""
    if header.__class__ is str and len(header) > HEADER_CELL_CHARS:
        return None
    n = normalise(header)
    found = keys.get(n)
    if found is None and "(" in n:
        bare = _BRACKETED.sub("", n)
        found = keys.get(bare) if bare else None
    return found


def form_label(form_id: str) -> str:
    f = standard.form(form_id)
    return (
        f"“{f['title']}”"
        if f["title"] == f.get("full_title")
        else f"“{f['title']}”（{f.get('full_title', '')}）"
    )


@lru_cache(maxsize=1)
def _name_tokens() -> list[tuple[str, str]]:
    """(normalised token, form id) for every way a table may be named."""
    tokens = []
    for f in standard.forms():
        names = {f["id"], f["title"], *f.get("aliases", [])}
        if f.get("full_title"):
            names.add(f["full_title"])
            names.add(f"{f['title']} {f['full_title']}")
        for n in names:
            tokens.append((normalise(n), f["id"]))
    return tokens


def _bounded(name: str, token: str, at: int) -> bool:
    """Does the token stand alone at `at` (附件1 is not part of 附件10, annex1 not of xannex1x)?"""
    end = at + len(token)
    after = name[end : end + 1]
    before = name[at - 1 : at] if at else ""
    if token[-1:].isdigit() and after.isdigit():
        return False
    if token[:1].isascii() and token[:1].isalnum() and before.isascii() and before.isalnum():
        return False
    if token[-1:].isascii() and token[-1:].isalnum() and after.isascii() and after.isalpha():
        return False
    return True


def recognise_name(name: str) -> str | None:
    """Form id for a sheet or file name (extension already removed), or None."""
    n = normalise(name)
    if not n:
        return None
    hits: dict[str, int] = {}
    for token, form_id in _name_tokens():
        if not token:
            continue
        if n == token:
            return form_id
        at = n.find(token)
        while at >= 0:
            if _bounded(n, token, at):
                hits[form_id] = max(hits.get(form_id, 0), len(token))
                break
            at = n.find(token, at + 1)
    if not hits:
        return None
    ranked = sorted(hits.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


# --- header row ---------------------------------------------------------------------------


def _matches(form_id: str, cells) -> tuple[int, int]:
    """(distinct fields matched, non-empty cells) in one row."""
    keys = _form_keys()[form_id]
    seen = set()
    nonempty = 0
    for c in cells:
        if c is None or c == "":
            continue
        nonempty += 1
        f = _lookup(keys, c)
        if f:
            seen.add(f)
    return len(seen), nonempty


def find_header(form_id: str, head: list[list]) -> int | None:
    """Index in `head` of the column-header row of form `form_id`, or None."""
    best, best_at = 0, None
    for i, cells in enumerate(head):
        matched, nonempty = _matches(form_id, cells)
        if matched > best:
            best, best_at = matched, i
    if best_at is None:
        return None
    matched, nonempty = _matches(form_id, head[best_at])
    if matched >= 2 or (matched == 1 and nonempty == 1):
        return best_at
    return None


def guess_form(head: list[list]) -> tuple[str, int] | None:
    """(form id, header index) when some row's headers match one form clearly, else None."""
    scored = []
    for f in standard.forms():
        n_fields = len(f["fields"])
        best = (0.0, 0, -1)
        for i, cells in enumerate(head):
            matched, nonempty = _matches(f["id"], cells)
            if matched < 3:
                continue
            score = matched / (nonempty + n_fields - matched)
            if score > best[0]:
                best = (score, matched, i)
        if best[2] >= 0:
            scored.append((best[0], f["id"], best[2]))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < 0.6:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - 0.05:
        return None
    return scored[0][1], scored[0][2]


def is_numbering_row(cells) -> bool:
    """A row of column numbers 1, 2, 3 … under the headers (common on printed forms)."""
    seen = 0
    for i, c in enumerate(cells):
        if c is None or (isinstance(c, str) and not c.strip()):
            continue
        text = normalise(c).strip("()")
        if isinstance(c, float) and c.is_integer():
            text = str(int(c))
        if text != str(i + 1):
            return False
        seen += 1
    return seen >= 3


# --- columns ------------------------------------------------------------------------------


def map_columns(
    form_id: str,
    header_cells,
    *,
    header_row: int,
    place: dict,
    emit: Callable[[Finding], None],
) -> list[Column]:
    """Columns of one header row, with S009/S010/S011 findings for missing, unknown, duplicate ones."""
    cells = list(header_cells)
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    keys = _form_keys()[form_id]
    label = form_label(form_id)
    columns: list[Column] = []
    first_at: dict[str, int] = {}
    unknown: list[tuple[str, str]] = []
    for i, raw in enumerate(cells):
        header = display(raw)
        if len(header) > SHOWN_CHARS:
            header = header[:SHOWN_CHARS] + "…"
        letter = column_letter(i)
        fld = _lookup(keys, raw) if header else None
        cell = f"{letter}{header_row}"
        if fld and fld in first_at:
            emit(
                S.DUPLICATE_COLUMN.finding(
                    header=header,
                    first=column_letter(first_at[fld]),
                    field=fld,
                    column=header,
                    cell=cell,
                    row=header_row,
                    **place,
                )
            )
            fld = None
        elif fld:
            first_at[fld] = i
        elif header:
            unknown.append((header, cell))
        columns.append(Column(index=i, letter=letter, header=header, field=fld))
    missing = {f["title"]: f["name"] for f in standard.form(form_id)["fields"] if f["name"] not in first_at}
    for header, cell in unknown:
        close = difflib.get_close_matches(display(header), list(missing), n=1, cutoff=0.5)
        suggest = f"；是否应为“{close[0]}”？" if close else ""
        emit(
            S.UNKNOWN_COLUMN.finding(
                header=header, title=label, suggest=suggest, column=header, cell=cell, row=header_row, **place
            )
        )
    for fld in standard.form(form_id)["fields"]:
        if fld["required"] and fld["name"] not in first_at:
            emit(
                S.REQUIRED_COLUMN_MISSING.finding(
                    title=fld["title"], field_name=fld["name"], field=fld["name"], row=header_row, **place
                )
            )
    return columns


# --- title and header block ---------------------------------------------------------------

_KEY_RE = re.compile("(" + "|".join(HEADER_BLOCK_KEYS) + r")\s*(?:[(（]\s*盖章\s*[)）])?\s*[:：]")
_BARE_KEY = re.compile(
    "^(" + "|".join(HEADER_BLOCK_KEYS) + r")\s*(?:[(（]\s*盖章\s*[)）])?$"
)  # "填报人" | "张三"


def _is_key(c) -> bool:
    return isinstance(c, str) and bool(_KEY_RE.search(c) or _BARE_KEY.match(c.strip()))


def parse_block(rows: list[list]) -> tuple[str | None, dict]:
    """Title text and header-block values (填报单位 → 黄坪镇 …) from the rows above the headers."""
    titles: list[str] = []
    block: dict = {}
    for cells in rows:
        cells = list(cells)
        for i, c in enumerate(cells):
            if c is None or (isinstance(c, str) and not c.strip()):
                continue
            if not isinstance(c, str):
                continue
            text = c.strip()
            found = list(_KEY_RE.finditer(text))
            bare = _BARE_KEY.match(text)
            if bare:
                block[bare.group(1)] = _next_value(cells, i)
                continue
            if not found:
                if not _is_block_value(cells, i):
                    titles.append(display(text))
                continue
            for j, m in enumerate(found):
                end = found[j + 1].start() if j + 1 < len(found) else len(text)
                value = text[m.end() : end].strip()
                if not value and j + 1 == len(found):
                    value = _next_value(cells, i)
                block[m.group(1)] = value if value not in ("", None) else None
    title = " ".join(t for t in titles if t) or None
    return title, block


def _next_value(cells: list, i: int):
    for c in cells[i + 1 :]:
        if c is None or (isinstance(c, str) and not c.strip()):
            continue
        if _is_key(c):
            return None
        return c.strip() if isinstance(c, str) else c
    return None


def _is_block_value(cells: list, i: int) -> bool:
    """Is cell i the value of a key written alone in an earlier cell of the row ("填报人：" | "张三")?"""
    for c in reversed(cells[:i]):
        if c is None or (isinstance(c, str) and not c.strip()):
            continue
        if isinstance(c, str):
            if _BARE_KEY.match(c.strip()):
                return True
            found = list(_KEY_RE.finditer(c))
            return bool(found) and not c[found[-1].end() :].strip()
        return False
    return False
