"""Text from HR -> safe HTML: normalise pasted Chinese text, render Markdown, sanitise.

The one place that knows how Word and WeChat text differs from Markdown; templates never fix text.
"""

from __future__ import annotations

import html as _html
import re

import markdown
import nh3

# Characters that Word and WeChat leave behind and that must never reach a page.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = {0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x202F: " "}
# Bounded to one line and 200 characters, so text full of '[bookmark:' without ']' stays linear.
# Each artefact is replaced by a line break, never by nothing: '[book' + '[bookmark: x]' + 'mark: y]'
# must not join into a new artefact, or cleaning twice would differ from cleaning once.
_WORD_ARTEFACTS = re.compile(r"\[bookmark:[^\]\n]{0,200}\]|\{\\[a-z]+[^}\n]{0,200}\}")
_IF_START, _IF_END = "<!--[if ", "<![endif]-->"

# Pasted numbering that Python-Markdown does not read as a list:
#   1.负责…  1、负责…  1．负责…  （1）负责…  (1)负责…  1）负责…  1)负责…  ①负责…
_INDENT = re.compile(r"^[ \t]*[\u3000\u00a0][\u3000\u00a0 \t]*", re.M)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_NUMBERED = re.compile(
    r"^[ \t]*(?:"
    r"(?P<a>\d{1,3})[.．](?!\d)[ \t]*"  # 1.负责 / 1. 负责 (but not 1.5年)
    r"|(?P<b>\d{1,3})[、][ \t]*"  # 1、负责
    r"|[（(](?P<c>\d{1,3})[)）][ \t]*"  # （1）负责
    r"|(?P<d>\d{1,3})[)）][ \t]*"  # 1）负责
    r"|(?P<e>[" + _CIRCLED + r"])[ \t]*"  # ①负责
    r")(?P<rest>\S.*)$"
)
_BULLET = re.compile(r"^[ \t]*[•●·▪■◆◇○\-*+][ \t]*(?P<rest>[^\s\-*+].*)$")
_LIST_LINE = re.compile(r"^\s*(?:\d+\.|[-*+])\s")


def _strip_conditional_comments(text: str) -> str:
    """Remove Word's <!--[if ...]>...<![endif]--> blocks in one pass (a regex with .*? is quadratic
    on text full of unclosed openings)."""
    out: list[str] = []
    pos = 0
    while (start := text.find(_IF_START, pos)) != -1:
        end = text.find(_IF_END, start)
        if end == -1:
            break  # no later opening can be closed either
        out.append(text[pos:start])
        out.append("\n")  # see _WORD_ARTEFACTS
        pos = end + len(_IF_END)
    out.append(text[pos:])
    return "".join(out)


def normalize_text(text: str) -> str:
    """Clean pasted text and turn pasted numbering into Markdown lists. Idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = _WORD_ARTEFACTS.sub("\n", _strip_conditional_comments(text))
    # Full-width indentation (　　) is how Word and WeChat start a paragraph; in Markdown four
    # leading spaces would make it a code block, so it goes before spaces are normalised.
    text = _INDENT.sub("", text)
    text = text.translate(_SPACES)
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        number = _NUMBERED.match(line)
        if number:
            digits = number["a"] or number["b"] or number["c"] or number["d"]
            n = int(digits) if digits else _CIRCLED.index(number["e"]) + 1
            line = f"{n}. {number['rest'].strip()}"
        else:
            bullet = _BULLET.match(line)
            if bullet and not line.lstrip().startswith(("---", "***")):
                line = f"- {bullet['rest'].strip()}"
            else:
                line = line.strip(" ") if not line.startswith(("    ", "\t")) else line
        # Python-Markdown needs a blank line between a paragraph and the list that follows it.
        if _LIST_LINE.match(line) and out and out[-1].strip() and not _LIST_LINE.match(out[-1]) \
                and not out[-1].lstrip().startswith("#"):
            out.append("")
        out.append(line)
    return "\n".join(out).strip("\n")


def items_to_markdown(items: tuple[str, ...] | list[str]) -> str:
    """A YAML list of duties or requirements as a Markdown ordered list (one item a line)."""
    cleaned = []
    for item in items:
        one = normalize_text(item)
        # An item written "1. 负责…" in YAML keeps its text, not a nested list.
        one = re.sub(r"^(\d+)\.\s+", "", one)
        one = " ".join(part.strip() for part in one.split("\n") if part.strip())
        if one:
            cleaned.append(one)
    return "\n".join(f"{n}. {item}" for n, item in enumerate(cleaned, start=1))


ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
    "ul", "ol", "li", "dl", "dt", "dd", "h3", "h4", "h5", "h6", "blockquote", "code", "pre", "hr",
    "a", "table", "thead", "tbody", "tr", "th", "td", "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize(html: str) -> str:
    """Remove anything that could run script or load third-party content."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


# Python-Markdown is quadratic in the inline markup of one paragraph or list item (it scans ahead
# from every '[' and '<', and rebuilds the text at every match: 4,000 '[bookmark: ' took 38 s), and
# slow per match overall (1 MB of '*a*' took 8 s). No real position comes near these limits (the
# seed positions have none); a paragraph or item past them is shown as plain text instead, so a
# hostile 1 MB file renders in about a second.
MAX_BRACKETS_PER_UNIT = 50  # '[' in one paragraph or item
MAX_MARKUP_PER_UNIT = 500  # markup characters in one paragraph or item
MARKUP_BUDGET = 20_000  # markup characters rendered as Markdown in one document
SCAN_BUDGET = 2_000_000  # '[' count times paragraph length, summed over one document
MAX_QUOTE_DEPTH = 5  # '>>>>>' nests quotes, and each level re-parses the text
QUOTE_BUDGET = 1_000  # quoted lines in one document
UNIT_BUDGET = 20_000  # paragraphs and items in one document (10,000 list items still render)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t>]*")
_MARKUP_CHARS = "[<*_`&\\!"
_UNIT_START = re.compile(r"^(?:[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|[ \t]{0,3}(?:#|\||>))")
_PLAIN = "careersiteplaintext{}x"  # letters only: Markdown leaves it alone
_PLAIN_TOKEN = re.compile(r"careersiteplaintext\d+x")


def defuse_markup(text: str) -> tuple[str, dict[str, str]]:
    """TEXT with over-marked paragraphs and items replaced by tokens, and {token: their plain text}.

    Once a document budget is spent, everything after that point is one plain-text token.
    """
    brackets = text.count("[")
    marks = brackets + sum(text.count(c) for c in _MARKUP_CHARS[1:])
    if brackets <= MAX_BRACKETS_PER_UNIT and marks <= MAX_MARKUP_PER_UNIT and text.count(">") <= MAX_QUOTE_DEPTH \
            and brackets * len(text) <= SCAN_BUDGET and text.count("\n") < UNIT_BUDGET:
        return text, {}  # every real position: nothing to count per paragraph
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
        token = _PLAIN.format(len(plain))
        plain[token] = joined[len(prefix):]
        out.append(prefix + token)

    for n, unit in enumerate(units):
        joined = "\n".join(unit)
        brackets = joined.count("[")
        marks = brackets + sum(joined.count(c) for c in _MARKUP_CHARS[1:])
        quote = _QUOTE.match(joined)
        if brackets > MAX_BRACKETS_PER_UNIT or marks > MAX_MARKUP_PER_UNIT or \
                (quote is not None and quote[0].count(">") > MAX_QUOTE_DEPTH):
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
        self._md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")

    def render(self, text: str, *, normalize: bool = True) -> str:
        """Markdown (as HR writes it) -> sanitised HTML."""
        source = normalize_text(text) if normalize else text
        if not source.strip():
            return ""
        source, plain = defuse_markup(source)
        html = sanitize(self._md.reset().convert(source))
        if plain:  # after sanitising, in one pass: escaped text cannot become markup
            html = _PLAIN_TOKEN.sub(lambda m: _html.escape(plain.get(m[0], m[0])).replace("\n", "<br>\n"), html)
        return html

    def render_inline(self, text: str) -> str:
        """One line of Markdown without the surrounding <p>."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html
