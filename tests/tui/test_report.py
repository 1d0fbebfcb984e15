"""The Report screen, reached from the app: r on Home opens it, escape comes back.

What the report shows (tables, charts, groups, the HTML export) is tested with the report itself in
tests/compare/test_report.py.
"""

from __future__ import annotations

from textual.widgets import DataTable, Static

from sandbox.workspace import Workspace
from tests.support.tui import SIZE, add_project, press, running, screen_name, wait_for


async def test_r_on_home_opens_the_report_and_escape_comes_back(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        assert app.screen.query_one("#projects", DataTable).row_count == 1
        await press(pilot, "r")
        await wait_for(pilot, lambda: screen_name(app) == "ReportScreen", what="report screen")
        summary = app.screen.query_one("#summary", Static)
        await wait_for(pilot, lambda: "1 project" in str(summary.content), what="report built")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
