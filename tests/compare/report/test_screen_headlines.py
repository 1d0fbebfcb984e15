"""The app's report screen starts in plain words too: the headlines above the findings and charts."""

from __future__ import annotations

import asyncio

from sandbox.workspace import Workspace
from tests.compare.report.conftest import host
from tests.compare.report.test_headlines import arena


async def test_report_screen_shows_the_headlines_first_and_per_category(ws: Workspace) -> None:
    from textual.widgets import Select, Static

    from sandbox.tui.screens.report import ReportScreen

    screen = ReportScreen(arena(ws))
    async with host(screen).run_test(size=(120, 50)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        shown = screen.query_one("#headlines", Static)
        while "In plain words" not in str(shown.render()):
            assert loop.time() < deadline, "headlines not shown"
            await pilot.pause(0.02)
        text = " ".join(str(shown.render()).split())
        assert "Claude Code was preferred to GitHub Copilot in 7 of 10 blind comparisons of finance" in text
        assert "GitHub Copilot was preferred to OpenAI Codex" in text
        order = [child.id for child in screen.query_one("#report-body").children]
        assert order.index("headlines") < order.index("notes") < order.index("charts")
        while not screen.query(".table-title"):
            assert loop.time() < deadline, "tables not shown"
            await pilot.pause(0.02)
        titles = [str(label.render()) for label in screen.query(".table-title")]
        assert titles.index("Blind votes that count") < titles.index("Head to head")
        screen.query_one("#group", Select).value = "category:support"
        while screen.group != "category:support" or "finance" in str(shown.render()):
            assert loop.time() < deadline, "the category's headlines not shown"
            await pilot.pause(0.02)
        text = " ".join(str(shown.render()).split())
        assert "GitHub Copilot was preferred to OpenAI Codex in 10 of 10 blind comparisons of support" in text
