"""What a seeker reads on cards and position pages: the salary in words with its unit (and the same unit in
JobPosting), 新 and 即将截止 by the day, and the fixed-value facts (recruitment type, education, experience)."""

from __future__ import annotations

import json

import pytest

from careersite.i18n import load_locale
from careersite.model.salary import salary_text
from tests.helpers import POS, MemorySite, assert_problems, expect, hint, position

ZH, _ = load_locale("zh-CN")
EN, _ = load_locale("en")


@pytest.mark.parametrize("text, unit, zh, en", [
    ("20k-35k", None, "2万–3.5万/月", "20k–35k per month"),
    ("20000-35000元/月", "年", "2万–3.5万/月", "20k–35k per month"),  # a unit in the text wins
    ("20-30万", "年", "20万–30万/年", "200k–300k per year"),
    ("8000-12000", None, "8000–1.2万/月", "8k–12k per month"),
    ("150-300", "天", "150–300元/天", "150–300 per day"),
    ("15k-25k·13薪", None, "1.5万–2.5万/月·13薪", "15k–25k per month, 13 months' pay a year"),
    ("面议", "年", "面议", "面议"),
])
def test_salary_is_shown_in_words_with_its_unit(text, unit, zh, en):
    assert salary_text(text, unit, ZH) == zh
    assert salary_text(text, unit, EN) == en


def card(page, title):
    link = page.find("a", string=title)
    return link.find_parent("li", class_="card")


def facts(page) -> dict[str, str]:
    return {div.dt.get_text(strip=True): div.dd.get_text(strip=True) for div in page.select("dl.facts > div")}


def test_cards_and_page_show_salary_code_summary_and_the_same_unit_as_job_posting():
    site = MemorySite({
        POS + "risk.md": position("风险经理", front="code: RK-9\nsalary: 20-30万\nsalary_unit: 年\n"
                                                   "summary: 负责风险政策的制定。\n"),
        POS + "talk.md": position("客服专员", front="salary: 面议\n"),
    })
    site.build()
    home = site.page()
    risk = card(home, "风险经理")
    assert risk.select_one(".card-salary").get_text(strip=True) == "薪酬：20万–30万/年"
    assert "编号 RK-9" in risk.select_one(".card-code").get_text(" ", strip=True)
    assert risk.select_one(".card-summary").get_text(strip=True) == "负责风险政策的制定。"
    assert card(home, "客服专员").select_one(".card-salary").get_text(strip=True) == "薪酬：面议"
    page = site.page("positions/risk/")
    assert facts(page)["薪酬"] == "20万–30万/年"
    [posting] = [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]
    assert posting["baseSalary"]["value"] == {"@type": "QuantitativeValue", "minValue": 200000, "maxValue": 300000,
                                              "unitText": "YEAR"}


def test_a_summary_made_from_the_duties_reads_as_one_chinese_text():
    site = MemorySite({POS + "risk.md": position("风险经理", duties=("负责风险政策。", "负责 SQL 报表；", "配合审计"))})
    site.build()
    summary = card(site.page(), "风险经理").select_one(".card-summary").get_text()
    assert summary == "负责风险政策。负责 SQL 报表；配合审计"  # no space after 。 and ；, the author's own kept


def test_a_site_default_unit_applies_to_every_bare_range():
    site = MemorySite({POS + "risk.md": position("风险经理", front="salary: 100-200\n")})
    site.edit("site.toml", "[defaults]\n", "[defaults]\nsalary_unit = \"天\"\n")
    site.build()
    assert facts(site.page("positions/risk/"))["薪酬"] == "100–200元/天"
    posting = json.loads(site.page("positions/risk/").find("script", type="application/ld+json").string)
    assert posting["baseSalary"]["value"]["unitText"] == "DAY"


def badges(page, title) -> list[str]:
    return [b.get_text(strip=True) for b in card(page, title).select(".badge")]


def test_new_and_closing_soon_by_the_day():
    # TODAY is 2026-11-28: posted within the last 7 days is 新, closing within the next 7 is 即将截止.
    site = MemorySite({
        POS + "fresh.md": position("新岗位", front="posted: 2026-11-22\n"),
        POS + "older.md": position("老岗位", front="posted: 2026-11-21\n"),
        POS + "soon.md": position("快截止", front="closes: 2026-12-04\n"),
        POS + "later.md": position("不急", front="closes: 2026-12-05\n"),
    })
    site.build()
    home = site.page()
    assert badges(home, "新岗位") == ["新"]
    assert badges(home, "老岗位") == []
    assert badges(home, "快截止") == ["即将截止"]
    assert badges(home, "不急") == []
    heading = site.page("positions/soon/").h1
    assert [b.get_text(strip=True) for b in heading.select(".badge")] == ["即将截止"]


def test_fixed_value_facts_are_shown():
    site = MemorySite({POS + "risk.md": position("风险经理", front="recruitment_type: 社会招聘\neducation: 本科\n"
                                                                    "experience: 3年以上\n")})
    site.build()
    shown = facts(site.page("positions/risk/"))
    assert (shown["招聘类型"], shown["学历"], shown["工作经验"]) == ("社招", "本科", "3年以上")


def test_fixed_value_fields_refuse_other_values_with_their_place():
    site = MemorySite({POS + "risk.md": position("风险经理", front="education: 本科以上\nexperience: 两年\n"
                                                                    "salary_unit: week\nrecruitment_type: 兼职\n")})
    result = site.check()
    assert_problems(result, [
        expect(POS + "risk.md", 4, 12, "choice_unknown", key="education", value="本科以上",
               hint=hint("本科"), allowed="不限、大专、本科、硕士、博士"),
        expect(POS + "risk.md", 5, 13, "choice_unknown", key="experience", value="两年", hint="",
               allowed="不限、应届、1年以上、3年以上、5年以上、10年以上"),
        expect(POS + "risk.md", 6, 14, "choice_unknown", key="salary_unit", value="week", hint="",
               allowed="月、年、天、小时"),
        expect(POS + "risk.md", 7, 19, "choice_unknown", key="recruitment_type", value="兼职", hint="",
               allowed="社招、校招、实习"),
    ])


def test_fixed_value_defaults_in_site_toml_are_checked_at_their_line():
    site = MemorySite({POS + "risk.md": position("风险经理")})
    toml = site.text("site.toml").replace('[defaults]\n', '[defaults]\neducation = "高中"\nrecruitment_type = "社招"\n', 1)
    site.write("site.toml", toml)
    line = toml.splitlines().index('education = "高中"') + 1
    result = site.check()
    assert_problems(result, [expect("site.toml", line, 1, "choice_unknown", key="education", value="高中", hint="",
                                    allowed="不限、大专、本科、硕士、博士")])
    site.write("site.toml", toml.replace('education = "高中"', 'education = "本科"'))
    assert site.build().ok
    assert facts(site.page("positions/risk/"))["学历"] == "本科" and facts(site.page("positions/risk/"))["招聘类型"] == "社招"
