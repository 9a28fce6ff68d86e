"""Work split across forked processes where it pays: processing position files, rendering position pages.

Workers are forked, so they share the parent's configuration, compiled templates and site without
sending them; they get chunks of indexes and send back packed results (files) or small records
(pages, which they write into the staging folder themselves). Below MIN_PARALLEL items, or with one
CPU, everything runs in this process. CAREERSITE_JOBS=N sets the number of processes (1: none).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .cache import pack, unpack
from .config import SiteConfig
from .markup import Renderer
from .model import Position
from . import output
from .output import Stat
from .perfile import FileResult, process_file
from .procs import die_with_parent
from .render import SiteRenderer

JOBS_ENV = "CAREERSITE_JOBS"
MIN_PARALLEL = 300  # fewer items than this: starting processes costs more than it saves
_STATE: dict[str, Any] = {}  # what forked workers inherit


def worker_count() -> int:
    try:
        wanted = int(os.environ.get(JOBS_ENV, "0"))
    except ValueError:
        wanted = 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return wanted if wanted > 0 else min(len(os.sched_getaffinity(0)), 4)


def _chunks(task: Callable[[range], list], count: int, size: int) -> Iterator[Any]:
    """TASK over range(COUNT) in chunks of SIZE; results in order, as they come."""
    processes = worker_count()
    ranges = [range(start, min(start + size, count)) for start in range(0, count, size)]
    if count < MIN_PARALLEL or processes < 2:
        for part in ranges:
            yield from task(part)
        return
    with multiprocessing.get_context("fork").Pool(processes, initializer=die_with_parent) as pool:
        for part in pool.imap(task, ranges, chunksize=1):
            yield from part


def process_files(paths: Sequence[Path], root: Path, config: SiteConfig,
                  messages: dict[str, str]) -> Iterator[tuple[bytes, FileResult]]:
    """(packed, result) for each of PATHS, in order."""
    _STATE.update(paths=paths, root=root, config=config, messages=messages, pid=os.getpid())
    try:
        for blob, result in _chunks(_process_chunk, len(paths), 100):
            yield blob, result if result is not None else unpack(blob)
    finally:
        _STATE.clear()


def _process_chunk(indexes: range) -> list[tuple[bytes, FileResult | None]]:
    paths, root, config, messages = _STATE["paths"], _STATE["root"], _STATE["config"], _STATE["messages"]
    local = os.getpid() == _STATE["pid"]  # no need to unpack what was just packed
    renderer = Renderer()
    results = []
    for i in indexes:
        result = process_file(paths[i], root, config, messages, renderer)
        results.append((pack(result), result if local else None))
    return results


PageJob = tuple[str, Position]  # output path, position


def render_positions(renderer: SiteRenderer, jobs: Sequence[PageJob], stage: Path, out: Path,
                     previous: dict[str, tuple[Stat, str]]) -> Iterator[tuple[str, Stat, str, bool]]:
    """Render each job's page into STAGE (linked from OUT when unchanged): (path, stat, sha256, written)."""
    _STATE.update(renderer=renderer, jobs=jobs, stage=stage, out=out, previous=previous)
    try:
        yield from _chunks(_render_chunk, len(jobs), 100)
    finally:
        _STATE.clear()


def _render_chunk(indexes: range) -> list[tuple[str, Stat, str, bool]]:
    renderer, jobs, stage, out, previous = (_STATE[k] for k in ("renderer", "jobs", "stage", "out", "previous"))
    results = []
    for i in indexes:
        rel, position = jobs[i]
        stat, sha, written = output.stage_file(stage, out, rel, renderer.position(position), previous.get(rel))
        results.append((rel, stat, sha, written))
    return results
