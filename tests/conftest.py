"""Shared fixtures: tiny sites in tmp_path, the seed fixture site built once, and a CLI runner.

The generator is tested on sites the tests own (tests/fixtures/, and the small sites make_site writes),
never on the live content/ or site.toml: HR can add, close or remove a position and the suite stays
green. tests/guard/ enforces that for this process and every Python process a test starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.helpers import TODAY, position

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures"
SEED_FIXTURE = FIXTURES / "seed"  # a frozen copy of the first real content: 23 positions, 6 categories
FIXED_TODAY = TODAY  # (tests/helpers.py: one fixed day for the whole suite)
GUARD = PROJECT / "tests" / "guard"

MINIMAL_TOML = """\
title = "测试招聘"
company = "测试公司"
base_url = "https://jobs.example.com/"

[apply]
email = "jobs@example.com"

[[categories]]
key = "tech"
name = "技术类"

[[categories]]
key = "ops"
name = "运营类"

[defaults]
posted = 2026-11-01
location = "北京"
"""

MINIMAL_POSITION = position()


def copy_site(fixture: Path, dest: Path) -> Path:
    """A site folder at DEST: FIXTURE's site.toml and content/, the generator's templates/ and static/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(fixture / "site.toml", dest / "site.toml")
    shutil.copytree(fixture / "content", dest / "content")
    for name in ("templates", "static"):
        shutil.copytree(fixture / name if (fixture / name).is_dir() else PROJECT / name, dest / name)
    return dest


class SiteDir:
    """A throwaway site folder: the project's templates and static files plus the given content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def position(self, name: str, text: str) -> Path:
        return self.write(f"content/positions/{name}", text)

    def run(self, *args: str, today: str = TODAY.isoformat()) -> subprocess.CompletedProcess:
        """build.py's command line as HR runs it, from the site folder, in this process (the same main()
        build.py calls; the commands keep no state between runs); stdout, stderr and the exit status."""
        return run_in_process(*args, "--site", str(self.root), "--today", today, cwd=self.root)

    def process(self, *args: str, today: str = TODAY.isoformat()) -> subprocess.CompletedProcess:
        """The same in a real `python build.py` process (for what only a process shows: exit by signal, a crash)."""
        return run_cli(*args, "--site", str(self.root), "--today", today, cwd=self.root)

    def build(self, *args: str) -> subprocess.CompletedProcess:
        result = self.run("build", *args)
        assert result.returncode == 0, result.stderr
        return result

    @property
    def out(self) -> Path:
        return self.root / "public"

    def page(self, rel: str = "") -> BeautifulSoup:
        path = self.out / rel
        if path.is_dir() or not rel or rel.endswith("/"):
            path = path / "index.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def run_in_process(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    """careersite.cli.main(ARGS) from CWD, with its output captured, as a CompletedProcess."""
    import contextlib
    import io

    from careersite.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["build.py", *args], code, out.getvalue(), err.getvalue())


def run_cli(*args: str, cwd: Path = PROJECT, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(PROJECT / "build.py"), *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def make_site(tmp_path: Path):
    """make_site({"content/positions/x.md": "..."}) -> SiteDir with a valid minimal site, files overridden."""

    def factory(files: dict[str, str | bytes] | None = None, *, position: bool = True) -> SiteDir:
        root = tmp_path / "site"
        root.mkdir()
        shutil.copytree(PROJECT / "templates", root / "templates")
        shutil.copytree(PROJECT / "static", root / "static")
        site = SiteDir(root)
        site.write("site.toml", MINIMAL_TOML)
        if position:
            site.position("backend-engineer.md", MINIMAL_POSITION)
        for rel, text in (files or {}).items():
            site.write(rel, text)
        return site

    return factory


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> SiteDir:
    """The seed fixture site (tests/fixtures/seed), built once with a fixed 'today'."""
    site = SiteDir(copy_site(SEED_FIXTURE, tmp_path_factory.mktemp("seed") / "site"))
    site.build()
    return site


def pytest_addoption(parser) -> None:
    group = parser.getgroup("careersite site checks (python -m tests.sitecheck)")
    group.addoption("--site-root", default=".", help="the site folder checked by tests/sitecheck")
    group.addoption("--site-out", default="", help="its built output (default: the seed fixture, built)")
    group.addoption("--site-base-url", default="", help="the URL the output was built for")


@pytest.fixture(autouse=True, scope="session")
def compiled_templates():
    """Builds in this process share compiled templates (by source checksum, so an edited template compiles
    anew): a thousand tests build a site, and compiling the six templates was half of a small build."""
    from careersite.render import pages

    shared = pages.CompiledTemplates()
    real = pages.environment
    pages.environment = lambda root, bytecode_cache=None: real(root, bytecode_cache or shared)
    yield
    pages.environment = real


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
def screenshot_dir() -> Path:
    """test-artifacts/screenshots/ under the project root (gitignored)."""
    d = PROJECT / "test-artifacts" / "screenshots"
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
