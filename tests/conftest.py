"""Shared fixtures: tiny sites in tmp_path, the seed fixture site built once, the browser, and the guard.

The generator is tested on sites the tests own (tests/fixtures/, and the small sites make_site writes),
never on the live content/ or site.toml: HR can add, close or remove a position and the suite stays
green. tests/guard/ enforces that for this process and every Python process a test starts.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path

import jinja2
import pytest

from tests.helpers import PROJECT, SEED_FIXTURE, SiteDir, copy_site, new_site

GUARD = PROJECT / "tests" / "guard"


@pytest.fixture
def make_site(tmp_path: Path):
    """make_site({"content/positions/x.md": "..."}) -> SiteDir with a valid minimal site, files overridden
    (a test about what the stages make of some content, not about files or commands: MemorySite)."""
    return functools.partial(new_site, tmp_path / "site")


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> SiteDir:
    """The seed fixture site (tests/fixtures/seed), built once with a fixed 'today'."""
    site = SiteDir(copy_site(SEED_FIXTURE, tmp_path_factory.mktemp("seed") / "site"))
    site.build()
    return site


@pytest.fixture(scope="session")
def all_templates_site(tmp_path_factory) -> Path:
    """The output of the seed site with a closed, a draft and a full position (tests/sitevariants.py), built once
    with --drafts, for the tests that only read it."""
    from tests.sitevariants import build_all_templates_site

    return build_all_templates_site(tmp_path_factory.mktemp("variants") / "site")


def pytest_addoption(parser) -> None:
    group = parser.getgroup("careersite site checks (python -m tests.sitecheck)")
    group.addoption("--site-root", default=".", help="the site folder checked by tests/sitecheck")
    group.addoption("--site-out", default="", help="its built output (default: the seed fixture, built)")
    group.addoption("--site-base-url", default="", help="the URL the output was built for")


class SharedTemplates(jinja2.BytecodeCache):
    """Compiled templates by name and source checksum. Jinja's own key is the template's file name, which is
    another in every site folder a test makes: keyed so, no two tests' sites shared a compiled template."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], bytes] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return name

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get((bucket.key, bucket.checksum))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key, bucket.checksum] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True, scope="session")
def shared_render_work():
    """Builds in this process share what is the same in every small site: the compiled templates (by source
    checksum, so an edited template compiles anew) and the share pictures (by their texts). Compiling the
    templates and encoding three PNGs were most of a one-position build, and many tests build one."""
    from careersite.render import pages

    shared = SharedTemplates()
    real = pages.environment
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "environment", lambda root, bytecode_cache=None: real(root, bytecode_cache or shared))
        patch.setattr(pages, "share_png", functools.lru_cache(maxsize=64)(pages.share_png))
        yield


# --- the browser (tests/browser/, tests/sitecheck/): one Debian chromium for the session -------------

DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    from tests.tools import CHROMIUM_ARGS, INSTALL_HINT, PIP_HINT, chromium_path, has_cjk_font, has_module, require_tool

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
def screenshot_dir(tmp_path_factory) -> Path:
    """Where the browser tests' screenshots go: the session's temporary folder, or the folder named by
    CAREERSITE_TEST_ARTIFACTS (CI names test-artifacts/, the one folder of the checkout a test may write, and
    uploads it)."""
    folder = os.environ.get("CAREERSITE_TEST_ARTIFACTS")
    d = (Path(folder).resolve() if folder else tmp_path_factory.getbasetemp()) / "screenshots"
    d.mkdir(parents=True, exist_ok=True)
    return d



# --- the guard: no test reads the live site or writes into the checkout (tests/guard/) ---------------

def pytest_configure(config) -> None:
    if config.getoption("site_out", ""):
        return  # python -m tests.sitecheck checks the live site on purpose: no guard
    if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("CAREERSITE_TEST_GUARD_LOG"):
        log = Path(os.environ["CAREERSITE_TEST_GUARD_LOG"])  # a worker of pytest -n: the run's one log
    else:
        log = Path(tempfile.gettempdir()) / f"careersite-guard-{os.getpid()}.log"
        log.unlink(missing_ok=True)
    config.guard_log = log
    os.environ["CAREERSITE_TEST_GUARD_PROJECT"] = str(PROJECT)
    os.environ["CAREERSITE_TEST_GUARD_LOG"] = str(log)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD), str(PROJECT), os.environ.get("PYTHONPATH")]))
    import importlib.util

    installed = sys.modules.get("sitecustomize")
    if installed is not None and getattr(installed, "__file__", "") == str(GUARD / "sitecustomize.py"):
        sys.modules["careersite_test_guard"] = installed  # a worker of pytest -n: started with the guard
    else:
        spec = importlib.util.spec_from_file_location("careersite_test_guard", GUARD / "sitecustomize.py")
        sys.modules[spec.name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # the hook, in this process too
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(log.with_suffix(".hypothesis"))
    from hypothesis import settings

    settings.register_profile("careersite", database=None)  # no .hypothesis/ in the checkout
    settings.load_profile("careersite")


def pytest_sessionfinish(session, exitstatus) -> None:
    log = getattr(session.config, "guard_log", None)
    if log is not None and log.is_file() and log.read_text(encoding="utf-8").strip():
        print("\n\ntest guard: tests read the live site or wrote into the checkout:\n"
              + log.read_text(encoding="utf-8"), file=sys.stderr)
        session.exitstatus = 1
