"""Site -> what search engines, feed readers and job boards read: sitemap.xml, robots.txt, feed.xml (Atom),
positions.json. Bytes, sharing each position's time of last change (Site.changed)."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import cached_property
from itertools import chain
from typing import Iterable

from ..load.config import CONFIG_FILE, Category
from ..model.site import Position, Site
from ..model.salary import number as _number, parse_salary, unit_code
from .jobposting import CURRENCIES, description_html, end_of_day, xml_escape

FEED_VERSION = 1
FILES = ("sitemap.xml", "robots.txt", "feed.xml", "positions.json")
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


class Discovery:
    """Sitemap, robots.txt, Atom feed and positions.json of one site."""

    def __init__(self, site: Site, listings: Iterable[tuple[str, Category | None]]) -> None:
        self.site = site
        self.config = site.config
        self.listings = list(listings)  # (output URL path, category or None for home)
        self.config_time = site.changed.get(CONFIG_FILE, _EPOCH)
        self.published = [p for p in site.open_positions if not p.draft]

    def file(self, rel: str) -> bytes:
        """One of FILES."""
        return {"sitemap.xml": self.sitemap, "robots.txt": self.robots, "feed.xml": self.atom,
                "positions.json": self.positions_json}[rel]()

    def abs_url(self, path: str = "") -> str:
        return self.config.base_url + path.lstrip("/")

    def position_time(self, position: Position) -> dt.datetime:
        return self.site.changed.get(position.source, self.config_time)

    @cached_property
    def _listing_times(self) -> dict[str | None, dt.datetime]:
        """Latest change among the open positions of each category (None: all of them), in one pass."""
        times: dict[str | None, dt.datetime] = {}
        for p in self.site.open_positions:
            when = max(self.position_time(p), self.config_time)
            for key in (p.category.key, None):
                times[key] = max(times.get(key, when), when)
        return times

    def sitemap(self) -> bytes:
        rows = [(self.abs_url(path), self._listing_times.get(cat.key if cat else None, self.config_time))
                for path, cat in self.listings]
        rows += [(self.abs_url(p.url_path), self.position_time(p)) for p in self.published]
        body = "".join(f"<url><loc>{xml_escape(loc)}</loc><lastmod>{stamp(when)}</lastmod></url>\n"
                       for loc, when in rows)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{body}</urlset>\n").encode("utf-8")

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\n\nSitemap: {self.abs_url('sitemap.xml')}\n".encode("utf-8")

    def atom(self) -> bytes:
        config, ui = self.config, self.config.ui
        updated = max([self.config_time, *(self.position_time(p) for p in self.published)])
        home = xml_escape(self.abs_url(), quote=True)
        head = ('<?xml version="1.0" encoding="utf-8"?>\n'
                f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_escape(ui["html_lang"])}">\n'
                f"<id>{home}</id><title>{xml_escape(config.title)}</title>"
                f"<subtitle>{xml_escape(config.description)}</subtitle>"
                f'<link rel="self" type="application/atom+xml" href="{xml_escape(self.abs_url("feed.xml"))}"/>'
                f'<link rel="alternate" type="text/html" href="{home}"/>'
                f"<updated>{stamp(updated)}</updated><author><name>{xml_escape(config.company)}</name></author>\n")
        return _joined(chain([head], map(self._atom_entry, self.published), ["</feed>\n"]))

    def _atom_entry(self, p: Position) -> str:
        ui = self.config.ui
        url = xml_escape(self.abs_url(p.url_path), quote=True)
        published = f"<published>{p.posted.isoformat()}T00:00:00Z</published>" if p.posted else ""
        summary = " · ".join(x for x in (p.category.name, ui["list_separator"].join(p.locations), p.code) if x)
        return (f"<entry><id>{url}</id><title>{xml_escape(p.title)}</title>"
                f'<link rel="alternate" type="text/html" href="{url}"/>'
                f"<updated>{stamp(self.position_time(p))}</updated>{published}"
                f'<category term="{xml_escape(p.category.key)}" label="{xml_escape(p.category.name, quote=True)}"/>'
                f"<summary>{xml_escape(summary + ' — ' + p.summary if p.summary else summary)}</summary>"
                f'<content type="html">{xml_escape(description_html(p, ui))}</content></entry>\n')

    def _json_item(self, p: Position) -> str:
        config = self.config
        salary = parse_salary(p.salary, unit_code(p.salary_unit))
        item = {
            "id": p.slug,
            "url": self.abs_url(p.url_path),
            "title": p.title,
            "code": p.code or None,
            "category": {"key": p.category.key, "name": p.category.name,
                         "url": self.abs_url(f"categories/{p.category.key}/")},
            "locations": list(p.locations),
            "country": config.country,
            "headcount": p.headcount,
            "employment_type": p.employment_type,
            "salary": p.salary or None,
            "salary_range": ({"min": _number(salary[0]), "max": _number(salary[1]), "unit": salary[2],
                              "currency": CURRENCIES.get(config.country.upper(), "CNY")} if salary else None),
            "posted": p.posted.isoformat() if p.posted else None,
            "closes": p.closes.isoformat() if p.closes else None,
            "valid_through": end_of_day(p.closes, config.timezone) if p.closes else None,
            "updated": stamp(self.position_time(p)),
            "summary": p.summary,
            "description_html": description_html(p, config.ui),
            "apply": {"email": p.apply_email, "subject": p.apply_subject, "mailto": p.mailto},
        }
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))

    def positions_json(self) -> bytes:
        """The aggregator feed; its fields are documented in docs/feeds.md."""
        config = self.config
        feed = {
            "version": FEED_VERSION,
            "site": {"title": config.title, "company": config.company, "url": config.base_url,
                     "company_url": config.company_url or None, "language": config.language,
                     "timezone": config.timezone},
            "updated": stamp(max([self.config_time, *(self.position_time(p) for p in self.site.open_positions)])),
            "positions": [],
        }
        # One position a line: readable in a diff, and written by json's C encoder (indent= would make it
        # use the pure-Python one, ten times slower).
        head = json.dumps(feed, ensure_ascii=False, separators=(",", ":"))[: -len("[]}")]
        items = ((",\n" if number else "\n") + item for number, item in enumerate(map(self._json_item, self.published)))
        return _joined(chain([head, "["], items, ["\n]}\n" if self.published else "\n\n]}\n"]))


def _joined(parts: Iterable[str]) -> bytes:
    """PARTS encoded one by one, then joined: a large feed is never held twice."""
    out = io.BytesIO()  # grows in place, and getvalue() hands over its buffer without a copy
    out.writelines(part.encode("utf-8") for part in parts)
    return out.getvalue()
