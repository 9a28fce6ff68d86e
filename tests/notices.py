"""Recruitment notices the import tests make themselves: Word (python-docx), Excel (openpyxl) and CSV
files with the seed's 23 positions, merged category cells and Word's automatic numbering."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from careersite.load.frontmatter import split_front_matter
from tests.helpers import FIXTURES, PROJECT, new_site

SEED_POSITIONS = json.loads((PROJECT / "tests/data/seed_positions.json").read_text(encoding="utf-8"))
SEED_NOTICE = FIXTURES / "notice" / "seed-notice.txt"  # a copy of ../shared/seed: the Word table's text export
HEADINGS = ["招聘类别", "招聘岗位", "岗位职责", "任职要求"]
NOTICE_TITLE = "附件1：消费金融业务人员招聘岗位及任职条件"


def groups(positions: list[dict]) -> list[tuple[str, list[dict]]]:
    """(category name, its positions) in table order."""
    result: list[tuple[str, list[dict]]] = []
    for position in positions:
        if not result or result[-1][0] != position["category_name"]:
            result.append((position["category_name"], []))
        result[-1][1].append(position)
    return result


def write_docx(path: Path, positions: list[dict] = SEED_POSITIONS, *, numbered: bool = True,
               extra: dict[str, list[str]] | None = None, title: str = NOTICE_TITLE) -> Path:
    """A Word notice: a title paragraph, then one table whose category cells are merged over their
    positions' rows, and duties and requirements as paragraphs with Word's automatic numbering
    (style "List Number"; typed "1." numbers when NUMBERED is False). EXTRA: more columns."""
    import docx

    document = docx.Document()
    document.add_paragraph(title)
    headings = HEADINGS + list(extra or {})
    table = document.add_table(rows=1 + len(positions), cols=len(headings))
    for column, heading in enumerate(headings):
        table.cell(0, column).text = heading
    row = 1
    for name, members in groups(positions):
        top = table.cell(row, 0)
        if len(members) > 1:
            top = top.merge(table.cell(row + len(members) - 1, 0))
        top.text = name
        for position in members:
            table.cell(row, 1).text = position["title"]
            for column, kind in ((2, "responsibilities"), (3, "requirements")):
                cell = table.cell(row, column)
                for n, item in enumerate(position[kind]):
                    paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
                    if numbered:
                        paragraph.text = item
                        paragraph.style = "List Number"
                    else:
                        paragraph.text = f"{n + 1}.{item}"
            for offset, values in enumerate((extra or {}).values()):
                table.cell(row, 4 + offset).text = values[row - 1]
            row += 1
    document.save(path)
    return path


def write_xlsx(path: Path, positions: list[dict] = SEED_POSITIONS, *, extra: dict[str, list[str]] | None = None,
               title: str = NOTICE_TITLE) -> Path:
    """An Excel notice: a merged title row, the headings, then one row a position; the category
    cell is merged over its positions' rows and items are typed "1." lines inside their cell."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    headings = HEADINGS + list(extra or {})
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    sheet.append(headings)
    row = 3
    for name, members in groups(positions):
        for n, position in enumerate(members):
            values = [name if n == 0 else None, position["title"],
                      "\n".join(f"{i}.{item}" for i, item in enumerate(position["responsibilities"], start=1)),
                      "\n".join(f"{i}、{item}" for i, item in enumerate(position["requirements"], start=1))]
            values += [column[row - 3] for column in (extra or {}).values()]
            sheet.append(values)
        if len(members) > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row + len(members) - 1, end_column=1)
        row += len(members)
    workbook.save(path)
    return path


def csv_text(positions: list[dict] = SEED_POSITIONS, *, fill_category: bool = False) -> str:
    """A CSV as Excel writes a merged sheet: the category only on its first row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for name, members in groups(positions):
        for n, position in enumerate(members):
            writer.writerow([name if n == 0 or fill_category else "", position["title"],
                             "\n".join(f"{i}. {item}" for i, item in enumerate(position["responsibilities"], start=1)),
                             "\n".join(f"（{i}）{item}" for i, item in enumerate(position["requirements"], start=1))])
    return buffer.getvalue()


def table_rows(rows: list[list[str]], path: Path) -> Path:
    """A small .xlsx with exactly ROWS (the first is usually the heading row)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def empty_site(make_site):
    """A site with the seed's site.toml (its six categories) and no position."""
    return make_site({"site.toml": (FIXTURES / "seed" / "site.toml").read_text(encoding="utf-8")}, position=False)


@pytest.fixture(scope="session")
def word_positions(tmp_path_factory) -> dict[str, str]:
    """The position files the seed's Word notice (write_docx) imports as: every other form must give these."""
    site = empty_site(functools.partial(new_site, tmp_path_factory.mktemp("word") / "site"))
    write_docx(site.root / "notice.docx")
    assert run_import(site, "notice.docx").returncode == 0
    return position_files(site)


# --- what an import wrote ---------------------------------------------------------------------------

POSITIONS = "content/positions"


def position_files(site) -> dict[str, str]:
    folder = site.root / POSITIONS
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))} if folder.is_dir() else {}


def parse(text: str) -> dict:
    """A written position file read back independently of the generator: front matter and lists."""
    split = split_front_matter(text)
    meta = yaml.safe_load(split.front_matter)
    lists, kind = {"responsibilities": [], "requirements": []}, None
    for line in split.body.split("\n"):
        if line.startswith("## "):
            kind = {"岗位职责": "responsibilities", "任职要求": "requirements"}[line[3:]]
        elif (item := re.match(r"^(\d+)\. (.*)$", line)) and kind:
            assert int(item[1]) == len(lists[kind]) + 1
            lists[kind].append(item[2])
    return {**meta, **lists}


def by_title(site) -> dict[str, dict]:
    return {(data := parse(text))["title"]: data for text in position_files(site).values()}


def run_import(site, *args: str):
    return site.run("import", *args)


def first_import_error(site, *args: str) -> str:
    """The first message line of an import that must fail (exit status 1)."""
    result = run_import(site, *args)
    assert result.returncode == 1, result.stderr
    return result.stderr.splitlines()[0]
