"""Plain text (Chinese prose in numbered lists and paragraphs: most position text) -> what normalize_text and
Python-Markdown + nh3 make of it, without them (docs/performance.md); None for anything that could mean Markdown,
HTML or pasted Word artefacts. tests/test_fastpath.py compares both paths over generated inputs."""

from __future__ import annotations

import re

# The fast path only ever sees characters from an allow-list: CJK ideographs, CJK and full-width
# punctuation, curly quotes, and printable ASCII except what can mean something to Markdown, HTML,
# nh3 or normalize_text anywhere in a line (\\ ` * _ { } [ ] < > & | ~). Everything else (controls,
# odd spaces, invisible or private-use characters, pasted bullets, emoji...) takes the slow path, so
# a cleaning rule added to markup.py for a new character cannot be bypassed by accident.
_ALLOWED = (
    "\n !\"#$%'()+,\\-./0-9:;=?@A-Za-z^"
    "\u2014\u2018\u2019\u201c\u201d\u2026\u3001-\u3003\u3008-\u3011\u3014-\u301f"
    "\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e"
)
_UNSAFE = re.compile(f"[^{_ALLOWED}]")
# A line that starts like a list, heading, quote, rule or pasted numbering/bullet, or has edge spaces.
_UNSAFE_START = re.compile(r"^(?:\s|\d+[.．、)）]|[#=+\-:.>!（(①-⑳•●·▪■◆◇○◦‣⁃▶►])|\s$")
# "1. text" exactly as items_to_markdown and normalize_text write it.
_ITEM = re.compile(r"^([1-9][0-9]{0,5})\. (\S(?:.*\S)?)$")


def _is_plain_line(line: str) -> bool:
    return bool(line) and _UNSAFE_START.search(line) is None


def normalize_plain(text: str) -> str | None:
    """normalize_text(TEXT) for one line of plain text, else None."""
    return None if "\n" in text or _UNSAFE.search(text) or not _is_plain_line(text) else text


def markdown_plain(source: str) -> str | None:
    """Sanitised HTML of normalised Markdown SOURCE when it is plain paragraphs and tight ordered
    lists, exactly as Python-Markdown + nh3 would write it; None otherwise."""
    if _UNSAFE.search(source):
        return None
    parts: list[str] = []
    previous_list = False
    for block in source.strip("\n").split("\n\n"):
        lines = block.split("\n")
        items = [_ITEM.match(line) for line in lines]
        if all(items):
            if previous_list:
                return None  # two lists a blank line apart are one loose list to Markdown
            texts = [m[2] for m in items]  # type: ignore[index]
            if not all(_is_plain_line(t) for t in texts):
                return None
            start = items[0][1]  # type: ignore[index]
            head = "<ol>" if start == "1" else f'<ol start="{start}">'
            parts.append(head + "\n" + "".join(f"<li>{t}</li>\n" for t in texts) + "</ol>")
            previous_list = True
        elif not any(items) and all(_is_plain_line(line) for line in lines):
            parts.append("<p>" + "\n".join(lines) + "</p>")
            previous_list = False
        else:
            return None
    return "\n".join(parts)
