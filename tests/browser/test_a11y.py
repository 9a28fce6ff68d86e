"""axe-core (axe-playwright-python) on every page template of the default site: zero WCAG 2.2 AA violations.

Templates: home, category, open position, closed position, draft position (built with --drafts), 404.
Each page is checked on a phone and a desktop viewport (layout and target sizes differ).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECT, run_cli
from tests.tools import serve_directory

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

CLOSED = """\
---
title: 合规管理岗
category: risk
code: RM-99
posted: 2026-09-01
closes: 2026-10-31
---

## 岗位职责

1. 负责合规审查；

## 任职要求

1. 三年以上合规工作经验；
"""

DRAFT = """\
---
title: 数据分析岗
category: technology
code: IT-99
draft: true
---

## 岗位职责

1. 负责经营数据分析；

## 任职要求

1. 熟悉 SQL；
"""

PAGES = {
    "home": "",
    "category": "categories/technology/",
    "position-open": "positions/dba/",
    "position-closed": "positions/closed-position/",
    "position-draft": "positions/draft-position/",
    "404": "404.html",
}


@pytest.fixture(scope="module")
def all_templates_site(tmp_path_factory) -> Path:
    """The default site plus one closed and one draft position, built with --drafts under /careers/."""
    root = tmp_path_factory.mktemp("a11y") / "site"
    root.mkdir()
    for name in ("templates", "static", "content"):
        shutil.copytree(PROJECT / name, root / name)
    shutil.copy(PROJECT / "site.toml", root / "site.toml")
    (root / "content/positions/closed-position.md").write_text(CLOSED, encoding="utf-8")
    (root / "content/positions/draft-position.md").write_text(DRAFT, encoding="utf-8")
    out = root / "public"
    result = run_cli("build", "--site", str(root), "--out", str(out), "--today", "2026-11-28", "--drafts")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def served_templates(all_templates_site):
    with serve_directory(all_templates_site, "/careers/") as base:
        yield base


def test_the_variant_pages_exist(all_templates_site):
    closed = (all_templates_site / "positions/closed-position/index.html").read_text(encoding="utf-8")
    draft = (all_templates_site / "positions/draft-position/index.html").read_text(encoding="utf-8")
    assert "badge-closed" in closed and "apply-link" not in closed
    assert "badge-draft" in draft


@pytest.mark.slow
@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("template", list(PAGES))
def test_no_axe_violations(request, device, template, served_templates):
    from axe_playwright_python.sync_playwright import Axe

    page = request.getfixturevalue(f"{device}_page")
    response = page.goto(served_templates + PAGES[template])
    assert response is not None and response.status == 200
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.response["testEngine"]["version"].startswith("4.")
    assert results.violations_count == 0, results.generate_report()
