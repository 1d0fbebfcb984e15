"""The New idea form: typed answers checked as you type, one prototype per chosen assistant."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static, TextArea

from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    click,
    events,
    new_idea_form,
    open_project,
    press,
    running,
    screen_name,
    settle,
    show_tab,
    wait_for,
)


async def test_create_an_idea_through_the_form(ws: Workspace) -> None:
    async with new_idea_form(ws, SIZE) as (pilot, app, form):
        # Choose the small test template.
        from textual.widgets import OptionList

        options = form.query_one("#templates", OptionList)
        index = next(i for i, t in enumerate(form.templates) if t.name == "mini")
        options.highlighted = index
        await wait_for(pilot, lambda: form.chosen is not None and form.chosen.name == "mini")
        await wait_for(pilot, lambda: form.query("#answer-accent"), what="mini questions")
        # Create without a title: the error shows in place and nothing is written.
        await press(pilot, "ctrl+s")
        assert "short name" in str(form.query_one("#title-error", Static).render())
        assert not list((ws.projects_dir).iterdir())
        # Fill in the form.
        form.query_one("#title", Input).focus()
        await press(pilot, *"Expense approvals")
        form.query_one("#idea", TextArea).insert("Approve expenses from your phone.")
        # A bad colour is refused as you type, with the template's own words ...
        accent = form.query_one("#answer-accent", Input)
        accent.value = "blue"
        await wait_for(pilot, lambda: "colour" in str(form.query_one("#q-accent .field-error", Static).render()))
        assert form.query_one("#q-accent").has_class("invalid")
        await press(pilot, "ctrl+s")
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
        await settle(pilot)
        await press(pilot, "ctrl+s")
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
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count == 1)


async def test_create_error_keeps_the_input(ws: Workspace) -> None:
    add_project(ws, "Taken", slug="taken")
    async with new_idea_form(ws, SIZE) as (pilot, app, form):
        form.query_one("#title", Input).value = "!!!"  # no letters to name a folder after
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: "no letters or digits" in str(form.query_one("#form-error", Static).render()))
        assert screen_name(app) == "NewIdeaScreen"
        assert form.query_one("#title", Input).value == "!!!"
        assert not form.query_one("#create").disabled


async def test_switching_templates_and_back_keeps_what_was_typed(ws: Workspace) -> None:
    async with new_idea_form(ws, SIZE) as (pilot, _app, form):
        assert form.chosen.name == "landing-page", "a newcomer starts on the landing page"
        mini = next(t for t in form.templates if t.name == "mini")
        await form.choose_template(mini)
        await settle(pilot)
        things = form.query_one("#answer-things", TextArea)
        things.load_text("Alpha\nBeta\nGamma")
        await form.choose_template(next(t for t in form.templates if t.name == "landing-page"))
        await settle(pilot)
        await form.choose_template(mini)
        await settle(pilot)
        field = next(f for f in form.fields() if f.question.name == "things")
        assert field.validate() == ["Alpha", "Beta", "Gamma"]


async def test_a_broken_sandbox_yaml_is_explained_not_fatal(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    (ws.root / "sandbox.yaml").write_text("assistants: [oops\n")
    ws.reload()
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        await show_tab(pilot, app, "assistant")
        await wait_for(pilot, lambda: app.screen.query("#assistant-pane"))
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await wait_for(pilot, lambda: app.screen.query("#assistants-error"))
        assert "sandbox.yaml" in str(app.screen.query_one("#assistants-error", Static).render())


async def test_leaving_a_filled_in_form_asks_first(ws: Workspace) -> None:
    async with running(ws, SIZE) as (pilot, app):
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await press(pilot, "escape")  # empty form: just goes back
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await press(pilot, *"Half an idea")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        assert app.screen.query_one("#title", Input).value == "Half an idea"
        app.screen.query_one("#templates").focus()
        await press(pilot, "q")  # q outside a text box quits, but asks first
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog")
        await click(pilot, "#choice-stay")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")


async def test_a_title_without_letters_is_explained_under_it_and_clears_when_fixed(ws: Workspace) -> None:
    async with new_idea_form(ws, SIZE) as (pilot, app, form):
        await press(pilot, *"!!!")
        title_error = form.query_one("#title-error", Static)
        # Said as you type, under the title, in plain words (no command-line options).
        await wait_for(pilot, lambda: "no letters or digits" in str(title_error.render()), what="title problem")
        assert "--slug" not in str(title_error.render())
        await press(pilot, "ctrl+s")
        form_error = form.query_one("#form-error", Static)
        await wait_for(pilot, lambda: "no letters or digits" in str(form_error.render()))
        assert "--slug" not in str(form_error.render())
        assert app.focused is form.query_one("#title", Input)
        assert not list(ws.projects_dir.iterdir())
        # Fixing the title clears both messages: no stale error at the bottom of the form.
        await press(pilot, "ctrl+u", *"Expense approvals")
        await wait_for(pilot, lambda: not str(form_error.render()).strip(), what="form error cleared")
        assert title_error.has_class("hidden")


async def test_an_existing_title_gets_a_friendly_note_not_an_error(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with new_idea_form(ws, SIZE) as (pilot, _app, form):
        await press(pilot, *"Expense approvals")
        note = form.query_one("#title-note", Static)
        await wait_for(pilot, lambda: "already have an idea called" in str(note.render()), what="note")
        assert "expense-approvals-2" in str(note.render())
        assert form.query_one("#title-error", Static).has_class("hidden")
        await press(pilot, "!")  # still the same folder name: the note stays
        await press(pilot, "backspace", "backspace")
        await wait_for(pilot, lambda: note.has_class("hidden"), what="note gone for a new title")


async def test_title_messages_line_up_with_the_title_box_on_a_wide_terminal(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, (160, 50)) as (pilot, app):
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen_name(app) == "NewIdeaScreen")
        await press(pilot, *"Expense approvals")
        note = app.screen.query_one("#title-note", Static)
        await wait_for(pilot, lambda: not note.has_class("hidden"))
        await settle(pilot)
        assert note.region.right <= app.screen.query_one("#title", Input).region.right


async def test_enter_in_the_form_moves_to_the_next_field(ws: Workspace) -> None:
    async with new_idea_form(ws, (80, 24)) as (pilot, app, form):
        await press(pilot, *"Expense approvals", "enter")
        await wait_for(pilot, lambda: app.focused is form.query_one("#idea", TextArea), what="idea box focused")
        await press(pilot, "tab", *"Team leads", "enter")
        await wait_for(pilot, lambda: app.focused is form.query_one("#success", Input), what="success box focused")
        assert form.query_one("#title", Input).value == "Expense approvals"
        assert screen_name(app) == "NewIdeaScreen"
