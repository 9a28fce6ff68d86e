"""Site -> {output path: bytes}: Jinja templates (autoescaped, strict), static files, 404.

Produces bytes only; writing them is output.py's job. Pages are yielded one at a time so memory
stays flat however many positions there are.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
import jinja2.meta
from markupsafe import Markup

from .config import Category
from .content import is_ignored
from .fields import EMPLOYMENT_TYPES
from .markup import Renderer
from .model import Position, Site

TEMPLATES_DIR = "templates"
STATIC_DIR = "static"


@dataclass(frozen=True)
class Page:
    """A listing page of one category (or the home page) with its slice of positions."""

    number: int
    count: int
    positions: tuple[Position, ...]


def static_files(root: Path) -> list[tuple[str, Path]]:
    """(output path, source path) for every file under ROOT/static, sorted, editor files skipped."""
    base = root / STATIC_DIR
    found = []
    if base.is_dir():
        for path in sorted(base.rglob("*")):
            if path.is_file() and not any(is_ignored(part) for part in path.relative_to(base).parts):
                found.append((f"{STATIC_DIR}/{path.relative_to(base).as_posix()}", path))
    return found


class SiteRenderer:
    """Renders every page of a Site. Templates are compiled once per renderer."""

    def __init__(self, site: Site) -> None:
        self.site = site
        config = site.config
        root = config.root
        self.statics = static_files(root)
        self.fingerprints = {
            rel: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for rel, path in self.statics
        }
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(root / TEMPLATES_DIR)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one build renders with one set of templates: no stat() per page
        )
        self.env.globals.update(
            site=site, config=config, ui=config.ui, url=self.url, abs_url=self.abs_url, asset=self.asset,
            t=self.translate, fmt_date=self.format_date, employment_types=EMPLOYMENT_TYPES,
            categories=config.categories, today=site.today,
        )
        self.env.filters["date"] = self.format_date
        markdown = Renderer()
        # Site-wide rich text is rendered once, not once per page.
        self.env.globals.update(
            intro_html=Markup(markdown.render(config.intro)),
            apply_instructions_html=Markup(markdown.render(config.apply.instructions)),
            apply_privacy_html=Markup(markdown.render(config.apply.privacy)),
        )

    # URL helpers: every internal link is root-relative under the base path, so a site published at
    # https://example.github.io/careers/ works with links like /careers/positions/dba/.
    def url(self, path: str = "") -> str:
        return self.site.config.base_path + path.lstrip("/")

    def abs_url(self, path: str = "") -> str:
        return self.site.config.base_url + path.lstrip("/")

    def asset(self, name: str) -> str:
        rel = f"{STATIC_DIR}/{name}"
        version = self.fingerprints.get(rel)
        if version is None:
            raise jinja2.TemplateError(f"static file not found: {rel}")
        return f"{self.url(rel)}?v={version}"

    def translate(self, key: str, **values: Any) -> str:
        return self.site.config.ui[key].format(**values)

    def format_date(self, value: Any) -> str:
        if not value:
            return ""
        return self.site.config.ui["date_format"].format(year=value.year, month=value.month, day=value.day)

    # Listings
    def category_pages(self, category: Category) -> list[Page]:
        positions = self.site.open_in(category)
        per_page = self.site.config.per_page
        count = max(1, math.ceil(len(positions) / per_page))
        return [Page(n + 1, count, positions[n * per_page:(n + 1) * per_page]) for n in range(count)]

    @staticmethod
    def category_path(category: Category, page: int = 1) -> str:
        return f"categories/{category.key}/" + (f"page/{page}/" if page > 1 else "")

    # Pages
    def render(self, template: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    def home(self) -> bytes:
        groups = []
        for category in self.site.config.categories:
            positions = self.site.open_in(category)
            groups.append((category, positions[: self.site.config.home_per_category], len(positions)))
        return self.render("home.html", groups=groups, page_path="", open_count=len(self.site.open_positions))

    def category(self, category: Category, page: Page) -> bytes:
        path = self.category_path(category, page.number)
        return self.render("category.html", category=category, page=page, page_path=path,
                           total=len(self.site.open_in(category)), category_path=self.category_path)

    def position(self, position: Position) -> bytes:
        return self.render("position.html", position=position, page_path=position.url_path,
                           is_closed=position.is_closed(self.site.today))

    def not_found(self) -> bytes:
        return self.render("404.html", page_path="404.html")

    def pages(self) -> Iterator[tuple[str, bytes]]:
        """Every output file as (path relative to the output root, bytes)."""
        for job in self.jobs():
            yield job.path, job.render()

    def jobs(self) -> Iterator[Job]:
        """Every output file as a Job, rendered only when asked. A job's key says what the page shows:
        the same key (under the same templates, config and generator) means the same bytes."""
        yield Job("index.html", None, self.home)
        for category in self.site.config.categories:
            pages = self.category_pages(category)
            for page in pages:
                key = self.listing_key("category", category.key, page.number, page.count, len(self.site.open_in(category)),
                                       *(position_identity(p) for p in page.positions))
                yield Job(self.category_path(category, page.number) + "index.html", key,
                          partial(self.category, category, page))
        for position in self.site.positions:
            key = self.page_key("position.html", "position", *position_identity(position),
                                position.is_closed(self.site.today))
            yield Job(position.url_path + "index.html", key, partial(self.position, position))
        yield Job("404.html", None, self.not_found)
        for rel, path in self.statics:
            yield Job(rel, None, path.read_bytes)

    # Cache keys. A template that reads the global `site` can show any position, so its pages also
    # depend on every position (templates_reading_site decides; usually only home.html does).
    def page_key(self, template: str, *parts: object) -> str:
        if template in self.templates_reading_site:
            parts = (*parts, self.site_identity)
        return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()

    def listing_key(self, *parts: object) -> str:
        return self.page_key("category.html", *parts)

    @cached_property
    def site_identity(self) -> str:
        return hashlib.sha256(repr([position_identity(p) for p in self.site.positions]).encode("utf-8")).hexdigest()

    @cached_property
    def templates_reading_site(self) -> frozenset[str]:
        return frozenset(name for name in ("position.html", "category.html") if "site" in self._globals_used(name))

    def _globals_used(self, name: str, seen: set[str] | None = None) -> set[str]:
        """Undeclared names a template (and everything it extends, includes or imports) reads."""
        seen = set() if seen is None else seen
        if name in seen:
            return set()
        seen.add(name)
        source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
        ast = self.env.parse(source)
        used = set(jinja2.meta.find_undeclared_variables(ast))
        for other in jinja2.meta.find_referenced_templates(ast):
            if other is None:  # a computed template name: assume the worst
                return {"site"}
            used |= self._globals_used(other, seen)
        return used


def position_identity(position: Position) -> tuple[str, str, str]:
    """What determines a Position (besides config and generator): its file, the file's bytes, its slug."""
    return (position.source, position.digest, position.slug)


@dataclass(frozen=True)
class Job:
    """One output file: its path, a cache key (None: always rendered), and how to render it."""

    path: str
    key: str | None
    render: Callable[[], bytes]


def render_site(site: Site) -> Iterator[tuple[str, bytes]]:
    return SiteRenderer(site).pages()
