"""CSV templates: one file per form, the Chinese column headers on line 1.

Written as UTF-8 with a byte-order mark, because Excel on Windows reads a CSV without one as
GBK and turns the headers into mojibake. The validator reads all of UTF-8, UTF-8 with BOM
and GB18030, so a clerk may save the filled file in any of them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from validator import standard
from validator.values.wording import value_text


def csv_text(form_id: str, rows: list[dict] | None = None) -> str:
    """The CSV text of one form: header row of Chinese titles, then `rows` (field name → value)."""
    fields = standard.form(form_id)["fields"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f["title"] for f in fields])
    for row in rows or []:
        writer.writerow([value_text(f, row.get(f["name"])) for f in fields])
    return buffer.getvalue()


def write_csv(
    path: str | Path, form_id: str, rows: list[dict] | None = None, *, encoding: str = "utf-8-sig"
) -> Path:
    """Write one form's CSV (blank template when `rows` is None); UTF-8 with BOM by default."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(form_id, rows).encode(encoding))
    return path


def csv_file_name(form_id: str) -> str:
    """`附件1.csv`: the validator recognises the resource from the Chinese form title."""
    return f"{standard.form(form_id)['title']}.csv"


def write_csv_templates(out_dir: str | Path, forms: list[str] | None = None) -> list[Path]:
    """Blank CSV templates for the given forms (all forms by default) in `out_dir`."""
    out_dir = Path(out_dir)
    ids = forms or [f["id"] for f in standard.forms()]
    return [write_csv(out_dir / csv_file_name(fid), fid) for fid in ids]
