"""The blind Compare screen (Pilot): no assistant name on screen before the vote, revealed after.

The screen is hosted alone in a tiny app (it must stand alone); ``c`` on Home opens it in the real one.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Button, DataTable, Input, Static

from sandbox.core import ledger
from sandbox.tui.screens.compare import CompareScreen
from sandbox.workspace import Workspace
from tests.support.tui import (
    SIZE,
    add_project,
    answer_guess,
    click,
    press,
    running,
    screen_name,
    settle,
    wait_for,
)
from tests.support.work import give_work

NAMES = ("claude-code", "Claude Code", "claude", "copilot", "Copilot", "codex", "Codex", "OpenAI")


class CompareApp(App[None]):
    """A tiny host app: the real shell is built elsewhere; the screen must stand alone."""

    def __init__(self, screen: CompareScreen) -> None:
        super().__init__()
        self._compare = screen

    def on_mount(self) -> None:
        self.push_screen(self._compare)


def visible_text(app: App[Any]) -> str:
    """Everything the terminal shows, from the SVG screenshot, as plain text."""
    svg = app.export_screenshot()
    texts = re.findall(r">([^<>]*)</text>", svg)
    return unescape(" ".join(texts)).replace("\xa0", " ")


def widget_text(screen: CompareScreen) -> str:
    """Text held by every widget of the screen, shown or scrolled away."""
    parts = []
    for widget in screen.walk_children():
        for attribute in ("renderable", "label", "value", "placeholder", "tooltip"):
            value = getattr(widget, attribute, None)
            if value is not None:
                parts.append(str(value))
        parts.append(str(getattr(widget, "content", "")))
    return " ".join(parts)


async def pair_shown(pilot: Any, screen: CompareScreen) -> None:
    """Wait until a pair can be voted on: shown whole (the rubric too) and settled."""
    await wait_for(pilot, lambda: screen.comparison is not None and screen.revealed is None, what="a pair")
    await wait_for(pilot, lambda: not screen.query_one("#vote-A", Button).disabled, what="votes on")
    await settle(pilot)


@pytest.fixture
def project(ws: Workspace) -> str:
    created = ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot"])
    for variant in ("claude-code", "copilot"):
        give_work(ws, created.slug, variant)  # an untouched pair is refused (issue 11)
    return created.slug


@pytest.mark.parametrize("serve", [True, False])
async def test_blind_until_vote_then_revealed(ws: Workspace, project: str, serve: bool) -> None:
    screen = CompareScreen(ws, project, serve=serve)
    opened: list[str] = []
    screen.opener = opened.append
    app = CompareApp(screen)
    async with app.run_test(size=(140, 60)) as pilot:
        await pair_shown(pilot, screen)
        shown = visible_text(app)
        held = widget_text(screen)
        assert "Prototype A" in shown and "Prototype B" in shown
        assert "Prototype A" in held and screen.urls["B"] in held and "Works without errors" in held  # not vacuous
        assert "A is better" in shown
        for name in NAMES:
            assert name not in shown, f"{name!r} visible before the vote"
            assert name not in held, f"{name!r} held by a widget before the vote"
        assert str(screen.title) == "Blind comparison" and not any(n in str(screen.sub_title) for n in NAMES)
        if serve:
            assert all(url.startswith("http://127.0.0.1:") for url in screen.urls.values())
        else:
            assert all("/compare/" in url and url.startswith("file://") for url in screen.urls.values())

        await press(pilot, "1")
        assert opened == [screen.urls["A"]]

        # score A on one criterion, then vote A
        score = screen.query_one("#score-a-works", Input)
        score.focus()
        await press(pilot, "9", "4")  # 9 is refused: scores are 1-5
        assert score.value == "4"
        await click(pilot, "#vote-A")
        assert screen.revealed is None and screen.focused is screen.query_one("#reason")  # why? first
        await press(pilot, *"clearer")
        await press(pilot, "enter")
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
        await settle(pilot)
        shown = visible_text(app)
        assert screen.comparison is not None
        a, b = screen.comparison.a_assistant, screen.comparison.b_assistant
        names = {"claude-code": "Claude Code", "copilot": "GitHub Copilot"}
        assert f"A was {names[a]}" in shown and f"B was {names[b]}" in shown
        assert screen.query_one("#vote-B", Button).disabled
    events = ledger.read(ws.project(project).ledger_path).events
    votes = [e for e in events if e["kind"] == "vote"]
    assert len(votes) == 1 and votes[0]["winner"] == "A" and votes[0]["winner_assistant"] == a
    assert votes[0]["reason"] == "clearer"
    ratings = [e for e in events if e["kind"] == "rating"]
    assert [(r["variant"], r["scores"]) for r in ratings] == [(a, {"works": 4})]
    assert screen.servers == []  # previews stopped with the screen


async def test_next_pair_and_missing_project(ws: Workspace, project: str) -> None:
    screen = CompareScreen(ws, project, serve=False)
    app = CompareApp(screen)
    async with app.run_test(size=(120, 50)) as pilot:
        await pair_shown(pilot, screen)
        assert screen.comparison is not None
        first = screen.comparison.id
        await click(pilot, "#vote-tie")
        await press(pilot, "enter")  # no reason: Enter in the Why? box records the vote as it is
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
        await settle(pilot)
        assert "called it a tie" in str(screen.query_one("#banner", Static).content)
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen.comparison is not None and screen.comparison.id != first
                       and screen.revealed is None, what="the next pair")
        await settle(pilot)
        assert not screen.query_one("#vote-A", Button).disabled

    bad = CompareScreen(ws, "no-such-project", serve=False)
    app = CompareApp(bad)
    async with app.run_test(size=(120, 40)) as pilot:
        intro = bad.query_one("#banner", Static)
        await wait_for(pilot, lambda: "Cannot compare" in str(intro.content), what="the problem")
        await settle(pilot)
        assert "no project 'no-such-project'" in visible_text(app)
        assert bad.comparison is None


async def test_a_vote_that_cannot_be_saved_can_be_cast_again(ws: Workspace, project: str) -> None:
    """A rubric broken in sandbox.yaml mid-comparison: nothing half-saved, the buttons come back."""
    screen = CompareScreen(ws, project, serve=False)
    app = CompareApp(screen)
    async with app.run_test(size=(120, 50)) as pilot:
        await pair_shown(pilot, screen)
        screen.query_one("#score-a-works", Input).value = "4"
        screen.query_one("#score-b-works", Input).value = "2"
        screen.query_one("#reason", Input).value = "A works"  # a reason given: the vote is cast at once
        (ws.root / "sandbox.yaml").write_text("rubric: []\n")
        ws.reload()
        await click(pilot, "#vote-A")
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: "Vote not saved" in str(screen.query_one("#vote-note", Static).content),
                       what="vote refused")
        await settle(pilot)
        assert not screen.query_one("#vote-A", Button).disabled and screen.revealed is None
        events = ledger.read(ws.project(project).ledger_path).events
        assert [e for e in events if e["kind"] in ("rating", "vote")] == []  # nothing half-saved
        (ws.root / "sandbox.yaml").unlink()
        ws.reload()
        await click(pilot, "#vote-A")
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
    events = ledger.read(ws.project(project).ledger_path).events
    assert len([e for e in events if e["kind"] == "vote"]) == 1
    assert sorted(e["scores"]["works"] for e in events if e["kind"] == "rating") == [2, 4]  # each side once
    vote = next(e for e in events if e["kind"] == "vote")
    # scored before the reveal: the ratings say so (comparison and side), for whoever audits them later
    assert sorted((e["side"], e["comparison"]) for e in events if e["kind"] == "rating") == [
        ("A", vote["comparison"]), ("B", vote["comparison"]),
    ]


async def test_c_on_home_compares_the_selected_project(ws: Workspace) -> None:
    add_project(ws, "Expense approvals")
    for variant in ws.project("expense-approvals").variant_ids():
        give_work(ws, "expense-approvals", variant)
    async with running(ws, SIZE) as (pilot, app):
        assert app.screen.query_one("#projects", DataTable).row_count == 1
        await press(pilot, "c")
        await wait_for(pilot, lambda: screen_name(app) == "CompareScreen", what="compare screen")
        assert isinstance(app.screen, CompareScreen) and app.screen.slug == "expense-approvals"
        await pair_shown(pilot, app.screen)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen")
