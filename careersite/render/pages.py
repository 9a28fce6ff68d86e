"""Site -> every file of the site as path -> Artifact: pages from Jinja templates (autoescaped, strict), static
files, 404, sitemap and feeds. An Artifact is made when asked; the same key always makes the same bytes."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
import jinja2.bccache
from markupsafe import Markup, escape

from ..errors import format_message
from ..load.config import STATIC_DIR, TEMPLATES_DIR, Category, phone_href
from ..load.content import is_ignored
from ..load.fields import FILTER_FIELDS, in_choice_order
from ..model.salary import salary_text
from ..model.site import Position, Site
from .feeds import FILES as DISCOVERY_FILES, Discovery
from .jobposting import job_posting, json_ld
from .shareimage import HEIGHT as SHARE_HEIGHT, WIDTH as SHARE_WIDTH, font_identity, share_font, share_png
from .qr import qr_data_uri


@dataclass(frozen=True, slots=True)
class Artifact:
    """One output file: KEY digests everything its bytes are made from; MAKE makes them."""

    key: str
    make: Callable[[], bytes]
    kind: str  # home, category, position, static, discovery, search: what a build reports it rendered


@dataclass(frozen=True, slots=True)
class Bundle:
    """Output files under one folder that are made together (the search index): KEY digests what they are made from,
    INPUTS; MAKE makes {path: bytes}, every path below the folder it is filed under. UPDATE(inputs, read) makes the same
    from the files of a bundle made from INPUTS, as READ gives them: None for a file as it was; None if it cannot."""

    key: str
    make: Callable[[], dict[str, bytes]]
    kind: str
    inputs: object
    update: Callable[[object, Callable[[str], bytes | None]], dict[str, bytes | None] | None]


def digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def config_key(config) -> str:
    """Everything of the configuration that output depends on (not where the site folder is)."""
    return repr(dataclasses.replace(config, root=Path("."), messages={}, lines={}))


@dataclass(frozen=True)
class Page:
    """A listing page of one category with its slice of positions."""

    number: int
    count: int
    positions: tuple[Position, ...]


SUGGESTED = 4  # open positions a closed position's page suggests


def static_files(root: Path) -> list[tuple[str, Path]]:
    """(output path, source path) for every file under ROOT/static, sorted, editor files skipped."""
    base = root / STATIC_DIR
    paths = sorted(base.rglob("*")) if base.is_dir() else []
    return [(f"{STATIC_DIR}/{path.relative_to(base).as_posix()}", path) for path in paths
            if path.is_file() and not any(is_ignored(part) for part in path.relative_to(base).parts)]


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates by name and source checksum, for whoever builds many times in one process (the
    dev server between saves): compiling them all again was much of a rebuild."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (data := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(data)  # checks the source checksum: a stale entry is ignored

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


def environment(root: Path, bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The site's templates, each compiled once (BYTECODE_CACHE: compiled templates kept by the dev server)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(root / TEMPLATES_DIR)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, auto_reload=False, bytecode_cache=bytecode_cache)


def category_path(category: Category, page: int = 1) -> str:
    return f"categories/{category.key}/" + (f"page/{page}/" if page > 1 else "")


def breakable_url(url: str) -> Markup:
    """URL with a line-break opportunity (<wbr>) after each path's slash: printed, it wraps between words of
    the address, never inside one."""
    scheme, sep, rest = url.partition("://")
    return Markup(escape(scheme) + sep) + Markup("/<wbr>").join(escape(part) for part in rest.split("/"))


def share_path(category: Category | None) -> str:
    """The share picture of CATEGORY (its positions use it too), or of the site."""
    return f"share/categories/{category.key}.png" if category else "share/site.png"


class Pages:
    """Renders the files of one Site. Templates see the site's configuration, never the date: what a page
    shows of time comes from Site.state, which is part of the page's key."""

    def __init__(self, site: Site, env: jinja2.Environment | None = None) -> None:
        self.site = site
        config = site.config
        self.static_bytes = {rel: path.read_bytes() for rel, path in static_files(config.root)}
        self.static_digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in self.static_bytes.items()}
        self.env = env or environment(config.root)
        self.env.globals.update(
            config=config, ui=config.ui, url=self.url, abs_url=self.abs_url, asset=self.asset, t=self.translate,
            categories=config.categories, state=site.state, filter_fields=FILTER_FIELDS,
            intro_html=Markup(site.texts.get("intro", "")),
            apply_instructions_html=Markup(site.texts.get("instructions", "")),
            apply_privacy_html=Markup(site.texts.get("privacy", "")),
            share_image=self.share_image, share_width=SHARE_WIDTH, share_height=SHARE_HEIGHT,
            page_title=self.page_title, phone_href=phone_href, breakable_url=breakable_url,
        )
        self.share_font = share_font()
        self.env.filters["date"] = self.format_date
        self.env.filters["salary"] = lambda p: salary_text(p.salary, p.salary_unit, config.ui)
        templates = config.root / TEMPLATES_DIR
        sources = [(p.relative_to(templates).as_posix(), p.read_bytes()) for p in sorted(templates.rglob("*"))
                   if p.is_file()] if templates.is_dir() else []
        # Everything every page is made from: the configuration, site.toml's texts, the templates, the
        # static files' versions (in asset URLs) and whether drafts are shown.
        self.site_key = digest(config_key(config), sorted(site.texts.items()), site.drafts, sources,
                               sorted((rel, sha[:10]) for rel, sha in self.static_digests.items()))

    # URL helpers: every internal link is root-relative under the base path, so a site published at
    # https://example.github.io/careers/ works with links like /careers/positions/dba/.
    def url(self, path: str = "") -> str:
        return self.site.config.base_path + path.lstrip("/")

    def abs_url(self, path: str = "") -> str:
        return self.site.config.base_url + path.lstrip("/")

    def asset(self, name: str) -> str:
        rel = f"{STATIC_DIR}/{name}"
        if (sha := self.static_digests.get(rel)) is None:
            raise jinja2.TemplateError(f"static file not found: {rel}")
        return f"{self.url(rel)}?v={sha[:10]}"

    def page_title(self, *parts: str) -> str:
        """A page's <title>: its own words, then who is hiring ("风险管理岗 · 风险管理类 · 某公司 招聘")."""
        return " · ".join([p for p in parts if p] + [self.translate("title_company", company=self.site.config.company)])

    # Share pictures (og:image): one for the site and one per category, which its positions share (one a
    # position would cost minutes at 10,000 positions: docs/performance.md).
    def share_inputs(self, category: Category | None) -> tuple[str, str, str, str]:
        config = self.site.config
        address = config.base_url.split("://", 1)[-1].rstrip("/")
        return (config.company, config.ui["share_image_tagline"], category.name if category else "", address)

    def share_image(self, category: Category | None = None) -> dict[str, str]:
        """What a page's og:image tags say: the picture's absolute URL and its text. No ?v= version: only the
        company's and the category's names change the picture, and a ?v= is a new address to every cache."""
        company, tagline, subject, _address = self.share_inputs(category)
        return {"url": self.abs_url(share_path(category)),
                "alt": " · ".join(x for x in (company, subject, tagline) if x)}

    def translate(self, key: str, **values: Any) -> str:
        return format_message(self.site.config.ui[key], **values)  # (plural forms: errors.format_message)

    def format_date(self, value: Any) -> str:
        template = self.site.config.ui["date_format"]
        return template.format(year=value.year, month=value.month, day=value.day) if value else ""

    # What a listing shows
    @functools.cached_property
    def listing(self) -> dict[str, list[Page]]:
        """The pages of each category's listing, by its key."""
        per_page, found = self.site.config.per_page, {}
        for category in self.site.config.categories:
            positions = self.site.open_in(category)
            count = max(1, math.ceil(len(positions) / per_page))
            found[category.key] = [Page(n + 1, count, positions[n * per_page:(n + 1) * per_page]) for n in range(count)]
        return found

    def home_groups(self) -> list[tuple[Category, tuple[Position, ...], int]]:
        """Each category with the positions the home page lists (the first few) and how many are open."""
        shown = self.site.config.home_per_category
        return [(c, self.site.open_in(c)[:shown], len(self.site.open_in(c))) for c in self.site.config.categories]

    @functools.cached_property
    def locations(self) -> list[str]:
        """Work locations of the open positions, most positions first (the home page's filter)."""
        counts = Counter(place for position in self.site.open_positions for place in position.locations)
        return sorted(counts, key=lambda place: (-counts[place], place))

    @functools.cached_property
    def filters(self) -> list[tuple[str, list[str]]]:
        """Each fixed-value field some open position has, with the values they have (the home page's filters)."""
        found = [(field, in_choice_order(field, filter(None, (getattr(p, field) for p in self.site.open_positions))))
                 for field in FILTER_FIELDS]
        return [(field, values) for field, values in found if values]

    def shown(self, positions: tuple[Position, ...]) -> tuple:
        """What a listing is made from of each position it shows."""
        return tuple((p.source, p.digest, self.site.state(p)) for p in positions)

    # Pages
    def render(self, template: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    def home(self) -> bytes:
        return self.render("home.html", groups=self.home_groups(), page_path="",
                           open_count=len(self.site.open_positions), locations=self.locations, filters=self.filters)

    def category(self, category: Category, page: Page) -> bytes:
        return self.render("category.html", category=category, page=page, total=len(self.site.open_in(category)),
                           page_path=category_path(category, page.number), category_path=category_path)

    def suggestions(self, position: Position) -> tuple[Position, ...]:
        """What a closed position's page offers instead: the first open positions of its category."""
        return self.site.open_in(position.category)[:SUGGESTED] if self.site.state(position)[0] else ()

    def position(self, position: Position) -> bytes:
        is_closed, _new, _closing = self.site.state(position)
        # Structured data only for what a search engine may list: open, published positions.
        posting = None if is_closed or position.draft else Markup(json_ld(job_posting(self.site.config, position)))
        return self.render("position.html", position=position, page_path=position.url_path,
                           is_closed=is_closed, job_posting_json=posting, suggestions=self.suggestions(position),
                           qr_src=qr_data_uri(self.abs_url(position.url_path)),
                           category_total=len(self.site.open_in(position.category)) if is_closed else 0)

    def discovery_file(self, rel: str) -> bytes:
        listings = [("", None)] + [(category_path(c, page.number), c) for c in self.site.config.categories
                                   for page in self.listing[c.key]]
        return Discovery(self.site, listings).file(rel)

    def files(self) -> SiteFiles:
        """Every output file, in a stable order; each Artifact worked out when it is looked up."""
        site, cls = self.site, type(self)
        # The whole site's files first: the slowest to make, best started first by parallel workers (performance.md).
        table: dict[str, tuple[str, Callable, Any]] = {"index.html": ("home", cls.home_artifact, None)}
        for rel in DISCOVERY_FILES:  # each made on its own: feed.xml alone is large
            table[rel] = ("discovery", cls.discovery_artifact, rel)
        for category in (None, *site.config.categories):
            table[share_path(category)] = ("image", cls.share_artifact, category)
        for category in site.config.categories:
            for page in self.listing[category.key]:
                table[category_path(category, page.number) + "index.html"] = ("category", cls.category_artifact,
                                                                               (category, page.number))
        table["404.html"] = ("404", cls.not_found_artifact, None)
        for position in site.positions:
            table[position.url_path + "index.html"] = ("position", cls.position_artifact, position)
        for rel in self.static_bytes:
            table[rel] = ("static", cls.static_artifact, rel)
        return SiteFiles(self, table)

    # Each file's key, which digests what its bytes are made from, and how to make them.
    def home_artifact(self, _: None) -> tuple[str, Callable[[], bytes]]:
        home = (tuple((c.key, self.shown(shown), total) for c, shown, total in self.home_groups()),
                len(self.site.open_positions), tuple(self.locations), repr(self.filters))
        return digest(self.site_key, "home", home), self.home

    def category_artifact(self, which: tuple[Category, int]) -> tuple[str, Callable[[], bytes]]:
        category, page = which[0], self.listing[which[0].key][which[1] - 1]
        inputs = (category.key, page.number, page.count, len(self.site.open_in(category)), self.shown(page.positions))
        return digest(self.site_key, "category", inputs), functools.partial(self.category, category, page)

    def position_artifact(self, position: Position) -> tuple[str, Callable[[], bytes]]:
        state = self.site.state(position)
        inputs = (position.source, position.digest, state)
        if state[0]:  # a closed position's page lists open ones of its category
            inputs += (self.shown(self.suggestions(position)), len(self.site.open_in(position.category)))
        return digest(self.site_key, "position", inputs), functools.partial(self.position, position)

    def not_found_artifact(self, _: None) -> tuple[str, Callable[[], bytes]]:
        return digest(self.site_key, "404"), functools.partial(self.render, "404.html", page_path="404.html")

    def share_artifact(self, category: Category | None) -> tuple[str, Callable[[], bytes]]:
        inputs = self.share_inputs(category)
        return (digest("share", inputs, font_identity(self.share_font)),
                functools.partial(share_png, *inputs, font_path=self.share_font))

    @functools.cached_property
    def discovery_key(self) -> str:
        site = self.site
        everything = tuple((p.source, p.digest, site.state(p), site.changed.get(p.source)) for p in site.positions)
        return digest(self.site_key, "discovery", everything, site.changed.get("site.toml"))

    def discovery_artifact(self, rel: str) -> tuple[str, Callable[[], bytes]]:
        return digest(self.discovery_key, rel), functools.partial(self.discovery_file, rel)

    def static_artifact(self, rel: str) -> tuple[str, Callable[[], bytes]]:
        return digest("static", rel, self.static_digests[rel]), functools.partial(bytes, self.static_bytes[rel])


class SiteFiles(Mapping[str, Artifact]):
    """Every output file of a site by path, each Artifact worked out when it is looked up: a dev server that
    serves one page after a save digests that page's inputs, not those of every file of the site."""

    def __init__(self, pages: Pages, table: dict[str, tuple[str, Callable, Any]]) -> None:
        self.pages = pages
        self.table = table  # path -> (kind, the Pages method that works out its key and maker, what it is of)

    def __getitem__(self, rel: str) -> Artifact:
        kind, key_and_make, which = self.table[rel]
        return Artifact(*key_and_make(self.pages, which), kind)

    def first(self, kind: str) -> Artifact | None:
        """The first file of KIND, if there is one (a page of each template: what a dev server makes to check them)."""
        return next((self[rel] for rel, entry in self.table.items() if entry[0] == kind), None)

    def __contains__(self, rel: object) -> bool:  # (Mapping's would work out the artifact)
        return rel in self.table

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)
