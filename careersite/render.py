"""Site -> {output path: bytes}: Jinja templates (autoescaped, strict), static files, 404.

Produces bytes only; writing them is output.py's job. Pages are yielded one at a time so memory
stays flat however many positions there are.
"""

from __future__ import annotations

import hashlib
import functools
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from .config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR, Category
from .content import is_ignored
from .fields import EMPLOYMENT_TYPES
from .markup import Renderer
from .model import Position, Site
from .seo import Discovery, content_times, job_posting, json_ld, qr_svg


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


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory by name and source checksum: the dev server makes a new
    renderer per rebuild, and compiling the templates again took 0.1 s of each."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # checks the source checksum; a stale entry is ignored

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()
_TEMPLATE_INPUTS: dict[tuple[str, str], set[str]] = {}  # (template, digest of every template) -> inputs


class SiteRenderer:
    """Renders every page of a Site. Templates are compiled once per renderer."""

    def __init__(self, site: Site, changed: dict | None = None) -> None:
        self.site = site
        self.changed = changed
        self.rendered: Counter[str] = Counter()  # listing pages rendered, by kind (position pages: pipeline)
        self.feed_memo: dict[str, bytes] | None = None  # feed entries of the last build (seo.Discovery)
        self.discovered: Discovery | None = None
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
            bytecode_cache=_COMPILED,
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
        self.rendered["home"] += 1
        return self.render("home.html", groups=self.home_groups(), page_path="",
                           open_count=len(self.site.open_positions), locations=self.locations())

    def home_groups(self) -> list[tuple[Category, tuple[Position, ...], int]]:
        """Each category with the positions the home page lists (the first few) and how many are open."""
        groups = []
        for category in self.site.config.categories:
            positions = self.site.open_in(category)
            groups.append((category, positions[: self.site.config.home_per_category], len(positions)))
        return groups

    def category(self, category: Category, page: Page) -> bytes:
        self.rendered["category"] += 1
        path = self.category_path(category, page.number)
        return self.render("category.html", category=category, page=page, page_path=path,
                           total=len(self.site.open_in(category)), category_path=self.category_path)

    def position(self, position: Position) -> bytes:
        is_closed = position.is_closed(self.site.today)
        # Structured data only for what a search engine may list: open, published positions.
        posting = None if is_closed or position.draft else Markup(json_ld(job_posting(self.site.config, position)))
        qr = Markup(qr_svg(self.abs_url(position.url_path), self.translate("qr_label", title=position.title)))
        return self.render("position.html", position=position, page_path=position.url_path,
                           is_closed=is_closed, job_posting_json=posting, qr_svg=qr)

    @functools.cached_property
    def _locations(self) -> list[str]:
        counts: dict[str, int] = {}
        for position in self.site.open_positions:
            for place in position.locations:
                counts[place] = counts.get(place, 0) + 1
        return sorted(counts, key=lambda place: (-counts[place], place))

    def locations(self) -> list[str]:
        """Work locations of the open positions, most positions first (the home page's filter)."""
        return list(self._locations)

    def discovery(self) -> Discovery:
        config = self.site.config
        changed = self.changed
        if changed is None:
            changed = content_times(config.root, [CONFIG_FILE, *(p.source for p in self.site.positions)])
        listings = [("", None)] + [
            (self.category_path(c, page.number), c) for c in config.categories for page in self.category_pages(c)
        ]
        self.discovered = Discovery(self.site, changed, listings, self.feed_memo)
        return self.discovered

    def not_found(self) -> bytes:
        return self.render("404.html", page_path="404.html")

    def pages(self) -> Iterator[tuple[str, bytes]]:
        """Every output file as (path relative to the output root, bytes)."""
        yield from self.listing_pages()
        for position in self.site.positions:
            yield position_path(position), self.position(position)
        yield from self.other_files()

    def listing_pages(self) -> Iterator[tuple[str, bytes]]:
        """The home page and every page of every category."""
        for rel, _inputs, make in self.listings():
            yield rel, make()

    def listings(self) -> Iterator[tuple[str, tuple, Callable[[], bytes]]]:
        """(path, what the page is made from besides site-wide inputs, how to render it) of each
        listing page. The home page: the positions it lists, the counts, and the locations filter
        (an edit to a position it does not list, that changes neither, leaves it as it was)."""
        shown = tuple((category.key, tuple((p.source, p.digest) for p in positions), total)
                      for category, positions, total in self.home_groups())
        yield "index.html", ("home", shown, len(self.site.open_positions), tuple(self._locations)), self.home
        for category in self.site.config.categories:
            total = len(self.site.open_in(category))
            for page in self.category_pages(category):
                inputs = (category.key, page.number, page.count, total,
                          tuple((p.source, p.digest) for p in page.positions))
                yield (self.category_path(category, page.number) + "index.html", inputs,
                       functools.partial(self.category, category, page))

    def other_files(self, discovery: bool = True) -> Iterator[tuple[str, bytes]]:
        """404, static files and (unless DISCOVERY is false) the DISCOVERY_FILES."""
        yield "404.html", self.not_found()
        if discovery:
            yield from self.discovery_files()
        for rel, path in self.statics:
            yield rel, path.read_bytes()

    def discovery_files(self) -> Iterator[tuple[str, bytes]]:
        """What search engines, feed readers and job boards read: sitemap, robots.txt, feeds."""
        discovery = self.discovery()
        yield "sitemap.xml", discovery.sitemap()
        yield "robots.txt", discovery.robots()
        yield "feed.xml", discovery.atom()
        yield "positions.json", discovery.positions_json()

    def template_inputs(self, template: str) -> set[str]:
        """Which of `today` and `site` TEMPLATE (and what it extends or includes) uses: a cached page
        is reused only while what it is made from, and these, are unchanged."""
        key = (template, self._templates_digest)
        if key not in _TEMPLATE_INPUTS:
            _TEMPLATE_INPUTS[key] = self._template_inputs(template)
        return _TEMPLATE_INPUTS[key]

    @functools.cached_property
    def _templates_digest(self) -> str:
        """Every template's name and bytes, read once per renderer."""
        folder = Path(self.env.loader.searchpath[0])
        return hashlib.sha256(b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sorted(folder.rglob("*"))
                                       if p.is_file())).hexdigest()

    def _template_inputs(self, template: str) -> set[str]:
        names: set[str] = set()
        plain = jinja2.Environment()  # without globals: with them, meta reports no global as used
        pending, seen = [template], set()
        while pending:
            name = pending.pop()
            if name is None:  # a template named at run time: it could use anything
                return {"today", "site"}
            if name in seen:
                continue
            seen.add(name)
            source, filename, _ = self.env.loader.get_source(self.env, name)
            ast = plain.parse(source, name, filename)
            names |= jinja2.meta.find_undeclared_variables(ast)
            pending.extend(jinja2.meta.find_referenced_templates(ast))
        return names & {"today", "site"}


DISCOVERY_FILES = ("sitemap.xml", "robots.txt", "feed.xml", "positions.json")  # what discovery_files() writes


def position_path(position: Position) -> str:
    return position.url_path + "index.html"


def render_site(site: Site, changed: dict | None = None) -> Iterator[tuple[str, bytes]]:
    """CHANGED maps source paths to their last change (seo.content_times); looked up when None."""
    return SiteRenderer(site, changed).pages()
