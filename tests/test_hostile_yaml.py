"""YAML safety: no tag ever constructs a Python object, alias bombs and deep nesting are refused
quickly with a clear message, and memory stays bounded. (Generous bounds: hang guards, not timings.)"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from careersite.load.frontmatter import MAX_NODES, load_yaml
from careersite.commands.build import new_problems
from tests.helpers import POS, MemorySite, assert_problems, expect, msg


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\ntitle: x\ncategory: tech\n"


@pytest.mark.parametrize("payload", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.check_output [["touch", "{marker}"]]',
    "!!python/object/new:os.system [touch {marker}]",
    "!!python/name:os.system",
    '!!python/object:__main__.Thing {{cmd: "touch {marker}"}}',
    '!!python/module:os',
    "!!binary dG91Y2g=",
    "!custom touch {marker}",
    "!!set {{touch: null}}",
])
def test_python_tags_are_refused_not_executed(tmp_path, payload):
    marker = tmp_path / "pwned"
    text = f"---\ntitle: {payload.format(marker=marker)}\ncategory: tech\n---\n"
    site = MemorySite({POS + "x.md": text})
    result = site.check()
    assert not marker.exists()
    lines = [p for p in result.problems.sorted() if p.is_error]
    assert [(p.path, p.line, p.col) for p in lines][0] == (POS + "x.md", 2, 8)
    tag = payload.split()[0].replace("{{", "{")
    assert lines[0].message == msg("yaml_tag", tag=tag)


def test_tags_in_a_yaml_position_and_in_lists(tmp_path):
    marker = tmp_path / "pwned"
    site = MemorySite({POS + "x.yaml": "title: a\ncategory: tech\nrequirements:\n  - ok\n"
                                       f"  - !!python/object/apply:os.system [\"touch {marker}\"]\n"})
    result = site.check()
    assert not marker.exists()
    assert_problems(result, [expect(POS + "x.yaml", 5, 5, "yaml_tag", tag="!!python/object/apply:os.system")])


def test_billion_laughs_is_refused_quickly_with_one_message():
    site = MemorySite({POS + "bomb.md": "---\n" + billion_laughs() + "---\n"})
    tracemalloc.start()
    started = time.monotonic()
    result = site.check()
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 10  # expanded, this is 387 million strings
    assert peak < 50_000_000
    assert_problems(result, [expect(POS + "bomb.md", 3, 10, "yaml_alias")])  # at the first *alias


@pytest.mark.parametrize("text,line,col,msg_id", [
    ("title: x\ncategory: tech\n<<: {summary: y}\n", 3, 1, "yaml_bad_key"),  # merge keys
    ("title: &t 后端\ncategory: tech\nsummary: *t\n", 3, 10, "yaml_alias"),  # even a harmless alias (where it is used)
    ("title: *nothing\ncategory: tech\n", 1, 8, "yaml_alias"),  # undefined alias
    ("title: &a x\ncategory: &a tech\n", 2, 11, "yaml_alias"),  # duplicate anchor
])
def test_anchors_and_aliases_are_refused(text, line, col, msg_id):
    site = MemorySite({POS + "x.yaml": text})
    result = site.check()
    assert_problems(result, [expect(POS + "x.yaml", line, col, msg_id)])


@pytest.mark.parametrize("nested", [
    "[" * 10_000 + "]" * 10_000,
    "{a: " * 10_000 + "1" + "}" * 10_000,
    "[" * 10_000,  # never closed
])
def test_deep_nesting_does_not_crash(nested):
    site = MemorySite({POS + "deep.md": f"---\ntitle: {nested}\ncategory: tech\n---\n"})
    started = time.monotonic()
    result = site.check()
    assert time.monotonic() - started < 10
    errors = [p for p in result.problems.sorted() if p.is_error]
    assert len(errors) == 1 and errors[0].path == POS + "deep.md" and errors[0].line == 2


def test_deep_block_nesting():
    text = "title: x\ncategory: tech\nsummary:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 3000))
    site = MemorySite({POS + "deep.yaml": text})
    result = site.check()
    errors = [p for p in result.problems.sorted() if p.is_error]
    assert len(errors) == 1 and errors[0].path == POS + "deep.yaml"


def test_too_many_nodes_is_one_problem():
    problems = new_problems()
    text = "items:\n" + "".join(f"  - {n}\n" for n in range(MAX_NODES + 10))
    assert load_yaml(text, "x.yaml", 1, problems) is None
    assert [p.message for p in problems.items] == [msg("yaml_too_big", limit=MAX_NODES)]


@pytest.mark.parametrize("text,line,col,msg_id,values", [
    ("title: 后端\ncategory: te\x07ch\n", 2, 13, "yaml_control_char", {"code": "U+0007"}),
    ("title: 后端\x0b\ncategory: tech\n", 1, 10, "yaml_control_char", {"code": "U+000B"}),
    ("title: x\ncategory: tech\n---\ntitle: y\n", 3, 1, "yaml_multiple_documents", {}),
    ("title: x\n  category: tech\n", 2, 11, "yaml_colon", {}),
    ("? [a, b]\n: c\ntitle: x\ncategory: tech\n", 1, 3, "yaml_bad_key", {}),
    ("title: x\ncategory: tech\nrequirements:\n  - a\n - b\n", 5, 2, "yaml_indent", {}),
])
def test_other_yaml_mistakes_have_a_line_and_a_plain_message(text, line, col, msg_id, values):
    site = MemorySite({POS + "x.yaml": text})
    assert_problems(site.check(), [expect(POS + "x.yaml", line, col, msg_id, **values)])


# 50,000 '[' crashed libyaml's C parser (a segfault: check, build and serve died without a word); 500 list
# markers on one line raised RecursionError ("internal error", no file named). Each is run in a process of
# its own, as HR runs it: a crash would end this one.
DEEP = {  # name: (file, the line of the problem)
    "flow-50000": ("title: x\ncategory: tech\nsummary: " + "[" * 50_000 + "\n", 3),
    "flow-mapping": ("title: x\ncategory: tech\nsummary: " + "{a: " * 30_000 + "\n", 3),
    "markers-500": ("title: x\ncategory: tech\nresponsibilities:\n  " + "- " * 500 + "x\n", 4),
    "question-marks": ("title: x\ncategory: tech\n" + "? " * 2000 + "x\n", 3),
}


@pytest.mark.parametrize("name", DEEP)
@pytest.mark.parametrize("command", ["check", "build"])
def test_deep_yaml_is_one_problem_at_its_line_in_every_command(make_site, name, command):
    text, expected = DEEP[name]
    site = make_site({POS + "deep.yaml": text})
    result = site.process(command)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])  # not -11 (SIGSEGV)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith(POS + "deep.yaml:")]
    assert line.startswith(f"{POS}deep.yaml:{expected}:") and msg("yaml_too_deep", limit=40) in line


def test_deep_markdown_lists_render_without_recursion():
    body = "\n## 岗位职责\n\n" + "- " * 500 + "x\n\n" + "\n".join("    " * n + "- y" for n in range(300)) + "\n"
    site = MemorySite({POS + "deep.md": "---\ntitle: 岗位\ncategory: tech\n---\n" + body})
    site.build()
    assert "y" in site.page("positions/deep/").select_one("#responsibilities").get_text()


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085"])
def test_a_line_separator_in_front_matter_is_reported_at_the_editors_line(char):
    """YAML reads these as line breaks; an editor shows one line: the problem is at the editor's line and names them."""
    site = MemorySite({POS + "a.md": f"---\ntitle: 风险{char}管理岗\ncategory: tech\n---\n"})
    name = {"\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR", "\u0085": "NEL"}[char]
    assert_problems(site.check(), [expect(POS + "a.md", 2, 10, "yaml_line_separator",
                                              code=f"U+{ord(char):04X}", name=name)])
