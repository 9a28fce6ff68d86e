"""Helpers for the search tests and benchmarks: read the index files back, search them as
static/search.js does, and compute what a search must find from the built pages themselves.

    read_index(folder)          the search/ folder of a built site -> Index (meta, entries, fragments)
    search(index, query, ...)   the ids search.js shows, best first (exact title, title, listing order)
    page_truth(out)             each open position page's title and text items, parsed with BeautifulSoup
    expected(truth, query)      the titles a query must find: each word a substring of a field
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

from careersite.search.index import EXACT, MAGIC, fnv1a, fold, words_of


# --- reading the index ------------------------------------------------------------------------

class _Reader:
    def __init__(self, data: bytes, tag: str) -> None:
        assert data[:4] == MAGIC, "not an index file"
        assert data[4:8].hex() == tag, "a file of another index"
        self.data, self.at = data, 8

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    def postings(self, count: int) -> list[int]:
        head = self.varint()
        n, form = head >> 2, head & 3
        if form == 0:
            ids, last = [], -1
            for _ in range(n):
                last += self.varint()
                ids.append(last)
        elif form == 1:
            first, width = self.varint(), self.varint()
            bits = int.from_bytes(self.data[self.at:self.at + width], "little")
            self.at += width
            ids = [first + i for i in range(width * 8) if bits >> i & 1]
        else:
            absent, last = set(), -1
            for _ in range(self.varint()):
                last += self.varint()
                absent.add(last)
            ids = [i for i in range(count) if i not in absent]
        assert len(ids) == n, (n, len(ids), form)
        return ids


@dataclass
class Index:
    meta: dict
    entries: dict[str, tuple[list[int], list[int]]]  # key -> (ids anywhere, ids in the title)
    shard_of: dict[str, str]  # key -> the file it is in
    places: dict[str, list[int]]
    fragments: list[dict] = field(default_factory=list)


def read_index(folder: Path | dict[str, bytes], prefix: str = "search/") -> Index:
    """The index in FOLDER (a search/ folder, or index_files' dict), every file read and checked."""
    if isinstance(folder, dict):
        files = {rel[len(prefix):]: data for rel, data in folder.items()}
    else:
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    meta = json.loads(files["meta.json"])
    count, tag = meta["docs"], meta["tag"]
    entries, shard_of = {}, {}
    for kind, shards in meta["shards"].items():
        for number in range(shards):
            name = f"{kind}/{number}.bin"
            reader = _Reader(files[name], tag)
            for _ in range(reader.varint()):
                length = reader.varint()
                key = reader.data[reader.at:reader.at + length].decode("utf-8")
                reader.at += length
                size = reader.varint()
                end = reader.at + size
                entries[key] = (reader.postings(count), reader.postings(count))
                assert reader.at == end, key
                shard_of[key] = name
            assert reader.at == len(reader.data), name
    places = {place: _Reader(files[f"l/{n}.bin"], tag).postings(count) for n, place in enumerate(meta["locations"])}
    fragments = [json.loads(files[f"d/{n}.json"]) for n in range(count)]
    assert all(f["tag"] == tag for f in fragments)
    return Index(meta, entries, shard_of, places, fragments)


def shard_name(index: Index, term: str) -> str:
    """Where search.js looks for TERM (and the exact titles beginning with it)."""
    kind = "c" if len(term) == 1 else "p"
    return f"{kind}/{fnv1a(term) % index.meta['shards'][kind]}.bin"


# --- searching it as search.js does --------------------------------------------------------------

def _terms(word: str) -> list[str]:
    return [word] if len(word) == 1 else list(dict.fromkeys(word[i:i + 2] for i in range(len(word) - 1)))


def candidates(index: Index, query: str, category: str = "", location: str = "") -> list[int]:
    """The ids search.js would check, best first, before the fragments are read."""
    words = words_of(query)
    every = list(range(index.meta["docs"]))
    found, titled = set(every), set(every) if words else set()
    for word in words:
        for term in _terms(word):
            assert index.shard_of.get(term, shard_name(index, term)) == shard_name(index, term), term
            anywhere, title = index.entries.get(term, ([], []))
            found &= set(anywhere)
            titled &= set(title)
    exact = set(index.entries.get(EXACT + " ".join(words), ([], []))[0]) if words else set()
    if location:
        found &= set(index.places.get(location, []))
    if category:
        start, ids = 0, set()
        for key, n in index.meta["categories"]:
            if key == category:
                ids |= set(range(start, start + n))
            start += n
        found &= ids
    return sorted(found, key=lambda i: (-(2 if i in exact else 1 if i in titled else 0), i))


def fields(fragment: dict) -> list[str]:
    return [fragment["title"], fragment["code"], fragment["category"], *fragment["locations"], *fragment["items"]]


def search(index: Index, query: str, category: str = "", location: str = "") -> list[int]:
    """The ids whose cards search.js shows, in order: candidates whose fragment holds every word."""
    words = words_of(query)
    return [i for i in candidates(index, query, category, location)
            if all(any(word in fold(text) for text in fields(index.fragments[i])) for word in words)]


# --- the truth, from the pages ------------------------------------------------------------------

BLOCKS = ("li", "p", "dt", "dd", "td", "th", "h3", "h4", "h5", "h6", "pre", "blockquote")


def block_texts(element) -> list[str]:
    """The text of each block element inside ELEMENT, without the text of blocks inside it."""
    texts = []
    for block in element.find_all(BLOCKS):
        own = "".join(s for s in block.find_all(string=True) if s.find_parent(BLOCKS) is block)
        if own.strip():
            texts.append(own)
    return texts


@dataclass(frozen=True)
class PageTruth:
    url: str
    title: str
    code: str
    category: str
    locations: tuple[str, ...]
    duties_and_requirements: tuple[str, ...]  # what the issue names: a query from these must find it
    other_text: tuple[str, ...]  # the description and other sections: searched too


def page_truth(out: Path, base_path: str = "/") -> list[PageTruth]:
    """Every open position page of the built site OUT (those with JobPosting data), read as a job
    seeker sees it: title, code, category, locations, and each duty, requirement and paragraph."""
    truths = []
    for path in sorted((out / "positions").glob("*/index.html")):
        text = path.read_text(encoding="utf-8")
        if '<script type="application/ld+json">' not in text:  # closed or draft: no JobPosting
            continue
        start, end = text.index("<article"), text.find('<section class="apply"')  # (not what is searched)
        article = BeautifulSoup(text[start:end if end > 0 else None], "html.parser").article
        title = article.select_one("h1#position-title").get_text(strip=True)
        facts = {div.dt.get_text(strip=True): div.dd for div in article.select("dl.facts > div")}
        code_dd = next((facts[label] for label in _labels("code") if label in facts), None)
        place_dd = next((facts[label] for label in _labels("location") if label in facts), None)
        places = tuple(s.get_text(strip=True) for s in place_dd.find_all("span")) if place_dd else ()
        main, other = [], []
        for section in article.select("section.position-section"):
            kind = next(c for c in section["class"] if c.startswith("section-"))[len("section-"):]
            (main if kind in ("responsibilities", "requirements") else other).extend(block_texts(section))
        truths.append(PageTruth(
            url=base_path + path.parent.relative_to(out).as_posix() + "/", title=title,
            code=code_dd.get_text(strip=True) if code_dd else "",
            category=article.select_one(".position-category").get_text(strip=True), locations=places,
            duties_and_requirements=tuple(main), other_text=tuple(other)))
    return truths


@functools.cache
def _labels(key: str) -> list[str]:
    """The UI string KEY in every language (a page's facts are labelled in the site's language)."""
    import tomllib

    folder = Path(__file__).resolve().parent.parent / "careersite" / "locales"
    return [tomllib.loads(p.read_text(encoding="utf-8"))["ui"][key] for p in sorted(folder.glob("*.toml"))]


def _has(texts, word: str) -> bool:
    return any(word in fold(text) for text in texts)


def expected(truths: list[PageTruth], query: str) -> set[str]:
    """URLs a query must find: every word in the title, duties or requirements (or the code)."""
    words = words_of(query)
    return {t.url for t in truths if words and all(_has((t.title, t.code, *t.duties_and_requirements), w) for w in words)}


def allowed(truths: list[PageTruth], query: str) -> set[str]:
    """URLs a query may find: every word somewhere the index looks (category, locations and the
    description too)."""
    words = words_of(query)
    return {t.url for t in truths if all(_has((t.title, t.code, t.category, *t.locations, *t.duties_and_requirements,
                                               *t.other_text), w) for w in words)}


def exact_titles(truths: list[PageTruth], query: str) -> set[str]:
    words = " ".join(words_of(query))
    return {t.url for t in truths if " ".join(words_of(t.title)) == words}


def seed_queries(truths: list[PageTruth], per_position: int = 2) -> list[str]:
    """Queries a job seeker would type: every title; words from the duties and requirements (two-
    to four-character pieces of them, at fixed places, so the list is the same every run); codes,
    Latin words, two words at once, and the words of the issue (催收, 营销, 互联网)."""
    import re

    queries = ["催收", "营销", "互联网", "风险", "征信", "数据", "信贷", "北京"]
    queries += [t.title for t in truths]
    for n, t in enumerate(truths):
        texts = [x for x in t.duties_and_requirements if len(re.sub(r"\W", "", x)) >= 8]
        for k in range(min(per_position, len(texts))):
            chunks = [c for c in re.split(r"[\W_]+", texts[(n + k * 3) % len(texts)]) if len(c) >= 2]
            if chunks:
                chunk = chunks[(n + k) % len(chunks)]
                start = (n * 7 + k) % max(1, len(chunk) - 1)
                queries.append(chunk[start:start + 2 + (n + k) % 3])
    latin = sorted({w for t in truths for x in (*t.duties_and_requirements, t.code)
                    for w in re.findall(r"[A-Za-z][A-Za-z0-9+#.-]*[A-Za-z0-9+#]", x)})
    queries += latin[:12] + [w.upper() for w in latin[:3]] + [w.lower() for w in latin[3:6]]
    queries += ["风险 管理", "数据 分析 经验", "ＳＱＬ", "Ｏｒａｃｌｅ"]
    return list(dict.fromkeys(q for q in queries if q.strip()))


# --- in the browser (a Playwright page on the home page) ----------------------------------------

# "Show more" clicked until every result is shown, inside the page (a round trip per click is slow).
SHOW_ALL = """async () => {
  const more = document.querySelector(".finder-more"), form = document.querySelector("form.finder");
  for (let clicks = 0; !more.hidden && clicks < 1000; clicks++) {
    const query = form.dataset.ready;
    more.click();  // data-ready goes, and comes back when the cards of the click are all shown
    for (let t = 0; form.dataset.ready !== query && t < 1000; t++) { await new Promise(r => setTimeout(r, 5)); }
  }
  return more.hidden;
}"""


def wait_for_results(page, query: str) -> list[str]:
    page.wait_for_function("q => document.querySelector('form.finder').dataset.ready === q", arg=query)
    assert page.evaluate(SHOW_ALL), "'show more' still there"
    return page.locator(".finder-results .card-title a").all_inner_texts()


def result_urls(page, query: str) -> list[str]:
    """The hrefs of every result of QUERY, typed and submitted (Enter: no wait for the typing pause)."""
    page.fill("#finder-q", query)
    page.press("#finder-q", "Enter")
    wait_for_results(page, query)
    return page.eval_on_selector_all(".finder-results .card-title a", "links => links.map(a => a.getAttribute('href'))")


def assert_finds_the_truth(page, truths, queries: list[str]) -> None:
    """Each query: every position whose title, code, duties or requirements contain it found, the
    exact titles first, and nothing whose fields lack a word of it; the count said is the count shown."""
    problems = []
    for query in queries:
        urls = result_urls(page, query)
        must, may, exact = expected(truths, query), allowed(truths, query), exact_titles(truths, query)
        said = page.locator(".finder-status").inner_text()
        if must - set(urls):
            problems.append(f"{query!r}: not found {sorted(must - set(urls))}")
        if set(urls) - may:
            problems.append(f"{query!r}: found without the words {sorted(set(urls) - may)}")
        if len(set(urls)) != len(urls):
            problems.append(f"{query!r}: a position shown twice")
        if set(urls[:len(exact)]) != exact:
            problems.append(f"{query!r}: exact titles {sorted(exact)} not first: {urls[:len(exact)]}")
        if urls and str(len(urls)) not in said.split():
            problems.append(f"{query!r}: {len(urls)} shown, status says {said!r}")
    assert not problems, "\n".join(problems)
