"""The site under check: the one named by --site-root/--site-out (make check-site), else the seed fixture."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest




@dataclass(frozen=True)
class CheckedSite:
    root: Path  # the site folder (site.toml, content/)
    out: Path  # its built output
    base_url: str  # the URL it was built for


@pytest.fixture(scope="session")
def checked_site(request) -> CheckedSite:
    out = request.config.getoption("site_out")
    if out:
        return CheckedSite(Path(request.config.getoption("site_root")), Path(out),
                           request.config.getoption("site_base_url"))
    seed = request.getfixturevalue("seed_site")
    return CheckedSite(seed.root, seed.out, "https://example.github.io/careers/")


@pytest.fixture(scope="session")
def served_checked_site(checked_site):
    from urllib.parse import urlsplit

    from tests.tools import serve_directory

    with serve_directory(checked_site.out, urlsplit(checked_site.base_url).path or "/") as base:
        yield base
