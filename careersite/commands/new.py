"""`new`: a title and a category -> a new position file from a commented skeleton. Never overwrites.

The file starts as a draft, so a half-written position is never published by accident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems, UsageError, did_you_mean
from ..load.config import load_config
from ..load.content import CONTENT_DIR, MARKDOWN_SUFFIXES, YAML_SUFFIXES
from ..load.fields import is_valid_slug, slugify
from ..model.site import today_in
from .positionfile import yaml_scalar

SKELETON = """\
---
# 岗位信息：每行写“键: 值”，冒号后面要有一个空格。以 # 开头的是说明文字，不会显示在网页上，可以删掉。
# 每一项的写法见 docs/hr-guide.md。写好后运行 python build.py check 检查，python build.py serve 预览。
title: {title}
category: {category}  # 岗位类别：{category_name}（可用的类别见 site.toml 的 [[categories]]）
posted: {posted}  # 发布日期
# closes: {closes}  # 截止日期（这一天结束后岗位自动下线）；不写则使用 site.toml [defaults] 中的日期
# code: AB-01  # 岗位编号，会出现在投递邮件的主题里
# location: [北京, 上海]  # 工作地点；不写则使用 site.toml [defaults] 中的地点
# headcount: 2  # 招聘人数
# salary: 面议  # 薪酬
draft: true  # 草稿：只在本地预览中显示。内容写好后删掉这一行，岗位才会发布
---

## 岗位职责

1. 负责……（请改成实际的职责，一行一项）
2. 负责……

## 任职要求

1. ……（请改成实际的要求，一行一项）
2. ……
"""


SKELETON_EN = """\
---
# About the position: one "key: value" a line, with a space after the colon. Lines starting with # are notes
# that never show on the page; delete them when you like. Each field: docs/hr-guide.md. When done, run
# python build.py check to check and python build.py serve to preview.
title: {title}
category: {category}  # category: {category_name} (the categories are the [[categories]] of site.toml)
posted: {posted}  # the day it is posted
# closes: {closes}  # closing date (the position goes off the site after this day); else [defaults] in site.toml
# code: AB-01  # position code, shown in the subject of the application e-mail
# location: [Beijing, Shanghai]  # where; else the location in [defaults] of site.toml
# headcount: 2  # how many people
# salary: negotiable  # pay
draft: true  # a draft shows only in the local preview. Delete this line when the text is ready to publish
---

## Responsibilities

1. Responsible for … (replace with the real duties, one a line)
2. …

## Requirements

1. … (replace with the real requirements, one a line)
2. …
"""
SKELETONS = {"en": SKELETON_EN}  # by site.toml's language; any other: SKELETON


@dataclass(frozen=True)
class NewPosition:
    path: Path | None  # the file written, or None when problems say why not
    problems: Problems


def new_position(root: Path, title: str, category: str, problems: Problems, *, slug: str | None = None,
                 today: dt.date | None = None) -> NewPosition:
    """Write content/positions/<slug>.md. Wrong arguments raise UsageError; site problems are returned."""
    title = " ".join(title.split())
    if not title:
        raise UsageError(problems.text("new_title_empty"))
    config = load_config(root, problems)
    if config is None:
        return NewPosition(None, problems)
    chosen = config.category(category)
    if chosen is None:
        names = [c.key for c in config.categories] + [c.name for c in config.categories]
        suggestion = did_you_mean(category, names)
        hint = problems.text("did_you_mean", suggestion=suggestion) if suggestion else ""
        allowed = ", ".join(f"{c.key}（{c.name}）" for c in config.categories)
        raise UsageError(problems.text("category_unknown", value=category, hint=hint, allowed=allowed))
    if slug is not None and not is_valid_slug(slug):
        suggestion = slugify(slug)
        hint = problems.text("did_you_mean", suggestion=suggestion) if suggestion else ""
        raise UsageError(problems.text("slug_invalid", value=slug, hint=hint))
    slug = slug or slugify(title)
    if not slug:
        raise UsageError(problems.text("new_slug_empty", title=title))
    folder = root / CONTENT_DIR
    for suffix in MARKDOWN_SUFFIXES + YAML_SUFFIXES:
        existing = folder / f"{slug}{suffix}"
        if existing.exists():
            rel = existing.relative_to(root).as_posix()
            problems.error(rel, 0, 0, "new_exists", slug=slug)
            return NewPosition(None, problems)
    today = today or today_in(config.timezone)
    text = SKELETONS.get(config.language, SKELETON).format(title=yaml_scalar(title), category=chosen.key, category_name=chosen.name,
                           posted=today.isoformat(), closes=(today + dt.timedelta(days=30)).isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    try:
        with path.open("x", encoding="utf-8", newline="\n") as fh:  # "x": fails rather than overwrite
            fh.write(text)
    except FileExistsError:
        problems.error(path.relative_to(root).as_posix(), 0, 0, "new_exists", slug=slug)
        return NewPosition(None, problems)
    return NewPosition(path, problems)
