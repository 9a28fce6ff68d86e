"""Text from HR -> safe HTML: normalise pasted Chinese text, render Markdown, sanitise. The one place that knows
how Word and WeChat text differs from Markdown; templates never fix text."""

from __future__ import annotations

import hashlib
import html as _html
import re

import nh3

from .fastpath import markdown_plain, normalize_plain

# Characters that Word and WeChat leave behind and that must never reach a page.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_SPACES = {0x3000: " ", 0x00A0: " ", 0x202F: " ", 0x205F: " "} | {c: " " for c in range(0x2000, 0x200B)}
# Word's manual line break (vertical tab), Unicode line/paragraph separators, form feed.
_BREAKS = re.compile("[\u000b\u000c\u2028\u2029\u0085]")
# Word pastes list bullets from the Symbol and Wingdings fonts as private-use characters.
_SYMBOL_BULLETS = dict.fromkeys(map(ord, "\uf0b7\uf0a7\uf06c\uf06e\uf075\uf076\uf0d8\uf0fc\uf0a8\uf09f"), "•")
# str.translate looks up every character of a Chinese line in these tables: first ask whether it must.
_TRANSLATED = re.compile("[" + "".join(map(chr, {**_INVISIBLE, **_SPACES, **_SYMBOL_BULLETS})) + "]")
# Bounded to one line and 200 characters, so text full of '[bookmark:' without ']' stays linear.
_WORD_ARTEFACTS = re.compile(
    r"\[bookmark:[^\]\n]{0,200}\]"  # [bookmark: _Toc123] from Word's "copy as text"
    r"|\{\\[a-z]+[^}\n]{0,200}\}"  # RTF groups
    r"|<!--\[if [^\]\n]{0,200}\]-->|<!--\[endif\]-->"  # downlevel-revealed conditional comments
    r"|<!--(?:Start|End)Fragment-->"
    r"|</?o:p>"  # Office paragraph tags
    , re.I)
_IF_START, _IF_END = "<!--[if ", "<![endif]-->"
_NBSP_ENTITY = re.compile(r"&nbsp;?", re.I)
_LEAD = re.compile("^[ \t\u3000\u00a0]*")  # a YAML line's indentation, full-width and no-break spaces included

# Pasted numbering that Python-Markdown does not read as a list:
#   1.负责…  1、负责…  1．负责…  （1）负责…  (1)负责…  1）负责…  1)负责…  ①负责…
_INDENT = re.compile(r"^[ \t]*[\u3000\u00a0][\u3000\u00a0 \t]*")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_NUMBERED = re.compile(
    r"^[ \t]*(?:"
    r"(?P<a>\d{1,3})(?:[.．](?!\d)|[、)）])[ \t]*"  # 1.负责 / 1. 负责 (but not 1.5年) / 1、负责 / 1）负责
    r"|[（(](?P<c>\d{1,3})[)）][ \t]*"  # （1）负责
    r"|(?P<e>[" + _CIRCLED + r"])[ \t]*"  # ①负责
    r")(?P<rest>\S.*)$"
)
# Bullets as pasted (• 负责, ●负责, -负责) and Markdown list lines that are already fine.
_BULLET = re.compile(r"^[ \t]*(?:[•●·▪■◆◇○◦‣⁃▶►]|-(?=[\u3400-\u9fff（“《【]))[ \t]*(?P<rest>\S.*)$")
_MARKDOWN_ITEM = re.compile(r"^ {0,3}(?:\d{1,9}\.|[-*+])[ \t]+\S")
_ITEM_NUMBER = re.compile(r"^ {0,3}(\d{1,9})\.[ \t]+\S")
# "2对互联网…": a number run into the text because the "、" or "." was lost. Not "3年以上…".
_RUN_IN_NUMBER = re.compile(
    r"^[ \t]*(\d{1,2})[ \t]*(?=[\u4e00-\u9fff])(?![年月日号个名人位岁万千百亿元天周小时分秒次倍级届类项期批层])(?P<rest>.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def pasted_number(line: str) -> int | None:
    """The number of a line written as a pasted list item (1、… （1）… ①…), or None."""
    if not (match := _NUMBERED.match(line)):
        return None
    return _CIRCLED.index(match["e"]) + 1 if match["e"] else int(match["a"] or match["c"])


def _clean_line(line: str) -> str:
    """One line of prose: what Word and WeChat leave in it (paste_fixed), pasted numbering and bullets -> Markdown."""
    line = paste_fixed(line, True).rstrip()
    if line.startswith(("    ", "\t")) or _MARKDOWN_ITEM.match(line):
        return line  # a nested list, an indented code block, or a list that is already Markdown
    if number := _NUMBERED.match(line):
        return f"{pasted_number(line)}. {number['rest'].strip()}"
    return f"- {bullet['rest'].strip()}" if (bullet := _BULLET.match(line)) else line


def paste_fixed(line: str, markdown: bool) -> str:
    """LINE cleaned as normalize_text cleans it, as `check --fix` writes it. A YAML line (not MARKDOWN) keeps its
    line breaks and indentation, but for full-width and no-break spaces: YAML reads them itself."""
    if markdown and _BREAKS.search(line):
        return "\n".join(paste_fixed(part, True) for part in _BREAKS.split(line))
    line = _strip_artefacts(line.translate(_INVISIBLE) if _TRANSLATED.search(line) else line)
    if markdown:
        line = _INDENT.sub("", line)
    else:
        line = _LEAD.sub(lambda lead: lead[0].replace("\u3000", "").replace("\u00a0", ""), line, count=1)
    line = _NBSP_ENTITY.sub(" ", line)
    return line.translate(_SPACES).translate(_SYMBOL_BULLETS) if _TRANSLATED.search(line) else line


def _strip_conditional_comments(text: str) -> str:
    """Remove Word's <!--[if ...]>...<![endif]--> blocks in one pass (a regex with .*? is quadratic
    on text full of unclosed openings)."""
    out, pos = [], 0
    while (start := text.find(_IF_START, pos)) != -1 and (end := text.find(_IF_END, start)) != -1:
        out.append(text[pos:start] + "\n")  # not nothing: the text either side must not join into a new comment
        pos = end + len(_IF_END)
    return "".join(out) + text[pos:]


def _strip_artefacts(line: str) -> str:
    """Remove Word artefacts until none is left: '[book' + '[bookmark: x]' + 'mark: y]' must not
    leave a new artefact behind, or cleaning twice would differ from cleaning once."""
    while (cleaned := _WORD_ARTEFACTS.sub("", line)) != line:
        line = cleaned
    return line


def normalize_text(text: str, dedented: list[int] | None = None) -> str:
    """Clean pasted text and turn pasted numbering into Markdown lists, as HR meant it. Idempotent.
    DEDENTED: gets the index of each line whose pasted indentation was dropped (lint.lint_indented).

    - "1、" "（1）" "①" and bullets become Markdown items; "2对…" right after item 1 is item 2;
    - a line indented by a tab or four spaces outside a list is text (never a code block: positions have
      none; a fenced block is left exactly as written), inside a list it stays nested;
    - a bullet list right after a numbered one (or the other way round) is a list of its own.
    """
    if (plain := normalize_plain(text)) is not None:
        return plain  # one line of plain text is already normal (tests/test_fastpath.py)
    text = _BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_INVISIBLE) if _TRANSLATED.search(text) else text
    text = _strip_conditional_comments(text)  # Word's conditional comments can span lines
    out: list[str] = []
    fence: str | None = None
    in_list, number, ordered = False, 0, False  # in a list; its last item's number; whether it is numbered
    dedenting = False  # in a block of indented lines that came outside a list
    for index, line in enumerate(text.split("\n")):
        if fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        # Cleaned first, so a fence hidden behind an artefact or an indent is seen the same way twice.
        line = _clean_line(line)
        indented = line.startswith(("    ", "\t")) and bool(line.strip())
        if indented and (dedenting or not in_list):
            line, dedenting = _clean_line(line.strip()), True  # pasted indentation, not a code block
            if dedented is not None:
                dedented.append(index)
        elif not indented:
            dedenting = False
        run_in = _RUN_IN_NUMBER.match(line) if in_list and ordered and not _MARKDOWN_ITEM.match(line) else None
        if run_in and int(run_in[1]) == number + 1:
            line = f"{number + 1}. {run_in['rest'].strip()}"
        previous = out[-1] if out else ""
        if marker := _FENCE.match(line):
            fence, in_list = marker[1], False
        # Python-Markdown needs a blank line between a paragraph and the list after it, and reads an
        # unindented line after a list as part of the last item: a pasted line is a paragraph of its own.
        elif _MARKDOWN_ITEM.match(line):
            item = _ITEM_NUMBER.match(line)
            if previous.strip() and (not in_list or ordered != bool(item)) \
                    and not previous.lstrip().startswith(("#", "|")):
                out.append("")  # a new list: after a paragraph, or of the other kind
            in_list, ordered, number = True, bool(item), int(item[1]) if item else 0
        elif line and not line.startswith((" ", "\t")):
            if previous.strip() and in_list:
                out.append("")
            in_list = False
        out.append(line)
    return "\n".join(out).strip("\n")


def clean_lines(text: str) -> list[str]:
    """TEXT's lines without Word artefacts, invisible characters or odd spaces, each with its spaces
    collapsed: the cleaning of normalize_text without its list and Markdown rules (for table cells)."""
    text = _BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _strip_conditional_comments(text.translate(_INVISIBLE))
    return [" ".join(_NBSP_ENTITY.sub(" ", _strip_artefacts(line)).translate(_SPACES).split())
            for line in text.split("\n")]


def items_to_markdown(items: tuple[str, ...] | list[str]) -> str:
    """A YAML list of duties or requirements as a Markdown ordered list (one item a line)."""
    cleaned = []
    for item in items:
        # An item written "1. 负责…" in YAML keeps its text, not a nested list; so does "2对…" as item 2.
        one = re.sub(r"^(\d+)\.\s+", "", normalize_text(item))
        if (run_in := _RUN_IN_NUMBER.match(one)) and int(run_in[1]) == len(cleaned) + 1:
            one = run_in["rest"].strip()
        one = " ".join(part.strip() for part in one.split("\n") if part.strip())
        if one:
            cleaned.append(one)
    return "\n".join(f"{n}. {item}" for n, item in enumerate(cleaned, start=1))


ALLOWED_TAGS = set("p br strong em b i u s del ins mark small sub sup ul ol li dl dt dd h3 h4 h5 h6 blockquote code "
                   "pre hr a table thead tbody tr th td abbr".split())
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}  # and relative URLs; mailto links are checked again (mailto.py)


def sanitize(html: str) -> str:
    """Remove anything that could run script or load third-party content. Applied to the final HTML of
    every text: nothing is substituted into it afterwards."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


# Python-Markdown is quadratic in the inline markup of one paragraph or list item (it scans ahead from every
# '[' and '<', and rebuilds the text at every match), and slow per match overall (docs/security.md). No real
# position comes near these limits; a paragraph or item past them is shown as plain text instead.
MAX_BRACKETS_PER_UNIT = 50  # '[' in one paragraph or item
MAX_MARKUP_PER_UNIT = 500  # markup characters in one paragraph or item
MARKUP_BUDGET = 20_000  # markup characters rendered as Markdown in one document
SCAN_BUDGET = 2_000_000  # '[' count times paragraph length, summed over one document
MAX_QUOTE_DEPTH = 5  # '>>>>>' nests quotes, and each level re-parses the text
MAX_NESTING = 12  # list markers and indentation levels at a line's start: Python-Markdown recurses per level
QUOTE_BUDGET = 1_000  # quoted lines in one document
UNIT_BUDGET = 20_000  # paragraphs and items in one document (10,000 list items still render)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t>]*")
_MARKUP_CHARS = "[<*_`&\\!"
_UNIT_START = re.compile(r"^(?:[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|[ \t]{0,3}(?:#|\||>))")
_LEADING_MARKS = re.compile(r"[ \t]*(?:(?:[-*+>]|\d{1,9}[.)])(?:[ \t]+|$))*")
_PLAIN = "careersiteplain{}n{}x"  # letters and digits only: Markdown leaves it alone
_PLAIN_TOKEN = re.compile(r"careersiteplain[0-9a-f]{16}n\d+x")


def nesting(line: str) -> int:
    """How deep LINE nests lists and quotes: its list and quote markers, and its indentation (2 columns a level)."""
    lead = _LEADING_MARKS.match(line)[0]
    indent = len(line) - len(line.lstrip(" \t"))
    return len(re.findall(r"[-*+>]|\d{1,9}[.)]", lead)) + line[:indent].expandtabs(4).count(" ") // 2


def defuse_markup(text: str) -> tuple[str, dict[str, str]]:
    """TEXT with over-marked paragraphs and items replaced by tokens, and {token: their plain text}. Once a
    document budget is spent, everything after that point is one plain-text token."""
    brackets = text.count("[")
    marks = brackets + sum(text.count(c) for c in _MARKUP_CHARS[1:])
    deep = max(map(nesting, text.split("\n"))) > MAX_NESTING
    if brackets <= MAX_BRACKETS_PER_UNIT and marks <= MAX_MARKUP_PER_UNIT and text.count(">") <= MAX_QUOTE_DEPTH \
            and brackets * len(text) <= SCAN_BUDGET and text.count("\n") < UNIT_BUDGET and not deep:
        return text, {}  # every real position: nothing to count per paragraph
    # Named by the text itself: a token written in the text cannot be one of its own document's.
    nonce = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    units: list[list[str]] = []
    for line in text.split("\n"):
        if not units or not line.strip() or not units[-1][-1].strip() or _UNIT_START.match(line):
            units.append([line])
        else:
            units[-1].append(line)
    plain: dict[str, str] = {}
    out: list[str] = []
    used_marks = used_scan = used_quotes = 0

    def as_plain(joined: str, prefix: str = "") -> None:
        token = _PLAIN.format(nonce, len(plain))
        plain[token] = joined[len(prefix):]
        out.append(prefix + token)

    for n, unit in enumerate(units):
        joined = "\n".join(unit)
        brackets = joined.count("[")
        marks = brackets + sum(joined.count(c) for c in _MARKUP_CHARS[1:])
        quote = _QUOTE.match(joined)
        if brackets > MAX_BRACKETS_PER_UNIT or marks > MAX_MARKUP_PER_UNIT or \
                (quote is not None and quote[0].count(">") > MAX_QUOTE_DEPTH) or \
                (deep and max(map(nesting, unit)) > MAX_NESTING):
            marker = _UNIT_START.match(unit[0])
            as_plain(joined, marker[0] if marker and not marker[0].lstrip().startswith(("#", "|", ">")) else "")
            continue
        used_marks += marks
        used_scan += brackets * len(joined)
        used_quotes += len(unit) if quote else 0
        if used_marks > MARKUP_BUDGET or used_scan > SCAN_BUDGET or used_quotes > QUOTE_BUDGET or n >= UNIT_BUDGET:
            out.append("")  # the rest starts a paragraph of its own
            as_plain("\n".join("\n".join(u) for u in units[n:]))
            break
        out.append(joined)
    return "\n".join(out), plain


class Renderer:
    """One Markdown instance reused with reset(): building it costs more than rendering a section."""

    def __init__(self) -> None:
        import markdown  # here: a build that finds nothing changed never needs it

        self._md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")

    def render(self, text: str, *, normalize: bool = True) -> str:
        """Markdown (as HR writes it) -> sanitised HTML."""
        source = normalize_text(text) if normalize else text
        if not source.strip():
            return ""
        html = markdown_plain(source) if source.count("\n") < UNIT_BUDGET else None  # plain text: no parser
        if html is not None:  # only allow-listed characters, and already what Markdown + nh3 would make of them
            return html       # (tests/test_fastpath.py): sanitising it again changes nothing
        source, plain = defuse_markup(source)
        try:
            html = self._md.reset().convert(source)
        except RecursionError:  # a nesting the budgets above did not foresee: shown as the text it is
            html, plain = "<p>" + _html.escape(source).replace("\n", "<br>\n") + "</p>", plain
        if plain:  # the over-marked parts, as escaped text, before sanitising (even inside attributes)
            html = _PLAIN_TOKEN.sub(lambda m: _html.escape(plain.get(m[0], m[0])).replace("\n", "<br>\n"), html)
        return sanitize(html)
