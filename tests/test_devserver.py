"""`build.py serve` for real on a free local port, and the dev server's incremental rendering."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
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
from tornado.websocket import websocket_connect

from careersite import pipeline
from careersite.devserver import OVERLAY_ID, WARNINGS_ID
from tests.conftest import MINIMAL_POSITION, PROJECT

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 11, 28)
WAIT = 30  # seconds: the bound on every wait below


def position_text(title: str, category: str = "tech", extra: str = "") -> str:
    return f"---\ntitle: {title}\ncategory: {category}\ncloses: 2027-01-31\n{extra}---\n\n## 岗位职责\n\n1. 负责{title}的工作。\n"


# --- incremental rendering, in process -------------------------------------------------------

def several_positions(make_site):
    files = {f"content/positions/tech-{n}.md": position_text(f"技术岗{n}") for n in range(3)}
    files |= {f"content/positions/ops-{n}.md": position_text(f"运营岗{n}", "ops") for n in range(3)}
    return make_site(files, position=False)


def build_with(site, out: Path, today: dt.date = TODAY) -> pipeline.Result:
    options = pipeline.Options(root=site.root, out=out, today=today, drafts=True)
    result = pipeline.build(options)
    assert result.written, [p.message for p in result.problems.items]
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_one_changed_position_rerenders_only_what_depends_on_it(make_site, tmp_path):
    site = several_positions(make_site)
    out = tmp_path / "out"
    assert build_with(site, out).rendered == {"position": 6, "category": 2, "home": 1}
    assert build_with(site, out).rendered == {}  # nothing changed, nothing rendered

    site.position("tech-1.md", position_text("技术岗一（已修改）"))
    assert build_with(site, out).rendered == {"position": 1, "category": 1, "home": 1}
    assert "技术岗一（已修改）" in (out / "positions/tech-1/index.html").read_text(encoding="utf-8")

    # The incremental output is exactly what a full build makes.
    full = tmp_path / "full"
    shutil.rmtree(site.root / ".cache")
    pipeline.build(pipeline.Options(root=site.root, out=full, today=TODAY, drafts=True))
    assert tree(out) == tree(full)


def test_an_edit_to_a_position_the_home_page_does_not_list_leaves_the_home_page(make_site, tmp_path):
    """With one position a category on the home page, editing another (same place, still open)
    changes its page and its category's page only; a full build makes the same bytes."""
    site = several_positions(make_site)
    site.write("site.toml", site.root.joinpath("site.toml").read_text(encoding="utf-8").replace(
        'base_url = "https://jobs.example.com/"', 'base_url = "https://jobs.example.com/"\nhome_per_category = 1'))
    out = tmp_path / "out"
    build_with(site, out)
    home = (out / "index.html").read_bytes()
    assert "技术岗0" in home.decode() and "技术岗2" not in home.decode()
    site.position("tech-2.md", position_text("技术岗2（已修改）"))
    assert build_with(site, out).rendered == {"position": 1, "category": 1}
    site.position("tech-0.md", position_text("技术岗0（已修改）"))  # the one it lists
    assert build_with(site, out).rendered == {"position": 1, "category": 1, "home": 1}
    full = tmp_path / "full"
    shutil.rmtree(site.root / ".cache")
    pipeline.build(pipeline.Options(root=site.root, out=full, today=TODAY, drafts=True))
    assert tree(out) == tree(full)


def test_moving_a_position_rerenders_both_categories(make_site, tmp_path):
    site = several_positions(make_site)
    build_with(site, tmp_path / "out")
    site.position("tech-0.md", position_text("技术岗0", "ops"))
    assert build_with(site, tmp_path / "out").rendered == {"position": 1, "category": 2, "home": 1}


def test_a_template_or_site_toml_change_rerenders_everything(make_site, tmp_path):
    site = several_positions(make_site)
    build_with(site, tmp_path / "out")
    base = site.root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<!-- x --></footer>"), encoding="utf-8")
    assert build_with(site, tmp_path / "out").rendered == {"position": 6, "category": 2, "home": 1}
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("测试公司", "测试有限公司"), encoding="utf-8")
    assert build_with(site, tmp_path / "out").rendered == {"position": 6, "category": 2, "home": 1}


def test_a_new_day_rerenders_the_positions_it_closes_and_the_listings(make_site, tmp_path):
    site = several_positions(make_site)
    site.position("ops-2.md", position_text("运营岗2", "ops").replace("closes: 2027-01-31", "closes: 2026-11-28"))
    out = tmp_path / "out"
    build_with(site, out)
    rendered = build_with(site, out, TODAY + dt.timedelta(days=1)).rendered
    assert rendered == {"position": 1, "category": 1, "home": 1}  # the tech listing did not change
    assert "badge-closed" in (out / "positions/ops-2/index.html").read_text(encoding="utf-8")


def test_a_template_that_uses_today_rerenders_every_position_on_a_new_day(make_site, tmp_path):
    site = several_positions(make_site)
    page = site.root / "templates/position.html"
    page.write_text(page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- {{ today }} -->"),
                    encoding="utf-8")
    build_with(site, tmp_path / "out")
    assert build_with(site, tmp_path / "out", TODAY + dt.timedelta(days=1)).rendered["position"] == 6
    assert "2026-11-29" in (tmp_path / "out/positions/tech-0/index.html").read_text(encoding="utf-8")


# --- the real server -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    def __init__(self, site, port: int, proc: subprocess.Popen) -> None:
        self.site, self.port, self.proc = site, port, proc
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str = "") -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def page(self, path: str = "") -> BeautifulSoup:
        status, text = self.get(path)
        assert status == 200, (status, text[:200])
        return BeautifulSoup(text, "html.parser")

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
def serving(site, port: int | None = None):
    """build.py serve on PORT (a free one), until the block ends; waits until the server answers."""
    port = port or free_port()
    env = {**os.environ, "CAREERSITE_TODAY": TODAY.isoformat(), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(site.root),
                             "--port", str(port)], cwd=site.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    server = Served(site, port, proc)
    try:
        server.wait_for_line(f"http://127.0.0.1:{port}/")
        deadline = time.monotonic() + WAIT
        while True:
            try:
                server.get()
                break
            except OSError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "\n".join(server.lines)
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=WAIT)


@pytest.fixture
def served(make_site):
    site = make_site({
        "content/positions/backend-engineer.md": position_text("后端工程师"),
        "content/positions/draft-one.md": position_text("草稿岗位", extra="draft: true\n"),
    }, position=False)
    with serving(site) as server:
        yield server


def run(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps a loop in this one."""
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(asyncio.wait_for(coroutine, 4 * WAIT))
        except BaseException as exc:  # handed to the test thread below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(5 * WAIT)
    assert not thread.is_alive(), "the scenario did not finish"
    if "error" in box:
        raise box["error"]
    return box.get("value")


class Reloads:
    """A small livereload client: does the protocol's handshake, then collects reload messages."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def __aenter__(self):
        self.ws = await asyncio.wait_for(websocket_connect(f"ws://127.0.0.1:{self.port}/livereload"), WAIT)
        await self.ws.write_message(json.dumps({"command": "hello", "protocols": [
            "http://livereload.com/protocols/official-7"]}))
        assert json.loads(await asyncio.wait_for(self.ws.read_message(), WAIT))["command"] == "hello"
        await self.ws.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{self.port}/"}))
        # A second hello proves the info message (which registers us for reloads) was handled.
        await self.ws.write_message(json.dumps({"command": "hello", "protocols": []}))
        assert json.loads(await asyncio.wait_for(self.ws.read_message(), WAIT))["command"] == "hello"
        return self

    async def __aexit__(self, *exc):
        self.ws.close()

    async def next_reload(self, timeout: float = WAIT) -> dict:
        while True:
            message = await asyncio.wait_for(self.ws.read_message(), timeout)
            assert message is not None, "the server closed the livereload connection"
            data = json.loads(message)
            if data.get("command") == "reload":
                return data


def test_serve_serves_the_site_with_drafts_marked(served):
    home = served.page()
    assert home.find("script", string=lambda s: s and "livereload.js" in s) is not None
    assert home.find(id=OVERLAY_ID) is None
    draft = served.page("positions/draft-one/")
    assert draft.find(class_="badge-draft") is not None
    assert draft.find(class_="notice-draft") is not None
    canonical = served.page("positions/backend-engineer/").find("link", rel="canonical")["href"]
    assert canonical == f"{served.url}positions/backend-engineer/"
    status, text = served.get("no-such-page/")
    assert status == 404 and "页面不存在" in text
    assert not (served.site.root / "public").exists()  # never builds into public/


def test_serve_rebuilds_and_reloads_after_an_edit(served):
    async def scenario():
        async with Reloads(served.port) as reloads:
            served.site.position("backend-engineer.md", position_text("高级后端工程师"))
            await reloads.next_reload()
            page = await asyncio.to_thread(served.page, "positions/backend-engineer/")
            assert page.find("h1").get_text(strip=True) == "高级后端工程师"
            home = await asyncio.to_thread(served.page)
            assert "高级后端工程师" in home.get_text()

    run(scenario())
    assert served.wait_for_line("已更新")


def test_a_broken_file_keeps_the_last_good_site_and_shows_the_problem(served):
    async def scenario():
        async with Reloads(served.port) as reloads:
            broken = position_text("后端工程师").replace("category: tech", "category: tehc")
            served.site.position("backend-engineer.md", broken)
            await reloads.next_reload()
            page = await asyncio.to_thread(served.page, "positions/backend-engineer/")
            assert page.find("h1").get_text(strip=True) == "后端工程师"  # the last good page
            overlay = page.find(id=OVERLAY_ID)
            assert overlay is not None and overlay["role"] == "alert"
            text = overlay.get_text()
            assert "content/positions/backend-engineer.md:3:11: 错误: 未知的岗位类别 'tehc'" in text
            assert "网站没有更新" in text
            home = await asyncio.to_thread(served.page)
            assert home.find(id=OVERLAY_ID) is not None  # on every page

            served.site.position("backend-engineer.md", position_text("后端工程师（已修正）"))
            await reloads.next_reload()
            page = await asyncio.to_thread(served.page, "positions/backend-engineer/")
            assert page.find(id=OVERLAY_ID) is None
            assert page.find("h1").get_text(strip=True) == "后端工程师（已修正）"

    run(scenario())
    line = served.wait_for_line("content/positions/backend-engineer.md:3:11: 错误:")
    assert "未知的岗位类别" in line
    assert served.wait_for_line("网站没有更新")


def test_a_broken_template_keeps_the_last_good_site(served):
    async def scenario():
        async with Reloads(served.port) as reloads:
            (served.site.root / "templates/position.html").write_text("{% if %}", encoding="utf-8")
            await reloads.next_reload()
            page = await asyncio.to_thread(served.page, "positions/backend-engineer/")
            assert page.find("h1").get_text(strip=True) == "后端工程师"
            assert "templates/position.html:1:1: 错误: 模板 position.html 出错" in page.find(id=OVERLAY_ID).get_text()

    run(scenario())


def test_a_burst_of_edits_rebuilds_once(served):
    async def scenario():
        async with Reloads(served.port) as reloads:
            start = len(served.lines)
            for n in range(5):
                served.site.position(f"burst-{n}.md", position_text(f"批量岗位{n}"))
            await reloads.next_reload()
            with pytest.raises(asyncio.TimeoutError):
                await reloads.next_reload(timeout=2)  # no second rebuild follows
            return start

    start = run(scenario())
    rebuilds = [line for line in served.lines[start:] if line.startswith("已更新")]
    assert len(rebuilds) == 1, served.lines[start:]
    assert "批量岗位4" in served.page().get_text()


def test_positions_added_renamed_moved_and_deleted_while_serving(served):
    """After its first save the server looks only at the files the system reports changed: each of
    these saves still shows what a full scan would (the home page lists exactly the files there)."""
    positions = served.site.root / "content/positions"

    async def save_and_check(reloads, act, expected):
        await asyncio.to_thread(act)
        await reloads.next_reload()
        text = (await asyncio.to_thread(served.page)).get_text()
        for title in expected:
            assert title in text, title
        return text

    async def scenario():
        async with Reloads(served.port) as reloads:
            await save_and_check(reloads, lambda: served.site.position("a.md", position_text("甲岗")), ["甲岗"])
            await save_and_check(reloads, lambda: served.site.position("b.md", position_text("乙岗")), ["甲岗", "乙岗"])
            await save_and_check(reloads, lambda: (positions / "a.md").rename(positions / "a2.md"), ["甲岗"])
            status, _ = await asyncio.to_thread(served.get, "positions/a/")
            assert status == 404 and (await asyncio.to_thread(served.get, "positions/a2/"))[0] == 200
            await save_and_check(reloads, lambda: served.site.position("campus/c.md", position_text("丙岗")), ["丙岗"])
            await save_and_check(reloads, lambda: served.site.position("campus/d.md", position_text("丁岗")), ["丁岗"])
            text = await save_and_check(reloads, lambda: (positions / "b.md").unlink(), ["甲岗", "丙岗", "丁岗"])
            assert "乙岗" not in text
            text = await save_and_check(reloads, lambda: shutil.move(positions / "campus", served.site.root / "old"),
                                        ["甲岗"])
            assert "丙岗" not in text and "丁岗" not in text

    run(scenario())


def test_editor_and_system_files_do_not_rebuild(served):
    async def scenario():
        async with Reloads(served.port) as reloads:
            start = len(served.lines)
            for name in (".backend.md.swp", "backend.md~", ".DS_Store", "#backend.md#"):
                served.site.position(name, "临时文件")
            with pytest.raises(asyncio.TimeoutError):
                await reloads.next_reload(timeout=2)
            return start

    start = run(scenario())
    assert not [line for line in served.lines[start:] if line.startswith("已更新")], served.lines[start:]


def test_serve_refuses_a_busy_port(make_site):
    site = make_site()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(site.root),
                                 "--port", str(port)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1
    assert f"端口 {port} 无法使用" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_next_session_starts_from_the_preview_the_last_one_left(make_site):
    """Ctrl+C keeps the preview and its cache (.cache/careersite-serve/<port>/): serve again and
    nothing is built again; a file edited meanwhile is the only position page made again."""
    site = make_site({f"content/positions/p{n}.md": position_text(f"岗位{n}") for n in range(4)}, position=False)
    port = free_port()
    with serving(site, port) as first:
        assert "重新生成了 0 个页面" not in first.wait_for_line("已更新")
    assert (site.root / ".cache/careersite-serve" / str(port) / "site/index.html").is_file()
    with serving(site, port) as second:
        assert "重新生成了 0 个页面" in second.wait_for_line("已更新")
        assert second.page("positions/p1/").find("h1").get_text(strip=True) == "岗位1"
    site.position("p1.md", position_text("岗位1（改过）"))
    with serving(site, port) as third:
        line = third.wait_for_line("已更新")
        assert third.page("positions/p1/").find("h1").get_text(strip=True) == "岗位1（改过）"
        assert "重新生成了 3 个页面" in line  # the position, its category page and the home page


def test_a_second_serve_of_the_same_site_leaves_the_first_ones_preview_alone(served):
    """The port is taken, so the second serve fails; it built into a folder of its own meanwhile."""
    before = served.page("positions/backend-engineer/").find("h1").get_text(strip=True)
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "serve", "--site", str(served.site.root),
                             "--port", str(served.port)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1 and f"端口 {served.port} 无法使用" in result.stderr
    assert served.page("positions/backend-engineer/").find("h1").get_text(strip=True) == before
    assert (served.site.root / ".cache/careersite-serve" / str(served.port) / "site/index.html").is_file()


def test_a_preview_folder_is_one_sessions_at_a_time(make_site):
    from careersite.devserver import preview_folder

    site = make_site()
    folder, lock = preview_folder(site.root, 8123)
    try:
        assert folder == site.root / ".cache/careersite-serve/8123" and lock is not None
        other, other_lock = preview_folder(site.root, 8123)  # held: a temporary folder instead
        assert other_lock is None and not other.is_relative_to(site.root)
        shutil.rmtree(other)
    finally:
        lock.close()
    again, again_lock = preview_folder(site.root, 8123)  # released at the end of the session
    assert again == folder and again_lock is not None
    again_lock.close()


def test_the_published_build_has_no_preview_code(make_site):
    site = make_site({"content/positions/x.md": MINIMAL_POSITION.replace("category: tech", "category: ops")})
    site.build()
    for page in site.out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "livereload" not in text and OVERLAY_ID not in text and WARNINGS_ID not in text


def test_a_site_broken_from_the_start_shows_the_problems_then_recovers(make_site):
    site = make_site({"content/positions/a.md": position_text("后端工程师").replace("closes: 2027-01-31", "closes: 2027-13-01")},
                     position=False)
    with serving(site) as served:
        status, text = served.get()
        overlay = BeautifulSoup(text, "html.parser").find(id=OVERLAY_ID)
        assert overlay is not None
        assert "content/positions/a.md:4:9: 错误: 'closes' 的日期 '2027-13-01' 不存在" in overlay.get_text()

        async def scenario():
            async with Reloads(served.port) as reloads:
                served.site.position("a.md", position_text("后端工程师"))
                await reloads.next_reload()

        run(scenario())
        page = served.page("positions/a/")
        assert page.find(id=OVERLAY_ID) is None
        assert page.find("h1").get_text(strip=True) == "后端工程师"


def test_warnings_show_in_a_quiet_bar(served):
    home = served.page()
    assert home.find(id=WARNINGS_ID) is None

    async def scenario():
        async with Reloads(served.port) as reloads:
            served.site.position("backend-engineer.md", position_text("后端工程师").replace("2027-01-31", "2026-11-30"))
            await reloads.next_reload()

    run(scenario())
    page = served.page("positions/backend-engineer/")
    bar = page.find(id=WARNINGS_ID)
    assert bar is not None and bar.name == "details" and not bar.has_attr("open")
    assert "1 个警告" in bar.find("summary").get_text()
    assert "content/positions/backend-engineer.md:4:9: 警告: 岗位将于 2026-11-30 截止（还剩 2 天）" in bar.get_text()
    assert page.find(id=OVERLAY_ID) is None


def test_a_bug_during_a_rebuild_keeps_the_last_good_site(make_site, tmp_path, monkeypatch):
    import io

    from careersite import devserver

    site = make_site()
    stream = io.StringIO()
    preview = devserver.DevServer(site.root, tmp_path / "out", "http://127.0.0.1:8000/", TODAY, stream=stream)
    assert preview.rebuild() and OVERLAY_ID.encode() not in preview.overlay
    before = tree(tmp_path / "out")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(devserver.pipeline, "build", broken)
    assert preview.rebuild() is False
    assert tree(tmp_path / "out") == before
    assert "disk on fire" in BeautifulSoup(preview.overlay, "html.parser").get_text()
    assert "预览程序内部出错（RuntimeError: disk on fire）" in stream.getvalue()
