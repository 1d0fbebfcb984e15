"""What is started for an assistant: its program found, or a one-line error that names the fix."""

from __future__ import annotations

import pytest

from sandbox.assistants import launch
from sandbox.core.errors import AssistantError
from sandbox.workspace import Workspace
from tests.support.fake_assistant import configure


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go")
    return ws.project("expense-approvals")


def test_launch_argv_resolves_the_program_or_says_how_to_fix_it(ws: Workspace, project) -> None:
    tool = ws.root / "bin" / "my-assistant"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    configure(ws.root, {"copilot": {"command": ["bin/my-assistant", "--flag"]}, "claude-code": {"command": []}})
    ws.reload()
    assert launch.launch_argv(ws, project, "copilot") == [str(tool.resolve()), "--flag"]
    with pytest.raises(AssistantError, match="no interactive command"):
        launch.launch_argv(ws, project, "claude-code")
    with pytest.raises(AssistantError, match="npm install -g @github/copilot"):
        launch.headless_argv(ws, project, "copilot", "do it")
