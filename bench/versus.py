"""The generator beside an earlier commit of itself, paired: "no figure may get worse" measured under one load.

    python bench/versus.py --commit ca65401 --sizes 1000,10000,30000 --repeat 5 --work /dev/shm/versus

The earlier commit is exported (`git archive`, no worktree) with its own requirements.txt installed beside it
(`pip install --target`, on PYTHONPATH for its side only), and each side runs its own bench/probes.py on the
same synthetic positions (bench/synth.py), each with its own templates and static files. In each
repeat the two sides run back to back (unchanged build, then one edit); the live preview probe runs side after
side. (Save to reload is left out: the earlier dev server's probe speaks livereload's protocol and waits for its
background search index, which the benchmark's own table measures.) Printed: the medians of each side and the median of the per-repeat ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import synth
from run import paired_ratio

PROJECT = synth.PROJECT


def export(commit: str, folder: Path) -> Path:
    """COMMIT's files in FOLDER (replaced), and its dependencies in FOLDER/.deps."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=PROJECT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(folder / ".deps"), "-r",
                    str(folder / "requirements.txt")], check=True)
    return folder


@contextlib.contextmanager
def side(project: Path):
    """The environment PROJECT's probes run in: an exported commit's own dependencies first."""
    deps = project / ".deps"
    if deps.is_dir():
        os.environ["PYTHONPATH"] = str(deps)
    try:
        yield probes_of(project)
    finally:
        os.environ.pop("PYTHONPATH", None)


@functools.cache
def probes_of(project: Path):
    """PROJECT's own bench/probes.py, as a module of its own (loaded once)."""
    spec = importlib.util.spec_from_file_location(f"probes_{abs(hash(project))}", project / "bench" / "probes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(sides: dict[str, Path], n: int, repeat: int, work: Path) -> dict[str, dict[str, list[float]]]:
    runs: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    sites = {}
    for name, project in sides.items():
        site = sites[name] = work / f"site-{name}-{n}"
        shutil.rmtree(site, ignore_errors=True)
        synth.make_site(site, n)
        for folder in ("templates", "static"):  # each side with the templates its code expects
            shutil.rmtree(site / folder)
            shutil.copytree(project / folder, site / folder)
        shutil.rmtree(work / f"out-{name}-{n}", ignore_errors=True)
    time.sleep(2.1)  # position files older than the builds, as when HR edits a site
    for name, project in sides.items():
        with side(project) as probes:
            probes.build(project, sites[name], work / f"out-{name}-{n}", synth.TODAY)  # cold, once
    for r in range(repeat):
        for key in ("unchanged_s", "one_edit_s"):
            for name, project in sides.items():
                edited = synth.first_open(sites[name])
                original = edited.read_text(encoding="utf-8")
                if key == "one_edit_s":
                    edited.write_text(synth.edit_title(original, f"对比{r}"), encoding="utf-8")
                with side(project) as probes:
                    try:
                        seconds = probes.build(project, sites[name], work / f"out-{name}-{n}", synth.TODAY)["s"]
                    finally:
                        edited.write_text(original, encoding="utf-8")
                    if key == "one_edit_s":  # the edit undone and built, so that the next build is unchanged
                        time.sleep(2.1)  # (a file saved within two seconds of a build is read again by the next)
                        probes.build(project, sites[name], work / f"out-{name}-{n}", synth.TODAY)
                runs[name].setdefault(key, []).append(seconds)
    for name, project in sides.items():
        site, edited = sites[name], synth.first_open(sites[name])
        with side(project) as probes:
            runs[name]["live_preview_s"] = probes.live_preview(project, site, work / f"preview-{name}-{n}", edited,
                                                               repeat, synth.TODAY)["times"]
    for name in sides:
        for folder in (sites[name], work / f"out-{name}-{n}", work / f"preview-{name}-{n}"):
            shutil.rmtree(folder, ignore_errors=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", required=True, help="the earlier commit")
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/versus"))
    args = parser.parse_args()
    sides = {args.commit: export(args.commit, args.work / "earlier"), "now": PROJECT}
    print(f"| N | figure | {args.commit} s | now s | now / {args.commit} (paired median) |")
    print("|---|---|---|---|---|")
    for n in map(int, args.sizes.split(",")):
        runs = measure(sides, n, args.repeat, args.work)
        before, now = runs[args.commit], runs["now"]
        for key in now:
            print(f"| {n:,} | {key} | {statistics.median(before[key]):.3f} | {statistics.median(now[key]):.3f} "
                  f"| {paired_ratio(now[key], before[key]):.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
