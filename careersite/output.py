"""{path: bytes} -> the output folder, all at once: a new tree is staged beside it and swapped in.

A build that fails, or is killed, never leaves a half-written site where the published one was.
Unchanged files are hard-linked from the previous output, so their bytes and times stay the same.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-"


class UnsafePath(ValueError):
    """An output path that would land outside the output folder (a bug upstream, never user input)."""


@dataclass(frozen=True)
class WriteStats:
    files: int
    written: int  # new or changed
    unchanged: int
    removed: int


def safe_relpath(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts) or "\\" in rel:
        raise UnsafePath(rel)
    return path


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE). False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _swap_in(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    if _renameat2_exchange(stage, out):
        shutil.rmtree(stage)  # stage now holds the previous output
        return
    old = out.with_name(f"{OLD_PREFIX}{out.name}-{os.getpid()}")
    os.rename(out, old)
    os.rename(stage, out)
    shutil.rmtree(old, ignore_errors=True)


def clean_leftovers(out: Path) -> None:
    """Remove staging folders a killed build left beside OUT.

    Without renameat2 the swap is two renames; a build killed between them leaves OUT missing and
    the published tree under .old-: put it back before anything else.
    """
    parent = out.parent
    if not parent.is_dir():
        return
    if not out.exists():
        olds = sorted((e for e in parent.iterdir() if e.name.startswith(f"{OLD_PREFIX}{out.name}-") and e.is_dir()),
                      key=lambda e: e.stat().st_mtime)
        if olds:
            os.rename(olds[-1], out)
    for entry in parent.iterdir():
        if entry.name.startswith((f"{STAGING_PREFIX}{out.name}-", f"{OLD_PREFIX}{out.name}-")) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def write_output(out: Path, files: Iterable[tuple[str, bytes]],
                 finalize: Callable[[Path], None] | None = None) -> WriteStats:
    """Write every (path, bytes) into a fresh tree and swap it in for OUT in one step.

    Files not in FILES are gone afterwards. If iterating FILES raises, OUT is left untouched.
    FINALIZE(stage_dir) runs on the complete staged tree before the swap (e.g. a search indexer);
    what it adds is published with the rest, and if it raises, OUT is left untouched too.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{out.name}-", dir=out.parent))
    total = written = unchanged = 0
    seen: set[PurePosixPath] = set()
    try:
        os.chmod(stage, 0o755)
        made_dirs: set[Path] = set()
        for rel, data in files:
            relpath = safe_relpath(rel)
            if relpath in seen:
                raise UnsafePath(f"{rel} produced twice")
            seen.add(relpath)
            dest = stage.joinpath(*relpath.parts)
            if dest.parent not in made_dirs:
                dest.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(dest.parent)
            previous = out.joinpath(*relpath.parts)
            total += 1
            if _same_bytes(previous, data):
                try:
                    os.link(previous, dest)
                    unchanged += 1
                    continue
                except OSError:
                    pass
            with open(dest, "wb") as fh:
                fh.write(data)
            written += 1
        if finalize is not None:
            finalize(stage)
            seen |= _files_under(stage)
            total = len(seen)
        removed = _count_removed(out, seen)
        _swap_in(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return WriteStats(total, written, unchanged, removed)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _files_under(root: Path) -> set[PurePosixPath]:
    return {PurePosixPath(Path(d, n).relative_to(root).as_posix()) for d, _dirs, names in os.walk(root) for n in names}


def _count_removed(out: Path, kept: set[PurePosixPath]) -> int:
    if not out.is_dir():
        return 0
    count = 0
    for dirpath, _dirs, names in os.walk(out):
        for name in names:
            rel = PurePosixPath(Path(dirpath, name).relative_to(out).as_posix())
            if rel not in kept:
                count += 1
    return count
