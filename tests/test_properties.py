"""Property-based tests: arbitrary input never raises anything but the project's own reported
problems; the slug maker, mailto builder, text normaliser and JSON escaper keep their promises."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careersite.load.content import read_position
from careersite.errors import Problems
from careersite.load.fields import is_valid_email, is_valid_slug, slugify
from careersite.load.frontmatter import Located, load_yaml, split_front_matter
from careersite.model.mailto import build_mailto, fill_template
from careersite.model.markup import Renderer, normalize_text
from careersite.render.jobposting import json_ld

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what HR pastes: YAML and Markdown punctuation, Chinese, Word's invisible
# characters and numbering, mixed with arbitrary Unicode.
PIECES = ["---", "...", "\n", "\r\n", "\r", "\t", " ", "　", "\u00a0", "\u200b", "\ufeff", ":", ": ", "- ", "-", "*", "&a",
          "*a", "!!python/object/apply:os.system", "!x", "[", "]", "{", "}", "'", '"', "#", "|", ">", "?", ",", "%",
          "title", "category", "1.", "1、", "（1）", "①", "•", "负责", "岗位职责", "## ", "<!--[if a]>", "<![endif]-->",
          "[bookmark: x]", "{\\rtf1 x}", "\x07", "\x00", "2026-02-30", "no", "~", "<script>", "\\", "&#x09;"]
hr_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=40).map("".join)
any_text = hr_text | st.text(max_size=200)


@FAST
@given(any_text)
def test_front_matter_parser_reports_problems_instead_of_raising(text):
    problems = Problems()
    try:
        split = split_front_matter(text)
    except ValueError:  # the documented signal for an unclosed '---' (reported by content.py)
        return
    source = split.front_matter if split.front_matter is not None else text
    result = load_yaml(source, "x.md", split.front_line or 1, problems)
    if result is None:
        assert problems.has_errors()
    else:
        assert isinstance(result, Located)
    for problem in problems.items:
        assert problem.line >= 0 and problem.col >= 0 and problem.message


@FAST
@given(st.binary(max_size=300) | hr_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_reading_any_position_file_never_raises(data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "content" / "positions" / "x.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        problems = Problems()
        source = read_position(path, root, problems)
        assert (source is None) == problems.has_errors()


@FAST
@given(st.text(max_size=120))
def test_slugify_gives_a_valid_slug_or_nothing(text):
    slug = slugify(text)
    assert slug == "" or is_valid_slug(slug)
    assert slugify(slug) == slug


@FAST
@given(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,5}", fullmatch=True))
def test_slugify_keeps_valid_slugs(slug):
    assert is_valid_slug(slug) and slugify(slug) == slug


addresses = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,20}[A-Za-z0-9]@[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}\.[a-z]{2,6}",
                          fullmatch=True).filter(is_valid_email)
header_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)


def parse_mailto(href: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto" and parts.fragment == ""
    return unquote(parts.path), parse_qs(parts.query, keep_blank_values=True)


@FAST
@given(addresses, header_text, header_text)
def test_mailto_parses_back_to_the_same_recipient_subject_and_body(address, subject, body):
    href = build_mailto(address, subject, body)
    recipient, query = parse_mailto(href)
    assert recipient == address
    expected = {}
    if subject:
        expected["subject"] = [subject]
    if body:
        expected["body"] = [re.sub(r"\r\n|\r|\n", "\r\n", body)]
    assert query == expected
    assert not re.search(r"[\s\"'<>]", href)


@FAST
@given(hr_text | st.text(max_size=60), header_text)
def test_mailto_refuses_or_keeps_exactly_one_recipient(address, subject):
    try:
        href = build_mailto(address, subject)
    except ValueError:
        assert not is_valid_email(address)
        return
    recipient, query = parse_mailto(href)
    assert recipient == address and set(query) <= {"subject"}


@FAST
@given(st.dictionaries(st.sampled_from(["title", "code", "category", "company", "location"]), header_text),
       st.lists(st.sampled_from(["{title}", "{code}", "{category}", "{company}", "{location}", "-", "—", " ", "应聘",
                                 "/", "（", "）", "\n"]), max_size=12).map("".join))
def test_subject_template_is_one_line(values, template):
    subject = fill_template(template, values, one_line=True)
    assert "\n" not in subject and "\r" not in subject and "\x00" not in subject
    assert subject == subject.strip()


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u3000"


@FAST
@given(any_text)
def test_normalize_text_is_idempotent_and_leaves_no_invisible_characters(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert not any(ch in once for ch in ZERO_WIDTH)
    assert "\r" not in once


@settings(max_examples=60, deadline=None)
@given(any_text)
def test_rendered_markdown_never_contains_live_markup(text):
    soup = BeautifulSoup(Renderer().render(text), "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in {"script", "style", "iframe", "img", "form", "svg", "object"}
        assert not any(name.startswith("on") for name in tag.attrs)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | header_text,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(header_text, inner, max_size=4),
                           max_leaves=12)


@FAST
@given(json_values)
def test_safe_json_round_trips_and_has_no_html_specials(value):
    text = json_ld(value)
    assert json.loads(text) == value
    assert not any(ch in text for ch in "<>&\u2028\u2029")
