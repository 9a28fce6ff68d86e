"""A Word .docx -> its tables, through mammoth's HTML (Word's automatic numbering kept as lists,
vertically merged cells as rowspan). Images are never decoded; no external reference is followed."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problems
from . import MAX_COLUMNS, MAX_ROWS, Table
from .htmltable import tables_from_html


def _no_image(image) -> dict[str, str]:
    return {}  # the notice's logo is no part of a position: never read its bytes


def read(path: Path, rel: str, problems: Problems) -> list[Table] | None:
    import mammoth  # imported here: only an import of a .docx needs it

    try:
        with path.open("rb") as fh:
            result = mammoth.convert_to_html(fh, convert_image=mammoth.images.img_element(_no_image))
    except Exception as exc:  # any failure of a reader on a damaged file is that file's problem
        problems.error(rel, 0, 0, "import_damaged", detail=f"{type(exc).__name__}: {exc}"[:200])
        return None
    tables, too_big = tables_from_html(result.value)
    if too_big:
        problems.error(rel, 0, 0, "import_too_many_rows", rows=MAX_ROWS, columns=MAX_COLUMNS)
        return None
    return tables
