"""Inputs: folders, descriptors, zips (slip, bombs), in-memory files, limits, resource names."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest
from reading_fixtures.make import csv_text, manifest_csv, row, titles, workbook, write, zip_bytes

from validator.reading import Limits, open_files, open_package
from validator.reading.headers import recognise_name
from validator.reading.sources import unsafe_path
from validator.tables import InputError


def rules_of(pkg):
    return [f.rule for f in pkg.findings]


def folder(tmp_path, **files):
    root = tmp_path / "pkg"
    for name, text in files.items():
        write(root / name, text)
    return root


@pytest.mark.parametrize(
    "name, form_id",
    [
        ("报送信息", "manifest"),
        ("manifest", "manifest"),
        ("附件1", "annex1"),
        ("annex1", "annex1"),
        ("ANNEX2", "annex2"),
        ("附件1 鹤庆县返贫预警情况统计表", "annex1"),
        ("附件１：鹤庆县返贫预警情况统计表", "annex1"),
        ("黄坪镇附件3", "annex3"),
        ("鹤庆县致贫预警情况统计表", "annex2"),
        ("民主评议记录", "appraisal"),
        ("assistance", "assistance"),
        ("附件10", None),
        ("annex12", None),
        ("Sheet1", None),
        ("填表说明", None),
    ],
)
def test_recognise_name(name, form_id):
    assert recognise_name(name) == form_id


def test_folder_without_descriptor(tmp_path):
    root = folder(
        tmp_path,
        **{
            "manifest.csv": manifest_csv(),
            "附件1.csv": csv_text("annex1", [row("annex1")]),
            "盖章扫描件.pdf": "%PDF",
            ".DS_Store": "x",
            "其他.csv": "a,b\n1,2\n",
        },
    )
    pkg = open_package([root])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1"]
    found = {f.rule: f for f in pkg.findings}
    assert found["S017"].source == "盖章扫描件.pdf" and found["S017"].severity == "info"
    assert found["S006"].source == "其他.csv"
    assert set(found) == {"S006", "S017"}
    assert pkg.name == str(root)


def test_descriptor_resources_and_refused_paths(tmp_path):
    outside = write(tmp_path / "secret.csv", csv_text("annex2", [row("annex2")]))
    descriptor = {
        "resources": [
            {"name": "manifest", "path": "manifest.csv"},
            {"name": "annex1", "path": "data/a1.csv"},
            {"name": "annex2", "path": "../secret.csv"},
            {"name": "annex3", "path": "https://example.org/annex3.csv"},
            {"name": "appraisal", "path": str(outside)},
            {"name": "screening", "path": "nowhere.csv"},
        ]
    }
    root = folder(
        tmp_path,
        **{
            "datapackage.json": json.dumps(descriptor),
            "manifest.csv": manifest_csv(),
            "data/a1.csv": csv_text("annex1", [row("annex1")]),
            "annex2.csv": csv_text("annex2", [row("annex2")]),
        },
    )
    pkg = open_package([root])
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1"]
    refused = [f for f in pkg.findings if f.rule == "S015"]
    assert len(refused) == 3 and all(f.source == "datapackage.json" for f in refused)
    assert any("网址" in f.message for f in refused)
    assert any("绝对路径" in f.message for f in refused)
    assert any(".." in f.message for f in refused)
    assert "S018" in rules_of(pkg)
    unlisted = [f for f in pkg.findings if f.rule == "S017"]
    assert [f.source for f in unlisted] == ["annex2.csv"]
    assert not any(i["path"].endswith("secret.csv") for i in pkg.inputs)


@pytest.mark.parametrize(
    "path, bad",
    [
        ("annex1.csv", False),
        ("data/annex1.csv", False),
        ("../annex1.csv", True),
        ("data/../../x.csv", True),
        ("/etc/passwd", True),
        ("C:\\data\\a.csv", True),
        ("\\\\server\\share\\a.csv", True),
        ("http://x/a.csv", True),
        ("//x/a.csv", True),
        ("file:///tmp/a.csv", True),
        (["a.csv", "b.csv"], True),
    ],
)
def test_unsafe_paths(path, bad):
    assert bool(unsafe_path(path)) == bad


def test_invalid_descriptor_falls_back_to_names(tmp_path):
    root = folder(tmp_path, **{"datapackage.json": "{resources: ", "manifest.csv": manifest_csv()})
    pkg = open_package([root])
    assert "S016" in rules_of(pkg)
    assert [t.resource for t in pkg.tables] == ["manifest"]


def test_descriptor_file_as_path(tmp_path):
    root = folder(
        tmp_path,
        **{
            "datapackage.json": json.dumps({"resources": [{"name": "报送信息", "path": "m.csv"}]}),
            "m.csv": manifest_csv(),
        },
    )
    pkg = open_package([root / "datapackage.json"])
    assert [t.resource for t in pkg.tables] == ["manifest"]


def test_zip_with_top_folder(tmp_path):
    data = zip_bytes(
        {
            "黄坪镇7月/manifest.csv": manifest_csv(),
            "黄坪镇7月/annex3.csv": csv_text("annex3", [row("annex3")]),
        }
    )
    path = write(tmp_path / "包.zip", data)
    for pkg in (open_package([path]), open_files([("包.zip", data)])):
        assert [t.resource for t in pkg.tables] == ["manifest", "annex3"]
        assert [n for n, _ in pkg.tables[1].rows] == [2]
        assert pkg.inputs[0]["kind"] == "zip"
        assert rules_of(pkg) == []


def test_zip_with_gbk_member_names(tmp_path):
    # Windows' built-in zip stores Chinese names in GBK without the UTF-8 flag.
    raw = zip_bytes({"xxxx3.csv": csv_text("annex3", [row("annex3")])})
    raw = raw.replace(b"xxxx3.csv", "附件3.csv".encode("gbk"))
    pkg = open_files([("p.zip", raw)])
    assert [t.resource for t in pkg.tables] == ["annex3"]
    assert pkg.tables[0].source == "附件3.csv"


def test_zip_slip_is_refused(tmp_path):
    data = zip_bytes({"manifest.csv": manifest_csv(), "../../evil.csv": "x"})
    path = write(tmp_path / "p.zip", data)
    with pytest.raises(InputError, match="不安全|以外"):
        open_package([path])
    assert not (tmp_path.parent / "evil.csv").exists()


def test_zip_bomb_is_refused(tmp_path):
    bomb = zip_bytes({"annex1.csv": b"0" * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(InputError, match="压缩炸弹"):
        open_files([("bomb.zip", bomb)])


def test_zip_with_too_many_members(tmp_path):
    data = zip_bytes({f"{i}.csv": "a" for i in range(30)})
    with pytest.raises(InputError, match="上限"):
        open_files([("many.zip", data)], limits=Limits(max_zip_members=20))


def test_zip_total_size_limit(tmp_path):
    data = zip_bytes({"manifest.csv": manifest_csv(), "annex1.csv": "序号\n" + "1\n" * 100_000})
    with pytest.raises(InputError, match="上限"):
        open_files([("big.zip", data)], limits=Limits(max_zip_total=100_000))


def test_corrupt_zip(tmp_path):
    data = zip_bytes({"manifest.csv": manifest_csv()})
    with pytest.raises(InputError, match="损坏"):
        open_files([("p.zip", data[:40])])


def test_oversized_file(tmp_path):
    path = write(tmp_path / "annex1.csv", csv_text("annex1", [row("annex1")] * 10))
    with pytest.raises(InputError, match="上限"):
        open_package([path], limits=Limits(max_file_bytes=100))
    write(tmp_path / "manifest.csv", manifest_csv())
    pkg = open_package([tmp_path], limits=Limits(max_file_bytes=1000))
    assert "S001" in rules_of(pkg) and [t.resource for t in pkg.tables] == ["manifest"]


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="找不到"):
        open_package([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="没有找到"):
        open_package([tmp_path / "empty"])
    with pytest.raises(InputError):
        open_package([])


def test_unsupported_file_type(tmp_path):
    with pytest.raises(InputError, match="不支持"):
        open_package([write(tmp_path / "a.pdf", "%PDF-1.4")])


def test_missing_manifest_is_a_finding(tmp_path):
    pkg = open_package([write(tmp_path / "附件1.csv", csv_text("annex1", []))])
    assert [f.rule for f in pkg.findings] == ["S005"]
    assert pkg.findings[0].severity == "error"


def test_duplicate_resource(tmp_path):
    root = folder(
        tmp_path,
        **{
            "manifest.csv": manifest_csv(),
            "annex3.csv": csv_text("annex3", []),
            "附件3.csv": csv_text("annex3", []),
        },
    )
    pkg = open_package([root])
    f = next(f for f in pkg.findings if f.rule == "S007")
    assert f.source == "附件3.csv" and "annex3.csv" in f.message
    assert [t.source for t in pkg.tables if t.resource == "annex3"] == ["annex3.csv"]


def test_several_paths_make_one_package(tmp_path):
    m = write(tmp_path / "manifest.csv", manifest_csv())
    wb = workbook(tmp_path / "annexes.xlsx", {"附件1": [titles("annex1")], "附件2": [titles("annex2")]})
    pkg = open_package([m, wb], name="七月")
    assert [t.resource for t in pkg.tables] == ["manifest", "annex1", "annex2"]
    assert pkg.name == "七月" and [i["kind"] for i in pkg.inputs] == ["csv", "xlsx"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_out_of_the_folder_is_not_followed(tmp_path):
    outside = write(tmp_path / "outside" / "annex1.csv", csv_text("annex1", [row("annex1")]))
    root = folder(tmp_path, **{"manifest.csv": manifest_csv()})
    os.symlink(outside, root / "annex1.csv")
    pkg = open_package([root])
    assert [t.resource for t in pkg.tables] == ["manifest"]


def test_browser_folder_upload_with_relative_paths():
    pkg = open_files(
        [("pkg/manifest.csv", manifest_csv().encode()), ("pkg/annex3.csv", csv_text("annex3", []).encode())]
    )
    assert [t.resource for t in pkg.tables] == ["manifest", "annex3"]


def test_damaged_zip_member_is_a_finding_not_a_traceback():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.csv", manifest_csv())
        zf.writestr("annex3.csv", csv_text("annex3", [row("annex3")]))
    data = bytearray(buf.getvalue())
    at = data.find("值".encode())
    data[at : at + 3] = "错".encode()  # same length, so only the CRC check notices
    pkg = open_files([("p.zip", bytes(data))])
    for t in pkg.tables:
        list(t.rows)
    f = next(f for f in pkg.findings if f.rule == "S001")
    assert f.source == "annex3.csv"
    assert [t.resource for t in pkg.tables] == ["manifest"]


def test_input_records(tmp_path):
    root = folder(
        tmp_path,
        **{
            "datapackage.json": json.dumps({"resources": [{"name": "manifest", "path": "manifest.csv"}]}),
            "manifest.csv": manifest_csv(),
        },
    )
    pkg = open_package([root])
    assert [(i["kind"], i["path"]) for i in pkg.inputs] == [
        ("folder", str(root)),
        ("datapackage", "datapackage.json"),
        ("csv", "manifest.csv"),
    ]
