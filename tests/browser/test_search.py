"""Search, filters and print, driven in Debian's chromium as a job seeker would.

The site is the seed fixture plus two positions outside Beijing, built with its search index and
served under /careers/ like on GitHub Pages. What a query must find comes from the built pages
themselves (tests/searchtools.py: each open position page parsed with BeautifulSoup).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.helpers import SEED_FIXTURE, SiteDir, copy_site
from tests.searchtools import assert_finds_the_truth, expected, page_truth, result_urls, seed_queries, wait_for_results
from tests.tools import PROJECT_ROOT, serve_directory

EXTRA = {
    "shanghai-risk.yaml": "title: 上海风险分析岗\ncategory: risk\ncode: RM-90\nlocation: 上海\nresponsibilities:\n"
                          "  - 负责华东地区信贷资产的风险监测；\n",
    "shenzhen-dev.yaml": "title: 深圳移动开发岗\ncategory: technology\ncode: IT-90\nlocation: 深圳\nresponsibilities:\n"
                         "  - 负责手机银行客户端开发；\n",
}


def built(root: Path) -> Path:
    """ROOT's output, built (with its search index)."""
    SiteDir(root).build()
    assert (root / "public/search/meta.json").is_file()
    return root / "public"


@pytest.fixture(scope="session")
def search_site(tmp_path_factory) -> Path:
    root = copy_site(SEED_FIXTURE, tmp_path_factory.mktemp("search-site") / "site")
    for name, text in EXTRA.items():
        (root / "content/positions" / name).write_text(text, encoding="utf-8")
    return built(root)


@pytest.fixture(scope="session")
def served(search_site):
    with serve_directory(search_site, "/careers/") as base:
        yield base


def search(page, query: str) -> list[str]:
    page.fill("#finder-q", query)
    return wait_for_results(page, query)


def state(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def visible_home_cards(page) -> list[tuple[str, str, str]]:
    """The home page's cards a seeker sees (with a box on the page, whatever their hidden attribute says)."""
    return page.eval_on_selector_all(
        ".category-group .card",
        "cards => cards.filter(c => c.getClientRects().length > 0)"
        ".map(c => [c.querySelector('a').textContent, c.dataset.category, c.dataset.locations])")


def test_every_title_and_word_of_the_seed_site_finds_its_positions(desktop_page, served, search_site):
    truths = page_truth(search_site, "/careers/")
    queries = seed_queries(truths)
    assert len(queries) >= 60 and {"催收", "营销", "互联网", "催收处置岗", "市场营销策划岗"} <= set(queries)
    assert any(re.fullmatch(r"[A-Za-z]+", q) for q in queries) and any("-" in q for q in queries)
    page = desktop_page
    page.goto(served)
    assert_finds_the_truth(page, truths, queries)
    # the words of the issue: all that contain them
    assert len(result_urls(page, "催收")) == 3 and len(result_urls(page, "营销")) == 5
    assert len(result_urls(page, "互联网")) == 9
    assert search(page, "催收处置岗")[0] == "催收处置岗"
    assert search(page, "ｒｍ－０３") == search(page, "RM-03") == ["风险管理岗"]


@pytest.fixture(scope="session")
def english_site(tmp_path_factory) -> Path:
    site = SiteDir(copy_site(SEED_FIXTURE, tmp_path_factory.mktemp("search-en") / "site"))
    site.edit("site.toml", 'language = "zh-CN"', 'language = "en"')
    return built(site.root)


def test_an_english_site_of_chinese_positions_searches_as_well(desktop_page, english_site):
    truths = page_truth(english_site, "/careers/")
    with serve_directory(english_site, "/careers/") as base:
        page = desktop_page
        page.goto(base)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_finds_the_truth(page, truths, seed_queries(truths))
        assert page.locator(".finder-status").inner_text().endswith("positions found")


@pytest.fixture(scope="session")
def thousand_site(tmp_path_factory) -> Path:
    from tests.sitegen import generate

    root = tmp_path_factory.mktemp("search-1000") / "site"
    generate(root, 1000)
    return built(root)


@pytest.mark.slow
def test_a_thousand_positions_search_as_well(desktop_page, thousand_site):
    truths = page_truth(thousand_site, "/careers/")
    assert len(truths) == 1000
    queries = seed_queries(truths[::40], per_position=1) + ["催收", "营销", "互联网", "高级风险管理岗（0021）", "0021"]
    assert len(queries) >= 60
    with serve_directory(thousand_site, "/careers/") as base:
        page = desktop_page
        page.goto(base)
        assert_finds_the_truth(page, truths, queries)


def test_excerpts_mark_the_matching_duty(desktop_page, served, search_site):
    page = desktop_page
    page.goto(served)
    search(page, "催收")
    first = page.locator(".finder-results .card").first
    assert first.locator(".card-title").inner_text() == "催收处置岗"
    assert first.locator(".card-title mark").inner_text() == "催收"
    excerpt = first.locator(".card-excerpt")
    assert excerpt.locator("mark").all_inner_texts() and set(excerpt.locator("mark").all_inner_texts()) == {"催收"}
    assert "工作地点" not in excerpt.inner_text() and "风险管理类" not in excerpt.inner_text()
    duties = [li.get_text() for li in BeautifulSoup((search_site / "positions/collections/index.html").read_text(
        encoding="utf-8"), "html.parser").select("#responsibilities li")]
    assert excerpt.inner_text() in duties  # the whole duty (it starts near the match)
    # two words: the item with both, each marked; Latin words marked whatever their case
    search(page, "数据 风险")
    marks = page.locator(".finder-results .card").first.locator(".card-excerpt mark").all_inner_texts()
    assert {"数据", "风险"} <= set(marks)
    search(page, "oracle")
    card = page.locator(".finder-results .card").first
    assert card.locator(".card-excerpt mark").first.inner_text().lower() == "oracle"
    # page text is never markup: the excerpt's only elements are <mark>s
    assert page.eval_on_selector_all(".card-excerpt *", "els => [...new Set(els.map(e => e.tagName))]") == ["MARK"]


def test_the_query_in_full_width_forms_and_other_cases(desktop_page, served):
    page = desktop_page
    page.goto(served)
    assert search(page, "ＪＡＶＡ") == search(page, "java") == search(page, "Java")
    assert search(page, "Java")
    assert search(page, "信贷　风险") == search(page, "信贷 风险")  # an ideographic space between words


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


def test_query_with_filters(desktop_page, served, search_site):
    truths = {t.url: t for t in page_truth(search_site, "/careers/")}
    page = desktop_page
    page.goto(served + "?category=risk")
    urls = result_urls(page, "信贷")
    assert set(urls) == {u for u in expected(list(truths.values()), "信贷") if truths[u].category == "风险管理类"}
    titles = page.locator(".finder-results .card-title a").all_inner_texts()
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
    assert not page.locator("img.qr-code").is_visible()  # a phone cannot scan its own screen (tests/browser/test_qr.py)


CLS = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) { if (!e.hadRecentInput) total += e.value; } })
    .observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(total), 500);
})"""


def test_the_search_form_does_not_shift_the_home_page(phone_page, served):
    """On a slow network the page is painted before search.js arrives; showing the form then moved
    the listing down (CLS 0.147 here with the script 0.8 s late; 0.159 measured on a phone)."""
    import time

    page = phone_page

    def late(route):
        time.sleep(0.8)
        route.continue_()

    page.route("**/search.js*", late)
    page.goto(served, wait_until="load")
    assert page.locator("form.finder").is_visible()
    assert page.evaluate(CLS) < 0.01


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
    assert not [u for u in requested if "/search/" in u]
    search(page, "风险")
    index = [u for u in requested if "/search/" in u]
    assert index[0].endswith("/careers/search/meta.json")
    shown = page.locator(".finder-results .card").count()
    assert len([u for u in index if "/search/d/" in u]) == shown <= 20  # a fragment per card shown, no more
    assert all(u.startswith(served) for u in requested), requested


def test_a_search_that_finds_nothing_offers_the_categories(phone_page, served):
    page = phone_page
    page.goto(served)
    assert search(page, "区块链量化") == []
    assert page.locator(".finder-status").inner_text() == "没有找到符合条件的岗位，请换个关键词或清除筛选条件。"
    chips = page.locator(".category-nav a:visible")
    assert chips.count() == 6
    chips.nth(2).click()  # the search gives way to the listing, at that category
    page.wait_for_function("() => location.hash === '#risk'")
    assert page.locator("#finder-q").input_value() == "" and not page.locator(".finder-results").is_visible()
    assert page.locator("#risk").is_visible() and page.locator("#risk .card").first.is_visible()
    assert search(page, "催收") and not page.locator(".category-nav").is_visible()  # results: no chips


def test_a_site_with_every_position_closed_says_none(desktop_page, tmp_path):
    root = copy_site(SEED_FIXTURE, tmp_path / "closed")
    SiteDir(root).build(today=dt.date(2027, 6, 1))  # after every closing date
    with serve_directory(root / "public", "/careers/") as base:
        page = desktop_page
        page.goto(base)  # one calm message, no search form (tests/test_empty_states.py)
        assert page.locator("main .empty-state").inner_text() == "目前暂无开放岗位，欢迎稍后再来看看。"
        assert page.locator("form.finder").count() == 0
        page.goto(base + "?q=%E9%A3%8E%E9%99%A9")  # a shared search link still lands on the message
        assert page.locator("main .empty-state").is_visible() and page.locator(".card").count() == 0


LATIN = {
    "cafe.md": "---\ntitle: Café Manager\ncategory: tech\ncode: CF-01\n---\n\n## 岗位职责\n\n1. 管理 café 与 résumé 筛选；\n",
    "cpp.md": "---\ntitle: C++ 工程师\ncategory: tech\ncode: CP-02\n---\n\n## 岗位职责\n\n1. 熟悉 C++、.NET 与 Node.js 开发；\n",
    "naive.md": "---\ntitle: Naïve Bayes 建模岗\ncategory: ops\n---\n\n## 任职要求\n\n1. 熟悉 C#（Ｃ＃）与 Straße 项目；\n",
}


def test_accented_and_latin_words_are_found_whatever_the_form(desktop_page, make_site):
    """No fallback anywhere: the index is the same code for café and 催收 (Pagefind's merge gave up on
    an accented word and indexed the whole site in one run)."""
    site = make_site({f"content/positions/{name}": text for name, text in LATIN.items()})
    result = site.run("build")
    assert result.returncode == 0 and "fallback" not in result.stderr.lower(), result.stderr
    truths = page_truth(site.out)
    queries = ["café", "CAFÉ", "cafe\u0301", "résumé", "c++", "C++ 工程师", ".net", "NODE.JS", "node.js", "c#", "Ｃ＃",
               "naïve", "NAÏVE BAYES", "strasse", "STRASSE", "straße"]
    with serve_directory(site.out, "/") as base:
        page = desktop_page
        page.goto(base)
        assert_finds_the_truth(page, truths, queries)
        for query in queries:
            assert result_urls(page, query), query
        assert result_urls(page, "cafe") == []  # é is not e: the seeker's letters, not fewer


def test_a_site_published_again_while_the_page_is_open_is_read_anew(desktop_page, tmp_path):
    """The ids follow the listing order, so a new position renumbers them: a page that read the old
    meta.json finds the new files' tag different, and reads the index again (not mixing the two)."""
    root = copy_site(SEED_FIXTURE, tmp_path / "again")
    out = built(root)
    with serve_directory(out, "/careers/") as base:
        page = desktop_page
        page.goto(base)
        assert len(result_urls(page, "风险")) == 9  # meta.json read, kept by the page
        (root / "content/positions" / "aaa-collections.yaml").write_text(
            "title: 催收策略岗\ncategory: internet-finance\ncode: IF-99\nposted: 2026-11-27\n"
            "responsibilities:\n  - 负责催收策略；\n", encoding="utf-8")
        built(root)  # published again: one more position, every id after it moved
        truths = page_truth(out, "/careers/")
        assert_finds_the_truth(page, truths, ["催收", "催收处置岗", "风险", "催收策略岗"])
        assert search(page, "催收")[0] == "催收策略岗"


FOLD_PROBE = """codes => codes.map(c => window.__fold(String.fromCodePoint(c)))"""


def test_search_js_folds_every_character_as_python_does(desktop_page, served):
    """The query is folded in the browser, the positions in Python: the same function, checked on
    every code point Python's unicodedata knows."""
    from careersite.search.index import fold

    script = (PROJECT_ROOT / "static/search.js").read_text(encoding="utf-8")
    probe = script.replace('  function wordsOf(text)', '  window.__fold = fold;\n  function wordsOf(text)', 1)
    page = desktop_page
    page.goto(served)  # (the script runs where there is a search form)
    page.evaluate("() => {\n" + probe + "\n}")  # evaluated, not an inline <script>: the site's CSP forbids those
    codes = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) != "Cn"]
    differ = []
    for start in range(0, len(codes), 20000):
        batch = codes[start:start + 20000]
        for code, folded in zip(batch, page.evaluate(FOLD_PROBE, batch)):
            if folded != fold(chr(code)):
                differ.append(f"U+{code:04X} {fold(chr(code))!r} {folded!r}")
    assert not differ, f"{len(differ)} differ: " + "; ".join(differ[:20])


def pdf_page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def test_a_position_prints_on_one_a4_page_with_qr_and_apply_details(desktop_page, served, tmp_path):
    page = desktop_page
    page.goto(served + "positions/risk-management/")
    page.emulate_media(media="print")
    assert page.locator("img.qr-code").is_visible()
    assert page.locator("#apply-email").inner_text() == "hr@example.com"
    assert page.locator("#apply-subject").is_visible()
    # on paper the page's address is in the footer and the company in the header (issue 18)
    assert page.locator(".footer-page-url").inner_text().endswith("/careers/positions/risk-management/")
    assert page.locator(".site-header .brand").is_visible() and not page.locator(".site-nav").is_visible()
    data = page.pdf(format="A4", print_background=True)
    assert data.startswith(b"%PDF")
    assert pdf_page_count(data) == 1
    # the longest default position too
    longest = max((served + f"positions/{p}/" for p in ("business-unit-head", "information-security", "dba")),
                  key=lambda url: len(page.goto(url).body()))
    page.goto(longest)
    assert pdf_page_count(page.pdf(format="A4")) == 1, longest


def test_without_an_index_search_falls_back_to_the_listed_cards(desktop_page, search_site, tmp_path):
    """A host that lost the index files (or a preview opened from disk): the box still narrows the
    cards on the page, and says the index is unavailable."""
    out = Path(shutil.copytree(search_site, tmp_path / "no-index"))
    shutil.rmtree(out / "search")
    with serve_directory(out, "/careers/") as base:
        page = desktop_page
        page.goto(base + "?q=%E4%BF%A1%E8%B4%B7")  # 信贷
        page.wait_for_function("() => document.querySelector('form.finder').dataset.ready === '信贷'")
        assert "搜索索引暂不可用" in page.locator(".finder-status").inner_text()
        titles = [c[0] for c in visible_home_cards(page)]
        assert "信贷审查岗" in titles and "深圳移动开发岗" not in titles


def test_filters_on_a_shortened_home_page_use_the_index(desktop_page, search_site, tmp_path):
    """With only the first position of each category on the home page, a filter still finds all."""
    root = tmp_path / "short"
    shutil.copytree(search_site.parent, root, ignore=shutil.ignore_patterns("public"))
    site = SiteDir(root)
    site.edit("site.toml", 'country = "CN"', 'country = "CN"\nhome_per_category = 1')
    site.build()
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
