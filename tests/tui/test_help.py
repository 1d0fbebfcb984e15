"""The help screen: opened with ? or F1 from anywhere, it lists every key in plain words."""

from __future__ import annotations

from textual.widgets import DataTable, Markdown

from sandbox.workspace import Workspace
from tests.support.tui import SIZE, add_project, press, running, screen_name, wait_for


async def test_help_opens_with_question_mark_and_f1_and_escape_closes_it(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        assert app.screen.query_one("#projects", DataTable).row_count == 1
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await press(pilot, "f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count == 1)


async def test_help_lists_the_keys_of_the_project_screen(ws: Workspace) -> None:
    async with running(ws, (80, 24)) as (pilot, app):
        await press(pilot, "f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        text = app.screen.query_one("#help-text", Markdown).source
        for key in ("1 2 3 4", "ctrl+page down", "ctrl+s", "F8", "ctrl+q"):
            assert key in text, key
