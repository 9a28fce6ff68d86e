"""Drafts, open, closing today and closed yesterday, with a fixed today (--today or CAREERSITE_TODAY)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import run_cli

TODAY = "2026-11-28"


def position(title: str, extra: str) -> str:
    code = f"T-{sum(map(ord, title)) % 1000}"  # one code per position, as HR gives them
    return f"---\ntitle: {title}\ncategory: tech\ncode: {code}\n{extra}---\n\n## 岗位职责\n\n1. 负责{title}。\n"


FILES = {
    "content/positions/draft.md": position("草稿岗", "closes: 2026-12-31\ndraft: true\n"),
    "content/positions/open.md": position("开放岗", "closes: 2026-12-31\n"),
    "content/positions/today.md": position("今天截止岗", "closes: 2026-11-28\n"),
    "content/positions/closed.md": position("昨天截止岗", "closes: 2026-11-27\n"),
}


@pytest.fixture
def site(make_site):
    return make_site(FILES, position=False)


def listed(page) -> set[str]:
    return {a.get_text(strip=True) for a in page.select(".card-title a")}


def is_noindex(page) -> bool:
    robots = page.find("meta", attrs={"name": "robots"})
    return robots is not None and "noindex" in robots["content"]


def test_listings_hold_open_positions_only(site):
    site.build()
    for page in (site.page(), site.page("categories/tech/")):
        assert listed(page) == {"开放岗", "今天截止岗"}


def test_drafts_are_built_only_with_drafts(site):
    site.build()
    assert not (site.out / "positions/draft").exists()
    site.build("--drafts")
    assert "草稿岗" in listed(site.page())
    page = site.page("positions/draft/")
    assert page.find("h1").find(class_="badge-draft") is not None
    assert page.find(class_="notice-draft") is not None
    assert is_noindex(page)


@pytest.mark.parametrize("slug", ["open", "today"])
def test_an_open_position_can_be_applied_for(site, slug):
    site.build()
    page = site.page(f"positions/{slug}/")
    assert page.find(class_="notice-closed") is None
    assert page.find(id="apply") is not None
    assert page.select_one("a.apply-link")["href"].startswith("mailto:")
    assert not is_noindex(page)


def test_a_closed_position_keeps_its_page_with_a_notice(site):
    site.build()
    page = site.page("positions/closed/")
    notice = page.find(class_="notice-closed")
    assert notice is not None
    assert "已截止" in page.find("h1").get_text()
    assert "2026年11月27日" in notice.get_text() and "不再接收简历" in notice.get_text()
    link = notice.find("a")
    assert link["href"] == "/#positions" and "开放的岗位" in link.get_text()
    assert page.find(id="apply") is None
    assert page.select("a[href^='mailto:']") == []
    assert is_noindex(page)
    assert "已截止" in page.find("title").get_text()


def test_the_closing_day_is_inclusive(site):
    site.run("build", today="2026-11-29")
    assert "今天截止岗" not in listed(site.page())
    assert site.page("positions/today/").find(class_="notice-closed") is not None


def test_today_from_the_environment(site):
    env = {**os.environ, "CAREERSITE_TODAY": "2026-12-01"}
    result = run_cli("build", "--site", str(site.root), env=env)
    assert result.returncode == 0, result.stderr
    assert listed(site.page()) == {"开放岗"}
    # --today wins over the environment
    result = run_cli("build", "--site", str(site.root), "--today", "2026-11-20", env=env)
    assert result.returncode == 0, result.stderr
    assert listed(site.page()) == {"开放岗", "今天截止岗", "昨天截止岗"}


@pytest.mark.parametrize("args, env, message", [
    (["--today", "2026-13-01"], {}, "build.py build: 错误: --today：日期要写成 YYYY-MM-DD（年-月-日），例如 2026-12-31，"
                                    "这里是 '2026-13-01'\n"),
    ([], {"CAREERSITE_TODAY": "next monday"}, "build.py: CAREERSITE_TODAY: 日期要写成 YYYY-MM-DD（年-月-日），"
                                              "例如 2026-12-31，这里是 'next monday'\n"),
])
def test_a_bad_today_is_a_usage_error(site, args, env, message):
    result = run_cli("build", "--site", str(site.root), *args, env={**os.environ, **env})
    assert result.returncode == 2
    assert result.stderr.endswith(message)
    assert not site.out.exists()
