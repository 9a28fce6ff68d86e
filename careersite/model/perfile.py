"""One position file's bytes -> everything the model makes of it on its own (validation, the Position with its
HTML, the warnings about its text), in one value a build cache keeps: a function of the bytes, path and config."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import Problem, Problems
from ..load.config import SiteConfig
from ..load.content import PositionSource, parse_position
from .compliance import lint_compliance
from .lint import lint_file
from .markup import Renderer
from .site import Position, position_of

# What the cross-file stages (build_site, lint_dates, diff) read of a source once its Position is made.
_KEPT_FIELDS = frozenset(("category", "slug", "posted", "closes", "opens"))
_KEPT_LINES = _KEPT_FIELDS | {"title", "code"}


@dataclass(frozen=True, slots=True)
class FileResult:
    """One position file, processed. SOURCE is None when the file has errors (they are in PROBLEMS)."""

    path: str  # relative to the site root, '/' separators
    digest: str  # sha256 of the bytes read; "" when they could not be read
    source: PositionSource | None
    problems: tuple[Problem, ...]  # errors and warnings of the file on its own
    position: Position | None = None


def process_file(rel: str, data: bytes, config: SiteConfig, renderer: Renderer) -> FileResult:
    """REL's bytes -> its FileResult under CONFIG (problems in the site's language)."""
    problems = Problems(messages=config.messages)
    if (source := parse_position(rel, data, problems, config.categories)) is None:
        return FileResult(rel, "", None, tuple(problems.items))
    lint_file(source, problems)
    lint_compliance(source, config.compliance, config.compliance_allow, problems)
    position = position_of(source, config, renderer, problems)
    if problems.has_errors():  # (a mailto link to another address, a list that falls apart): not published
        position = None
    # The raw text was needed for the warnings above; the rest of the build does not need it, and with
    # the Position made it reads only a few fields of the source (docs/performance.md).
    slim = dataclasses.replace(source, text="", sections=(),
                               fields={k: v for k, v in source.fields.items() if k in _KEPT_FIELDS},
                               lines={k: v for k, v in source.lines.items() if k in _KEPT_LINES})
    return FileResult(rel, source.digest, slim, tuple(problems.items), position)
