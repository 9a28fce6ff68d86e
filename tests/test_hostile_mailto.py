"""mailto injection: an address that could add recipients or headers is refused, in a position file
and in site.toml; any title or code is percent-encoded so the link has exactly the configured
recipient, subject and body."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from careersite.errors import Problem
from careersite.fields import is_valid_email
from careersite.mailto import build_mailto
from tests.conftest import MINIMAL_TOML
from tests.hostile import POS, assert_problems, build, check, expect

HOSTILE_ADDRESSES = [
    "hr@example.com?bcc=spy@evil.example",
    "hr@example.com&cc=spy@evil.example",
    "hr@example.com?subject=x&body=y",
    "bcc=spy@evil.example",
    "hr@example.com,spy@evil.example",
    "hr@example.com;spy@evil.example",
    "hr@example.com spy@evil.example",
    " hr@example.com\nBcc: spy@evil.example",
    "hr@example.com\r\nBcc: spy@evil.example",
    "hr@example.com%0ABcc:spy@evil.example",
    "hr%40example.com",
    '"hr"@example.com',
    "hr@example.com'",
    "<hr@example.com>",
    "HR <hr@example.com>",
    "mailto:hr@example.com",
    "hr@example.com#x",
    "hr@example",
    "hr..x@example.com",
    "@example.com",
    "hr@-example.com",
    "hr@example.com.",
    "hr@exa mple.com",
    "hr＠example.com",
    "",
]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_hostile_apply_email_in_a_position_is_refused(make_site, address):
    site = make_site({POS + "x.md": f"---\ntitle: 后端\ncategory: tech\napply_email: {json.dumps(address)}\n---\n"})
    shown = address if len(address) <= 40 else address[:40] + "…"
    assert_problems(check(site.root), [expect(POS + "x.md", 4, 14, "email_invalid", key="apply_email", value=shown)])


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_hostile_apply_email_in_site_toml_is_refused(make_site, address):
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"', f"email = {json.dumps(address)}")
    site = make_site({"site.toml": toml})
    result = check(site.root)
    if not address:
        assert_problems(result, [expect("site.toml", 6, 1, "empty_text", key="apply.email")])
        return
    shown = address.strip() if len(address.strip()) <= 40 else address.strip()[:40] + "…"
    assert_problems(result, [expect("site.toml", 6, 1, "email_invalid", key="apply_email", value=shown)])


def test_hostile_default_apply_email_in_site_toml_defaults(make_site):
    toml = MINIMAL_TOML.replace("[defaults]", '[defaults]\napply_email = "hr@example.com?bcc=spy@evil.example"')
    site = make_site({"site.toml": toml})
    assert_problems(check(site.root), [
        expect("site.toml", 17, 1, "email_invalid", key="apply_email", value="hr@example.com?bcc=spy@evil.example"),
    ])


def test_line_breaks_in_a_value_are_shown_not_printed():
    line = Problem("site.toml", 6, 1, "error", "'apply_email' … 'hr@example.com\nBcc: spy@evil.example'").format()
    assert "\n" not in line and "\\n" in line


@pytest.mark.parametrize("address", ["hr@example.com", "h.r+jobs@mail.example.com.cn", "HR_2026@Example.COM",
                                     "a@b.co", "x-y@sub-domain.example.org"])
def test_ordinary_addresses_are_accepted(address):
    assert is_valid_email(address)
    assert urlsplit(build_mailto(address, "s")).path == address


def parse(href: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto" and not parts.fragment
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    return unquote(parts.path), query


TRICKY = ["A&B", "A?B", "A#B", "100%", "C++", "a=b", "x\r\nBcc: spy@evil.example", "%0ABcc:spy@evil.example",
          "&bcc=spy@evil.example", "to=spy@evil.example", "风险 管理+岗", "a;b", "\"quoted\"", "'single'", "😀", "x/../y"]


@pytest.mark.parametrize("text", TRICKY)
def test_titles_and_codes_are_percent_encoded(make_site, text):
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"', 'email = "jobs@example.com"\nsubject = "应聘{title}-{code}"\n'
                                                               'body = "岗位：{title}\\n编号：{code}\\n"')
    y = json.dumps(text, ensure_ascii=False)
    site = make_site({"site.toml": toml, POS + "x.md": f"---\ntitle: {y}\ncode: {y}\ncategory: tech\n---\n正文\n"})
    result = build(site.root)
    assert result.ok, [p.format() for p in result.problems.items]
    href = site.page("positions/x/").select_one("a.apply-link")["href"]
    recipient, query = parse(href)
    assert recipient == "jobs@example.com"
    assert sorted(query) == ["body", "subject"] and all(len(v) == 1 for v in query.values())
    one_line = " ".join(text.split())
    assert query["subject"][0] == f"应聘{one_line}-{one_line}"
    body = f"岗位：{text}\n编号：{text}".replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    assert query["body"][0] == body
    assert " " not in href and "\n" not in href and "\r" not in href


def test_link_without_body_and_with_empty_code(make_site):
    site = make_site({POS + "x.md": "---\ntitle: A&B\ncategory: tech\n---\n正文\n"})
    assert build(site.root).ok
    recipient, query = parse(site.page("positions/x/").select_one("a.apply-link")["href"])
    assert recipient == "jobs@example.com" and list(query) == ["subject"]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_build_mailto_refuses_hostile_addresses(address):
    with pytest.raises(ValueError):
        build_mailto(address, "subject")
