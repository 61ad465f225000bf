"""CSV reading: encodings, delimiters, row numbers, blank rows, header detection and columns."""

from __future__ import annotations

import csv

import pytest
from reading_fixtures.make import csv_text, manifest_csv, names, row, titles, write

from validator.reading import open_files, open_package
from validator.tables import InputError


def rules_of(pkg) -> list[str]:
    return [f.rule for f in pkg.findings]


def table(pkg, resource):
    return next(t for t in pkg.tables if t.resource == resource)


def package_with(tmp_path, annex3_text: str | bytes, encoding: str = "utf-8"):
    write(tmp_path / "manifest.csv", manifest_csv())
    write(tmp_path / "annex3.csv", annex3_text, encoding)
    return open_package([tmp_path])


@pytest.mark.parametrize(
    "encoding, reported, sample",
    [
        ("utf-8", "utf-8", "𠮷彝族"),
        ("utf-8-sig", "utf-8-sig", "𠮷彝族"),
        ("gb18030", "gb18030", "𠮷彝族"),
        ("gbk", "gb18030", "彝族乡"),  # GBK has no 𠮷; it is read as its superset GB18030
    ],
)
def test_encodings_are_detected_and_reported(tmp_path, encoding, reported, sample):
    text = csv_text("annex3", [row("annex3", head_name=sample, village=" 东山 ")])
    pkg = package_with(tmp_path, text, encoding)
    t = table(pkg, "annex3")
    rows = list(t.rows)
    assert t.encoding == reported
    assert next(i for i in pkg.inputs if i["path"] == "annex3.csv")["encoding"] == reported
    assert rows[0][0] == 2
    cells = dict(zip(names("annex3"), rows[0][1], strict=True))
    assert cells["head_name"] == sample
    assert cells["village"] == " 东山 "  # cells are raw, not stripped
    assert [c.field for c in t.columns] == names("annex3")
    assert ("S004" in rules_of(pkg)) == (reported == "gb18030")
    assert "S003" not in rules_of(pkg)


def test_utf16_with_bom_and_tabs(tmp_path):
    text = csv_text("annex3", [row("annex3", head_name="杨丽")], sep="\t")
    pkg = package_with(tmp_path, "\ufeff" + text, "utf-16-le")
    t = table(pkg, "annex3")
    assert t.encoding == "utf-16"
    assert list(t.rows)[0][1][names("annex3").index("head_name")] == "杨丽"


def test_undecodable_byte_is_reported_with_its_line(tmp_path):
    good = csv_text("annex3", [row("annex3"), row("annex3"), row("annex3")]).encode("utf-8")
    lines = good.split(b"\n")
    lines[2] = lines[2].replace("值".encode(), b"\xff", 1)
    pkg = package_with(tmp_path, b"\n".join(lines))
    t = table(pkg, "annex3")
    rows = list(t.rows)
    bad = [f for f in pkg.findings if f.rule == "S003"]
    assert [f.row for f in bad] == [3]
    assert t.encoding == "utf-8"
    assert "\ufffd" in "".join(rows[1][1])
    assert bad[0].source == "annex3.csv" and "UTF-8" in bad[0].message


def test_one_gbk_line_in_a_utf8_file(tmp_path):
    head = csv_text("annex3", [row("annex3"), row("annex3")]).encode("utf-8")
    odd = ",".join(row("annex3", head_name="彝族")).encode("gbk") + b"\n"
    pkg = package_with(tmp_path, head + odd)
    assert table(pkg, "annex3").encoding == "utf-8"
    assert [f.row for f in pkg.findings if f.rule == "S003"] == [4]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_delimiters(tmp_path, sep):
    pkg = package_with(tmp_path, csv_text("annex3", [row("annex3", seq="7")], sep=sep))
    t = table(pkg, "annex3")
    assert list(t.rows)[0][1][0] == "7"
    assert all(c.field for c in t.columns)


def test_multiline_quoted_field_uses_the_line_where_the_record_starts(tmp_path):
    r1 = row("annex3", release_reason='"家庭收入\n已稳定\n超过监测线"')
    r2 = row("annex3", seq="2")
    pkg = package_with(tmp_path, csv_text("annex3", [r1, r2]))
    rows = list(table(pkg, "annex3").rows)
    assert [n for n, _ in rows] == [2, 5]
    assert rows[0][1][names("annex3").index("release_reason")] == "家庭收入\n已稳定\n超过监测线"


def test_blank_rows_between_data_are_reported_trailing_ones_are_not(tmp_path):
    text = csv_text("annex3", [row("annex3")]) + "\n,,,\n" + ",".join(row("annex3", seq="2")) + "\n\n ,\n\n"
    pkg = package_with(tmp_path, text)
    rows = list(table(pkg, "annex3").rows)
    assert [n for n, _ in rows] == [2, 5]
    blanks = [f for f in pkg.findings if f.rule == "S012"]
    assert [(f.row, f.severity) for f in blanks] == [(3, "warning")]
    assert "2个空行" in blanks[0].message


def test_short_rows_are_padded_and_extra_cells_reported(tmp_path):
    n = len(titles("annex3"))
    text = csv_text("annex3", [["1", "黄坪镇"], row("annex3") + ["", "多余"]])
    pkg = package_with(tmp_path, text)
    rows = list(table(pkg, "annex3").rows)
    assert [len(r) for _, r in rows] == [n, n]
    assert rows[0][1][2:] == [""] * (n - 2)
    extra = [f for f in pkg.findings if f.rule == "S013"]
    assert len(extra) == 1 and extra[0].row == 3
    from validator.findings import column_letter

    assert extra[0].cell == f"{column_letter(n + 1)}3"


def test_title_line_above_the_header_is_meta(tmp_path):
    text = "附件3 鹤庆县返贫致贫预警解除登记表,,,\n填报单位（盖章）：黄坪镇,,报告月份：2020-07,\n" + csv_text(
        "annex3", [row("annex3")]
    )
    pkg = package_with(tmp_path, text)
    t = table(pkg, "annex3")
    assert t.header_row == 3
    assert list(t.rows)[0][0] == 4
    assert t.meta["title"] == "附件3 鹤庆县返贫致贫预警解除登记表"
    assert t.meta["header_block"] == {"填报单位": "黄坪镇", "报告月份": "2020-07"}


def test_english_field_names_as_headers(tmp_path):
    pkg = package_with(tmp_path, csv_text("annex3", [row("annex3")], header=names("annex3")))
    t = table(pkg, "annex3")
    assert [c.field for c in t.columns] == names("annex3")
    assert not [f for f in pkg.findings if f.rule.startswith("S0") and f.resource == "annex3"]


def test_header_normalisation_full_width_and_spaces(tmp_path):
    header = titles("annex3")
    i = names("annex3").index("income_per_capita_release")
    header[i] = " 解除时家庭人均\u3000可支配收入(元)* "
    header[names("annex3").index("village")] = "村委会(社区)"
    pkg = package_with(tmp_path, csv_text("annex3", [], header=header))
    t = table(pkg, "annex3")
    assert t.columns[i].field == "income_per_capita_release"
    assert t.columns[i].header == "解除时家庭人均\u3000可支配收入(元)*"
    assert [c.field for c in t.columns] == names("annex3")


def test_missing_unknown_and_duplicate_columns(tmp_path):
    header = titles("annex3")
    rm = names("annex3").index("release_way")
    header[rm] = "解除办法"  # unknown, so release_way (required) is missing
    header.append("备注")  # duplicate of remark
    pkg = package_with(tmp_path, csv_text("annex3", [], header=header))
    t = table(pkg, "annex3")
    by_rule = {f.rule: f for f in pkg.findings}
    assert by_rule["S009"].field == "release_way"
    assert "解除方式" in by_rule["S009"].message and "release_way" in by_rule["S009"].message
    assert by_rule["S010"].column == "解除办法" and by_rule["S010"].cell == f"{t.columns[rm].letter}1"
    assert by_rule["S011"].column == "备注"
    assert t.columns[rm].field is None and t.columns[-1].field is None
    assert [c.field for c in t.columns].count("remark") == 1


def test_optional_column_may_be_left_out(tmp_path):
    keep = [t for t, n in zip(titles("annex3"), names("annex3"), strict=True) if n != "remark"]
    pkg = package_with(tmp_path, csv_text("annex3", [], header=keep))
    assert not [f for f in pkg.findings if f.resource == "annex3"]


def test_header_not_found(tmp_path):
    pkg = package_with(tmp_path, "甲,乙,丙\n1,2,3\n")
    assert "S008" in rules_of(pkg)
    assert not [t for t in pkg.tables if t.resource == "annex3"]


def test_blank_only_csv(tmp_path):
    pkg = package_with(tmp_path, "\n\n,,\n")
    assert "S020" in rules_of(pkg)


def test_empty_file_alone_is_an_input_error(tmp_path):
    write(tmp_path / "annex1.csv", b"")
    with pytest.raises(InputError, match="空"):
        open_package([tmp_path / "annex1.csv"])


def test_empty_file_in_a_package_is_a_finding(tmp_path):
    pkg = package_with(tmp_path, b"")
    f = next(f for f in pkg.findings if f.rule == "S002")
    assert f.source == "annex3.csv" and f.severity == "error"


def test_open_files_several_csvs_from_bytes():
    pkg = open_files(
        [
            ("manifest.csv", manifest_csv().encode("utf-8-sig")),
            ("附件1.csv", csv_text("annex1", [row("annex1")]).encode("gb18030")),
        ]
    )
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1"]
    assert [t.encoding for t in pkg.tables] == ["utf-8-sig", "gb18030"]
    assert list(pkg.tables[1].rows)[0][0] == 2


def test_numbering_row_under_headers_is_skipped(tmp_path):
    n = len(titles("annex3"))
    text = csv_text("annex3", [[str(i) for i in range(1, n + 1)], row("annex3")])
    rows = list(table(package_with(tmp_path, text), "annex3").rows)
    assert [r for r, _ in rows] == [3]


def test_semicolons_inside_list_cells_do_not_change_the_delimiter(tmp_path):
    few = ["序号", "原风险类型", "户主姓名"]
    text = "\n".join([",".join(few), "1,因病;因残;因学;因灾,张三", "2,因病;因残;因学,李四"]) + "\n"
    t = table(package_with(tmp_path, text), "annex3")
    assert [c.field for c in t.columns] == ["seq", "risk_types", "head_name"]
    assert list(t.rows)[0][1][1] == "因病;因残;因学;因灾"


@pytest.fixture
def default_csv_field_limit():
    """frictionless raises csv's process-wide field size limit when it is imported by another
    test; these tests are about Python's default limit, so pin it."""
    old = csv.field_size_limit(131072)
    yield
    csv.field_size_limit(old)


def test_malformed_csv_stops_with_a_finding_not_a_traceback(tmp_path, default_csv_field_limit):
    huge = "x" * 200_000  # beyond csv's field size limit
    rows = [row("annex3", seq=str(i)) for i in range(1, 31)]
    rows.insert(25, row("annex3", remark=huge))
    pkg = package_with(tmp_path, csv_text("annex3", rows))
    got = list(table(pkg, "annex3").rows)
    assert [n for n, _ in got] == list(range(2, 27))
    f = next(f for f in pkg.findings if f.rule == "S001")
    assert f.row == 27 and f.severity == "error" and f.source == "annex3.csv"


def test_malformed_csv_head_makes_the_file_unreadable(tmp_path, default_csv_field_limit):
    pkg = package_with(tmp_path, csv_text("annex3", [row("annex3", remark="x" * 200_000)]))
    f = next(f for f in pkg.findings if f.rule == "S001")
    assert "第2行" in f.message
    assert "annex3" not in [t.resource for t in pkg.tables]


def test_units_in_headers_and_suggestions_for_near_misses(tmp_path):
    header = titles("annex3")
    header[names("annex3").index("household_size")] = "家庭人口数（人）"
    header[names("annex3").index("head_id")] = "户主身份证号码"
    pkg = package_with(tmp_path, csv_text("annex3", [], header=header))
    t = table(pkg, "annex3")
    assert t.columns[names("annex3").index("household_size")].field == "household_size"
    unknown = next(f for f in pkg.findings if f.rule == "S010")
    assert unknown.column == "户主身份证号码" and "是否应为“户主身份证号”" in unknown.message
    assert [f.field for f in pkg.findings if f.rule == "S009"] == ["head_id"]


def test_header_block_in_separate_cells_without_colons(tmp_path):
    above = "附件3,,,,\n鹤庆县返贫致贫预警解除登记表,,,,\n填报单位（盖章）,黄坪镇,填报人,,审核人,李明\n"
    t = table(package_with(tmp_path, above + csv_text("annex3", [])), "annex3")
    assert t.header_row == 4
    assert t.meta["title"] == "附件3 鹤庆县返贫致贫预警解除登记表"
    assert t.meta["header_block"] == {"填报单位": "黄坪镇", "填报人": None, "审核人": "李明"}
