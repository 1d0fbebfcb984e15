"""A project's Assistant tab: sessions and ratings, headless runs, and quitting or leaving while
an assistant works on its own."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Log, Select, Static

from sandbox.tui.app import SandboxApp
from sandbox.tui.widgets.assistant_pane import AssistantPane
from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    click,
    events,
    open_project,
    press,
    project_screen,
    running,
    screen_name,
    show_tab,
    wait_for,
)


def headless_assistant(ws: Workspace, assistant: str, name: str, script: str) -> None:
    """An assistant of our own in sandbox.yaml whose headless command runs ``script`` in Python."""
    (ws.root / "sandbox.yaml").write_text(
        f"assistants:\n  {assistant}:\n    name: {name}\n    instructions: AGENTS.md\n"
        f"    headless: [{json.dumps(sys.executable)}, '-c', {json.dumps(script)}]\n"
    )
    ws.reload()


async def assistant_tab(pilot: Pilot[Any], app: SandboxApp) -> AssistantPane:
    """Open the first project on its Assistant tab (the pane is mounted when first shown)."""
    await open_project(pilot, app)
    await show_tab(pilot, app, "assistant")
    found = await wait_for(pilot, lambda: project_screen(app).query(AssistantPane), what="assistant pane")
    return found.first()


def status_of(pane: AssistantPane, selector: str = "#session-status") -> str:
    return str(pane.query_one(selector, Static).render())


async def test_start_and_end_a_session_records_ledger_events(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    async with running(ws, SIZE) as (pilot, app):
        pane = await assistant_tab(pilot, app)
        assert pane.variant == "claude-code"
        await click(pilot, "#session-start")
        await wait_for(pilot, lambda: "Session open" in status_of(pane), what="session open")
        kinds = [e["kind"] for e in events(project_dir / "ledger.jsonl")]
        assert kinds[-1] == "session_started"
        # The assistant (here: us) changes a file inside the session.
        (project_dir / "variants" / "claude-code" / "notes.txt").write_text("one\ntwo\n")
        await click(pilot, "#session-end")
        dialog = await wait_for(pilot, lambda: app.screen if screen_name(app) == "RatingDialog" else None)
        for select in dialog.query(".score").results(Select):
            select.value = 4
        dialog.query_one("#rating-note", Input).value = "Nice start"
        dialog.query_one("#rating-minutes", Input).value = "12"
        await click(pilot, "#rating-save")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        await wait_for(pilot, lambda: "No session open" in status_of(pane), what="session closed")
        all_events = events(project_dir / "ledger.jsonl")
        ended = [e for e in all_events if e["kind"] == "session_ended"]
        assert len(ended) == 1
        assert ended[0]["variant"] == "claude-code" and ended[0]["score"] == 4 and ended[0]["note"] == "Nice start"
        assert "notes.txt" in ended[0]["files_added"]
        ratings = [e for e in all_events if e["kind"] == "rating"]
        assert len(ratings) == 1 and ratings[0]["minutes"] == 12
        assert set(ratings[0]["scores"].values()) == {4}


async def test_end_session_without_rating(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
    async with running(ws, SIZE) as (pilot, app):
        await assistant_tab(pilot, app)
        await click(pilot, "#session-start")
        await click(pilot, "#session-end")  # waits until the button is enabled: the session is open
        await wait_for(pilot, lambda: screen_name(app) == "RatingDialog")
        await click(pilot, "#rating-cancel")  # keep working: the session stays open
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert not any(e["kind"] == "session_ended" for e in events(ledger_path))
        await click(pilot, "#session-end")
        await wait_for(pilot, lambda: screen_name(app) == "RatingDialog")
        await click(pilot, "#rating-skip")
        await wait_for(pilot, lambda: any(e["kind"] == "session_ended" for e in events(ledger_path)))
        assert not any(e["kind"] == "rating" for e in events(ledger_path))


async def test_headless_run_shows_output_and_records_it(ws: Workspace) -> None:
    headless_assistant(ws, "fake", "Fake helper",
                       "import sys; sys.stdin.read(); print('working on it'); open('made.txt', 'w').write('x'); "
                       "print('done')")
    add_project(ws, "Expense approvals", assistants=["fake"])
    project_dir = ws.projects_dir / "expense-approvals"
    async with running(ws, SIZE) as (pilot, app):
        pane = await assistant_tab(pilot, app)
        assert pane.variant == "fake"
        await click(pilot, "#assistant-run")
        await wait_for(pilot, lambda: "finished" in status_of(pane, "#run-status"), what="run end")
        log_text = "\n".join(pane.query_one("#run-log", Log).lines)
        assert "working on it" in log_text and "done" in log_text
        runs = [e for e in events(project_dir / "ledger.jsonl") if e["kind"] == "run"]
        assert len(runs) == 1 and runs[0]["exit_code"] == 0
        assert "made.txt" in runs[0]["files_added"]


@asynccontextmanager
async def slow_run(ws: Workspace) -> AsyncIterator[tuple[Pilot[Any], SandboxApp, AssistantPane, Path]]:
    """The app (80x24) on a project whose assistant works on its own for a minute unless stopped;
    yielded once the run has started (it wrote started.txt in the variant's folder)."""
    headless_assistant(ws, "slow", "Slow helper",
                       "import sys, time; sys.stdin.read(); open('started.txt', 'w').write('x'); "
                       "print('working', flush=True); time.sleep(60); open('finished.txt', 'w').write('x')")
    add_project(ws, "Expense approvals", assistants=["slow"])
    variant_dir = ws.projects_dir / "expense-approvals" / "variants" / "slow"
    async with running(ws, (80, 24)) as (pilot, app):
        pane = await assistant_tab(pilot, app)
        await click(pilot, "#assistant-run")
        await wait_for(pilot, lambda: (variant_dir / "started.txt").exists(), what="run started")
        yield pilot, app, pane, variant_dir


async def test_quitting_during_a_headless_run_asks_and_stops_it(ws: Workspace) -> None:
    ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
    async with slow_run(ws) as (pilot, app, pane, variant_dir):
        project_screen(app).query_one("#project-tabs Tabs").focus()
        await press(pilot, "q")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="quit asks while running")
        assert "Slow helper is still working" in str(app.screen.query_one(".dialog-body", Static).render())
        await click(pilot, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert pane.running == "slow"
        await press(pilot, "q")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-quit")
    # The app was gone before the assistant's minute was up: the run was stopped, not waited for ...
    assert not (variant_dir / "finished.txt").exists()
    # ... and it is recorded as interrupted (the ledger line is written as the process is stopped).
    deadline = time.monotonic() + 30  # a guard against a hang, not a speed requirement
    while not any(e["kind"] == "run" for e in events(ledger_path)) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    runs = [e for e in events(ledger_path) if e["kind"] == "run"]
    assert len(runs) == 1 and runs[0].get("interrupted")
    assert not (variant_dir / "finished.txt").exists()


async def test_leaving_a_project_during_a_headless_run_asks_first(ws: Workspace) -> None:
    ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
    async with slow_run(ws) as (pilot, app, pane, _):
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="leaving asks while running")
        await click(pilot, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert pane.running == "slow"
        project_screen(app).action_back()
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-stop")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await wait_for(pilot, lambda: any(e["kind"] == "run" and e.get("interrupted") for e in events(ledger_path)),
                       what="run stopped and recorded")


async def test_the_assistant_tab_says_a_run_is_going_on_and_stop_works(ws: Workspace) -> None:
    async with slow_run(ws) as (pilot, _, pane, _):
        await wait_for(pilot, lambda: "working on its own" in status_of(pane), what="running status")
        assert "No session open" not in status_of(pane)
        assert pane.query_one("#session-start").disabled and pane.query_one("#assistant-launch").disabled
        await click(pilot, "#assistant-stop")
        await wait_for(pilot, lambda: "was stopped" in status_of(pane, "#run-status"), what="stopped")
        await wait_for(pilot, lambda: "No session open" in status_of(pane), what="status after the run")
        assert not pane.query_one("#session-start").disabled
