"""Shared fixtures for the site tests: one MkDocs build per session, served on 127.0.0.1,
and a headless Chromium (the Debian package, driven by Playwright) that can reach nothing else.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from checker_support import CHROMIUM, CHROMIUM_ARGS, Server

ROOT = Path(__file__).resolve().parent.parent
# Screenshots the issue asks for, kept as test artefacts (test-artifacts/ is in .gitignore).
ARTEFACTS = ROOT / "test-artifacts" / "screenshots"  # gitignored


@dataclass
class BuiltSite:
    path: Path
    log: str  # everything mkdocs printed
    warnings: list[str]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """Build the site once, exactly as the README's main command does (minus --strict, so
    the tests can report every warning at once instead of stopping at the first)."""
    out = tmp_path_factory.mktemp("site") / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONUTF8": "1"},
    )
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build failed ({proc.returncode}):\n{log[-4000:]}")
    warnings = [line for line in log.splitlines() if re.match(r"^(WARNING|ERROR)\b", line)]
    return BuiltSite(out, log, warnings)


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on 127.0.0.1 (a free port) for the whole session."""
    with Server(built_site.path) as server:
        yield server.url


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the whole session: its sync API cannot be started twice at once,
    so the site tests and the checker tests share it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh (it installs the Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser_context(playwright, tmp_path_factory):
    """Headless Debian Chromium with a fresh profile; never `playwright install`."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
