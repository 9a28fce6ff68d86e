"""Text from HR -> safe HTML: normalise pasted Chinese text, render Markdown, sanitise.

The one place that knows how Word and WeChat text differs from Markdown; templates never fix text.
"""

from __future__ import annotations

import re

import markdown
import nh3

# Characters that Word and WeChat leave behind and that must never reach a page.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_SPACES = {0x3000: " ", 0x00A0: " ", 0x202F: " ", 0x205F: " "} | {c: " " for c in range(0x2000, 0x200B)}
# Word's manual line break (vertical tab), Unicode line/paragraph separators, form feed.
_BREAKS = re.compile("[\u000b\u000c\u2028\u2029\u0085]")
# Word pastes list bullets from the Symbol and Wingdings fonts as private-use characters.
_SYMBOL_BULLETS = dict.fromkeys(map(ord, "\uf0b7\uf0a7\uf06c\uf06e\uf075\uf076\uf0d8\uf0fc\uf0a8\uf09f"), "•")
_WORD_BLOCKS = re.compile(r"<!--\[if [^\]]*\]>.*?<!\[endif\]-->", re.S | re.I)  # conditional comments
_WORD_ARTEFACTS = re.compile(
    r"\[bookmark:\s*[^\]]*\]"  # [bookmark: _Toc123] from Word's "copy as text"
    r"|\{\\[a-z]+[^}]*\}"  # RTF groups
    r"|<!--\[if [^\]]*\]-->|<!--\[endif\]-->"  # ... and their downlevel-revealed form
    r"|<!--(?:Start|End)Fragment-->"
    r"|</?o:p>"  # Office paragraph tags
    , re.S | re.I)
_NBSP_ENTITY = re.compile(r"&nbsp;?", re.I)

# Pasted numbering that Python-Markdown does not read as a list:
#   1.负责…  1、负责…  1．负责…  （1）负责…  (1)负责…  1）负责…  1)负责…  ①负责…
_INDENT = re.compile(r"^[ \t]*[\u3000\u00a0][\u3000\u00a0 \t]*")
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
# Bullets as pasted (• 负责, ●负责, -负责) and Markdown list lines that are already fine.
_BULLET = re.compile(r"^[ \t]*(?:[•●·▪■◆◇○◦‣⁃▶►]|-(?=[\u3400-\u9fff（“《【]))[ \t]*(?P<rest>\S.*)$")
_MARKDOWN_ITEM = re.compile(r"^ {0,3}(?:\d{1,9}\.|[-*+])[ \t]+\S")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def pasted_number(line: str) -> int | None:
    """The number of a line written as a pasted list item (1、… （1）… ①…), or None."""
    match = _NUMBERED.match(line)
    if not match:
        return None
    digits = match["a"] or match["b"] or match["c"] or match["d"]
    return int(digits) if digits else _CIRCLED.index(match["e"]) + 1


def _clean_line(line: str) -> str:
    """One line of prose: pasted indentation, odd spaces and bullets -> plain Markdown."""
    line = _INDENT.sub("", line)
    line = _NBSP_ENTITY.sub(" ", line).translate(_SPACES).translate(_SYMBOL_BULLETS).rstrip()
    if line.startswith(("    ", "\t")) or _MARKDOWN_ITEM.match(line):
        return line  # a nested list, an indented code block, or a list that is already Markdown
    number = _NUMBERED.match(line)
    if number:
        return f"{pasted_number(line)}. {number['rest'].strip()}"
    bullet = _BULLET.match(line)
    if bullet:
        return f"- {bullet['rest'].strip()}"
    return line


def _is_list_line(line: str) -> bool:
    return bool(_MARKDOWN_ITEM.match(line))


def normalize_text(text: str) -> str:
    """Clean pasted text and turn pasted numbering into Markdown lists. Idempotent.

    Fenced code blocks are left exactly as written; so are lines indented by four spaces or a tab.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BREAKS.sub("\n", text).translate(_INVISIBLE)
    text = _WORD_BLOCKS.sub("", text)  # Word's conditional comments can span lines
    out: list[str] = []
    fence: str | None = None
    in_list = False
    for line in text.split("\n"):
        if fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        # Cleaned first, so a fence hidden behind an artefact or an indent is seen the same way twice.
        line = _clean_line(_WORD_ARTEFACTS.sub("", line))
        marker = _FENCE.match(line)
        previous = out[-1] if out else ""
        if marker:
            fence, in_list = marker[1], False
        # Python-Markdown needs a blank line between a paragraph and the list after it, and reads an
        # unindented line after a list as part of the last item: a pasted line is a paragraph of its own.
        elif _is_list_line(line):
            if previous.strip() and not in_list and not previous.lstrip().startswith(("#", "|")):
                out.append("")
            in_list = True
        elif line and not line.startswith((" ", "\t")):
            if previous.strip() and in_list:
                out.append("")
            in_list = False
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
        html = self._md.reset().convert(source)
        return sanitize(html)

    def render_inline(self, text: str) -> str:
        """One line of Markdown without the surrounding <p>."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html
