"""Wording a Chinese job posting may not use: restricting or preferring a gender, asking about marriage or
childbearing, ethnicity, religion, 户籍 or region, height or appearance, carriers of an infectious disease;
and age limits (a warning). Each kind is one message naming the rule; site.toml [compliance] sets a kind to
"error", "warning" or "off" and lists phrases that are allowed (a justified exception).

The patterns look for a restriction, not for a word: 男女不限, 生育保险, 本地市场 and 解决北京户口 are not
findings. Reported at the phrase's line and column in the file as HR wrote it.
"""

from __future__ import annotations

import functools
import re

from ..errors import Problems
from ..load.config import COMPLIANCE_KINDS
from ..load.content import MARKDOWN_SUFFIXES, PositionSource
from .lint import _body_lines

_CJK = "[\u4e00-\u9fff]"

# kind -> what finds it. Each message id is compliance_<kind> (careersite/locales).
PATTERNS: dict[str, re.Pattern[str]] = {
    "gender": re.compile(
        r"(?:限|仅限|只限|只招|仅招|要求|适合|招聘)(?:男|女)(?:性|士|生)?(?!女|男|不限)"
        r"|(?<![男女])(?:男|女)(?:性|士|生)?(?:者)?优先"
        r"|性别\s*[:：]?\s*(?:男|女)(?![女男]?不限)"),
    "marriage": re.compile(
        r"(?:无|没有)?生育(?:计划|状况|情况|安排)|(?:已|未)婚(?:(?:已|未)育)?|(?:已|未)育|婚育|婚姻状况|婚否"
        r"|(?:无|没有)(?:生育|怀孕)"
        r"|(?:怀孕|妊娠)(?:检查|测试)|孕检"),
    "ethnicity": re.compile(r"汉族|(?:少数)?民族(?:除外|不限以外)|非少数民族|限\S{0,4}族(?:人)?(?![群])"),
    "religion": re.compile(r"宗教信仰|(?:无|不)(?:宗教|信教)|信仰(?:宗教|基督|佛教|伊斯兰)"),
    "origin": re.compile(
        rf"(?:限|仅限|只限|要求|须|必须)(?:具有|有|为)?{_CJK}{{0,4}}(?:户口|户籍|籍贯)"
        rf"|{_CJK}{{0,4}}(?:户口|户籍)(?:者)?优先|本地人|外地人(?:勿|不)"
        rf"|(?:非|不招|不要){_CJK}{{1,4}}(?:籍|人)(?=[，。；、,.;\s]|$)|{_CJK}{{1,3}}籍(?:人士)?(?:优先|除外)"),
    "appearance": re.compile(
        r"身高\s*\d{3}\s*(?:cm|CM|厘米)?\s*(?:以上|以下)?|身高[^，。；,;\n]{0,8}(?:以上|以下|厘米|米)|体重\s*\d|形象(?:气质)?(?:好|佳)|气质佳"
        r"|五官端正|相貌|长相|容貌|颜值|身材"),
    "health": re.compile(r"乙肝|乙型肝炎|HBV|两对半|大三阳|小三阳|(?:无|没有)(?:任何)?(?:传染病|传染性疾病)|病原携带"),
    "age": re.compile(
        r"\d{2}\s*(?:周岁|岁)\s*(?:以下|以内|以上|之间|及以下|及以上)|年龄[^，。；,;\n]{0,10}\d{2}\s*(?:周岁|岁)"
        r"|不(?:超过|大于|高于)\s*\d{2}\s*(?:周)?岁|\d{2}\s*[-—~～至到]\s*\d{2}\s*(?:周)?岁"),
}
# Words each kind's findings cannot be without (one of them): a file without any of the active kinds' words is
# not searched line by line, which costs far more (docs/performance.md). tests/test_compliance.py checks them
# against what each pattern matches.
WORDS: dict[str, tuple[str, ...]] = {
    "gender": ("男", "女"),
    "marriage": ("生育", "婚", "已育", "未育", "怀孕", "妊娠", "孕检"),
    "ethnicity": ("族",),
    "religion": ("宗教", "信教", "信仰"),
    "origin": ("户口", "户籍", "籍", "本地人", "外地人", "非", "不招", "不要"),
    "appearance": ("身高", "体重", "形象", "气质", "五官", "相貌", "长相", "容貌", "颜值", "身材"),
    "health": ("乙肝", "乙型", "HBV", "两对半", "大三阳", "小三阳", "传染", "病原"),
    "age": ("岁",),
}
KINDS = COMPLIANCE_KINDS
assert set(PATTERNS) == set(KINDS) == set(WORDS)
DEFAULT_LEVELS = {kind: "warning" if kind == "age" else "error" for kind in KINDS}


@functools.cache
def _words_of(kinds: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for kind in kinds for word in WORDS[kind]))


def lint_compliance(source: PositionSource, levels: dict[str, str], allow: tuple[str, ...],
                    problems: Problems) -> None:
    """Every finding in SOURCE's text, at its line and column, as error or warning by LEVELS."""
    active = {kind: PATTERNS[kind] for kind in KINDS if levels.get(kind, DEFAULT_LEVELS[kind]) != "off"}
    if not active or not _words_of(tuple(active)).search(source.text):
        return
    for number, line, in_yaml in _body_lines(source.text, source.path.endswith(MARKDOWN_SUFFIXES)):
        text = line.split("#", 1)[0] if in_yaml else line  # a YAML comment is not published
        allowed = [m.span() for phrase in allow for m in re.finditer(re.escape(phrase), text)]
        for kind, pattern in active.items():
            for found in pattern.finditer(text):
                if any(start < found.end() and found.start() < end for start, end in allowed):
                    continue
                report = problems.error if levels.get(kind, DEFAULT_LEVELS[kind]) == "error" else problems.warning
                report(source.path, number, found.start() + 1, f"compliance_{kind}", found=found[0].strip())
