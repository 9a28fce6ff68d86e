"""Drafts, open, closing today and closed yesterday, with a fixed today (--today or CAREERSITE_TODAY)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import TODAY, MemorySite, position, run_in_process


def dated(title: str, code: str, front: str) -> str:
    return position(title, front=f"code: {code}\n{front}", duties=(f"负责{title}。",), requirements=())


FILES = {
    "content/positions/draft.md": dated("草稿岗", "T-1", "closes: 2026-12-31\ndraft: true\n"),
    "content/positions/open.md": dated("开放岗", "T-2", "closes: 2026-12-31\n"),
    "content/positions/today.md": dated("今天截止岗", "T-3", f"closes: {TODAY}\n"),
    "content/positions/closed.md": dated("昨天截止岗", "T-4", "closes: 2026-11-27\n"),
}


@pytest.fixture
def site() -> MemorySite:
    return MemorySite(FILES, position=False)


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
    assert not [rel for rel in site.build().files if rel.startswith("positions/draft/")]
    site.build(drafts=True)
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
    site.build(today=dt.date(2026, 11, 29))
    assert "今天截止岗" not in listed(site.page())
    assert site.page("positions/today/").find(class_="notice-closed") is not None


def test_today_from_the_environment(make_site, monkeypatch):
    site = make_site(FILES, position=False)
    monkeypatch.setenv("CAREERSITE_TODAY", "2026-12-01")
    result = run_in_process("build", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    assert listed(site.page()) == {"开放岗"}
    # --today wins over the environment
    result = run_in_process("build", "--site", str(site.root), "--today", "2026-11-20")
    assert result.returncode == 0, result.stderr
    assert listed(site.page()) == {"开放岗", "今天截止岗", "昨天截止岗"}


@pytest.mark.parametrize("args, env, message", [
    (["--today", "2026-13-01"], {}, "build.py build: 错误: --today：日期要写成 YYYY-MM-DD（年-月-日），例如 2026-12-31，"
                                    "这里是 '2026-13-01'\n"),
    ([], {"CAREERSITE_TODAY": "next monday"}, "build.py: CAREERSITE_TODAY: 日期要写成 YYYY-MM-DD（年-月-日），"
                                              "例如 2026-12-31，这里是 'next monday'\n"),
])
def test_a_bad_today_is_a_usage_error(make_site, monkeypatch, args, env, message):
    site = make_site(FILES, position=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_in_process("build", "--site", str(site.root), *args)
    assert result.returncode == 2
    assert result.stderr.endswith(message)
    assert not site.out.exists()
