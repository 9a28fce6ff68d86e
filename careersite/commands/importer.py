"""`import`: recruitment notices (Word, Excel, CSV, Word's text export) -> one position file per row.

Everything is read and checked first; files are written only when no row has an error, so a failed
import leaves the site as it was. An existing position is never overwritten without --update.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..load.config import CONFIG_FILE, Category, SiteConfig, load_config
from ..load.content import CONTENT_DIR, MARKDOWN_SUFFIXES, YAML_SUFFIXES, PositionSource, load_positions
from ..errors import Problems, UsageError, did_you_mean
from ..load.fields import is_valid_slug, slugify
from ..model.site import resolve_slug
from .positionfile import PositionData, markdown_text, yaml_text
from .exporter import write_atomic
from ..notice import Cell, Table, is_supported, read_tables
from ..notice import values as read_value
from ..notice.cells import cell_items, join, one_line
from ..notice.columns import Header, find_header, heading_key, is_repeated_header
from ..notice.values import EDUCATION, EXPERIENCE, RECRUITMENT_TYPES
from .tomledit import add_categories, category_lines

# Fields taken from a table, in the order a position file lists them (positionfile.FRONT_ORDER).
TABLE_FIELDS = ("code", "location", "headcount", "closes", "salary", "education", "experience", "recruitment_type")
_CHOICES = {"education": EDUCATION, "experience": EXPERIENCE, "recruitment_type": RECRUITMENT_TYPES}


@dataclass(frozen=True)
class ImportOptions:
    root: Path
    files: tuple[Path, ...]
    dry_run: bool = False
    update: bool = False
    draft: bool = False
    add_categories: bool = False
    category: str | None = None  # for tables that have no category column


@dataclass
class Row:
    """One table row that is a position, as read (category not yet matched to site.toml)."""

    path: str  # the file (and table) as messages name it
    line: int  # the row number HR sees
    category_col: int
    category_text: str
    title: str
    fields: dict[str, object]
    responsibilities: list[str]
    requirements: list[str]
    columns: frozenset[str]  # the fields the table has a column for: they replace a file's values
    category: Category | None = None


@dataclass
class Planned:
    row: Row
    action: str  # new, update, unchanged
    rel: str  # content/positions/<slug>.md
    text: str
    old: str = ""


@dataclass
class ImportReport:
    problems: Problems
    out: list[str] = field(default_factory=list)  # what happened, for stdout
    err: list[str] = field(default_factory=list)  # after the problems, for stderr
    status: int = 0


# --- reading ---------------------------------------------------------------------------------------

def _table_path(rel: str, table: Table, tables: list[Table], problems: Problems) -> str:
    if len(tables) == 1:
        return rel
    if table.name:
        return problems.text("import_sheet_path", file=rel, sheet=table.name)
    return problems.text("import_table_path", file=rel, table=table.index)


def _cell(cells: tuple[Cell, ...], column: int | None) -> Cell:
    return cells[column] if column is not None and column < len(cells) else Cell()


def _heading(table: Table, header: Header, column: int) -> str:
    return join(table.rows[header.row].cells[column].text.split())


def read_rows(table: Table, path: str, header: Header, options: ImportOptions, problems: Problems) -> list[Row]:
    """The positions of one table, from the row after its heading row on."""
    rows: list[Row] = []
    columns = {name: header.column(name) for name in ("category", "title", "responsibilities", "requirements",
                                                       *TABLE_FIELDS)}
    present = frozenset(header.fields.values())
    category = ""
    for row in table.rows[header.row + 1:]:
        cells = row.cells
        if all(cell.is_empty for cell in cells) or is_repeated_header(row, header):
            continue
        title = one_line(_cell(cells, columns["title"]))
        written = one_line(_cell(cells, columns["category"]))
        filled = [c for c in cells if not c.is_empty and not c.merged]
        if not title:
            if len(filled) == 1 and not written and columns["category"] is not None \
                    and not one_line(filled[0]).isdigit():
                category = one_line(filled[0])  # a row of its own naming the category of the rows below
                continue
            if written and len(filled) <= 1:
                category = written
                continue
            problems.error(path, row.number, (columns["title"] or 0) + 1, "import_row_no_title")
            continue
        if written:
            category = written
        if columns["category"] is None:
            category = options.category or ""
        if not category:
            problems.error(path, row.number, (columns["category"] or 0) + 1, "import_row_no_category", title=title)
            continue
        lists = {}
        for kind in ("responsibilities", "requirements"):
            column = columns[kind]
            items = cell_items(_cell(cells, column))
            lists[kind] = items.items
            for msg_id, values in items.notes:
                problems.warning(path, row.number, column + 1, msg_id, title=title,
                                 column=_heading(table, header, column), **values)
        if not lists["responsibilities"] and not lists["requirements"]:
            column = columns["responsibilities"] if columns["responsibilities"] is not None else columns["requirements"]
            problems.error(path, row.number, (column or 0) + 1, "import_row_no_content", title=title)
            continue
        fields: dict[str, object] = {}
        for name in TABLE_FIELDS:
            column = columns[name]
            text = one_line(_cell(cells, column))
            if column is None or not text:
                continue
            value = _field_value(name, text)
            if value is None:
                allowed = ", ".join(_CHOICES[name]) if name in _CHOICES else \
                    problems.text("expected_positive_int" if name == "headcount" else "import_expected_date")
                problems.warning(path, row.number, column + 1, "import_value_unknown", title=title,
                                 column=_heading(table, header, column), value=text, allowed=allowed)
            elif value != "":
                fields[name] = value
        rows.append(Row(path, row.number, (columns["category"] or 0) + 1, category, title, fields,
                        lists["responsibilities"], lists["requirements"], present))
    return rows


def _field_value(name: str, text: str) -> object:
    if name == "location":
        places = read_value.locations(text)
        return places[0] if len(places) == 1 else tuple(places)
    if name == "headcount":
        return read_value.headcount(text)
    if name == "closes":
        iso = read_value.closes(text)
        return None if iso is None else dt.date.fromisoformat(iso)
    if name in _CHOICES:
        return getattr(read_value, name)(text)
    return text  # code, salary


def read_file(path: Path, rel: str, options: ImportOptions, problems: Problems) -> list[Row]:
    tables = read_tables(path, rel, problems)
    if tables is None:
        return []
    rows: list[Row] = []
    found = False
    for table in tables:
        where = _table_path(rel, table, tables, problems)
        header = find_header(table.rows)
        if header is None:
            continue
        found = True
        heading_row = table.rows[header.row]
        if "title" not in header.fields.values():
            known = ", ".join(_heading(table, header, c) for c in header.fields)
            problems.error(where, heading_row.number, 1, "import_no_title_column", found=known)
            continue
        if "category" not in header.fields.values() and not options.category:
            problems.error(where, heading_row.number, 1, "import_no_category_column")
            continue
        if header.unknown:
            problems.warning(where, heading_row.number, header.unknown[0][0] + 1, "import_unknown_columns",
                             columns="、".join(text for _, text in header.unknown))
        read = read_rows(table, where, header, options, problems)
        if not read and not problems.has_errors():
            problems.error(where, heading_row.number, 1, "import_no_rows")
        rows += read
    if not found:
        problems.error(rel, 0, 0, "import_no_table", tables=len(tables))
    return rows


# --- categories ------------------------------------------------------------------------------------

def match_category(text: str, categories: tuple[Category, ...] | list[Category]) -> Category | None:
    """A table's category by site.toml key or name; spaces and line breaks in the cell do not count."""
    key = heading_key(text)
    for category in categories:
        if text in (category.key, category.name) or key in (category.key.lower(), heading_key(category.name)):
            return category
    return None


def _new_key(name: str, taken: set[str]) -> str:
    base = slugify(name) or "category"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def resolve_categories(rows: list[Row], config: SiteConfig, options: ImportOptions, problems: Problems,
                       report: ImportReport) -> list[Category]:
    """Give every row its category; returns the categories to add to site.toml (in table order)."""
    added: list[Category] = []
    taken = {c.key for c in config.categories}
    unknown: dict[str, Row] = {}
    for row in rows:
        category = match_category(row.category_text, config.categories) or match_category(row.category_text, added)
        if category is None and options.add_categories:
            category = Category(_new_key(row.category_text, taken), row.category_text)
            added.append(category)
        if category is None:
            unknown.setdefault(row.category_text, row)
            continue
        row.category = category
    for name, row in unknown.items():
        names = [c.name for c in config.categories] + [c.key for c in config.categories]
        suggestion = did_you_mean(name, names)
        hint = problems.text("did_you_mean", suggestion=suggestion) if suggestion else ""
        problems.error(row.path, row.line, row.category_col, "import_category_unknown", value=name, hint=hint)
    if unknown:
        report.err.append(problems.text("import_categories_to_add"))
        for name in unknown:
            report.err += ["", *category_lines(Category(_new_key(name, taken), name))]
        report.err.append("")
    return added


# --- planning and writing --------------------------------------------------------------------------

def _identity(row: Row) -> tuple:
    code = row.fields.get("code")
    return ("code", code) if code else ("title", row.title, row.category.key if row.category else "")


def _existing_sections(source: PositionSource) -> tuple[str, list[tuple[str, str]]]:
    description = str(source.fields.get("description", ""))
    others = []
    for section in source.sections:
        if section.kind == "description" and not description:
            description = section.markdown.strip("\n")
        elif section.kind == "other":
            others.append((section.heading, section.markdown.strip("\n")))
    return description, others


def position_data(row: Row, options: ImportOptions, order: int, existing: PositionSource | None) -> PositionData:
    fields: dict[str, object] = {"title": row.title, "category": row.category.key}
    fields.update(row.fields)
    fields["order"] = order
    description, others = "", []
    if existing is not None:  # what the table has no column for is kept as the file had it
        for name, value in existing.fields.items():
            if name not in fields and name not in row.columns and name not in (
                    "responsibilities", "requirements", "description"):
                fields[name] = value[0] if isinstance(value, tuple) and len(value) == 1 else value
        description, others = _existing_sections(existing)
    if options.draft:
        fields["draft"] = True
    return PositionData(fields, row.responsibilities, row.requirements, description, others)


def _taken_slugs(root: Path, sources: list[PositionSource]) -> set[str]:
    taken = {slug for s in sources if (slug := resolve_slug(s))}
    folder = root / CONTENT_DIR
    if folder.is_dir():  # broken files too: a new file must not take their name
        for path in folder.rglob("*"):
            if path.suffix.lower() in MARKDOWN_SUFFIXES + YAML_SUFFIXES:
                taken.add(path.stem)
                taken.add(slugify(path.stem))
    return taken


def _new_slug(title: str, taken: set[str]) -> str:
    base = slugify(title) or "position"
    slug, n = base, 2
    while slug in taken or not is_valid_slug(slug):
        suffix = f"-{n}"
        slug, n = base[:80 - len(suffix)].rstrip("-") + suffix, n + 1
    taken.add(slug)
    return slug


def without_duplicates(rows: list[Row], problems: Problems) -> list[Row]:
    """ROWS with a category, less the second row of any position (same code, else title and category)."""
    seen: dict[tuple, Row] = {}
    kept = []
    for row in rows:
        if row.category is None:
            continue
        identity = _identity(row)
        if identity in seen:
            first = seen[identity]
            problems.error(row.path, row.line, 1, "import_duplicate_row", title=row.title,
                           first=problems.text("import_row_ref", file=first.path, row=first.line),
                           what=problems.text("import_same_code" if identity[0] == "code" else "import_same_title"))
            continue
        seen[identity] = row
        kept.append(row)
    return kept


def plan(rows: list[Row], options: ImportOptions, config: SiteConfig, problems: Problems) -> list[Planned]:
    existing_problems = Problems(messages=problems.messages)  # check reports these; import only reads
    sources = load_positions(options.root, existing_problems)
    by_identity: dict[tuple, PositionSource] = {}
    for source in sources:
        code = source.fields.get("code")
        if code:
            by_identity.setdefault(("code", code), source)
        category = match_category(str(source.fields.get("category", "")), config.categories)
        if category is not None:
            by_identity.setdefault(("title", source.fields.get("title"), category.key), source)
    taken = _taken_slugs(options.root, sources)
    orders: dict[str, int] = {}
    planned: list[Planned] = []
    for row in rows:
        identity = _identity(row)
        orders[row.category.key] = order = orders.get(row.category.key, 0) + 1
        source = by_identity.get(identity)
        if source is None and identity[0] == "code":
            source = by_identity.get(("title", row.title, row.category.key))
        if source is None:
            slug = _new_slug(row.title, taken)
            text = markdown_text(position_data(row, options, order, None))
            planned.append(Planned(row, "new", f"{CONTENT_DIR.as_posix()}/{slug}.md", text))
            continue
        data = position_data(row, options, order, source)
        text = yaml_text(data) if source.path.endswith(YAML_SUFFIXES) else markdown_text(data)
        if text == source.text:
            planned.append(Planned(row, "unchanged", source.path, text, source.text))
        elif options.update:
            planned.append(Planned(row, "update", source.path, text, source.text))
        else:
            problems.error(row.path, row.line, 1, "import_exists", title=row.title, file=source.path)
    return planned


def _write_text(path: Path, text: str, *, new: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if new:
        with path.open("x", encoding="utf-8", newline="\n") as fh:  # "x": fails rather than overwrite
            fh.write(text)
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(planned: list[Planned], added: list[Category], options: ImportOptions, problems: Problems) -> bool:
    """Write site.toml's new categories, then every new or changed file; False after a write failed."""
    if added:
        config_path = options.root / CONFIG_FILE
        try:
            raw = config_path.read_bytes()
            bom = raw.startswith(b"\xef\xbb\xbf")
            text = add_categories(raw.decode("utf-8-sig"), added)
            _write_bytes(config_path, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            problems.error(CONFIG_FILE, 0, 0, "import_write_failed", file=CONFIG_FILE, detail=str(exc))
            return False
    for item in planned:
        if item.action == "unchanged":
            continue
        try:
            _write_text(options.root / item.rel, item.text, new=item.action == "new")
        except OSError as exc:
            problems.error(item.rel, 0, 0, "import_write_failed", file=item.rel, detail=exc.strerror or str(exc))
            return False
    return True


def _write_bytes(path: Path, data: bytes) -> None:
    write_atomic(path, data, prefix=".import-")


# --- the command -----------------------------------------------------------------------------------

def check_arguments(options: ImportOptions, problems: Problems) -> None:
    """Wrong arguments are usage errors (exit status 2), before anything is read."""
    if not options.files:
        raise UsageError(problems.text("import_no_files"))
    for path in options.files:
        if not is_supported(path):
            raise UsageError(problems.text("import_unsupported", file=path.as_posix(), suffix=path.suffix or "?"))
        if not path.is_file():
            raise UsageError(problems.text("import_file_missing", file=path.as_posix()))


def run_import(options: ImportOptions, problems: Problems) -> ImportReport:
    report = ImportReport(problems)
    check_arguments(options, problems)
    config = load_config(options.root, problems)
    if config is None:
        report.status = 1
        return report
    if options.category and match_category(options.category, config.categories) is None:
        raise UsageError(problems.text("category_unknown", value=options.category, hint="",
                                       allowed=", ".join(f"{c.key}（{c.name}）" for c in config.categories)))
    rows: list[Row] = []
    counts: list[tuple[str, int]] = []
    for path in options.files:
        rel = path.as_posix()
        read = read_file(path, rel, options, problems)
        counts.append((rel, len(read)))
        rows += read
    added = resolve_categories(rows, config, options, problems, report)
    rows = without_duplicates(rows, problems)
    planned = plan(rows, options, config, problems) if not problems.has_errors() else []
    if problems.has_errors():
        report.err.append(problems.text("import_failed", errors=len(problems.errors)))
        report.status = 1
        return report

    dry = options.dry_run
    for rel, count in counts:
        report.out.append(problems.text("import_read", file=rel, positions=count))
    for category in added:
        report.out.append(problems.text("import_would_add_category" if dry else "import_category_added",
                                        name=category.name, key=category.key))
    for item in planned:
        action = {"new": "import_would_create", "update": "import_would_update", "unchanged": "import_unchanged"} \
            if dry else {"new": "import_created", "update": "import_updated", "unchanged": "import_unchanged"}
        report.out.append(problems.text(action[item.action], file=item.rel, title=item.row.title,
                                        category=item.row.category.name))
        if item.action == "update":
            report.out += [line.rstrip("\n") for line in difflib.unified_diff(
                item.old.splitlines(keepends=True), item.text.splitlines(keepends=True), item.rel, item.rel)]
    if not dry and not _write(planned, added, options, problems):
        report.err.append(problems.text("import_failed_writing"))
        report.status = 1
        return report
    categories = {row.category.key for row in rows if row.category}
    report.out.append(problems.text(
        "import_summary", positions=len(planned), categories=len(categories),
        responsibilities=sum(len(p.row.responsibilities) for p in planned),
        requirements=sum(len(p.row.requirements) for p in planned),
        new=sum(p.action == "new" for p in planned), updated=sum(p.action == "update" for p in planned),
        unchanged=sum(p.action == "unchanged" for p in planned)))
    site = "" if options.root == Path(".") else f" --site {options.root.as_posix()}"
    report.out.append(problems.text("import_dry_run" if dry else "import_next", site=site))
    return report
