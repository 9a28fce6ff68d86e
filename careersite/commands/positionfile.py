"""A position's values -> the text of its file, in the format `new` writes (Markdown with YAML front
matter, or pure YAML), with every value written so that YAML reads back exactly that value."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import yaml

from ..errors import Problems
from ..load.fields import POSITION_FIELDS
from ..load.frontmatter import load_yaml

BODY_FIELDS = ("description", "responsibilities", "requirements")
FRONT_ORDER = tuple(name for name in POSITION_FIELDS if name not in BODY_FIELDS)
HEADINGS = {"responsibilities": "岗位职责", "requirements": "任职要求"}
# Not misread by PyYAML, but quoted all the same: no reader (nor person) should take them for yes/no.
_ALWAYS_QUOTED = {"是", "否", "对", "错", "真", "假", "有", "无"}
# An item that would start a Markdown block of its own inside "1. …" (a nested list, a heading)
_BLOCK_START = re.compile(r"^(?:(?P<mark>[-+*>#])|(?P<digits>\d{1,9})(?P<dot>[.)]))(?=\s|$)")
_ESCAPED = re.compile(r"^(?:\\(?P<mark>[-+*>#])|(?P<digits>\d{1,9})\\(?P<dot>[.)]))(?=\s|$)")


@dataclass
class PositionData:
    """What a position file holds: front-matter values, the two lists, and (kept on --update) the
    description and any other sections of a Markdown file."""

    fields: dict[str, object]
    responsibilities: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    description: str = ""
    other_sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, Markdown)


def _reads_back(document: str, expected: object) -> bool:
    """DOCUMENT (one key 'k') gives EXPECTED through PyYAML and through the project's own reader."""
    try:
        data = yaml.safe_load(document)
    except yaml.YAMLError:
        return False
    if not isinstance(data, dict) or list(data) != ["k"] or data["k"] != expected \
            or type(data["k"]) is not type(expected):
        return False
    problems = Problems()
    located = load_yaml(document, "k", 1, problems)
    if located is None or problems.items or located.kind != "map":
        return False
    value = located.value["k"]
    if isinstance(expected, list):
        return value.kind == "list" and [v.kind for v in value.value] == ["str"] * len(expected) \
            and [v.value for v in value.value] == expected
    return value.kind == "str" and value.value == expected


def yaml_scalar(value: str) -> str:
    """VALUE as a YAML scalar: plain when it reads back as the same text, else double-quoted."""
    if value and value not in _ALWAYS_QUOTED and "\n" not in value and _reads_back(f"k: {value}\n", value) \
            and _reads_back(f"k:\n  - {value}\n", [value]):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    if _reads_back(f"k: {quoted}\n", value):
        return quoted
    return json.dumps(value)  # \u escapes for what YAML reads differently (U+2028, U+0085)


def yaml_list_flow(values: list[str]) -> str:
    parts = [yaml_scalar(v) for v in values]
    parts = [p if not any(c in p for c in ",[]{}") or p.startswith('"') else json.dumps(v, ensure_ascii=False)
             for p, v in zip(parts, values)]
    text = "[" + ", ".join(parts) + "]"
    return text if _reads_back(f"k: {text}\n", list(values)) else json.dumps(list(values), ensure_ascii=False)


def yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return yaml_list_flow([str(v) for v in value])
    text = str(value)
    if "\n" in text:
        block = "|-\n" + "\n".join(f"  {line}" if line else "" for line in text.split("\n"))
        if _reads_back(f"k: {block}\n", text):
            return block
        return json.dumps(text, ensure_ascii=False)
    return yaml_scalar(text)


def escape_item(item: str) -> str:
    """An item as it follows "1. " in Markdown: a leading "-" or "2." is not a list of its own."""
    match = _BLOCK_START.match(item)
    if not match:
        return item
    if match["mark"]:
        return "\\" + item
    return f"{match['digits']}\\{match['dot']}{item[match.end('dot'):]}"


def unescape_item(item: str) -> str:
    match = _ESCAPED.match(item)
    if not match:
        return item
    if match["mark"]:
        return item[1:]
    return f"{match['digits']}{match['dot']}{item[match.end('dot'):]}"


def _front(fields: dict[str, object], names: tuple[str, ...]) -> list[str]:
    return [f"{name}: {yaml_value(fields[name])}" for name in names if name in fields]


def _ordered(fields: dict[str, object]) -> tuple[str, ...]:
    return tuple(n for n in FRONT_ORDER if n in fields) + tuple(n for n in fields if n not in FRONT_ORDER
                                                               and n not in BODY_FIELDS)


def markdown_text(data: PositionData) -> str:
    """The position as a Markdown file: front matter, the description, 岗位职责, 任职要求, other sections."""
    lines = ["---", *_front(data.fields, _ordered(data.fields)), "---", ""]
    if data.description.strip():
        lines += [data.description.strip("\n"), ""]
    for kind in ("responsibilities", "requirements"):
        items = getattr(data, kind)
        if items:
            lines += [f"## {HEADINGS[kind]}", ""]
            lines += [f"{n}. {escape_item(item)}" for n, item in enumerate(items, start=1)]
            lines.append("")
    for heading, markdown in data.other_sections:
        lines += [f"## {heading}", "", markdown.strip("\n"), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def yaml_text(data: PositionData) -> str:
    """The position as a pure YAML file (a .yaml position keeps its format when it is updated)."""
    fields = dict(data.fields)
    if data.description.strip():
        fields["description"] = data.description.strip("\n")
    lines = _front(fields, _ordered(fields))
    if "description" in fields:
        lines.append(f"description: {yaml_value(fields['description'])}")
    for kind in ("responsibilities", "requirements"):
        items = getattr(data, kind)
        if items:
            lines.append(f"{kind}:")
            lines += [f"  - {yaml_scalar(item)}" for item in items]
    return "\n".join(lines) + "\n"
