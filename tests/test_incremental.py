"""The build cache (incremental/): a build that reuses what the last one left is byte-identical to a build with
the cache switched off, redoes what each kind of change affects, and trusts no cache entry or output file it
cannot vouch for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from careersite.incremental import workers
from careersite.incremental.store import CACHE_DIR
from tests.helpers import PROJECT, TODAY, build, git, position, tree_digest


def text(n: int, category: str = "tech", closes: str = "2027-01-31", extra: str = "") -> str:
    return position(f"岗位{n}", category, f"code: C-{n:03d}\ncloses: {closes}\n{extra}",
                    duties=(f"负责第{n}项工作。", f"参与第{n}个项目。"), requirements=("本科及以上学历。",))


@pytest.fixture
def site(make_site):
    files = {f"content/positions/p{n:02d}.md": text(n, "tech" if n % 2 else "ops") for n in range(12)}
    return make_site(files, position=False)


def cached(site, **options):
    result = build(site.root, **options)
    assert result.ok, [p.message for p in result.problems.items]
    return result


def plain(site, tmp_path: Path, **options) -> dict[str, str]:
    """What a build with the cache switched off makes, into a fresh folder."""
    out = tmp_path / f"plain-{len(list(tmp_path.iterdir()))}"
    result = build(site.root, out, cache=False, **options)
    assert result.ok, [p.message for p in result.problems.items]
    assert not (site.root / CACHE_DIR / "unused").exists()
    return tree_digest(out)


def edit_position(site):
    site.position("p03.md", text(3).replace("岗位3", "岗位3（已修改）"))


def add_position(site):
    site.position("p20.md", text(20))


def delete_position(site):
    (site.root / "content/positions/p04.md").unlink()


def rename_position(site):
    (site.root / "content/positions/p05.md").rename(site.root / "content/positions/p05-renamed.md")


def move_category(site):
    site.position("p06.md", text(6, "tech"))


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
    site.position("p08.md", text(8, extra="draft: true\n"))


def same_size_edit_with_its_time_restored(site):
    """`touch -r`, `cp -p`, `rsync --inplace`: the size and the mtime are as before; only ctime tells."""
    path = site.root / "content/positions/p09.md"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("岗位9", "岗位X"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns


CHANGES = [edit_position, add_position, delete_position, rename_position, move_category, edit_template,
           edit_site_toml, edit_static, same_bytes_touched, draft_a_position, same_size_edit_with_its_time_restored]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_cached_build_is_byte_identical_to_a_build_without_the_cache(site, tmp_path, change, monkeypatch):
    cached(site)
    # The scan trusts a file's times only when it is older than two seconds (racy-clean): pretend it is.
    monkeypatch.setattr("careersite.incremental.store.Manifest.RACY_NS", 0)
    change(site)
    result = cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)
    assert result.rendered, "a change re-made nothing"


def test_one_edit_makes_only_what_depends_on_it(site, monkeypatch):
    cached(site)
    monkeypatch.setattr("careersite.incremental.store.Manifest.RACY_NS", 0)
    edit_position(site)

    def whole_index(docs):
        raise AssertionError("the whole search index was made again for one edit")

    monkeypatch.setattr("careersite.search.index.index_files", whole_index)  # updated from the last one instead
    result = cached(site)
    assert result.rendered["position"] == 1 and result.rendered["category"] == 1 and result.rendered["home"] == 1
    assert result.rendered["static"] == 0 and result.stats.unchanged > 10


def test_nothing_changed_writes_nothing(site, monkeypatch):
    cached(site)
    monkeypatch.setattr("careersite.incremental.store.Manifest.RACY_NS", 0)
    before = {p: p.stat().st_ino for p in site.out.rglob("*")}
    result = cached(site)
    assert result.stats.written == 0 and {p: p.stat().st_ino for p in site.out.rglob("*")} == before


def test_files_saved_just_before_a_build_do_not_stop_the_next_one_from_doing_nothing(site, monkeypatch):
    """A file saved within two seconds of a build's scan could change again without its times changing: the next
    build reads it, and when its bytes are the same there is still nothing to do (not a whole load and render)."""
    cached(site)  # (the site's files were all just written)
    monkeypatch.setattr("careersite.commands.build.load_site", lambda *args, **kwargs: pytest.fail("loaded again"))
    assert cached(site).stats.written == 0
    path = site.root / "content/positions/p03.md"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("负责", "承担", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # new bytes, the same size and times
    monkeypatch.undo()
    result = cached(site)
    assert result.rendered["position"] == 1 and "承担" in (site.out / "positions/p03/index.html").read_text("utf-8")


STAGES = ("jinja2", "yaml", "nh3", "markdown", "multiprocessing", "careersite.render", "careersite.model.site",
          "careersite.search")


def test_an_unchanged_build_imports_no_stage(site):
    """`build.py build` replayed from the cache imports neither the templates, the YAML reader, the stages nor the
    worker pool: at 10,000 positions, imports were half the time of an unchanged build (docs/performance.md)."""
    code = ("import sys; from careersite.cli import main; from careersite.incremental.store import Manifest; "
            "Manifest.RACY_NS = 0; code = main(sys.argv[1:]); "  # (files just saved are trusted by their stat)
            f"print('imported', code, [m for m in {STAGES!r} if m in sys.modules])")
    args = [sys.executable, "-c", code, "build", "--site", str(site.root), "--today", TODAY.isoformat()]
    first, again = (subprocess.run(args, cwd=PROJECT, capture_output=True, text=True, timeout=120).stdout
                    .splitlines()[-1] for _ in range(2))
    assert first.startswith("imported 0 [") and "jinja2" in first  # (a build that renders does import them)
    assert again == "imported 0 []"


def empty_commit(site):
    git(site.root, "commit", "-q", "--allow-empty", "-m", "nothing")


@pytest.mark.parametrize("change", [edit_position, empty_commit])
def test_after_a_change_the_next_unchanged_build_does_nothing(site, monkeypatch, change):
    """Linking a file into the new tree and deleting the old tree change its ctime: the build records the
    files as they are after the swap, so the next build recognises every one by its stat. A build that
    finds every output up to date (a new commit that changes no date) records what it saw too."""
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "positions"]):
        git(site.root, *command)
    cached(site)
    monkeypatch.setattr("careersite.incremental.store.Manifest.RACY_NS", 0)
    change(site)
    cached(site)

    def no_work(*args, **kwargs):
        raise AssertionError("an unchanged site was loaded and rendered again")

    monkeypatch.setattr("careersite.commands.build.load_site", no_work)
    monkeypatch.setattr("hashlib.file_digest", no_work)
    assert cached(site).stats.written == 0


def test_a_linked_position_file_is_read_again_when_the_file_it_links_to_changes(site, tmp_path, monkeypatch):
    shared = site.root / "content/positions/shared/linked.txt"  # (a .txt there is only a warning)
    shared.parent.mkdir()
    shared.write_text(text(30), encoding="utf-8")
    (site.root / "content/positions/linked.md").symlink_to("shared/linked.txt")
    cached(site)
    monkeypatch.setattr("careersite.incremental.store.Manifest.RACY_NS", 0)
    shared.write_text(text(30).replace("岗位30", "岗位三十"), encoding="utf-8")
    cached(site)
    assert "岗位三十" in (site.out / "positions/linked/index.html").read_text(encoding="utf-8")
    assert tree_digest(site.out) == plain(site, tmp_path)


def test_a_new_day_closes_positions_in_the_cached_build_as_without_the_cache(make_site, tmp_path):
    site = make_site({"content/positions/soon.md": text(1, closes=TODAY.isoformat()),
                      "content/positions/later.md": text(2, closes="2027-03-01")}, position=False)
    cached(site)
    day = TODAY.replace(day=29)
    cached(site, today=day)
    assert tree_digest(site.out) == plain(site, tmp_path, today=day)
    assert "badge-closed" in (site.out / "positions/soon/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("options", [{"base_url": "https://other.example/jobs/"}, {"drafts": True}])
def test_base_url_and_drafts_have_their_own_cache(site, tmp_path, options):
    draft_a_position(site)
    cached(site)
    cached(site, **options)
    assert tree_digest(site.out) == plain(site, tmp_path, **options)
    cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)


def test_a_commit_changes_the_feed_dates_as_without_the_cache(site, tmp_path):
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "one", "--date", "2026-11-01T10:00:00+08:00")
    cached(site)
    edit_position(site)
    git(site.root, "commit", "-q", "-am", "two", "--date", "2026-11-20T10:00:00+08:00")
    cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)


def test_a_hand_edited_output_file_is_made_again(site, tmp_path):
    cached(site)
    page = site.out / "positions/p01/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("岗位1", "岗位一"), encoding="utf-8")
    cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)


def test_a_fresh_checkout_with_the_cache_restored_redoes_only_what_changed(site, tmp_path):
    """CI (.github/workflows/pages.yml): a fresh clone of the next commit at the same path, .cache/careersite and
    public/ restored by actions/cache from the last publish. Every file has new times and inodes; what decides
    is its bytes: the output is that of a build without the cache, and only the edited position is made again."""
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "positions")
    cached(site)
    saved = tmp_path / "saved"
    saved.mkdir()
    for name in (".cache", "public"):
        (site.root / name).rename(saved / name)
    edit_position(site)
    git(site.root, "commit", "-q", "-am", "an edit")
    subprocess.run(["git", "clone", "-q", str(site.root), str(tmp_path / "clone")], check=True, capture_output=True)
    shutil.rmtree(site.root)
    (tmp_path / "clone").rename(site.root)
    for name in (".cache", "public"):
        shutil.copytree(saved / name, site.root / name)  # new inodes and times, as actions/cache restores them
    result = cached(site)
    assert result.rendered["position"] == 1 and result.stats.unchanged > result.stats.files / 2
    assert tree_digest(site.out) == plain(site, tmp_path)


def test_the_cache_never_aliases_the_published_files(site):
    cached(site)
    published = {p.stat().st_ino for p in site.out.rglob("*") if p.is_file()}
    kept = {p.stat().st_ino for p in (site.root / CACHE_DIR).rglob("*") if p.is_file()}
    assert published and not published & kept


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty-files", "a-folder"])
def test_a_damaged_cache_is_ignored_and_rebuilt(site, tmp_path, damage):
    cached(site)
    edit_position(site)
    for path in (site.root / CACHE_DIR).iterdir():
        if damage == "garbage":
            path.write_bytes(os.urandom(4096))
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[:100])
        elif damage == "empty-files":
            path.write_bytes(b"")
        else:
            path.unlink()
            path.mkdir()
    cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)
    cached(site)  # and the cache works again after that
    assert tree_digest(site.out) == plain(site, tmp_path)


def test_workers_make_the_same_bytes_as_one_process(site, tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setenv(workers.JOBS_ENV, "2")
    cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)
    edit_position(site)
    add_position(site)
    cached(site)
    assert tree_digest(site.out) == plain(site, tmp_path)
