"""`build.py serve` for real on a free local port: pages from memory, reload events after a save, the last good
site kept through a broken file, and a server that answers only this computer's own names."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from careersite import render, search
from careersite.commands.build import Options, load_site, new_problems
from careersite.commands.serve import OVERLAY_ID, PREFIX, WARNINGS_ID, Preview, allowed_host
from careersite.render.pages import Pages
from careersite.load.textfile import read_file
from careersite.write import stat_of
from tests.helpers import MINIMAL_POSITION, POS, PROJECT, TODAY, english, new_site, position

pytestmark = pytest.mark.slow
WAIT = 30  # seconds: the bound on every wait below


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Events:
    """A Server-Sent Events client of the preview's reload stream: the generations it announces."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.connection.request("GET", PREFIX + "events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        self.generations: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.next()  # the generation now

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    self.generations.append(line[len("data: "):])
        except (OSError, ValueError):
            pass

    def next(self, after: int = 0) -> str:
        """The first generation announced after the AFTER first ones, waiting for it."""
        deadline = time.monotonic() + WAIT
        while len(self.generations) <= after:
            assert time.monotonic() < deadline, "no reload event"
            time.sleep(0.02)
        return self.generations[after]

    def reload(self) -> str:
        """Wait for the next rebuild's event."""
        return self.next(len(self.generations))

    def close(self) -> None:
        self.connection.close()


class Served:
    def __init__(self, site, port: int, proc: subprocess.Popen) -> None:
        self.site, self.port, self.proc = site, port, proc
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str = "", headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def page(self, path: str = "") -> BeautifulSoup:
        status, text = self.get(path)
        assert status == 200, (status, text[:200])
        return BeautifulSoup(text, "html.parser")

    def until(self, path: str, check, status: int = 200) -> BeautifulSoup:
        """The page at PATH once CHECK(page) holds: an editor may save in steps (truncate, then write), and
        each step is a rebuild of its own."""
        deadline = time.monotonic() + WAIT
        while True:
            got, text = self.get(path)
            page = BeautifulSoup(text, "html.parser")
            if got == status and check(page):
                return page
            assert time.monotonic() < deadline, (got, text[:500])
            time.sleep(0.05)

    def raw(self, request: bytes) -> bytes:
        """Send REQUEST as it is (no client tidies it) and return the response's first line."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(request)
            return sock.recv(65536).split(b"\r\n", 1)[0]

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def wait_for_line(self, text: str, start: int = 0) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if text in line:
                    return line
            assert self.proc.poll() is None, "\n".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} in:\n" + "\n".join(self.lines))


@contextlib.contextmanager
def serving(site, port: int | None = None, *args: str):
    """build.py serve on PORT (a free one) with ARGS, until the block ends; waits until the server answers."""
    port = port or free_port()
    env = {**os.environ, "CAREERSITE_TODAY": TODAY.isoformat(), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(site.root),
                             "--port", str(port), *args], cwd=site.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    server = Served(site, port, proc)
    try:
        server.wait_for_line(f"http://127.0.0.1:{port}/")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=WAIT)


def text(title: str, category: str = "tech", front: str = "") -> str:
    return position(title, category, "closes: 2027-01-31\n" + front, duties=(f"负责{title}的工作。",), requirements=())


def served_files() -> dict[str, str]:
    return {"content/positions/backend-engineer.md": text("后端工程师"),
            "content/positions/draft-one.md": text("草稿岗位", front="draft: true\n")}


@pytest.fixture
def served(make_site):
    with serving(make_site(served_files(), position=False)) as server:
        yield server


@pytest.fixture(scope="module")
def viewed(tmp_path_factory):
    """The same site served once, for the tests that only read it (each of the others edits a site of its own)."""
    with serving(new_site(tmp_path_factory.mktemp("served") / "site", served_files(), position=False)) as server:
        yield server


def test_serve_serves_the_site_from_memory_with_drafts_marked(viewed):
    home = viewed.page()
    assert home.find("script", src=f"{PREFIX}reload.js") is not None
    assert home.find(id=OVERLAY_ID) is None
    draft = viewed.page("positions/draft-one/")
    assert draft.find(class_="badge-draft") is not None and draft.find(class_="notice-draft") is not None
    canonical = viewed.page("positions/backend-engineer/").find("link", rel="canonical")["href"]
    assert canonical == f"{viewed.url}positions/backend-engineer/"
    status, page = viewed.get("no-such-page/")
    assert status == 404 and "页面不存在" in page
    assert viewed.get("positions/backend-engineer")[0] == 200  # redirected to the folder
    assert not (viewed.site.root / "public").exists()  # never builds into public/
    assert not [p for p in viewed.site.root.iterdir() if p.name.startswith(".staging")]


def test_serve_rebuilds_and_reloads_after_an_edit(served):
    events = Events(served.port)
    served.site.position("backend-engineer.md", text("高级后端工程师"))
    events.reload()
    served.until("positions/backend-engineer/", lambda page: page.find("h1").get_text(strip=True) == "高级后端工程师")
    assert "高级后端工程师" in served.page().get_text()
    assert served.wait_for_line("已更新")
    events.close()


def test_a_page_loaded_before_a_rebuild_reloads_when_it_connects(served):
    """The page says which generation it shows; a rebuild between its load and its connection is not lost."""
    shown = served.page().find("script", src=f"{PREFIX}reload.js")["data-generation"]
    served.site.position("backend-engineer.md", text("高级后端工程师"))
    served.wait_for_line("已更新", served.count("已更新"))
    time.sleep(0.5)
    assert Events(served.port).next() != shown


def test_a_broken_file_keeps_the_last_good_site_and_shows_the_problem(served):
    events = Events(served.port)
    served.site.position("backend-engineer.md", text("后端工程师").replace("category: tech", "category: tehc"))
    events.reload()
    page = served.until("positions/backend-engineer/", lambda page: page.find(id=OVERLAY_ID) is not None and
                        "content/positions/backend-engineer.md:3:11: 错误:" in page.find(id=OVERLAY_ID).get_text())
    assert page.find("h1").get_text(strip=True) == "后端工程师"  # the last good page
    served.site.position("backend-engineer.md", text("后端工程师"))
    events.reload()
    served.until("positions/backend-engineer/", lambda page: page.find(id=OVERLAY_ID) is None)


def test_a_broken_template_keeps_the_last_good_site(served):
    events = Events(served.port)
    (served.site.root / "templates/home.html").write_text("{% extends 'base.html' %}{% block main %}{{ nope.x }}{% endblock %}",
                                                          encoding="utf-8")
    events.reload()
    page = served.until("", lambda page: page.find(id=OVERLAY_ID) is not None)
    assert "templates/home.html" in page.find(id=OVERLAY_ID).get_text()
    assert page.find(class_="card") is not None  # the last good home page


def test_a_burst_of_edits_rebuilds_once(served):
    before, start = served.count("已更新"), len(served.lines)
    for n in range(5):
        served.site.position(f"burst-{n}.md", text(f"岗位{n}"))
    served.wait_for_line("已更新", start)
    time.sleep(1.0)
    assert served.count("已更新") - before <= 2
    assert "岗位4" in served.page().get_text()


def test_positions_added_renamed_moved_and_deleted_while_serving(served):
    events = Events(served.port)
    folder = served.site.root / "content/positions"
    (folder / "sub").mkdir()
    served.site.position("sub/new-one.md", text("新岗位", "ops"))
    events.reload()
    served.until("positions/new-one/", lambda page: page.find("h1").get_text(strip=True) == "新岗位")
    (folder / "sub/new-one.md").rename(folder / "renamed.md")
    events.reload()
    served.until("positions/renamed/", lambda page: True)
    served.until("positions/new-one/", lambda page: True, status=404)
    (folder / "renamed.md").unlink()
    events.reload()
    served.until("positions/renamed/", lambda page: True, status=404)


def test_editor_and_system_files_do_not_rebuild(served):
    before = served.count("已更新")
    folder = served.site.root / "content/positions"
    for name in (".backend-engineer.md.swp", "backend-engineer.md~", "#backend-engineer.md#", ".DS_Store"):
        (folder / name).write_text("x", encoding="utf-8")
    time.sleep(1.5)
    assert served.count("已更新") == before


@pytest.mark.parametrize("language, line", [
    ("zh-CN", "端口 {port} 无法使用（Address already in use）：可能已有一个预览在运行；请换一个端口，例如 --port 8001"),
    ("en", "port {port} cannot be used (Address already in use): is a preview already running? choose another, "
           "e.g. --port 8001"),
])
def test_serve_refuses_a_busy_port(make_site, language, line):
    site = make_site()
    if language == "en":
        english(site)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(site.root),
                                 "--port", str(port)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == line.format(port=port)
    assert "Traceback" not in result.stderr


def test_the_published_build_has_no_preview_code(make_site):
    site = make_site({"content/positions/x.md": MINIMAL_POSITION.replace("category: tech", "category: ops")})
    site.build()
    for page in site.out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert PREFIX not in html and OVERLAY_ID not in html and WARNINGS_ID not in html


def test_a_site_broken_from_the_start_shows_the_problems_then_recovers(make_site):
    site = make_site({"content/positions/a.md": text("后端工程师").replace("closes: 2027-01-31", "closes: 2027-13-01")},
                     position=False)
    with serving(site) as served:
        status, page = served.get()
        overlay = BeautifulSoup(page, "html.parser").find(id=OVERLAY_ID)
        assert status == 200 and overlay is not None
        assert "content/positions/a.md:4:9: 错误: 'closes' 的日期 '2027-13-01' 不存在" in overlay.get_text()
        events = Events(served.port)
        served.site.position("a.md", text("后端工程师"))
        events.reload()
        page = served.until("positions/a/", lambda page: page.find(id=OVERLAY_ID) is None)
        assert page.find("h1").get_text(strip=True) == "后端工程师"


def test_warnings_show_in_a_quiet_bar(served):
    assert served.page().find(id=WARNINGS_ID) is None
    events = Events(served.port)
    served.site.position("backend-engineer.md", text("后端工程师").replace("2027-01-31", "2026-11-30"))
    events.reload()
    page = served.until("positions/backend-engineer/", lambda page: page.find(id=WARNINGS_ID) is not None)
    bar = page.find(id=WARNINGS_ID)
    assert bar is not None and bar.name == "details" and not bar.has_attr("open")
    assert "1 个警告" in bar.find("summary").get_text()
    assert "content/positions/backend-engineer.md:4:9: 警告: 岗位将于 2026-11-30 截止（还剩 2 天）" in bar.get_text()


def test_the_preview_works_under_the_sites_content_security_policy(viewed):
    """The preview's additions are same-origin files (a stylesheet, a script), never inline."""
    page = viewed.page()
    assert all(script.get("src") for script in page.find_all("script") if script.get("type") != "application/ld+json")
    assert not page.find_all(style=True)
    assert viewed.get(PREFIX.lstrip("/") + "reload.js")[0] == 200
    assert viewed.get(PREFIX.lstrip("/") + "preview.css")[0] == 200


# --- only this computer's own names: no DNS rebinding, no cross-site reload --------------------------------

def test_a_foreign_host_name_is_refused(viewed):
    """A page on evil.example whose name is rebound to 127.0.0.1 sends Host: evil.example: refused."""
    assert viewed.raw(b"GET / HTTP/1.1\r\nHost: evil.example:%d\r\n\r\n" % viewed.port).startswith(b"HTTP/1.1 403")
    assert viewed.raw(b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n").startswith(b"HTTP/1.1 403")
    assert viewed.raw(b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 403")  # no Host at all
    for good in (b"127.0.0.1:%d" % viewed.port, b"localhost:%d" % viewed.port, b"localhost"):
        assert viewed.raw(b"GET / HTTP/1.1\r\nHost: " + good + b"\r\n\r\n").startswith(b"HTTP/1.1 200"), good


def test_reload_events_are_for_the_same_origin_only(viewed):
    status, body = viewed.get(PREFIX.lstrip("/") + "events", headers={"Origin": "https://evil.example"})
    assert status == 403 and "origin" in body


def test_odd_paths_are_refused_without_a_traceback(viewed):
    start = len(viewed.lines)
    for path in (b"/%00", b"/positions/%00/", b"/%ff%fe/", b"/../site.toml", b"/static/../../site.toml"):
        first = viewed.raw(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % viewed.port)
        assert first.startswith((b"HTTP/1.1 400", b"HTTP/1.1 404")), (path, first)
    time.sleep(0.2)
    assert not [line for line in viewed.lines[start:] if "Traceback" in line or "Error" in line]
    assert viewed.get()[0] == 200


@pytest.mark.parametrize("header, allowed", [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True), ("192.168.1.20:8000", True),
    ("LOCALHOST:8000", True), ("localhost", True), ("127.0.0.1:9999", False), ("evil.example:8000", False),
    ("127.0.0.1.evil.example:8000", False), ("", False), (None, False), ("localhost:80a", False),
])
def test_which_host_headers_the_preview_answers(header, allowed):
    assert allowed_host(header, 8000, "127.0.0.1") is allowed


def test_a_host_given_on_the_command_line_is_answered():
    assert allowed_host("careers.local:8000", 8000, "careers.local")
    assert not allowed_host("careers.local:8000", 8000, "0.0.0.0")


# --- the preview in process ----------------------------------------------------------------------------------

def test_a_bug_during_a_rebuild_keeps_the_last_good_site(make_site, monkeypatch):
    from careersite.commands import serve

    site = make_site()
    said: list[str] = []
    preview = Preview(site.root, "http://127.0.0.1:8000/", TODAY, say=said.append)
    assert preview.rebuild() and OVERLAY_ID not in preview.shown.banner
    before = preview.page("positions/backend-engineer/index.html")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(serve, "load_site", broken)
    assert preview.rebuild() is False
    assert preview.page("positions/backend-engineer/index.html") == before
    assert "disk on fire" in BeautifulSoup(preview.shown.banner, "html.parser").get_text()
    assert any("预览程序内部出错（RuntimeError: disk on fire）" in line for line in said)
    preview.cache.close()


def test_each_save_prints_every_problem_and_the_bar_follows_them(make_site):
    """The problems of a save are printed and shown in full each time, also when they are the last save's (whose
    lines and bar are then reused), and a save that changes them shows the new ones."""
    site = make_site()
    said: list[str] = []
    preview = Preview(site.root, "http://127.0.0.1:8000/", TODAY, say=said.append)
    site.position("backend-engineer.md", text("后端工程师").replace("2027-01-31", "2026-11-30"))
    soon = "content/positions/backend-engineer.md:4:9: 警告: 岗位将于 2026-11-30 截止（还剩 2 天）"
    for title in ("后端工程师", "后端工程师（北京）"):  # a save that leaves the warning as it was
        site.position("backend-engineer.md", text(title).replace("2027-01-31", "2026-11-30"))
        said.clear()
        assert preview.rebuild([str(site.root / "content/positions/backend-engineer.md")])
        assert any(line.startswith(soon) for line in said) and soon in preview.shown.banner
    site.position("backend-engineer.md", text("后端工程师").replace("2027-01-31", "2026-11-29"))
    said.clear()
    assert preview.rebuild([str(site.root / "content/positions/backend-engineer.md")])
    assert not any(line.startswith(soon) for line in said)
    assert soon not in preview.shown.banner and "还剩 1 天" in preview.shown.banner
    site.position("backend-engineer.md", text("后端工程师"))
    assert preview.rebuild([str(site.root / "content/positions/backend-engineer.md")]) and preview.shown.banner == ""
    preview.cache.close()


def test_one_edit_changes_only_the_pages_made_from_it(make_site, monkeypatch):
    """Pages are made on request from artifacts whose keys say what they are made from: an edit to one
    position changes its page, its category's listing and the home page, not the other category's; the
    search index is the last one, updated; of the position files, only the one the watcher saw saved is
    looked at (read again on its own, the others neither read nor asked after)."""
    files = {f"content/positions/tech-{n}.md": text(f"技术岗{n}") for n in range(3)}
    files |= {f"content/positions/ops-{n}.md": text(f"运营岗{n}", "ops") for n in range(3)}
    site = make_site(files, position=False)
    preview = Preview(site.root, "http://127.0.0.1:8000/", TODAY, say=lambda line: None)
    assert preview.rebuild() and preview.page("search/meta.json")
    before = {rel: artifact.key for rel, artifact in preview.files.items()}
    site.position("tech-1.md", text("技术岗1（改）"))
    looked_at = []
    monkeypatch.setattr("careersite.incremental.build.stat_of",
                        lambda path, **kw: looked_at.append(path) or stat_of(path, **kw))
    monkeypatch.setattr("careersite.commands.build.read_file",
                        lambda path, *args: looked_at.append(path) or read_file(path, *args))
    assert preview.rebuild([str(site.root / "content/positions/tech-1.md")])  # what the watcher saw
    assert [Path(path).name for path in looked_at] == ["tech-1.md"] and not preview.whole
    changed = {rel for rel, artifact in preview.files.items() if before.get(rel) != artifact.key}
    assert {"positions/tech-1/index.html", "categories/tech/index.html", "index.html"} <= changed
    assert not changed & {"positions/tech-0/index.html", "categories/ops/index.html", "positions/ops-0/index.html"}
    assert "技术岗1（改）" in preview.page("positions/tech-1/index.html").decode()
    whole = preview.bundles()["search/"].make()
    monkeypatch.setattr("careersite.search.UPDATE_SHARE", 1)  # (a site this small is made anew otherwise)
    monkeypatch.setattr("careersite.search.index.index_files", lambda docs: {})  # updated from the last one instead
    assert {rel: preview.page(rel) for rel in whole} == whole
    preview.cache.close()


def test_a_save_works_out_only_the_files_the_browser_asks_for(make_site, monkeypatch):
    """After a save the preview digests what the asked-for page is made from, not every file of the site (at
    10,000 positions, working out every file's key was half of a save's wait: docs/performance.md)."""
    files = {f"content/positions/tech-{n}.md": text(f"技术岗{n}") for n in range(20)}
    site = make_site(files, position=False)
    preview = Preview(site.root, "http://127.0.0.1:8000/", TODAY, say=lambda line: None)
    assert preview.rebuild()
    worked_out = []
    original = Pages.position_artifact
    monkeypatch.setattr(Pages, "position_artifact", lambda self, p: worked_out.append(p.slug) or original(self, p))
    site.position("tech-3.md", text("技术岗3（改）"))
    assert preview.rebuild([str(site.root / "content/positions/tech-3.md")])
    assert "positions/tech-5/index.html" in preview.files and "positions/nope/index.html" not in preview.files
    assert worked_out == []  # (nor by asking whether a file is there)
    assert "技术岗3（改）" in preview.page("positions/tech-3/index.html").decode()
    assert worked_out == ["tech-3"]
    assert len(preview.files) == len(dict(preview.files.items())) > 20  # every page is there when asked for
    assert all(preview.page(f"positions/tech-{n}/index.html") for n in range(20))
    preview.cache.close()


def _qr_text(lines: list[str]) -> str | None:
    """What the QR code drawn in LINES (half blocks, dark modules as ink) says, read by zxing-cpp."""
    import zxingcpp

    rows = []
    for line in lines:
        rows.append([ch in "▀█" for ch in line])
        rows.append([ch in "▄█" for ch in line])
    scale, height, width = 4, len(rows), len(rows[0])
    pixels = bytearray()
    for row in rows:
        line = b"".join(b"\x00" * scale if dark else b"\xff" * scale for dark in row)
        pixels += line * scale
    found = zxingcpp.read_barcode(memoryview(bytes(pixels)).cast("B", (height * scale, width * scale)))
    return found.text if found else None


def test_the_terminal_qr_code_scans():
    from careersite.render.qr import qr_terminal

    url = "http://192.168.31.7:8000/"
    assert _qr_text(qr_terminal(url, colour=False)) == url
    coloured = qr_terminal(url, colour=True)
    assert all(line.startswith("\x1b[30;47m") and line.endswith("\x1b[0m") for line in coloured)


def test_the_lan_address_is_this_computers_own():
    from careersite.commands.serve import lan_address

    address = lan_address()
    if address is not None:  # (a machine without a network has none)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((address, 0))  # only an address of this computer can be bound
        assert not address.startswith("127.")


@pytest.mark.parametrize("language, phone, lan", [
    ("zh-CN", "想在手机上看效果：让手机和这台电脑连同一个 Wi-Fi，运行 python build.py serve --host 0.0.0.0 --port {port}，"
              "再用手机扫描显示的二维码",
     "在手机上预览（手机和这台电脑连同一个 Wi-Fi 或内网）：打开 {url} ，或用手机扫描下面的二维码（微信“扫一扫”也可以）"),
    ("en", "to see it on a phone: put the phone on the same Wi-Fi as this computer, run python build.py serve "
           "--host 0.0.0.0 --port {port} and scan the QR code it shows",
     "to preview on a phone (on the same Wi-Fi or office network as this computer): open {url} or scan the QR code "
     "below (WeChat's Scan works too)"),
])
def test_serve_tells_how_to_preview_on_a_phone(make_site, language, phone, lan):
    """On this computer only: how to preview on a phone. With --host 0.0.0.0: the LAN address, its QR code
    (read back by a QR reader), and the page answers at that address."""
    from careersite.commands.serve import lan_address

    site = make_site()
    if language == "en":
        english(site)
    port = free_port()
    with serving(site, port) as served:
        assert served.wait_for_line(phone.format(port=port)[:20]) == phone.format(port=port)
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no network address")
    url = f"http://{address}:{port}/"
    with serving(site, port, "--host", "0.0.0.0") as served:
        line = served.wait_for_line(url)
        assert line == lan.format(url=url)
        start = served.lines.index(line) + 1
        deadline = time.monotonic() + WAIT
        while len(served.lines) < start + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        code = [text for text in served.lines[start:] if text and not text.strip(" ▀▄█")]
        assert _qr_text(code) == url
        with urllib.request.urlopen(url, timeout=10) as response:  # what the phone opens
            assert response.status == 200


def whole_site(root: Path) -> tuple[list, dict[str, bytes]]:
    """What the stages make of ROOT as the preview does, without a build cache and without the last site: the
    problems, and every file's bytes (the search index's too)."""
    problems = new_problems()
    options = Options(root=root, base_url="http://127.0.0.1:8000/", drafts=True, today=TODAY)
    site = load_site(options, problems, times=True)
    assert site is not None, problems.lines()
    files = {rel: artifact.make() for rel, artifact in render.site_files(site).items()}
    return sorted(problems.items), files | search.index_files(site)["search/"].make()


@pytest.mark.parametrize("edit, old, new, one", [
    ("tech-2.md", "技术岗2", "技术岗2（高级）", True),  # a new title: the position alone
    ("tech-2.md", "负责技术岗2的工作。", "负责技术岗2的工作；\n2. 带新人。", True),  # its duties
    ("tech-2.md", "code: T2", "code: T2\nlocation: 上海", True),  # another place: the search index updated anew
    ("tech-3.md", "技术岗3", "技术岗3（改）", True),  # closing soon: its warning stays as it was
    ("closed.md", "已截止岗", "已截止岗（旧）", True),  # closed: what its page suggests stays
    ("tech-2.md", "技术岗2", "技术岗4", False),  # another open position's title: a warning names both
    ("tech-2.md", "posted: 2026-11-03", "posted: 2026-11-20", False),  # a new place in the listing
    ("tech-2.md", "code: T2", "code: T9", False),  # another HR code
    ("tech-2.md", "closes: 2027-01-31", "closes: 2026-11-01", False),  # closed by the edit
    ("tech-2.md", "category: tech", "category: ops", False),  # another category
    ("tech-2.md", "category: tech", "category: tehc", False),  # a mistake: the last good site stays
    ("dup-title.md", "运营岗0", "运营岗", False),  # it was named by another file's warning
])
def test_a_save_made_from_the_last_site_gives_what_a_whole_rebuild_gives(make_site, monkeypatch, edit, old, new, one):
    """A save of one position that changes only that position (its URL, state and place as they were) is made
    from the last site, and the search index from the last one by that position's entries alone (`serve`'s wait
    the same on a site of any size: docs/performance.md); every file it gives, and every problem, are those of
    the same content made from nothing. Any other save is made from nothing."""
    files = {f"content/positions/tech-{n}.md": text(f"技术岗{n}", front=f"posted: 2026-11-{n + 1:02d}\ncode: T{n}\n")
             for n in range(6)}
    files[POS + "tech-3.md"] = files[POS + "tech-3.md"].replace("2027-01-31", "2026-11-30")  # closes in 2 days
    files |= {f"content/positions/ops-{n}.md": text(f"运营岗{n}", "ops") for n in range(3)}
    files |= {POS + "dup-title.md": text("运营岗0", "ops"), POS + "draft.md": text("草稿岗", front="draft: true\n"),
              POS + "closed.md": text("已截止岗").replace("2027-01-31", "2026-11-20")}
    site = make_site(files, position=False)
    site.edit("site.toml", "base_url", "per_page = 2\nhome_per_category = 3\nbase_url")
    preview = Preview(site.root, "http://127.0.0.1:8000/", TODAY, say=lambda line: None)
    assert preview.rebuild() and preview.whole
    page = "positions/" + edit.removesuffix(".md") + "/index.html"
    before, _ = preview.page(page), preview.page("search/meta.json")
    site.edit(POS + edit, old, new)
    ok = preview.rebuild([str(site.root / POS / edit)])
    assert preview.whole is not one
    if not ok:  # (the mistake) shown, and the last good site served
        assert preview.shown.failed and preview.site.positions[0].title == "技术岗5"
        return
    problems, made = whole_site(site.root)
    assert sorted(preview.shown.problems) == problems
    if one and "location" not in new:  # the other positions' search records are not needed
        monkeypatch.setattr("careersite.search.index.docs_of", lambda *args: pytest.fail("index made from every doc"))
    index = {rel: preview.page(rel) for rel in made if rel.startswith("search/")}
    assert preview.index[1].keys() == index.keys()
    served = {rel: artifact.make() for rel, artifact in preview.files.items()} | index
    assert served.keys() == made.keys()
    assert [rel for rel in made if served[rel] != made[rel]] == []
    assert served[page] != before
    preview.cache.close()


def test_a_save_on_an_english_site_keeps_its_warnings_in_english(make_site):
    """A save made from the last site keeps a warning the file had, in the site's language: the same words a
    whole rebuild gives."""
    site = english(make_site({POS + "soon.md": text("Backend engineer").replace("2027-01-31", "2026-11-30")}))
    preview = Preview(site.root, "http://127.0.0.1:8000/", TODAY, say=lambda line: None)
    assert preview.rebuild() and "closes on 2026-11-30" in preview.shown.banner
    site.edit(POS + "soon.md", "Backend engineer", "Senior backend engineer")
    assert preview.rebuild([str(site.root / POS / "soon.md")]) and not preview.whole
    assert "closes on 2026-11-30" in preview.shown.banner and "岗位" not in preview.shown.banner
    assert b"Senior backend engineer" in preview.page("positions/soon/index.html")
    preview.cache.close()
