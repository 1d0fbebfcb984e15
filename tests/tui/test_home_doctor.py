"""Home says what this computer is missing (issues 10 and 12): the doctor's lines in a panel, each
broken project's one-line error, and the New idea form ticks only assistants the doctor finds ready
(issue 13)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from textual.widgets import SelectionList, Static

from sandbox.assistants.doctor import AssistantCheck, DoctorReport, MachineCheck
from sandbox.tui.screens.home import HomeScreen
from sandbox.workspace import Workspace
from tests.support.tui import SIZE, add_project, make_app, open_new_idea, settle, wait_for

CLAUDE_MISSING = AssistantCheck(id="claude-code", name="Claude Code", needed=True, program="claude",
                                install="npm install -g @anthropic-ai/claude-code")
COPILOT_READY = AssistantCheck(id="copilot", name="GitHub Copilot", needed=True, program="copilot", path="/bin/x",
                               version="1.0", signed_in=True, sign_in="signed in")
DISK_LOW = MachineCheck(name="Disk", ok=False, needed=True, detail="only 12 MB free in the workspace")


@asynccontextmanager
async def home(ws: Workspace, doctor: Callable[[], DoctorReport] | None) -> AsyncIterator[tuple[Any, Any]]:
    app = make_app(ws)
    app.doctor = doctor
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded, what="home")
        await settle(pilot)
        yield pilot, app


def panel_text(app: Any, selector: str) -> str:
    panel = app.screen.query_one(selector, Static)
    return "" if panel.has_class("hidden") else str(panel.render())


async def test_home_shows_what_is_missing_and_the_install_line(ws: Workspace) -> None:
    report = DoctorReport(assistants=[CLAUDE_MISSING, COPILOT_READY], machine=[DISK_LOW])
    async with home(ws, lambda: report) as (pilot, app):
        await wait_for(pilot, lambda: panel_text(app, "#doctor"), what="the doctor's panel")
        text = panel_text(app, "#doctor")
        assert "Claude Code: missing: npm install -g @anthropic-ai/claude-code" in text
        assert "Disk: only 12 MB free" in text
        assert "GitHub Copilot" not in text  # ready: not a problem
        assert app.doctor_report is report


async def test_home_says_nothing_when_the_computer_is_ready(ws: Workspace) -> None:
    asked: list[int] = []

    def ready() -> DoctorReport:
        asked.append(1)
        return DoctorReport(assistants=[COPILOT_READY])

    async with home(ws, ready) as (pilot, app):
        await wait_for(pilot, lambda: app.doctor_report is not None, what="the doctor's answer")
        await settle(pilot)
        assert panel_text(app, "#doctor") == ""
        app.screen.on_screen_resume()  # back on Home: the doctor is not asked again
        await settle(pilot)
    assert asked == [1]


async def test_a_broken_project_shows_its_one_line_error(ws: Workspace) -> None:
    add_project(ws, "Fine one")
    add_project(ws, "Broken one")
    (ws.projects_dir / "broken-one" / "project.yaml").write_text("title: [unclosed\n")
    async with home(ws, None) as (pilot, app):
        text = await wait_for(pilot, lambda: panel_text(app, "#problems"), what="the problem line")
        assert "has a problem" in text and "project.yaml" in text
        assert "Fine one" not in text
        assert len(text.strip().splitlines()) == 1


def stand_ins(ws: Workspace, ids: list[str]) -> None:
    lines = ["assistants:"]
    for i in ids:
        lines += [f"  {i}:", f"    name: Helper {i}", "    instructions: AGENTS.md",
                  f"    headless: [{json.dumps(sys.executable)}, '-c', 'pass']"]
    (ws.root / "sandbox.yaml").write_text("\n".join(lines) + "\n")
    ws.reload()


async def test_the_new_idea_form_ticks_only_assistants_the_doctor_finds_ready(ws: Workspace) -> None:
    stand_ins(ws, ["aa", "bb", "cc"])
    signed_out = AssistantCheck(id="bb", name="Helper bb", needed=False, program="python", path=sys.executable,
                                signed_in=False, sign_in="not signed in: run bb login")
    async with home(ws, lambda: DoctorReport(assistants=[signed_out])) as (pilot, app):
        await wait_for(pilot, lambda: app.doctor_report is not None, what="the doctor's answer")
        form = await open_new_idea(pilot, app)
        assert sorted(form.query_one("#assistants", SelectionList).selected) == ["aa", "cc"]


async def test_without_the_doctor_the_first_two_installed_are_ticked(ws: Workspace) -> None:
    stand_ins(ws, ["aa", "bb", "cc"])
    async with home(ws, None) as (pilot, app):
        form = await open_new_idea(pilot, app)
        assert sorted(form.query_one("#assistants", SelectionList).selected) == ["aa", "bb"]
