"""Compare two Pagefind bundles by what they mean, not their bytes: the same pages (URL, fragment),
the same words on the same pages at the same positions, the same filters. Not a test: a tool.

    python bench/search_compare.py OUT_A/pagefind OUT_B/pagefind
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from careersite.pagefindfmt import _read  # noqa: E402


def canonical(bundle: Path) -> dict:
    """{'pages': {url: fragment}, 'words': {word: {url: (positions, meta positions by field name)}},
    'filters': {name: {value: sorted urls}}} for the one language of BUNDLE."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    (language, info), = entry["languages"].items()
    meta = _read(bundle / f"pagefind.{info['hash']}.pf_meta")
    fields = meta[5]
    urls, pages = [], {}
    for fragment, word_count in meta[1]:
        raw = gzip.decompress((bundle / "fragment" / f"{fragment}.pf_fragment").read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        urls.append(data["url"])
        pages[data["url"]] = (data, word_count)
    words: dict = {}
    for _from, _to, digest in meta[2]:
        for word, entries, _extra in _read(bundle / "index" / f"{digest}.pf_index")[0]:
            number = 0
            for i, (n, locs, meta_locs) in enumerate(entries):
                number = n if i == 0 else number + n
                named = [fields[-1 - v] if v < 0 else v for v in meta_locs]
                words.setdefault(word, {})[urls[number]] = (locs, named)
    filters = {}
    for name, digest in meta[3]:
        fname, values = _read(bundle / "filter" / f"{digest}.pf_filter")
        filters[fname] = {value: sorted(urls[n] for n in numbers) for value, numbers in values}
    return {"language": language, "version": meta[0], "pages": pages, "words": words, "filters": filters,
            "page_count": info["page_count"]}


def differences(a: dict, b: dict) -> list[str]:
    found = []
    for key in ("language", "version", "page_count"):
        if a[key] != b[key]:
            found.append(f"{key}: {a[key]!r} != {b[key]!r}")
    if a["pages"] != b["pages"]:
        found.append(f"pages differ: {len(a['pages'])} / {len(b['pages'])}, "
                     f"e.g. {sorted(set(a['pages']) ^ set(b['pages']))[:3]}")
    if a["filters"] != b["filters"]:
        found.append("filters differ")
    if a["words"] != b["words"]:
        diff = sorted(w for w in set(a["words"]) | set(b["words"]) if a["words"].get(w) != b["words"].get(w))
        found.append(f"{len(diff)} of {len(a['words'])} words differ, e.g. {diff[:5]}")
    return found


if __name__ == "__main__":
    left, right = canonical(Path(sys.argv[1])), canonical(Path(sys.argv[2]))
    problems = differences(left, right)
    print(f"{len(left['pages'])} pages, {len(left['words'])} words:", "same meaning" if not problems else "DIFFERENT")
    for line in problems:
        print("  " + line)
    raise SystemExit(1 if problems else 0)
