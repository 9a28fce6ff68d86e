"""`serve`: the site kept in memory and served with live reload; a save rebuilds only what changed.

A page is made when the browser asks for it, from the last good build: nothing is written but the build
cache. A rebuild that fails keeps the last good site on screen with the problems on every page.
The server answers only requests for this computer's own names (loopback, an IP address, or --host): a
web page elsewhere cannot read the preview (drafts included) by DNS rebinding, nor make it reload.

Built on the standard library's http.server and watchfiles: livereload's documented API cannot refuse
foreign Host headers or WebSocket origins (its reload handler accepts every origin), and the preview
needs neither its file server nor its WebSocket protocol (Server-Sent Events tell the page to reload).
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import mimetypes
import signal
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import jinja2

from .. import render, search
from ..errors import Problems
from ..incremental import Cache
from ..load.config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR
from ..load.content import is_ignored
from ..render import Artifact, Bundle
from ..render.qr import qr_terminal
from .build import Options, load_site, new_problems, template_problem

WATCHED = ("content", TEMPLATES_DIR, STATIC_DIR, CONFIG_FILE)
# The operating system reports a save (inotify, via watchfiles); reports within STEP of each other are one
# batch, which ends after DEBOUNCE at most.
STEP_MS = 30
DEBOUNCE_MS = 300
READY_MS = 200  # how often the watcher wakes without news (the first time: it is watching)
PREFIX = "/__careersite/"  # the preview's own files (reload script, styles, events): never a site path
MADE_PAGES = 500  # pages kept made, most recent first
OVERLAY_ID = "careersite-problems"
WARNINGS_ID = "careersite-warnings"

RELOAD_JS = """// careersite preview: reload when the site was rebuilt (Server-Sent Events from the preview server).
(function () {
  "use strict";
  var me = document.currentScript, seen = me ? me.getAttribute("data-generation") : null;
  var events = new EventSource("%sevents");
  events.onmessage = function (event) { if (event.data !== seen) { location.reload(); } };
})();
""" % PREFIX

PREVIEW_CSS = """#careersite-problems{position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:70vh;overflow:auto;
margin:0;padding:16px 20px;background:#fff5f5;color:#5f1010;border-bottom:4px solid #b3261e;
box-shadow:0 4px 16px rgba(0,0,0,.25);font:15px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;
text-align:left}
#careersite-problems .t{margin:0 0 4px;font-weight:700;font-size:17px}#careersite-problems p{margin:0 0 8px}
#careersite-problems ul,#careersite-warnings ul{margin:0;padding-left:1.2em;font-size:14px;word-break:break-all}
#careersite-warnings{position:fixed;bottom:0;left:0;right:0;z-index:2147483646;margin:0;max-height:50vh;overflow:auto;
padding:8px 20px;background:#fff8e1;color:#4a3500;border-top:3px solid #c98a00;box-shadow:0 -2px 10px rgba(0,0,0,.15);
font:14px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;text-align:left}
#careersite-warnings summary{cursor:pointer;font-weight:700}
"""


def _items(problems: Problems) -> str:
    words = {"error": problems.text("error"), "warning": problems.text("warning")}
    return "".join(f"<li>{html.escape(p.format(words))}</li>" for p in problems.sorted())


def overlay_html(problems: Problems) -> str:
    """A fixed banner listing the problems of a build that failed (styled by the preview's own stylesheet)."""
    return (f'<div id="{OVERLAY_ID}" role="alert"><p class="t">{html.escape(problems.text("serve_overlay_title"))}</p>'
            f'<p>{html.escape(problems.text("serve_overlay_note"))}</p><ul>{_items(problems)}</ul></div>')


def warnings_html(problems: Problems) -> str:
    """A quiet bar at the bottom that opens to list the warnings of a build that succeeded."""
    title = html.escape(problems.text("serve_warnings_title", n=len(problems.warnings)))
    return f'<details id="{WARNINGS_ID}"><summary>{title}</summary><ul>{_items(problems)}</ul></details>'


class Preview:
    """What `serve` keeps between saves: the build cache, the templates, the last good site and its files
    (made when asked), the problems to show, and a generation that counts the rebuilds."""

    def __init__(self, root: Path, base_url: str, today: dt.date | None = None,
                 say: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)) -> None:
        self.options = Options(root=root, base_url=base_url, drafts=True, today=today)
        self.cache = Cache(root, root / ".cache" / "careersite-serve", self.options.variant)
        self.compiled = render.CompiledTemplates()
        self.say = say
        self.files: dict[str, Artifact] = {}
        self.made: dict[str, bytes] = {}  # artifact key -> bytes
        self.bundles: dict[str, dict[str, bytes]] = {}  # the search index last asked for, by its key
        self.banner = ""
        self.generation = 0
        self.changed = threading.Condition()
        self.building = threading.Lock()

    def rebuild(self) -> bool:
        """Build the site anew (what changed only). On failure the last good site stays and the banner lists
        the problems. Returns whether the build succeeded."""
        with self.building:
            started = time.perf_counter()
            problems = new_problems()
            try:
                site = load_site(self.options, problems, self.cache, times=True)
                files = None
                if site is not None:
                    # Templates of their own, all compiled now: the last good site keeps them when one breaks.
                    env = render.environment(self.options.root, self.compiled)
                    for name in env.list_templates():
                        env.get_template(name)
                    files = render.site_files(site, env)
                    files.update(search.index_files(site))
                    for kind in ("home", "category", "position", "404"):  # a template that fails shows now
                        next((a.make() for a in files.values() if a.kind == kind), None)
            except jinja2.TemplateError as exc:  # HR or a designer can break a template: say where
                template_problem(exc, problems)
                files = None
            except Exception as exc:  # noqa: BLE001 - a bug, not HR's mistake: keep serving the last good site
                problems.error("build.py", 1, 1, "serve_internal_error", detail=f"{type(exc).__name__}: {exc}")
                files = None
            for problem in problems.sorted():
                self.say(problem.format({"error": problems.text("error"), "warning": problems.text("warning")}))
            if files is None:
                self.banner = overlay_html(problems)
                self.say(problems.text("serve_failed"))
            else:
                old = self.files
                changed = sum(1 for rel, artifact in files.items() if rel not in old or old[rel].key != artifact.key)
                self.files, self.made = files, {key: data for key, data in self.made.items()
                                                if key in {a.key for a in files.values()}}
                self.banner = warnings_html(problems) if problems.warnings else ""
                self.say(problems.text("serve_rebuilt", seconds=time.perf_counter() - started, rendered=changed))
            with self.changed:
                self.generation += 1
                self.changed.notify_all()
            return files is not None

    def page(self, rel: str) -> bytes | None:
        """The bytes of output file REL of the last good site, made now if need be; None if there is none."""
        artifact = self.files.get(rel)
        if artifact is None:  # perhaps a file of a bundle (the search index), all of which are made at once
            folder = rel[:rel.find("/") + 1]
            bundle = self.files.get(folder) if folder else None
            if isinstance(bundle, Bundle):
                made = self.bundles.get(bundle.key)
                if made is None:
                    made = bundle.make()
                    self.bundles = {bundle.key: made}
                return made.get(rel)
            if not self.files and rel == "index.html":  # no good build yet: a page to show the problems on
                title = html.escape(new_problems().text("serve_no_site"))
                return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
                        f"<body><p>{title}</p></body></html>").encode()
            return None
        data = self.made.get(artifact.key)
        if data is None:
            data = artifact.make()
            if len(self.made) >= MADE_PAGES:
                self.made.pop(next(iter(self.made)))
            self.made[artifact.key] = data
        return data

    def decorate(self, page: bytes) -> bytes:
        """An HTML page with the preview's stylesheet, reload script and banner."""
        head = f'<link rel="stylesheet" href="{PREFIX}preview.css">'.encode()
        tail = (f'{self.banner}<script src="{PREFIX}reload.js" data-generation="{self.generation}"></script>').encode()
        page = page.replace(b"</head>", head + b"</head>", 1)
        at = page.rfind(b"</body>")
        return page[:at] + tail + page[at:] if at >= 0 else page + tail


def allowed_host(header: str | None, port: int, host: str) -> bool:
    """A Host header the preview answers: loopback names, an IP address (DNS rebinding needs a name), or
    the --host given; with this server's port (or none, as some clients send)."""
    if not header:
        return False
    name, _, given_port = header.rpartition(":") if not header.endswith("]") else (header, "", "")
    if not name or (given_port and not given_port.isdigit()):
        name, given_port = header, ""
    if given_port and int(given_port) != port:
        return False
    name = name.strip("[]").lower()
    if name in ("localhost", host.lower()):
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the preview's pages, its own files under PREFIX, and its reload events."""

    preview: Preview
    host: str
    port: int
    server_version = "careersite-preview"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - HR reads our messages instead
        pass

    def do_HEAD(self) -> None:
        self.serve(head=True)

    def do_GET(self) -> None:
        self.serve(head=False)

    def send(self, status: int, body: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def serve(self, head: bool) -> None:
        if not allowed_host(self.headers.get("Host"), self.port, self.host):
            self.send(HTTPStatus.FORBIDDEN, b"careersite preview: unknown host\n", "text/plain; charset=utf-8", head)
            return
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")
        except (UnicodeDecodeError, ValueError):
            path = "\0"
        if "\0" in path or not path.startswith("/") or any(part == ".." for part in path.split("/")):
            self.send(HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain; charset=utf-8", head)
            return
        if path.startswith(PREFIX):
            self.own(path[len(PREFIX):], head)
            return
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        try:
            data = self.preview.page(rel)
        except Exception as exc:  # noqa: BLE001 - a page the last good site cannot make: say so, keep serving
            self.preview.say(new_problems().text("serve_internal_error", detail=f"{type(exc).__name__}: {exc}"))
            self.send(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc).encode(), "text/plain; charset=utf-8", head)
            return
        if data is None and rel + "/index.html" in self.preview.files:  # /positions/x -> /positions/x/
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if data is None:
            status, rel, data = HTTPStatus.NOT_FOUND, "404.html", self.preview.page("404.html") or b"not found"
        ctype = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if ctype == "text/html":
            data = self.preview.decorate(data)
        if ctype.startswith("text/") or ctype in ("application/json", "application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self.send(status, data, ctype, head)

    def own(self, name: str, head: bool) -> None:
        if name == "reload.js":
            self.send(HTTPStatus.OK, RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
        elif name == "preview.css":
            self.send(HTTPStatus.OK, PREVIEW_CSS.encode(), "text/css; charset=utf-8", head)
        elif name == "events":
            self.events(head)
        else:
            self.send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)

    def events(self, head: bool) -> None:
        """Server-Sent Events: the generation now, then each new one. Same origin only (a page elsewhere
        cannot make the preview reload; EventSource sends Origin on cross-origin requests)."""
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host')}":
            self.send(HTTPStatus.FORBIDDEN, b"careersite preview: other origin\n", "text/plain; charset=utf-8", head)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        preview, sent = self.preview, None
        try:
            while True:
                with preview.changed:
                    if preview.generation == sent:
                        preview.changed.wait(timeout=15)
                    generation = preview.generation
                if generation != sent:
                    self.wfile.write(f"retry: 500\ndata: {generation}\n\n".encode())
                    sent = generation
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, OSError):
            return


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # a browser dropping a connection is not news
        pass


def watch(root: Path, preview: Preview, stop: threading.Event, ready: threading.Event) -> None:
    """Rebuild after each batch of saves the operating system reports (editor and system files ignored).
    READY is set once the operating system watches (the first, empty, report after READY_MS)."""
    from watchfiles import watch as watch_files

    base = root.absolute()

    def wanted(_change: object, path: str) -> bool:
        try:
            parts = Path(path).absolute().relative_to(base).parts
        except ValueError:
            return True
        return not any(is_ignored(part) for part in parts)

    paths = [root / name for name in WATCHED if (root / name).exists()]
    for changes in watch_files(*paths, watch_filter=wanted, step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop,
                               rust_timeout=READY_MS, yield_on_timeout=True):
        ready.set()
        if changes:
            preview.rebuild()


WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def lan_address() -> str | None:
    """This computer's IPv4 address in its local network (what a phone on the same Wi-Fi opens), or None.
    Connecting a UDP socket sends nothing: it only asks the system which address it would send from."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 9))  # any address outside this computer: no packet leaves
            address = probe.getsockname()[0]
    except OSError:  # no network at all
        try:
            address = socket.gethostbyname(socket.gethostname())
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0" else address


def phone_lines(host: str, port: int, problems: Problems, *, colour: bool) -> list[str]:
    """What serve says about previewing on a phone: with --host 0.0.0.0 (or an address of this computer) the
    address to open and its QR code; on this computer only, how to get there."""
    if host in LOOPBACK_HOSTS:
        return [problems.text("serve_phone_hint", port=port)]
    address = lan_address() if host in WILDCARD_HOSTS else host
    if address is None:
        return [problems.text("serve_lan_unknown")]
    url = f"http://{address}:{port}/" if ":" not in address else f"http://[{address}]:{port}/"
    return [problems.text("serve_lan", url=url), *qr_terminal(url, colour=colour)]


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8000,
          problems: Problems | None = None) -> int:
    """Run the preview until Ctrl+C. Exit status 0, or 1 if the port cannot be used. PROBLEMS: what to say
    things with (the site's language)."""
    problems = problems or new_problems()
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    url = f"http://{shown}:{port}/" if ":" not in shown else f"http://[{shown}]:{port}/"
    preview = Preview(root, url, today)
    handler = type("PreviewHandler", (Handler,), {"preview": preview, "host": host, "port": port})
    try:
        server = Server((host, port), handler)
    except OSError as exc:
        preview.say(problems.text("serve_port_busy", port=port, detail=exc.strerror or str(exc)))
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _interrupt)  # stop like Ctrl+C
    try:
        ready = threading.Event()  # watching before the first build: no save after it is missed
        watcher = threading.Thread(target=watch, args=(root, preview, stop, ready), name="careersite-watch",
                                   daemon=True)
        watcher.start()
        ready.wait(10)
        preview.rebuild()
        preview.say(problems.text("serve_started", url=url))
        if host not in LOOPBACK_HOSTS:
            preview.say(problems.text("serve_public_host", host=host))
        for line in phone_lines(host, port, problems, colour=sys.stderr.isatty()):
            preview.say(line)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        preview.cache.close()
    return 0
