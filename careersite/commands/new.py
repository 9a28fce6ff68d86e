"""`new`: a title and a category -> a new position file (a draft) from a commented skeleton; never overwrites."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import Problems, UsageError
from ..load.config import load_config, today_in
from ..load.content import CONTENT_DIR, MARKDOWN_SUFFIXES, YAML_SUFFIXES, find_category
from ..load.fields import is_valid_slug, slugify, suggestion_hint
from .positionfile import yaml_scalar

SKELETONS = Path(__file__).parent / "skeletons"  # a commented position file by site.toml's language


def new_position(root: Path, title: str, category: str, problems: Problems, *, slug: str | None = None,
                 today: dt.date | None = None) -> Path | None:
    """Write content/positions/<slug>.md: its path, or None when PROBLEMS say why not. Wrong arguments raise
    UsageError."""
    title = " ".join(title.split())
    if not title:
        raise UsageError(problems.text("new_title_empty"))
    if (config := load_config(root, problems)) is None:
        return None
    unknown = Problems(messages=problems.messages)  # the message a position naming it would get, as a usage error
    if (chosen := find_category(category, config.categories, "", 1, 1, unknown)) is None:
        raise UsageError(unknown.items[0].message)
    if slug is not None and not is_valid_slug(slug):
        raise UsageError(problems.text("slug_invalid", value=slug, hint=suggestion_hint(problems, slugify(slug))))
    slug = slug or slugify(title)
    if not slug:
        raise UsageError(problems.text("new_slug_empty", title=title))
    folder = root / CONTENT_DIR
    for existing in (folder / f"{slug}{suffix}" for suffix in MARKDOWN_SUFFIXES + YAML_SUFFIXES):
        if existing.exists():
            problems.error(existing.relative_to(root).as_posix(), 0, 0, "new_exists", slug=slug)
            return None
    today = today or today_in(config.timezone)
    skeleton = (SKELETONS / ("en.md" if config.language == "en" else "zh-CN.md")).read_text(encoding="utf-8")
    text = skeleton.format(title=yaml_scalar(title), category=chosen.key, category_name=chosen.name,
                           posted=today.isoformat(), closes=(today + dt.timedelta(days=30)).isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    try:
        with path.open("x", encoding="utf-8", newline="\n") as fh:  # "x": fails rather than overwrite
            fh.write(text)
    except FileExistsError:
        problems.error(path.relative_to(root).as_posix(), 0, 0, "new_exists", slug=slug)
        return None
    return path
