"""HR's pull requests: what content changes do to the checks. The generator's suite never reads the live
content (tests/guard/ refuses it), and the site checks adapt to whatever the content is."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import PROJECT, SEED_FIXTURE, TODAY, git

NEW_POSITION = """\
---
title: 数据分析岗
category: technology
code: IT-50
---

## 岗位职责

1. 负责经营数据的统计与分析；
2. 负责数据报表的开发与维护。

## 任职要求

1. 统计学、计算机等相关专业本科及以上学历；
2. 熟悉 SQL 和 Python。
"""


def project_copy(dest: Path) -> Path:
    """The project's files as a fresh clone has them (tracked and new, not ignored), in a git repository."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=PROJECT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = PROJECT / rel
        if source.is_file() and not rel.startswith(("content/", "site.toml")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    # The content is the seed fixture's (a known state); the live content's is nobody's business here.
    shutil.copytree(SEED_FIXTURE / "content", dest / "content")
    shutil.copy(SEED_FIXTURE / "site.toml", dest / "site.toml")
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "the site as it is")
    return dest


def hr_change(root: Path) -> dict[str, str]:
    """One commit that adds a position, removes one and closes one, as HR does in GitHub's web editor."""
    folder = root / "content/positions"
    files = sorted(folder.iterdir())
    removed, closed = files[0], next(f for f in files[1:] if f.suffix == ".md")
    removed.unlink()
    text = closed.read_text(encoding="utf-8")
    text = re.sub(r"^---\n", f"---\ncloses: {TODAY.replace(day=TODAY.day - 1).isoformat()}\n", text, count=1)
    closed.write_text(text, encoding="utf-8")
    (folder / "data-analyst.md").write_text(NEW_POSITION, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "新增数据分析岗，删除一个岗位，关闭一个岗位")
    return {"removed": removed.stem, "closed": closed.stem}


@pytest.mark.browser  # the site checks include axe in chromium
def test_adding_removing_and_closing_positions_keeps_the_checks_green(tmp_path):
    copy = project_copy(tmp_path / "repo")
    changed = hr_change(copy)
    env = {**os.environ, "PYTHONPATH": str(copy), "VNU_JAR": str(PROJECT / "node_modules/vnu-jar/build/dist/vnu.jar")}
    # The tests that used to assert on the live content (23 positions) now own their fixture: still green.
    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_seed_site.py",
                            "tests/test_feeds.py", "tests/test_sharing.py", "tests/test_links.py"],
                           cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    # The site checks adapt: 23 + 1 - 1 positions, one of them closed, all pages valid and linked.
    checked = subprocess.run([sys.executable, "-m", "tests.sitecheck", "--site", str(copy), "--today",
                              TODAY.isoformat()], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert "检查通过：23 个岗位，6 个类别" in checked.stdout
    listed = (copy / "content/positions").glob("*")
    assert changed["removed"] not in {p.stem for p in listed}


def test_a_broken_position_file_is_an_annotation_on_its_line(make_site, monkeypatch):
    """On GitHub Actions, `check` prints each problem as a workflow command, so it shows on the file's line."""
    site = make_site({"content/positions/bad.md": "---\ntitle: 风险岗\ncategory: tech\nheadcount: 两名\n---\n"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = site.run("check")
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    match = re.fullmatch(r"::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),title=careersite::(?P<msg>.+)",
                         line)
    assert match, line
    assert match["file"].endswith("content/positions/bad.md") and (match["line"], match["col"]) == ("4", "12")
    assert "两名" in match["msg"]
    assert f"content/positions/bad.md:4:12: 错误: {match['msg']}" in result.stderr  # the same words as the terminal


def test_an_annotation_cannot_be_split_or_forged():
    from careersite.cli import annotation
    from careersite.errors import Problem

    line = annotation(Problem("content/positions/a,b:c.md", 2, 3, "error", "第一行\n::error::伪造 100%"))
    assert line == ("::error file=content/positions/a%2Cb%3Ac.md,line=2,col=3,title=careersite::"
                    "第一行\\n::error::伪造 100%25")
    assert "\n" not in line
