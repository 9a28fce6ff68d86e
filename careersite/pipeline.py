"""The only module that knows the order of the stages: config -> content -> model -> render -> output.

Checking runs them all and writes nothing; building runs them through incremental.Build, which
redoes only what changed since the last build into the same folder.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import time
from pathlib import Path
from typing import Callable

from .config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR, SiteConfig, load_config
from .content import CONTENT_DIR, load_positions
from .errors import Problems
from .i18n import DEFAULT_LANGUAGE, load_locale
from .incremental import Build, Options, Result, open_cache, preload, take_scan
from .lint import lint_site
from .model import Site, build_site, today_in
from .seo import check_postings


def new_problems() -> Problems:
    return Problems(messages=dict(load_locale(DEFAULT_LANGUAGE)[1]))


def load_site(options: Options, problems: Problems, *, partial: bool = False) -> Site | None:
    """Gather and validate everything; None when any error was found (all of them reported).

    PARTIAL: the site made of the files that have no errors, even when others have (None only
    when site.toml cannot be used): what a pull request's summary compares."""
    config = load_config(options.root, problems)
    # With a usable config, each file's category is checked with its other fields (all mistakes at once).
    sources = load_positions(options.root, problems, config.categories if config else None)
    if config is None:
        return None
    config = _with_base_url(config, options)
    today = options.today or today_in(config.timezone)
    site = build_site(config, sources, problems, today=today, drafts=options.drafts)
    check_postings(site, problems)
    lint_site(config, sources, today, problems)  # warnings only; never changes the site
    if partial:
        return site
    if options.strict and problems.warnings:
        return None
    return None if problems.has_errors() else site


def _with_base_url(config: SiteConfig, options: Options) -> SiteConfig:
    if not options.base_url:
        return config
    base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
    return dataclasses.replace(config, base_url=base)


def unsafe_output_reason(root: Path, out: Path) -> str | None:
    """Why OUT must not be replaced wholesale (it holds the site's sources), or None if it is safe."""
    root, out = root.resolve(), out.resolve()
    if out == root or root.is_relative_to(out):
        return CONFIG_FILE
    for protected in (CONTENT_DIR, Path(TEMPLATES_DIR), Path(STATIC_DIR), Path(".git")):
        target = (root / protected).resolve()
        if out == target or out.is_relative_to(target) or target.is_relative_to(out):
            return protected.as_posix()
    return None


def is_foreign_output(out: Path) -> bool:
    """OUT holds files no build wrote (not empty, no index.html): replacing it would delete them."""
    if not out.exists():
        return False
    if not out.is_dir():
        return True
    return not (out / "index.html").is_file() and any(out.iterdir())


def check(options: Options) -> Result:
    """Validate everything and write nothing."""
    started = time.perf_counter()
    problems = new_problems()
    site = load_site(options, problems)
    return Result(problems, site, seconds=time.perf_counter() - started)  # check: nothing cached, nothing written


def _without_cyclic_gc(function: Callable[..., Result]) -> Callable[..., Result]:
    """A build makes about a million small objects that all live until it ends: the cyclic collector
    would keep re-scanning them and find nothing (docs/performance.md). Restored afterwards."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> Result:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()
    return wrapper


@_without_cyclic_gc
def build(options: Options) -> Result:
    """Validate, then render and write atomically. On any error the output folder is untouched.

    Only what changed since the last build into the same folder is redone (cache.py); the result is
    byte-identical to a build from nothing. Result.rendered counts the pages that were not reused.
    """
    started = time.perf_counter()
    problems = new_problems()
    last_scan = take_scan()
    out = options.out_dir
    reason = unsafe_output_reason(options.root, out)
    if reason:
        problems.error(str(out), 0, 0, "output_unsafe", out=out, reason=reason)
        return Result(problems, seconds=time.perf_counter() - started)
    if is_foreign_output(out):
        problems.error(str(out), 0, 0, "output_foreign", out=out)
        return Result(problems, seconds=time.perf_counter() - started)
    config = load_config(options.root, problems)
    if config is None:
        load_positions(options.root, problems)  # still report every mistake in the position files
        return Result(problems, seconds=time.perf_counter() - started)
    config = _with_base_url(config, options)
    cache = open_cache(options)
    try:
        result = Build(options, config, problems, cache, last_scan).run()
    finally:
        cache.close()
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["Options", "Result", "build", "check", "load_site", "preload", "SiteConfig"]
