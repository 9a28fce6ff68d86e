"""Fixtures for browser tests (the browser and pages themselves are in tests/conftest.py).

Never lets Playwright download a browser: it launches /usr/bin/chromium via
``executable_path``. Missing tools skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@pytest.fixture(scope="session")
def served_site(seed_site):
    """The default site (built once by tests/conftest.py) served under /careers/, like a project site.

    Its base_url path is /careers/ and its links are root-relative, so the origin does not matter.
    Yields the base URL, e.g. http://127.0.0.1:PORT/careers/.
    """
    from tests.tools import serve_directory

    with serve_directory(seed_site.out, "/careers/") as base:
        yield base


@pytest.fixture(scope="session")
def served_variants(all_templates_site):
    """The default site plus a closed, a draft and a full position (tests/sitevariants.py; built once by
    tests/conftest.py) served under /careers/. Yields (base URL, output folder)."""
    from tests.tools import serve_directory

    with serve_directory(all_templates_site, "/careers/") as base:
        yield base, all_templates_site


@pytest.fixture(scope="session")
def served_empty_site(tmp_path_factory):
    """The default site with no open position, served under /careers/. Yields the base URL."""
    from tests.sitevariants import build_empty_site
    from tests.tools import serve_directory

    with serve_directory(build_empty_site(tmp_path_factory.mktemp("empty") / "site"), "/careers/") as base:
        yield base


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:  # everything under tests/browser/ drives chromium
        if Path(item.path).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
