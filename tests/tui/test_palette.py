"""The command palette (ctrl+p): every action of the app and of the current screen, by name."""

from __future__ import annotations

from textual.command import CommandList

from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    make_app,
    open_project,
    press,
    running,
    screen_name,
    wait_for,
)


async def test_command_palette_lists_every_action(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        await wait_for(pilot, lambda: app.summaries, what="summaries")
        from sandbox.tui.commands import SandboxCommands

        provider = SandboxCommands(app.screen)
        names = [name for name, _, _ in provider._commands()]
        for expected in ("New idea", "Report", "Help", "Quit", "Open Expense approvals",
                         "Compare prototypes of Expense approvals"):
            assert expected in names
        hits = [hit async for hit in provider.search("new idea")]
        assert hits and "New idea" in str(hits[0].match_display)
        await press(pilot, "ctrl+p")
        await press(pilot, *"new idea")
        # the palette searches in a worker: wait until its first (highlighted) answer is the action
        results = await wait_for(pilot, lambda: app.screen.query(CommandList), what="palette")

        def first_hit() -> str:
            command_list = results.first()
            if not command_list.option_count or command_list.highlighted is None:
                return ""
            return str(command_list.get_option_at_index(command_list.highlighted).prompt)

        await wait_for(pilot, lambda: first_hit().startswith("New idea"), what="New idea found")
        palette = app.screen
        await wait_for(pilot, lambda: not any(w.is_running and w.node is palette for w in app.workers),
                       what="search done")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen", what="new idea via palette")


async def test_every_project_action_is_in_the_palette_and_tabs_have_keys(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, (80, 24)) as (pilot, app):
        await open_project(pilot, app)
        from sandbox.tui.commands import SandboxCommands

        names = [name for name, _, _ in SandboxCommands(app.screen)._commands()]
        for expected in ("Show Overview", "Show Idea", "Show YAML (advanced)", "Show Preview", "Show Assistant",
                         "Save spec", "Save the idea", "Build it with the assistants",
                         "Go to the problem in the spec", "Start preview", "Stop preview",
                         "Open the preview in the browser", "Start a session", "End the session and rate",
                         "Open the assistant here", "Let the assistant work on its own", "Stop the assistant",
                         "Back to the project list", "Compare prototypes of Expense approvals"):
            assert expected in names, expected
        # Tabs by number, shown in the footer ...
        tabs = app.screen.query_one("#project-tabs")
        app.screen.query_one("#project-tabs Tabs").focus()
        await press(pilot, "3")
        await wait_for(pilot, lambda: tabs.active == "preview", what="3 -> preview")
        app.screen.query_one("#project-tabs Tabs").focus()
        await press(pilot, "5")
        await wait_for(pilot, lambda: tabs.active == "spec", what="5 -> the YAML tab")
        editor = await wait_for(pilot, lambda: app.screen.editor, what="editor")
        await wait_for(pilot, lambda: app.focused is editor.text_area, what="editor focused")
        text = editor.text_area.text
        # ... in the editor a digit is text, and alt+number and ctrl+page down still move on.
        await press(pilot, "4")
        assert tabs.active == "spec"
        editor.text_area.load_text(text)
        await press(pilot, "alt+3")
        await wait_for(pilot, lambda: tabs.active == "preview", what="alt+3 from the editor")
        assert editor.text_area.text == text  # typed nothing
        await press(pilot, "alt+5")
        await wait_for(pilot, lambda: tabs.active == "spec", what="alt+5")
        await press(pilot, "ctrl+pagedown")
        await wait_for(pilot, lambda: tabs.active == "overview", what="ctrl+pagedown wraps around")
        await press(pilot, "ctrl+pageup", "ctrl+pageup")
        await wait_for(pilot, lambda: tabs.active == "assistant", what="ctrl+pageup")
        footer_keys = [b.binding.key_display for b in app.screen.active_bindings.values() if b.binding.show]
        assert "alt+1-5" in footer_keys
    async with make_app(ws).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        names = [name for name, _, _ in SandboxCommands(app.screen)._commands()]
        assert "Create the project" in names and "Leave the form" in names
