"""Open positions -> the files of a substring search index under search/ (see docs/search.md).

docs_of(site) makes one plain record per open, published position; index_files(docs) turns the
records into bytes: which positions hold each character and each pair of adjacent characters,
in shards by a hash of the term, a small meta file, and one fragment per position for its result
card. Pure: no disk, no clock; the same records always give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import unicodedata
from array import array
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from itertools import repeat
from operator import sub
from typing import TYPE_CHECKING, Callable, Collection, Container, Iterable, Iterator, NamedTuple, Sequence

from ..load.fields import FILTER_FIELDS, in_choice_order
from ..model.salary import salary_text

if TYPE_CHECKING:
    from ..load.config import SiteConfig
    from ..model.site import Position, Site

INDEX_DIR = "search"
META_FILE = f"{INDEX_DIR}/meta.json"  # the one file a search always reads first
FORMAT = 1  # the version of the files' layout; static/search.js reads this one only
MAGIC = b"CSI1"  # first bytes of every binary file of the index
# A shard's bytes, at most about (raw, before any compression); more terms make more shards, each one
# fetched whole when the query needs one of its terms (docs/search.md, "Shards").
SHARD_BYTES = 4_000
MAX_SHARDS = 4096
# What a query splits into words at, and what the index never puts into a term; static/search.js has
# the same list. (Python's str.split and JavaScript's \s disagree on a few characters.)
SPACES = "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPACE_RUN = re.compile(f"[{SPACES}]+")
# Blocks of a section's HTML (markup.ALLOWED_TAGS): each is an item of its own; inline tags are not.
_BLOCKS = frozenset("p li dt dd h1 h2 h3 h4 h5 h6 blockquote pre tr th td br hr ul ol dl table thead tbody".split())
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|<!--.*?-->", re.S)
EXACT = "\x00"  # key prefix of an exact-title entry (a term is one or two characters)


def fold(text: str) -> str:
    """What is compared: NFKC (full-width and half-width alike), then case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def items_of(fragment: str) -> tuple[str, ...]:
    """The text of each block (<li>, <p>, a table cell...) of an HTML fragment, spaces collapsed."""
    items: list[str] = []
    parts: list[str] = []
    at = 0
    for match in _TAG.finditer(fragment):
        parts.append(fragment[at:match.start()])
        at = match.end()
        if match.group(2) and match.group(2).lower() in _BLOCKS:
            _flush(parts, items)
    parts.append(fragment[at:])
    _flush(parts, items)
    return tuple(items)


def _flush(parts: list[str], items: list[str]) -> None:
    text = _SPACE_RUN.sub(" ", html.unescape("".join(parts))).strip()
    if text:
        items.append(text)
    parts.clear()


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """What search knows of one open position: the text it matches and what its result card shows."""

    url: str  # from the site's root, with the base path: /careers/positions/dba/
    title: str
    code: str
    category: str  # key
    category_name: str
    locations: tuple[str, ...]
    closes: str  # the closing date as the site writes it; "" if none
    salary: str
    items: tuple[str, ...]  # each duty, requirement and paragraph: duties and requirements first
    filters: tuple[tuple[str, str], ...] = ()  # (field, value) of each fixed-value field it has (FILTER_FIELDS)

    def fields(self) -> tuple[str, ...]:
        """Everything a query is matched against (static/search.js verifies the same)."""
        return (self.title, self.code, self.category_name, *self.locations, *self.items)


_SECTION_ORDER = {"responsibilities": 0, "requirements": 1, "description": 2, "other": 3}


def docs_of(site: Site, items: Container[int] | None = None) -> tuple[SearchDoc, ...]:
    """A record for each open, published position, in listing order (their ids in the index). ITEMS: the ids
    whose fragment is wanted (the rest have no items, closing date or salary: those cost), else all."""
    docs: list[SearchDoc] = []
    for position in site.open_positions:
        if not position.draft:
            docs.append(doc_of(site.config, position, items is None or len(docs) in items))
    return tuple(docs)


def doc_of(config: SiteConfig, position: Position, wanted: bool = True) -> SearchDoc:
    """POSITION's record (WANTED: with what only its fragment needs)."""
    sections = sorted(position.sections, key=lambda s: _SECTION_ORDER.get(s.kind, 3)) if wanted else ()
    closes = position.closes if wanted else None
    return SearchDoc(
        url=config.base_path + position.url_path, title=position.title, code=position.code,
        category=position.category.key, category_name=position.category.name, locations=position.locations,
        closes=config.ui["date_format"].format(year=closes.year, month=closes.month, day=closes.day) if closes else "",
        salary=salary_text(position.salary, position.salary_unit, config.ui) if wanted else "",
        items=tuple(item for s in sections for item in items_of(s.html)),
        filters=tuple((field, getattr(position, field)) for field in FILTER_FIELDS if getattr(position, field)),
    )


# --- terms ---------------------------------------------------------------------------------

def words_of(text: str) -> list[str]:
    """TEXT folded and split at spaces: what a query's words are, and what terms are taken from."""
    return [word for word in _SPACE_RUN.split(fold(text)) if word]


def terms_of(text: str) -> set[str]:
    """The characters and the pairs of adjacent characters of TEXT's words (a term never holds a
    space: a query's words have none)."""
    folded = _SPACE_RUN.sub(" ", fold(text))
    terms = set(folded)
    terms.update([folded[i:i + 2] for i in range(len(folded) - 1)])
    at = folded.find(" ")
    while at >= 0:
        terms.discard(folded[at - 1:at + 1])
        terms.discard(folded[at:at + 2])
        at = folded.find(" ", at + 1)
    terms.discard(" ")
    return terms


def first_term(word: str) -> str:
    """The term of WORD whose shard also holds the exact-title entries that begin with WORD."""
    return word[:2]


def exact_key(text: str) -> str | None:
    """The entry of the positions titled TEXT exactly, or None for a title without a word."""
    words = " ".join(words_of(text))
    return EXACT + words if words else None


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of TEXT's UTF-8 bytes: which shard a term is in (static/search.js: the same)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


# --- encoding ------------------------------------------------------------------------------

def _varint(value: int, out: bytearray) -> None:
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


@functools.cache
def _two_bytes() -> tuple[bytes, ...]:
    """The varint of each number below 2**14 (a gap between two ids, unless the site is huge)."""
    return tuple(bytes((n,)) if n < 0x80 else bytes((n & 0x7F | 0x80, n >> 7)) for n in range(1 << 14))


def _gaps(ids: Sequence[int], start: int = -1) -> bytes:
    """Each id minus the one before it (the first minus START), as varints."""
    gaps = list(map(sub, ids, [start, *ids[:-1]]))
    top = max(gaps, default=0)
    if top < 0x80:
        return bytes(gaps)
    if top < 1 << 14:
        return b"".join(map(_two_bytes().__getitem__, gaps))
    out = bytearray()
    for gap in gaps:
        if gap < 0x80:
            out.append(gap)
        else:
            _varint(gap, out)
    return bytes(out)


_BITS = bytes.maketrans(b"\x00\x01", b"01")


def postings(ids: Sequence[int], count: int, out: bytearray) -> None:
    """IDS (sorted, distinct, below COUNT) in the smallest of three forms, each after a varint
    header n << 2 | form: 0 a list of gaps, 1 a bitmap from the first id, 2 the ids *not* in it."""
    n = len(ids)
    if n == 0:
        out.append(0)
        return
    listed = _gaps(ids)
    span = ids[-1] - ids[0] + 1
    bitmap_size = (span + 7) // 8 + 3
    absent_gaps = None
    if count - n + 2 < min(len(listed), bitmap_size):  # (at most one byte an absent id: worth a look)
        absent = sorted(set(range(count)).difference(ids))
        absent_gaps = _gaps(absent)
    if absent_gaps is not None and len(absent_gaps) + 2 < min(len(listed), bitmap_size):
        _varint(n << 2 | 2, out)
        _varint(len(absent), out)
        out += absent_gaps
    elif bitmap_size < len(listed):
        _varint(n << 2 | 1, out)
        _varint(ids[0], out)
        bits = bytearray(ids[-1] + 1)  # a byte per id, then eight to a byte
        deque(map(bits.__setitem__, ids, repeat(1)), maxlen=0)
        width = (span + 7) // 8
        _varint(width, out)
        out += int(bits[ids[0]:][::-1].translate(_BITS), 2).to_bytes(width, "little")
    else:
        _varint(n << 2, out)
        out += listed


def _shard_count(total: int) -> int:
    count = 1
    while total > count * SHARD_BYTES and count < MAX_SHARDS:
        count *= 2
    return count


# --- the files -----------------------------------------------------------------------------

def index_files(docs: Sequence[SearchDoc], folder: str = INDEX_DIR) -> dict[str, bytes]:
    """The index of DOCS (ids in their order) as {path under the output root: bytes}.

    FOLDER/meta.json: format, tag, the number of docs and of shards, the category of each id (as
    runs), the location names. FOLDER/c/<k>.bin and FOLDER/p/<k>.bin: shards of the terms of one
    character and of two. FOLDER/l/<i>.bin: the ids at location i. FOLDER/d/<id>.json: a fragment.
    """
    return _files(docs, _shards(_records(docs), _header(docs), folder), range(len(docs)), folder)


def updated(docs: Sequence[SearchDoc], changed: Collection[int], read: Callable[[str], bytes | None]
            ) -> dict[str, bytes | None] | None:
    """index_files(DOCS) made from the last build's (READ gives its files) when only the docs of the ids CHANGED
    differ from that build's (the others need no items): None for a file as it was. Only the shards holding an
    entry that changed are read and made again, unless the number of shards changes. None when that index
    cannot be read or numbers other positions (another tag)."""
    try:
        meta = json.loads(read(META_FILE) or b"")
        if (meta["format"], meta["tag"], meta["docs"]) != (FORMAT, _tag(docs), len(docs)):
            return None
        shards = _moved(meta, {number: docs[number] for number in changed}, read, reshard=True)
    except (ValueError, KeyError, TypeError, IndexError):  # not an index this code wrote, or damaged: make it anew
        return None
    files: dict[str, bytes | None] = dict(_files(docs, shards, sorted(changed), INDEX_DIR))
    files.update((path, None) for path in _paths(json.loads(files[META_FILE])) if path not in files)
    return files


def updated_doc(doc: SearchDoc, number: int, read: Callable[[str], bytes | None]) -> dict[str, bytes | None] | None:
    """updated() when the doc of id NUMBER alone changed, and not its URL, category, locations or filters (which
    the caller knows): its entries, its fragment and meta.json are made again, every other file is as it was, and
    the other docs are not needed. None as for updated(), or when the shards would be numbered anew."""
    try:
        meta = json.loads(read(META_FILE) or b"")
        if meta["format"] != FORMAT or json.loads(read(f"{INDEX_DIR}/d/{number}.json") or b"")["url"] != doc.url:
            return None
        if (shards := _moved(meta, {number: doc}, read, reshard=False)) is None:
            return None
        meta.update(shards=shards.counts, sizes=shards.sizes)
        files: dict[str, bytes | None] = dict.fromkeys(_paths(meta))
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    files.update(shards.files)
    files.update({META_FILE: _json(meta), f"{INDEX_DIR}/d/{number}.json": _fragment(doc, meta["tag"])})
    return files


def _moved(meta: dict, changed: dict[int, SearchDoc], read: Callable[[str], bytes | None],
           reshard: bool) -> Shards | None:
    """The term shards of the index META is of (READ gives its files) with the entries of the CHANGED docs (by id)
    moved: only the shards holding one are read and made again, unless the number of shards changes (then every
    one is, if RESHARD; else None)."""
    count, counts, sizes, folder = meta["docs"], meta["shards"], dict(meta["sizes"]), INDEX_DIR
    header = MAGIC + bytes.fromhex(meta["tag"])
    moves: dict[str, list[tuple[int, tuple[bool, bool]]]] = defaultdict(list)
    for number, doc in changed.items():  # what that index holds of a changed doc (its fragment), and what it is now
        was = json.loads(read(f"{folder}/d/{number}.json") or b"")
        before = _keys_of(was["title"], (was["title"], was["code"], was["category"], *was["locations"], *was["items"]))
        after = _keys_of(doc.title, doc.fields())
        for key in before.keys() | after.keys():
            if before.get(key) != after.get(key):
                moves[key].append((number, after.get(key, (False, False))))
    touched = {_shard_of(key, counts) for key in moves}
    records = dict(entry for kind, number in touched for entry in _entries(read(f"{folder}/{kind}/{number}.bin")))
    for key, changes in moves.items():
        was = records.pop(key, None)
        lists = [set(ids) for ids in _read_record(was or b"\0\0", count)]  # anywhere, in the title
        for number, now in changes:
            for ids, there in zip(lists, now):
                (ids.add if there else ids.discard)(number)
        sizes[_kind(key)] -= _entry_size(key, was) if was else 0
        if lists[0]:
            records[key] = _record(sorted(lists[0]), sorted(lists[1]), count)
            sizes[_kind(key)] += _entry_size(key, records[key])
    if all(_shard_count(sizes[kind]) == counts[kind] for kind in counts):
        return Shards(counts, sizes, _shard_files(records, header, folder, counts, touched))
    if not reshard:
        return None
    records.update(entry for kind, shards in counts.items() for number in range(shards)  # every entry to a new place
                   if (kind, number) not in touched for entry in _entries(read(f"{folder}/{kind}/{number}.bin")))
    return _shards(records, header, folder)


def _paths(meta: dict) -> list[str]:
    """Every file of the index META (its meta.json) describes: term shards, locations, filters, fragments."""
    return [f"{INDEX_DIR}/{kind}/{n}.bin" for kind, total in meta["shards"].items() for n in range(total)] + [
        f"{INDEX_DIR}/l/{n}.bin" for n in range(len(meta["locations"]))] + [
        f"{INDEX_DIR}/f/{field}/{n}.bin" for field, values in meta.get("filters", {}).items()
        for n in range(len(values))] + [f"{INDEX_DIR}/d/{n}.json" for n in range(meta["docs"])] + [META_FILE]


def _keys_of(title: str, fields: Iterable[str]) -> dict[str, tuple[bool, bool]]:
    """The key of each entry a doc with TITLE and FIELDS is in: (whether anywhere, whether in the title)."""
    keys = dict.fromkeys(terms_of(" ".join(fields)), (True, False))
    keys.update(dict.fromkeys(terms_of(title), (True, True)))
    exact = exact_key(title)
    if exact:
        keys[exact] = (True, False)
    return keys


def _tag(docs: Sequence[SearchDoc]) -> str:
    return hashlib.sha256("\n".join(doc.url for doc in docs).encode("utf-8")).hexdigest()[:8]


def _header(docs: Sequence[SearchDoc]) -> bytes:
    return MAGIC + bytes.fromhex(_tag(docs))


def _files(docs: Sequence[SearchDoc], shards: Shards, fragments: Iterable[int], folder: str) -> dict[str, bytes]:
    """The index files of DOCS with their SHARDS, and the fragments of the ids FRAGMENTS."""
    count, tag, header = len(docs), _tag(docs), _header(docs)
    files = dict(shards.files)
    places: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        for place in dict.fromkeys(doc.locations):
            places[place].append(number)
    locations = sorted(places)
    for number, place in enumerate(locations):
        out = bytearray(header)
        postings(places[place], count, out)
        files[f"{folder}/l/{number}.bin"] = bytes(out)
    runs: list[list] = []
    for doc in docs:
        if runs and runs[-1][0] == doc.category:
            runs[-1][1] += 1
        else:
            runs.append([doc.category, 1])
    meta = {"format": FORMAT, "tag": tag, "docs": count, "shards": shards.counts, "sizes": shards.sizes,
            "categories": runs, "locations": locations}
    filters = _filter_files(docs, header, folder, files)
    if filters:
        meta["filters"] = filters
    files[f"{folder}/meta.json"] = _json(meta)
    for number in fragments:
        files[f"{folder}/d/{number}.json"] = _fragment(docs[number], tag)
    return files


def _fragment(doc: SearchDoc, tag: str) -> bytes:
    """What a result card shows of DOC (FOLDER/d/<id>.json)."""
    return _json({"tag": tag, "url": doc.url, "title": doc.title, "code": doc.code, "category": doc.category_name,
                  "locations": doc.locations, "closes": doc.closes, "salary": doc.salary, "items": doc.items})


def _filter_files(docs: Sequence[SearchDoc], header: bytes, folder: str, files: dict[str, bytes]) -> dict[str, list[str]]:
    """FOLDER/f/<field>/<i>.bin: the ids whose FIELD has its i-th value (in the field's list of values) into
    FILES; returns those values by field, for the fields some doc has."""
    found: dict[str, dict[str, list[int]]] = {}
    for number, doc in enumerate(docs):
        for field, value in doc.filters:
            found.setdefault(field, {}).setdefault(value, []).append(number)
    values: dict[str, list[str]] = {}
    for field in FILTER_FIELDS:
        if field not in found:
            continue
        values[field] = in_choice_order(field, found[field])
        for i, value in enumerate(values[field]):
            out = bytearray(header)
            postings(found[field][value], len(docs), out)
            files[f"{folder}/f/{field}/{i}.bin"] = bytes(out)
    return values


def _records(docs: Sequence[SearchDoc]) -> dict[str, bytes]:
    """Each term's entry (its ids anywhere, its ids in a title), each exact title's. A field that more than
    one position has (the same duty in many positions is common) is split into terms once, for all the
    positions that have it; the rest of a position's fields together."""
    count = len(docs)
    repeated = {text for text, n in Counter(f for doc in docs for f in doc.fields()).items() if n > 1}
    having: dict[str, list[int]] = defaultdict(list)  # a repeated field -> the ids that have it
    anywhere: dict[str, array[int]] = defaultdict(lambda: array("i"))  # 4 bytes an id, not a list's 8
    in_title: dict[str, list[int]] = defaultdict(list)
    exact: dict[str, list[int]] = defaultdict(list)
    ids_of = anywhere.__getitem__  # (millions of appends at 10,000 positions: no lookup of the method each)
    for number, doc in enumerate(docs):
        rest = []
        for text in doc.fields():
            if text not in repeated:
                rest.append(text)
            elif not having[text] or having[text][-1] != number:
                having[text].append(number)
        for ids in map(ids_of, terms_of(" ".join(rest))):
            ids.append(number)
        for term in terms_of(doc.title):
            in_title[term].append(number)
        key = exact_key(doc.title)
        if key:
            exact[key].append(number)
    shared: dict[str, list[list[int]]] = defaultdict(list)
    for text, ids in having.items():
        for term in terms_of(text):
            shared[term].append(ids)
    records = {}
    for term in anywhere.keys() | shared.keys():
        own, parts = anywhere.get(term, ()), shared.get(term)
        records[term] = _record(sorted(set(own).union(*parts)) if parts else own, in_title.get(term, ()), count)
    records.update((key, _record(ids, (), count)) for key, ids in exact.items())
    return records


def _record(anywhere: Sequence[int], title: Sequence[int], count: int) -> bytes:
    out = bytearray()
    postings(anywhere, count, out)
    postings(title, count, out)
    return bytes(out)


# --- reading the last build's files back (updated) -------------------------------------------

def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while data[at] & 0x80:
        value |= (data[at] & 0x7F) << shift
        shift += 7
        at += 1
    return value | data[at] << shift, at + 1


def _read_ids(data: bytes, at: int, count: int) -> tuple[list[int], int]:
    """The ids that postings() wrote at AT, and where they end."""
    head, at = _read_varint(data, at)
    if head & 3 == 1:
        first, at = _read_varint(data, at)
        width, at = _read_varint(data, at)
        bits = format(int.from_bytes(data[at:at + width], "little"), "b")[::-1]
        return [first + i for i, bit in enumerate(bits) if bit == "1"], at + width
    size, at = _read_varint(data, at) if head & 3 == 2 else (head >> 2, at)
    ids, last = [], -1
    for _ in range(size):
        gap, at = _read_varint(data, at)
        last += gap
        ids.append(last)
    return (sorted(set(range(count)).difference(ids)) if head & 3 == 2 else ids), at


def _read_record(record: bytes, count: int) -> tuple[list[int], list[int]]:
    anywhere, at = _read_ids(record, 0, count)
    return anywhere, _read_ids(record, at, count)[0]


def _entries(shard: bytes) -> Iterator[tuple[str, bytes]]:
    """The (key, entry) pairs of a shard file."""
    size, at = _read_varint(shard, len(MAGIC) + 4)
    for _ in range(size):
        length, at = _read_varint(shard, at)
        key = shard[at:at + length].decode("utf-8")
        length, at = _read_varint(shard, at + length)
        yield key, shard[at:at + length]
        at += length


def _shard_term(key: str) -> str:
    """The term whose shard holds KEY: itself, or an exact title's first term."""
    return first_term(key[1:].split(" ")[0]) if key[0] == EXACT and len(key) > 1 else key


def _kind(key: str) -> str:
    """The kind of shard that holds KEY: c, of the terms of one character, or p, of two."""
    return "c" if len(_shard_term(key)) == 1 else "p"


def _shard_of(key: str, counts: dict[str, int]) -> tuple[str, int]:
    kind = _kind(key)
    return kind, fnv1a(_shard_term(key)) % counts[kind]


def _entry_size(key: str, record: bytes) -> int:
    """What an entry adds to its kind's size, from which the number of shards follows."""
    return len(key.encode("utf-8")) + len(record) + 2


class Shards(NamedTuple):
    """The term shards of an index: how many of each kind (c, p), the bytes of each kind's entries, the files."""

    counts: dict[str, int]
    sizes: dict[str, int]
    files: dict[str, bytes]


def _shards(records: dict[str, bytes], header: bytes, folder: str) -> Shards:
    """RECORDS in shards of one-character terms (c) and of two (p): how many of each, their sizes, the files."""
    sizes = {"c": 0, "p": 0}
    for key, record in records.items():
        sizes[_kind(key)] += _entry_size(key, record)
    counts = {kind: _shard_count(size) for kind, size in sizes.items()}
    every = [(kind, number) for kind, shards in counts.items() for number in range(shards)]
    return Shards(counts, sizes, _shard_files(records, header, folder, counts, every))


def _shard_files(records: dict[str, bytes], header: bytes, folder: str, counts: dict[str, int],
                 shards: Iterable[tuple[str, int]]) -> dict[str, bytes]:
    """The files of SHARDS ((kind, number) pairs), of all RECORDS that are in them."""
    grouped: dict[tuple[str, int], list[str]] = defaultdict(list)
    for key in sorted(records):
        grouped[_shard_of(key, counts)].append(key)
    files: dict[str, bytes] = {}
    for kind, number in shards:
        out = bytearray(header)
        keys = grouped.get((kind, number), [])
        _varint(len(keys), out)
        for key in keys:
            raw = key.encode("utf-8")
            _varint(len(raw), out)
            out += raw
            _varint(len(records[key]), out)
            out += records[key]
        files[f"{folder}/{kind}/{number}.bin"] = bytes(out)
    return files


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
