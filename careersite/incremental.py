"""Config + position files -> Site -> output folder, redoing only what changed since the last build.

The same stages in the same order as a build from scratch (read and validate every file, build the
site, check it, render, write), with the cache (cache.py) answering for unchanged inputs and forked
workers (parallel.py) sharing the rest. The output is byte-identical to a build without the cache.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

from .cache import Cache, fingerprint, unpack
from .config import SiteConfig
from .content import CONTENT_DIR, PositionSource, find_position_files
from .errors import Problems
from .model import Position, Site, build_site, position_key, resolve_slug
from .output import OutputState, Staging, UnsafePath, WriteStats, folder_times
from .parallel import parse_files, render_jobs
from .render import SiteRenderer

META = "meta"
RACY_NS = 2_000_000_000  # a file changed this close to the last scan may have kept its size and mtime
IN_PLACE_LIMIT = 200  # more changed files than this: stage a whole new tree and swap it in


class _Objects:
    """Unpacked cache entries: from this process's earlier builds (a dev server rebuilding), else from
    the cache file, else made now. Keys name content (file path and digest), so reuse is safe under
    one fingerprint; a new fingerprint starts empty. Also model.PositionStore for build_site."""

    _memory: dict[str, Any] = {"fingerprint": None, "objects": {}}

    def __init__(self, fp: str, cache: Cache) -> None:
        if self._memory["fingerprint"] != fp:
            self._memory.update(fingerprint=fp, objects={})
        self.objects: dict[str, Any] = self._memory["objects"]
        self.cache = cache
        self.used: set[str] = set()

    def load(self, keys: set[str]) -> None:
        """Fetch the KEYS not in memory from the cache file, in one pass."""
        missing = {key for key in keys if key not in self.objects}
        for key, blob in self.cache.get_blobs(missing).items():
            value = unpack(blob)
            if value is not None:
                self.objects[key] = value

    def add(self, key: str, blob: bytes, value: Any = None) -> Any:
        """Store BLOB under KEY; VALUE is what it holds (unpacked from it when not given)."""
        self.cache.put_blob(key, blob)
        value = self.objects[key] = unpack(blob) if value is None else value
        return value

    def get(self, key: str) -> Any:
        self.used.add(key)
        value = self.objects.get(key)
        if value is None and key.startswith("pos:"):
            self.load({key})
            value = self.objects.get(key)
        return value if not key.startswith("pos:") or isinstance(value, Position) else None

    def put(self, key: str, position: Position) -> None:
        self.used.add(key)
        self.objects[key] = position
        self.cache.put(key, position)

    def forget_unused(self, keep: set[str]) -> None:
        for key in [k for k in self.objects if k not in keep]:
            del self.objects[key]


class LazyPositions(Sequence[Position]):
    """The positions of an unchanged site, read from the cache only if someone asks for them."""

    def __init__(self, root: Path, keys: list[str], fp: str) -> None:
        self.root = root
        self.keys = keys
        self.fp = fp
        self._items: tuple[Position, ...] | None = None

    def _load(self) -> tuple[Position, ...]:
        if self._items is None:
            memory = _Objects._memory["objects"] if _Objects._memory["fingerprint"] == self.fp else {}
            found = {key: memory[key] for key in self.keys if key in memory}
            if len(found) < len(self.keys):
                cache = Cache(self.root).open()
                found.update(cache.get_many([key for key in self.keys if key not in found]))
                cache.close()
            if len(found) != len(self.keys):
                raise RuntimeError("the build cache changed while it was being read; run the build again")
            self._items = tuple(found[k] for k in self.keys)
        return self._items

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):  # type: ignore[override]
        return self._load()[index]

    def __iter__(self) -> Iterator[Position]:
        return iter(self._load())


def build(root: Path, out: Path, config: SiteConfig, problems: Problems, *, today: dt.date, drafts: bool,
          use_cache: bool = True) -> tuple[Site | None, WriteStats | None]:
    """Validate everything, then bring OUT up to date. (None, None) when there are errors: OUT untouched."""
    out = out.absolute()
    cache = Cache(root).open() if use_cache else Cache(root)
    # A build makes hundreds of thousands of small objects that all live until it ends: the cyclic
    # garbage collector would scan them again and again for nothing (it found no cycles to free).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(root, out, config, problems, today, drafts, cache)
    finally:
        cache.close()
        if collecting:
            gc.enable()


def _build(root: Path, out: Path, config: SiteConfig, problems: Problems, today: dt.date, drafts: bool,
           cache: Cache) -> tuple[Site | None, WriteStats | None]:
    timer = _Timer()
    fp = fingerprint(root, ("build", today.isoformat(), drafts, config.base_url))
    meta: Any = cache.get(META)
    if not isinstance(meta, dict) or meta.get("fingerprint") != fp:
        if meta is not None:
            cache.clear()  # built for other templates, config, generator or options
        meta = None
    timer.lap("fingerprint and record of the last build")

    paths = find_position_files(root, problems)
    first_file_problem = len(problems.items)
    scan_ns = time.time_ns()
    prefix = len(os.fspath(root / CONTENT_DIR)) - len(CONTENT_DIR.as_posix())
    by_rel = {os.fspath(path)[prefix:].replace(os.sep, "/"): path for path in paths}
    stats = {}
    for rel, path in by_rel.items():
        try:
            st = os.stat(path)
            stats[rel] = (st.st_size, st.st_mtime_ns)
        except OSError:
            stats[rel] = (-1, -1)
    known_files: dict[str, tuple[int, int, str]] = meta["files"] if meta else {}
    trusted_before = meta["scan_ns"] - RACY_NS if meta else 0
    unchanged = set()
    for rel, st in stats.items():
        if known_files.get(rel, (None, None))[:2] == st:
            # Changed within the clock's resolution of the last scan? Then size and time prove nothing.
            if st[1] < trusted_before or _digest(by_rel[rel]) == known_files[rel][2]:
                unchanged.add(rel)
    # The record of OUT is only good for the folder it was made for (entries are good for any).
    state = OutputState(*meta["output"]) if meta and meta["output"] and meta["out"] == str(out) else None
    if state is not None and not state.matches(out):
        state = None
    timer.lap("scan")

    # Nothing changed anywhere: same inputs, same fingerprint, OUT exactly as we left it.
    if meta and state is not None and len(unchanged) == len(stats) == len(known_files):
        problems.extend(meta["problems"])
        if not meta["ok"]:
            return None, None
        site = Site(config, LazyPositions(root, meta["order"], fp), today, drafts)  # type: ignore[arg-type]
        count = len(state.files)
        return site, WriteStats(count, 0, count, 0)

    # Read and validate what changed (or is not in the cache); reuse the rest.
    objects = _Objects(fp, cache)
    src_keys = {rel: f"src:{rel}:{known_files[rel][2]}" for rel in unchanged}
    objects.load(set(src_keys.values()))
    results: dict[str, tuple[PositionSource | None, list]] = {}
    files: dict[str, tuple[int, int, str]] = {}
    for rel, key in src_keys.items():
        value = objects.get(key)
        if isinstance(value, tuple) and len(value) == 2:
            results[rel] = value
            files[rel] = known_files[rel]
    todo = [(path, rel) for rel, path in by_rel.items() if rel not in results]
    for item in parse_files(todo, root, config, problems.messages):
        key = f"src:{item.rel}:{item.digest}"
        objects.used.add(key)
        results[item.rel] = objects.add(key, item.blob, item.value)
        files[item.rel] = (*item.stat, item.digest)
        if item.position_key and item.position_blob:
            objects.add(item.position_key, item.position_blob, item.position)
    timer.lap(f"read {len(todo)} files")
    sources = []
    for rel in by_rel:
        source, file_problems = results[rel]
        problems.extend(file_problems)
        if source is not None:
            sources.append(source)
    if len(todo) < len(by_rel):  # the positions of unchanged files, in one pass over the cache file
        objects.load({position_key(s.path, s.digest, slug) for s in sources if (slug := resolve_slug(s))})
    site = build_site(config, sources, problems, today=today, drafts=drafts, known=objects)
    del results, sources
    timer.lap("site")
    ok = not problems.has_errors()
    new_meta = {
        "fingerprint": fp, "out": str(out), "scan_ns": scan_ns, "files": files, "problems": problems.items[first_file_problem:],
        "ok": ok, "output": meta["output"] if meta and meta["out"] == str(out) else None,
        "keys": meta["keys"] if meta else {},
        "order": meta["order"] if meta else [],
    }
    if not ok:  # report everything, write nothing; remember the parsing for next time
        cache.put(META, new_meta)
        _save(cache, objects)
        return None, None

    renderer = SiteRenderer(site)
    jobs = list(renderer.jobs())
    timer.lap("plan")
    if len({job.path for job in jobs}) != len(jobs):
        raise UnsafePath("an output path is produced twice")
    keys = meta["keys"] if meta and state is not None else {}
    reuse = {i for i, job in enumerate(jobs)
             if state is not None and job.key is not None and keys.get(job.path) == job.key and job.path in state.files}
    todo_jobs = [i for i in range(len(jobs)) if i not in reuse]

    cache.delete(META)  # until OUT matches the new record, the next build must not trust the old one
    cache.commit()
    stage = Staging(out)
    try:
        rendered = render_jobs(jobs, todo_jobs, stage.path, out, state.files if state else None)
        entries = {jobs[i].path: state.files[jobs[i].path] for i in reuse} if state else {}
        written = []
        for item in rendered:
            entries[jobs[item.index].path] = item.entry
            if item.written:
                written.append(jobs[item.index].path)
        removed = [rel for rel in (state.files if state else ()) if rel not in entries]
        if state is not None and not written and not removed:
            stage.discard()
        elif state is not None and len(written) + len(removed) <= IN_PLACE_LIMIT:
            stage.apply(written, removed)
        else:
            done = set(written)
            stage.swap_in(rel for rel in entries if rel not in done)
    except BaseException:
        stage.discard()
        raise
    timer.lap(f"render and write {len(todo_jobs)} pages")

    new_meta.update(
        output=(entries, folder_times(out, entries)),
        keys={job.path: job.key for job in jobs if job.key is not None},
        order=[position_key(p.source, p.digest, p.slug) for p in site.positions],
    )
    objects.used.update(new_meta["order"])
    cache.put(META, new_meta)
    _save(cache, objects)
    timer.lap("save cache")
    return site, WriteStats(len(jobs), len(written), len(jobs) - len(written), len(removed))


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _save(cache: Cache, objects: _Objects) -> None:
    """Write new entries; forget those no current file or position needs (deleted or changed since)."""
    cache.commit()
    cache.keep_only({META} | objects.used)
    objects.forget_unused(objects.used)


class _Timer:
    """CAREERSITE_TIMING=1 prints how long each stage took (for bench/ and for profiling)."""

    def __init__(self) -> None:
        self.enabled = bool(os.environ.get("CAREERSITE_TIMING"))
        self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        if self.enabled:
            now = time.perf_counter()
            print(f"  {what}: {now - self.last:.3f} s", file=sys.stderr)
            self.last = now
