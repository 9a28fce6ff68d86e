"""`serve`: build a private preview (kept between sessions), serve it with live reload, rebuild on a save.

A rebuild that fails keeps the last good site and shows the problems in the terminal and on every
page (injected while serving, never written into any build). After one position changes only the
pages that depend on it are rendered again: the build cache (cache.py) reuses every other page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import html
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2
from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import ioloop
from watchfiles import Change, awatch

from . import pipeline
from .config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR
from .content import is_ignored
from .errors import Problems
from .output import write_output
from .procs import die_with_parent

WATCHED = ("content", TEMPLATES_DIR, STATIC_DIR, CONFIG_FILE)
# The operating system tells us about a save (inotify, via watchfiles); events arriving within STEP
# of each other are one batch, and a batch ends after DEBOUNCE at most. A rebuild starts at once;
# saves during it are batched into one more rebuild after it.
STEP_MS = 30
DEBOUNCE_MS = 300
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
SEARCH_DELAY_SECONDS = 1.0  # the search index is brought up to date after the browser has reloaded
SERVE_DIR = Path(".cache") / "careersite-serve"  # in the site folder (git-ignored): a preview per port
OVERLAY_ID = "careersite-problems"
WARNINGS_ID = "careersite-warnings"


# --- problems shown in the browser -----------------------------------------------------------

_BODY = re.compile(rb"<body[^>]*>", re.I)


def overlay_html(problems: Problems) -> bytes:
    """A fixed banner listing the problems; self-contained so it needs nothing from the site."""
    words = {"error": problems.text("error"), "warning": problems.text("warning")}
    items = "".join(f"<li>{html.escape(p.format(words))}</li>" for p in problems.sorted())
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;top:0;left:0;right:0;z-index:2147483647;'
        "max-height:70vh;overflow:auto;margin:0;padding:16px 20px;background:#fff5f5;color:#5f1010;"
        "border-bottom:4px solid #b3261e;box-shadow:0 4px 16px rgba(0,0,0,.25);"
        'font:15px/1.6 system-ui,-apple-system,\'PingFang SC\',\'Microsoft YaHei\',sans-serif;text-align:left">'
        f'<p style="margin:0 0 4px;font-weight:700;font-size:17px">{html.escape(problems.text("serve_overlay_title"))}</p>'
        f'<p style="margin:0 0 8px">{html.escape(problems.text("serve_overlay_note"))}</p>'
        '<ul style="margin:0;padding-left:1.2em;'
        f'font-size:14px;word-break:break-all">{items}</ul></div>'
    ).encode("utf-8")


def warnings_html(problems: Problems) -> bytes:
    """A quiet bar at the bottom that opens to list the warnings of a build that succeeded."""
    words = {"error": problems.text("error"), "warning": problems.text("warning")}
    items = "".join(f"<li>{html.escape(p.format(words))}</li>" for p in problems.sorted())
    summary = html.escape(problems.text("serve_warnings_title", n=len(problems.warnings)))
    return (
        f'<details id="{WARNINGS_ID}" style="position:fixed;bottom:0;left:0;right:0;z-index:2147483646;margin:0;'
        "max-height:50vh;overflow:auto;padding:8px 20px;background:#fff8e1;color:#4a3500;"
        "border-top:3px solid #c98a00;box-shadow:0 -2px 10px rgba(0,0,0,.15);"
        'font:14px/1.6 system-ui,-apple-system,\'PingFang SC\',\'Microsoft YaHei\',sans-serif;text-align:left">'
        f'<summary style="cursor:pointer;font-weight:700">{summary}</summary>'
        f'<ul style="margin:6px 0 4px;padding-left:1.2em;word-break:break-all">{items}</ul></details>'
    ).encode("utf-8")


def inject_overlay(page: bytes, overlay: bytes) -> bytes:
    match = _BODY.search(page)
    if not match:
        return overlay + page
    return page[: match.end()] + overlay + page[match.end():]


class PreviewHandler(StaticFileHandler):
    """livereload's static handler, plus: never cached, the site's 404 page, the problem overlay."""

    preview: DevServer  # set on a subclass per server

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def write(self, chunk: Any) -> None:
        overlay = self.preview.overlay
        if overlay and isinstance(chunk, bytes) and not getattr(self, "_overlaid", False) \
                and "html" in str(self._headers.get("Content-Type", "")):
            self._overlaid = True
            before = len(chunk)
            chunk = inject_overlay(chunk, overlay)
            if "Content-Length" in self._headers:
                self.set_header("Content-Length", int(self._headers["Content-Length"]) + len(chunk) - before)
        super().write(chunk)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        page = Path(self.root) / "404.html"
        if status_code == 404 and page.is_file():
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(page.read_bytes())
        else:
            super().write_error(status_code, **kwargs)


# --- watching and rebuilding -----------------------------------------------------------------

class EventWatcher(Watcher):
    """Tells the dev server about saves as the operating system reports them (no polling of the
    whole site: with 10,000 positions that alone took longer than a rebuild)."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], None]) -> None:
        super().__init__()
        self.root = root
        self.on_change = on_change

    def examine(self) -> tuple[None, None]:
        return None, None  # the reload message is sent after the rebuild, not by livereload

    def start(self, callback: Callable[[], None]) -> bool:
        ioloop.IOLoop.current().add_callback(self._watch)
        return True

    async def _watch(self) -> None:
        paths = [self.root / name for name in WATCHED if (self.root / name).exists()]
        async for changes in awatch(*paths, watch_filter=ignore_under(self.root), step=STEP_MS,
                                    debounce=DEBOUNCE_MS):
            self.on_change({path for _change, path in changes})


def ignore_under(root: Path) -> Callable[[Change, str], bool]:
    """watchfiles' filter: editor and system files below ROOT (not ROOT's own parents) are ignored."""
    base = root.absolute()

    def wanted(_change: Change, path: str) -> bool:
        try:
            parts = Path(path).absolute().relative_to(base).parts
        except ValueError:
            return True
        return not any(is_ignored(part) for part in parts)

    return wanted


class DevServer:
    """One preview: the options it builds with, and what the browser should show."""

    def __init__(self, root: Path, out: Path, base_url: str, today: dt.date | None = None,
                 stream=sys.stderr) -> None:
        self.options = pipeline.Options(root=root, out=out, base_url=base_url, drafts=True, today=today,
                                        search_later=True, resident=True)
        self.overlay = b""
        self.stream = stream
        self.builds = 0
        self._pending = False
        self._changes: set[str] | None = None  # paths reported since the last rebuild (None: not yet watching)
        self.has_site = (out / "index.html").is_file()  # the last session's preview, kept
        self.search_pending = False
        self.indexer: subprocess.Popen | None = None  # the build bringing the search index up to date
        self._indexing_since = 0.0

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def rebuild(self, changes: Iterable[str] | None = None) -> bool:
        """Build into the preview folder. On failure the last good site stays and the overlay is set.

        CHANGES: the paths reported changed since the last rebuild (None: look at every file). A
        changed site keeps its last search index, sitemap and feeds until index_search() makes them."""
        self.builds += 1
        started = time.perf_counter()
        self.stop_indexing()
        options = self.options if changes is None else dataclasses.replace(self.options, changed=frozenset(changes))
        try:
            result = pipeline.build(options)
        except jinja2.TemplateError as exc:  # HR or a designer can break a template: say where
            result = pipeline.Result(pipeline.new_problems())
            name = getattr(exc, "name", None) or getattr(exc, "filename", None) or "?"
            result.problems.error(f"{TEMPLATES_DIR}/{name}" if name != "?" else TEMPLATES_DIR,
                                  getattr(exc, "lineno", 0) or 0, 1, "template_error", template=name,
                                  detail=getattr(exc, "message", None) or str(exc))
        except Exception as exc:  # a bug, not HR's mistake: keep serving the last good site and say so
            result = pipeline.Result(pipeline.new_problems())
            result.problems.error(CONFIG_FILE, 0, 0, "serve_internal_error", detail=f"{type(exc).__name__}: {exc}")
        problems = result.problems
        words = {"error": problems.text("error"), "warning": problems.text("warning")}
        for problem in problems.sorted():
            self.say(problem.format(words))
        if not result.written:
            self.overlay = overlay_html(problems)
            if not self.has_site:
                write_output(self.options.out_dir, [("index.html", self._placeholder(problems))])
            self.say(problems.text("serve_failed"))
            return False
        self.has_site = True
        self.overlay = warnings_html(problems) if problems.warnings else b""
        self.search_pending = bool(result.extra.get("search_pending"))
        self.say(problems.text("serve_rebuilt", seconds=time.perf_counter() - started,
                               rendered=sum(result.rendered.values())))
        return True

    @staticmethod
    def _placeholder(problems: Problems) -> bytes:
        title = html.escape(problems.text("serve_no_site"))
        return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body><p>{title}</p></body></html>").encode("utf-8")

    def changed(self, paths: Iterable[str] = ()) -> None:
        """Watched PATHS changed: rebuild now (on the loop's next turn; one rebuild per burst)."""
        if self._changes is not None:
            self._changes.update(paths)
        if not self._pending:
            self._pending = True
            ioloop.IOLoop.current().add_callback(self._rebuild_and_reload)

    def _rebuild_and_reload(self) -> None:
        self._pending = False
        # The first rebuild after start looks at every file (a save before the watcher began is not
        # reported); from then on every change is, and the build looks only at those.
        changes, self._changes = self._changes, set()
        self.rebuild(changes)
        LiveReloadHandler.reload_waiters("*")  # also after a failure: the page then shows the overlay
        # What this process keeps between saves (processed files, the last manifest: millions of
        # objects at 30,000 positions) is left out of the cyclic garbage collector's full scans,
        # which otherwise came due now and then in the middle of a save (0.5 s and more).
        gc.freeze()
        if self.search_pending:  # once the browser has its pages, bring the search index up to date
            ioloop.IOLoop.current().call_later(SEARCH_DELAY_SECONDS, self.index_search)

    def index_search(self) -> None:
        """Start a build (in its own process, so the preview stays responsive) that finds every page
        unchanged and brings the search index up to date. A save meanwhile stops it: a killed build
        never touches the output, and the rebuild after the save starts the index over."""
        if not self.search_pending or self._pending or self.indexer is not None:
            return
        options = self.options
        command = [sys.executable, "-c", "import sys; from careersite.cli import main; sys.exit(main())", "build",
                   "--site", str(options.root), "--out", str(options.out_dir), "--drafts", "--base-url",
                   str(options.base_url)] + (["--today", options.today.isoformat()] if options.today else [])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_PARENT),
                                                                          os.environ.get("PYTHONPATH")]))}
        self.indexer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                        preexec_fn=die_with_parent)
        self._indexing_since = time.perf_counter()
        ioloop.IOLoop.current().call_later(0.1, self._check_indexer)

    def _check_indexer(self) -> None:
        indexer = self.indexer
        if indexer is None:
            return
        if indexer.poll() is None:
            ioloop.IOLoop.current().call_later(0.1, self._check_indexer)
            return
        self.indexer = None
        if indexer.returncode == 0:
            self.search_pending = False
            problems = pipeline.new_problems()
            self.say(problems.text("serve_search_updated", seconds=time.perf_counter() - self._indexing_since))
            pipeline.preload(self.options)  # its manifest, read now rather than on the next save

    def stop_indexing(self) -> None:
        if self.indexer is not None:
            self.indexer.kill()
            self.indexer.wait()
            self.indexer = None


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


class QuietServer(Server):
    """livereload's Server without its English INFO logging (HR reads our messages instead)."""

    def __init__(self, preview: DevServer, watcher: Watcher) -> None:
        super().__init__(watcher=watcher)
        self.SFH = type("BoundPreviewHandler", (PreviewHandler,), {"preview": preview})

    def _setup_logging(self) -> None:
        logging.getLogger("tornado.access").setLevel(logging.ERROR)  # a 404 is not news


def _memory_folder() -> str | None:
    """A RAM-backed folder where there is one (Linux's /dev/shm), for a preview of its own."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def preview_folder(root: Path, port: int) -> tuple[Path, Any]:
    """Where this session's preview goes, and the lock that keeps it ours (None: a temporary folder).

    The site's own SERVE_DIR/<port>/, kept after Ctrl+C with its build cache: the next `serve` finds
    it up to date and starts at once, where a new folder meant building everything again (half a
    minute at 10,000 positions). If another `serve` of this site holds it, or it cannot be made or
    locked, a temporary folder, removed at the end, as before."""
    folder = root / SERVE_DIR / str(port)
    try:
        import fcntl  # POSIX; elsewhere a temporary folder

        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / ".lock", "w")  # noqa: SIM115 - held until the session ends
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            raise
        return folder, lock
    except (ImportError, OSError):
        return Path(tempfile.mkdtemp(prefix="careersite-serve-", dir=_memory_folder())), None


def serve(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run the preview until Ctrl+C. Exit status 0, or 1 if the port cannot be used."""
    folder, lock = preview_folder(root, port)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{shown_host}:{port}/" if ":" not in shown_host else f"http://[{shown_host}]:{port}/"
    preview = DevServer(root, folder / "site", url, today)
    problems = pipeline.new_problems()
    try:
        preview.rebuild()
        server = QuietServer(preview, EventWatcher(root, preview.changed))
        loop = ioloop.IOLoop.current()
        signal.signal(signal.SIGTERM, _interrupt)  # stop like Ctrl+C, so a temporary folder goes
        loop.add_callback(preview.say, problems.text("serve_started", url=url))
        if host not in ("127.0.0.1", "localhost", "::1"):
            loop.add_callback(preview.say, problems.text("serve_public_host", host=host))
        if preview.search_pending:  # the last session ended before its search index was done
            loop.call_later(SEARCH_DELAY_SECONDS, preview.index_search)
        try:
            server.serve(port=port, host=host, root=str(preview.options.out_dir))
        except OSError as exc:
            preview.say(problems.text("serve_port_busy", port=port, detail=exc.strerror or str(exc)))
            return 1
        return 0
    finally:
        preview.stop_indexing()
        if lock is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            lock.close()
