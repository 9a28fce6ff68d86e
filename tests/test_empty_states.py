"""Empty and closed states: a site with no open position says so once (no search form, no empty category
boxes); a category with none is left off the home page and its own page says so; a closed position's page
suggests the open positions of its category instead of sharing the closed one."""

from __future__ import annotations

from tests.helpers import MemorySite, position

CLOSED = "posted: 2026-10-01\ncloses: 2026-11-01\n"


def test_a_site_with_no_open_position_shows_one_calm_message():
    site = MemorySite(position=False)
    site.position("old.md", position("旧岗位", front=CLOSED))
    site.edit("site.toml", 'title = "测试招聘"', 'allow_empty = true\ntitle = "测试招聘"')
    site.build()
    home = site.page()
    assert [p.get_text(strip=True) for p in home.select("main .empty-state")] == ["目前暂无开放岗位，欢迎稍后再来看看。"]
    assert home.select("form.finder") == [] and home.select(".category-group") == [] and home.select(".category-nav") == []
    assert home.select("script[src*=search]") == []
    assert home.select(".hero-stats") == []


def test_a_category_without_open_positions_is_not_an_empty_box_on_the_home_page():
    site = MemorySite()  # one position, in 技术类; 运营类 has none
    site.build()
    home = site.page()
    assert [s["id"] for s in home.select("section.category-group")] == ["tech"]
    assert [a.get_text(strip=True) for a in home.select(".category-nav a .chip-name")] == ["技术类"]
    assert [o["value"] for o in home.select("#finder-category option")] == ["", "tech"]
    assert home.select("main .empty-state") == []
    ops = site.page("categories/ops/")
    assert [p.get_text(strip=True) for p in ops.select("main .empty-state")] == ["该类别目前暂无开放岗位。"]
    assert ops.select(".cards") == []


def test_a_closed_position_suggests_open_ones_of_its_category():
    site = MemorySite({
        "content/positions/old.md": position("旧后端岗", front=CLOSED),
        "content/positions/ops.md": position("运维工程师", category="ops"),
        "content/positions/web.md": position("前端工程师"),
    })
    site.build()
    page = site.page("positions/old/")
    assert page.select_one(".notice-closed") is not None
    section = page.select_one("section.suggestions")
    assert section.h2.get_text(strip=True) == "技术类正在招聘的岗位"
    listed = [a["href"] for a in site.page().select("#tech .card-title a")]  # in the listing's order
    assert sorted(listed) == ["/positions/backend-engineer/", "/positions/web/"]
    assert [a["href"] for a in section.select(".card-title a")] == listed
    assert page.select(".share-qr") == [] and "转发此岗位" not in page.get_text()
    # An open position's page has no such list, and shares itself.
    open_page = site.page("positions/web/")
    assert open_page.select("section.suggestions") == [] and open_page.select(".share-qr img.qr-code")


def test_a_closed_position_page_follows_what_is_open_in_its_category(make_site):
    site = make_site({"content/positions/old.md": position("旧后端岗", front=CLOSED)})
    site.build()
    assert [a.get_text(strip=True) for a in site.page("positions/old/").select(".suggestions .card-title a")] == ["后端工程师"]
    site.position("web.md", position("前端工程师"))
    site.build()  # the closed page's file is the same, but what it lists is not: made again
    assert sorted(a.get_text(strip=True) for a in site.page("positions/old/").select(".suggestions .card-title a")) == \
        sorted(["后端工程师", "前端工程师"])
    (site.root / "content/positions/backend-engineer.md").unlink()
    (site.root / "content/positions/web.md").unlink()
    site.edit("site.toml", 'title = "测试招聘"', 'allow_empty = true\ntitle = "测试招聘"')
    site.build()
    page = site.page("positions/old/")
    assert page.select("section.suggestions") == []
    assert page.select_one(".notice-closed a")["href"] == "/#positions"  # the way to whatever is open
