"""Work split across processes where it pays: reading, validating and rendering the text of position
files, and rendering pages into the staging folder. Small jobs stay in this process.

Worker processes are forked, so they share the parent's compiled templates and site (nothing is sent
to them but numbers); they send back small results and pickled positions, and write pages themselves.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .cache import pack
from .config import SiteConfig
from .content import read_position
from .errors import Problems
from .markup import Renderer
from .model import make_position, position_key, resolve_slug
from .output import same_as_existing, stage_write
from .render import Job

JOBS_ENV = "CAREERSITE_JOBS"
MIN_PARALLEL = 400  # below this many files, starting processes costs more than it saves
_STATE: dict[str, Any] = {}


def worker_count() -> int:
    try:
        wanted = int(os.environ.get(JOBS_ENV, "0"))
    except ValueError:
        wanted = 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return wanted if wanted > 0 else min(os.cpu_count() or 1, 4)


def _run(task: Callable[[range], list], count: int, chunk: int) -> Iterator[Any]:
    """TASK over range(COUNT) in chunks, in forked workers when there is enough work; results in order,
    as they come (so the caller can store and drop them instead of holding them all)."""
    processes = worker_count()
    if count < MIN_PARALLEL or processes < 2:
        _STATE["local"] = True  # results stay in this process: no need to unpickle what was just pickled
        for start in range(0, count, chunk):
            yield from task(range(start, min(start + chunk, count)))
        return
    chunks = [range(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for part in pool.imap(task, chunks, chunksize=1):
            yield from part


@dataclass(frozen=True)
class Parsed:
    """One position file read and validated: pack((PositionSource | None, problems)) and, when it
    passed, its Position made ahead of build_site (which will find it under position_key)."""

    rel: str
    stat: tuple[int, int]  # size, mtime_ns as seen before reading
    digest: str
    blob: bytes
    position_key: str | None = None
    position_blob: bytes | None = None
    value: Any = None  # (source, problems) itself when parsed in this process
    position: Any = None


def parse_files(paths: Sequence[tuple[Path, str]], root: Path, config: SiteConfig | None,
                messages: dict[str, str]) -> Iterator[Parsed]:
    _STATE.update(paths=paths, root=root, config=config, messages=messages)
    try:
        yield from _run(_parse_chunk, len(paths), 250)
    finally:
        _STATE.clear()


def _parse_chunk(indexes: range) -> list[Parsed]:
    paths, root, config, messages = _STATE["paths"], _STATE["root"], _STATE["config"], _STATE["messages"]
    lookup = {c.key: c for c in config.categories} | {c.name: c for c in config.categories} if config else {}
    renderer = Renderer()
    results = []
    for i in indexes:
        path, rel = paths[i]
        try:
            st = os.stat(path)
            stat = (st.st_size, st.st_mtime_ns)
        except OSError:
            stat = (-1, -1)
        problems = Problems(messages=messages)
        source = read_position(path, root, problems)
        digest = source.digest if source is not None else _digest(path)
        key = blob = position = None
        if source is not None and config is not None:
            category = lookup.get(source.fields["category"])
            slug = resolve_slug(source)
            if category is not None and slug is not None:
                key = position_key(source.path, source.digest, slug)
                position = make_position(source, config, category, slug, renderer)
                blob = pack(position)
        value = (source, problems.items)
        if _STATE.get("local"):
            results.append(Parsed(rel, stat, digest, pack(value), key, blob, value, position))
        else:
            results.append(Parsed(rel, stat, digest, pack(value), key, blob))
    return results


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


@dataclass(frozen=True)
class Rendered:
    index: int
    entry: tuple[int, int, str]  # size, mtime_ns, sha256 of the file now (staged, or already in OUT)
    written: bool  # False: OUT already holds these bytes


def render_jobs(jobs: Sequence[Job], indexes: Sequence[int], stage: Path, out: Path,
                previous: dict[str, tuple[int, int, str]] | None) -> list[Rendered]:
    """Render JOBS[i] for i in INDEXES; write into STAGE only what differs from OUT.

    PREVIOUS is what OUT is known to hold (no reading needed); None means compare with OUT's bytes."""
    _STATE.update(jobs=jobs, indexes=indexes, stage=stage, out=out, previous=previous)
    try:
        return list(_run(_render_chunk, len(indexes), 200))
    finally:
        _STATE.clear()


def _render_chunk(positions: range) -> list[Rendered]:
    jobs, indexes, stage, out, previous = (_STATE[k] for k in ("jobs", "indexes", "stage", "out", "previous"))
    results = []
    for n in positions:
        index = indexes[n]
        job = jobs[index]
        data = job.render()
        sha = hashlib.sha256(data).hexdigest()
        if previous is not None:
            known = previous.get(job.path)
            if known is not None and known[2] == sha:
                results.append(Rendered(index, known, False))
                continue
        elif same_as_existing(out, job.path, data):
            st = os.stat(out.joinpath(*job.path.split("/")))
            results.append(Rendered(index, (len(data), st.st_mtime_ns, sha), False))
            continue
        results.append(Rendered(index, stage_write(stage, job.path, data), True))
    return results
