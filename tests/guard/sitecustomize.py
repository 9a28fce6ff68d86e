"""The test suite's guard: no test may read the live site (content/, site.toml) or write into the checkout.

The suite tests the generator on fixture sites it owns, so that HR can add, close or remove a position
without turning CI red. tests/conftest.py installs this audit hook in the test process and puts this
folder on PYTHONPATH, so every Python process a test starts (build.py, serve) installs it too.
A forbidden open is refused (PermissionError) and written to the log named by CAREERSITE_TEST_GUARD_LOG,
which conftest reads at the end of the session: a violation fails the run even if a test swallowed it.
"""

from __future__ import annotations

import os
import sys

_PROJECT = os.environ.get("CAREERSITE_TEST_GUARD_PROJECT")
_LOG = os.environ.get("CAREERSITE_TEST_GUARD_LOG")


def _forbidden(path: str, writing: bool) -> str | None:
    """Why PATH must not be opened, made, moved or removed by a test (None: it may)."""
    full = os.path.abspath(path)
    top = _PROJECT + os.sep
    if not full.startswith(top):
        return None
    rel = full[len(top):].replace(os.sep, "/")
    if rel == "site.toml" or rel == "content" or rel.startswith("content/"):
        return "reads the live site (tests use tests/fixtures/)"
    # What is not the tests' doing: Python's and pytest's caches (pytest 9 makes .pytest_cache/ in a fresh
    # checkout through a temporary pytest-cache-files-*/ beside it), and CI's test-artifacts/ (conftest.py).
    parts = rel.split("/")
    if writing and parts[0] not in ("test-artifacts", ".pytest_cache") and "__pycache__" not in parts \
            and not parts[0].startswith("pytest-cache-files-"):
        return "writes into the checkout (tests write into their tmp_path)"
    return None


# Events that change the file system other than by opening a file: (arguments that are paths, the argument
# that is a directory descriptor those paths are relative to, if any).
_CHANGES = {"os.mkdir": ((0,), 2), "os.remove": ((0,), 1), "os.rmdir": ((0,), 1), "os.rename": ((0, 1), 2),
            "os.link": ((0, 1), 2), "os.symlink": ((1,), 2), "os.truncate": ((0,), None),
            "os.chmod": ((0,), 2), "os.utime": ((0,), 3)}


def _hook(event: str, args: tuple) -> None:
    if event in _CHANGES:
        paths, dir_fd = _CHANGES[event]
        if dir_fd is not None and args[dir_fd] not in (None, -1):  # (-1: none given)
            return  # relative to a directory descriptor (shutil.rmtree's walk), not to the working folder
        for n in paths:
            _check(event, args[n], True)
        return
    if event == "open":
        path, mode, flags = args
        writing = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)) if isinstance(flags, int) else \
            any(c in (mode or "") for c in "wax+")
    elif event in ("os.listdir", "os.scandir"):
        path, writing = args[0], False
    elif event == "sqlite3.connect":
        path, writing = args[0], True
    else:
        return
    _check(event, path, writing)


def _check(event: str, path: object, writing: bool) -> None:
    if not isinstance(path, (str, bytes, os.PathLike)):
        return  # a file descriptor
    path = os.fsdecode(path) if not isinstance(path, str) else path
    if path in ("", ":memory:"):
        return
    if event == "open" and not os.path.isabs(path) and not os.path.isfile(path):
        return  # relative to a directory descriptor (shutil.rmtree's walk), not to the working folder
    reason = _forbidden(path, writing)
    if reason is None:
        return
    line = f"{os.getpid()} {sys.argv[:3]!r}: {path} {reason}"
    if _LOG:
        with _real_open(_LOG, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    raise PermissionError(f"test guard: {line}")


_real_open = open
if _PROJECT and _LOG:
    sys.addaudithook(_hook)
