"""The build cache: a build that reuses what the last one left is byte-identical to a build from nothing,
redoes what each kind of change affects, and never trusts a cache or an output it cannot vouch for."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from careersite import incremental, parallel
from careersite.cache import CACHE_DIR
from careersite.search import has_pagefind
from tests.conftest import MINIMAL_POSITION
from tests.hostile import TODAY, tree_digest
from tests.tools import require_tool

pytestmark = pytest.mark.slow


def position(n: int, category: str = "tech", closes: str = "2027-01-31", extra: str = "") -> str:
    return (f"---\ntitle: 岗位{n}\ncategory: {category}\ncode: C-{n:03d}\ncloses: {closes}\n{extra}---\n\n"
            f"## 岗位职责\n\n1. 负责第{n}项工作。\n2. 参与第{n}个项目。\n\n## 任职要求\n\n1. 本科及以上学历。\n")


@pytest.fixture
def site(make_site):
    files = {f"content/positions/p{n:02d}.md": position(n, "tech" if n % 2 else "ops") for n in range(12)}
    return make_site(files, position=False)


def cold_tree(site, tmp_path: Path, *args: str, today: str = "2026-11-28") -> dict[str, str]:
    """What a build from nothing makes: a fresh process, no cache, an empty output folder."""
    out = tmp_path / f"cold-{len(list(tmp_path.iterdir()))}"
    saved = site.root / ".cache-saved"
    if (site.root / ".cache").exists():
        (site.root / ".cache").rename(saved)
    try:
        result = site.run("build", "--out", str(out), *args, today=today)
        assert result.returncode == 0, result.stderr
    finally:
        shutil.rmtree(site.root / ".cache", ignore_errors=True)
        if saved.exists():
            saved.rename(site.root / ".cache")
    return tree_digest(out)


def build(site, *args: str, today: str = "2026-11-28") -> subprocess.CompletedProcess:
    result = site.run("build", *args, today=today)
    assert result.returncode == 0, result.stderr
    return result


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def edit_position(site):
    site.position("p03.md", position(3).replace("岗位3", "岗位3（已修改）"))


def add_position(site):
    site.position("p20.md", position(20))


def delete_position(site):
    (site.root / "content/positions/p04.md").unlink()


def rename_position(site):
    (site.root / "content/positions/p05.md").rename(site.root / "content/positions/p05-renamed.md")


def move_category(site):
    site.position("p06.md", position(6, "tech"))


def edit_template(site):
    path = site.root / "templates/position.html"
    path.write_text(path.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- v2 -->"),
                    encoding="utf-8")


def edit_site_toml(site):
    path = site.root / "site.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("测试公司", "测试有限公司"), encoding="utf-8")


def edit_static(site):
    path = site.root / "static/site.css"
    path.write_text(path.read_text(encoding="utf-8") + "\n/* v2 */\n", encoding="utf-8")


def same_bytes_touched(site):
    path = site.root / "content/positions/p07.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))


def draft_a_position(site):
    site.position("p08.md", position(8, extra="draft: true\n"))


CHANGES = [edit_position, add_position, delete_position, rename_position, move_category, edit_template,
           edit_site_toml, edit_static, same_bytes_touched, draft_a_position]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_cached_build_is_byte_identical_to_a_build_from_nothing(site, tmp_path, change):
    build(site)
    change(site)
    build(site)
    assert tree_digest(site.out) == cold_tree(site, tmp_path)


def test_a_new_day_closes_positions_in_the_cached_build_as_in_a_cold_one(make_site, tmp_path):
    site = make_site({"content/positions/soon.md": position(1, closes="2026-11-28"),
                      "content/positions/later.md": position(2)}, position=False)
    build(site)
    build(site, today="2026-11-29")
    assert "badge-closed" in site.page("positions/soon/").decode()
    assert tree_digest(site.out) == cold_tree(site, tmp_path, today="2026-11-29")


def test_base_url_and_drafts_have_their_own_cache(site, tmp_path):
    build(site)
    build(site, "--base-url", "https://jobs.example.cn/careers/", "--drafts")
    assert tree_digest(site.out) == cold_tree(site, tmp_path, "--base-url", "https://jobs.example.cn/careers/", "--drafts")
    build(site)
    assert tree_digest(site.out) == cold_tree(site, tmp_path)


def test_an_unchanged_site_writes_nothing_and_reports_the_same_warnings(make_site):
    site = make_site({"content/positions/long.md": MINIMAL_POSITION.replace("title: ", "title: " + "很长" * 30, 1)})
    first = build(site)
    assert "警告" in first.stderr
    before = inodes(site.out)
    second = build(site)
    assert inodes(site.out) == before  # not one file rewritten, not one re-linked
    assert second.stderr == first.stderr
    assert site.run("build", "--strict").returncode == 1  # --strict still sees the cached warnings


def test_one_edit_rewrites_that_page_and_links_the_others(site):
    build(site)
    before = inodes(site.out)
    edit_position(site)
    build(site)
    after = inodes(site.out)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "positions/p03/index.html" in changed
    assert "positions/p01/index.html" not in changed and "positions/p05/index.html" not in changed
    assert not any(rel.startswith("positions/") and rel != "positions/p03/index.html" for rel in changed)


def test_a_hand_edited_output_file_is_repaired(site, tmp_path):
    build(site)
    page = site.out / "positions/p01/index.html"
    page.write_text("defaced", encoding="utf-8")
    build(site)
    assert tree_digest(site.out) == cold_tree(site, tmp_path)
    (site.out / "categories/tech/index.html").unlink()
    build(site)
    assert tree_digest(site.out) == cold_tree(site, tmp_path)


def test_an_edit_that_keeps_size_and_time_is_seen_right_after_a_build(site, tmp_path):
    """The racy case: a save within the same moment as the last build's scan (sizes equal, time reset)."""
    build(site)
    path = site.root / "content/positions/p02.md"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("岗位2", "职位2"), encoding="utf-8")
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(site)
    assert "职位2" in site.page("positions/p02/").decode()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty-files", "no-permission"])
def test_a_damaged_cache_is_ignored_and_rebuilt(site, tmp_path, damage):
    build(site)
    folder = next((site.root / CACHE_DIR).iterdir())
    for path in [p for p in folder.rglob("*") if p.is_file()]:  # the search index's shards too
        if damage == "garbage":
            path.write_bytes(os.urandom(4096))
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        elif damage == "empty-files":
            path.write_bytes(b"")
    if damage == "no-permission":
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    edit_position(site)
    result = build(site)
    assert "Traceback" not in result.stderr
    assert tree_digest(site.out) == cold_tree(site, tmp_path)
    build(site)
    assert tree_digest(site.out) == cold_tree(site, tmp_path)


def test_a_commit_updates_the_sitemap_of_an_otherwise_unchanged_site(site):
    git = ["git", "-c", "user.name=HR", "-c", "user.email=hr@example.cn", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=site.root, check=True)
    build(site)
    before = (site.out / "sitemap.xml").read_text(encoding="utf-8")
    subprocess.run(git + ["add", "-A"], cwd=site.root, check=True)
    env = {**os.environ, "GIT_COMMITTER_DATE": "2026-11-25T09:00:00+08:00", "GIT_AUTHOR_DATE": "2026-11-25T09:00:00+08:00"}
    subprocess.run(git + ["commit", "-qm", "positions"], cwd=site.root, check=True, env=env)
    build(site)
    after = (site.out / "sitemap.xml").read_text(encoding="utf-8")
    assert after != before and "2026-11-25T01:00:00" in after


def test_workers_make_the_same_bytes_as_one_process(site, tmp_path, monkeypatch):
    """Forked workers (used from a few hundred files up) write exactly what one process writes."""
    from careersite import pipeline

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    monkeypatch.setattr(incremental, "_MEMORY", {})
    result = pipeline.build(pipeline.Options(root=site.root, out=tmp_path / "workers", today=TODAY))
    assert result.ok and result.rendered["position"] == 12
    assert tree_digest(tmp_path / "workers") == cold_tree(site, tmp_path)


def index_files(out: Path) -> dict[str, tuple[int, int]]:
    return {rel: value for rel, value in inodes(out).items() if rel.startswith("pagefind/")}


def test_the_search_index_is_reused_while_the_pages_are_unchanged(site):
    require_tool("pagefind (Python package)", has_pagefind(), "pip install -r requirements.txt")
    build(site)
    first = index_files(site.out)
    assert first
    same_bytes_touched(site)  # a new build, same pages
    build(site)
    assert index_files(site.out) == first  # linked, not made again
    edit_position(site)
    build(site)
    assert index_files(site.out) != first


def test_serve_reloads_before_indexing_then_brings_the_index_up_to_date(site, tmp_path):
    """The dev server writes the pages and lets the browser reload first; the index follows."""
    from careersite.devserver import DevServer

    require_tool("pagefind (Python package)", has_pagefind(), "pip install -r requirements.txt")
    server = DevServer(site.root, tmp_path / "preview", "http://127.0.0.1:8000/", today=TODAY, stream=io.StringIO())
    assert server.rebuild() and not server.search_pending
    first = index_files(tmp_path / "preview")
    edit_position(site)
    assert server.rebuild() and server.search_pending
    assert "岗位3（已修改）" in (tmp_path / "preview/positions/p03/index.html").read_text(encoding="utf-8")
    assert index_files(tmp_path / "preview") == first  # the last index, until index_search
    server.index_search()  # a build in a process of its own; the preview keeps serving meanwhile
    site.position("p05.md", position(5).replace("岗位5", "岗位5（又改了）"))
    assert server.rebuild() and server.indexer is None  # a save stops it; the output stays whole
    assert "又改了" in (tmp_path / "preview/positions/p05/index.html").read_text(encoding="utf-8")
    server.index_search()
    assert server.indexer.wait(timeout=120) == 0
    server._check_indexer()
    assert not server.search_pending and "搜索索引已更新" in server.stream.getvalue()
    assert index_files(tmp_path / "preview") != first
    # and it is the index a build from nothing makes
    reference = cold_tree(site, tmp_path, "--drafts", "--base-url", "http://127.0.0.1:8000/")
    assert {k: v for k, v in tree_digest(tmp_path / "preview").items() if k.startswith("pagefind/")} == \
        {k: v for k, v in reference.items() if k.startswith("pagefind/")}


@pytest.mark.parametrize("change", [edit_position, add_position, delete_position, rename_position, move_category,
                                    edit_template, draft_a_position], ids=lambda c: c.__name__)
def test_the_preview_updated_in_place_is_what_a_build_from_nothing_makes(site, tmp_path, change):
    """serve writes only what changed into its private folder (output.Patch); the result is the same."""
    from careersite.devserver import DevServer

    require_tool("pagefind (Python package)", has_pagefind(), "pip install -r requirements.txt")
    preview = tmp_path / "preview"
    server = DevServer(site.root, preview, "http://127.0.0.1:8000/", today=TODAY, stream=io.StringIO())
    assert server.rebuild()
    before = inodes(preview)
    change(site)
    assert server.rebuild()
    after = inodes(preview)
    untouched = [rel for rel in before if rel.startswith("positions/") and after.get(rel) == before[rel]]
    assert len(untouched) >= (0 if change is edit_template else 8)  # in place: unchanged pages are the same files
    reference = cold_tree(site, tmp_path, "--drafts", "--base-url", "http://127.0.0.1:8000/")
    # What the browser reloads is right at once; the sitemap, feeds and search index follow.
    pages = {rel: digest for rel, digest in reference.items() if rel.endswith(".html") and "pagefind" not in rel}
    now = tree_digest(preview)
    assert {rel: now.get(rel) for rel in pages} == pages
    assert server.search_pending != (change is edit_template)  # a template: every page anew, indexed at once
    server.index_search()
    assert server.indexer is None or server.indexer.wait(timeout=120) == 0  # a template change indexes at once
    server._check_indexer()
    assert not server.search_pending
    assert tree_digest(preview) == reference
