"""The Nu HTML Checker (vnu.jar) finds no errors in any page the generator writes.

Every HTML file of the seed site, of the seed site with a closed, a draft and a full position, and the home page
of a site with no open position, in one checker run; in the same run, a page whose markup a template change broke,
which it must report. (tests/sitecheck/ runs the checker on the live site's pages.)
"""

from __future__ import annotations

import pytest

from tests.sitevariants import CLOSED_SLUG, DRAFT_SLUG, FULL_SLUG, build_empty_site
from tests.tools import format_vnu_errors, require_vnu, run_vnu


@pytest.mark.slow
def test_every_page_is_valid_html_and_a_broken_one_is_not(seed_site, all_templates_site, tmp_path):
    require_vnu()
    pages = sorted(seed_site.out.rglob("*.html")) + sorted(all_templates_site.rglob("*.html"))
    variants = [all_templates_site / f"positions/{slug}/index.html" for slug in (CLOSED_SLUG, DRAFT_SLUG, FULL_SLUG)]
    assert len(pages) >= 30 + 33 and set(variants) <= set(pages)
    empty = build_empty_site(tmp_path / "empty") / "index.html"
    page = (all_templates_site / "positions/dba/index.html").read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace('<main id="main"', '<main id="main-x"><main id="main"', 1), encoding="utf-8")
    errors = run_vnu([*pages, empty, broken])
    assert errors and all(e.get("url", "").endswith("/broken.html") for e in errors), format_vnu_errors(errors)
    assert "main" in format_vnu_errors(errors)
