"""One helper per job for the tests: the fixed day, a position's text, check and build in this process,
a tree's digest, and exact problem lines. Fixtures (make_site, seed_site, the browser) are in conftest.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

from careersite.commands.build import Options, Result, build as build_site, check as check_site, new_problems

TODAY = dt.date(2026, 11, 28)  # every test's "today": the fixtures' dates are chosen around it
POS = "content/positions/"
FIXTURE = POS + "backend-engineer.md"  # make_site's valid position: its own warnings are not these tests' business
MESSAGES = new_problems()  # the default language (zh-CN), as MINIMAL_TOML uses
_DETAIL = "DETAILWILDCARD"
_COL = "COLUMNWILDCARD"


def position(title: str = "后端工程师", category: str = "tech", front: str = "",
             duties: tuple[str, ...] = ("负责服务开发；", "负责系统维护。"),
             requirements: tuple[str, ...] = ("三年以上经验；",), body: str | None = None) -> str:
    """A Markdown position file: TITLE and CATEGORY, more front matter lines FRONT ("closes: 2027-01-31\\n"),
    and numbered duties and requirements (or BODY as it is)."""
    if body is None:
        body = "\n## 岗位职责\n\n" + "".join(f"{n}. {d}\n" for n, d in enumerate(duties, 1))
        body += "\n## 任职要求\n\n" + "".join(f"{n}. {r}\n" for n, r in enumerate(requirements, 1)) if requirements else ""
    return f"---\ntitle: {title}\ncategory: {category}\n{front}---\n{body}"


def check(root: Path, **options: object) -> Result:
    """`check` of ROOT in this process, on TODAY unless said otherwise."""
    return check_site(Options(root=root, **{"today": TODAY, **options}))


def build(root: Path, out: Path | None = None, **options: object) -> Result:
    """`build` of ROOT (into OUT, default ROOT/public) in this process, on TODAY unless said otherwise."""
    return build_site(Options(root=root, out=out, **{"today": TODAY, **options}))


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under FOLDER (symlinks by target)."""
    digests = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath, name)
            digests[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def msg(msg_id: str, **values: object) -> str:
    return MESSAGES.text(msg_id, **values)


def hint(suggestion: str) -> str:
    return msg("did_you_mean", suggestion=suggestion)


def problem_lines(result: Result, severity: str = "error") -> list[str]:
    """Every problem as 'path:line:col: message', sorted as the CLI prints them."""
    return [f"{p.path}:{max(p.line, 1)}:{max(p.col, 1)}: {p.message}" for p in result.problems.sorted()
            if p.severity == severity and not (severity == "warning" and p.path == FIXTURE)]


def expect(path: str, line: int, col: int | None, msg_id: str, **values: object) -> str:
    """A regular expression for one problem line; a missing {detail} (parser wording) matches anything,
    and so does col=None."""
    values.setdefault("detail", _DETAIL)
    values.setdefault("hint", "")
    where = f"{path}:{line}:{_COL if col is None else col}"
    return re.escape(f"{where}: {msg(msg_id, **values)}").replace(_DETAIL, ".*").replace(_COL, r"\d+")


def assert_problems(result: Result, expected: list[str], severity: str = "error") -> None:
    actual = problem_lines(result, severity)
    report = "\n".join(actual)
    assert len(actual) == len(expected), f"expected {len(expected)} problems, got:\n{report}"
    for line, pattern in zip(actual, expected):
        assert re.fullmatch(pattern, line, re.S), f"\n{line}\n  does not match\n{pattern}\nall:\n{report}"
