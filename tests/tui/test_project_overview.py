"""A project's Overview tab: the idea and one line per variant, computed by ``Workspace.overview``."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from sandbox.assistants import sessions
from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.support.tui import SIZE, add_project, open_project, running, wait_for


async def test_overview_lists_variants(ws: Workspace) -> None:
    add_project(ws, "Expense approvals", idea="Approve on the go.")
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        table = app.screen.query_one("#overview-variants", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert "Approve on the go." in str(app.screen.query_one("#overview-idea", Static).render())
        row = table.get_row("claude-code")
        assert row[1] == "Claude Code" and row[2] == "ready" and row[4] == "yesterday"


async def test_overview_says_what_is_going_on_with_each_variant(ws: Workspace) -> None:
    """An open session, changed files, ratings and an edit a re-render kept each show on their line."""
    add_project(ws, "Expense approvals")
    project = ws.project("expense-approvals")
    sessions.start_session(project, "copilot")
    project.append(ledger.CHANGE, variant="claude-code", files=["index.html", "notes.txt"])
    project.append(ledger.RATING, variant="claude-code", scores={"works": 4, "looks-right": 5})
    (project.variant_dir("claude-code") / "index.html").write_text("<p>my own page</p>")
    project.spec_path.write_text(project.spec_path.read_text().replace("headline: Hello", "headline: Bye"))
    ws.render("expense-approvals")
    rendered = ws.overview("expense-approvals").variants[0].files
    async with running(ws, (140, 32)) as (pilot, app):
        await open_project(pilot, app)
        table = app.screen.query_one("#overview-variants", DataTable)
        claude, copilot = table.get_row("claude-code"), table.get_row("copilot")
        assert claude[2] == "rated 4.5/5, 1 edited file kept (new version beside)"
        assert claude[3] == f"{rendered} (2 changed)"
        assert copilot[2] == "session open" and copilot[3] == str(rendered)
