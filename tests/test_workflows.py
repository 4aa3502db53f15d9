"""CI definitions: valid YAML that runs the same commands the test suite exercises."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from evidence.cli import main as cli_main

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def steps(path: Path) -> list[dict[str, object]]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict) and "jobs" in data
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def commands(path: Path) -> str:
    return "\n".join(str(s.get("run", "")) for s in steps(path))


def test_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["check.yml", "deploy.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_checks_then_builds_strictly(path: Path) -> None:
    run = commands(path)
    assert "evidence check --strict" in run
    assert "mkdocs build --strict" in run
    assert run.index("evidence check") < run.index("mkdocs build")


def test_pull_request_check_uses_github_annotations_with_changed_files(capsys: pytest.CaptureFixture[str]) -> None:
    run = commands(REPO / ".github" / "workflows" / "check.yml")
    line = next(x.strip() for x in run.splitlines() if x.strip().startswith("evidence check"))
    argv = shlex.split(line.replace('"${changed[@]}"', "--changed=claims.yaml"))
    assert argv[:2] == ["evidence", "check"]
    assert cli_main([*argv[1:], str(REPO)]) == 0
    assert capsys.readouterr().out == ""


def test_pre_commit_hook_runs_the_checker() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks[0]["id"] == "evidence-check"
    assert hooks[0]["entry"] == "evidence check --strict"
    local = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))
    entries = [h["entry"] for repo in local["repos"] for h in repo["hooks"]]
    assert "evidence check --strict" in entries


def test_pull_requests_get_one_diff_comment_and_forks_do_not_fail() -> None:
    data = yaml.safe_load((REPO / ".github" / "workflows" / "check.yml").read_text("utf-8"))
    job = data["jobs"]["diff"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    by_name = {s.get("name"): s for s in job["steps"]}
    assert 'evidence diff "origin/$BASE_REF" HEAD > evidence-diff.md' in by_name["Evidence diff"]["run"]
    post = by_name["Post or update the comment"]
    assert post["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert 'startswith("<!-- evidence-diff -->")' in post["run"]
    assert "PATCH" in post["run"]


def test_diff_report_starts_with_the_marker_the_workflow_looks_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import copy_site

    base = copy_site("basic", tmp_path / "a")
    head = copy_site("basic", tmp_path / "b")
    assert cli_main(["diff", str(base), str(head)]) == 0
    assert capsys.readouterr().out.startswith("<!-- evidence-diff -->\n")
