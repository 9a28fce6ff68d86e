"""Word's plain-text export of a table (the seed notice) -> one Table.

In the export every cell starts with a tab, a line without one continues the cell above it (the
category "网络金融" / "业务类"), and an empty line ends a row. Lines before the first cell are the
document's title. A merged cell is written once; the rows it covers have an empty cell there.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problems
from . import MAX_COLUMNS, MAX_ROWS, Row, Table, text_cell
from .encoding import decode_text


def parse(text: str) -> list[tuple[int, list[str]]]:
    """(line number where the row starts, its cells' text) for every row of the export."""
    rows: list[tuple[int, list[str]]] = []
    cells: list[list[str]] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line == "":
            if cells:
                rows.append((start, ["\n".join(c) for c in cells]))
            cells = []
            continue
        parts = line.split("\t")
        if cells and (parts[0] or len(parts) == 1):
            cells[-1].append(parts[0])
        elif not cells and len(parts) == 1:
            continue  # the title above the table
        if not cells:
            start = number
        for part in parts[1:]:
            cells.append([part])
    if cells:
        rows.append((start, ["\n".join(c) for c in cells]))
    return rows


def read(path: Path, rel: str, problems: Problems) -> list[Table] | None:
    text = decode_text(path.read_bytes(), rel, problems)
    if text is None:
        return None
    parsed = parse(text)
    if len(parsed) > MAX_ROWS or any(len(cells) > MAX_COLUMNS for _, cells in parsed):
        problems.error(rel, 0, 0, "import_too_many_rows", rows=MAX_ROWS, columns=MAX_COLUMNS)
        return None
    rows = tuple(Row(number, tuple(text_cell(c.strip("\n")) for c in cells)) for number, cells in parsed)
    return [Table("", 1, rows)]
