"""Fixtures for browser tests: Debian chromium driven by Playwright's sync API.

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

from tests.tools import (  # noqa: E402
    CHROMIUM_ARGS,
    INSTALL_HINT,
    PIP_HINT,
    PROJECT_ROOT,
    chromium_path,
    has_cjk_font,
    has_module,
    require_tool,
)

DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    require_tool("playwright (Python package)", has_module("playwright"), PIP_HINT)
    exe = chromium_path()
    require_tool("chromium", exe is not None, INSTALL_HINT)
    require_tool("a CJK font (fc-list :lang=zh)", has_cjk_font(), INSTALL_HINT + " (fonts-wqy-microhei)")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _new_page(browser, **context_args):
    context = browser.new_context(**context_args)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    return context, page


@pytest.fixture
def phone_page(browser):
    """A phone-sized page: 360x740 CSS px, DPR 2, touch, zh-CN."""
    context, page = _new_page(
        browser,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def desktop_page(browser):
    """A desktop page: 1280x800 CSS px, zh-CN."""
    context, page = _new_page(
        browser,
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
    )
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """test-artifacts/screenshots/ under the project root (gitignored)."""
    d = PROJECT_ROOT / "test-artifacts" / "screenshots"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def served_site(real_site):
    """The default site (built once by tests/conftest.py) served under /careers/, like a project site.

    Its base_url path is /careers/ and its links are root-relative, so the origin does not matter.
    Yields the base URL, e.g. http://127.0.0.1:PORT/careers/.
    """
    from tests.tools import serve_directory

    with serve_directory(real_site.out, "/careers/") as base:
        yield base
