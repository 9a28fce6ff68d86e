"""The only module that knows the order of the stages: config -> content -> model -> render -> output."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
from collections import Counter
import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .cache import BuildCache, Manifest, file_key, fingerprint, stat_of, unpack
from .config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR, SiteConfig, load_config
from .content import CONTENT_DIR, find_position_files, load_positions
from .errors import Problems
from .i18n import DEFAULT_LANGUAGE, load_locale
from .lint import lint_dates, lint_site
from .model import Site, build_site, today_in
from .output import Patch, Staging, WriteStats, clean_leftovers
from .perfile import FileResult
from .search import INDEX_DIR, SearchIndexFailed, build_index
from .seo import change_tops, check_postings, content_times, git_head, git_times

if TYPE_CHECKING:  # render (Jinja) and parallel (multiprocessing) are imported when a build has work
    from .render import SiteRenderer


@dataclass(frozen=True)
class Options:
    root: Path = Path(".")
    out: Path | None = None  # default: ROOT/public
    base_url: str | None = None  # overrides site.toml (the dev server, CI's Pages URL)
    drafts: bool = False
    today: dt.date | None = None  # default: today in the site's time zone
    strict: bool = False  # warnings fail the check or build too
    search_later: bool = False  # keep the last search index if pages changed; the caller builds again soon

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.root / "public"


@dataclass
class Result:
    problems: Problems
    site: Site | None = None
    stats: WriteStats | None = None
    seconds: float = 0.0
    written: bool = False
    extra: dict = field(default_factory=dict)
    counts: tuple[int, int] | None = None  # positions, categories (set when no Site was needed)
    rendered: Counter[str] = field(default_factory=Counter)  # pages rendered (not reused), by kind

    def __post_init__(self) -> None:
        if self.counts is None and self.site is not None:
            self.counts = (len(self.site.positions), len(self.site.config.categories))

    @property
    def ok(self) -> bool:
        return self.counts is not None and not self.problems.has_errors()


def new_problems() -> Problems:
    return Problems(messages=dict(load_locale(DEFAULT_LANGUAGE)[1]))


def load_site(options: Options, problems: Problems) -> Site | None:
    """Gather and validate everything; None when any error was found (all of them reported)."""
    config = load_config(options.root, problems)
    # With a usable config, each file's category is checked with its other fields (all mistakes at once).
    sources = load_positions(options.root, problems, config.categories if config else None)
    if config is None:
        return None
    config = _with_base_url(config, options)
    today = options.today or today_in(config.timezone)
    site = build_site(config, sources, problems, today=today, drafts=options.drafts)
    check_postings(site, problems)
    lint_site(config, sources, today, problems)  # warnings only; never changes the site
    if options.strict and problems.warnings:
        return None
    return None if problems.has_errors() else site


def _with_base_url(config: SiteConfig, options: Options) -> SiteConfig:
    if not options.base_url:
        return config
    base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
    return dataclasses.replace(config, base_url=base)


def unsafe_output_reason(root: Path, out: Path) -> str | None:
    """Why OUT must not be replaced wholesale (it holds the site's sources), or None if it is safe."""
    root, out = root.resolve(), out.resolve()
    if out == root or root.is_relative_to(out):
        return CONFIG_FILE
    for protected in (CONTENT_DIR, Path(TEMPLATES_DIR), Path(STATIC_DIR), Path(".git")):
        target = (root / protected).resolve()
        if out == target or out.is_relative_to(target) or target.is_relative_to(out):
            return protected.as_posix()
    return None


def is_foreign_output(out: Path) -> bool:
    """OUT holds files no build wrote (not empty, no index.html): replacing it would delete them."""
    if not out.exists():
        return False
    if not out.is_dir():
        return True
    return not (out / "index.html").is_file() and any(out.iterdir())


def check(options: Options) -> Result:
    """Validate everything and write nothing."""
    started = time.perf_counter()
    problems = new_problems()
    site = load_site(options, problems)
    return Result(problems, site, seconds=time.perf_counter() - started)  # check: nothing cached, nothing written


def _without_cyclic_gc(function: Callable[..., Result]) -> Callable[..., Result]:
    """A build makes about a million small objects that all live until it ends: the cyclic collector
    would keep re-scanning them and find nothing (docs/performance.md). Restored afterwards."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> Result:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()
    return wrapper


@_without_cyclic_gc
def build(options: Options) -> Result:
    """Validate, then render and write atomically. On any error the output folder is untouched.

    Only what changed since the last build into the same folder is redone (cache.py); the result is
    byte-identical to a build from nothing. Result.rendered counts the pages that were not reused.
    """
    started = time.perf_counter()
    problems = new_problems()
    out = options.out_dir
    reason = unsafe_output_reason(options.root, out)
    if reason:
        problems.error(str(out), 0, 0, "output_unsafe", out=out, reason=reason)
        return Result(problems, seconds=time.perf_counter() - started)
    if is_foreign_output(out):
        problems.error(str(out), 0, 0, "output_foreign", out=out)
        return Result(problems, seconds=time.perf_counter() - started)
    config = load_config(options.root, problems)
    if config is None:
        load_positions(options.root, problems)  # still report every mistake in the position files
        return Result(problems, seconds=time.perf_counter() - started)
    config = _with_base_url(config, options)
    cache = BuildCache.open(options.root, out, (options.base_url, options.drafts))
    try:
        result = Build(options, config, problems, cache).run()
    finally:
        cache.close()
    result.seconds = time.perf_counter() - started
    return result


class Build:
    """One build into one output folder, using and then updating what the last one left in the cache."""

    def __init__(self, options: Options, config: SiteConfig, problems: Problems, cache: BuildCache) -> None:
        self.options, self.config, self.problems, self.cache = options, config, problems, cache
        self.root = options.root
        self.out = options.out_dir.absolute()
        self.today = options.today or today_in(config.timezone)
        self.fingerprint = fingerprint(self.root, (options.base_url, options.drafts))
        self.last = cache.manifest(self.fingerprint)
        self.scanned_ns = time.time_ns()
        self.paths = find_position_files(self.root, problems)
        self.mark = len(problems.items)  # what follows is what an unchanged site reports again
        prefix = len(os.path.join(os.fspath(self.root), ""))  # paths below root as strings: 10,000 of them
        self.stats = {os.fspath(path)[prefix:].replace(os.sep, "/"): stat_of(path) for path in self.paths}
        # Each file's digest: known from the last build when its size, time and inode are unchanged
        # (and not too recent to tell), else read now.
        self.digests: dict[str, str] = {}
        self.reread = 0  # files whose time was too close to the last scan to trust
        for rel, stat in self.stats.items():
            digest = self.last.known_digest(rel, stat)
            if digest is None:
                digest = _digest_of(self.root / rel)
                self.reread += 1
            self.digests[rel] = digest
        self.git_head = git_head(self.root)
        self.search_pending = False

    def up_to_date(self) -> bool:
        """Nothing the output depends on has changed, and the output is as the last build left it."""
        last = self.last
        if not last.outputs or last.today != self.today.isoformat() or last.git_head != self.git_head:
            return False
        if last.search_pending and not self.options.search_later:
            return False
        if set(last.sources) != set(self.stats):
            return False
        # Same bytes is not enough: a file's time is its "last changed" in the feeds when git has none.
        if any(last.sources[rel] != (self.stats[rel], digest) for rel, digest in self.digests.items()):
            return False
        out = os.fspath(self.out)
        return all(stat_of(os.path.join(out, rel)) == entry[0] for rel, entry in last.outputs.items())

    def run(self) -> Result:
        problems, last = self.problems, self.last
        clean_leftovers(self.out)  # what a killed build left beside the output, whether or not we write
        if self.up_to_date():
            problems.extend(last.problems)
            if self.options.strict and problems.warnings:
                return Result(problems)
            if self.reread:  # now known to be unchanged as of this scan: not read again next time
                self.cache.save_manifest(dataclasses.replace(last, scanned_ns=self.scanned_ns))
            files = len(last.outputs)
            return Result(problems, counts=last.counts, stats=WriteStats(files, 0, files, 0), written=True)
        results = self.process_files()
        self.results = results
        sources = []
        for rel in self.stats:
            result = results.get(rel)
            if result is None:
                continue
            problems.extend(result.problems)
            problems.extend(result.lint)
            if result.source is not None:
                sources.append(result.source)
        made = {rel: r.position for rel, r in results.items() if r.position is not None}
        site = build_site(self.config, sources, problems, today=self.today, drafts=self.options.drafts, made=made)
        for position in site.open_positions:
            problems.extend(results[position.source].posting)
        lint_dates(self.config, sources, self.today, problems)  # warnings only; never changes the site
        if problems.has_errors() or (self.options.strict and problems.warnings):
            return Result(problems)
        try:
            manifest, stats, rendered = self.write(site)
        except SearchIndexFailed:
            return Result(problems)
        self.cache.save_manifest(manifest)
        if self.feed_entries is not None:
            self.cache.save_fragments(self.feed_entries, _FRAGMENTS["entries"])
            _FRAGMENTS["entries"] = self.feed_entries
        return Result(problems, site, stats, written=True, rendered=rendered,
                      extra={"search_pending": self.search_pending})

    # Position files ---------------------------------------------------------------------------
    def process_files(self) -> dict[str, FileResult]:
        """Every position file's FileResult: from memory or the cache when its bytes are known, else
        made now (in worker processes when there are many) and stored in the cache as they come
        (entries are named by content: right whether or not this build succeeds)."""
        known = {rel: file_key(rel, digest) for rel, digest in self.digests.items() if digest}
        memory = _MEMORY if _MEMORY.get("fingerprint") == self.fingerprint else {}
        blobs = self.cache.get_many(key for key in known.values() if key not in memory)
        results: dict[str, FileResult] = {}
        for rel, key in known.items():
            value = memory.get(key)
            if value is None:
                value = unpack(blobs.pop(key, None))
            if isinstance(value, FileResult) and value.path == rel:
                results[rel] = value
        del blobs
        todo = [path for path, rel in zip(self.paths, self.stats) if rel not in results]
        from .parallel import process_files  # multiprocessing: only when there is work

        stored: dict[str, bytes] = {}
        for blob, result in process_files(todo, self.root, self.config, self.problems.messages):
            results[result.path] = result
            if result.source is not None:
                stored[file_key(result.path, result.digest)] = blob
            if len(stored) >= 1000:  # not all 10,000 packed copies in memory at once
                self.cache.put_many(stored)
                stored.clear()
        self.cache.put_many(stored, keep={file_key(r.path, r.digest) for r in results.values() if r.source})
        _MEMORY.clear()
        _MEMORY.update({file_key(r.path, r.digest): r for r in results.values() if r.source is not None},
                       fingerprint=self.fingerprint)
        return results

    # Output -------------------------------------------------------------------------------------
    def changed_times(self, site: Site) -> tuple[dict, dict[str, float]]:
        committed = self.last.git_times if self.last.git_head == self.git_head and self.git_head else None
        paths = [CONFIG_FILE, *(p.source for p in site.positions)]
        if committed is None:
            committed = git_times(self.root, change_tops(paths + [CONTENT_DIR.as_posix()]))
        return content_times(self.root, paths, committed), committed

    def write(self, site: Site) -> tuple[Manifest, WriteStats, Counter[str]]:
        from .parallel import render_positions  # Jinja and multiprocessing: only when a build has work
        from .render import SiteRenderer, position_path

        last, problems = self.last, self.problems
        changed, committed = self.changed_times(site)
        renderer = SiteRenderer(site, changed)
        if _FRAGMENTS.get("fingerprint") != self.fingerprint:
            _FRAGMENTS.clear()
            _FRAGMENTS.update(fingerprint=self.fingerprint, entries=self.cache.fragments())
        renderer.feed_memo = _FRAGMENTS["entries"]
        pages: dict[str, str] = {}  # output path -> what it was rendered from
        extra = self.template_extra(renderer, "position.html", site)
        renders = 0
        for position in site.positions:
            rel = position_path(position)
            key = pages[rel] = f"{position.source}\0{position.digest}\0{position.is_closed(site.today)}{extra}"
            renders += last.pages.get(rel) != key or rel not in last.outputs  # (intact or not: writer.reuse)
        writer = self.writer(renders)
        with writer:
            extras = {name: self.template_extra(renderer, f"{name}.html", site) for name in ("home", "category")}
            for rel, inputs, make in renderer.listings():
                # hashed: the home page's inputs name every open position, and the manifest is read by every build
                extra = extras["home" if rel == "index.html" else "category"]
                key = pages[rel] = hashlib.sha256(f"{inputs!r}{extra}".encode()).hexdigest()
                if not self.reuse(writer, rel, key):
                    writer.write(rel, make(), last.outputs.get(rel))
            jobs = []
            for position in site.positions:
                rel = position_path(position)
                if not self.reuse(writer, rel, pages[rel]):
                    jobs.append((rel, position))
            if isinstance(writer, Patch):
                for rel, position in jobs:
                    writer.write(rel, renderer.position(position), last.outputs.get(rel))
            else:
                for rel, _position in jobs:
                    writer.claim(rel)
                for rel, stat, sha, written in render_positions(renderer, jobs, writer.dir, self.out, last.outputs):
                    writer.adopt(rel, stat, sha, written)
            for rel, data in renderer.other_files():
                writer.write(rel, data, last.outputs.get(rel))
                del data  # feed.xml (20 MB at 10,000) is not kept while positions.json is made
            search_key = self.search_index(writer)
            stats = writer.commit(removed=len(last.outputs.keys() - writer.files.keys()) if last.outputs else None)
        manifest = Manifest(
            fingerprint=self.fingerprint, today=self.today.isoformat(), git_head=self.git_head,
            scanned_ns=self.scanned_ns, sources={rel: (self.stats[rel], self.digests[rel]) for rel in self.results},
            outputs=writer.files, pages=pages, problems=tuple(problems.items[self.mark:]), search_key=search_key,
            search_pending=self.search_pending,
            git_times=committed if self.git_head else {}, counts=(len(site.positions), len(site.config.categories)),
        )
        rendered = renderer.rendered + Counter(position=len(jobs))
        self.feed_entries = renderer.discovered.used if renderer.discovered is not None else None
        return manifest, stats, rendered

    def writer(self, renders: int) -> Staging | Patch:
        """A new tree swapped in whole; or, for the dev server's preview when few pages change and the
        search index can wait, the changed files written in place (linking 10,000 unchanged pages
        into a new tree and deleting the old one was 1 s of every save)."""
        from .parallel import MIN_PARALLEL

        last = self.last
        if self.options.search_later and renders < MIN_PARALLEL:
            out = os.fspath(self.out)
            index = [(rel, entry) for rel, entry in last.outputs.items() if rel.startswith(INDEX_DIR + "/")]
            if index and all(stat_of(os.path.join(out, rel)) == entry[0] for rel, entry in index):
                return Patch(self.out, last.outputs)
        return Staging(self.out)

    def template_extra(self, renderer: SiteRenderer, template: str, site: Site) -> str:
        """The part of TEMPLATE's page keys that comes from `today` or the whole `site`, if it uses them."""
        depends = renderer.template_inputs(template)
        extra = f"\0{self.today.isoformat()}" if "today" in depends else ""
        if "site" in depends:
            extra += "\0" + hashlib.sha256(repr([(p.source, p.digest) for p in site.positions]).encode()).hexdigest()
        return extra

    def reuse(self, staging: Staging | Patch, rel: str, key: str) -> bool:
        """Link the last build's REL into the new tree if it was made from KEY and is still intact."""
        previous = self.last.outputs.get(rel)
        return self.last.pages.get(rel) == key and previous is not None and staging.reuse(rel, previous)

    def search_index(self, staging: Staging | Patch) -> str:
        """Index the staged pages, or reuse the last index if every page it read is unchanged.

        With search_later (the dev server, so the browser reloads without waiting for Pagefind) a
        changed site keeps the last index for now; the empty key makes the next build index it.
        """
        pages = sorted((rel, sha) for rel, (_stat, sha) in staging.files.items() if rel.endswith(".html"))
        key = hashlib.sha256(repr(pages).encode()).hexdigest()
        last = self.last
        index = [(rel, entry) for rel, entry in last.outputs.items() if rel.startswith(INDEX_DIR + "/")]
        later = self.options.search_later and key != last.search_key
        if (key == last.search_key or later) and index and all(staging.reuse(rel, entry) for rel, entry in index):
            self.search_pending = later
            return "" if later else key
        shutil.rmtree(staging.dir / INDEX_DIR, ignore_errors=True)
        for rel, _entry in index:
            staging.files.pop(rel, None)
        if not build_index(staging.dir, self.problems, cache_dir=self.cache.folder / "search"):
            return ""
        staging.add_tree(INDEX_DIR)
        return key


_MEMORY: dict[str, Any] = {}  # this process's last FileResults (a dev server rebuilds many times)
_FRAGMENTS: dict[str, Any] = {}  # and its last feed entries


def _digest_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


__all__ = ["Options", "Result", "build", "check", "load_site", "SiteConfig"]
