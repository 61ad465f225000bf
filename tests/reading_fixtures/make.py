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


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(body: bytes | str, *, head: bytes | str = b"") -> bytes:
    """A worksheet part around `body` (usually <sheetData>…</sheetData>)."""
    body = body.encode() if isinstance(body, str) else body
    head = head.encode() if isinstance(head, str) else head
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + f'<worksheet xmlns="{SHEET_NS}" xmlns:r="{REL_NS}">'.encode()
        + head
        + body
        + b"</worksheet>"
    )


def rows_xml(rows: list[list], start: int = 1) -> bytes:
    """<sheetData> with inline strings and numbers, one <row> per list, from column A."""
    from xml.sax.saxutils import escape

    out = [b"<sheetData>"]
    for n, cells in enumerate(rows, start):
        out.append(b'<row r="%d">' % n)
        for i, v in enumerate(cells):
            if v is None:
                continue
            ref = f"{_letters(i)}{n}".encode()
            if isinstance(v, int | float) and not isinstance(v, bool):
                out.append(b'<c r="%s"><v>%s</v></c>' % (ref, repr(v).encode()))
            else:
                text = escape(str(v)).encode()
                out.append(b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text))
        out.append(b"</row>")
    out.append(b"</sheetData>")
    return b"".join(out)


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def raw_workbook(
    sheets: dict[str, bytes],
    *,
    hidden: tuple[str, ...] = (),
    parts: dict[str, bytes | str] | None = None,
    defined_names: int = 0,
    workbook_extra: bytes = b"",
) -> bytes:
    """An .xlsx made of the given worksheet parts (name → whole part XML), nothing else.

    The smallest file Excel, openpyxl and calamine all read; tests shape the XML byte by byte.
    `parts` adds or replaces members (None as a value removes one).
    """
    names = list(sheets)
    state = ' state="hidden"'
    wb_sheets = "".join(
        f'<sheet name="{n}" sheetId="{i + 1}"{state if n in hidden else ""} r:id="rId{i + 1}"/>'
        for i, n in enumerate(names)
    )
    defined = "".join(f'<definedName name="n{i}">Sheet1!$A$1</definedName>' for i in range(defined_names))
    workbook_xml = (
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{wb_sheets}</sheets>" + (f"<definedNames>{defined}</definedNames>" if defined else "")
        ).encode()
        + workbook_extra
        + b"</workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(len(names))
    )
    members: dict[str, bytes | str | None] = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(names))
        )
        + "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": workbook_xml,
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + rels
        + "</Relationships>",
    }
    for i, n in enumerate(names):
        members[f"xl/worksheets/sheet{i + 1}.xml"] = sheets[n]
    members.update(parts or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if data is not None:
                zf.writestr(name, data)
    return buf.getvalue()


def patched_zip(data: bytes, change) -> bytes:
    """A copy of a zip (workbook) with each member passed through change(name, bytes) → bytes | None."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            out = change(info.filename, src.read(info))
            if out is not None:
                dst.writestr(info, out)
    return buf.getvalue()
