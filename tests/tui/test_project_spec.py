"""A project's Spec tab: project.yaml checked as you type, saved with ctrl+s, never a version lost
(changes on disk, leaving, quitting), and its dialogs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from sandbox.tui.app import SandboxApp
from sandbox.tui.widgets.spec_editor import SpecEditor
from sandbox.workspace import Workspace
from tests.support.tui import (
    FIXED_NOW,
    SIZE,
    add_project,
    click,
    events,
    notices,
    open_project,
    open_spec,
    press,
    running,
    screen_name,
    settle,
    wait_for,
)


@asynccontextmanager
async def spec_tab(ws: Workspace, size: tuple[int, int] = SIZE, **project: Any) -> AsyncIterator[
    tuple[Pilot[Any], SandboxApp, SpecEditor]
]:
    """The app on the Spec tab of a new project 'Expense approvals' (``project``: more of its fields)."""
    add_project(ws, "Expense approvals", **project)
    async with running(ws, size) as (pilot, app):
        await open_project(pilot, app)
        yield pilot, app, await open_spec(pilot, app)


async def edit(pilot: Pilot[Any], editor: SpecEditor, text: str) -> None:
    """Put ``text`` in the editor as typing would (the editor hears of it) and wait until it is unsaved."""
    area = editor.text_area
    area.load_text(text)
    area.post_message(TextArea.Changed(area))
    await wait_for(pilot, lambda: editor.dirty, what="unsaved edits")


async def saved_elsewhere(pilot: Pilot[Any], app: SandboxApp, spec_path: Path, text: str,
                          what: str = "conflict dialog") -> None:
    """Another editor saves ``text`` to project.yaml while ours has unsaved edits: the dialog asks."""
    spec_path.write_text(text)
    await wait_for(pilot, lambda: screen_name(app) == "ConflictDialog", what=what)
    await settle(pilot)


async def test_break_the_spec_see_the_error_fix_it(ws: Workspace) -> None:
    spec_path = ws.projects_dir / "expense-approvals" / "project.yaml"
    async with spec_tab(ws, SIZE) as (pilot, _app, editor):
        original = spec_path.read_text()
        area = editor.text_area
        assert area.language == "yaml"
        assert area.is_syntax_aware, "YAML highlighting needs textual[syntax]"
        error_box = editor.query_one("#spec-error", Static)
        await wait_for(pilot, lambda: "No problems" in str(error_box.render()))
        # Break it: an assistant list that is not a list.
        broken = original.replace("assistants:\n  - claude-code\n  - copilot", "assistants: everyone")
        assert broken != original
        await edit(pilot, editor, broken)
        await wait_for(pilot, lambda: editor.has_class("-x") or "Problem" in str(error_box.render()), what="error")
        text = str(error_box.render())
        line = broken.splitlines().index("assistants: everyone") + 1
        assert f"Line {line}" in text and "list of assistant ids" in text
        assert editor.error.line == line
        # F8 puts the cursor on the problem.
        area.focus()
        area.cursor_location = (0, 0)
        await press(pilot, "f8")
        assert area.cursor_location[0] == line - 1
        # ctrl+s does not save a broken spec the first time ...
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: "ctrl+s again" in str(error_box.render()))
        assert spec_path.read_text() == original
        # ... fix it, the error clears, and ctrl+s saves.
        fixed = broken.replace("assistants: everyone", "assistants:\n  - claude-code\n  - copilot").replace(
            "title: Expense approvals", "title: Expense approvals v2"
        )
        await edit(pilot, editor, fixed)
        await wait_for(pilot, lambda: "No problems" in str(error_box.render()), what="error cleared")
        assert editor.dirty
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: not editor.dirty, what="saved")
        assert spec_path.read_text() == fixed
        # Nothing watches the folder in this test, so the screen re-renders itself.
        ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
        await wait_for(pilot, lambda: any(e["kind"] == "rendered" for e in events(ledger_path)), what="re-render")


async def test_saving_a_broken_spec_twice_saves_it_anyway(ws: Workspace) -> None:
    spec_path = ws.projects_dir / "expense-approvals" / "project.yaml"
    async with spec_tab(ws, SIZE) as (pilot, _app, editor):
        area = editor.text_area
        area.load_text("title: [unclosed\n")
        area.focus()
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: "ctrl+s again" in str(editor.query_one("#spec-error", Static).render()))
        assert spec_path.read_text() != "title: [unclosed\n"
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: spec_path.read_text() == "title: [unclosed\n", what="forced save")
        await wait_for(pilot, lambda: not editor.dirty)


async def test_change_on_disk_while_editing_loses_neither(ws: Workspace) -> None:
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    async with spec_tab(ws, SIZE) as (pilot, app, editor):
        original = spec_path.read_text()
        area = editor.text_area
        # 1. No unsaved edits: a change on disk is simply loaded.
        theirs1 = original.replace("title: Expense approvals", "title: From another editor")
        spec_path.write_text(theirs1)
        await wait_for(pilot, lambda: area.text == theirs1, what="reload from disk")
        assert not editor.dirty
        # 2. Unsaved edits + a change on disk: the user chooses; "take theirs" keeps mine beside.
        mine = theirs1.replace("category: testing", "category: mine-category")
        await edit(pilot, editor, mine)
        theirs2 = theirs1.replace("category: testing", "category: their-category")
        await saved_elsewhere(pilot, app, spec_path, theirs2)
        await click(pilot, "#conflict-both")
        assert not app.screen.query_one("#conflict-diff").has_class("hidden")
        await click(pilot, "#conflict-theirs")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        await wait_for(pilot, lambda: area.text == theirs2)
        copies = sorted(project_dir.glob("project.yaml.mine-*"))
        assert len(copies) == 1 and copies[0].read_text() == mine
        assert spec_path.read_text() == theirs2
        # 3. "Keep mine": the editor keeps my text, theirs is kept beside, ctrl+s then saves mine.
        mine2 = theirs2.replace("category: their-category", "category: mine-again")
        await edit(pilot, editor, mine2)
        theirs3 = theirs2.replace("category: their-category", "category: theirs-again")
        await saved_elsewhere(pilot, app, spec_path, theirs3, "second conflict dialog")
        await click(pilot, "#conflict-mine")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert area.text == mine2 and editor.dirty
        theirs_copies = sorted(project_dir.glob("project.yaml.theirs-*"))
        assert len(theirs_copies) == 1 and theirs_copies[0].read_text() == theirs3
        area.focus()
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: spec_path.read_text() == mine2, what="mine saved")
        polls = editor.polls
        await wait_for(pilot, lambda: editor.polls >= polls + 2, what="two polls of project.yaml after the save")
        await settle(pilot)
        assert screen_name(app) == "ProjectScreen"  # our own save is not a conflict
        assert not editor.dirty


async def test_leaving_with_unsaved_edits_asks(ws: Workspace) -> None:
    spec_path = ws.projects_dir / "expense-approvals" / "project.yaml"
    async with spec_tab(ws, SIZE) as (pilot, app, editor):
        edited = editor.text_area.text.replace("title: Expense approvals", "title: Changed")
        editor.text_area.load_text(edited)
        app.screen.query_one("#project-tabs Tabs").focus()  # in the editor, q is just a letter
        await press(pilot, "q")  # quit asks first
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        app.screen.action_back()
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-save")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        assert spec_path.read_text() == edited


async def test_a_refused_save_shows_the_whole_problem_at_80x24(ws: Workspace) -> None:
    async with spec_tab(ws, (80, 24)) as (pilot, app, editor):
        area = editor.text_area
        area.load_text(area.text.replace("template: mini", "template: nope"))
        area.focus()
        await press(pilot, "ctrl+s")
        box = editor.query_one("#spec-error", Static)
        await wait_for(pilot, lambda: "ctrl+s again" in str(box.render()), what="not saved note")
        await settle(pilot)
        # Every line of the problem and of the note fits in the box (nothing cut off) ...
        needed = box.get_content_height(box.size, app.size, box.content_region.width)
        assert needed <= box.content_region.height, (needed, box.content_region.height)
        assert "last good version" in str(box.render())
        # ... and no toast lies on top of it: "not saved" is said on the status line instead.
        assert not notices(app)
        assert "Not saved" in str(editor.query_one("#spec-status", Static).render())


async def test_the_disk_conflict_dialog_answers_to_the_keyboard_at_80x24(ws: Workspace) -> None:
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    async with spec_tab(ws, (80, 24)) as (pilot, app, editor):
        area = editor.text_area
        mine = area.text.replace("category: testing", "category: mine")
        await edit(pilot, editor, mine)
        theirs = spec_path.read_text().replace("category: testing", "category: theirs")
        await saved_elsewhere(pilot, app, spec_path, theirs)
        dialog = app.screen
        await settle(pilot)
        box = dialog.query_one("#conflict-box").region
        for button in dialog.query("Button"):  # every choice is on screen, none cut off
            assert box.contains_region(button.region), button.id
        # The safe choice has the focus: enter keeps my edits (the other version goes beside).
        assert app.focused is dialog.query_one("#conflict-mine")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen", what="dialog closed by enter")
        assert area.text == mine and editor.dirty
        assert len(list(project_dir.glob("project.yaml.theirs-*"))) == 1


async def test_quitting_with_spec_edits_can_save_first(ws: Workspace) -> None:
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    async with spec_tab(ws, (80, 24)) as (pilot, app, editor):
        edited = editor.text_area.text.replace("headline: Hello", "headline: Saved on the way out")
        assert edited != editor.text_area.text
        editor.text_area.load_text(edited)
        await press(pilot, "ctrl+q")  # works even inside the editor
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="quit asks")
        dialog = app.screen
        await settle(pilot)
        box = dialog.query_one(".dialog").region
        for button in dialog.query("Button"):
            assert box.contains_region(button.region), button.id
        await click(pilot, "#choice-save")
    assert spec_path.read_text() == edited
    # The prototypes follow the saved spec (re-rendered on the way out).
    index = project_dir / "variants" / "claude-code" / "index.html"
    import time

    deadline = time.monotonic() + 20
    while "Saved on the way out" not in index.read_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert "Saved on the way out" in index.read_text()


async def test_save_and_leave_updates_the_prototypes(ws: Workspace) -> None:
    index = ws.projects_dir / "expense-approvals" / "variants" / "claude-code" / "index.html"
    async with spec_tab(ws, SIZE) as (pilot, app, editor):
        editor.text_area.load_text(editor.text_area.text.replace("headline: Hello", "headline: Saved when leaving"))
        editor.text_area.focus()
        await press(pilot, "escape")  # the first escape leaves the editor, and types nothing ...
        assert screen_name(app) == "ProjectScreen" and app.focused is not editor.text_area
        assert "Saved when leaving" in editor.text_area.text
        await press(pilot, "escape")  # ... the second leaves the project, asking first
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-save")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await wait_for(pilot, lambda: "Saved when leaving" in index.read_text(), timeout=20, what="re-rendered")


async def test_a_long_idea_in_the_spec_wraps_at_80_columns(ws: Workspace) -> None:
    idea = "People submit receipts from their phone and a manager approves them in one tap, even on the train."
    async with spec_tab(ws, (80, 24), idea=idea) as (pilot, _app, editor):
        await settle(pilot)
        area = editor.text_area
        assert any(len(line) > area.scrollable_content_region.width for line in area.text.splitlines())
        # The whole sentence is on screen: wrapped, no sideways scrolling to read the idea.
        assert area.soft_wrap and area.max_scroll_x == 0
        assert area.wrapped_document.height > area.document.line_count
        # F8 still lands on the right line of the file.
        await edit(pilot, editor, area.text.replace("template: mini", "template: nope"))
        await wait_for(pilot, lambda: editor.error is not None, what="error")
        area.cursor_location = (0, 0)
        area.focus()
        await press(pilot, "f8")
        assert area.cursor_location[0] == area.text.splitlines().index("template: nope")


async def test_dialogs_show_their_own_keys_not_the_screen_underneath(ws: Workspace) -> None:
    from textual.widgets import Footer

    project_dir = ws.projects_dir / "expense-approvals"
    async with spec_tab(ws, (80, 24)) as (pilot, app, editor):
        area = editor.text_area
        await edit(pilot, editor, area.text.replace("category: testing", "category: mine"))
        spec_path = project_dir / "project.yaml"
        theirs = spec_path.read_text().replace("category: testing", "category: theirs")
        await saved_elsewhere(pilot, app, spec_path, theirs)
        dialog = app.screen
        await settle(pilot)
        footer = dialog.query_one(Footer)
        assert footer.region.bottom == app.size.height  # drawn over the editor's footer
        shown = {b.binding.description for b in dialog.active_bindings.values() if b.binding.show}
        assert "Keep my edits" in shown and "Save" not in shown and "Go to error" not in shown
        await press(pilot, "escape")  # the safe answer, as the footer says
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert "category: mine" in area.text
        assert len(list(project_dir.glob("project.yaml.theirs-*"))) == 1
        await press(pilot, "f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        assert app.screen.query(Footer)


async def test_showing_the_differences_keeps_the_buttons_on_screen_at_80x24(ws: Workspace) -> None:
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    async with spec_tab(ws, (80, 24)) as (pilot, app, editor):
        area = editor.text_area
        await edit(pilot, editor, "\n".join(f"# my line {i}" for i in range(30)) + "\n" + area.text)
        theirs = spec_path.read_text().replace("category: testing", "category: theirs")
        await saved_elsewhere(pilot, app, spec_path, theirs)
        await click(pilot, "#conflict-both")
        dialog = app.screen
        await wait_for(pilot, lambda: not dialog.query_one("#conflict-diff").has_class("hidden"))
        await settle(pilot)
        box = dialog.query_one("#conflict-box").region
        assert box.bottom <= app.size.height - 1  # above the footer
        for button in dialog.query("Button"):
            assert box.contains_region(button.region), button.id
        diff = dialog.query_one("#conflict-diff")
        assert diff.region.height >= 5 and diff.max_scroll_y > 0  # the long list scrolls inside
        await click(pilot, "#conflict-theirs")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert "category: theirs" in area.text


async def test_f8_is_dimmed_until_there_is_a_problem_to_jump_to(ws: Workspace) -> None:
    async with spec_tab(ws, (80, 24)) as (pilot, app, editor):
        await wait_for(pilot, lambda: "No problems" in str(editor.query_one("#spec-error", Static).render()))
        await settle(pilot)
        assert not app.screen.active_bindings["f8"].enabled
        area = editor.text_area
        await edit(pilot, editor, area.text.replace("template: mini", "template: nope"))
        await wait_for(pilot, lambda: editor.error is not None, what="error")
        await wait_for(pilot, lambda: app.screen.active_bindings["f8"].enabled, what="f8 enabled")


def test_spec_edit_checks_saves_and_keeps_copies(ws: Workspace) -> None:
    from sandbox.core.errors import SpecError
    from sandbox.make import spec_edit

    add_project(ws, "Expense approvals")
    project = ws.project("expense-approvals")
    text, stamp = spec_edit.read_spec_text(project)
    assert stamp == spec_edit.spec_stamp(project)
    assert spec_edit.check_spec_text(ws, project, text).title == "Expense approvals"
    # The folder name cannot change through the spec.
    with pytest.raises(SpecError, match="folder"):
        spec_edit.check_spec_text(ws, project, text.replace("slug: expense-approvals", "slug: other"))
    # An invalid buffer is refused unless forced; forced, it is written and the error returned.
    broken = text.replace("template: mini", "template: nope")
    with pytest.raises(SpecError) as info:
        spec_edit.save_spec_text(ws, project, broken)
    assert info.value.line == broken.splitlines().index("template: nope") + 1
    assert project.spec_path.read_text() == text
    result = spec_edit.save_spec_text(ws, project, broken, force=True)
    assert result.error is not None and result.spec is None
    assert project.spec_path.read_text() == broken and result.stamp != stamp
    result = spec_edit.save_spec_text(ws, project, text)
    assert result.error is None and result.spec.template == "mini"
    # Copies beside project.yaml never overwrite each other.
    first = spec_edit.keep_copy(project, "a", "mine", now=FIXED_NOW)
    second = spec_edit.keep_copy(project, "b", "mine", now=FIXED_NOW)
    assert first.name == "project.yaml.mine-20260102-120000" and second.name.endswith("-2")
    assert (first.read_text(), second.read_text()) == ("a", "b")
    assert not list(project.path.glob(".project.yaml.*.tmp"))


def test_saving_the_spec_keeps_its_permissions(ws: Workspace) -> None:
    """Teammates sharing the folder can still read project.yaml (and the copies kept beside it)
    after it is saved from the app."""
    import stat

    from sandbox.make import spec_edit

    add_project(ws, "Expense approvals")
    project = ws.project("expense-approvals")
    spec_path = Path(project.spec_path)
    spec_path.chmod(0o644)
    text, _ = spec_edit.read_spec_text(project)
    spec_edit.save_spec_text(ws, project, text.replace("category: testing", "category: shared"))
    assert stat.S_IMODE(spec_path.stat().st_mode) == 0o644
    kept = spec_edit.keep_copy(project, "title: mine\n", "mine")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644
    spec_path.chmod(0o664)  # a group-writable team folder stays group-writable
    spec_edit.save_spec_text(ws, project, text, force=True)
    assert stat.S_IMODE(spec_path.stat().st_mode) == 0o664


async def test_a_yaml_slip_is_said_in_plain_words_at_the_line_it_starts(ws: Workspace) -> None:
    """An unclosed quote near the top: the parser gives up at the end of the file; the editor says
    where the quote opens, in words a designer understands, and F8 goes there."""
    async with spec_tab(ws, SIZE) as (pilot, _app, editor):
        error_box = editor.query_one("#spec-error", Static)
        await wait_for(pilot, lambda: "No problems" in str(error_box.render()), what="a valid spec first")
        lines = editor.text_area.text.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
        lines[at] = 'title: "Expense approvals'
        assert at + 5 < len(lines)  # the parser itself reports it far below
        await edit(pilot, editor, "\n".join(lines) + "\n")
        await wait_for(pilot, lambda: "never closed" in str(error_box.render()), what="the plain-words error")
        text = " ".join(str(error_box.render()).split())
        assert f"Line {at + 1}, column 8" in text and "quoted scalar" not in text
        assert editor.error is not None and editor.error.line == at + 1
