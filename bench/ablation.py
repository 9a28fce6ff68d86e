"""What each optimisation bought: cold builds of N synthetic positions with one lever turned off at a time.

    python bench/ablation.py --n 10000 --repeat 3 [--before COMMIT]

Rows (median wall seconds of a cold build: no cache, empty output folder, fresh process):
  all on          the generator as it is
  no search index the build without Pagefind (what the search index costs)
  no fast path    Python-Markdown for every text (the plain-text fast path off)
  GC on           the cyclic garbage collector left running during the build
  one process     no forked workers (CAREERSITE_JOBS=1)
  one search run  Pagefind over the whole site in one process instead of shards of 1,100 pages
  one Pagefind at a time  the shards indexed one after another instead of one per CPU
  before          the generator at COMMIT (default: main when this session began), same content
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402
from run import median, run  # noqa: E402

PROJECT = synth.PROJECT
# Runs build.py with one lever turned off by patching it in the child process before the build.
PATCHED = r"""
import sys
sys.path.insert(0, sys.argv[1])
lever = sys.argv[2]
from careersite import incremental, markup, pipeline, search
if lever == "no-fast-path":
    markup.markdown_plain = lambda source: None
    markup.normalize_plain = lambda text: None
if lever == "gc-on":
    pipeline.gc.disable = lambda: None
if lever == "no-search":
    search.has_pagefind = lambda: False  # the build warns and writes the site without pagefind/
if lever == "one-pagefind":
    real_build_index = incremental.build_index
    incremental.build_index = lambda *args, **kwargs: real_build_index(*args, **{**kwargs, "workers": 1})
from careersite.cli import main
raise SystemExit(main(sys.argv[3:]))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="b407400", help="commit to compare with (main before the build cache)")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="careersite-ablation-"))
    site, out = work / "site", work / "out"
    synth.make_site(site, args.n)
    before = work / "before"
    before.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", args.before], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    common = ["build", "--site", str(site), "--out", str(out), "--today", synth.TODAY]
    variants = {
        "all on": ([sys.executable, str(PROJECT / "build.py"), *common], {}),
        "no search index": ([sys.executable, "-c", PATCHED, str(PROJECT), "no-search", *common], {}),
        "no fast path": ([sys.executable, "-c", PATCHED, str(PROJECT), "no-fast-path", *common], {}),
        "GC on": ([sys.executable, "-c", PATCHED, str(PROJECT), "gc-on", *common], {}),
        "one process": ([sys.executable, str(PROJECT / "build.py"), *common], {"CAREERSITE_JOBS": "1"}),
        "one search run": ([sys.executable, str(PROJECT / "build.py"), *common],
                           {"CAREERSITE_SEARCH_SHARD_FILES": "1000000"}),
        "one Pagefind at a time": ([sys.executable, "-c", PATCHED, str(PROJECT), "one-pagefind", *common], {}),
        f"before ({args.before})": ([sys.executable, str(before / "build.py"), *common], {}),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    memory: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeat):
        for name, (cmd, env) in variants.items():  # interleaved: each sees the same machine load
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".cache", ignore_errors=True)
            seconds, mb = run(cmd, env={**{k: v for k, v in os.environ.items() if k != "CI"}, **env})
            times[name].append(seconds)
            memory[name].append(mb)
    print(f"N = {args.n:,}, median of {args.repeat}, load average {os.getloadavg()[0]:.1f}")
    print("| variant | cold build s | peak MB |\n|---|---|---|")
    for name in variants:
        print(f"| {name} | {median(times[name]):.2f} | {median(memory[name]):.0f} |")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
