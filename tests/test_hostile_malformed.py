"""Malformed position files: every problem in every file, in one run, as path:line:col: message."""

from __future__ import annotations

import pytest

from careersite.load.fields import EMPLOYMENT_ALIASES, EMPLOYMENT_TYPES, POSITION_FIELDS
from tests.helpers import POS, MemorySite, assert_problems, expect, hint, msg, problem_lines

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
ALLOWED_CATEGORIES = "tech（技术类）, ops（运营类）"

BROKEN = {
    "a-unterminated.md": "---\ntitle: 后端工程师\ncategory: tech\n\n正文\n",
    "b-no-front-matter.md": "# 后端工程师\n\n正文\n",
    "c-invalid-yaml.md": "---\ntitle: [后端\ncategory: tech\n---\n",
    "d-list.md": "---\n- title\n- category\n---\n",
    "e-scalar.md": "---\n后端工程师\n---\n",
    "f-empty.md": "",
    "g-blank.md": "  \n\n\t \n",
    "h-binary.md": PNG,
    "i-types.md": (
        "---\n"
        "title: [后端, 前端]\n"
        "category: tech\n"
        "headcount: 两名\n"
        "draft: 是\n"
        "posted: 2026-02-30\n"
        "closes: 2026年3月1日\n"
        "employment_type: fulltime\n"
        "slug: Backend Engineer\n"
        "apply_email: hr@example.com?bcc=x@evil.example\n"
        "---\n"
    ),
    "j-types.md": (
        "---\n"
        "title: no\n"
        "category: tech\n"
        "headcount: \"3 人\"\n"
        "draft: no\n"
        "posted: 2026/3/1\n"
        "closes: 3\n"
        "location: {城市: 北京}\n"
        "code: [1, 2]\n"
        "salary: true\n"
        "responsibilities: 3\n"
        "---\n"
    ),
    "k-tabs.md": "---\ntitle: 后端\n\tcategory: tech\n---\n",
    "l-duplicate.md": "---\ntitle: 后端\ncategory: tech\ntitle: 前端\n---\n",
    "m-unknown.md": "---\ntitle: 后端\ncategory: tech\ntitel: x\nheadcont: 3\nfoo: bar\n---\n",
    "n-missing.md": "---\ntitle: 后端\n---\n正文\n",
    "o-category.md": "---\ntitle: 后端\ncategory: 技术\nheadcount: 0\n---\n",
    "p-list.yaml": "- title\n- category\n",
    "q-tabs.yaml": "title: x\n\tcategory: tech\n",
    "r-duplicate.yaml": "title: a\ncategory: tech\ncategory: ops\n",
    "s-unterminated-quote.yaml": "title: \"后端\ncategory: tech\n",
    "t-missing-colon.yaml": "title: 后端\ncategory tech\nheadcount: 1\n",
}


def p(name: str) -> str:
    return POS + name

EMPLOYMENT_ALLOWED = "、".join(EMPLOYMENT_ALIASES)
EMPLOYMENT_CODES = ", ".join(EMPLOYMENT_TYPES)

EXPECTED = [
    expect(p("a-unterminated.md"), 1, 1, "front_matter_unterminated"),
    expect(p("b-no-front-matter.md"), 1, 1, "front_matter_missing"),
    expect(p("c-invalid-yaml.md"), 2, 8, "yaml_unclosed_bracket"),
    expect(p("d-list.md"), 2, 1, "front_matter_not_mapping", kind=msg("kind_list")),
    expect(p("e-scalar.md"), 2, 1, "front_matter_not_mapping", kind=msg("kind_str")),
    expect(p("f-empty.md"), 1, 1, "file_empty"),
    expect(p("g-blank.md"), 1, 1, "file_empty"),
    expect(p("h-binary.md"), 1, 1, "file_binary"),
    expect(p("i-types.md"), 2, 8, "wrong_type", key="title", expected=msg("expected_text"),
           found=msg("kind_list"), value="[…]"),
    expect(p("i-types.md"), 4, 12, "headcount_positive", value="两名", hint=msg("headcount_hint", number=2)),
    expect(p("i-types.md"), 6, 9, "date_invalid", key="posted", value="2026-02-30"),
    expect(p("i-types.md"), 7, 9, "date_form", key="closes", value="2026年3月1日", fixed="2026-03-01"),
    expect(p("i-types.md"), 8, 18, "employment_type_unknown", value="fulltime", hint=hint("FULL_TIME"),
           allowed=EMPLOYMENT_ALLOWED, codes=EMPLOYMENT_CODES),
    expect(p("i-types.md"), 9, 7, "slug_invalid", value="Backend Engineer", hint=hint("backend-engineer")),
    expect(p("i-types.md"), 10, 14, "email_invalid", key="apply_email", value="hr@example.com?bcc=x@evil.example"),
    expect(p("j-types.md"), 2, 8, "not_text", key="title", found=msg("kind_bool"), value="no"),
    expect(p("j-types.md"), 4, 12, "headcount_positive", value="3 人"),
    expect(p("j-types.md"), 6, 9, "date_form", key="posted", value="2026/3/1", fixed="2026-03-01"),
    expect(p("j-types.md"), 7, 9, "date_format", key="closes", value="3", hint=""),
    expect(p("j-types.md"), 8, 11, "wrong_type", key="location", expected=msg("expected_text"),
           found=msg("kind_map"), value="{…}"),
    expect(p("j-types.md"), 9, 7, "wrong_type", key="code", expected=msg("expected_text"),
           found=msg("kind_list"), value="[…]"),
    expect(p("j-types.md"), 10, 9, "not_text", key="salary", found=msg("kind_bool"), value="true"),
    expect(p("j-types.md"), 11, 19, "wrong_type", key="responsibilities", expected=msg("expected_list"),
           found=msg("kind_int"), value="3"),
    expect(p("k-tabs.md"), 3, 1, "yaml_tab"),
    expect(p("l-duplicate.md"), 4, 1, "duplicate_key", key="title", first=2),
    expect(p("m-unknown.md"), 4, 1, "unknown_key", key="titel", hint=hint("title")),
    expect(p("m-unknown.md"), 5, 1, "unknown_key", key="headcont", hint=hint("headcount")),
    expect(p("m-unknown.md"), 6, 1, "unknown_key", key="foo",
           hint=msg("allowed_keys", keys=", ".join(POSITION_FIELDS))),
    expect(p("n-missing.md"), 2, 1, "required_key", key="category", example="category: risk"),
    expect(p("o-category.md"), 3, 11, "category_unknown", value="技术", hint=hint("技术类"), allowed=ALLOWED_CATEGORIES),
    expect(p("o-category.md"), 4, 12, "headcount_positive", value="0"),
    expect(p("p-list.yaml"), 1, 1, "front_matter_not_mapping", kind=msg("kind_list")),
    expect(p("q-tabs.yaml"), 2, 1, "yaml_tab"),
    expect(p("r-duplicate.yaml"), 3, 1, "duplicate_key", key="category", first=2),
    expect(p("s-unterminated-quote.yaml"), 1, 8, "yaml_unclosed_quote"),
    expect(p("t-missing-colon.yaml"), 2, 1, "yaml_colon_missing"),
]


def test_every_problem_in_every_file_in_one_run():
    site = MemorySite({p(name): text for name, text in BROKEN.items()})
    result = site.check()
    assert not result.ok
    assert_problems(result, EXPECTED)


def test_cli_prints_every_problem_and_exits_1(make_site):
    site = make_site({p(name): text for name, text in BROKEN.items()})
    result = site.run("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    printed = [line for line in result.stderr.splitlines() if line.startswith(tuple(POS + name for name in BROKEN))]
    assert len(printed) == len(EXPECTED)
    # path:line:col: severity: message, with the line and column of each problem
    assert f"{p('i-types.md')}:4:12: 错误: " + msg("headcount_positive", value="两名", hint=msg("headcount_hint", number=2)) in printed
    assert f"{p('h-binary.md')}:1:1: 错误: " + msg("file_binary") in printed
    everything = [line for line in result.stderr.splitlines() if line.startswith(POS)]
    files = len({line.split(":")[0] for line in everything})
    warnings = sum(f": {msg('warning')}: " in line for line in everything)
    assert msg("summary_problems", errors=len(EXPECTED), warnings=warnings, files=files) in result.stderr
    assert not (site.root / "public").exists()


def test_valid_files_next_to_broken_ones_are_not_reported():
    site = MemorySite({p("broken.md"): "---\ntitle: x\n---\n"})
    lines = problem_lines(site.check())
    assert all(line.startswith(p("broken.md")) for line in lines)


@pytest.mark.parametrize(("text", "expected"), [
    # a category mistake is reported together with the file's other mistakes
    ("---\ntitle: 后端\ncategory: tek\nheadcount: x\n---\n",
     [expect(p("x.md"), 3, 11, "category_unknown", value="tek", hint="", allowed=ALLOWED_CATEGORIES),
      expect(p("x.md"), 4, 12, "headcount_positive", value="x")]),
    # by display name works, by unknown name fails
    ("---\ntitle: 后端\ncategory: 运营类\n---\n", []),
    ("---\ntitle: 后端\ncategory: 市场类\nslug: A\n---\n",
     [expect(p("x.md"), 3, 11, "category_unknown", value="市场类", hint="", allowed=ALLOWED_CATEGORIES),
      expect(p("x.md"), 4, 7, "slug_invalid", value="A", hint=hint("a"))]),
])
def test_unknown_category_is_checked_with_the_files_own_fields(text, expected):
    site = MemorySite({p("x.md"): text})
    assert_problems(site.check(), expected)


@pytest.mark.parametrize(("field_line", "expected_msg"), [
    ("headcount: 三", ("headcount_positive", {"value": "三", "hint": msg("headcount_hint", number=3)})),
    ("headcount: 1.5", ("headcount_positive", {"value": "1.5"})),
    ("headcount: true", ("headcount_positive", {"value": "true"})),
    ("headcount: [1]", ("headcount_positive", {"value": "[…]"})),
    ("draft: 1", ("wrong_type", {"key": "draft", "expected": msg("expected_bool"), "found": msg("kind_int"), "value": "1"})),
    ("draft: \"no\"", ("wrong_type", {"key": "draft", "expected": msg("expected_bool"), "found": msg("kind_str"), "value": "no"})),
    ("posted: 2026-13-01", ("date_invalid", {"key": "posted", "value": "2026-13-01"})),
    ("posted: 2026.3.1", ("date_form", {"key": "posted", "value": "2026.3.1", "fixed": "2026-03-01"})),
    ("posted: 2026年2月30日", ("date_invalid", {"key": "posted", "value": "2026年2月30日"})),
    ("posted: 下周一", ("date_format", {"key": "posted", "value": "下周一", "hint": ""})),
    ("posted: [2026-01-01]", ("wrong_type", {"key": "posted", "expected": msg("kind_date"), "found": msg("kind_list"), "value": "[…]"})),
    ("summary: ''", ("empty_text", {"key": "summary"})),
    ("summary: {a: 1}", ("wrong_type", {"key": "summary", "expected": msg("expected_text"), "found": msg("kind_map"), "value": "{…}"})),
    ("apply_email: 'hr@example.com, boss@example.com'", ("email_invalid", {"key": "apply_email", "value": "hr@example.com, boss@example.com"})),
    ("slug: 123-", ("slug_invalid", {"value": "123-", "hint": hint("123")})),
    ("location: [北京, [上海]]", ("list_item_not_text", {"key": "location", "n": 2, "found": msg("kind_list")})),
    ("requirements: [a, {b: c}]", ("list_item_not_text", {"key": "requirements", "n": 2, "found": msg("kind_map")})),
    ("employment_type: 3", ("employment_type_unknown", {"value": "3", "allowed": EMPLOYMENT_ALLOWED, "codes": EMPLOYMENT_CODES})),
])
def test_wrong_type_for_each_field(field_line, expected_msg):
    key = field_line.split(":", 1)[0]
    site = MemorySite({p("x.md"): f"---\ntitle: 后端\ncategory: tech\n{field_line}\n---\n"})
    msg_id, values = expected_msg
    col = len(key) + 3  # the value's column
    if msg_id == "list_item_not_text":
        col = field_line.index(", ") + 3  # the second item's column
    assert_problems(site.check(), [expect(p("x.md"), 4, col, msg_id, **values)])


def test_title_no_and_quoted_no():
    site = MemorySite({p("a.md"): "---\ntitle: NO\ncategory: tech\n---\n",
                       p("b.md"): "---\ntitle: \"no\"\ncategory: tech\n---\n"})
    assert_problems(site.check(), [expect(p("a.md"), 2, 8, "not_text", key="title", found=msg("kind_bool"),
                                          value="NO")])


def test_a_count_too_long_for_int_is_a_message_not_a_traceback():
    site = MemorySite({p("x.md"): "---\ntitle: 后端\ncategory: tech\nheadcount: " + "1" * 5000 + "\n---\n"})
    assert_problems(site.check(), [expect(p("x.md"), 4, 12, "headcount_positive", value="1" * 40 + "…", hint="")])
