"""Text from HR -> safe HTML: normalise pasted Chinese text, render Markdown, sanitise.

The one place that knows how Word and WeChat text differs from Markdown; templates never fix text.
"""

from __future__ import annotations

import re

import markdown
import nh3

from .fastpath import markdown_plain, normalize_plain

# Characters that Word and WeChat leave behind and that must never reach a page.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = {0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x202F: " "}
_WORD_ARTEFACTS = re.compile(r"\[bookmark:\s*[^\]]*\]|\{\\[a-z]+[^}]*\}|<!--\[if [^\]]*\]>.*?<!\[endif\]-->", re.S)

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
# Anything the cleaning steps below would change (\r, invisible characters, Word artefacts, odd spaces).
_NEEDS_CLEANING = re.compile("[\r\\[{<" + "".join(map(chr, _INVISIBLE)) + "".join(map(chr, _SPACES)) + "]")


def normalize_text(text: str) -> str:
    """Clean pasted text and turn pasted numbering into Markdown lists. Idempotent."""
    plain = normalize_plain(text)
    if plain is not None:  # one line of plain text is already normal
        return plain
    if _NEEDS_CLEANING.search(text):  # most text has nothing to clean; translate() is slow
        text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
        text = _WORD_ARTEFACTS.sub("", text)
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


class Renderer:
    """One Markdown instance reused with reset(): building it costs more than rendering a section."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")

    def render(self, text: str, *, normalize: bool = True) -> str:
        """Markdown (as HR writes it) -> sanitised HTML."""
        source = normalize_text(text) if normalize else text
        if not source.strip():
            return ""
        fast = markdown_plain(source)
        if fast is not None:  # plain paragraphs and lists: the same bytes without the parser
            return fast
        html = self._md.reset().convert(source)
        return sanitize(html)

    def render_inline(self, text: str) -> str:
        """One line of Markdown without the surrounding <p>."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html
