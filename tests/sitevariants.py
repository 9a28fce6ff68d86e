"""The seed fixture site plus the page variants it does not show on its own: a closed and a draft position,
and a new one closing soon with every optional fact (salary, recruitment type, education, experience).

Used by the accessibility, HTML-validity and link tests so every page template is checked.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXED_TODAY, SEED_FIXTURE, copy_site, run_cli

CLOSED_SLUG = "closed-position"
DRAFT_SLUG = "draft-position"
FULL_SLUG = "full-position"

FULL = """\
---
title: 数据治理岗
category: technology
code: IT-98
posted: 2026-11-26
closes: 2026-12-02
salary: 20k-35k
recruitment_type: 社招
education: 本科
experience: 3年以上
summary: 负责数据标准与数据质量管理。
---

## 岗位职责

1. 负责数据标准制定；

## 任职要求

1. 三年以上数据治理经验；
"""

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


def build_all_templates_site(root: Path, *extra_args: str) -> Path:
    """Copy the seed fixture site into ROOT, add a closed, a draft and a full position, build with --drafts; return the output."""
    copy_site(SEED_FIXTURE, root)
    (root / f"content/positions/{CLOSED_SLUG}.md").write_text(CLOSED, encoding="utf-8")
    (root / f"content/positions/{DRAFT_SLUG}.md").write_text(DRAFT, encoding="utf-8")
    (root / f"content/positions/{FULL_SLUG}.md").write_text(FULL, encoding="utf-8")
    out = root / "public"
    result = run_cli("build", "--site", str(root), "--out", str(out), "--today", FIXED_TODAY.isoformat(),
                     "--drafts", *extra_args)
    assert result.returncode == 0, result.stderr
    return out
