"""HTML tables (mammoth's rendering of a .docx, or an HTML file an HR system calls .xls) -> Tables.

Merged cells are expanded into the grid: a cell spanning rows is repeated below (marked merged),
a cell spanning columns leaves the columns it covers empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..errors import Problems
from . import MAX_COLUMNS, MAX_ROWS, Cell, Paragraph, Row, Table

_SPACE = re.compile(r"[ \t\r\n\f]+")
_BREAKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "ul", "blockquote", "pre", "dl", "dt", "dd", "tr", "table"}
_SKIP = {"script", "style", "head", "title", "template"}


@dataclass
class _RawCell:
    paragraphs: list[Paragraph] = field(default_factory=list)
    rowspan: int = 1
    colspan: int = 1


def _span(value: str | None) -> int:
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return 0 if number == 0 else max(1, min(number, MAX_ROWS))  # 0: to the end of the table


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[_RawCell]]] = []
        self._rows: list[list[_RawCell]] | None = None  # the top-level table being read
        self._cell: _RawCell | None = None
        self._nested = 0  # tables inside a cell: their text joins the cell
        self._text: list[str] = []
        self._listed = False
        self._skip = 0
        self.too_big = False

    # one paragraph of the current cell
    def _end_paragraph(self) -> None:
        if self._cell is not None:
            text = "".join(self._text)
            if text.strip():
                self._cell.paragraphs.append(Paragraph(text.strip(" "), self._listed))
        self._text, self._listed = [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if tag == "table":
            if self._rows is None:
                self._rows = []
                return
            self._nested += 1
        if self._rows is None:
            return
        if self._nested == 0 and tag == "tr":
            self._end_cell()
            if len(self._rows) >= MAX_ROWS:
                self.too_big = True
                return
            self._rows.append([])
        elif self._nested == 0 and tag in ("td", "th"):
            self._end_cell()
            if not self._rows:
                self._rows.append([])
            values = dict(attrs)
            self._cell = _RawCell(rowspan=_span(values.get("rowspan")), colspan=max(1, min(_span(values.get("colspan")), MAX_COLUMNS)))
            if len(self._rows[-1]) < MAX_COLUMNS:
                self._rows[-1].append(self._cell)
            else:
                self.too_big = True
        elif tag == "br":
            self._text.append("\n")
        elif tag == "li":
            self._end_paragraph()
            self._listed = True
        elif tag in _BREAKS or (self._nested and tag in ("td", "th")):
            self._end_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text.append("\n")
        elif tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._rows is None:
            return
        if tag == "table":
            if self._nested:
                self._nested -= 1
                self._end_paragraph()
                return
            self._end_cell()
            self.tables.append(self._rows)
            self._rows = None
        elif self._nested == 0 and tag in ("td", "th"):
            self._end_cell()
        elif tag in ("li", "p") or tag in _BREAKS:
            self._end_paragraph()
            if tag == "li":
                self._listed = False

    def handle_data(self, data: str) -> None:
        if self._skip or self._cell is None:
            return
        self._text.append(_SPACE.sub(" ", data))

    def _end_cell(self) -> None:
        self._end_paragraph()
        self._cell = None

    def close(self) -> None:
        super().close()
        if self._rows is not None:  # an unclosed table still counts
            self._end_cell()
            self.tables.append(self._rows)
            self._rows = None


def _grid(rows: list[list[_RawCell]]) -> list[list[Cell]]:
    """Expand row and column spans: every row gets a cell for every column it covers."""
    grid: dict[tuple[int, int], Cell] = {}
    height = len(rows)
    for r, raw_row in enumerate(rows):
        c = 0
        for raw in raw_row:
            while (r, c) in grid:
                c += 1
            if c >= MAX_COLUMNS:
                break
            down = height - r if raw.rowspan == 0 else min(raw.rowspan, height - r)
            across = min(raw.colspan, MAX_COLUMNS - c)
            cell = Cell(tuple(raw.paragraphs))
            for dr in range(down):
                for dc in range(across):
                    if dr == 0 and dc == 0:
                        grid[(r, c)] = cell
                    elif dc == 0:
                        grid[(r + dr, c)] = Cell(cell.paragraphs, merged=True)
                    else:
                        grid[(r + dr, c + dc)] = Cell((), merged=True)
            c += across
    widths = [0] * height
    for (r, c) in grid:
        widths[r] = max(widths[r], c + 1)
    return [[grid.get((r, c), Cell()) for c in range(widths[r])] for r in range(height)]


def tables_from_html(html: str) -> tuple[list[Table], bool]:
    """(the top-level tables of HTML, whether any was cut at MAX_ROWS/MAX_COLUMNS)."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    tables = []
    for index, rows in enumerate(parser.tables, start=1):
        grid = _grid(rows)
        tables.append(Table("", index, tuple(Row(n, tuple(cells)) for n, cells in enumerate(grid, start=1))))
    return tables, parser.too_big


def read(path: Path, rel: str, problems: Problems) -> list[Table] | None:
    from .encoding import decode_html

    text = decode_html(path.read_bytes(), rel, problems)
    if text is None:
        return None
    tables, too_big = tables_from_html(text)
    if too_big:
        problems.error(rel, 0, 0, "import_too_many_rows", rows=MAX_ROWS, columns=MAX_COLUMNS)
        return None
    return tables
