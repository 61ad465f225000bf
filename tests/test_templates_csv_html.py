"""CSV templates, printable forms and the `fpjc template` command."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from validator import standard
from validator.cli import main
from validator.outputs import paper
from validator.outputs.county import blank_workbook_name
from validator.outputs.csvfiles import csv_text, write_csv
from validator.outputs.printable import render_form
from validator.outputs.templates import build_all

ALL_FORMS = [f["id"] for f in standard.forms()]


@pytest.mark.parametrize("form_id", ALL_FORMS)
def test_csv_template_has_bom_and_header_row(tmp_path, form_id):
    path = write_csv(tmp_path / "t.csv", form_id)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [[f["title"] for f in standard.form(form_id)["fields"]]]


def test_csv_rows_are_written_in_the_standard_spelling():
    import datetime as dt

    text = csv_text(
        "annex3",
        [
            {
                "seq": 1,
                "identified_month": dt.date(2020, 3, 1),
                "risk_types": ("因病", "因灾"),
                "release_date": dt.date(2020, 7, 20),
                "system_marked": False,
            }
        ],
    )
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["纳入监测时间"] == "2020-03"
    assert cells["原风险类型"] == "因病、因灾"
    assert cells["解除日期"] == "2020-07-20"
    assert cells["已在全国系统标注"] == "否"
    assert cells["户主身份证号"] == ""


@pytest.mark.parametrize("form_id", ALL_FORMS)
def test_printable_form_from_the_definition(form_id):
    form = standard.form(form_id)
    html = render_form(form_id)
    assert f"<title>{form['title']} {form['full_title']}</title>" in html
    lay = paper.layout(form["fields"])
    assert f"size: {lay.paper} landscape" in html and "counter(pages)" in html
    assert lay.paper == ("A3" if form["kind"] == "annex" else lay.paper)
    assert "&#34;" not in html.split("</style>")[0]  # CSS is not HTML-escaped
    lay = paper.layout(form["fields"])
    for i, field in enumerate(form["fields"]):
        if form["kind"] == "manifest":
            assert f"{field['title']}</td>" in html
        else:  # header lines between words, as paper.layout breaks them
            lines = lay.header(form["fields"], i)
            assert "<br>".join(f'<span class="line">{line}</span>' for line in lines) + "</th>" in html
    county = form["kind"] == "county"  # filled and kept by the county office, not submitted
    labels = ("记录人：", "审核人：", "日期：", "县扶贫开发领导小组办公室（盖章）", "研判月份：")
    for label in labels if county else ("填报人（签字）：", "审核人（签字）：", "日期：", "填报单位（盖章）"):
        assert label in html
    assert ("加盖公章报送" in html) is not county
    if form["kind"] != "manifest":
        empty_rows = lay.blank_rows(
            max(len(lay.header(form["fields"], i)) for i in range(len(form["fields"])))
        )
        bodies = [b.split("</tbody>")[0] for b in html.split("<tbody>")[1:-1]]
        assert len(bodies) == len(lay.pages)
        for body, page in zip(bodies, lay.pages, strict=True):
            assert body.count("<tr>") == empty_rows
            assert body.count("<td") == empty_rows * len(page)


def test_template_command_writes_everything(tmp_path):
    out = tmp_path / "out"
    assert main(["template", "--out", str(out)]) == 0
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert f"fpjc-模板-{standard.version()}.xlsx" in names
    county_book = f"xlsx/{blank_workbook_name()}"
    for form in standard.forms():
        for kind, ext in (("xlsx", "xlsx"), ("csv", "csv"), ("print", "html")):
            if kind == "xlsx" and form["id"] in ("county_meeting", "county_record"):
                assert county_book in names  # one meeting workbook holds both forms
                continue
            assert f"{kind}/{form['title']}.{ext}" in names
    assert "县设置样例.json" in names  # the county settings file to start from
    assert len(names) == 2 + 3 * len(ALL_FORMS) - 1  # 研判会议 and 县级研判表 share a workbook


def test_template_command_single_form_and_format(tmp_path):
    assert (
        main(
            ["template", "--out", str(tmp_path), "--form", "附件2", "--form", "assessment", "--format", "csv"]
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["县级研判记录.csv", "附件2.csv"]


def test_template_command_unknown_form(tmp_path, capsys):
    assert main(["template", "--out", str(tmp_path), "--form", "附件9"]) == 2
    assert "附件9" in capsys.readouterr().err


def test_build_all_returns_written_files(tmp_path):
    paths = build_all(tmp_path / "all")
    assert paths and all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert len(paths) == 2 + 3 * len(ALL_FORMS) - 1  # 研判会议 and 县级研判表 share a workbook
    # Every form in every format, beside the submission workbook and the county settings sample.
    relative = {p.relative_to(tmp_path / "all").parent.as_posix() for p in paths}
    assert relative == {".", "xlsx", "csv", "print"}


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_missing_print_layouts_are_a_clear_error(tmp_path, monkeypatch, capsys):
    from validator.outputs import printable

    monkeypatch.setattr(printable, "LAYOUT_DIR", tmp_path / "nowhere")
    assert main(["template", "--out", str(tmp_path / "out"), "--format", "html"]) == 2
    assert "打印表版式不存在" in capsys.readouterr().err
