"""The 在线校验 page in headless Chromium, served from 127.0.0.1 with every other host blocked.

Each example package is uploaded the way a clerk would (file chooser, or several CSVs, or a zip);
the JSON report the page offers for download must hold the same findings as the CPython report
for the same files, and the grouped findings on the page must match the renderers' grouping.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from checker_support import (
    ROOT,
    Server,
    add_page,
    build_minimal_site,
    chromium_available,
    launch,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

EXAMPLES = ROOT / "examples"
TODAY = "2020-10-20"
READY_MS = 120_000
CHECK_MS = 120_000


def _example_inputs() -> list[tuple[str, list[Path]]]:
    cases = []
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        cases.append((path.name, [path]))
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        cases.append((folder.name + "/*.csv", sorted(folder.glob("*.csv"))))
    return cases


CASES = _example_inputs()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("checker-site")
    build_minimal_site(root)
    return root


@pytest.fixture(scope="module")
def server(site):
    with Server(site) as s:
        yield s


@pytest.fixture(scope="module")
def context(playwright, tmp_path_factory):
    ctx = launch(playwright, tmp_path_factory.mktemp("profile"))
    yield ctx
    ctx.close()


def _watch(context, page) -> None:
    page.outside = []

    # Requests of the page and of its worker; anything not local would be a leak.
    def listener(request):
        if not request.url.startswith(("http://127.0.0.1", "blob:", "data:", "file:")):
            page.outside.append(request.url)

    context.on("request", listener)
    page.listener = listener


@pytest.fixture
def page(context):
    """A fresh page, for tests about starting up."""
    page = context.new_page()
    _watch(context, page)
    yield page
    context.remove_listener("request", page.listener)
    page.close()


@pytest.fixture(scope="module")
def checker(context, server):
    """One ready checker page shared by the tests that upload files (it is reused like a clerk would)."""
    page = context.new_page()
    _watch(context, page)
    _ready_page(page, server.url)
    yield page
    context.remove_listener("request", page.listener)
    page.close()


def _state(page) -> str:
    return page.get_attribute("#fpjc-checker", "data-state")


def _wait_state(page, states, timeout=READY_MS) -> str:
    wanted = json.dumps(list(states))
    page.wait_for_function(
        f"() => {wanted}.includes(document.getElementById('fpjc-checker').getAttribute('data-state'))",
        timeout=timeout,
    )
    return _state(page)


def _ready_page(page, url):
    page.goto(url)
    state = _wait_state(page, ["ready", "failed", "timeout"])
    assert state == "ready", page.inner_text("#fpjc-checker")


def _check(page, files: list[Path]) -> dict:
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.fill(".fpjc-ck-today", TODAY)
    page.set_input_files(".fpjc-ck-input", [str(f) for f in files])
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n",
        arg=before,
        timeout=CHECK_MS,
    )
    assert _state(page) == "done", page.inner_text(".fpjc-ck-message")
    with page.expect_download() as info:
        page.click("a.fpjc-ck-json")
    return json.loads(Path(info.value.path()).read_text(encoding="utf-8"))


def _cpython(paths: list[Path]) -> dict:
    from validator.api import validate

    return validate(paths, today=dt.date.fromisoformat(TODAY))


def _cli(paths: list[Path]) -> dict:
    """`fpjc validate --format json` itself, as a clerk's colleague would run it."""
    cmd = [
        sys.executable,
        "-m",
        "validator",
        "validate",
        "--format",
        "json",
        "--today",
        TODAY,
        *map(str, paths),
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _comparable(report: dict) -> dict:
    # Only where the files came from may differ: a path on disk versus a name in the browser.
    return {k: v for k, v in report.items() if k not in ("inputs", "name")}


@pytest.mark.parametrize("label, files", CASES, ids=[c[0] for c in CASES])
def test_page_findings_equal_cpython_report(checker, label, files):
    page = checker
    browser = _check(page, files)
    expected = _cli(files)
    assert browser["findings"] == expected["findings"]
    assert _comparable(browser) == _comparable(expected)

    # What the page shows: the renderers' groups, in order, with their counts, and every
    # shown value masked as in the report.
    from validator.render.grouping import group

    groups = group(expected["findings"])
    shown = page.eval_on_selector_all(
        ".fpjc-ck-group", "els => els.map(e => [e.dataset.rule, e.dataset.severity, Number(e.dataset.count)])"
    )
    assert shown == [[g["rule"], g["severity"], g["count"]] for g in groups]
    s = expected["summary"]
    for severity in ("error", "warning", "info"):
        assert page.inner_text(f'[data-count="{severity}"]').startswith(str(s[severity]))
    values = page.eval_on_selector_all(".fpjc-ck-value", "els => els.map(e => e.textContent)")
    # A group whose places all lack a value shows no value column (no empty columns).
    expected_values = [
        "" if f.get("value") is None else str(f["value"])
        for g in groups
        if any(f.get("value") is not None for f in g["examples"])
        for f in g["examples"]
    ]
    assert values == expected_values
    assert page.outside == []


def test_zip_upload_and_downloads(checker, tmp_path):
    page = checker
    folder = EXAMPLES / "errors-id-numbers"
    archive = tmp_path / "errors-id-numbers.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    browser = _check(page, [archive])
    expected = _cpython([archive])
    assert browser["findings"] == expected["findings"]
    assert any(f["field"] == "head_id" for f in browser["findings"])
    # No ID number of the input appears unmasked anywhere on the page.
    text = page.inner_text("#fpjc-checker")
    ids = set()
    for f in folder.glob("*.csv"):
        ids.update(re.findall(r"\d{17}[\dXx]", f.read_text(encoding="utf-8")))
    assert ids and not [i for i in ids if i in text or i.upper() in text]

    with page.expect_download() as info:
        page.click("a.fpjc-ck-html")
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert "<html" in html and expected["findings"][0]["message"].split("“")[0][:6] in html
    with page.expect_download() as info:
        page.click("a.fpjc-ck-xlsx")
    import openpyxl

    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "errors-id-numbers.校验结果.xlsx"
    wb = openpyxl.load_workbook(saved)
    assert "校验结果" in wb.sheetnames


def test_workbook_annotated_download(checker, tmp_path):
    page = checker
    _check(page, [EXAMPLES / "errors-dates.xlsx"])
    with page.expect_download() as info:
        page.click("a.fpjc-ck-xlsx")
    assert info.value.suggested_filename == "errors-dates.校验结果.xlsx"
    import openpyxl

    saved = tmp_path / "annotated.xlsx"
    info.value.save_as(saved)
    wb = openpyxl.load_workbook(saved)
    assert wb.sheetnames[0] == "校验结果"
    assert {"附件1", "附件2", "附件3"} <= set(wb.sheetnames)


@pytest.mark.parametrize(
    "files",
    [[EXAMPLES / "valid-2020-07.xlsx"], sorted((EXAMPLES / "valid-2020-07").glob("*.csv"))],
    ids=["workbook", "csv"],
)
def test_the_annotated_download_is_masked_like_the_page(checker, tmp_path, files):
    """The browser's workbook follows the CLI's rule: no full ID, phone or name of the clerk's data."""
    import openpyxl

    page = checker
    _check(page, files)
    with page.expect_download() as info:
        page.click("a.fpjc-ck-xlsx")
    saved = tmp_path / "annotated.xlsx"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as z:
        text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    full = re.compile(r"(?<![0-9])(?:[1-9][0-9]{5}(?:19|20)[0-9]{7}[0-9Xx]|1[3-9][0-9]{9})(?![0-9Xx])")
    assert full.findall(text) == []
    names = set()
    for f in sorted((EXAMPLES / "valid-2020-07").glob("*.csv")):
        for row in csv.DictReader(f.open(encoding="utf-8")):
            names.update(row.get(k) for k in ("head_name", "helper", "preparer", "reviewer") if row.get(k))
    assert names and not [n for n in names if n in text]
    assert "个人信息已打码" in openpyxl.load_workbook(saved)["校验结果"]["A3"].value


def test_dropped_file_is_checked(checker):
    page = checker
    path = EXAMPLES / "errors-id-numbers.xlsx"
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.fill(".fpjc-ck-today", TODAY)
    page.evaluate(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name));
            const drop = document.querySelector(".fpjc-ck-drop");
            drop.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
            drop.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
        }""",
        [path.name, base64.b64encode(path.read_bytes()).decode()],
    )
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n", arg=before
    )
    shown = page.eval_on_selector_all(".fpjc-ck-group", "els => els.map(e => Number(e.dataset.count))")
    assert sum(shown) == len(_cli([path])["findings"]) > 0


def test_unreadable_input_says_what_the_cli_says(checker, tmp_path):
    page = checker
    archive = tmp_path / "说明.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("说明.txt", "不是报送表")
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.set_input_files(".fpjc-ck-input", [str(archive)])
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n", arg=before
    )
    assert _state(page) == "unreadable"
    cli = subprocess.run(
        [sys.executable, "-m", "validator", "validate", "--format", "json", str(archive)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert cli.returncode == 2
    said = cli.stderr.strip().splitlines()[0]
    assert said.startswith("无法读取：")
    assert said.split("：", 1)[1].strip() in page.inner_text(".fpjc-ck-message")


def test_personal_data_in_file_names_stays_masked_on_the_page(checker, tmp_path):
    """A file named after a household head: the page, the report and every download mask it."""
    secret = "张秘密_110101199003075555"
    page = checker
    files = []
    for f in sorted((EXAMPLES / "valid-2020-07").glob("*.csv")):
        target = tmp_path / (f"{secret}.csv" if f.name == "annex1.csv" else f.name)
        target.write_bytes(f.read_bytes())
        files.append(target)
    report = _check(page, files)
    shown = page.inner_text("#fpjc-checker") + json.dumps(report, ensure_ascii=False)
    with page.expect_download() as info:
        page.click("a.fpjc-ck-html")
    shown += Path(info.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as info:
        page.click("a.fpjc-ck-xlsx")
    shown += info.value.suggested_filename
    with zipfile.ZipFile(info.value.path()) as z:
        shown += "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert "110101199003075555" not in shown and "张秘密" not in shown
    assert "张**_110101********5555" in shown
    broken = tmp_path / f"{secret}.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.set_input_files(".fpjc-ck-input", [str(broken)])
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n", arg=before
    )
    message = page.inner_text(".fpjc-ck-message")
    assert message and "110101199003075555" not in message and "张秘密" not in message


def test_file_too_large_is_refused_in_chinese(checker, tmp_path):
    page = checker
    big = tmp_path / "big.csv"
    big.write_bytes(b"a," * (10 * 1024 * 1024 + 1))  # just over 20 MB
    before = _state(page)
    page.set_input_files(".fpjc-ck-input", [str(big)])
    message = page.inner_text(".fpjc-ck-message")
    assert "文件太大" in message and "20.0 MB" in message
    assert _state(page) == before  # nothing was sent to the worker


def test_unsupported_file_type(checker, tmp_path):
    page = checker
    old = tmp_path / "旧表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    page.set_input_files(".fpjc-ck-input", [str(old)])
    assert "另存为 .xlsx" in page.inner_text(".fpjc-ck-message")


def test_file_url_says_open_by_address(page, site):
    page.goto((site / "index.html").as_uri())
    assert _state(page) == "file"
    assert "请通过网址打开本页" in page.inner_text(".fpjc-ck-message")


def test_unsupported_browser(page, server):
    page.add_init_script("delete window.WebAssembly;")
    page.goto(server.url)
    assert _state(page) == "unsupported"
    message = page.inner_text(".fpjc-ck-message")
    assert "当前浏览器不支持在线校验" in message and "WebAssembly" in message


def test_startup_timeout_message(page, site):
    # A host that never delivers the WebAssembly module: the page must say so, not hang.
    name = add_page(site, "slow.html", ' data-timeout-ms="3000"')
    with Server(site, stall=".wasm") as slow:
        page.goto(slow.url + name)
        assert _wait_state(page, ["timeout", "failed", "ready"], timeout=30_000) == "timeout"
        assert "校验器启动超时" in page.inner_text(".fpjc-ck-message")


def test_strict_content_security_policy_is_reported_not_a_hang(page, site):
    # A host whose CSP forbids compiling WebAssembly: Pyodide cannot start; the clerk must be told.
    name = add_page(site, "csp.html", ' data-timeout-ms="5000"')
    csp = {"Content-Security-Policy": "default-src 'self'; script-src 'self'"}
    with Server(site, headers=csp) as strict:
        page.goto(strict.url + name)
        state = _wait_state(page, ["timeout", "failed", "ready"], timeout=60_000)
    assert state in ("timeout", "failed")
    message = page.inner_text(".fpjc-ck-message")
    assert "校验器启动超时" in message or "校验器没有启动成功" in message


def test_tampered_wheel_is_refused(page, tmp_path):
    # Pyodide checks each wheel against our lock's sha256; a changed file must stop the start-up
    # with a message, not run unverified code.
    site = tmp_path / "site"
    info = build_minimal_site(site)
    wheel = next((site / "checker" / info["packages"]).glob("et_xmlfile-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    with Server(site) as s:
        page.goto(s.url)
        assert _wait_state(page, ["ready", "failed", "timeout"]) == "failed"
    message = page.inner_text(".fpjc-ck-message")
    assert "校验器没有启动成功" in message and "packages" in message


def _start(page, url) -> str:
    """Open the checker at `url`; how it started ("snapshot" or "full")."""
    page.goto(url)
    state = _wait_state(page, ["ready", "failed", "timeout"])
    assert state == "ready", page.inner_text("#fpjc-checker")
    return page.get_attribute("#fpjc-checker", "data-start")


def test_the_shared_checker_runs_from_the_build_time_snapshot(checker):
    # Every comparison with CPython in this module runs on the page started from the snapshot.
    assert checker.get_attribute("#fpjc-checker", "data-start") == "snapshot"


def test_the_snapshot_is_downloaded_and_a_workbook_is_checked(page, site):
    snapshots = sorted((site / "checker").glob("snapshot-*.gz"))
    assert len(snapshots) == 1
    with Server(site) as s:  # a new address: nothing of it in the browser's cache
        assert _start(page, s.url) == "snapshot"
        fetched = [p.split("?")[0] for p in s.paths]
        assert f"/checker/{snapshots[0].name}" in fetched
        # Started from the snapshot, the compiled workbook reader (python-calamine) is loaded after
        # "ready"; a workbook picked at once waits for it and gives the command line's findings.
        workbook = sorted(EXAMPLES.glob("*.xlsx"))[0]
        assert _check(page, [workbook])["findings"] == _cli([workbook])["findings"]
        # Then the worker checks the site's fictional example once, so that the browser compiles
        # what a check runs before the clerk's file arrives; the clerk's results stay on the page.
        page.wait_for_function(
            "() => document.getElementById('fpjc-checker').hasAttribute('data-exercised-ms')",
            timeout=READY_MS,
        )
        assert "/checker/warmup.xlsx" in [p.split("?")[0] for p in s.paths]
        assert _state(page) == "done"
        with page.expect_download() as info:
            page.click("a.fpjc-ck-json")
        kept = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert kept["findings"] == _cli([workbook])["findings"]
    assert page.outside == []


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_without_a_usable_snapshot_the_full_start_takes_over(page, site, tmp_path, damage):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    snapshot = next((copy / "checker").glob("snapshot-*.gz"))
    if damage == "missing":
        snapshot.unlink()
    else:
        data = bytearray(snapshot.read_bytes())
        data[len(data) // 2] ^= 0xFF
        snapshot.write_bytes(bytes(data))
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if "without the snapshot" in m.text else None)
    with Server(copy) as s:
        assert _start(page, s.url) == "full"
        workbook = sorted(EXAMPLES.glob("*.xlsx"))[0]
        assert _check(page, [workbook])["findings"] == _cli([workbook])["findings"]
        assert "/checker/warmup.xlsx" not in [p.split("?")[0] for p in s.paths]  # a full start is warm
    assert warnings, "the worker says why it did not use the snapshot"


def test_loading_progress_is_shown(page, server):
    page.goto(server.url)
    page.wait_for_function(
        "() => document.querySelector('.fpjc-ck-status-text').textContent.includes('/4）')"
    )
    assert "正在" in page.inner_text(".fpjc-ck-status-text")
    _wait_state(page, ["ready"])
    assert "校验器已就绪" in page.inner_text(".fpjc-ck-status-text")


def test_no_worker_on_a_page_without_the_checker(page, server, site):
    (site / "other.html").write_text(
        '<!doctype html><meta charset="utf-8"><p>其他页面</p><script src="checker/checker.js"></script>',
        encoding="utf-8",
    )
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server.url + "other.html")
    page.wait_for_load_state("networkidle")
    assert any(u.endswith("checker.js") for u in requested)
    assert not [u for u in requested if "worker.mjs" in u or "pyodide" in u or ".whl" in u]


INSTANT_NAVIGATION = """
window.__made = [];
window.__ended = 0;
const Base = window.Worker;
const terminate = Base.prototype.terminate;
Base.prototype.terminate = function () { window.__ended += 1; return terminate.call(this); };
window.Worker = class extends Base {
  constructor(url, options) { super(url, options); if (String(url).includes("worker.mjs")) window.__made.push(String(url)); }
};
// Material's document$: replays the current document to each subscriber, emits on every page swap.
window.document$ = {
  subscribers: [],
  subscribe(f) { this.subscribers.push(f); f(document); },
  next() { this.subscribers.forEach((f) => f(document)); },
};
"""


def test_instant_navigation_starts_and_stops_the_worker(page, server):
    page.add_init_script(INSTANT_NAVIGATION)
    page.goto(server.url)
    page.wait_for_function("() => window.__made.length === 1")
    ended = page.evaluate("() => window.__ended")
    # Navigate "away": the checker element disappears, the worker must end, none may start.
    page.evaluate(
        "() => { document.getElementById('fpjc-checker').replaceWith(document.createElement('p')); document$.next(); }"
    )
    assert page.evaluate("() => window.__ended") == ended + 1
    assert page.evaluate("() => window.__made.length") == 1
    # And back: a fresh checker starts and gets ready.
    page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'fpjc-checker'; document.body.appendChild(d); document$.next(); }"
    )
    assert page.evaluate("() => window.__made.length") == 2
    assert _wait_state(page, ["ready", "failed", "timeout"]) == "ready"


def test_real_site_check_page(page, built_site):
    """The page as the MkDocs build publishes it (the session's fresh build, not a stale build/)."""
    root = built_site.path
    locks = list((root / "checker").glob("packages-*/pyodide-lock.json"))
    assert len(locks) == 1, "the built site has no checker (or two): is checker_build called by the hook?"
    with Server(root) as s:
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(s.url)
        page.wait_for_load_state("networkidle")
        assert not [u for u in requested if "pyodide" in u], "the home page must stay light"
        _ready_page(page, s.url + "check/")
        report = _check(page, [EXAMPLES / "errors-id-numbers.xlsx"])
        assert report["findings"] == _cpython([EXAMPLES / "errors-id-numbers.xlsx"])["findings"]
        assert page.outside == []


def _check_with(page, files: list[Path], today: str) -> dict:
    before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
    page.fill(".fpjc-ck-today", today)
    page.set_input_files(".fpjc-ck-input", [str(f) for f in files])
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n",
        arg=before,
        timeout=CHECK_MS,
    )
    assert _state(page) == "done", page.inner_text(".fpjc-ck-message")
    with page.expect_download() as info:
        page.click("a.fpjc-ck-json")
    return json.loads(Path(info.value.path()).read_text(encoding="utf-8"))


def _cli_with(paths: list[Path], today: str, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "validator", "validate", "--format", "json", "--today", today, *extra]
    result = subprocess.run(
        [*cmd, *map(str, paths)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _settings_state(page) -> str:
    return page.get_attribute("#fpjc-checker", "data-settings")


def _pick_settings(page, path: Path) -> None:
    before = int(page.get_attribute("#fpjc-checker", "data-settings-checked") or 0)
    page.set_input_files(".fpjc-ck-settings-input", [str(path)])
    # The page reads the file asynchronously; wait for the worker's answer about this very file.
    page.wait_for_function(
        "n => Number(document.getElementById('fpjc-checker').getAttribute('data-settings-checked')) > n",
        arg=before,
        timeout=CHECK_MS,
    )


def test_a_county_settings_file_changes_a_line_and_a_2027_holiday_in_the_browser(checker, tmp_path):
    """The county file the clerk picks changes what the browser checks exactly as --settings does."""
    from test_notice_reading import COUNTY_2027, _package_2027, _settings_file

    page = checker
    folder = _package_2027(tmp_path)
    files = sorted(folder.glob("*.csv"))
    county = _settings_file(tmp_path, COUNTY_2027)
    today = "2027-08-10"
    try:
        plain = _check_with(page, files, today)
        assert plain["settings"]["source"] == "builtin"
        assert {"C001", "C002", "R004"} <= {f["rule"] for f in plain["findings"]}
        assert plain["findings"] == _cli_with(files, today)["findings"]

        _pick_settings(page, county)
        assert _settings_state(page) == "county"
        shown = page.inner_text(".fpjc-ck-settings-text")
        assert "县设置.json" in shown and "2027年监测线：3000元" in shown and "节假日补充：2天" in shown

        local = _check_with(page, files, today)
        expected = _cli_with(files, today, "--settings", str(county))
        assert local["findings"] == expected["findings"]
        assert local["settings"] == expected["settings"]
        assert local["options"]["settings"] == "县设置.json"
        rules = {f["rule"] for f in local["findings"]}
        assert not rules & {"C001", "C002", "R004"} and "R001" in rules
        assert "县设置文件 县设置.json" in page.inner_text(".fpjc-ck-settings-used")

        # Remembered in this browser: a new visit of the page uses it again.
        page.reload()
        _wait_state(page, ["ready"])
        page.wait_for_function(
            "() => document.getElementById('fpjc-checker').getAttribute('data-settings') === 'county'",
            timeout=CHECK_MS,
        )
        assert page.outside == []
    finally:
        page.click(".fpjc-ck-settings-clear")
    assert _settings_state(page) == "builtin"
    again = _check_with(page, files, today)
    assert again["settings"]["source"] == "builtin" and "C002" in {f["rule"] for f in again["findings"]}


def test_a_broken_county_settings_file_is_refused_in_chinese(checker, tmp_path):
    page = checker
    bad = tmp_path / "坏设置.json"
    bad.write_text(
        '{"monitoring_line": {"rows": [{"year": 2026, "amount": "8700元", "source": "x"}]}}', encoding="utf-8"
    )
    _pick_settings(page, bad)
    message = page.inner_text(".fpjc-ck-message")
    assert "这个县设置文件不能使用" in message and "金额（amount）应为数或null" in message
    assert _settings_state(page) == "builtin"
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "validator",
            "validate",
            str(EXAMPLES / "valid-2020-07"),
            "--settings",
            str(bad),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert cli.returncode == 2 and cli.stderr.strip() in message


def test_the_stage_control_checks_what_is_submitted(checker, tmp_path):
    page = checker
    folder = tmp_path / "pkg"
    import shutil

    shutil.copytree(EXAMPLES / "valid-2020-07", folder)
    manifest = (folder / "manifest.csv").read_text(encoding="utf-8").replace(",否,是,", ",否,否,")
    (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    files = sorted(folder.glob("*.csv"))
    assert page.input_value(".fpjc-ck-stage") == "draft"
    draft = _check_with(page, files, "2020-08-10")
    assert draft["valid"] and draft["options"]["stage"] == "draft"
    assert "自查通过" in page.inner_text(".fpjc-ck-summary")
    try:
        page.select_option(".fpjc-ck-stage", "submit")
        submit = _check_with(page, files, "2020-08-10")
    finally:
        page.select_option(".fpjc-ck-stage", "draft")
    expected = _cli_with(files, "2020-08-10", "--stage", "submit")
    assert submit["findings"] == expected["findings"] and not submit["valid"]
    assert [f["severity"] for f in submit["findings"] if f["rule"] == "T008"] == ["error"]


def test_example_button_shows_a_clean_result_a_clerk_can_act_on(page, built_site, artefacts):
    """用示例文件试一试 on the published page: the site's filled example passes; the screen has the
    checklist, one plain line for the county's checks, no option names, hidden sheets, library
    names or paths, and the downloads named after the file, annotated workbook first."""
    with Server(built_site.path) as s:
        page.set_viewport_size({"width": 1366, "height": 900})
        _ready_page(page, s.url + "check/")
        before = int(page.get_attribute("#fpjc-checker", "data-checked") or 0)
        page.click("button.fpjc-ck-example")
        page.wait_for_function(
            "n => Number(document.getElementById('fpjc-checker').getAttribute('data-checked')) > n",
            arg=before,
            timeout=CHECK_MS,
        )
        assert _state(page) == "done", page.inner_text(".fpjc-ck-message")
        page.wait_for_selector("a.fpjc-ck-html", timeout=CHECK_MS)
        text = page.inner_text(".fpjc-ck-result")
        assert "通过" in page.inner_text(".fpjc-ck-result .admonition-title")
        for word in (
            "--history",
            "--roster",
            "_fpjc",
            "openpyxl",
            "chinesecalendar",
            "site-packages",
            "/tmp/",
        ):
            assert word not in text, word
        assert page.locator(".fpjc-ck-not-run").count() <= 1
        checklist = page.locator(".fpjc-ck-checklist li").all_inner_texts()
        assert len(checklist) >= 4 and any("盖章" in line for line in checklist), checklist
        links = page.locator(".fpjc-ck-downloads a")
        names = [links.nth(i).get_attribute("download") for i in range(links.count())]
        assert [n.rsplit(".", 1)[-1] for n in names] == ["xlsx", "html", "json"], names
        assert all(n.startswith("填报示例（虚构数据）") for n in names), names
        page.screenshot(path=str(artefacts / "clerk-check-example-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artefacts / "clerk-check-example-phone.png"), full_page=True)
        assert page.outside == []
