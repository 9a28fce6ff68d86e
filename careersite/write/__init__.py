"""{path: bytes} -> the output folder, all at once: a lock, a new tree staged beside it, swapped in whole.
A failed, killed or disk-full build never leaves a half-written site; builds into one folder take turns."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-"
LOCK_WAIT_SECONDS = 600
# What a build writes at the top of its output (pagefind/: earlier versions'); a folder with more is never replaced.
OWN_NAMES = {"index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml", "positions.json", "positions",
             "categories", "static", "search", "qr", "pagefind", "share"}

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: how a later build recognises a file it wrote


class OutputError(Exception):
    """The output folder cannot be written; MSG_ID and VALUES say why (nothing was published)."""

    def __init__(self, msg_id: str, **values: object) -> None:
        super().__init__(msg_id)
        self.msg_id, self.values = msg_id, values

    def __reduce__(self) -> tuple:  # raised in a worker, it arrives whole
        return functools.partial(OutputError, **self.values), (self.msg_id,)


@dataclass(frozen=True)
class WriteStats:
    files: int
    written: int  # new or changed
    unchanged: int  # linked from the previous output
    leftovers: tuple[str, ...] = ()  # parts of the previous output that could not be deleted after the swap


def checked(rel: str) -> str:
    """REL if it is a plain relative path ('a/b.html': no '', '.', '..' parts, no backslash); a bug otherwise."""
    if not rel or rel[0] == "/" or "\\" in rel or "\0" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"unsafe output path {rel!r}")
    return rel


def stat_of(path: str | os.PathLike[str], follow: bool = False) -> Stat | None:
    try:
        st = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def foreign_entries(out: Path) -> list[str] | None:
    """What in OUT no build wrote (sorted names), [] if it is empty or a build's; None if it does not exist."""
    if not os.path.lexists(out):
        return None
    if not out.is_dir():
        return [out.name]
    return sorted(entry.name for entry in out.iterdir() if entry.name not in OWN_NAMES)


def _os_error(exc: OSError, path: str) -> OutputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError("output_disk_full", target=path)
    msg_id = "output_permission" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else "output_write_failed"
    return OutputError(msg_id, target=path, detail=exc.strerror or str(exc))


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE). False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    return renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0  # AT_FDCWD, RENAME_EXCHANGE


class Output:
    """The output folder of one build, locked in its `with` block: files are staged beside it (put, link,
    adopt) and commit() swaps them in; leaving without commit() deletes them. A symbolic link OUT is kept."""

    def __init__(self, out: Path, say: Callable[[str, dict], None] | None = None) -> None:
        self.link_path = Path(os.path.abspath(out))
        self.out = Path(os.path.realpath(out))
        self.say = say or (lambda msg_id, values: None)
        self.files: dict[str, tuple[Stat, str]] = {}  # rel -> (stat, sha256) of what the staged tree holds
        self.linked: list[str] = []  # files linked from the current output: their ctime changes with each link
        self.folders: set[str] = set()  # made in the staged tree
        self.dir: Path | None = None
        self._lock: int | None = None

    def __enter__(self) -> Output:
        parent = self.out.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, str(parent)) from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError("output_permission", target=str(parent), detail="no write permission")
        self._take_lock(parent)
        try:
            self._clean_leftovers()
            self.dir = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{self.out.name}-{os.getpid()}-", dir=parent))
            os.chmod(self.dir, 0o755)
        except OSError as exc:
            self._release()
            raise _os_error(exc, str(parent)) from None
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if self.dir is not None:  # not committed
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        self._release()

    def _take_lock(self, parent: Path) -> None:
        """Builds into one folder take turns: the lock is the parent folder's (it is never renamed)."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        fd, deadline = os.open(parent, os.O_RDONLY), None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is None:
                    self.say("output_waiting", {"out": str(self.link_path)})
                    deadline = time.monotonic() + LOCK_WAIT_SECONDS
                elif time.monotonic() > deadline:
                    os.close(fd)
                    raise OutputError("output_locked", out=str(self.link_path), seconds=LOCK_WAIT_SECONDS) from None
                time.sleep(0.1)
        self._lock = fd

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    def _clean_leftovers(self) -> None:
        """Delete the trees of killed builds (the lock is held), first putting back an .old- tree that a build
        killed between the two renames of a swap without renameat2 left in place of the output."""
        parent, name = self.out.parent, self.out.name
        mine = [e for e in parent.iterdir() if e.name.startswith((f"{STAGING_PREFIX}{name}-", f"{OLD_PREFIX}{name}-"))
                and e.is_dir() and not e.is_symlink()]
        if not self.out.exists():
            olds = sorted((e for e in mine if e.name.startswith(OLD_PREFIX)), key=lambda e: e.stat().st_mtime)
            if olds:
                os.rename(olds[-1], self.out)
                mine.remove(olds[-1])
        for entry in mine:
            shutil.rmtree(entry, ignore_errors=True)

    def _dest(self, rel: str) -> str:
        assert self.dir is not None, "Output used outside its with block"
        if rel in self.files:
            raise ValueError(f"{rel} produced twice")
        dest = os.path.join(self.dir, checked(rel))
        folder = os.path.dirname(dest)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        return dest

    def write(self, rel: str, data: bytes) -> tuple[Stat | None, str]:
        """Write DATA at REL in the staged tree (a worker does, in its copy of this object): its stat and sha256."""
        try:
            dest = self._dest(rel)
            with open(dest, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise _os_error(exc, rel) from None
        return stat_of(dest), hashlib.sha256(data).hexdigest()

    def put(self, rel: str, data: bytes) -> None:
        """Stage DATA at REL."""
        self.adopt(rel, *self.write(rel, data))

    def link(self, rel: str, known: tuple[Stat, str]) -> bool:
        """Link the current output's REL into the staged tree if it is still KNOWN (same stat, or else same sha256)."""
        existing = os.path.join(self.out, rel)
        if (stat := stat_of(existing)) is None:
            return False
        try:
            if stat != known[0]:
                with open(existing, "rb") as fh:
                    if hashlib.file_digest(fh, "sha256").hexdigest() != known[1]:
                        return False
            os.link(existing, self._dest(rel))
        except OSError:
            return False
        self.files[rel] = (stat, known[1])
        self.linked.append(rel)
        return True

    def adopt(self, rel: str, stat: Stat | None, sha: str) -> None:
        """Record a file written into the staged tree (by this process or a worker)."""
        self.files[rel] = (stat or (0, 0, 0, 0), sha)

    def commit(self) -> WriteStats:
        """Swap the staged tree in for the output."""
        stage, self.dir = self.dir, None
        assert stage is not None
        try:
            if not os.path.lexists(self.out):
                os.rename(stage, self.out)
                old = None
            elif _exchange(stage, self.out):
                old = stage  # now holds the previous output
            else:
                old = self.out.with_name(f"{OLD_PREFIX}{self.out.name}-{os.getpid()}")
                os.rename(self.out, old)
                os.rename(stage, self.out)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise _os_error(exc, str(self.out)) from None
        leftovers: list[str] = []
        if old is not None:  # published: what cannot be deleted now is a warning, never a failure
            shutil.rmtree(old, onerror=lambda _f, path, _e: leftovers.append(path))
        for rel in self.linked:  # as the next build will find them (linking and deleting the old tree changed ctime)
            self.files[rel] = (stat_of(os.path.join(self.out, rel)) or (0, 0, 0, 0), self.files[rel][1])
        return WriteStats(len(self.files), len(self.files) - len(self.linked), len(self.linked), tuple(leftovers[:5]))
