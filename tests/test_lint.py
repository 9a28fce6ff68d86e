"""Warnings from `check` and `build`: exact lines, exit codes with and without --strict, no effect on output."""

from __future__ import annotations

import importlib

import pytest

from careersite.model import perfile
from tests.helpers import MINIMAL_TOML, TODAY, MemorySite, build, position, printed, tree_digest

WITH_CLOSES = MINIMAL_TOML.replace('[defaults]', '[defaults]\ncloses = 2027-06-30')


def backend(front: str, body: str = "\n## 岗位职责\n\n1. 负责服务开发。\n") -> str:
    return position(front=front, body=body)


def warnings(result) -> list[str]:
    """The warning lines `check` prints (RESULT: a check, or the command line's output)."""
    lines = result.stderr.splitlines() if hasattr(result, "stderr") else printed(result)
    return [line for line in lines if ": 警告: " in line]


def lint(files: dict[str, str]):
    """The site with a default closing date and FILES as its only positions, and what `check` finds."""
    site = MemorySite({"site.toml": WITH_CLOSES, **files}, position=False)
    return site, site.check()


def test_clean_site_has_no_warnings():
    _site, result = lint({"content/positions/a.md": backend("closes: 2027-01-31\n")})
    assert result.ok, printed(result)
    assert warnings(result) == []


def test_long_title():
    title = "风险管理部信贷审批与贷后管理及反欺诈调查岗位（高级经理/经理/主管，北京、上海、广州、深圳）"
    assert len(title) > 40
    text = f"---\ncategory: tech\ntitle: {title}\n---\n正文。\n"
    _site, result = lint({"content/positions/a.md": text})
    assert result.ok
    assert warnings(result) == [
        f"content/positions/a.md:3:8: 警告: 标题有 {len(title)} 个字，超过 40 个字：在手机上会折成好几行，建议缩短（详细内容可以写在正文里）"]


def test_no_closing_date_anywhere():
    result = MemorySite({"content/positions/a.md": backend("")}, position=False).check()
    assert result.ok
    assert len(warnings(result)) == 1
    assert warnings(result)[0].startswith("content/positions/a.md:2:8: 警告: 没有截止日期")


@pytest.mark.parametrize("closes, expected", [
    (TODAY.isoformat(), f"content/positions/a.md:4:9: 警告: 岗位将于 {TODAY} 截止（还剩 0 天）"),
    ("2026-12-05", "content/positions/a.md:4:9: 警告: 岗位将于 2026-12-05 截止（还剩 7 天）"),
    ("2026-12-06", None),
    ("2026-11-27", "content/positions/a.md:4:9: 警告: 岗位已于 2026-11-27 截止"),
])
def test_closing_dates(closes, expected):
    _site, result = lint({"content/positions/a.md": backend(f"closes: {closes}\n")})
    assert result.ok
    found = warnings(result)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(expected), found
    if closes == "2026-11-27":
        assert "git rm content/positions/a.md" in found[0]


def test_expired_default_closing_date_is_reported_once_on_site_toml():
    toml = MINIMAL_TOML.replace('[defaults]', '[defaults]\ncloses = 2026-11-01')
    site = MemorySite({"site.toml": toml, "content/positions/a.md": backend(""),
                      "content/positions/b.md": backend("").replace("后端", "前端")}, position=False)
    result = site.check()
    assert result.ok
    assert [w.split(": 警告: ")[0] for w in warnings(result)] == ["site.toml:17:1"]


def test_run_in_number():
    """The next number of a list without its dot ("2对…" after "1、") is shown as that item, and worth a look."""
    body = "\n## 岗位职责\n\n1、负责渠道拓展；\n2对互联网金融产品进行分析；\n3、负责客户维护。\n\n3年以上工作经验者优先。\n"
    site, result = lint({"content/positions/a.md": backend("closes: 2027-01-31\n", body)})
    assert result.ok
    assert printed(result) == [
        "content/positions/a.md:10:1: 警告: 这一行以数字 2 开头，数字后面没有“、”或“.”（“2对互联网金融产品进行分析；”）："
        "网页上已按第 2 项显示；建议写成 2、对互联网金融…（python build.py check --fix 会自动改）"]
    site.build()
    items = [li.get_text() for li in site.page("positions/a/").select("#responsibilities ol > li")]
    assert items == ["负责渠道拓展；", "对互联网金融产品进行分析；", "负责客户维护。"]


@pytest.mark.parametrize("line, warned", [
    ("2 对互联网金融产品进行分析", True), ("3年以上工作经验者优先", False), ("5 年以上经验", False),
    ("2026年起负责华北区", False), ("1.5年以上经验", False), ("2、对产品进行分析", False),
])
def test_run_in_number_forms(line, warned):
    body = f"\n正文。\n\n{line}\n"
    _site, result = lint({"content/positions/a.md": backend("closes: 2027-01-31\n", body)})
    assert bool(warnings(result)) == warned, warnings(result)


def test_run_in_number_in_yaml_items():
    text = "title: 后端工程师\ncategory: tech\ncloses: 2027-01-31\nresponsibilities:\n  - 负责开发\n  - 2对接系统\n"
    _site, result = lint({"content/positions/a.yaml": text})
    assert [w.split(": 警告: ")[0] for w in warnings(result)] == ["content/positions/a.yaml:6:5"]


@pytest.mark.parametrize("items, expected", [
    ("1. 一\n2. 二\n4. 四\n", ["content/positions/a.md:11:1: 警告: 列表编号从 2 跳到了 4（应为 3）：请检查是否漏了一项或编号写错"]),
    ("1、一\n2、二\n2、再二\n", ["content/positions/a.md:11:1: 警告: 列表编号 2 重复了：请检查编号"]),
    ("（1）一\n（2）二\n（3）三\n", []),
    ("1. 一\n\n2. 二\n", []),
    ("1. 一\n    1. 子一\n    2. 子二\n2. 二\n", []),
    ("1. 一\n\n段落。\n\n1. 新列表\n", []),
    ("```\n1. 一\n1. 一\n```\n", []),
])
def test_list_numbering(items, expected):
    body = "\n## 岗位职责\n\n" + items
    _site, result = lint({"content/positions/a.md": backend("closes: 2027-01-31\n", body)})
    assert warnings(result) == expected


@pytest.mark.parametrize("pasted, what, col", [
    ("　　负责开发。", "全角空格", 1),
    ("负责\u00a0开发。", "不换行空格（NBSP 或 &nbsp;）", 3),
    ("负责开发&nbsp;。", "不换行空格（NBSP 或 &nbsp;）", 5),
    ("负责\u200b开发。", "看不见的零宽字符", 3),
    ("[bookmark: _Toc1]负责开发。", "Word 书签标记 [bookmark: …]", 1),
    ('<p class="MsoNormal">负责开发。</p>', "Office 排版代码（MsoNormal、mso-、<o:p> 等）", 11),
    ("负责开发。<o:p></o:p>", "Office 排版代码（MsoNormal、mso-、<o:p> 等）", 6),
    ("\uf0b7 负责开发。", "Word 符号字体的项目符号", 1),
    ("负责开发\u000b继续。", "Word 手动换行符", 5),
])
def test_word_paste(pasted, what, col):
    body = f"\n正文。\n{pasted}\n"
    _site, result = lint({"content/positions/a.md": backend("closes: 2027-01-31\n", body)})
    assert result.ok
    found = warnings(result)
    assert len(found) == 1, found
    assert found[0].startswith(f"content/positions/a.md:8:{col}: 警告: 这里有从 Word 或微信粘贴带来的{what}（共 ")


def test_word_paste_is_reported_once_per_kind_with_a_count():
    body = "\n　　第一段。\n　　第二段。\n"
    _site, result = lint({"content/positions/a.md": backend("closes: 2027-01-31\n", body)})
    assert [w.split("（共 ")[1][:3] for w in warnings(result)] == ["2 处"]


def test_strict_turns_warnings_into_failure(make_site):
    site = make_site({"site.toml": WITH_CLOSES, "content/positions/a.md": backend("closes: 2026-11-30\n")},
                     position=False)
    result = site.run("check")
    assert result.returncode == 0 and len(warnings(result)) == 1
    strict = site.run("check", "--strict")
    assert strict.returncode == 1
    assert warnings(strict) == warnings(result)
    assert "有 1 个警告：使用了 --strict，警告也视为失败" in strict.stderr
    strict_build = site.run("build", "--strict")
    assert strict_build.returncode == 1
    assert not site.out.exists()  # a strict build that fails writes nothing
    assert site.run("build").returncode == 0
    assert warnings(site.run("build")) == warnings(result)  # build prints them too


def test_strict_passes_a_clean_site(make_site):
    site = make_site({"site.toml": WITH_CLOSES, "content/positions/a.md": backend("closes: 2027-01-31\n")},
                     position=False)
    assert site.run("build", "--strict").returncode == 0


def test_warnings_do_not_change_the_output(make_site, tmp_path, monkeypatch):
    body = "\n　　第一段[bookmark: a]。\n1对接系统\n1. 一\n3. 三\n"
    site = make_site({"content/positions/a.md": backend("closes: 2026-11-29\n", body)}, position=False)
    linted = build(site.root, tmp_path / "linted")
    assert linted.problems.warnings
    monkeypatch.setattr(perfile, "lint_file", lambda *args: None)
    monkeypatch.setattr(importlib.import_module("careersite.model.lint"), "lint_dates", lambda *args: None)
    plain = build(site.root, tmp_path / "plain", cache=False)
    assert not plain.problems.warnings
    assert tree_digest(tmp_path / "linted") == tree_digest(tmp_path / "plain") != {}


def test_lint_is_quiet_on_the_seed_site(seed_site):
    result = seed_site.check()
    assert result.ok
    assert warnings(result) == []

