"""Who is hiring, on every page and in what a page shares: titles, Open Graph and its share picture, the
footer (company site, HR phone, ICP 备案, anti-fraud line, feed), the 404 page's ways on, and the JobPosting
parts that come from site.toml (logo, sameAs) or must agree with the page (place, salary, closing date)."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from careersite.render import shareimage
from tests.helpers import MemorySite, assert_problems, build, english, expect, position

SEED_BASE = "https://example.github.io/careers/"
COMPANY = "示例消费金融有限公司"


def meta(page, attr: str, name: str) -> str | None:
    tag = page.find("meta", attrs={attr: name})
    return tag["content"] if tag else None


def posting(page) -> dict:
    [script] = page.find_all("script", type="application/ld+json")
    return json.loads(script.string)


def with_toml(site, extra: str) -> None:
    """Top-level keys EXTRA added to the site's site.toml (before its first table)."""
    site.edit("site.toml", "\n[apply]", "\n" + extra + "\n[apply]")


# --- titles and Open Graph -------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, title", [
    ("", f"消费金融业务人员招聘 · {COMPANY}"),
    ("categories/risk/", f"风险管理类 · {COMPANY} 招聘"),
    ("positions/risk-management/", f"风险管理岗 · 风险管理类 · {COMPANY} 招聘"),
    ("404.html", f"页面不存在 · {COMPANY} 招聘"),
])
def test_every_title_names_the_employer(seed_site, rel, title):
    page = seed_site.page(rel)
    assert page.title.get_text() == title
    assert meta(page, "property", "og:site_name") == f"{COMPANY} 招聘"
    assert COMPANY in meta(page, "property", "og:title")
    assert meta(page, "name", "twitter:card") == "summary_large_image"


def test_a_closed_position_and_a_second_page_say_so_in_the_title():
    closed = position("旧岗位", front="closes: 2026-11-20\n")
    files = {f"content/positions/p{n}.md": position(f"岗位{n}") for n in range(3)}
    site = MemorySite({**files, "content/positions/old.md": closed})
    with_toml(site, "per_page = 2")
    site.build()
    assert site.page("positions/old/").title.get_text() == "旧岗位（已截止） · 技术类 · 测试公司 招聘"
    assert site.page("categories/tech/page/2/").title.get_text() == "技术类 · 第 2 页 · 测试公司 招聘"
    assert site.page("").title.get_text() == "测试招聘 · 测试公司"


def test_the_home_title_does_not_repeat_a_company_it_already_names():
    site = MemorySite()
    site.edit("site.toml", 'title = "测试招聘"', 'title = "测试公司 2027 校园招聘"')
    site.build()
    assert site.page("").title.get_text() == "测试公司 2027 校园招聘"


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.mark.parametrize("rel, picture, alt", [
    ("", "share/site.png", f"{COMPANY} · 招贤纳士"),
    ("404.html", "share/site.png", f"{COMPANY} · 招贤纳士"),
    ("categories/risk/", "share/categories/risk.png", f"{COMPANY} · 风险管理类 · 招贤纳士"),
    ("positions/risk-management/", "share/categories/risk.png", f"{COMPANY} · 风险管理类 · 招贤纳士"),
])
def test_each_page_shares_a_picture_of_the_company(seed_site, rel, picture, alt):
    page = seed_site.page(rel)
    url = meta(page, "property", "og:image")
    parts = urlsplit(url)
    assert url == SEED_BASE + picture and parts.path == "/careers/" + picture
    assert (meta(page, "property", "og:image:width"), meta(page, "property", "og:image:height")) == ("1200", "630")
    assert meta(page, "property", "og:image:alt") == alt  # X (Twitter) reads the og: tags too
    assert meta(page, "property", "og:image:type") == "image/png"
    assert png_size((seed_site.out / picture).read_bytes()) == (1200, 630)


def test_the_pictures_carry_their_words(seed_site):
    """With a CJK font (CI installs one) the pictures differ by their category's name."""
    if shareimage.share_font() is None:
        pytest.skip("no CJK font: the pictures carry no text (tested below)")
    pictures = {p.name: p.read_bytes() for p in (seed_site.out / "share").rglob("*.png")}
    assert len(pictures) == 7 and len(set(pictures.values())) == 7  # the site's and six categories'


def test_without_a_cjk_font_the_build_still_makes_every_picture(monkeypatch):
    monkeypatch.setattr(shareimage, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    site = MemorySite()
    files = site.build().files
    blank = {rel: files[rel] for rel in files if rel.startswith("share/")}
    assert sorted(blank) == ["share/categories/ops.png", "share/categories/tech.png", "share/site.png"]
    assert all(png_size(data) == (1200, 630) for data in blank.values())
    assert len(set(blank.values())) == 1  # no text: one design for all


def test_share_pictures_are_made_once_and_kept_by_the_build_cache(make_site, monkeypatch):
    site = make_site()
    first = build(site.root)
    assert first.rendered["image"] == 3
    monkeypatch.setattr("careersite.incremental.store.Manifest.RACY_NS", 0)
    site.position("backend-engineer.md", position("后端工程师（已修改）"))
    site.write("templates/404.html", site.text("templates/404.html") + "\n")
    again = build(site.root)
    assert again.rendered["position"] == 1 and again.rendered["404"] == 1 and again.rendered["image"] == 0, again.rendered
    site.edit("site.toml", 'name = "技术类"', 'name = "研发类"')
    assert build(site.root).rendered["image"] == 3  # a category's name is in its picture (and the site's key)


# --- JobPosting ------------------------------------------------------------------------------------------

def test_logo_and_same_as_come_from_site_toml(make_site):
    site = make_site({"static/brand/logo.png": b"\x89PNG\r\n\x1a\n"})
    with_toml(site, 'company_url = "https://corp.example.com/"\nlogo = "brand/logo.png"')
    assert build(site.root).ok
    organization = posting(site.page("positions/backend-engineer/"))["hiringOrganization"]
    assert organization == {"@type": "Organization", "name": "测试公司", "sameAs": "https://corp.example.com/",
                            "logo": "https://jobs.example.com/static/brand/logo.png"}
    assert (site.out / "static/brand/logo.png").is_file()


def test_a_logo_may_be_an_address_elsewhere():
    site = MemorySite()
    with_toml(site, 'logo = "https://corp.example.com/logo.png"')
    site.build()
    assert posting(site.page("positions/backend-engineer/"))["hiringOrganization"]["logo"] == \
        "https://corp.example.com/logo.png"


@pytest.mark.parametrize("value, msg_id, values", [
    ("javascript:alert(1)", "url_scheme", {"key": "logo", "value": "javascript:alert(1)"}),
    ("https://user:pw@corp.example.com/l.png", "url_credentials", {"key": "logo", "value": "https://user:pw@corp.example.com/l.png"}),
    ("missing.png", "config_logo_missing", {"value": "missing.png"}),
    ("../site.toml", "config_logo_missing", {"value": "../site.toml"}),
])
def test_a_wrong_logo_is_an_error_at_its_line(value, msg_id, values):
    site = MemorySite()
    with_toml(site, f"logo = {json.dumps(value)}")
    assert_problems(site.check(), [expect("site.toml", 5, 1, msg_id, **values, limit=300)])


def test_one_place_is_one_object_several_are_a_list():
    site = MemorySite({"content/positions/two.md": position("双城岗位", front="location: [北京, 上海]\n")})
    site.build()
    one = posting(site.page("positions/backend-engineer/"))
    assert one["jobLocation"] == {"@type": "Place", "address": {
        "@type": "PostalAddress", "addressLocality": "北京", "addressCountry": "CN"}}
    assert one["directApply"] is True
    two = posting(site.page("positions/two/"))
    assert [p["address"]["addressLocality"] for p in two["jobLocation"]] == ["北京", "上海"]


@pytest.mark.parametrize("front, shown, low, high, unit", [
    ("salary: 20k-35k\n", "2万–3.5万/月", 20000, 35000, "MONTH"),
    ("salary: 20-30万\nsalary_unit: 年\n", "20万–30万/年", 200000, 300000, "YEAR"),
    ("salary: 300-500\nsalary_unit: 天\n", "300–500元/天", 300, 500, "DAY"),
])
def test_salary_and_closing_date_in_the_markup_are_what_the_page_and_card_show(front, shown, low, high, unit):
    site = MemorySite({"content/positions/pay.md": position("有薪岗位", front=front + "closes: 2027-01-31\n")})
    site.build()
    page = site.page("positions/pay/")
    data = posting(page)
    value = data["baseSalary"]["value"]
    assert (value["minValue"], value["maxValue"], value["unitText"]) == (low, high, unit)
    facts = page.select_one("dl.facts").get_text(" ", strip=True)
    assert shown in facts and "2027年1月31日" in facts
    assert data["validThrough"] == "2027-01-31T23:59:59+08:00"
    card = next(c for c in site.page("categories/tech/").select(".card") if "有薪岗位" in c.get_text())
    assert shown in card.get_text(" ", strip=True)


# --- the footer ------------------------------------------------------------------------------------------

FOOTER_TOML = ('company_url = "https://corp.example.com/"\nhr_phone = "010-8888 6666 转 8"\n'
               'icp = "京ICP备12345678号-1"')


def footer(site, rel: str = "") -> BeautifulSoup:
    return site.page(rel).select_one("footer.site-footer")


def test_the_footer_carries_what_site_toml_gives():
    site = MemorySite()
    with_toml(site, FOOTER_TOML)
    site.build()
    for rel in ("", "categories/tech/", "positions/backend-engineer/", "404.html"):
        foot = footer(site, rel)
        links = {a.get_text(" ", strip=True): a["href"] for a in foot.find_all("a")}
        assert links == {"公司官网": "https://corp.example.com/", "010-8888 6666 转 8": "tel:01088886666;ext=8",
                         "订阅新岗位": "/feed.xml", "京ICP备12345678号-1": "https://beian.miit.gov.cn/"}, rel
        assert "招聘咨询电话" in foot.get_text()
        assert foot.select_one(".footer-anti-fraud").get_text() == "招聘不收取任何费用，请警惕以招聘名义收费的行为。"
    assert "feed.xml" in site.made.files


def test_a_plain_footer_has_the_feed_and_the_anti_fraud_line_only():
    site = MemorySite()
    site.build()
    foot = footer(site)
    assert [a["href"] for a in foot.find_all("a")] == ["/feed.xml"]
    assert foot.select_one(".footer-anti-fraud") is not None


@pytest.mark.parametrize("value, expected", [('""', None), ('"本公司招聘从不收费。"', "本公司招聘从不收费。")])
def test_the_anti_fraud_line_can_be_changed_or_hidden(value, expected):
    site = MemorySite()
    with_toml(site, f"anti_fraud = {value}")
    site.build()
    line = footer(site).select_one(".footer-anti-fraud")
    assert (line.get_text() if line else None) == expected


def test_an_english_site_has_an_english_anti_fraud_line():
    site = english(MemorySite())
    site.build()
    assert "never charge" in footer(site).select_one(".footer-anti-fraud").get_text()


@pytest.mark.parametrize("phone, href", [
    ("+86 10 8888 6666", "tel:+861088886666"), ("(010) 8888-6666", "tel:01088886666"),
    ("400-123-4567 ext. 12", "tel:4001234567;ext=12"),
])
def test_a_phone_number_becomes_a_tel_link_of_its_digits(phone, href):
    site = MemorySite()
    with_toml(site, f'hr_phone = "{phone}"')
    site.build()
    assert footer(site).select_one("a.footer-phone")["href"] == href


@pytest.mark.parametrize("phone", ["javascript:alert(1)", "call HR", "12", "010-8888;ext=1?x"])
def test_a_phone_that_is_not_a_number_is_an_error(phone):
    site = MemorySite()
    with_toml(site, f'hr_phone = "{phone}"')
    assert_problems(site.check(), [expect("site.toml", 5, 1, "config_phone", value=phone)])


# --- the 404 page ----------------------------------------------------------------------------------------

def test_the_404_page_offers_the_categories_and_the_search(seed_site):
    page = seed_site.page("404.html")
    links = [(a.get_text(strip=True), a["href"]) for a in page.select("ul.not-found-categories a")]
    assert links == [("网络金融业务类", "/careers/categories/internet-finance/"), ("市场营销类", "/careers/categories/marketing/"),
                     ("风险管理类", "/careers/categories/risk/"), ("信息科技类", "/careers/categories/technology/"),
                     ("财务会计类", "/careers/categories/finance/"), ("综合管理类", "/careers/categories/administration/")]
    for _name, href in links:
        assert (seed_site.out / href.removeprefix("/careers/") / "index.html").is_file()
    form = page.select_one("main form[role=search]")
    assert form["action"] == "/careers/" and form["method"] == "get"
    field = form.select_one("input[name=q]")
    assert page.select_one(f"label[for={field['id']}]").get_text() == "搜索岗位"
