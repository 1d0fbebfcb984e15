"""``sandbox open`` with the real Claude Code and Copilot CLIs, driven in a terminal (tmux) as a person would.

Each assistant is opened in its variant, is asked for a change, makes it through the stand-in model
server (create a file, edit a file), and is quit; the session must attribute every edit exactly,
through each CLI's own hook, with ``sandbox`` off PATH. Claude Code's first-run questions are
answered in its throwaway HOME (onboarding done, the test key approved, the folder trusted);
Copilot's folder-trust question is answered on screen, after the sandbox's one-line hint.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.support import model_server
from tests.support.browser import require_program
from tests.support.model_server import ANTHROPIC, OPENAI, ModelServer
from tests.support.real_clis import OFFLINE_KEY, offline_env
from tests.tui.test_tmux import Terminal

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SLUG = "expense-approvals"
DONE = model_server.FINAL_TEXT


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go", assistants=["claude-code", "copilot"])
    return ws.project(SLUG)


def claude_home(home: Path, variant: Path) -> None:
    """Claude Code's answers to its first-run questions, as a person who used it once would have them."""
    home.mkdir(parents=True, exist_ok=True)
    key = "sk-ant-" + OFFLINE_KEY
    (home / ".claude.json").write_text(json.dumps({
        "hasCompletedOnboarding": True,
        "customApiKeyResponses": {"approved": [key[-20:]], "rejected": []},
        "projects": {str(variant): {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}},
    }))


def open_in_tmux(ws: Workspace, env: dict[str, str], variant: str, name: str) -> Terminal:
    require_program("tmux")
    term = Terminal(name, "open")
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**env, "TERM": "xterm-256color"}.items())
    command = (f"env -i {assignments} {shlex.quote(sys.executable)} -m sandbox --workspace {shlex.quote(str(ws.root))}"
               f" open {SLUG} --variant {variant}; echo OPEN-EXITED-$?; sleep 120")
    term.tmux("-f", "/dev/null", "new-session", "-d", "-s", "open", "-x", "140", "-y", "45", "-c", str(ws.root),
              command)
    return term


def type_line(term: Terminal, text: str) -> None:
    term.tmux("send-keys", "-t", term.name, "-l", "--", text)  # "--": a prompt starting with "-" is text
    time.sleep(0.3)  # a person's pace: the CLI's input box echoes before Enter submits
    term.keys("Enter")


def session_of(project, variant: str) -> tuple[dict, list[dict]]:
    events = ledger.read(project.ledger_path).events
    [ended] = [e for e in events if e["kind"] == "session_ended" and e["variant"] == variant]
    edits = [e for e in events if e["kind"] == "edit" and e["session"] == ended["session"]]
    return ended, edits


def script(server: ModelServer, project) -> None:
    for api, variant in ((ANTHROPIC, "claude-code"), (OPENAI, "copilot")):
        root = project.variant_dir(variant).resolve()
        server.script(api, [
            model_server.create(str(root / "notes.md"), f"# Notes by {variant}\n"),
            model_server.edit(str(root / "index.html"), "<h1>Hello</h1>", "<h1>Hello, opened</h1>"),
        ])


def test_open_attributes_every_edit_of_both_real_clis(real_clis, ws: Workspace, project, tmp_path) -> None:
    terms: list[Terminal] = []
    try:
        with ModelServer() as server:
            script(server, project)
            env = offline_env(real_clis, tmp_path / "home", server.url)
            assert shutil.which("sandbox", path=env["PATH"]) is None
            claude_home(tmp_path / "home", project.variant_dir("claude-code").resolve())

            claude = open_in_tmux(ws, env, "claude-code", f"sandbox-open-claude-{id(terms)}")
            terms.append(claude)
            claude.wait_for("Claude Code v", "\u276f", timeout=120)  # its input prompt
            type_line(claude, "-make the page better")
            claude.wait_for(DONE, timeout=180)
            type_line(claude, "/exit")
            claude.wait_for("OPEN-EXITED-0", timeout=120)

            copilot = open_in_tmux(ws, env, "copilot", f"sandbox-open-copilot-{id(terms)}")
            terms.append(copilot)
            copilot.wait_for("Do you trust the files in this folder?", timeout=120)
            copilot.keys("Enter")  # 1. Yes
            time.sleep(1.0)
            type_line(copilot, "-make the page better")
            copilot.wait_for("Do you want to create", timeout=180)
            copilot.keys("Down")  # 2. Yes, and don't ask again for file operations in this folder
            time.sleep(0.3)
            copilot.keys("Enter")
            copilot.wait_for(DONE, timeout=180)
            type_line(copilot, "/exit")
            shown = copilot.wait_for("OPEN-EXITED-0", timeout=120)
            history = copilot.tmux("capture-pane", "-p", "-S", "-", "-t", "open").stdout
            assert "trusting it is what turns on exact attribution" in history + shown
    finally:
        for term in terms:
            term.tmux("kill-server", check=False)
    for variant in ("claude-code", "copilot"):
        ended, edits = session_of(project, variant)
        assert ended["attribution"] == "hooks" and "hook_silent" not in ended, ended
        assert ended["files_added"] == ["notes.md"] and ended["files_changed"] == ["index.html"], ended
        assert {e["file"] for e in edits} == {"notes.md", "index.html"} and all(e["source"] == "hook" for e in edits)
        [started] = [e for e in ledger.read(project.ledger_path).events
                     if e["kind"] == "session_started" and e["session"] == ended["session"]]
        assert len(started["brief_sha256"]) == 64, "the brief each assistant read is recorded"
