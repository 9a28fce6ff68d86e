"""`check --fix`: the repairs whose intent is certain, written as a diff HR can read, never changing what a page
shows; refused on a file with uncommitted changes (unless --force); a second run finds nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careersite.commands.fix import diff_lines
from careersite.i18n import load_locale
from careersite.load.content import _split_body
from careersite.load.repair import loose_date
from tests.helpers import (
    POS, SEED_FIXTURE, TODAY, MemorySite, copy_site, english, git, printed, run_in_process, site_files, tree_digest,
)

MESSY = """---
title：风控专员
category:tech
closes: ２０２６-１２-３１
---

## 岗位职责

\t1. 负责风险模型\u200b的开发；
\t2. 负责数据分析。

## 任职要求

1、本科以上学历\u3000，三年经验；
2熟悉 SQL\u00a0和 Python；
\uf0b7 沟通能力强[bookmark: _Toc1]。
"""
FIXED = """---
title: 风控专员
category: tech
closes: 2026-12-31
---

## 岗位职责

1. 负责风险模型的开发；
2. 负责数据分析。

## 任职要求

1、本科以上学历 ，三年经验；
2、熟悉 SQL 和 Python；
• 沟通能力强。
"""
DIFF = r"""--- a/content/positions/messy.md
+++ b/content/positions/messy.md
@@ -1,16 +1,16 @@
 ---
-title：风控专员
-category:tech
-closes: ２０２６-１２-３１
+title: 风控专员
+category: tech
+closes: 2026-12-31
 ---
 
 ## 岗位职责
 
-\t1. 负责风险模型\u200b的开发；
-\t2. 负责数据分析。
+1. 负责风险模型的开发；
+2. 负责数据分析。
 
 ## 任职要求
 
-1、本科以上学历\u3000，三年经验；
-2熟悉 SQL\u00a0和 Python；
-\uf0b7 沟通能力强[bookmark: _Toc1]。
+1、本科以上学历 ，三年经验；
+2、熟悉 SQL 和 Python；
+• 沟通能力强。""".split("\n")
HINT = {"zh-CN": "（python build.py check --fix 会自动改）", "en": " (python build.py check --fix does it)"}
# The problems whose repair --fix makes: exactly these messages end with the hint.
REPAIRED = {"yaml_fullwidth_colon", "yaml_colon_space", "yaml_value_comment", "yaml_value_indicator",
            "yaml_value_colon", "date_form", "numbering_run_in_shown", "indented_text", "paste_artefact",
            "file_not_utf8_line"}


def committed(site):
    git(site.root, "init", "-q", "-b", "main")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "positions")
    return site


def test_fix_rewrites_the_file_shows_the_diff_and_checks_again(make_site):
    site = make_site({POS + "messy.md": MESSY}, position=False)
    before = site.run("check")
    assert before.returncode == 1
    assert before.stderr.splitlines() == [
        "content/positions/messy.md:2:6: 错误: 用了中文冒号“：”，请改成英文冒号加空格：title: 风控专员" + HINT["zh-CN"],
        "content/positions/messy.md:3:10: 错误: 冒号后面少了一个空格，YAML 会把整行当成一段文字：请写成 category: tech"
        + HINT["zh-CN"],
        "content/positions/messy.md:4:9: 错误: 日期要写成 YYYY-MM-DD（年-月-日）：'２０２６-１２-３１' 请写成 "
        "closes: 2026-12-31" + HINT["zh-CN"],
        "3 个错误，0 个警告，涉及 1 个文件"]
    result = site.run("check", "--fix")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == DIFF + ["检查通过：1 个岗位，2 个类别"]
    assert result.stderr.splitlines() == ["已修改 content/positions/messy.md：10 处"]
    assert (site.root / POS / "messy.md").read_text(encoding="utf-8") == FIXED
    again = site.run("check", "--fix")  # idempotent: nothing left to repair
    assert again.stdout.splitlines() == ["检查通过：1 个岗位，2 个类别"]
    assert again.stderr.splitlines() == ["没有需要自动修改的地方"]
    assert (site.root / POS / "messy.md").read_text(encoding="utf-8") == FIXED


def test_dry_run_shows_the_diff_and_changes_nothing(make_site):
    site = make_site({POS + "messy.md": MESSY}, position=False)
    result = site.run("check", "--fix", "--dry-run")
    assert result.returncode == 0
    assert result.stdout.splitlines() == DIFF
    assert result.stderr.splitlines() == ["--dry-run：只显示了改动（1 个文件），没有修改任何文件"]
    assert (site.root / POS / "messy.md").read_text(encoding="utf-8") == MESSY


def test_the_diff_is_coloured_only_when_asked():
    plain = diff_lines("a.md", "x\n", "y\n", colour=False)
    assert plain == ["--- a/a.md", "+++ b/a.md", "@@ -1 +1 @@", "-x", "+y"]
    coloured = diff_lines("a.md", "x\n", "y\n", colour=True)
    assert coloured[3:5] == ["\x1b[31m-x\x1b[0m", "\x1b[32m+y\x1b[0m"] and coloured[:2] == plain[:2]


@pytest.mark.parametrize("language, refused", [
    ("zh-CN", "没有修改 content/positions/messy.md：这个文件有还没有提交（git commit）的改动。请先提交，再运行 "
              "python build.py check --fix；或加上 --force 直接修改"),
    ("en", "content/positions/messy.md was not changed: it has changes not yet committed in git. Commit them first, "
           "then run python build.py check --fix again, or add --force to change it anyway"),
])
def test_a_file_with_uncommitted_changes_is_left_alone_unless_forced(make_site, language, refused):
    site = make_site({POS + "messy.md": MESSY.replace("category:tech", "category: tech"),
                      POS + "other.md": MESSY.replace("风控专员", "风控经理")}, position=False)
    if language == "en":
        english(site)
    committed(site)
    site.position("messy.md", MESSY)  # an edit not yet committed
    site.position("new.md", MESSY.replace("风控专员", "合规专员"))  # never committed
    result = site.run("check", "--fix")
    err = result.stderr.splitlines()
    assert refused in err
    assert refused.replace("messy.md", "new.md") in err
    written = "已修改 content/positions/other.md：10 处" if language == "zh-CN" else \
        "fixed content/positions/other.md: 10 repairs"
    assert written in err
    assert (site.root / POS / "messy.md").read_text(encoding="utf-8") == MESSY
    assert (site.root / POS / "other.md").read_text(encoding="utf-8") == FIXED.replace("风控专员", "风控经理")
    assert result.returncode == 1  # the files left alone still have their errors
    forced = site.run("check", "--fix", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (site.root / POS / "messy.md").read_text(encoding="utf-8") == FIXED
    assert (site.root / POS / "new.md").read_text(encoding="utf-8") == FIXED.replace("风控专员", "合规专员")


def test_outside_git_it_fixes_without_a_word_about_git(make_site):
    site = make_site({POS + "messy.md": MESSY}, position=False)
    result = site.run("check", "--fix")
    assert "git" not in result.stderr


def test_encoding_line_endings_and_bom_are_kept_or_made_utf8(make_site):
    crlf = MESSY.replace("\n", "\r\n").encode("utf-8")
    bom = b"\xef\xbb\xbf" + MESSY.replace("风控专员", "风控经理").encode("utf-8")
    gbk = MESSY.replace("风控专员", "合规专员").replace("\u200b", "").replace("\u00a0", " ").replace("\uf0b7 ", "")
    site = make_site({POS + "crlf.md": crlf, POS + "bom.md": bom, POS + "gbk.md": gbk.encode("gbk")})
    result = site.run("check", "--fix")
    assert result.returncode == 0, result.stderr
    assert (site.root / POS / "crlf.md").read_bytes() == FIXED.replace("\n", "\r\n").encode("utf-8")
    assert (site.root / POS / "bom.md").read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("风控专员", "风控经理").encode()
    fixed_gbk = FIXED.replace("风控专员", "合规专员").replace("• 沟通能力强。", "沟通能力强。").encode("utf-8")
    assert (site.root / POS / "gbk.md").read_bytes() == fixed_gbk
    assert "content/positions/gbk.md 原来是 GBK/GB18030 编码，已转成 UTF-8（网站只读 UTF-8 文件）：请在上面的改动或编辑器中" \
           "确认文字没有乱码" in result.stderr.splitlines()


def test_yaml_values_and_dates_without_a_year(make_site):
    today = dt.date.today()
    site = make_site({POS + "a.yaml": "title: #1 风控岗\ncategory: tech\nposted: 11月1日\nresponsibilities:\n"
                                      "  - 负责风控\n  - 2对接系统\n"})
    result = site.run("check", "--fix")
    posted = loose_date("11月1日", today).isoformat()
    assert (site.root / POS / "a.yaml").read_text(encoding="utf-8") == (
        f'title: "#1 风控岗"\ncategory: tech\nposted: {posted}\nresponsibilities:\n  - 负责风控\n  - 2、对接系统\n')
    page = site.run("build")
    assert page.returncode == 0, page.stderr + result.stderr
    items = [li.get_text() for li in site.page("positions/a/").select("section li")] or \
        [li.get_text() for li in site.page("positions/a/").select("li")]
    assert "对接系统" in items


def test_a_fix_never_changes_what_a_page_shows(tmp_path):
    """The seed site, with its texts pasted the way Word and WeChat paste (warnings only, so every page is
    built before and after): --fix rewrites the files, and every page is byte for byte the same."""
    site = copy_site(SEED_FIXTURE, tmp_path / "site")
    folder = site / "content" / "positions"
    messed = 0
    for path in sorted(folder.glob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        body = lines.index("---", 1) + 1
        for n in range(body, len(lines)):
            line = lines[n]
            if re.match(r"\d+\. ", line):
                number, rest = line.split(". ", 1)
                kind = (n + messed) % 5
                lines[n] = ["\t" + line if n > 0 and not re.match(r"\d+\. ", lines[n - 1]) else line,
                            f"{number}、{rest}\u200b", f"\u3000\u3000{number}．{rest}&nbsp;",
                            f"{number}.{rest}[bookmark: _Toc{n}]",
                            f"{number}{rest}" if number != "1" else f"\uf0b7 {rest}\u2028{rest}"][kind]
                messed += 1
        path.write_text("\n".join(lines), encoding="utf-8")
    first = MemorySite(site_files(site), position=False).build()
    assert "Word" in "\n".join(printed(first))  # the pasted marks are reported
    fixed = run_in_process("check", "--fix", "--site", str(site), "--today", TODAY.isoformat())
    assert fixed.returncode == 0, fixed.stderr
    assert "检查通过：23 个岗位" in fixed.stdout and fixed.stdout.count("+++ b/") >= 10
    second = MemorySite(site_files(site), position=False).build()
    assert "Word" not in "\n".join(printed(second)) and "缩进" not in "\n".join(printed(second))
    pages = [rel for rel in first.files if rel.endswith(".html")]
    assert len(pages) > 23
    changed = [rel for rel in pages if first.files[rel] != second.files[rel]]
    assert not changed


def test_the_seed_needs_no_fix(tmp_path):
    site = copy_site(SEED_FIXTURE, tmp_path / "site")
    before = tree_digest(site / "content")
    result = run_in_process("check", "--fix", "--site", str(site), "--today", TODAY.isoformat())
    assert result.returncode == 0
    assert result.stderr.splitlines() == ["没有需要自动修改的地方"]
    assert tree_digest(site / "content") == before


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_exactly_the_messages_of_repairs_fix_makes_name_it(language):
    messages = load_locale(language)[1]
    naming = {key for key, text in messages.items() if text.endswith(HINT[language])}
    assert naming == REPAIRED
    mentions = {key for key, text in messages.items() if "check --fix" in text and not key.startswith(("fix_", "usage_"))}
    assert mentions == REPAIRED, json.dumps(sorted(mentions - REPAIRED))


PIECES = ["1. 负责开发", "2. 负责测试", "1、负责", "2对接系统", "3熟悉业务", "• 沟通", "\uf0b7 沟通", "- 细心", "\t1. 负责",
          "\t2. 负责", "    3. 负责", "\u3000\u3000段落", "文字\u200b", "A&nbsp;B", "A\u00a0B", "[bookmark: _Toc1]文字",
          "文字\u2028第二行", "", "", "普通段落", "  缩进两格", "\t继续", "（1）负责", "① 负责", "10余年经验", "<o:p></o:p>文字", "\t- 子项", "    \t文字",
          "  2对接", "\u3000\t1. 负责", "## 任职要求", "任职要求：1.三年经验", "岗位职责："]


@settings(max_examples=int(os.environ.get('FIX_EXAMPLES', 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12))
def test_fixed_text_keeps_the_html_and_is_idempotent(pieces):
    from careersite.model.fix import fixed_text
    from careersite.model.markup import Renderer

    body = "\n".join(pieces) + "\n"
    text = "---\ntitle: 岗位\ncategory: tech\n---\n" + body
    fixed, _ = fixed_text(text, True, TODAY)
    assert fixed_text(fixed, True, TODAY)[0] == fixed
    assert fixed.startswith("---\ntitle: 岗位\ncategory: tech\n---\n")
    renderer = Renderer()

    def shown(text: str) -> list[tuple[str, str]]:  # each section as the build renders it
        return [(section.heading, renderer.render(section.markdown)) for section in _split_body(text, 5)]

    assert shown(fixed.split("---\n", 2)[2]) == shown(body)


def test_dry_run_and_force_need_fix(make_site):
    site = make_site()
    result = site.run("check", "--dry-run")
    assert result.returncode == 2
    assert result.stderr == "build.py: --dry-run 和 --force 要和 --fix 一起用，例如 python build.py check --fix --dry-run\n"
