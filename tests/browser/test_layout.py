"""What the screenshots of every page type were judged by, held in the browser: nothing wider than the screen,
the facts line of cards level across a row, each copy button beside what it copies, and the home page's blue
hero running on into its introduction without a seam, in light and in dark colours; a filter in use marked; the feed link on screen."""

from __future__ import annotations

import pytest

from tests.sitevariants import CLOSED_SLUG, FULL_SLUG
from tests.tools import background

PAGES = ["", "categories/technology/", "positions/dba/", f"positions/{FULL_SLUG}/", f"positions/{CLOSED_SLUG}/",
         "404.html"]

# Every element's box inside the screen's width, but those a row that scrolls sideways holds (the category chips).
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth, outside = [];
  for (const e of document.querySelectorAll("body *")) {
    const box = e.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5) && !e.closest(".category-nav ul")) {
      outside.push(e.tagName.toLowerCase() + "." + e.className + " " + Math.round(box.left) + ".." + Math.round(box.right));
    }
  }
  return [document.documentElement.scrollWidth - width, outside];
}"""


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_no_page_is_wider_than_the_screen(request, device, served_variants, served_empty_site):
    page = request.getfixturevalue(f"{device}_page")
    for url in [served_variants[0] + rel for rel in PAGES] + [served_empty_site]:
        page.goto(url)
        assert page.evaluate(OUTSIDE) == [0, []], url


def test_card_facts_are_level_across_a_row(desktop_page, served_variants):
    page = desktop_page
    page.goto(served_variants[0] + "categories/technology/")  # its first card has a one-line summary, the others two
    cards = page.locator(".cards > .card").all()
    first_row = [card for card in cards if card.bounding_box()["y"] == cards[0].bounding_box()["y"]]
    assert len(first_row) == 3
    bottoms = {round(card.locator(".card-facts").bounding_box()["y"]) for card in first_row}
    assert len(bottoms) == 1, bottoms


def test_each_copy_button_is_beside_what_it_copies(phone_page, served_site):
    page = phone_page
    page.goto(served_site + "positions/dba/")
    rows = page.locator(".copy-row").all()
    assert len(rows) == 2  # the address and the subject (the longer one, two lines on a phone)
    for row in rows:
        value, button = row.locator(".copy-value").bounding_box(), row.locator("button").bounding_box()
        assert button["x"] >= value["x"] + value["width"], (value, button)
        assert button["y"] < value["y"] + value["height"] and value["y"] < button["y"] + button["height"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_home_heros_colour_runs_on_into_its_introduction(desktop_page, served_site, scheme):
    from io import BytesIO

    from PIL import Image

    page = desktop_page
    page.emulate_media(color_scheme=scheme)
    page.goto(served_site)
    top = round(page.locator(".hero-intro-band").bounding_box()["y"])
    # A strip left of the text, from 2 px above the band's top edge to 2 px below it.
    strip = Image.open(BytesIO(page.screenshot(clip={"x": 20, "y": top - 2, "width": 40, "height": 4}))).convert("RGB")
    above, below = strip.getpixel((20, 0)), strip.getpixel((20, 3))
    assert max(abs(a - b) for a, b in zip(above, below)) <= 1, (above, below)


def test_the_feed_link_is_on_every_page(phone_page, served_variants, served_empty_site):
    for url in [served_variants[0] + rel for rel in PAGES] + [served_empty_site]:
        phone_page.goto(url)
        link = phone_page.locator("footer").get_by_role("link", name="订阅新岗位")
        assert link.is_visible() and link.get_attribute("href") == "/careers/feed.xml", url


def test_a_filter_in_use_stands_out_from_the_others(desktop_page, served_variants):
    page = desktop_page
    page.goto(served_variants[0])
    education, experience = page.locator("#finder-education"), page.locator("#finder-experience")
    assert background(education) == background(experience)
    education.select_option("本科")
    assert background(education) != background(experience)


def test_a_date_is_never_broken_across_lines_with_large_text(phone_page, served_variants):
    """WeChat's largest font setting at 360 px: each date of a position's facts stays on one line."""
    page = phone_page
    page.goto(served_variants[0] + f"positions/{FULL_SLUG}/")
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    lines = page.eval_on_selector_all(".facts time", "times => times.map(t => [t.textContent, t.getClientRects().length])")
    assert len(lines) >= 2 and all(count == 1 for _text, count in lines), lines
    page.goto(served_variants[0] + "categories/technology/")  # and on the cards
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    lines = page.eval_on_selector_all(".card-facts time", "times => times.map(t => [t.textContent, t.getClientRects().length])")
    assert lines and all(count == 1 for _text, count in lines), lines


def test_a_card_says_its_closing_date_once_to_a_screen_reader(desktop_page, served_variants):
    page = desktop_page
    page.goto(served_variants[0] + "categories/technology/")
    dates = page.locator(".card .fact-date").all_text_contents()
    assert dates and all(text.count("截止日期") == 1 for text in dates), dates
