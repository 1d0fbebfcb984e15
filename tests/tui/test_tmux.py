"""Drive the installed ``sandbox`` command in a real terminal (tmux), as a person would.

Create an idea through the form, open it, go back, quit, and check the files on disk. The test
uses its own tmux server socket so it never touches anyone's sessions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.browser import require_program
from tests.support.tui import make_workspace

TMUX = shutil.which("tmux") or "tmux"
SANDBOX = str(Path(sys.executable).parent / "sandbox")

pytestmark = [pytest.mark.slow]


@pytest.fixture(autouse=True)
def _needs_tmux_and_the_installed_command() -> None:
    require_program("tmux")
    assert Path(SANDBOX).exists(), f"the installed 'sandbox' command is missing next to {sys.executable}"


class Terminal:
    def __init__(self, socket: str, name: str) -> None:
        self.socket = socket
        self.name = name

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # COLUMNS/LINES from the test runner would override the 120x40 window in the app.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}
        return subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=20, env=env
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(text in shown for text in texts):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} did not appear on screen; it shows:\n{shown}")


@pytest.fixture
def terminal_factory(tmp_path: Path):
    """Start ``sandbox`` in a fresh tmux server (120x40) on a workspace prepared by ``setup``."""
    started: list[Terminal] = []

    def start(setup=None):
        workspace = make_workspace(tmp_path / "ws")
        if setup is not None:
            setup(workspace)
        term = Terminal(f"sandbox-test-{os.getpid()}-{len(started)}", "app")
        command = f"unset COLUMNS LINES; '{SANDBOX}' --workspace '{workspace}'; echo SANDBOX-EXITED-$?; sleep 60"
        term.tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40",
            "-e", "SANDBOX_USER=tester", "-e", "TERM=xterm-256color", "-c", str(workspace), command,
        )
        started.append(term)
        return term, workspace

    try:
        yield start
    finally:
        for term in started:
            term.tmux("kill-server", check=False)


@pytest.fixture
def terminal(terminal_factory):
    return terminal_factory()


def test_create_open_and_quit_in_a_real_terminal(terminal) -> None:
    term, workspace = terminal
    shown = term.wait_for("No ideas yet", "New idea")
    assert "Filter" in shown
    term.keys("n")
    term.wait_for("Describe your idea", "Title")
    term.keys("Tmux idea", literal=True)
    # Title -> idea -> audience -> success -> category -> template list; the test's 'mini'
    # template sorts last, so End picks it.
    for _ in range(5):
        term.keys("Tab")
        time.sleep(0.2)  # a person's pace; a loaded machine may still be mounting the form
    term.keys("End")
    try:
        term.wait_for("Questions of 'Mini page'", timeout=10)
    except AssertionError:  # the first End landed before the list had focus: press it again
        term.keys("End")
        term.wait_for("Questions of 'Mini page'")
    term.keys("C-s")
    # The variants' rows come from a worker after the tabs are drawn: wait for them, not only the tabs
    # (a loaded CI run showed the Overview's header with its rows still on the way).
    shown = term.wait_for("Overview", "Spec", "Preview", "Assistant", "Tmux idea", "Claude Code", "GitHub Copilot",
                          timeout=30)
    project = workspace / "projects" / "tmux-idea"
    assert (project / "project.yaml").is_file()
    assert (project / "variants" / "claude-code" / "index.html").is_file()
    assert "Tmux idea" in (project / "variants" / "copilot" / "index.html").read_text()
    term.keys("Escape")
    shown = term.wait_for("1 project", "Tmux idea", "mini")
    assert "Category" in shown  # 120 columns: the full table
    term.keys("Enter")  # open it again from the list
    term.wait_for("Variants: one prototype per assistant")
    term.keys("Escape")
    term.wait_for("1 project")
    term.keys("q")
    term.wait_for("SANDBOX-EXITED-0")


HELPER = """\
assistants:
  helper:
    name: Helper
    instructions: AGENTS.md
    command: [sh, -c, 'echo HELPER-READY; read line; echo "$line" > typed.txt; echo HELPER-DONE']
"""


def test_launch_an_assistant_here_suspends_and_resumes(terminal_factory) -> None:
    """The app steps aside for the assistant, comes back, asks for a rating, records the session."""

    def setup(workspace: Path) -> None:
        from sandbox.workspace import Workspace

        (workspace / "sandbox.yaml").write_text(HELPER)
        Workspace(workspace).new_project("Helper idea", "mini", assistants=["helper"])

    term, workspace = terminal_factory(setup)
    term.wait_for("Helper idea", "1 project")
    term.keys("Enter")
    term.wait_for("Variants: one prototype per assistant", "Helper")
    term.keys("C-p")
    term.wait_for("Search")
    term.keys("Open the assistant here", literal=True)
    time.sleep(0.3)
    term.keys("Enter")
    term.wait_for("HELPER-READY")  # the app has handed over the terminal
    term.keys("typed in the assistant", literal=True)
    term.keys("Enter")
    term.wait_for("How did it go with Helper?")  # back in the app, rating form
    term.keys("C-e")  # end without rating
    term.wait_for("Session ended")
    project = workspace / "projects" / "helper-idea"
    assert (project / "variants" / "helper" / "typed.txt").read_text().strip() == "typed in the assistant"
    import json

    events = [json.loads(line) for line in (project / "ledger.jsonl").read_text().splitlines() if line.strip()]
    kinds = [e["kind"] for e in events]
    assert "session_started" in kinds and "session_ended" in kinds
    ended = next(e for e in events if e["kind"] == "session_ended")
    assert "typed.txt" in ended["files_added"] and ended["variant"] == "helper"
    term.keys("Escape")
    term.wait_for("1 project")
    term.keys("q")
    term.wait_for("SANDBOX-EXITED-0")
