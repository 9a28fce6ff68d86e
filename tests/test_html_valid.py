"""The Nu HTML Checker (vnu.jar) finds no errors in any page the generator writes.

Every HTML file of the default site, plus the closed, draft and full position pages and the home page of a
site with no open position, in one checker run.
"""

from __future__ import annotations

import pytest

from tests.sitevariants import CLOSED_SLUG, DRAFT_SLUG, FULL_SLUG, build_all_templates_site, build_empty_site
from tests.tools import format_vnu_errors, require_vnu, run_vnu


@pytest.mark.slow
def test_every_page_is_valid_html(seed_site, tmp_path):
    require_vnu()
    variants = build_all_templates_site(tmp_path / "variants")
    pages = sorted(seed_site.out.rglob("*.html"))
    extra = [variants / f"positions/{slug}/index.html" for slug in (CLOSED_SLUG, DRAFT_SLUG, FULL_SLUG)]
    extra.append(build_empty_site(tmp_path / "empty") / "index.html")
    assert len(pages) >= 30 and all(p.is_file() for p in extra)
    errors = run_vnu([*pages, *extra])
    assert errors == [], format_vnu_errors(errors)


@pytest.mark.slow
def test_the_checker_sees_errors_in_a_broken_page(seed_site, tmp_path):
    """Control: the same run reports a page whose markup a template change broke."""
    require_vnu()
    page = (seed_site.out / "positions/dba/index.html").read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace('<main id="main"', '<main id="main-x"><main id="main"', 1), encoding="utf-8")
    errors = run_vnu([broken])
    assert errors and "main" in format_vnu_errors(errors)
