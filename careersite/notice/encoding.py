"""Bytes of a .csv, .txt or .html notice -> text: UTF-8 (BOM or not), UTF-16 with a BOM, or the
GBK/GB18030 that Excel and Word write on Chinese Windows; any other encoding is named, not guessed."""

from __future__ import annotations

import codecs
import re

from ..errors import Problems
from ..load.textfile import encoding_name

_GB = {"gb2312", "gbk", "gb18030", "hz", "cp936", "ms936", "euc_cn", "gb_2312_80"}
_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def decode_text(data: bytes, rel: str, problems: Problems) -> str | None:
    """TEXT with line ends as '\\n'; None after reporting an encoding that cannot be read."""
    text = _decode(data, rel, problems)
    if text is None:
        return None
    if _CONTROL.search(text[:100_000]):
        problems.error(rel, 0, 0, "import_binary")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_gb(encoding: str) -> bool:
    return encoding.lower() in _GB or _name(encoding) in {_name(e) for e in _GB}


def _decode(data: bytes, rel: str, problems: Problems) -> str | None:
    text = None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and encoding_name(data) == "GBK/GB18030":
            return text
    problems.error(rel, 1, 1, "import_encoding", encoding=encoding_name(data) or "?")
    return None


def decode_html(data: bytes, rel: str, problems: Problems) -> str | None:
    """An HTML file's text: the charset its <meta> names, else as decode_text."""
    meta = _META.search(data[:4096])
    if meta and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = meta[1].decode("ascii").lower()
        if _is_gb(encoding):
            encoding = "gb18030"  # a superset: pages that say gb2312 use GBK characters
        try:
            return data.decode(encoding).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, rel, problems)
