"""Builders for the reading tests: small real files written on the fly (CSV in any encoding,
workbooks with title rows, header blocks and merged cells, zips, OLE2 headers)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

from validator import standard


def titles(form_id: str) -> list[str]:
    return [f["title"] for f in standard.form(form_id)["fields"]]


def names(form_id: str) -> list[str]:
    return [f["name"] for f in standard.form(form_id)["fields"]]


def row(form_id: str, **values) -> list[str]:
    """One data row in column order; unspecified cells hold '值'."""
    return [values.get(n, "值") for n in names(form_id)]


def csv_text(form_id: str, rows: list[list[str]], *, header: list[str] | None = None, sep: str = ",") -> str:
    lines = [sep.join(header or titles(form_id))]
    lines += [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"


def manifest_csv() -> str:
    return csv_text(
        "manifest", [["黄坪镇", "2020-07", "2020-08-03", "否", "是", "张三", "李四", "13812345678"]]
    )


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def workbook(
    path: Path,
    sheets: dict[str, list[list]],
    *,
    merges: dict[str, list[str]] | None = None,
    meta: dict | None = None,
    hidden: tuple[str, ...] = (),
) -> Path:
    """An .xlsx with the given sheets (rows of cell values, from A1), merged ranges and _fpjc meta."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        if name in hidden:
            ws.sheet_state = "hidden"
    if meta is not None:
        ws = wb.create_sheet("_fpjc")
        for k, v in meta.items():
            ws.append([k, v])
        ws.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def ole_file(*stream_names: str) -> bytes:
    """The start of an OLE2 compound file whose directory names the given streams.

    Encrypted .xlsx files are OLE2 containers with EncryptionInfo / EncryptedPackage streams;
    legacy .xls files hold a Workbook stream. Only the signature and the UTF-16 names matter
    to the reader, which refuses both before parsing anything.
    """
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header += b"\x00" * (512 - len(header))
    directory = b""
    for n in ("Root Entry", *stream_names):
        entry = n.encode("utf-16-le") + b"\x00\x00"
        directory += entry + b"\x00" * (128 - len(entry))
    return header + directory + b"\x00" * 1024
