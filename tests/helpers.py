"""One helper per job for the tests: the fixed day, a site.toml and a position's text, a site in a folder or in
memory, check and build in this process, the command line in this process or in its own, a tree's digest, and
exact problem lines. Fixtures (make_site, seed_site, the browser) are in conftest.py."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from bs4 import BeautifulSoup

from careersite import render, search
from careersite.commands.build import Options, Result, build as build_site, check as check_site, new_problems
from careersite.errors import Problems
from careersite.load.config import load_config
from careersite.load.content import parse_position
from careersite.model.lint import lint_dates
from careersite.model.markup import Renderer
from careersite.model.perfile import process_file
from careersite.model.site import Site, build_site as model_site

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures"
SEED_FIXTURE = FIXTURES / "seed"  # a frozen copy of the first real content: 23 positions, 6 categories
TODAY = dt.date(2026, 11, 28)  # every test's "today": the fixtures' dates are chosen around it
POS = "content/positions/"
FIXTURE = POS + "backend-engineer.md"  # make_site's valid position: its own warnings are not these tests' business
MESSAGES = new_problems()  # the default language (zh-CN), as MINIMAL_TOML uses
_DETAIL = "DETAILWILDCARD"
_COL = "COLUMNWILDCARD"

MINIMAL_TOML = """\
title = "测试招聘"
company = "测试公司"
base_url = "https://jobs.example.com/"

[apply]
email = "jobs@example.com"

[[categories]]
key = "tech"
name = "技术类"

[[categories]]
key = "ops"
name = "运营类"

[defaults]
posted = 2026-11-01
location = "北京"
"""


def position(title: str = "后端工程师", category: str = "tech", front: str = "",
             duties: tuple[str, ...] = ("负责服务开发；", "负责系统维护。"),
             requirements: tuple[str, ...] = ("三年以上经验；",), body: str | None = None) -> str:
    """A Markdown position file: TITLE and CATEGORY, more front matter lines FRONT ("closes: 2027-01-31\\n"),
    and numbered duties and requirements (or BODY as it is)."""
    if body is None:
        body = "\n## 岗位职责\n\n" + "".join(f"{n}. {d}\n" for n, d in enumerate(duties, 1))
        body += "\n## 任职要求\n\n" + "".join(f"{n}. {r}\n" for n, r in enumerate(requirements, 1)) if requirements else ""
    return f"---\ntitle: {title}\ncategory: {category}\n{front}---\n{body}"


MINIMAL_POSITION = position()


def _text(text: str | bytes) -> bytes:
    """A file's bytes: text as UTF-8, dedented when it starts on the line after the opening quotes."""
    if isinstance(text, bytes):
        return text
    return (textwrap.dedent(text) if text.startswith("\n") else text).encode("utf-8")


def _index(rel: str) -> str:
    """The output file a URL path serves: a folder (or the home page, "") serves its index.html."""
    return rel + "index.html" if not rel or rel.endswith("/") else rel


def _listing_order(rel: str) -> list[tuple[int, str]]:
    """The order position_files lists REL in: a folder's files by name, then its subfolders, depth first."""
    *folders, name = rel[len(POS):].split("/")
    return [(1, folder) for folder in folders] + [(0, name)]


def soup(html: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


class SiteDir:
    """A throwaway site folder: the project's templates and static files plus the given content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_text(text))
        return path

    def position(self, name: str, text: str) -> Path:
        return self.write(POS + name, text)

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace the first OLD in file REL by NEW."""
        self.write(rel, self.text(rel).replace(old, new, 1))

    def run(self, *args: str, today: dt.date = TODAY) -> subprocess.CompletedProcess:
        """build.py's command line as HR runs it, from the site folder, in this process (the same main()
        build.py calls; the commands keep no state between runs); stdout, stderr and the exit status."""
        return run_in_process(*args, "--site", str(self.root), "--today", today.isoformat(), cwd=self.root)

    def process(self, *args: str, today: dt.date = TODAY) -> subprocess.CompletedProcess:
        """The same in a real `python build.py` process (for what only a process shows: exit by signal, a crash)."""
        return run_cli(*args, "--site", str(self.root), "--today", today.isoformat(), cwd=self.root)

    def check(self, **options: object) -> Result:
        return check(self.root, **options)

    def build(self, **options: object) -> Result:
        """`build` of the site into OUT (default ROOT/public), which must succeed."""
        result = build(self.root, **options)
        assert result.ok, [p.format() for p in result.problems.sorted()]
        return result

    @property
    def out(self) -> Path:
        return self.root / "public"

    def page(self, rel: str = "") -> BeautifulSoup:
        path = self.out / rel
        return soup((path / "index.html" if path.is_dir() else self.out / _index(rel)).read_bytes())


def new_site(root: Path, files: Mapping[str, str | bytes] | None = None, *, position: bool = True) -> SiteDir:
    """A valid minimal site in ROOT (MINIMAL_TOML, MINIMAL_POSITION unless POSITION is False), FILES written over
    it, with the project's templates and static files."""
    root.mkdir(parents=True)
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    site = SiteDir(root)
    site.write("site.toml", MINIMAL_TOML)
    if position:
        site.write(FIXTURE, MINIMAL_POSITION)
    for rel, text in (files or {}).items():
        site.write(rel, text)
    return site


def copy_site(fixture: Path, dest: Path) -> Path:
    """A site folder at DEST: FIXTURE's site.toml and content/, the generator's templates/ and static/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(fixture / "site.toml", dest / "site.toml")
    shutil.copytree(fixture / "content", dest / "content")
    for name in ("templates", "static"):
        shutil.copytree(fixture / name if (fixture / name).is_dir() else PROJECT / name, dest / name)
    return dest


def site_files(fixture: Path) -> dict[str, bytes]:
    """FIXTURE's site.toml and position files as {path: bytes}, for a MemorySite."""
    files = {"site.toml": (fixture / "site.toml").read_bytes()}
    for path in sorted((fixture / POS).rglob("*")):
        if path.is_file():
            files[path.relative_to(fixture).as_posix()] = path.read_bytes()
    return files


class Output(Mapping[str, bytes]):
    """The render stage's files by path, each made when first read: a test that reads the pages makes no
    pictures. The search index is made whole (it is one Bundle of many files)."""

    def __init__(self, files: Mapping[str, render.Artifact], bundles: Mapping[str, render.Bundle]) -> None:
        self.artifacts = files
        self.made = {path: data for bundle in bundles.values() for path, data in bundle.make().items()}

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self.made:
            self.made[rel] = self.artifacts[rel].make()
        return self.made[rel]

    def __iter__(self):
        return iter([*self.artifacts, *(rel for rel in self.made if rel not in self.artifacts)])

    def __len__(self) -> int:
        return len(self.artifacts.keys() | self.made.keys())


@dataclass(frozen=True)
class Made:
    """What the stages make of a MemorySite: its problems, the Site and the output files (none on errors)."""

    problems: Problems
    site: Site | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.site is not None and not self.problems.has_errors()


class MemorySite:
    """make_site's site held in memory: site.toml and position files as bytes, run through load -> model ->
    render (and the search index) by their entry points, with the project's templates and static files. No
    folder, no process: for a test about what the stages make of some content, not about files or commands."""

    def __init__(self, files: Mapping[str, str | bytes] | None = None, *, position: bool = True) -> None:
        self.files: dict[str, bytes] = {"site.toml": _text(MINIMAL_TOML)}
        if position:
            self.files[FIXTURE] = _text(MINIMAL_POSITION)
        for rel, text in (files or {}).items():
            self.write(rel, text)
        self.made = Made(new_problems())

    def write(self, rel: str, text: str | bytes) -> None:
        assert rel == "site.toml" or rel.startswith(POS), f"{rel}: templates and static files need a SiteDir"
        self.files[rel] = _text(text)

    def position(self, name: str, text: str) -> None:
        self.write(POS + name, text)

    def text(self, rel: str) -> str:
        return self.files[rel].decode("utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        self.write(rel, self.text(rel).replace(old, new, 1))

    def check(self, *, today: dt.date = TODAY, drafts: bool = False, base_url: str | None = None,
              changed: Mapping[str, dt.datetime] | None = None) -> Made:
        """What `check` sees: the problems, and the Site when there is no error."""
        problems = new_problems()
        config = load_config(PROJECT, problems, self.files["site.toml"])
        positions = {rel: self.files[rel] for rel in sorted((rel for rel in self.files if rel.startswith(POS)),
                                                            key=_listing_order)}
        if config is None:  # as `check`: every mistake in the position files too, without their categories
            for rel, data in positions.items():
                parse_position(rel, data, problems)
            return Made(problems)
        if base_url:
            config = dataclasses.replace(config, base_url=base_url if base_url.endswith("/") else base_url + "/")
        renderer = Renderer()
        results = [process_file(rel, data, config, renderer) for rel, data in positions.items()]
        for result in results:
            problems.extend(result.problems)
        sources = [r.source for r in results if r.source is not None]
        site = model_site(config, [r.position for r in results if r.position is not None], problems, today=today,
                          drafts=drafts, changed=changed, lines={source.path: source.lines for source in sources})
        lint_dates(config, sources, today, problems)
        return Made(problems, None if problems.has_errors() else site)

    def build(self, **options: object) -> Made:
        """What `build` makes, in memory: every file of the output by path (the build must succeed)."""
        made = self.check(**options)
        assert made.ok, [p.format() for p in made.problems.sorted()]
        self.made = Made(made.problems, made.site, Output(render.site_files(made.site), search.index_files(made.site)))
        return self.made

    def page(self, rel: str = "") -> BeautifulSoup:
        return soup(self.made.files[_index(rel)])


def english(site: SiteDir | MemorySite) -> SiteDir | MemorySite:
    """SITE switched to English (site.toml's language = "en")."""
    site.edit("site.toml", "base_url", 'language = "en"\nbase_url')
    return site


def run_in_process(*args: str, cwd: Path = PROJECT, main: Callable[[list[str]], int] | None = None
                   ) -> subprocess.CompletedProcess:
    """careersite.cli.main(ARGS) (or another command's MAIN) from CWD, with its output captured, as a
    CompletedProcess."""
    if main is None:
        from careersite.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["build.py", *args], code, out.getvalue(), err.getvalue())


def run_cli(*args: str, cwd: Path = PROJECT, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python build.py ARGS` in a process of its own (for what only a process shows: exit codes, signals)."""
    cmd = [sys.executable, str(PROJECT / "build.py"), *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def check(root: Path, **options: object) -> Result:
    """`check` of ROOT in this process, on TODAY unless said otherwise."""
    return check_site(Options(root=root, **{"today": TODAY, **options}))


def build(root: Path, out: Path | None = None, **options: object) -> Result:
    """`build` of ROOT (into OUT, default ROOT/public) in this process, on TODAY unless said otherwise."""
    return build_site(Options(root=root, out=out, **{"today": TODAY, **options}))


GIT_ENV = {"GIT_AUTHOR_NAME": "HR", "GIT_AUTHOR_EMAIL": "hr@example.com", "GIT_COMMITTER_NAME": "HR",
           "GIT_COMMITTER_EMAIL": "hr@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str, date: str | None = None) -> str:
    """git ARGS in ROOT as HR, on branch main, without the developer's git settings; its output. DATE: the
    commit's author and committer date."""
    dates = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
    return subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=root, env={**os.environ, **GIT_ENV, **dates},
                          check=True, capture_output=True, text=True).stdout


def tree_digest(folder: Path | Mapping[str, bytes]) -> dict[str, str]:
    """{relative path: sha256} of every file under FOLDER (symlinks by target), or of FOLDER's {path: bytes}."""
    if isinstance(folder, Mapping):
        return {rel: hashlib.sha256(data).hexdigest() for rel, data in folder.items()}
    files = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath, name)
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return tree_digest(files)


def msg(msg_id: str, **values: object) -> str:
    return MESSAGES.text(msg_id, **values)


def hint(suggestion: str) -> str:
    return msg("did_you_mean", suggestion=suggestion)


def problem_lines(result: Result | Made, severity: str = "error") -> list[str]:
    """Every problem as 'path:line:col: message', sorted as the CLI prints them."""
    return [f"{p.path}:{max(p.line, 1)}:{max(p.col, 1)}: {p.message}" for p in result.problems.sorted()
            if p.severity == severity and not (severity == "warning" and p.path == FIXTURE)]


def printed(result: Result | Made) -> list[str]:
    """Every problem as the CLI prints it, in the site's language: 'path:line:col: 警告: message', sorted."""
    words = {"error": result.problems.text("error"), "warning": result.problems.text("warning")}
    return [p.format(words) for p in result.problems.sorted()]


def expect(path: str, line: int, col: int | None, msg_id: str, **values: object) -> str:
    """A regular expression for one problem line; a missing {detail} (parser wording) matches anything,
    and so does col=None."""
    values.setdefault("detail", _DETAIL)
    values.setdefault("hint", "")
    where = f"{path}:{line}:{_COL if col is None else col}"
    return re.escape(f"{where}: {msg(msg_id, **values)}").replace(_DETAIL, ".*").replace(_COL, r"\d+")


def assert_problems(result: Result | Made, expected: list[str], severity: str = "error") -> None:
    actual = problem_lines(result, severity)
    report = "\n".join(actual)
    assert len(actual) == len(expected), f"expected {len(expected)} problems, got:\n{report}"
    for line, pattern in zip(actual, expected):
        assert re.fullmatch(pattern, line, re.S), f"\n{line}\n  does not match\n{pattern}\nall:\n{report}"
