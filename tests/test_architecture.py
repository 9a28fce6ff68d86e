"""The shape of the code and docs: imports point one way, locales agree, every setting is documented."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT / "careersite"

# A module may import only modules listed before it (the stage order of STYLE.md).
ORDER = ["errors", "procs", "i18n", "tomllines", "textfile", "frontmatter", "fields", "config", "fastpath", "markup", "safejson", "mailto",
         "content", "model", "lint", "seo", "pagefindfmt", "search", "perfile", "cache", "render", "output", "parallel", "incremental", "pipeline", "sitediff",
         "scaffold", "devserver", "cli"]


def local_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists())
    return found - {"__init__"}


def test_imports_point_one_way():
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    unknown = [m for m in modules if m not in ORDER]
    assert not unknown, f"add new modules to ORDER in {__file__}: {unknown}"
    for module in modules:
        for imported in local_imports(PACKAGE / f"{module}.py"):
            assert ORDER.index(imported) < ORDER.index(module), f"{module} imports {imported}"


def test_no_module_is_named_after_a_dependency():
    assert not {p.stem for p in PACKAGE.glob("*.py")} & {"markdown", "yaml", "jinja2", "nh3", "zxingcpp", "livereload"}


def test_locales_have_the_same_keys():
    locales = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in (PACKAGE / "locales").glob("*.toml")}
    assert set(locales) >= {"zh-CN", "en"}
    reference = locales["zh-CN"]
    for name, data in locales.items():
        for table in ("ui", "messages"):
            assert set(data[table]) == set(reference[table]), (name, table, set(data[table]) ^ set(reference[table]))


def test_every_message_id_used_in_code_exists():
    messages = tomllib.loads((PACKAGE / "locales/zh-CN.toml").read_text(encoding="utf-8"))["messages"]
    used = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                position = {"error": 3, "warning": 3, "text": 0}.get(node.func.attr)
                if position is not None and len(node.args) > position:
                    arg = node.args[position]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        used.add(arg.value)
    assert used, "no message ids found"
    assert not used - set(messages), sorted(used - set(messages))


def test_every_setting_and_field_is_documented_in_the_readme():
    from careersite.config import APPLY_SETTINGS, CATEGORY_SETTINGS, SITE_SETTINGS
    from careersite.fields import POSITION_FIELDS

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for key in [*SITE_SETTINGS, *APPLY_SETTINGS, *CATEGORY_SETTINGS, *POSITION_FIELDS]:
        assert f"`{key}`" in readme, f"README does not document `{key}`"
