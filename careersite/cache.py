"""What the last build saw and made, kept in ROOT/.cache/careersite/ so the next build redoes only what changed.

One SQLite file of checksummed pickles. Everything is keyed under a fingerprint of all a page can depend
on besides its own position file: site.toml, templates, static files, the generator's own source and
locales, library versions, and the build options. A different fingerprint empties the cache. A cache
that cannot be read, or an entry whose checksum does not match, is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterable

CACHE_DIR = Path(".cache") / "careersite"
DB_NAME = "cache.sqlite"
FORMAT = 1  # bump when the meaning of entries changes
_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "nh3", "pypinyin")
_DIGEST = 16


def _tree_files(base: Path) -> list[Path]:
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _library_versions() -> list[str]:
    versions = []
    for name in _LIBRARIES:
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None) if module is not None and name != "markupsafe" else None
        if version is None:
            try:
                from importlib.metadata import version as dist_version

                version = dist_version({"yaml": "PyYAML"}.get(name, name))
            except Exception:  # not installed: the fingerprint still differs from when it was
                version = "?"
        versions.append(f"{name}={version}")
    return versions


def fingerprint(root: Path, options: Iterable[object]) -> str:
    """A digest of everything besides position files that the output depends on."""
    digest = hashlib.sha256()
    digest.update(f"format {FORMAT}; python {sys.version}; {_library_versions()}; {list(options)!r}\n".encode())
    for label, base in (("generator", _PACKAGE), ("templates", root / "templates"), ("static", root / "static")):
        for path in _tree_files(base):
            digest.update(f"{label}/{path.relative_to(base).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    config = root / "site.toml"
    digest.update(b"site.toml\0" + (config.read_bytes() if config.is_file() else b"<missing>"))
    return digest.hexdigest()


def pack(value: Any) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(payload).digest()[:_DIGEST] + payload


def unpack(blob: bytes | None) -> Any:
    """The value in BLOB, or None if it is missing, damaged or unreadable."""
    if not blob or len(blob) <= _DIGEST:
        return None
    payload = blob[_DIGEST:]
    if hashlib.sha256(payload).digest()[:_DIGEST] != blob[:_DIGEST]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:
        return None


class Cache:
    """Key -> checksummed pickle, in one SQLite file. Any storage error empties it rather than failing."""

    def __init__(self, root: Path) -> None:
        self.dir = root / CACHE_DIR
        self.path = self.dir / DB_NAME
        self.db: sqlite3.Connection | None = None
        self.pending: dict[str, bytes] = {}

    def open(self) -> Cache:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._connect()
        except (sqlite3.Error, OSError):
            self.reset()
        return self

    def _connect(self) -> None:
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA page_size=16384")  # entries are 1-4 KB: no overflow page per entry
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        self.db.execute("SELECT count(*) FROM entries").fetchone()

    def reset(self) -> None:
        """Throw the cache away (damaged, or built for different inputs) and start empty."""
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
        self.db = None
        self.pending.clear()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._connect()
        except (sqlite3.Error, OSError):
            self.db = None  # no cache this time; the build still works

    def get_blob(self, key: str) -> bytes | None:
        if key in self.pending:
            return self.pending[key]
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def get(self, key: str) -> Any:
        return unpack(self.get_blob(key))

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """{key: value} for the KEYS that are present and intact."""
        found: dict[str, Any] = {}
        if self.db is not None and keys:
            wanted = set(keys)
            try:
                for key, blob in self.db.execute("SELECT key, value FROM entries"):
                    if key in wanted:
                        value = unpack(blob)
                        if value is not None:
                            found[key] = value
            except sqlite3.Error:
                found.clear()
        for key in keys:
            if key in self.pending:
                value = unpack(self.pending[key])
                if value is not None:
                    found[key] = value
        return found

    def get_blobs(self, keys: set[str]) -> dict[str, bytes]:
        """The entries for KEYS that exist, still packed (one pass over the table)."""
        if self.db is None or not keys:
            return {}
        try:
            if len(keys) < 200:
                rows = self.db.execute(f"SELECT key, value FROM entries WHERE key IN ({','.join('?' * len(keys))})",
                                       tuple(keys))
                return dict(rows)
            prefixes = {key.partition(":")[0] for key in keys}
            found = {}
            for prefix in prefixes:  # a range of the primary key: only the rows of that kind are read
                rows = self.db.execute("SELECT key, value FROM entries WHERE key >= ? AND key < ?",
                                       (prefix + ":", prefix + ";"))
                found.update((key, value) for key, value in rows if key in keys)
            return found
        except sqlite3.Error:
            return {}

    def put_blob(self, key: str, blob: bytes) -> None:
        self.pending[key] = blob
        if len(self.pending) >= 2000:  # write as we go: pending entries are memory
            self.commit()

    def put(self, key: str, value: Any) -> None:
        self.pending[key] = pack(value)

    def delete(self, key: str) -> None:
        self.pending.pop(key, None)
        if self.db is not None:
            try:
                self.db.execute("DELETE FROM entries WHERE key = ?", (key,))
            except sqlite3.Error:
                pass

    def clear(self) -> None:
        self.pending.clear()
        if self.db is not None:
            try:
                self.db.execute("DELETE FROM entries")
            except sqlite3.Error:
                self.reset()

    def keep_only(self, keys: set[str]) -> None:
        """Forget entries not in KEYS (files deleted or changed since), so the cache does not grow forever."""
        if self.db is None:
            return
        try:
            stale = [k for (k,) in self.db.execute("SELECT key FROM entries") if k not in keys]
            if stale:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM entries WHERE key = ?", ((k,) for k in stale))
                self.db.execute("COMMIT")
        except sqlite3.Error:
            self.reset()

    def commit(self) -> None:
        if self.db is None or not self.pending:
            self.pending.clear()
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", self.pending.items())
            self.db.execute("COMMIT")
        except sqlite3.Error:
            self.reset()
        self.pending.clear()

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None
