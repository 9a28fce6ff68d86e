"""A .csv (or .tsv) file -> one Table; rows are numbered by the file line each record starts on."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import Problems
from . import MAX_COLUMNS, MAX_ROWS, Row, Table, text_cell
from .encoding import decode_text


class _Comma(csv.excel):
    strict = True  # an unclosed quote is an error, not a cell that swallows the rest of the file


class _Tab(_Comma):
    delimiter = "\t"


class _Semicolon(_Comma):
    delimiter = ";"


def _dialect(sample: str, suffix: str) -> type[csv.Dialect]:
    if suffix == ".tsv":
        return _Tab
    first = sample.split("\n", 1)[0]
    if "\t" in first and "," not in first:  # Excel's "Unicode text" is tab-separated
        return _Tab
    if ";" in first and "," not in first:  # Excel in locales that write decimal commas
        return _Semicolon
    return _Comma


def read(path: Path, rel: str, problems: Problems) -> list[Table] | None:
    text = decode_text(path.read_bytes(), rel, problems)
    if text is None:
        return None
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, _dialect(text[:4096], path.suffix.lower()))
    rows: list[Row] = []
    start = 1
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS or len(record) > MAX_COLUMNS:
                problems.error(rel, start, 0, "import_too_many_rows", rows=MAX_ROWS, columns=MAX_COLUMNS)
                return None
            rows.append(Row(start, tuple(text_cell(value) for value in record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.error(rel, reader.line_num or start, 0, "import_csv_syntax", detail=str(exc))
        return None
    return [Table("", 1, tuple(rows))]
