"""What one run of a command reads and writes, declared in one place: no write lands on a read.

Every command declares, before it opens anything, each path it will read (the inputs,
`--history`, `--roster`, the standard's definitions, any future settings or ledger file) and
each path it will write (`--output`, `--reports`, `--out`, the annotated copy). Declaring:

- refuses an input that is not a regular file or a folder (a named pipe, a device, a socket)
  before anything opens it, so a pipe cannot make the run wait forever;
- refuses an output that is an input, lies inside an input folder, or reaches one through a
  symbolic link or a hard link, before minutes are spent validating.

While the command runs, an audit hook (`sys.addaudithook`) checks every file the process opens
for writing, renames, removes or creates, wherever in the code that happens (openpyxl saving
a workbook, a template writer, a report per package), against the declared reads. So a new
output added later cannot overwrite an input even if its author forgets to declare it: the
class of defect is closed, not each case.

Files the command writes itself go through `RunFiles.write_bytes`: a temporary file in the
same folder renamed into place. A symbolic link at the output path is replaced by the new
file, never followed to overwrite what it points at, and an interrupted run leaves either
the old file or the new one, never half a report.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path


class Refused(Exception):
    """A path the command must not read or write; the message is Chinese, exit status 2."""


_SPECIAL = {
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFCHR: "字符设备",
    stat.S_IFBLK: "块设备",
    stat.S_IFSOCK: "套接字",
}


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-folder file is, in Chinese; None for files and folders."""
    kind = stat.S_IFMT(mode)
    if kind in (stat.S_IFREG, stat.S_IFDIR):
        return None
    return _SPECIAL.get(kind, "特殊文件")


def _real(path: str | os.PathLike) -> str:
    """The absolute path with every symbolic link resolved, case-folded where the OS folds case."""
    return os.path.normcase(os.path.realpath(os.fspath(path)))


def _inside(child: str, folder: str) -> bool:
    try:
        return child != folder and os.path.commonpath([child, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) and st.st_ino else None


@dataclass(frozen=True)
class _Read:
    label: str  # what the clerk called it: "被校验的输入", "--roster 建档立卡名单"
    shown: str  # the path as given
    real: str
    folder: bool
    identity: tuple[int, int] | None  # (device, inode) of a file: a hard link is the same file


class RunFiles:
    """The reads and writes of one command run; `common.guarded` ends it when the run ends."""

    def __init__(self, show=None) -> None:
        self.reads: list[_Read] = []
        # How paths appear in messages (masking personal data in file names), set by the command.
        self.show = show or (lambda text: text)

    # --- declaring -----------------------------------------------------------------------

    def read(self, label: str, path: str | os.PathLike, *, record: bool = True) -> Path:
        """Declare a path the run reads; refuse it when missing or not a regular file or folder.

        `record=False` only checks it: a folder that is listed, not read as a whole (the month
        folder of `fpjc rollup`, whose packages are declared one by one).
        """
        p = Path(path)
        try:
            st = os.stat(p)  # follows links: what matters is what would be opened
        except FileNotFoundError:
            raise Refused(f"找不到{label} {self.show(str(p))}，请检查路径是否写对") from None
        except OSError as exc:
            raise Refused(
                f"无法读取{label} {self.show(str(p))}：{exc.strerror or type(exc).__name__}"
            ) from None
        kind = special_kind(st.st_mode)
        if kind:
            raise Refused(
                f"{label} {self.show(str(p))} 是{kind}，不是普通文件或文件夹；"
                "fpjc 只读取文件和文件夹（请先把内容保存为文件）"
            )
        folder = stat.S_ISDIR(st.st_mode)
        if not record:
            return p
        real = _real(p)
        self.reads.append(_Read(label, str(p), real, folder, None if folder else _identity(real)))
        return p

    def output_file(self, label: str, path: str | os.PathLike) -> Path:
        """Declare a file the run writes; refuse it when it is or lies inside something read."""
        p = Path(path)
        if p.is_dir():
            raise Refused(f"{label} 应是一个文件，{self.show(str(p))} 是文件夹")
        self._check(label, p, folder=False)
        return p

    def output_folder(self, label: str, path: str | os.PathLike) -> Path:
        """Declare a folder the run writes files into; it must not be, or be inside, a read folder."""
        p = Path(path)
        if p.exists() and not p.is_dir():
            raise Refused(f"{label} 应是一个文件夹，{self.show(str(p))} 是文件")
        self._check(label, p, folder=True)
        return p

    def _check(self, label: str, path: Path, *, folder: bool) -> None:
        clash = self.clash(path)
        if clash is None:
            return
        read, inside = clash
        what = "文件夹" if folder else "文件"
        where = "会写进" if inside else "会覆盖"
        raise Refused(
            f"{label} 指定的{what} {self.show(str(path))} {where}{read.label} {self.show(read.shown)}"
            f"{' 里面' if inside else ''}；fpjc 不改动它读取的文件，请换一个位置"
        )

    def clash(self, path: str | os.PathLike) -> tuple[_Read, bool] | None:
        """(the read it would damage, whether `path` is inside it) when writing `path` would touch it."""
        real = _real(path)
        identity = _identity(real)
        for r in self.reads:
            if real == r.real or (identity is not None and identity == r.identity):
                return r, False
            if r.folder and _inside(real, r.real):
                return r, True
        return None

    # --- writing -------------------------------------------------------------------------

    def write_bytes(self, path: str | os.PathLike, data: bytes) -> Path:
        """Write a whole file: a temporary file beside it, renamed into place.

        A symbolic link at `path` is replaced, not followed; the old file stays intact until the
        new one is complete. Raises `Refused` for a path the run reads, `OSError` when the
        folder cannot be written.
        """
        p = Path(path)
        self._check("输出", p, folder=False)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".fpjc-", suffix=".tmp", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            with contextlib.suppress(OSError):  # mkstemp makes it private; a report is not
                os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return p

    def write_text(self, path: str | os.PathLike, text: str, *, newline: str = "\n") -> Path:
        """`write_bytes` of UTF-8 text; newline "\\n" keeps LF, "" keeps the text's own line ends."""
        if newline not in ("", "\n"):
            text = text.replace("\n", newline)
        return self.write_bytes(path, text.encode("utf-8"))

    # --- while the command runs ----------------------------------------------------------

    def start(self) -> RunFiles:
        """Let the audit hook guard every write of this process against the declared reads."""
        _install()
        _active.append(self)
        return self

    def finish(self) -> None:
        with contextlib.suppress(ValueError):
            _active.remove(self)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- the audit hook ------------------------------------------------------------------------

_active: list[RunFiles] = []
_state = threading.local()
_installed = False

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# event → positions of the path arguments that the event changes
_CHANGES = {
    "os.rename": (0, 1),  # also os.replace: moving a read file away changes it too
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.truncate": (0,),
    "os.link": (1,),
    "os.symlink": (1,),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
    "shutil.copyfile": (1,),
}


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)  # hooks cannot be removed; it does nothing without an active run
        _installed = True


def _hook(event: str, args: tuple) -> None:
    if not _active or getattr(_state, "busy", False):
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(mode, str):
            writes = any(c in mode for c in "wax+")
        else:
            writes = isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
        targets = (path,) if writes else ()
    elif event in _CHANGES:
        targets = tuple(args[i] for i in _CHANGES[event] if i < len(args))
    else:
        return
    for target in targets:
        if isinstance(target, int) or target is None:
            continue  # a descriptor: the file was checked when it was opened
        _state.busy = True
        try:
            clash = _active[-1].clash(os.fsdecode(target))
        finally:
            _state.busy = False
        if clash is not None:
            read, inside = clash
            run = _active[-1]
            raise Refused(
                f"fpjc 拒绝改动它读取的{read.label} {run.show(read.shown)}"
                f"（要写入的 {run.show(os.fsdecode(target))} {'在它里面' if inside else '会覆盖它'}）；请换一个输出位置"
            )
