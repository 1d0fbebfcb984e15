"""Shared helpers for the TUI tests: a small workspace template, fixed clocks, and a Pilot that
waits for the screen to settle after every interaction.

Why the waiting: a key press or a click that lands while the screen is still laying out (a pane
being mounted, a worker's result being shown) goes to the wrong place on a busy machine. So every
helper here waits for an explicit condition or for the screen to settle (``settle``) - never for a
fixed time - and ``click`` only clicks a widget that is shown, enabled and no longer moving.

The template lives in the test workspace's ``templates/`` folder, so edits to the built-in
templates never change these tests' screens.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable

if TYPE_CHECKING:
    from sandbox.tui.app import SandboxApp
    from sandbox.tui.screens.new_idea import NewIdeaScreen
    from sandbox.tui.screens.project import ProjectScreen
    from sandbox.tui.widgets.spec_editor import SpecEditor
    from sandbox.workspace import Workspace

T = TypeVar("T")
SIZE = (100, 32)
FIXED_NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)

MINI_TEMPLATE = """\
title: Mini page
description: A tiny test page with one question of every kind
category: testing
entry: index.html
questions:
  - name: headline
    type: str
    default: Hello
    min: 1
    max: 40
    help: The headline at the top.
  - name: blurb
    type: text
    default: A short blurb.
    help: A sentence under the headline.
  - name: seats
    type: int
    default: 3
    min: 1
    max: 9
    help: How many seats (1 to 9).
  - name: dark
    type: bool
    default: false
    help: Use a dark background.
  - name: layout
    type: choice
    default: wide
    choices: [wide, narrow]
    help: Page width.
  - name: accent
    type: color
    default: "#336699"
    help: Main colour.
  - name: things
    type: list
    default: [One, Two]
    min: 1
    max: 5
    help: Things to list.
"""

MINI_INDEX = """\
<!doctype html>
<html><head><title>{{ project.title }}</title></head>
<body style="--accent: {{ vars.accent }}">
<h1>{{ vars.headline }}</h1>
<p>{{ vars.blurb }}</p>
<ul>{% for item in vars.things %}<li>{{ item }}</li>{% endfor %}</ul>
</body></html>
"""


def make_workspace(root: Path) -> Path:
    """A workspace with the ``mini`` template (and the built-ins next to it)."""
    files = root / "templates" / "mini" / "files"
    files.mkdir(parents=True)
    (root / "templates" / "mini" / "template.yaml").write_text(MINI_TEMPLATE)
    (files / "index.html.j2").write_text(MINI_INDEX)
    (root / "projects").mkdir()
    return root


def add_project(workspace: Any, title: str, *, at: str = "2026-01-01T09:00:00.000Z", **fields: Any) -> Any:
    """Create a project through the core API with a fixed ledger time (for stable screens)."""
    from sandbox.core import ledger

    original = ledger.utc_now
    ledger.utc_now = lambda: at
    try:
        return workspace.new_project(title, fields.pop("template", "mini"), **fields)
    finally:
        ledger.utc_now = original


async def wait_for(pilot: Pilot[Any], condition: Callable[[], T], timeout: float = 30.0, what: str = "") -> T:
    """Let the app run until ``condition()`` is truthy and return it; fail naming ``what`` after
    ``timeout`` seconds (a guard against a hang, not a speed requirement: keep it generous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


def steady_cursors(app: SandboxApp | Any) -> None:
    """No blinking cursor in a snapshot: a focused box shows its cursor, steadily.

    Why the TextArea needs more than ``cursor_blink = False``: it caches rendered lines under a key
    that leaves the cursor out both in the blink's "off" phase and with blinking off, so a line cached
    during an "off" phase would be drawn without the cursor - or with it, depending on where the
    blink was when this ran (a snapshot that flaked on a busy machine). Its cache is cleared so the
    line is drawn again, the same way every time.
    """
    from textual.widgets import Input, TextArea

    for widget in app.screen.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False
        if isinstance(widget, TextArea):
            widget.notify_style_update()  # clears its line cache
            widget.refresh()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the screen has handled what is queued, its animations are done and it is idle."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press ``keys`` (each is handled before the next is sent), then let the screen settle."""
    await pilot.press(*keys)
    await settle(pilot)


async def click(pilot: Pilot[Any], selector: str, timeout: float = 30.0) -> None:
    """Click a widget of the current screen once it is shown, enabled and its layout has settled
    (its place on screen is the same before and after a settle), then let the screen settle."""
    app = pilot.app

    def ready() -> Widget | None:
        found = app.screen.query(selector)
        widget = found.first() if found else None
        if widget is None or not widget.display or widget.disabled or not widget.region.area:
            return None
        return widget

    deadline = time.monotonic() + timeout
    while True:
        widget = await wait_for(pilot, ready, timeout=timeout, what=f"{selector} shown and enabled")
        assert widget is not None
        before = widget.region
        await settle(pilot)
        if ready() is widget and widget.region == before:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} kept moving")
    assert await pilot.click(selector), f"the click on {selector} did not land on it"
    await settle(pilot)


# --- the app, as the tests drive it -----------------------------------------------------------
def make_app(ws: Workspace, live: bool = False) -> SandboxApp:
    """The app on ``ws`` with a fixed clock and label; ``live`` starts the file watcher.

    Every notification it shows is also kept (``notices``): a toast expires after a few seconds,
    and on a busy machine it can be gone before a test looks at what is on screen.
    """
    from sandbox.tui.app import SandboxApp

    app = SandboxApp(ws, clock=lambda: FIXED_NOW, workspace_label="demo", live=live)
    said: list[str] = []
    show = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        show(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    app.shown_notices = said  # type: ignore[attr-defined]
    return app


def notices(app: Any) -> list[str]:
    """Every notification the app has shown so far, in order, expired ones included (see ``make_app``)."""
    return list(app.shown_notices)


@asynccontextmanager
async def running(ws: Workspace, size: tuple[int, int] = SIZE, *,
                  live: bool = False) -> AsyncIterator[tuple[Pilot[Any], SandboxApp]]:
    """The app on ``ws`` (see ``make_app``) in a terminal of ``size``, its project list loaded."""
    from sandbox.tui.screens.home import HomeScreen

    app = make_app(ws, live=live)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded, what="home")
        await settle(pilot)
        yield pilot, app


@asynccontextmanager
async def new_idea_form(ws: Workspace, size: tuple[int, int] = SIZE) -> AsyncIterator[
    tuple[Pilot[Any], SandboxApp, NewIdeaScreen]
]:
    """The app on the New idea form, opened with n from the project list."""
    async with running(ws, size) as (pilot, app):
        yield pilot, app, await open_new_idea(pilot, app)


async def answer_guess(pilot: Pilot[Any], app: Any, answer: str | None = None) -> None:
    """Answer the blinding check asked after the vote's reason ("Who do you think made A?"):
    ``answer`` is an assistant id or ``unsure``; None skips it with escape, as a person in a hurry would."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", what="who made A? asked")
    await settle(pilot)
    if answer is None:
        await press(pilot, "escape")
    else:
        await click(pilot, f"#choice-{answer}")


def screen_name(app: SandboxApp) -> str:
    return type(app.screen).__name__


def events(path: Path) -> list[dict[str, Any]]:
    """The ledger's events, read the plain way (the tests check what was written)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def open_new_idea(pilot: Pilot[Any], app: SandboxApp) -> NewIdeaScreen:
    """Press n on Home and wait for the New idea form, as a person would."""
    from sandbox.tui.screens.home import HomeScreen
    from sandbox.tui.screens.new_idea import NewIdeaScreen

    await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded, what="home")
    await press(pilot, "n")
    form = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, NewIdeaScreen) else None,
                          what="new idea form")
    assert form is not None
    await settle(pilot)
    return form


async def open_project(pilot: Pilot[Any], app: SandboxApp) -> None:
    """Press enter on the first project of the list and wait for its screen and its overview."""
    await wait_for(pilot, lambda: app.screen.query_one("#projects", DataTable).row_count > 0, what="project rows")
    await press(pilot, "enter")
    await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen", what="project screen")
    table = app.screen.query_one("#overview-variants", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0, what="overview")
    await settle(pilot)


def project_screen(app: SandboxApp) -> ProjectScreen:
    from sandbox.tui.screens.project import ProjectScreen

    screen = app.screen
    assert isinstance(screen, ProjectScreen), screen
    return screen


async def show_tab(pilot: Pilot[Any], app: SandboxApp, tab: str) -> None:
    project_screen(app).show_tab(tab)
    await settle(pilot)


async def start_first_preview(pilot: Pilot[Any], app: SandboxApp) -> str:
    """On an open project (app started with ``live=True``): wait for its watcher, press Start on
    the Preview tab and return the first variant's (claude-code's) address once it is served."""
    screen = project_screen(app)
    await wait_for(pilot, lambda: screen.live is not None, what="live watcher")
    await show_tab(pilot, app, "preview")
    await click(pilot, "#preview-start")
    url = await wait_for(pilot, lambda: screen.urls.get("claude-code"), what="preview url")
    return str(url)


async def open_spec(pilot: Pilot[Any], app: SandboxApp) -> SpecEditor:
    await show_tab(pilot, app, "spec")
    editor = await wait_for(pilot, lambda: project_screen(app).editor, what="spec editor")
    assert editor is not None
    await wait_for(pilot, lambda: editor.text_area.text, what="spec text")
    await settle(pilot)
    return editor
