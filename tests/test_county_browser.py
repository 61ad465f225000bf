"""The county page's in-browser tool in headless Chromium (127.0.0.1 only, every other host blocked).

The month's township packages are dropped in as a county clerk would (one file per township,
or the whole month's folder); the page's intake summary must be the one `fpjc rollup` gives for
the same files, and the meeting workbook it offers must hold what `fpjc county prepare` writes.
Nothing leaves the machine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from checker_support import Server, add_page, build_minimal_site, chromium_available, launch

from validator.builders import county_month

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

TODAY = county_month.TODAY.isoformat()
READY_MS = 120_000
CHECK_MS = 180_000


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("month") / "2020-07"
    county_month.write_month(root)
    return root


@pytest.fixture(scope="module")
def county_page(playwright, tmp_path_factory):
    site = tmp_path_factory.mktemp("county-site")
    build_minimal_site(site)
    name = add_page(site, "county.html", ' data-mode="county"')
    with Server(site) as server:
        context = launch(playwright, tmp_path_factory.mktemp("profile"))
        outside: list[str] = []
        context.on(
            "request",
            lambda r: (
                None if r.url.startswith(("http://127.0.0.1", "blob:", "data:")) else outside.append(r.url)
            ),
        )
        page = context.new_page()
        page.goto(server.url + name)
        page.wait_for_function(
            "() => ['ready', 'failed', 'timeout'].includes(document.getElementById('fpjc-checker').dataset.state)",
            timeout=READY_MS,
        )
        assert page.get_attribute("#fpjc-checker", "data-state") == "ready", page.inner_text("#fpjc-checker")
        page.outside = outside
        yield page
        context.close()


def _drop(page, selector: str, files) -> None:
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.fill(".fpjc-ck-today", TODAY)
    page.set_input_files(selector, files)
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').dataset.checked) > n",
        arg=before,
        timeout=CHECK_MS,
    )
    assert page.get_attribute("#fpjc-checker", "data-state") == "done", page.inner_text(".fpjc-ck-message")


def _download(page, selector: str, folder: Path | None = None) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    if folder is None:
        return Path(info.value.path())
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def _cli_rollup(folder: Path, capsys) -> dict:
    from validator.cli import main

    assert main(["rollup", str(folder), "--today", TODAY, "--format", "json", "--jobs", "1"]) in (0, 1)
    return json.loads(capsys.readouterr().out)


def test_month_folder_gives_the_cli_intake_and_meeting_workbook(county_page, month, tmp_path, capsys):
    page = county_page
    _drop(page, ".fpjc-ck-folder", str(month))
    shown = json.loads(_download(page, "a.fpjc-ck-json").read_text(encoding="utf-8"))
    assert shown == _cli_rollup(month, capsys)
    text = page.inner_text(".fpjc-ck-result")
    assert "辛屯镇：迟报2天" in text and "列入研判26户" in text

    # The meeting workbook the page offers is the one `fpjc county prepare` writes.
    from test_county_month import workbook_text

    from validator.cli import main

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    book = _download(page, "a.fpjc-ck-meeting", downloads)
    assert book.name == "县级研判工作簿-2020-07.xlsx"
    assert (
        main(["county", "prepare", str(month), "--today", TODAY, "-o", str(tmp_path / "cli.xlsx"), "-j", "1"])
        == 0
    )
    capsys.readouterr()
    assert workbook_text(book) == workbook_text(tmp_path / "cli.xlsx")
    agenda = _download(page, "a.fpjc-ck-agenda").read_text(encoding="utf-8")
    assert agenda == (tmp_path / "研判会议议程-2020-07.html").read_text(encoding="utf-8")
    assert page.outside == []


def test_files_dropped_one_per_township(county_page, month, tmp_path, capsys):
    """Workbooks and zips picked as files; a CSV package must come as a folder or a zip."""
    page = county_page
    picked = tmp_path / "picked"
    picked.mkdir()
    for entry in month.iterdir():
        if entry.is_dir():
            shutil.make_archive(str(picked / entry.name), "zip", entry)
        else:
            shutil.copy(entry, picked / entry.name)
    (picked / "说明.txt").write_text("收文登记", encoding="utf-8")
    _drop(page, ".fpjc-ck-input:not(.fpjc-ck-folder)", sorted(str(p) for p in picked.iterdir()))
    shown = json.loads(_download(page, "a.fpjc-ck-json").read_text(encoding="utf-8"))
    expected = _cli_rollup(picked, capsys)
    assert shown == expected
    assert shown["ignored"] == ["说明.txt"] and shown["totals"]["counted"] == 9
    assert page.outside == []


def _ledger_answers(path: Path) -> dict:
    from validator.ledger import queries
    from validator.ledger.store import open_ledger

    with open_ledger(path, write=False) as ledger:
        return {
            "status": queries.status(ledger.conn),
            "stock": queries.stock(ledger.conn),
            "overdue": queries.overdue(ledger.conn),
            "summary": {k: v for k, v in ledger.summary().items() if k != "path"},
        }


def _add_to_ledger(page, ledger: Path | None) -> None:
    before = int(page.get_attribute("#fpjc-checker", "data-ledger") or 0)
    if ledger is not None:
        page.set_input_files(".fpjc-ck-ledger-input", str(ledger))
    page.click(".fpjc-ck-ledger-add")
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').dataset.ledger || 0) > n",
        arg=before,
        timeout=CHECK_MS,
    )
    assert page.get_attribute("#fpjc-checker", "data-state") == "done", page.inner_text(".fpjc-ck-message")
    assert not page.inner_text(".fpjc-ck-message").strip(), page.inner_text(".fpjc-ck-message")


def test_the_ledger_is_opened_updated_and_handed_back(county_page, month, tmp_path, capsys):
    """台账 in the browser: the month's packages into a new ledger, the file saved, opened again
    and the same month added (nothing changes); the answers are the command line's."""
    from validator.cli import main

    page = county_page
    _drop(page, ".fpjc-ck-folder", str(month))
    _add_to_ledger(page, None)
    saved = _download(page, "a.fpjc-ck-ledger-file", tmp_path)
    assert saved.suffix == ".sqlite"
    text = page.inner_text(".fpjc-ck-ledger-result")
    assert "新入账" in text and "逐个报送包" in text
    cli = tmp_path / "cli.sqlite"
    assert main(["ledger", "add", str(cli), str(month), "--today", TODAY, "-j", "1"]) in (0, 1)
    capsys.readouterr()
    expected = _ledger_answers(cli)
    assert _ledger_answers(saved) == expected
    status = _download(page, "a.fpjc-ck-ledger-status").read_text(encoding="utf-8")
    assert main(["ledger", "status", str(cli), "--format", "html"]) == 0
    assert status == capsys.readouterr().out.replace(str(cli), saved.name)

    # The saved file opened again with the same month: recognised by content, nothing changes.
    _drop(page, ".fpjc-ck-folder", str(month))
    _add_to_ledger(page, saved)
    again = _download(page, "a.fpjc-ck-ledger-file", tmp_path / "again")
    assert "新入账0个" in page.inner_text(".fpjc-ck-ledger-summary")
    assert _ledger_answers(again) == expected
    assert page.outside == []


def test_a_damaged_ledger_is_refused_in_the_browser(county_page, month, tmp_path):
    page = county_page
    broken = tmp_path / "鹤庆县台账.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    _drop(page, ".fpjc-ck-folder", str(month))
    _add_to_ledger(page, broken)
    text = page.inner_text(".fpjc-ck-ledger-result")
    assert "台账文件不能使用" in text and "鹤庆县台账.sqlite" in text
    assert page.outside == []
