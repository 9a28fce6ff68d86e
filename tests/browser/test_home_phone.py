"""The home page on a phone: the first position card is in the first screen (360 x 780), the category
chips are one row that scrolls sideways, and nothing moves once the page has been painted (no layout
shift, as Lighthouse measures it)."""

from __future__ import annotations

import pytest


@pytest.fixture
def phone_780(browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_first_position_is_in_the_first_screen(phone_780, served_site):
    page = phone_780
    page.goto(served_site)
    card = page.locator(".category-group .card").first.bounding_box()
    assert card["y"] + card["height"] <= 780, card
    # The introduction is still on the page, after the positions.
    intro, last = page.locator(".hero-intro").bounding_box(), page.locator(".category-group").last.bounding_box()
    assert page.locator(".hero-intro").is_visible() and intro["y"] > last["y"]


def test_the_category_chips_are_one_row_that_scrolls(phone_780, served_site):
    page = phone_780
    page.goto(served_site)
    tops = {round(box["y"]) for box in (chip.bounding_box() for chip in page.locator(".category-nav li").all())}
    assert len(tops) == 1
    assert page.evaluate("(u => u.scrollWidth > u.clientWidth)(document.querySelector('.category-nav ul'))")
    page.locator(".category-nav a").last.click()  # a chip off screen can still be reached
    assert page.evaluate("location.hash") == "#administration"


def test_on_a_desktop_the_introduction_is_under_the_title(desktop_page, served_site):
    desktop_page.goto(served_site)
    title, intro = desktop_page.locator(".hero h1").bounding_box(), desktop_page.locator(".hero-intro").bounding_box()
    form = desktop_page.locator("form.finder").bounding_box()
    assert title["y"] < intro["y"] < form["y"]


@pytest.mark.parametrize("path", ["", "categories/technology/", "positions/dba/"])
def test_nothing_moves_after_the_first_paint(phone_780, served_site, path):
    page = phone_780
    page.add_init_script("""
        window.__shift = 0;
        new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) window.__shift += e.value; }))
          .observe({type: 'layout-shift', buffered: true});
    """)
    page.goto(served_site + path)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__shift") == 0


def test_card_facts_have_their_icons_from_the_stylesheet(phone_780, served_site):
    """The place, headcount and date icons are drawn by site.css (cached once), not repeated inline in every
    card: they are painted 14 px wide, in the text colour, and the listing carries no icon markup."""
    page = phone_780
    page.goto(served_site)
    for kind in ("place", "people", "date"):
        style = page.evaluate("""k => { const s = getComputedStyle(document.querySelector('.card .fact-' + k), '::before');
            return [s.width, s.maskImage || s.webkitMaskImage, s.backgroundColor]; }""", kind)
        assert style[0] == "14px" and style[1].startswith('url("data:image/svg+xml'), (kind, style)
    assert page.locator(".card svg").count() == 0
