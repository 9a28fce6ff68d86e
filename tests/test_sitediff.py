"""The pull-request summary: what a change does to the site, compared with a git ref, as Markdown."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from careersite.commands import diff
from tests.helpers import MINIMAL_POSITION, MINIMAL_TOML, PROJECT, TODAY, git, position, run_in_process


def commit_all(root, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def sitediff(root, *args: str) -> subprocess.CompletedProcess:
    """`python -m careersite.commands.diff` (scripts/site-diff), in this process."""
    return run_in_process("--site", str(root), "--today", TODAY.isoformat(), *args, main=diff.main)


def section(markdown: str, heading: str) -> str:
    """The text under a '### heading (n)' up to the next heading ('' if absent)."""
    parts = markdown.split("\n### ")
    for part in parts[1:]:
        if part.startswith(heading):
            return part
    return ""


@pytest.fixture
def repo(make_site):
    site = make_site({
        "site.toml": MINIMAL_TOML.replace("[defaults]", "[defaults]\ncloses = 2027-06-30"),
        "content/positions/ops-engineer.md": position("运维工程师", "ops"),
        "content/positions/old-role.md": position("旧岗位"),
        "content/positions/stale.md": position("往期岗位", front="posted: 2026-09-01\ncloses: 2026-10-01\n"),
    })
    git(site.root, "init", "-q")
    commit_all(site.root, "base")
    return site


def test_added_changed_closed_reopened_removed_and_warnings(repo):
    repo.position("new-role.md", position("数据分析师", front="closes: 2027-01-31\n"))
    repo.position("backend-engineer.md", MINIMAL_POSITION.replace("三年以上经验", "五年以上经验"))
    repo.position("ops-engineer.md", position("运维工程师", "ops", front="posted: 2026-10-01\ncloses: 2026-11-01\n"))
    repo.position("stale.md", position("往期岗位", front="posted: 2026-09-01\ncloses: 2026-12-31\n"))
    (repo.root / "content/positions/old-role.md").unlink()
    repo.write("content/positions/notes.txt", "not a position")

    result = sitediff(repo.root, "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("## 招聘网站变更预览\n")
    assert "新增 1 个、修改 1 个、截止 1 个、重新开放 1 个、删除 1 个岗位，草稿 0 个，有错误的文件 0 个；0 个错误，2 个警告" in out
    assert "**数据分析师** · 技术类 · 截止日期 2027\\-01\\-31 · `positions/new-role/`" in section(out, "新增的岗位 (1)")
    changed = section(out, "修改的岗位 (1)")
    assert "**后端工程师**" in changed and "改动：任职要求" in changed and "岗位职责" not in changed
    closed = section(out, "截止的岗位")
    assert "**运维工程师** · 运营类" in closed and "已截止" in closed
    assert "截止日期：2027\\-06\\-30 → 2026\\-11\\-01" in closed and "发布日期：2026\\-11\\-01 → 2026\\-10\\-01" in closed
    assert "**往期岗位**" in section(out, "重新开放的岗位")
    assert "**旧岗位**" in section(out, "删除的岗位") and "`positions/old-role/`" in section(out, "删除的岗位")
    warnings = section(out, "警告 (2)")
    assert "content/positions/notes.txt:1:1: 警告:" in warnings and "```text" in warnings
    assert "content/positions/ops-engineer.md:5:9: 警告: 岗位已于 2026-11-01 截止" in warnings


def test_no_change_says_so(repo):
    result = sitediff(repo.root, "--base", "HEAD")
    assert result.returncode == 0
    assert "岗位没有变化。" in result.stdout
    # the only section left is the warning about the position that closed before the base
    assert [line for line in result.stdout.splitlines() if line.startswith("###")] == ["### 警告 (1)"]


def test_compare_two_commits_and_only_visible_fields(repo):
    repo.position("ops-engineer.md", position("运维工程师", "ops", front="headcount: 3\nlocation: 上海\n"))
    commit_all(repo.root)
    result = sitediff(repo.root, "--base", "HEAD~1")
    assert "改动：工作地点：北京 → 上海；招聘人数：若干 → 3" in section(result.stdout, "修改的岗位 (1)")


def test_a_broken_file_hides_no_other_change(repo):
    """One file with an error: it is listed with its error, and every other change is still counted."""
    repo.position("new-role.md", position("数据分析师"))
    repo.position("backend-engineer.md", MINIMAL_POSITION.replace("category: tech", "category: tehc"))
    (repo.root / "content/positions/old-role.md").unlink()
    result = sitediff(repo.root, "--base", "HEAD")
    assert result.returncode == 1
    out = result.stdout
    assert "新增 1 个、修改 0 个、截止 0 个、重新开放 0 个、删除 1 个岗位，草稿 0 个，有错误的文件 1 个；1 个错误" in out
    assert "**数据分析师**" in section(out, "新增的岗位 (1)")
    assert "**旧岗位**" in section(out, "删除的岗位")
    assert "`content/positions/backend-engineer.md`" in section(out, "有错误的岗位文件")
    assert "后端工程师" not in section(out, "删除的岗位")  # broken, not removed: the site keeps it


def test_drafts_are_named_as_drafts(repo):
    repo.position("new-role.md", position("数据分析师", front="draft: true\n"))
    repo.position("ops-engineer.md", position("运维工程师", "ops", front="draft: true\n"))
    out = sitediff(repo.root, "--base", "HEAD").stdout
    assert "**数据分析师**" in section(out, "草稿（不会发布） (1)")
    assert "**运维工程师**" in section(out, "删除的岗位") and "改为草稿，不再发布" in section(out, "删除的岗位")
    assert "数据分析师" not in section(out, "新增的岗位")


def test_errors_in_the_change_are_listed_and_exit_1(repo):
    repo.position("backend-engineer.md", MINIMAL_POSITION.replace("category: tech", "category: tehc"))
    result = sitediff(repo.root, "--base", "HEAD")
    assert result.returncode == 1
    errors = section(result.stdout, "错误（修正之前网站不会发布） (1)")
    assert re.search(r"content/positions/backend-engineer.md:3:\d+: 错误: .*'tehc'", errors), errors


def test_a_base_without_a_site_lists_everything_as_added(repo):
    sub = repo.root / "careers"
    sub.mkdir()
    for name in ("site.toml", "content", "templates", "static"):
        (repo.root / name).rename(sub / name)
    result = sitediff(sub, "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "HEAD 中还没有招聘网站" in result.stdout
    assert "新增 4 个" in result.stdout and "删除 0 个" in result.stdout


def test_the_base_is_read_from_the_sites_subfolder(repo):
    sub = repo.root / "careers"
    sub.mkdir()
    for name in ("site.toml", "content", "templates", "static"):
        (repo.root / name).rename(sub / name)
    commit_all(repo.root, "move into careers/")
    (sub / "content/positions/old-role.md").unlink()
    result = sitediff(sub, "--base", "HEAD")
    assert "删除 1 个" in result.stdout and "新增 0 个" in result.stdout


def test_a_bad_ref_is_a_usage_error(repo):
    result = sitediff(repo.root, "--base", "no-such-branch")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("sitediff: 无法读取 git 版本 'no-such-branch'")
    assert "Traceback" not in result.stderr


def test_titles_cannot_inject_markdown_or_html(repo):
    repo.position("evil.md", position('"<img src=x onerror=alert(1)> | [点我](https://evil.example) **粗**"'))
    out = sitediff(repo.root, "--base", "HEAD").stdout
    line = next(l for l in out.splitlines() if "evil" in l)
    assert "<img" not in line and "&lt;img" in line
    assert "\\[点我\\]\\(https://evil\\.example\\)" in line and "\\|" in line and "\\*\\*粗\\*\\*" in line


def test_the_script_runs_from_the_site_folder(repo):
    repo.position("new-role.md", position("数据分析师"))
    env = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable}
    result = subprocess.run([str(PROJECT / "scripts/site-diff"), "--base", "HEAD", "--today", TODAY.isoformat()],
                            cwd=repo.root, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "**数据分析师**" in section(result.stdout, "新增的岗位 (1)")
