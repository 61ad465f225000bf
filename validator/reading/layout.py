"""From the first rows of a sheet or CSV to a table layout: which form, header row, columns, meta.

Shared by the CSV and xlsx readers; the row streaming itself stays in each reader, because
that is the hot path and the cell types differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from validator.findings import Finding
from validator.reading import headers as H
from validator.reading import rules as S
from validator.reading.common import DEFAULT_LIMITS, Limits
from validator.tables import Column


@dataclass
class Layout:
    form_id: str
    header_index: int  # index into `head` of the header row
    data_index: int  # index into `head` of the first row after the header rows
    columns: list[Column]
    meta: dict = field(default_factory=dict)


def locate(
    form_id: str | None,
    head: list[tuple[int, list]],
    *,
    name: str,
    place: dict,
    emit: Callable[[Finding], None],
    header_rows_below: Callable[[int], int] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Layout | None:
    """Find the table layout in `head` ((row number, cells) of the first rows).

    `form_id` is the form recognised by name, or None to recognise it by its columns.
    Emits S006/S008/S019/S020 and the column findings; returns None when the table cannot
    be checked. `header_rows_below(row_number)` tells how many rows below the header row a
    vertically merged header cell reaches (xlsx), so those rows are not data.

    Only the first `limits.header_scan_columns` cells of each row are compared with the forms'
    headers, so a row a million cells wide costs no more than a real one; content beyond that
    width is reported (S022) rather than silently passed over.
    """
    width = limits.header_scan_columns
    if not any(_has_content(cells) for _, cells in head):
        if form_id:
            emit(S.EMPTY_TABLE.finding(title=H.form_label(form_id), name=name, resource=form_id, **place))
        else:
            emit(S.UNKNOWN_RESOURCE.finding(name=name, **place))
        return None
    wide = next((n for n, cells in head if len(cells) > width and _has_content(cells[width:])), None)
    if wide is not None:
        emit(S.HEADER_SCAN_LIMITED.finding(line=wide, row=wide, limit=width, resource=form_id, **place))
        head = [(n, cells[:width]) for n, cells in head]
    cells_only = [cells for _, cells in head]
    if form_id is None:
        guessed = H.guess_form(cells_only)
        if guessed is None:
            emit(S.UNKNOWN_RESOURCE.finding(name=name, **place))
            return None
        form_id, at = guessed
        emit(
            S.RECOGNISED_BY_COLUMNS.finding(name=name, title=H.form_label(form_id), resource=form_id, **place)
        )
    else:
        at = H.find_header(form_id, cells_only)
        if at is None:
            emit(
                S.HEADER_NOT_FOUND.finding(
                    limit=H.HEADER_SCAN_ROWS, title=H.form_label(form_id), resource=form_id, **place
                )
            )
            return None
    header_row, header_cells = head[at]
    header_cells = list(header_cells)
    below = header_rows_below(header_row) if header_rows_below else 0
    # Two-level headers: a column whose top cell is a group label takes the sub-header below it.
    for k in range(1, below + 1):
        if at + k >= len(head):
            break
        sub = head[at + k][1]
        for i, c in enumerate(sub):
            if _nonblank(c) and H.field_for(form_id, c) and not H.field_for(form_id, _get(header_cells, i)):
                while len(header_cells) <= i:
                    header_cells.append(None)
                header_cells[i] = c
    data_index = at + 1 + below
    if data_index < len(head) and H.is_numbering_row(head[data_index][1]):
        data_index += 1
    columns = H.map_columns(
        form_id, header_cells, header_row=header_row, place={**place, "resource": form_id}, emit=emit
    )
    title, block = H.parse_block([cells for _, cells in head[:at]])
    meta: dict = {}
    if title:
        meta["title"] = title
    if block:
        meta["header_block"] = block
    return Layout(form_id, at, data_index, columns, meta)


def _get(cells, i):
    return cells[i] if i < len(cells) else None


def _has_content(cells: list) -> bool:
    """Does a row hold anything but blanks? (C speed for CSV rows, which are all text.)"""
    try:
        return bool("".join(cells).strip())
    except TypeError:  # workbook cells: numbers, dates, None
        return any(_nonblank(c) for c in cells)


def _nonblank(c) -> bool:
    if isinstance(c, list | tuple):
        return any(_nonblank(x) for x in c)
    return c is not None and not (isinstance(c, str) and not c.strip())
