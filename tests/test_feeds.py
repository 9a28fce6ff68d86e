"""Discovery files: sitemap.xml, robots.txt, feed.xml (Atom) and positions.json list exactly the open positions."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import PROJECT, MemorySite, git
BASE = "https://example.github.io/careers/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"

OPEN = "title: 运维工程师\ncategory: ops\nlocation: 上海\nposted: 2026-11-02\ncloses: 2026-12-31\nsalary: 1.5万-2.5万/月\n" \
       "responsibilities:\n  - 监控告警\n"
CLOSED = "title: 旧岗位\ncategory: ops\nlocation: 上海\nposted: 2026-10-01\ncloses: 2026-11-01\nresponsibilities:\n  - x\n"
DRAFT = "title: 草稿岗位\ncategory: ops\nlocation: 上海\nposted: 2026-10-01\ndraft: true\nresponsibilities:\n  - x\n"


@pytest.fixture(scope="module")
def built() -> MemorySite:
    site = MemorySite({"content/positions/ops.yaml": OPEN, "content/positions/old.yaml": CLOSED,
                       "content/positions/wip.yaml": DRAFT})
    site.build(base_url=BASE)
    return site


def xml(built: MemorySite, rel: str) -> ET.Element:
    return ET.fromstring(built.made.files[rel])


OPEN_URLS = {BASE + "positions/backend-engineer/", BASE + "positions/ops/"}
LISTING_URLS = {BASE, BASE + "categories/tech/", BASE + "categories/ops/"}


def test_sitemap_lists_open_positions_and_listings_with_absolute_urls(built):
    root = xml(built, "sitemap.xml")
    assert root.tag == SM + "urlset"
    urls = [u.findtext(SM + "loc") for u in root.findall(SM + "url")]
    assert len(urls) == len(set(urls))
    assert set(urls) == OPEN_URLS | LISTING_URLS
    for url in root.findall(SM + "url"):
        lastmod = url.findtext(SM + "lastmod")
        dt.datetime.fromisoformat(lastmod.replace("Z", "+00:00"))


def test_robots_points_to_the_sitemap(built):
    robots = built.made.files["robots.txt"].decode("utf-8")
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_atom_feed_lists_open_positions(built):
    feed = xml(built, "feed.xml")
    assert feed.tag == ATOM + "feed"
    assert feed.findtext(ATOM + "id") == BASE and feed.findtext(ATOM + "title") == "测试招聘"
    assert feed.find(ATOM + "link[@rel='self']").get("href") == BASE + "feed.xml"
    entries = feed.findall(ATOM + "entry")
    assert {e.findtext(ATOM + "id") for e in entries} == OPEN_URLS
    assert {e.find(ATOM + "link").get("href") for e in entries} == OPEN_URLS
    ops = next(e for e in entries if e.findtext(ATOM + "id").endswith("/ops/"))
    assert ops.findtext(ATOM + "title") == "运维工程师"
    assert ops.findtext(ATOM + "published").startswith("2026-11-02")
    assert "监控告警" in ops.findtext(ATOM + "content")
    for element in (feed, *entries):
        dt.datetime.fromisoformat(element.findtext(ATOM + "updated").replace("Z", "+00:00"))
    # every page announces the feed
    assert built.page().find("link", rel="alternate", type="application/atom+xml")["href"] == "/careers/feed.xml"


def test_positions_json_lists_open_positions_with_fields(built):
    feed = json.loads(built.made.files["positions.json"])
    assert feed["version"] == 1 and feed["site"]["url"] == BASE
    by_url = {p["url"]: p for p in feed["positions"]}
    assert set(by_url) == OPEN_URLS
    ops = by_url[BASE + "positions/ops/"]
    assert ops["title"] == "运维工程师" and ops["locations"] == ["上海"] and ops["country"] == "CN"
    assert ops["category"] == {"key": "ops", "name": "运营类", "url": BASE + "categories/ops/"}
    assert ops["posted"] == "2026-11-02" and ops["closes"] == "2026-12-31"
    assert ops["valid_through"] == "2026-12-31T23:59:59+08:00"
    assert ops["salary"] == "1.5万-2.5万/月"
    assert ops["salary_range"] == {"min": 15000, "max": 25000, "unit": "MONTH", "currency": "CNY"}
    assert ops["apply"]["email"] == "jobs@example.com" and ops["apply"]["mailto"].startswith("mailto:jobs@example.com?")
    assert "监控告警" in ops["description_html"]


def test_documented_fields_match_positions_json(built):
    text = (PROJECT / "docs/feeds.md").read_text(encoding="utf-8")
    feed = json.loads(built.made.files["positions.json"])
    for key in [*feed, *feed["site"], *feed["positions"][0], *feed["positions"][0]["apply"]]:
        assert f"`{key}`" in text, key


def test_lastmod_is_the_file_time_outside_git(make_site):
    site = make_site({"content/positions/ops.yaml": OPEN})
    when = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc).timestamp()
    for rel in ("content/positions/ops.yaml", "content/positions/backend-engineer.md", "site.toml"):
        os.utime(site.root / rel, (when, when))
    newer = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc).timestamp()
    os.utime(site.root / "content/positions/ops.yaml", (newer, newer))
    site.build()
    root = ET.parse(site.out / "sitemap.xml").getroot()
    lastmod = {u.findtext(SM + "loc"): u.findtext(SM + "lastmod") for u in root.findall(SM + "url")}
    expected = {"positions/backend-engineer/": "2026-03-04T05:06:07Z", "positions/ops/": "2026-05-01T00:00:00Z",
                "categories/ops/": "2026-05-01T00:00:00Z", "categories/tech/": "2026-03-04T05:06:07Z",
                "": "2026-05-01T00:00:00Z"}
    assert {path: lastmod["https://jobs.example.com/" + path] for path in expected} == expected


def test_lastmod_is_the_last_commit_in_git(make_site):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    site = make_site({"content/positions/ops.yaml": OPEN})
    git(site.root, "init", "-q")
    git(site.root, "add", ".")
    git(site.root, "commit", "-qm", "first", date="2026-01-02T03:04:05+00:00")
    site.write("content/positions/ops.yaml", OPEN.replace("监控告警", "监控与告警"))
    git(site.root, "commit", "-qam", "edit ops", date="2026-02-03T04:05:06+00:00")
    site.build()  # the files' own times (now) must not matter
    root = ET.parse(site.out / "sitemap.xml").getroot()
    lastmod = {u.findtext(SM + "loc"): u.findtext(SM + "lastmod") for u in root.findall(SM + "url")}
    assert lastmod["https://jobs.example.com/positions/backend-engineer/"] == "2026-01-02T03:04:05Z"
    assert lastmod["https://jobs.example.com/positions/ops/"] == "2026-02-03T04:05:06Z"
    feed = ET.parse(site.out / "feed.xml").getroot()
    assert feed.findtext(ATOM + "updated") == "2026-02-03T04:05:06Z"


def test_positions_json_follows_its_published_schema(built, seed_site):
    import jsonschema

    schema = json.loads((PROJECT / "docs/positions.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for data in (built.made.files["positions.json"], (seed_site.out / "positions.json").read_bytes()):
        jsonschema.Draft202012Validator(schema).validate(json.loads(data))
    assert len(json.loads((seed_site.out / "positions.json").read_text(encoding="utf-8"))["positions"]) == 23
