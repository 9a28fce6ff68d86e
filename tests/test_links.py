"""Every internal link, asset and #anchor of the built site resolves, at the root and under /careers/.

Pure Python over the output files (a link is resolved the way a static host resolves it: a path
ending in / serves its index.html), plus one HTTP crawl of the served site to be sure.
No page is unreachable from the home page.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from tests.helpers import SEED_FIXTURE, build, copy_site
from tests.sitevariants import CLOSED_SLUG, DRAFT_SLUG
from tests.sitecheck.checks import LINK_ATTRS, unreachable
from tests.sitecheck.checks import link_problems as check_site
from tests.tools import serve_directory


def seed_output(tmp_path: Path, base_url: str) -> Path:
    """The seed site built for BASE_URL into TMP_PATH/public."""
    out = tmp_path / "public"
    assert build(copy_site(SEED_FIXTURE, tmp_path / "site"), out, base_url=base_url).ok
    return out


@pytest.mark.parametrize("base_url", ["https://example.com/", "https://example.com/careers/"])
def test_every_internal_link_asset_and_anchor_resolves(tmp_path, base_url):
    out = seed_output(tmp_path, base_url)
    problems, reached = check_site(out, base_url)
    assert problems == []
    assert unreachable(out, reached) == []
    # the crawl really went everywhere: home, 6 categories, 23 positions, the stylesheet
    assert len([r for r in reached if r.startswith("positions/")]) == 23
    assert len([r for r in reached if r.startswith("categories/")]) == 6
    assert "static/site.css" in reached


def test_closed_and_draft_pages_link_correctly(all_templates_site):
    base_url = "https://example.github.io/careers/"  # site.toml's own base URL
    out = all_templates_site
    problems, reached = check_site(out, base_url)
    assert problems == []
    assert f"positions/{DRAFT_SLUG}/index.html" in reached
    # A closed position leaves the listings on purpose; its page stays (noindex) so shared links still work.
    assert unreachable(out, reached) == [f"positions/{CLOSED_SLUG}/index.html"]


def test_the_checker_catches_broken_links(tmp_path):
    """Control: a missing page, a wrong anchor, a stale asset version and an orphan page are all reported."""
    base_url = "https://example.com/careers/"
    out = seed_output(tmp_path, base_url)
    dba = out / "positions/dba/index.html"
    html = dba.read_text(encoding="utf-8")
    html = html.replace('href="/careers/categories/technology/"', 'href="/careers/categories/technolgy/"', 1)
    html = html.replace('href="/careers/#positions"', 'href="/careers/#postions"', 1)
    html = re.sub(r"site\.css\?v=\w+", "site.css?v=0000000000", html)
    html = html.replace('href="/careers/"', 'href="/"', 1)
    dba.write_text(html, encoding="utf-8")
    (out / "orphan").mkdir()
    (out / "orphan/index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    problems, reached = check_site(out, base_url)
    text = "\n".join(problems)
    assert "technolgy" in text and "'postions'" in text and "stale version" in text
    assert "'/' -> https://example.com/ does not resolve" in text
    assert unreachable(out, reached) == ["orphan/index.html"]


@pytest.mark.slow
def test_http_crawl_under_careers(seed_site):
    """Crawl the served site from its home page: every internal URL answers 200, none leaves /careers/."""
    with serve_directory(seed_site.out, "/careers/") as base:
        origin = base[: -len("/careers/")]
        seen: set[str] = set()
        queue = deque([base])
        failures: list[str] = []
        pages = 0
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read()
                    ctype = response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as err:
                failures.append(f"{url}: HTTP {err.code}")
                continue
            if not ctype.startswith("text/html"):
                continue
            pages += 1
            for tag_name, attr in LINK_ATTRS.items():
                for tag in BeautifulSoup(body, "html.parser").find_all(tag_name):
                    href = tag.get(attr)
                    if not href:
                        continue
                    target = urljoin(url, href).split("#")[0]
                    if target.startswith(origin):
                        if not target.startswith(base):
                            failures.append(f"{url}: {href!r} leaves /careers/")
                        elif target not in seen:
                            queue.append(target)
        assert failures == []
        assert pages == 1 + 6 + 23
