"""Benchmark: the Pagefind step alone, as it was (one `python -m pagefind` over the whole site) and as
it is (careersite.search.build_index: shards, merged), on the same built site of N synthetic positions.

    python bench/search_bench.py --sizes 1000,10000,30000 --repeat 3 --work /dev/shm/search-bench

Each run indexes a fresh hard-linked copy of the site, in a fresh process. Reported per variant, the
median of --repeat runs: wall seconds; CPU seconds (the process and its children); the peak resident
memory of the largest single process (wait4: Pagefind's, or the driver's if larger); and the peak of
the sum over the process tree, sampled every 20 ms (two Pagefind shards run at once). Each run's
index is also compared by meaning with the first "before" index (bench/search_compare.py). Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import synth  # noqa: E402

PROJECT = synth.PROJECT

# The build without the index (as bench/run.py's NO_SEARCH): Pagefind reported missing.
NO_SEARCH = r"""
import sys
sys.path.insert(0, sys.argv[1])
from careersite import search
search.has_pagefind = lambda: False
from careersite.cli import main
raise SystemExit(main(sys.argv[2:]))
"""
AFTER = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from careersite import search
from careersite.errors import Problems
assert search.build_index(Path(sys.argv[2]), Problems(), cache_dir=Path(sys.argv[3]) if sys.argv[3:] else None)
"""


def tree_rss_kb(root: int) -> int:
    """Resident KB of ROOT and all its descendants, now."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def measure(cmd: list[str], cwd: Path | None = None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss_kb(proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{cmd} failed: {errors.read().decode(errors='replace')}")
    return {"s": seconds, "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024,
            "tree_mb": peak[0] / 1024}


def fresh_copy(built: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(built, dest, copy_function=os.link)
    return dest


def run(sizes: list[int], repeat: int, work: Path, cached: bool) -> list[dict]:
    rows = []
    for n in sizes:
        site, built = work / f"site-{n}", work / f"built-{n}"
        synth.make_site(site, n)
        shutil.rmtree(built, ignore_errors=True)
        subprocess.run([sys.executable, "-c", NO_SEARCH, str(PROJECT), "build", "--site", str(site), "--out",
                        str(built), "--today", synth.TODAY], check=True, capture_output=True,
                       env={k: v for k, v in os.environ.items() if k != "CI"})
        results: dict[str, list[dict]] = {"before": [], "after": []}
        reference = work / "reference"
        shutil.rmtree(reference, ignore_errors=True)
        for _ in range(repeat):  # interleaved, so both see the same machine load
            copy = fresh_copy(built, work / "before")
            results["before"].append(measure([sys.executable, "-m", "pagefind", "--site", str(copy),
                                              "--output-subdir", "pagefind", "--silent"], cwd=copy))
            if not reference.exists():
                os.replace(copy / "pagefind", reference)
            copy = fresh_copy(built, work / "after")
            results["after"].append(measure([sys.executable, "-c", AFTER, str(PROJECT), str(copy)]))
            # compared in another process: this one stays small, as a fork of it would count its memory
            compared = subprocess.run([sys.executable, str(Path(__file__).parent / "search_compare.py"),
                                       str(reference), str(copy / "pagefind")], capture_output=True, text=True)
            if compared.returncode != 0:
                raise SystemExit(f"N={n}: the new index differs: {compared.stdout}")
            if cached:  # with a cache (as a rebuild would): cold, unchanged, one position edited
                cache = work / "cache"
                shutil.rmtree(cache, ignore_errors=True)
                for variant in ("cold", "unchanged", "edited"):
                    copy = fresh_copy(built, work / "after")
                    if variant == "edited":
                        pages = sorted((copy / "positions").glob("*/index.html"))
                        page = next(p for p in pages[len(pages) // 2:] if "data-pagefind-body" in p.read_text())
                        text = page.read_text(encoding="utf-8")
                        page.unlink()  # a new file, as the build writes it
                        text = text.replace("岗位职责</h2>", "岗位职责</h2><p>新增职责说明</p>")
                        page.write_text(text, encoding="utf-8")
                    results.setdefault(f"cache_{variant}", []).append(
                        measure([sys.executable, "-c", AFTER, str(PROJECT), str(copy), str(cache)]))
                shutil.rmtree(cache, ignore_errors=True)
        summary = compared.stdout.split(":")[0]  # "9369 pages, 37650 words"
        row = {"n": n, "pages": int(summary.split()[0])}
        for variant, runs in results.items():
            for key in ("s", "cpu", "mb", "tree_mb"):
                row[f"{variant}_{key}"] = statistics.median(r[key] for r in runs)
        rows.append(row)
        print(table([row]), flush=True)
        if cached:
            print(cache_table([row]), flush=True)
        for path in (site, built, work / "before", work / "after", reference):
            shutil.rmtree(path, ignore_errors=True)
    return rows


def markdown(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of HEAD and ROWS (cells already formatted)."""
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [head, ["---"] * len(head), *rows])


def table(rows: list[dict]) -> str:
    head = ["N", "indexed pages", "before s", "after s", "before CPU s", "after CPU s",
            "before peak MB (one process)", "after peak MB (one process)", "after peak MB (all processes)"]
    return markdown(head, [[f"{r['n']:,}", f"{r['pages']:,}", f"{r['before_s']:.2f}", f"{r['after_s']:.2f}",
                            f"{r['before_cpu']:.1f}", f"{r['after_cpu']:.1f}", f"{r['before_mb']:.0f}",
                            f"{r['after_mb']:.0f}", f"{r['after_tree_mb']:.0f}"] for r in rows])


def cache_table(rows: list[dict]) -> str:
    head = ["N", "with a cache: cold s", "unchanged s", "one page edited s", "cold / unchanged / edited CPU s",
            "peak MB (one process)"]
    return markdown(head, [[f"{r['n']:,}", f"{r['cache_cold_s']:.2f}", f"{r['cache_unchanged_s']:.2f}",
                            f"{r['cache_edited_s']:.2f}",
                            f"{r['cache_cold_cpu']:.1f} / {r['cache_unchanged_cpu']:.1f} / {r['cache_edited_cpu']:.1f}",
                            f"{max(r['cache_cold_mb'], r['cache_edited_mb']):.0f}"] for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/search-bench"))
    parser.add_argument("--cache", action="store_true", help="also: with a cache, cold, unchanged, one edit")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = run([int(n) for n in args.sizes.split(",")], args.repeat, args.work, args.cache)
    print()
    print(table(rows))
    if args.cache:
        print(cache_table(rows))


if __name__ == "__main__":
    main()
