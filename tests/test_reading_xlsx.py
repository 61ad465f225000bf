"""Workbook reading: header detection, header block, merged cells, dates, template version, bad files."""

from __future__ import annotations

import datetime as dt

import pytest
from reading_fixtures.make import names, ole_file, row, titles, workbook, write

from validator import standard
from validator.reading import open_files, open_package
from validator.tables import InputError

MANIFEST = [
    ["报送信息 鹤庆县返贫致贫预警监测月报报送信息"],
    titles("manifest"),
    ["黄坪镇", "2020-07", dt.datetime(2020, 8, 3), "否", "是", "张三", "李四", "13812345678"],
]


def annex1_sheet(data_rows):
    n = len(titles("annex1"))
    header = titles("annex1")
    header[names("annex1").index("income_per_capita")] = "上年度家庭人均\n可支配收入（元）"
    return [
        ["附件1 鹤庆县返贫预警情况统计表"] + [None] * (n - 1),
        [
            "填报单位（盖章）：黄坪镇人民政府",
            None,
            None,
            None,
            "报告月份：",
            "2020-07",
            None,
            "填报人：王芳",
            None,
            "审核人：",
            None,
            "李明",
            "填报日期：",
            dt.datetime(2020, 8, 3),
        ],
        header + [None, None],  # trailing empty header cells
        *data_rows,
        [None] * (n + 3),  # trailing empty rows
        [None] * n,
    ]


def a1(**kw):
    return row("annex1", **kw)


@pytest.fixture
def book(tmp_path):
    n = len(titles("annex1"))
    village = names("annex1").index("village")
    r4 = a1(seq=1, village="东山村委会", appraisal_date=dt.datetime(2020, 7, 10))
    r5 = a1(seq=2, village=None, appraisal_date=dt.date(2020, 7, 11))
    r6 = a1(seq=3, village="西坡村委会", household_size=0)
    col = chr(ord("A") + village)
    return workbook(
        tmp_path / "黄坪镇2020年7月.xlsx",
        {
            "填表说明": [["请按模板填写"]],
            "报送信息": MANIFEST,
            "附件1": annex1_sheet([r4, r5, [None] * n, r6]),
            "Sheet3": [["随便写的"], ["1", "2"]],
        },
        merges={"附件1": [f"A1:{chr(64 + n)}1", f"{col}4:{col}5"]},
        meta={
            "standard": "fpjc",
            "standard_version": "0.9.0",
            "template": "workbook",
            "forms": "manifest,annex1",
        },
    )


def test_template_like_workbook(book):
    pkg = open_package([book])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1"]
    man, ann = pkg.tables
    assert (man.sheet, man.header_row) == ("报送信息", 2)
    assert list(man.rows)[0][0] == 3
    assert ann.header_row == 3 and ann.source == "黄坪镇2020年7月.xlsx" and ann.encoding is None
    assert ann.meta["title"] == "附件1 鹤庆县返贫预警情况统计表"
    assert ann.meta["header_block"] == {
        "填报单位": "黄坪镇人民政府",
        "报告月份": "2020-07",
        "填报人": "王芳",
        "审核人": "李明",
        "填报日期": dt.datetime(2020, 8, 3),
    }
    assert ann.meta["template_version"] == "0.9.0"
    assert [c.field for c in ann.columns] == names("annex1")  # trailing empty headers dropped
    assert ann.columns[names("annex1").index("income_per_capita")].header == "上年度家庭人均可支配收入（元）"
    rows = list(ann.rows)
    assert [n for n, _ in rows] == [4, 5, 7]
    village = names("annex1").index("village")
    assert [r[village] for _, r in rows] == ["东山村委会", "东山村委会", "西坡村委会"]  # merged range filled
    when = names("annex1").index("appraisal_date")
    assert rows[0][1][when] == dt.datetime(2020, 7, 10)  # Excel dates stay raw
    assert rows[2][1][names("annex1").index("household_size")] == 0
    assert all(len(r) == len(names("annex1")) for _, r in rows)

    found = {f.rule: f for f in pkg.findings}
    assert found["S014"].severity == "warning" and "0.9.0" in found["S014"].message
    assert found["S012"].row == 6 and found["S012"].sheet == "附件1"
    assert found["S006"].sheet == "Sheet3"
    assert "S005" not in found
    assert not [f for f in pkg.findings if "填表说明" in f.message or f.sheet == "_fpjc" and f.rule != "S014"]
    info = pkg.inputs[0]
    assert info["kind"] == "xlsx" and info["template_version"] == "0.9.0"
    assert info["sheets"] == ["填表说明", "报送信息", "附件1", "Sheet3", "_fpjc"]


def test_current_template_version_and_no_meta_sheet_are_fine(tmp_path):
    current = workbook(
        tmp_path / "a.xlsx", {"报送信息": MANIFEST}, meta={"standard_version": standard.version()}
    )
    plain = workbook(tmp_path / "b.xlsx", {"manifest": MANIFEST})
    for path in (current, plain):
        pkg = open_package([path])
        assert [f.rule for f in pkg.findings] == []
        assert [t.resource for t in pkg.tables] == ["manifest"]


def test_sheet_names_and_english_headers(tmp_path):
    english = [names("annex2"), row("annex2", seq=1)]
    full = [titles("annex3"), row("annex3", seq=1)]
    path = workbook(
        tmp_path / "x.xlsx",
        {
            "报送信息": MANIFEST,
            "annex2": english,
            "附件3 鹤庆县返贫致贫预警解除登记表": full,
            "附件10": [["x"]],
        },
    )
    pkg = open_package([path])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex2", "annex3"]
    assert pkg.tables[1].header_row == 1
    assert [f.rule for f in pkg.findings] == ["S006"]  # 附件10 is not 附件1


def test_sheet_recognised_by_its_columns(tmp_path):
    path = workbook(tmp_path / "x.xlsx", {"报送信息": MANIFEST, "Sheet1": [titles("annex1"), a1(seq=1)]})
    pkg = open_package([path])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1"]
    f = next(f for f in pkg.findings if f.rule == "S019")
    assert f.severity == "info" and f.sheet == "Sheet1" and "附件1" in f.message


def test_two_row_header_with_vertical_merges(tmp_path):
    header1 = titles("annex3")
    header2 = [None] * len(header1)
    i = names("annex3").index("income_per_capita_release")
    header1[i] = "收入情况"
    header2[i] = "解除时家庭人均可支配收入（元）"
    n = len(header1)
    merges = [f"{chr(65 + k)}1:{chr(65 + k)}2" for k in range(n) if k != i]
    path = workbook(
        tmp_path / "x.xlsx", {"附件3": [header1, header2, row("annex3", seq=1)]}, merges={"附件3": merges}
    )
    pkg = open_package([path])
    t = pkg.tables[0]
    assert [c.field for c in t.columns] == names("annex3")
    assert [n for n, _ in t.rows] == [3]


def test_blank_sheet_and_missing_manifest(tmp_path):
    pkg = open_package([workbook(tmp_path / "x.xlsx", {"附件1": [], "附件2": [titles("annex2")]})])
    rules = [f.rule for f in pkg.findings]
    assert "S020" in rules and "S005" in rules
    assert [t.resource for t in pkg.tables] == ["annex2"]
    assert list(pkg.tables[0].rows) == []


def test_hidden_helper_sheets_are_ignored(tmp_path):
    path = workbook(tmp_path / "x.xlsx", {"报送信息": MANIFEST, "_lists": [["因病"]]}, hidden=("_lists",))
    assert [f.rule for f in open_package([path]).findings] == []


def test_password_protected_workbook(tmp_path):
    path = write(tmp_path / "加密.xlsx", ole_file("EncryptionInfo", "EncryptedPackage"))
    with pytest.raises(InputError, match="密码"):
        open_package([path])


def test_old_xls_format(tmp_path):
    for name in ("旧.xls", "改了扩展名.xlsx"):
        path = write(tmp_path / name, ole_file("Workbook"))
        with pytest.raises(InputError, match=r"\.xlsx"):
            open_package([path])


def test_truncated_workbook(tmp_path, book):
    data = book.read_bytes()
    path = write(tmp_path / "半截.xlsx", data[: len(data) // 2])
    with pytest.raises(InputError, match="损坏"):
        open_package([path])


@pytest.mark.parametrize(
    "content, message",
    [(b"", "空"), ("序号,乡镇\n1,2\n".encode(), "不是 Excel"), (b"<html><body><table>", "网页")],
)
def test_not_a_workbook(tmp_path, content, message):
    path = write(tmp_path / "附件1.xlsx", content)
    with pytest.raises(InputError, match=message):
        open_package([path])


def test_corrupt_workbook_next_to_good_files_is_a_finding(tmp_path):
    workbook(tmp_path / "报送信息.xlsx", {"报送信息": MANIFEST})
    write(tmp_path / "附件1.xlsx", ole_file("EncryptionInfo"))
    pkg = open_package([tmp_path])
    f = next(f for f in pkg.findings if f.rule == "S001")
    assert f.source == "附件1.xlsx" and "密码" in f.message
    assert [t.resource for t in pkg.tables] == ["manifest"]


def test_workbook_from_bytes(book):
    pkg = open_files([(book.name, book.read_bytes())])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1"]
    assert len(list(pkg.tables[1].rows)) == 3


def test_generated_examples_read_cleanly():
    from pathlib import Path

    ex = Path(__file__).resolve().parent.parent / "examples" / "valid-2020-07.xlsx"
    if not ex.exists():
        pytest.skip("examples not generated")
    pkg = open_package([ex])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1", "annex2", "annex3"]
    assert all(c.field for t in pkg.tables for c in t.columns)
    assert [f.rule for f in pkg.findings] == []


def test_merged_ranges_found_across_chunk_boundaries(tmp_path):
    # Enough rows that the sheet XML spans several 1 MB read chunks before <mergeCells>.
    n_rows = 5_000
    data = [row("annex3", seq=i, village="村" if i % 2 else None) for i in range(1, n_rows + 1)]
    village = chr(ord("A") + names("annex3").index("village"))
    merges = [f"{village}{r}:{village}{r + 1}" for r in range(2, n_rows + 1, 2)]
    path = workbook(tmp_path / "big.xlsx", {"附件3": [titles("annex3"), *data]}, merges={"附件3": merges})
    import zipfile

    from validator.reading.xlsxfile import _sheet_paths, merged_ranges

    with zipfile.ZipFile(path) as zf:
        member = _sheet_paths(zf)["附件3"]
        assert zf.getinfo(member).file_size > 1024 * 1024
        found = merged_ranges(zf, member)
    assert len(found) == len(merges)
    pkg = open_package([path])
    i = names("annex3").index("village")
    values = [r[i] for _, r in pkg.tables[0].rows]
    assert len(values) == n_rows and set(values) == {"村"}


def test_merge_scan_on_chunk_boundaries():
    import io
    import zipfile

    from validator.reading.xlsxfile import merged_ranges

    refs = [f"B{r}:C{r + 1}" for r in range(1, 200_000, 2)]  # about 2.5 MB of <mergeCell> elements
    xml = (
        b'<worksheet><sheetData/><x:mergeCells count="1">'
        + b"".join(f'<x:mergeCell ref="{r}"/>'.encode() for r in refs)
        + b"</x:mergeCells></worksheet>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("s.xml", xml)
    with zipfile.ZipFile(buf) as zf:
        found = merged_ranges(zf, "s.xml")
    assert len(found) == len(refs)
    assert found[0] == (1, 2, 2, 3) and found[-1] == (199_999, 2, 200_000, 3)


def test_sheet_damaged_in_the_middle_is_a_finding(tmp_path):
    import zipfile

    good = workbook(
        tmp_path / "good.xlsx", {"报送信息": MANIFEST, "附件3": [titles("annex3")] + [row("annex3")] * 50}
    )
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # the XML stops in the middle of the rows
            dst.writestr(info, data)
    pkg = open_package([bad])
    annex3 = next(t for t in pkg.tables if t.resource == "annex3")
    rows = list(annex3.rows)
    assert 0 < len(rows) < 50
    f = next(f for f in pkg.findings if f.rule == "S001")
    assert f.sheet == "附件3" and "损坏" in f.message


def test_damaged_workbooks_never_raise_anything_but_input_error(tmp_path, book):
    import random

    rnd = random.Random(20200701)
    data = book.read_bytes()
    outcomes = set()
    for i in range(60):
        damaged = bytearray(data)
        if i % 3 == 0:
            damaged = damaged[: rnd.randrange(len(damaged))]
        else:
            for _ in range(rnd.randrange(1, 20)):
                damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        path = write(tmp_path / f"d{i}.xlsx", bytes(damaged))
        try:
            pkg = open_package([path])
            for t in pkg.tables:
                list(t.rows)
            outcomes.add("read")
        except InputError as exc:
            assert str(exc)
            outcomes.add("refused")
    assert "refused" in outcomes


def test_one_damaged_sheet_does_not_hide_the_others(tmp_path):
    import zipfile

    good = workbook(
        tmp_path / "good.xlsx", {"报送信息": MANIFEST, "附件3": [titles("annex3"), row("annex3")]}
    )
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = (
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<sheetData><row r='1'><c r='A1' t='s'><v>99999</v></c></row></sheetData></worksheet>"
                )  # a shared-string index that does not exist
            dst.writestr(info, data)
    pkg = open_package([bad])
    assert [t.resource for t in pkg.tables] == ["manifest"]
    f = next(f for f in pkg.findings if f.rule == "S001")
    assert f.sheet == "附件3"
