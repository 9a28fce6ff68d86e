"""What the last build read and wrote, kept in ROOT/.cache/careersite/ so the next one redoes only what changed.

Two files per output folder and set of options (a `serve` session and `build` do not evict each other):

- `manifest.pickle`: the fingerprint of everything besides position files that pages depend on
  (site.toml, templates, static files, the generator's code and messages, library versions), and
  what the last successful build saw: each position file's size, time, inode and digest, each
  output file's size, time, inode and sha256, the key each position page was rendered from, the
  problems it reported, and the key of the search index.
- `files.sqlite`: one entry per position file and digest: the perfile.FileResult made from it; and
  each position's entries in the feeds (keyed by its file, digest and time of last change).
- `search/`: the search index of each shard of pages (search.py), keyed by the pages' bytes.

A cache is only ever an accelerator. Entries are checksummed; anything unreadable, damaged or made
for another fingerprint is ignored (and replaced), never trusted, and a build with an empty cache
writes the same bytes as one with a full cache (tests/test_build_cache.py). The folder is local
state: git-ignored, never published, safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import Problem

CACHE_DIR = Path(".cache") / "careersite"
FORMAT = 2  # bump when the meaning of an entry changes (2: slots in Position, Section, FileResult; no Position.mailto)
KEEP_FOLDERS = 4  # caches for this many output folders / option sets; older ones are removed
_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("Jinja2", "MarkupSafe", "Markdown", "PyYAML", "nh3", "pypinyin", "zxing_cpp", "pagefind")
_CHECK = 16  # bytes of sha256 in front of every stored pickle


# --------------------------------------------------------------------------
# What everything depends on
# --------------------------------------------------------------------------

def _files(base: Path) -> list[Path]:
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _library_versions() -> str:
    """The installed versions of the libraries that shape the output, from their dist-info folders'
    names (one directory listing per path entry; importlib.metadata took 40 ms of a 0.3 s build)."""
    wanted = {name.lower() for name in _LIBRARIES}
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project = name.split("-", 1)[0].lower()
                if project in wanted or project.startswith("pagefind"):
                    found.append(name)
    return ";".join(sorted(found))


def fingerprint(root: Path, options: Iterable[object]) -> str:
    """A digest of all inputs besides position files: a different one means nothing cached is reused."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT};{sys.version};{_library_versions()};{list(options)!r}\n".encode())
    for label, base in (("generator", _PACKAGE), ("templates", root / "templates"), ("static", root / "static")):
        for path in _files(base):
            digest.update(f"{label}/{path.relative_to(base).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    config = root / "site.toml"
    digest.update(b"site.toml\0" + (config.read_bytes() if config.is_file() else b"-"))
    return digest.hexdigest()


def cache_dir(root: Path, out: Path, options: Iterable[object]) -> Path:
    """The folder holding what builds into OUT with OPTIONS left behind."""
    name = hashlib.sha256(repr((os.fspath(out.absolute()), list(options))).encode()).hexdigest()[:16]
    return root / CACHE_DIR / name


# --------------------------------------------------------------------------
# Stored values
# --------------------------------------------------------------------------

def pack(value: Any) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(payload).digest()[:_CHECK] + payload


def unpack(blob: bytes | None) -> Any:
    """The value in BLOB; None when it is missing, damaged or from another version of the code."""
    if not blob or len(blob) <= _CHECK:
        return None
    payload = blob[_CHECK:]
    if hashlib.sha256(payload).digest()[:_CHECK] != blob[:_CHECK]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a class renamed since, a truncated file: rebuild, never fail
        return None


Stat = tuple[int, int, int]  # size, mtime_ns, inode


def stat_of(path: str | os.PathLike[str]) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class Manifest:
    """What the last successful build into one output folder saw and wrote."""

    fingerprint: str = ""
    today: str = ""
    git_head: str = ""
    scanned_ns: int = 0  # when that build looked at the position files
    sources: dict[str, tuple[Stat, str]] = field(default_factory=dict)  # rel -> (stat, digest)
    outputs: dict[str, tuple[Stat, str]] = field(default_factory=dict)  # output rel -> (stat, sha256)
    pages: dict[str, str] = field(default_factory=dict)  # output rel -> key it was rendered from
    problems: tuple[Problem, ...] = ()  # what it reported after the configuration and the file scan
    search_key: str = ""
    search_pending: bool = False  # the pages changed but the index was kept for a later build
    git_times: dict[str, float] = field(default_factory=dict)  # rel -> last commit time, at git_head
    counts: tuple[int, int] = (0, 0)  # positions, categories

    RACY_NS = 2_000_000_000

    def known_digest(self, rel: str, stat: Stat | None) -> str | None:
        """The digest of REL if its size, time and inode say it has not changed since the last build.

        A file changed within two seconds of that build's scan could have kept its time: re-read it.
        """
        entry = self.sources.get(rel)
        if entry is None or stat is None or entry[0] != stat or stat[1] + self.RACY_NS > self.scanned_ns:
            return None
        return entry[1]


_READ: dict[str, tuple[Stat | None, Manifest]] = {}  # the manifest this process last read or wrote, by its stat


class BuildCache:
    """The manifest and the per-file store of one output folder. Never raises on storage errors."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest_path = folder / "manifest.pickle"
        self.db_path = folder / "files.sqlite"
        self.db: sqlite3.Connection | None = None
        self._manifest: Manifest | None = None

    @classmethod
    def open(cls, root: Path, out: Path, options: Iterable[object]) -> BuildCache:
        return cls(cache_dir(root, out, options))

    # The manifest -------------------------------------------------------------------------
    def manifest(self, fp: str) -> Manifest:
        """The last build's manifest if it was made with fingerprint FP, else an empty one."""
        if self._manifest is None:
            self._manifest = self._load() or Manifest()
        if self._manifest.fingerprint != fp:
            self._manifest = Manifest(fingerprint=fp)
            self._reset_store()
        return self._manifest

    def preload(self) -> None:
        """Read the manifest another process wrote now, so that the next build of this process finds
        it in memory (the dev server, once its search index build is done, while nobody waits)."""
        self._load()

    def _load(self) -> Manifest | None:
        """The manifest file, from this process's memory while it is the file this process last read
        or wrote (same size, time and inode: the dev server's every save), else read and kept."""
        path = os.fspath(self.manifest_path)
        stat, known = stat_of(path), _READ.get(path)
        if known is not None and stat is not None and known[0] == stat:
            return known[1]
        try:
            value = unpack(self.manifest_path.read_bytes())
        except OSError:
            return None
        if not isinstance(value, Manifest):
            return None
        if stat is not None and stat_of(path) == stat:  # not replaced while it was read
            _READ.clear()
            _READ[path] = (stat, value)
        return value

    def save_manifest(self, manifest: Manifest) -> None:
        """Write it whole or not at all: a build killed here leaves the previous one (still valid:
        every output file it lists is checked by size, time and inode before it is trusted)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".manifest-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(pack(manifest))
            os.replace(tmp, self.manifest_path)
            self._manifest = manifest
            _READ.clear()
            _READ[os.fspath(self.manifest_path)] = (stat_of(self.manifest_path), manifest)
            self._prune_siblings()
        except OSError:
            pass

    def _prune_siblings(self) -> None:
        """Keep the caches of the few most recently used output folders."""
        try:
            os.utime(self.folder)
            siblings = sorted((p for p in self.folder.parent.iterdir() if p.is_dir()),
                              key=lambda p: p.stat().st_mtime, reverse=True)
            for old in siblings[KEEP_FOLDERS:]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass

    # Feed entries ---------------------------------------------------------------------------------
    def fragments(self) -> dict[str, bytes]:
        """Each position's entries in feed.xml and positions.json from the last build (seo.Discovery)."""
        db = self._connect() if self.db_path.exists() else None
        if db is None:
            return {}
        try:
            return dict(db.execute("SELECT key, CAST(value AS BLOB) FROM fragments"))
        except sqlite3.Error:
            self._reset_store()
            return {}

    def save_fragments(self, used: dict[str, bytes], known: dict[str, bytes]) -> None:
        """Keep exactly USED: add what is not in KNOWN (what fragments() gave), forget the rest."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN")
            # Bound as UTF-8 bytes: binding a str makes sqlite3 keep a UTF-8 copy inside it (47 MB at 10,000).
            db.executemany("INSERT OR REPLACE INTO fragments (key, value) VALUES (?, CAST(? AS TEXT))",
                           ((k, v) for k, v in used.items() if k not in known))
            db.executemany("DELETE FROM fragments WHERE key = ?", ((k,) for k in known if k not in used))
            db.execute("COMMIT")
        except sqlite3.Error:
            self._reset_store()

    # The per-file store -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        if self.db is None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.db_path, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                self.db = db
            except (sqlite3.Error, OSError):
                self._drop_db_files()
                self.db = None
        return self.db

    def _drop_db_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.db_path}{suffix}")
            except OSError:
                pass

    def _reset_store(self) -> None:
        self.close()
        self._drop_db_files()

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored (still packed) entries for KEYS that exist."""
        wanted = set(keys)
        db = self._connect() if wanted and self.db_path.exists() else None
        if db is None:
            return {}
        try:
            if len(wanted) < 500:
                rows = db.execute(f"SELECT key, value FROM files WHERE key IN ({','.join('?' * len(wanted))})",
                                  tuple(wanted))
                return dict(rows)
            return {key: value for key, value in db.execute("SELECT key, value FROM files") if key in wanted}
        except sqlite3.Error:
            self._reset_store()
            return {}

    def put_many(self, entries: dict[str, bytes], keep: set[str] | None = None) -> None:
        """Store ENTRIES; with KEEP, forget every entry not in it (files deleted or changed since)."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN")
            if entries:
                db.executemany("INSERT OR REPLACE INTO files (key, value) VALUES (?, ?)", entries.items())
            if keep is not None:
                stale = [(k,) for (k,) in db.execute("SELECT key FROM files") if k not in keep]
                if stale:
                    db.executemany("DELETE FROM files WHERE key = ?", stale)
            db.execute("COMMIT")
        except sqlite3.Error:
            self._reset_store()

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None


def file_key(rel: str, digest: str) -> str:
    return f"{rel}\0{digest}"
