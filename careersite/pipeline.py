"""The only module that knows the order of the stages: config -> content -> model -> render -> output."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import incremental
from .config import CONFIG_FILE, SiteConfig, load_config
from .content import CONTENT_DIR, load_positions
from .errors import Problems
from .i18n import DEFAULT_LANGUAGE, load_locale
from .model import Site, build_site, today_in
from .output import WriteStats
from .render import STATIC_DIR, TEMPLATES_DIR


@dataclass(frozen=True)
class Options:
    root: Path = Path(".")
    out: Path | None = None  # default: ROOT/public
    base_url: str | None = None  # overrides site.toml (the dev server, CI's Pages URL)
    drafts: bool = False
    today: dt.date | None = None  # default: today in the site's time zone
    cache: bool = True  # reuse what the last build made (ROOT/.cache/careersite); False: from scratch

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.root / "public"


@dataclass
class Result:
    problems: Problems
    site: Site | None = None
    stats: WriteStats | None = None
    seconds: float = 0.0
    written: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.site is not None and not self.problems.has_errors()


def new_problems() -> Problems:
    return Problems(messages=dict(load_locale(DEFAULT_LANGUAGE)[1]))


def load_site(options: Options, problems: Problems) -> Site | None:
    """Gather and validate everything; None when any error was found (all of them reported)."""
    config = load_config(options.root, problems)
    sources = load_positions(options.root, problems)
    if config is None:
        return None
    if options.base_url:
        base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        config = dataclasses.replace(config, base_url=base)
    today = options.today or today_in(config.timezone)
    site = build_site(config, sources, problems, today=today, drafts=options.drafts)
    return None if problems.has_errors() else site


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


def check(options: Options) -> Result:
    """Validate everything and write nothing."""
    started = time.perf_counter()
    problems = new_problems()
    site = load_site(options, problems)
    return Result(problems, site, seconds=time.perf_counter() - started)


def build(options: Options) -> Result:
    """Validate, then render and write atomically. On any error the output folder is untouched."""
    started = time.perf_counter()
    problems = new_problems()
    out = options.out_dir
    reason = unsafe_output_reason(options.root, out)
    if reason:
        problems.error(str(out), 0, 0, "output_unsafe", out=out, reason=reason)
        return Result(problems, seconds=time.perf_counter() - started)
    config = load_config(options.root, problems)
    if config is None:
        load_positions(options.root, problems)  # still report every problem in every file
        return Result(problems, seconds=time.perf_counter() - started)
    if options.base_url:
        base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        config = dataclasses.replace(config, base_url=base)
    today = options.today or today_in(config.timezone)
    site, stats = incremental.build(options.root, out, config, problems, today=today, drafts=options.drafts,
                                    use_cache=options.cache)
    return Result(problems, site, stats, time.perf_counter() - started, written=stats is not None)


__all__ = ["Options", "Result", "build", "check", "load_site", "SiteConfig"]
