"""A project's Preview tab: live previews per variant, their addresses, and the log of what the
watcher did, which stays responsive and bounded in an event storm."""

from __future__ import annotations

import threading
import time

from textual.widgets import DataTable, Log

from sandbox.live.loop import LiveEvent
from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    click,
    open_project,
    press,
    running,
    screen_name,
    settle,
    show_tab,
    start_first_preview,
    wait_for,
)


async def test_live_preview_starts_and_logs(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE, live=True) as (pilot, app):
        await open_project(pilot, app)
        screen = app.screen
        url = await start_first_preview(pilot, app)
        assert url == screen.urls["claude-code"] and url.startswith("http://127.0.0.1:")
        table = screen.query_one("#preview-variants", DataTable)
        await wait_for(pilot, lambda: table.get_row("claude-code")[2] == "on")
        # A file change in the variant shows in the log (the watcher thread -> Feed -> message).
        (ws.projects_dir / "expense-approvals" / "variants" / "claude-code" / "index.html").write_text("<p>new</p>")
        log = screen.query_one("#live-log", Log)
        await wait_for(pilot, lambda: any("index.html" in line for line in log.lines), what="batch in the log")
        await click(pilot, "#preview-stop")
        await wait_for(pilot, lambda: "claude-code" not in screen.urls)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")


async def test_an_event_storm_does_not_freeze_the_ui(ws: Workspace) -> None:
    """20,000 watcher events from another thread while a person presses keys: every key is answered,
    in order, without waiting behind the storm; the events arrive in far fewer messages than events,
    the last one is shown, and the log stays bounded.

    Counted, not timed (a time limit fails whenever the machine is busy): a key pressed during the
    storm is answered after at most a few batches of events were shown, however fast or slow the
    machine. If each event were a message of its own, a key would wait behind thousands of them.
    """
    total, every = 20_000, 1_000  # a key press after every thousand events
    add_project(ws, "Expense approvals")
    async with running(ws, SIZE) as (pilot, app):
        await open_project(pilot, app)
        screen = app.screen
        await show_tab(pilot, app, "preview")
        table = screen.query_one("#preview-variants", DataTable)
        table.focus()
        await settle(pilot)
        assert table.row_count == 2 and table.cursor_row == 0
        feed = screen.feed
        sent: list[int] = []  # batches shown when each key was pressed ...
        answered: list[tuple[int, int]] = []  # ... and (cursor row, batches shown) when it was answered
        screen.watch(table, "cursor_coordinate", lambda cell: answered.append((cell.row, feed.drains)), init=False)

        def storm() -> None:
            for i in range(total):
                feed.push(LiveEvent("batch", time.time(), "claude-code", (f"variants/claude-code/f{i}.css",)))
                if i % every == every - 1:
                    sent.append(feed.drains)
                    app.simulate_key("down" if len(sent) % 2 else "up")  # as a person would, from the keyboard

        thread = threading.Thread(target=storm, name="event-storm")
        thread.start()
        await wait_for(pilot, lambda: not thread.is_alive(), timeout=120, what="the storm to end")
        log = screen.query_one("#live-log", Log)
        await wait_for(pilot, lambda: any("f19999.css" in line for line in log.lines), what="last event shown")
        await wait_for(pilot, lambda: len(answered) == len(sent), what="every key answered")
    assert [row for row, _ in answered] == [1, 0] * (total // every // 2)  # each key answered, in order
    waits = [shown - before for (_, shown), before in zip(answered, sent, strict=True)]
    # coalesced, a key waits behind one batch or a few; one message per event would make it a thousand
    assert max(waits) < every // 20, f"keys waited behind this many batches of events: {waits}"
    assert feed.pushed == total and feed.posted <= total // 20, (feed.pushed, feed.posted)
    assert len(log.lines) <= 1001


async def test_long_log_lines_fold_instead_of_being_cut_at_80_columns(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, (80, 24)) as (pilot, app):
        await open_project(pilot, app)
        screen = app.screen
        await show_tab(pilot, app, "preview")
        log = screen.query_one("#live-log", Log)
        await wait_for(pilot, lambda: log.scrollable_content_region.width > 0)
        paths = ("variants/claude-code/index.html", "variants/copilot/index.html")
        screen.feed.push(LiveEvent("rendered", 0.0, None, paths,
                                        message="re-rendered: 6 written, 0 removed, 5 unchanged, 0 conflicts"))
        await wait_for(pilot, lambda: any("conflicts" in line for line in log.lines), what="logged")
        width = log.scrollable_content_region.width
        assert all(len(line) <= width for line in log.lines), (width, log.lines)
        assert "0 conflicts" in " ".join(" ".join(log.lines).split())
        assert log.max_scroll_x == 0


def test_the_live_log_says_which_prototype_a_file_belongs_to() -> None:
    from sandbox.tui.screens.project import describe_live_event

    line = describe_live_event(LiveEvent("rendered", 0.0, None,
                                              ("variants/claude-code/index.html", "variants/copilot/index.html")))
    assert "claude-code/index.html" in line and "copilot/index.html" in line
    line = describe_live_event(LiveEvent("batch", 0.0, "copilot", ("variants/copilot/css/app.css",)))
    assert "[copilot]" in line and "css/app.css" in line and "variants/" not in line


async def test_enter_on_a_variant_starts_its_preview_and_the_address_can_be_copied(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    async with running(ws, (80, 24), live=True) as (pilot, app):
        await open_project(pilot, app)
        screen = app.screen
        await wait_for(pilot, lambda: screen.live is not None, what="live watcher")
        await show_tab(pilot, app, "preview")
        table = screen.query_one("#preview-variants", DataTable)
        table.focus()
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "claude-code" in screen.urls, timeout=20, what="preview started by enter")
        await wait_for(pilot, lambda: table.get_row("claude-code")[2] == "on")
        await click(pilot, "#preview-copy")
        await wait_for(pilot, lambda: app.clipboard == screen.urls["claude-code"], what="address copied")
        from sandbox.tui.commands import SandboxCommands

        assert "Copy the preview address" in [n for n, _, _ in SandboxCommands(screen)._commands()]
        await click(pilot, "#preview-stop")
        await wait_for(pilot, lambda: "claude-code" not in screen.urls)
