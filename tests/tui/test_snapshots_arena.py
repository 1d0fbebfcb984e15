"""Snapshots of the arena's screens, Build and Compare (before and after the vote), at 80x24 and 160x50.

Stable by construction, as ``test_snapshots.py``: only the test's ``mini`` template and the two
default assistants, a fixed A/B order (a seeded draw), fixed preview addresses, a fixed clock for
the elapsed time, and the Build view shown with given run results instead of real runs (the runs
themselves are ``test_arena.py``'s). After the vote at 80x24, the reveal must be on screen without
scrolling: the snapshot shows it.
Update with ``pytest tests/tui/test_snapshots_arena.py --snapshot-update``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button

from sandbox.compare import arena
from sandbox.compare.blind import Comparison
from sandbox.tui.screens import compare as compare_module
from sandbox.tui.screens.build import BuildScreen, Progress
from sandbox.tui.screens.compare import CompareScreen
from sandbox.workspace import Workspace
from tests.support.tui import answer_guess, settle, steady_cursors, wait_for
from tests.support.work import give_work
from tests.tui.test_snapshots import home_loaded, make_app
from tests.tui.test_snapshots import ws as ws

SIZES = [(80, 24), (160, 50)]
FIXED_URLS = {"A": "http://127.0.0.1:50001/index.html", "B": "http://127.0.0.1:50002/index.html"}


class FixedAddresses(CompareScreen):
    """The Compare screen with its previews at fixed addresses (no servers, so nothing to stop)."""

    CSS_PATH = str(Path(compare_module.__file__).with_name("compare.tcss"))  # relative paths follow the module

    def _previews(self, comparison: Comparison) -> tuple[dict[str, str], list[Any]]:
        return dict(FIXED_URLS), []


def ordered_pair(ws: Workspace) -> tuple[str, Comparison]:
    created = ws.new_project("Expense approvals", "mini", idea="Approve expenses from your phone.")
    for variant in created.variants:
        give_work(ws, created.slug, variant)  # an untouched pair is refused (issue 11)
    return created.slug, arena.record_build_order(ws, created.slug, created.variants, rng=random.Random(7))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x50"])
def test_build_view(ws: Workspace, snap_compare, size: tuple[int, int]) -> None:
    slug, comparison = ordered_pair(ws)

    async def run_before(pilot: Any) -> None:
        await home_loaded(pilot)
        app = pilot.app
        screen = BuildScreen(ws, slug, [comparison.a, comparison.b], comparison, start=False)
        screen.monotonic = lambda: 1000.0
        app.push_screen(screen)
        await wait_for(pilot, lambda: app.screen is screen and len(screen.panes()) == 2, what="build view")
        a, b = screen.pane(comparison.a), screen.pane(comparison.b)
        a.start(1000.0 - 83)  # working for 1:23
        screen.show_progress(comparison.a, Progress({"index.html", "app.js"}, 42, 3))
        a.output(["Reading the brief", "Editing index.html", "Adding the approval list"])
        b.start(1000.0 - 100)
        b.output(["Reading the brief", "Done: the prototype is ready."])
        screen.finish(comparison.b, {"seconds": 95.0, "exit_code": 0, "files_changed": ["index.html"],
                                     "files_added": ["style.css"], "lines_added": 120, "lines_removed": 8,
                                     "result": {"num_turns": 7}}, None)
        await settle(pilot)

    assert snap_compare(make_app(ws), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x50"])
@pytest.mark.parametrize("voted", [False, True], ids=["before-vote", "after-vote"])
def test_compare_view(ws: Workspace, snap_compare, size: tuple[int, int], voted: bool) -> None:
    slug, comparison = ordered_pair(ws)

    async def run_before(pilot: Any) -> None:
        await home_loaded(pilot)
        app = pilot.app
        screen = FixedAddresses(ws, slug, comparison=comparison)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.comparison is not None
                       and not screen.query_one("#vote-A", Button).disabled, what="the pair")
        await settle(pilot)
        if voted:
            await pilot.press("b")  # the reason is asked first: type only once it has the focus
            await wait_for(pilot, lambda: app.focused is screen.query_one("#reason"), what="the reason box")
            await pilot.press(*"Clearer list", "enter")
            await answer_guess(pilot, app)
            await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
        await settle(pilot)
        steady_cursors(app)
        app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app(ws), terminal_size=size, run_before=run_before)
