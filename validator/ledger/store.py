"""The ledger's SQLite file: schema, version, migrations, checks on opening, transactions.

One file per county. Everything that could leave it half-updated goes through `Ledger.writing()`:
one `BEGIN IMMEDIATE … COMMIT` (SQLite's rollback journal makes it atomic: a process killed in
the middle leaves a journal that the next open rolls back), with foreign keys on. A file is
never trusted blindly; `open_ledger` refuses with a Chinese message (`LedgerError`, exit status
2 in the commands) a file that

- is not an SQLite database, fails `PRAGMA integrity_check` or `foreign_key_check`, or whose
  facts do not add up to what was recorded for each file (kind "damaged");
- was left marked as being written (the completeness marker `meta.state`: "writing" is set at the
  start of every write transaction and set back to "complete" in the same transaction, so a
  committed file never says "writing"; it does only when a copy was taken mid-write or the
  journal was lost) (kind "damaged");
- is an SQLite file of something else (kind "foreign") or of a newer ledger format (kind "newer");
- cannot be written (kind "readonly"), is locked by another program (kind "locked"), or when the
  disk is full (kind "full").

A damaged ledger is rebuilt from the files (`fpjc ledger rebuild`): it is only an index of them.
An older format is migrated in place, one version at a time, each step in its own transaction
(`MIGRATIONS`).

Values are stored as text the way the standard writes them (dates YYYY-MM-DD, months YYYY-MM,
lists joined with 、), numbers as numbers, yes/no as 1/0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import validator
from validator import standard
from validator.tables import InputError

FORMAT = "fpjc-ledger"
SCHEMA_VERSION = 1
# version → the statements that take a ledger of that version to the next one. Empty while the
# first format is current; a format change adds its step here and raises SCHEMA_VERSION.
MIGRATIONS: dict[int, tuple[str, ...]] = {}

SQLITE_HEADER = b"SQLite format 3\x00"
FACT_TABLES = ("warnings", "releases", "decisions", "measures", "steps", "markings")
KINDS = ("township", "county")

_FACT_COLUMNS = """
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    row INTEGER NOT NULL,
    source TEXT,
    township TEXT,
    head_name TEXT,
    head_id TEXT NOT NULL CHECK (length(head_id) = 18)"""

SCHEMA = (
    """CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)""",
    """CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('township', 'county')),
    township TEXT,
    month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    submitted TEXT,
    deadline TEXT,
    days_late INTEGER,
    zero_report INTEGER CHECK (zero_report IN (0, 1)),
    warnings INTEGER NOT NULL DEFAULT 0,
    infos INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL,
    replaced_by INTEGER REFERENCES files(id) DEFERRABLE INITIALLY DEFERRED,
    facts INTEGER NOT NULL DEFAULT 0,
    CHECK (kind = 'county' OR township IS NOT NULL)
)""",
    # One current file per township and month, and one county record per month.
    "CREATE UNIQUE INDEX files_current ON files(kind, month, coalesce(township, '')) WHERE replaced_by IS NULL",
    """CREATE TABLE rejected (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT,
    township TEXT,
    month TEXT,
    submitted TEXT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    errors INTEGER NOT NULL DEFAULT 0,
    rules TEXT,
    added TEXT NOT NULL
)""",
    f"""CREATE TABLE warnings ({_FACT_COLUMNS},
    resource TEXT NOT NULL CHECK (resource IN ('annex1', 'annex2')),
    village TEXT,
    village_group TEXT,
    household_number TEXT,
    household_size INTEGER,
    risk_types TEXT,
    risk_note TEXT,
    measures TEXT,
    measures_note TEXT,
    income_per_capita REAL,
    appraisal_date TEXT,
    received_date TEXT,
    verify_date TEXT
)""",
    f"""CREATE TABLE releases ({_FACT_COLUMNS},
    village TEXT,
    village_group TEXT,
    warning_type TEXT,
    identified_month TEXT,
    risk_types TEXT,
    measures_done TEXT,
    release_way TEXT,
    release_reason TEXT,
    release_date TEXT,
    system_marked INTEGER CHECK (system_marked IN (0, 1))
)""",
    f"""CREATE TABLE decisions ({_FACT_COLUMNS},
    origin TEXT NOT NULL CHECK (origin IN ('county_record', 'assessment')),
    warning_type TEXT,
    meeting_date TEXT,
    decision TEXT,
    category TEXT,
    guarantee_gaps TEXT,
    note TEXT,
    traced_to TEXT
)""",
    f"""CREATE TABLE measures ({_FACT_COLUMNS},
    measure TEXT,
    content TEXT,
    start_date TEXT,
    amount REAL,
    unit TEXT
)""",
    f"""CREATE TABLE steps ({_FACT_COLUMNS},
    step TEXT NOT NULL CHECK (step IN ('screening', 'appraisal', 'verification')),
    day TEXT,
    result TEXT
)""",
    f"""CREATE TABLE markings ({_FACT_COLUMNS},
    release_date TEXT,
    marked_by TEXT,
    marked_date TEXT
)""",
    *(f"CREATE INDEX {t}_head ON {t}(head_id)" for t in FACT_TABLES),
    *(f"CREATE INDEX {t}_file ON {t}(file_id)" for t in FACT_TABLES),
    "CREATE INDEX warnings_month ON warnings(month, township)",
)

# What each kind of LedgerError is called in messages and tests.
ERROR_KINDS = ("missing", "damaged", "foreign", "newer", "readonly", "locked", "full", "io")


class LedgerError(InputError):
    """The ledger file cannot be used or written; the message is Chinese (exit status 2)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _shown(path: Path) -> str:
    return str(path)


def rebuild_hint(path: Path) -> str:
    return (
        f"台账只是各月报送包的索引，请用 fpjc ledger rebuild {_shown(path)} 加上存放各月报送包和研判记录的文件夹，"
        "从文件重建（原文件改名保留）"
    )


def translate(exc: sqlite3.Error, path: Path) -> LedgerError:
    """An SQLite error as the clerk should read it."""
    text = str(exc).lower()
    where = _shown(path)
    if "locked" in text or "busy" in text:
        return LedgerError(
            "locked",
            f"台账文件 {where} 正被另一个程序使用（可能另一个 fpjc 正在写入，或在其他软件中打开了它）："
            "请等它完成或关闭后重试；需要等更久时加 --wait 秒数",
        )
    if "full" in text:
        return LedgerError(
            "full",
            f"磁盘已满，台账文件 {where} 写不下：本次没有写入任何内容，台账保持原样。请腾出磁盘空间后重试",
        )
    if "readonly" in text or "read-only" in text:
        return LedgerError("readonly", readonly_message(path))
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return LedgerError("damaged", f"台账文件 {where} 已损坏（{exc}），不能再使用。{rebuild_hint(path)}")
    if "unable to open" in text:
        return LedgerError("io", f"无法打开台账文件 {where}：请检查路径和权限")
    return LedgerError("io", f"读写台账文件 {where} 时出错（{exc}），本次没有写入任何内容，台账保持原样")


def readonly_message(path: Path) -> str:
    return (
        f"台账文件 {_shown(path)} 是只读的（或它所在的文件夹不能写入），不能加入报送包：请去掉文件的只读属性、"
        "或换一个能写入的位置后重试。只查询时不需要写入"
    )


def writable(path: Path) -> bool:
    """Whether the ledger file (or, for a new one, its folder) can be written, journal included.

    A file without any write permission bit counts as read-only even for an administrator, as
    the clerk who made it read-only meant it.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    if not path.exists():
        return True
    st = path.stat()
    return bool(st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) and os.access(path, os.W_OK)


class Ledger:
    """An open ledger file (see the module docstring); close it, or use it as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, can_write: bool):
        self.conn = conn
        self.path = path
        self.can_write = can_write
        self.created = False

    # --- meta ----------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Ledger]:
        """One write transaction: everything in it is written, or nothing is.

        The completeness marker says "writing" for the duration; the facts recorded for each file
        are counted again before the commit. Any error — SQLite's (disk full, locked, read-only)
        or the caller's, KeyboardInterrupt included — rolls everything back.
        """
        if not self.can_write:
            raise LedgerError("readonly", readonly_message(self.path))
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None
        try:
            self.set_meta("state", "writing")
            yield self
            problem = fact_count_problem(self.conn)
            if problem:  # a defect of ours, never the clerk's: do not commit it
                raise RuntimeError(f"ledger facts do not add up before commit: {problem}")
            self.set_meta("state", "complete")
            self.set_meta("fpjc_version", validator.__version__)
            self.set_meta("standard_version", standard.version())
            self.conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise translate(exc, self.path) from None
            raise

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- what is in it -------------------------------------------------------------------

    def summary(self) -> dict:
        """Counts for a one-line description: files, months, households, rejected packages."""
        c = self.conn
        months = [r[0] for r in c.execute("SELECT DISTINCT month FROM files ORDER BY month")]
        return {
            "path": str(self.path),
            "schema_version": int(self.meta("schema_version") or 0),
            "county": self.meta("county"),
            "files": c.execute("SELECT count(*) FROM files WHERE replaced_by IS NULL").fetchone()[0],
            "replaced": c.execute("SELECT count(*) FROM files WHERE replaced_by IS NOT NULL").fetchone()[0],
            "rejected": c.execute("SELECT count(*) FROM rejected").fetchone()[0],
            "months": months,
            "heads": c.execute(
                "SELECT count(DISTINCT head_id) FROM ("
                + " UNION ALL ".join(f"SELECT head_id FROM {t}" for t in FACT_TABLES)
                + ")"
            ).fetchone()[0],
            "closed": [
                r[0]
                for r in c.execute(
                    "SELECT month FROM files WHERE kind = 'county' AND replaced_by IS NULL ORDER BY month"
                )
            ],
        }


def fact_count_problem(conn: sqlite3.Connection) -> str | None:
    """None when every file's recorded fact count matches its rows in the fact tables."""
    counted: dict[int, int] = {}
    for table in FACT_TABLES:
        for file_id, n in conn.execute(f"SELECT file_id, count(*) FROM {table} GROUP BY file_id"):
            counted[file_id] = counted.get(file_id, 0) + n
    for file_id, facts in conn.execute("SELECT id, facts FROM files"):
        if counted.pop(file_id, 0) != facts:
            return f"file {file_id}: {facts} recorded"
    if counted:
        return f"facts of unknown files {sorted(counted)}"
    return None


def open_ledger(
    path: str | Path,
    *,
    create: bool = False,
    write: bool = True,
    wait: float = 10.0,
    migrations: dict[int, tuple[str, ...]] | None = None,
    target: int | None = None,
) -> Ledger:
    """Open (or, with `create`, make) a ledger file and check it; raises `LedgerError`.

    `write=False` opens it for queries only (a read-only file is fine then). `wait` is how many
    seconds to wait for another program that holds the file. `migrations`/`target` are the
    format steps and version to bring an older ledger to (the module's by default).
    """
    path = Path(path)
    migrations = MIGRATIONS if migrations is None else migrations
    target = SCHEMA_VERSION if target is None else target
    exists = path.exists()
    if exists and not path.is_file():
        raise LedgerError("io", f"{_shown(path)} 不是文件：台账是一个文件（例如 鹤庆县台账.sqlite）")
    if not exists and not create:
        raise LedgerError(
            "missing",
            f"找不到台账文件 {_shown(path)}：请检查路径；新建台账请用 fpjc ledger add {_shown(path)} 加上本月报送包文件夹",
        )
    if exists:
        _check_header(path)
    can_write = writable(path)
    if write and not can_write:
        raise LedgerError("readonly", readonly_message(path))
    # A write interrupted by a crash leaves SQLite's journal beside the file: the next connection
    # that may write rolls the half-written transaction back on its first read. A query opens
    # such a file writable for that, and refuses only when it cannot.
    journal = Path(f"{path}-journal")
    hot = exists and journal.exists() and journal.stat().st_size > 0
    if hot and not can_write:
        raise LedgerError(
            "readonly",
            f"台账文件 {_shown(path)} 上次写入时中断了，旁边留有恢复用的日志文件 {journal.name}；"
            "要先恢复才能使用，但台账文件或它所在的文件夹是只读的：请去掉只读属性后重试（不要删除日志文件）",
        )
    try:
        if write or not exists or hot:
            conn = sqlite3.connect(str(path), timeout=wait, isolation_level=None)
        else:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=wait, isolation_level=None
            )
            can_write = False
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    ledger = Ledger(conn, path, can_write=can_write and write)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if not exists:
            _create(ledger, target)
        else:
            _verify(ledger, target)
            version = int(ledger.meta("schema_version"))
            if version < target:
                if not ledger.can_write:
                    raise LedgerError(
                        "readonly",
                        f"台账文件 {_shown(path)} 是旧版格式（第{version}版），要先升级到第{target}版才能使用，"
                        "但它是只读的：请去掉只读属性后重试",
                    )
                migrate(ledger, version, target, migrations)
    except sqlite3.Error as exc:
        ledger.close()
        raise translate(exc, path) from None
    except BaseException:
        ledger.close()
        raise
    return ledger


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise LedgerError(
            "io", f"无法读取台账文件 {_shown(path)}：{exc.strerror or type(exc).__name__}"
        ) from None
    if not head:
        raise LedgerError(
            "damaged", f"台账文件 {_shown(path)} 是空的（可能保存时中断了），不能使用。{rebuild_hint(path)}"
        )
    if head != SQLITE_HEADER:
        raise LedgerError(
            "foreign",
            f"{_shown(path)} 不是 fpjc 台账文件（不是 SQLite 数据库）：请选择 fpjc ledger 建立的台账文件",
        )


def _create(ledger: Ledger, version: int) -> None:
    conn = ledger.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in SCHEMA:
            conn.execute(statement)
        ledger.set_meta("format", FORMAT)
        ledger.set_meta("schema_version", str(version))
        ledger.set_meta("created", dt.date.today().isoformat())
        ledger.set_meta("state", "complete")
        ledger.set_meta("fpjc_version", validator.__version__)
        ledger.set_meta("standard_version", standard.version())
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    ledger.created = True


def _verify(ledger: Ledger, target: int) -> None:
    """Refuse a file that is not a sound ledger of a format this program can read."""
    conn, path = ledger.conn, ledger.path
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise
        raise LedgerError(
            "damaged", f"台账文件 {_shown(path)} 已损坏（{exc}），不能再使用。{rebuild_hint(path)}"
        ) from None
    if result != ["ok"]:
        raise LedgerError(
            "damaged",
            f"台账文件 {_shown(path)} 已损坏（完整性检查：{result[0]}），不能再使用。{rebuild_hint(path)}",
        )
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        raise LedgerError(
            "foreign",
            f"{_shown(path)} 不是 fpjc 台账文件（其中没有台账的版本信息）：请选择 fpjc ledger 建立的台账文件",
        )
    if ledger.meta("format") != FORMAT:
        raise LedgerError("foreign", f"{_shown(path)} 不是 fpjc 台账文件：请选择 fpjc ledger 建立的台账文件")
    try:
        version = int(ledger.meta("schema_version") or "")
    except ValueError:
        raise LedgerError(
            "damaged", f"台账文件 {_shown(path)} 的版本信息已损坏，不能再使用。{rebuild_hint(path)}"
        ) from None
    if version > target:
        raise LedgerError(
            "newer",
            f"台账文件 {_shown(path)} 是更新版本的 fpjc 建立的（台账格式第{version}版，本程序只认识到第{target}版）："
            "请升级 fpjc 后再使用；不要用旧版本改写它",
        )
    if ledger.meta("state") != "complete":
        raise LedgerError(
            "damaged",
            f"台账文件 {_shown(path)} 没有写完（上次写入时中断，且恢复用的日志文件已丢失），不能再使用。{rebuild_hint(path)}",
        )
    missing = {"files", "rejected", *FACT_TABLES} - tables
    if missing:
        raise LedgerError(
            "damaged",
            f"台账文件 {_shown(path)} 缺少数据表（{'、'.join(sorted(missing))}）。{rebuild_hint(path)}",
        )
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise LedgerError(
            "damaged", f"台账文件 {_shown(path)} 中有指向不存在文件的记录，已损坏。{rebuild_hint(path)}"
        )
    problem = fact_count_problem(conn)
    if problem:
        raise LedgerError(
            "damaged",
            f"台账文件 {_shown(path)} 中的记录与各文件登记的条数对不上（{problem}），已损坏。{rebuild_hint(path)}",
        )


def migrate(ledger: Ledger, version: int, target: int, migrations: dict[int, tuple[str, ...]]) -> None:
    """Bring the ledger from `version` to `target`, one step per transaction."""
    while version < target:
        steps = migrations.get(version)
        if steps is None:
            raise LedgerError(
                "newer",
                f"台账文件 {_shown(ledger.path)} 是第{version}版格式，本程序不能把它升级到第{target}版。{rebuild_hint(ledger.path)}",
            )
        with ledger.writing():
            for statement in steps:
                ledger.conn.execute(statement)
            ledger.set_meta("schema_version", str(version + 1))
        version += 1
