"""Warnings for things worth a look (not errors): long titles, closing dates, broken numbering, Word paste.

Runs after the model stage on the sources that passed their own checks. Uses the raw file text, so
what it reports is what HR wrote, at the real line and column; it never changes what is built.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import Problems
from ..load.config import CONFIG_FILE, SiteConfig
from ..load.content import _INLINE_HEADING, MARKDOWN_SUFFIXES, PositionSource, section_kind
from ..load.frontmatter import split_front_matter
from .markup import _RUN_IN_NUMBER, normalize_text, paste_fixed, pasted_number

Fixes = dict[int, str]  # line number -> the line as `check --fix` writes it (it may hold a new line)

MAX_TITLE = 40
CLOSING_SOON_DAYS = 7

# What Word and WeChat leave in pasted text, by kind; each kind names a message id paste_<kind>.
PASTE_MARKS: dict[str, re.Pattern[str]] = {
    "fullwidth_space": re.compile("\u3000+"),
    "nbsp": re.compile("(?:\u00a0|&nbsp;)+", re.I),
    "zero_width": re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]+"),
    "bookmark": re.compile(r"\[bookmark:", re.I),
    "office": re.compile(r"Mso[A-Z][A-Za-z]+|mso-[a-z]|</?o:p>|<!--\[(?:if |endif)|<!--(?:Start|End)Fragment", re.I),
    "symbol_bullet": re.compile("[\uf020-\uf0ff]"),
    "line_break": re.compile("[\u000b\u000c\u2028\u2029]"),
}
_MARKDOWN_NUMBER = re.compile(r"^ {0,3}(\d{1,9})\.[ \t]+\S")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_YAML_ITEM = re.compile(r"^[ \t]*-[ \t]+")
_INDENTED = re.compile(r"(?m)^(?:    |\t)[ \t]*\S")
_IF_COMMENT = "<!--[if "
_LINE_BREAKS = re.compile("[\u000b\u000c\u2028\u2029\u0085\r]")
# File names an operating system gives a copy or a new file: "风险管理岗 - 副本", "新建 文本文档 (2)", "x copy".
_COPY_NAME = re.compile(r"副本|复制|新建|未命名|untitled|[ _-]copy\b|^copy of\b|[(（]\d+[)）]$", re.I)
# What `build.py new` leaves for HR to replace (careersite/commands/new.py), in either language.
_PLACEHOLDER = re.compile(r"请改成实际的|replace with the real|^\s*(?:\d+[.、]\s*|-\s+)?(?:负责|responsible for\s*)?……?\s*$",
                          re.I)


def lint_file(source: PositionSource, problems: Problems) -> None:
    """The warnings that depend on this file alone (a build cache keeps them with the file's digest)."""
    text = source.text  # read once by the content stage, not again here
    lint_title(source, problems)
    lint_name(source, problems)
    if not source.fields.get("draft"):
        lint_placeholder(source.path, text, problems)
    is_markdown = source.path.endswith(MARKDOWN_SUFFIXES)
    lint_paste(source.path, text, is_markdown, problems)
    lint_numbering(source.path, text, is_markdown, problems)
    if is_markdown:
        lint_indented(source.path, text, problems)


def lint_dates(config: SiteConfig, sources: list[PositionSource], today: dt.date, problems: Problems) -> None:
    """The warnings that depend on today: closing soon, expired, no closing date."""
    defaults_line = config.lines.get("defaults.closes", 1)
    reported_defaults: set[str] = set()
    for source in sources:
        lint_closing(source, config, today, problems, defaults_line, reported_defaults)
        posted = source.fields.get("posted")
        if posted and posted > today and not source.fields.get("opens"):
            problems.warning(source.path, *source.lines.get("posted", (1, 1)), "posted_future", date=posted.isoformat())


def lint_name(source: PositionSource, problems: Problems) -> None:
    """A file name made by "copy" or "new file": a leftover, or a URL nobody chose."""
    if _COPY_NAME.search(source.stem.strip()):
        title = source.fields.get("title", "")
        problems.warning(source.path, 1, 1, "file_name_copy", name=source.stem, title=title)


def lint_placeholder(path: str, text: str, problems: Problems) -> None:
    """The skeleton's "负责……（请改成实际的职责）" still in a file that is published: an error, a seeker would read it."""
    for number, line in enumerate(text.split("\n"), start=1):
        found = _PLACEHOLDER.search(line)
        if found:
            col = len(line) - len(line.lstrip()) + 1
            problems.error(path, number, col, "skeleton_placeholder", text=_shorten(line.strip(), 30))
            return


def lint_title(source: PositionSource, problems: Problems) -> None:
    title = source.fields.get("title", "")
    if len(title) > MAX_TITLE:
        line, col = source.lines.get("title", (1, 1))
        problems.warning(source.path, line, col, "title_too_long", length=len(title), limit=MAX_TITLE)


def lint_closing(source: PositionSource, config: SiteConfig, today: dt.date, problems: Problems,
                 defaults_line: int, reported_defaults: set[str]) -> None:
    closes = source.fields.get("closes")
    if closes is None:
        closes = config.defaults.get("closes")
        if closes is None:
            line, col = source.lines.get("title", (1, 1))
            problems.warning(source.path, line, col, "closes_missing")
            return
        where = (CONFIG_FILE, defaults_line, 1)  # one warning for the site-wide default, not one a file
    else:
        where = (source.path, *source.lines.get("closes", (1, 1)))
    days = (closes - today).days
    if days < 0:
        msg_id, values = "closes_expired", {"date": closes.isoformat(), "file": source.path}
    elif days <= CLOSING_SOON_DAYS:
        msg_id, values = "closes_soon", {"date": closes.isoformat(), "days": days}
    else:
        return
    if where[0] == CONFIG_FILE:
        msg_id, values = msg_id + "_defaults", {"date": closes.isoformat(), "days": days}
        if msg_id in reported_defaults:
            return
        reported_defaults.add(msg_id)
    problems.warning(*where, msg_id, **values)


def lint_paste(path: str, text: str, is_markdown: bool, problems: Problems, fixes: Fixes | None = None) -> None:
    """One warning per kind of Word artefact, at its first place, with how many there are. FIXES: gets the
    lines `check --fix` cleans (paste_fixed); a kind it cannot clean everywhere is reported without that hint."""
    lines = text.split("\n")
    found_kinds = [(kind, pattern) for kind, pattern in PASTE_MARKS.items() if pattern.search(text)]
    if not found_kinds:  # (no pattern spans lines; most files have none of them)
        return
    cleaned: Fixes = {}
    for number, line, in_yaml in _body_lines(text, is_markdown):
        fixed = paste_fixed(line, not in_yaml)
        if fixed != line:
            cleaned[number] = fixed
    after = "\n".join(cleaned.get(number, line) for number, line in enumerate(lines, start=1))
    for kind, pattern in found_kinds:
        first: tuple[int, int] | None = None
        count = 0
        for number, line in enumerate(lines, start=1):
            found = list(pattern.finditer(line))
            if found and first is None:
                first = (number, found[0].start() + 1)
            count += len(found)
        if first:
            fixable = not pattern.search(after)
            problems.warning(path, *first, "paste_artefact" if fixable else "paste_artefact_manual",
                             what=problems.text(f"paste_{kind}"), count=count)
    if fixes is not None:
        fixes.update(cleaned)


def _body_lines(text: str, is_markdown: bool) -> list[tuple[int, str, bool]]:
    """(line number, text, is front matter/YAML) for every line outside code fences."""
    lines = text.split("\n")
    body_start = 1
    if is_markdown:
        try:
            split = split_front_matter(text)
            body_start = split.body_line if split.front_matter is not None else 1
        except ValueError:
            body_start = 1
    result = []
    fence = None
    for number, line in enumerate(lines, start=1):
        in_yaml = number < body_start or not is_markdown
        marker = None if in_yaml else _FENCE.match(line)
        if fence is None and marker:
            fence = marker[1]
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        result.append((number, line, in_yaml))
    return result


def lint_numbering(path: str, text: str, is_markdown: bool, problems: Problems, fixes: Fixes | None = None) -> None:
    """Numbers run into the text, and numbered lists whose numbers skip or repeat. FIXES: gets the lines whose
    number the page shows as an item ("2对…" -> "2、对…"): the only repair here whose intent is plain."""
    fixes = {} if fixes is None else fixes
    previous: int | None = None
    index = 0  # of a YAML list's item
    for number, line, in_yaml in _body_lines(text, is_markdown):
        if in_yaml:
            item = _YAML_ITEM.sub("", line, count=1)
            index = index + 1 if item != line else (index if line.startswith((" ", "\t")) else 0)
            run_in = _RUN_IN_NUMBER.match(item)
            if run_in and item != line:
                col = len(line) - len(item) + 1
                shown = int(run_in[1]) == index  # "- 2对接系统" as the second item: shown as item 2
                if shown:
                    fixes[number] = line[:col - 1] + _numbered(run_in)
                problems.warning(path, number, col, "numbering_run_in_shown" if shown else "numbering_run_in",
                                 number=run_in[1], text=_shorten(item.strip()), suggestion=_suggest(run_in))
            continue
        if not line.strip():
            continue  # a blank line does not end a Markdown list
        if line.startswith(("    ", "\t")):
            continue  # nested list or code: numbered on its own
        markdown = _MARKDOWN_NUMBER.match(line)
        n = int(markdown[1]) if markdown else pasted_number(line)
        run_in = _RUN_IN_NUMBER.match(line) if n is None else None
        col = len(line) - len(line.lstrip()) + 1
        if run_in:
            n = int(run_in[1])
            # Next in the list above it ("2对…" after "1."): shown as that item (markup.normalize_text), and
            # worth writing as one; a number elsewhere ("10余年…") may be meant as text.
            shown = previous is not None and n == previous + 1
            if shown:
                fixes[number] = line[:col - 1] + _numbered(run_in)
            problems.warning(path, number, col, "numbering_run_in_shown" if shown else "numbering_run_in",
                             number=run_in[1], text=_shorten(line.strip()), suggestion=_suggest(run_in))
            if not shown:  # a paragraph on the page: it ends the list above, and starts none
                previous = None
                continue
        if n is None:
            if not line.startswith(" "):
                previous = None  # a paragraph ends the list
            continue
        if previous is not None:
            if n == previous:
                problems.warning(path, number, col, "numbering_repeat", number=n)
            elif n != previous + 1:
                problems.warning(path, number, col, "numbering_skip", previous=previous, number=n,
                                 expected=previous + 1)
        previous = n


def lint_indented(path: str, text: str, problems: Problems, fixes: Fixes | None = None) -> None:
    """Lines of a Markdown body indented by a tab or four spaces outside a list (pasted from Word or WeChat):
    the page shows them without the indentation (normalize_text says which: never a code block), and so does
    `check --fix` write them. One warning at the first line of each such block."""
    try:
        split = split_front_matter(text)
    except ValueError:
        return
    body = split.body
    if not _INDENTED.search(body) or _IF_COMMENT in body or _LINE_BREAKS.search(body):
        return  # (nothing indented; or line breaks inside lines, which normalize_text counts otherwise)
    lines = body.split("\n")
    for index, line in enumerate(lines):  # "任职要求：1.…": its section's text starts on the heading's line
        inline = _INLINE_HEADING.match(line.strip())
        if inline and section_kind(inline["name"]):
            lines[index] = inline["rest"]
    dedented: list[int] = []
    normalize_text("\n".join(lines), dedented)
    for index in dedented:
        number = split.body_line + index
        if index - 1 not in dedented:
            problems.warning(path, number, 1, "indented_text", text=_shorten(lines[index].strip()))
        if fixes is not None:
            fixes[number] = lines[index].strip()


def _numbered(run_in: re.Match[str]) -> str:
    return f"{run_in[1]}、{run_in['rest'].strip()}"


def _suggest(run_in: re.Match[str]) -> str:
    return f"{run_in[1]}、{run_in['rest'].strip()[:6]}…"


def _shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
