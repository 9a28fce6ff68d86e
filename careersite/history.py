"""When each file last changed: its last git commit, else its file time (feed and sitemap dates).

One `git log` for all files. Never the build time: an unchanged site gives unchanged feeds.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Iterable, Mapping

from .load.content import CONTENT_DIR


def _git(root: Path, *args: str, timeout: float = 60, **options: object) -> subprocess.CompletedProcess | None:
    """git ARGS run in ROOT, file names unquoted; None when it cannot be run (git missing, too slow)."""
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, capture_output=True,
                              timeout=timeout, check=False, **options)
    except (OSError, subprocess.SubprocessError):
        return None


def git_head(root: Path) -> str:
    """The commit ROOT's work tree is at ("" outside git): git_times depend on nothing else."""
    out = _git(root, "rev-parse", "HEAD", text=True, timeout=30)
    return out.stdout.strip() if out is not None and out.returncode == 0 else ""


def git_times(root: Path, paths: Iterable[str]) -> dict[str, float]:
    """Time of the last commit of every file under the top-level folders of PATHS (relative to ROOT) and under
    content/, the position files' folder."""
    tops = sorted({p.split("/", 1)[0] for p in paths} | {CONTENT_DIR.as_posix()})
    out = _git(root, "log", "--relative", "--format=%x1e%ct", "--name-only", "--", *tops, text=True, encoding="utf-8")
    log = out.stdout if out is not None and out.returncode == 0 else ""
    found: dict[str, float] = {}
    for record in log.split("\x1e"):
        lines = record.strip("\n").split("\n")
        if not lines or not lines[0].strip().isdigit():
            continue
        when = float(lines[0])
        for name in lines[1:]:
            if name and name not in found:  # newest commit first
                found[name] = when
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
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.returncode != 0 or inside.stdout.strip() != b"true":
        return None
    names: set[str] = set()
    has_head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    changed = _git(root, "diff", "--name-only", "-z", "--relative", "HEAD", "--", folder) \
        if has_head is not None and has_head.returncode == 0 else _git(root, "ls-files", "-z", "--", folder)
    others = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", folder)
    for result in (changed, others):
        if result is None or result.returncode != 0:
            return None
        names.update(name for name in result.stdout.decode("utf-8", "surrogateescape").split("\0") if name)
    return names
