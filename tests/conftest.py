"""Shared fixtures: tiny sites in tmp_path, the real site built once, and a CLI runner."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

PROJECT = Path(__file__).resolve().parent.parent
FIXED_TODAY = dt.date(2026, 11, 28)

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

MINIMAL_POSITION = """\
---
title: 后端工程师
category: tech
---

## 岗位职责

1. 负责服务开发；
2. 负责系统维护。

## 任职要求

1. 三年以上经验；
"""


class SiteDir:
    """A throwaway site folder: the project's templates and static files plus the given content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def position(self, name: str, text: str) -> Path:
        return self.write(f"content/positions/{name}", text)

    def run(self, *args: str, today: str = "2026-11-28") -> subprocess.CompletedProcess:
        """Run build.py as HR would, from the site folder; returns the completed process."""
        return run_cli(*args, "--site", str(self.root), "--today", today, cwd=self.root)

    def build(self, *args: str) -> subprocess.CompletedProcess:
        result = self.run("build", *args)
        assert result.returncode == 0, result.stderr
        return result

    @property
    def out(self) -> Path:
        return self.root / "public"

    def page(self, rel: str = "") -> BeautifulSoup:
        path = self.out / rel
        if path.is_dir() or not rel or rel.endswith("/"):
            path = path / "index.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def run_cli(*args: str, cwd: Path = PROJECT, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(PROJECT / "build.py"), *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def make_site(tmp_path: Path):
    """make_site({"content/positions/x.md": "..."}) -> SiteDir with a valid minimal site, files overridden."""

    def factory(files: dict[str, str | bytes] | None = None, *, position: bool = True) -> SiteDir:
        root = tmp_path / "site"
        root.mkdir()
        shutil.copytree(PROJECT / "templates", root / "templates")
        shutil.copytree(PROJECT / "static", root / "static")
        site = SiteDir(root)
        site.write("site.toml", MINIMAL_TOML)
        if position:
            site.position("backend-engineer.md", MINIMAL_POSITION)
        for rel, text in (files or {}).items():
            site.write(rel, text)
        return site

    return factory


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> SiteDir:
    """The project's default site, built once with a fixed 'today'."""
    out = tmp_path_factory.mktemp("real") / "public"
    result = run_cli("build", "--site", str(PROJECT), "--out", str(out), "--today", FIXED_TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    site = SiteDir(PROJECT)
    site.__class__ = type("BuiltSite", (SiteDir,), {"out": property(lambda self: out)})
    return site
