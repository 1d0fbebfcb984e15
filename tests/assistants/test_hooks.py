"""Exact attribution: Claude Code's edit hook and ``sandbox log-edit``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.assistants import hooks, sessions
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error
from tests.support.fake_assistant import env_with_sandbox


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot", "human"])
    return ws.project("expense-approvals")


def _hook(cwd: Path, payload: object, *args: str) -> subprocess.CompletedProcess[str]:
    """Call ``sandbox log-edit --hook`` the way Claude Code calls a hook: JSON on stdin."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(
        [sys.executable, "-m", "sandbox", "log-edit", "--hook", *args],
        input=text,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env_with_sandbox()},
    )


def test_only_edit_hook_assistants_get_the_claude_settings(project) -> None:
    settings = json.loads((project.variant_dir("claude-code") / ".claude" / "settings.json").read_text())
    [group] = settings["hooks"]["PostToolUse"]
    assert "Write" in group["matcher"] and "Edit" in group["matcher"]
    # the sandbox that started the assistant (SANDBOX_BIN), else one on PATH; no absolute path in a shared file
    assert group["hooks"][0]["command"] == '"${SANDBOX_BIN:-sandbox}" log-edit --hook --assistant claude-code || true'
    assert "/" not in group["hooks"][0]["command"].replace("${SANDBOX_BIN:-sandbox}", "")
    assert not (project.variant_dir("copilot") / ".claude").exists()
    assert not (project.variant_dir("human") / ".claude").exists()
    manifest = json.loads((project.state_dir / "manifest.json").read_text())
    assert ".claude/settings.json" not in manifest["variants"]["claude-code"]["files"], "user-owned after creation"


def test_hook_records_each_edit_inside_the_session_only(project) -> None:
    root = project.variant_dir("claude-code")
    payload = {
        "session_id": "abc",
        "cwd": str(root),
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(root / "index.html"), "content": "x"},
    }
    assert _hook(root, payload).returncode == 0
    assert [e["kind"] for e in project.events()] == ["created"], "no session: nothing attributed"
    started = sessions.start_session(project, "claude-code")
    result = _hook(root, payload, "--assistant", "claude-code")
    assert result.returncode == 0 and result.stdout == "", result.stderr
    [edit] = [e for e in project.events() if e["kind"] == "edit"]
    assert (edit["variant"], edit["assistant"], edit["file"], edit["tool"]) == (
        "claude-code",
        "claude-code",
        "index.html",
        "Write",
    )
    assert edit["session"] == started["session"]
    # outside the variant, for another assistant, or garbage input: recorded nowhere, never an error
    outside = {**payload, "tool_input": {"file_path": str(project.variant_dir("copilot") / "index.html")}}
    assert _hook(root, outside, "--assistant", "claude-code").returncode == 0
    assert _hook(root, payload, "--assistant", "copilot").returncode == 0
    bad = _hook(root, "not json at all", "--assistant", "claude-code")
    assert bad.returncode == 0 and "not JSON" in bad.stderr
    assert _hook(Path("/"), {**payload, "tool_input": {"file_path": "/etc/hosts"}}).returncode == 0
    assert len([e for e in project.events() if e["kind"] == "edit"]) == 1


def test_log_edit_by_hand(ws: Workspace, project, cli) -> None:
    sessions.start_session(project, "copilot")
    result = cli("log-edit", "expense-approvals", "-v", "copilot", "--file", "style.css", "--tool", "Edit")
    assert result.code == 0 and "copilot edited style.css (Edit)" in result.out, result.err
    result = cli("log-edit", "expense-approvals", "-v", "claude-code", "--file", "style.css")
    assert result.code == 0 and "not recorded" in result.out
    assert_one_line_error(cli("log-edit", "expense-approvals", "-v", "ghost", "--file", "a"), "no variant 'ghost'")
    assert_one_line_error(cli("log-edit", "--file", "/etc/hosts"), "not inside a variant")


def test_find_variant_and_parse_payload(project, tmp_path: Path) -> None:
    where = hooks.find_variant(project.variant_dir("copilot") / "deep" / "new.js")
    assert where is not None and (where.slug, where.variant) == ("expense-approvals", "copilot")
    assert where.workspace == project.path.parent.parent
    assert hooks.find_variant(project.path / "project.yaml") is None
    assert hooks.find_variant(tmp_path) is None
    call = hooks.parse_hook_payload(
        json.dumps({"tool_name": "NotebookEdit", "cwd": "/x", "tool_input": {"notebook_path": "/x/a.ipynb"}})
    )
    assert (call.tool, call.files, call.cwd) == ("NotebookEdit", ["/x/a.ipynb"], "/x")
    assert hooks.parse_hook_payload("").files == []


@pytest.mark.parametrize(
    "module", ["sandbox.assistants.sessions", "sandbox.assistants.runs", "sandbox.assistants.hooks"]
)
def test_core_modules_stay_textual_free(module: str) -> None:
    code = f"import sys, {module}; assert 'textual' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_log_edit_prints_json_for_other_tools(ws: Workspace, project, cli) -> None:
    started = sessions.start_session(project, "copilot")
    result = cli("log-edit", "expense-approvals", "-v", "copilot", "--file", "style.css", "--tool", "Edit", "--json")
    assert result.code == 0, result.err
    event = json.loads(result.out)
    assert (event["kind"], event["file"], event["session"]) == ("edit", "style.css", started["session"])
    result = cli("log-edit", "expense-approvals", "-v", "claude-code", "--file", "style.css", "--json")
    assert result.code == 0 and json.loads(result.out) is None, "nothing recorded outside a session"
