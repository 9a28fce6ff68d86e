"""Find the 1-based line of a key in TOML text: tomllib gives values but no positions."""

from __future__ import annotations

import re

_TABLE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*\"?([A-Za-z0-9_\-]+)\"?\s*=")


def key_lines(text: str) -> dict[tuple[str, int, str], int]:
    """Map (table name, array index, key) -> line. Top level is table ''. Array tables count from 0."""
    lines: dict[tuple[str, int, str], int] = {}
    table, index = "", 0
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE.match(line):
            table = header.group(1).replace('"', "").strip()
            index = 0
            if line.lstrip().startswith("[["):  # an array of tables: its next element
                index = counts[table] = counts.get(table, -1) + 1
            lines.setdefault((table, index, ""), number)
        elif key := _KEY.match(line):
            lines.setdefault((table, index, key.group(1)), number)
    return lines
