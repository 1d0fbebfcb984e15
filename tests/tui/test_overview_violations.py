"""The project Overview says when an assistant wrote outside its variant (issue 11): per variant,
"not confined: N changes outside its variant" while its last run or session recorded violations."""

from __future__ import annotations

from textual.widgets import DataTable

from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.support.tui import SIZE, add_project, open_project, running

OUTSIDE = [{"path": "project.yaml", "what": "spec"}, {"path": "variants/copilot/index.html", "what": "sibling"}]


def ended(ws: Workspace, variant: str, **fields: object) -> None:
    ws.project("expense-approvals").append(ledger.SESSION_ENDED, variant=variant, assistant=variant,
                                           session=f"s-{len(fields)}", mode="session", contained=False, **fields)


def statuses(app: object) -> dict[str, str]:
    table = app.screen.query_one("#overview-variants", DataTable)  # type: ignore[attr-defined]
    return {str(key.value): str(table.get_row(key)[2]) for key in table.rows}


async def test_the_overview_names_changes_outside_the_variant_of_the_last_span(ws: Workspace) -> None:
    add_project(ws, "Expense approvals", assistants=["claude-code", "copilot"])
    ended(ws, "claude-code", violations=OUTSIDE)
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        shown = statuses(app)
    assert shown["claude-code"].startswith("not confined: 2 changes outside its variant")
    assert "not confined" not in shown["copilot"]
    assert ws.overview("expense-approvals").variants[0].violations == 2


async def test_a_later_clean_session_clears_it(ws: Workspace) -> None:
    add_project(ws, "Expense approvals", assistants=["claude-code", "copilot"])
    ended(ws, "claude-code", violations=OUTSIDE)
    ended(ws, "claude-code", violations=[], note="clean")
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        assert "not confined" not in statuses(app)["claude-code"]
