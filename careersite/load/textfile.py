"""A file HR saved -> its bytes (regular files only, bounded) -> UTF-8 text, or a problem saying how to save it."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import stat

from ..errors import Problems

# C0 controls other than tab, line feed, form feed and carriage return: text editors never write them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def read_file(path: os.PathLike[str] | str, rel: str, problems: Problems, limit: int) -> bytes | None:
    """A regular file's bytes (at most LIMIT), or None after saying why; checked by descriptor: a FIFO is never read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        problems.error(rel, 1, 1, "file_not_regular" if exc.errno == errno.ENXIO else "file_unreadable",
                       detail=exc.strerror or str(exc))
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            problems.error(rel, 1, 1, "file_not_regular", detail=_kind(info.st_mode))
            return None
        if (size := info.st_size) <= limit:
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(limit + 1)
            size = len(data)  # it may have grown while we read it
        if size > limit:
            problems.error(rel, 1, 1, "file_too_big", size=round(size / 1e6, 1), limit=limit // 1_000_000)
            return None
        return data
    except OSError as exc:
        problems.error(rel, 1, 1, "file_unreadable", detail=exc.strerror or str(exc))
        return None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISSOCK, "socket"),
             (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"))
    return next((name for test, name in kinds if test(mode)), "special file")


def _looks_utf16(data: bytes) -> bool:
    """A BOM, or mostly-ASCII text with a zero byte beside every character (UTF-16 LE or BE)."""
    even, odd = data[0:400:2], data[1:400:2]
    return data.startswith((b"\xff\xfe", b"\xfe\xff")) or len(data) >= 4 and (
        (odd.count(0) > len(odd) * 0.3 and even.count(0) == 0)
        or (even.count(0) > len(even) * 0.3 and odd.count(0) == 0))


# What Windows and editors call the encodings charset-normalizer names (cp932 is Windows' Shift-JIS).
_SHOWN = {"big5": "Big5", "cp950": "Big5", "big5hkscs": "Big5-HKSCS", "cp932": "Shift-JIS", "shift_jis": "Shift-JIS",
          "euc_jp": "EUC-JP", "cp949": "EUC-KR", "euc_kr": "EUC-KR", "cp1252": "Windows-1252 (Western European)",
          "latin_1": "ISO-8859-1", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16"}
GB = ("gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn")
_LIKELY = ("岗位", "职位", "招聘", "职责", "要求", "负责", "经验", "工作", "任职", "类别", "部门", "条件")


def encoding_name(data: bytes) -> str | None:
    """The name HR knows of the (not UTF-8) encoding of DATA, such as "GBK/GB18030" or "Big5"; None if unknown."""
    # A few lines of a position are too short for statistics: words every position has decide first.
    with contextlib.suppress(UnicodeDecodeError):
        if any(word in data.decode("gb18030") for word in _LIKELY):
            return "GBK/GB18030"
    import charset_normalizer  # only for a file that is not UTF-8

    names = [codecs.lookup(m.encoding).name.replace("-", "_") for m in charset_normalizer.from_bytes(data[:200_000])]
    if not names:
        return None
    if any(name in GB for name in names[:3]):
        return "GBK/GB18030"
    return _SHOWN.get(names[0], names[0].replace("_", "-").upper())


def decode(data: bytes, rel: str, problems: Problems) -> str | None:
    """UTF-8 text (BOM allowed, CRLF and CR normalised to LF), or None after reporting why not."""
    if _looks_utf16(data):
        problems.error(rel, 1, 1, "file_not_utf8", encoding="UTF-16")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding = encoding_name(data) or "GBK/GB18030"
        codec = "gb18030" if encoding == "GBK/GB18030" else {"Big5": "big5", "Shift-JIS": "cp932"}.get(encoding)
        whole = None
        with contextlib.suppress(UnicodeDecodeError):
            whole = data.decode(codec) if codec else None
        if whole is None or _CONTROL.search(whole):
            problems.error(rel, 1, 1, "file_binary" if codec else "file_not_utf8", encoding=encoding)
            return None
        line_no = data.count(b"\n", 0, exc.start) + 1
        shown = data.split(b"\n")[line_no - 1].decode(codec, errors="replace").strip()
        problems.error(rel, line_no, 1, "file_not_utf8_line", lineno=line_no, encoding=encoding, text=shown[:30])
        return None
    if "\x00" in text:
        problems.error(rel, 1, 1, "file_binary")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
