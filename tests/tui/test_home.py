"""The home screen: the project list, its filter, the empty state, and what it offers to do."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from sandbox.workspace import Workspace
from tests.support.tui import SIZE, add_project, notices, press, running, screen_name, settle, wait_for


async def test_empty_home_explains_what_to_do(ws: Workspace) -> None:
    async with running(ws, SIZE) as (pilot, app):
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen" and app.screen.loaded)
        empty = app.screen.query_one("#empty", Static)
        assert not empty.has_class("hidden")
        assert "No ideas yet" in str(empty.render())
        await press(pilot, "enter")  # nothing to open: a hint, not a crash
        await press(pilot, "c")
        assert screen_name(app) == "HomeScreen"


async def test_home_columns_fit_their_content_after_a_resize(ws: Workspace) -> None:
    """Titles are never cut to the header's width, whatever order resizes and loads arrive in."""
    add_project(ws, "Expense approvals", category="finance")
    async with running(ws, (80, 24)) as (pilot, app):
        table = app.screen.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="one row")
        await pilot.resize_terminal(120, 40)  # as when the app comes back from an assistant
        app.screen.load_projects()
        await settle(pilot)
        await wait_for(pilot, lambda: table.row_count == 1 and len(table.columns) == 6, what="full table")
        title = next(c for c in table.columns.values() if str(c.label) == "Title")
        assert title.get_render_width(table) - 2 * table.cell_padding >= len("Expense approvals")
        assert str(table.get_row_at(0)[0]) == "Expense approvals"


async def test_filter_the_home_list(ws: Workspace) -> None:
    add_project(ws, "Expense approvals", category="finance")
    add_project(ws, "Team lunch vote", category="fun")
    add_project(ws, "Expense report export", category="finance")
    async with running(ws, SIZE) as (pilot, app):
        table = app.screen.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3, what="three rows")
        await press(pilot, "slash")
        assert isinstance(app.focused, Input)
        await press(pilot, *"expense")
        await wait_for(pilot, lambda: table.row_count == 2, what="two expense rows")
        assert "2 of 3" in str(app.screen.query_one("#count", Static).render())
        await press(pilot, *" export")
        await wait_for(pilot, lambda: table.row_count == 1)
        await press(pilot, *"zzz")
        await wait_for(pilot, lambda: "No project matches" in str(app.screen.query_one("#empty", Static).render()))
        await press(pilot, "escape")  # clears the filter
        await wait_for(pilot, lambda: table.row_count == 3)
        # Category and assistant words match too.
        await press(pilot, "slash", *"fun")
        await wait_for(pilot, lambda: table.row_count == 1)
        await press(pilot, "enter")  # from the filter box to the table ...
        await press(pilot, "enter")  # ... and open the project
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert app.screen.slug == "team-lunch-vote"


async def test_home_table_fits_80_columns_with_many_assistants(ws: Workspace) -> None:
    add_project(ws, "Expense approvals for the finance team",
                assistants=["claude-code", "copilot", "codex", "cursor"])
    add_project(ws, "Team lunch vote")
    async with running(ws, (80, 24)) as (pilot, app):
        await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count == 2)
        await settle(pilot)
        table = app.screen.query_one("#projects", DataTable)
        # Every column, the rating included, is visible without scrolling sideways.
        await wait_for(pilot, lambda: table.virtual_size.width <= table.scrollable_content_region.width,
                       what=f"table fits ({table.virtual_size.width} > {table.scrollable_content_region.width})")
        assert table.max_scroll_x == 0
        assert str(table.get_cell_at((0, 0))).endswith("…")  # the long title is clipped, not the rating
        # Wider terminal: the whole title shows again.
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: "…" not in "".join(str(table.get_cell_at((r, 0))) for r in range(2)),
                       what="full titles when wide")


async def test_open_and_compare_are_dimmed_while_there_is_nothing(ws: Workspace) -> None:
    async with running(ws, (80, 24)) as (pilot, app):
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen" and app.screen.loaded)
        await settle(pilot)

        def enabled(action: str) -> bool:
            return any(b.binding.action == action and b.enabled for b in app.screen.active_bindings.values())

        assert not enabled("open") and not enabled("compare")
        assert enabled("app.new_idea")
        await press(pilot, "c")  # a dimmed key does nothing (no "choose a project in the list")
        assert screen_name(app) == "HomeScreen" and not notices(app)
        add_project(ws, "Expense approvals")
        app.screen.load_projects()
        await wait_for(pilot, lambda: app.screen.summaries, what="projects")
        await wait_for(pilot, lambda: enabled("compare"), what="enabled with a project")
        assert app.screen.active_bindings["enter"].enabled


async def test_a_title_that_looks_like_markup_is_shown_as_written(ws: Workspace) -> None:
    """Titles are people's words: brackets in them are text, never styling, and never a crash."""
    title = "Plan [/b] for [bold]Q3[/bold] [link=x]"
    add_project(ws, title, category="[red]finance")
    async with running(ws, (120, 30)) as (pilot, app):
        table = app.screen.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="one row")
        await settle(pilot)
        cells = [str(cell) for cell in table.get_row_at(0)]
        assert cells[0] == title and cells[2] == "[red]finance", cells
        await press(pilot, "down")  # the rows are drawn again, highlighted: still text
        assert screen_name(app) == "HomeScreen"
