"""axe-core (axe-playwright-python) on every page template of the default site: zero WCAG 2.2 AA violations.

Templates: home, category, open position, closed position, draft position (built with --drafts), a position with
every optional fact, 404, and the home page of a site with no open position.
Each page is checked on a phone and a desktop viewport (layout and target sizes differ), in light and in dark
colours (prefers-color-scheme: dark has colours of its own, and so contrasts of its own).
"""

from __future__ import annotations

import pytest

from tests.sitevariants import CLOSED_SLUG, DRAFT_SLUG, FULL_SLUG

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

PAGES = {
    "home": "",
    "category": "categories/technology/",
    "position-open": "positions/dba/",
    "position-closed": f"positions/{CLOSED_SLUG}/",
    "position-draft": f"positions/{DRAFT_SLUG}/",
    "position-full": f"positions/{FULL_SLUG}/",
    "404": "404.html",
    "home-empty": "",  # a site with no open position
}


def test_the_variant_pages_exist(served_variants):
    _base, out = served_variants
    closed = (out / f"positions/{CLOSED_SLUG}/index.html").read_text(encoding="utf-8")
    draft = (out / f"positions/{DRAFT_SLUG}/index.html").read_text(encoding="utf-8")
    assert "badge-closed" in closed and "apply-link" not in closed
    assert "badge-draft" in draft


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("template", list(PAGES))
def test_no_axe_violations(request, device, template, scheme, served_variants, served_empty_site):
    from axe_playwright_python.sync_playwright import Axe

    page = request.getfixturevalue(f"{device}_page")
    page.emulate_media(color_scheme=scheme)
    base = served_empty_site if template == "home-empty" else served_variants[0]
    response = page.goto(base + PAGES[template])
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (scheme == "dark")
    assert response is not None and response.status == 200
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.response["testEngine"]["version"].startswith("4.")
    assert results.violations_count == 0, results.generate_report()
