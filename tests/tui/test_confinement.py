"""Confinement from the TUI (issue 11): the launch button goes through the same door as ``sandbox open``
(fairness check, confinement or its notice said once, a session that is ended afterwards), and the
Build view says once when its runs are not confined."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox.assistants.interactive import Launch
from sandbox.tui.widgets.assistant_pane import AssistantPane
from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    click,
    events,
    notices,
    press,
    running,
    screen_name,
    settle,
    wait_for,
)
from tests.tui.test_project_assistant import assistant_tab, status_of

WRITES = "open('made.txt', 'w').write('by the assistant\\n')"


def interactive_assistant(ws: Workspace, *, confinement: str) -> None:
    """An assistant of our own whose interactive command writes a file in its variant."""
    (ws.root / "sandbox.yaml").write_text(
        f"confinement: '{confinement}'\n"
        "assistants:\n  helper:\n    name: Helper\n    instructions: AGENTS.md\n"
        f"    command: [{json.dumps(sys.executable)}, '-c', {json.dumps(WRITES)}]\n"
        f"    headless: [{json.dumps(sys.executable)}, '-c', {json.dumps(WRITES)}]\n"
    )
    ws.reload()


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[Launch]:
    """Run the assistant without suspending the app (a Pilot app has no terminal to hand over)."""
    seen: list[Launch] = []

    def run(_pane: AssistantPane, opened: Launch) -> int:
        seen.append(opened)
        return subprocess.run(opened.argv, cwd=opened.cwd, env=opened.env, check=False).returncode

    monkeypatch.setattr(AssistantPane, "hand_over", run)
    return seen


async def launch_and_skip_rating(pilot: Any, app: Any, pane: AssistantPane) -> None:
    await click(pilot, "#assistant-launch")
    await wait_for(pilot, lambda: screen_name(app) == "RatingDialog", what="the rating form")
    await press(pilot, "escape")  # closing the form still ends the session: the assistant has exited
    await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen" and "No session open" in status_of(pane),
                   what="session ended")


def not_confined_notices(app: Any) -> list[str]:
    return [message for message in notices(app) if "not confined" in message]


async def test_launch_goes_through_the_confined_door_and_says_the_notice_once(
    ws: Workspace, handed_over: list[Launch]
) -> None:
    interactive_assistant(ws, confinement="off")
    add_project(ws, "Helper idea", assistants=["helper"])
    ledger_path = ws.projects_dir / "helper-idea" / "ledger.jsonl"
    async with running(ws, SIZE) as (pilot, app):
        pane = await assistant_tab(pilot, app)
        await launch_and_skip_rating(pilot, app, pane)
        assert "switched off in sandbox.yaml" in status_of(pane, "#run-status")
        await launch_and_skip_rating(pilot, app, pane)
        assert len(not_confined_notices(app)) == 1, "the notice is said once, not on every launch"
    started = [e for e in events(ledger_path) if e["kind"] == "session_started"]
    ended = [e for e in events(ledger_path) if e["kind"] == "session_ended"]
    assert len(started) == 2 and len(ended) == 2
    assert started[0]["contained"] is False and started[0]["brief_sha256"], "fairness-checked, confinement said"
    assert "made.txt" in ended[0]["files_added"]
    assert handed_over[0].argv[-1] == WRITES and handed_over[0].cwd == Path(ws.projects_dir / "helper-idea" /
                                                                            "variants" / "helper")


async def test_launch_refuses_while_a_session_opened_by_hand_is_open(ws: Workspace, handed_over: list[Launch]) -> None:
    interactive_assistant(ws, confinement="off")
    add_project(ws, "Helper idea", assistants=["helper"])
    async with running(ws, SIZE) as (pilot, app):
        pane = await assistant_tab(pilot, app)
        await click(pilot, "#session-start")
        await wait_for(pilot, lambda: "Session open" in status_of(pane), what="session open")
        await click(pilot, "#assistant-launch")
        await wait_for(pilot, lambda: "already open" in status_of(pane, "#run-status"), what="the refusal")
        assert handed_over == [] and screen_name(app) == "ProjectScreen"


async def test_launch_refuses_one_sided_instructions_in_one_line(ws: Workspace, handed_over: list[Launch]) -> None:
    interactive_assistant(ws, confinement="off")
    add_project(ws, "Helper idea", assistants=["helper"])
    (ws.projects_dir / "helper-idea" / "AGENTS.md").write_text("Use only red.\n")  # above the variant
    ledger_path = ws.projects_dir / "helper-idea" / "ledger.jsonl"
    async with running(ws, SIZE) as (pilot, app):
        pane = await assistant_tab(pilot, app)
        await click(pilot, "#assistant-launch")
        await wait_for(pilot, lambda: "Cannot start it" in status_of(pane, "#run-status"), what="the refusal")
        assert handed_over == []
    assert not [e for e in events(ledger_path) if e["kind"] == "session_started"]


async def test_the_build_view_says_once_that_its_runs_are_not_confined(ws: Workspace) -> None:
    from sandbox.tui.screens.build import BuildScreen

    interactive_assistant(ws, confinement="off")
    add_project(ws, "Helper idea", assistants=["helper"])
    async with running(ws, SIZE) as (pilot, app):
        for _ in range(2):
            app.push_screen(BuildScreen(ws, "helper-idea", ["helper"], None, show_names=True))
            screen = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, BuildScreen) else None)
            await wait_for(pilot, lambda: all(p.finished for p in screen.panes()),  # noqa: B023
                           what="the run finished")
            await settle(pilot)
            said = screen.query_one("#build-notice")
            intro = str(said.render()) if said.display else ""
            await press(pilot, "escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, BuildScreen), what="back")
            if _ == 0:
                assert "Not confined:" in intro and "switched off" in intro
            else:
                assert "Not confined:" not in intro, "said once"
        assert len(not_confined_notices(app)) == 1

