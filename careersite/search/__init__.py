"""Site -> its search index: the substring index of the open positions under search/ (index.py, docs/search.md),
as one Bundle: a build that changes no position keeps the last index, one that changes a few updates it."""

from __future__ import annotations

import functools
from typing import Callable

from ..model.site import Site
from ..render import Bundle, config_key, digest
from . import index

UPDATE_SHARE = 8  # more than 1 in UPDATE_SHARE positions changed: the index is made anew (docs/performance.md)


def index_files(site: Site) -> dict[str, Bundle]:
    """{"search/": the index}: made from the open, published positions (and the configuration)."""
    shown = [p for p in site.open_positions if not p.draft]
    inputs = (digest("search", index.FORMAT, config_key(site.config)), tuple(p.digest for p in shown))
    key = digest(inputs[0], [(p.source, p.digest) for p in shown])
    return {index.INDEX_DIR + "/": Bundle(key, functools.partial(_made, site), "search", inputs,
                                          functools.partial(_updated, site, inputs))}


def _made(site: Site) -> dict[str, bytes]:
    return index.index_files(index.docs_of(site))


def _updated(site: Site, inputs: tuple, last: tuple,
             read: Callable[[str], bytes | None]) -> dict[str, bytes | None] | None:
    """The index from the last one (made from LAST) when the same positions are shown with the same configuration
    and only a few of them changed (a position's URL is checked by the index's tag)."""
    if last[0] != inputs[0] or len(last[1]) != len(inputs[1]):
        return None
    changed = {n for n, (before, now) in enumerate(zip(last[1], inputs[1])) if before != now}
    if len(changed) * UPDATE_SHARE > len(inputs[1]):
        return None
    return index.updated(index.docs_of(site, changed), changed, read)
