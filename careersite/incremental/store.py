"""What earlier builds read and wrote, in ROOT/.cache/careersite/cache.sqlite; never more than an accelerator.

- `results`: one row per position file, digest and fingerprint (the generator's code, library versions,
  site.toml): the FileResult a build made of it (model/perfile.py).
- `manifests`: one row per output folder and options: what the last successful build into it saw (each
  source's stat and digest, the git commit and its change times, the problems) and wrote (each output
  file's stat, sha256 and artifact key): Lektor's artifact table. Beside it, the part an unchanged build
  reads (Manifest.for_replay).
Entries are checksummed pickles; anything unreadable, damaged or made by another version is ignored (and
replaced), never trusted. A build with an empty cache writes the same bytes as one with a full cache.
The folder is local state: git-ignored, never published, never restored from CI for a pull request,
and safe to delete at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import Problem
from ..write import Stat

CACHE_DIR = Path(".cache") / "careersite"
FORMAT = 3  # raise when the meaning of a stored value changes
_PACKAGE = Path(__file__).resolve().parent.parent
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "pyyaml", "nh3", "pypinyin", "zxing_cpp")
_CHECK = 16  # bytes of sha256 in front of every stored pickle
REPLAY = "/replay"  # the manifest's name suffix for Manifest.for_replay()


def _library_versions() -> str:
    """The installed versions of the libraries that shape the output, from their dist-info folders' names
    (one directory listing per path entry: importlib.metadata takes 40 ms)."""
    found = []
    for entry in sys.path:
        with contextlib.suppress(OSError):
            found += [n for n in os.listdir(entry or ".")
                      if n.endswith((".dist-info", ".egg-info")) and n.split("-", 1)[0].lower() in _LIBRARIES]
    return ";".join(sorted(found))


def fingerprint(root: Path) -> str:
    """Everything a position file's result depends on besides its bytes: another one, nothing reused."""
    digest = hashlib.sha256(f"{FORMAT};{sys.version};{_library_versions()}\n".encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    config = root / "site.toml"
    digest.update(b"site.toml\0" + (config.read_bytes() if config.is_file() else b"-"))
    return digest.hexdigest()


def site_inputs(root: Path) -> str:
    """The templates and static files: what every page is made from besides the model (for the no-op check)."""
    digest = hashlib.sha256()
    for folder in ("templates", "static"):
        base = root / folder
        for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []:
            digest.update(f"{folder}/{path.relative_to(base).as_posix()}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def pack(value: Any) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(payload).digest()[:_CHECK] + payload


def unpack(blob: bytes | None) -> Any:
    """The value in BLOB; None when it is missing, damaged or from another version of the code."""
    payload = (blob or b"")[_CHECK:]
    if not payload or hashlib.sha256(payload).digest()[:_CHECK] != blob[:_CHECK]:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a class renamed since, a truncated value: rebuild, never fail
        return None


@dataclass
class Manifest:
    """What the last successful build into one output folder, with one set of options, saw and wrote."""

    fingerprint: str = ""
    inputs: str = ""  # site_inputs()
    today: str = ""
    git_head: str = ""
    scanned_ns: int = 0  # when that build looked at the position files
    sources: dict[str, tuple[Stat, str]] = field(default_factory=dict)  # rel -> (stat, digest)
    outputs: dict[str, tuple] = field(default_factory=dict)  # rel -> (stat, sha256, artifact key); replay's: (stat,)
    bundles: dict[str, object] = field(default_factory=dict)  # folder -> the inputs of the Bundle made into it
    problems: tuple[Problem, ...] = ()
    counts: tuple[int, int] = (0, 0)  # positions, categories
    git_times: dict[str, float] = field(default_factory=dict)  # rel -> last commit time, at git_head

    RACY_NS = 2_000_000_000

    def for_replay(self) -> Manifest:
        """What an unchanged build checks and says again: no sha256 or key of an output, no bundle or git time."""
        return replace(self, outputs={rel: entry[:1] for rel, entry in self.outputs.items()}, bundles={}, git_times={})

    def known_digest(self, rel: str, stat: Stat | None) -> str | None:
        """REL's digest if its size, times and inode say it has not changed since that build; a file
        changed within two seconds of that build's scan could have kept its times: read it again."""
        entry = self.sources.get(rel)
        if entry is None or stat is None or entry[0] != stat or max(stat[1], stat[2]) + self.RACY_NS > self.scanned_ns:
            return None
        return entry[1]


class Store:
    """The cache database of one site folder. Never raises on storage errors: it forgets instead."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / "cache.sqlite"
        self.db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self.db is None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS manifests (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
                self.db = db
            except (sqlite3.Error, OSError):
                self.forget()
        return self.db

    def forget(self) -> None:
        """Drop the database (damaged, or of another format): the next build starts from nothing."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    def _use(self, work: Callable[[sqlite3.Connection], Any], *, existing: bool = False, failed: Any = None) -> Any:
        """WORK(db); FAILED if there is no database (EXISTING: none is made) or it fails (then it is forgotten)."""
        db = self._connect() if not existing or self.path.exists() else None
        if db is None:
            return failed
        try:
            return work(db)
        except sqlite3.Error:
            self.forget()
            return failed

    def results(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored values for KEYS that exist and are intact."""
        wanted = set(keys)

        def read(db: sqlite3.Connection) -> dict[str, Any]:
            if len(wanted) < 500:
                rows = db.execute(f"SELECT key, value FROM results WHERE key IN ({','.join('?' * len(wanted))})",
                                  tuple(wanted))
            else:
                rows = (row for row in db.execute("SELECT key, value FROM results") if row[0] in wanted)
            return {key: value for key, blob in rows if (value := unpack(blob)) is not None}

        return self._use(read, existing=True, failed={}) if wanted else {}

    def put_results(self, entries: dict[str, Any], keep: set[str] | None = None, drop: Iterable[str] = ()) -> None:
        """Store ENTRIES and forget DROP; with KEEP, every stored result not in it (files deleted or changed since)."""

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)",
                           ((k, pack(v)) for k, v in entries.items()))
            gone = drop if keep is None else [k for (k,) in db.execute("SELECT key FROM results") if k not in keep]
            db.executemany("DELETE FROM results WHERE key = ?", ((k,) for k in gone))
            db.execute("COMMIT")

        self._use(write)

    def manifest(self, name: str) -> Manifest | None:
        row = self._use(lambda db: db.execute("SELECT value FROM manifests WHERE name = ?", (name,)).fetchone(),
                        existing=True)
        value = unpack(row[0]) if row else None
        return value if isinstance(value, Manifest) else None

    def save_manifest(self, name: str, manifest: Manifest) -> None:
        """MANIFEST as NAME, and as NAME + REPLAY the part an unchanged build reads (10 of 17 MB at 30,000)."""
        self._use(lambda db: db.executemany("INSERT OR REPLACE INTO manifests (name, value) VALUES (?, ?)",
                                            ((name, pack(manifest)), (name + REPLAY, pack(manifest.for_replay())))))
