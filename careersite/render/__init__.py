"""Site -> {output path: Artifact}: the render contract. Pure: the same Site makes the same files."""

from __future__ import annotations

import jinja2

from ..model.site import Position, Site
from .pages import Artifact, Bundle, CompiledTemplates, Pages, SiteFiles, config_key, digest, environment


def site_files(site: Site, env: jinja2.Environment | None = None, last: SiteFiles | None = None,
               position: Position | None = None) -> SiteFiles:
    """Every file of SITE (pages, static files, sitemap and feeds) by path, each Artifact worked out when looked up
    and made when asked. ENV: the templates, if the caller keeps them (the dev server); else compiled anew. LAST:
    the files of a site that SITE differs from only in POSITION (model.site.with_position), to start from."""
    pages = Pages(site, env)
    page = {position.url_path + "index.html": ("position", Pages.position_artifact, position)} if position else {}
    return SiteFiles(pages, {**last.table, **page}) if last and position else pages.files()


__all__ = ["Artifact", "Bundle", "CompiledTemplates", "SiteFiles", "config_key", "digest", "environment", "site_files"]
