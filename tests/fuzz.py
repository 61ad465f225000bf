"""Fuzzing the readers and the report writers with mutated real files: seeded, reproducible.

Every case starts from the committed examples (the CSV folders, the workbooks, zips of them,
CSV text re-encoded as UTF-8, GB18030 or UTF-16), mutates it (bytes, CSV cells and shapes,
workbook XML and zip members, file names, datapackage.json), runs one command exactly as a
user would (`fpjc validate` in every format, `fpjc rollup`, or the online checker's
Python side) and asserts:

- the exit status is 0, 1 or 2, and nothing says "内部错误" or shows a traceback;
- the case ends within `--timeout` seconds, and the process stays under `--memory-mb`
  (enforced with RLIMIT_AS in the worker processes of the command below);
- every input file is byte for byte what it was (hashes before and after);
- no full ID number or mobile number appears in any masked output (stdout, stderr, the
  report file, every part of an annotated workbook, the checker's JSON, HTML and workbook).

Case `i` of seed `s` is always the same input, so a failure is reproduced by its number.
The test suite runs a bounded number (tests/test_fuzz.py); many more from the repository root:

    python -m tests.fuzz --cases 100000 --jobs 2 --save test-artifacts/fuzz
    python -m tests.fuzz --replay 4711            # one case again, with its traceback
    python -m tests.fuzz --show 4711 --out DIR    # write a case's files to look at them

Failing cases are written to `--save` (default test-artifacts/fuzz/, gitignored) with the
command line that failed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TODAY = "2020-08-10"
POSIX_NAMES = sys.platform not in ("win32", "darwin")  # any bytes in a file name

# A full ID number with a plausible birth date, or a mobile number: what masked output must not hold.
UNMASKED = re.compile(
    r"(?<![0-9])(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"|[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}"
    r"|1[3-9][0-9]{9})(?![0-9Xx])"
)


class CaseTimeout(BaseException):
    """Raised by the alarm inside a case; BaseException so that no `except Exception` hides it."""


# --- the material: real files from the repository -------------------------------------------------


@dataclass
class Seeds:
    csv_packages: list[dict[str, bytes]]  # one per example folder: file name → bytes
    workbooks: list[bytes]  # example workbooks, most trimmed to a few data rows

    @classmethod
    def load(cls) -> Seeds:
        packages = []
        for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
            packages.append({f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()})
        books = []
        for book in sorted(EXAMPLES.glob("*.xlsx")):
            data = book.read_bytes()
            books += [_trim_workbook(data, 6), _trim_workbook(data, 12)]
        books.append((EXAMPLES / "valid-2020-07.xlsx").read_bytes())
        return cls(packages, books)


def _trim_workbook(data: bytes, last_row: int) -> bytes:
    """The workbook without rows after `last_row` in its sheets: a small, still valid workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = body.decode("utf-8")
                text = re.sub(
                    r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)',
                    lambda m: m.group(0) if int(m.group(1)) <= last_row else "",
                    text,
                    flags=re.S,
                )
                body = text.encode("utf-8")
            z.writestr(info.filename, body)
    return out.getvalue()


# --- mutations ---------------------------------------------------------------------------------

PALETTE = [
    "",
    " ",
    "张三",
    "欧阳娜娜",
    "阿依古丽·买买提",
    "110101199003075555",
    "11010119900307555X",
    "532932197702195832",
    "110101900307555",
    "13812345678",
    "0872-1234567",
    "1.10101199003076E+17",
    "=1+1",
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    "2020-13-45",
    "2020/7/1",
    "44048",
    "-1",
    "1e308",
    "NaN",
    "是",
    "否",
    "因病、因残",
    "因病,,因残、、",
    "黄坪镇",
    "黄坪",
    "\x00",
    "\x07\x1b[31m",
    "\u202e反向",
    "😀" * 3,
    "\ufeff",
    "\r",
    "a\nb",
    '"',
    '""',
    "，",
    "、",
    "附件1",
    "户主身份证号",
    "序号",
    "9" * 40,
]

BYTE_TOKENS = [
    b'"',
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"=",
    b"\t",
    b";",
    "、".encode(),
    "张三".encode(),
    "张三".encode("gbk"),
    b"110101199003075555",
    b"13812345678",
    b"\xe4\xb8",
    b"\x80\x81\x82",
    b"<",
    b">",
    b"&",
    b"&a;",
    b"]]>",
    b'<!DOCTYPE x [<!ENTITY a "b">]>',
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
]

XML_TOKENS = [
    '<row r="99999999999"/>',
    '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
    '<c r="XFD3"><v>1</v></c>',
    '<c r="XFE3"><v>1</v></c>',
    '<c r="1A"><v>1</v></c>',
    '<c r="B3" t="s"><v>999999</v></c>',
    '<c r="B3" t="n"><v>abc</v></c>',
    '<c r="B3" t="d"><v>2020-99-99</v></c>',
    '<c r="B3" t="e"><v>#REF!</v></c>',
    '<c r="B3" t="inlineStr"><is><t>110101199003075555</t></is></c>',
    '<c r="F4" t="n"><v>110101199003075555</v></c>',
    '<c r="K4" t="n"><v>13812345678</v></c>',
    "&amp;&lt;&#0;&#xFFFF;",
    '<!DOCTYPE x [<!ENTITY a "b">]>',
    '<mergeCell ref="A1:XFD1048576"/>',
    '<dimension ref="A1:XFD1048576"/>',
    "",
]

CSV_NAMES = {
    "manifest.csv": ["manifest.csv", "报送信息.csv", "报送信息 (1).csv"],
    "annex1.csv": ["annex1.csv", "附件1.csv", "附件1 返贫预警.csv", "张秘密_110101199003075555.csv"],
    "annex2.csv": ["annex2.csv", "附件2.csv", "13812345678李四.csv"],
    "annex3.csv": ["annex3.csv", "附件3.csv"],
}


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[at:at] = rng.choice(BYTE_TOKENS)
        elif op == 2:
            del buf[at : at + rng.randint(1, 64)]
        elif op == 3:
            piece = bytes(buf[at : at + rng.randint(1, 256)])
            buf[at:at] = piece * rng.randint(1, 20)
        elif op == 4:
            del buf[at:]
        elif op == 5:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            buf[at:at] = rng.choice(BYTE_TOKENS) * rng.randint(100, 5000)
    return bytes(buf)


def _split(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()]


def mutate_csv(rng: random.Random, data: bytes, *, rows: int | None = None) -> bytes:
    """Mutate a CSV file's cells and shape, then encode it in one of the supported encodings."""
    text = data.decode("utf-8-sig", "replace")
    table = _split(text)
    if rows is not None:
        table = table[: rows + 1]
    for _ in range(rng.randint(1, 5)):
        if not table:
            table = [["序号"]]
        r = rng.randrange(len(table))
        if not table[r]:
            table[r] = [""]
        op = rng.randrange(12)
        if op <= 3:  # a cell becomes something from the palette
            row = table[r]
            row[rng.randrange(len(row))] = rng.choice(PALETTE)
        elif op == 4:  # a column more or less on one row
            if rng.random() < 0.5:
                table[r].insert(rng.randrange(len(table[r]) + 1), rng.choice(PALETTE))
            elif len(table[r]) > 1:
                del table[r][rng.randrange(len(table[r]))]
        elif op == 5:
            table.insert(r, [""] * rng.randint(0, 3))
        elif op == 6:
            table.insert(r, list(table[r]))
        elif op == 7:  # shifted row: a name lands in a number column
            table[r].insert(1, rng.choice(["张三丰", "李四", "13912345678"]))
        elif op == 8:  # a very long cell, sometimes beyond csv's field limit
            table[r][0] = rng.choice(["备注", '"备注']) * rng.choice([100, 30_000, 70_000])
        elif op == 9:  # very wide row
            table[r] += [""] * rng.choice([100, 5_000, 20_000])
        elif op == 10:
            table[r] = [rng.choice(PALETTE) for _ in range(rng.randint(0, 30))]
        else:
            del table[r]
    sep = rng.choice([",", ",", ",", "\t", ";"])
    newline = rng.choice(["\n", "\r\n", "\r"])
    out = newline.join(sep.join(row) for row in table)
    if rng.random() < 0.8:
        out += newline
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"])
    body = out.encode(encoding, "replace")
    return mutate_bytes(rng, body) if rng.random() < 0.15 else body


def mutate_xml(rng: random.Random, text: str) -> str:
    op = rng.randrange(6)
    if op == 0:  # a row or column index beyond Excel's limits, or a broken reference
        return re.sub(
            r'r="([A-Z]{1,3})(\d+)"',
            lambda m: rng.choice(
                [f'r="XFD{m.group(2)}"', f'r="{m.group(1)}99999999999"', 'r="1A"', m.group(0)]
            ),
            text,
            count=rng.randint(1, 3),
        )
    if op == 1:
        at = text.find("<sheetData>")
        if at >= 0:
            at += len("<sheetData>")
            return text[:at] + rng.choice(XML_TOKENS) + text[at:]
    if op == 2:  # text of a cell
        return re.sub(
            r"<t>[^<]*</t>",
            lambda m: f"<t>{_xml_escape(rng.choice(PALETTE))}</t>",
            text,
            count=rng.randint(1, 5),
        )
    if op == 3:  # numbers of a cell
        return re.sub(
            r"<v>[^<]*</v>",
            lambda m: "<v>" + rng.choice(["1e308", "-0", "110101199003075555", "x", ""]) + "</v>",
            text,
            count=rng.randint(1, 5),
        )
    if op == 4:  # drop a piece
        a = rng.randrange(len(text) + 1)
        return text[:a] + text[a + rng.randint(1, 200) :]
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(XML_TOKENS) + text[at:]


def _xml_escape(s: str) -> str:
    s = "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 32)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mutate_workbook(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.1:
        return mutate_bytes(rng, data)
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        members = [(i.filename, zin.read(i)) for i in zin.infolist()]
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(members))
        name, body = members[k]
        op = rng.randrange(10)
        if op <= 5 and name.endswith((".xml", ".rels")):
            text = body.decode("utf-8", "replace")
            body = mutate_xml(rng, text).encode(rng.choice(["utf-8", "utf-8", "utf-16", "gbk"]), "replace")
            members[k] = (name, body)
        elif op == 6:
            del members[k]
        elif op == 7:
            members[k] = (name, mutate_bytes(rng, body))
        elif op == 8:  # the hidden version sheet or the workbook's sheet list
            target = rng.choice(["xl/workbook.xml", "xl/worksheets/sheet7.xml", "xl/_rels/workbook.xml.rels"])
            for j, (n, b) in enumerate(members):
                if n == target:
                    members[j] = (n, mutate_xml(rng, b.decode("utf-8", "replace")).encode("utf-8"))
        else:
            members.append((name, body))  # a duplicate member
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])) as z:
        with warnings_off():
            for name, body in members:
                z.writestr(name, body)
    return out.getvalue()


@contextlib.contextmanager
def warnings_off():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def mutate_descriptor(rng: random.Random, data: bytes) -> bytes:
    op = rng.randrange(6)
    if op == 0:
        depth = rng.choice([50, 2_000, 100_000])
        return ("[" * depth + "]" * depth).encode()
    if op == 1:
        depth = rng.choice([50, 2_000, 100_000])
        return ('{"resources": ' + '{"a":' * depth + "1" + "}" * depth + "}").encode()
    if op == 2:
        try:
            doc = json.loads(data)
            for res in doc.get("resources", []):
                res["path"] = rng.choice(
                    [
                        "../x.csv",
                        "/etc/passwd",
                        "http://x/y.csv",
                        "a\\..\\b.csv",
                        ["annex1.csv", "x"],
                        5,
                        None,
                    ]
                )
                break
            return json.dumps(doc, ensure_ascii=False).encode()
        except (ValueError, AttributeError):
            return data
    if op == 3:
        return b'{"resources": "x"}'
    return mutate_bytes(rng, data)


# --- cases ----------------------------------------------------------------------------------------


@dataclass
class Case:
    number: int
    kind: str  # validate | rollup | browser
    files: dict[str, bytes]  # relative path (POSIX, may hold GBK bytes escaped) → content
    target: list[str]  # positional arguments, relative to the case folder
    fmt: str = "text"
    history: str | None = None
    roster: str | None = None
    show: bool = False
    note: str = ""
    raw_names: dict[str, bytes] = field(default_factory=dict)  # relative path → name bytes (GBK)


def make_case(seeds: Seeds, seed: int, number: int) -> Case:
    rng = random.Random(seed * 1_000_003 + number)
    roll = rng.random()
    if roll < 0.42:
        files, target, note = _csv_folder(rng, seeds)
    elif roll < 0.67:
        files, target, note = _workbook(rng, seeds)
    elif roll < 0.80:
        files, target, note = _zip(rng, seeds)
    elif roll < 0.85:
        files, target, note = _single_csv(rng, seeds)
    elif roll < 0.91:
        files, target, note = _month(rng, seeds)
        case = Case(
            number, "rollup", files, target, fmt=rng.choice(["text", "json", "html", "csv"]), note=note
        )
        if rng.random() < 0.3:
            case.target += ["--reports", "reports"]
        return case
    else:
        files, target, note = _csv_folder(rng, seeds) if rng.random() < 0.6 else _workbook(rng, seeds)
        return Case(number, "browser", files, target, note=note)
    fmt = rng.choices(
        ["text", "json", "html", "xlsx"], weights=[30, 30, 20, 8 if note.startswith("workbook") else 20]
    )[0]
    case = Case(number, "validate", files, target, fmt=fmt, note=note, show=rng.random() < 0.05)
    if rng.random() < 0.06:
        ids = rng.choice(["身份证号\n532932197702195832\n", "head_id\n110101199003075555\n", "x\n1\n", ""])
        case.files["roster.csv"] = mutate_csv(rng, ids.encode()) if rng.random() < 0.5 else ids.encode()
        case.roster = "roster.csv"
    if rng.random() < 0.06:
        hist, _, _ = _csv_folder(rng, seeds, prefix="history/2020-06/")
        case.files.update(hist)
        case.history = "history"
    if POSIX_NAMES and rng.random() < 0.05:  # a GBK file name, as unzip leaves it
        for name in list(case.files):
            if name.endswith(".csv") and name.startswith("pkg/"):
                case.raw_names[name] = (
                    b"pkg/" + rng.choice(["附件1", "张三", "报送信息"]).encode("gbk") + b".csv"
                )
                break
    return case


def _csv_folder(rng, seeds: Seeds, prefix: str = "pkg/") -> tuple[dict[str, bytes], list[str], str]:
    package = rng.choice(seeds.csv_packages)
    rows = rng.choice([None, 1, 2, 3, 5])
    files = {}
    for name, data in package.items():
        if name == "datapackage.json":
            if rng.random() < 0.5:
                files[prefix + name] = mutate_descriptor(rng, data) if rng.random() < 0.4 else data
            continue
        if rng.random() < 0.05:
            continue  # a table missing
        shown = rng.choice(CSV_NAMES.get(name, [name])) if rng.random() < 0.3 else name
        files[prefix + shown] = mutate_csv(rng, data, rows=rows) if rng.random() < 0.7 else data
    if rng.random() < 0.05:
        files[
            prefix + rng.choice(["x.ods", "x.xlsb", "x.xls", "~$x.xlsx", ".hidden.csv", "sub/annex1.csv"])
        ] = mutate_bytes(rng, b"PK\x03\x04")
    return files, ["pkg"], "csv folder"


def _workbook(rng, seeds: Seeds) -> tuple[dict[str, bytes], list[str], str]:
    data = rng.choice(seeds.workbooks)
    data = mutate_workbook(rng, data) if rng.random() < 0.85 else data
    name = rng.choice(["book.xlsx", "book.xlsx", "报送.xlsm", "张秘密_110101199003075555.xlsx"])
    return {name: data}, [name], "workbook"


def _zip(rng, seeds: Seeds) -> tuple[dict[str, bytes], list[str], str]:
    inner, _, _ = _csv_folder(rng, seeds, prefix="")
    if rng.random() < 0.2:
        inner = {"book.xlsx": mutate_workbook(rng, rng.choice(seeds.workbooks))}
    buffer = io.BytesIO()
    folder = rng.choice(["", "", "松桂镇/", "a/b/"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in inner.items():
            z.writestr(folder + name, data)
        if rng.random() < 0.1:
            z.writestr(rng.choice(["../evil.csv", "/abs.csv", "__MACOSX/._annex1.csv", "inner.zip"]), b"x")
    data = buffer.getvalue()
    if rng.random() < 0.1:
        placeholder = b"annex1.csv"
        gbk = "附件一.csv".encode("gbk")[: len(placeholder)].ljust(len(placeholder), b"_")
        data = data.replace(placeholder, gbk)  # GBK bytes without the UTF-8 flag
    if rng.random() < 0.1:
        data = mutate_bytes(rng, data)
    return {"pkg.zip": data}, ["pkg.zip"], "zip"


def _single_csv(rng, seeds: Seeds) -> tuple[dict[str, bytes], list[str], str]:
    package = rng.choice(seeds.csv_packages)
    name = rng.choice(sorted(n for n in package if n.endswith(".csv")))
    shown = rng.choice(CSV_NAMES.get(name, [name]))
    return {shown: mutate_csv(rng, package[name], rows=rng.choice([None, 2]))}, [shown], "csv file"


def _month(rng, seeds: Seeds) -> tuple[dict[str, bytes], list[str], str]:
    files = {}
    for i in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.5:
            pkg, _, _ = _csv_folder(rng, seeds, prefix=f"month/t{i}/")
            files.update(pkg)
        elif kind < 0.8:
            files[f"month/t{i}.xlsx"] = mutate_workbook(rng, rng.choice(seeds.workbooks))
        else:
            pkg, _, _ = _zip(rng, seeds)
            files[f"month/t{i}.zip"] = pkg["pkg.zip"]
    return files, ["month"], "month folder"


# --- running a case ---------------------------------------------------------------------------------


@dataclass
class Result:
    number: int
    status: int | None
    seconds: float
    problems: list[str]
    command: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def write_case(case: Case, root: Path) -> None:
    for rel, data in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for rel, raw in case.raw_names.items():
        os.rename(os.fsencode(root / rel), os.fsencode(root) + b"/" + raw)


def _hashes(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            if os.path.isfile(p) and Path(p).relative_to(root).parts[0] not in ("out", "reports"):
                with open(p, "rb") as f:
                    out[p] = hashlib.sha256(f.read()).hexdigest()
    return out


def _leaks(text: str) -> list[str]:
    return UNMASKED.findall(text)


def _xlsx_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        return f"<unreadable annotated copy: {exc}>"


def command_of(case: Case) -> list[str]:
    if case.kind == "rollup":
        args = ["rollup", *case.target, "--today", TODAY, "--format", case.fmt, "--no-color"]
        return [*args, "--output", f"out/rollup.{case.fmt}"]
    args = ["validate", *case.target, "--today", TODAY, "--format", case.fmt, "--no-color"]
    if case.history:
        args += ["--history", case.history]
    if case.roster:
        args += ["--roster", case.roster]
    if case.show:
        args.append("--show-personal-data")
    if case.fmt == "xlsx" or case.number % 3 == 0:
        args += ["--output", f"out/report.{case.fmt}"]
    return args


def run_case(case: Case, *, timeout: float = 60.0, keep: Path | None = None) -> Result:
    """Run one case in this process; `keep` receives the case's files when it fails."""
    with tempfile.TemporaryDirectory(prefix="fpjc-fuzz-") as tmp:
        root = Path(tmp)
        write_case(case, root)
        before = _hashes(root)
        problems: list[str] = []
        detail = ""
        stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        stderr = io.StringIO()
        status = None
        args = command_of(case) if case.kind != "browser" else ["<browser>", *case.target]
        started = time.perf_counter()
        cwd = os.getcwd()
        alarm = _arm(timeout)
        try:
            os.chdir(root)
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), warnings_off():
                if case.kind == "browser":
                    status, extra = _browser(root, case)
                else:
                    from validator.cli import main

                    status = main(args)
                    extra = ""
        except CaseTimeout:
            problems.append(f"timeout: more than {timeout:.0f} s")
            extra = ""
        except BaseException as exc:  # noqa: BLE001 - any escape from the command is a finding
            problems.append(f"escaped: {type(exc).__name__}: {exc}"[:300])
            detail = traceback.format_exc()
            extra = ""
        finally:
            _disarm(alarm)
            os.chdir(cwd)
        seconds = time.perf_counter() - started
        stdout.flush()
        out_text = stdout.buffer.getvalue().decode("utf-8", "replace")
        err_text = stderr.getvalue()
        if status not in (0, 1, 2) and not problems:
            problems.append(f"exit status {status!r}")
        for marker in ("内部错误", "Traceback"):
            if marker in err_text or marker in out_text:
                problems.append(f"{marker}: {err_text.strip()[-300:]}")
        if _hashes(root) != before:
            problems.append("an input file changed")
        if not case.show:
            texts = [out_text, err_text, extra]
            for p in (root / "out").rglob("*") if (root / "out").exists() else ():
                if p.is_file():
                    texts.append(_xlsx_text(p) if p.suffix == ".xlsx" else p.read_text("utf-8", "replace"))
            leaked = sorted({x for t in texts for x in _leaks(t)})
            if leaked:
                problems.append(f"unmasked personal data in the output: {leaked[:3]}")
        result = Result(case.number, status, seconds, problems, " ".join(args), detail or err_text[-2000:])
        if problems and keep is not None:
            dest = keep / f"case-{case.number}"
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(root, dest, symlinks=True)
            (dest / "FAILED.txt").write_text(
                f"cd {dest} && fpjc {result.command}\n\n" + "\n".join(problems) + "\n\n" + result.detail,
                encoding="utf-8",
                errors="replace",
            )
        return result


def _browser(root: Path, case: Case) -> tuple[int, str]:
    """The online checker's Python side with the same files: check, then the two downloads."""
    sys.path.insert(0, str(ROOT / "site" / "checker"))
    try:
        import bridge
    finally:
        sys.path.pop(0)
    files = []
    for dirpath, _dirs, names in os.walk(root):
        for n in sorted(names):
            p = Path(dirpath) / n
            files.append((p.relative_to(root).as_posix().removeprefix("pkg/"), p.read_bytes()))
    result = bridge.check(files, TODAY)
    if "unreadable" in result:
        return 2, result["unreadable"]
    texts = [json.dumps(result, ensure_ascii=False)]
    exports = bridge.exports(files, result["report"])
    texts.append(exports["html"])
    if exports["xlsx"]:
        path = root.parent / f"{root.name}-annotated.xlsx"
        path.write_bytes(exports["xlsx"])
        texts.append(_xlsx_text(path))
        path.unlink()
    return (0 if result["report"]["valid"] else 1), "\n".join(texts)


def _arm(timeout: float):
    if not hasattr(signal, "SIGALRM") or sys.gettrace() is not None:
        return None
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def ring(signum, frame):
        raise CaseTimeout()

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    return old


def _disarm(old) -> None:
    if old is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


# --- the command: many cases in worker processes ---------------------------------------------------


def _worker(args) -> int:
    """Run cases [start, stop) and print one JSON line per case (START before each)."""
    seeds = Seeds.load()
    keep = Path(args.save) if args.save else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    for number in range(args.start, args.stop):
        print(json.dumps({"start": number}), flush=True)
        result = run_case(make_case(seeds, args.seed, number), timeout=args.timeout, keep=keep)
        print(
            json.dumps(
                {
                    "number": number,
                    "status": result.status,
                    "seconds": round(result.seconds, 3),
                    "problems": result.problems,
                    "rss": round(peak_rss_mb()),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
    return 0


def _limit_memory(megabytes: int):
    def apply():
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (megabytes * 1024 * 1024, megabytes * 1024 * 1024))
        except (ImportError, ValueError, OSError):
            pass
        os.nice(5) if hasattr(os, "nice") else None

    return apply


def _run_many(args) -> int:
    """Spread the cases over `--jobs` workers; a worker that dies or hangs costs one case, not the run."""
    started = time.time()
    pending = list(range(args.start, args.start + args.cases))
    chunks = [pending[i : i + args.chunk] for i in range(0, len(pending), args.chunk)]
    totals = {"cases": 0, "status": {}, "failures": 0, "slowest": [], "rss": 0}
    failures: list[dict] = []
    running: list[tuple[subprocess.Popen, list[int], float]] = []
    last_report = time.time()

    def spawn(chunk: list[int]) -> None:
        cmd = [
            sys.executable,
            "-m",
            "tests.fuzz",
            "--worker",
            "--seed",
            str(args.seed),
            "--start",
            str(chunk[0]),
            "--stop",
            str(chunk[-1] + 1),
            "--timeout",
            str(args.timeout),
        ]
        if args.save:
            cmd += ["--save", args.save]
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            preexec_fn=_limit_memory(args.memory_mb) if os.name == "posix" else None,
        )
        os.set_blocking(proc.stdout.fileno(), False)
        proc.partial = ""  # type: ignore[attr-defined]
        proc.current = None  # type: ignore[attr-defined]
        proc.seen = time.time()  # type: ignore[attr-defined]
        running.append((proc, chunk, time.time()))

    def record(line: dict) -> None:
        totals["cases"] += 1
        key = str(line["status"])
        totals["status"][key] = totals["status"].get(key, 0) + 1
        totals["slowest"] = sorted([*totals["slowest"], [line["seconds"], line["number"]]], reverse=True)[:5]
        totals["rss"] = max(totals["rss"], line.get("rss", 0))
        if line["problems"]:
            totals["failures"] += 1
            failures.append(line)
            print(f"  case {line['number']}: " + "; ".join(line["problems"]), flush=True)

    while chunks or running:
        while chunks and len(running) < args.jobs:
            spawn(chunks.pop(0))
        time.sleep(0.2)
        for entry in list(running):
            proc, chunk, _ = entry
            data = ""
            with contextlib.suppress(BlockingIOError, TypeError):
                data = proc.stdout.read() or ""
            if data:
                proc.seen = time.time()
                text = proc.partial + data
                *lines, proc.partial = text.split("\n")
                for raw in lines:
                    msg = json.loads(raw)
                    if "start" in msg:
                        proc.current = msg["start"]
                    else:
                        proc.current = None
                        record(msg)
            dead = proc.poll() is not None
            hung = time.time() - proc.seen > args.timeout * 3 + 30
            if dead or hung:
                if hung:
                    proc.kill()
                    proc.wait()
                running.remove(entry)
                if proc.current is not None:  # the case the worker died or hung in
                    record(
                        {
                            "number": proc.current,
                            "status": None,
                            "seconds": args.timeout,
                            "problems": ["worker " + ("hung" if hung else f"died ({proc.returncode})")],
                        }
                    )
                    rest = [n for n in chunk if n > proc.current]
                    if rest:
                        chunks.insert(0, rest)
        if time.time() - last_report > 60:
            last_report = time.time()
            rate = totals["cases"] / max(1.0, time.time() - started)
            print(
                f"{totals['cases']} cases, {totals['failures']} failing, {rate:.1f}/s, statuses {totals['status']}",
                flush=True,
            )
    elapsed = time.time() - started
    summary = {
        **totals,
        "seconds": round(elapsed),
        "seed": args.seed,
        "first": args.start,
        "failing_cases": [f["number"] for f in failures][:200],
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.summary:
        Path(args.summary).write_text(
            json.dumps({**summary, "failed": failures}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="how many cases (default 1000)")
    parser.add_argument("--start", type=int, default=0, help="number of the first case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--chunk", type=int, default=500, help="cases per worker process")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per case")
    parser.add_argument("--memory-mb", type=int, default=3072, help="address space per worker (RLIMIT_AS)")
    parser.add_argument(
        "--save", default=str(ROOT / "test-artifacts" / "fuzz"), help="folder for failing cases"
    )
    parser.add_argument("--summary", help="write the summary and every failure as JSON here")
    parser.add_argument("--replay", type=int, metavar="N", help="run case N here and print what happened")
    parser.add_argument("--show", type=int, metavar="N", help="write the files of case N to --out")
    parser.add_argument("--out", help="folder for --show")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    if args.replay is not None or args.show is not None:
        case = make_case(Seeds.load(), args.seed, args.replay if args.replay is not None else args.show)
        if args.show is not None:
            dest = Path(args.out or f"fuzz-case-{args.show}")
            write_case(case, dest)
            print(f"{dest}: fpjc {' '.join(command_of(case))}  ({case.kind}, {case.note})")
            return 0
        result = run_case(case, timeout=args.timeout)
        print(
            f"case {case.number} ({case.kind}, {case.note}): status {result.status}, {result.seconds:.2f} s"
        )
        print(result.command)
        print("\n".join(result.problems) or "no problem")
        if result.detail:
            print(result.detail)
        return 0 if result.ok else 1
    return _run_many(args)


if __name__ == "__main__":
    sys.exit(main())
