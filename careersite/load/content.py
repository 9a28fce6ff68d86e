"""content/positions/ -> one PositionSource per valid file, plus problems for the rest; each file on its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problems, did_you_mean
from .config import Category
from .fields import INVALID, POSITION_FIELDS, REQUIRED_FIELDS, suggestion_hint, unknown_key, validate_field
from .repair import apply, front_matter_repairs
from .textfile import decode, read_file

CONTENT_DIR = Path("content") / "positions"
MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 1_000_000  # a position is 1-5 KB; a megabyte is a mistake (or an attack)
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}

# Section headings HR writes in Markdown bodies, and the field each one fills.
SECTION_ALIASES = {
    "responsibilities": ("岗位职责", "工作职责", "职位职责", "职责", "职位描述", "工作内容", "岗位描述",
                         "responsibilities", "duties", "what you will do"),
    "requirements": ("任职要求", "任职条件", "任职资格", "岗位要求", "职位要求", "应聘条件",
                     "requirements", "qualifications", "what we are looking for"),
}
# No backtracking: closing #s are stripped in Python (a pattern was quadratic in spaces); loose headings are short.
_HEADING = re.compile(r"^(#{1,2})\s+(\S.*)$")
_LOOSE_MAX = 48
# "岗位职责：" or "**任职要求**" or "【岗位职责】" on a line of its own, as pasted from Word.
_LOOSE_HEADING = re.compile(r"^\s*(?:\*\*|【|\[)?\s*(?P<name>[^*【】\[\]:：]{2,30}?)\s*(?:\*\*|】|\])?\s*[:：]?\s*$")
# "任职要求：1.三年以上…": the heading and the first item on one line, as Word's text export writes it.
_INLINE_HEADING = re.compile(r"^(?:\*\*|【)?(?P<name>[^*【】:：\s]{2,12})(?:\*\*|】)?[ \t]*[:：][ \t]*(?P<rest>\S.*)$")


@dataclass(frozen=True)
class Section:
    kind: str  # description, responsibilities, requirements, other
    heading: str
    markdown: str
    line: int  # of the heading (or of the text, when it has none)
    body_line: int = 0  # of the text's first line


@dataclass(frozen=True)
class PositionSource:
    """A position file that passed its own checks: validated field values and body sections."""

    path: str  # relative to the site root, with '/' separators
    stem: str
    fields: dict[str, Any]
    lines: dict[str, tuple[int, int]] = field(compare=False)
    sections: tuple[Section, ...] = ()
    digest: str = ""  # sha256 of the file's bytes
    text: str = field(default="", compare=False, repr=False)  # the decoded file, for lint's raw-text checks


def section_kind(heading: str) -> str | None:
    name = heading.strip().strip("*").strip().rstrip(":：").strip().lower()
    return next((kind for kind, aliases in SECTION_ALIASES.items() if name in aliases), None)


def is_ignored(name: str) -> bool:
    """Editor and system files that are never content."""
    return (name.startswith((".", "~$", "#")) or name.endswith(("~", ".swp", ".swo", ".tmp", ".bak"))
            or name in _IGNORED_NAMES)


def position_files(root: Path, problems: Problems) -> list[str]:
    """Position files as sorted paths below ROOT ("content/positions/a.md"); refuses links that lead outside."""
    base = root / CONTENT_DIR
    if not base.is_dir():
        return []
    real_base = base.resolve()
    start = len(os.fspath(root / "_")) - 1  # what root puts before "content/..." (nothing for ".")
    found: list[str] = []
    suffixes = MARKDOWN_SUFFIXES + YAML_SUFFIXES
    pending = [os.fspath(base)]
    while pending:  # os.scandir: its entries know what is a link without one more system call each
        folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:  # a folder HR cannot read: say which, never a traceback
            problems.error(folder[start:].replace(os.sep, "/") or CONTENT_DIR.as_posix(), 1, 1, "folder_unreadable",
                           detail=exc.strerror or str(exc))
            continue
        subfolders = []
        for entry in entries:
            if is_ignored(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
                continue
            rel = entry.path[start:].replace(os.sep, "/")
            if entry.is_symlink() and entry.is_dir():  # never followed; say so when it leads outside
                if not Path(entry.path).resolve().is_relative_to(real_base):
                    problems.error(rel, 1, 1, "symlink_outside", target=os.readlink(entry.path))
                continue
            if not entry.name.lower().endswith(suffixes):
                problems.warning(rel, 1, 1, "file_ignored_suffix", suffixes=" ".join(suffixes))
                continue
            if entry.is_symlink():
                target = Path(entry.path).resolve()
                if not target.is_relative_to(real_base) or not target.is_file():
                    problems.error(rel, 1, 1, "symlink_outside", target=os.readlink(entry.path))
                    continue
            found.append(rel)
        pending.extend(reversed(subfolders))  # depth first, in name order, as os.walk did
    return found


def _split_body(body: str, first_line: int) -> list[Section]:
    """Markdown body -> sections at level-1/2 headings (or Word-style heading lines)."""
    sections: list[Section] = []
    kind, heading, start, text_start, buf = "description", "", first_line, first_line, []
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        name = (match[2].rstrip().rstrip("#").rstrip() or match[2].rstrip()) if match else None
        stripped, rest = line.strip(), None
        if name is None and not in_fence and len(stripped) <= _LOOSE_MAX:
            if (loose := _LOOSE_HEADING.match(stripped)) and section_kind(loose["name"]):
                name = loose["name"]
        if name is None and not in_fence:
            if (inline := _INLINE_HEADING.match(stripped)) and section_kind(inline["name"]):
                name, rest = inline["name"], inline["rest"]
        if name is not None:
            sections.append(Section(kind, heading, "\n".join(buf), start, text_start))
            kind = section_kind(name) or "other"
            heading, start = name.strip().strip("*【】[]:：").strip(), first_line + offset
            text_start, buf = (start, [rest]) if rest is not None else (start + 1, [])  # rest: on the heading's line
        else:
            buf.append(line)
    sections.append(Section(kind, heading, "\n".join(buf), start, text_start))
    return [s for s in sections if s.markdown.strip() or s.kind != "description"]


def find_category(value: str, categories: tuple[Category, ...], path: str, line: int, col: int,
                  problems: Problems) -> Category | None:
    """The category a position names by key or display name; reports an unknown one."""
    if found := next((category for category in categories if value in (category.key, category.name)), None):
        return found
    hint = suggestion_hint(problems, did_you_mean(value, [c.key for c in categories] + [c.name for c in categories]))
    problems.error(path, line, col, "category_unknown", value=value, hint=hint,
                   allowed=", ".join(f"{c.key}（{c.name}）" for c in categories))
    return None


def read_position(path: Path, root: Path, problems: Problems) -> PositionSource | None:
    """Read and validate one position file. Returns None if it has errors (all of them reported)."""
    rel = path.relative_to(root).as_posix()
    data = read_file(path, rel, problems, MAX_FILE_BYTES)
    return None if data is None else parse_position(rel, data, problems)


def parse_position(rel: str, data: bytes, problems: Problems,
                   categories: tuple[Category, ...] | None = None) -> PositionSource | None:
    """The bytes of position file REL -> its validated source, or None with every problem (unknown category too)."""
    from .frontmatter import load_yaml, split_front_matter  # (here: a build with nothing to read needs no YAML)
    before = len(problems.errors)
    if (text := decode(data, rel, problems)) is None:
        return None
    if not text.strip():
        problems.error(rel, 1, 1, "file_empty")
        return None

    is_markdown = rel.lower().endswith(MARKDOWN_SUFFIXES)
    front, front_line, sections = text, 1, []
    if is_markdown:
        try:
            split = split_front_matter(text)
        except ValueError:
            problems.error(rel, 1, 1, "front_matter_unterminated")
            return None
        if split.front_matter is None:
            problems.error(rel, 1, 1, "front_matter_missing")
            return None
        front, front_line, sections = split.front_matter, split.front_line, _split_body(split.body, split.body_line)
    # The mistakes repair.py knows, reported and corrected (lines unchanged), for YAML to find the rest.
    repairs = front_matter_repairs(front, today=dt.date.today())
    for repair in repairs:
        problems.error(rel, front_line + repair.line - 1, repair.col, repair.msg_id, **repair.values)
    if (meta := load_yaml(apply(front, repairs) if repairs else front, rel, front_line, problems)) is None:
        return None
    if meta.kind == "null":
        problems.error(rel, 1, 1, "file_empty")
        return None
    if meta.kind != "map":
        problems.error(rel, meta.line, meta.col, "front_matter_not_mapping", kind=problems.text(f"kind_{meta.kind}"))
        return None

    values: dict[str, Any] = {}
    lines: dict[str, tuple[int, int]] = {}
    for key, loc in meta.value.items():
        lines[key] = (loc.line, loc.col)  # where the value is: that is what a message is about
        if key not in POSITION_FIELDS:
            unknown_key(problems, rel, loc.key_line, loc.key_col, key, list(POSITION_FIELDS))
        elif loc.kind == "null" and key in REQUIRED_FIELDS:
            problems.error(rel, loc.key_line, loc.key_col, "empty_text", key=key)
        elif loc.kind not in ("null", "invalid"):  # null: "closes:" alone means "not set"; invalid: reported
            value = validate_field(key, loc, rel, problems)
            if value is not INVALID and key == "category" and categories is not None \
                    and find_category(value, categories, rel, loc.line, loc.col, problems) is None:
                value = INVALID
            if value is not INVALID:
                values[key] = value
    for key, example in REQUIRED_FIELDS.items():
        if key not in meta.value:
            problems.error(rel, 2 if is_markdown else 1, 1, "required_key", key=key, example=example)

    seen: dict[str, int] = {}
    for section in (s for s in sections if s.kind in ("responsibilities", "requirements")):
        if not section.markdown.strip():
            problems.warning(rel, section.line, 1, "section_empty", heading=section.heading)
        if section.kind in seen or section.kind in values:
            first = seen.get(section.kind) or lines[section.kind][0]
            problems.error(rel, section.line, 1, "section_duplicate", heading=section.heading, first=first)
        seen[section.kind] = section.line

    if len(problems.errors) > before:
        return None
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return PositionSource(rel, stem, values, lines, tuple(sections), hashlib.sha256(data).hexdigest(), text)


def load_positions(root: Path, problems: Problems) -> list[PositionSource]:
    """Every valid position file under ROOT/content/positions; problems for every invalid one."""
    sources = [read_position(root / rel, root, problems) for rel in position_files(root, problems)]
    return [source for source in sources if source is not None]
