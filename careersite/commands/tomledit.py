"""site.toml text -> the same text with [[categories]] tables added after the last one.

The file is edited as text, never re-serialised: comments, order and layout stay as HR left them,
and the result is read back with tomllib before it is used.
"""

from __future__ import annotations

import json
import re
import tomllib

from ..load.config import Category

_HEADER = re.compile(r"^\s*\[")
_CATEGORIES = re.compile(r"^\s*\[\[\s*categories\s*\]\]\s*(#.*)?$")


def category_lines(category: Category) -> list[str]:
    """The [[categories]] table of CATEGORY, as HR would type it."""
    return ["[[categories]]", f"key = {json.dumps(category.key)}", f"name = {json.dumps(category.name, ensure_ascii=False)}"]


def add_categories(text: str, categories: list[Category]) -> str:
    """TEXT with CATEGORIES appended to its [[categories]], in order. Raises ValueError if the result
    would not read back as the same site.toml plus those categories."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    last = max((i for i, line in enumerate(lines) if _CATEGORIES.match(line)), default=None)
    if last is None:
        at = len(lines)
    else:
        at = next((i for i in range(last + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        while at > last + 1 and (not lines[at - 1].strip() or lines[at - 1].lstrip().startswith("#")):
            at -= 1  # blank lines and the comments that belong to the next table stay with it
    block: list[str] = []
    for category in categories:
        block += ["", *category_lines(category)]
    if at == len(lines) and lines and lines[-1] == "":
        new_lines = lines[:-1] + block + [""]
    else:
        new_lines = lines[:at] + block + lines[at:]
    result = newline.join(new_lines)
    before, after = tomllib.loads(text), tomllib.loads(result)
    added = [{"key": c.key, "name": c.name} for c in categories]
    if after.get("categories", []) != before.get("categories", []) + added or \
            {k: v for k, v in after.items() if k != "categories"} != {k: v for k, v in before.items() if k != "categories"}:
        raise ValueError("site.toml would not read back as before plus the new categories")
    return result
