"""Script injection: whatever HR or a pull request writes in any field, body or site.toml text,
no page gets live markup from it: no foreign <script>, no on* attribute, no javascript:/data:/vbscript:
URL, no iframe, form, style, object, base or refresh. Text fields are escaped (shown as written);
Markdown is sanitised. Feeds, sitemaps and JSON-LD (when the build makes them) must parse."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from careersite.markup import Renderer, sanitize
from careersite.safejson import safe_json_for_script
from tests.conftest import MINIMAL_TOML
from tests.hostile import POS, build

PAYLOADS = [
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<form action="https://evil.example"><input name=x><button formaction="javascript:alert(1)">go</button></form>',
    "<style>body{display:none}</style>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[md](javascript:alert(1))",
    "[md](JaVaScRiPt:alert(1))",
    "[md](jav&#x09;ascript:alert(1))",
    "[md](data:text/html,<script>alert(1)</script>)",
    '![img](x" onerror="alert(1))',
    '<div onmouseover="alert(1)" style="position:fixed;inset:0">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "{{ 7*7 }} {% raw %} ${7*7}",
    "\u2028\u2029<!--",
]
FORBIDDEN_TAGS = {"iframe", "form", "input", "button[formaction]", "style", "object", "embed", "base", "img", "math",
                  "frame", "frameset", "applet", "textarea", "select"}
DANGEROUS = re.compile(r"^(javascript|data|vbscript|livescript):", re.I)


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def hostile_site(make_site, payload: str):
    q = toml_string(payload)
    one_line = toml_string(payload.replace("\n", " "))
    toml = MINIMAL_TOML.replace('title = "测试招聘"', f"title = {one_line}").replace(
        'company = "测试公司"', f"company = {one_line}\ndescription = {q}\nintro = {q}").replace(
        'email = "jobs@example.com"', f'email = "jobs@example.com"\nsubject = "应聘{{title}}-{{code}}-{{location}}"\n'
                                      f'body = "{{title}}\\n{{category}}\\n{{company}}"\ninstructions = {q}\nprivacy = {q}').replace(
        'name = "技术类"', f"name = {one_line}\ndescription = {q}")
    y = json.dumps(payload, ensure_ascii=False)
    short = json.dumps(payload[:100], ensure_ascii=False)  # code and salary are one short line
    position = (
        f"---\ntitle: {y}\ncategory: tech\ncode: {short}\nlocation: [{y}, 北京]\nsalary: {short}\nsummary: {y}\n"
        f"description: {y}\nresponsibilities:\n  - {y}\n  - 普通的一项\n---\n\n"
        f"## 任职要求\n\n{payload}\n\n1. {payload}\n\n## {payload.splitlines()[0] if payload.strip() else 'x'}\n\n{payload}\n"
    )
    return make_site({"site.toml": toml, POS + "x.md": position, POS + "y.yaml": f"title: {y}\ncategory: ops\n"})


def pages(out: Path):
    for path in sorted(out.rglob("*.html")):
        yield path, BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def browser_url(value: str) -> str:
    """A URL as a browser reads it (WHATWG): C0 and spaces trimmed, tabs and newlines removed anywhere."""
    return re.sub(r"[\t\n\r]", "", html.unescape(value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
                                                                "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                                                "\x1a\x1b\x1c\x1d\x1e\x1f "))


def assert_no_live_markup(out: Path, base_path: str = "/") -> None:
    for path, soup in pages(out):
        where = path.relative_to(out).as_posix()
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":
                raw = script.string or ""
                assert "</" not in raw and "<!--" not in raw, where
                json.loads(raw)
                continue
            assert not (script.string or "").strip(), f"{where}: inline script {script}"
            assert urlsplit(script["src"]).path.startswith(base_path + "static/"), f"{where}: {script}"
        for finder in soup.select("form.finder[role=search]"):  # the site's own search form, from the template
            assert finder["action"] == base_path and finder["method"] == "get", where
            finder.decompose()
        for tag in soup.find_all(True):
            assert tag.name not in FORBIDDEN_TAGS, f"{where}: <{tag.name}> {tag}"
            if tag.name == "button":
                assert "formaction" not in tag.attrs, where
            if tag.name == "meta":
                assert "http-equiv" not in tag.attrs, f"{where}: {tag}"
            if tag.name == "link":
                assert tag.get("rel") and set(tag["rel"]) <= {"canonical", "icon", "stylesheet", "alternate"}
                href = tag["href"]
                assert not href.startswith(("//", "http")) or href.startswith("https://jobs.example.com/"), tag
            if tag.name == "svg":  # ours: decorative icons, and the QR code made by zxing-cpp at build time
                is_qr = "qr-code" in tag.get("class", []) and tag.get("role") == "img"
                assert is_qr or tag.get("aria-hidden") == "true", f"{where}: foreign svg {tag}"
                assert not any(a.startswith("on") for a in tag.attrs), where
            for name, value in tag.attrs.items():
                assert not name.lower().startswith("on"), f"{where}: {name} on <{tag.name}>"
                assert name.lower() != "style", f"{where}: style attribute on <{tag.name}>"
                values = value if isinstance(value, list) else [value]
                for v in values:
                    squeezed = browser_url(v)
                    assert not DANGEROUS.match(squeezed), f"{where}: {name}={v!r} on <{tag.name}>"
                    if name in ("href", "src"):
                        assert urlsplit(squeezed).scheme in ("", "http", "https", "mailto", "tel"), f"{where}: {v!r}"


def assert_feeds_parse(out: Path) -> None:
    """Sitemap and feeds (added on another branch) must stay well-formed whatever the content."""
    for path in out.rglob("*.xml"):
        ET.fromstring(path.read_bytes())
    for path in out.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_field_or_body_reaches_a_page_as_markup(make_site, payload):
    site = hostile_site(make_site, payload)
    result = build(site.root)
    assert result.ok, [p.format() for p in result.problems.items]
    assert_no_live_markup(site.out)
    assert_feeds_parse(site.out)


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "\n" not in p and p.strip()])
def test_text_fields_are_shown_as_written(make_site, payload):
    """Escaping, not silent deletion: the visitor sees what HR typed, as text."""
    site = hostile_site(make_site, payload)
    assert build(site.root).ok
    page = site.page("positions/x/")
    assert page.find("h1").get_text().strip() == payload.strip()
    assert page.title.get_text().startswith(payload.strip())
    facts = page.select_one("dl.facts").get_text()
    assert payload[:100].strip() in facts  # code and salary
    one_line = " ".join(payload.split())
    assert page.select_one("#apply-subject").get_text().startswith("应聘" + one_line)
    home = site.page()
    assert home.select_one(".brand-company").get_text() == payload.strip()
    assert "49" not in page.get_text().replace("2026", "")  # no template evaluation of {{ 7*7 }}


def test_mailto_stays_one_mailto_link(make_site):
    site = hostile_site(make_site, 'x" href="javascript:alert(1)"?bcc=evil@example.com&cc=a@b.c\r\nBcc: evil@example.com')
    assert build(site.root).ok
    link = site.page("positions/x/").select_one("a.apply-link")
    parts = urlsplit(link["href"])
    assert parts.scheme == "mailto" and parts.path == "jobs@example.com"
    assert sorted(k.split("=")[0] for k in parts.query.split("&")) == ["body", "subject"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitizer_directly(payload):
    out = Renderer().render(payload)
    soup = BeautifulSoup(out, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in {"p", "a", "ol", "ul", "li", "h2", "strong", "em", "code", "pre", "table", "thead", "tbody",
                            "tr", "th", "td"}, out
        for name, value in tag.attrs.items():
            assert not name.startswith("on")
            assert name in {"href", "title", "rel", "start", "align"}
            assert not DANGEROUS.match(browser_url(str(value)))


def test_sanitize_keeps_ordinary_links():
    out = sanitize('<a href="https://example.com/a?b=1">x</a> <a href="mailto:hr@example.com">m</a>')
    soup = BeautifulSoup(out, "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["https://example.com/a?b=1", "mailto:hr@example.com"]
    assert all("noopener" in a["rel"] for a in soup.find_all("a"))


# JSON-LD (careersite/seo.py, on another branch) must use safe_json_for_script.

@pytest.mark.parametrize("text", PAYLOADS + ["a & b", "<!-- x -->", "\u2028", "\\u003c", "\"", "\\"])
def test_safe_json_round_trips_and_cannot_close_the_script(text):
    data = {"@type": "JobPosting", "title": text, "nested": [{"x": text}], "n": 3}
    out = safe_json_for_script(data)
    assert json.loads(out) == data
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out
    page = f'<html><head><script type="application/ld+json">{out}</script></head><body><p>after</p></body></html>'
    soup = BeautifulSoup(page, "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and json.loads(scripts[0].string) == data
    assert soup.find("p").get_text() == "after"


def test_safe_json_indent_and_unicode():
    out = safe_json_for_script({"title": "风险管理岗"}, indent=2)
    assert "风险管理岗" in out and "\n" in out
