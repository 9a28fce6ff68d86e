"""Edge content: an empty site, an empty category, emoji and right-to-left text, a position with
only its required fields, and a site.toml whose optional texts are empty."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest

from careersite.i18n import load_locale
from tests.helpers import MINIMAL_TOML, POS, MemorySite, assert_problems, expect


@pytest.mark.parametrize("layout", ["empty-folder", "no-folder"])
def test_no_positions_at_all_builds_a_friendly_empty_site(make_site, layout):
    site = make_site(position=False)
    if layout == "no-folder":
        shutil.rmtree(site.root / "content", ignore_errors=True)
    else:
        (site.root / POS).mkdir(parents=True, exist_ok=True)
    result = site.run("build")
    assert result.returncode == 0, result.stderr
    home = site.page()
    ui = load_locale("zh-CN")[0]
    assert ui["empty_site"] in [p.get_text().strip() for p in home.select("p.empty-state")]
    assert home.select(".cards > li") == []
    for key in ("tech", "ops"):
        page = site.page(f"categories/{key}/")
        assert page.select_one(".empty-state").get_text().strip() == ui["empty_category"]
    assert not (site.out / "positions").exists() or list((site.out / "positions").iterdir()) == []


def test_a_category_with_no_positions():
    site = MemorySite()
    site.build()
    home = site.page()
    assert home.select_one("section#ops") is None  # the home page shows no empty box for it
    tech = home.select_one("section#tech")
    assert len(tech.select(".cards > li")) == 1
    assert site.page("categories/ops/").select_one(".empty-state") is not None


EMOJI_TITLE = "🚀 增长工程师 👩‍💻"
RTL = "مهندس برمجيات أول"
HEBREW = "מהנדס תוכנה"


def test_emoji_and_right_to_left_text():
    site = MemorySite({POS + "growth.md": (
        f"---\ntitle: {EMOJI_TITLE}\ncategory: tech\nlocation: [迪拜 {RTL}, תל אביב]\ncode: 🚀-01\n"
        f"summary: {RTL} — {HEBREW} 😀\n---\n\n## 岗位职责\n\n1. {RTL}\n2. 与 {HEBREW} 团队合作 🤝\n"),
        POS + "🚀.md": "---\ntitle: x\ncategory: tech\nslug: rocket\n---\n"})
    site.build()
    page = site.page("positions/growth/")
    assert page.h1.get_text().strip() == EMOJI_TITLE
    assert [li.get_text() for li in page.select("#responsibilities li")] == [RTL, f"与 {HEBREW} 团队合作 🤝"]
    assert RTL in page.select_one("dl.facts").get_text()
    query = parse_qs(urlsplit(page.select_one("a.apply-link")["href"]).query)
    assert query["subject"][0].startswith(f"应聘{EMOJI_TITLE}")
    assert "positions/rocket/index.html" in site.made.files


def test_emoji_only_file_name_asks_for_a_slug():
    site = MemorySite({POS + "🚀.md": "---\ntitle: x\ncategory: tech\n---\n"})
    assert_problems(site.check(), [
        expect(POS + "🚀.md", 1, 1, "slug_from_filename", name="🚀", suggestion="position-name"),
    ])


@pytest.mark.parametrize("text", [
    "---\ntitle: 后端工程师\ncategory: tech\n---\n",
    "---\ntitle: 后端工程师\ncategory: tech\n---",
    "title: 后端工程师\ncategory: tech\n",
    "---\ntitle: 后端工程师\ncategory: tech\nlocation:\ncloses:\nsalary:\n---\n\n",
])
def test_a_position_with_only_its_required_fields(text):
    name = "minimal.yaml" if not text.startswith("---") else "minimal.md"
    site = MemorySite({POS + name: text})
    result = site.build()
    page = site.page("positions/minimal/")
    assert page.h1.get_text().strip() == "后端工程师"
    facts = {div.dt.get_text(): div.dd.get_text().strip() for div in page.select("dl.facts > div")}
    ui = result.site.config.ui
    # JobPosting needs a place and a posting date: the minimal site gives them in [defaults]
    assert facts[ui["location"]] == "北京"
    assert facts[ui["headcount"]] == ui["headcount_unknown"]
    assert facts[ui["closes"]] == ui["no_closing_date"]
    assert ui["salary"] not in facts and ui["code"] not in facts
    href = page.select_one("a.apply-link")["href"]
    assert urlsplit(href).path == "jobs@example.com"
    assert parse_qs(urlsplit(href).query)["subject"] == ["应聘后端工程师-姓名"]  # no code, no "--"
    assert page.select("section.position-section") == []
    card = site.page().select_one("section#tech .cards")
    assert "后端工程师" in card.get_text()


def test_site_toml_with_empty_optional_texts():
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"', 'email = "jobs@example.com"\ninstructions = ""\n'
                                'privacy = ""\nbody = ""\nsubject = ""').replace(
        'company = "测试公司"', 'company = "测试公司"\nintro = ""\ndescription = ""')
    site = MemorySite({"site.toml": toml})
    site.build()
    page = site.page("positions/backend-engineer/")
    assert page.select(".apply-instructions") == [] and page.select(".privacy") == []
    assert page.select_one("a.apply-link") is not None
    assert site.page().select(".hero-intro") == []


def test_site_toml_with_empty_apply_table_reports_the_missing_email():
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"\n', "")
    site = MemorySite({"site.toml": toml})
    assert_problems(site.check(), [expect("site.toml", 5, 1, "config_required", key="apply.email")])


def test_an_empty_section_is_a_warning():
    site = MemorySite({POS + "x.md": "---\ntitle: a\ncategory: tech\n---\n\n## 岗位职责\n\n## 任职要求\n\n1. 三年经验\n",
                       "site.toml": MINIMAL_TOML.replace("[defaults]", "[defaults]\ncloses = 2027-06-30")})
    result = site.check()
    assert result.ok
    assert_problems(result, [expect(POS + "x.md", 6, 1, "section_empty", heading="岗位职责")], severity="warning")
