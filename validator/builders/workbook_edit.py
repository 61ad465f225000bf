"""Edits to a written workbook that the example builder needs: columns removed as Excel would,
and zip timestamps pinned so that rebuilding the committed examples gives the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from validator import standard
from validator.outputs.workbook import HEADER_ROW, MANIFEST_HEADER_ROW
from validator.reading.headers import display


def drop_columns(path: Path, columns: dict[str, list[str]]) -> None:
    """Delete the named fields' columns from a written workbook (a faulty example lacks them)."""
    wb = openpyxl.load_workbook(path)
    for form_id, names in columns.items():
        form = standard.form(form_id)
        ws = wb[form["title"]]
        titles = {f["title"] for f in form["fields"] if f["name"] in names}
        header_row = MANIFEST_HEADER_ROW if form_id == "manifest" else HEADER_ROW
        for col in range(ws.max_column, 0, -1):
            if display(ws.cell(row=header_row, column=col).value) in titles:  # lines joined
                delete_column(ws, col)
    wb.save(path)


def delete_column(ws, col: int) -> None:
    """Delete a column the way Excel does: merged cells, drop-downs and widths move along."""

    def shifted(rng: CellRange) -> CellRange | None:
        if rng.min_col == col and rng.max_col == col:
            return None
        min_col = rng.min_col - (rng.min_col > col)
        max_col = rng.max_col - (rng.max_col >= col)
        return CellRange(min_col=min_col, min_row=rng.min_row, max_col=max_col, max_row=rng.max_row)

    merged = [CellRange(str(r)) for r in ws.merged_cells.ranges]
    for rng in merged:
        ws.unmerge_cells(str(rng))
    widths = {c: ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)}
    ws.delete_cols(col)
    for rng in merged:
        new = shifted(rng)
        if new is not None and (new.min_col, new.min_row) != (new.max_col, new.max_row):
            ws.merge_cells(new.coord)
    for c, width in widths.items():
        if c > col:
            ws.column_dimensions[get_column_letter(c - 1)].width = width
    for dv in list(ws.data_validations.dataValidation):
        ranges = [shifted(CellRange(r.coord)) for r in dv.sqref.ranges]
        ranges = [r.coord for r in ranges if r is not None]
        if ranges:
            dv.sqref = " ".join(ranges)
        else:
            ws.data_validations.dataValidation.remove(dv)


def pin_timestamps(path: Path) -> None:
    """Rewrite the zip with fixed member dates and document properties, so rebuilding is byte-stable."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>2020-07-01T00:00:00Z\3",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 7, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)
