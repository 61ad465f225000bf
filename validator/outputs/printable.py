"""Printable blank forms (HTML) rendered with Jinja2 from the form definitions.

The layout (form.j2 and print.css in `print/` beside this module) is package data, so the
installed `fpjc template` prints the same forms as a checkout; the fields come from the compiled
standard; the paper (A4 or A3 landscape), the column widths, header line breaks, row height and
signature rows from `paper` (the same as the Excel template's). Each page is self-contained (CSS inlined) so it can be opened
from a USB stick and printed.
"""

from __future__ import annotations

import errno
from pathlib import Path

from validator import __version__, standard
from validator.catalogue import required_when
from validator.outputs import paper
from validator.outputs.workbook import HEADER_BLOCK_LABELS
from validator.values.wording import deadline_text, how_to_fill, requirement

LAYOUT_DIR = Path(__file__).resolve().parent / "print"
SIGN_LABELS = paper.SIGNATURES
STAMP_LABEL = paper.STAMP


def _environment(layout_dir: Path):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layout_dir)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


# The county's own forms are filled and kept by the county office, not submitted by a township.
COUNTY_HEADER_LABELS = ("单位", "研判月份", "研判日期")
COUNTY_SIGN_LABELS = ("记录人", "审核人")
COUNTY_STAMP_LABEL = "县扶贫开发领导小组办公室（盖章）"


def general_notes(kind: str = "annex") -> list[str]:
    s = standard.load()
    labels = s["boolean_labels"]
    how = (
        f"日期写成 2020-07-15，月份写成 2020-07；是否类的列填“{labels['true']}”或“{labels['false']}”；"
        f"一格填多项时用“{s['list_separator']}”分隔。"
    )
    if kind == "county":
        return [
            how,
            "本表由县扶贫开发领导小组办公室填写并存档；每月的表用 fpjc county 命令生成，见网站“县扶贫办每月工作”。",
        ]
    return [how, f"本表于报告月份{deadline_text()}加盖公章报送。"]


def render_form(form_id: str, *, empty_rows: int | None = None, layout_dir: Path | None = None) -> str:
    """The self-contained printable HTML of one form; by default as many ruled rows as fill the
    first page above the signature rows (`paper.Layout.blank_rows`)."""
    layout_dir = layout_dir or LAYOUT_DIR
    layout = layout_dir / "form.j2"
    if not layout.is_file():
        raise FileNotFoundError(errno.ENOENT, "打印表版式不存在（fpjc 安装不完整，请重新安装）", str(layout))
    form = standard.form(form_id)
    county = form["kind"] == "county"
    fields = form["fields"]
    lay = paper.layout(fields)
    when = required_when(form_id)
    columns = [
        {
            "title": f["title"],
            "lines": lay.header(fields, i),
            "required": f["required"],
            "requirement": requirement(f, when.get(f["name"], ())),
            "how": how_to_fill(f),
            "description": f.get("description") or "",
            "width_mm": lay.widths_mm[i],
            "boxes": f["type"] == "id_number",
        }
        for i, f in enumerate(fields)
    ]
    pages = [[columns[i] for i in page] for page in lay.pages]
    if empty_rows is None:
        empty_rows = lay.blank_rows(max(len(c["lines"]) for c in columns))
    env = _environment(layout_dir)
    return env.get_template("form.j2").render(
        form=form,
        heading=f"{form['title']} {form['full_title']}",
        description=" ".join(form["description"].split()),
        columns=columns,
        pages=pages,
        empty_rows=empty_rows,
        header_labels=COUNTY_HEADER_LABELS if county else HEADER_BLOCK_LABELS,
        sign_labels=COUNTY_SIGN_LABELS if county else SIGN_LABELS,
        date_label=paper.DATE_LABEL,
        paper=lay.paper,
        page_mm=lay.page_mm,
        margins_mm=(paper.TOP_MARGIN_MM, paper.SIDE_MARGIN_MM, paper.BOTTOM_MARGIN_MM),
        row_mm=paper.ROW_MM,
        header_pt=paper.HEADER_PT,
        body_pt=paper.BODY_PT,
        stamp_label=COUNTY_STAMP_LABEL if county else STAMP_LABEL,
        general_notes=general_notes(form["kind"]),
        notice_number=standard.load()["notice"]["number"],
        standard_version=standard.version(),
        fpjc_version=__version__,
        css=(layout_dir / "print.css").read_text(encoding="utf-8"),
    )


def html_file_name(form_id: str) -> str:
    return f"{standard.form(form_id)['title']}.html"


def write_printables(out_dir: str | Path, forms: list[str] | None = None) -> list[Path]:
    """One printable HTML per form (all forms by default) in `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fid in forms or [f["id"] for f in standard.forms()]:
        path = out_dir / html_file_name(fid)
        path.write_text(render_form(fid), encoding="utf-8")
        paths.append(path)
    return paths
