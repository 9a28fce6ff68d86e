"""A site of 1,000 generated positions stays light: page budget, a split search index, complete feeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import SiteDir
from tests.sitegen import generate, measure

pytestmark = pytest.mark.slow


def test_a_thousand_positions(tmp_path):
    generate(tmp_path / "site", 1000)
    site = SiteDir(tmp_path / "site")
    site.build()
    out = site.out
    figures = measure(out)
    assert figures["positions"] == 1000
    assert figures["position_total"] < 50 * 1024, figures
    # the index is split into chunks, so a query loads a small part of it
    assert figures["index_shards"] > 5 and figures["index_fragments"] == 1000, figures
    assert figures["index_shard_bytes"] / figures["index_shards"] < 16_000, figures  # what one term costs a query
    assert json.loads((out / "search/meta.json").read_text(encoding="utf-8"))["docs"] == 1000
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    assert len(sitemap) == 1000 + 1 + len(list((out / "categories").rglob("index.html")))
    assert len(json.loads((out / "positions.json").read_text(encoding="utf-8"))["positions"]) == 1000
