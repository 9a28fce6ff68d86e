"""What bench/run.py runs in child processes: a build with its memory split, a build without the
search index, rebuilds inside one process, and the dev server's rebuild after an edit.

Each probe is a short script run with `python -c`, so every figure comes from a fresh interpreter
and nothing the benchmark imports (or leaks) is counted. The probes use only the generator's public
surface: build.py, `pipeline.build(Options(...))`, `search.has_pagefind`, and `DevServer(root, out,
base_url, ...)` with `.rebuild()`; a probe whose surface changed in an incompatible way fails loudly.
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
# (RUSAGE_SELF) and the largest child it waited for (RUSAGE_CHILDREN: Pagefind, and any workers).
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
if mode == "no-search":  # Pagefind reported missing: the build warns and writes all but pagefind/
    from careersite import search
    search.has_pagefind = lambda: False
sys.argv = [os.path.join(project, "build.py"), *sys.argv[4:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

# Build once (so the process and any cache are warm), then time rebuilds after editing one
# position, in the same process: pipeline.build as the dev server calls it, without its page cache.
# argv: project root out edited-file repeat today
IN_PROCESS = r"""
import datetime as dt, json, sys, time
from pathlib import Path
sys.path[0:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from careersite import pipeline
from synth import edit_title
root, out, edited, repeat = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
options = pipeline.Options(root=root, out=out, today=dt.date.fromisoformat(sys.argv[6]))
if "resident" in pipeline.Options.__dataclass_fields__:  # keep processed files in memory, as serve does
    options = pipeline.Options(**{**options.__dict__, "resident": True})
assert pipeline.build(options).ok, "in-process warm-up build failed"
original = edited.read_text(encoding="utf-8")
times = []
try:
    for n in range(repeat):
        edited.write_text(edit_title(original, f"改{n}"), encoding="utf-8")
        started = time.perf_counter()
        result = pipeline.build(options)
        times.append(time.perf_counter() - started)
        assert result.ok, "in-process rebuild failed"
finally:
    edited.write_text(original, encoding="utf-8")
print(json.dumps({"times": times}))
"""

# What `serve` does on one edit: DevServer(root, out, base_url, ...) built once (warm-up), then one
# position edited and .rebuild() timed, repeatedly. No HTTP server; after rebuild() the real server
# only tells the browser to reload. Only the constructor and rebuild() are used; keyword arguments
# the constructor does not take (today, stream) are left out, and the changed path is passed only to a
# rebuild() that takes it (older versions looked at every file).
# argv: project root out edited-file repeat today
LIVE_PREVIEW = r"""
import datetime as dt, inspect, io, json, sys, time
from pathlib import Path
sys.path[0:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from careersite import devserver
from synth import edit_title
root, out, edited, repeat = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
stream = io.StringIO()
wanted = {"today": dt.date.fromisoformat(sys.argv[6]), "stream": stream}
try:
    params = inspect.signature(devserver.DevServer).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in wanted.items() if takes_any or k in params}
except (TypeError, ValueError):
    kwargs = wanted
server = devserver.DevServer(root, out, "http://127.0.0.1:8000/", **kwargs)
# What the file watcher reports, where rebuild() takes it (as `serve` passes it from its second save on).
told = "changes" in inspect.signature(server.rebuild).parameters

def rebuild(what, changes=None):
    stream.seek(0)
    stream.truncate()
    started = time.perf_counter()
    ok = server.rebuild(changes) if told and changes is not None else server.rebuild()
    seconds = time.perf_counter() - started
    if ok is False:
        raise SystemExit(f"DevServer.rebuild() failed ({what}):\n{stream.getvalue()[-3000:]}")
    return seconds

rebuild("warm-up")
original = edited.read_text(encoding="utf-8")
times = []
try:
    for n in range(repeat):
        edited.write_text(edit_title(original, f"预览{n}"), encoding="utf-8")
        times.append(rebuild(f"after edit {n}", [str(edited.absolute())]))
finally:
    edited.write_text(original, encoding="utf-8")
print(json.dumps({"times": times}))
"""

# The whole of what HR waits for: `build.py serve` running on the site, a browser (a livereload
# client) connected; one position saved; the seconds until the server tells the browser to reload.
# argv: project root edited-file repeat today
SAVE_TO_RELOAD = r"""
import asyncio, json, os, socket, subprocess, sys, threading, time, urllib.request
from pathlib import Path
sys.path[0:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from tornado.websocket import websocket_connect
from synth import edit_title
project, root, edited, repeat, today = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
proc = subprocess.Popen([sys.executable, os.path.join(project, "build.py"), "serve", "--site", str(root),
                         "--port", str(port), "--today", today], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        text=True, encoding="utf-8")
lines = []  # what serve prints, read as it comes (a full pipe would stop it)
threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
INDEXED = ("搜索索引已更新", "search index updated")  # serve_search_updated, in either language

async def settled(since, timeout=600):  # until serve says its search index is done after line SINCE
    deadline = time.monotonic() + timeout
    while not any(marker in line for line in lines[since:] for marker in INDEXED):
        if time.monotonic() > deadline:
            raise SystemExit("serve did not bring its search index up to date")
        await asyncio.sleep(0.05)

async def reload_message(ws, timeout):
    while True:
        message = await asyncio.wait_for(ws.read_message(), timeout)
        if message is None:
            raise SystemExit("serve closed the livereload connection")
        if json.loads(message).get("command") == "reload":
            return

async def main():
    deadline = time.monotonic() + 600
    while True:  # the first build of a large site takes a while
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            await asyncio.sleep(0.2)
    ws = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await ws.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await ws.read_message()
    await ws.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
    await ws.write_message(json.dumps({"command": "hello", "protocols": []}))
    await ws.read_message()  # the second hello: the info message was handled
    await asyncio.sleep(1.0)  # let the watcher settle
    original = edited.read_text(encoding="utf-8")
    times, settled_times = [], []
    try:
        since = 0
        for n in range(repeat):  # saves half a second apart: each stops the search index build of the last
            since = len(lines)
            started = time.perf_counter()
            edited.write_text(edit_title(original, f"保存{n}"), encoding="utf-8")
            await reload_message(ws, 600)
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.5)
        for n in range(repeat):  # each save once the last one's search index build is done
            await settled(since)
            since = len(lines)
            started = time.perf_counter()
            edited.write_text(edit_title(original, f"再存{n}"), encoding="utf-8")
            await reload_message(ws, 600)
            settled_times.append(time.perf_counter() - started)
            await settled(since)
    finally:
        edited.write_text(original, encoding="utf-8")
    return times, settled_times

try:
    times, settled_times = asyncio.run(main())
finally:
    proc.terminate()
    proc.wait(timeout=60)
print(json.dumps({"times": times, "settled": settled_times}))
"""


def build_env() -> dict[str, str]:
    """The environment for our builds: under CI=true a missing Pagefind is an error, not a warning."""
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
    (largest process, Pagefind's included), of the build process alone, and of its largest child."""
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
    """Seconds of DevServer.rebuild() after one edit."""
    return _child(LIVE_PREVIEW, project, site, out, edited, repeat, today)


def save_to_reload(project: Path, site: Path, edited: Path, repeat: int, today: str) -> dict:
    """Seconds from saving one position to `serve` telling a connected browser to reload: "times" for
    saves half a second apart, "settled" for saves after the last one's search index is done."""
    return _child(SAVE_TO_RELOAD, project, site, edited, repeat, today)
