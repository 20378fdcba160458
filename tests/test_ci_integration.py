"""The CI integration files shipped in the repository are well-formed and say what they must."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from conftest import REPO


def test_pre_commit_hook_runs_on_the_whole_repository_serially() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert hook["entry"].startswith("nankoku-netcheck verify")


def test_github_action_inputs_and_outputs() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert {"topology", "fail-on", "format"} <= set(action["inputs"])
    assert action["runs"]["using"] == "composite"
    script = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "GITHUB_STEP_SUMMARY" in script and "sarif" in script


def test_example_workflow_uploads_sarif_and_gitlab_template_keeps_junit_and_html() -> None:
    workflow = yaml.safe_load((REPO / "ci" / "github" / "netcheck.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["verify"]["steps"]
    assert any("upload-sarif" in step.get("uses", "") for step in steps)
    gitlab = yaml.safe_load((REPO / "ci" / "gitlab" / "netcheck.gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["netcheck"]
    assert "junit" in job["artifacts"]["reports"]
    assert "html" in " ".join(job["script"])


# --- no expression pasted into a script; only refs and artifacts that exist ----------------

# GitHub's ${{ inputs.x }} and GitLab's $[[ inputs.x ]] are replaced by their text before the
# shell sees the script, so an input holding `"; rm -rf ~; "` would run. Values belong in env:.
PASTED_INPUT = re.compile(r"\$\{\{\s*inputs\.|\$\[\[\s*inputs\.")
SCRIPT_KEYS = ("run", "script", "before_script", "after_script")
RECIPES = ("action.yml", "ci/github/netcheck.yml", "ci/gitlab/netcheck.gitlab-ci.yml")


def scripts(node: Any) -> Iterator[str]:
    """Every shell script in a parsed workflow, action or GitLab CI file (run:, script:, ...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SCRIPT_KEYS:
                yield from [value] if isinstance(value, str) else [str(line) for line in value]
            else:
                yield from scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item)


def pasted_inputs(recipe_text: str) -> list[str]:
    return [script for script in scripts(yaml.safe_load(recipe_text)) if PASTED_INPUT.search(script)]


def test_the_scan_finds_a_pasted_input() -> None:
    github = 'runs: {steps: [{run: "nankoku-netcheck verify ${{ inputs.topology }}"}]}'
    gitlab = "job: {script: ['echo ok', 'nankoku-netcheck verify $[[ inputs.topology ]]']}"
    assert pasted_inputs(github) == ["nankoku-netcheck verify ${{ inputs.topology }}"]
    assert pasted_inputs(gitlab) == ["nankoku-netcheck verify $[[ inputs.topology ]]"]
    assert pasted_inputs("runs: {steps: [{env: {T: '${{ inputs.topology }}'}, run: 'echo \"$T\"'}]}") == []


@pytest.mark.parametrize("recipe", RECIPES)
def test_recipes_pass_inputs_through_the_environment(recipe: str) -> None:
    text = (REPO / recipe).read_text(encoding="utf-8")
    assert list(scripts(yaml.safe_load(text)))
    assert pasted_inputs(text) == []


def test_every_action_input_reaches_the_verify_step_through_env() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    verify = next(step for step in action["runs"]["steps"] if step.get("id") == "verify")
    passed = {value.removeprefix("${{ inputs.").removesuffix(" }}") for value in verify["env"].values()}
    assert passed == set(action["inputs"])
    for name in verify["env"]:
        assert f'"${name}' in verify["run"]


def test_gitlab_template_installs_from_git_or_a_wheel_not_from_pypi() -> None:
    job = yaml.safe_load((REPO / "ci" / "gitlab" / "netcheck.gitlab-ci.yml").read_text(encoding="utf-8"))["netcheck"]
    install = "\n".join(job["before_script"])
    assert 'pip install --quiet "git+$NETCHECK_REPO@$NETCHECK_REF"' in install
    assert 'pip install --quiet "$NETCHECK_WHEEL"' in install
    assert "pip install --quiet nankoku-netcheck" not in install


# No release is tagged: nothing may tell users to use one (`@v0.1.0`, `rev: v0.1.0`).
TAG_REFERENCE = re.compile(r"(?:@|rev:\s*)(v\d+(?:\.\d+)+)")


def tag_references(text: str) -> list[str]:
    return [match.group(1) for match in TAG_REFERENCE.finditer(text)]


def test_the_scan_finds_a_tag_reference() -> None:
    assert tag_references("uses: o/nankoku-netcheck@v0.1.0 # x\n    rev: v1.2\n") == ["v0.1.0", "v1.2"]
    assert tag_references('{"version": "0.1.0"} uses: o/r@main') == []


def test_no_recipe_or_document_names_a_release_tag_that_does_not_exist() -> None:
    tags = subprocess.run(["git", "-C", str(REPO), "tag"], capture_output=True, text=True, check=False).stdout.split()
    docs = [str(path.relative_to(REPO)) for path in sorted((REPO / "docs").glob("*.md"))]
    for document in [*RECIPES, ".pre-commit-hooks.yaml", "README.md", *docs]:
        missing = set(tag_references((REPO / document).read_text(encoding="utf-8"))) - set(tags)
        assert not missing, f"{document} names tags that do not exist: {sorted(missing)}"
