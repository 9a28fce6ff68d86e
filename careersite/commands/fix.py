"""`check --fix`: rewrite position files with the repairs whose intent is unambiguous (model/fix.py), show each
change as a diff, then check again (the CLI does). A file with changes not yet committed in git is left alone
unless --force: the fix must be one HR can look at, and undo, on its own. Writes atomically (a temporary
file in the same folder, then a rename); keeps UTF-8 with or without BOM and the line endings; a file in
another encoding (GBK, Big5, Shift-JIS) is written as UTF-8, which is itself a repair the site needs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problems, visible
from ..history import git_uncommitted
from ..load.content import CONTENT_DIR, MARKDOWN_SUFFIXES, MAX_FILE_BYTES, position_files
from ..load.textfile import decode, encoding_name, read_file
from ..model.fix import fixed_text

_CODECS = {"GBK/GB18030": "gb18030", "Big5": "big5", "Shift-JIS": "cp932"}
# Shown as escapes in a diff: they are what changed, and look like nothing (or like a space) on screen.
_UNSEEN = re.compile("[\u00a0\u00ad\u200b-\u200f\u2060\u3000\ufeff\uf020-\uf0ff]")
_COLOURS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m"}


@dataclass
class FixReport:
    out: list[str] = field(default_factory=list)  # the diffs
    err: list[str] = field(default_factory=list)  # what was done or refused, file by file
    changed: int = 0  # files written (or, with --dry-run, that would be)


@dataclass(frozen=True)
class _Read:
    text: str
    bom: bool
    newline: str
    encoding: str | None  # the encoding it was read in, when not UTF-8


def _read(data: bytes) -> _Read | None:
    newline = "\r\n" if b"\r\n" in data else ("\r" if b"\r" in data and b"\n" not in data else "\n")
    text = decode(data, "", Problems())
    if text is not None:
        return _Read(text, data.startswith(b"\xef\xbb\xbf"), newline, None)
    encoding = encoding_name(data)
    codec = _CODECS.get(encoding or "")
    try:
        text = data.decode(codec) if codec else None
    except UnicodeDecodeError:
        text = None
    if text is None or decode(text.encode("utf-8"), "", Problems()) is None:  # binary, or controls in it
        return None
    return _Read(text.replace("\r\n", "\n").replace("\r", "\n"), False, newline, encoding)


def _shown(line: str) -> str:
    return _UNSEEN.sub(lambda m: f"\\u{ord(m[0]):04x}", visible(line))


def diff_lines(rel: str, before: str, after: str, *, colour: bool) -> list[str]:
    """A unified diff of one file's text (control and invisible characters as escapes; ANSI colours if COLOUR)."""
    lines = []
    old, new = (text[:-1] if text.endswith("\n") else text for text in (before, after))  # (no empty last line)
    for line in difflib.unified_diff(old.split("\n"), new.split("\n"), f"a/{rel}", f"b/{rel}", lineterm=""):
        line = _shown(line)
        kind = line[:1] if not line.startswith(("+++", "---")) else ""
        lines.append(f"{_COLOURS[kind]}{line}\x1b[0m" if colour and kind in _COLOURS else line)
    return lines


def _write(path: Path, data: bytes) -> None:
    """DATA into PATH atomically: a reader sees the old file or the new one, never half of one."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def run_fix(root: Path, problems: Problems, *, dry_run: bool = False, force: bool = False,
            colour: bool = False, today: dt.date | None = None) -> FixReport:
    """Repair every position file under ROOT (PROBLEMS: the site's messages). DRY_RUN: diffs only. FORCE: also
    files with changes not committed in git. TODAY: for dates without a year (as `check` reads them)."""
    report = FixReport()
    today = today or dt.date.today()  # (as load/content.py: the date a message suggests is the one written)
    rels = position_files(root, Problems())
    dirty = None if force or dry_run else git_uncommitted(root, CONTENT_DIR.as_posix())
    for rel in rels:
        data = read_file(root / rel, rel, Problems(), MAX_FILE_BYTES)
        read = _read(data) if data is not None else None
        if read is None:
            continue  # unreadable, or not text: check says why
        text, made = fixed_text(read.text, rel.lower().endswith(MARKDOWN_SUFFIXES), today)
        if text == read.text and read.encoding is None:
            continue
        if dirty is not None and rel in dirty:
            report.err.append(problems.text("fix_refused_uncommitted", path=rel))
            continue
        report.out.extend(diff_lines(rel, read.text, text, colour=colour))
        report.changed += 1
        if dry_run:
            continue
        body = text.replace("\n", read.newline) if read.newline != "\n" else text
        try:
            _write(root / rel, (b"\xef\xbb\xbf" if read.bom else b"") + body.encode("utf-8"))
        except OSError as exc:
            report.err.append(problems.text("fix_write_failed", path=rel, detail=exc.strerror or str(exc)))
            report.changed -= 1
            continue
        if read.encoding:
            report.err.append(problems.text("fix_converted", path=rel, encoding=read.encoding))
        if made:
            report.err.append(problems.text("fix_written", path=rel, count=len(made)))
    if dry_run:
        report.err.append(problems.text("fix_dry_run", files=report.changed))
    elif not report.changed:
        report.err.append(problems.text("fix_nothing"))
    return report
