"""The GitHub workflows: valid, pinned, least-privilege, and running the README's own commands."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from tests.helpers import PROJECT, git
from tests.tools import PIP_HINT, has_module, require_tool

WORKFLOWS = PROJECT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
PAGES = WORKFLOWS / "pages.yml"


def load(path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict, job: str | None = None) -> list[dict]:
    jobs = [workflow["jobs"][job]] if job else list(workflow["jobs"].values())
    return [step for j in jobs for step in j.get("steps", [])]


def run_lines(workflow: dict) -> list[str]:
    return [line.strip() for step in steps(workflow) for line in step.get("run", "").splitlines() if line.strip()]


def step_using(workflow: dict, action: str) -> dict:
    found = [s for s in steps(workflow) if s.get("uses", "").split("@")[0] == action]
    assert len(found) >= 1, f"no step uses {action}"
    return found[0]


def readme_setup_commands() -> list[str]:
    """The commands in the first shell block of the README's set-up section."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^##+ [^\n]*set-?up[^\n]*\n(.*?)(?=^## )", readme, re.I | re.S | re.M)
    assert match, "README.md has no set-up section"
    block = re.search(r"```(?:sh|bash|shell|console)?\n(.*?)```", match.group(1), re.S)
    assert block, "the README's set-up section has no command block"
    commands = [line.split("#")[0].strip().removeprefix("$ ") for line in block.group(1).splitlines()]
    return [c for c in commands if c]


def runs(lines: list[str], command: str) -> bool:
    return any(line == command or line.startswith(command + " ") for line in lines)


def test_workflows_parse_as_yaml():
    files = sorted(WORKFLOWS.glob("*.y*ml"))
    assert {f.name for f in files} >= {"pull-request.yml", "pages.yml"}
    for path in files:
        workflow = load(path)
        assert workflow["name"] and workflow["on"] and workflow["jobs"], path.name


def test_workflows_pass_the_github_workflow_schema():
    require_tool("check-jsonschema", has_module("check_jsonschema"), PIP_HINT)
    files = [str(p) for p in sorted(WORKFLOWS.glob("*.y*ml"))]
    # The schema ships inside check-jsonschema: no network needed.
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    require_tool("check-jsonschema", has_module("check_jsonschema"), PIP_HINT)
    broken = tmp_path / "broken.yml"
    broken.write_text(PULL_REQUEST.read_text(encoding="utf-8").replace("runs-on:", "run-on:"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "run-on" in result.stdout


def test_the_readme_set_up_is_make_site_and_make_test():
    assert readme_setup_commands() == ["make site", "make test"]


def test_ci_runs_the_readmes_commands():
    _site, test = readme_setup_commands()
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "make check-site" in readme
    pull_request, pages = run_lines(load(PULL_REQUEST)), run_lines(load(PAGES))
    assert runs(pull_request, "make check-site") and runs(pull_request, test)
    assert runs(pages, "make check-site")  # check, build and check the built site: what is published
    ci_run = [line.strip() for line in (PROJECT / ".ci/run").read_text(encoding="utf-8").splitlines()]
    assert runs(ci_run, test)


def test_a_content_only_pull_request_runs_the_site_checks_and_not_the_whole_suite():
    workflow = load(PULL_REQUEST)
    jobs = workflow["jobs"]
    assert "make check-site" in "".join(s.get("run", "") for s in jobs["site"]["steps"])
    assert "needs" not in jobs["site"]  # always
    assert jobs["test"]["needs"] == "changes" and "make test" in "".join(s.get("run", "") for s in jobs["test"]["steps"])
    assert jobs["test"]["if"] == "${{ needs.changes.outputs.generator == 'true' }}"
    decide = next(s for s in jobs["changes"]["steps"] if s.get("id") == "kind")
    assert decide["run"] == 'scripts/changed-paths "$BASE_SHA" >> "$GITHUB_OUTPUT"'


@pytest.mark.parametrize("changed, generator", [
    (["content/positions/new.md"], "false"),
    (["content/positions/a.md", "site.toml"], "false"),
    (["content/positions/a.md", "templates/base.html"], "true"),
    (["careersite/cli.py"], "true"),
    (["static/site.css"], "true"),
    (["tests/test_cli.py"], "true"),
    (["docs/hr-guide.md"], "true"),
])
def test_what_a_pull_request_touches_decides_the_checks(tmp_path, changed, generator):
    git(tmp_path, "init", "-q")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    base = git(tmp_path, "rev-parse", "HEAD").strip()
    for rel in changed:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("changed", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "change")
    result = subprocess.run([str(PROJECT / "scripts/changed-paths"), base], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert result.stdout == f"generator={generator}\n"


def test_every_action_is_pinned_to_a_commit_with_its_version():
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(- )?uses:", line):
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"{path.name}: {line}"


def test_least_privilege_permissions():
    for path in (PULL_REQUEST, PAGES):
        assert load(path)["permissions"] == {"contents": "read"}, path.name
    assert all("permissions" not in job for job in load(PULL_REQUEST)["jobs"].values())
    pages = load(PAGES)
    assert pages["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}


def test_pull_request_summary_and_artifacts():
    workflow = load(PULL_REQUEST)
    assert "pull_request" in workflow["on"]
    assert step_using(workflow, "actions/checkout")["with"]["fetch-depth"] == 0  # the base commit for the diff
    summary = [line for line in run_lines(workflow) if "scripts/site-diff" in line]
    assert summary and '--base "$BASE_SHA"' in summary[0] and '>> "$GITHUB_STEP_SUMMARY"' in summary[0]
    uploads = {s["with"]["name"]: s["with"]["path"] for s in steps(workflow) if "upload-artifact" in s.get("uses", "")}
    assert uploads == {"site": "public/", "test-artifacts": "test-artifacts/"}
    assert workflow["jobs"]["test"]["env"]["CAREERSITE_TEST_ARTIFACTS"] + "/" == uploads["test-artifacts"]
    assert workflow["jobs"]["test"]["env"]["CI"] == "true" and workflow["jobs"]["site"]["env"]["CI"] == "true"


def test_pages_deploys_with_the_official_actions_and_the_pages_base_url():
    workflow = load(PAGES)
    assert workflow["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in workflow["on"]
    configure = step_using(workflow, "actions/configure-pages")
    build = next(s for s in steps(workflow, "build") if "make check-site" in s.get("run", ""))
    assert build["env"]["BASE_URL"] == "${{ steps.%s.outputs.base_url }}" % configure["id"]
    assert build["run"] == 'make check-site BASE_URL="$BASE_URL" OUT=public/'
    assert build["env"]["CI"] == "true"
    assert step_using(workflow, "actions/upload-pages-artifact")["with"]["path"] == "public/"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


@pytest.mark.parametrize("path", [PULL_REQUEST, PAGES], ids=lambda p: p.name)
def test_pip_is_cached(path):
    setup = step_using(load(path), "actions/setup-python")["with"]
    assert setup["cache"] == "pip"
    assert set(setup["cache-dependency-path"].split()) == {"requirements.txt", "requirements-dev.txt"}


def test_only_the_publish_workflow_keeps_the_build_cache():
    """Production gets the speed: the publish job restores and saves .cache/careersite and public/ (keyed per
    run, restored from the latest); a pull request's workflow never restores or saves them."""
    cache = step_using(load(PAGES), "actions/cache")
    assert set(cache["with"]["path"].split()) == {".cache/careersite", "public"}
    assert cache["with"]["key"] == "careersite-publish-${{ github.run_id }}"
    assert cache["with"]["restore-keys"] == "careersite-publish-"
    build = load(PAGES)["jobs"]["build"]["steps"]
    assert build.index(cache) < next(i for i, s in enumerate(build) if "make check-site" in s.get("run", ""))
    assert not [s for s in steps(load(PULL_REQUEST)) if s.get("uses", "").startswith("actions/cache")]
    # the whole history: a shallow clone would date every position by the last commit (docs/feeds.md)
    assert step_using(load(PAGES), "actions/checkout")["with"]["fetch-depth"] == 0
