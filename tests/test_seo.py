"""JobPosting structured data: one complete block per open position, none elsewhere, never breakable."""

from __future__ import annotations

import json

import pytest

from careersite.render.jobposting import json_ld, parse_salary
from tests.helpers import MemorySite, english, printed

POSITION = """\
---
title: 风险经理
category: tech
code: RK-9
location: [北京, 上海]
employment_type: 全职
headcount: 2
posted: 2026-11-01
closes: 2026-12-31
salary: {salary}
---

负责**风险**政策。

## 岗位职责

1. 制定风险政策；

## 任职要求

1. 三年以上经验；
"""


def postings(page) -> list[dict]:
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


def visible_text(page) -> str:
    for script in page.find_all("script"):
        script.decompose()
    return page.get_text(" ", strip=True)


def test_open_position_has_one_complete_job_posting():
    site = MemorySite({"content/positions/risk.md": POSITION.format(salary="15k-25k")})
    site.build()
    page = site.page("positions/risk/")
    [data] = postings(page)
    assert data["@context"] == "https://schema.org/" and data["@type"] == "JobPosting"
    assert data["title"] == "风险经理"
    assert "<strong>风险</strong>" in data["description"]
    assert "<h3>岗位职责</h3>" in data["description"] and "制定风险政策" in data["description"]
    assert "<h3>任职要求</h3>" in data["description"] and "三年以上经验" in data["description"]
    assert data["datePosted"] == "2026-11-01"
    assert data["validThrough"] == "2026-12-31T23:59:59+08:00"
    assert data["employmentType"] == "FULL_TIME"
    assert data["identifier"] == {"@type": "PropertyValue", "name": "测试公司", "value": "RK-9"}
    assert data["hiringOrganization"] == {"@type": "Organization", "name": "测试公司",
                                          "sameAs": "https://jobs.example.com/"}
    assert [p["address"] for p in data["jobLocation"]] == [
        {"@type": "PostalAddress", "addressLocality": "北京", "addressCountry": "CN"},
        {"@type": "PostalAddress", "addressLocality": "上海", "addressCountry": "CN"},
    ]
    assert data["totalJobOpenings"] == 2
    assert data["url"] == "https://jobs.example.com/positions/risk/"
    assert data["baseSalary"] == {"@type": "MonetaryAmount", "currency": "CNY", "value": {
        "@type": "QuantitativeValue", "minValue": 15000, "maxValue": 25000, "unitText": "MONTH"}}
    # Everything in the markup is visible on the page.
    text = visible_text(page)
    for shown in ("风险经理", "RK-9", "北京", "上海", "全职", "2026年11月1日", "2026年12月31日", "1.5万–2.5万/月", "测试公司",
                  "制定风险政策", "三年以上经验", "2 人"):
        assert shown in text, shown


def test_company_url_and_country_and_time_zone_come_from_site_toml():
    site = MemorySite({"content/positions/risk.md": POSITION.format(salary="面议")})
    site.edit("site.toml", "base_url",
              'company_url = "https://corp.example.com/"\ncountry = "HK"\ntimezone = "Asia/Hong_Kong"\nbase_url')
    site.build()
    [data] = postings(site.page("positions/risk/"))
    assert data["hiringOrganization"]["sameAs"] == "https://corp.example.com/"
    assert {p["address"]["addressCountry"] for p in data["jobLocation"]} == {"HK"}
    assert data["validThrough"] == "2026-12-31T23:59:59+08:00"
    assert "baseSalary" not in data


def test_listings_and_closed_positions_have_none():
    closed = POSITION.format(salary="面议").replace("closes: 2026-12-31", "closes: 2026-11-20")
    site = MemorySite({"content/positions/risk.md": POSITION.format(salary="面议"),
                       "content/positions/old.md": closed})
    site.build()
    for rel in ("", "categories/tech/", "categories/ops/", "positions/old/", "404.html"):
        assert postings(site.page(rel)) == [], rel
    assert len(postings(site.page("positions/risk/"))) == 1
    assert len(postings(site.page("positions/backend-engineer/"))) == 1


def test_a_title_cannot_close_the_script_block():
    title = '</script><script>alert(1)</script> \u2028<!-- x'
    site = MemorySite({"content/positions/risk.md": POSITION.format(salary="面议").replace(
        "title: 风险经理", "title: " + json.dumps(title))})
    site.build()
    html = site.made.files["positions/risk/index.html"].decode("utf-8")
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "</" not in block and "<!--" not in block and "\u2028" not in block
    assert json.loads(block)["title"] == title
    page = site.page("positions/risk/")
    assert len(page.find_all("script", type="application/ld+json")) == 1
    assert not [s for s in page.find_all("script") if "alert(1)" in (s.string or "") and not s.get("type")]


def test_json_ld_escapes_line_separators():
    text = json_ld({"a": "x\u2028y\u2029</script>"})
    assert "\u2028" not in text and "\u2029" not in text and "</" not in text
    assert json.loads(text) == {"a": "x\u2028y\u2029</script>"}


@pytest.mark.parametrize("text, expected", [
    ("15k-25k", (15000, 25000, "MONTH")),
    ("15K~25K", (15000, 25000, "MONTH")),
    ("15000-25000元/月", (15000, 25000, "MONTH")),
    ("1.5万-2.5万/月", (15000, 25000, "MONTH")),
    ("20-30万/年", (200000, 300000, "YEAR")),
    ("¥15000 - ¥25000", (15000, 25000, "MONTH")),
    ("15k-25k·13薪", (15000, 25000, "MONTH")),
    ("面议", None),
    ("薪资面议", None),
    ("15k起", None),
    ("15k", None),
    ("25k-15k", None),
    ("0-0", None),
    ("", None),
    ("competitive", None),
])
def test_salary_becomes_base_salary_only_for_a_real_range(text, expected):
    assert parse_salary(text) == expected


def test_missing_posting_date_fails_the_build_with_its_place(make_site):
    site = make_site({"content/positions/risk.md": POSITION.format(salary="面议").replace("posted: 2026-11-01\n", "")})
    site.edit("site.toml", "posted = 2026-11-01\n", "")
    before = site.run("build")
    assert before.returncode == 1
    assert ("content/positions/risk.md:1:1: 错误: 岗位「风险经理」缺少发布日期，无法生成搜索引擎需要的 JobPosting 结构化数据："
            "请在文件中写 posted: 2026-11-01，或在 site.toml 的 [defaults] 中设置 posted") in before.stderr
    assert not site.out.exists()
    # [defaults] posted is enough
    site.edit("site.toml", "[defaults]", "[defaults]\nposted = 2026-10-01")
    site.build()
    assert postings(site.page("positions/risk/"))[0]["datePosted"] == "2026-10-01"


def test_missing_location_fails_and_missing_text_warns_in_english_too():
    site = MemorySite({"content/positions/bare.yaml": "title: Clerk\ncategory: tech\nposted: 2026-11-01\n"})
    english(site).edit("site.toml", 'location = "北京"\n', "")
    result = site.check()
    assert not result.ok
    printed_lines = "\n".join(printed(result))
    assert "content/positions/bare.yaml:1:1: error: position 'Clerk' has no work location" in printed_lines
    assert "content/positions/bare.yaml:1:1: warning: position 'Clerk' has no description" in printed_lines


def test_position_without_text_still_builds_with_valid_markup():
    site = MemorySite({"content/positions/bare.yaml": "title: 柜员\ncategory: tech\n"})
    result = site.build()
    assert "bare.yaml:1:1: 警告: 岗位「柜员」没有任何岗位介绍" in "\n".join(printed(result))
    (posting,) = postings(site.page("positions/bare/"))
    assert posting["description"] == "<p>柜员，技术类，北京</p>"


def test_closed_position_needs_no_valid_markup():
    site = MemorySite({"content/positions/old.yaml":
                       "title: 旧岗位\ncategory: tech\nposted: 2025-12-01\ncloses: 2026-01-01\n"})
    site.build()
    assert postings(site.page("positions/old/")) == []
