"""Output safety: a failing build leaves the published output byte for byte as it was; a build killed at any
moment leaves the complete old tree or the complete new one; two builds at once take turns; a symlinked,
read-only or foreign output folder gets a correct result or a clear refusal, and an exit status that tells
the truth; a full disk is said to be one. The same input always gives the same bytes."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from careersite import write
from careersite.write import OLD_PREFIX, STAGING_PREFIX, Output
from tests.helpers import POS, PROJECT, TODAY, build, msg, position, problem_lines, run_cli, tree_digest


def write_positions(site, numbers, extra=""):
    folder = site.root / POS
    for path in folder.glob("*.md"):
        path.unlink()
    for n in numbers:
        path = folder / f"p{n:03d}.md"
        text = position(f"岗位{n}", "tech" if n % 2 else "ops", f"code: C-{n:03d}\n",
                        duties=(f"负责第{n}项工作{extra if n % 3 == 0 else ''}",), requirements=())
        path.write_text(text, encoding="utf-8")
        # Feeds and the sitemap date each position by its file time: the same version, the same time.
        stamp = 1_790_000_000 + (1000 if extra else 0)
        os.utime(path, (stamp, stamp))


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith((STAGING_PREFIX, OLD_PREFIX)))


def test_failing_build_leaves_output_byte_for_byte(make_site):
    site = make_site()
    write_positions(site, range(10))
    assert build(site.root).ok
    before = tree_digest(site.out)
    mtimes = {p: p.stat().st_mtime_ns for p in site.out.rglob("*")}
    write_positions(site, range(5), extra="（已修改）")
    (site.root / POS / "broken.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = site.run("build")
    assert result.returncode == 1
    assert tree_digest(site.out) == before
    assert {p: p.stat().st_mtime_ns for p in site.out.rglob("*")} == mtimes
    assert leftovers(site.out) == []


def test_broken_template_leaves_output_intact(make_site):
    site = make_site()
    assert build(site.root).ok
    before = tree_digest(site.out)
    (site.root / "templates" / "position.html").write_text("{% extends 'base.html' %}{% block main %}{{ nope.x }}{% endblock %}")
    result = site.run("build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert tree_digest(site.out) == before and leftovers(site.out) == []


@pytest.mark.parametrize("code, msg_id", [(errno.ENOSPC, "output_disk_full"), (errno.EACCES, "output_permission"),
                                          (errno.EIO, "output_write_failed")])
def test_a_failed_write_is_said_as_what_it_is_and_publishes_nothing(make_site, monkeypatch, code, msg_id):
    site = make_site()
    write_positions(site, range(10))
    assert build(site.root).ok
    before = tree_digest(site.out)
    real, calls = Output.put, []

    def failing(self, rel, data):
        calls.append(rel)
        if len(calls) == 5:
            raise write._os_error(OSError(code, os.strerror(code)), rel)
        return real(self, rel, data)

    monkeypatch.setattr(Output, "put", failing)
    write_positions(site, range(3))
    result = build(site.root, cache=False)
    assert not result.ok
    [line] = problem_lines(result)
    assert line.startswith(f"{site.out}:1:1: ") and msg(msg_id, target=calls[-1], detail=os.strerror(code)) in line
    assert tree_digest(site.out) == before and leftovers(site.out) == []


def test_a_failed_write_in_a_worker_process_is_said_too(make_site, monkeypatch):
    from careersite.incremental import workers

    site = make_site()
    write_positions(site, range(10))
    real, full = Output.write, os.strerror(errno.ENOSPC)

    def failing(self, rel, data):
        if rel == "positions/p007/index.html":
            raise write._os_error(OSError(errno.ENOSPC, full), rel)
        return real(self, rel, data)

    monkeypatch.setattr(Output, "write", failing)  # (the workers are forked with it)
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setenv(workers.JOBS_ENV, "2")
    result = build(site.root)
    assert problem_lines(result) == [f"{site.out}:1:1: " + msg("output_disk_full", target="positions/p007/index.html")]
    assert not site.out.exists() and leftovers(site.out) == []


def test_successful_build_removes_stale_pages(make_site):
    site = make_site()
    write_positions(site, range(6))
    assert build(site.root).ok
    (site.out / "positions" / "gone").mkdir()
    (site.out / "positions" / "gone" / "index.html").write_text("stale")
    write_positions(site, [0, 2, 4])
    assert build(site.root).ok
    positions = sorted(p.name for p in (site.out / "positions").iterdir())
    assert positions == ["p000", "p002", "p004"]
    assert leftovers(site.out) == []


def test_output_is_deterministic(make_site, tmp_path):
    site = make_site()
    write_positions(site, range(12), extra="，熟悉 *Markdown* 与 [链接](https://example.com)")
    assert build(site.root, tmp_path / "a").ok
    assert build(site.root, tmp_path / "b", cache=False).ok
    assert build(site.root, tmp_path / "a").ok  # rebuilt over itself
    digest = tree_digest(tmp_path / "a")
    assert digest == tree_digest(tmp_path / "b") and len(digest) > 15


def test_leftovers_of_a_killed_build_are_removed_by_the_next(make_site):
    site = make_site()
    assert build(site.root).ok
    stage = site.out.parent / f"{STAGING_PREFIX}public-abc123"
    (stage / "positions").mkdir(parents=True)
    (stage / "index.html").write_text("half")
    old = site.out.parent / f"{OLD_PREFIX}public-999"
    old.mkdir()
    unrelated = site.out.parent / f"{STAGING_PREFIX}other-1"
    unrelated.mkdir()
    assert build(site.root).ok
    assert leftovers(site.out) == [unrelated.name]  # only this output's leftovers


def test_fallback_swap_killed_between_renames_is_restored(make_site):
    """Without renameat2 the swap is two renames; a kill between them leaves OUT missing and the
    previous tree under .old-: the next build puts it back before doing anything else."""
    site = make_site()
    assert build(site.root).ok
    before = tree_digest(site.out)
    os.rename(site.out, site.out.with_name(f"{OLD_PREFIX}public-4242"))  # the kill came here
    with Output(site.out):
        pass  # taking the output is enough
    assert tree_digest(site.out) == before and leftovers(site.out) == []


def test_fallback_swap_without_renameat2(make_site, monkeypatch):
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    site = make_site()
    write_positions(site, range(4))
    assert build(site.root).ok
    write_positions(site, range(2))
    assert build(site.root).ok
    assert sorted(p.name for p in (site.out / "positions").iterdir()) == ["p000", "p001"]
    assert leftovers(site.out) == []


# --- two builds at once -----------------------------------------------------------------------------------

def test_two_builds_at_once_take_turns_and_both_publish_a_complete_site(make_site, tmp_path):
    """HR runs `make site` twice, an editor plugin builds on save: the second waits for the first (and
    says so), neither deletes the other's staging folder, and the output is complete after both."""
    site = make_site()
    write_positions(site, range(40))
    reference = tmp_path / "reference"
    assert build(site.root, reference, cache=False).ok
    slow = {**os.environ, "CAREERSITE_TEST_SLOW_WRITES": "0.01"}
    first = subprocess.Popen([sys.executable, "-c", CHILD, str(site.root), str(site.out), "renameat2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=slow)
    assert first.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 60
    while not leftovers(site.out):  # the first holds the lock once its staging folder is there
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.01)
    second = run_cli("build", "--site", str(site.root), "--today", TODAY.isoformat(), cwd=site.root)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0 and out.strip() == "done", err
    assert second.returncode == 0, second.stderr
    assert msg("output_waiting", out=site.out) in second.stderr
    assert tree_digest(site.out) == tree_digest(reference)
    assert leftovers(site.out) == []


def test_a_live_builds_staging_folder_is_never_cleaned_away(make_site):
    site = make_site()
    with Output(site.out) as first:
        first.put("index.html", b"first")
        done = threading.Event()

        def second():
            with Output(site.out) as other:  # waits for the first's lock
                other.put("index.html", b"second")
                other.commit()
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert not done.is_set() and first.dir.is_dir()  # still ours
        first.commit()
    thread.join(timeout=10)
    assert (site.out / "index.html").read_bytes() == b"second" and leftovers(site.out) == []


# --- the output folder's shape ----------------------------------------------------------------------------

def test_a_symlinked_output_folder_is_updated_where_it_points(make_site, tmp_path):
    site = make_site()
    target = tmp_path / "www" / "careers"
    target.parent.mkdir()
    assert build(site.root, target).ok
    link = site.root / "public"
    link.symlink_to(target)
    write_positions(site, range(3))
    result = site.run("build")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert sorted(p.name for p in (target / "positions").iterdir()) == ["p000", "p001", "p002"]
    assert leftovers(target) == [] and leftovers(link) == []


def test_old_files_that_cannot_be_deleted_are_a_warning_not_a_failure(make_site, monkeypatch):
    """The swap happened: the site is published, and says so (exit 0), with a warning about what is left."""
    site = make_site()
    assert build(site.root).ok
    real = shutil.rmtree

    def stubborn(path, ignore_errors=False, onerror=None, **kwargs):
        if onerror is not None and Path(path).name.startswith(STAGING_PREFIX):
            onerror(os.unlink, os.fspath(path) + "/index.html", (PermissionError, PermissionError(13, "denied"), None))
            return None
        return real(path, ignore_errors=ignore_errors, onerror=onerror, **kwargs)

    monkeypatch.setattr(write.shutil, "rmtree", stubborn)
    write_positions(site, range(2))
    result = build(site.root)
    assert result.ok and result.stats is not None
    [warning] = [line for line in problem_lines(result, "warning") if line.startswith(str(site.out))]
    assert warning.startswith(f"{site.out}:1:1: ") and msg("output_leftover", target="X").split("X")[0] in warning
    assert warning.endswith(msg("output_leftover", target="X").split("X")[1]) and "/index.html" in warning


def test_an_unwritable_parent_is_refused_before_anything_is_touched(make_site, monkeypatch):
    site = make_site()
    assert build(site.root).ok
    before = tree_digest(site.out)
    monkeypatch.setattr(write.os, "access", lambda path, mode: False)
    result = build(site.root)
    assert not result.ok and msg("output_permission", target=site.root, detail="no write permission") in \
        problem_lines(result)[0]
    assert tree_digest(site.out) == before


@pytest.mark.parametrize("files", [["index.html", "about.html"], ["CNAME"], ["notes.txt", "index.html", "img"]])
def test_a_folder_of_other_files_is_refused_even_with_an_index_html(make_site, tmp_path, files):
    site = make_site()
    web_root = tmp_path / "www"
    web_root.mkdir()
    for name in files:
        (web_root / name).write_text("theirs", encoding="utf-8")
    result = site.run("build", "--out", str(web_root))
    assert result.returncode == 1
    foreign = sorted(n for n in files if n != "index.html")
    assert msg("output_foreign", out=web_root, names="、".join(foreign)) in result.stderr
    assert sorted(p.name for p in web_root.iterdir()) == sorted(files)


# --- killing a real build at random moments ----------------------------------------------------------------
# The child slows writing down (a short sleep per file) so that the kill lands while files are being
# staged, swapped or cleaned up.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from careersite import write
    from tests.helpers import build
    if sys.argv[3] == "fallback":
        write._exchange = lambda a, b: False
        real_rename = write.os.rename
        def slow_rename(a, b):
            time.sleep(0.02)
            real_rename(a, b)
        write.os.rename = slow_rename
    pause = float(os.environ.get("CAREERSITE_TEST_SLOW_WRITES", "0.004"))
    real_put = write.Output.put
    def slow_put(self, rel, data):
        time.sleep(pause)
        return real_put(self, rel, data)
    write.Output.put = slow_put
    print("ready", flush=True)
    result = build(Path(sys.argv[1]), Path(sys.argv[2]), cache=False)
    print("done" if result.ok else "failed", flush=True)
""")


def run_child(root: Path, out: Path, mode: str, kill_after: float | None) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(out), mode], stdout=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout.readline().strip() == "ready"
    if kill_after is None:
        assert proc.stdout.read().strip() == "done"
        proc.wait(timeout=60)
        return "done"
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stdout.close()
    return "killed" if proc.returncode == -signal.SIGKILL else "done"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["renameat2", "fallback"])
def test_killed_build_never_leaves_a_half_written_site(make_site, tmp_path, monkeypatch, mode):
    site = make_site()
    versions = {}
    for name, numbers, extra in (("v1", range(30), ""), ("v2", range(5, 28), "（第二版）")):
        write_positions(site, numbers, extra)
        reference = tmp_path / f"reference-{name}"
        assert build(site.root, reference, cache=False).ok
        versions[name] = tree_digest(reference)
    assert versions["v1"] != versions["v2"]
    write_positions(site, range(30))
    out = site.out
    started = time.monotonic()
    run_child(site.root, out, mode, None)
    duration = time.monotonic() - started
    assert tree_digest(out) == versions["v1"]

    outcomes = []
    for attempt, moment in enumerate((0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95)):  # spread over the whole build
        target = "v2" if attempt % 2 == 0 else "v1"
        if target == "v2":
            write_positions(site, range(5, 28), "（第二版）")
        else:
            write_positions(site, range(30))
        outcome = run_child(site.root, out, mode, moment * duration)
        outcomes.append(outcome)
        if not out.exists():
            assert mode == "fallback"
            with Output(out):
                pass  # what the next build does first
        assert tree_digest(out) in (versions["v1"], versions["v2"]), f"attempt {attempt}: half-written output"
        with monkeypatch.context() as patch:  # the next build (in this process: no kill) completes and cleans up
            if mode == "fallback":
                patch.setattr(write, "_exchange", lambda a, b: False)
            assert build(site.root, out, cache=False).ok
        assert tree_digest(out) == versions[target]
        assert leftovers(out) == []
    assert "killed" in outcomes
