"""The flows a person walks through in the app, driven with Textual's Pilot."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from sandbox.tui.app import SandboxApp
from sandbox.workspace import Workspace
from tests.support.tui import FIXED_NOW, add_project, make_workspace, wait_for

SIZE = (100, 32)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(make_workspace(tmp_path / "ws"))


def make_app(ws: Workspace, live: bool = False) -> SandboxApp:
    return SandboxApp(ws, clock=lambda: FIXED_NOW, workspace_label="demo", live=live)


def screen_name(app: SandboxApp) -> str:
    return type(app.screen).__name__


async def open_new_idea(pilot, app: SandboxApp):
    """Press n on Home and wait for the New idea form, as a person would."""
    await pilot.press("n")
    await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
    return app.screen


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def open_project(pilot, app: SandboxApp) -> None:
    await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count > 0, what="project rows")
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen", what="project screen")


async def click(pilot, app: SandboxApp, selector: str) -> None:
    """Click a widget once the current screen has composed it."""
    await wait_for(pilot, lambda: app.screen.query(selector), what=selector)
    await pilot.pause()
    await pilot.click(selector)


async def show_tab(pilot, app: SandboxApp, tab: str) -> None:
    app.screen.show_tab(tab)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def open_spec(pilot, app: SandboxApp):
    await show_tab(pilot, app, "spec")
    editor = await wait_for(pilot, lambda: app.screen.editor, what="spec editor")
    await wait_for(pilot, lambda: editor.text_area.text, what="spec text")
    return editor


# --- home ------------------------------------------------------------------------------------
async def test_empty_home_explains_what_to_do(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen" and app.screen.loaded)
        empty = app.screen.query_one("#empty", Static)
        assert not empty.has_class("hidden")
        assert "No ideas yet" in str(empty.render())
        await pilot.press("enter")  # nothing to open: a hint, not a crash
        await pilot.press("c")
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"


async def test_home_columns_fit_their_content_after_a_resize(ws: Workspace) -> None:
    """Titles are never cut to the header's width, whatever order resizes and loads arrive in."""
    add_project(ws, "Expense approvals", category="finance")
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="one row")
        await pilot.resize_terminal(120, 40)  # as when the app comes back from an assistant
        app.screen.load_projects()
        await pilot.pause()
        await wait_for(pilot, lambda: table.row_count == 1 and len(table.columns) == 6, what="full table")
        title = next(c for c in table.columns.values() if str(c.label) == "Title")
        assert title.get_render_width(table) - 2 * table.cell_padding >= len("Expense approvals")
        assert table.get_row_at(0)[0] == "Expense approvals"


async def test_filter_the_home_list(ws: Workspace) -> None:
    add_project(ws, "Expense approvals", category="finance")
    add_project(ws, "Team lunch vote", category="fun")
    add_project(ws, "Expense report export", category="finance")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3, what="three rows")
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"expense")
        await wait_for(pilot, lambda: table.row_count == 2, what="two expense rows")
        assert "2 of 3" in str(app.screen.query_one("#count", Static).render())
        await pilot.press(*" export")
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: "No project matches" in str(app.screen.query_one("#empty", Static).render()))
        await pilot.press("escape")  # clears the filter
        await wait_for(pilot, lambda: table.row_count == 3)
        # Category and assistant words match too.
        await pilot.press("slash", *"fun")
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")  # from the filter box to the table ...
        await pilot.press("enter")  # ... and open the project
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert app.screen.slug == "team-lunch-vote"


async def test_command_palette_lists_every_action(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.summaries, what="summaries")
        from sandbox.tui.commands import SandboxCommands

        provider = SandboxCommands(app.screen)
        names = [name for name, _, _ in provider._commands()]
        for expected in ("New idea", "Report", "Help", "Quit", "Open Expense approvals",
                         "Compare prototypes of Expense approvals"):
            assert expected in names
        hits = [hit async for hit in provider.search("new idea")]
        assert hits and "New idea" in str(hits[0].match_display)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"new idea")
        await pilot.pause(0.3)  # the palette searches in the background
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen", what="new idea via palette")


async def test_help_and_coming_soon(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count == 1)
        # With the feedback screens installed they open; without, a notification says they are coming.
        import importlib.util

        has_report = importlib.util.find_spec("sandbox.tui.screens.report") is not None
        has_compare = importlib.util.find_spec("sandbox.tui.screens.compare") is not None
        await pilot.press("r")
        await wait_for(pilot, lambda: screen_name(app) == ("ReportScreen" if has_report else "HomeScreen"))
        if has_report:
            await pilot.press("escape")
            await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(app) == ("CompareScreen" if has_compare else "HomeScreen"))
        if has_compare:
            assert app.screen.slug == "expense-approvals"


# --- new idea --------------------------------------------------------------------------------
async def test_create_an_idea_through_the_form(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_idea(pilot, app)
        # Choose the small test template.
        from textual.widgets import OptionList

        options = form.query_one("#templates", OptionList)
        index = next(i for i, t in enumerate(form.templates) if t.name == "mini")
        options.highlighted = index
        await wait_for(pilot, lambda: form.chosen is not None and form.chosen.name == "mini")
        await wait_for(pilot, lambda: form.query("#answer-accent"), what="mini questions")
        # Create without a title: the error shows in place and nothing is written.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "short name" in str(form.query_one("#title-error", Static).render())
        assert not list((ws.projects_dir).iterdir())
        # Fill in the form.
        form.query_one("#title", Input).focus()
        await pilot.press(*"Expense approvals")
        form.query_one("#idea", TextArea).insert("Approve expenses from your phone.")
        # A bad colour is refused as you type, with the template's own words ...
        accent = form.query_one("#answer-accent", Input)
        accent.value = "blue"
        await wait_for(pilot, lambda: "colour" in str(form.query_one("#q-accent .field-error", Static).render()))
        assert form.query_one("#q-accent").has_class("invalid")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "NewIdeaScreen"
        assert "need a fix" in str(form.query_one("#form-error", Static).render())
        # ... and accepted once fixed.
        accent.value = "#ff8800"
        await wait_for(pilot, lambda: not form.query_one("#q-accent").has_class("invalid"))
        seats = form.query_one("#answer-seats", Input)
        assert seats.type == "integer"
        seats.value = "12"
        await wait_for(pilot, lambda: "9 or less" in str(form.query_one("#q-seats .field-error", Static).render()))
        seats.value = "4"
        form.query_one("#answer-things", TextArea).load_text("Alpha\nBeta\nGamma")
        form.query_one("#answer-layout", Select).value = "narrow"
        # Only Claude Code.
        from textual.widgets import SelectionList

        assistants = form.query_one("#assistants", SelectionList)
        assistants.deselect_all()
        assistants.select("claude-code")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen", what="project screen after create")
        assert app.screen.slug == "expense-approvals"
        project_dir = ws.projects_dir / "expense-approvals"
        spec = ws.project("expense-approvals").load_spec()
        assert spec.title == "Expense approvals"
        assert spec.idea == "Approve expenses from your phone."
        assert spec.assistants == ["claude-code"]
        assert spec.vars["accent"] == "#ff8800"
        assert spec.vars["seats"] == 4
        assert spec.vars["things"] == ["Alpha", "Beta", "Gamma"]
        assert spec.vars["layout"] == "narrow"
        index_html = (project_dir / "variants" / "claude-code" / "index.html").read_text()
        assert "<li>Beta</li>" in index_html
        assert not (project_dir / "variants" / "copilot").exists()
        assert events(project_dir / "ledger.jsonl")[0]["kind"] == "created"
        # Back home, the new project is listed.
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count == 1)


async def test_create_error_keeps_the_input(ws: Workspace) -> None:
    add_project(ws, "Taken", slug="taken")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_idea(pilot, app)
        form.query_one("#title", Input).value = "!!!"  # no letters to name a folder after
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "no letters or digits" in str(form.query_one("#form-error", Static).render()))
        assert screen_name(app) == "NewIdeaScreen"
        assert form.query_one("#title", Input).value == "!!!"
        assert not form.query_one("#create").disabled


async def test_switching_templates_and_back_keeps_what_was_typed(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_idea(pilot, app)
        assert form.chosen.name == "landing-page", "a newcomer starts on the landing page"
        mini = next(t for t in form.templates if t.name == "mini")
        await form.choose_template(mini)
        await pilot.pause()
        things = form.query_one("#answer-things", TextArea)
        things.load_text("Alpha\nBeta\nGamma")
        await form.choose_template(next(t for t in form.templates if t.name == "landing-page"))
        await pilot.pause()
        await form.choose_template(mini)
        await pilot.pause()
        field = next(f for f in form.fields() if f.question.name == "things")
        assert field.validate() == ["Alpha", "Beta", "Gamma"]


# --- spec editor -----------------------------------------------------------------------------
async def test_break_the_spec_see_the_error_fix_it(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    spec_path = ws.projects_dir / "expense-approvals" / "project.yaml"
    original = spec_path.read_text()
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        assert area.language == "yaml"
        assert area.is_syntax_aware, "YAML highlighting needs textual[syntax]"
        error_box = editor.query_one("#spec-error", Static)
        await wait_for(pilot, lambda: "No problems" in str(error_box.render()))
        # Break it: an assistant list that is not a list.
        broken = original.replace("assistants:\n  - claude-code\n  - copilot", "assistants: everyone")
        assert broken != original
        area.load_text(broken)
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.has_class("-x") or "Problem" in str(error_box.render()), what="error")
        text = str(error_box.render())
        line = broken.splitlines().index("assistants: everyone") + 1
        assert f"Line {line}" in text and "list of assistant ids" in text
        assert editor.error.line == line
        # F8 puts the cursor on the problem.
        area.focus()
        area.cursor_location = (0, 0)
        await pilot.press("f8")
        assert area.cursor_location[0] == line - 1
        # ctrl+s does not save a broken spec the first time ...
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "ctrl+s again" in str(error_box.render()))
        assert spec_path.read_text() == original
        # ... fix it, the error clears, and ctrl+s saves.
        fixed = broken.replace("assistants: everyone", "assistants:\n  - claude-code\n  - copilot").replace(
            "title: Expense approvals", "title: Expense approvals v2"
        )
        area.load_text(fixed)
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: "No problems" in str(error_box.render()), what="error cleared")
        assert editor.dirty
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not editor.dirty, what="saved")
        assert spec_path.read_text() == fixed
        # Nothing watches the folder in this test, so the screen re-renders itself.
        ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
        await wait_for(pilot, lambda: any(e["kind"] == "rendered" for e in events(ledger_path)), what="re-render")


async def test_saving_a_broken_spec_twice_saves_it_anyway(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    spec_path = ws.projects_dir / "expense-approvals" / "project.yaml"
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        area.load_text("title: [unclosed\n")
        area.focus()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "ctrl+s again" in str(editor.query_one("#spec-error", Static).render()))
        assert spec_path.read_text() != "title: [unclosed\n"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: spec_path.read_text() == "title: [unclosed\n", what="forced save")
        await wait_for(pilot, lambda: not editor.dirty)


async def test_change_on_disk_while_editing_loses_neither(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    original = spec_path.read_text()
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        # 1. No unsaved edits: a change on disk is simply loaded.
        theirs1 = original.replace("title: Expense approvals", "title: From another editor")
        spec_path.write_text(theirs1)
        await wait_for(pilot, lambda: area.text == theirs1, what="reload from disk")
        assert not editor.dirty
        # 2. Unsaved edits + a change on disk: the user chooses; "take theirs" keeps mine beside.
        mine = theirs1.replace("category: testing", "category: mine-category")
        area.load_text(mine)
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.dirty)
        theirs2 = theirs1.replace("category: testing", "category: their-category")
        spec_path.write_text(theirs2)
        await wait_for(pilot, lambda: screen_name(app) == "ConflictDialog", what="conflict dialog")
        await click(pilot, app, "#conflict-both")
        await pilot.pause()
        assert not app.screen.query_one("#conflict-diff").has_class("hidden")
        await click(pilot, app, "#conflict-theirs")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        await wait_for(pilot, lambda: area.text == theirs2)
        copies = sorted(project_dir.glob("project.yaml.mine-*"))
        assert len(copies) == 1 and copies[0].read_text() == mine
        assert spec_path.read_text() == theirs2
        # 3. "Keep mine": the editor keeps my text, theirs is kept beside, ctrl+s then saves mine.
        mine2 = theirs2.replace("category: their-category", "category: mine-again")
        area.load_text(mine2)
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.dirty)
        theirs3 = theirs2.replace("category: their-category", "category: theirs-again")
        spec_path.write_text(theirs3)
        await wait_for(pilot, lambda: screen_name(app) == "ConflictDialog", what="second conflict dialog")
        await click(pilot, app, "#conflict-mine")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert area.text == mine2 and editor.dirty
        theirs_copies = sorted(project_dir.glob("project.yaml.theirs-*"))
        assert len(theirs_copies) == 1 and theirs_copies[0].read_text() == theirs3
        area.focus()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: spec_path.read_text() == mine2, what="mine saved")
        await pilot.pause(0.7)  # a poll or two: our own save is not a conflict
        assert screen_name(app) == "ProjectScreen"


async def test_leaving_with_unsaved_edits_asks(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    spec_path = ws.projects_dir / "expense-approvals" / "project.yaml"
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        edited = editor.text_area.text.replace("title: Expense approvals", "title: Changed")
        editor.text_area.load_text(edited)
        app.screen.query_one("#project-tabs Tabs").focus()  # in the editor, q is just a letter
        await pilot.press("q")  # quit asks first
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, app, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        app.screen.action_back()
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, app, "#choice-save")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        assert spec_path.read_text() == edited


# --- sessions --------------------------------------------------------------------------------
async def test_start_and_end_a_session_records_ledger_events(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        await show_tab(pilot, app, "assistant")
        pane = await wait_for(pilot, lambda: app.screen.query("#assistant-pane"), what="assistant pane")
        pane = pane.first()
        assert pane.variant == "claude-code"
        await pilot.click("#session-start")
        await wait_for(pilot, lambda: "Session open" in str(pane.query_one("#session-status", Static).render()))
        kinds = [e["kind"] for e in events(project_dir / "ledger.jsonl")]
        assert kinds[-1] == "session_started"
        # The assistant (here: us) changes a file inside the session.
        (project_dir / "variants" / "claude-code" / "notes.txt").write_text("one\ntwo\n")
        await wait_for(pilot, lambda: not pane.query_one("#session-end").disabled)
        await pilot.click("#session-end")
        dialog = await wait_for(pilot, lambda: app.screen if screen_name(app) == "RatingDialog" else None)
        for select in dialog.query(".score"):
            select.value = 4
        dialog.query_one("#rating-note", Input).value = "Nice start"
        dialog.query_one("#rating-minutes", Input).value = "12"
        await click(pilot, app, "#rating-save")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        await wait_for(pilot, lambda: "No session open" in str(pane.query_one("#session-status", Static).render()))
        all_events = events(project_dir / "ledger.jsonl")
        ended = [e for e in all_events if e["kind"] == "session_ended"]
        assert len(ended) == 1
        assert ended[0]["variant"] == "claude-code" and ended[0]["score"] == 4 and ended[0]["note"] == "Nice start"
        assert "notes.txt" in ended[0]["files_added"]
        try:
            import sandbox.compare.feedback  # noqa: F401
        except ImportError:
            return
        ratings = [e for e in all_events if e["kind"] == "rating"]
        assert len(ratings) == 1 and ratings[0]["minutes"] == 12
        assert set(ratings[0]["scores"].values()) == {4}


async def test_end_session_without_rating(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        await show_tab(pilot, app, "assistant")
        pane = (await wait_for(pilot, lambda: app.screen.query("#assistant-pane"))).first()
        await pilot.click("#session-start")
        await wait_for(pilot, lambda: not pane.query_one("#session-end").disabled)
        await pilot.click("#session-end")
        await wait_for(pilot, lambda: screen_name(app) == "RatingDialog")
        await click(pilot, app, "#rating-cancel")  # keep working: the session stays open
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert not any(e["kind"] == "session_ended" for e in events(project_dir / "ledger.jsonl"))
        await pilot.click("#session-end")
        await wait_for(pilot, lambda: screen_name(app) == "RatingDialog")
        await click(pilot, app, "#rating-skip")
        await wait_for(pilot, lambda: any(e["kind"] == "session_ended" for e in events(project_dir / "ledger.jsonl")))
        assert not any(e["kind"] == "rating" for e in events(project_dir / "ledger.jsonl"))


async def test_headless_run_shows_output_and_records_it(ws: Workspace) -> None:
    import sys

    script = "import sys; sys.stdin.read(); print('working on it'); open('made.txt', 'w').write('x'); print('done')"
    (ws.root / "sandbox.yaml").write_text(
        "assistants:\n  fake:\n    name: Fake helper\n    instructions: AGENTS.md\n"
        f"    headless: [{json.dumps(sys.executable)}, '-c', {json.dumps(script)}]\n"
    )
    ws.reload()
    add_project(ws, "Expense approvals", assistants=["fake"])
    project_dir = ws.projects_dir / "expense-approvals"
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        await show_tab(pilot, app, "assistant")
        pane = (await wait_for(pilot, lambda: app.screen.query("#assistant-pane"))).first()
        assert pane.variant == "fake"
        await pilot.click("#assistant-run")
        await wait_for(pilot, lambda: "finished" in str(pane.query_one("#run-status", Static).render()), what="run end")
        from textual.widgets import Log

        log_text = "\n".join(pane.query_one("#run-log", Log).lines)
        assert "working on it" in log_text and "done" in log_text
        runs = [e for e in events(project_dir / "ledger.jsonl") if e["kind"] == "run"]
        assert len(runs) == 1 and runs[0]["exit_code"] == 0
        assert "made.txt" in runs[0]["files_added"]


# --- overview and live preview ---------------------------------------------------------------
async def test_overview_lists_variants(ws: Workspace) -> None:
    add_project(ws, "Expense approvals", idea="Approve on the go.")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        table = app.screen.query_one("#overview-variants", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert "Approve on the go." in str(app.screen.query_one("#overview-idea", Static).render())
        row = table.get_row("claude-code")
        assert row[1] == "Claude Code" and row[2] == "ready" and row[4] == "yesterday"


async def test_live_preview_starts_and_logs(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws, live=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        screen = app.screen
        await wait_for(pilot, lambda: screen.live is not None, what="live watcher")
        await show_tab(pilot, app, "preview")
        await pilot.click("#preview-start")
        await wait_for(pilot, lambda: "claude-code" in screen.urls, what="preview url")
        assert screen.urls["claude-code"].startswith("http://127.0.0.1:")
        table = screen.query_one("#preview-variants", DataTable)
        await wait_for(pilot, lambda: table.get_row("claude-code")[2] == "on")
        # A file change in the variant shows in the log (the watcher thread -> Feed -> message).
        (ws.projects_dir / "expense-approvals" / "variants" / "claude-code" / "index.html").write_text("<p>new</p>")
        from textual.widgets import Log

        log = screen.query_one("#live-log", Log)
        await wait_for(pilot, lambda: any("index.html" in line for line in log.lines), what="batch in the log")
        await pilot.click("#preview-stop")
        await wait_for(pilot, lambda: "claude-code" not in screen.urls)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")


async def test_an_event_storm_does_not_freeze_the_ui(ws: Workspace) -> None:
    """20,000 watcher events from another thread: the UI keeps answering and the log stays bounded."""
    import threading
    import time as _time

    from sandbox.live.loop import loop as live
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        screen = app.screen
        await show_tab(pilot, app, "preview")

        def storm() -> None:
            for i in range(20_000):
                screen.feed.push(live.LiveEvent("batch", _time.time(), "claude-code", (f"variants/claude-code/f{i}.css",)))

        thread = threading.Thread(target=storm)
        thread.start()
        slowest = 0.0
        while thread.is_alive():
            started = _time.monotonic()
            await pilot.press("right")  # keys are still handled during the storm
            await pilot.pause()
            slowest = max(slowest, _time.monotonic() - started)
        thread.join()
        from textual.widgets import Log

        log = screen.query_one("#live-log", Log)
        await wait_for(pilot, lambda: any("f19999.css" in line for line in log.lines), what="last event shown")
        assert slowest < 1.0, f"the UI stalled for {slowest:.2f} s"
        assert len(log.lines) <= 1001


async def test_a_broken_sandbox_yaml_is_explained_not_fatal(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    (ws.root / "sandbox.yaml").write_text("assistants: [oops\n")
    ws.reload()
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        await show_tab(pilot, app, "assistant")
        await wait_for(pilot, lambda: app.screen.query("#assistant-pane"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await wait_for(pilot, lambda: app.screen.query("#assistants-error"))
        assert "sandbox.yaml" in str(app.screen.query_one("#assistants-error", Static).render())


async def test_leaving_a_filled_in_form_asks_first(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await pilot.press("escape")  # empty form: just goes back
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await pilot.press(*"Half an idea")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, app, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        assert app.screen.query_one("#title", Input).value == "Half an idea"
        app.screen.query_one("#templates").focus()
        await pilot.press("q")  # q outside a text box quits, but asks first
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, app, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")


# --- the core helper behind the Spec tab (sandbox.make.spec_edit) ----------------------------------
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


# --- found walking through the app as a product manager ---------------------------------------
async def test_a_title_without_letters_is_explained_under_it_and_clears_when_fixed(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_idea(pilot, app)
        await pilot.press(*"!!!")
        title_error = form.query_one("#title-error", Static)
        # Said as you type, under the title, in plain words (no command-line options).
        await wait_for(pilot, lambda: "no letters or digits" in str(title_error.render()), what="title problem")
        assert "--slug" not in str(title_error.render())
        await pilot.press("ctrl+s")
        form_error = form.query_one("#form-error", Static)
        await wait_for(pilot, lambda: "no letters or digits" in str(form_error.render()))
        assert "--slug" not in str(form_error.render())
        assert app.focused is form.query_one("#title", Input)
        assert not list(ws.projects_dir.iterdir())
        # Fixing the title clears both messages: no stale error at the bottom of the form.
        await pilot.press("ctrl+u", *"Expense approvals")
        await wait_for(pilot, lambda: not str(form_error.render()).strip(), what="form error cleared")
        assert title_error.has_class("hidden")


async def test_an_existing_title_gets_a_friendly_note_not_an_error(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_idea(pilot, app)
        await pilot.press(*"Expense approvals")
        note = form.query_one("#title-note", Static)
        await wait_for(pilot, lambda: "already have an idea called" in str(note.render()), what="note")
        assert "expense-approvals-2" in str(note.render())
        assert form.query_one("#title-error", Static).has_class("hidden")
        await pilot.press("!")  # still the same folder name: the note stays
        await pilot.press("backspace", "backspace")
        await wait_for(pilot, lambda: note.has_class("hidden"), what="note gone for a new title")


async def test_home_table_fits_80_columns_with_many_assistants(ws: Workspace) -> None:
    add_project(ws, "Expense approvals for the finance team",
                assistants=["claude-code", "copilot", "codex", "cursor"])
    add_project(ws, "Team lunch vote")
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count == 2)
        await pilot.pause()
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


async def test_a_refused_save_shows_the_whole_problem_at_80x24(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        area.load_text(area.text.replace("template: mini", "template: nope"))
        area.focus()
        await pilot.press("ctrl+s")
        box = editor.query_one("#spec-error", Static)
        await wait_for(pilot, lambda: "ctrl+s again" in str(box.render()), what="not saved note")
        await pilot.pause()
        # Every line of the problem and of the note fits in the box (nothing cut off) ...
        needed = box.get_content_height(box.size, app.size, box.content_region.width)
        assert needed <= box.content_region.height, (needed, box.content_region.height)
        assert "last good version" in str(box.render())
        # ... and no toast lies on top of it: "not saved" is said on the status line instead.
        assert not list(app._notifications)
        assert "Not saved" in str(editor.query_one("#spec-status", Static).render())


async def test_the_disk_conflict_dialog_answers_to_the_keyboard_at_80x24(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        mine = area.text.replace("category: testing", "category: mine")
        area.load_text(mine)
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.dirty)
        spec_path.write_text(spec_path.read_text().replace("category: testing", "category: theirs"))
        await wait_for(pilot, lambda: screen_name(app) == "ConflictDialog", what="conflict dialog")
        dialog = app.screen
        await pilot.pause()
        box = dialog.query_one("#conflict-box").region
        for button in dialog.query("Button"):  # every choice is on screen, none cut off
            assert box.contains_region(button.region), button.id
        # The safe choice has the focus: enter keeps my edits (the other version goes beside).
        assert app.focused is dialog.query_one("#conflict-mine")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen", what="dialog closed by enter")
        assert area.text == mine and editor.dirty
        assert len(list(project_dir.glob("project.yaml.theirs-*"))) == 1


def _slow_assistant(ws: Workspace, seconds: int = 60) -> None:
    """A headless assistant that edits a file and then takes its time (a minute unless stopped)."""
    import sys

    script = (f"import sys, time; sys.stdin.read(); open('started.txt', 'w').write('x'); print('working', flush=True); "
              f"time.sleep({seconds}); open('finished.txt', 'w').write('x')")
    (ws.root / "sandbox.yaml").write_text(
        "assistants:\n  slow:\n    name: Slow helper\n    instructions: AGENTS.md\n"
        f"    headless: [{json.dumps(sys.executable)}, '-c', {json.dumps(script)}]\n"
    )
    ws.reload()


async def _start_slow_run(pilot, app: SandboxApp, ws: Workspace):
    await open_project(pilot, app)
    await show_tab(pilot, app, "assistant")
    pane = (await wait_for(pilot, lambda: app.screen.query("#assistant-pane"))).first()
    await click(pilot, app, "#assistant-run")
    variant_dir = ws.projects_dir / "expense-approvals" / "variants" / "slow"
    await wait_for(pilot, lambda: (variant_dir / "started.txt").exists(), timeout=20, what="run started")
    return pane, variant_dir


async def test_quitting_during_a_headless_run_asks_and_stops_it(ws: Workspace) -> None:
    import time

    _slow_assistant(ws)
    add_project(ws, "Expense approvals", assistants=["slow"])
    ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        pane, variant_dir = await _start_slow_run(pilot, app, ws)
        app.screen.query_one("#project-tabs Tabs").focus()
        await pilot.press("q")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="quit asks while running")
        assert "Slow helper is still working" in str(app.screen.query_one(".dialog-body", Static).render())
        await click(pilot, app, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert pane.running == "slow"
        await pilot.press("q")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        started = time.monotonic()
        await click(pilot, app, "#choice-quit")
    # The run was stopped (not waited for a minute) and recorded as interrupted.
    assert time.monotonic() - started < 30
    await_deadline = time.monotonic() + 20
    while not any(e["kind"] == "run" for e in events(ledger_path)) and time.monotonic() < await_deadline:
        await asyncio.sleep(0.1)
    runs = [e for e in events(ledger_path) if e["kind"] == "run"]
    assert len(runs) == 1 and runs[0].get("interrupted")
    assert not (variant_dir / "finished.txt").exists()


async def test_leaving_a_project_during_a_headless_run_asks_first(ws: Workspace) -> None:
    _slow_assistant(ws)
    add_project(ws, "Expense approvals", assistants=["slow"])
    ledger_path = ws.projects_dir / "expense-approvals" / "ledger.jsonl"
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        pane, _ = await _start_slow_run(pilot, app, ws)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="leaving asks while running")
        await click(pilot, app, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert pane.running == "slow"
        app.screen.action_back()
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, app, "#choice-stop")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await wait_for(pilot, lambda: any(e["kind"] == "run" and e.get("interrupted") for e in events(ledger_path)),
                       timeout=20, what="run stopped and recorded")


async def test_quitting_with_spec_edits_can_save_first(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        edited = editor.text_area.text.replace("headline: Hello", "headline: Saved on the way out")
        assert edited != editor.text_area.text
        editor.text_area.load_text(edited)
        await pilot.press("ctrl+q")  # works even inside the editor
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="quit asks")
        dialog = app.screen
        await pilot.pause()
        box = dialog.query_one(".dialog").region
        for button in dialog.query("Button"):
            assert box.contains_region(button.region), button.id
        await click(pilot, app, "#choice-save")
    assert spec_path.read_text() == edited
    # The prototypes follow the saved spec (re-rendered on the way out).
    index = project_dir / "variants" / "claude-code" / "index.html"
    import time

    deadline = time.monotonic() + 20
    while "Saved on the way out" not in index.read_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert "Saved on the way out" in index.read_text()


async def test_save_and_leave_updates_the_prototypes(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    index = ws.projects_dir / "expense-approvals" / "variants" / "claude-code" / "index.html"
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        editor.text_area.load_text(editor.text_area.text.replace("headline: Hello", "headline: Saved when leaving"))
        app.screen.action_back()
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, app, "#choice-save")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await wait_for(pilot, lambda: "Saved when leaving" in index.read_text(), timeout=20, what="re-rendered")


async def test_the_assistant_tab_says_a_run_is_going_on_and_stop_works(ws: Workspace) -> None:
    _slow_assistant(ws)
    add_project(ws, "Expense approvals", assistants=["slow"])
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        pane, _ = await _start_slow_run(pilot, app, ws)
        status = pane.query_one("#session-status", Static)
        await wait_for(pilot, lambda: "working on its own" in str(status.render()), what="running status")
        assert "No session open" not in str(status.render())
        assert pane.query_one("#session-start").disabled and pane.query_one("#assistant-launch").disabled
        await click(pilot, app, "#assistant-stop")
        run_status = pane.query_one("#run-status", Static)
        await wait_for(pilot, lambda: "was stopped" in str(run_status.render()), timeout=20, what="stopped")
        await wait_for(pilot, lambda: "No session open" in str(status.render()), what="status after the run")
        assert not pane.query_one("#session-start").disabled


async def test_every_project_action_is_in_the_palette_and_tabs_have_keys(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        from sandbox.tui.commands import SandboxCommands

        names = [name for name, _, _ in SandboxCommands(app.screen)._commands()]
        for expected in ("Show Overview", "Show Spec", "Show Preview", "Show Assistant", "Save spec",
                         "Go to the problem in the spec", "Start preview", "Stop preview",
                         "Open the preview in the browser", "Start a session", "End the session and rate",
                         "Open the assistant here", "Let the assistant work on its own", "Stop the assistant",
                         "Back to the project list", "Compare prototypes of Expense approvals"):
            assert expected in names, expected
        # Tabs by number, shown in the footer ...
        tabs = app.screen.query_one("#project-tabs")
        app.screen.query_one("#project-tabs Tabs").focus()
        await pilot.press("3")
        await wait_for(pilot, lambda: tabs.active == "preview", what="3 -> preview")
        await pilot.press("2")
        await wait_for(pilot, lambda: tabs.active == "spec", what="2 -> spec")
        editor = await wait_for(pilot, lambda: app.screen.editor, what="editor")
        await wait_for(pilot, lambda: app.focused is editor.text_area, what="editor focused")
        # ... in the editor a digit is text, and ctrl+page down still moves on.
        await pilot.press("4")
        assert tabs.active == "spec"
        await pilot.press("ctrl+pagedown")
        await wait_for(pilot, lambda: tabs.active == "preview", what="ctrl+pagedown")
        await pilot.press("ctrl+pageup", "ctrl+pageup", "ctrl+pageup")
        await wait_for(pilot, lambda: tabs.active == "assistant", what="ctrl+pageup wraps around")
        footer_keys = [b.binding.key_display for b in app.screen.active_bindings.values() if b.binding.show]
        assert "1-4" in footer_keys
    async with make_app(ws).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        names = [name for name, _, _ in SandboxCommands(app.screen)._commands()]
        assert "Create the project" in names and "Leave the form" in names


async def test_help_lists_the_keys_of_the_project_screen(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        from textual.widgets import Markdown

        text = app.screen.query_one("#help-text", Markdown).source
        for key in ("1 2 3 4", "ctrl+page down", "ctrl+s", "F8", "ctrl+q"):
            assert key in text, key


async def test_long_log_lines_fold_instead_of_being_cut_at_80_columns(ws: Workspace) -> None:
    from textual.widgets import Log

    from sandbox.live.loop import loop as live

    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        screen = app.screen
        await show_tab(pilot, app, "preview")
        log = screen.query_one("#live-log", Log)
        await wait_for(pilot, lambda: log.scrollable_content_region.width > 0)
        paths = ("variants/claude-code/index.html", "variants/copilot/index.html")
        screen.feed.push(live.LiveEvent("rendered", 0.0, None, paths,
                                        message="re-rendered: 6 written, 0 removed, 5 unchanged, 0 conflicts"))
        await wait_for(pilot, lambda: any("conflicts" in line for line in log.lines), what="logged")
        width = log.scrollable_content_region.width
        assert all(len(line) <= width for line in log.lines), (width, log.lines)
        assert "0 conflicts" in " ".join(" ".join(log.lines).split())
        assert log.max_scroll_x == 0


def test_the_live_log_says_which_prototype_a_file_belongs_to() -> None:
    from sandbox.live.loop import loop as live
    from sandbox.tui.screens.project import describe_live_event

    line = describe_live_event(live.LiveEvent("rendered", 0.0, None,
                                              ("variants/claude-code/index.html", "variants/copilot/index.html")))
    assert "claude-code/index.html" in line and "copilot/index.html" in line
    line = describe_live_event(live.LiveEvent("batch", 0.0, "copilot", ("variants/copilot/css/app.css",)))
    assert "[copilot]" in line and "css/app.css" in line and "variants/" not in line


async def test_enter_on_a_variant_starts_its_preview_and_the_address_can_be_copied(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws, live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        screen = app.screen
        await wait_for(pilot, lambda: screen.live is not None, what="live watcher")
        await show_tab(pilot, app, "preview")
        table = screen.query_one("#preview-variants", DataTable)
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "claude-code" in screen.urls, timeout=20, what="preview started by enter")
        await wait_for(pilot, lambda: table.get_row("claude-code")[2] == "on")
        await click(pilot, app, "#preview-copy")
        await wait_for(pilot, lambda: app.clipboard == screen.urls["claude-code"], what="address copied")
        from sandbox.tui.commands import SandboxCommands

        assert "Copy the preview address" in [n for n, _, _ in SandboxCommands(screen)._commands()]
        await click(pilot, app, "#preview-stop")
        await wait_for(pilot, lambda: "claude-code" not in screen.urls)


async def test_a_long_idea_in_the_spec_wraps_at_80_columns(ws: Workspace) -> None:
    idea = "People submit receipts from their phone and a manager approves them in one tap, even on the train."
    add_project(ws, "Expense approvals", idea=idea)
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        await pilot.pause()
        area = editor.text_area
        assert any(len(line) > area.scrollable_content_region.width for line in area.text.splitlines())
        # The whole sentence is on screen: wrapped, no sideways scrolling to read the idea.
        assert area.soft_wrap and area.max_scroll_x == 0
        assert area.wrapped_document.height > area.document.line_count
        # F8 still lands on the right line of the file.
        area.load_text(area.text.replace("template: mini", "template: nope"))
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.error is not None, what="error")
        area.cursor_location = (0, 0)
        area.focus()
        await pilot.press("f8")
        assert area.cursor_location[0] == area.text.splitlines().index("template: nope")


async def test_open_and_compare_are_dimmed_while_there_is_nothing(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen" and app.screen.loaded)
        await pilot.pause()

        def enabled(action: str) -> bool:
            return any(b.binding.action == action and b.enabled for b in app.screen.active_bindings.values())

        assert not enabled("open") and not enabled("compare")
        assert enabled("app.new_idea")
        await pilot.press("c")  # a dimmed key does nothing (no "choose a project in the list")
        await pilot.pause()
        assert screen_name(app) == "HomeScreen" and not list(app._notifications)
        add_project(ws, "Expense approvals")
        app.screen.load_projects()
        await wait_for(pilot, lambda: app.screen.summaries, what="projects")
        await wait_for(pilot, lambda: enabled("compare"), what="enabled with a project")
        assert app.screen.active_bindings["enter"].enabled


async def test_title_messages_line_up_with_the_title_box_on_a_wide_terminal(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await pilot.press(*"Expense approvals")
        note = app.screen.query_one("#title-note", Static)
        await wait_for(pilot, lambda: not note.has_class("hidden"))
        await pilot.pause()
        assert note.region.right <= app.screen.query_one("#title", Input).region.right


async def test_enter_in_the_form_moves_to_the_next_field(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_idea(pilot, app)
        await pilot.press(*"Expense approvals", "enter")
        await wait_for(pilot, lambda: app.focused is form.query_one("#idea", TextArea), what="idea box focused")
        await pilot.press("tab", *"Team leads", "enter")
        await wait_for(pilot, lambda: app.focused is form.query_one("#success", Input), what="success box focused")
        assert form.query_one("#title", Input).value == "Expense approvals"
        assert screen_name(app) == "NewIdeaScreen"


async def test_dialogs_show_their_own_keys_not_the_screen_underneath(ws: Workspace) -> None:
    from textual.widgets import Footer

    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        area.load_text(area.text.replace("category: testing", "category: mine"))
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.dirty)
        spec_path = project_dir / "project.yaml"
        spec_path.write_text(spec_path.read_text().replace("category: testing", "category: theirs"))
        await wait_for(pilot, lambda: screen_name(app) == "ConflictDialog", what="conflict dialog")
        dialog = app.screen
        await pilot.pause()
        footer = dialog.query_one(Footer)
        assert footer.region.bottom == app.size.height  # drawn over the editor's footer
        shown = {b.binding.description for b in dialog.active_bindings.values() if b.binding.show}
        assert "Keep my edits" in shown and "Save" not in shown and "Go to error" not in shown
        await pilot.press("escape")  # the safe answer, as the footer says
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert "category: mine" in area.text
        assert len(list(project_dir.glob("project.yaml.theirs-*"))) == 1
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        assert app.screen.query(Footer)


async def test_showing_the_differences_keeps_the_buttons_on_screen_at_80x24(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project_dir = ws.projects_dir / "expense-approvals"
    spec_path = project_dir / "project.yaml"
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        area = editor.text_area
        area.load_text("\n".join(f"# my line {i}" for i in range(30)) + "\n" + area.text)
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.dirty)
        spec_path.write_text(spec_path.read_text().replace("category: testing", "category: theirs"))
        await wait_for(pilot, lambda: screen_name(app) == "ConflictDialog", what="conflict dialog")
        await click(pilot, app, "#conflict-both")
        dialog = app.screen
        await wait_for(pilot, lambda: not dialog.query_one("#conflict-diff").has_class("hidden"))
        await pilot.pause()
        box = dialog.query_one("#conflict-box").region
        assert box.bottom <= app.size.height - 1  # above the footer
        for button in dialog.query("Button"):
            assert box.contains_region(button.region), button.id
        diff = dialog.query_one("#conflict-diff")
        assert diff.region.height >= 5 and diff.max_scroll_y > 0  # the long list scrolls inside
        await click(pilot, app, "#conflict-theirs")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen")
        assert "category: theirs" in area.text


def test_saving_the_spec_keeps_its_permissions(ws: Workspace) -> None:
    """Teammates sharing the folder can still read project.yaml (and the copies kept beside it)
    after it is saved from the app."""
    import os
    import stat

    from sandbox.make import spec_edit

    add_project(ws, "Expense approvals")
    project = ws.project("expense-approvals")
    spec_path = Path(project.spec_path)
    os.chmod(spec_path, 0o644)
    text, _ = spec_edit.read_spec_text(project)
    spec_edit.save_spec_text(ws, project, text.replace("category: testing", "category: shared"))
    assert stat.S_IMODE(os.stat(spec_path).st_mode) == 0o644
    kept = spec_edit.keep_copy(project, "title: mine\n", "mine")
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o644
    os.chmod(spec_path, 0o664)  # a group-writable team folder stays group-writable
    spec_edit.save_spec_text(ws, project, text, force=True)
    assert stat.S_IMODE(os.stat(spec_path).st_mode) == 0o664


async def test_f8_is_dimmed_until_there_is_a_problem_to_jump_to(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    app = make_app(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_project(pilot, app)
        editor = await open_spec(pilot, app)
        await wait_for(pilot, lambda: "No problems" in str(editor.query_one("#spec-error", Static).render()))
        await pilot.pause()
        assert not app.screen.active_bindings["f8"].enabled
        area = editor.text_area
        area.load_text(area.text.replace("template: mini", "template: nope"))
        area.post_message(TextArea.Changed(area))
        await wait_for(pilot, lambda: editor.error is not None, what="error")
        await wait_for(pilot, lambda: app.screen.active_bindings["f8"].enabled, what="f8 enabled")
