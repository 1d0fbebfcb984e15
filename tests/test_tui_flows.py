"""The flows a person walks through in the app, driven with Textual's Pilot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from sandbox.tui.app import SandboxApp
from sandbox.workspace import Workspace
from tests.tui_support import FIXED_NOW, add_project, make_workspace, wait_for

SIZE = (100, 32)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(make_workspace(tmp_path / "ws"))


def make_app(ws: Workspace, live: bool = False) -> SandboxApp:
    return SandboxApp(ws, clock=lambda: FIXED_NOW, workspace_label="demo", live=live)


def screen_name(app: SandboxApp) -> str:
    return type(app.screen).__name__


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
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        form = app.screen
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
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        form = app.screen
        form.query_one("#title", Input).value = "!!!"  # no letters to name a folder after
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "no letters or digits" in str(form.query_one("#form-error", Static).render()))
        assert screen_name(app) == "NewIdeaScreen"
        assert form.query_one("#title", Input).value == "!!!"
        assert not form.query_one("#create").disabled


async def test_switching_templates_and_back_keeps_what_was_typed(ws: Workspace) -> None:
    app = make_app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        form = app.screen
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
            import sandbox.feedback  # noqa: F401
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

    from sandbox import live
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


# --- the core helper behind the Spec tab (sandbox.spec_edit) ----------------------------------
def test_spec_edit_checks_saves_and_keeps_copies(ws: Workspace) -> None:
    from sandbox import spec_edit
    from sandbox.errors import SpecError

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
