"""Evidence from git: commits whose co-author trailers name an assistant, as ``sandbox log`` shows them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from sandbox.assistants import commits
from sandbox.workspace import Workspace


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot", "human"])
    return ws.project("expense-approvals")


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.com",
           "GIT_COMMITTER_NAME": "Ana", "GIT_COMMITTER_EMAIL": "ana@example.com", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, timeout=30)


def test_log_shows_co_authored_commits_as_evidence(ws: Workspace, project, cli) -> None:
    root = ws.root
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Create the project")
    (project.variant_dir("claude-code") / "index.html").write_text("<h1>by claude</h1>\n")
    _git(root, "commit", "-q", "-am",
         "Make the header bolder\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
    (project.variant_dir("claude-code") / "style.css").write_text("h1 { color: red }\n")
    _git(root, "commit", "-q", "-am", "Copilot fix\n\nCo-authored-by: Copilot <copilot@github.com>")
    found = commits.co_authored_commits(project.path, ws.registry)
    assert [(c.subject, c.assistants, c.variants) for c in found] == [
        ("Copilot fix", ["copilot"], ["claude-code"]),
        ("Make the header bolder", ["claude-code"], ["claude-code"]),
    ]
    out = cli("log", "expense-approvals").out
    assert "'Make the header bolder' co-authored by Claude Code in claude-code (matches the variant)" in out
    assert "'Copilot fix' co-authored by GitHub Copilot in claude-code (touches another assistant's variant)" in out
    assert "Create the project" not in out
    rows = json.loads(cli("log", "expense-approvals", "--json").out)
    assert [r["kind"] for r in rows].count("commit") == 2
    assert "commit" not in [r["kind"] for r in json.loads(cli("log", "expense-approvals", "--json", "--no-git").out)]


def test_no_git_means_no_commits(project) -> None:
    assert commits.co_authored_commits(project.path, {}) == []
    from sandbox.assistants.registry import BUILTIN_ASSISTANTS

    assert commits.co_authored_commits(project.path, BUILTIN_ASSISTANTS) == []
