"""Split a position file into YAML front matter and body, and read YAML into located values: only composed, so no
tag runs code, aliases are refused before they expand, duplicate keys are caught, and every value keeps its place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is several times faster; same node graph
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from ..errors import Problems
from .fields import Located

_TAG = "tag:yaml.org,2002:"
_KINDS = {_TAG + tag: kind for tag, kind in (("str", "str"), ("int", "int"), ("float", "float"), ("bool", "bool"),
                                             ("null", "null"), ("timestamp", "date"), ("seq", "list"), ("map", "map"))}
_BOOL_WORDS = {"yes": True, "true": True, "on": True, "y": True, "no": False, "false": False, "off": False, "n": False}

# A position is small: a bound on nodes stops hostile files long before memory is at risk.
MAX_NODES = 100_000
# Deeper nesting is refused before parsing: libyaml recurses once a level (50,000 '[' crash the process).
MAX_DEPTH = 40
# Characters YAML reads as line breaks but editors show inside a line: the parser's line numbers would be wrong.
_YAML_BREAKS = re.compile("[\u0085\u2028\u2029]")
_BREAK_NAMES = {"\u0085": "NEL", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}

# What YAML 1.1 allows in a stream (spec 5.1); anything else makes the reader give up.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*[ \t]*:")  # a top-level key: where an entry of a flat mapping begins


@dataclass(frozen=True)
class SplitFile:
    front_matter: str | None
    front_line: int  # file line of the first front-matter line
    body: str
    body_line: int  # file line of the first body line


def split_front_matter(text: str) -> SplitFile:
    """Split `---` front matter from a Markdown body; ValueError when the opening `---` is never closed."""
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        return SplitFile(None, 0, text, 1)
    if (end := next((i for i in range(1, len(lines)) if _END.match(lines[i])), None)) is None:
        raise ValueError("unterminated")
    return SplitFile("\n".join(lines[1:end]) + "\n", 2, "\n".join(lines[end + 1 :]), end + 2)


def _shown_tag(tag: str) -> str:
    """A tag as it was written: tag:yaml.org,2002:python/name:os.system -> !!python/name:os.system."""
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


class _Converter:
    """Turns a composed node graph into Located values, reporting problems instead of raising."""

    def __init__(self, path: str, line_offset: int, problems: Problems) -> None:
        self.path = path
        self.offset = line_offset
        self.problems = problems
        self.seen: set[int] = set()
        self.count = 0
        self.failed = self.alias_reported = False

    def where(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + self.offset, node.start_mark.column + 1

    def convert(self, node: yaml.Node) -> Located | None:
        line, col = self.where(node)
        self.count += 1
        if self.count > MAX_NODES:
            if not self.failed:
                self.problems.error(self.path, line, col, "yaml_too_big", limit=MAX_NODES)
            self.failed = True
            return None
        if id(node) in self.seen:  # an alias (*name): refused, so "billion laughs" cannot expand; reported once, later
            self.alias_reported = self.failed = True
            return None
        self.seen.add(id(node))  # scalars too: an alias to a scalar is harmless, but refused alike
        if not isinstance(node, yaml.ScalarNode) and _KINDS.get(node.tag) not in ("list", "map"):  # !!set, !!python/...
            self.problems.error(self.path, line, col, "yaml_tag", tag=_shown_tag(node.tag))
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, line, col)
        if isinstance(node, yaml.SequenceNode):
            return Located([i for item in node.value if (i := self.convert(item)) is not None], line, col, "list")
        return self.scalar(node, line, col)

    def mapping(self, node: yaml.MappingNode, line: int, col: int) -> Located:
        result: dict[str, Located] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            kline, kcol = self.where(key_node)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _TAG + "merge":
                self.problems.error(self.path, kline, kcol, "yaml_bad_key")
                continue
            key = str(key_node.value)
            value = self.convert(value_node)
            if key in first_line:
                self.problems.error(self.path, kline, kcol, "duplicate_key", key=key, first=first_line[key])
                continue
            first_line[key] = kline
            if value is None:  # already reported; keep the key so it is not also "missing"
                value = Located(None, *self.where(value_node), "invalid")
            result[key] = Located(value.value, value.line, value.col, value.kind, kline, kcol, value.raw)
        return Located(result, line, col, "map")

    def scalar(self, node: yaml.ScalarNode, line: int, col: int) -> Located | None:
        tag, raw = node.tag, node.value
        kind = _KINDS.get(tag, "unknown")
        value: Any = raw
        if kind == "null":
            value = None
        elif kind == "bool":
            value = _BOOL_WORDS.get(raw.lower(), False)
        elif kind == "int":
            try:
                value = int(raw.replace("_", ""), 0)
            except ValueError:
                try:  # YAML 1.1 octal (0755)
                    value = int(raw.replace("_", ""))
                except ValueError:  # sexagesimal and other exotica: keep as text
                    kind = "str"
        elif kind == "float":
            try:
                value = float(raw.replace("_", ""))
            except ValueError:
                kind = "str"
        elif kind not in ("str", "date"):
            self.problems.error(self.path, line, col, "yaml_tag", tag=_shown_tag(tag))
            return None
        return Located(value, line, col, kind, raw=raw)


# libyaml and the pure-Python parser word their errors differently; match both. True: report the context's mark
# (where the unclosed quote, bracket or key began) rather than the problem's (where the parser gave up).
_FRIENDLY = (
    (("tab character", "found character '\\t'"), "yaml_tab", False),
    (("found duplicate anchor", "found undefined alias"), "yaml_alias", False),
    (("expected <block end>", "did not find expected key"), "yaml_indent", False),
    (("mapping values are not allowed",), "yaml_colon", False),
    (("could not find expected ':'",), "yaml_colon_missing", True),
    (("while scanning a quoted scalar",), "yaml_unclosed_quote", True),
    (("while parsing a flow sequence", "while parsing a flow mapping"), "yaml_unclosed_bracket", True),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, yaml.Mark | None]:
    """The message id for a YAML syntax error, and the mark to report it at."""
    message = str(exc)
    mark = exc.problem_mark or exc.context_mark
    if mark is not None and "cannot start any token" in message:
        lines = text.split("\n")
        if mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            return "yaml_tab", mark
    for needles, msg_id, use_context in _FRIENDLY:
        if any(needle in message for needle in needles):
            return msg_id, (exc.context_mark or mark) if use_context else mark
    return "yaml_syntax", mark


def too_deep(text: str) -> tuple[int, int] | None:
    """(0-based line, column) where TEXT nests '[', '{', '- ' or '? ' over MAX_DEPTH deep, else None; one pass."""
    depth = 0
    for number, line in enumerate(text.split("\n")):
        markers = 0
        at = len(line) - len(line.lstrip(" "))
        while line.startswith(("- ", "? ", ": "), at) or line[at:] in ("-", "?"):
            markers += 1
            at += 2
            while at < len(line) and line[at] == " ":
                at += 1
            if markers > MAX_DEPTH:
                return number, at
        if "[" not in line and "{" not in line:  # nothing to nest on this line: the pass below is for brackets
            continue
        quote = ""
        for col, char in enumerate(line[at:], start=at):
            if quote:
                if char == quote and (quote == "'" or line[col - 1] != "\\"):
                    quote = ""
            elif char in "\"'" and (col == at or line[col - 1] in " [{,:"):
                quote = char
            elif char == "#" and (col == 0 or line[col - 1] in " \t"):
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number, col
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


def load_yaml(text: str, path: str, line_offset: int, problems: Problems) -> Located | None:
    """YAML text whose first line is file line LINE_OFFSET as Located values, or None after reporting why not."""
    breaks = [(n, m) for n, line in enumerate(text.split("\n")) for m in _YAML_BREAKS.finditer(line)]
    for number, match in breaks:
        problems.error(path, number + line_offset, match.start() + 1, "yaml_line_separator",
                       code=f"U+{ord(match[0]):04X}", name=_BREAK_NAMES[match[0]])
    if (deep := too_deep(text)) is not None:
        problems.error(path, deep[0] + line_offset, deep[1] + 1, "yaml_too_deep", limit=MAX_DEPTH)
    if breaks or deep is not None:
        return None
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
        converter = _Converter(path, line_offset, problems)
        result = converter.convert(documents[0]) if len(documents) == 1 else None
    except yaml.MarkedYAMLError as exc:
        # The parser stops at the first mistake; a flat mapping's entries are independent, so each one is
        # read on its own and every broken one reported (HR fixes them all in one go).
        found = [(start, error) for start, entry in _entries(text) if (error := _first_error(entry)) is not None]
        if len(found) < 2:  # one broken entry: what the whole document's parse said is the better message
            found = [(0, exc)]
        for start, error in found:
            msg_id, mark = _syntax_problem(error, text)
            line, col = (mark.line + start + line_offset, mark.column + 1) if mark else (line_offset + start, 1)
            problems.error(path, line, col, msg_id, detail=f"{error.problem or ''} {error.context or ''}".strip())
        return None
    except yaml.reader.ReaderError:  # a control character pasted from Word or a terminal
        # libyaml reports a byte offset; finding the character ourselves gives line and column.
        before = text[: found.start()] if (found := _NOT_PRINTABLE.search(text)) else ""
        problems.error(path, before.count("\n") + line_offset, len(before) - before.rfind("\n"), "yaml_control_char",
                       code=f"U+{ord(found[0]):04X}" if found else "?")
        return None
    except yaml.YAMLError as exc:
        problems.error(path, line_offset, 1, "yaml_syntax", detail=str(exc).splitlines()[0])
        return None
    except RecursionError:  # composing or converting
        problems.error(path, line_offset, 1, "yaml_too_big", limit=MAX_NODES)
        return None
    if not documents:
        return Located(None, line_offset, 1, "null")
    if len(documents) > 1:
        # Report the '---' that starts the second document, not its first value.
        line = documents[1].start_mark.line
        lines = text.split("\n")
        fence = next((n for n in range(min(line, len(lines) - 1), -1, -1) if _END.match(lines[n])), line)
        problems.error(path, fence + line_offset, 1, "yaml_multiple_documents")
        return None
    if converter.alias_reported:
        problems.error(path, *_first_alias(text, line_offset), "yaml_alias")
    return None if converter.failed else result


def _entries(text: str) -> list[tuple[int, str]]:
    """(0-based first line, text) of each top-level entry of a flat mapping: each begins with a key at column 0.
    Nothing for one entry: what the whole document's parse said is all there is to say."""
    lines = text.split("\n")
    starts = [n for n, line in enumerate(lines) if _TOP_KEY.match(line)]
    if len(starts) < 2 or any(line.strip() and not line.lstrip().startswith("#") for line in lines[:starts[0]]):
        return []
    return [(start, "\n".join(lines[start:end])) for start, end in zip(starts, [*starts[1:], len(lines)])]


def _first_error(entry: str) -> yaml.MarkedYAMLError | None:
    try:
        list(yaml.compose_all(entry, Loader=_Loader))
    except yaml.YAMLError as exc:
        return exc if isinstance(exc, yaml.MarkedYAMLError) else None
    return None


def _first_alias(text: str, line_offset: int) -> tuple[int, int]:
    """File line and column of the first *alias in TEXT (looked for only once an alias was met)."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + line_offset, event.start_mark.column + 1
    return line_offset, 1  # pragma: no cover - an alias was met while composing
