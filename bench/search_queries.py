"""Search two built sites the way static/search.js does (pagefind.js in Debian's chromium) and compare
what a job seeker gets: how many results, which URLs with which score, and the first five (URL, title,
excerpt). Results of equal score come in page-number order, so their order may differ between two
indexes of the same pages numbered differently; that alone does not count as a difference.

    python bench/search_queries.py SITE_A SITE_B        # two output folders, each with pagefind/

Not a test: a check for indexes too big for the test suite (e.g. 10,000 positions).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.tools import CHROMIUM_ARGS, chromium_path, serve_directory  # noqa: E402

QUERIES = [("风险", {}), ("信贷", {}), ("北京", {}), ("数据", {}), ("客户经理", {}), ("营销策划", {}),
           ("信用卡", {}), ("风险", {"category": "risk"}), ("信贷", {"location": "上海"}),
           ("", {"category": "technology"}), ("", {"location": "成都"}),
           ("开发", {"category": "technology", "location": "深圳"}),
           ("sql", {}), ("java", {})]

SEARCH = """async ([query, filters]) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.options({ baseUrl: "/" });
  const search = await pagefind.search(query || null, { filters });
  const first = await Promise.all(search.results.slice(0, 5).map(r => r.data()));
  return { count: search.results.length, urls: (await Promise.all(search.results.map(r => r.data()))).map(d => d.url),
           scores: search.results.map(r => Math.round(r.score * 1e6)),
           ranked: (await Promise.all(search.results.map(async r => [Math.round(r.score * 1e6), (await r.data()).url])))
             .sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? -1 : 1)),
           first: first.map(d => [d.url, d.meta.title, d.excerpt]) };
}"""


def results(site: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    with serve_directory(site, "/") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base)
        found = [page.evaluate(SEARCH, [query, filters]) for query, filters in QUERIES]
        browser.close()
    return found


def main() -> None:
    left, right = results(Path(sys.argv[1])), results(Path(sys.argv[2]))
    same = True
    for (query, filters), a, b in zip(QUERIES, left, right):
        urls = sorted(a["urls"]) == sorted(b["urls"])
        ranked = a["ranked"] == b["ranked"]  # each URL with the same score (ties may come in another order)
        order = a["urls"] == b["urls"]
        first = a["first"] == b["first"]
        same &= urls and ranked
        print(f"{query or '(no query)'} {json.dumps(filters, ensure_ascii=False)}: {a['count']} / {b['count']} results;"
              f" same URLs: {urls}; same score for each: {ranked}; same order: {order};"
              f" same first 5 (URL, title, excerpt): {first}")
        if not first:
            print("   first 3:", [f[0] for f in a["first"][:3]], "/", [f[0] for f in b["first"][:3]])
    print("same results" if same else "DIFFERENT results")
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
