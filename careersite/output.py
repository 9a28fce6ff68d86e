"""{path: bytes} -> the output folder, all at once: a new tree is staged beside it and swapped in.

A build that fails, or is killed, never leaves a half-written site where the published one was.
Unchanged files are hard-linked from the previous output, so their bytes and times stay the same.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

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
    """Remove staging folders a killed build left beside OUT."""
    parent = out.parent
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry.name.startswith((f"{STAGING_PREFIX}{out.name}-", f"{OLD_PREFIX}{out.name}-")) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def write_output(out: Path, files: Iterable[tuple[str, bytes]]) -> WriteStats:
    """Write every (path, bytes) into a fresh tree and swap it in for OUT in one step.

    Files not in FILES are gone afterwards. If iterating FILES raises, OUT is left untouched.
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


# Incremental output: what a build wrote is remembered (OutputState, kept in the cache), so the next
# build can tell from stat() alone that OUT still holds it, and then touch only what changed.

@dataclass
class OutputState:
    """OUT as the last build left it: every file's (size, mtime_ns, sha256) and every folder's mtime_ns.

    A folder's mtime changes whenever an entry is added to or removed from it, so comparing both with
    stat() shows whether anything (ours or anyone's) changed in OUT since, without reading a byte."""

    files: dict[str, tuple[int, int, str]]
    dirs: dict[str, int]

    def matches(self, out: Path) -> bool:
        base = os.fspath(out.absolute())
        try:
            for rel, (size, mtime_ns, _sha) in self.files.items():
                st = os.lstat(os.path.join(base, rel))
                if st.st_size != size or st.st_mtime_ns != mtime_ns or not stat.S_ISREG(st.st_mode):
                    return False
            for rel, mtime_ns in self.dirs.items():
                if os.lstat(os.path.join(base, rel) if rel else base).st_mtime_ns != mtime_ns:
                    return False
        except OSError:
            return False
        return True


def folder_times(out: Path, files: Iterable[str]) -> dict[str, int]:
    """mtime_ns of OUT and of every folder holding one of FILES."""
    base = os.fspath(out.absolute())
    dirs = {""}
    for rel in files:
        parent = rel.rpartition("/")[0]
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = parent.rpartition("/")[0]
    return {rel: os.lstat(os.path.join(base, rel) if rel else base).st_mtime_ns for rel in dirs}


def stage_write(stage: Path, rel: str, data: bytes) -> tuple[int, int, str]:
    """Write one file into a staging tree; its (size, mtime_ns, sha256). Safe to call from worker processes."""
    relpath = safe_relpath(rel)
    dest = os.path.join(stage, *relpath.parts)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as fh:
        fh.write(data)
    return len(data), os.stat(dest).st_mtime_ns, hashlib.sha256(data).hexdigest()


def same_as_existing(out: Path, rel: str, data: bytes) -> bool:
    """Does OUT already hold exactly DATA at REL (read and compared: used when no OutputState is known)."""
    return _same_bytes(out.joinpath(*safe_relpath(rel).parts), data)


class Staging:
    """A staging folder beside OUT. Files are written into it first; nothing in OUT changes until
    `swap_in` (the whole tree, atomically) or `apply` (the few changed files, one atomic rename each)."""

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.out)
        self.path = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{self.out.name}-", dir=self.out.parent))
        os.chmod(self.path, 0o755)

    def write(self, rel: str, data: bytes) -> tuple[int, int, str]:
        return stage_write(self.path, rel, data)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def swap_in(self, unchanged: Iterable[str]) -> None:
        """Hard-link the UNCHANGED files from OUT into the stage, then swap the stage in for OUT."""
        for rel in unchanged:
            relpath = safe_relpath(rel)
            dest = self.path.joinpath(*relpath.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.out.joinpath(*relpath.parts), dest)
            except FileExistsError:
                pass
            except OSError:
                shutil.copy2(self.out.joinpath(*relpath.parts), dest)
        _swap_in(self.path, self.out)

    def apply(self, written: Iterable[str], removed: Iterable[str]) -> None:
        """Move the WRITTEN files into OUT (each an atomic rename) and delete the REMOVED ones.

        Only for a handful of files: everything was rendered before this, so a failing build never
        gets here, but a build killed in these milliseconds leaves OUT part old, part new (the next
        build notices, because OUT no longer matches what was recorded, and rebuilds the whole tree)."""
        for rel in written:
            parts = safe_relpath(rel).parts
            dest = self.out.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path.joinpath(*parts), dest)
        for rel in removed:
            dest = self.out.joinpath(*safe_relpath(rel).parts)
            try:
                dest.unlink()
            except FileNotFoundError:
                pass
            parent = dest.parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        self.discard()
