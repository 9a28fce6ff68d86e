"""The seed fixture site (a frozen copy of the first real content): the 23 seed positions, faithfully, in seed
order, with working apply links."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.helpers import PROJECT, SEED_FIXTURE

SEED = json.loads((PROJECT / "tests/data/seed_positions.json").read_text(encoding="utf-8"))
CATEGORY_ORDER = ["internet-finance", "marketing", "risk", "technology", "finance", "administration"]


def parse_mailto(href: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return unquote(parts.path), query


def positions_by_title(seed_site) -> dict[str, Path]:
    found = {}
    for index in (seed_site.out / "positions").glob("*/index.html"):
        page = seed_site.page(index.relative_to(seed_site.out).as_posix())
        found[page.select_one("h1#position-title").get_text(" ", strip=True)] = index
    return found


def test_23_position_pages_and_6_categories(seed_site):
    assert len(list((seed_site.out / "positions").glob("*/index.html"))) == 23
    assert sorted(p.name for p in (seed_site.out / "categories").iterdir()) == sorted(CATEGORY_ORDER)


def test_both_file_formats_are_used():
    files = list((SEED_FIXTURE / "content/positions").iterdir())
    assert len([f for f in files if f.suffix == ".md"]) >= 3
    assert len([f for f in files if f.suffix == ".yaml"]) >= 3
    assert len(files) == 23


def test_home_lists_categories_in_seed_order_with_counts(seed_site):
    home = seed_site.page()
    groups = home.select("section.category-group")
    assert [g["id"] for g in groups] == CATEGORY_ORDER
    for group in groups:
        expected = [s["title"] for s in SEED if s["category"] == group["id"]]
        titles = [a.get_text(strip=True) for a in group.select(".card-title a")]
        assert titles == expected  # seed order within the category (by reference number)
        assert f"{len(expected)} 个岗位" in group.select_one(".group-count").get_text()


def test_every_seed_item_present_in_order(seed_site):
    pages = positions_by_title(seed_site)
    assert set(pages) == {s["title"] for s in SEED}
    for seed in SEED:
        page = seed_site.page(pages[seed["title"]].relative_to(seed_site.out).as_posix())
        duties = [li.get_text(strip=True) for li in page.select("#responsibilities ol > li")]
        reqs = [li.get_text(strip=True) for li in page.select("#requirements ol > li")]
        assert duties == seed["responsibilities"], seed["title"]
        assert reqs == seed["requirements"], seed["title"]
        assert page.select_one(".position-category").get_text(strip=True) == seed["category_name"]


def test_apply_links_have_the_right_recipient_and_subject(seed_site):
    pages = positions_by_title(seed_site)
    for title, path in pages.items():
        page = seed_site.page(path.relative_to(seed_site.out).as_posix())
        code = page.find("dt", string="岗位编号").find_next("dd").get_text(strip=True)
        to, query = parse_mailto(page.select_one("a.apply-link")["href"])
        assert to == "hr@example.com"
        assert query["subject"] == f"应聘{title}-{code}-姓名"
        assert title in query["body"] and "\r\n" in query["body"]
        assert page.select_one("#apply-email").get_text(strip=True) == "hr@example.com"
        assert page.select_one("#apply-subject").get_text(strip=True) == query["subject"]


def test_word_artefact_is_gone(seed_site):
    for path in seed_site.out.rglob("*.html"):
        assert "bookmark" not in path.read_text(encoding="utf-8")


def test_position_links_back_to_category_and_home(seed_site):
    page = seed_site.page("positions/dba/")
    hrefs = [a["href"] for a in page.select(".back-links a")]
    assert "/careers/categories/technology/" in hrefs
    assert any(h.startswith("/careers/") and "#positions" in h for h in hrefs)
