"""Work spread over processes where it pays: making position files' results and writing pages.

concurrent.futures with forked workers: a worker inherits the build's state (configuration, compiled
templates, the artifacts to make) instead of receiving it pickled; it gets ranges of indexes and sends
back small values. Below MIN_PARALLEL items, or with one CPU, everything runs in this process.
CAREERSITE_JOBS=N sets the number of processes (1: none).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, TypeVar

JOBS_ENV = "CAREERSITE_JOBS"
MIN_PARALLEL = 300  # fewer items than this: starting processes costs more than it saves
CHUNK = 100

T = TypeVar("T")
_TASK: Callable[[int], object] | None = None  # in a worker: what its parent asked it to do, by index


def worker_count() -> int:
    wanted = 0
    with contextlib.suppress(ValueError):
        wanted = int(os.environ.get(JOBS_ENV, "0"))
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return wanted if wanted > 0 else min(len(os.sched_getaffinity(0)), 4)


def _start(task: Callable[[int], object]) -> None:
    global _TASK
    _TASK = task
    gc.enable()  # a worker collects its own garbage; what it inherited is frozen (each): its pages stay shared
    _die_with_parent()


def _run(indexes: range) -> list:
    assert _TASK is not None
    return [_TASK(i) for i in indexes]


def each(task: Callable[[int], T], count: int) -> Iterator[T]:
    """TASK(0) ... TASK(COUNT - 1), in order, in worker processes when there are many: forked before this returns
    (TASK and all it refers to come without pickling; what the caller makes meanwhile is not copied into them)."""
    processes = worker_count()
    if count < MIN_PARALLEL or processes < 2:
        return map(task, range(count))
    ranges = [range(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    gc.freeze()  # (until the results are all in)
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=_start,
                               initargs=(task,))
    return _results(pool, pool.map(_run, ranges))  # (submitted: the workers are forked now)


def _results(pool: ProcessPoolExecutor, parts: Iterator[list]) -> Iterator:
    try:
        for part in parts:
            yield from part
    finally:
        pool.shutdown(cancel_futures=True)
        gc.unfreeze()


def _die_with_parent() -> None:
    """In a worker (Linux): be killed with the build, so that no worker writes into a staging folder
    after its build is gone."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util
        import signal

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        parent = os.getppid()
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

