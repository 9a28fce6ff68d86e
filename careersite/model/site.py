"""Validated sources + config -> the frozen Site: positions with defaults, slugs and HTML, the cross-file rules,
and the day, which decides each position's state (open or closed): all the pages see of time."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import groupby
from typing import Any, Callable, Iterable, Mapping

from ..errors import Problems
from ..load.config import Category, SiteConfig
from ..load.content import PositionSource
from ..load.fields import is_valid_slug, slugify
from .mailto import build_mailto, fill_template, mailto_problem
from .markup import Renderer, items_to_markdown


BADGE_DAYS = 7  # posted in the last 7 days (today one of them): 新; closing in the next 7 (today one of them): 即将截止
_HREF = re.compile(r'\shref="([^"]*)"')


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
    opens: dt.date | None  # published from this day on (before it, like a draft)
    salary: str
    apply_email: str
    draft: bool
    summary: str
    sections: tuple[Section, ...]
    apply_subject: str
    apply_body: str
    order: int | None = None  # its row in an imported notice: the order HR's table gave
    salary_unit: str | None = None  # 月, 年, 天 or 小时 (load.fields.SALARY_UNITS): per what a bare range is paid
    recruitment_type: str | None = None  # 社招, 校招, 实习
    education: str | None = None
    experience: str | None = None
    digest: str = field(default="", compare=False)  # sha256 of the source file: what the position is made from

    @property
    def mailto(self) -> str:  # made when a page asks for it: long, and cheap to make again
        return build_mailto(self.apply_email, self.apply_subject, self.apply_body)

    @property
    def url_path(self) -> str:
        return f"positions/{self.slug}/"

    def is_closed(self, today: dt.date) -> bool:
        """Closed after the end of its closing day (dates are in the site's time zone)."""
        return self.closes is not None and today > self.closes


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    positions: tuple[Position, ...]  # every published position, open or closed, in listing order
    today: dt.date
    drafts: bool = False
    changed: Mapping[str, dt.datetime] = field(default_factory=dict, compare=False)  # source -> last change
    texts: Mapping[str, str] = field(default_factory=dict)  # site.toml's intro, instructions, privacy as HTML

    @cached_property
    def index(self) -> dict[str, int]:
        """Each position's place in POSITIONS, by its source."""
        return {p.source: n for n, p in enumerate(self.positions)}

    @cached_property
    def titles(self) -> Counter[tuple[str, str]]:
        """How many open, published positions each (category key, title) has."""
        return Counter((p.category.key, p.title) for p in self.open_positions if not p.draft)

    @cached_property  # computed once: listings ask for it once per page
    def open_positions(self) -> tuple[Position, ...]:
        return tuple(p for p in self.positions if not p.is_closed(self.today))

    def open_in(self, category: Category) -> tuple[Position, ...]:
        return self._open_by_category.get(category.key, ())

    @cached_property
    def _open_by_category(self) -> dict[str, tuple[Position, ...]]:
        # (POSITIONS is in listing order: each category's together)
        return {key: tuple(group) for key, group in groupby(self.open_positions, lambda p: p.category.key)}

    def state(self, position: Position) -> tuple[bool, bool, bool]:
        """What a page shows of POSITION that depends on the day: (closed, new, closing soon). A page made
        from the same position in the same state is the same page on any day."""
        closed = position.is_closed(self.today)
        new = position.posted is not None and 0 <= (self.today - position.posted).days < BADGE_DAYS
        closing = not closed and position.closes is not None and (position.closes - self.today).days < BADGE_DAYS
        return closed, new and not closed, closing


def plain_text(html_text: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (for descriptions and summaries); no space after
    Chinese punctuation, where one list item or paragraph ends and the next begins ("规范。 支持" reads wrong)."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())
    return re.sub(r"(?<=[。；：，！？、）」』】》]) ", "", text)


def _source_sections(source: PositionSource) -> list[tuple[str, str, str, int]]:
    """(kind, heading, Markdown, first line) of each text of the position, front matter and body alike."""
    found = []
    for kind in ("description", "responsibilities", "requirements"):
        if kind in source.fields:
            value = source.fields[kind]
            text = items_to_markdown(value) if isinstance(value, tuple) else value
            found.append((kind, "", text, source.lines.get(kind, (1, 1))[0]))
    return found + [(s.kind, s.heading if s.kind == "other" else "", s.markdown, s.body_line) for s in source.sections]


def _check_links(rel: str, markdown: str, line: int, rendered: str, allowed: Iterable[str], problems: Problems) -> None:
    """A mailto: link in a position's text may only go to its own apply address: a pull request must not be
    able to send CVs elsewhere (or copy them with cc/bcc) without touching apply_email, which reviewers watch."""
    for href in _HREF.findall(rendered):
        href = html.unescape(href)
        if (reason := mailto_problem(href, allowed)) is None:
            continue
        address = href[len("mailto:"):].split("?", 1)[0]
        offset = next((n for n, text in enumerate(markdown.split("\n")) if address and address in text), 0)
        problems.error(rel, line + offset, 1, reason, link=href[:80], allowed=" / ".join(dict.fromkeys(allowed)))


def site_texts(config: SiteConfig, problems: Problems) -> dict[str, str]:
    """site.toml's Markdown texts as HTML, rendered once for every page; their mailto: links checked too."""
    renderer = Renderer()
    texts = {}
    for key, markdown in (("intro", config.intro), ("apply.instructions", config.apply.instructions),
                          ("apply.privacy", config.apply.privacy)):
        name = key.removeprefix("apply.")
        texts[name] = renderer.render(markdown)
        _check_links("site.toml", markdown, config.lines.get(key, 1), texts[name], (config.apply.email,), problems)
    return texts


def _sort_key(position: Position) -> tuple:
    # Newest first; among equal dates the order of an imported notice's rows, then the HR reference number,
    # keep the order HR chose.
    posted = position.posted.toordinal() if position.posted else 0
    return (-posted, position.order or 1 << 62, position.code or "\uffff", position.title, position.slug)


def _listing_key(config: SiteConfig) -> Callable[[Position], tuple]:
    """Where a position goes in Site.positions: its category's place in site.toml, then _sort_key."""
    order = {c.key: i for i, c in enumerate(config.categories)}
    return lambda p: (order[p.category.key], _sort_key(p))


def resolve_slug(source: PositionSource) -> str | None:
    """The URL name: `slug:` or the file name, else one made from the file name; None if none can be."""
    slug = source.fields.get("slug") or source.stem
    # else one from the file name: "风险管理岗.md" -> feng-xian-guan-li-gang; "Risk Manager.md" -> risk-manager
    return slug if is_valid_slug(slug) else slugify(source.stem) or None


def position_of(source: PositionSource, config: SiteConfig, renderer: Renderer, problems: Problems) -> Position | None:
    """The Position a valid source makes on its own (None when its slug or dates cannot be used): a function of
    the file's bytes and the configuration alone, so a build cache may keep it by digest."""
    slug = resolve_slug(source)
    if slug is None:
        problems.error(source.path, 1, 1, "slug_from_filename", name=source.stem, suggestion="position-name")
        return None
    values: dict[str, Any] = {**config.defaults, **source.fields}
    closes, opens = values.get("closes"), values.get("opens")
    posted = source.fields.get("posted") or opens or values.get("posted")
    if opens and closes and closes < opens:
        line, col = source.lines.get("opens", (1, 1))
        problems.error(source.path, line, col, "opens_after_closes", opens=opens, closes=closes)
        return None
    if closes and posted and closes < posted:
        line, col = source.lines.get("closes", source.lines.get("posted", (1, 1)))
        problems.error(source.path, line, col, "date_order", closes=closes, posted=posted)
        return None
    category = config.category(values["category"])  # known: the content stage checked it
    apply_email = values.get("apply_email") or config.apply.email
    order = {"description": 0, "responsibilities": 1, "requirements": 2, "other": 3}
    sections = []
    for kind, heading, markdown, line in _source_sections(source):
        rendered = renderer.render(markdown)
        _check_links(source.path, markdown, line, rendered, (apply_email, config.apply.email), problems)
        if rendered or kind in ("responsibilities", "requirements"):
            sections.append(Section(kind, heading, rendered))
    sections.sort(key=lambda s: order[s.kind])
    locations = tuple(values.get("location", ()))
    fills = {"title": values["title"], "code": values.get("code", ""), "category": category.name,
             "company": config.company, "location": config.ui["list_separator"].join(locations)}
    summary = values.get("summary", "")
    if not summary:
        duties = next((s for s in sections if s.kind == "responsibilities"), None)
        first = next((s for s in sections if s.html), None)
        summary = plain_text((duties or first).html) if (duties or first) else ""
    return Position(
        source=source.path, slug=slug, title=values["title"], category=category, code=values.get("code", ""),
        locations=locations, headcount=values.get("headcount"), employment_type=values.get("employment_type"),
        posted=posted, closes=closes, opens=opens, salary=values.get("salary", ""), apply_email=apply_email,
        draft=bool(values.get("draft", False)), summary=summary, sections=tuple(sections),
        apply_subject=fill_template(config.apply.subject, fills, one_line=True),
        apply_body=fill_template(config.apply.body, fills, one_line=False), order=values.get("order"),
        salary_unit=values.get("salary_unit"), recruitment_type=values.get("recruitment_type"),
        education=values.get("education"), experience=values.get("experience"), digest=source.digest,
    )


def build_site(config: SiteConfig, positions: Iterable[Position], problems: Problems, *, today: dt.date,
               drafts: bool = False, changed: Mapping[str, dt.datetime] | None = None,
               lines: Mapping[str, Mapping[str, tuple[int, int]]] | None = None) -> Site:
    """The cross-file rules over positions made one by one (position_of): one URL per position, drafts left out
    unless asked for, listing order; JobPosting checks of the open ones. LINES: source -> field -> (line, col)."""
    by_slug: dict[str, Position] = {}
    by_code: dict[str, Position] = {}
    by_title: dict[tuple[str, str], Position] = {}
    kept: list[Position] = []
    for position in positions:
        where = (lines or {}).get(position.source, {})
        if position.slug in by_slug:
            problems.error(position.source, *where.get("slug", (1, 1)), "slug_duplicate", slug=position.slug,
                           other=by_slug[position.slug].source)
            continue
        by_slug[position.slug] = position
        if position.draft or (position.opens and today < position.opens):
            if not drafts:
                continue
            position = replace(position, draft=True)  # the preview shows it as a draft until then
        elif not position.is_closed(today):  # open: a code names one application; equal titles look like a copy
            if position.code and position.code in by_code:
                problems.error(position.source, *where.get("code", (1, 1)), "code_duplicate", code=position.code,
                               other=by_code[position.code].source)
            by_code.setdefault(position.code, position)
            same = by_title.setdefault((position.category.key, position.title), position)
            if same is not position:
                problems.warning(position.source, *where.get("title", (1, 1)), "title_duplicate",
                                 title=position.title, other=same.source)
        kept.append(position)
    kept.sort(key=_listing_key(config))
    site = Site(config, tuple(kept), today, drafts, changed or {}, site_texts(config, problems))
    for position in site.open_positions:  # what JobPosting data needs (errors), or a useful page (a warning)
        if not position.posted:
            problems.error(position.source, 1, 1, "jobposting_no_posted", title=position.title)
        if not position.locations:
            problems.error(position.source, 1, 1, "jobposting_no_location", title=position.title)
        if not any(s.html for s in position.sections):
            problems.warning(position.source, 1, 1, "jobposting_no_description", title=position.title)
    return site


def with_position(site: Site, new: Position, when: dt.datetime) -> Site | None:
    """SITE with the position from NEW's file replaced by NEW (last changed WHEN), if build_site would make just that
    with no problem of NEW's: the same URL, category, code and state, the same place in the listing, a title no other
    open position of its category has, all JobPosting data needs. None if not sure (then build the site anew).
    Looks at NEW's neighbours and titles only: a save of one position in `serve` takes as long on any site."""
    at, today, positions = site.index.get(new.source), site.today, site.positions
    if at is None or new.draft or (new.opens and today < new.opens):
        return None
    old, key = positions[at], _listing_key(site.config)
    if (old.slug, old.category, old.code, old.draft, site.state(old)[0]) != (new.slug, new.category, new.code,
                                                                             False, site.state(new)[0]):
        return None
    if (at and key(positions[at - 1]) >= key(new)) or (at + 1 < len(positions) and key(new) >= key(positions[at + 1])):
        return None
    titles = site.titles
    if not site.state(new)[0]:
        if not (new.posted and new.locations and any(s.html for s in new.sections)):
            return None
        if new.title != old.title:
            if titles[old.category.key, old.title] != 1 or titles[new.category.key, new.title]:
                return None
            titles = titles.copy()
            titles[old.category.key, old.title] -= 1
            titles[new.category.key, new.title] = 1
    made = replace(site, positions=(*positions[:at], new, *positions[at + 1:]),
                   changed={**site.changed, new.source: when})
    vars(made).update(index=site.index, titles=titles)  # (the same sources in the same places)
    return made
