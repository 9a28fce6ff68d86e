"""{path: bytes} -> the output folder, all at once: a new tree is staged beside it and swapped in.

A build that fails, or is killed, never leaves a half-written site where the published one was.
Unchanged files are hard-linked from the previous output, so their bytes and times stay the same.
"""

from __future__ import annotations

import ctypes
import hashlib
import ctypes.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Mapping

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
    return PurePosixPath(checked(rel))


def checked(rel: str) -> str:
    """REL if it is a plain relative path ('a/b.html': no '', '.', '..' parts, no backslash)."""
    if not rel or rel[0] == "/" or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise UnsafePath(rel)
    return rel


_MADE_DIRS: set[str] = set()  # folders this process made in staging trees (each tree's name is new)


def _parent_made(dest: str) -> None:
    parent = os.path.dirname(dest)
    if parent not in _MADE_DIRS:
        os.makedirs(parent, exist_ok=True)
        _MADE_DIRS.add(parent)


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


def clean_leftovers(out: Path, remove: bool = True) -> None:
    """Remove staging folders a killed build left beside OUT (unless REMOVE is false: the dev server,
    whose next search index build removes them, as deleting 20,000 files is not what a save waits for).

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
    if not remove:
        return
    for entry in parent.iterdir():
        if entry.name.startswith((f"{STAGING_PREFIX}{out.name}-", f"{OLD_PREFIX}{out.name}-")) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


Stat = tuple[int, int, int]  # size, mtime_ns, inode: how a later build recognises a file it wrote


def _stat(path: str | os.PathLike[str]) -> Stat:
    st = os.lstat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def stage_file(stage: Path, out: Path, rel: str, data: bytes,
               previous: tuple[Stat, str] | None = None) -> tuple[Stat, str, bool]:
    """Put DATA at REL in the staged tree: hard-linked from OUT when OUT already has these bytes.

    PREVIOUS is what OUT/REL held after the last build (its stat and sha256), if known: then the
    bytes in OUT need not be read. Returns (stat of the staged file, sha256 of DATA, written).
    Used by Staging and by worker processes writing into the same staging folder.
    """
    checked(rel)
    dest = os.path.join(stage, rel)
    _parent_made(dest)
    sha = hashlib.sha256(data).hexdigest()
    existing = os.path.join(out, rel)
    if previous is not None and previous[1] == sha:
        same = _stat_or_none(existing) == previous[0]
    else:
        same = previous is None and _same_bytes(Path(existing), data)
    if same:
        try:
            os.link(existing, dest)
            return _stat(dest), sha, False
        except OSError:
            pass
    with open(dest, "wb") as fh:
        fh.write(data)
    return _stat(dest), sha, True


def _stat_or_none(path: str | os.PathLike[str]) -> Stat | None:
    try:
        return _stat(path)
    except OSError:
        return None


class Staging:
    """A new output tree built beside OUT and swapped in whole by commit(); discarded on any error.

    Files come from write() (bytes), reuse() (OUT's own file, when it is still what the last build
    wrote) or adopt() (written into `dir` by another process). `files` records what the tree holds.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.out)
        self.dir = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{self.out.name}-", dir=self.out.parent))
        _MADE_DIRS.clear()  # a new tree (its name may be one a removed tree had)
        os.chmod(self.dir, 0o755)
        self.files: dict[str, tuple[Stat, str]] = {}  # rel -> (stat, sha256)
        self.written = self.unchanged = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            self.discard()

    def claim(self, rel: str) -> None:
        """Reserve REL (another process will write it); a path produced twice is a bug upstream."""
        checked(rel)
        if rel in self.files:
            raise UnsafePath(f"{rel} produced twice")

    def write(self, rel: str, data: bytes, previous: tuple[Stat, str] | None = None) -> str:
        """Stage DATA at REL; returns its sha256."""
        self.claim(rel)
        stat, sha, written = stage_file(self.dir, self.out, rel, data, previous)
        self.adopt(rel, stat, sha, written)
        return sha

    def reuse(self, rel: str, previous: tuple[Stat, str]) -> bool:
        """Link OUT/REL into the tree if it is still the file PREVIOUS describes; False if not."""
        self.claim(rel)
        existing = os.path.join(self.out, rel)
        if _stat_or_none(existing) != previous[0]:
            return False
        dest = os.path.join(self.dir, rel)
        try:
            _parent_made(dest)
            os.link(existing, dest)
        except OSError:
            return False
        self.adopt(rel, previous[0], previous[1], False)
        return True

    def adopt(self, rel: str, stat: Stat, sha: str, written: bool) -> None:
        self.files[rel] = (stat, sha)
        if written:
            self.written += 1
        else:
            self.unchanged += 1

    def add_tree(self, sub: str) -> None:
        """Record the files something else (the search indexer) wrote under SUB."""
        top = os.fspath(self.dir)
        for dirpath, _dirs, names in os.walk(os.path.join(top, sub)):
            prefix = os.path.normpath(dirpath)[len(top) + 1:]
            for name in names:
                rel = f"{prefix}/{name}" if prefix else name
                if rel not in self.files:
                    self.files[rel] = (_stat(os.path.join(dirpath, name)), "")
                    self.written += 1

    def commit(self, removed: int | None = None) -> WriteStats:
        """Swap the staged tree in for OUT. REMOVED: how many files go, if the caller knows."""
        try:
            if removed is None:
                removed = _count_removed(self.out, self.files)
            _swap_in(self.dir, self.out)
        except BaseException:
            self.discard()
            raise
        return WriteStats(len(self.files), self.written, self.unchanged, removed)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Patch:
    """Brings OUT up to date in place, for a private preview folder (the dev server): only changed
    files are touched, each written beside its place and renamed over it, so no page is ever half
    written; and none is written until commit(), so a failing build leaves OUT as it was. Not for
    published output: between two renames a reader could see a new page beside an old listing
    (build uses Staging). Same interface as Staging."""

    def __init__(self, out: Path, known: Mapping[str, tuple[Stat, str]]) -> None:
        self.out = out.absolute()
        self.dir = self.out
        self.known = known  # what OUT held after the last build
        self.files: dict[str, tuple[Stat, str]] = {}
        self.pending: dict[str, bytes] = {}
        self.written = self.unchanged = 0

    def __enter__(self) -> Patch:
        return self

    def __exit__(self, *_: object) -> None:
        self.pending.clear()

    claim = Staging.claim
    adopt = Staging.adopt

    def write(self, rel: str, data: bytes, previous: tuple[Stat, str] | None = None) -> str:
        self.claim(rel)
        sha = hashlib.sha256(data).hexdigest()
        if previous is not None and previous[1] == sha and _stat_or_none(os.path.join(self.out, rel)) == previous[0]:
            self.adopt(rel, previous[0], sha, False)
        else:
            self.pending[rel] = data
            self.files[rel] = ((0, 0, 0), sha)  # its stat once commit() has written it
        return sha

    def reuse(self, rel: str, previous: tuple[Stat, str]) -> bool:
        """Keep REL as the last build left it, without looking: the preview is private, and every
        patch is followed by a full build (the search index's) that checks every file."""
        if rel in self.files or rel not in self.known:  # (a path the last build wrote was checked then)
            self.claim(rel)
        self.adopt(rel, previous[0], previous[1], False)
        return True

    def commit(self, removed: int | None = None) -> WriteStats:
        for rel, data in self.pending.items():
            dest = os.path.join(self.out, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
            self.adopt(rel, _stat(dest), self.files[rel][1], True)  # (its sha256, from write())
        self.pending.clear()
        gone = [rel for rel in self.known if rel not in self.files]
        for rel in gone:
            path = os.path.join(self.out, rel)
            try:
                os.unlink(path)
                os.removedirs(os.path.dirname(path))  # the folders it leaves empty (stops at the first that is not)
            except OSError:
                pass
        return WriteStats(len(self.files), self.written, self.unchanged, len(gone))


def write_output(out: Path, files: Iterable[tuple[str, bytes]],
                 finalize: Callable[[Path], None] | None = None) -> WriteStats:
    """Write every (path, bytes) into a fresh tree and swap it in for OUT in one step.

    Files not in FILES are gone afterwards. If iterating FILES raises, OUT is left untouched.
    FINALIZE(stage_dir) runs on the complete staged tree before the swap (e.g. a search indexer);
    what it adds is published with the rest, and if it raises, OUT is left untouched too.
    """
    with Staging(out) as staging:
        for rel, data in files:
            staging.write(rel, data)
        if finalize is not None:
            finalize(staging.dir)
            staging.add_tree(".")
        return staging.commit()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _count_removed(out: Path, kept: Mapping[str, object]) -> int:
    """How many files in OUT are not in KEPT (relative paths)."""
    if not out.is_dir():
        return 0
    count = 0
    top = os.fspath(out)
    for dirpath, _dirs, names in os.walk(top):
        prefix = dirpath[len(top) + 1:]
        for name in names:
            if (f"{prefix}/{name}" if prefix else name) not in kept:
                count += 1
    return count
