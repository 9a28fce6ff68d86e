"""The checks a published site must pass, on whatever content it has (see checks.py for each rule)."""

from __future__ import annotations

import pytest

from tests.sitecheck import checks
from tests.tools import require_vnu


def report(problems: list[str]) -> str:
    return "\n" + "\n".join(problems)


def test_the_default_pages_are_there(checked_site):
    problems = checks.default_page_problems(checked_site.out, checked_site.root)
    assert problems == [], report(problems)


def test_the_site_is_not_published_empty_by_accident(checked_site):
    problems = checks.empty_site_problems(checked_site.out, checked_site.root)
    assert problems == [], report(problems)


def test_no_broken_link_asset_or_anchor(checked_site):
    problems, _reached = checks.link_problems(checked_site.out, checked_site.base_url)
    assert problems == [], report(problems)


def test_every_open_position_has_complete_job_posting_data(checked_site):
    problems = checks.job_posting_problems(checked_site.out)
    assert problems == [], report(problems)


def test_sitemap_and_feed_list_every_open_position(checked_site):
    problems = checks.feed_problems(checked_site.out)
    assert problems == [], report(problems)


@pytest.mark.slow
def test_every_page_is_valid_html(request, checked_site):
    if not request.config.getoption("site_out"):
        pytest.skip("the seed fixture: tests/test_html_valid.py checks its pages, in its one run of the checker")
    require_vnu()
    problems = checks.vnu_problems(checked_site.out)
    assert problems == [], report(problems)


@pytest.mark.browser
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_every_page_is_accessible(request, device, checked_site, served_checked_site):
    page = request.getfixturevalue(f"{device}_page")
    problems = checks.axe_problems(page, served_checked_site, checks.axe_pages(checked_site.out))
    assert problems == [], report(problems)


def test_the_daily_publish_runs_just_after_midnight_in_the_sites_time_zone(checked_site):
    from tests.helpers import PROJECT

    problems = checks.schedule_problems(checked_site.root, PROJECT / ".github/workflows/pages.yml")
    assert problems == [], report(problems)
