"""Proves the browser/validator harness works on this machine.

A tiny static site is written into tmp_path, served under /careers/, opened
in Debian chromium (phone and desktop), checked with axe and the Nu HTML
Checker. If these fail, the other browser tests cannot be trusted.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.tools import (
    cjk_font_families,
    format_vnu_errors,
    require_vnu,
    run_vnu,
    serve_directory,
)

TITLE_TEXT = "招聘岗位"

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: sans-serif; margin: 0; padding: 1rem; color: #222; background: #fff; }}
  a {{ color: #0645ad; }}
</style>
</head>
<body>
<header><p>示例公司</p></header>
<main>
<h1 id="title">{title}</h1>
{body}
</main>
</body>
</html>
"""


def write_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        PAGE.format(
            title=TITLE_TEXT,
            body='<p>我们正在招聘工程师和设计师。</p>\n<p><a id="to-jobs" href="jobs/">查看全部职位</a></p>',
        ),
        encoding="utf-8",
    )
    (root / "jobs").mkdir(exist_ok=True)
    (root / "jobs" / "index.html").write_text(
        PAGE.format(
            title="全部职位",
            body='<ul><li>后端工程师（北京）</li><li>产品设计师（上海）</li></ul>\n<p><a href="../">返回首页</a></p>',
        ),
        encoding="utf-8",
    )
    (root / "404.html").write_text(
        PAGE.format(title="页面不存在", body='<p><a href="/careers/">返回招聘首页</a></p>'),
        encoding="utf-8",
    )
    (root / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site")


@pytest.fixture
def served(site: Path):
    with serve_directory(site, "/careers/") as base:
        yield base


def fetch(url: str) -> tuple[int, str, str]:
    """GET without following redirects: (status, content-type or Location, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        extra = err.headers.get("Location") or err.headers.get("Content-Type", "")
        return err.code, extra, err.read().decode("utf-8", "replace")


# --------------------------------------------------------------------------
# serve_directory
# --------------------------------------------------------------------------

def test_serve_directory_prefix_and_404(site: Path):
    with serve_directory(site, "/careers/") as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/careers/")
        origin = base[: -len("/careers/")]

        status, ctype, body = fetch(base)
        assert status == 200 and TITLE_TEXT in body
        assert ctype.startswith("text/html")

        status, _, body = fetch(base + "jobs/")
        assert status == 200 and "全部职位" in body

        # outside the prefix: 404, not the site's pages
        for path in ("/", "/index.html", "/jobs/", "/career/", "/careersx/"):
            status, _, body = fetch(origin + path)
            assert status == 404, path
            assert TITLE_TEXT not in body

        # unknown path inside the prefix: the site's 404.html, status 404
        status, _, body = fetch(base + "no-such-page/")
        assert status == 404 and "页面不存在" in body

        # no escaping the root
        status, _, body = fetch(base + "%2e%2e/%2e%2e/etc/passwd")
        assert status == 404 and "root:" not in body

        # directory and bare prefix without slash redirect
        assert fetch(base + "jobs")[:2] == (301, "/careers/jobs/")
        assert fetch(origin + "/careers")[:2] == (301, "/careers/")

        assert fetch(base + "robots.txt")[0] == 200

    # shut down cleanly: the port no longer answers
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base, timeout=2)


def test_serve_directory_root_prefix(site: Path):
    with serve_directory(site) as base:
        assert base.endswith("/")
        status, _, body = fetch(base)
        assert status == 200 and TITLE_TEXT in body
        assert fetch(base + "missing.html")[0] == 404


# --------------------------------------------------------------------------
# chromium via Playwright
# --------------------------------------------------------------------------

@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_open_click_screenshot(request, page_fixture, served, screenshot_dir: Path):
    page = request.getfixturevalue(page_fixture)
    response = page.goto(served)
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == TITLE_TEXT
    assert page.title() == TITLE_TEXT

    width = page.evaluate("window.innerWidth")
    dpr = page.evaluate("window.devicePixelRatio")
    if page_fixture == "phone_page":
        assert (width, dpr) == (360, 2)
        assert page.evaluate("navigator.maxTouchPoints") > 0
    else:
        assert (width, dpr) == (1280, 1)
    assert page.evaluate("navigator.language") == "zh-CN"

    page.get_by_role("link", name="查看全部职位").click()
    page.wait_for_url(served + "jobs/")
    assert page.locator("h1").inner_text() == "全部职位"

    shot = screenshot_dir / f"harness-{page_fixture}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_404_page_in_browser(desktop_page, served):
    response = desktop_page.goto(served + "nope/")
    assert response is not None and response.status == 404
    assert desktop_page.locator("h1").inner_text() == "页面不存在"


def test_cjk_text_uses_a_cjk_font(phone_page, served):
    """Ask chromium which platform font actually drew the Chinese heading.

    With no CJK font the glyphs are drawn as boxes by some Latin font and
    nothing else fails, so check the real font family via CDP.
    """
    families = cjk_font_families()
    assert families, "fc-list :lang=zh is empty"
    page = phone_page
    page.goto(served)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    doc = cdp.send("DOM.getDocument", {"depth": -1})
    node = cdp.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "#title"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    used = {f["familyName"]: f["glyphCount"] for f in fonts}
    cjk_glyphs = sum(n for fam, n in used.items() if fam in families)
    assert cjk_glyphs == len(TITLE_TEXT), f"fonts used for {TITLE_TEXT!r}: {used}; CJK families: {families}"

    # and the glyphs have real width (boxes/zero-width would not be ~1em each)
    width = page.evaluate(
        """() => { const r = document.createRange();
                   r.selectNodeContents(document.querySelector('#title'));
                   return r.getBoundingClientRect().width; }"""
    )
    font_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#title')).fontSize)")
    assert width == pytest.approx(len(TITLE_TEXT) * font_px, rel=0.15)


# --------------------------------------------------------------------------
# axe
# --------------------------------------------------------------------------

def test_axe_clean_page_has_no_violations(desktop_page, served):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for url in (served, served + "jobs/"):
        desktop_page.goto(url)
        results = axe.run(desktop_page)
        assert results.violations_count == 0, results.generate_report()


def test_axe_finds_violations(desktop_page):
    """Control: axe really runs (an <img> without alt and an unnamed button)."""
    from axe_playwright_python.sync_playwright import Axe

    desktop_page.set_content(
        '<!doctype html><html><head><title>x</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<button></button></main></body></html>'
    )
    results = Axe().run(desktop_page)
    ids = {v["id"] for v in results.response["violations"]}
    assert {"image-alt", "button-name", "html-has-lang"} <= ids, ids


# --------------------------------------------------------------------------
# Nu HTML Checker
# --------------------------------------------------------------------------

def test_vnu_valid_site_has_no_errors(site: Path):
    require_vnu()
    errors = run_vnu(site)
    assert errors == [], format_vnu_errors(errors)


def test_vnu_reports_invalid_html(tmp_path: Path, site: Path):
    require_vnu()
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    (bad_dir / "bad.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        "<body><p><div>块</div></p><span id=a></span><span id=a></span></body></html>",
        encoding="utf-8",
    )
    (bad_dir / "notes.txt").write_text("not html", encoding="utf-8")
    errors = run_vnu(bad_dir)
    assert errors, "vnu found no errors in invalid HTML"
    text = format_vnu_errors(errors)
    assert all(e["url"].endswith("bad.html") for e in errors), text
    assert "title" in text.lower()  # missing <title>
    assert "duplicate id" in text.lower(), text

    # a list of paths works too, and valid files add no errors
    both = run_vnu([site / "index.html", bad_dir / "bad.html"])
    assert len(both) == len(errors)
