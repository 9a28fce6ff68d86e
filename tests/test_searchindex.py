"""The search index (careersite/search/index.py): what it holds, that it reads back, that it finds
every substring, its bytes stable; and the build that writes it (only open positions, no fallback)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from careersite.search import index as searchindex
from careersite.search.index import SearchDoc, docs_of, fold, index_files, items_of
from tests.helpers import PROJECT, TODAY, tree_digest
from tests.searchtools import fields, read_index, search


def doc(n: int, title: str, *items: str, category: str = "tech", locations=("北京",), code: str = "") -> SearchDoc:
    return SearchDoc(url=f"/positions/p{n}/", title=title, code=code, category=category, category_name="技术类",
                     locations=tuple(locations), closes="2026年12月31日", salary="", items=items)


def test_items_are_the_blocks_of_a_section():
    html = ("<ol>\n<li>负责<strong>催收</strong>系统的建设；</li>\n<li>熟悉 Java&amp;C++ 开发<br>优先</li>\n</ol>\n"
            "<p>部门<a href=\"/x\" title=\"a>b\">介绍</a></p><ul><li>外层<ul><li>内层</li></ul></li></ul>"
            "<table><tr><td>甲</td><td>乙</td></tr></table>")
    assert items_of(html) == ("负责催收系统的建设；", "熟悉 Java&C++ 开发", "优先", "部门介绍", "外层", "内层", "甲", "乙")


def test_fold_is_nfkc_then_casefold():
    assert fold("ＪＡＶＡ（Ｏｒａｃｌｅ）") == "java(oracle)"
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("Café") == fold("cafe\u0301")


def test_every_substring_of_every_field_finds_its_position():
    rng = random.Random(15)
    pool = "风险管理催收处置岗营销策划互联网金融数据征信信贷审批系统开发运维熟悉负责经验本科以上"
    docs = []
    for n in range(60):
        items = ["".join(rng.choice(pool) for _ in range(rng.randint(4, 30))) for _ in range(rng.randint(1, 5))]
        docs.append(doc(n, "".join(rng.choice(pool) for _ in range(rng.randint(2, 8))) + "岗", *items,
                        category=("tech", "ops")[n * 2 // 60], code=f"RM-{n:02d}", locations=(rng.choice("京沪深"),)))
    index = read_index(index_files(docs))
    assert index.meta["docs"] == 60 and index.meta["categories"] == [["tech", 30], ["ops", 30]]
    for _ in range(400):
        n = rng.randrange(60)
        text = rng.choice(fields(index.fragments[n]))
        start = rng.randrange(len(text))
        query = text[start:start + rng.randint(1, 6)]
        found = search(index, query)
        truth = [i for i in range(60) if any(fold(query) in fold(f) for f in fields(index.fragments[i]))]
        assert n in found and found == sorted(found, key=lambda i: (
            -(2 if fold(docs[i].title) == fold(query) else 1 if fold(query) in fold(docs[i].title) else 0), i)), query
        assert sorted(found) == truth, query


def test_titles_first_and_filters():
    docs = [doc(0, "数据分析岗", "负责催收数据"), doc(1, "催收处置岗", "负责催收"), doc(2, "催收处置岗助理", "x"),
            doc(3, "风控岗", "催收处置经验", category="ops", locations=("上海", "北京"))]
    index = read_index(index_files(docs))
    assert search(index, "催收处置岗") == [1, 2]
    assert search(index, "催收") == [1, 2, 0, 3]
    assert search(index, "催收", category="ops") == [3]
    assert search(index, "催收", location="上海") == [3]
    assert search(index, "催收 数据") == [0]
    assert search(index, "处置 经验") == [3]
    assert search(index, "催收处置经理") == []


def test_latin_accented_and_symbols_index_without_any_fallback():
    words = ["café", "résumé", "C++", ".NET", "Node.js", "C#", "RM-03", "Ｊａｖａ", "naïve", "Straße"]
    docs = [doc(n, f"岗位{n}", f"熟悉 {word} 开发；", code=f"X-{n}") for n, word in enumerate(words)]
    files = index_files(docs)
    index = read_index(files)
    for n, word in enumerate(words):
        for query in (word, word.upper(), word.lower(), unicodedata.normalize("NFD", word),
                      unicodedata.normalize("NFKC", word).upper()):
            assert search(index, query) == [n], (word, query)
    assert search(index, "java") == [7] and search(index, "STRASSE") == [9] and search(index, "cafe") == []
    assert all(path.startswith("search/") for path in files)


def test_false_matches_of_the_pairs_are_dropped():
    docs = [doc(0, "甲", "催收", "收处置"), doc(1, "乙", "催收处置")]  # 0 has every pair of 催收处置, not the word
    index = read_index(index_files(docs))
    from tests.searchtools import candidates

    assert candidates(index, "催收处置") == [0, 1] and search(index, "催收处置") == [1]


def test_the_bytes_depend_only_on_the_records():
    docs = [doc(n, f"岗位{n}", "负责风险管理", "熟悉SQL") for n in range(30)]
    first = index_files(docs)
    assert index_files(list(docs)) == first
    assert json.loads(first["search/meta.json"]) == {
        "format": 1, "tag": hashlib.sha256("\n".join(d.url for d in docs).encode()).hexdigest()[:8], "docs": 30,
        "shards": {"c": 1, "p": 1}, "sizes": {"c": 260, "p": 822}, "categories": [["tech", 30]], "locations": ["北京"]}
    assert index_files([]) == index_files(())
    assert read_index(index_files([])).meta["docs"] == 0


def test_shards_grow_with_the_index(monkeypatch):
    docs = [doc(n, f"岗位{n}", "".join(chr(0x4E00 + (n * 37 + k * 11) % 3000) for k in range(60))) for n in range(300)]
    monkeypatch.setattr(searchindex, "SHARD_BYTES", 2000)
    files = index_files(docs)
    index = read_index(files)
    assert index.meta["shards"]["p"] >= 16 and index.meta["shards"]["c"] >= 4
    sizes = [len(data) for rel, data in files.items() if rel.startswith("search/p/")]
    assert max(sizes) < 3 * 2000
    for n in range(0, 300, 7):
        text = index.fragments[n]["items"][0]
        assert n in search(index, text[5:9])


def test_an_index_updated_from_the_last_one_is_the_index_made_anew(monkeypatch):
    """updated(): the last index with the entries of the changed positions moved gives the bytes index_files()
    gives, also when the number of shards changes; when it cannot (other ids, nothing to read), it says so."""
    monkeypatch.setattr(searchindex, "SHARD_BYTES", 300)
    rng = random.Random(14)
    pool = "风险管理催收处置岗营销策划互联网金融数据征信信贷审批系统开发运维"

    def text(low: int, high: int) -> str:
        return "".join(rng.choice(pool) for _ in range(rng.randint(low, high)))

    def random_doc(n: int, items: int) -> SearchDoc:
        return doc(n, rng.choice(("催收岗", "营销岗")) if rng.random() < 0.3 else text(2, 6),
                   *(text(3, 40) for _ in range(rng.randint(0, items))), locations=(rng.choice("京沪深"),))

    docs = [random_doc(n, 1) for n in range(40)]
    shards, partial = set(), []
    for step in range(40):  # the positions get more text, then less: the number of shards changes
        last = index_files(docs)
        changed = set(rng.sample(range(40), rng.randint(1, 4)))
        docs = [random_doc(n, 9 if step < 20 else 0) if n in changed else d for n, d in enumerate(docs)]
        others_bare = [d if n in changed else dataclasses.replace(d, items=()) for n, d in enumerate(docs)]
        made = searchindex.updated(others_bare, changed, last.get)
        assert {rel: last[rel] if data is None else data for rel, data in made.items()} == index_files(docs)
        counts = json.loads(made["search/meta.json"])["shards"]
        remade = [rel for rel, data in made.items() if data is not None and rel.startswith(("search/c/", "search/p/"))]
        if counts == json.loads(last["search/meta.json"])["shards"]:
            partial.append(len(remade) < sum(counts.values()))
        shards.add(json.dumps(counts))
    assert len(shards) > 1, "no edit changed the number of shards"
    assert any(partial) and not all(partial), "every update made every shard again, or none did"
    assert searchindex.updated(docs[1:], {0}, last.get) is None  # other ids
    assert searchindex.updated(docs, {0}, {}.get) is None


# --- the build ----------------------------------------------------------------------------------

POSITIONS = {
    f"content/positions/p{n}.yaml": f"title: 岗位{n}\ncategory: {cat}\nlocation: [{place}]\nposted: 2026-11-0{n}\n"
                                    f"responsibilities:\n  - 负责第{n}项信贷风险工作\n"
    for n, cat, place in ((1, "tech", "北京"), (2, "ops", "上海"), (3, "tech", "深圳, 北京"), (4, "ops", "广州"))
}
CLOSED = "title: 旧岗位\ncategory: tech\nlocation: 北京\nposted: 2026-01-01\ncloses: 2026-02-01\n" \
         "responsibilities:\n  - 负责信贷风险\n"


def test_the_build_indexes_the_open_positions_only(make_site):
    site = make_site({**POSITIONS, "content/positions/old.yaml": CLOSED,
                      "content/positions/draft.yaml": CLOSED.replace("closes: 2026-02-01\n", "draft: true\n")})
    result = site.run("build", "--drafts")
    assert result.returncode == 0, result.stderr
    index = read_index(site.out / "search")
    assert sorted(f["title"] for f in index.fragments) == ["后端工程师", "岗位1", "岗位2", "岗位3", "岗位4"]
    assert search(index, "旧岗位") == [] and len(search(index, "信贷")) == 4
    assert [index.fragments[i]["url"] for i in range(5)] == [
        a["href"] for a in site.page().select(".category-group .card-title a")
        if a["href"] != "/positions/draft/"]  # ids in listing order; a draft is listed (--drafts), not searched
    assert index.meta["locations"] == ["上海", "北京", "广州", "深圳"]
    assert "fallback" not in result.stderr.lower() and "warn" not in result.stderr.lower()


def test_a_site_with_every_position_closed_searches_nothing(make_site):
    site = make_site({"content/positions/old.yaml": CLOSED}, position=False)
    site.build()
    index = read_index(site.out / "search")
    assert index.meta["docs"] == 0 and index.fragments == [] and search(index, "信贷") == []
    assert not (site.out / "pagefind").exists()


def test_builds_on_two_file_systems_write_the_same_index(make_site, tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no tmpfs at /dev/shm")
    site = make_site(POSITIONS)
    site.build()
    other = Path(shutil.copytree(site.root, shm / f"careersite-test-{tmp_path.name}", ignore=shutil.ignore_patterns(
        "public", ".cache")))
    try:
        result = site.run("build", "--site", str(other), "--out", str(other / "public"))
        assert result.returncode == 0, result.stderr
        theirs = {k: v for k, v in tree_digest(other / "public").items() if k.startswith("search/")}
    finally:
        shutil.rmtree(other, ignore_errors=True)
    ours = {k: v for k, v in tree_digest(site.out).items() if k.startswith("search/")}
    assert ours == theirs and len(ours) > 5


def test_the_build_writes_what_index_files_makes(seed_site):
    from careersite.commands import build as pipeline

    problems = pipeline.new_problems()
    site = pipeline.load_site(pipeline.Options(root=seed_site.root, today=TODAY), problems)
    files = index_files(docs_of(site))
    assert tree_digest(files) == {rel: digest for rel, digest in tree_digest(seed_site.out).items()
                                  if rel.startswith("search/")}
    assert json.loads(files["search/meta.json"])["docs"] == 23
    assert sum(len(v) for k, v in files.items() if k.startswith("search/p/")) < 40_000


# --- static/search.js reads what Python writes --------------------------------------------------

def fold_table() -> str:
    """search.js's FOLDS: where casefold differs from lower case after NFKC (Cherokee aside)."""
    table = {}
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        for char in unicodedata.normalize("NFKC", chr(code)).lower():
            if char.casefold() != char and not (0xAB70 <= ord(char) <= 0xABBF or 0x13F8 <= ord(char) <= 0x13FD):
                table[char] = char.casefold()
    return ",".join("".join(f"\\u{ord(c):04x}" for c in k + v) for k, v in sorted(table.items()))


def test_search_js_has_pythons_fold_table():
    script = (PROJECT / "static/search.js").read_text(encoding="utf-8")
    found = re.search(r'var FOLDS = "([^"]*)";', script)[1]
    assert found == fold_table(), f'put this in static/search.js: var FOLDS = "{fold_table()}";'


def test_search_js_uses_the_same_spaces():
    script = (PROJECT / "static/search.js").read_text(encoding="utf-8")
    js = re.search(r"var SPACE_RUN = /\[(.*?)\]\+/;", script)[1].encode().decode("unicode_escape")
    assert _chars(js) == _chars(searchindex.SPACES)


def _chars(cls: str) -> set[str]:
    out, i = set(), 0
    while i < len(cls):
        if i + 2 < len(cls) and cls[i + 1] == "-":
            out |= {chr(c) for c in range(ord(cls[i]), ord(cls[i + 2]) + 1)}
            i += 3
        else:
            out.add(cls[i])
            i += 1
    return out
