"""Names and paths: nothing is ever written outside the output folder, one URL per position,
links out of the content folder refused, editor and system files ignored, --out checked."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from careersite.incremental.store import CACHE_DIR
from careersite.write import Output, checked
from tests.helpers import (
    FIXTURE, MINIMAL_TOML, POS, MemorySite, assert_problems, build, check, expect, hint, msg, position, problem_lines,
)

BODY = "\n正文\n"
VALID = position("后端", body=BODY)


@pytest.mark.parametrize("slug,shown,suggestion", [
    ("../../etc", "../../etc", "etc"),
    ("../public", "../public", "public"),
    ("a/b", "a/b", "a-b"),
    ("'a\\b'", "a\\b", "a-b"),
    ("/etc/cron.d/x", "/etc/cron.d/x", "etc-cron-d-x"),
    ("C:\\Windows", "C:\\Windows", "c-windows"),
    ("'has space'", "has space", "has-space"),
    ("Upper-Case", "Upper-Case", "upper-case"),
    ("风险管理", "风险管理", "feng-xian-guan-li"),
    ("café", "café", "cafe"),
    ("'.'", ".", ""),
    ("a--b", "a--b", "a-b"),
    ("'-a-'", "-a-", "a"),
    ("'%2e%2e'", "%2e%2e", "2e-2e"),
])
def test_explicit_slug_is_rejected_with_a_suggestion(slug, shown, suggestion):
    site = MemorySite({POS + "x.md": position("后端", front=f"slug: {slug}\n", body=BODY)})
    assert_problems(site.check(), [
        expect(POS + "x.md", 4, 7, "slug_invalid", value=shown, hint=hint(suggestion) if suggestion else ""),
    ])


def test_slug_longer_than_80_is_rejected():
    slug = "a" * 81
    site = MemorySite({POS + "x.md": position("后端", front=f"slug: {slug}\n", body=BODY)})
    assert_problems(site.check(), [
        expect(POS + "x.md", 4, 7, "slug_invalid", value=slug[:40] + "…", hint=hint("a" * 80)),
    ])


@pytest.mark.parametrize("name,url", [
    ("Risk Manager.md", "positions/risk-manager/"),
    ("风险管理岗.md", "positions/feng-xian-guan-li-gang/"),
    ("UPPER_case.yaml", "positions/upper-case/"),
    ("a..b.md", "positions/a-b/"),
    ("x%2F..%2Fy.md", "positions/x-2f-2fy/"),
    ("  spaced  .md", "positions/spaced/"),
    ("Ärger.markdown", "positions/arger/"),
])
def test_file_names_are_normalised_into_the_output_folder(make_site, name, url):
    text = VALID if not name.endswith(".yaml") else "title: 后端\ncategory: tech\n"
    site = make_site({POS + name: text}, position=False)
    result = build(site.root)
    assert result.ok, [p.format() for p in result.problems.items]
    assert (site.out / url / "index.html").is_file()
    assert [p.url_path for p in result.site.positions] == [url]


def test_a_file_name_with_nothing_usable_asks_for_a_slug():
    site = MemorySite({POS + "！！.md": VALID, POS + "-.md": VALID})
    assert_problems(site.check(), [
        expect(POS + "-.md", 1, 1, "slug_from_filename", name="-", suggestion="position-name"),
        expect(POS + "！！.md", 1, 1, "slug_from_filename", name="！！", suggestion="position-name"),
    ])


def test_nothing_is_written_outside_the_output_folder(make_site, tmp_path):
    site = make_site({POS + "Risk Manager.md": VALID, POS + "a..b.md": VALID,
                      POS + "sub/nested.md": VALID, POS + "x.md": position("后端", front="slug: x-1\n", body=BODY)})
    before = {p for p in tmp_path.rglob("*")}
    assert build(site.root).ok
    after = {p for p in tmp_path.rglob("*")}
    out = site.out.resolve()
    cache = (site.root / CACHE_DIR).resolve()  # the build cache: local state, git-ignored, never published
    assert all(p.resolve().is_relative_to(out) or p.resolve().is_relative_to(cache) or p == site.root / ".cache"
               for p in after - before)


@pytest.mark.parametrize("files,expected", [
    # a .md and a .yaml with the same name
    ({"dba.md": VALID, "dba.yaml": "title: x\ncategory: tech\n"},
     [("dba.yaml", 1, 1, "dba", "dba.md")]),
    # an explicit slug taking another file's name
    ({"taken.md": VALID, "x1.md": position("后端", front="slug: taken\n", body=BODY)},
     [("x1.md", 4, 1, "taken", "taken.md")]),
    # two names normalised to one URL
    ({"Risk Manager.md": VALID, "risk-manager.md": VALID},
     [("risk-manager.md", 1, 1, "risk-manager", "Risk Manager.md")]),
    # a file in a subfolder
    ({"a/dba.md": VALID, "dba.md": VALID},
     [("a/dba.md", 1, 1, "dba", "dba.md")]),
    # three files, one URL: each later one names the first
    ({"x.md": VALID, "y.md": position("后端", front="slug: x\n", body=BODY),
      "z.md": position("后端", front="slug: x\n", body=BODY)},
     [("y.md", 4, 1, "x", "x.md"), ("z.md", 4, 1, "x", "x.md")]),
])
def test_two_positions_with_one_url_name_both_files(files, expected):
    site = MemorySite({POS + name: text for name, text in files.items()}, position=False)
    assert_problems(site.check(), [
        # the column is the slug key's or its value's: either points at the right line
        expect(POS + path, line, None, "slug_duplicate", slug=slug, other=POS + other)
        for path, line, _col, slug, other in expected
    ])


def test_symlinks_leading_outside_are_refused(make_site, tmp_path):
    site = make_site()
    secret = tmp_path / "secret.md"
    secret.write_text(VALID, encoding="utf-8")
    base = site.root / POS
    os.symlink("/etc/passwd", base / "passwd.md")
    os.symlink(secret, base / "secret.md")
    os.symlink("../../site.toml", base / "config.yaml")
    os.symlink(base / "missing.md", base / "dangling.md")
    os.symlink(tmp_path, base / "outside-dir")
    os.symlink("backend-engineer.md", base / "alias.md")  # inside the content folder: allowed
    result = check(site.root)
    assert_problems(result, [
        expect(POS + "config.yaml", 1, 1, "symlink_outside", target="../../site.toml"),
        expect(POS + "dangling.md", 1, 1, "symlink_outside", target=str(base / "missing.md")),
        expect(POS + "outside-dir", 1, 1, "symlink_outside", target=str(tmp_path)),
        expect(POS + "passwd.md", 1, 1, "symlink_outside", target="/etc/passwd"),
        expect(POS + "secret.md", 1, 1, "symlink_outside", target=str(secret)),
    ])


IGNORED = [".hidden.md", "x.md.swp", ".x.md.swp", "x.md.swo", "x.md~", ".DS_Store", "~$岗位.md", "~$x.docx",
           "#x.md#", ".#x.md", "Thumbs.db", "desktop.ini", "x.md.tmp", "x.md.bak", ".git/config", ".vscode/x.md",
           "._x.md"]


def test_editor_and_system_files_are_ignored(make_site):
    garbage = b"\x00\xff binary garbage ---\n- [ unclosed"
    site = make_site({POS + name: garbage for name in IGNORED})
    result = build(site.root)
    assert result.ok
    assert [p for p in result.problems.items if p.path != FIXTURE] == []
    assert [p.source for p in result.site.positions] == [POS + "backend-engineer.md"]


def test_other_files_are_a_warning_not_an_error(make_site):
    site = make_site({POS + "notes.txt": "x", POS + "岗位.docx": b"PK\x03\x04"})
    result = check(site.root)
    assert result.ok
    suffixes = ".md .markdown .yaml .yml"
    assert_problems(result, [
        expect(POS + "notes.txt", 1, 1, "file_ignored_suffix", suffixes=suffixes),
        expect(POS + "岗位.docx", 1, 1, "file_ignored_suffix", suffixes=suffixes),
    ], severity="warning")


@pytest.mark.parametrize("key", ["../x", "a/b", "a\\\\b", "Tech", "技术", "a b", "-x", "x-", ".", "a_b"])
def test_unsafe_category_keys_in_site_toml_are_rejected(key):
    toml = MINIMAL_TOML.replace('key = "ops"', f'key = "{key}"')
    site = MemorySite({"site.toml": toml})
    shown = key.replace("\\\\", "\\")
    assert_problems(site.check(), [expect("site.toml", 13, 1, "config_category_key", value=shown)])


@pytest.mark.parametrize("out,reason", [
    (".", "site.toml"),
    ("..", "site.toml"),
    ("content", "content/positions"),
    ("content/positions", "content/positions"),
    ("content/positions/x", "content/positions"),
    ("templates", "templates"),
    ("static", "static"),
    (".git", ".git"),
])
def test_out_over_the_sources_is_refused(make_site, out, reason):
    site = make_site()
    (site.root / ".git").mkdir()
    before = sorted(p.relative_to(site.root.parent) for p in site.root.parent.rglob("*"))
    target = site.root / out
    result = site.run("build", "--out", str(target))
    assert result.returncode == 1
    assert reason in result.stderr
    assert sorted(p.relative_to(site.root.parent) for p in site.root.parent.rglob("*")) == before


def test_out_over_a_folder_of_other_files_is_refused(make_site, tmp_path):
    site = make_site()
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.docx").write_bytes(b"precious")
    result = build(site.root, documents)
    assert_problems(result, [expect(str(documents), 1, 1, "output_foreign", out=documents, names="thesis.docx")])
    assert (documents / "thesis.docx").read_bytes() == b"precious"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert not build(site.root, a_file).ok and a_file.read_text() == "x"


def test_out_may_be_new_empty_or_a_previous_build(make_site, tmp_path):
    site = make_site()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(site.root, empty).ok
    assert build(site.root, empty).ok  # now a previous build
    assert build(site.root, tmp_path / "new" / "deeper").ok


@pytest.mark.parametrize("rel", ["../x", "/etc/passwd", "a/../../b", "a/./../../b", "a\\b", "\\\\server\\share",
                                 "", ".", ".."])
def test_output_refuses_paths_that_leave_the_folder(tmp_path, rel):
    with pytest.raises(ValueError):
        checked(rel)
    out = tmp_path / "out"
    with pytest.raises(ValueError), Output(out) as output:
        output.put("index.html", b"ok")
        output.put(rel, b"evil")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no staging folder left behind


def test_problem_lines_never_mention_absolute_content_paths():
    site = MemorySite({POS + "x.md": position("后端", front="slug: ../x\n", body=BODY)})
    assert all(not line.startswith("/") for line in problem_lines(site.check()))


def test_control_characters_in_file_names_cannot_forge_problem_lines(make_site):
    name = "evil\x1b[2J\nfake.md:1:1: error: all good\u202e.md"
    site = make_site({POS + name: "---\ntitle: x\ncategory: nope\n---\n"})
    result = site.run("check")
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith(POS + "evil")]
    assert len(problem_lines) == 1 and "\\x1b[2J\\nfake.md" in problem_lines[0]


def test_empty_category_key_and_name_in_site_toml():
    toml = MINIMAL_TOML.replace('key = "ops"', 'key = ""').replace('name = "运营类"', 'name = " "')
    site = MemorySite({"site.toml": toml})
    assert_problems(site.check(), [
        expect("site.toml", 13, 1, "empty_text", key="categories.key"),
        expect("site.toml", 14, 1, "empty_text", key="categories.name"),
    ])


def test_special_files_are_reported_never_read(make_site, tmp_path):
    """A named pipe called a.md used to hang check, build and serve; a device file read forever."""
    import socket

    site = make_site()
    folder = site.root / POS
    os.mkfifo(folder / "pipe.md")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.yaml"))
        (folder / "zero.md").symlink_to("/dev/zero")  # a link to a device: outside, refused as such
        for command in ("check", "build"):
            started = time.monotonic()
            result = site.run(command)
            assert time.monotonic() - started < 30 and result.returncode == 1
            lines = [line for line in result.stderr.splitlines() if ": 错误: " in line]
            assert [line.split(": 错误: ")[0] for line in lines] == [
                POS + "pipe.md:1:1", POS + "sock.yaml:1:1", POS + "zero.md:1:1"], lines
            assert msg("file_not_regular", detail="named pipe (FIFO)") in lines[0]
            assert lines[1].startswith(POS + "sock.yaml:1:1: 错误: " + msg("file_not_regular", detail="x").split("（")[0])


def test_an_unreadable_folder_is_named_not_an_internal_error(make_site, monkeypatch):
    site = make_site({POS + "team/a.md": "---\ntitle: 岗位\ncategory: tech\n---\n"})
    real = os.scandir

    def refusing(path):
        if str(path).endswith("team"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = build(site.root)
    assert problem_lines(result) == [POS + "team:1:1: " + msg("folder_unreadable", detail="Permission denied")]
    assert not site.out.exists()


def test_the_output_does_not_depend_on_the_file_system(make_site, tmp_path):
    """The same site built on tmpfs and on the disk: the same bytes (Pagefind's index used to differ)."""
    import tempfile

    from tests.helpers import tree_digest

    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm here")
    site = make_site()
    with tempfile.TemporaryDirectory(dir=shm) as memory:
        assert build(site.root, Path(memory) / "public").ok
        in_memory = tree_digest(Path(memory) / "public")
    assert build(site.root, tmp_path / "disk").ok
    assert tree_digest(tmp_path / "disk") == in_memory
