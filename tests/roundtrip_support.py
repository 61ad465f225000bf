"""Helpers for the template round-trip tests: LibreOffice headless and PDF page geometry."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
_STREAM = re.compile(rb"/ObjStm.*?stream\r?\n(.*?)endstream", re.S)


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes plus the inflated contents of any object streams (where page dicts may hide)."""
    extra = []
    for m in _STREAM.finditer(data):
        try:
            extra.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return data + b"\n".join(extra)


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page; pages without their own MediaBox inherit the first."""
    objects = _pdf_objects(data)
    boxes = [(float(m[3]) - float(m[1]), float(m[4]) - float(m[2])) for m in _MEDIABOX.finditer(objects)]
    pages = []
    for m in _PAGE.finditer(objects):
        start = objects.rfind(b" obj", 0, m.start())
        end = objects.find(b"endobj", m.end())
        own = _MEDIABOX.search(objects[max(start, 0) : end if end > 0 else len(objects)])
        if own:
            pages.append((float(own[3]) - float(own[1]), float(own[4]) - float(own[2])))
        else:
            pages.append(boxes[0] if boxes else (0.0, 0.0))
    return pages


def soffice() -> str:
    """Path of LibreOffice; skip locally when absent, fail in CI (the CI image must have it)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        if os.environ.get("CI"):
            pytest.fail(
                "LibreOffice (soffice) is required in CI: install the Debian package libreoffice-calc"
            )
        pytest.skip("LibreOffice (soffice) not installed")
    return exe


def convert(src: Path, fmt: str, out_dir: Path, profile: Path) -> Path:
    """Open `src` in LibreOffice headless and save it as `fmt` (xlsx, pdf) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    target = out_dir / f"{src.stem}.{fmt.split(':')[0]}"
    assert result.returncode == 0 and target.is_file(), (result.stdout, result.stderr)
    return target
