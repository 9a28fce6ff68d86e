"""A staged output folder -> its Pagefind search index under pagefind/ (runs before the atomic swap).

Pagefind (the extended build, which segments Chinese) is a pinned runtime dependency. A machine
without it still builds a complete site: the search box then falls back to the cards on the page,
and the build warns. Under CI=true a missing Pagefind is an error, so a published site has search.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .errors import Problems

INDEX_DIR = "pagefind"
# Pagefind also writes its ready-made UIs; the site has its own, so they are not published.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
TIMEOUT_SECONDS = 600


class SearchIndexFailed(RuntimeError):
    """Pagefind ran and failed; the problem is already reported and the output stays untouched."""


def has_pagefind() -> bool:
    try:
        return importlib.util.find_spec("pagefind") is not None
    except (ImportError, ValueError):
        return False


def command(site_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", INDEX_DIR, "--silent"]


def _die_with_parent() -> None:
    """In the Pagefind child (Linux): be killed with the build. A build killed mid-index must not leave
    Pagefind writing into a staging folder that the next build has already cleaned away."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        parent = os.getppid()
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG; kept across Pagefind's execv
        if os.getppid() != parent:  # the build died before the line above
            os._exit(1)
    except (OSError, AttributeError):  # not Linux: the next build's clean-up has to do
        pass


def build_index(site_dir: Path, problems: Problems, label: str = "pagefind") -> bool:
    """Index SITE_DIR in place. False (with a warning) when Pagefind is not installed."""
    if not has_pagefind():
        report = problems.error if os.environ.get("CI", "").lower() == "true" else problems.warning
        report(label, 0, 0, "search_index_missing", command="pip install -r requirements.txt")
        if os.environ.get("CI", "").lower() == "true":
            raise SearchIndexFailed(label)
        return False
    try:
        result = subprocess.run(command(site_dir), capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                check=False, cwd=site_dir, preexec_fn=_die_with_parent)
    except (OSError, subprocess.TimeoutExpired) as exc:
        problems.error(label, 0, 0, "search_index_failed", detail=str(exc))
        raise SearchIndexFailed(label) from exc
    if result.returncode != 0 or not (site_dir / INDEX_DIR / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        problems.error(label, 0, 0, "search_index_failed", detail=" ".join(detail) or f"exit {result.returncode}")
        raise SearchIndexFailed(label)
    for name in UNUSED_FILES:
        (site_dir / INDEX_DIR / name).unlink(missing_ok=True)
    try:
        stabilise(site_dir / INDEX_DIR)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass  # another Pagefind format: the index still works, it is just not byte-stable
    return True


# --------------------------------------------------------------------------
# Byte-stable output. Pagefind 1.5 writes filter values (and the filter list in its metadata) in hash
# map order, which changes from run to run; everything else it writes is stable. So the filter files
# are rewritten in sorted order and renamed by their content, and the metadata and entry file follow.
# Each file is "pagefind_dcd" + CBOR, gzipped.
# --------------------------------------------------------------------------

_MAGIC = b"pagefind_dcd"


def _cbor_decode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        raw = data[pos:pos + arg]
        return (raw if major == 2 else raw.decode("utf-8")), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 7 and arg in (20, 21, 22):
        return {20: False, 21: True, 22: None}[arg], pos
    raise ValueError(f"unsupported CBOR item {head:#x}")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError(arg)


def _cbor_encode(value: Any) -> bytes:
    if value is None or isinstance(value, bool):
        return bytes([0xF6 if value is None else (0xF5 if value else 0xF4)])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise ValueError(type(value))


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise ValueError(path.name)
    value, end = _cbor_decode(data, len(_MAGIC))
    if end != len(data):
        raise ValueError(path.name)
    return value


def _write(value: Any) -> bytes:
    return gzip.compress(_MAGIC + _cbor_encode(value), compresslevel=9, mtime=0)


def stabilise(bundle: Path) -> None:
    """Rewrite BUNDLE's filter files and metadata in a stable order (see above). Idempotent."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        # meta: [version, pages, index chunks, filters [[name, hash]], sorts, meta fields]
        filters = []
        for name, old in meta[3]:
            old_path = bundle / "filter" / f"{old}.pf_filter"
            content = _read(old_path)  # [name, [[value, [page numbers]], ...]]
            content[1] = sorted(content[1], key=lambda item: item[0])
            data = _write(content)
            new = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
            old_path.unlink()
            (bundle / "filter" / f"{new}.pf_filter").write_bytes(data)
            filters.append([name, new])
        meta[3] = sorted(filters)
        data = _write(meta)
        new_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:13]}"
        meta_path.unlink()
        (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(data)
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
