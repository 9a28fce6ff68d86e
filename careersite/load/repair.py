"""What HR pastes and types that YAML or Markdown would read otherwise, found line by line, each with the line
as HR meant it: reported at the line where it is (not where a parser gives up), and applied by `check --fix`.

Only repairs whose intent is unambiguous: they never change what a position says, only how it is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .fields import POSITION_FIELDS


@dataclass(frozen=True)
class Repair:
    line: int  # 1-based, in the text given
    col: int
    msg_id: str
    values: dict
    fixed: str  # the whole line as it should be


# A front-matter line "key: value" as HR types it: a field name, then a colon of some kind.
_KEY_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P<colon>[ \t]*[:：])(?P<rest>.*)$")
_INDICATORS = "#*&!%@`|>"  # a plain value cannot start with these (YAML reads a comment, alias, tag...)
# YAML's own syntax, written on purpose (a tag !!python/..., an anchor &a, an alias *a): left to the parser's
# messages (yaml_tag, yaml_alias), which say that this YAML is not accepted.
_YAML_SYNTAX = re.compile(r"^(?:![!A-Za-z]|[&*][A-Za-z0-9_-]+(?:\s|$))")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")
_DATE = re.compile(r"^\s*(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
DATE_FIELDS = ("posted", "closes", "opens")


def quoted(value: str) -> str:
    """VALUE as a double-quoted YAML string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter_repairs(text: str, today: dt.date) -> list[Repair]:
    """Mistakes in "key: value" lines that YAML would misread or report elsewhere: a full-width colon, no
    space after the colon, a value that starts with a YAML indicator (#, *, &, ...), a date not written
    YYYY-MM-DD. Only top-level keys of the position fields are looked at."""
    repairs = []
    posted = re.search(r"(?m)^posted[ \t]*[:：](.*)$", text)
    reference = (loose_date(posted[1].strip(), today) if posted else None) or today  # a year-less date: after this
    for number, line in enumerate(text.split("\n"), start=1):
        match = _KEY_LINE.match(line)
        if not match or match["indent"] or match["key"] not in POSITION_FIELDS:
            continue
        key, colon, rest = match["key"], match["colon"], match["rest"]
        col = len(key) + len(colon)  # 1-based column of the colon
        value = rest.strip()
        if "：" in colon:
            fixed = f"{key}: {value}"
            repairs.append(Repair(number, col, "yaml_fullwidth_colon", {"key": key, "fixed": fixed}, fixed))
            line = fixed
        elif rest and not rest[0].isspace():
            fixed = f"{key}: {value}"
            repairs.append(Repair(number, col + 1, "yaml_colon_space", {"key": key, "fixed": fixed}, fixed))
            line = fixed
        if _YAML_SYNTAX.match(value):
            continue
        block = value[:1] in ("|", ">") and re.fullmatch(r"[|>][-+0-9]*", value)  # description: |
        comment = value[:1] == "#" and (len(value) == 1 or value[1].isspace())  # code: # 岗位编号 (not set)
        if value and value[0] in _INDICATORS and not block and not comment:
            fixed = f"{key}: {quoted(value)}"
            msg_id = "yaml_value_comment" if value[0] == "#" else "yaml_value_indicator"
            repairs.append(Repair(number, line.index(value) + 1, msg_id,
                                  {"key": key, "char": value[0], "fixed": fixed}, fixed))
            continue
        plain = value and value[0] not in "\"'[{|>" and not comment
        if plain and re.search(r":(\s|$)", value.split(" #", 1)[0]):  # 风险岗: 高级 is text, not a mapping
            fixed = f"{key}: {quoted(value)}"
            repairs.append(Repair(number, line.index(value) + 1, "yaml_value_colon", {"key": key, "fixed": fixed},
                                  fixed))
            continue
        if key in DATE_FIELDS and value and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            day = loose_date(value, reference)
            if day is not None:
                fixed = f"{key}: {day.isoformat()}"
                repairs.append(Repair(number, line.index(value) + 1, "date_form",
                                      {"key": key, "value": value, "fixed": day.isoformat()}, fixed))
    return repairs


def loose_date(value: str, today: dt.date) -> dt.date | None:
    """The day a date written another way means: 2026/12/31, 2026年12月31日, ２０２６-１２-３１, and 12月31日
    (without a year: the next such day from today). None when it is not a date."""
    text = unicodedata.normalize("NFKC", value).translate(_FULLWIDTH_DIGITS).strip().strip("'\"")
    match = _DATE.match(text) if len(text) <= 40 else None  # short: the pattern is quadratic in spaces
    if not match:
        return None
    year, month, day = match[1], int(match[2]), int(match[3])
    try:
        if year:
            return dt.date(int(year), month, day)
        guess = dt.date(today.year, month, day)
        return guess if guess >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        return None


def apply(text: str, repairs: list[Repair]) -> str:
    """TEXT with each repaired line replaced (the last repair of a line wins: they build on each other)."""
    lines = text.split("\n")
    for repair in repairs:
        lines[repair.line - 1] = repair.fixed
    return "\n".join(lines)
