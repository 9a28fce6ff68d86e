"""Helpers for the hostile-input tests: run the pipeline in-process and compare exact problem lines."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

from careersite import pipeline
from careersite.pipeline import Options, Result, new_problems

TODAY = dt.date(2026, 11, 28)
POS = "content/positions/"
FIXTURE = POS + "backend-engineer.md"  # make_site's valid position: its own warnings are not these tests' business
MESSAGES = new_problems()  # the default language (zh-CN), as MINIMAL_TOML uses
_DETAIL = "DETAILWILDCARD"
_COL = "COLUMNWILDCARD"


def check(root: Path) -> Result:
    return pipeline.check(Options(root=root, today=TODAY))


def build(root: Path, out: Path | None = None) -> Result:
    return pipeline.build(Options(root=root, out=out, today=TODAY))


def msg(msg_id: str, **values: object) -> str:
    return MESSAGES.text(msg_id, **values)


def hint(suggestion: str) -> str:
    return msg("did_you_mean", suggestion=suggestion)


def problem_lines(result: Result, severity: str = "error") -> list[str]:
    """Every problem as 'path:line:col: message', sorted as the CLI prints them."""
    return [f"{p.path}:{p.line}:{p.col}: {p.message}" for p in result.problems.sorted()
            if p.severity == severity and not (severity == "warning" and p.path == FIXTURE)]


def expect(path: str, line: int, col: int | None, msg_id: str, **values: object) -> str:
    """A regular expression for one problem line; a missing {detail} (parser wording) matches anything,
    and so does col=None."""
    values.setdefault("detail", _DETAIL)
    where = f"{path}:{line}:{_COL if col is None else col}"
    return re.escape(f"{where}: {msg(msg_id, **values)}").replace(_DETAIL, ".*").replace(_COL, r"\d+")


def assert_problems(result: Result, expected: list[str], severity: str = "error") -> None:
    actual = problem_lines(result, severity)
    report = "\n".join(actual)
    assert len(actual) == len(expected), f"expected {len(expected)} problems, got:\n{report}"
    for line, pattern in zip(actual, expected):
        assert re.fullmatch(pattern, line, re.S), f"\n{line}\n  does not match\n{pattern}\nall:\n{report}"


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under FOLDER (symlinks by target)."""
    digests = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath, name)
            digests[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests
