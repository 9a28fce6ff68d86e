"""What each optimisation bought: cold builds of N synthetic positions with one lever turned off at a time.

    python bench/ablation.py --n 10000 --repeat 3 [--before COMMIT]

Rows (median wall seconds of a cold build: no cache, empty output folder, fresh process):
  all on          the generator as it is
  no search index the build without search/ (what the search index costs)
  no fast path    Python-Markdown for every text (the plain-text fast path off)
  one process     no forked workers (CAREERSITE_JOBS=1)
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
from careersite import search
from careersite.model import markup
if lever == "no-fast-path":
    markup.markdown_plain = lambda source: None
    markup.normalize_plain = lambda text: None
if lever == "no-search":
    search.index_files = lambda site: {}  # the site without search/
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
        "one process": ([sys.executable, str(PROJECT / "build.py"), *common], {"CAREERSITE_JOBS": "1"}),
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
