"""The seed fixture site plus the page variants it does not show on its own: a closed and a draft position,
and a new one closing soon with every optional fact (salary, recruitment type, education, experience); and
the seed site with no open position at all (its home page's empty state).

Used by the accessibility, HTML-validity, layout and link tests so every page template is checked.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import SEED_FIXTURE, SiteDir, copy_site, position

CLOSED_SLUG = "closed-position"
DRAFT_SLUG = "draft-position"
FULL_SLUG = "full-position"

FULL = position("数据治理岗", "technology",
                "code: IT-98\nposted: 2026-11-26\ncloses: 2026-12-02\nsalary: 20k-35k\nrecruitment_type: 社招\n"
                "education: 本科\nexperience: 3年以上\nsummary: 负责数据标准与数据质量管理。\n",
                duties=("负责数据标准制定；",), requirements=("三年以上数据治理经验；",))
CLOSED = position("合规管理岗", "risk", "code: RM-99\nposted: 2026-09-01\ncloses: 2026-10-31\n",
                  duties=("负责合规审查；",), requirements=("三年以上合规工作经验；",))
DRAFT = position("数据分析岗", "technology", "code: IT-99\ndraft: true\n",
                 duties=("负责经营数据分析；",), requirements=("熟悉 SQL；",))


def build_all_templates_site(root: Path) -> Path:
    """Copy the seed fixture site into ROOT, add a closed, a draft and a full position, build with --drafts; return
    the output (tests that only read it take conftest's all_templates_site, built once)."""
    site = SiteDir(copy_site(SEED_FIXTURE, root))
    for slug, text in ((CLOSED_SLUG, CLOSED), (DRAFT_SLUG, DRAFT), (FULL_SLUG, FULL)):
        site.position(f"{slug}.md", text)
    site.build(drafts=True)
    return site.out


def build_empty_site(root: Path) -> Path:
    """The seed fixture site with its positions replaced by one closed position (no open one); return the output."""
    site = SiteDir(copy_site(SEED_FIXTURE, root))
    for path in (root / "content/positions").iterdir():
        path.unlink()
    site.position(f"{CLOSED_SLUG}.md", CLOSED)
    site.build()
    return site.out
