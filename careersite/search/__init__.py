"""Site -> its search index: the substring index of the open positions under search/ (index.py, docs/search.md),
as one Bundle, so that a build that changes no position keeps the last index without making it again."""

from __future__ import annotations

import functools

from ..model.site import Site
from ..render import Bundle, config_key, digest
from . import index


def index_files(site: Site) -> dict[str, Bundle]:
    """{"search/": the index}: made from the open, published positions (and the configuration)."""
    shown = [(p.source, p.digest) for p in site.open_positions if not p.draft]
    key = digest("search", index.FORMAT, config_key(site.config), shown)
    return {index.INDEX_DIR + "/": Bundle(key, functools.partial(_made, site), "search")}


def _made(site: Site) -> dict[str, bytes]:
    return index.index_files(index.docs_of(site))
