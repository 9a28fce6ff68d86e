"""The pages work under their own Content-Security-Policy: chromium reports no violation on any page type, the
site's scripts run (copy buttons, the search form), and an inline script planted in a page would not run."""

from __future__ import annotations

import shutil

import pytest

from tests.sitevariants import CLOSED_SLUG, DRAFT_SLUG
from tests.tools import serve_directory

pytestmark = pytest.mark.slow

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.mark.parametrize("rel", ["", "categories/technology/", "positions/dba/", f"positions/{CLOSED_SLUG}/",
                                 f"positions/{DRAFT_SLUG}/", "404.html"])
def test_no_page_breaks_its_own_policy(phone_page, served_variants, rel):
    base, _out = served_variants
    errors: list[str] = []
    phone_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    phone_page.add_init_script(WATCH)
    phone_page.goto(base + rel)
    phone_page.wait_for_load_state("load")
    assert phone_page.evaluate("window.__violations") == []
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_sites_own_scripts_run_under_the_policy(desktop_page, served_variants):
    base, _out = served_variants
    desktop_page.goto(base + "positions/dba/")
    assert desktop_page.locator(".copy-row .copy-button").first.is_visible()  # shown by site.js
    desktop_page.goto(base)
    assert desktop_page.locator("form.finder").is_visible()  # shown by search.js


def test_an_inline_script_planted_in_a_page_does_not_run(desktop_page, served_variants, tmp_path):
    _base, out = served_variants
    site = shutil.copytree(out, tmp_path / "site")  # planted in a copy: the served site is every test's
    page = site / "positions/dba/index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", "<script>window.__ran = true</script></body>"), encoding="utf-8")
    with serve_directory(site, "/careers/") as base:
        desktop_page.add_init_script(WATCH)
        desktop_page.goto(base + "positions/dba/")
        assert desktop_page.evaluate("window.__ran === undefined")
        assert any(v.startswith("script-src") for v in desktop_page.evaluate("window.__violations"))
