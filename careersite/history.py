"""When each file last changed: its last git commit, else its file time (feed and sitemap dates).

One `git log` for all files. Never the build time: an unchanged site gives unchanged feeds.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Any, Iterable, Mapping

from .load.content import CONTENT_DIR


def _git(root: Path, *args: str, timeout: float = 60, **options: object) -> Any:  # str or bytes, as OPTIONS ask
    """git ARGS' output in ROOT (file names unquoted); None when it fails or cannot be run (git missing, too slow)."""
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, capture_output=True,
                              timeout=timeout, check=False, **options)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_head(root: Path) -> str:
    """The commit ROOT's work tree is at ("" outside git): git_times depend on nothing else."""
    return (_git(root, "rev-parse", "HEAD", text=True, timeout=30) or "").strip()


def git_times(root: Path, paths: Iterable[str]) -> dict[str, float]:
    """Time of the last commit of every file under the top-level folders of PATHS (relative to ROOT) and under
    content/, the position files' folder."""
    tops = sorted({p.split("/", 1)[0] for p in paths} | {CONTENT_DIR.as_posix()})
    log = _git(root, "log", "--relative", "--format=%x1e%ct", "--name-only", "--", *tops, encoding="utf-8") or ""
    found: dict[str, float] = {}
    for record in log.split("\x1e"):
        when, *names = record.strip("\n").split("\n")
        if when.strip().isdigit():
            for name in filter(None, names):
                found.setdefault(name, float(when))  # newest commit first
    return found


def content_times(root: Path, paths: Iterable[str], committed: Mapping[str, float],
                  mtimes: Mapping[str, int] | None = None) -> dict[str, dt.datetime]:
    """Last change of each path (relative to ROOT): its last git commit (COMMITTED: git_times' answer), else its
    file time (MTIMES: in ns, where known)."""
    found: dict[str, dt.datetime] = {}
    moments: dict[float, dt.datetime] = {}  # the files of one commit, or saved in one second, share a time
    base, mtimes = os.path.join(root, ""), mtimes or {}
    for rel in dict.fromkeys(paths):
        if (when := committed.get(rel)) is None:
            try:
                when = (mtimes.get(rel) or os.stat(base + rel).st_mtime_ns) // 1_000_000_000
            except OSError:
                continue
        found[rel] = moments.get(when) or moments.setdefault(when, dt.datetime.fromtimestamp(when, dt.timezone.utc))
    return found


def git_uncommitted(root: Path, folder: str) -> set[str] | None:
    """The files under FOLDER (relative to ROOT, '/' separators) whose text differs from the last commit, or that
    were never committed; None when ROOT is not in a git work tree (or git is missing)."""
    if (_git(root, "rev-parse", "--is-inside-work-tree") or b"").strip() != b"true":
        return None
    has_head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is not None
    changed = _git(root, "diff", "--name-only", "-z", "--relative", "HEAD", "--", folder) \
        if has_head else _git(root, "ls-files", "-z", "--", folder)
    others = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", folder)
    if changed is None or others is None:
        return None
    return {name for name in (changed + others).decode("utf-8", "surrogateescape").split("\0") if name}
