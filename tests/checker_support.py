"""Helpers for the in-browser checker's tests and benchmark: build it, serve it, open Chromium.

The server is a plain threaded http.server on 127.0.0.1 that sends the MIME types a real host
must send (.wasm as application/wasm, .mjs as JavaScript) and counts the bytes it sends, so the
benchmark can report what a cold visit transfers. Chromium resolves every other host to nothing,
so a request that tries to leave the machine fails visibly instead of silently succeeding.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site"))

import checker_build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

MINIMAL_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>在线校验（测试页）</title>
<link rel="stylesheet" href="checker/checker.css"></head>
<body><h1>在线校验</h1><div id="fpjc-checker"{attrs}></div>
<script src="checker/checker.js"></script></body></html>
"""


def build_minimal_site(dest: Path, *, attrs: str = "", snapshot: bool | None = None) -> dict:
    """The checker's assets plus one tiny page (index.html) that holds the checker element."""
    dest.mkdir(parents=True, exist_ok=True)
    info = checker_build.build(dest, snapshot=snapshot)
    (dest / "index.html").write_text(MINIMAL_PAGE.format(attrs=attrs), encoding="utf-8")
    return info


def add_page(site: Path, name: str, attrs: str) -> str:
    (site / name).write_text(MINIMAL_PAGE.format(attrs=attrs), encoding="utf-8")
    return name


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".whl": "application/zip",
        ".zip": "application/zip",
        ".py": "text/plain; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".css": "text/css",
    }

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass

    def do_GET(self):
        stall = self.server.stall
        if stall and self.path.split("?")[0].endswith(stall):
            # A host that never answers: the page's start-up timeout must speak up.
            self.server.released.wait(120)
            return
        super().do_GET()

    def end_headers(self):
        for name, value in self.server.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def copyfile(self, source, outputfile):
        start = source.tell()
        super().copyfile(source, outputfile)
        with self.server.lock:
            self.server.bytes_sent += source.tell() - start
            self.server.paths.append(self.path)


class Server:
    """``with Server(root) as s:`` serves ``root`` at ``s.url`` until the block ends."""

    def __init__(self, root: Path, *, stall: str | None = None, headers: dict[str, str] | None = None):
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.lock = threading.Lock()
        self.httpd.bytes_sent = 0
        self.httpd.paths = []
        self.httpd.stall = stall
        self.httpd.extra_headers = dict(headers or {})
        self.httpd.released = threading.Event()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def bytes_sent(self) -> int:
        return self.httpd.bytes_sent

    @property
    def paths(self) -> list[str]:
        return list(self.httpd.paths)

    def reset(self) -> None:
        with self.httpd.lock:
            self.httpd.bytes_sent = 0
            self.httpd.paths.clear()

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def chromium_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def node_available() -> bool:
    return shutil.which("node") is not None


def launch(playwright, user_data_dir: Path):
    """A persistent Chromium context with a fresh profile (so every start is a cold visit)."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        accept_downloads=True,
    )
