"""Benchmark: what the search index costs to build, and what it weighs, at N synthetic positions.

    python bench/search_bench.py --sizes 1000,10000,30000 --repeat 3 [--unique] --work /dev/shm/search-bench
    python bench/search_bench.py --sizes 0,1000,10000 --repeat 1 --shard-sizes   # 0: the seed site

For each N: bench/synth.py writes the site, and a fresh process loads it (careersite.commands.build.load_site,
not timed) and then times searchindex.docs_of + index_files, the step the build adds for search.
Reported: the median wall seconds of --repeat runs; the peak of what the step allocates (tracemalloc,
in a run of its own, as tracing slows it down) and the peak resident memory of that process (the
loaded site included); the files and their bytes, raw and gzipped (level 6, as hosts compress).
--unique makes every duty and requirement unique (the position's number appended), the worst case
for the index's memo of repeated texts (synth.py recombines the seed's sentences). Not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import synth  # noqa: E402

PROJECT = synth.PROJECT

STEP = r"""
import dataclasses, datetime as dt, gzip, json, resource, sys, time, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from careersite.commands import build as pipeline
from careersite.search import index as searchindex
root, mode, unique = Path(sys.argv[2]), sys.argv[3], sys.argv[4] == "unique"
site = pipeline.load_site(pipeline.Options(root=root, today=dt.date.fromisoformat(sys.argv[5])), pipeline.new_problems())
assert site is not None
def docs():
    made = searchindex.docs_of(site)
    if unique:
        made = tuple(dataclasses.replace(d, items=tuple(f"{item}（{n}）" for item in d.items)) for n, d in enumerate(made))
    return made
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if mode == "memory":
    tracemalloc.start()
started = time.perf_counter()
files = searchindex.index_files(docs())
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if mode == "memory" else 0
report = {"s": seconds, "traced_mb": peak / 2**20, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
          "rss_before_mb": before / 1024, "docs": len(site.open_positions)}
if mode == "shard-sizes":  # the shard bytes a typical query fetches, for other shard sizes
    sys.path.insert(0, sys.argv[1] + "/bench")
    from search_browser import QUERIES
    made = docs()
    report["shard_sizes"] = {}
    for size in json.loads(sys.argv[6]):
        searchindex.SHARD_BYTES = size
        files = searchindex.index_files(made)
        meta = json.loads(files["search/meta.json"])
        fetched = []
        for query in QUERIES:
            words = searchindex.words_of(query)
            terms = {t for w in words for t in ([w] if len(w) == 1 else [w[i:i + 2] for i in range(len(w) - 1)])}
            names = {("c" if len(t) == 1 else "p") + "/" + str(searchindex.fnv1a(t) % meta["shards"]["c" if len(t) == 1 else "p"])
                     for t in terms}
            fetched.append(sum(len(gzip.compress(files[f"search/{n}.bin"], 6, mtime=0)) for n in names))
        fetched.sort()
        report["shard_sizes"][size] = {"files": meta["shards"]["c"] + meta["shards"]["p"],
                                       "median_gzip": fetched[len(fetched) // 2], "max_gzip": fetched[-1]}
if mode == "files":
    kinds = {}
    for rel, data in files.items():
        kind = rel.split("/")[1] if rel.count("/") > 1 else "meta"
        entry = kinds.setdefault(kind, [0, 0, 0])
        entry[0] += 1; entry[1] += len(data); entry[2] += len(gzip.compress(data, 6, mtime=0))
    report["files"] = kinds
    report["meta"] = json.loads(files["search/meta.json"])["shards"]
print(json.dumps(report))
"""


SHARD_SIZES = [3000, 6000, 12000, 24000, 48000, 96000]


def step(site: Path, mode: str, unique: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", STEP, str(PROJECT), str(site), mode, "unique" if unique else "-",
                          synth.TODAY, json.dumps(SHARD_SIZES)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run(sizes: list[int], repeat: int, work: Path, unique: bool, shard_sizes: bool = False) -> list[dict]:
    rows = []
    for n in sizes:
        site = synth.sized_site(work, n)
        times = [step(site, "time", unique) for _ in range(repeat)]
        memory = step(site, "memory", unique)
        files = step(site, "files", unique)
        if shard_sizes:
            files["shard_sizes"] = step(site, "shard-sizes", unique)["shard_sizes"]
        rows.append({"n": n, "docs": files["docs"], "s": statistics.median(t["s"] for t in times),
                     "traced_mb": memory["traced_mb"], "rss_mb": statistics.median(t["rss_mb"] for t in times),
                     "rss_before_mb": statistics.median(t["rss_before_mb"] for t in times),
                     "files": files["files"], "shards": files["meta"], "shard_sizes": files.get("shard_sizes")})
        print(tables(rows[-1:]), flush=True)
        shutil.rmtree(site, ignore_errors=True)
    return rows


def markdown(head: list[str], rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [head, ["---"] * len(head), *rows])


NAMES = {"c": "shards, 1-character terms", "p": "shards, 2-character terms", "l": "locations", "d": "fragments",
         "meta": "meta.json"}


def tables(rows: list[dict]) -> str:
    cost = markdown(["positions (open)", "index step s", "step allocates, peak MB", "process peak RSS MB (site loaded: MB)"],
                    [[f"{r['n']:,} ({r['docs']:,})", f"{r['s']:.2f}", f"{r['traced_mb']:.0f}",
                      f"{r['rss_mb']:.0f} ({r['rss_before_mb']:.0f})"] for r in rows])
    weight = markdown(["positions", "files", "count", "raw bytes", "gzip bytes", "gzip bytes each"],
                      [[f"{r['n']:,}", NAMES[k], f"{v[0]:,}", f"{v[1]:,}", f"{v[2]:,}", f"{v[2] // v[0]:,}"]
                       for r in rows for k, v in sorted(r["files"].items())])
    out = cost + "\n\n" + weight
    if any(r.get("shard_sizes") for r in rows):
        out += "\n\n" + markdown(["positions", "SHARD_BYTES", "shard files", "a typical query's shards, gzip bytes (median)",
                                  "the most of the queries"],
                                 [[f"{r['n']:,}", f"{int(size):,}", str(v["files"]), f"{v['median_gzip']:,}", f"{v['max_gzip']:,}"]
                                  for r in rows if r.get("shard_sizes") for size, v in r["shard_sizes"].items()])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/search-bench"))
    parser.add_argument("--unique", action="store_true", help="every duty and requirement unique")
    parser.add_argument("--shard-sizes", action="store_true",
                        help=f"also: a typical query's shard bytes with SHARD_BYTES = {SHARD_SIZES}")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = run([int(n) for n in args.sizes.split(",")], args.repeat, args.work, args.unique, args.shard_sizes)
    print()
    print(tables(rows))


if __name__ == "__main__":
    main()
