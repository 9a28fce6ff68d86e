"""A cell's text -> what a position is made of: one line (a title, a category) or list items (duties).

Word's automatic numbering and typed numbering (1. 1、 1． (1) （1） ① 一、, with or without a space,
and "2对…" where the dot was lost but the number is the next one) each become one item, without the
number; a line that is not numbered continues the item above it, and in a cell without any numbering
each line is an item. The cleaning rules are markup.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model.markup import _RUN_IN_NUMBER
from ..model.markup import clean_lines, normalize_text, pasted_number
from . import Cell

_WIDE = re.compile(r"[\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_NUMBER = re.compile(r"^(?P<open>[（(])?(?P<n>[一二三四五六七八九十]{1,3})(?(open)[)）]|[、.．])\s*(?P<rest>\S.*)$")
_ITEM = re.compile(r"^\d+\.\s*")
_BULLET = re.compile(r"^[-*+] (?P<rest>\S.*)$")
_SENTENCE_END = r"(?<=[；;。！？!?，,\s])\s*"


_STRAY_SPACE = re.compile(r"(?<=[\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef]) (?=[\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef])")


def join(parts: list[str]) -> str:
    """Lines of one item or title joined: no space between Chinese characters, one between words;
    a stray space between two Chinese characters ("综 合 岗") goes too."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (_WIDE.match(out[-1]) or _WIDE.match(part[0])):
            out += " "
        out += part
    return _STRAY_SPACE.sub("", out)


def one_line(cell: Cell) -> str:
    """A title, category or location: its lines joined ("网络金融" / "业务类" -> 网络金融业务类), cleaned."""
    return join(clean_lines(cell.text))


def chinese_number(text: str) -> int | None:
    """一 -> 1 ... 九十九 -> 99."""
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


@dataclass(frozen=True)
class Marker:
    family: str  # top (1. 1、 1）), paren ((1) （1）), circled (①), chinese (一、), chinese-paren (（一）), bullet
    number: int  # 0 for bullets
    rest: str  # the text after the number


def marker(line: str) -> Marker | None:
    """How LINE (cleaned) is numbered or bulleted, if it is."""
    number = pasted_number(line)
    if number is not None:
        rest = _ITEM.sub("", normalize_text(line), count=1)
        first = line.lstrip()[:1]
        family = "paren" if first in "(（" else "circled" if first in _CIRCLED else "top"
        return Marker(family, number, rest)
    chinese = _CHINESE_NUMBER.match(line)
    if chinese:
        value = chinese_number(chinese["n"])
        if value is not None:
            return Marker("chinese-paren" if chinese["open"] else "chinese", value, chinese["rest"])
    bullet = _BULLET.match(normalize_text(line)) if line[:1] and not line[:1].isalnum() else None
    if bullet:
        return Marker("bullet", 0, bullet["rest"])
    return None


def _next_marker(family: str, number: int) -> re.Pattern[str] | None:
    """Where the next item starts when several were typed on one line ("1.负责A；2.负责B")."""
    if family == "top":
        return re.compile(_SENTENCE_END + rf"{number}\s*[.．、](?!\d)\s*")
    if family == "paren":
        return re.compile(_SENTENCE_END + rf"[（(]{number}[)）]\s*")
    if family == "circled" and number <= len(_CIRCLED):
        return re.compile(_SENTENCE_END + _CIRCLED[number - 1] + r"\s*")
    return None


@dataclass
class Items:
    items: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # (message id, values) for HR


def _split_inline(text: str, family: str, number: int) -> tuple[list[str], int]:
    parts = []
    while True:
        pattern = _next_marker(family, number + 1)
        match = pattern.search(text) if pattern else None
        if not match:
            parts.append(text)
            return parts, number
        parts.append(text[:match.start()].rstrip())
        text, number = text[match.end():], number + 1


def cell_items(cell: Cell) -> Items:
    """The list items of a duties or requirements cell, in order, without their numbers."""
    lines: list[tuple[str, bool, bool]] = []  # (text, starts a paragraph, numbered by Word)
    for paragraph in cell.paragraphs:
        first = True
        for text in clean_lines(paragraph.text):
            if text:
                lines.append((text, first, paragraph.listed and first))
                first = False
    result = Items()
    marked = [(text, start, listed, marker(text)) for text, start, listed in lines]
    if not any(listed or found for _, _, listed, found in marked):
        # no numbering at all: each line is one item (a sheet's cell, an HR system's <br> lines)
        result.items = [join([text]) for text, _, _, _ in marked]
        return result
    main: str | None = None
    last = 0
    for text, _, listed, found in marked:
        if listed:  # Word numbered it; a number typed as well ("1. 1.负责") is dropped
            result.items.append(found.rest if found and found.family in ("top", "paren", "circled") else text)
            main, last = main or "listed", last + 1
            continue
        if found and (main is None or found.family == main):
            main = found.family
            if found.family != "bullet":
                if found.number != last + 1 and not (found.number == 1 and last == 0):
                    result.notes.append(("import_numbering", {"previous": last, "number": found.number}))
                parts, last = _split_inline(found.rest, found.family, found.number)
                result.items.extend(parts)
            else:
                result.items.append(found.rest)
            continue
        run_in = _RUN_IN_NUMBER.match(text) if main in ("top", "listed") else None  # "2对…" after item 1
        if run_in and int(run_in[1]) == last + 1 and run_in["rest"].strip():
            result.items.append(run_in["rest"].strip())
            last += 1
            continue
        if result.items:  # not numbered, or numbered as a sub-list: it continues the item above
            result.items[-1] = join([result.items[-1], text])
        else:  # a lead-in line before the first number
            result.items.append(text)
    result.items = [join([item]) for item in result.items if item.strip()]
    return result
