"""bench/run.py runs end to end on a tiny site and reports every figure (no figure is judged: no timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "bench"))
import run as bench  # noqa: E402

COLUMNS = ["N", "cold s", "cold without search index s", "unchanged s", "one edit s", "in-process edit s",
           "live preview s", "save to reload s", "save to reload, settled s", "peak MB (whole build)", "peak MB (without search index)",
           "peak MB (one edit)", "CI cold s", "CI restored, one edit s", "largest listing KB"]
HUGO_COLUMNS = ["Hugo s", "Hugo MB", "Hugo + Pagefind s", "Hugo + Pagefind MB", "cold/(Hugo+Pagefind)",
                "cold without search/Hugo", "unchanged/(Hugo+Pagefind)", "one edit/(Hugo+Pagefind)"]
FIGURES = ["cold_s", "cold_without_search_s", "unchanged_s", "one_edit_s", "in_process_edit_s", "live_preview_s",
           "save_to_reload_s", "save_to_reload_settled_s", "peak_mb", "peak_without_search_mb", "build_process_mb", "largest_child_mb", "unchanged_mb",
           "one_edit_mb", "ci_cold_s", "ci_restored_s", "largest_listing_kb", "html_pages", "output_mb"]


def markdown_rows(text: str) -> list[list[str]]:
    """The first Markdown table in TEXT: header and data rows as lists of cells (separator dropped)."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return [row for row in rows if not all(set(cell) <= {"-"} for cell in row)]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[str, dict, str]:
    folder = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "run.py"), "--sizes", "20", "--repeat", "1",
         "--work", str(folder / "work"), "--json", str(folder / "bench.json"), "--markdown", str(folder / "bench.md")],
        cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # nothing of a size is left behind (30,000 positions would fill a tmpfs), and no edit either
    assert list((folder / "work").iterdir()) == []
    return (proc.stdout, json.loads((folder / "bench.json").read_text(encoding="utf-8")),
            (folder / "bench.md").read_text(encoding="utf-8"))


def test_the_table_has_every_column_and_a_row_for_the_size(tiny_run):
    stdout, _, markdown = tiny_run
    for text in (stdout, markdown):
        head, *rows = markdown_rows(text)
        assert head == COLUMNS
        assert [row[0] for row in rows] == ["20"]
        assert all(cell and cell != "n/a" for cell in rows[0]), rows[0]


def test_the_json_has_every_figure(tiny_run):
    _, summary, _ = tiny_run
    (size,) = summary["sizes"]
    assert size["n"] == 20
    for key in FIGURES:
        assert isinstance(size[key], (int, float)) and size[key] > 0, key
    for key in ("cold_s", "unchanged_s", "one_edit_s", "in_process_edit_s", "live_preview_s", "peak_mb"):
        assert size["runs"][key], key
    assert len(size["runs"]["live_preview_s"]) >= 3  # edits timed after a warm-up rebuild
    assert set(summary["default_site"]) == {"cold_s", "unchanged_s", "startup_s"}
    assert summary["growth"] is None and summary["hugo"] is None


def test_hugo_ratios_and_growth_are_tabled():
    sizes = []
    for n, scale in ((10_000, 1.0), (30_000, 3.0)):
        size = {key: scale for key, _, _ in bench.FIGURES + bench.HUGO_FIGURES}
        size.update(n=n, hugo_s=0.5 * scale, hugo_pagefind_s=0.7 * scale, vs_hugo={name: 2.0 for name, *_ in bench.RATIOS})
        sizes.append(size)
    summary = {"sizes": sizes, "hugo": "v0", "default_site": None, "machine": "test", "repeat": 1,
               "command": "python bench/run.py", "growth": bench.growth(sizes)}
    text = bench.report(summary)
    head, *rows = markdown_rows(text)
    assert head == COLUMNS + HUGO_COLUMNS
    assert [row[0] for row in rows[:2]] == ["10,000", "30,000"]
    growth_head, growth_row = markdown_rows(text.split("\n\n")[2])
    assert growth_head[0] == "growth" and "cold s" in growth_head and "peak MB (whole build)" in growth_head
    assert growth_row[0] == "30,000 / 10,000" and set(growth_row[1:]) == {"3.00"}
