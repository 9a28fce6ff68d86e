"""Shared helpers for browser and validator tests.

Import as ``from tests.tools import ...`` (tests/browser/conftest.py makes sure
the project root is on ``sys.path``).

System tools come from ``scripts/install-test-tools`` (Debian chromium, a CJK
font, the npm ``vnu-jar``); Python ones from ``requirements-dev.txt``.
A missing tool skips the test locally and fails it when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import posixpath
import shutil
import subprocess
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from careersite.commands.serve import Handler as PreviewHandler

PROJECT_ROOT = Path(__file__).resolve().parent.parent

INSTALL_HINT = "run scripts/install-test-tools"
PIP_HINT = "run .venv/bin/pip install -r requirements-dev.txt"

# Flags for Debian's chromium on this kind of machine (root, no network but
# loopback). Without the background-networking flags chromium keeps trying to
# reach Google's hosts. Playwright adds --headless / --no-sandbox /
# --user-data-dir itself; repeating --headless is harmless.
CHROMIUM_ARGS: list[str] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# WeChat's in-app browser on a phone and on a desktop (WeChat for Windows): both say MicroMessenger.
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 "
             "Mobile Safari/537.36 MicroMessenger/8.0.44.2502 NetType/WIFI Language/zh_CN")
WECHAT_DESKTOP_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 "
                     "Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13)")


# --------------------------------------------------------------------------
# tool discovery
# --------------------------------------------------------------------------

def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_tool(name: str, found: bool, hint: str) -> None:
    """Skip (locally) or fail (CI=true) the current test when a tool is missing."""
    if found:
        return
    msg = f"{name} is not available: {hint}"
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def has_module(name: str) -> bool:
    """True when the Python module ``name`` can be imported."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def chromium_path() -> Path | None:
    """Debian's chromium (``/usr/bin/chromium``), or None if not installed."""
    default = Path("/usr/bin/chromium")
    if default.is_file() and os.access(default, os.X_OK):
        return default
    found = shutil.which("chromium")
    return Path(found) if found else None


def cjk_font_families() -> list[str]:
    """Font family names that fontconfig says cover Chinese (``fc-list :lang=zh``)."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    families: list[str] = []
    for line in out.splitlines():
        for fam in line.split(","):
            fam = fam.strip()
            if fam and fam not in families:
                families.append(fam)
    return families


def has_cjk_font() -> bool:
    """True when at least one installed font covers Chinese."""
    return bool(cjk_font_families())


def java_path() -> Path | None:
    found = shutil.which("java")
    return Path(found) if found else None


def vnu_jar() -> Path | None:
    """The Nu HTML Checker jar from the project's node_modules, or None."""
    override = os.environ.get("VNU_JAR")
    jar = Path(override) if override else PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    return jar if jar.is_file() else None


def require_vnu() -> Path:
    """require_tool for the checker and java; returns the jar path."""
    jar = vnu_jar()
    require_tool("java", java_path() is not None, INSTALL_HINT + " (default-jre-headless)")
    require_tool("vnu.jar", jar is not None, INSTALL_HINT + " (npm vnu-jar)")
    assert jar is not None
    return jar


def run_vnu(paths_or_dir: str | os.PathLike | Iterable[str | os.PathLike], timeout: float = 300) -> list[dict]:
    """Run the Nu HTML Checker and return its error messages (empty list = valid).

    Accepts a file, a directory (checked recursively; non-HTML files skipped)
    or an iterable of those. Each message is vnu's JSON dict (``type``,
    ``message``, ``url``, ``lastLine``, ``extract`` ...). Raises RuntimeError
    if the checker is missing or its output cannot be parsed.
    """
    jar = vnu_jar()
    java = java_path()
    if jar is None or java is None:
        raise RuntimeError("vnu.jar or java missing: " + INSTALL_HINT)
    if isinstance(paths_or_dir, (str, os.PathLike)):
        targets = [os.fspath(paths_or_dir)]
    else:
        targets = [os.fspath(p) for p in paths_or_dir]
    if not targets:
        return []
    cmd = [
        str(java), "-jar", str(jar),
        "--errors-only", "--format", "json", "--skip-non-html",
        *targets,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False)
    # JSON report goes to stderr; the JVM may print notes (e.g. "Picked up
    # JAVA_TOOL_OPTIONS") before it, so decode from the first '{'.
    stderr = proc.stderr
    start = stderr.find("{")
    if start < 0:
        raise RuntimeError(f"vnu gave no JSON (exit {proc.returncode}): {stderr[-2000:]!r}")
    try:
        report, _ = json.JSONDecoder().raw_decode(stderr[start:])
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"vnu output is not JSON (exit {proc.returncode}): {stderr[-2000:]!r}") from exc
    messages = report.get("messages", [])
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def format_vnu_errors(errors: list[dict]) -> str:
    """Human-readable one line per error, for assertion messages."""
    lines = []
    for e in errors:
        url = e.get("url", "")
        where = f"{url.rsplit('/', 1)[-1]}:{e.get('lastLine', '?')}"
        lines.append(f"{where}: {e.get('message', e)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# static file server
# --------------------------------------------------------------------------

_EXTRA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
}


def _normalise_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip("/")
    return prefix if prefix == "/" else prefix + "/"


def _make_handler(root: Path, prefix: str) -> type[SimpleHTTPRequestHandler]:
    root = root.resolve()

    class Handler(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **_EXTRA_TYPES}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format, *args):  # noqa: A002 - quiet server
            pass

        def do_GET(self):
            self._serve(head=False)

        def do_HEAD(self):
            self._serve(head=True)

        # -- helpers ------------------------------------------------------
        _send_bytes = PreviewHandler.send  # the preview's uncached response: same headers as `serve`

        def _not_found(self, head: bool, use_page: bool = True) -> None:
            page = root / "404.html"
            if use_page and page.is_file():
                self._send_bytes(404, page.read_bytes(), "text/html; charset=utf-8", head)
            else:
                self._send_bytes(404, b"404 Not Found\n", "text/plain; charset=utf-8", head)

        def _serve(self, head: bool) -> None:
            parts = urllib.parse.urlsplit(self.path)
            try:
                url_path = urllib.parse.unquote(parts.path or "/", errors="strict")
            except UnicodeDecodeError:
                self._send_bytes(400, b"400 Bad Request\n", "text/plain; charset=utf-8", head)
                return
            if url_path + "/" == prefix:
                # /careers -> /careers/
                location = prefix + (f"?{parts.query}" if parts.query else "")
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if not url_path.startswith(prefix):
                self._not_found(head, use_page=False)
                return
            rel = url_path[len(prefix):]
            norm = posixpath.normpath("/" + rel).lstrip("/")
            if "\x00" in norm or any(seg == ".." for seg in norm.split("/")):
                self._not_found(head)
                return
            target = (root / norm) if norm not in ("", ".") else root
            try:
                resolved = target.resolve()
                resolved.relative_to(root)
            except (OSError, ValueError):
                self._not_found(head)
                return
            if resolved.is_dir():
                if not url_path.endswith("/"):
                    location = url_path + "/" + (f"?{parts.query}" if parts.query else "")
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", urllib.parse.quote(location, safe="/?=&"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                resolved = resolved / "index.html"
            if not resolved.is_file():
                self._not_found(head)
                return
            ctype = self.guess_type(str(resolved))
            self._send_bytes(200, resolved.read_bytes(), ctype, head)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Browsers drop keep-alive/preload connections; don't print tracebacks.
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_directory(root: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``root`` at ``http://127.0.0.1:PORT{prefix}`` in a background thread.

    - only URLs under ``prefix`` are served; anything else is a plain 404;
    - ``/prefix`` (no slash) and directories without a trailing slash get a 301;
    - a directory serves its ``index.html`` (no listings);
    - an unknown path serves ``root/404.html`` with status 404 when it exists.

    Yields the base URL, ending in ``/``.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"serve_directory: {root} is not a directory")
    prefix = _normalise_prefix(prefix)
    server = _QuietServer(("127.0.0.1", 0), _make_handler(root, prefix))
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=f"serve_directory:{port}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def background(locator) -> str:
    """The computed background colour of LOCATOR's element in the browser."""
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")
