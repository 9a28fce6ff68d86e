"""A recruitment notice's file (.docx .xlsx .csv .txt, legacy .doc .xls .wps .et, .html) -> its tables of cells.

Readers know file formats and nothing about positions: merged cells come out filled in, Word's
automatic numbering comes out as list paragraphs, and a file that cannot be read is a problem.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a cell; LISTED when Word numbered or bulleted it (the number is not in TEXT)."""

    text: str
    listed: bool = False


@dataclass(frozen=True)
class Cell:
    paragraphs: tuple[Paragraph, ...] = ()
    merged: bool = False  # covered by a merged cell that starts above it (its text is repeated here)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


def text_cell(text: str, merged: bool = False) -> Cell:
    """A cell of a format without paragraphs (a sheet, a CSV, the text export): each line is one."""
    return Cell(tuple(Paragraph(line) for line in text.split("\n")) if text else (), merged)


@dataclass(frozen=True)
class Row:
    number: int  # where HR finds it: the sheet's row, the file's line, or the row of a Word table (1-based)
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    name: str  # a sheet's name, or "" for a file's only or n-th table (see index)
    index: int  # 1-based among the file's tables
    rows: tuple[Row, ...]


# A recruitment notice is a few pages: these bound what a hostile or mistaken file can cost.
MAX_FILE_BYTES = 20_000_000  # a .docx with the company's logo and a few photos
MAX_ROWS = 20_000
MAX_COLUMNS = 200

WORD_SUFFIXES = (".docx",)
SHEET_SUFFIXES = (".xlsx", ".xlsm")
LEGACY_WORD = (".doc", ".wps", ".rtf", ".odt")
LEGACY_SHEET = (".xls", ".et", ".ods")
TEXT_SUFFIXES = (".txt",)
CSV_SUFFIXES = (".csv", ".tsv")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = WORD_SUFFIXES + SHEET_SUFFIXES + LEGACY_WORD + LEGACY_SHEET + TEXT_SUFFIXES + CSV_SUFFIXES + HTML_SUFFIXES


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_tables(path: Path, rel: str, problems: Problems) -> list[Table] | None:
    """Every table in the file at PATH (REL: how messages name it); None after reporting why not."""
    from . import archive, csvfile, docx, htmltable, legacy, text, xlsx

    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.error(rel, 0, 0, "import_too_big", size=round(size / 1e6, 1), limit=MAX_FILE_BYTES // 1_000_000)
            return None
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        problems.error(rel, 0, 0, "file_unreadable", detail=exc.strerror or str(exc))
        return None
    if not head:
        problems.error(rel, 0, 0, "import_empty_file")
        return None

    kind = archive.sniff(head)
    if suffix in WORD_SUFFIXES + SHEET_SUFFIXES and kind == "ole":
        if archive.is_encrypted_ooxml(path):
            problems.error(rel, 0, 0, "import_encrypted")
            return None
        suffix = ".doc" if suffix in WORD_SUFFIXES else ".xls"  # an old file renamed: convert it
    elif suffix in LEGACY_WORD + LEGACY_SHEET and kind == "zip":
        suffix = ".docx" if suffix in LEGACY_WORD and archive.has_member(path, "word/document.xml") else \
            ".xlsx" if archive.has_member(path, "xl/workbook.xml") else suffix
    elif kind == "html" and suffix not in TEXT_SUFFIXES + CSV_SUFFIXES:
        suffix = ".html"  # HR systems' "Excel" export is often an HTML table named .xls (or .xlsx, .doc)

    if suffix in WORD_SUFFIXES:
        return docx.read(path, rel, problems) if archive.check_zip(path, rel, problems) else None
    if suffix in SHEET_SUFFIXES:
        return xlsx.read(path, rel, problems) if archive.check_zip(path, rel, problems) else None
    if suffix in CSV_SUFFIXES:
        return csvfile.read(path, rel, problems)
    if suffix in TEXT_SUFFIXES:
        return text.read(path, rel, problems)
    if suffix in HTML_SUFFIXES:
        return htmltable.read(path, rel, problems)
    # .doc .wps .xls .et and friends: LibreOffice turns them into .docx / .xlsx first
    target = "docx" if suffix in LEGACY_WORD else "xlsx"
    with tempfile.TemporaryDirectory(prefix="careersite-import-") as tmp:
        converted = legacy.convert(path, rel, target, Path(tmp), problems)
        if converted is None:
            return None
        if not archive.check_zip(converted, rel, problems):
            return None
        return (docx.read if target == "docx" else xlsx.read)(converted, rel, problems)
