"""The dev server's scan after a save: the last scan brought up to date with the paths the operating
system reported (content.rescanned) lists exactly what a full scan finds, in the same order, or
declines (None) so that a full scan is made."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from careersite.content import find_position_files, position_files, rescanned
from careersite.errors import Problems
from tests.conftest import MINIMAL_POSITION


def snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every file (with its time and size) and folder under ROOT."""
    found: dict[str, tuple[int, int] | None] = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs:
            found[os.path.join(dirpath, name)] = None
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            found[os.path.join(dirpath, name)] = (st.st_mtime_ns, st.st_size)
    return found


def reported(before: dict, after: dict) -> set[str]:
    """The paths watchfiles (inotify) reports between two snapshots: files and folders added or
    deleted, files modified. A folder whose list of files changed is not itself reported."""
    return {path for path in before.keys() | after.keys()
            if path not in before or path not in after or before[path] != after[path]}


def full_scan(root: Path) -> list[str]:
    scanned = position_files(root, Problems())
    assert [root / rel for rel in scanned] == find_position_files(root, Problems())
    return scanned


def write(root: Path, rel: str, text: str = MINIMAL_POSITION) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 1))  # a change the snapshot sees even within one tick


def edit(root): write(root, "content/positions/b.md", MINIMAL_POSITION.replace("后端", "前端"))
def add(root): write(root, "content/positions/a0.md")
def add_last(root): write(root, "content/positions/zz.yaml", "title: x\n")
def add_in_subfolder(root): write(root, "content/positions/campus/c2.md")
def delete(root): (root / "content/positions/b.md").unlink()
def rename(root): (root / "content/positions/b.md").rename(root / "content/positions/b2.md")
def editor_file(root): write(root, "content/positions/.b.md.swp", "x")
def outside(root): write(root, "templates/extra.html", "x")


def new_folder(root): write(root, "content/positions/social/s1.md")
def delete_folder(root): shutil.rmtree(root / "content/positions/campus")
def stray_file(root): write(root, "content/positions/notes.txt", "x")
def link(root): os.symlink(root / "content/positions/b.md", root / "content/positions/link.md")


FOLLOWED = [edit, add, add_last, add_in_subfolder, delete, rename, editor_file, outside]
DECLINED = [new_folder, stray_file, link]


@pytest.fixture
def root(make_site):
    site = make_site({"content/positions/b.md": MINIMAL_POSITION, "content/positions/m.yaml": "title: m\n",
                      "content/positions/campus/c1.md": MINIMAL_POSITION}, position=False)
    return site.root


@pytest.mark.parametrize("change", FOLLOWED, ids=lambda c: c.__name__)
def test_a_reported_change_gives_what_a_full_scan_finds(root, change):
    known = full_scan(root)
    before = snapshot(root)
    change(root)
    found = rescanned(root, known, reported(before, snapshot(root)))
    assert found is not None
    assert found == full_scan(root)  # same files, same order


def test_a_deleted_folder_is_followed_or_declined(root):
    """rm -r reports the folder and each file in it: either way round, never a stale list."""
    known = full_scan(root)
    before = snapshot(root)
    delete_folder(root)
    found = rescanned(root, known, reported(before, snapshot(root)))
    assert found is None or found == full_scan(root)


def test_a_folder_moved_away_needs_a_full_scan(root):
    """inotify reports a moved folder, not the files in it."""
    known = full_scan(root)
    (root / "content/positions/campus").rename(root / "campus-old")
    assert rescanned(root, known, {str(root / "content/positions/campus"), str(root / "campus-old")}) is None


@pytest.mark.parametrize("change", DECLINED, ids=lambda c: c.__name__)
def test_folders_links_and_stray_files_need_a_full_scan(root, change):
    known = full_scan(root)
    before = snapshot(root)
    change(root)
    assert rescanned(root, known, reported(before, snapshot(root))) is None


def test_changes_in_a_row_keep_matching(root):
    known = full_scan(root)
    for change in (add, edit, add_in_subfolder, rename, add_last, editor_file, outside):
        before = snapshot(root)
        change(root)
        known = rescanned(root, known, reported(before, snapshot(root)))
        assert known is not None and known == full_scan(root), change.__name__


def test_a_relative_root_works_as_the_default_site_folder_does(root, monkeypatch):
    monkeypatch.chdir(root)
    here = Path(".")
    known = position_files(here, Problems())
    assert known and all(rel.startswith("content/positions/") for rel in known)
    before = snapshot(root)
    add(root)
    found = rescanned(here, known, reported(before, snapshot(root)))
    assert found is not None and "content/positions/a0.md" in found
    assert found == position_files(here, Problems()) == [p.as_posix() for p in find_position_files(here, Problems())]


def test_a_build_told_what_changed_makes_what_a_full_scan_makes_and_repeats_its_warnings(root, tmp_path):
    """pipeline.build with Options.changed (what the dev server passes): the same site, the same
    warnings (a stray file is reported on every build, not only the one that scanned it)."""
    import datetime as dt

    from careersite import pipeline
    from tests.hostile import tree_digest

    (root / "content/positions/m.yaml").unlink()  # (a file of the scan tests, not a whole position)
    write(root, "content/positions/notes.txt", "x")
    options = pipeline.Options(root=root, out=tmp_path / "preview", today=dt.date(2026, 11, 28), drafts=True)
    first = pipeline.build(options)
    assert first.written, [p.message for p in first.problems.items]
    assert any("notes.txt" in p.format({}) for p in first.problems.items)
    for change in (add, rename, add_in_subfolder):
        before = snapshot(root)
        change(root)
        result = pipeline.build(pipeline.Options(**{**options.__dict__, "changed": frozenset(reported(before, snapshot(root)))}))
        reference = pipeline.build(pipeline.Options(**{**options.__dict__, "out": tmp_path / f"cold-{change.__name__}"}))
        assert result.written and reference.written
        lines = sorted(p.format({}) for p in result.problems.items)
        assert lines == sorted(p.format({}) for p in reference.problems.items), change.__name__
        assert any("notes.txt" in line for line in lines)
        assert tree_digest(tmp_path / "preview") == tree_digest(tmp_path / f"cold-{change.__name__}"), change.__name__
