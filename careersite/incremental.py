"""One build into one output folder that redoes only what changed since the last (cache.py).

Options, positions' files -> scan, processed files, site model, pages, search index -> a Result.
The output is byte-identical to a build from nothing (tests/test_build_cache.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import BuildCache, Manifest, file_key, fingerprint, stat_of, unpack
from .config import CONFIG_FILE, SiteConfig
from .content import CONTENT_DIR, position_files, rescanned
from .errors import Problems
from .lint import lint_dates
from .model import Position, Site, build_site, today_in
from .output import Patch, Staging, WriteStats, clean_leftovers
from .perfile import FileResult
from .search import INDEX_DIR, SearchIndexFailed, build_index
from .seo import change_tops, content_times, git_head, git_times

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
    # Absolute paths reported changed since this process's last build (the dev server); None: look at all.
    changed: frozenset[str] | None = None
    resident: bool = False  # this process builds again (the dev server): keep processed files in memory

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.root / "public"

    @property
    def variant(self) -> tuple[str | None, bool]:
        """What, besides the output folder, makes a build's output (and cache) different."""
        return self.base_url, self.drafts


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


class Build:
    """One build into one output folder, using and then updating what the last one left in the cache."""

    def __init__(self, options: Options, config: SiteConfig, problems: Problems, cache: BuildCache,
                 last_scan: dict[str, Any]) -> None:
        self.options, self.config, self.problems, self.cache = options, config, problems, cache
        self.last_scan = last_scan
        self.root = options.root
        self.out = options.out_dir.absolute()
        self.today = options.today or today_in(config.timezone)
        self.fingerprint = fingerprint(self.root, options.variant)
        self.last = cache.manifest(self.fingerprint)
        self.scanned_ns = time.time_ns()
        self.scan(problems)
        self.mark = len(problems.items)  # what follows is what an unchanged site reports again
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
        self.site_key: str | None = None  # every position's file and digest, hashed (template_extra)

    def scan(self, problems: Problems) -> None:
        """Every position file (its path below root) and its stat, in self.stats. When the dev server
        says which paths changed since its last build, this process's last scan is brought up to date
        instead (content.rescanned): 10,000 files need not be listed and stat-ed for one save."""
        root, changed, last = self.root.absolute(), self.options.changed, self.last_scan
        base = os.fspath(self.root / "_")[:-1]  # root as a prefix of its files' paths ("" for ".")
        if changed is not None and last.get("root") == root:
            files = rescanned(self.root, last["files"], set(changed))
            if files is not None:
                problems.extend(last["problems"])
                again = {os.path.relpath(path, root).replace(os.sep, "/") for path in changed}
                known = last["stats"]
                self.stats = {rel: known[rel] if rel in known and rel not in again else stat_of(base + rel)
                              for rel in files}
                _SCAN.update(last, files=files, stats=self.stats)
                return
        mark = len(problems.items)
        files = position_files(self.root, problems)
        self.stats = {rel: stat_of(base + rel) for rel in files}
        _SCAN.clear()
        _SCAN.update(root=root, files=files, stats=self.stats, problems=problems.items[mark:])

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
        out, stat = os.path.join(os.fspath(self.out), ""), os.stat
        for rel, entry in last.outputs.items():  # 20,000 files at 10,000 positions: kept tight
            try:
                st = stat(out + rel)
            except OSError:
                return False
            if (st.st_size, st.st_mtime_ns, st.st_ino) != entry[0]:
                return False
        return True

    def run(self) -> Result:
        problems, last = self.problems, self.last
        # What a killed build left beside the output, whether or not we write (the dev server's search
        # index build is killed by the next save; it removes them itself a second later).
        clean_leftovers(self.out, remove=not self.options.search_later)
        if self.up_to_date():
            problems.extend(last.problems)
            if self.options.strict and problems.warnings:
                return Result(problems)
            if self.reread:  # now known to be unchanged as of this scan: not read again next time
                self.cache.save_manifest(dataclasses.replace(last, scanned_ns=self.scanned_ns))
            files = len(last.outputs)
            return Result(problems, counts=last.counts, stats=WriteStats(files, 0, files, 0), written=True,
                          extra={"search_pending": last.search_pending})
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
        return Result(problems, site, stats, written=True, rendered=rendered,
                      extra={"search_pending": self.search_pending})

    # Position files ---------------------------------------------------------------------------
    def process_files(self) -> dict[str, FileResult]:
        """Every position file's FileResult: from memory or the cache when its bytes are known, else
        made now (in worker processes when there are many) and stored in the cache as they come
        (entries are named by content: right whether or not this build succeeds)."""
        known = {rel: file_key(rel, digest) for rel, digest in self.digests.items() if digest}
        memory = _MEMORY if _MEMORY.get("fingerprint") == self.fingerprint and self.options.resident else {}
        blobs = self.cache.get_many(key for key in known.values() if key not in memory)
        results: dict[str, FileResult] = {}
        for rel, key in known.items():
            value = memory.get(key)
            if value is None:
                value = unpack(blobs.pop(key, None))
            if isinstance(value, FileResult) and value.path == rel:
                results[rel] = value
        del blobs
        todo = [self.root / rel for rel in self.stats if rel not in results]
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
        if self.options.resident:
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
        """Every output file, made or reused, then the search index; swapped in (or patched) whole."""
        from .render import position_path

        last = self.last
        renderer = self.renderer(site)
        pages: dict[str, str] = {}  # output path -> what it was rendered from
        placed = [(position_path(position), position) for position in site.positions]
        writer = self.writer(self.position_keys(renderer, site, placed, pages))
        with writer:
            self.write_listings(writer, renderer, site, pages)
            jobs = self.write_positions(writer, renderer, placed, pages)
            committed = self.write_other_files(writer, renderer, site)
            self.keep_feed_entries(renderer)
            search_key = self.search_index(writer)
            # What a Patch kept or trusted is made or checked again by the next build.
            self.search_pending |= isinstance(writer, Patch)
            stats = writer.commit(removed=len(last.outputs.keys() - writer.files.keys()) if last.outputs else None)
        manifest = Manifest(
            fingerprint=self.fingerprint, today=self.today.isoformat(), git_head=self.git_head,
            scanned_ns=self.scanned_ns, sources={rel: (self.stats[rel], self.digests[rel]) for rel in self.results},
            outputs=writer.files, pages=pages, problems=tuple(self.problems.items[self.mark:]), search_key=search_key,
            search_pending=self.search_pending,
            git_times=committed if self.git_head else {}, counts=(len(site.positions), len(site.config.categories)),
        )
        rendered = renderer.rendered + Counter(position=len(jobs))
        return manifest, stats, rendered

    def renderer(self, site: Site) -> SiteRenderer:
        """Jinja (imported only when a build has work), with this process's feed entries by position."""
        from .render import SiteRenderer

        renderer = SiteRenderer(site, {})  # its change times are found by write_other_files, if needed
        if _FRAGMENTS.get("fingerprint") != self.fingerprint:
            _FRAGMENTS.clear()
            _FRAGMENTS.update(fingerprint=self.fingerprint, entries=self.cache.fragments())
        renderer.feed_memo = _FRAGMENTS["entries"]
        return renderer

    def keep_feed_entries(self, renderer: SiteRenderer) -> None:
        """Store the feed entries this build used (named by what they are made from: right whether
        or not the build succeeds), and let go of them unless this process builds again: they are
        40 MB at 10,000 positions, and the search index is still to come."""
        discovered, renderer.discovered, renderer.feed_memo = renderer.discovered, None, None
        if discovered is None:  # (the discovery files were kept as they were)
            return
        self.cache.save_fragments(discovered.used, _FRAGMENTS["entries"])
        if self.options.resident:
            _FRAGMENTS["entries"] = discovered.used
        else:
            _FRAGMENTS.clear()

    def position_keys(self, renderer: SiteRenderer, site: Site, placed: list[tuple[str, Position]],
                      pages: dict[str, str]) -> int:
        """Each position page's key (what it is made from) into PAGES; how many must be rendered."""
        extra = self.template_extra(renderer, "position.html", site)
        last, renders = self.last, 0
        for rel, position in placed:
            key = pages[rel] = f"{position.source}\0{position.digest}\0{position.is_closed(site.today)}{extra}"
            renders += last.pages.get(rel) != key or rel not in last.outputs  # (intact or not: writer.reuse)
        return renders

    def write_listings(self, writer: Staging | Patch, renderer: SiteRenderer, site: Site, pages: dict[str, str]) -> None:
        """The home page and every category page: reused while their keys are unchanged."""
        extras = {name: self.template_extra(renderer, f"{name}.html", site) for name in ("home", "category")}
        for rel, inputs, make in renderer.listings():
            # hashed: a listing's inputs name its positions, and the manifest is read by every build
            extra = extras["home" if rel == "index.html" else "category"]
            key = pages[rel] = hashlib.sha256(f"{inputs!r}{extra}".encode()).hexdigest()
            if not self.reuse(writer, rel, key):
                writer.write(rel, make(), self.last.outputs.get(rel))

    def write_positions(self, writer: Staging | Patch, renderer: SiteRenderer, placed: list[tuple[str, Position]],
                        pages: dict[str, str]) -> list[tuple[str, Position]]:
        """Every position page not reused: in this process for a patch, else by the workers (who write
        into the staging folder themselves). Returns those rendered."""
        from .parallel import render_positions  # multiprocessing: only when a build has work

        last = self.last
        jobs = [(rel, position) for rel, position in placed if not self.reuse(writer, rel, pages[rel])]
        if isinstance(writer, Patch):
            for rel, position in jobs:
                writer.write(rel, renderer.position(position), last.outputs.get(rel))
            return jobs
        for rel, _position in jobs:
            writer.claim(rel)
        for rel, stat, sha, written in render_positions(renderer, jobs, writer.dir, self.out, last.outputs):
            writer.adopt(rel, stat, sha, written)
        return jobs

    def write_other_files(self, writer: Staging | Patch, renderer: SiteRenderer, site: Site) -> dict:
        """404, static files, and the discovery files unless they can wait (discovery_later). Returns
        the git times the manifest keeps."""
        from .render import DISCOVERY_FILES

        last = self.last
        later = self.discovery_later(writer, DISCOVERY_FILES)
        committed = last.git_times
        if not later:
            renderer.changed, committed = self.changed_times(site)
        for rel, data in renderer.other_files(discovery=not later):
            writer.write(rel, data, last.outputs.get(rel))
            del data  # feed.xml (20 MB at 10,000) is not kept while positions.json is made
        return committed

    def writer(self, renders: int) -> Staging | Patch:
        """A new tree swapped in whole; or, for the dev server's preview when few pages change and the
        search index can wait, the changed files written in place (linking 10,000 unchanged pages
        into a new tree and deleting the old one was 1 s of every save)."""
        from .parallel import MIN_PARALLEL

        entry = f"{INDEX_DIR}/pagefind-entry.json"  # the preview has an index, to keep while it is redone
        if self.options.search_later and renders < MIN_PARALLEL and entry in self.last.outputs:
            if stat_of(os.path.join(self.out, entry)) == self.last.outputs[entry][0]:
                return Patch(self.out, self.last.outputs)
        return Staging(self.out)

    def discovery_later(self, writer: Staging | Patch, files: tuple[str, ...]) -> bool:
        """Keep the last sitemap, feeds and positions.json for now? Only in the dev server's preview
        (a Patch), whose browser reloads the pages: the build that brings the search index up to date
        a second later makes them again (0.3 s of every save at 10,000 positions)."""
        last = self.last
        if not isinstance(writer, Patch) or last.git_head != self.git_head or not all(f in last.outputs for f in files):
            return False
        for rel in files:  # kept as they are, as a patch keeps everything it does not write
            writer.reuse(rel, last.outputs[rel])
        return True

    def template_extra(self, renderer: SiteRenderer, template: str, site: Site) -> str:
        """The part of TEMPLATE's page keys that comes from `today` or the whole `site`, if it uses them."""
        depends = renderer.template_inputs(template)
        extra = f"\0{self.today.isoformat()}" if "today" in depends else ""
        if "site" in depends:
            if self.site_key is None:
                self.site_key = hashlib.sha256(repr([(p.source, p.digest) for p in site.positions]).encode()).hexdigest()
            extra += "\0" + self.site_key
        return extra

    def reuse(self, staging: Staging | Patch, rel: str, key: str) -> bool:
        """Link the last build's REL into the new tree if it was made from KEY and is still intact."""
        previous = self.last.outputs.get(rel)
        return self.last.pages.get(rel) == key and previous is not None and staging.reuse(rel, previous)

    def search_index(self, staging: Staging | Patch) -> str:
        """Index the staged pages, or reuse the last index if every page it read is unchanged.

        With search_later (the dev server, so the browser reloads without waiting for Pagefind) a
        changed site keeps the last index for now; the empty key makes the next build index it. A
        patch always keeps it: the build after every patch is due anyway.
        """
        last = self.last
        index = [(rel, entry) for rel, entry in last.outputs.items() if rel.startswith(INDEX_DIR + "/")]
        if isinstance(staging, Patch):  # (only made when the preview has an index: see writer())
            for rel, entry in index:
                staging.reuse(rel, entry)
            return ""
        pages = sorted((rel, sha) for rel, (_stat, sha) in staging.files.items() if rel.endswith(".html"))
        key = hashlib.sha256(repr(pages).encode()).hexdigest()
        later = self.options.search_later and key != last.search_key
        if (key == last.search_key or later) and index and all(staging.reuse(rel, entry) for rel, entry in index):
            self.search_pending = later
            return "" if later else key
        shutil.rmtree(staging.dir / INDEX_DIR, ignore_errors=True)
        for rel, _entry in index:
            staging.files.pop(rel, None)
        from .parallel import worker_count

        if not build_index(staging.dir, self.problems, cache_dir=self.cache.folder / "search", workers=worker_count(),
                           files=[rel for rel, _sha in pages]):
            return ""
        staging.add_tree(INDEX_DIR)
        return key


_MEMORY: dict[str, Any] = {}  # this process's last FileResults (a dev server rebuilds many times)
_SCAN: dict[str, Any] = {}  # and its last scan of the position files
_FRAGMENTS: dict[str, Any] = {}  # and its last feed entries


def _digest_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def open_cache(options: Options) -> BuildCache:
    """The cache of builds into OPTIONS' output folder with its options."""
    return BuildCache.open(options.root, options.out_dir, options.variant)


def preload(options: Options) -> None:
    """Read what the last build into OPTIONS' output folder left, ahead of the next build."""
    open_cache(options).preload()


def take_scan() -> dict[str, Any]:
    """This process's last scan of the position files, taken: only a scan that sees the next build's
    changes puts one back."""
    last = dict(_SCAN)
    _SCAN.clear()
    return last
