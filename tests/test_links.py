"""Every internal link, asset and #anchor of the built site resolves, at the root and under /careers/.

Pure Python over the output files (a link is resolved the way a static host resolves it: a path
ending in / serves its index.html), plus one HTTP crawl of the served site to be sure.
No page is unreachable from the home page.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import PROJECT, run_cli
from tests.sitevariants import CLOSED_SLUG, DRAFT_SLUG, build_all_templates_site
from tests.tools import serve_directory

# Attributes that point at something the browser loads or the visitor follows.
LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src",
              "form": "action", "video": "src", "audio": "src"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@dataclass(frozen=True)
class Link:
    page: str  # output path of the page that links, e.g. positions/dba/index.html
    url: str  # as written
    target: str  # absolute URL after resolving against the page's URL


def page_url(base_url: str, rel: str) -> str:
    """The public URL of an output file: index.html files are served at their folder's URL."""
    if rel == "index.html":
        return base_url
    if rel.endswith("/index.html"):
        return base_url + rel[: -len("index.html")]
    return base_url + rel


def links_of(out: Path, rel: str, base_url: str) -> list[Link]:
    path = out / rel
    here = page_url(base_url, rel)
    if rel.endswith(".css"):
        urls = CSS_URL.findall(path.read_text(encoding="utf-8"))
    else:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        urls = [tag.get(attr) for name, attr in LINK_ATTRS.items() for tag in soup.find_all(name) if tag.get(attr)]
        urls += [m["content"] for m in soup.find_all("meta", attrs={"property": re.compile("^og:(url|image)$")})]
    return [Link(rel, url, urljoin(here, url)) for url in urls if not url.startswith("data:")]


def is_internal(target: str, base_url: str) -> bool:
    """Same scheme and host as the site (other schemes, mailto: and other hosts are not ours)."""
    t, b = urlsplit(target), urlsplit(base_url)
    return (t.scheme, t.netloc) == (b.scheme, b.netloc)


def file_for(target: str, out: Path, base_url: str) -> Path | None:
    """The output file a static host serves for an internal URL, or None if there is none."""
    path = unquote(urlsplit(target).path)
    base_path = urlsplit(base_url).path
    if not path.startswith(base_path):
        return None  # outside the published folder: works at the root by luck, 404s under /careers/
    rel = path[len(base_path):]
    candidate = out / rel / "index.html" if rel == "" or rel.endswith("/") else out / rel
    return candidate if candidate.is_file() else None


def ids_of(path: Path) -> set[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return {tag["id"] for tag in soup.find_all(id=True)} | {a["name"] for a in soup.find_all("a", attrs={"name": True})}


def check_site(out: Path, base_url: str) -> tuple[list[str], set[str]]:
    """(problems, output paths reachable from the home page)."""
    problems: list[str] = []
    ids: dict[Path, set[str]] = {}
    reached: set[str] = {"index.html"}
    queue = deque(["index.html"])
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.suffix in (".html", ".css"))
    checked: set[str] = set()
    # Check every page's links; crawl from the home page to find what is reachable.
    for start in ["index.html", *pages]:
        queue.append(start)
        while queue:
            rel = queue.popleft()
            if rel in checked:
                continue
            checked.add(rel)
            for link in links_of(out, rel, base_url):
                if not is_internal(link.target, base_url):
                    continue
                target = file_for(link.target, out, base_url)
                if target is None:
                    problems.append(f"{rel}: {link.url!r} -> {link.target} does not resolve to a file")
                    continue
                target_rel = target.relative_to(out).as_posix()
                query, fragment = urlsplit(link.target).query, urlsplit(link.target).fragment
                if query.startswith("v="):
                    digest = hashlib.sha256(target.read_bytes()).hexdigest()[:10]
                    if query != f"v={digest}":
                        problems.append(f"{rel}: {link.url!r} has a stale version (file is v={digest})")
                if fragment and target.suffix == ".html":
                    if target not in ids:
                        ids[target] = ids_of(target)
                    if unquote(fragment) not in ids[target]:
                        problems.append(f"{rel}: {link.url!r} -> no id {fragment!r} in {target_rel}")
                if start == "index.html" and target.suffix in (".html", ".css") and target_rel not in reached:
                    reached.add(target_rel)
                    queue.append(target_rel)
    return problems, reached


def unreachable(out: Path, reached: set[str]) -> list[str]:
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    return sorted(pages - reached - {"404.html"})


def build(tmp_path: Path, base_url: str) -> Path:
    out = tmp_path / "public"
    result = run_cli("build", "--site", str(PROJECT), "--out", str(out), "--today", "2026-11-28", "--base-url", base_url)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("base_url", ["https://example.com/", "https://example.com/careers/"])
def test_every_internal_link_asset_and_anchor_resolves(tmp_path, base_url):
    out = build(tmp_path, base_url)
    problems, reached = check_site(out, base_url)
    assert problems == []
    assert unreachable(out, reached) == []
    # the crawl really went everywhere: home, 6 categories, 23 positions, the stylesheet
    assert len([r for r in reached if r.startswith("positions/")]) == 23
    assert len([r for r in reached if r.startswith("categories/")]) == 6
    assert "static/site.css" in reached


def test_closed_and_draft_pages_link_correctly(tmp_path):
    base_url = "https://example.github.io/careers/"  # site.toml's own base URL
    out = build_all_templates_site(tmp_path / "site")
    problems, reached = check_site(out, base_url)
    assert problems == []
    assert f"positions/{DRAFT_SLUG}/index.html" in reached
    # A closed position leaves the listings on purpose; its page stays (noindex) so shared links still work.
    assert unreachable(out, reached) == [f"positions/{CLOSED_SLUG}/index.html"]


def test_the_checker_catches_broken_links(tmp_path):
    """Control: a missing page, a wrong anchor, a stale asset version and an orphan page are all reported."""
    base_url = "https://example.com/careers/"
    out = build(tmp_path, base_url)
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
def test_http_crawl_under_careers(real_site):
    """Crawl the served site from its home page: every internal URL answers 200, none leaves /careers/."""
    with serve_directory(real_site.out, "/careers/") as base:
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
