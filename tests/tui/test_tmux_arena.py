"""The arena in a real terminal, at a person's pace, counting the keys: from launching the installed
``sandbox`` on an empty workspace to both prototypes side by side in the browser, then a vote.

The issue's bar: at most 12 keystrokes besides typing the idea's words, launch -> side by side.
The two assistants are stand-in scripts (``tests/support/fake_assistant.py``) configured in
``sandbox.yaml``; the browser is ``$BROWSER``, a script that writes down the address it was given,
which the test then loads to check it is the side-by-side page with both prototypes.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sandbox.core import ledger
from tests.support.fake_assistant import configure, fake
from tests.tui.test_tmux import SANDBOX, Terminal

pytestmark = [pytest.mark.slow]

MAX_KEYS_TO_SIDE_BY_SIDE = 12
PACE = 0.4  # seconds between keys: a person's pace, and time for each screen to come up


class CountingTerminal(Terminal):
    """A terminal that counts keystrokes: each named key is one; typed words are counted apart."""

    def __init__(self, socket: str, name: str) -> None:
        super().__init__(socket, name)
        self.keystrokes = 0
        self.typed: list[str] = []

    def press(self, key: str) -> None:
        time.sleep(PACE)
        self.keystrokes += 1
        self.keys(key)

    def type(self, words: str) -> None:
        time.sleep(PACE)
        self.typed.append(words)
        self.keys(words, literal=True)


@pytest.fixture
def arena_terminal(tmp_path: Path):
    workspace = tmp_path / "empty-workspace"
    workspace.mkdir()
    configure(workspace, {
        "claude-code": {"headless": fake("--sleep", "1", "--write", "index.html=<h1>First</h1>")},
        "copilot": {"headless": fake("--sleep", "1.5", "--write", "index.html=<h1>Second</h1>")},
    })
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\necho \"$1\" >> '{opened}'\n")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    term = CountingTerminal(f"sandbox-arena-{os.getpid()}", "app")
    command = f"unset COLUMNS LINES; '{SANDBOX}'; echo SANDBOX-EXITED-$?; sleep 60"
    term.tmux(
        "-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "80", "-y", "24",
        "-e", "SANDBOX_USER=tester", "-e", "TERM=xterm-256color", "-e", f"BROWSER={browser} %s",
        "-e", f"PATH={Path(sys.executable).parent}:/usr/bin:/bin", "-c", str(workspace), command,
    )
    try:
        yield term, workspace, opened
    finally:
        term.tmux("kill-server", check=False)


def test_idea_to_side_by_side_and_a_vote_in_few_keys(arena_terminal) -> None:
    term, workspace, opened = arena_terminal
    term.wait_for("No ideas yet", "New idea")
    term.press("n")
    term.wait_for("Title")
    term.type("Expense approvals")
    term.press("C-s")  # Create: both assistants start building, blind, on the Build view
    term.wait_for("Prototype A", "Prototype B", timeout=30)
    # When both are done, the Compare step follows by itself with the same A and B.
    term.wait_for("A is better", timeout=60)
    assert "Claude" not in term.screen() and "Copilot" not in term.screen()
    term.press("o")  # both side by side in the browser
    deadline = time.monotonic() + 30
    while not (opened.exists() and opened.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert opened.exists(), "the side-by-side page was not opened in the browser"
    to_side_by_side = term.keystrokes
    assert to_side_by_side <= MAX_KEYS_TO_SIDE_BY_SIDE, f"{to_side_by_side} keys to side by side"
    url = opened.read_text().strip().splitlines()[-1]
    with urllib.request.urlopen(url + "__sandbox/arena.json", timeout=10) as response:
        state = json.loads(response.read())
    assert set(state["frames"]) == {"A", "B"} and state["result"] is None
    for frame in state["frames"].values():
        with urllib.request.urlopen(frame, timeout=10) as response:
            assert response.status == 200

    # The vote in the terminal: the reason first, then the reveal.
    term.press("b")
    term.wait_for("Why")
    term.type("Clearer list")
    term.press("Enter")
    term.wait_for("Who do you think made A?")
    term.press("Escape")  # the blinding check is skippable with one key
    shown = term.wait_for("You preferred B", timeout=30)
    assert "A was" in shown
    slug = "expense-approvals"
    votes = [e for e in ledger.read(workspace / "projects" / slug / "ledger.jsonl").events if e["kind"] == "vote"]
    assert len(votes) == 1 and votes[0]["winner"] == "B" and votes[0]["reason"] == "Clearer list"
    print(f"keys to side by side: {to_side_by_side}; to a recorded vote: {term.keystrokes} "
          f"(besides typing {term.typed})")
