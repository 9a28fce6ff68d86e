"""A position file's text -> the same text with the repairs whose intent is unambiguous (`check --fix`).

Each repair is one a message already reports (load/repair.py for the front matter, lint.py for the text) and
names "check --fix": a full-width colon or a missing space, a value YAML would misread, a date not written
YYYY-MM-DD, a number run into an item the page shows as that item, Word and WeChat artefacts, pasted
indentation. Nothing else is touched, so what a position says, and what its page shows, stays the same.
"""

from __future__ import annotations

import datetime as dt

from ..errors import Problems
from ..load.frontmatter import split_front_matter
from ..load.repair import front_matter_repairs
from .lint import Fixes, lint_indented, lint_numbering, lint_paste

MAX_ROUNDS = 4  # a repair may show another (a colon, then the date after it); each round finds fewer


def fixed_text(text: str, is_markdown: bool, today: dt.date) -> tuple[str, list[str]]:
    """(TEXT repaired, the message id of each repair made). TODAY: for dates written without a year."""
    made: list[str] = []
    for _ in range(MAX_ROUNDS):
        fixes, ids = _fixes(text, is_markdown, today)
        if not fixes:
            break
        lines = text.split("\n")
        for number, line in fixes.items():
            lines[number - 1] = line
        text = "\n".join(lines)
        made.extend(ids)
    return text, made


def _fixes(text: str, is_markdown: bool, today: dt.date) -> tuple[Fixes, list[str]]:
    """{line number: the line repaired} for one round, and the message ids of the repairs (front matter first:
    the text's repairs leave its lines alone)."""
    first, front = 1, text
    if is_markdown:
        try:
            split = split_front_matter(text)
        except ValueError:
            split = None
        if split is None or split.front_matter is None:
            first, front = 1, ""
        else:
            first, front = split.front_line, split.front_matter
    repairs = front_matter_repairs(front, today) if front else []
    fixes: Fixes = {}
    for repair in repairs:
        fixes[first + repair.line - 1] = repair.fixed
    if fixes:  # one kind at a time: the text's repairs are found on the text as it will be
        return fixes, [r.msg_id for r in repairs]
    scratch = Problems()
    lint_numbering("", text, is_markdown, scratch, fixes)
    if is_markdown:
        lint_indented("", text, scratch, fixes)
    if not fixes:
        lint_paste("", text, is_markdown, scratch, fixes)
    return fixes, [p.message for p in scratch.items if p.message in _FIXED]


_FIXED = ("numbering_run_in_shown", "indented_text", "paste_artefact")
