"""The annotated workbook: the clerk's own data with every problem cell coloured and explained.

For an .xlsx input the workbook is copied (the input file is only read) and failing cells get
a fill (red error, yellow warning, blue note) and a comment with rule, message and hint. A
first sheet 校验结果 lists every finding with a link to its cell. CSV inputs have no cells
to colour, so their lines are copied as text into a new workbook, one sheet per file, in
which the A1 references of the report point at the same places; the clerk still corrects
the CSV itself.

Personal data is masked in the copy exactly when the report masks it (the report's
`options.show_personal_data`): every name, ID number and phone in the forms' personal
columns, any ID or mobile number in any other cell, comment or sheet name, and a name typed
into another column where a finding points at it. Before a masked copy is handed out, every
part of the saved file is searched for a full ID or mobile number; if one is found the copy
is refused (`AnnotateError`) rather than leaked.

Limits (beyond them the copy is refused or trimmed and the result sheet says so; the text,
JSON and HTML reports are never affected): `MAX_FINDINGS` marked findings, `MAX_CSV_ROWS`
lines and `MAX_COPY_BYTES` of CSV, `MAX_SHEET_XML` of workbook sheet XML, Excel's own
`EXCEL_COLUMNS` columns and `EXCEL_CELL_CHARS` characters per cell.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain, islice
from pathlib import Path

from validator.reading.csvfile import decode_bytes, sniff_text_delimiter
from validator.render import (
    PACKAGE_LABEL,
    SEVERITIES,
    SEVERITY_LABELS,
    cleaned,
    column_label,
    not_run_lines,
    report_title,
    resource_label,
    resource_order,
    rule_titles,
    settings_line,
    truncation_lines,
    truncation_note,
    verdict,
    visible,
)
from validator.values.mask import UNMASKED, UNMASKED_BYTES, looks_like_name, mask, scrub, scrub_names_in_paths

RESULT_SHEET = "校验结果"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "BDD7EE"}
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# openpyxl needs tens of seconds per 20 000 commented cells and holds every cell in memory:
# beyond these sizes the annotated copy would look like a hang, so it is refused or trimmed.
MAX_FINDINGS = 20_000
MAX_CSV_ROWS = 100_000
MAX_COPY_BYTES = 64 * 1024 * 1024  # CSV text copied into the workbook
MAX_SHEET_XML = 256 * 1024 * 1024  # uncompressed worksheet XML of a workbook to copy
EXCEL_COLUMNS = 16_384  # A … XFD
EXCEL_CELL_CHARS = 32_767
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_CENTRED = (1, 2, 3, 7, 9)  # 序号, 严重程度, 规则, 行, 单元格 in the 校验结果 sheet
# Headers that mark a personal column in a sheet the reader did not recognise as a form.
_PERSONAL_HEADERS = (
    ("身份证", "id_number"),
    ("证件号", "id_number"),
    ("电话", "phone"),
    ("手机", "phone"),
    ("姓名", "name"),
    ("名字", "name"),
    ("责任人", "name"),
    ("联系人", "name"),
    ("填报人", "name"),
    ("审核人", "name"),
    ("主持人", "name"),
)
_NAME_FIELDS = {"head_name": "name", "head_id": "id_number", "phone": "phone"}


class AnnotateError(Exception):
    """The inputs cannot be turned into an annotated workbook; the message is Chinese."""


def annotate_workbook(
    src_path: str | Path | Sequence[str | Path],
    report: Mapping,
    dest_path: str | Path,
    *,
    titles: Mapping[str, str] | None = None,
) -> Path:
    """Write the annotated copy of `src_path` (an .xlsx, CSV files, a folder or a .zip) to `dest_path`."""
    sources = [Path(p) for p in ([src_path] if isinstance(src_path, (str, Path)) else src_path)]
    dest = Path(dest_path)
    for src in sources:
        if dest.resolve() == src.resolve() or (src.is_dir() and src.resolve() in dest.resolve().parents):
            raise AnnotateError(f"输出文件 {dest} 不能覆盖或写进被校验的输入 {src}，请用 --output 换一个位置")
    data = annotated_bytes(sources, report, titles=titles)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


def annotated_bytes(
    src_path: str | Path | Sequence[str | Path],
    report: Mapping,
    *,
    titles: Mapping[str, str] | None = None,
) -> bytes:
    """The annotated copy as .xlsx bytes; `AnnotateError` says in Chinese why it cannot be made.

    Any failure of the copy (a workbook the full loader cannot open, a CSV beyond Excel's
    limits) is an `AnnotateError`: the report it annotates is already complete, so the
    command still shows it and says why there is no copy.
    """
    try:
        return _annotated(src_path, report, titles)
    except AnnotateError:
        raise
    except MemoryError:
        raise AnnotateError("内存不足，无法生成标注版 Excel") from None
    except Exception as exc:  # noqa: BLE001 - the copy is an extra; the findings are already known
        raise AnnotateError(f"生成标注版 Excel 时无法处理该文件（{type(exc).__name__}）") from None


def _annotated(src_path, report: Mapping, titles: Mapping[str, str] | None) -> bytes:
    import openpyxl

    sources = [Path(p) for p in ([src_path] if isinstance(src_path, (str, Path)) else src_path)]
    if titles is None:
        titles = rule_titles(report)
    masked = not (report.get("options") or {}).get("show_personal_data")
    report = cleaned(report)  # XML forbids control characters a cell value may have carried
    omitted = max(0, len(report.get("findings") or ()) - MAX_FINDINGS)
    if omitted:
        report = {**report, "findings": report["findings"][:MAX_FINDINGS]}

    sources = [s.parent if s.name.lower() == "datapackage.json" else s for s in sources]
    notes: list[str] = []
    workbook = _single_workbook(sources)
    if workbook is not None:
        _check_size(workbook)
        # Loading and saving a copy leaves the input untouched; openpyxl keeps values, styles,
        # merged cells, data validation and comments, but not pictures or charts.
        with warnings.catch_warnings():
            # openpyxl warns on stderr about extensions it drops (WPS/Excel data validation
            # lists, slicers); the clerk can do nothing about them, and the input stays intact.
            warnings.simplefilter("ignore", UserWarning)
            try:
                wb = openpyxl.load_workbook(workbook)
            except Exception as exc:  # noqa: BLE001 - any damage the streaming reader tolerated
                raise AnnotateError(
                    f"该工作簿的结构无法完整读取（{type(exc).__name__}），只能生成文字、JSON 或 HTML 报告"
                ) from None
        places = {}
        for ws in wb.worksheets:
            places[ws.title] = ws
            places.setdefault(scrub_names_in_paths(ws.title), ws)
        from_csv = False
        if masked:
            _mask_workbook(wb, _layouts(sources), _finding_cells(report, places))
    else:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        places = _copy_csv(wb, sources, report, notes, masked=masked)
        from_csv = True
        if not places:
            raise AnnotateError("输入中没有 .xlsx 工作簿或 CSV 文件，无法生成标注版 Excel")

    linked = _mark_cells(places, report, titles)
    _result_sheet(wb, report, titles, linked, from_csv=from_csv, omitted=omitted, notes=notes, masked=masked)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if masked:
        _refuse_leaks(data)
    return data


def _check_size(workbook: Path | io.BytesIO) -> None:
    """Refuse a workbook whose sheets would take the full loader minutes and gigabytes."""
    try:
        with zipfile.ZipFile(workbook) as z:
            size = sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise AnnotateError(f"该工作簿无法作为 zip 打开（{type(exc).__name__}）") from None
    finally:
        if isinstance(workbook, io.BytesIO):
            workbook.seek(0)
    if size > MAX_SHEET_XML:
        raise AnnotateError(
            f"工作簿的工作表解压后约 {size // 1024 // 1024} MB，超过标注版 Excel 的上限 "
            f"{MAX_SHEET_XML // 1024 // 1024} MB；请改用 --format html 或 --format json 查看校验结果"
        )


def _refuse_leaks(data: bytes) -> None:
    """The masked copy must hold no full ID or mobile number in any of its parts."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if UNMASKED_BYTES.search(z.read(info)):
                raise AnnotateError(
                    f"副本的 {info.filename} 中有无法打码的身份证号或手机号，为保护个人信息未生成标注版 Excel"
                )


# --- masking the clerk's cells ----------------------------------------------------------------


def _layouts(sources: list[Path]) -> dict[str, tuple[int, dict[int, str]]]:
    """Sheet (or CSV file) name → (header row, {0-based column: personal kind}) as the reader found them."""
    from validator import standard
    from validator.reading import open_package

    try:
        package = open_package([str(s) for s in sources])
    except Exception:  # noqa: BLE001 - then the headers themselves say which columns are personal
        return {}
    out: dict[str, tuple[int, dict[int, str]]] = {}
    for table in package.tables:
        close = getattr(table.rows, "close", None)
        if close:
            close()
        try:
            kinds = {f["name"]: f.get("personal") for f in standard.form(table.resource)["fields"]}
        except KeyError:
            continue
        personal = {c.index: kinds[c.field] for c in table.columns if c.field and kinds.get(c.field)}
        for key in (table.sheet or table.source, Path(table.source).name):
            out.setdefault(key, (table.header_row, personal))
    return out


def _header_kinds(rows: Iterator[tuple[int, list]]) -> tuple[int, dict[int, str]]:
    """Personal columns recognised by their header text in the first rows: (header row, kinds)."""
    from validator import standard

    titles = {}
    for form in standard.forms():
        for f in form["fields"]:
            if f.get("personal"):
                titles[f["title"]] = titles[f["name"]] = f["personal"]
    found: dict[int, str] = {}
    header = 0
    for number, cells in rows:
        for i, cell in enumerate(cells):
            if not isinstance(cell, str) or len(cell) > 30:
                continue
            text = cell.strip()
            kind = titles.get(text) or next((k for word, k in _PERSONAL_HEADERS if word in text), None)
            if kind and i not in found:
                found[i] = kind
                header = max(header, number)
    return header, found


_LABELLED = re.compile(r"^\s*([^：:]{1,12}?)\s*[：:]\s*(.*)$", re.S)


def _personal_kind(header: str) -> str | None:
    from validator import standard

    for form in standard.forms():
        for f in form["fields"]:
            if f.get("personal") and header in (f["title"], f["name"]):
                return f["personal"]
    return next((kind for word, kind in _PERSONAL_HEADERS if word in header), None)


def _labelled(row: Mapping[int, object]) -> dict[int, str]:
    """In a header block ("填报人：" 黄福, "联系电话：13812345678"), the cells to mask and how:
    {column: kind} for values beside a personal label, and the label cell itself when the
    value is written after its colon."""
    out: dict[int, str] = {}
    for c in sorted(row):
        text = row[c]
        if not isinstance(text, str) or len(text) > 60:
            continue
        m = _LABELLED.match(text)
        kind = _personal_kind(m.group(1)) if m else None
        if not kind:
            continue
        if m.group(2).strip():
            out[c] = "labelled-" + kind
            continue
        for right in range(c + 1, c + 5):
            if row.get(right) not in (None, ""):
                out.setdefault(right, kind)
                break
    return out


def _mask_labelled(kind: str, value) -> str:
    if kind.startswith("labelled-"):
        m = _LABELLED.match(str(value))
        return str(value)[: m.start(2)] + mask(kind[9:], m.group(2).strip())
    return _masked_cell(kind, value)


def _kinds(layout: tuple[int, dict[int, str]] | None, head: list[tuple[int, list]]) -> tuple[int, dict]:
    """Header row and personal columns: the reader's layout, plus columns whose headers say so."""
    header, kinds = _header_kinds(iter(head))
    if layout is None:
        return header, kinds
    return layout[0], {**kinds, **layout[1]}


def _masked_cell(kind: str, value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return mask(kind, str(value))


def _number_mask(value) -> str | None:
    """An ID or mobile number stored as a number, masked; None for any other number.

    What counts is what the leak check looks for (`mask.UNMASKED`): a 17-digit 户编号 typed as a
    number stays as it is; an 18-digit ID that Excel rounded still has its birth date and is masked.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not value.is_integer() or not 1e10 <= abs(value) < 1e19:
            return None
        value = int(value)
    digits = str(abs(value))
    if not UNMASKED.fullmatch(digits):
        return None
    return mask("phone" if len(digits) == 11 else "id_number", digits)


def _finding_cells(report: Mapping, places: Mapping) -> dict[str, set[str]]:
    """Sheet title → A1 cells a finding points at (a name typed there is masked like a name)."""
    out: dict[str, set[str]] = {}
    for f in report.get("findings") or ():
        target = _target(f, places)
        if target and f.get("field") not in _NAME_FIELDS:
            out.setdefault(target[0], set()).add(target[1])
    return out


def _mask_workbook(wb, layouts: Mapping, flagged: Mapping[str, set[str]]) -> None:
    """Mask personal data in every sheet of a copied workbook, in place."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.comments import Comment

    for ws in wb.worksheets:
        cells = [c for c in ws._cells.values() if not isinstance(c, MergedCell)]
        head: dict[int, dict[int, object]] = {}
        for c in cells:
            if c.row <= 30 and c.column <= 200:
                head.setdefault(c.row, {})[c.column - 1] = c.value
        header, kinds = _kinds(
            layouts.get(ws.title),
            [(r, [row.get(i) for i in range(max(row) + 1)]) for r, row in sorted(head.items())],
        )
        names = flagged.get(ws.title, set())
        with_labels = {
            c.row for c in cells if isinstance(c.value, str) and ("：" in c.value or ":" in c.value)
        }
        rows: dict[int, dict[int, object]] = {}
        for c in cells:
            if c.row in with_labels:
                rows.setdefault(c.row, {})[c.column - 1] = c.value
        labelled = {(r, col): kind for r, row in rows.items() for col, kind in _labelled(row).items()}
        for cell in cells:
            value = cell.value
            if value is None or value == "":
                pass
            elif (cell.row, cell.column - 1) in labelled:
                _put_text(cell, _mask_labelled(labelled[(cell.row, cell.column - 1)], value))
            elif cell.row > header and (cell.column - 1) in kinds:
                _put_text(cell, _masked_cell(kinds[cell.column - 1], value))
            elif isinstance(value, str):
                if cell.coordinate in names and looks_like_name(value):
                    _put_text(cell, mask("name", value))
                else:
                    hidden = scrub(value)
                    if hidden != value:
                        _put_text(cell, hidden)
            else:
                hidden = _number_mask(value)
                if hidden is not None:
                    _put_text(cell, hidden)
            if cell.comment is not None:
                text = scrub(cell.comment.text or "")
                if text != cell.comment.text:
                    cell.comment = Comment(text, scrub(cell.comment.author or ""))
        for dv in ws.data_validations.dataValidation:  # input tips and error texts
            for attr in ("prompt", "promptTitle", "error", "errorTitle"):
                text = getattr(dv, attr, None)
                if isinstance(text, str):
                    setattr(dv, attr, scrub(text))
        title = scrub_names_in_paths(ws.title)
        if title != ws.title:
            ws.title = _sheet_title(title, wb)
    props = wb.properties
    for attr in ("creator", "lastModifiedBy", "title", "subject", "description", "keywords", "category"):
        value = getattr(props, attr, None)
        if isinstance(value, str):
            setattr(props, attr, scrub(value))


def _single_workbook(sources: list[Path]) -> Path | io.BytesIO | None:
    """The one workbook to copy, if the input is a workbook (or a zip holding only one)."""
    books = [s for s in sources if s.suffix.lower() in (".xlsx", ".xlsm")]
    if books:
        if len(sources) > 1:
            raise AnnotateError("标注版 Excel 一次只能处理一个 .xlsx 工作簿，请分别校验每个工作簿")
        return books[0]
    if len(sources) == 1 and sources[0].suffix.lower() == ".zip":
        with zipfile.ZipFile(sources[0]) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            inside = [n for n in names if n.lower().endswith((".xlsx", ".xlsm"))]
            if len(inside) == 1 and not any(n.lower().endswith(".csv") for n in names):
                return io.BytesIO(z.read(inside[0]))
    return None


def _target(finding: Mapping, places: Mapping) -> tuple[str, str] | None:
    """(sheet title, A1 cell) in the annotated workbook where a finding belongs, if any."""
    key = finding.get("sheet") or finding.get("source")
    ws = places.get(key) if key else None
    if ws is None and finding.get("source"):
        ws = places.get(Path(finding["source"]).name)
    if ws is None or finding.get("row") is None:
        return None
    cell = finding.get("cell")
    if not (cell and _CELL.match(cell)):
        cell = f"A{finding['row']}"  # a row-level finding: mark the row's first cell
    return ws.title, cell


def _mark_cells(places: Mapping, report: Mapping, titles: Mapping[str, str]) -> dict[int, tuple[str, str]]:
    """Fill and comment every cell with findings; returns finding index → (sheet, cell)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell: dict[tuple[str, str], list[Mapping]] = {}
    linked = {}
    for i, f in enumerate(report.get("findings") or ()):
        target = _target(f, places)
        if target:
            linked[i] = target
            by_cell.setdefault(target, []).append(f)
    sheets = {ws.title: ws for ws in places.values()}
    fills = {s: PatternFill("solid", fgColor=FILLS[s]) for s in FILLS}
    for (title, ref), found in by_cell.items():
        cell = sheets[title][ref]
        worst = min(found, key=lambda f: _RANK.get(f["severity"], 9))["severity"]
        cell.fill = fills.get(worst, fills["info"])
        notes = [_note(f, titles) for f in found]
        if cell.comment is not None:
            notes.insert(0, cell.comment.text)
        comment = Comment("\n\n".join(notes), "fpjc")
        comment.width, comment.height = 320, min(60 + 90 * len(notes), 600)
        cell.comment = comment
    return linked


def _note(f: Mapping, titles: Mapping[str, str]) -> str:
    head = f"[{SEVERITY_LABELS.get(f['severity'], f['severity'])}] {f['rule']}"
    if titles.get(f["rule"]):
        head += f" {titles[f['rule']]}"
    lines = [head, f["message"]]
    if f.get("hint"):
        lines.append(f"怎么改：{f['hint']}")
    return "\n".join(lines)


def _copy_csv(wb, sources: list[Path], report: Mapping, notes: list[str], *, masked: bool) -> dict:
    """Copy each CSV's lines as text into its own sheet; returns source name → worksheet."""
    resource_of = {}
    for f in report.get("findings") or ():
        if f.get("source") and f.get("resource"):
            resource_of.setdefault(f["source"], f["resource"])
            resource_of.setdefault(Path(f["source"]).name, f["resource"])
    places = {}
    files = _csv_files(sources)
    total = sum(len(data) for _, data in files)
    if total > MAX_COPY_BYTES:
        raise AnnotateError(
            f"CSV 共 {total // 1024 // 1024} MB，超过标注版 Excel 的上限 {MAX_COPY_BYTES // 1024 // 1024} MB；"
            "请改用 --format html 或 --format json 查看校验结果"
        )

    def shown(name: str) -> str:
        return scrub_names_in_paths(name) if masked else name

    def resource(name: str) -> str | None:
        return resource_of.get(shown(name)) or resource_of.get(Path(shown(name)).name)

    # Sheets in the standard's order (报送信息, 附件1, ...), whatever the files are called.
    def order(item: tuple[str, bytes]) -> tuple:
        res = resource(item[0])
        return resource_order(res) if res else (1000, item[0])

    files.sort(key=order)
    texts = [(name, decode_bytes(data)[0]) for name, data in files]
    lines = sum(text.count("\n") for _, text in texts)
    if lines > MAX_CSV_ROWS:
        raise AnnotateError(
            f"CSV 共约{lines}行，超过{MAX_CSV_ROWS}行，生成标注版 Excel 会非常慢；"
            "请改用 --format html 或 --format json 查看校验结果"
        )
    layouts = _layouts(sources) if masked else {}
    flagged = _finding_lines(report) if masked else {}
    for name, text in texts:
        res = resource(name)
        ws = wb.create_sheet(_sheet_title(resource_label(res) if res else Path(shown(name)).stem, wb))
        records = _records(text, name, notes)
        head = list(islice(records, 30))
        if masked:
            header, kinds = _kinds(layouts.get(name) or layouts.get(Path(name).name), head)
            names = flagged.get(shown(name), set())
        wide = long = 0
        for r, record in chain(head, records):
            if len(record) > EXCEL_COLUMNS:
                wide += 1
                record = record[:EXCEL_COLUMNS]
            labelled = _labelled(dict(enumerate(record))) if masked else {}
            for c, value in enumerate(record):
                if value == "":
                    continue
                if masked:
                    if c in labelled:
                        value = _mask_labelled(labelled[c], value)
                    elif r > header and c in kinds:
                        value = mask(kinds[c], value)
                    elif (r, c) in names and looks_like_name(value):
                        value = mask("name", value)
                    else:
                        value = scrub(value)
                value = visible(value)
                if len(value) > EXCEL_CELL_CHARS:
                    long += 1
                    value = value[: EXCEL_CELL_CHARS - 1] + "…"
                _put_text(ws.cell(row=r, column=c + 1), value)
        if wide:
            notes.append(
                f"{shown(name)}：{wide}行超过 Excel 的{EXCEL_COLUMNS}列（XFD 列），XFD 以后的单元格没有复制"
            )
        if long:
            notes.append(
                f"{shown(name)}：{long}个单元格超过 Excel 每格{EXCEL_CELL_CHARS}个字符的上限，只复制了开头部分"
            )
        ws.freeze_panes = "A2"
        places[shown(name)] = ws
        places.setdefault(Path(shown(name)).name, ws)
    return places


def _records(text: str, name: str, notes: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each CSV record, numbered as the reader numbers them.

    Same delimiter and line numbering as the reader: a record starts on the line after the
    previous one ended, so a quoted cell with line breaks does not shift later records. A line
    without quotes is split directly (csv's field size limit does not apply, as in the reader);
    where csv cannot go on, the copy stops and the result sheet says from which line.
    """
    delimiter = sniff_text_delimiter(text[: 64 * 1024])
    stream = io.StringIO(text, newline="")
    pending: list[str] = []

    def feed() -> Iterator[str]:
        while pending:
            yield pending.pop()
            line = stream.readline()
            if not line:
                return
            pending.append(line)

    line = 0
    for raw in iter(stream.readline, ""):
        if '"' not in raw and "\0" not in raw:
            line += 1
            raw = raw.rstrip("\r\n")
            yield line, raw.split(delimiter) if raw else []
            continue
        pending.append(raw)
        reader = csv.reader(feed(), delimiter=delimiter)
        try:
            record = next(reader)
        except (csv.Error, StopIteration) as exc:
            notes.append(f"{name}：第{line + 1}行起无法按 CSV 读取（{_csv_reason(exc)}），其后的行没有复制")
            return
        yield line + 1, record
        line += reader.line_num


def _csv_reason(exc: Exception) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"一个单元格超过{csv.field_size_limit()}个字符"
    if "NUL" in text:
        return "含有 NUL 字符"
    if isinstance(exc, StopIteration) or "unexpected end of data" in text:
        return "引号没有闭合，文件就结束了"
    return "格式错误"


def _finding_lines(report: Mapping) -> dict[str, set[tuple[int, int]]]:
    """CSV name → (line, 0-based column) of findings outside the name/ID/phone columns."""
    out: dict[str, set[tuple[int, int]]] = {}
    for f in report.get("findings") or ():
        cell = f.get("cell")
        m = _CELL.match(cell) if cell else None
        if not (m and f.get("source")) or f.get("field") in _NAME_FIELDS:
            continue
        column = 0
        for ch in m.group(1):
            column = column * 26 + ord(ch) - 64
        for key in (f["source"], Path(f["source"]).name):
            out.setdefault(key, set()).add((int(m.group(2)), column - 1))
    return out


def _csv_files(sources: list[Path]) -> list[tuple[str, bytes]]:
    """(name as the report calls the file, bytes) for every CSV among the inputs, in a stable order."""
    out = []
    for src in sources:
        if src.is_dir():
            for p in sorted(src.rglob("*")):
                if p.is_file() and p.suffix.lower() == ".csv":
                    out.append((p.relative_to(src).as_posix(), p.read_bytes()))
        elif src.suffix.lower() == ".zip":
            with zipfile.ZipFile(src) as z:
                for info in sorted(z.infolist(), key=lambda i: i.filename):
                    if not info.is_dir() and info.filename.lower().endswith(".csv"):
                        out.append((info.filename, z.read(info)))
        elif src.suffix.lower() == ".csv":
            out.append((src.name, src.read_bytes()))
    return out


def _sheet_title(wanted: str, wb) -> str:
    base = _SHEET_BAD.sub("_", wanted)[:31] or "Sheet"
    title, n = base, 2
    while title in wb.sheetnames:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


def _display_width(text: str) -> int:
    """Width in Excel's character units: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


ROW_PT = 15  # one line of Calibri 11 with CJK text


def _row_height(values: list, widths: list[int]) -> float:
    """Points for a row whose cells wrap within `widths`: the most lines any cell takes."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if value is None or value == "":
            continue
        room = max(1, width - 1)  # the cell's padding
        n = sum(max(1, -(-_display_width(part) // room)) for part in str(value).split("\n"))
        lines = max(lines, n)
    return ROW_PT * lines + 3


def _put_text(cell, value) -> None:
    """Write a value as text: a cell starting with = must not become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _result_sheet(
    wb,
    report: Mapping,
    titles: Mapping[str, str],
    linked: Mapping,
    *,
    from_csv: bool,
    omitted: int = 0,
    notes: Sequence[str] = (),
    masked: bool = True,
) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb.create_sheet(_sheet_title(RESULT_SHEET, wb), 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0

    _put_text(ws["A1"], report_title(report).replace("校验报告", "校验结果", 1))
    ws["A1"].font = Font(bold=True, size=14)
    _put_text(ws["A2"], verdict(report))
    ws["A2"].font = Font(bold=True, color="B42318" if not report["valid"] else "067647")
    opts = report.get("options") or {}
    about = f"标准版本 {report['standard_version']}，fpjc {report['fpjc_version']}"
    if opts.get("today"):
        about += f"，校验日期 {opts['today']}"
    if opts.get("stage"):
        about += "，" + ("自查草稿" if opts["stage"] == "draft" else "上报核对")
    about += "；设置：" + settings_line(report)
    if masked:
        about += (
            "。个人信息已打码：各表中的姓名、身份证号和电话只保留姓和头尾几位，其他单元格里的身份证号和手机号"
            "也已打码，本副本可以转发"
        )
    else:
        about += "。个人信息未打码（--show-personal-data）：本副本含完整的姓名、身份证号和电话，只在自己的电脑上使用，不要转发"
    _put_text(ws["A3"], about)
    note = "有问题的单元格已标色（红：错误，黄：警告，蓝：提示），鼠标移到单元格上可看说明。"
    if from_csv:
        note = "原文件是 CSV：各表按原样逐行复制为文本，单元格位置与报告一致；请在原 CSV 文件中改正。" + note
    else:
        note += "请在原工作簿中改正后重新校验，不要上报本副本。"
    _put_text(ws["A4"], note)
    warned = []
    if omitted:
        warned.append(
            f"问题太多：本工作簿只标出并列出前{MAX_FINDINGS}处，其余{omitted}处请看 JSON 报告（--format json）。"
        )
    cut = truncation_note(report)
    if cut:
        warned.append(cut + "见本表末尾“未逐条列出的问题”。")
    warned.extend(f"复制不完整：{n}" for n in notes)
    if warned:
        _put_text(ws["A5"], "\n".join(warned))
        ws["A5"].font = Font(bold=True, color="B42318")

    headers = [
        "序号",
        "严重程度",
        "规则",
        "规则名称",
        "表",
        "文件 / 工作表",
        "行",
        "列",
        "单元格",
        "填写的值",
        "问题",
        "怎么改",
    ]
    head_row = 6
    # Column widths in Excel's character units; rows are given the height of their wrapped text,
    # since neither Excel nor LibreOffice grows a row written without one.
    widths = [5, 9, 6, 16, 7, 14, 5, 14, 7, 14, 34, 28]
    ws.row_dimensions[head_row].height = _row_height(headers, widths)
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(row=head_row, column=c, value=h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F4F7")
    # Style objects are shared: openpyxl interns them, but building one per row costs seconds
    # on a report with tens of thousands of findings.
    fills = {s: PatternFill("solid", fgColor=FILLS[s]) for s in FILLS}
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
    thin = Side(style="thin", color="98A2B3")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c in range(1, len(headers) + 1):
        ws.cell(row=head_row, column=c).border = border
        ws.cell(row=head_row, column=c).alignment = centre
    link_font = Font(color="0563C1", underline="single")
    r = head_row
    for i, f in enumerate(report.get("findings") or ()):
        r += 1
        where = f.get("source") or ""
        if f.get("sheet"):
            where = f"{where} / {f['sheet']}" if where else f["sheet"]
        target = linked.get(i)
        values = [
            i + 1,
            SEVERITY_LABELS.get(f["severity"], f["severity"]),
            f["rule"],
            titles.get(f["rule"], ""),
            resource_label(f.get("resource")) if f.get("resource") else PACKAGE_LABEL,
            where,
            f.get("row"),
            column_label(f) or "",
            f.get("cell") or (target[1] if target else ""),
            f.get("value") or "",
            f["message"],
            f.get("hint") or "",
        ]
        ws.append(values)
        height = _row_height(values, widths)
        if height > ROW_PT + 3:
            ws.row_dimensions[r].height = height
        for c, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):  # text that starts with "=" stays text
                ws.cell(row=r, column=c).data_type = "s"
        ws.cell(row=r, column=2).fill = fills.get(f["severity"], fills["info"])
        # Ruled cells, wrapped text; numbers (序号, 行) centred so a row number never reads as
        # part of the column title beside it.
        for c in range(1, len(values) + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = border
            cell.alignment = centre if c in _CENTRED else wrap
        if target:
            link = ws.cell(row=r, column=9)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{target[0]}'!{target[1]}")
            link.font = link_font
    ws.auto_filter.ref = f"A{head_row}:{chr(64 + len(headers))}{max(r, head_row)}"
    ws.freeze_panes = f"A{head_row + 1}"
    # Printed: A4 landscape, the columns fitted to the page width (about 95% at these widths),
    # the header row repeated on every page, page numbers in the footer.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = f"{head_row}:{head_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    below: list[int] = []  # rows of sentences under the table: wrapped across the width like those above
    if cut:
        r += 2
        _put_text(ws.cell(row=r, column=1), "未逐条列出的问题（没有标色，也没有列在上表）")
        ws.cell(row=r, column=1).font = Font(bold=True)
        for line in truncation_lines(report, titles):
            r += 1
            _put_text(ws.cell(row=r, column=1), line)
            below.append(r)

    not_run = not_run_lines(report)
    if not_run:
        r += 2
        _put_text(ws.cell(row=r, column=1), "未执行的检查")
        ws.cell(row=r, column=1).font = Font(bold=True)
        for line in not_run:
            r += 1
            _put_text(ws.cell(row=r, column=1), line)
            below.append(r)
    ws.print_area = f"A1:{chr(64 + len(headers))}{max(r, head_row)}"

    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + c)].width = w
    # The lines above and below the table span the printed width and wrap; merged cells do not grow
    # with their text, so each gets the height of its lines.
    for row in [*range(2, head_row), *below]:
        text = ws.cell(row=row, column=1).value
        if not text:
            continue
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _row_height([text], [int(sum(widths) * 0.9)])
