"""The HR guide and the message list stay true: every message id and field documented, examples valid."""

from __future__ import annotations

import re
import tomllib

from careersite.load.fields import POSITION_FIELDS
from tests.helpers import PROJECT, SEED_FIXTURE

DOCS = PROJECT / "docs"


def guide() -> str:
    return (DOCS / "hr-guide.md").read_text(encoding="utf-8")


def test_every_message_id_is_documented():
    messages = tomllib.loads((PROJECT / "careersite/locales/zh-CN.toml").read_text(encoding="utf-8"))["messages"]
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    missing = [key for key in messages if f"`{key}`" not in text]
    assert not missing, f"add these message ids to docs/errors.md: {missing}"


def test_every_field_is_in_the_guide_with_an_example():
    rows = {m[1]: m[0] for m in re.finditer(r"^\| `([a-z_]+)`.*$", guide(), re.M)}
    missing = [name for name in POSITION_FIELDS if name not in rows]
    assert not missing, f"add these fields to the table in docs/hr-guide.md: {missing}"
    for name in POSITION_FIELDS:
        row = rows[name]
        assert f"`{name}:" in row or name in ("responsibilities", "requirements"), row


def test_guide_examples_pass_check(make_site):
    text = guide()
    markdown = re.search(r"```markdown\n(.*?)```", text, re.S)[1]
    yaml_example = re.search(r"```yaml\ntitle:(.*?)```", text, re.S)[0][len("```yaml\n"):-3]
    toml = (SEED_FIXTURE / "site.toml").read_text(encoding="utf-8")
    site = make_site({"site.toml": toml, "content/positions/risk-manager.md": markdown,
                      "content/positions/credit.yaml": yaml_example}, position=False)
    result = site.run("check")
    assert result.returncode == 0, result.stderr
    assert "错误" not in result.stderr
    assert result.stdout.strip() == "检查通过：2 个岗位，6 个类别"


def test_guide_category_table_matches_site_toml():
    categories = tomllib.loads((SEED_FIXTURE / "site.toml").read_text(encoding="utf-8"))["categories"]
    for category in categories:
        assert f"| `{category['key']}` | {category['name']} |" in guide()


def test_guide_links_resolve():
    text = guide()
    anchors = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", text, re.M)}
    for target in re.findall(r"\]\(#([^)]+)\)", text):
        assert target in anchors, target
    for doc in re.findall(r"\]\(([a-z-]+\.md)", text):
        assert (DOCS / doc).is_file(), doc
    errors = (DOCS / "errors.md").read_text(encoding="utf-8")
    for anchor in re.findall(r"hr-guide\.md#([^)]+)\)", errors):
        assert anchor in anchors, anchor
