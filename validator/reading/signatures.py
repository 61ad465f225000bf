"""The signature rows at the foot of a printed form: where a sheet's data ends.

Every form of the templates ends, inside its print area, with the rows the clerk signs and the
township stamps: 填报人（签字）、审核人（签字）、填报单位（盖章） and a 日期 line
(`validator.outputs.paper` prints them). They are not data: the table ends at the first of
them, however many blank rows the clerk left, deleted or inserted above it, and whatever was
written beside the labels. A row below them that is neither blank nor part of the block (a
household added under the signatures, say) is not checked either, and said so once (S024).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from validator.findings import Finding
from validator.reading import rules as S
from validator.reading.headers import normalise

SIGNATURES = ("填报人（签字）", "审核人（签字）")
STAMP = "填报单位（盖章）"
DATE_LABEL = "日期"
# A row starts the block when its first filled cell starts with one of these (compared after
# normalisation, so 填报人(签字) and “填报人（签字）：张三” match too).
_STARTS = tuple(normalise(label) for label in (*SIGNATURES, STAMP))
_BLOCK = (*_STARTS, normalise(DATE_LABEL))
_FIRST = tuple({label[0] for label in (*SIGNATURES, STAMP)})
# The block's own rows: the signatures and the stamp, the date under them. Whatever is written in
# them is the block's (a column deleted by mistake may take the 日期 label with it).
BLOCK_ROWS = 2


def _first_text(cells: list) -> str | None:
    """The row's first filled cell if it is text (None for a number, a date or a blank row)."""
    for c in cells:
        if c is None or (c.__class__ is str and not c.strip()):
            continue
        return c if c.__class__ is str else None
    return None


def starts_block(cells: list) -> bool:
    text = _first_text(cells)
    return text is not None and text.lstrip().startswith(_FIRST) and normalise(text).startswith(_STARTS)


def data_rows(
    head_rows: Iterable[tuple[int, list]],
    rows: Iterator[tuple[int, list]],
    *,
    place: dict,
    emit: Callable[[Finding], None],
) -> Iterator[tuple[int, list]]:
    """The sheet's rows below the headers ((row number, cells): the rows already read while the
    headers were searched, then the rest), up to the signature block."""
    head_rows = list(head_rows)
    try:
        start = 0
        for n, row in head_rows:
            if starts_block(row):
                start = n
                break
            yield n, list(row)  # the header search keeps its own copy
        if not start:
            for n, row in rows:
                if starts_block(row):
                    start = n
                    break
                yield n, row
        if not start:
            return
        for n, row in chain([(m, r) for m, r in head_rows if m > start], rows):
            if n < start + BLOCK_ROWS:
                continue
            text = _first_text(row)
            if text is None and not any(c is not None and (c.__class__ is not str or c.strip()) for c in row):
                continue  # blank
            if text is not None and normalise(text).startswith(_BLOCK):
                continue  # 审核人（签字）、日期 … lines of the block
            emit(S.BELOW_SIGNATURES.finding(line=n, row=n, start=start, **place))
            return
    finally:
        close = getattr(rows, "close", None)
        if close:
            close()
