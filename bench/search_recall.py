"""Recall and precision of a site's search as a job seeker meets it: each query typed into the home
page in chromium, every result shown ("show more" until the end), compared with what the built pages
say (tests/searchtools.py: a position must be found when each word of the query is in its title,
code, duties or requirements; a result is right when each word is somewhere it shows).

    python bench/search_recall.py --before df5483f            # the seed site with Pagefind, then ours
    python bench/search_recall.py --site DIR [--base /careers/]   # an output folder already built

--before builds the seed fixture with the generator at that commit (git archive: nothing is checked
out) and with this one, and prints both. Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from tests.searchtools import allowed, exact_titles, expected, page_truth, result_urls, seed_queries  # noqa: E402
from tests.tools import CHROMIUM_ARGS, chromium_path, serve_directory  # noqa: E402

TODAY = "2026-11-28"
SEED = PROJECT / "tests" / "fixtures" / "seed"


def measure(out: Path, base: str = "/careers/") -> dict:
    from playwright.sync_api import sync_playwright

    truths = page_truth(out, base)
    queries = seed_queries(truths)
    rows = []
    with serve_directory(out, base) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        for query in queries:
            found = result_urls(page, query)
            must, may, exact = expected(truths, query), allowed(truths, query), exact_titles(truths, query)
            rows.append({"query": query, "expected": len(must), "found": len(found),
                         "found_expected": len(must & set(found)), "right": len(set(found) & may),
                         "exact_first": set(found[:len(exact)]) == exact})
        browser.close()
    expected_total = sum(r["expected"] for r in rows)
    found_total = sum(r["found"] for r in rows)
    return {
        "queries": len(rows),
        "recall": sum(r["found_expected"] for r in rows) / expected_total if expected_total else 1.0,
        "precision": sum(r["right"] for r in rows) / found_total if found_total else 1.0,
        "queries_complete": sum(r["found_expected"] == r["expected"] for r in rows),
        "queries_nothing_found": sum(r["found"] == 0 and r["expected"] > 0 for r in rows),
        "exact_title_first": sum(r["exact_first"] for r in rows if r["query"] in {t.title for t in truths}),
        "titles": len({t.title for t in truths}),
        "rows": rows,
    }


def build(generator: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(SEED, dest)
    for name in ("templates", "static"):
        shutil.copytree(generator / name, dest / name)
    subprocess.run([sys.executable, str(generator / "build.py"), "build", "--site", str(dest), "--today", TODAY],
                   cwd=dest, check=True, capture_output=True)
    return dest / "public"


def report(label: str, result: dict) -> str:
    return (f"| {label} | {result['queries']} | {result['recall']:.1%} | {result['precision']:.1%} | "
            f"{result['queries_complete']} | {result['queries_nothing_found']} | "
            f"{result['exact_title_first']} of {result['titles']} |")


HEAD = ("| search | queries | recall | precision | queries with every position found | queries that found nothing "
        "(but should) | exact title first |\n|---|---:|---:|---:|---:|---:|---:|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a commit of this repository: its search on the seed site, beside ours")
    parser.add_argument("--site", type=Path, help="an output folder to measure instead")
    parser.add_argument("--base", default="/careers/")
    parser.add_argument("--misses", action="store_true", help="list the queries that missed positions")
    args = parser.parse_args()
    results = []
    if args.site:
        results.append((str(args.site), measure(args.site, args.base)))
    else:
        work = Path(tempfile.mkdtemp(prefix="careersite-recall-"))
        try:
            if args.before:
                old = work / "generator"
                old.mkdir()
                archive = subprocess.run(["git", "-C", str(PROJECT), "archive", args.before], check=True,
                                         capture_output=True).stdout
                subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
                results.append((f"before ({args.before})", measure(build(old, work / "before"))))
            results.append(("this generator", measure(build(PROJECT, work / "now"))))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(HEAD)
    for label, result in results:
        print(report(label, result))
    if args.misses:
        for label, result in results:
            missed = [f"{r['query']} ({r['found_expected']}/{r['expected']})" for r in result["rows"]
                      if r["found_expected"] < r["expected"]]
            print(f"\n{label}: {len(missed)} queries missed positions: " + ", ".join(missed))


if __name__ == "__main__":
    main()
