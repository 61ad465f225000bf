"""The HTML report: one self-contained page (inline CSS, no scripts, no outside assets).

A clerk can open it offline, print it or pass it on; everything from the report is
escaped by Jinja2's autoescape, so a cell holding `<script>` shows as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from html import escape
from pathlib import Path

from validator.render import (
    PACKAGE_LABEL,
    SEVERITY_LABELS,
    cleaned,
    column_label,
    input_line,
    option_lines,
    place,
    resource_label,
    resource_order,
    rule_titles,
    truncation,
    truncation_lines,
    truncation_note,
    unlisted,
    verdict,
)
from validator.render.grouping import group

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Beyond this many findings a page gets too big for a browser to open comfortably; the
# groups above the table still count every finding, and JSON lists them all.
MAX_TABLE_ROWS = 20_000


@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def render_html(
    report: Mapping, *, titles: Mapping[str, str] | None = None, max_rows: int = MAX_TABLE_ROWS
) -> str:
    """The whole report as one HTML document; `titles` (rule ID → title) defaults to the registry.

    The full findings table lists at most `max_rows` findings and says how many it left out.
    """
    if titles is None:
        titles = rule_titles(report)
    report = cleaned(report)
    findings = report.get("findings") or []
    summary = report["summary"]
    by_resource = summary.get("by_resource") or {}
    rows = summary.get("rows") or {}
    tables = []
    for name in sorted(set(by_resource) | set(rows), key=resource_order):
        counts = by_resource.get(name, {"error": 0, "warning": 0, "info": 0})
        label = resource_label(name, full=True) if name else PACKAGE_LABEL
        tables.append({"label": label, "rows": rows.get(name), **counts})
    name = report.get("name") or "、".join(i["path"] for i in report.get("inputs", ())) or "报送包"
    return _template().render(
        report=report,
        name=name,
        verdict=verdict(report),
        inputs=[input_line(i) for i in report.get("inputs") or ()],
        options=option_lines(report),
        tables=tables,
        groups=group(findings),
        titles=titles,
        labels=SEVERITY_LABELS,
        place=place,
        column=column_label,
        table_name=lambda r: resource_label(r) if r else PACKAGE_LABEL,
        show_personal=bool((report.get("options") or {}).get("show_personal_data")),
        all_rows=_all_rows(findings[:max_rows]),
        omitted=max(0, len(findings) - max_rows),
        cut=truncation(report),
        cut_note=truncation_note(report),
        cut_lines=truncation_lines(report, titles),
        unlisted=unlisted,
    )


def _all_rows(findings) -> object:
    """The rows of the full findings table, built here rather than in the template: a report can
    hold a hundred thousand findings and this is several times faster. Every value is escaped."""
    from markupsafe import Markup

    out = []
    for i, f in enumerate(findings, start=1):
        sev = escape(f["severity"])
        where = f.get("source") or ""
        if f.get("sheet"):
            where = f"{where} / {f['sheet']}" if where else f["sheet"]
        value = f.get("value")
        cells = [
            f'<td class="num">{i}</td>',
            f'<td><span class="sev {sev}">{escape(SEVERITY_LABELS.get(f["severity"], f["severity"]))}</span></td>',
            f"<td>{escape(f['rule'])}</td>",
            f"<td>{escape(resource_label(f.get('resource')) if f.get('resource') else PACKAGE_LABEL)}</td>",
            f"<td>{escape(where)}</td>",
            f'<td class="num">{"" if f.get("row") is None else int(f["row"])}</td>',
            f"<td>{escape(column_label(f) or '')}</td>",
            f"<td>{escape(f.get('cell') or '')}</td>",
            f'<td><span class="value">{escape(str(value))}</span></td>'
            if value not in (None, "")
            else "<td></td>",
            f"<td>{escape(f['message'])}</td>",
            f"<td>{escape(f.get('hint') or '')}</td>",
        ]
        out.append(f'<tr class="{sev}">{"".join(cells)}</tr>')
    return Markup("\n".join(out))
