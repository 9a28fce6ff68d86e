"""Everything a build does to one position file on its own, in one step a build cache can keep.

Reading and validating the file, making its Position (Markdown to HTML included), its JobPosting
checks and the warnings that depend on its text alone: none of it looks at another file or at
today's date, so the result is a function of the file's bytes, its path and the site's
configuration. cache.py stores it under the file's digest; parallel.py computes it in workers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .content import PositionSource, find_category, read_position
from .errors import Problem, Problems
from .lint import lint_file
from .markup import Renderer
from .model import Position, make_position, resolve_slug
from .seo import check_posting


# What build_site (category, slug, dates) and lint_dates (closes, where title is) read of a source.
_KEPT_FIELDS = frozenset(("category", "slug", "posted", "closes"))
_KEPT_LINES = _KEPT_FIELDS | {"title"}


@dataclass(frozen=True, slots=True)
class FileResult:
    """One position file, processed. SOURCE is None when the file has errors (they are in PROBLEMS)."""

    path: str  # relative to the site root, '/' separators
    digest: str  # sha256 of the bytes read; "" when they could not be read
    source: PositionSource | None
    problems: tuple[Problem, ...]  # from reading and validating the file
    lint: tuple[Problem, ...] = ()  # warnings about its text (lint.lint_file)
    position: Position | None = None  # made ahead of build_site, which checks it still fits
    posting: tuple[Problem, ...] = ()  # JobPosting problems, reported while the position is open


def process_file(path: Path, root: Path, config: SiteConfig | None, messages: dict[str, str],
                 renderer: Renderer) -> FileResult:
    problems = Problems(messages=messages)
    source = read_position(path, root, problems, config.categories if config else None)
    rel = path.relative_to(root).as_posix()
    if source is None:
        return FileResult(rel, "", None, tuple(problems.items))
    read_problems = tuple(problems.items)
    lint = Problems(messages=messages)
    lint_file(source, lint)
    position = None
    posting = Problems(messages=messages)
    if config is not None:
        category = find_category(source.fields["category"], config.categories, rel, 1, 1, Problems())
        slug = resolve_slug(source)
        if category is not None and slug is not None:
            position = make_position(source, config, category, slug, renderer)
            check_posting(config, position, posting)
    # The raw text was needed for the warnings above; the rest of the build does not need it. With
    # the Position made, it reads only a few fields of the source (10,000 full ones were 30 MB).
    slim = dataclasses.replace(source, text="")
    if position is not None:
        slim = dataclasses.replace(slim, sections=(),
                                   fields={k: v for k, v in source.fields.items() if k in _KEPT_FIELDS},
                                   lines={k: v for k, v in source.lines.items() if k in _KEPT_LINES})
    return FileResult(rel, source.digest, slim, read_problems, tuple(lint.items), position, tuple(posting.items))
