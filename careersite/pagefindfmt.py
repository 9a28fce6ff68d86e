"""Pagefind's index files (Pagefind 1.5: gzipped "pagefind_dcd" + CBOR): made byte-stable, and the
indexes of several shards merged into the one index a single run would have written.

search.py runs Pagefind; this module only reads and writes what it wrote (docs/search.md).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


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


# --------------------------------------------------------------------------
# Merging shards. Each shard's index numbers its own pages from 0; the merged one numbers them in
# shard order, as one Pagefind run over the same pages in the same order would. Fragments (one file a
# page) are moved as they are. Filters are small and decoded. Word chunks are large (12 MB of CBOR at
# 10,000 pages), so they are not decoded into Python objects: a word's page entries are sliced out as
# bytes with a regular expression, and only the first page number of each shard's run is rewritten.
#   chunk:      [[word, ...]]
#   word:       [text, [page, ...], []]
#   page:       [page number (the first absolute, then the difference to the previous), [positions,
#                weights as negative markers], [meta field positions: -(field index + 1), position, ...]]
# --------------------------------------------------------------------------

_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38][\x00-\xff]|[\x19\x39][\x00-\xff]{2}|[\x1a\x3a][\x00-\xff]{4})"
_ARRAY = rb"(?:[\x80-\x97]|\x98[\x00-\xff]|\x99[\x00-\xff]{2}|\x9a[\x00-\xff]{4})"
_PAGE = rb"\x83(" + _INT + rb")" + _ARRAY + _INT + rb"*" + _ARRAY + _INT + rb"*"
_PAGE_RE = re.compile(_PAGE, re.S)
_PAGES_RE = re.compile(rb"(?:" + _PAGE + rb")+", re.S)
CHUNK_BYTES = 56_000  # Pagefind's own chunks are 50-70 KB before compression
CHUNK_GZIP_LEVEL = 6  # Pagefind uses 9: 3 % smaller, but 6 times slower here (3.7 s at 10,000 pages)


def _int_value(token: bytes) -> int:
    value = token[0] & 31 if len(token) == 1 else int.from_bytes(token[1:], "big")
    return value if token[0] < 0x20 else -1 - value


def _scan_words(data: bytes, shard: int, words: dict[str, list[tuple[int, bytes, int, int, int]]]) -> None:
    """Add each word of one chunk (DATA, without its magic) to WORDS: (shard, data, start, end, pages)."""
    if data[0] != 0x81:
        raise ValueError("chunk")
    count, pos = _cbor_decode_head(data, 1, 4)
    for _ in range(count):
        if data[pos] != 0x83:
            raise ValueError("word")
        word, pos = _cbor_decode(data, pos + 1)
        pages, pos = _cbor_decode_head(data, pos, 4)
        match = _PAGES_RE.match(data, pos)
        if not isinstance(word, str) or match is None or data[match.end()] != 0x80:
            raise ValueError("word")
        words.setdefault(word, []).append((shard, data, pos, match.end(), pages))
        pos = match.end() + 1


def _cbor_decode_head(data: bytes, pos: int, major: int) -> tuple[int, int]:
    if data[pos] >> 5 != major:
        raise ValueError(f"expected major type {major}")
    head = data[pos] & 31
    if head < 24:
        return head, pos + 1
    size = 1 << (head - 24)
    return int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


def _remap_fields(entries: bytes, fields: list[int]) -> bytes:
    """Page entries whose meta field positions point into another field list: renumbered by FIELDS."""
    out = []
    pos = 0
    while pos < len(entries):
        page, pos = _cbor_decode(entries, pos)
        page[2] = [-1 - fields[-1 - v] if v < 0 else v for v in page[2]]
        out.append(_cbor_encode(page))
    return b"".join(out)


def _prefixes(a: str, b: str) -> tuple[str, str]:
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return a[:common + 1], b[:common + 1]


def _name(folder: Path, language: str, data: bytes, suffix: str, length: int = 7) -> str:
    digest = hashlib.sha256(data).hexdigest()
    while length < len(digest):
        name = f"{language}_{digest[:length]}"
        existing = folder / f"{name}.{suffix}"
        if not existing.exists() or existing.read_bytes() == data:
            return name
        length += 1
    raise ValueError("hash collision")


def merge(outputs: list[Path], bundle: Path, threads: int = 1) -> None:
    """Merge the Pagefind bundles OUTPUTS (one language each, shards of one site, in page order) into
    BUNDLE. Raises ValueError (KeyError, IndexError) on a format this code does not know."""
    entries = [json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8")) for out in outputs]
    languages = {tuple(entry["languages"]) for entry in entries}
    if len(languages) != 1 or len(next(iter(languages))) != 1:
        raise ValueError("shards in several languages")
    language = next(iter(languages))[0]
    metas = [_read(out / f"pagefind.{entry['languages'][language]['hash']}.pf_meta")
             for out, entry in zip(outputs, entries)]
    if any(len(meta) != 6 or meta[0] != metas[0][0] or meta[4] for meta in metas):
        raise ValueError("meta")  # another version, or sorts (not used by this site)
    fields = sorted({name for meta in metas for name in meta[5]})
    bundle.mkdir()
    for item in outputs[0].iterdir():  # pagefind.js, its worker and WebAssembly
        if item.is_file() and not item.name.endswith(".pf_meta") and item.name != "pagefind-entry.json":
            shutil.copy2(item, bundle / item.name)
    for folder in ("fragment", "index", "filter"):
        (bundle / folder).mkdir()
    pages: list[list] = []
    filters: dict[str, dict[str, list[int]]] = {}
    words: dict[str, list[tuple[int, bytes, int, int, int]]] = {}
    offsets = []
    for shard, (out, meta) in enumerate(zip(outputs, metas)):
        offsets.append(len(pages))
        source_dir, target_dir = f"{out}/fragment/", f"{bundle}/fragment/"
        for fragment, word_count in meta[1]:
            source, name = f"{source_dir}{fragment}.pf_fragment", fragment
            if os.path.exists(f"{target_dir}{name}.pf_fragment"):  # the same page twice, or two shards chose
                data = Path(source).read_bytes()  # the same short hash for different pages
                if Path(f"{target_dir}{name}.pf_fragment").read_bytes() != data:
                    name = _name(bundle / "fragment", language, data, "pf_fragment", 8)
            if not os.path.exists(f"{target_dir}{name}.pf_fragment"):
                link_or_copy(source, f"{target_dir}{name}.pf_fragment")
            pages.append([name, word_count])
        for _name_, digest in meta[3]:
            name, values = _read(out / "filter" / f"{digest}.pf_filter")
            for value, numbers in values:
                filters.setdefault(name, {}).setdefault(value, []).extend(n + offsets[-1] for n in numbers)
        for _from, _to, digest in meta[2]:
            data = gzip.decompress((out / "index" / f"{digest}.pf_index").read_bytes())
            if not data.startswith(_MAGIC):
                raise ValueError(digest)
            _scan_words(data[len(_MAGIC):], shard, words)
    remap = [None if meta[5] == fields else [fields.index(name) for name in meta[5]] for meta in metas]

    chunks: list[tuple[str, str]] = []
    raw: list[bytes] = []
    encoded: list[bytes] = []
    size = 0
    first = ""
    sorted_words = sorted(words)
    for i, word in enumerate(sorted_words):
        parts = []
        last = None
        total = 0
        for shard, data, start, end, count in words[word]:
            run = data[start:end] if remap[shard] is None else _remap_fields(data[start:end], remap[shard])
            tokens = _PAGE_RE.findall(run)  # the page numbers: the first absolute, then differences
            if len(tokens) != count:
                raise ValueError(word)
            joined = b"".join(tokens)
            steps = sum(joined) if len(joined) == count and max(joined) < 24 else sum(map(_int_value, tokens))
            number = _int_value(tokens[0]) + offsets[shard]
            parts.append(b"\x83" + _cbor_encode(number if last is None else number - last) + run[1 + len(tokens[0]):])
            last = offsets[shard] + steps
            total += count
        entry = b"\x83" + _cbor_encode(word) + _cbor_head(4, total) + b"".join(parts) + b"\x80"
        if not encoded:
            first = word
        encoded.append(entry)
        size += len(entry)
        if size >= CHUNK_BYTES or i == len(sorted_words) - 1:
            raw.append(_MAGIC + b"\x81" + _cbor_head(4, len(encoded)) + b"".join(encoded))
            chunks.append((first, word))
            encoded, size = [], 0
    with ThreadPoolExecutor(threads) as pool:  # zlib lets go of the GIL
        compressed = list(pool.map(lambda data: gzip.compress(data, CHUNK_GZIP_LEVEL, mtime=0), raw))
    index_chunks = []
    for (first, last_word), data in zip(chunks, compressed):
        name = _name(bundle / "index", language, data, "pf_index")
        (bundle / "index" / f"{name}.pf_index").write_bytes(data)
        index_chunks.append([first, last_word, name])
    for i in range(len(index_chunks) - 1):  # as Pagefind: the shortest prefixes that tell neighbours apart
        index_chunks[i][1], index_chunks[i + 1][0] = _prefixes(index_chunks[i][1], index_chunks[i + 1][0])

    filter_list = []
    for name in sorted(filters):
        data = _write([name, [[value, filters[name][value]] for value in sorted(filters[name])]])
        digest = _name(bundle / "filter", language, data, "pf_filter")
        (bundle / "filter" / f"{digest}.pf_filter").write_bytes(data)
        filter_list.append([name, digest])
    data = _write([metas[0][0], pages, index_chunks, filter_list, [], fields])
    meta_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:13]}"
    (bundle / f"pagefind.{meta_hash}.pf_meta").write_bytes(data)
    entry = entries[0]
    entry["languages"][language].update(hash=meta_hash, page_count=len(pages))
    (bundle / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                                encoding="utf-8")


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
