"""mailto injection: an address that could add recipients or headers is refused, in a position file
and in site.toml; any title or code is percent-encoded so the link has exactly the configured
recipient, subject and body."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from careersite.errors import Problem
from careersite.load.fields import is_valid_email
from careersite.model.mailto import build_mailto
from tests.helpers import MINIMAL_TOML, POS, MemorySite, assert_problems, expect, msg, problem_lines

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
def test_hostile_apply_email_in_a_position_is_refused(address):
    site = MemorySite({POS + "x.md": f"---\ntitle: 后端\ncategory: tech\napply_email: {json.dumps(address)}\n---\n"})
    shown = address if len(address) <= 40 else address[:40] + "…"
    assert_problems(site.check(), [expect(POS + "x.md", 4, 14, "email_invalid", key="apply_email", value=shown)])


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_hostile_apply_email_in_site_toml_is_refused(address):
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"', f"email = {json.dumps(address)}")
    site = MemorySite({"site.toml": toml})
    result = site.check()
    if not address:
        assert_problems(result, [expect("site.toml", 6, 1, "empty_text", key="apply.email")])
        return
    shown = address.strip() if len(address.strip()) <= 40 else address.strip()[:40] + "…"
    assert_problems(result, [expect("site.toml", 6, 1, "email_invalid", key="apply_email", value=shown)])


def test_hostile_default_apply_email_in_site_toml_defaults():
    toml = MINIMAL_TOML.replace("[defaults]", '[defaults]\napply_email = "hr@example.com?bcc=spy@evil.example"')
    site = MemorySite({"site.toml": toml})
    assert_problems(site.check(), [
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
def test_titles_and_codes_are_percent_encoded(text):
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"', 'email = "jobs@example.com"\nsubject = "应聘{title}-{code}"\n'
                                                               'body = "岗位：{title}\\n编号：{code}\\n"')
    y = json.dumps(text, ensure_ascii=False)
    site = MemorySite({"site.toml": toml, POS + "x.md": f"---\ntitle: {y}\ncode: {y}\ncategory: tech\n---\n正文\n"})
    site.build()
    href = site.page("positions/x/").select_one("a.apply-link")["href"]
    recipient, query = parse(href)
    assert recipient == "jobs@example.com"
    assert sorted(query) == ["body", "subject"] and all(len(v) == 1 for v in query.values())
    one_line = " ".join(text.split())
    assert query["subject"][0] == f"应聘{one_line}-{one_line}"
    body = f"岗位：{text}\n编号：{text}".replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    assert query["body"][0] == body
    assert " " not in href and "\n" not in href and "\r" not in href


def test_link_without_body_and_with_empty_code():
    site = MemorySite({POS + "x.md": "---\ntitle: A&B\ncategory: tech\n---\n正文\n"})
    site.build()
    recipient, query = parse(site.page("positions/x/").select_one("a.apply-link")["href"])
    assert recipient == "jobs@example.com" and list(query) == ["subject"]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_build_mailto_refuses_hostile_addresses(address):
    with pytest.raises(ValueError):
        build_mailto(address, "subject")


# --- mailto links written in a position's text: only to its own apply address, no header fields -------------

DIVERTING = [
    ("[投递简历](mailto:spy@evil.example)", "mailto_other_address"),
    ("<spy@evil.example>", "mailto_other_address"),  # Markdown's automatic e-mail link
    ('<a href="mailto:spy@evil.example">hr@example.com</a>', "mailto_other_address"),
    ("[投递](mailto:jobs@example.com?bcc=spy@evil.example)", "mailto_headers"),
    ("[投递](mailto:jobs@example.com?cc=spy@evil.example&subject=x)", "mailto_headers"),
    ("[投递](mailto:jobs@example.com,spy@evil.example)", "mailto_headers"),
    ("[投递](mailto:%6A%6Fbs@example.com%3Fbcc%3Dspy@evil.example)", "mailto_other_address"),
    ("[投递](MAILTO:spy@evil.example)", "mailto_other_address"),
]


@pytest.mark.parametrize("link, msg_id", DIVERTING)
def test_a_mailto_link_in_the_text_cannot_divert_applications(link, msg_id):
    """A pull request could send CVs elsewhere, or copy them, without touching apply_email (which reviewers
    watch): the link is an error at its line, in the body and in the front matter's lists alike."""
    body = f"---\ntitle: 岗位\ncategory: tech\n---\n\n## 岗位职责\n\n1. 负责开发；\n2. 简历请发 {link}\n"
    yaml = f"title: 岗位\ncategory: tech\nresponsibilities:\n  - 负责开发\n  - '简历请发 {link}'\n"
    site = MemorySite({POS + "a.md": body, POS + "b.yaml": yaml})
    result = site.check()
    lines = problem_lines(result)
    assert [line.split(": ", 1)[0] for line in lines] == [POS + "a.md:9:1", POS + "b.yaml:5:1"], lines
    assert all(msg(msg_id, link="X", allowed="jobs@example.com").split("X")[0] in line for line in lines)


def test_a_mailto_link_to_the_apply_address_is_fine():
    body = ("---\ntitle: 岗位\ncategory: tech\napply_email: it-hr@example.com\n---\n\n## 岗位职责\n\n"
            "1. 简历请发 <it-hr@example.com> 或 [总部](mailto:jobs@example.com)\n")
    site = MemorySite({POS + "a.md": body})
    site.build()
    hrefs = [a["href"] for a in site.page("positions/a/").select("#responsibilities a")]
    assert hrefs == ["mailto:it-hr@example.com", "mailto:jobs@example.com"]


def test_site_toml_texts_may_only_link_the_apply_address():
    toml = MINIMAL_TOML.replace('email = "jobs@example.com"', 'email = "jobs@example.com"\n'
                                'instructions = "简历请发 [这里](mailto:spy@evil.example)"')
    result = MemorySite({"site.toml": toml}).check()
    assert problem_lines(result) == [
        "site.toml:7:1: " + msg("mailto_other_address", link="mailto:spy@evil.example", allowed="jobs@example.com")]


@pytest.mark.parametrize("address", ["hr@xn--fsqu00a.xn--fiqs8s", "jobs@xn--55qx5d.cn", "hr@example.xn--p1ai"])
def test_punycode_addresses_are_accepted(address):
    assert is_valid_email(address)
    assert build_mailto(address).startswith(f"mailto:{address}")
