"""Search, filters and print, driven in Debian's chromium as a job seeker would.

The site is the project's default site plus two positions outside Beijing, built with its
Pagefind index and served under /careers/ like on GitHub Pages.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.tools import PROJECT_ROOT, serve_directory

EXTRA = {
    "shanghai-risk.yaml": "title: 上海风险分析岗\ncategory: risk\ncode: RM-90\nlocation: 上海\nresponsibilities:\n"
                          "  - 负责华东地区信贷资产的风险监测；\n",
    "shenzhen-dev.yaml": "title: 深圳移动开发岗\ncategory: technology\ncode: IT-90\nlocation: 深圳\nresponsibilities:\n"
                         "  - 负责手机银行客户端开发；\n",
}


@pytest.fixture(scope="session")
def search_site(tmp_path_factory) -> Path:
    from tests.conftest import run_cli

    require_pagefind()
    from tests.conftest import SEED_FIXTURE, copy_site

    root = copy_site(SEED_FIXTURE, tmp_path_factory.mktemp("search-site") / "site")
    for name, text in EXTRA.items():
        (root / "content/positions" / name).write_text(text, encoding="utf-8")
    # Indexed in shards of 4 HTML files (7 Pagefind runs for the 25 positions), so what the browser
    # searches is a merged index; test_filters_on_a_shortened_home_page_use_the_index searches one run's.
    env = {**os.environ, "CAREERSITE_SEARCH_SHARD_FILES": "4"}
    result = run_cli("build", "--site", str(root), "--today", "2026-11-28", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    assert (root / "public/pagefind/pagefind.js").is_file()
    return root / "public"


def require_pagefind() -> None:
    from careersite.search import has_pagefind
    from tests.tools import require_tool

    require_tool("pagefind (Python package)", has_pagefind(), "pip install -r requirements.txt")


@pytest.fixture(scope="session")
def served(search_site):
    with serve_directory(search_site, "/careers/") as base:
        yield base


def open_positions_containing(out: Path, word: str, category: str | None = None) -> set[str]:
    found = set()
    for path in (out / "positions").glob("*/index.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = page.find("article", attrs={"data-pagefind-body": True})
        if article is None:
            continue
        for ignored in article.select("[data-pagefind-ignore]"):
            ignored.decompose()
        if category and article.select_one(".position-category").get_text(strip=True) != category:
            continue
        if word in article.get_text():
            found.add(page.select_one("h1#position-title").get_text(strip=True))
    return found


def wait_for_results(page, query: str) -> list[str]:
    page.wait_for_function("q => document.querySelector('form.finder').dataset.ready === q", arg=query)
    more = page.locator(".finder-more")
    while more.is_visible():
        count = page.locator(".finder-results .card").count()
        more.click()
        page.wait_for_function(f"() => document.querySelectorAll('.finder-results .card').length > {count}")
    return page.locator(".finder-results .card-title a").all_inner_texts()


def search(page, query: str) -> list[str]:
    page.fill("#finder-q", query)
    return wait_for_results(page, query)


def state(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def visible_home_cards(page) -> list[tuple[str, str, str]]:
    return page.eval_on_selector_all(
        ".category-group:not([hidden]) .card:not([hidden])",
        "cards => cards.map(c => [c.querySelector('a').textContent, c.dataset.category, c.dataset.locations])")


@pytest.mark.parametrize("word", ["风险", "信贷", "北京"])
def test_chinese_query_lists_exactly_the_matching_positions(desktop_page, served, search_site, word):
    page = desktop_page
    page.goto(served)
    titles = search(page, word)
    expected = open_positions_containing(search_site, word)
    assert expected, word
    assert sorted(titles) == sorted(expected)
    assert page.locator(".finder-status").inner_text() == f"找到 {len(expected)} 个岗位"
    assert state(page) == {"q": [word]}
    assert page.locator(".category-group:not([hidden])").count() == 0
    first = page.locator(".finder-results .card-title a").first
    assert first.get_attribute("href").startswith("/careers/positions/")


def test_category_and_location_filters_narrow_the_listing(desktop_page, served):
    page = desktop_page
    page.goto(served)
    all_cards = visible_home_cards(page)
    page.select_option("#finder-category", "risk")
    cards = visible_home_cards(page)
    assert cards and {c[1] for c in cards} == {"risk"}
    assert len(cards) == len([c for c in all_cards if c[1] == "risk"])
    assert state(page) == {"category": ["risk"]}
    page.select_option("#finder-location", "上海")
    assert [c[0] for c in visible_home_cards(page)] == ["上海风险分析岗"]
    assert state(page) == {"category": ["risk"], "location": ["上海"]}
    page.select_option("#finder-category", "")
    assert [c[0] for c in visible_home_cards(page)] == ["上海风险分析岗"]
    page.select_option("#finder-location", "深圳")
    assert [c[0] for c in visible_home_cards(page)] == ["深圳移动开发岗"]
    # back: the previous filter comes back, with the URL
    page.go_back()
    page.wait_for_function("() => new URLSearchParams(location.search).get('location') === '上海'")
    assert page.input_value("#finder-location") == "上海"
    assert [c[0] for c in visible_home_cards(page)] == ["上海风险分析岗"]
    page.click("button.finder-clear")
    page.wait_for_function("() => location.search === ''")
    assert len(visible_home_cards(page)) == len(all_cards)


def test_query_with_filters_uses_the_index_filters(desktop_page, served, search_site):
    page = desktop_page
    page.goto(served + "?category=risk")
    titles = search(page, "信贷")
    assert sorted(titles) == sorted(open_positions_containing(search_site, "信贷", category="风险管理类"))
    assert "上海风险分析岗" in titles
    page.select_option("#finder-location", "上海")
    assert wait_for_results(page, "信贷") == ["上海风险分析岗"]
    assert state(page) == {"q": ["信贷"], "category": ["risk"], "location": ["上海"]}


def test_shared_url_reload_and_back_restore_the_view(desktop_page, served):
    page = desktop_page
    page.goto(served + "?q=%E4%BF%A1%E8%B4%B7&location=%E5%8C%97%E4%BA%AC")  # ?q=信贷&location=北京
    titles = wait_for_results(page, "信贷")
    assert titles and "上海风险分析岗" not in titles
    assert page.input_value("#finder-q") == "信贷" and page.input_value("#finder-location") == "北京"
    page.reload()
    assert wait_for_results(page, "信贷") == titles
    page.locator(".finder-results .card-title a").first.click()
    page.wait_for_url(re.compile(r".*/positions/.*"))
    page.go_back()
    assert wait_for_results(page, "信贷") == titles
    assert page.input_value("#finder-q") == "信贷"


def test_works_on_a_phone(phone_page, served, screenshot_dir):
    page = phone_page
    page.goto(served)
    titles = search(page, "风险")
    assert "风险管理岗" in titles
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in ("#finder-q", "#finder-category", "#finder-location", ".finder-clear"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.screenshot(path=str(screenshot_dir / "search-phone.png"))
    for rel in ("positions/risk-management/", "categories/risk/", "?q=%E4%BF%A1%E8%B4%B7&location=%E4%B8%8A%E6%B5%B7"):
        page.goto(served + rel)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, rel
    page.goto(served + "positions/risk-management/")
    box = page.locator("svg.qr-code").bounding_box()
    assert box["width"] >= 100 and box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_without_javascript_the_listing_is_complete(browser, served, search_site):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(served)
        assert not page.locator("form.finder").is_visible()
        static = BeautifulSoup((search_site / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert page.locator(".card").count() == len(static.select(".card")) == 25
        assert page.locator(".card:visible").count() == 25
    finally:
        context.close()


def test_search_index_is_loaded_only_when_a_query_is_typed(desktop_page, served):
    page = desktop_page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(served)
    page.select_option("#finder-category", "risk")
    page.wait_for_timeout(300)
    assert not [u for u in requested if "/pagefind/" in u]
    search(page, "风险")
    assert [u for u in requested if u.endswith("/pagefind/pagefind.js")]
    assert all(u.startswith(served) for u in requested), requested


def pdf_page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def test_a_position_prints_on_one_a4_page_with_qr_and_apply_details(desktop_page, served, tmp_path):
    page = desktop_page
    page.goto(served + "positions/risk-management/")
    page.emulate_media(media="print")
    assert page.locator("svg.qr-code").is_visible()
    assert page.locator("#apply-email").inner_text() == "hr@example.com"
    assert page.locator("#apply-subject").is_visible()
    assert page.locator(".share-url").inner_text().endswith("/careers/positions/risk-management/")
    assert not page.locator(".site-header").is_visible()
    data = page.pdf(format="A4", print_background=True)
    assert data.startswith(b"%PDF")
    assert pdf_page_count(data) == 1
    # the longest default position too
    longest = max((served + f"positions/{p}/" for p in ("business-unit-head", "information-security", "dba")),
                  key=lambda url: len(page.goto(url).body()))
    page.goto(longest)
    assert pdf_page_count(page.pdf(format="A4")) == 1, longest


def test_without_an_index_search_falls_back_to_the_listed_cards(desktop_page, search_site, tmp_path):
    """A site built where Pagefind is missing: the box still narrows the cards on the page."""
    from tests.conftest import run_cli
    from tests.test_search_index import HIDE_PAGEFIND, env_with

    out = tmp_path / "no-index"
    result = run_cli("build", "--site", str(search_site.parent), "--out", str(out), "--today", "2026-11-28",
                     cwd=search_site.parent, env=env_with(tmp_path, HIDE_PAGEFIND))
    assert result.returncode == 0 and not (out / "pagefind").exists()
    with serve_directory(out, "/careers/") as base:
        page = desktop_page
        page.goto(base + "?q=%E4%BF%A1%E8%B4%B7")  # 信贷
        page.wait_for_function("() => document.querySelector('form.finder').dataset.ready === '信贷'")
        assert "搜索索引暂不可用" in page.locator(".finder-status").inner_text()
        titles = [c[0] for c in visible_home_cards(page)]
        assert "信贷审查岗" in titles and "深圳移动开发岗" not in titles


def test_filters_on_a_shortened_home_page_use_the_index(desktop_page, search_site, tmp_path):
    """With only the first position of each category on the home page, a filter still finds all."""
    from tests.conftest import run_cli

    root = tmp_path / "short"
    shutil.copytree(search_site.parent, root, ignore=shutil.ignore_patterns("public"))
    toml = (root / "site.toml").read_text(encoding="utf-8")
    (root / "site.toml").write_text(toml.replace('country = "CN"', 'country = "CN"\nhome_per_category = 1'),
                                    encoding="utf-8")
    result = run_cli("build", "--site", str(root), "--today", "2026-11-28", cwd=root)
    assert result.returncode == 0, result.stderr
    with serve_directory(root / "public", "/careers/") as base:
        page = desktop_page
        page.goto(base)
        assert "上海风险分析岗" not in [c[0] for c in visible_home_cards(page)]
        page.select_option("#finder-location", "上海")
        assert wait_for_results(page, "") == ["上海风险分析岗"]
        page.select_option("#finder-location", "")
        page.select_option("#finder-category", "risk")
        titles = wait_for_results(page, "")
        assert len(titles) == 7 and "上海风险分析岗" in titles
        assert state(page) == {"category": ["risk"]}
