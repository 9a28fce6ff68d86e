"""Empty and closed states: a site with no open position says so once (no search form, no empty category
boxes); a category with none is left off the home page and its own page says so; a closed position's page
suggests the open positions of its category instead of sharing the closed one."""

from __future__ import annotations

from tests.helpers import position

CLOSED = "posted: 2026-10-01\ncloses: 2026-11-01\n"


def test_a_site_with_no_open_position_shows_one_calm_message(make_site):
    site = make_site(position=False)
    site.position("old.md", position("旧岗位", front=CLOSED))
    site.write("site.toml", (site.root / "site.toml").read_text(encoding="utf-8").replace(
        'title = "测试招聘"', 'allow_empty = true\ntitle = "测试招聘"'))
    site.build()
    home = site.page()
    assert [p.get_text(strip=True) for p in home.select("main .empty-state")] == ["目前暂无开放岗位，欢迎稍后再来看看。"]
    assert home.select("form.finder") == [] and home.select(".category-group") == [] and home.select(".category-nav") == []
    assert home.select("script[src*=search]") == []
    assert home.select(".hero-stats") == []


def test_a_category_without_open_positions_is_not_an_empty_box_on_the_home_page(make_site):
    site = make_site()  # one position, in 技术类; 运营类 has none
    site.build()
    home = site.page()
    assert [s["id"] for s in home.select("section.category-group")] == ["tech"]
    assert [a.get_text(strip=True) for a in home.select(".category-nav a .chip-name")] == ["技术类"]
    assert [o["value"] for o in home.select("#finder-category option")] == ["", "tech"]
    assert home.select("main .empty-state") == []
    ops = site.page("categories/ops/")
    assert [p.get_text(strip=True) for p in ops.select("main .empty-state")] == ["该类别目前暂无开放岗位。"]
    assert ops.select(".cards") == []
