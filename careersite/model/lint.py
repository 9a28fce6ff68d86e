"""Sources that passed their own checks -> warnings for things worth a look: long titles, closing dates, broken
numbering, Word paste. Read from the raw file text, so they point at what HR wrote; they never change the site."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import Problems
from ..load.config import CONFIG_FILE, SiteConfig
from ..load.content import _INLINE_HEADING, MARKDOWN_SUFFIXES, PositionSource, section_kind
from ..load.frontmatter import split_front_matter
from .markup import _FENCE, _IF_START, _ITEM_NUMBER, _RUN_IN_NUMBER, normalize_text, paste_fixed, pasted_number

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
_YAML_ITEM = re.compile(r"^[ \t]*-[ \t]+")
_INDENTED = re.compile(r"(?m)^(?:    |\t)[ \t]*\S")
_LINE_BREAKS = re.compile("[\u000b\u000c\u2028\u2029\u0085\r]")
# File names an operating system gives a copy or a new file: "风险管理岗 - 副本", "新建 文本文档 (2)", "x copy".
_COPY_NAME = re.compile(r"副本|复制|新建|未命名|untitled|[ _-]copy\b|^copy of\b|[(（]\d+[)）]$", re.I)
# What `build.py new` leaves for HR to replace (careersite/commands/new.py), in either language.
_PLACEHOLDER = re.compile(r"请改成实际的|replace with the real|^\s*(?:\d+[.、]\s*|-\s+)?(?:负责|responsible for\s*)?……?\s*$",
                          re.I)


def lint_file(source: PositionSource, problems: Problems) -> None:
    """The warnings that depend on this file alone (a build cache keeps them with the file's digest)."""
    path, text, title = source.path, source.text, source.fields.get("title", "")
    if len(title) > MAX_TITLE:
        problems.warning(path, *source.lines.get("title", (1, 1)), "title_too_long", length=len(title), limit=MAX_TITLE)
    if _COPY_NAME.search(source.stem.strip()):  # a leftover, or a URL nobody chose
        problems.warning(path, 1, 1, "file_name_copy", name=source.stem, title=title)
    if not source.fields.get("draft"):  # a seeker would read the skeleton's placeholders: an error
        for number, line in enumerate(text.split("\n"), start=1):
            if _PLACEHOLDER.search(line):
                col = len(line) - len(line.lstrip()) + 1
                problems.error(path, number, col, "skeleton_placeholder", text=_shorten(line.strip(), 30))
                break
    is_markdown = path.endswith(MARKDOWN_SUFFIXES)
    lint_paste(path, text, is_markdown, problems)
    lint_numbering(path, text, is_markdown, problems)
    if is_markdown:
        lint_indented(path, text, problems)


def closing_warning(closes: dt.date, today: dt.date) -> str | None:
    days = (closes - today).days
    return "closes_expired" if days < 0 else "closes_soon" if days <= CLOSING_SOON_DAYS else None


def lint_dates(config: SiteConfig, sources: list[PositionSource], today: dt.date, problems: Problems) -> None:
    """The warnings that depend on today: closing soon, expired, no closing date, posted in the future."""
    default = config.defaults.get("closes")
    for source in sources:
        if (closes := source.fields.get("closes")) is None and default is None:
            problems.warning(source.path, *source.lines.get("title", (1, 1)), "closes_missing")
        elif closes is not None and (msg_id := closing_warning(closes, today)):
            problems.warning(source.path, *source.lines.get("closes", (1, 1)), msg_id, date=closes.isoformat(),
                             days=(closes - today).days, file=source.path)
        if (posted := source.fields.get("posted")) and posted > today and not source.fields.get("opens"):
            problems.warning(source.path, *source.lines.get("posted", (1, 1)), "posted_future", date=posted.isoformat())
    if default is not None and (msg_id := closing_warning(default, today)) \
            and any(source.fields.get("closes") is None for source in sources):  # once, not once a file
        problems.warning(CONFIG_FILE, config.lines.get("defaults.closes", 1), 1, msg_id + "_defaults",
                         date=default.isoformat(), days=(default - today).days)


def lint_paste(path: str, text: str, is_markdown: bool, problems: Problems, fixes: Fixes | None = None) -> None:
    """One warning per kind of Word artefact, at its first place, with how many there are. FIXES: gets the
    lines `check --fix` cleans (paste_fixed); a kind it cannot clean everywhere is reported without that hint."""
    lines = text.split("\n")
    found_kinds = [(kind, pattern) for kind, pattern in PASTE_MARKS.items() if pattern.search(text)]
    if not found_kinds:  # (no pattern spans lines; most files have none of them)
        return
    fixed = ((number, line, paste_fixed(line, not in_yaml)) for number, line, in_yaml in _body_lines(text, is_markdown))
    cleaned: Fixes = {number: new for number, line, new in fixed if new != line}
    after = "\n".join(cleaned.get(number, line) for number, line in enumerate(lines, start=1))
    for kind, pattern in found_kinds:
        found = [(number, m.start() + 1) for number, line in enumerate(lines, start=1) for m in pattern.finditer(line)]
        problems.warning(path, *found[0], "paste_artefact_manual" if pattern.search(after) else "paste_artefact",
                         what=problems.text(f"paste_{kind}"), count=len(found))
    if fixes is not None:
        fixes.update(cleaned)


def _body_lines(text: str, is_markdown: bool) -> list[tuple[int, str, bool]]:
    """(line number, text, is front matter/YAML) for every line outside code fences."""
    try:
        body_start = split_front_matter(text).body_line if is_markdown else float("inf")
    except ValueError:  # front matter never closed: all of it is the body
        body_start = 1
    result, fence = [], None
    for number, line in enumerate(text.split("\n"), start=1):
        in_yaml = number < body_start
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
        elif not in_yaml and (marker := _FENCE.match(line)):
            fence = marker[1]
        else:
            result.append((number, line, in_yaml))
    return result


def lint_numbering(path: str, text: str, is_markdown: bool, problems: Problems, fixes: Fixes | None = None) -> None:
    """Numbers run into the text, and numbered lists whose numbers skip or repeat. FIXES: gets the lines whose
    number the page shows as an item ("2对…" -> "2、对…"): the only repair here whose intent is plain."""
    fixes = {} if fixes is None else fixes

    def run_in_found(number: int, line: str, col: int, run_in: re.Match[str], shown: bool) -> None:
        rest = run_in["rest"].strip()
        if shown:
            fixes[number] = f"{line[:col - 1]}{run_in[1]}、{rest}"
        problems.warning(path, number, col, "numbering_run_in_shown" if shown else "numbering_run_in",
                         number=run_in[1], text=_shorten(line[col - 1:].strip()), suggestion=f"{run_in[1]}、{rest[:6]}…")

    previous: int | None = None
    index = 0  # of a YAML list's item
    for number, line, in_yaml in _body_lines(text, is_markdown):
        if in_yaml:
            item = _YAML_ITEM.sub("", line, count=1)
            index = index + 1 if item != line else (index if line.startswith((" ", "\t")) else 0)
            if item != line and (run_in := _RUN_IN_NUMBER.match(item)):  # "- 2对接系统" as item 2: shown as item 2
                run_in_found(number, line, len(line) - len(item) + 1, run_in, int(run_in[1]) == index)
            continue
        if not line.strip() or line.startswith(("    ", "\t")):
            continue  # a blank line does not end a Markdown list; a nested list or code is numbered on its own
        n = int(markdown[1]) if (markdown := _ITEM_NUMBER.match(line)) else pasted_number(line)
        run_in = _RUN_IN_NUMBER.match(line) if n is None else None
        col = len(line) - len(line.lstrip()) + 1
        if run_in:
            n = int(run_in[1])
            # Next in the list above it ("2对…" after "1."): shown as that item (markup.normalize_text), and
            # worth writing as one; a number elsewhere ("10余年…") may be meant as text.
            shown = previous is not None and n == previous + 1
            run_in_found(number, line, col, run_in, shown)
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
    if not _INDENTED.search(body) or _IF_START in body or _LINE_BREAKS.search(body):
        return  # (nothing indented; or line breaks inside lines, which normalize_text counts otherwise)
    lines = body.split("\n")
    for index, line in enumerate(lines):  # "任职要求：1.…": its section's text starts on the heading's line
        if (inline := _INLINE_HEADING.match(line.strip())) and section_kind(inline["name"]):
            lines[index] = inline["rest"]
    dedented: list[int] = []
    normalize_text("\n".join(lines), dedented)
    for index in dedented:
        number = split.body_line + index
        if index - 1 not in dedented:
            problems.warning(path, number, 1, "indented_text", text=_shorten(lines[index].strip()))
        if fixes is not None:
            fixes[number] = lines[index].strip()


def _shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
