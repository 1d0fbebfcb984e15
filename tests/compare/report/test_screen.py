"""The Report screen: the same tables as ``sandbox report``, terminal charts, names shown as text."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sandbox.workspace import Workspace
from tests.compare.report.conftest import vote

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen


async def test_report_screen_shows_tables_and_charts(filled: Workspace) -> None:
    from textual.app import App
    from textual.widgets import DataTable, Select, Static

    from sandbox.tui.screens.report import ReportScreen, bar_line

    screen = ReportScreen(filled)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    app = Host()
    async with app.run_test(size=(150, 60)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while screen.data is None or not screen.query(DataTable):
            assert loop.time() < deadline, "report not shown"
            await pilot.pause(0.02)
        charts = str(screen.query_one("#charts", Static).content)
        assert "Blind-vote win rate" in charts and "Bradley-Terry" in charts and "█" in charts
        titles = [str(label.content) for label in screen.query(".table-title").results(Static)]
        assert "Head to head" in titles and "Work per assistant" in titles
        select = screen.query_one("#group", Select)
        select.value = "category:finance"
        while screen.group != "category:finance" or "Bradley-Terry" in str(screen.query_one("#charts", Static).content):
            assert loop.time() < deadline + 30
            await pilot.pause(0.02)
        rows = [table.get_row_at(i) for table in screen.query(DataTable) for i in range(table.row_count)]
        assert not any("Codex" in str(row) for row in rows)  # codex only worked on the support project
        await pilot.press("h")
        target = filled.root / "report.html"
        while not target.exists():
            assert loop.time() < deadline + 60
            await pilot.pause(0.02)
        assert "<svg" in target.read_text()
    line = bar_line("X", 0.7, 0.48, 0.85, lo=0, hi=1, color="red", percent=True, width=21).plain
    assert line == "X" + " " * 18 + "█" * 10 + "▓" * 5 + "──" + "┤" + "···" + " 70% [48%-85%]"


async def test_report_screen_shows_notes_first_and_names_as_text(ws: Workspace) -> None:
    """Assistant ids unknown to the registry are shown as-is: "[b]" in one must not turn into markup."""
    from textual.app import App
    from textual.widgets import Static

    from sandbox.tui.screens.report import ReportScreen

    slug = ws.new_project("Odd", "mini", assistants=["claude-code", "copilot"]).slug
    vote(ws, slug, "beta[b]", "copilot", "A")
    screen = ReportScreen(ws)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with Host().run_test(size=(150, 50)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while screen.data is None:
            assert loop.time() < deadline, "report not shown"
            await pilot.pause(0.02)
        await pilot.pause()
        notes = screen.query_one("#notes", Static)
        assert "beta[b] vs GitHub Copilot: beta[b] won 1 of 1" in str(notes.render())
        order = [child.id for child in screen.query_one("#report-body").children]
        assert order.index("notes") < order.index("charts")
        while not screen.query(".table-title"):
            assert loop.time() < deadline, "tables not shown"
            await pilot.pause(0.02)
        shown = [str(label.render()) for label in screen.query(".table-title")]
        assert "Ratings, mean 1-5 [95% interval]" in shown  # the bracket part was eaten as markup


async def test_the_report_screen_opens_an_organisation_source(filled: Workspace, tmp_path: object) -> None:
    """``o`` then a folder of exports: the screen shows the organisation's report, with its privacy
    note; an empty source goes back to the workspace."""
    from pathlib import Path

    from textual.widgets import Input, Static

    from sandbox.compare.export import ExportOptions, export
    from sandbox.compare.report.sources import workspace_source
    from sandbox.tui.screens.report import ReportScreen

    exports = Path(str(tmp_path)) / "exports"
    export([workspace_source(filled.root)], exports / "team-a", ExportOptions())
    screen = ReportScreen(filled)
    async with hosting(screen).run_test(size=(150, 60)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60

        async def until(condition: object, what: str) -> None:
            while not condition():  # type: ignore[operator]  # a zero-argument check
                assert loop.time() < deadline, what
                await pilot.pause(0.02)

        summary = screen.query_one("#summary", Static)
        await until(lambda: screen.data is not None and "2 projects" in str(summary.content), "workspace report")
        assert "From" not in str(summary.content)
        await pilot.press("o")
        await until(lambda: screen.focused is screen.query_one("#source", Input), "source focused")
        screen.query_one("#source", Input).value = str(exports)
        await pilot.press("enter")
        await until(lambda: "From " in str(summary.content) and "2 projects" in str(summary.content), "org report")
        assert "fewer than 5 raters" in str(summary.content)  # two categories, each with too few raters
        assert screen.data is not None and screen.data["inputs"]["sources"][0]["kind"] == "export"
        screen.query_one("#source", Input).value = ""
        await pilot.press("enter")
        await until(lambda: "From" not in str(summary.content) and screen.data is not None
                    and "privacy" not in screen.data, "back to the workspace")


def hosting(screen: Screen[None]) -> App[None]:
    """An app that shows only ``screen``."""
    from textual.app import App

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    return Host()
