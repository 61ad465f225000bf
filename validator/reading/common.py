"""Plain data shared by the readers: input entries, size limits, file-level problems."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Refuse inputs beyond these sizes instead of hanging or exhausting memory.

    The defaults allow a 10^6-row 附件1 (about 300 MB of CSV, or an xlsx whose sheet XML
    unpacks to about 1.5 GB) and refuse anything far beyond.
    """

    max_file_bytes: int = 1024 * MB  # one CSV / xlsx / zip as stored
    max_zip_members: int = 10_000
    max_zip_total: int = 4096 * MB  # sum of uncompressed member sizes
    max_zip_ratio: int = 200  # uncompressed / compressed, for members above 1 MB
    max_xlsx_ratio: int = 1000  # sheet XML compresses far better than CSV


DEFAULT_LIMITS = Limits()


@dataclass
class Entry:
    """One file of the input, wherever it lives (disk, zip member, bytes from the browser)."""

    name: str  # path relative to the package root, '/'-separated ("annex1.csv", "data/附件1.csv")
    size: int
    opener: Callable[[], BinaryIO]
    path: str | None = None  # real file system path when there is one (openpyxl reads it directly)

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def stem(self) -> str:
        b = self.basename
        return b.rsplit(".", 1)[0] if "." in b else b

    @property
    def suffix(self) -> str:
        b = self.basename
        return "." + b.rsplit(".", 1)[-1].lower() if "." in b else ""

    def open(self) -> BinaryIO:
        return self.opener()

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Entry:
        return cls(name=name, size=len(data), opener=lambda: io.BytesIO(data))


class FileProblem(Exception):
    """One file cannot be read. In a package it becomes an S001/S002 finding; alone, an InputError."""

    def __init__(self, reason: str, *, rule: str = "S001"):
        super().__init__(reason)
        self.reason = reason
        self.rule = rule
