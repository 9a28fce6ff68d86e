"""The stages in order: load -> model -> render and search -> write (`check` stops before render). A build
cache (incremental/) may stand in for a stage whose inputs it has seen, giving back the same bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from ..errors import Problems
from ..i18n import DEFAULT_LANGUAGE, load_locale
from ..incremental import Cache
from ..load.config import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR, load_config, today_in
from ..load.content import CONTENT_DIR, MAX_FILE_BYTES, position_files, read_position
from ..history import content_times, git_times
from ..load.textfile import read_file
from ..write import Output, OutputError, WriteStats, foreign_entries

if TYPE_CHECKING:  # (the stages below are imported where they are first used: an unchanged build needs none)
    import jinja2
    from ..model.perfile import FileResult
    from ..model.site import Site
    from ..render import Artifact, Bundle


@dataclass(frozen=True)
class Options:
    """What a user can set on the command line."""

    root: Path = Path(".")
    out: Path | None = None  # default: ROOT/public
    base_url: str | None = None  # overrides site.toml (CI's Pages URL, the dev server)
    drafts: bool = False
    today: dt.date | None = None  # default: today in the site's time zone
    strict: bool = False  # warnings fail the check or build too
    cache: bool = True  # use the build cache in ROOT/.cache/careersite (--no-cache: build everything)

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.root / "public"

    @property
    def variant(self) -> tuple[str | None, bool]:
        """What, besides the output folder, makes a build's output different."""
        return self.base_url, self.drafts


@dataclass
class Result:
    problems: Problems
    site: Site | None = None
    stats: WriteStats | None = None
    seconds: float = 0.0
    counts: tuple[int, int] | None = None  # positions, categories
    rendered: Counter[str] = field(default_factory=Counter)  # files made (not reused), by kind

    def __post_init__(self) -> None:
        if self.counts is None and self.site is not None:
            self.counts = (len(self.site.positions), len(self.site.config.categories))

    @property
    def ok(self) -> bool:
        return self.counts is not None and not self.problems.has_errors()


class NoCache:
    """The stages without a build cache (what incremental.Cache stands in for): every file read and made."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def process(self, rels: list[str], make: Callable[[str, bytes], FileResult],
                messages: dict[str, str]) -> list[FileResult]:
        from ..model.perfile import FileResult
        results = []
        for rel in rels:
            problems = Problems(messages=messages)
            data = read_file(self.root / rel, rel, problems, MAX_FILE_BYTES)
            results.append(FileResult(rel, "", None, tuple(problems.items)) if data is None else make(rel, data))
        return results

    def times(self, paths: list[str]) -> dict[str, dt.datetime]:
        return content_times(self.root, paths, git_times(self.root, paths))

    def write(self, files: Mapping[str, Artifact], bundles: Mapping[str, Bundle], output: Output) -> Counter[str]:
        for rel, artifact in files.items():
            output.put(rel, artifact.make())
        for bundle in bundles.values():
            for path, data in bundle.make().items():
                output.put(path, data)
        return Counter(artifact.kind for artifact in (*files.values(), *bundles.values()))


def new_problems() -> Problems:
    return Problems(messages=dict(load_locale(DEFAULT_LANGUAGE)[1]))


def load_site(options: Options, problems: Problems, stages: Cache | NoCache | None = None, *, times: bool = False,
              partial: bool = False) -> Site | None:
    """site.toml and the position files as a Site, or None on any error. TIMES: with each file's last change
    (for the feeds). PARTIAL: the Site of the files without errors (None only if site.toml is unusable)."""
    from ..model.lint import lint_dates
    from ..model.markup import Renderer
    from ..model.perfile import process_file
    from ..model.site import build_site
    root = options.root
    stages = stages or NoCache(root)
    config = load_config(root, problems)
    rels = position_files(root, problems)
    if config is None:  # still report every mistake in the position files, without their categories
        for rel in rels:
            read_position(root / rel, root, problems)
        return None
    if options.base_url:
        config = replace(config, base_url=options.base_url.removesuffix("/") + "/")
    make = functools.partial(process_file, config=config, renderer=Renderer())
    results = stages.process(rels, make, problems.messages)
    for result in results:
        problems.extend(result.problems)
    positions = [r.position for r in results if r.position is not None]
    today = options.today or today_in(config.timezone)
    changed = stages.times([CONFIG_FILE, *(p.source for p in positions)]) if times else {}
    lines = {r.path: r.source.lines for r in results if r.source is not None}
    site = build_site(config, positions, problems, today=today, drafts=options.drafts, changed=changed, lines=lines)
    lint_dates(config, [r.source for r in results if r.source is not None], today, problems)
    return None if (problems.has_errors() or (options.strict and problems.warnings)) and not partial else site


def check(options: Options) -> Result:
    """Validate everything and write nothing."""
    started = time.perf_counter()
    problems = new_problems()
    return Result(problems, load_site(options, problems), seconds=time.perf_counter() - started)


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


def build(options: Options, cache: Cache | None = None, say: Callable[[str, dict], None] | None = None) -> Result:
    """Validate, then render and write atomically; on any error the output folder is untouched. CACHE: one
    kept by the caller, else one for the output folder unless options.cache is False. SAY: progress to tell."""
    started = time.perf_counter()
    problems = new_problems()
    out, root = options.out_dir, options.root
    if reason := unsafe_output_reason(root, out):
        problems.error(str(out), 1, 1, "output_unsafe", out=out, reason=reason)
        return Result(problems, seconds=time.perf_counter() - started)
    if foreign := foreign_entries(Path(os.path.realpath(out))):
        problems.error(str(out), 1, 1, "output_foreign", out=out, names="、".join(foreign[:5]))
        return Result(problems, seconds=time.perf_counter() - started)
    with no_cyclic_gc():
        if cache is None and options.cache:
            with contextlib.closing(Cache(root, out, options.variant)) as cache:
                return _build(options, problems, cache, say, started)
        return _build(options, problems, cache or NoCache(root), say, started)


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector off in the block: a build or a save makes little cyclic garbage, and the
    collector went through the million objects of a loaded site again and again (docs/performance.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(options: Options, problems: Problems, stages: Cache | NoCache, say, started: float) -> Result:
    root, out = options.root, options.out_dir
    if isinstance(stages, Cache):
        config = load_config(root, Problems(messages=problems.messages))
        today = options.today or (today_in(config.timezone) if config else None)
        last = None  # (replayed in turn with other builds into OUT, a killed one's leftovers removed first)
        with contextlib.suppress(OutputError), Output(out, say):  # (a refusal is said by the build below)
            last = stages.replay(position_files(root, Problems()), today.isoformat()) if today else None
        if last is not None:  # nothing changed since the last build: its problems, nothing to write
            problems.extend(last.problems)
            if options.strict and problems.warnings:
                return Result(problems)
            files = len(last.outputs)
            return Result(problems, stats=WriteStats(files, 0, files), counts=last.counts,
                          seconds=time.perf_counter() - started)
    import jinja2
    from .. import render, search
    mark = len(problems.items)
    if (site := load_site(options, problems, stages, times=True)) is None:
        return Result(problems, seconds=time.perf_counter() - started)
    files, bundles = dict(render.site_files(site)), search.index_files(site)  # pages and feeds; the search index
    try:
        with Output(out, say) as output:
            rendered: Counter[str] = Counter()
            up_to_date = isinstance(stages, Cache) and stages.is_up_to_date(files, bundles, output)
            if up_to_date:
                stats = WriteStats(len(files) + len(bundles), 0, len(files) + len(bundles))
            else:
                try:
                    rendered = stages.write(files, bundles, output)
                except jinja2.TemplateError as exc:
                    template_problem(exc, problems)
                    return Result(problems, seconds=time.perf_counter() - started)
                stats = output.commit()
            if isinstance(stages, Cache):  # also when up to date: what this build saw lets the next one replay
                stages.keep((len(site.positions), len(site.config.categories)), files, bundles,
                            None if up_to_date else output, tuple(problems.items[mark:]), site.today.isoformat())
    except OutputError as exc:
        problems.error(str(out), 1, 1, exc.msg_id, **exc.values)
        return Result(problems, seconds=time.perf_counter() - started)
    for path in stats.leftovers:
        problems.warning(str(out), 1, 1, "output_leftover", target=path)
    return Result(problems, site, stats, time.perf_counter() - started, rendered=rendered)


def template_problem(exc: jinja2.TemplateError, problems: Problems) -> None:
    """A broken template (HR or a designer can break one) as a problem at its file and line."""
    name, line = getattr(exc, "name", None) or getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not name:  # raised while rendering: the template and line are in the traceback
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
        name, line = (Path(frames[-1].filename).name, frames[-1].lineno) if frames else ("?", 1)
    problems.error(f"{TEMPLATES_DIR}/{name}", line or 1, 1, "template_error", template=name,
                   detail=getattr(exc, "message", None) or str(exc))
