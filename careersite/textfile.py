"""Bytes of a file HR saved -> UTF-8 text, or a problem saying how to save it again.

Shared by site.toml and position files: Windows editors default to GBK/GB18030 or UTF-16, and a
decode traceback helps nobody.
"""

from __future__ import annotations

import re

from .errors import Problems

# C0 controls other than tab, line feed, form feed and carriage return: text editors never write them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_utf16(data: bytes) -> bool:
    """A BOM, or mostly-ASCII text with a zero byte beside every character (UTF-16 LE or BE)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:400]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (odd.count(0) > len(odd) * 0.3 and even.count(0) == 0) or \
        (even.count(0) > len(even) * 0.3 and odd.count(0) == 0)


def decode(data: bytes, rel: str, problems: Problems) -> str | None:
    """UTF-8 text (BOM allowed, CRLF and CR normalised to LF), or None after reporting why not."""
    if _looks_utf16(data):
        problems.error(rel, 0, 0, "file_not_utf8", encoding="UTF-16")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            whole = data.decode("gb18030")
        except UnicodeDecodeError:
            whole = None
        if whole is None or _CONTROL.search(whole):
            problems.error(rel, 0, 0, "file_binary")
            return None
        line_no = data.count(b"\n", 0, exc.start) + 1
        shown = data.split(b"\n")[line_no - 1].decode("gb18030").strip()
        problems.error(rel, line_no, 1, "file_not_utf8_line", lineno=line_no, encoding="GBK/GB18030",
                       text=shown[:30])
        return None
    if "\x00" in text:
        problems.error(rel, 0, 0, "file_binary")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
