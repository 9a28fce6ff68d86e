"""Script injection: whatever HR or a pull request writes in any field, body or site.toml text,
no page gets live markup from it: no foreign <script>, no on* attribute, no javascript:/data:/vbscript:
URL, no iframe, form, style, object, base or refresh. Text fields are escaped (shown as written);
Markdown is sanitised. Feeds, sitemaps and JSON-LD (when the build makes them) must parse."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from careersite.model.markup import Renderer, sanitize
from careersite.render.jobposting import json_ld
from tests.helpers import MINIMAL_TOML, POS, MemorySite, soup

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
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'none'")


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def yaml_string(text: str) -> str:
    """TEXT as a double-quoted YAML string; line separators as escapes (raw, they are refused: yaml_line_separator)."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def hostile_site(payload: str) -> MemorySite:
    q = toml_string(payload)
    one_line = toml_string(payload.replace("\n", " "))
    toml = MINIMAL_TOML.replace('title = "测试招聘"', f"title = {one_line}").replace(
        'company = "测试公司"', f"company = {one_line}\ndescription = {q}\nintro = {q}").replace(
        'email = "jobs@example.com"', f'email = "jobs@example.com"\nsubject = "应聘{{title}}-{{code}}-{{location}}"\n'
                                      f'body = "{{title}}\\n{{category}}\\n{{company}}"\ninstructions = {q}\nprivacy = {q}').replace(
        'name = "技术类"', f"name = {one_line}\ndescription = {q}")
    y = yaml_string(payload)
    short = yaml_string(payload[:100])  # code and salary are one short line
    position = (
        f"---\ntitle: {y}\ncategory: tech\ncode: {short}\nlocation: [{y}, 北京]\nsalary: {short}\nsummary: {y}\n"
        f"description: {y}\nresponsibilities:\n  - {y}\n  - 普通的一项\n---\n\n"
        f"## 任职要求\n\n{payload}\n\n1. {payload}\n\n## {payload.splitlines()[0] if payload.strip() else 'x'}\n\n{payload}\n"
    )
    return MemorySite({"site.toml": toml, POS + "x.md": position, POS + "y.yaml": f"title: {y}\ncategory: ops\n"})


def pages(files: dict[str, bytes]):
    for rel in sorted(files):
        if rel.endswith(".html"):
            yield rel, soup(files[rel])


def browser_url(value: str) -> str:
    """A URL as a browser reads it (WHATWG): C0 and spaces trimmed, tabs and newlines removed anywhere."""
    return re.sub(r"[\t\n\r]", "", html.unescape(value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
                                                                "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                                                "\x1a\x1b\x1c\x1d\x1e\x1f "))


def assert_no_live_markup(files: dict[str, bytes], base_path: str = "/") -> None:
    for where, page in pages(files):
        for script in page.find_all("script"):
            if script.get("type") == "application/ld+json":
                raw = script.string or ""
                assert "</" not in raw and "<!--" not in raw, where
                json.loads(raw)
                continue
            assert not (script.string or "").strip(), f"{where}: inline script {script}"
            assert urlsplit(script["src"]).path.startswith(base_path + "static/"), f"{where}: {script}"
        for finder in page.select("form[role=search]"):  # the site's own search forms (home, 404), from the templates
            assert finder["action"] == base_path and finder["method"] == "get", where
            finder.decompose()
        for phone in page.select("footer a.footer-phone"):  # the only tel: link: site.toml's hr_phone, checked
            assert re.fullmatch(r"tel:\+?\d+(;ext=\d+)?", phone["href"]), f"{where}: {phone}"
            phone.decompose()
        drop_own_qr(page, where)
        for tag in page.find_all(True):
            assert tag.name not in FORBIDDEN_TAGS, f"{where}: <{tag.name}> {tag}"
            if tag.name == "button":
                assert "formaction" not in tag.attrs, where
            if tag.name == "meta" and "http-equiv" in tag.attrs:  # ours: the page's Content-Security-Policy
                assert tag["http-equiv"] == "Content-Security-Policy" and tag["content"] == CSP, f"{where}: {tag}"
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
                        assert urlsplit(squeezed).scheme in ("", "http", "https", "mailto"), f"{where}: {v!r}"


def assert_feeds_parse(files: dict[str, bytes]) -> None:
    """Sitemap, feeds and the search index's JSON must stay well-formed whatever the content."""
    for rel, data in files.items():
        if rel.endswith(".xml"):
            ET.fromstring(data)
        elif rel.endswith(".json"):
            json.loads(data.decode("utf-8"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_field_or_body_reaches_a_page_as_markup(payload):
    made = hostile_site(payload).build()
    assert_no_live_markup(made.files)
    assert_feeds_parse(made.files)


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "\n" not in p and p.strip()])
def test_text_fields_are_shown_as_written(payload):
    """Escaping, not silent deletion: the visitor sees what HR typed, as text."""
    site = hostile_site(payload)
    site.build()
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


def test_mailto_stays_one_mailto_link():
    site = hostile_site('x" href="javascript:alert(1)"?bcc=evil@example.com&cc=a@b.c\r\nBcc: evil@example.com')
    site.build()
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


# JSON-LD is written by render.jobposting.json_ld.

@pytest.mark.parametrize("text", PAYLOADS + ["a & b", "<!-- x -->", "\u2028", "\\u003c", "\"", "\\"])
def test_safe_json_round_trips_and_cannot_close_the_script(text):
    data = {"@type": "JobPosting", "title": text, "nested": [{"x": text}], "n": 3}
    out = json_ld(data)
    assert json.loads(out) == data
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out
    page = f'<html><head><script type="application/ld+json">{out}</script></head><body><p>after</p></body></html>'
    soup = BeautifulSoup(page, "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and json.loads(scripts[0].string) == data
    assert soup.find("p").get_text() == "after"


def test_safe_json_keeps_unicode():
    assert "风险管理岗" in json_ld({"title": "风险管理岗"})


# --- every URL the generator writes, in every output format --------------------------------------------------

QR_SRC = r"data:image/png;base64,[A-Za-z0-9+/]+=*"  # the only data: URI: a position's QR code (render/qr.py)


def drop_own_qr(page: BeautifulSoup, where: str) -> None:
    """Check and take out the page's own QR code (a PNG in a data: URI), so that what is left is all checked."""
    for qr in page.select("img.qr-code"):
        assert re.fullmatch(QR_SRC, qr["src"]), f"{where}: {qr}"
        qr.decompose()


def urls_in_html(fragment) -> list[str]:
    """The URLs of every element of FRAGMENT (HTML text, or a page already parsed)."""
    page = soup(fragment) if isinstance(fragment, str) else fragment
    return [browser_url(tag[attr]) for tag in page.find_all(True) for attr in ("href", "src", "action", "formaction",
                                                                               "poster", "data") if tag.get(attr)]


def every_url(files: dict[str, bytes]) -> dict[str, list[str]]:
    """Every href/src of every page, of the HTML in feed.xml, positions.json and the JSON-LD, by file."""
    found: dict[str, list[str]] = {}
    for rel, page in pages(files):
        drop_own_qr(page, rel)
        found[rel] = urls_in_html(page)
        for script in page.find_all("script", type="application/ld+json"):
            data = json.loads(script.string)
            found[f"{rel} (JSON-LD)"] = urls_in_html(data["description"]) + [data["url"]]
    feed = ET.fromstring(files["feed.xml"])
    found["feed.xml"] = [urls for e in feed.iter("{http://www.w3.org/2005/Atom}content") for urls in urls_in_html(e.text or "")]
    found["feed.xml"] += [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    items = json.loads(files["positions.json"])["positions"]
    found["positions.json"] = [u for item in items for u in urls_in_html(item["description_html"]) + [
        item["url"], item["apply"]["mailto"]]]
    return found


def allowed(url: str, apply: tuple[str, ...] = ("jobs@example.com",)) -> bool:
    """http(s), a relative URL, or a mailto: to an apply address (with only the subject and body we write)."""
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        return parts.path in apply and all(q.split("=")[0] in ("subject", "body") for q in parts.query.split("&") if q)
    return parts.scheme in ("", "http", "https") and not url.startswith("//")


# A placeholder that defusing wrote for an over-marked paragraph, used as a link's href elsewhere: substituted
# after sanitising, it made a working javascript: link (issue 13). Tokens are now per document and substituted
# before sanitising; every form of the trick is tried, with the token of this code and of the old code.
TOKEN_TRICKS = [
    "javascript:alert(1)" + "[" * 60 + "\n\n[点我](careersiteplaintext0x)\n",
    "javascript:alert(1)" + "*" * 600 + "\n\n<a href=\"careersiteplaintext0x\">点我</a>\n",
    "[x](careersiteplain0000000000000000n0x)\n\n" + "javascript:alert(1)" + "[" * 60,
    "\n\n".join(["javascript:alert(%d)" % n + "[" * 51 for n in range(5)]) + "\n\n" +
    " ".join(f"[{n}](careersiteplaintext{n}x)" for n in range(5)),
]


@pytest.mark.parametrize("body", TOKEN_TRICKS)
def test_a_defused_paragraph_can_never_become_a_link(body):
    site = MemorySite({POS + "x.md": f"---\ntitle: 岗位\ncategory: tech\n---\n\n## 岗位职责\n\n{body}"})
    for where, urls in every_url(site.build().files).items():
        assert all(allowed(url) for url in urls), (where, [u for u in urls if not allowed(u)])
    page = site.page("positions/x/")
    assert "alert(1)" in page.select_one("#responsibilities").get_text()  # shown as the text it is


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_url_in_every_output_is_http_relative_or_the_apply_mailto(payload):
    found = every_url(hostile_site(payload).build().files)
    assert {"feed.xml", "positions.json", "positions/x/index.html (JSON-LD)"} <= set(found)
    for where, urls in found.items():
        assert all(allowed(url) for url in urls), (where, [u for u in urls if not allowed(u)])


def test_every_page_carries_the_content_security_policy():
    for rel, page in pages(MemorySite().build().files):
        [meta] = page.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta["content"] == CSP, rel
        assert page.find("meta") is page.find("meta", charset=True)  # charset first, the policy right after it
        assert not [s for s in page.find_all("script") if s.string and s.get("type") != "application/ld+json"]
