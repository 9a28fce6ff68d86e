"""Authoring leftovers and scheduling (issue 17): duplicates, copy-like file names, the skeleton's
example text, `opens:` and a future `posted`. Exact message lines, in both languages where it matters."""

from __future__ import annotations

import datetime as dt
import json
import re

from careersite.commands.new import new_position
from tests.helpers import (
    POS, TODAY, MemorySite, assert_problems, build, check, english, expect, new_problems, position, problem_lines,
)

LATER = TODAY + dt.timedelta(days=10)
CLOSES = "closes: 2027-03-31\n"  # (a position without one is warned about: not these tests' business)


def test_the_same_code_twice_is_an_error_at_the_second_files_code_line():
    result = MemorySite({POS + "a.md": position("风控岗", front="code: RM-01\n"),
                         POS + "b.md": position("数据岗", front="code: RM-01\n")}).check()
    assert_problems(result, [expect(POS + "b.md", 4, 7, "code_duplicate", code="RM-01", other=POS + "a.md")])


def test_a_draft_may_share_a_code_with_the_published_position():
    assert MemorySite({POS + "a.md": position("风控岗", front="code: RM-01\n"),
                       POS + "b.md": position("风控岗", front="code: RM-01\ndraft: true\n")}).check().ok


def test_the_same_title_in_one_category_is_a_warning_and_in_another_category_nothing():
    result = MemorySite({POS + "a.md": position("风控岗", front=CLOSES), POS + "b.md": position("风控岗", front=CLOSES),
                         POS + "c.md": position("风控岗", category="ops", front=CLOSES)}).check()
    assert result.ok
    assert_problems(result, [expect(POS + "b.md", 2, 8, "title_duplicate", title="风控岗", other=POS + "a.md")],
                    "warning")


def test_file_names_made_by_copy_or_new_file_are_named():
    names = ["风险管理岗 - 副本.md", "新建 文本文档.md", "risk (2).md", "risk copy.md"]
    site = MemorySite({POS + name: position(f"岗位{n}", front=CLOSES) for n, name in enumerate(names)})
    lines = problem_lines(site.check(), "warning")
    expected = sorted(expect(POS + name, 1, 1, "file_name_copy", name=name[:-3], title=f"岗位{n}")
                      for n, name in enumerate(names))
    assert len(lines) == len(names)
    for line in lines:
        assert any(re.fullmatch(pattern, line) for pattern in expected), line


def test_ordinary_names_are_not_copies():
    site = MemorySite({POS + "copywriter.md": position("文案策划"), POS + "risk-2026.md": position("风控岗")})
    assert not [w for w in problem_lines(site.check(), "warning") if "副本" in w or "复制" in w]


def test_the_skeletons_example_text_in_a_published_file_is_an_error(make_site, tmp_path):
    site = make_site()
    made = new_position(site.root, "数据分析师", "tech", new_problems(), today=TODAY)
    assert check(site.root).ok  # a fresh skeleton is a draft: fine
    text = made.read_text(encoding="utf-8").replace("draft: true", "draft: false")
    made.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    number = next(n for n, line in enumerate(lines, 1) if "请改成实际的职责" in line)
    result = check(site.root)
    assert_problems(result, [expect(POS + made.name, number, 1, "skeleton_placeholder",
                                    text="1. 负责……（请改成实际的职责，一行一项）")])
    assert not build(site.root).stats


def test_opens_keeps_a_position_off_the_site_until_its_day():
    site = MemorySite({POS + "later.md": position("明年岗", front=f"opens: {LATER}\n")})
    before = site.build().files
    assert not [rel for rel in before if rel.startswith("positions/later/")]
    assert "明年岗" not in before["index.html"].decode("utf-8")
    site.build(today=LATER)
    posting = json.loads(site.page("positions/later/").find("script", type="application/ld+json").string)
    assert posting["datePosted"] == LATER.isoformat()  # it appeared that day


def test_opens_after_closes_is_an_error():
    site = MemorySite({POS + "x.md": position("岗", front=f"opens: {LATER}\ncloses: {TODAY}\n")})
    assert_problems(site.check(), [expect(POS + "x.md", 4, 8, "opens_after_closes", opens=LATER, closes=TODAY)])


def test_a_future_posted_is_a_warning_that_suggests_opens():
    result = MemorySite({POS + "x.md": position("岗", front=f"posted: {LATER}\n" + CLOSES)}).check()
    assert result.ok
    assert_problems(result, [expect(POS + "x.md", 4, 9, "posted_future", date=LATER.isoformat())], "warning")


def test_an_english_site_says_it_in_english(make_site):
    site = make_site({POS + "a.md": position("Risk", front="code: RM-01\n" + CLOSES),
                      POS + "b.md": position("Data", front="code: RM-01\n" + CLOSES),
                      POS + "c.md": position("Later", front=f"posted: {LATER}\n" + CLOSES)})
    english(site)
    result = site.run("check")
    assert (f"{POS}b.md:4:7: error: the position code RM-01 is also used by {POS}a.md: applicants quote it in "
            "the mail subject, so it must name one position; change the code of one of them") in result.stderr
    assert (f"{POS}c.md:4:9: warning: the posting date {LATER} is in the future: the position is published now, "
            f"with a posting date that has not come; to publish it on that day, write opens: {LATER} instead "
            "of posted") in result.stderr
