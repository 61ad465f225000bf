"""The reading layer: folders, zips, workbooks and CSV files → a `Package` of streamed tables.

Owns: finding each form's table and its header row, encodings, raw cells streamed row by row,
the structure rules S (`rules`), and reading earlier packages and the 建档立卡 roster for the
history rules (`history`). May import the basics and `fields` (history parses earlier rows
with the same field checks); never `checks`, the engine or anything above.

Findings about rows (blank rows between data, cells beyond the last column) are appended to
`Package.findings` while `Table.rows` is consumed, so read the findings after the rows.
"""

from __future__ import annotations

from pathlib import Path

from validator.reading.common import DEFAULT_LIMITS, Limits
from validator.reading.sources import open_bytes, open_paths
from validator.tables import Package

__all__ = ["Limits", "open_files", "open_package"]


def open_package(
    paths: list[str | Path], *, name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Package:
    """Open a folder (with or without datapackage.json), a .zip, an .xlsx or CSV files as one package.

    Raises `InputError` (Chinese message, exit status 2) when nothing can be read.
    """
    return open_paths(list(paths), name=name, limits=limits)


def open_files(
    files: list[tuple[str, bytes]], *, name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Package:
    """The same from in-memory files (name, bytes), as the browser hands them over."""
    return open_bytes(list(files), name=name, limits=limits)
