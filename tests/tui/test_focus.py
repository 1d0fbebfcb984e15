"""Focus, as in the best Textual apps: after every tab switch and every dialog, the focused widget
is the first control a person uses there, never the tab bar or a scroll area; and in the YAML
editor the tab-switch keys switch tabs and type nothing.

Each check waits for the focus to land (tabs mount their content lazily), with a generous timeout
that guards against a hang only.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select

from sandbox.tui.screens.dialogs import ConfirmDialog, DifferenceDialog, RatingDialog
from sandbox.workspace import Workspace
from tests.support.tui import (
    add_project,
    open_project,
    press,
    project_screen,
    running,
    screen_name,
    wait_for,
)

SIZE = (100, 32)


def focused_id(app: Any) -> str:
    widget = app.focused
    return f"{type(widget).__name__}#{widget.id}" if widget is not None else "nothing"


async def focus_is(pilot: Any, app: Any, expected: str, what: str) -> None:
    await wait_for(pilot, lambda: focused_id(app) == expected, what=f"{what}: {expected} focused")


async def test_every_tab_focuses_its_first_control_with_alt_number(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        screen = project_screen(app)
        await focus_is(pilot, app, "Button#next-preview", "the Overview on opening")
        expected = {
            "2": "Input#idea-title",  # the Idea form's first field
            "3": "DataTable#preview-variants",  # the prototypes to preview (enter starts one)
            "4": "Button#session-start",  # the Assistant tab: Start session
            "1": "Button#next-preview",  # back on the Overview: the next step
        }
        for key, widget in expected.items():
            await press(pilot, f"alt+{key}")
            await focus_is(pilot, app, widget, f"alt+{key}")
        await press(pilot, "alt+5")  # the YAML editor: its text itself
        editor = await wait_for(pilot, lambda: screen.editor, what="the editor")
        await wait_for(pilot, lambda: app.focused is editor.text_area, what="alt+5: the editor's text focused")
        await press(pilot, "alt+1")
        await focus_is(pilot, app, "Button#next-preview", "alt+1 from the editor")
        assert screen.editor is not None and app.focused is not screen.editor.text_area


async def test_in_the_yaml_editor_tab_keys_switch_tabs_and_type_nothing(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        screen = project_screen(app)
        tabs = screen.query_one("#project-tabs")
        for key, tab in (("alt+1", "overview"), ("alt+2", "idea"), ("alt+3", "preview"), ("alt+4", "assistant"),
                         ("ctrl+pagedown", "overview"), ("ctrl+pageup", "assistant")):
            await press(pilot, "alt+5")
            editor = await wait_for(pilot, lambda: screen.editor, what="the editor")
            text_area = editor.text_area
            await wait_for(pilot, lambda t=text_area: app.focused is t, what="the editor focused")
            before = text_area.text
            await press(pilot, key)  # pressed with the focus in the editor
            await wait_for(pilot, lambda t=tab: tabs.active == t, what=f"{key} -> {tab}")
            assert text_area.text == before, f"{key} typed into project.yaml"
        assert screen_name(app) == "ProjectScreen"  # no key left the project


async def test_starting_a_session_moves_the_focus_to_end_session(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        await press(pilot, "alt+4")
        await focus_is(pilot, app, "Button#session-start", "the Assistant tab")
        await press(pilot, "enter")  # the disabled Start button must not swallow the focus
        await focus_is(pilot, app, "Button#session-end", "after Start session")
        await press(pilot, "enter")
        dialog = await wait_for(pilot, lambda: app.screen if screen_name(app) == "RatingDialog" else None,
                                what="the rating dialog")
        await focus_is(pilot, app, "Select#score-matches-idea", "the rating dialog")
        assert isinstance(dialog, RatingDialog) and isinstance(app.focused, Select)


async def test_each_dialog_focuses_its_first_answer(ws: Workspace) -> None:
    async with running(ws, SIZE) as (pilot, app):
        cases: list[tuple[Any, str]] = [
            (ConfirmDialog("Leave?", "Unsaved edits.", [("stay", "Stay", "primary"), ("leave", "Leave", "error")]),
             "Button#choice-stay"),
            (RatingDialog("Prototype A"), "Select#score-overall"),
            (DifferenceDialog("Claude Code changed index.html, so your new title did not reach it.",
                              "--- a\n+++ b\n-old\n+new", "Claude Code"), "Button#difference-take"),
        ]
        for dialog, expected in cases:
            app.push_screen(dialog)
            await wait_for(pilot, lambda dialog=dialog: app.screen is dialog, what=type(dialog).__name__)
            await focus_is(pilot, app, expected, type(dialog).__name__)
            await press(pilot, "escape")
            await wait_for(pilot, lambda dialog=dialog: app.screen is not dialog, what="the dialog closed")


async def test_the_new_idea_form_starts_in_its_title(ws: Workspace) -> None:
    async with running(ws, SIZE) as (pilot, app):
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen", what="the form")
        await focus_is(pilot, app, "Input#title", "the New idea form")
        assert isinstance(app.focused, Input)
