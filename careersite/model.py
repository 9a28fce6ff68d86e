"""Validated sources + config -> the frozen Site: positions with defaults, slugs, categories, HTML.

Cross-file rules (one URL per position, known categories) live here; so does the lifecycle.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .config import Category, SiteConfig
from .content import PositionSource, find_category
from .errors import Problems
from .fields import is_valid_slug, slugify
from .mailto import build_mailto, fill_template
from .markup import Renderer, items_to_markdown


@dataclass(frozen=True, slots=True)  # 20,000 of them at 10,000 positions: no __dict__ each
class Section:
    kind: str  # description, responsibilities, requirements, other
    heading: str
    html: str


@dataclass(frozen=True, slots=True)
class Position:
    source: str
    slug: str
    title: str
    category: Category
    code: str
    locations: tuple[str, ...]
    headcount: int | None
    employment_type: str | None
    posted: dt.date | None
    closes: dt.date | None
    salary: str
    apply_email: str
    draft: bool
    summary: str
    sections: tuple[Section, ...]
    apply_subject: str
    apply_body: str
    digest: str = field(default="", compare=False)

    @property
    def mailto(self) -> str:
        """Made when a page asks for it: at 650 bytes a position, not worth keeping 10,000 of them."""
        return build_mailto(self.apply_email, self.apply_subject, self.apply_body)

    @property
    def url_path(self) -> str:
        return f"positions/{self.slug}/"

    def section(self, kind: str) -> Section | None:
        return next((s for s in self.sections if s.kind == kind), None)

    def is_closed(self, today: dt.date) -> bool:
        """Closed after the end of its closing day (dates are in the site's time zone)."""
        return self.closes is not None and today > self.closes


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    positions: tuple[Position, ...]  # every published position, open or closed, in listing order
    today: dt.date
    drafts: bool = False

    @cached_property  # computed once: listings ask for it once per page
    def open_positions(self) -> tuple[Position, ...]:
        return tuple(p for p in self.positions if not p.is_closed(self.today))

    @property
    def closed_positions(self) -> tuple[Position, ...]:
        return tuple(p for p in self.positions if p.is_closed(self.today))

    def open_in(self, category: Category) -> tuple[Position, ...]:
        return self._open_by_category.get(category.key, ())

    @cached_property
    def _open_by_category(self) -> dict[str, tuple[Position, ...]]:
        groups: dict[str, list[Position]] = {}
        for position in self.open_positions:
            groups.setdefault(position.category.key, []).append(position)
        return {key: tuple(group) for key, group in groups.items()}

    def is_open(self, position: Position) -> bool:
        return not position.is_closed(self.today)


def today_in(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


def plain_text(html_text: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (for descriptions and summaries)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _sections(source: PositionSource, renderer: Renderer) -> tuple[Section, ...]:
    values = source.fields
    result: list[Section] = []
    if "description" in values:
        result.append(Section("description", "", renderer.render(values["description"])))
    for kind in ("responsibilities", "requirements"):
        if kind in values:
            value = values[kind]
            text = items_to_markdown(value) if isinstance(value, tuple) else value
            result.append(Section(kind, "", renderer.render(text)))
    for section in source.sections:
        rendered = renderer.render(section.markdown)
        if rendered or section.kind in ("responsibilities", "requirements"):
            result.append(Section(section.kind, section.heading if section.kind == "other" else "", rendered))
    order = {"description": 0, "responsibilities": 1, "requirements": 2, "other": 3}
    return tuple(sorted(result, key=lambda s: order[s.kind]))


def make_position(source: PositionSource, config: SiteConfig, category: Category, slug: str,
                  renderer: Renderer) -> Position:
    values: dict[str, Any] = {**config.defaults, **source.fields}
    sections = _sections(source, renderer)
    apply_email = values.get("apply_email") or config.apply.email
    locations = tuple(values.get("location", ()))
    fills = {
        "title": values["title"], "code": values.get("code", ""), "category": category.name,
        "company": config.company, "location": config.ui["list_separator"].join(locations),
    }
    subject = fill_template(config.apply.subject, fills, one_line=True)
    body = fill_template(config.apply.body, fills, one_line=False) if config.apply.body else ""
    summary = values.get("summary", "")
    if not summary:
        duties = next((s for s in sections if s.kind == "responsibilities"), None)
        first = next((s for s in sections if s.html), None)
        summary = plain_text((duties or first).html) if (duties or first) else ""
    return Position(
        source=source.path, slug=slug, title=values["title"], category=category, code=values.get("code", ""),
        locations=locations, headcount=values.get("headcount"), employment_type=values.get("employment_type"),
        posted=values.get("posted"), closes=values.get("closes"), salary=values.get("salary", ""),
        apply_email=apply_email, draft=bool(values.get("draft", False)), summary=summary, sections=sections,
        apply_subject=subject, apply_body=body,
        digest=source.digest,
    )


def _sort_key(position: Position) -> tuple:
    # Newest first; among equal dates the HR reference number keeps the order HR chose.
    posted = position.posted.toordinal() if position.posted else 0
    return (-posted, position.code or "\uffff", position.title, position.slug)


def resolve_slug(source: PositionSource) -> str | None:
    """The URL name: `slug:` or the file name, else one made from the file name; None if none can be."""
    slug = source.fields.get("slug") or source.stem
    if is_valid_slug(slug):
        return slug
    # "风险管理岗.md" -> feng-xian-guan-li-gang; "Risk Manager.md" -> risk-manager
    return slugify(source.stem) or None


def build_site(config: SiteConfig, sources: list[PositionSource], problems: Problems, *,
               today: dt.date, drafts: bool = False, made: Mapping[str, Position] | None = None) -> Site:
    """Apply defaults, resolve categories and slugs, check one URL per position, order listings.

    MADE holds positions already made from these sources (by source path), e.g. by a build cache.
    """
    renderer = Renderer()
    by_slug: dict[str, PositionSource] = {}
    positions: list[Position] = []
    for source in sources:
        line, col = source.lines.get("category", (1, 1))
        category = find_category(source.fields["category"], config.categories, source.path, line, col, problems)
        if category is None:
            continue
        slug = resolve_slug(source)
        if slug is None:
            problems.error(source.path, 1, 1, "slug_from_filename", name=source.stem, suggestion="position-name")
            continue
        if slug in by_slug:
            line, col = source.lines.get("slug", (1, 1))
            problems.error(source.path, line, col, "slug_duplicate", slug=slug, other=by_slug[slug].path)
            continue
        by_slug[slug] = source
        closes, posted = source.fields.get("closes") or config.defaults.get("closes"), \
            source.fields.get("posted") or config.defaults.get("posted")
        if closes and posted and closes < posted:
            line, col = source.lines.get("closes", source.lines.get("posted", (1, 1)))
            problems.error(source.path, line, col, "date_order", closes=closes, posted=posted)
            continue
        position = made.get(source.path) if made else None
        if position is None or position.slug != slug or position.digest != source.digest:
            position = make_position(source, config, category, slug, renderer)
        if position.draft and not drafts:
            continue
        positions.append(position)
    order = {c.key: i for i, c in enumerate(config.categories)}
    positions.sort(key=lambda p: (order[p.category.key], _sort_key(p)))
    return Site(config, tuple(positions), today, drafts)
