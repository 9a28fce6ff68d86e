"""Output safety: a failing build leaves the published output byte for byte as it was; a build killed
at any moment leaves either the complete old tree or the complete new one; leftovers are cleaned by
the next build; stale pages are removed; the same input always gives the same bytes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from careersite import output
from careersite.output import OLD_PREFIX, STAGING_PREFIX, clean_leftovers, write_output
from tests.conftest import PROJECT
from tests.hostile import POS, build, tree_digest

TEXT = "---\ntitle: 岗位{n}\ncategory: {cat}\ncode: C-{n:03d}\n---\n\n## 岗位职责\n\n1. 负责第{n}项工作{extra}\n"


def write_positions(site, numbers, extra=""):
    folder = site.root / POS
    for path in folder.glob("*.md"):
        path.unlink()
    for n in numbers:
        path = folder / f"p{n:03d}.md"
        path.write_text(
            TEXT.format(n=n, cat="tech" if n % 2 else "ops", extra=extra if n % 3 == 0 else ""), encoding="utf-8")
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


def test_error_while_writing_leaves_output_intact(make_site, monkeypatch):
    site = make_site()
    write_positions(site, range(10))
    assert build(site.root).ok
    before = tree_digest(site.out)

    real = output.stage_file
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(output, "stage_file", failing)
    write_positions(site, range(3))
    with pytest.raises(OSError):
        build(site.root)
    assert tree_digest(site.out) == before and leftovers(site.out) == []


def test_successful_build_removes_stale_pages(make_site):
    site = make_site()
    write_positions(site, range(6))
    assert build(site.root).ok
    (site.out / "old-page.html").write_text("stale")
    (site.out / "positions" / "gone").mkdir()
    (site.out / "positions" / "gone" / "index.html").write_text("stale")
    write_positions(site, [0, 2, 4])
    assert build(site.root).ok
    positions = sorted(p.name for p in (site.out / "positions").iterdir())
    assert positions == ["p000", "p002", "p004"]
    assert not (site.out / "old-page.html").exists()
    assert leftovers(site.out) == []


def test_output_is_deterministic(make_site, tmp_path):
    site = make_site()
    write_positions(site, range(12), extra="，熟悉 *Markdown* 与 [链接](https://example.com)")
    assert build(site.root, tmp_path / "a").ok
    assert build(site.root, tmp_path / "b").ok
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


def test_fallback_swap_killed_between_renames_is_restored(tmp_path):
    """Without renameat2 the swap is two renames; a kill between them leaves OUT missing and the
    previous tree under .old-: the next build puts it back before doing anything else."""
    out = tmp_path / "public"
    write_output(out, [("index.html", b"v1"), ("a/index.html", b"a1")])
    before = tree_digest(out)
    os.rename(out, tmp_path / f"{OLD_PREFIX}public-4242")  # the kill came here
    clean_leftovers(out)
    assert tree_digest(out) == before and leftovers(out) == []


def test_fallback_swap_without_renameat2(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_renameat2_exchange", lambda a, b: False)
    out = tmp_path / "public"
    write_output(out, [("index.html", b"v1"), ("a/index.html", b"a1")])
    write_output(out, [("index.html", b"v2")])
    assert tree_digest(out) == tree_digest_of({"index.html": b"v2"}, tmp_path / "expected")
    assert leftovers(out) == []


def tree_digest_of(files: dict[str, bytes], folder: Path) -> dict[str, str]:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return tree_digest(folder)


# Killing a real build at random moments. The child slows writing down (a short sleep per file)
# so that the kill lands while files are being staged, swapped or cleaned up.
CHILD = textwrap.dedent("""
    import sys, time, datetime as dt
    from pathlib import Path
    from careersite import pipeline, output
    if sys.argv[3] == "fallback":
        output._renameat2_exchange = lambda a, b: False
        real_rename = output.os.rename
        def slow_rename(a, b):
            time.sleep(0.02)
            real_rename(a, b)
        output.os.rename = slow_rename
    real_stage_file = output.stage_file
    def slow_stage_file(*args, **kwargs):
        time.sleep(0.004)
        return real_stage_file(*args, **kwargs)
    output.stage_file = slow_stage_file
    print("ready", flush=True)
    result = pipeline.build(pipeline.Options(root=Path(sys.argv[1]), out=Path(sys.argv[2]), today=dt.date(2026, 11, 28)))
    print("done" if result.ok else "failed", flush=True)
""")


def run_child(root: Path, out: Path, mode: str, kill_after: float | None) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
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
def test_killed_build_never_leaves_a_half_written_site(make_site, tmp_path, mode):
    site = make_site()
    versions = {}
    for name, numbers, extra in (("v1", range(30), ""), ("v2", range(5, 28), "（第二版）")):
        write_positions(site, numbers, extra)
        reference = tmp_path / f"reference-{name}"
        assert build(site.root, reference).ok
        versions[name] = tree_digest(reference)
    assert versions["v1"] != versions["v2"]
    write_positions(site, range(30))
    out = site.out
    started = time.monotonic()
    run_child(site.root, out, mode, None)
    duration = time.monotonic() - started
    assert tree_digest(out) == versions["v1"]

    rng = random.Random(20261128)
    outcomes = []
    for attempt in range(8):
        target = "v2" if attempt % 2 == 0 else "v1"
        if target == "v2":
            write_positions(site, range(5, 28), "（第二版）")
        else:
            write_positions(site, range(30))
        outcome = run_child(site.root, out, mode, rng.uniform(0.0, duration * 1.1))
        outcomes.append(outcome)
        if mode == "fallback" and not out.exists():
            clean_leftovers(out)  # what the next build does first
        assert tree_digest(out) in (versions["v1"], versions["v2"]), f"attempt {attempt}: half-written output"
        run_child(site.root, out, mode, None)  # the next build completes and cleans up
        assert tree_digest(out) == versions[target]
        assert leftovers(out) == []
    assert "killed" in outcomes
