"""Compliance lint (issue 17): wording a Chinese posting may not use, at its line and column, naming the rule;
switched per kind in site.toml [compliance]. No false alarm on the seed."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careersite.load.config import COMPLIANCE_KINDS
from careersite.model.compliance import PATTERNS, WORDS
from tests.helpers import (
    POS, MemorySite, assert_problems, build, check, english, expect, msg, position, printed, problem_lines, tree_digest,
)

CLOSES = "closes: 2027-03-31\n"

# kind -> (a requirement line that is a finding, what is found)
FINDINGS = {
    "gender": [("限男性，能适应出差；", "限男性"), ("男士优先；", "男士优先"), ("性别：女；", "性别：女")],
    "marriage": [("已婚已育者优先；", "已婚已育"), ("两年内无生育计划；", "无生育计划")],
    "ethnicity": [("限汉族；", "限汉族")],
    "religion": [("无宗教信仰；", "无宗教")],
    "origin": [("限本市户口；", "限本市户口"), ("上海户籍优先；", "上海户籍优先"), ("本地人；", "本地人")],
    "appearance": [("身高170cm以上；", "身高170cm以上"), ("形象气质佳；", "形象气质佳")],
    "health": [("非乙肝携带者；", "乙肝"), ("无传染病；", "无传染病")],
}
# Lines that say the same words without restricting anyone: never a finding.
CLEAN = ["男女不限；", "享受五险一金（含生育保险）、婚假；", "完成本地市场调研；", "可协助解决北京户口；",
         "具有良好的职业形象；", "身体健康，能适应出差；", "负责妇女权益相关产品的合规审查；", "熟悉少数民族地区市场；", "少数民族优先；",
         "三年以上相关经验；", "年满18周岁；"]


def _findings(result) -> list[tuple[str, str, int, int]]:
    """(kind, severity, line, col) of every compliance finding, told by its message."""
    found = []
    for p in result.problems.sorted():
        for kind in COMPLIANCE_KINDS:
            if re.fullmatch(re.escape(msg(f"compliance_{kind}", found="FOUND")).replace("FOUND", ".+"), p.message):
                found.append((kind, p.severity, p.line, p.col))
    return found


def _site(line: str, toml: str = "") -> MemorySite:
    site = MemorySite({POS + "a.md": position("风控岗", front=CLOSES, requirements=(line,))})
    site.write("site.toml", site.text("site.toml") + toml)
    return site


# The requirement is the file's 11th line: ---, title, category, closes, ---, "", ## 岗位职责, "", 1., 2., "",
# ## 任职要求, "", then "1. " + the line.
LINE, COL = 14, 4


@pytest.mark.parametrize("kind, line, found", [(kind, line, found) for kind, findings in FINDINGS.items()
                                                for line, found in findings])
def test_each_kind_is_an_error_at_the_phrase_naming_the_rule(kind, line, found):
    result = _site(line).check()
    assert_problems(result, [expect(POS + "a.md", LINE, COL + line.index(found), f"compliance_{kind}", found=found)])


@pytest.mark.parametrize("line", CLEAN)
def test_the_same_words_without_a_restriction_are_not_findings(line):
    result = _site(line).check()
    assert result.ok and not _findings(result)


@pytest.mark.parametrize("line", ["35岁以下；", "年龄不超过30周岁；", "22-28岁；"])
def test_an_age_limit_is_a_warning_and_the_site_is_built(line):
    assert _findings(_site(line).build()) == [("age", "warning", LINE, COL)]


def test_the_message_says_the_rule_and_what_to_write_in_chinese_and_english():
    site = _site("男性优先；")
    zh = "\n".join(printed(site.check()))
    assert (f"{POS}a.md:{LINE}:{COL}: 错误: “男性优先”限定或偏向性别：《就业促进法》第二十七条和人社部等九部门"
            "《关于进一步规范招聘行为促进妇女就业的通知》（人社部发〔2019〕17号）禁止招聘时限定性别或“男性优先”；"
            "请删掉，如岗位确有条件，写明具体工作条件（例如“需经常夜间值班”）") in zh
    en = "\n".join(printed(english(site).check()))
    assert (f"{POS}a.md:{LINE}:{COL}: error: “男性优先” restricts or prefers a gender: the Employment Promotion Law "
            "(art. 27) and the 2019 notice on regulating recruitment to promote women's employment") in en


def test_an_error_keeps_the_published_site_untouched(make_site, tmp_path):
    site = make_site(_site("三年以上经验；").files)
    out = tmp_path / "out"
    assert build(site.root, out).ok
    before = tree_digest(out)
    site.position("a.md", position("风控岗", front=CLOSES, requirements=("男性优先；",)))
    assert not build(site.root, out).ok
    assert tree_digest(out) == before


def test_every_finding_in_the_file_at_once_in_front_matter_too():
    site = MemorySite({POS + "a.md": position("风控岗（限男性）", front=CLOSES + "summary: 已婚优先\n",
                                              requirements=("身高170cm以上；", "35岁以下。"))})
    result = site.check()
    assert [(kind, line) for kind, _severity, line, _col in _findings(result)] == [
        ("gender", 2), ("marriage", 5), ("appearance", 15), ("age", 16)]


def test_a_yaml_comment_is_not_published_and_not_checked():
    assert MemorySite({POS + "a.md": position("风控岗", front=CLOSES + "# 旧稿写过：男性优先\n")}).check().ok


@pytest.mark.parametrize("level, ok, severity", [("warning", True, "warning"), ("off", True, None),
                                                 ("error", False, "error")])
def test_site_toml_sets_each_kind(level, ok, severity):
    result = _site("男性优先；", f'\n[compliance]\ngender = "{level}"\n').check()
    assert result.ok is ok
    assert [f[1] for f in _findings(result)] == ([severity] if severity else [])


def test_allow_lets_a_justified_phrase_through_and_nothing_else():
    result = _site("无传染病（食品安全法要求的健康证）；身高170cm以上；", '\n[compliance]\nallow = ["无传染病"]\n').check()
    assert [f[0] for f in _findings(result)] == ["appearance"]


def test_a_wrong_compliance_table_is_reported_at_its_lines():
    site = _site("三年以上经验；", '\n[compliance]\ngender = "strict"\nhight = "off"\nallow = "乙肝"\n')
    lines = problem_lines(site.check())
    assert lines[0] == ('site.toml:21:1: [compliance] 的 gender 写成了 "strict"：只能写 error, warning, off 中的一个')
    assert lines[1].startswith("site.toml:22:1: ") and "hight" in lines[1] and "height" not in lines[1]
    assert lines[2].startswith("site.toml:23:1: ") and "compliance.allow" in lines[2]


def test_no_finding_on_the_seed(seed_site):
    result = check(seed_site.root)
    assert not _findings(result)


@pytest.mark.parametrize("kind", COMPLIANCE_KINDS)
def test_every_finding_has_one_of_its_kinds_words(kind):
    """A file without any of WORDS is not searched: each pattern's matches must contain one of its kind's words."""
    words = re.compile("|".join(map(re.escape, WORDS[kind])))

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(PATTERNS[kind], fullmatch=True))
    def each(found):
        assert words.search(found), found

    each()
