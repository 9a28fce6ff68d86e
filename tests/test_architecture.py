"""The shape of the code and docs: the stages' layers hold (import-linter), locales agree, every setting is
documented, every message id used exists."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.helpers import PROJECT

PACKAGE = PROJECT / "careersite"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """import-linter's contracts of pyproject.toml, over the package in PROJECT."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.argv[1:] = [\"--no-cache\"]; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"})


def test_the_stages_import_only_the_layers_below_them():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_layer_check_fails_on_an_import_upwards(tmp_path):
    """Control: the same check over a copy in which the model imports the speed layer, and render sqlite3."""
    copy = tmp_path / "project"
    shutil.copytree(PACKAGE, copy / "careersite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", copy / "pyproject.toml")
    site = copy / "careersite/model/site.py"
    site.write_text(site.read_text(encoding="utf-8") + "\nfrom ..incremental import Cache  # noqa\n", encoding="utf-8")
    pages = copy / "careersite/render/pages.py"
    pages.write_text(pages.read_text(encoding="utf-8") + "\nimport sqlite3  # noqa\n", encoding="utf-8")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "careersite.model.site -> careersite.incremental" in result.stdout
    assert "careersite.render.pages -> sqlite3" in result.stdout


def test_no_module_is_named_after_a_dependency():
    names = {p.stem for p in PACKAGE.rglob("*.py")}
    assert not names & {"markdown", "yaml", "jinja2", "nh3", "zxingcpp", "watchfiles", "pypinyin", "mammoth", "openpyxl"}


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
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                position = {"error": 3, "warning": 3, "text": 0}.get(node.func.attr)
                if position is not None and len(node.args) > position:
                    arg = node.args[position]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        used.add(arg.value)
    assert len(used) > 50, "no message ids found"
    assert not used - set(messages), sorted(used - set(messages))


def test_every_setting_and_field_is_documented_in_the_readme():
    from careersite.load.config import APPLY_SETTINGS, CATEGORY_SETTINGS, SITE_SETTINGS
    from careersite.load.fields import POSITION_FIELDS

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for key in [*SITE_SETTINGS, *APPLY_SETTINGS, *CATEGORY_SETTINGS, *POSITION_FIELDS]:
        assert f"`{key}`" in readme, f"README does not document `{key}`"
