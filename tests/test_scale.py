"""A site of 1,000 generated positions stays light: page budget, a split search index, complete feeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from careersite.search import has_pagefind
from tests.sitegen import build, generate, measure
from tests.tools import require_tool

pytestmark = pytest.mark.slow


def test_a_thousand_positions(tmp_path):
    require_tool("pagefind (Python package)", has_pagefind(), "pip install -r requirements.txt")
    generate(tmp_path / "site", 1000)
    out = build(tmp_path / "site")
    figures = measure(out)
    assert figures["positions"] == 1000
    assert figures["position_total"] < 50 * 1024, figures
    # the index is split into chunks, so a query loads a small part of it
    assert figures["index_chunks"] > 5 and figures["index_fragments"] == 1000, figures
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert [lang["page_count"] for lang in entry["languages"].values()] == [1000]
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    assert len(sitemap) == 1000 + 1 + len(list((out / "categories").rglob("index.html")))
    assert len(json.loads((out / "positions.json").read_text(encoding="utf-8"))["positions"]) == 1000
