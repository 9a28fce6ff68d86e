"""Checks of a built site as a site, whatever its content: each returns the problems it found, in words.

Used by `make check-site` on the live content (python -m tests.sitecheck), by tests/sitecheck/ on the
seed fixture in `make test`, and by the generator's own tests on their fixture sites.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

# Attributes that point at something the browser loads or the visitor follows.
LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src",
              "form": "action", "video": "src", "audio": "src"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
DISCOVERY_FILES = ("404.html", "sitemap.xml", "robots.txt", "feed.xml", "positions.json")


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(out: Path) -> list[str]:
    """Every HTML page of the output, as paths below it, sorted."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def feed(out: Path) -> dict:
    """positions.json: the open, published positions (what the site lists)."""
    return json.loads((out / "positions.json").read_text(encoding="utf-8"))


# --- links --------------------------------------------------------------------------------------------

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
        soup = soup_of(path)
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
    soup = soup_of(path)
    return {tag["id"] for tag in soup.find_all(id=True)} | {a["name"] for a in soup.find_all("a", attrs={"name": True})}


def link_problems(out: Path, base_url: str) -> tuple[list[str], set[str]]:
    """(every internal link, asset or #anchor that does not resolve, output paths reachable from home)."""
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
    """Pages no link leads to from the home page (closed positions are such pages on purpose)."""
    pages = set(html_pages(out))
    return sorted(pages - reached - {"404.html"})


# --- what every site has ----------------------------------------------------------------------------

def default_page_problems(out: Path, root: Path) -> list[str]:
    """The home page, 404, each category's page, each listed position's page and the discovery files."""
    problems = [f"{name} is missing" for name in ("index.html", *DISCOVERY_FILES) if not (out / name).is_file()]
    if problems:
        return problems
    config = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
    for category in config.get("categories", []):
        if not (out / "categories" / category["key"] / "index.html").is_file():
            problems.append(f"categories/{category['key']}/index.html is missing (category {category['name']})")
    base = feed(out)["site"]["url"]
    for item in feed(out)["positions"]:
        rel = item["url"][len(base):] + "index.html"
        if not (out / rel).is_file():
            problems.append(f"{rel} is missing ({item['title']})")
    return problems


def empty_site_problems(out: Path, root: Path) -> list[str]:
    """A site with no open position is refused for publishing unless site.toml says it is meant to be."""
    config = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
    if feed(out)["positions"] or config.get("allow_empty"):
        return []
    return ["发布后网站上将没有任何开放岗位（全部已截止、是草稿或被删除）。如果确实如此，请在 site.toml 中写上 "
            "allow_empty = true；否则请检查截止日期（closes，包括 site.toml 的 [defaults]）。"
            " / The site would have no open position. If that is intended, set allow_empty = true in site.toml."]


# --- structured data and feeds ------------------------------------------------------------------------

REQUIRED_POSTING = ("title", "description", "datePosted", "hiringOrganization", "jobLocation")
RECOMMENDED_POSTING = ("validThrough", "employmentType", "identifier", "url")


def postings(path: Path) -> list[dict]:
    return [json.loads(s.string) for s in soup_of(path).find_all("script", type="application/ld+json")]


def job_posting_problems(out: Path) -> list[str]:
    """Each listed position's page has one JobPosting with Google's required properties; no other page has any."""
    problems: list[str] = []
    data = feed(out)
    base = data["site"]["url"]
    listed = {item["url"][len(base):] + "index.html": item for item in data["positions"]}
    for rel in html_pages(out):
        found = [p for p in postings(out / rel) if p.get("@type") == "JobPosting"]
        if rel not in listed:
            if found:
                problems.append(f"{rel}: JobPosting data on a page that is not an open position")
            continue
        if len(found) != 1:
            problems.append(f"{rel}: {len(found)} JobPosting blocks (one expected)")
            continue
        posting, item = found[0], listed[rel]
        missing = [key for key in REQUIRED_POSTING if not posting.get(key)]
        missing += [key for key in RECOMMENDED_POSTING if key != "validThrough" and not posting.get(key)
                    and (key != "identifier" or item.get("code"))]
        if item.get("closes") and not posting.get("validThrough"):
            missing.append("validThrough")
        if missing:
            problems.append(f"{rel}: JobPosting without {', '.join(missing)}")
        if posting.get("title") != item["title"] or posting.get("url") != item["url"]:
            problems.append(f"{rel}: JobPosting title or url differs from the page's ({posting.get('title')!r})")
        org = posting.get("hiringOrganization") or {}
        if not org.get("name"):
            problems.append(f"{rel}: JobPosting hiringOrganization has no name")
    return problems


def feed_problems(out: Path) -> list[str]:
    """sitemap.xml, feed.xml parse; the sitemap and the feed list every open position."""
    problems: list[str] = []
    urls = {item["url"] for item in feed(out)["positions"]}
    trees = {}
    for name in ("sitemap.xml", "feed.xml"):
        try:
            trees[name] = ET.parse(out / name)
        except ET.ParseError as exc:
            problems.append(f"{name} is not well-formed XML: {exc}")
    if "sitemap.xml" in trees:
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        listed = {loc.text for loc in trees["sitemap.xml"].getroot().findall("s:url/s:loc", ns)}
        problems += [f"sitemap.xml does not list {url}" for url in sorted(urls - listed)]
    if "feed.xml" in trees:
        ns = {"a": "http://www.w3.org/2005/Atom"}
        ids = {e.text for e in trees["feed.xml"].getroot().findall("a:entry/a:id", ns)}
        problems += [f"feed.xml has no entry for {url}" for url in sorted(urls - ids)]
    return problems


# --- HTML validity and accessibility ------------------------------------------------------------------

def vnu_problems(out: Path, pages: list[str] | None = None) -> list[str]:
    """The Nu HTML Checker's errors on PAGES (default: every HTML page)."""
    from tests.tools import format_vnu_errors, run_vnu

    targets = [out / rel for rel in (pages if pages is not None else html_pages(out))]
    errors = run_vnu(targets)
    return format_vnu_errors(errors).splitlines() if errors else []


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
AXE_LIMIT = 60  # pages checked with axe: every page of a site up to this size, an even sample beyond


def axe_pages(out: Path, limit: int = AXE_LIMIT) -> list[str]:
    """The pages to check with axe: all of them, or every listing page and an even sample of the rest."""
    pages = html_pages(out)
    if len(pages) <= limit:
        return pages
    listings = [p for p in pages if not p.startswith("positions/")]
    others = [p for p in pages if p.startswith("positions/")]
    step = max(1, len(others) // max(1, limit - len(listings)))
    return listings + others[::step]


def axe_problems(page, base: str, pages: list[str]) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on each of PAGES (paths below the served BASE URL), by page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems: list[str] = []
    for rel in pages:
        url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        response = page.goto(url)
        if response is None or response.status not in (200, 404):
            problems.append(f"{rel}: HTTP {response.status if response else 'no response'}")
            continue
        results = axe.run(page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            targets = "; ".join(",".join(node["target"]) for node in violation["nodes"][:3])
            problems.append(f"{rel}: {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return problems


# --- the publishing schedule ----------------------------------------------------------------------------

def schedule_problems(root: Path, workflow: Path) -> list[str]:
    """The daily publish (which takes closed positions down) runs just after midnight in site.toml's time zone."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import yaml

    if not workflow.is_file():
        return []
    timezone = tomllib.loads((root / "site.toml").read_text(encoding="utf-8")).get("timezone", "Asia/Shanghai")
    crons = [entry["cron"] for entry in (yaml.safe_load(workflow.read_text(encoding="utf-8"))[True].get("schedule") or [])]
    problems = []
    for cron in crons:
        minute, hour = (int(x) for x in cron.split()[:2])
        for day in (dt.date(2026, 1, 15), dt.date(2026, 7, 15)):  # winter and summer
            local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.timezone.utc).astimezone(ZoneInfo(timezone))
            if not (local.hour == 0 and 0 < local.minute <= 30):
                problems.append(f"{workflow.name}: cron {cron!r} runs at {local:%H:%M} in {timezone} on {day}; "
                                "it should run just after midnight there, so that closed positions go down on time")
    if not crons:
        problems.append(f"{workflow.name} has no daily schedule: closed positions would stay listed until the next merge")
    return problems
