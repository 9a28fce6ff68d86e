"""The build cache (.cache/careersite) never changes what is published: a cached build writes exactly
the bytes a build from scratch writes, and every input a page depends on invalidates it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from careersite import cache as cache_module
from careersite import parallel, pipeline
from careersite.cache import CACHE_DIR, DB_NAME, fingerprint
from conftest import FIXED_TODAY, MINIMAL_POSITION, SiteDir

SECOND = """\
---
title: 运维工程师
category: ops
code: OPS-01
---

## 岗位职责

1. 负责系统运维；
"""
THIRD = """\
title: 前端工程师
category: tech
code: FE-01
responsibilities:
  - 负责页面开发；
requirements:
  - 熟悉 HTML；
"""


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build(site: SiteDir, out: Path | None = None, *, cache: bool = True, today: dt.date = FIXED_TODAY):
    options = pipeline.Options(root=site.root, out=out, today=today, cache=cache)
    return pipeline.build(options)


def cold(site: SiteDir) -> dict[str, bytes]:
    """What a build from scratch (no cache, empty output folder) writes for the site as it is now."""
    out = site.root.parent / f"cold-{os.getpid()}-{len(list(site.root.parent.iterdir()))}"
    result = build(site, out, cache=False)
    assert result.ok, result.problems.items
    return tree(out)


@pytest.fixture
def site(make_site) -> SiteDir:
    site = make_site({"content/positions/ops.md": SECOND, "content/positions/frontend.yaml": THIRD})
    result = build(site)
    assert result.ok, result.problems.items
    return site


def test_cached_builds_write_the_same_bytes_as_a_cold_build(site: SiteDir) -> None:
    assert (site.root / CACHE_DIR / DB_NAME).is_file()
    first = tree(site.out)
    result = build(site)  # nothing changed
    assert result.ok and result.stats.written == 0
    assert tree(site.out) == first == cold(site)


def test_nothing_changed_leaves_every_output_file_alone(site: SiteDir) -> None:
    before = {rel: os.stat(site.out / rel).st_ino for rel in tree(site.out)}
    result = build(site)
    assert result.stats.written == 0 and result.stats.removed == 0
    assert {rel: os.stat(site.out / rel).st_ino for rel in tree(site.out)} == before
    assert len(result.site.positions) == 3  # read back from the cache when asked


def test_editing_one_position_changes_its_page_its_category_and_home_only(site: SiteDir) -> None:
    before = tree(site.out)
    site.position("ops.md", SECOND.replace("运维工程师", "高级运维工程师"))
    result = build(site)
    after = tree(site.out)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert changed == {"positions/ops/index.html", "categories/ops/index.html", "index.html"}
    assert "高级运维工程师" in site.page("positions/ops/").h1.get_text()
    assert result.stats.written == 3
    assert after == cold(site)


def test_editing_a_template_changes_the_pages_that_use_it(site: SiteDir) -> None:
    template = site.root / "templates" / "position.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        '<article class="position"', '<article data-edited="yes" class="position"'), encoding="utf-8")
    build(site)
    for slug in ("backend-engineer", "ops", "frontend"):
        assert site.page(f"positions/{slug}/").find("article", attrs={"data-edited": "yes"}) is not None
    assert tree(site.out) == cold(site)


def test_editing_site_toml_changes_the_pages(site: SiteDir) -> None:
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("测试公司", "新名字公司"), encoding="utf-8")
    build(site)
    for rel in ("", "positions/ops/", "categories/tech/"):
        assert "新名字公司" in site.page(rel).get_text()
    assert tree(site.out) == cold(site)


def test_editing_a_static_file_changes_its_fingerprint_in_pages(site: SiteDir) -> None:
    css = site.root / "static" / "site.css"
    old_link = site.page("positions/ops/").find("link", rel="stylesheet")["href"]
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    build(site)
    assert site.page("positions/ops/").find("link", rel="stylesheet")["href"] != old_link
    assert (site.out / "static" / "site.css").read_text(encoding="utf-8").endswith("/* edited */\n")
    assert tree(site.out) == cold(site)


def test_a_new_today_closes_positions_without_stale_pages(site: SiteDir) -> None:
    site.position("ops.md", SECOND.replace("code: OPS-01", "code: OPS-01\ncloses: 2026-12-01"))
    build(site)
    assert not site.page("positions/ops/").find(class_="notice-closed")
    later = dt.date(2026, 12, 5)
    build(site, today=later)
    assert site.page("positions/ops/").find(class_="notice-closed")
    out = site.root.parent / "cold-later"
    assert build(site, out, cache=False, today=later).ok
    assert tree(site.out) == tree(out)


def test_deleting_a_position_removes_its_page(site: SiteDir) -> None:
    (site.root / "content" / "positions" / "ops.md").unlink()
    result = build(site)
    assert not (site.out / "positions" / "ops").exists()
    assert result.stats.removed == 1
    assert tree(site.out) == cold(site)


def test_files_added_to_the_output_by_hand_are_removed(site: SiteDir) -> None:
    (site.out / "positions" / "ops" / "notes.txt").write_text("stray", encoding="utf-8")
    (site.out / "stray").mkdir()
    (site.out / "stray" / "x.html").write_text("stray", encoding="utf-8")
    build(site)
    assert tree(site.out) == cold(site)
    assert not (site.out / "stray").exists()


def test_output_edited_by_hand_is_rebuilt(site: SiteDir) -> None:
    page = site.out / "positions" / "ops" / "index.html"
    page.write_text("broken", encoding="utf-8")
    build(site)
    assert tree(site.out) == cold(site)


@pytest.mark.parametrize("damage", ["garbage", "entry"])
def test_a_corrupted_cache_is_ignored_never_trusted(site: SiteDir, damage: str) -> None:
    db = site.root / CACHE_DIR / DB_NAME
    if damage == "garbage":
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(b"this is not a database" * 100)
    else:  # flip bytes inside every stored entry: the checksums no longer match
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT key, value FROM entries").fetchall()
            conn.executemany("UPDATE entries SET value = ? WHERE key = ?",
                             [(value[:-8] + b"XXXXXXXX", key) for key, value in rows])
    site.position("ops.md", SECOND.replace("运维工程师", "值班工程师"))
    result = build(site)
    assert result.ok, result.problems.items
    assert "值班工程师" in site.page("positions/ops/").h1.get_text()
    assert tree(site.out) == cold(site)
    assert build(site).stats.written == 0  # and the cache works again afterwards


def test_problems_are_reported_again_when_nothing_changed(site: SiteDir) -> None:
    site.position("bad.md", MINIMAL_POSITION.replace("category: tech", "category: tech\nheadcount: 两名"))
    site.write("content/positions/notes.txt", "not a position")
    before = tree(site.out)
    first = build(site)
    assert not first.ok
    again = build(site)  # warm cache, nothing changed: the same problems, the output still untouched
    assert [p.format() for p in again.problems.sorted()] == [p.format() for p in first.problems.sorted()]
    assert any(p.path == "content/positions/bad.md" and p.line == 4 for p in again.problems.errors)
    assert any(p.path == "content/positions/notes.txt" for p in again.problems.warnings)
    site.position("ops.md", SECOND.replace("运维工程师", "运维主管"))  # another file changes
    third = build(site)
    assert [p.format() for p in third.problems.sorted()] == [p.format() for p in first.problems.sorted()]
    assert tree(site.out) == before


def test_a_failing_build_with_a_warm_cache_leaves_the_output_untouched(site: SiteDir) -> None:
    before = tree(site.out)
    site.position("ops.md", SECOND.replace("category: ops", "category: nowhere"))
    result = build(site)
    assert not result.ok
    assert tree(site.out) == before
    site.position("ops.md", SECOND)
    assert build(site).ok
    assert tree(site.out) == cold(site)


def test_the_generator_source_is_part_of_the_fingerprint(tmp_path: Path, site: SiteDir, monkeypatch) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "render.py").write_text("one = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "_PACKAGE", package)
    before = fingerprint(site.root, ())
    (package / "render.py").write_text("one = 2\n", encoding="utf-8")
    assert fingerprint(site.root, ()) != before
    (package / "locales").mkdir()
    changed = fingerprint(site.root, ())
    (package / "locales" / "en.toml").write_text("[ui]\n", encoding="utf-8")
    assert fingerprint(site.root, ()) != changed
    assert fingerprint(site.root, ("drafts",)) != fingerprint(site.root, ())


def test_worker_processes_write_the_same_bytes(make_site, monkeypatch) -> None:
    site = make_site({f"content/positions/p{n:02d}.yaml": THIRD.replace("FE-01", f"FE-{n:02d}")
                      for n in range(30)})
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    result = build(site)
    assert result.ok, result.problems.items
    assert tree(site.out) == cold(site)


def test_no_cache_flag_builds_without_reading_or_writing_the_cache(make_site) -> None:
    site = make_site()
    result = site.run("build", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert not (site.root / CACHE_DIR).exists()
    assert "--no-cache" in site.run("build", "--help").stdout


def test_building_into_another_folder_keeps_the_cache_and_writes_everything(site: SiteDir) -> None:
    other = site.root.parent / "elsewhere"
    result = build(site, other)
    assert result.ok and result.stats.written == result.stats.files
    assert tree(other) == tree(site.out) == cold(site)
    assert build(site).stats.written == 0  # back to the first folder: its bytes are compared, none rewritten
