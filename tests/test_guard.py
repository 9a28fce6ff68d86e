"""The guard itself (tests/guard/): a test that reads the live site or writes into the checkout is refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import PROJECT

SWALLOWED = f"""
def test_writes_into_the_checkout_and_swallows_the_refusal():
    try:
        open({str(PROJECT / "public" / "x")!r}, "w")
    except PermissionError:
        pass
"""


@pytest.fixture
def private_log(tmp_path, monkeypatch):
    """Violations made on purpose go to a log of this test's own, not the session's."""
    guard = sys.modules["careersite_test_guard"]
    log = tmp_path / "guard.log"
    monkeypatch.setattr(guard, "_LOG", str(log))
    return log


@pytest.mark.parametrize("rel, mode", [("site.toml", "r"), ("content/positions/x.md", "r"), ("public/x", "w")])
def test_this_process_may_not_touch_the_live_site(private_log, rel, mode):
    with pytest.raises(PermissionError, match="test guard"):
        open(PROJECT / rel, mode)
    assert rel in private_log.read_text(encoding="utf-8")


# Each harmless if the guard let it through: a missing file to move, remove or touch; a folder or link cleaned up.
@pytest.mark.parametrize("change", [
    lambda target: target.mkdir(),
    lambda target: os.rename(target, target.with_name("moved-by-a-test")),
    lambda target: os.symlink("README.md", target),
    lambda target: os.remove(target),
    lambda target: os.utime(target),
], ids=["mkdir", "rename", "symlink", "remove", "utime"])
def test_nor_make_move_link_or_remove_files_in_it(private_log, change):
    target = PROJECT / "made-by-a-test"
    try:
        with pytest.raises(PermissionError, match="test guard"):
            change(target)
    finally:  # (only if the guard failed)
        if target.is_symlink():
            os.unlink(target)
        elif target.is_dir():
            target.rmdir()
    assert "made-by-a-test writes into the checkout" in private_log.read_text(encoding="utf-8")


def test_a_build_a_test_starts_may_not_read_the_live_site(tmp_path):
    log = tmp_path / "child.log"
    env = {**os.environ, "CAREERSITE_TEST_GUARD_LOG": str(log)}
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "check", "--site", str(PROJECT)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "site.toml reads the live site" in log.read_text(encoding="utf-8")


def test_reading_the_generator_and_the_fixtures_is_allowed():
    assert (PROJECT / "templates/base.html").read_text(encoding="utf-8")
    assert (PROJECT / "tests/fixtures/seed/site.toml").read_text(encoding="utf-8")


def test_a_test_that_swallows_the_refusal_still_fails_the_run(tmp_path):
    """The guard's log, read when the session ends: a refused write fails the run even when the test hides it."""
    (tmp_path / "test_sneaky.py").write_text(SWALLOWED, encoding="utf-8")
    # a session of its own: not this run's worker, guard log or guarded PYTHONPATH
    own = ("PYTEST_XDIST", "CAREERSITE_TEST_GUARD", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                             "--rootdir", str(tmp_path), str(tmp_path / "test_sneaky.py")],
                            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert "1 passed" in result.stdout and result.returncode == 1, result.stdout + result.stderr
    assert "test guard: tests read the live site or wrote into the checkout" in result.stderr
    assert "public/x writes into the checkout" in result.stderr
