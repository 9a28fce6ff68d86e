"""Split a position file into YAML front matter and body, and read YAML into located values.

YAML is only composed (never constructed by PyYAML), so no tag can run code, aliases are refused
before they can expand, duplicate keys are caught, and every value keeps its 1-based line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is several times faster; same node graph
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from .errors import Problems

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
DATE = "tag:yaml.org,2002:timestamp"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

# A position is small: a bound on nodes stops hostile files long before memory is at risk.
MAX_NODES = 100_000

_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class Located:
    """A YAML value with where it was written. `kind` is one of str int float bool null date list map."""

    value: Any
    line: int
    col: int
    kind: str
    key_line: int = 0  # for a mapping entry: where its key is written
    key_col: int = 0
    raw: str = ""  # a scalar exactly as written (so messages can quote 'no', not False)


@dataclass(frozen=True)
class SplitFile:
    front_matter: str | None
    front_line: int  # file line of the first front-matter line
    body: str
    body_line: int  # file line of the first body line


def split_front_matter(text: str) -> SplitFile:
    """Split `---` front matter from a Markdown body. Line numbers are kept as in the file.

    Raises ValueError with the fence line when the opening `---` is never closed.
    """
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return SplitFile(None, 0, text, 1)
    for i in range(1, len(lines)):
        if _END.match(lines[i]):
            front = "\n".join(lines[1:i]) + "\n"
            return SplitFile(front, 2, "\n".join(lines[i + 1 :]), i + 2)
    raise ValueError("unterminated")


def _kind(tag: str) -> str:
    return {
        STR: "str", INT: "int", FLOAT: "float", BOOL: "bool", NULL: "null", DATE: "date",
        SEQ: "list", MAP: "map",
    }.get(tag, "unknown")


_BOOL_WORDS = {"yes": True, "true": True, "on": True, "y": True,
               "no": False, "false": False, "off": False, "n": False}


class _Converter:
    """Turns a composed node graph into Located values, reporting problems instead of raising."""

    def __init__(self, path: str, line_offset: int, problems: Problems) -> None:
        self.path = path
        self.offset = line_offset
        self.problems = problems
        self.seen: set[int] = set()
        self.count = 0
        self.failed = False

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
        if id(node) in self.seen:
            # The same node reached twice is an alias (*name). Refusing aliases outright makes
            # "billion laughs" expansion impossible, and HR files never need them.
            self.problems.error(self.path, line, col, "yaml_alias")
            self.failed = True
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, line, col)
        if isinstance(node, yaml.SequenceNode):
            items = [self.convert(item) for item in node.value]
            return Located([i for i in items if i is not None], line, col, "list")
        return self.scalar(node, line, col)

    def mapping(self, node: yaml.MappingNode, line: int, col: int) -> Located:
        result: dict[str, Located] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            kline, kcol = self.where(key_node)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.error(self.path, kline, kcol, "yaml_bad_key")
                continue
            key = str(key_node.value)
            value = self.convert(value_node)
            if key in result or key in first_line:
                self.problems.error(self.path, kline, kcol, "duplicate_key", key=key, first=first_line[key])
                continue
            first_line[key] = kline
            if value is not None:
                result[key] = Located(value.value, value.line, value.col, value.kind, kline, kcol, value.raw)
        return Located(result, line, col, "map")

    def scalar(self, node: yaml.ScalarNode, line: int, col: int) -> Located | None:
        tag, raw = node.tag, node.value
        kind = _kind(tag)
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
            self.problems.error(self.path, line, col, "yaml_tag", tag=tag)
            return None
        return Located(value, line, col, kind, raw=raw)


_FRIENDLY = (
    ("found character '\\t'", "yaml_tab"),
    ("found duplicate anchor", "yaml_alias"),
    ("found undefined alias", "yaml_alias"),
    ("expected <block end>", "yaml_indent"),
    ("mapping values are not allowed here", "yaml_colon"),
    ("could not find expected ':'", "yaml_colon_missing"),
    ("found unexpected end of stream", "yaml_unclosed_quote"),
    ("while scanning a quoted scalar", "yaml_unclosed_quote"),
)


def load_yaml(text: str, path: str, line_offset: int, problems: Problems) -> Located | None:
    """Parse YAML text into Located values; `line_offset` is the file line of the text's first line.

    Returns None (with problems reported) when the text is not valid YAML.
    """
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + line_offset) if mark else line_offset
        col = (mark.column + 1) if mark else 1
        detail = f"{exc.problem or ''} {exc.context or ''}".strip()
        msg_id = next((m for needle, m in _FRIENDLY if needle in str(exc)), "yaml_syntax")
        problems.error(path, line, col, msg_id, detail=detail)
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        problems.error(path, line_offset, 1, "yaml_syntax", detail=str(exc).splitlines()[0])
        return None
    except RecursionError:
        problems.error(path, line_offset, 1, "yaml_too_big", limit=MAX_NODES)
        return None
    if not documents:
        return Located(None, line_offset, 1, "null")
    if len(documents) > 1:
        second = documents[1]
        problems.error(path, second.start_mark.line + line_offset, 1, "yaml_multiple_documents")
        return None
    converter = _Converter(path, line_offset, problems)
    try:
        result = converter.convert(documents[0])
    except RecursionError:
        problems.error(path, line_offset, 1, "yaml_too_big", limit=MAX_NODES)
        return None
    return None if converter.failed else result
