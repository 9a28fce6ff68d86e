"""A cell's text -> a position field's value as a position file writes it, or None when it cannot be.

Education, experience and recruitment type take fixed values (the words a careers site filters by);
what a notice writes ("本科及以上", "三年以上", "社会招聘") is mapped onto them, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re

from ..load.fields import EDUCATION, EXPERIENCE, RECRUITMENT_TYPES  # noqa: F401 - the values load.fields checks
from .cells import chinese_number

# Words for each education level, lowest first; "本科及以上" and "本科或硕士" mean the lowest one named.
_EDUCATION_WORDS = (
    ("大专", ("大专", "专科", "高职", "associate", "college")),
    ("本科", ("本科", "学士", "bachelor", "undergraduate")),
    ("硕士", ("硕士", "研究生", "master", "mba", "postgraduate")),
    ("博士", ("博士", "phd", "ph.d", "doctor")),
)
_ANY = ("不限", "无要求", "无", "any", "none", "not required", "—", "-", "/")
_EXPERIENCE_YEARS = {1: "1年以上", 3: "3年以上", 5: "5年以上", 10: "10年以上"}
_YEARS = re.compile(r"^(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:[-~～至到]\s*(?:\d{1,2}|[一二两三四五六七八九十]{1,3})\s*)?"
                    r"\+?(?:年|years?|yrs?)?(?:及?以上|或以上|\+|ormore|andabove)?"
                    r"(?:(?:的)?(?:相关)?(?:工作)?经验|experience)?$", re.I)
_GRADUATE = ("应届", "应届生", "应届毕业生", "毕业生", "无经验", "fresh graduate", "graduate", "new graduate")
_RECRUITMENT_WORDS = {
    "社招": ("社招", "社会招聘", "社会", "experienced", "social"),
    "校招": ("校招", "校园招聘", "校园", "应届生招聘", "campus", "graduate"),
    "实习": ("实习", "实习生", "实习生招聘", "intern", "internship"),
}
_HEADCOUNT = re.compile(r"^(?P<n>\d{1,6}|[一二两三四五六七八九十]{1,3})\s*(?:人|名|个|位|people|persons?)?$", re.I)
_SEVERAL = ("若干", "若干名", "若干人", "不限", "several")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_LIST_SEPARATORS = re.compile(r"\s*[、,，/；;|]\s*")


def _key(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text).lower()


def _count(text: str) -> int | None:
    if text.isdecimal():
        return int(text)
    return chinese_number(text.replace("两", "二"))


def education(text: str) -> str | None:
    key = _key(text)
    if key in _ANY or key in ("学历不限", "不限学历"):
        return "不限"
    key = key.replace("博士研究生", "博士").replace("硕士研究生", "硕士")
    for level, words in _EDUCATION_WORDS:  # the lowest level the text names
        if any(word in key for word in words):
            return level
    return None


def experience(text: str) -> str | None:
    key = _key(text)
    if key in _ANY or key in ("经验不限", "不限经验", "工作经验不限"):
        return "不限"
    if any(key == _key(word) or key.startswith(_key(word)) for word in _GRADUATE):
        return "应届"
    match = _YEARS.match(key.replace("及以上", "以上"))
    if match:
        years = _count(match["n"])
        return _EXPERIENCE_YEARS.get(years) if years is not None else None
    return None


def recruitment_type(text: str) -> str | None:
    key = _key(text)
    for value, words in _RECRUITMENT_WORDS.items():
        if key in (_key(w) for w in words):
            return value
    return None


def headcount(text: str) -> int | str | None:
    """A whole number, "" for 若干 (several: the site shows 若干 when none is given), or None."""
    key = _key(text)
    if key in _SEVERAL:
        return ""
    match = _HEADCOUNT.match(key)
    if not match:
        return None
    number = _count(match["n"])
    return number if number and number > 0 else None


def closes(text: str) -> str | None:
    """YYYY-MM-DD from 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def locations(text: str) -> list[str]:
    """北京、上海 / 北京,上海 / 北京/上海 -> [北京, 上海]."""
    return [part for part in _LIST_SEPARATORS.split(text.strip()) if part]
