"""Filters by recruitment type, education and experience: selects in the search form, only for the fields
the site's positions use; they filter the cards on the page (or ask the search index when the home page
lists only the first positions of a category), the URL says what is filtered, and without JavaScript the
page lists everything."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.helpers import MINIMAL_TOML, position
from tests.searchtools import wait_for_results
from tests.tools import serve_directory

POSITIONS = {  # name: (title, category, recruitment_type, education, experience)
    "a": ("后端工程师", "tech", "社招", "本科", "3年以上"),
    "b": ("前端工程师", "tech", "校招", "硕士", "应届"),
    "c": ("测试工程师", "tech", "实习", "本科", "不限"),
    "d": ("运营专员", "ops", "社招", "大专", "1年以上"),
    "e": ("运营实习生", "ops", "实习", "本科", "不限"),
}


def filtered_site(make_site, per_category: int | None = None):
    files = {f"content/positions/{name}.md": position(title, category,
                                                      front=f"recruitment_type: {rt}\neducation: {edu}\nexperience: {exp}\n")
             for name, (title, category, rt, edu, exp) in POSITIONS.items()}
    toml = MINIMAL_TOML if per_category is None else f"home_per_category = {per_category}\n" + MINIMAL_TOML
    site = make_site({"site.toml": toml, **files}, position=False)
    site.build()
    return site


def shown_titles(page) -> list[str]:
    """The titles a seeker sees: cards with a box on the page (a stylesheet can show an element marked hidden)."""
    return sorted(t.strip() for t in page.locator(".category-group .card-title a:visible").all_inner_texts())


def ready(page) -> None:
    page.wait_for_function("() => document.querySelector('form.finder').dataset.ready !== undefined")


def test_the_filters_narrow_the_cards_and_the_url_says_so(desktop_page, make_site):
    site = filtered_site(make_site)
    with serve_directory(site.out, "/") as base:
        page = desktop_page
        page.goto(base)
        assert page.locator("#finder-recruitment_type option").all_inner_texts() == ["全部类型", "社招", "校招", "实习"]
        assert page.locator("#finder-education option").all_inner_texts() == ["全部学历", "大专", "本科", "硕士"]
        page.select_option("#finder-recruitment_type", "实习")
        ready(page)
        assert shown_titles(page) == sorted(["测试工程师", "运营实习生"])
        assert parse_qs(urlsplit(page.url).query) == {"recruitment_type": ["实习"]}
        page.select_option("#finder-education", "本科")
        page.select_option("#finder-category", "ops")
        ready(page)
        assert shown_titles(page) == ["运营实习生"]
        assert page.locator(".finder-status").inner_text() == "找到 1 个岗位"
        # The address can be shared: opened anew, it shows the same.
        shared = page.url
        page.goto("about:blank")
        page.goto(shared)
        ready(page)
        assert shown_titles(page) == ["运营实习生"]
        assert page.locator("#finder-education").input_value() == "本科"
        page.click(".finder-clear")
        page.wait_for_function("() => location.search === ''")
        ready(page)
        assert len(shown_titles(page)) == 5


def test_a_filter_finds_positions_the_home_page_does_not_list(desktop_page, make_site):
    site = filtered_site(make_site, per_category=1)  # the home page shows one position of each category
    with serve_directory(site.out, "/") as base:
        page = desktop_page
        page.goto(base + "?experience=" + quote("不限"))
        wait_for_results(page, "")
        assert sorted(page.locator(".finder-results .card-title a").all_inner_texts()) == sorted(["测试工程师", "运营实习生"])
        page.fill("#finder-q", "运营")
        page.press("#finder-q", "Enter")
        assert wait_for_results(page, "运营") == ["运营实习生"]


def test_without_javascript_the_page_lists_everything(browser, make_site):
    site = filtered_site(make_site)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        with serve_directory(site.out, "/") as base:
            page = context.new_page()
            page.goto(base + "?recruitment_type=" + quote("实习"))
            assert not page.locator("form.finder").is_visible()
            assert len(shown_titles(page)) == 5
    finally:
        context.close()


def test_only_the_fields_the_positions_use_are_offered(make_site, seed_site):
    site = make_site({"content/positions/x.md": position("数据工程师", front="education: 硕士\n")})
    site.build()
    home = site.page()
    assert [s["name"] for s in home.select("form.finder select[data-filter]")] == ["education"]
    assert [o["value"] for o in home.select("#finder-education option")] == ["", "硕士"]
    assert home.select_one('.card[data-education="硕士"] .card-title a').get_text(strip=True) == "数据工程师"
    assert seed_site.page().select("form.finder select[data-filter]") == []  # the seed fixture uses none


@pytest.mark.parametrize("field", ["recruitment_type", "education", "experience"])
def test_the_search_index_knows_each_filter(make_site, field):
    import json

    site = filtered_site(make_site)
    meta = json.loads((site.out / "search/meta.json").read_text(encoding="utf-8"))
    values = {name: POSITIONS[name][2 + ["recruitment_type", "education", "experience"].index(field)] for name in POSITIONS}
    assert sorted(meta["filters"][field]) == sorted(set(values.values()))
    for number, value in enumerate(meta["filters"][field]):
        assert (site.out / f"search/f/{field}/{number}.bin").is_file()
