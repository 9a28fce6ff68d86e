"""Building tiny sites: both file formats, defaults, atomic and deterministic output, sub-path URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from tests.helpers import MemorySite, tree_digest

YAML_POSITION = """\
title: 运维工程师
category: 运营类
code: OPS-7
location: [上海, 深圳]
headcount: 2
closes: 2026-12-31
salary: 15k-25k
description: |
  负责生产环境的**稳定运行**。
responsibilities:
  - 负责监控告警；
  - 负责容量规划。
requirements:
  - 熟悉 Linux；
"""


def test_markdown_and_yaml_positions_render_the_same_structure():
    site = MemorySite({"content/positions/ops.yaml": YAML_POSITION})
    site.build()
    md = site.page("positions/backend-engineer/")
    assert [li.get_text() for li in md.select("#responsibilities li")] == ["负责服务开发；", "负责系统维护。"]
    assert [li.get_text() for li in md.select("#requirements li")] == ["三年以上经验；"]
    ops = site.page("positions/ops/")
    assert [li.get_text() for li in ops.select("#responsibilities ol > li")] == ["负责监控告警；", "负责容量规划。"]
    assert [li.get_text() for li in ops.select("#requirements ol > li")] == ["熟悉 Linux；"]
    assert ops.select_one(".section-description strong").get_text() == "稳定运行"
    facts = {dt.get_text(): dt.find_next("dd").get_text(strip=True) for dt in ops.select(".facts dt")}
    assert facts["工作地点"] == "上海、深圳"
    assert facts["招聘人数"] == "2 人"
    assert facts["截止日期"] == "2026年12月31日"
    assert facts["薪酬"] == "1.5万–2.5万/月"
    assert facts["岗位编号"] == "OPS-7"


def test_category_matches_by_key_or_name_and_listings_follow_site_order():
    site = MemorySite({"content/positions/ops.yaml": YAML_POSITION})
    site.build()
    home = site.page()
    assert [s["id"] for s in home.select("section.category-group")] == ["tech", "ops"]
    assert [a.get_text() for a in home.select("#ops .card-title a")] == ["运维工程师"]
    category = site.page("categories/ops/")
    assert category.h1.get_text() == "运营类"
    assert [a["href"] for a in category.select(".card-title a")] == ["/positions/ops/"]


def test_defaults():
    site = MemorySite({"content/positions/ops.yaml": YAML_POSITION})
    site.edit("site.toml", "[defaults]", "[defaults]\nheadcount = 3")
    site.build()
    backend = site.page("positions/backend-engineer/")
    facts = {dt.get_text(): dt.find_next("dd").get_text(strip=True) for dt in backend.select(".facts dt")}
    assert facts["工作地点"] == "北京" and facts["招聘人数"] == "3 人"
    ops = site.page("positions/ops/")
    facts = {dt.get_text(): dt.find_next("dd").get_text(strip=True) for dt in ops.select(".facts dt")}
    assert facts["工作地点"] == "上海、深圳" and facts["招聘人数"] == "2 人"


def test_apply_link_encodes_title_and_code():
    site = MemorySite({"content/positions/x.yaml": "title: 'R&D 工程师? #1 100%'\ncategory: tech\ncode: 'A&B=1'\n"})
    site.build()
    href = site.page("positions/x/").select_one("a.apply-link")["href"]
    parts = urlsplit(href)
    assert unquote(parts.path) == "jobs@example.com"
    query = parse_qs(parts.query)
    assert list(query) == ["subject"]
    assert query["subject"] == ["应聘R&D 工程师? #1 100%-A&B=1-姓名"]


def test_missing_code_leaves_no_double_separator():
    site = MemorySite()
    site.build()
    assert site.page("positions/backend-engineer/").select_one("#apply-subject").get_text() == "应聘后端工程师-姓名"


def test_output_is_deterministic(make_site, tmp_path):
    site = make_site({"content/positions/ops.yaml": YAML_POSITION})
    site.build(out=tmp_path / "a")
    site.build(out=tmp_path / "b")
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_failed_build_leaves_previous_output_untouched(make_site):
    site = make_site({"content/positions/ops.yaml": YAML_POSITION})
    site.build()
    before = tree_digest(site.out)
    site.write("content/positions/ops.yaml", YAML_POSITION.replace("headcount: 2", "headcount: 两名"))
    result = site.run("build")
    assert result.returncode == 1
    assert "content/positions/ops.yaml:5:12:" in result.stderr
    assert tree_digest(site.out) == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".staging")] == []


def test_successful_build_removes_stale_files(make_site):
    site = make_site({"content/positions/ops.yaml": YAML_POSITION})
    site.build()
    assert (site.out / "positions/ops/index.html").exists()
    (site.root / "content/positions/ops.yaml").unlink()
    site.build()
    assert not (site.out / "positions/ops").exists()
    assert (site.out / "positions/backend-engineer/index.html").exists()


def test_sub_path_base_url_links_all_resolve():
    site = MemorySite({"content/positions/ops.yaml": YAML_POSITION})
    files = site.build(base_url="https://example.github.io/careers/").files
    pages = [rel for rel in files if rel.endswith(".html")]
    assert pages
    for page_path in pages:
        page = site.page(page_path)
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src")):
            for node in page.find_all(tag):
                url = node.get(attr)
                if not url or url.startswith(("mailto:", "#", "https://example.github.io/careers/")):
                    continue
                assert url.startswith("/careers/"), (page_path, url)
                target = urlsplit(url).path.removeprefix("/careers/")
                assert target in files or (target.rstrip("/") + "/index.html").lstrip("/") in files, (page_path, url)
    assert site.page().select_one('link[rel="canonical"]')["href"] == "https://example.github.io/careers/"


def test_empty_site_builds_with_friendly_message():
    site = MemorySite(position=False)
    site.build()
    assert "暂无开放岗位" in site.page().select_one(".empty-state").get_text()


def test_out_option_and_refusal_to_overwrite_sources(make_site, tmp_path):
    site = make_site()
    result = site.run("build", "--out", str(site.root / "content"))
    assert result.returncode == 1
    assert "不安全" in result.stderr
    assert (site.root / "content/positions/backend-engineer.md").exists()
