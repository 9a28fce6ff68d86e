"""An Excel .xlsx -> one Table per worksheet, merged ranges filled in (a category merged over its
positions' rows applies to each of them). Values only: formulas give their last computed value,
macros are never run and external links never followed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import Problems
from . import MAX_COLUMNS, MAX_ROWS, Cell, Row, Table, text_cell

EMPTY_RUN = 1_000  # this many empty rows in a row end a sheet (formatting can make max_row 1,048,576)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def read(path: Path, rel: str, problems: Problems) -> list[Table] | None:
    import openpyxl  # imported here: only an import of a .xlsx needs it

    try:
        # Not read_only: a read-only worksheet does not know its merged cells. The zip was checked
        # (tables.archive) before, which bounds what this can cost.
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=True, keep_links=False, keep_vba=False)
    except Exception as exc:  # any failure of a reader on a damaged file is that file's problem
        problems.error(rel, 0, 0, "import_damaged", detail=f"{type(exc).__name__}: {exc}"[:200])
        return None
    tables = []
    try:
        for index, sheet in enumerate(workbook.worksheets, start=1):
            table = _sheet(sheet, index)
            if table is None:
                problems.error(rel, 0, 0, "import_too_many_rows", rows=MAX_ROWS, columns=MAX_COLUMNS)
                return None
            tables.append(table)
    finally:
        workbook.close()
    return tables


def _sheet(sheet, index: int) -> Table | None:
    merged: dict[tuple[int, int], tuple[int, int]] = {}  # covered cell -> the range's top-left
    for cells in sheet.merged_cells.ranges:
        if (cells.max_row - cells.min_row + 1) * (cells.max_col - cells.min_col + 1) > MAX_ROWS * 4:
            return None
        for r in range(cells.min_row, cells.max_row + 1):
            for c in range(cells.min_col, cells.max_col + 1):
                if (r, c) != (cells.min_row, cells.min_col):
                    merged[(r, c)] = (cells.min_row, cells.min_col)
    values: dict[tuple[int, int], str] = {}
    rows: list[Row] = []
    empty = 0
    for r, record in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(record) > MAX_COLUMNS and any(v is not None for v in record[MAX_COLUMNS:]):
            return None
        texts = [_text(v) for v in record[:MAX_COLUMNS]]
        cells = []
        for c, text in enumerate(texts, start=1):
            values[(r, c)] = text
            top = merged.get((r, c))
            if top is None:
                cells.append(text_cell(text))
            elif top[1] == c:  # merged down from the top-left: the same value on every row
                cells.append(text_cell(values.get(top, ""), merged=True))
            else:  # merged across: the value is in the first column only
                cells.append(Cell((), merged=True))
        if any(not cell.is_empty for cell in cells):
            empty = 0
            if len(rows) >= MAX_ROWS:
                return None
            rows.append(Row(r, tuple(cells)))
        else:
            empty += 1
            if empty >= EMPTY_RUN:
                break
    return Table(sheet.title, index, tuple(rows))
