"""The annotated workbook: the clerk's own data with every problem cell coloured and explained.

For an .xlsx input the workbook is copied (the input file is only read) and failing cells get
a fill (red error, yellow warning, blue note) and a comment with rule, message and hint. A
first sheet 校验结果 lists every finding with a link to its cell. CSV inputs have no cells
to colour, so their lines are copied as text into a new workbook, one sheet per file, in
which the A1 references of the report point at the same places; the clerk still corrects
the CSV itself.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from validator.reading.csvfile import decode_bytes, sniff_text_delimiter
from validator.render import (
    PACKAGE_LABEL,
    SEVERITIES,
    SEVERITY_LABELS,
    cleaned,
    column_label,
    resource_label,
    resource_order,
    rule_titles,
    settings_line,
    verdict,
    visible,
)

RESULT_SHEET = "校验结果"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "BDD7EE"}
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# openpyxl needs tens of seconds per 20 000 commented cells and holds every cell in memory:
# beyond these sizes the annotated copy would look like a hang, so it is refused or trimmed.
MAX_FINDINGS = 20_000
MAX_CSV_ROWS = 100_000
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


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
    import openpyxl

    sources = [Path(p) for p in ([src_path] if isinstance(src_path, (str, Path)) else src_path)]
    dest = Path(dest_path)
    for src in sources:
        if dest.resolve() == src.resolve() or (src.is_dir() and src.resolve() in dest.resolve().parents):
            raise AnnotateError(f"输出文件 {dest} 不能覆盖或写进被校验的输入 {src}，请用 --output 换一个位置")
    if titles is None:
        titles = rule_titles(report)
    report = cleaned(report)  # XML forbids control characters a cell value may have carried
    omitted = max(0, len(report.get("findings") or ()) - MAX_FINDINGS)
    if omitted:
        report = {**report, "findings": report["findings"][:MAX_FINDINGS]}

    sources = [s.parent if s.name.lower() == "datapackage.json" else s for s in sources]
    workbook = _single_workbook(sources)
    if workbook is not None:
        # Loading and saving a copy leaves the input untouched; openpyxl keeps values, styles,
        # merged cells, data validation and comments, but not pictures or charts.
        with warnings.catch_warnings():
            # openpyxl warns on stderr about extensions it drops (WPS/Excel data validation
            # lists, slicers); the clerk can do nothing about them, and the input stays intact.
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(workbook)
        places = {ws.title: ws for ws in wb.worksheets}
        from_csv = False
    else:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        places = _copy_csv(wb, sources, report)
        from_csv = True
        if not places:
            raise AnnotateError("输入中没有 .xlsx 工作簿或 CSV 文件，无法生成标注版 Excel")

    linked = _mark_cells(places, report, titles)
    _result_sheet(wb, report, titles, linked, from_csv=from_csv, omitted=omitted)
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


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


def _copy_csv(wb, sources: list[Path], report: Mapping) -> dict:
    """Copy each CSV's lines as text into its own sheet; returns source name → worksheet."""
    resource_of = {}
    for f in report.get("findings") or ():
        if f.get("source") and f.get("resource"):
            resource_of.setdefault(f["source"], f["resource"])
            resource_of.setdefault(Path(f["source"]).name, f["resource"])
    places = {}
    files = _csv_files(sources)

    # Sheets in the standard's order (报送信息, 附件1, ...), whatever the files are called.
    def order(item: tuple[str, bytes]) -> tuple:
        resource = resource_of.get(item[0]) or resource_of.get(Path(item[0]).name)
        return resource_order(resource) if resource else (1000, item[0])

    files.sort(key=order)
    texts = [(name, decode_bytes(data)[0]) for name, data in files]
    lines = sum(text.count("\n") for _, text in texts)
    if lines > MAX_CSV_ROWS:
        raise AnnotateError(
            f"CSV 共约{lines}行，超过{MAX_CSV_ROWS}行，生成标注版 Excel 会非常慢；"
            "请改用 --format html 或 --format json 查看校验结果"
        )
    for name, text in texts:
        resource = resource_of.get(name) or resource_of.get(Path(name).name)
        ws = wb.create_sheet(_sheet_title(resource_label(resource) if resource else Path(name).stem, wb))
        # Same delimiter and line numbering as the reader: a record starts on the line after the
        # previous one ended, so a quoted cell with line breaks does not shift later records.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_text_delimiter(text[: 64 * 1024]))
        r = 1
        for record in reader:
            for c, value in enumerate(record, start=1):
                if value != "":
                    _put_text(ws.cell(row=r, column=c), visible(value))
            r = reader.line_num + 1
        ws.freeze_panes = "A2"
        places[name] = ws
        places.setdefault(Path(name).name, ws)
    return places


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


def _put_text(cell, value) -> None:
    """Write a value as text: a cell starting with = must not become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _result_sheet(
    wb, report: Mapping, titles: Mapping[str, str], linked: Mapping, *, from_csv: bool, omitted: int = 0
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    ws = wb.create_sheet(_sheet_title(RESULT_SHEET, wb), 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0

    name = report.get("name") or "报送包"
    _put_text(ws["A1"], f"fpjc 校验结果：{name}")
    ws["A1"].font = Font(bold=True, size=14)
    _put_text(ws["A2"], verdict(report))
    ws["A2"].font = Font(bold=True, color="B42318" if not report["valid"] else "067647")
    opts = report.get("options") or {}
    about = f"标准版本 {report['standard_version']}，fpjc {report['fpjc_version']}"
    if opts.get("today"):
        about += f"，校验日期 {opts['today']}"
    if opts.get("stage"):
        about += "，" + ("自查草稿" if opts["stage"] == "draft" else "上报核对")
    about += "，个人信息未打码" if opts.get("show_personal_data") else "，个人信息已打码"
    about += "；设置：" + settings_line(report)
    _put_text(ws["A3"], about)
    note = "有问题的单元格已标色（红：错误，黄：警告，蓝：提示），鼠标移到单元格上可看说明。"
    if from_csv:
        note = "原文件是 CSV：各表按原样逐行复制为文本，单元格位置与报告一致；请在原 CSV 文件中改正。" + note
    else:
        note += "请在原工作簿中改正后重新校验，不要上报本副本。"
    _put_text(ws["A4"], note)
    if omitted:
        _put_text(
            ws["A5"],
            f"问题太多：本工作簿只标出并列出前{MAX_FINDINGS}处，其余{omitted}处请看 JSON 报告（--format json）。",
        )
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
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(row=head_row, column=c, value=h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F4F7")
    # Style objects are shared: openpyxl interns them, but building one per row costs seconds
    # on a report with tens of thousands of findings.
    fills = {s: PatternFill("solid", fgColor=FILLS[s]) for s in FILLS}
    wrap = Alignment(wrap_text=True, vertical="top")
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
        for c, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):  # text that starts with "=" stays text
                ws.cell(row=r, column=c).data_type = "s"
        ws.cell(row=r, column=2).fill = fills.get(f["severity"], fills["info"])
        ws.cell(row=r, column=11).alignment = wrap
        ws.cell(row=r, column=12).alignment = wrap
        if target:
            link = ws.cell(row=r, column=9)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{target[0]}'!{target[1]}")
            link.font = link_font
    ws.auto_filter.ref = f"A{head_row}:{chr(64 + len(headers))}{max(r, head_row)}"
    ws.freeze_panes = f"A{head_row + 1}"
    # Printed, the list fits the page width and repeats its header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{head_row}:{head_row}"

    not_run = report.get("checks_not_run") or []
    if not_run:
        r += 2
        _put_text(ws.cell(row=r, column=1), "未执行的检查")
        ws.cell(row=r, column=1).font = Font(bold=True)
        for c in not_run:
            r += 1
            _put_text(ws.cell(row=r, column=1), f"{c['check']}：{c['reason']}")

    widths = [6, 9, 7, 22, 10, 22, 6, 18, 8, 22, 50, 40]
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + c)].width = w
