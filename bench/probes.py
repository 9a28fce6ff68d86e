"""What bench/run.py runs in child processes: a build with its memory split, a build without the
search index, rebuilds inside one process, and the dev server's rebuild after an edit.

Each probe is a short script run with `python -c`, so every figure comes from a fresh interpreter
and nothing the benchmark imports (or leaks) is counted. The probes use only the generator's public
surface: build.py, `commands.build.build(Options(...), Cache(...))`, `search.index_files`, and
`commands.serve.Preview(root, base_url, today)` with `.rebuild(saved)` and `.page(rel)`; a probe whose surface
changed in an incompatible way fails loudly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# build.py as HR runs it, plus a report of peak memory at exit: the build process itself
# (RUSAGE_SELF) and the largest child it waited for (RUSAGE_CHILDREN: any workers).
# build.py runs its exit handlers before os._exit, so the handler registered first runs last,
# after any worker pool's own handler has joined its workers. Forked workers do not report.
# argv: report-file project no-search|search build.py-arguments...
BUILD = r"""
import atexit, json, os, resource, runpy, sys
report, project, mode = sys.argv[1], sys.argv[2], sys.argv[3]
parent = os.getpid()

def _report():
    if os.getpid() != parent:
        return
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(report, "w", encoding="utf-8") as f:
        json.dump({"self_kb": own, "children_kb": children}, f)

atexit.register(_report)
sys.path[0] = project
if mode == "no-search":  # the build writes all but search/ (careersite/search/)
    from careersite import search
    assert callable(search.index_files), "the build no longer calls search.index_files"
    search.index_files = lambda site: {}
sys.argv = [os.path.join(project, "build.py"), *sys.argv[4:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

# Build once (so the process and its build cache are warm), then time rebuilds after editing one
# position, in the same process: commands.build.build with one Cache kept open, as a long-lived caller would.
# argv: project root out edited-file repeat today
IN_PROCESS = r"""
import datetime as dt, json, sys, time
from pathlib import Path
sys.path[0:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from careersite.commands import build as pipeline
from careersite.incremental import Cache
from synth import edit_title
root, out, edited, repeat = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
options = pipeline.Options(root=root, out=out, today=dt.date.fromisoformat(sys.argv[6]))
cache = Cache(root, options.out_dir, options.variant)  # as commands.build.build opens it for OUT
assert pipeline.build(options, cache).ok, "in-process warm-up build failed"
original = edited.read_text(encoding="utf-8")
times = []
try:
    for n in range(repeat):
        edited.write_text(edit_title(original, f"改{n}"), encoding="utf-8")
        started = time.perf_counter()
        result = pipeline.build(options, cache)
        times.append(time.perf_counter() - started)
        assert result.ok, "in-process rebuild failed"
finally:
    edited.write_text(original, encoding="utf-8")
print(json.dumps({"times": times}))
"""

# What `serve` does on one edit: a Preview(root, base_url, today) rebuilt once (warm-up), then one
# position edited, .rebuild([its path]) (the watcher passes the paths it saw change) and .page() of the
# edited position's page timed, repeatedly. No HTTP server: after rebuild() the real server only tells
# the browser to reload, and the browser asks for the page (made then, not before).
# argv: project root out edited-file repeat today
LIVE_PREVIEW = r"""
import datetime as dt, json, sys, time
from pathlib import Path
sys.path[0:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from careersite.commands.serve import Preview
from synth import edit_title
root, out, edited, repeat = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
said = []
preview = Preview(root, "http://127.0.0.1:8000/", dt.date.fromisoformat(sys.argv[6]), say=said.append)
page = "positions/" + edited.stem + "/index.html"

def rebuild(what, saved=None):
    said.clear()
    started = time.perf_counter()
    ok = preview.rebuild(saved)
    data = preview.page(page)
    seconds = time.perf_counter() - started
    if not ok or data is None:
        raise SystemExit(f"Preview.rebuild() failed ({what}), or no page {page}:\n" + "\n".join(said)[-3000:])
    return seconds

rebuild("warm-up")
original = edited.read_text(encoding="utf-8")
times = []
try:
    for n in range(repeat):
        edited.write_text(edit_title(original, f"预览{n}"), encoding="utf-8")
        times.append(rebuild(f"after edit {n}", [str(edited)]))
finally:
    edited.write_text(original, encoding="utf-8")
print(json.dumps({"times": times}))
"""

# The whole of what HR waits for: `build.py serve` running on the site, a browser connected to its
# Server-Sent Events; one position saved; the seconds until the server announces the new generation
# ("times"), and until the browser has the changed page and the search index it would search
# ("settled": the index is made when first asked for after a rebuild).
# argv: project root edited-file repeat today
SAVE_TO_RELOAD = r"""
import json, os, socket, subprocess, sys, threading, time, urllib.request
from pathlib import Path
sys.path[0:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from synth import edit_title
project, root, edited, repeat, today = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
proc = subprocess.Popen([sys.executable, os.path.join(project, "build.py"), "serve", "--site", str(root),
                         "--port", str(port), "--today", today], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}/"

def get(path, timeout=600):
    with urllib.request.urlopen(base + path, timeout=timeout) as response:
        return response.read()

try:
    deadline = time.monotonic() + 600
    while True:  # the first build of a large site takes a while
        try:
            get("")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            time.sleep(0.2)
    generations = []  # what the events stream announced, as it came
    arrived = threading.Condition()

    def listen():
        with urllib.request.urlopen(base + "__careersite/events", timeout=600) as stream:
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("data:"):
                    with arrived:
                        generations.append(int(line[5:]))
                        arrived.notify_all()

    threading.Thread(target=listen, daemon=True).start()

    def next_generation(after):
        with arrived:
            if not arrived.wait_for(lambda: generations and generations[-1] > after, timeout=600):
                raise SystemExit("serve announced no rebuild")
            return generations[-1]

    seen = next_generation(-1)
    time.sleep(1.0)  # let the watcher settle
    page = "positions/" + edited.stem + "/"
    original = edited.read_text(encoding="utf-8")
    times, settled = [], []
    try:
        for n in range(repeat):
            started = time.perf_counter()
            edited.write_text(edit_title(original, f"保存{n}"), encoding="utf-8")
            seen = next_generation(seen)
            times.append(time.perf_counter() - started)
            body = get(page)
            if f"保存{n}".encode() not in body:
                raise SystemExit(f"the page {page} does not show the edit")
            get("search/meta.json")  # the whole index is made on this first request
            settled.append(time.perf_counter() - started)
            time.sleep(0.5)
    finally:
        edited.write_text(original, encoding="utf-8")
finally:
    proc.terminate()
    proc.wait(timeout=60)
print(json.dumps({"times": times, "settled": settled}))
"""


def build_env() -> dict[str, str]:
    """The environment for our builds: CI taken out (it makes some warnings errors)."""
    return {k: v for k, v in os.environ.items() if k != "CI"}


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of CMD; raises if it fails.

    The peak is os.wait4's: the largest of CMD's process and the descendants it waited for.
    """
    # stderr goes to a file, not a pipe: a build that warns about every position would fill a pipe
    # nobody reads until it exits, and hang.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{stderr[-5000:]}")
    return seconds, usage.ru_maxrss / 1024


def build(project: Path, site: Path, out: Path, today: str, *, search: bool = True) -> dict[str, float | None]:
    """One `build.py build` of SITE into OUT in a fresh process: seconds, peak MB of the whole build
    (largest process, workers included), of the build process alone, and of its largest child."""
    report = out.parent / f".rusage-{out.name}.json"
    report.unlink(missing_ok=True)
    args = ["build", "--site", str(site), "--out", str(out), "--today", today]
    seconds, mb = run([sys.executable, "-c", BUILD, str(report), str(project),
                       "search" if search else "no-search", *args], env=build_env())
    split = {"self_kb": None, "children_kb": None}
    try:
        split = json.loads(report.read_text(encoding="utf-8"))
        report.unlink()
    except (OSError, ValueError):
        pass  # the build exited without running its exit handlers: no split, the total still holds
    return {"s": seconds, "mb": mb,
            "self_mb": split["self_kb"] / 1024 if split.get("self_kb") is not None else None,
            "children_mb": split["children_kb"] / 1024 if split.get("children_kb") is not None else None}


def _child(script: str, project: Path, *args: object) -> dict:
    proc = subprocess.run([sys.executable, "-c", script, str(project), *map(str, args)],
                          capture_output=True, text=True, env=build_env())
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark probe failed (exit {proc.returncode}):\n{proc.stderr[-5000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def in_process_edits(project: Path, site: Path, out: Path, edited: Path, repeat: int, today: str) -> dict:
    """Seconds of pipeline.build after one edit, in a process that has built before."""
    return _child(IN_PROCESS, project, site, out, edited, repeat, today)


def live_preview(project: Path, site: Path, out: Path, edited: Path, repeat: int, today: str) -> dict:
    """Seconds of Preview.rebuild([the edited file]) and its page after one edit."""
    return _child(LIVE_PREVIEW, project, site, out, edited, repeat, today)


def save_to_reload(project: Path, site: Path, edited: Path, repeat: int, today: str) -> dict:
    """Seconds from saving one position to `serve` telling a connected browser to reload ("times"), and
    to the browser having the new page and the search index ("settled")."""
    return _child(SAVE_TO_RELOAD, project, site, edited, repeat, today)
