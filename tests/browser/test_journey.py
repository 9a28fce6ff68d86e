"""A job seeker's journey through the default site in chromium, on a phone and on a desktop.

Home -> a category -> a position: read duties and requirements, check the apply e-mail's recipient
and subject, copy the address, go back. Full-page screenshots land in the session's temporary
folder (tests/conftest.py: screenshot_dir; test-artifacts/screenshots/ on CI).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.tools import PROJECT_ROOT, cjk_font_families

SEED = json.loads((PROJECT_ROOT / "tests/data/seed_positions.json").read_text(encoding="utf-8"))
DBA = next(s for s in SEED if s["title"] == "DBA数据库工程师")
SITE_TITLE = "消费金融业务人员招聘"
CATEGORY = "信息科技类"
APPLY_TO = "hr@example.com"
APPLY_SUBJECT = "应聘DBA数据库工程师-IT-02-姓名"


def parse_mailto(href: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto", href
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return unquote(parts.path), query


def cjk_glyphs(page, selector: str) -> tuple[int, dict[str, int]]:
    """(glyphs drawn by a CJK font, {font family: glyphs}) for the first element matching selector."""
    families = set(cjk_font_families())
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    used = {f["familyName"]: f["glyphCount"] for f in fonts}
    return sum(n for fam, n in used.items() if fam in families), used


def assert_chinese_glyphs(page, selector: str) -> None:
    text = page.locator(selector).first.inner_text()
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    drawn, used = cjk_glyphs(page, selector)
    assert han and drawn >= han, f"{selector} {text!r}: fonts used {used}"


# The page's own viewport again, and two frames drawn in it.
SETTLED = """([width, height]) => innerWidth === width && innerHeight === height
    && (!window.visualViewport || visualViewport.scale === 1)
    && new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""

# Where the page is, and what is under the middle of ELEMENT (a link the test tapped).
WHERE = """element => {
    const box = element.getBoundingClientRect(), x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    return {url: location.href, viewport: [innerWidth, innerHeight, window.visualViewport && visualViewport.scale],
            scrollY, link: [Math.round(x), Math.round(y)], under: hit ? hit.outerHTML.slice(0, 120) : null};
}"""


def shoot(page, directory: Path, name: str) -> Path:
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A full-page screenshot lays a phone's page out at its whole height for a moment (once seen at 4x4 px
    # with scale 0.25). A tap sent before the viewport is back can land outside it, where nothing receives
    # it and Playwright counts it as done (CI, stop 24: the tap on a category link went nowhere).
    size = page.viewport_size
    page.wait_for_function(SETTLED, arg=[size["width"], size["height"]])
    return path


def follow(page, link, url: str, directory: Path, name: str) -> None:
    """Tap LINK as a seeker would and wait for URL. When the page does not get there, the failure says where
    the page is and what was under the link, and a screenshot NAME-lost.png shows it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    link.click()
    try:
        page.wait_for_url(url)
    except PlaywrightTimeoutError:
        where = link.evaluate(WHERE)
        page.screenshot(path=str(directory / f"{name}-lost.png"))
        pytest.fail(f"the tap on {link} did not open {url}: {where}")


@pytest.mark.slow
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_job_seeker_journey(request, device, served_site, screenshot_dir):
    page = request.getfixturevalue(f"{device}_page")
    origin = served_site.split("/careers/")[0]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)

    # Home: the site's title, categories, Chinese drawn in a Chinese font.
    response = page.goto(served_site)
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == SITE_TITLE
    assert_chinese_glyphs(page, "h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shoot(page, screenshot_dir, f"{device}-home")

    # Pick a category.
    follow(page, page.get_by_role("link", name=CATEGORY, exact=True), served_site + "categories/technology/",
           screenshot_dir, f"{device}-home")
    assert page.locator("h1").inner_text() == CATEGORY
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shoot(page, screenshot_dir, f"{device}-category")

    # Open a position and read it.
    follow(page, page.get_by_role("link", name=DBA["title"], exact=True), served_site + "positions/dba/",
           screenshot_dir, f"{device}-category")
    assert page.locator("h1").inner_text() == DBA["title"]
    assert_chinese_glyphs(page, "#responsibilities li")
    assert page.locator("#responsibilities h2").inner_text() == "岗位职责"
    assert page.locator("#requirements h2").inner_text() == "任职要求"
    assert [t.strip() for t in page.locator("#responsibilities ol > li").all_inner_texts()] == DBA["responsibilities"]
    assert [t.strip() for t in page.locator("#requirements ol > li").all_inner_texts()] == DBA["requirements"]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # The apply link writes to HR with the position in the subject.
    apply = page.get_by_role("link", name="发邮件投递简历")
    assert apply.is_visible()
    to, query = parse_mailto(apply.get_attribute("href"))
    assert to == APPLY_TO
    assert query["subject"] == APPLY_SUBJECT
    assert DBA["title"] in query["body"]

    # Copy the address with the copy button (for in-app browsers that ignore mailto:).
    row = page.locator(".copy-row", has=page.locator("#apply-email"))
    row.get_by_role("button", name="复制").click()
    status = page.locator(".copy-status")
    status.filter(has_text="已复制").wait_for()
    assert APPLY_TO in status.inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == APPLY_TO
    shoot(page, screenshot_dir, f"{device}-position")

    # Come back to the category.
    page.go_back()
    page.wait_for_url(served_site + "categories/technology/")
    assert page.locator("h1").inner_text() == CATEGORY
