"""What a seeker sees beyond the default screen: the page on paper (who is hiring, the address whole, no
screen furniture), at the browser's own font size (rem), in dark colours, and the 404 page's search."""

from __future__ import annotations

import re

import pytest

POSITION = "positions/risk-management/"
URL = "https://example.github.io/careers/" + POSITION


def visible(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def test_a_printed_position_names_the_company_and_its_address_unbroken(desktop_page, served_site):
    page = desktop_page
    page.set_viewport_size({"width": 700, "height": 1000})  # about an A4 page's printable width
    page.goto(served_site + POSITION)
    page.emulate_media(media="print")
    assert visible(page, ".site-header .brand-company")
    assert page.locator(".site-header .brand-company").inner_text() == "示例消费金融有限公司"
    for clutter in (".site-nav", ".breadcrumb", ".back-links", ".copy-button", ".apply-bar", ".facts-apply",
                    ".footer-feed", ".skip-link"):
        assert not visible(page, clutter), clutter
    address = page.locator(".footer-page-url")
    assert address.is_visible()
    assert address.inner_text() == "本页网址：" + URL
    # One line: the address wraps, if it must, only after a slash (<wbr>), never inside a word.
    height, line = page.evaluate("""() => { const p = document.querySelector('.footer-page-url');
        return [p.getBoundingClientRect().height, parseFloat(getComputedStyle(p).lineHeight)]; }""")
    assert height < 1.5 * line
    page.emulate_media(media="screen")
    assert not address.is_visible()


def test_a_printed_home_page_has_its_title_in_ink(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site)
    page.emulate_media(media="print")
    for selector in (".hero h1", ".hero-intro p"):  # white on the blue band on screen; paper has no band
        colour = page.locator(selector).first.evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(0, 0, 0)", (selector, colour)


def test_a_long_address_wraps_only_between_its_parts(desktop_page, served_site):
    page = desktop_page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(served_site + POSITION)
    page.emulate_media(media="print")
    lines = page.evaluate("""() => { const p = document.querySelector('.footer-page-url');
        const range = document.createRange(); const text = []; let top = null, line = '';
        for (const node of p.childNodes) {
          if (node.nodeType !== 3) continue;
          for (let i = 0; i < node.length; i++) {
            range.setStart(node, i); range.setEnd(node, i + 1);
            const y = Math.round(range.getBoundingClientRect().top);
            if (top !== null && y > top + 2) { text.push(line); line = ''; }
            top = y; line += node.data[i];
          }
        }
        text.push(line); return text; }""")
    assert len(lines) > 1
    for first, second in zip(lines, lines[1:]):
        assert first.endswith("/") or first.endswith("："), lines


def test_text_follows_the_browsers_font_size(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site + POSITION)
    sizes = page.evaluate("""() => [document.body, document.querySelector('.position-section li'),
        document.querySelector('.site-footer')].map(e => parseFloat(getComputedStyle(e).fontSize))""")
    # The browser's own setting (chrome://settings/fonts "Font size"), through the DevTools protocol.
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 20}})
    page.reload()
    larger = page.evaluate("""() => [document.body, document.querySelector('.position-section li'),
        document.querySelector('.site-footer')].map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert sizes[0] == 16
    assert larger == [size * 20 / 16 for size in sizes]


@pytest.mark.parametrize("rel", ["", POSITION, "404.html"])
def test_dark_colours_when_the_system_asks(phone_page, served_site, rel):
    page = phone_page
    page.emulate_media(color_scheme="dark")
    page.goto(served_site + rel)

    def luminance(selector: str, prop: str) -> float:
        colour = page.evaluate(f"getComputedStyle(document.querySelector('{selector}'))['{prop}']")
        r, g, b = (int(x) / 255 for x in re.findall(r"\d+", colour)[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert luminance("body", "backgroundColor") < 0.1 and luminance("body", "color") > 0.8
    assert luminance(".site-footer", "backgroundColor") < 0.15
    page.emulate_media(color_scheme="light")
    assert luminance("body", "backgroundColor") > 0.9


def test_the_404_search_leads_to_the_home_pages_results(desktop_page, served_site):
    page = desktop_page
    page.goto(served_site + "no-such-page/")
    assert page.title().startswith("页面不存在 · ")  # the served 404 page (tests/tools.serve_directory)
    page.get_by_label("搜索岗位").fill("风险")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/careers/\?q="))
    assert page.locator("#finder-q").input_value() == "风险"
    page.get_by_text(re.compile(r"找到 \d+ 个岗位")).wait_for()
    page.goto(served_site + "404.html")
    page.get_by_role("link", name="风险管理类").click()
    page.wait_for_url(re.compile(r"/careers/categories/risk/$"))
