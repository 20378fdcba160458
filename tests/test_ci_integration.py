"""The CI integration files shipped in the repository are well-formed and say what they must."""

from __future__ import annotations

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
