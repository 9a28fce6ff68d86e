#!/usr/bin/env python3
"""Extract the seed job posting into ``tests/data/seed_positions.json``.

The seed is a plain-text export of a Word table (columns: category, position,
responsibilities, requirements).  In the export:

* every table cell starts with a tab; lines without a leading tab continue the
  current cell (e.g. the category cell "网络金融" / "业务类");
* table rows are separated by an empty line;
* the category cell is filled only on the first row of each category;
* many rows are empty filler rows (four lone tabs);
* list items are numbered "1.", "2.", ... (one item ``2对…`` lacks the dot),
  and a line that does not start with the next item number continues the
  previous item (whitespace-only lines are dropped);
* Word left a ``[bookmark: _GoBack]`` marker in one cell.

Usage: python tests/data/extract_seed.py [SEED_PATH]
SEED_PATH defaults to ``../shared/seed/000_7125a8409aacafa0.txt`` relative to
the project root.  Standard library only.
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
DEFAULT_SEED = PROJECT_ROOT / ".." / "shared" / "seed" / "000_7125a8409aacafa0.txt"
OUTPUT = HERE / "seed_positions.json"

CATEGORY_KEYS = {
    "网络金融业务类": "internet-finance",
    "市场营销类": "marketing",
    "风险管理类": "risk",
    "信息科技类": "technology",
    "财务会计类": "finance",
    "综合管理类": "administration",
}

WORD_ARTEFACTS = ("[bookmark: _GoBack]",)
ITEM_NUMBER = re.compile(r"(\d+)\s*[.．、]?\s*(.*)", re.S)


def warn(msg):
    print(f"note: {msg}", file=sys.stderr)


def clean(line):
    for artefact in WORD_ARTEFACTS:
        line = line.replace(artefact, "")
    return line.strip()  # also strips full-width spaces (U+3000) and NBSP


def read_rows(text):
    """Yield table rows as lists of cells; each cell is a list of raw lines."""
    row, cell = [], None
    for line in text.split("\n"):
        if line == "":
            if row:
                yield row
            row, cell = [], None
        elif line.startswith("\t"):
            cell = [line[1:]]
            row.append(cell)
        elif cell is not None:
            cell.append(line)
        # else: preamble text before the table (document title)
    if row:
        yield row


def parse_items(lines, where):
    items = []
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        m = ITEM_NUMBER.fullmatch(line)
        if m and int(m.group(1)) == len(items) + 1:
            if not re.match(r"\d+[.．]", line):
                warn(f"{where}: item {m.group(1)} lacks the dot after its number: {line[:12]}…")
            items.append(m.group(2).strip())
        elif items:
            warn(f"{where}: continuation line joined to item {len(items)}: {line[:12]}…")
            items[-1] += line
        else:
            raise ValueError(f"{where}: cell does not start with item 1: {line!r}")
    return items


def extract(text):
    positions = []
    category_name = None
    for row in read_rows(text):
        cells = ["".join(clean(line) for line in cell) for cell in row]
        if not any(cells):
            continue  # filler row
        if len(row) != 4:
            raise ValueError(f"expected 4 cells, got {len(row)}: {cells!r}")
        if cells[1] == "招聘岗位":
            continue  # header row
        if cells[0]:
            category_name = cells[0]
        if category_name not in CATEGORY_KEYS:
            raise ValueError(f"unknown category {category_name!r}")
        title = cells[1]
        positions.append({
            "category": CATEGORY_KEYS[category_name],
            "category_name": category_name,
            "title": title,
            "responsibilities": parse_items(row[2], f"{title} 岗位职责"),
            "requirements": parse_items(row[3], f"{title} 任职要求"),
        })
    return positions


def main(argv):
    seed = Path(argv[1]) if len(argv) > 1 else DEFAULT_SEED
    positions = extract(seed.read_text(encoding="utf-8"))
    OUTPUT.write_text(json.dumps(positions, ensure_ascii=False, indent=2) + "\n",
                      encoding="utf-8", newline="\n")
    print(f"wrote {len(positions)} positions to {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv)
