"""The project screen's fixes from the arena issue, through the Pilot:

- a preview keeps running when the person leaves the project, and comes back on the same address;
- a file a re-render could not update is said in plain words ("Claude Code changed index.html, so
  your latest change to the idea did not reach it") with its actions, and taking the new version
  makes it reach the file;
- the idea is edited in a form with the template's validation, and saving keeps project.yaml as
  written (comments included), changing only the value that changed.
"""

from __future__ import annotations

import urllib.request

from textual.widgets import Input, Static

from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    click,
    open_project,
    press,
    project_screen,
    running,
    screen_name,
    start_first_preview,
    wait_for,
)
from tests.tui.test_compare_screen import visible_text


async def test_a_preview_comes_back_on_the_same_address_when_the_project_is_reopened(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE, live=True) as (pilot, app):
        await open_project(pilot, app)
        screen = project_screen(app)
        url = await start_first_preview(pilot, app)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="the project list")
        live = app.live_projects.running("expense-approvals")
        assert live is not None and live.urls.get("claude-code") == url  # still serving while away
        with urllib.request.urlopen(url, timeout=10) as response:  # the open browser tab keeps working
            assert response.status == 200
        await open_project(pilot, app)
        again = project_screen(app)
        assert again is not screen
        await wait_for(pilot, lambda: again.urls.get("claude-code") == url, what="the same address again")


async def test_a_conflict_is_said_in_plain_words_and_taking_the_new_version_resolves_it(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project = ws.project("expense-approvals")
    index = project.variant_dir("claude-code") / "index.html"
    index.write_text(index.read_text().replace("<h1>", "<h1 class='mine'>"))  # the assistant's edit
    project.spec_path.write_text(project.spec_path.read_text().replace("headline: Hello", "headline: Welcome"))
    assert ws.render("expense-approvals").conflicts == ["claude-code/index.html"]
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        screen = project_screen(app)
        sentence = "Claude Code changed index.html, so your latest change to the idea did not reach it"
        await wait_for(pilot, lambda: sentence in " ".join(visible_text(app).split()), what="the conflict said")
        for label in ("See the difference", "Take the new version", "Keep Claude Code's"):
            assert label in visible_text(app)
        await click(pilot, "#diff-0")
        await wait_for(pilot, lambda: screen_name(app) == "DifferenceDialog", what="the difference")
        assert "Welcome" in visible_text(app)
        await click(pilot, "#difference-take")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the project")
        await wait_for(pilot, lambda: not (index.parent / "index.html.sandbox-new").exists(), what="resolved")
        await wait_for(pilot, lambda: sentence not in " ".join(visible_text(app).split()), what="the box gone")
    assert "Welcome" in index.read_text()


async def test_the_idea_form_validates_like_the_template_and_keeps_the_yaml_as_written(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    project = ws.project("expense-approvals")
    spec = project.spec_path
    spec.write_text("# Our idea, kept by hand\n" + spec.read_text())
    before = spec.read_text()
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        await press(pilot, "alt+2")
        form = project_screen(app).idea_form
        assert form is not None
        title = form.query_one("#idea-title", Input)
        await wait_for(pilot, lambda: app.focused is title and title.value == "Expense approvals", what="the form")
        seats = form.query_one("#answer-seats", Input)
        seats.value = "12"  # the template allows 1 to 9
        await press(pilot, "ctrl+s")
        problem = form.query_one("#idea-error", Static)
        await wait_for(pilot, lambda: "need a fix" in str(problem.render()), what="the template's validation")
        assert app.focused is seats  # sent to the answer to fix
        [field] = [f for f in form.fields() if f.question.name == "seats"]
        assert field.error is not None and "9" in str(field.error)
        assert spec.read_text() == before  # nothing saved
        seats.value = "4"
        title.value = "Expense approvals v2"
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: spec.read_text() != before, what="saved")
    after = spec.read_text()
    assert after.startswith("# Our idea, kept by hand\n")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 2 and "Expense approvals v2" in changed[0][1] and "4" in changed[1][1]
