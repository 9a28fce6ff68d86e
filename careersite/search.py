"""A staged output folder -> its Pagefind search index under pagefind/ (runs before the atomic swap).

Pagefind (the extended build, which segments Chinese) is a pinned runtime dependency. A machine
without it still builds a complete site: the search box then falls back to the cards on the page,
and the build warns. Under CI=true a missing Pagefind is an error, so a published site has search.

Pagefind holds everything it indexes in memory, about 110 KB a page (1.3 GB for 10,000 positions),
and parses on one core. So the pages it would index (those with data-pagefind-body) are handed to
it in shards of at most SHARD_PAGES, WORKERS processes at a time, and the shards' indexes are merged
into the one index a single run would have written (see "Merging shards" below; docs/search.md).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from .errors import Problems
from .pagefindfmt import link_or_copy, merge, stabilise
from .procs import die_with_parent

INDEX_DIR = "pagefind"
WORK_DIR = ".pagefind-shards"  # inside the staging folder, removed again before the swap
# Pagefind also writes its ready-made UIs; the site has its own, so they are not published.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
TIMEOUT_SECONDS = 600
# HTML files per Pagefind process, at most: it takes about 63 MB + 110 KB a page it indexes, so under
# 190 MB even if all of them are positions; a site of 1,000 positions is still one run, as before.
SHARD_FILES = 1100
SHARD_FILES_ENV = "CAREERSITE_SEARCH_SHARD_FILES"  # another size, for tests and benchmarks
# Pagefind processes at a time, unless the caller says (the build: one per CPU it uses). Each parses
# on one core and peaks at about 180 MB whatever the site's size.
WORKERS = 1
_BODY = re.compile(rb"<[a-zA-Z][^>]*\sdata-pagefind-body[\s=/>]")


class SearchIndexFailed(RuntimeError):
    """Pagefind ran and failed; the problem is already reported and the output stays untouched."""


class _PagefindError(RuntimeError):
    """A Pagefind process failed; the message is its last lines of output."""


def has_pagefind() -> bool:
    try:
        return importlib.util.find_spec("pagefind") is not None
    except (ImportError, ValueError):
        return False


def command(site_dir: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(output), "--silent"]


def build_index(site_dir: Path, problems: Problems, label: str = "pagefind", cache_dir: Path | None = None,
                workers: int = WORKERS, files: list[str] | None = None) -> bool:
    """Index SITE_DIR in place. False (with a warning) when Pagefind is not installed.

    With CACHE_DIR (a folder of the build's own, outside the output), each shard's index and the
    merged index are kept there, and a shard whose pages are byte for byte the same is not indexed
    again: an unchanged site costs reading its pages, an edited position one shard and the merge.
    WORKERS: Pagefind processes at a time (and threads compressing the merged index). FILES: the
    HTML files of SITE_DIR (paths below it), if the caller knows them (a build's staging does)."""
    if not has_pagefind():
        report = problems.error if os.environ.get("CI", "").lower() == "true" else problems.warning
        report(label, 0, 0, "search_index_missing", command="pip install -r requirements.txt")
        if os.environ.get("CI", "").lower() == "true":
            raise SearchIndexFailed(label)
        return False
    bundle = site_dir / INDEX_DIR
    work = site_dir / WORK_DIR
    try:
        if cache_dir is None:
            _index(site_dir, bundle, work, None, workers, files)
        else:
            try:
                _index(site_dir, bundle, work, cache_dir, workers, files)
            except OSError:  # perhaps a damaged cache: once more without it
                for path in (bundle, work, cache_dir):
                    shutil.rmtree(path, ignore_errors=True)
                _index(site_dir, bundle, work, None, workers, files)
        if not (bundle / "pagefind.js").is_file():
            raise _PagefindError("pagefind.js missing")
    except (OSError, subprocess.TimeoutExpired, _PagefindError) as exc:
        problems.error(label, 0, 0, "search_index_failed", detail=str(exc) or type(exc).__name__)
        raise SearchIndexFailed(label) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if (bundle / _FROM_CACHE).exists():
        (bundle / _FROM_CACHE).unlink()
        return True
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    try:
        stabilise(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass  # another Pagefind format: the index still works, it is just not byte-stable
    if cache_dir is not None and cache_dir.is_dir():
        _keep(bundle, cache_dir)
    return True


def shard_files() -> int:
    value = os.environ.get(SHARD_FILES_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else SHARD_FILES


CACHE_FORMAT = 1  # raise when what this module makes of Pagefind's output changes
_FROM_CACHE = ".from-cache"  # marks a bundle taken whole from the cache (already final)
_BUNDLE_KEY = ".bundle-key"


def _index(site_dir: Path, bundle: Path, work: Path, cache_dir: Path | None, workers: int,
           known_files: list[str] | None) -> None:
    outputs: list[Path] = []
    fresh: list[tuple[Path, Path]] = []  # (Pagefind's output folder, its place in the cache)
    keys: list[str] = []
    files = sorted(known_files) if known_files is not None else html_files(site_dir)
    count = math.ceil(len(files) / shard_files())
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)

    def shards() -> Iterator[list[str]]:  # written one by one, while Pagefind indexes the ones before
        for batch in range(count):  # even slices of the sorted files; their pages in order are the shard
            pages = list(indexed_pages(site_dir, files[batch * len(files) // count:(batch + 1) * len(files) // count]))
            if not pages:
                continue
            number = len(outputs)
            key = _key(pages)
            keys.append(key)
            if cache_dir is not None and (cache_dir / key / "pagefind-entry.json").is_file():
                outputs.append(cache_dir / key)
                continue
            for rel, data in pages:  # the pages keep their paths, so Pagefind gives them the same URLs
                target = work / f"site-{number}" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            outputs.append(work / f"out-{number}")
            if cache_dir is not None:
                fresh.append((outputs[-1], cache_dir / key))
            yield command(work / f"site-{number}", outputs[-1])

    _run(shards(), workers)
    for output, cached in fresh:
        shutil.rmtree(cached, ignore_errors=True)
        os.replace(output, cached)
        outputs[outputs.index(output)] = cached
    if cache_dir is not None and keys:  # (a site without data-pagefind-body is not cached)
        whole = "bundle-" + hashlib.sha256(" ".join(keys).encode()).hexdigest()[:32]
        for entry in cache_dir.iterdir():  # what this build does not use
            if entry.name not in keys and entry.name != whole:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
        (cache_dir / _BUNDLE_KEY).write_text(whole, encoding="utf-8")
        if (cache_dir / whole / "pagefind-entry.json").is_file():
            _clone(cache_dir / whole, bundle)
            (bundle / _FROM_CACHE).touch()
            return
    if not outputs:  # no data-pagefind-body anywhere: Pagefind's own rule is to index every page
        _run(iter([command(site_dir, bundle)]), 1)
    elif len(outputs) == 1:
        _clone(outputs[0], bundle) if cache_dir is not None else os.replace(outputs[0], bundle)
    else:
        try:
            merge(outputs, bundle, workers)
        except (ValueError, KeyError, IndexError, TypeError):  # a Pagefind format this code does not know
            shutil.rmtree(bundle, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
            _run(iter([command(site_dir, bundle)]), 1)


def _key(pages: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT} {_pagefind_version()}".encode())
    for rel, data in pages:
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:32]


@functools.cache
def _pagefind_version() -> str:
    try:
        import importlib.metadata  # here: it imports email and friends (18 ms) into every build

        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _keep(bundle: Path, cache_dir: Path) -> None:
    """Keep a copy of the final BUNDLE in CACHE_DIR, under the key _index wrote down."""
    key = cache_dir / _BUNDLE_KEY
    if key.is_file():
        whole = cache_dir / key.read_text(encoding="utf-8")
        key.unlink()
        if not whole.exists():
            _clone(bundle, whole.with_name(whole.name + ".new"))
            os.replace(whole.with_name(whole.name + ".new"), whole)


def _clone(source: Path, target: Path) -> None:
    """SOURCE's files at TARGET: the few at the top copied (they are rewritten in place later), the
    many in its folders hard-linked (they are only ever replaced)."""
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file():
            shutil.copyfile(item, target / item.name)
        elif item.is_dir():
            shutil.copytree(item, target / item.name, copy_function=link_or_copy)


def html_files(site_dir: Path) -> list[str]:
    """The HTML files under SITE_DIR (relative paths, sorted), not those in Pagefind's folders."""
    found = []
    for folder, dirs, names in os.walk(site_dir):
        if folder == str(site_dir):
            dirs[:] = [d for d in dirs if d not in (INDEX_DIR, WORK_DIR)]
        found.extend(os.path.relpath(os.path.join(folder, name), site_dir) for name in names if name.endswith(".html"))
    return sorted(found)


def indexed_pages(site_dir: Path, files: list[str]) -> Iterator[tuple[str, bytes]]:
    """Those of FILES with a data-pagefind-body element (the pages Pagefind indexes when there is at
    least one), each with the part of it that Pagefind reads (see trimmed)."""
    for rel in files:
        with open(os.path.join(site_dir, rel), "rb") as fh:
            data = fh.read()
        at = data.find(b" data-pagefind-body")
        if at >= 0 and data.rfind(b"<", 0, at) > data.rfind(b">", 0, at):  # an attribute, not text
            yield rel, trimmed(data, at)


_TAG = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)")
_HTML = re.compile(rb"<html(?:\s[^>]*)?>", re.I)


def trimmed(data: bytes, at: int) -> bytes:
    """A page cut down to its <html> tag and its one data-pagefind-body element (at AT), when nothing
    Pagefind reads is outside that element; else the page as it is. Pagefind then parses a quarter of
    the bytes (no head with JSON-LD, no header, navigation or footer) and indexes the same."""
    start = data.rfind(b"<", 0, at)
    tag = _TAG.match(data, start)
    html = _HTML.search(data, 0, start)
    if tag is None or html is None or data.count(b" data-pagefind-body") != 1:
        return data
    name = tag.group(1)
    depth, end = 0, -1
    for match in re.compile(rb"<(/?)" + re.escape(name) + rb"[\s/>]").finditer(data, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            end = data.index(b">", match.end() - 1) + 1
            break
    if end < 0 or b"data-pagefind-" in data[:start] or b"data-pagefind-" in data[end:]:
        return data
    return b"<!doctype html>\n" + html.group(0) + b"\n<body>\n" + data[start:end] + b"\n</body>\n</html>\n"


def _run(commands: Iterator[list[str]], workers: int) -> None:
    """Run the Pagefind COMMANDS, WORKERS at a time; raise _PagefindError when one fails."""
    running: list[tuple[subprocess.Popen, Any, float]] = []
    more = True
    try:
        while more or running:
            while more and len(running) < max(1, workers):
                cmd = next(commands, None)
                if cmd is None:
                    more = False
                    break
                log = tempfile.TemporaryFile()
                proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                        preexec_fn=die_with_parent)
                running.append((proc, log, time.monotonic()))
            if not running:
                break
            proc, log, started = running[0]
            try:
                returncode = proc.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                if time.monotonic() - started > TIMEOUT_SECONDS:
                    raise
                running.append(running.pop(0))
                continue
            running.pop(0)
            log.seek(0)
            output = log.read().decode("utf-8", "replace")
            log.close()
            if returncode != 0:
                detail = output.strip().splitlines()[-3:]
                raise _PagefindError(" ".join(detail) or f"exit {returncode}")
    finally:
        for proc, log, _started in running:
            proc.kill()
            proc.wait()
            log.close()
