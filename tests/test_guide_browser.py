"""The 乡镇使用指南 followed to the letter by a new clerk, in Chromium on the built site.

The clerk opens the guide, downloads the template with the guide's button, checks that the
workbook is laid out as the guide says (sheets, the rows of headers and data, text-formatted ID
numbers, drop-downs on the multi-choice columns), fills it in as someone typing in Excel would
(openpyxl; ID numbers as text, dates as dates), opens 在线校验 by the link the guide names, checks
the draft, stamps, checks again as 上报核对, and downloads the annotated workbook and the HTML
report. Every sentence of the guide that names something on a page or in a file is read from the
guide itself and compared with what the page or file really shows, so the guide cannot drift.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from checker_support import Server, chromium_available, launch
from openpyxl import load_workbook

from validator import standard
from validator.builders.rule_examples import BASE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

READY_MS = 120_000
CHECK_MS = 120_000
PACKAGE = "云鹤镇2020年7月.xlsx"  # the name the checklist asks for, and the guide's commands use
SUBMITTED = dt.date(2020, 8, 4)


def _titles(form_id: str) -> list[str]:
    return [f["title"] for f in standard.form(form_id)["fields"]]


def _header(ws, row: int) -> list[str]:
    """A row of column titles as the clerk reads them (the template wraps long titles)."""
    return [str(c.value or "").replace("\n", "") for c in ws[row]][: ws.max_column]


def _one(pattern: str, text: str) -> re.Match:
    m = re.search(pattern, text)
    assert m, f"the guide no longer says {pattern!r}"
    return m


def _typed(field: dict, text: str):
    """What a value typed into Excel becomes: numbers and dates turn into numbers and dates
    unless the column is text-formatted (ID numbers, phones, months stay text)."""
    if text == "":
        return None
    if field["type"] == "date":
        return dt.datetime.fromisoformat(text)
    if field["type"] == "integer":
        return int(text)
    if field["type"] == "money":
        return float(text) if "." in text else int(text)
    return text


def _fill(
    template: Path,
    out: Path,
    *,
    manifest_row: int,
    header_row: int,
    data_row: int,
    info_row: int,
    stamped: str,
) -> None:
    wb = load_workbook(template)
    manifest = wb["报送信息"]
    row = {**BASE["manifest"][0], "stamped": stamped, "submitted_date": SUBMITTED.isoformat()}
    for field, cell in zip(standard.form("manifest")["fields"], manifest[manifest_row], strict=False):
        value = _typed(field, row[field["name"]])
        cell.value = str(value) if cell.number_format == "@" and value is not None else value
    ws = wb["附件1"]
    # The header information (填报单位、报告月份、填报人、审核人、填报日期): the cell after each label.
    info = {"填报单位": "云鹤镇人民政府", "报告月份": "2020-07", "填报人": "杨丽华", "审核人": "李国强"}
    for cell in ws[info_row]:
        label = str(cell.value or "")
        for key, value in [*info.items(), ("填报日期", dt.datetime(2020, 8, 4))]:
            if label.startswith(key):
                target = ws.cell(info_row, cell.column + 1)
                while target.coordinate in ws.merged_cells:  # skip the label's own merged cells
                    target = ws.cell(info_row, target.column + 1)
                target.value = value
    titles = _header(ws, header_row)
    fields = {f["title"]: f for f in standard.form("annex1")["fields"]}
    for i, household in enumerate(BASE["annex1"]):
        for col, title in enumerate(titles, start=1):
            cell = ws.cell(data_row + i, col)
            value = _typed(fields[title], household.get(fields[title]["name"], ""))
            cell.value = str(value) if cell.number_format == "@" and value is not None else value
    wb.save(out)


def _wait_checked(page, before: int) -> None:
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n",
        arg=before,
        timeout=CHECK_MS,
    )
    state = page.get_attribute("#fpjc-checker", "data-state")
    assert state == "done", page.inner_text(".fpjc-ck-message")
    page.wait_for_selector("a.fpjc-ck-html", timeout=CHECK_MS)


def _upload(page, path: Path) -> None:
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.set_input_files(".fpjc-ck-input", [str(path)])
    _wait_checked(page, before)


def test_a_new_clerk_follows_the_guide_from_template_to_report(playwright, built_site, tmp_path, artefacts):
    context = launch(playwright, tmp_path / "profile")
    try:
        with Server(built_site.path) as server:
            page = context.new_page()
            page.set_viewport_size({"width": 1366, "height": 900})
            page.goto(server.url + "guide/", wait_until="load")
            article = page.locator("article")
            guide = article.inner_text()
            # 怎样读自查报告: the parts of a report, as the guide names them (the first bold word of each item).
            parts = [
                li.locator("strong").first.inner_text()
                for li in page.locator("h2#report ~ ol").first.locator("> li").all()
            ]
            assert parts == ["读取", "结果", "问题明细"], parts

            # The three buttons at the top of the guide.
            buttons = article.locator("a.md-button").all_inner_texts()
            assert buttons[:3] == ["下载填报模板", "下载填报示例", "在线校验"], buttons

            # 第一步 1: download the template with the button.
            with page.expect_download() as info:
                article.locator("a.md-button", has_text="下载填报模板").first.click()
            template = tmp_path / info.value.suggested_filename
            info.value.save_as(template)
            assert template.suffix == ".xlsx"
            wb = load_workbook(template)
            visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
            sheets = re.findall(r"“([^”]+)”", _one(r"一个工作簿里有((?:“[^”]+”)+)几个工作表", guide).group(1))
            assert visible == sheets, (visible, sheets)
            # “填表说明”逐列写明怎么填、哪些列必填、校验时检查哪些规则
            notes = "\n".join(
                " ".join(str(v) for v in row if v) for row in wb["填表说明"].iter_rows(values_only=True)
            )
            assert "怎么填" in notes and "是否必填" in notes and "检查规则" in notes

            # 第一步 2: 报送信息 — which row holds the titles and which row is filled.
            m = _one(r"报送信息：第(\d+)行是列标题，在第(\d+)行依次填([^。]+)。", guide)
            m_header, m_data = int(m.group(1)), int(m.group(2))
            assert _header(wb["报送信息"], m_header) == _titles("manifest")
            # The columns in the guide's words are the sheet's column titles, in order.
            assert re.sub(r"（[^）]*）", "", m.group(3)).split("、") == _titles("manifest")
            assert all(c.value is None for c in wb["报送信息"][m_data])

            # 第一步 3: the annexes — the header information row, the titles row, the first data row.
            m = _one(
                r"附件各表第(\d+)行填表头信息（([^）]+)），第(\d+)行是列标题，从第(\d+)行起每户填一行", guide
            )
            info_row, labels, a_header, a_data = (
                int(m.group(1)),
                m.group(2).split("、"),
                int(m.group(3)),
                int(m.group(4)),
            )
            for form_id in ("annex1", "annex2", "annex3"):
                ws = wb[standard.form(form_id)["title"]]
                row_labels = " ".join(str(c.value) for c in ws[info_row] if c.value)
                assert all(label in row_labels for label in labels), (form_id, row_labels)
                assert _header(ws, a_header) == _titles(form_id), form_id
                # “身份证号一列必须是文本格式。模板已经设好”
                id_col = _titles(form_id).index("户主身份证号") + 1
                assert ws.cell(a_data, id_col).number_format == "@"
                # The drop-downs the guide promises on the multi-choice columns.
                multi = _one(r"可多选的列（([^）]+)）：单元格有下拉列表", guide).group(1).split("、")
                for title in set(multi) & set(_titles(form_id)):
                    col = _titles(form_id).index(title) + 1
                    ref = ws.cell(a_data, col).coordinate
                    lists = [
                        dv
                        for dv in ws.data_validations.dataValidation
                        if dv.type == "list" and ref in dv.sqref
                    ]
                    assert lists, (form_id, title)
                    # “先选第一项，再……输入顿号“、”和下一项”: typing more than one item is not refused.
                    assert not lists[0].showErrorMessage, (form_id, title)
            # The same rows in the workbook's own 填表说明.
            assert f"“报送信息”第{m_header}行是列标题，第{m_data}行填" in notes
            assert f"第{a_header}行是列标题，从第{a_data}行起每户填一行" in notes
            # 附件3 的“已落实帮扶措施”标为视情况必填
            assert "视情况必填" in guide and re.search(r"已落实帮扶措施 视情况必填", notes), notes[-2000:]

            # Fill it in as the guide says (not stamped yet: a draft).
            filled = tmp_path / PACKAGE
            _fill(
                template,
                filled,
                manifest_row=m_data,
                header_row=a_header,
                data_row=a_data,
                info_row=info_row,
                stamped="否",
            )

            # 第二步: open 在线校验 by the guide's link; keep 自查草稿; choose the file.
            assert "“校验阶段”保持默认的“自查草稿”" in guide and "点“选择县设置文件…”" in guide
            article.get_by_role("link", name="在线校验", exact=True).first.click()
            page.wait_for_load_state("load")
            assert page.url.rstrip("/").endswith("/check"), page.url
            page.wait_for_function(
                "() => ['ready','failed','timeout'].includes(document.getElementById('fpjc-checker').getAttribute('data-state'))",
                timeout=READY_MS,
            )
            checker = page.locator("#fpjc-checker")
            assert checker.get_attribute("data-state") == "ready"
            controls = checker.inner_text()
            assert "校验阶段" in controls and "选择县设置文件…" in controls and "选择文件" in controls
            stage = page.locator(".fpjc-ck-stage")
            assert stage.locator("option:checked").inner_text().startswith("自查草稿")
            page.fill(".fpjc-ck-today", SUBMITTED.isoformat())  # 校验日期: the day the clerk checks
            _upload(page, filled)
            result = page.locator(".fpjc-ck-result")
            verdict = result.locator(".admonition-title").first.inner_text()
            assert "通过" in verdict and "不通过" not in verdict, result.inner_text()
            # Not stamped yet: a draft says so as a note, not an error.
            assert [g.get_attribute("data-rule") for g in result.locator(".fpjc-ck-group").all()] == ["T008"]
            assert result.locator(".fpjc-ck-group").first.get_attribute("data-severity") == "info"
            # The checklist the guide lists is the one under the result.
            page_list = result.locator(".fpjc-ck-checklist li").all_inner_texts()
            assert "在线校验通过时，结果下面也会列出这几项" in guide
            page.goto(server.url + "guide/", wait_until="load")
            guide_list = page.locator("#checklist ~ ul li").all_inner_texts()
            assert [t.strip() for t in guide_list[: len(page_list)]] == page_list, (guide_list, page_list)
            # The file is named as the checklist says (文件命名), as in the guide's own commands.
            assert any(f"如“{PACKAGE}”" in line for line in page_list), page_list
            assert f"fpjc validate {PACKAGE}" in page.locator("article").text_content()

            # 第四步: stamp, set 已加盖乡镇公章 to 是, check again as 上报核对.
            assert "在线校验页把“校验阶段”选为“上报核对”" in page.locator("article").inner_text()
            _fill(
                template,
                filled,
                manifest_row=m_data,
                header_row=a_header,
                data_row=a_data,
                info_row=info_row,
                stamped="是",
            )
            page.locator("article").get_by_role("link", name="在线校验", exact=True).first.click()
            page.wait_for_load_state("load")
            page.wait_for_function(
                "() => document.getElementById('fpjc-checker').getAttribute('data-state') === 'ready'",
                timeout=READY_MS,
            )
            labels = page.locator(".fpjc-ck-stage option").all_inner_texts()
            submit = next(label for label in labels if label.startswith("上报核对"))
            page.select_option(".fpjc-ck-stage", label=submit)
            page.fill(".fpjc-ck-today", SUBMITTED.isoformat())
            _upload(page, filled)
            result = page.locator(".fpjc-ck-result")
            assert result.locator(".admonition-title").first.inner_text().startswith("通过")
            assert "上报核对" in result.inner_text()
            assert result.locator(".fpjc-ck-group").count() == 0
            assert "没有发现任何问题" in result.inner_text()
            assert result.locator(".fpjc-ck-checklist li").count() == len(page_list)
            page.screenshot(path=str(artefacts / "guide-clerk-check-passed.png"), full_page=True)

            # The downloads, named after the package: the annotated workbook first, then the HTML report.
            links = page.locator(".fpjc-ck-downloads a")
            texts = links.all_inner_texts()
            assert "标注后的工作簿" in texts[0] and "HTML 报告" in texts[1], texts
            stem = PACKAGE.rsplit(".", 1)[0]
            with page.expect_download() as info:
                links.nth(0).click()
            assert info.value.suggested_filename.startswith(stem) and info.value.suggested_filename.endswith(
                ".xlsx"
            )
            annotated = tmp_path / "annotated.xlsx"
            info.value.save_as(annotated)
            assert load_workbook(annotated).sheetnames[0] == "校验结果"
            with page.expect_download() as info:
                links.nth(1).click()
            assert info.value.suggested_filename.startswith(stem) and info.value.suggested_filename.endswith(
                ".html"
            )
            html = Path(info.value.path()).read_text(encoding="utf-8")
            # 怎样读自查报告: the parts the guide names are the ones the report has.
            for part in parts:
                assert re.search(rf">{part}(：|（|<)", html), part
            assert "上报前请逐项确认" in html and "打印" in html
    finally:
        context.close()
