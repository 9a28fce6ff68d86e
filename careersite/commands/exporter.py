"""`export`: the site's positions -> one table (.xlsx or .csv) in the columns `import` reads.

The form HR circulates for approval: categories in site.toml's order, positions in the site's order,
duties and requirements numbered "1." "2." one per line inside their cell. Importing the table again
gives the same position files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..load.content import PositionSource, load_positions
from ..errors import Problems, UsageError
from ..model.markup import items_to_markdown, normalize_text
from .build import Options, load_site
from .positionfile import unescape_item
from ..notice.cells import join

# The columns, in the order they are written; the optional ones only when a position has the field.
COLUMNS = ("category", "title", "code", "responsibilities", "requirements", "location", "headcount",
           "education", "experience", "recruitment_type", "salary", "closes")
REQUIRED = ("category", "title", "responsibilities", "requirements")
CARRIED = set(COLUMNS) | {"order", "draft"}  # what an export -> import round trip keeps
SUFFIXES = (".xlsx", ".csv")
_LIST_LINE = re.compile(r"^ {0,3}(?:\d{1,9}[.)]|[-*+])[ \t]+(?P<rest>\S.*)$")


@dataclass(frozen=True)
class ExportOptions:
    root: Path
    file: Path
    drafts: bool = False
    force: bool = False
    today: dt.date | None = None


@dataclass
class ExportReport:
    problems: Problems
    out: list[str] = field(default_factory=list)
    status: int = 0


def markdown_items(markdown: str) -> list[str]:
    """The items of a duties or requirements section: one per list item or paragraph, lines joined."""
    items: list[str] = []
    joinable = False
    for line in normalize_text(markdown).split("\n"):
        if not line.strip():
            joinable = False
            continue
        item = _LIST_LINE.match(line)
        if item:
            items.append(unescape_item(item["rest"].strip()))
            joinable = True
        elif joinable and items:
            items[-1] = join([items[-1], line.strip()])
        else:
            items.append(line.strip())
            joinable = True
    return items


def source_items(source: PositionSource, kind: str) -> list[str]:
    value = source.fields.get(kind)
    if isinstance(value, tuple):
        return markdown_items(items_to_markdown(value))
    if isinstance(value, str):
        return markdown_items(value)
    return [item for section in source.sections if section.kind == kind for item in markdown_items(section.markdown)]


def _cell_value(name: str, source: PositionSource, category: str, xlsx: bool) -> object:
    if name == "category":
        return category
    if name in ("responsibilities", "requirements"):
        return "\n".join(f"{n}. {item}" for n, item in enumerate(source_items(source, name), start=1))
    value = source.fields.get(name)
    if value is None:
        return None
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, dt.date):
        return value if xlsx else value.isoformat()
    return value


def write_atomic(path: Path, data: bytes, prefix: str = ".export-") -> None:
    """Write DATA to PATH through a temporary file beside it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv_bytes(headings: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # what Excel writes and expects
    writer.writerow(headings)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8


def _xlsx_bytes(headings: list[str], rows: list[list[object]], names: list[str]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "positions"
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        sheet.append(row)
    widths = {"category": 14, "title": 18, "code": 10, "responsibilities": 60, "requirements": 60, "location": 12,
              "headcount": 8, "education": 8, "experience": 10, "recruitment_type": 8, "salary": 12, "closes": 12}
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths[name]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = wrap
            if name == "closes" and isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
            if name in ("code", "salary"):
                cell.number_format = "@"  # text: a code 007 stays 007
    # the category merged over its positions' rows, as in the notice
    start = 2
    for r in range(2, len(rows) + 3):
        if r == len(rows) + 2 or rows[r - 2][0] != rows[start - 2][0]:
            if r - 1 > start:
                sheet.merge_cells(start_row=start, start_column=1, end_row=r - 1, end_column=1)
            start = r
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_export(options: ExportOptions, problems: Problems) -> ExportReport:
    report = ExportReport(problems)
    suffix = options.file.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(problems.text("export_unsupported", suffix=options.file.suffix or "?"))
    rel = options.file.as_posix()
    checked = Problems(messages=problems.messages)
    site = load_site(Options(root=options.root, drafts=options.drafts, today=options.today), checked)
    problems.messages = checked.messages  # the site's language
    if site is None:  # the warnings of check are not export's business; its errors are
        problems.extend(p for p in checked.items if p.is_error)
        report.status = 1
        return report
    if options.file.exists() and not options.force:
        problems.error(rel, 0, 0, "export_exists", file=rel)
        report.status = 1
        return report
    sources = {s.path: s for s in load_positions(options.root, Problems(messages=problems.messages))}
    placed = [(p, sources[p.source]) for p in site.positions if p.source in sources]
    names = [n for n in COLUMNS if n in REQUIRED or any(n in s.fields for _, s in placed)]
    xlsx = suffix == ".xlsx"
    rows = [[_cell_value(n, source, position.category.name, xlsx) for n in names] for position, source in placed]
    headings = [problems.text(f"column_{n}") for n in names]
    dropped: dict[str, int] = {}
    for _, source in placed:
        lost = [n for n in source.fields if n not in CARRIED and n not in ("title",)]
        lost += [s.heading or s.kind for s in source.sections if s.kind in ("description", "other")]
        for name in lost:
            dropped[name] = dropped.get(name, 0) + 1
    if dropped:
        problems.warning(rel, 0, 0, "export_dropped", fields="、".join(f"{n}（{c}）" for n, c in dropped.items()))
    try:
        write_atomic(options.file, _xlsx_bytes(headings, rows, names) if xlsx else _csv_bytes(headings, rows))
    except OSError as exc:
        problems.error(rel, 0, 0, "export_failed", file=rel, detail=exc.strerror or str(exc))
        report.status = 1
        return report
    categories = len({p.category.key for p, _ in placed})
    report.out.append(problems.text("export_written", positions=len(placed), categories=categories, file=rel))
    return report
