"""A table's heading row -> which column holds which position field, with the names HR uses.

A heading is compared without spaces, line breaks, a trailing colon or a note in brackets, so
"招 聘 岗 位", "招聘\\n岗位" and "招聘人数（人）" are found too. The heading row need not be the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import Row

# field -> the headings that name it (the first is what `export` writes in Chinese).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "category": ("招聘类别", "类别", "岗位类别", "职位类别", "部门", "招聘部门", "用人部门", "序列", "岗位序列", "category"),
    "title": ("招聘岗位", "岗位名称", "职位名称", "职位", "岗位", "招聘职位", "title", "position", "job title"),
    "code": ("岗位编号", "岗位代码", "职位编号", "职位代码", "code", "reference"),
    "responsibilities": ("岗位职责", "工作职责", "主要职责", "职责", "职位职责", "岗位描述", "工作内容",
                         "responsibilities", "duties"),
    "requirements": ("任职要求", "任职条件", "岗位要求", "任职资格", "职位要求", "应聘条件", "资格条件",
                     "requirements", "qualifications"),
    "location": ("工作地点", "工作地", "地点", "工作城市", "location"),
    "headcount": ("招聘人数", "人数", "需求人数", "招聘名额", "headcount", "openings"),
    "closes": ("截止日期", "截止时间", "报名截止日期", "截止", "closes", "closing date"),
    "salary": ("薪资", "薪酬", "薪资待遇", "薪酬待遇", "待遇", "salary"),
    "education": ("学历", "学历要求", "最低学历", "education"),
    "experience": ("工作经验", "经验", "工作年限", "经验要求", "experience"),
    "recruitment_type": ("招聘类型", "招聘方式", "招聘性质", "recruitment type", "recruitment_type"),
}
# Headings of columns that are no part of a position and are skipped without a word.
IGNORED = ("序号", "no", "no.", "#")
NEEDED = ("title",)
CONTENT = ("responsibilities", "requirements")
HEADER_SEARCH_ROWS = 10  # the heading row is among a table's first rows (titles such as "附件1：…" come first)

_NOTE = re.compile(r"[（(][^（）()]{0,20}[)）]$")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_LOOKUP = {re.sub(r"[\s_]+", "", name.lower()): field for field, names in SYNONYMS.items() for name in names}


def heading_key(text: str) -> str:
    """A heading as compared: no spaces or line breaks, no trailing colon or bracketed note."""
    key = _SPACES.sub("", text).strip("*:：").lower()
    key = _NOTE.sub("", key) or key
    return key.replace("_", "")


def field_for(heading: str) -> str | None:
    return _LOOKUP.get(heading_key(heading))


@dataclass(frozen=True)
class Header:
    row: int  # index of the heading row in the table's rows
    fields: dict[int, str]  # column index -> field
    unknown: tuple[tuple[int, str], ...]  # (column index, heading) of columns no field is made from

    def column(self, name: str) -> int | None:
        for index, field in self.fields.items():
            if field == name:
                return index
        return None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(f for f in NEEDED if f not in self.fields.values())


def read_header(row: Row, index: int) -> Header | None:
    """The row as a heading row when at least two of its cells are known headings, one of them a title."""
    fields: dict[int, str] = {}
    unknown: list[tuple[int, str]] = []
    for column, cell in enumerate(row.cells):
        if cell.merged and not cell.paragraphs:
            continue  # covered by a heading merged across
        text = cell.text.strip()
        if not text:
            continue
        field = field_for(text)
        if field is None or field in fields.values():
            if heading_key(text) not in IGNORED:
                unknown.append((column, " ".join(text.split())))
            continue
        fields[column] = field
    known = set(fields.values())
    if len(known) < 2 or not (known & {"title", "category"}) or not (known & {"title", *CONTENT}):
        return None
    return Header(index, fields, tuple(unknown))


def find_header(rows: tuple[Row, ...]) -> Header | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = read_header(row, index)
        if header is not None:
            return header
    return None


def is_repeated_header(row: Row, header: Header) -> bool:
    """A heading row again (Word repeats it on every page when a table is pasted page by page)."""
    again = read_header(row, header.row)
    return again is not None and again.fields == header.fields
