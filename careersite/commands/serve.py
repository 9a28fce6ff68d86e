"""`serve`: the site in memory, pages made when asked, reloaded after a save; a failed rebuild keeps the last good
site. Only this computer's own Host names are answered (no DNS rebinding; livereload accepts every origin)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import ipaddress
import mimetypes
import os
import signal
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple
from urllib.parse import unquote, urlsplit

import jinja2

from .. import render, search
from ..errors import Problems
from ..incremental import Cache
from ..load.config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR, today_in
from ..load.content import CONTENT_DIR, is_ignored
from ..model.lint import closing_warning, lint_dates
from ..model.markup import Renderer
from ..model.perfile import process_file
from ..model.site import Site, with_position
from ..render import Artifact, Bundle, SiteFiles
from ..render.qr import qr_terminal
from .build import NoCache, Options, load_site, new_problems, no_cyclic_gc, template_problem

WATCHED = ("content", TEMPLATES_DIR, STATIC_DIR, CONFIG_FILE)
STEP_MS = 30  # saves reported within STEP of each other are one batch, which ends after DEBOUNCE at most
DEBOUNCE_MS = 300
READY_MS = 200  # how often the watcher wakes without news (the first time: it is watching)
PREFIX = "/__careersite/"  # the preview's own files (reload script, styles, events): never a site path
OVERLAY_ID = "careersite-problems"
WARNINGS_ID = "careersite-warnings"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PLAIN = "text/plain; charset=utf-8"

HERE = Path(__file__).parent / "preview"
OWN_FILES = {name: ((HERE / name).read_bytes(), ctype)  # the preview's own files, served under PREFIX
             for name, ctype in (("reload.js", "text/javascript; charset=utf-8"),
                                 ("preview.css", "text/css; charset=utf-8"))}


def banner_html(problems: Problems, lines: list[str], failed: bool) -> str:
    """A failed build's problems (LINES, as printed) as a fixed banner, a good build's warnings as a bar, or nothing."""
    if not failed and not problems.warnings:
        return ""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    if failed:
        title, note = (html.escape(problems.text(key)) for key in ("serve_overlay_title", "serve_overlay_note"))
        return f'<div id="{OVERLAY_ID}" role="alert"><p class="t">{title}</p><p>{note}</p><ul>{items}</ul></div>'
    title = html.escape(problems.text("serve_warnings_title", n=len(problems.warnings)))
    return f'<details id="{WARNINGS_ID}"><summary>{title}</summary><ul>{items}</ul></details>'


class Shown(NamedTuple):
    """A rebuild's problems as `serve` showed them: whether it failed, the lines printed, the banner."""

    problems: list | None
    failed: bool
    lines: list[str]
    banner: str


class Preview:
    """What `serve` keeps between saves: cache, templates, the last good site, its banner, a rebuild count."""

    def __init__(self, root: Path, base_url: str, today: dt.date | None = None,
                 say: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)) -> None:
        self.options = Options(root=root, base_url=base_url, drafts=True, today=today)
        self.cache = Cache(root, root / ".cache" / "careersite-serve", self.options.variant)
        self.compiled = render.CompiledTemplates()
        self.say = say
        self.site: Site | None = None  # the last good site,
        self.files: Mapping[str, Artifact] = {}  # its files, each worked out when looked up,
        self.bundles: Callable[[], dict[str, Bundle]] = functools.cache(dict)  # its search index, made when asked
        self.index: tuple[Bundle, dict[str, bytes]] | None = None  # the search index last asked for, and its files
        self.shown = Shown(None, True, [], "")  # the last rebuild's (failed, or none yet: the next checks templates)
        self.whole = True  # whether the last rebuild went over the whole site (else: over one saved position)
        self.generation = 0
        self.changed = threading.Condition()
        self.building = threading.Lock()

    def rebuild(self, saved: Iterable[str] | None = None) -> bool:
        """Build anew (what changed only); on failure keep the last good site and list the problems. SAVED: the
        paths the watcher saw change, if it knows (when they are all position files, the others are not looked at)."""
        with self.building, no_cyclic_gc():
            started = time.perf_counter()
            problems = new_problems()
            site, files, bundles = None, None, None
            rels = {os.path.relpath(path, self.options.root).replace(os.sep, "/") for path in saved or ()}
            content = saved is not None and all(rel.startswith(CONTENT_DIR.as_posix() + "/") for rel in rels)
            try:
                quick = self.one_saved(*rels) if content and len(rels) == 1 and not self.shown.failed else None
                self.whole = quick is None
                if quick is not None:
                    (site, files, bundles), problems.items = quick, list(self.shown.problems)
                elif (site := load_site(self.options, problems, self.cache, times=True)) is not None:
                    # Templates of their own, all compiled now: the last good site keeps them when one breaks.
                    env = render.environment(self.options.root, self.compiled)
                    for name in env.list_templates():
                        env.get_template(name)
                    made = render.site_files(site, env)
                    # A template that fails shows now (unchanged since the last good rebuild, it cannot fail).
                    kinds = () if content and not self.shown.failed else ("home", "category", "position", "404")
                    for first in filter(None, map(made.first, kinds)):
                        first.make()
                    files, bundles = made, functools.partial(search.index_files, site)
            except jinja2.TemplateError as exc:  # HR or a designer can break a template: say where
                template_problem(exc, problems)
            except Exception as exc:  # noqa: BLE001 - a bug, not HR's mistake: keep serving the last good site
                problems.error("build.py", 1, 1, "serve_internal_error", detail=f"{type(exc).__name__}: {exc}")
            if (problems.items, files is None) != self.shown[:2]:  # (thousands of warnings: the same as last time)
                lines = problems.lines()
                self.shown = Shown(problems.items, files is None, lines, banner_html(problems, lines, files is None))
            for line in self.shown.lines:
                self.say(line)
            if files is None:
                self.say(problems.text("serve_failed"))
            else:  # (a page made before and unchanged has the same key)
                self.site, self.files, self.bundles = site, files, functools.cache(bundles)
                self.say(problems.text("serve_rebuilt", seconds=time.perf_counter() - started))
            with self.changed:
                self.generation += 1
                self.changed.notify_all()
            return files is not None

    def one_saved(self, rel: str) -> tuple[Site, SiteFiles, Callable[[], dict[str, Bundle]]] | None:
        """The last good site, its files and its search index with position file REL made again, if that is all a save
        of REL changes (model.site.with_position) and REL has the problems it had: so a save takes as long on a site
        of any size (the search index too, if it was asked for since the last save)."""
        site, last = self.site, self.shown.problems or []
        today = self.options.today or today_in(site.config.timezone) if site else None
        default = site.config.defaults.get("closes") if site else None
        if site is None or rel not in site.index or today != site.today \
                or (default and closing_warning(default, today)) \
                or any(rel in p.message for p in last if p.path != rel):  # (named by another file's problem)
            return None
        if (when := self.cache.time_of(rel)) is None:
            return None
        make = functools.partial(process_file, config=site.config, renderer=Renderer())
        if (result := NoCache(self.options.root).process([rel], make, site.config.messages)[0]).position is None:
            return None
        problems = Problems(site.config.messages, list(result.problems))  # (in the site's language, as shown)
        lint_dates(site.config, [result.source], today, problems)
        if sorted(problems.items) != sorted(p for p in last if p.path == rel):
            return None
        if (made := with_position(site, result.position, when)) is None:
            return None
        old, env = site.positions[site.index[rel]], render.environment(self.options.root, self.compiled)
        bundles = functools.partial(search.index_after, made, self.bundles(), old, result.position) \
            if self.bundles.cache_info().currsize else functools.partial(search.index_files, made)
        return made, render.site_files(made, env, self.files, result.position), bundles

    def page(self, rel: str) -> bytes | None:
        """The bytes of output file REL of the last good site, made now if need be; None if there is none."""
        artifact = self.files.get(rel)
        if artifact is None:  # perhaps a file of a bundle (the search index), all of which are made at once
            bundle = self.bundles().get(rel[:rel.find("/") + 1])  # its folder
            if bundle is not None:
                last = self.index
                if last is None or last[0].key != bundle.key:  # made anew, or from the last one if it can be
                    update = bundle.update(last[0].inputs, last[1].get) if last else None
                    made = {path: last[1][path] if data is None else data for path, data in update.items()} \
                        if last and update else bundle.make()
                    self.index = last = (bundle, made)
                return last[1].get(rel)
            if not self.files and rel == "index.html":  # no good build yet: a page to show the problems on
                title = html.escape(new_problems().text("serve_no_site"))
                return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
                        f"<body><p>{title}</p></body></html>").encode()
            return None
        return artifact.make()

    def decorate(self, page: bytes) -> bytes:
        """An HTML page with the preview's stylesheet, reload script and banner."""
        head = f'<link rel="stylesheet" href="{PREFIX}preview.css">'.encode()
        tail = (f'{self.shown.banner}<script src="{PREFIX}reload.js" '
                f'data-generation="{self.generation}"></script>').encode()
        page = page.replace(b"</head>", head + b"</head>", 1)
        at = page.rfind(b"</body>")
        return page[:at] + tail + page[at:] if at >= 0 else page + tail


def allowed_host(header: str | None, port: int, host: str) -> bool:
    """Whether to answer HEADER: localhost, an IP address (rebinding needs a name) or --host; this port or none."""
    if not header:
        return False
    name, _, given_port = header.rpartition(":") if not header.endswith("]") else (header, "", "")
    if not name or (given_port and not given_port.isdigit()):
        name, given_port = header, ""
    if given_port and int(given_port) != port:
        return False
    name = name.strip("[]").lower()
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name in ("localhost", host.lower())
    return True


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the preview's pages, its own files under PREFIX, and its reload events."""

    preview: Preview
    host: str
    port: int
    server_version = "careersite-preview"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - HR reads our messages instead
        pass

    def send(self, status: int, body: bytes | None, ctype: str, head: bool, **headers: str) -> None:
        self.send_response(status)
        length = {} if body is None else {"Content-Length": str(len(body))}  # (None: a stream of events follows)
        for name, value in {"Content-Type": ctype, **length, "Cache-Control": "no-store", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def do_GET(self) -> None:
        head = self.command == "HEAD"
        if not allowed_host(self.headers.get("Host"), self.port, self.host):
            return self.send(HTTPStatus.FORBIDDEN, b"careersite preview: unknown host\n", PLAIN, head)
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")
        except (UnicodeDecodeError, ValueError):
            path = "\0"
        if "\0" in path or not path.startswith("/") or ".." in path.split("/"):
            return self.send(HTTPStatus.BAD_REQUEST, b"bad request\n", PLAIN, head)
        if path.startswith(PREFIX):
            name = path[len(PREFIX):]
            if name == "events":
                return self.events(head)
            if name not in OWN_FILES:
                return self.send(HTTPStatus.NOT_FOUND, b"not found\n", PLAIN, head)
            return self.send(HTTPStatus.OK, *OWN_FILES[name], head)
        rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        try:
            data = self.preview.page(rel)
        except Exception as exc:  # noqa: BLE001 - a page the last good site cannot make: say so, keep serving
            self.preview.say(new_problems().text("serve_internal_error", detail=f"{type(exc).__name__}: {exc}"))
            return self.send(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc).encode(), PLAIN, head)
        if data is None and rel + "/index.html" in self.preview.files:  # /positions/x -> /positions/x/
            return self.send(HTTPStatus.MOVED_PERMANENTLY, b"", PLAIN, head, Location=path + "/")
        status = HTTPStatus.OK
        if data is None:
            status, rel, data = HTTPStatus.NOT_FOUND, "404.html", self.preview.page("404.html") or b"not found"
        ctype = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if ctype == "text/html":
            data = self.preview.decorate(data)
        if ctype.startswith("text/") or ctype in ("application/json", "application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self.send(status, data, ctype, head)

    do_HEAD = do_GET

    def events(self, head: bool) -> None:
        """Server-Sent Events: the generation now, then each new one; same origin only (EventSource sends Origin)."""
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host')}":
            return self.send(HTTPStatus.FORBIDDEN, b"careersite preview: other origin\n", PLAIN, head)
        self.send(HTTPStatus.OK, None, "text/event-stream; charset=utf-8", head)
        if head:
            return
        preview, sent = self.preview, None
        with contextlib.suppress(OSError):  # the browser went away
            while True:
                with preview.changed:
                    preview.changed.wait_for(lambda: preview.generation != sent, timeout=15)
                    generation = preview.generation
                self.wfile.write(f"retry: 500\ndata: {generation}\n\n".encode() if generation != sent
                                 else b": still here\n\n")
                self.wfile.flush()
                sent = generation


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # a browser dropping a connection is not news
        pass


def watch(root: Path, preview: Preview, stop: threading.Event, ready: threading.Event) -> None:
    """Rebuild after each batch of saves (editor and system files ignored); READY is set once watching."""
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
            preview.rebuild([path for _change, path in changes])


def lan_address() -> str | None:
    """This computer's IPv4 address in its local network (what a phone on the same Wi-Fi opens), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 9))  # UDP: no packet leaves, the system only picks an address
            address = probe.getsockname()[0]
    except OSError:  # no network at all
        try:
            address = socket.gethostbyname(socket.gethostname())
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0" else address


def phone_lines(host: str, port: int, problems: Problems, *, colour: bool) -> list[str]:
    """How to preview on a phone: the address to open and its QR code, or how to get one."""
    if host in LOOPBACK_HOSTS:
        return [problems.text("serve_phone_hint", port=port)]
    address = lan_address() if host in WILDCARD_HOSTS else host
    if address is None:
        return [problems.text("serve_lan_unknown")]
    url = f"http://{address}:{port}/" if ":" not in address else f"http://[{address}]:{port}/"
    return [problems.text("serve_lan", url=url), *qr_terminal(url, colour=colour)]


def serve(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8000,
          problems: Problems | None = None) -> int:
    """Run the preview until Ctrl+C: exit status 0, or 1 if the port cannot be used."""
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
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl+C
    try:
        ready = threading.Event()  # watching before the first build: no save after it is missed
        threading.Thread(target=watch, args=(root, preview, stop, ready), name="careersite-watch", daemon=True).start()
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
