"""The unit layer's ground: a MemorySite (tests/helpers.py) runs load -> model -> render on bytes in memory, and
must make what `check` reports and what `build` writes, byte for byte. Tests that need only what the stages
make of some content use it; tests of files, folders and commands use a site folder."""

from __future__ import annotations

from tests.helpers import (
    POS, SEED_FIXTURE, MemorySite, build, check, copy_site, position, printed, site_files, tree_digest,
)

BROKEN = {
    POS + "no-title.md": "---\ncategory: tech\n---\n正文\n",
    POS + "bad-date.yaml": "title: 岗\ncategory: tech\ncloses: 2026-13-01\n",
    POS + "twin.md": position("后端工程师", front="slug: backend-engineer\n"),
    POS + "soon.md": position("快截止岗", front="closes: 2026-11-30\n"),
}


def test_a_memory_site_makes_every_file_a_build_writes_byte_for_byte(tmp_path):
    root = copy_site(SEED_FIXTURE, tmp_path / "site")
    written = build(root, tmp_path / "public", drafts=True, base_url="https://example.com/careers/")
    assert written.ok
    made = MemorySite(site_files(SEED_FIXTURE), position=False).build(
        drafts=True, base_url="https://example.com/careers/", changed=written.site.changed)
    in_memory = tree_digest(made.files)
    assert in_memory == tree_digest(tmp_path / "public")
    assert len(in_memory) > 60 and printed(made) == printed(written)


def test_a_memory_site_reports_what_check_reports(make_site):
    on_disk = check(make_site(BROKEN).root)
    in_memory = MemorySite(BROKEN).check()
    assert not on_disk.ok and not in_memory.ok
    assert printed(in_memory) == printed(on_disk) and len(printed(on_disk)) == 6

