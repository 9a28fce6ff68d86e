"""Site -> its search index: the substring index of the open positions under search/ (index.py, docs/search.md),
as one Bundle: a build that changes no position keeps the last index, one that changes a few updates it."""

from __future__ import annotations

import functools
from typing import Callable

from ..load.fields import FILTER_FIELDS
from ..model.site import Position, Site
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


def index_after(site: Site, bundles: dict[str, Bundle], old: Position, new: Position) -> dict[str, Bundle]:
    """index_files(SITE), where SITE is the site of BUNDLES (index_files') with OLD made again as NEW
    (model.site.with_position): its update from that index looks at NEW's entries alone if NEW is where OLD was in
    it, but for its text."""
    last = bundles[index.INDEX_DIR + "/"]
    if site.state(new)[0]:  # closed: in no index
        return bundles
    number = last.inputs[1].index(old.digest)  # (updated_doc checks the URL of that id)
    inputs = (last.inputs[0], (*last.inputs[1][:number], new.digest, *last.inputs[1][number + 1:]))
    same = [(p.locations, *(getattr(p, field) for field in FILTER_FIELDS)) for p in (old, new)]
    update = functools.partial(_updated_doc, site, inputs, last.inputs, number, new) if same[0] == same[1] \
        else functools.partial(_updated, site, inputs)
    return {index.INDEX_DIR + "/": Bundle(digest(last.key, number, new.digest), functools.partial(_made, site),
                                          "search", inputs, update)}


def _made(site: Site) -> dict[str, bytes]:
    return index.index_files(index.docs_of(site))


def _updated_doc(site: Site, inputs: tuple, before: tuple, number: int, position: Position, last: tuple,
                 read: Callable[[str], bytes | None]) -> dict[str, bytes | None] | None:
    """_updated(), by the entries of doc NUMBER (POSITION) alone when LAST are the inputs BEFORE, which that doc
    alone changed since, and not in its URL, locations or filters."""
    made = index.updated_doc(index.doc_of(site.config, position), number, read) if last is before else None
    return made or _updated(site, inputs, last, read)


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
