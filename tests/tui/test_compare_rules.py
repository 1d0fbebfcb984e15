"""The comparison rules and the blinding check in the TUI (issues 11 and 13): a pair with nothing to
compare is refused before the Compare screen stays open, a one-sided pair is compared with a warning
that names no side, a vote refused because a side changed offers a new comparison, and "Who do you
think made A?" is asked after the vote's reason and before the reveal."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Static

from sandbox.compare import blind
from sandbox.tui.screens.compare import CompareScreen
from sandbox.workspace import Workspace
from tests.support.tui import SIZE, answer_guess, events, notices, press, running, screen_name, settle, wait_for
from tests.support.work import give_work


def notes(app: Any) -> list[str]:
    return notices(app)


def worked_pair(ws: Workspace, title: str) -> str:
    """A project whose two variants both carry assistant work (a pair worth a vote)."""
    created = ws.new_project(title, "mini", assistants=["claude-code", "copilot"])
    for variant in created.variants:
        give_work(ws, created.slug, variant)
    return created.slug


async def compare_shown(pilot: Any, app: Any, slug: str) -> CompareScreen:
    app.action_compare(slug)
    screen = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, CompareScreen) else None,
                            what="the Compare screen")
    await wait_for(pilot, lambda: screen.comparison is not None
                   and not screen.query_one("#vote-A", Button).disabled, what="the pair")
    await settle(pilot)
    return screen


async def test_an_untouched_pair_is_refused_in_one_line_and_compare_does_not_stay(ws: Workspace) -> None:
    created = ws.new_project("Untouched", "mini", assistants=["claude-code", "copilot"])
    async with running(ws, SIZE) as (pilot, app):
        app.action_compare(created.slug)
        await wait_for(pilot, lambda: blind.IDENTICAL in notes(app), what="the refusal")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="back home")
    assert not [e for e in events(ws.projects_dir / "untouched" / "ledger.jsonl") if e["kind"] == "compare"]


async def test_a_given_pair_that_became_identical_is_refused_too(ws: Workspace) -> None:
    from sandbox.compare.arena import record_build_order

    created = ws.new_project("Given", "mini", assistants=["claude-code", "copilot"])
    comparison = record_build_order(ws, created.slug, created.variants)
    async with running(ws, SIZE) as (pilot, app):
        app.push_screen(CompareScreen(ws, created.slug, comparison=comparison, serve=False))
        await wait_for(pilot, lambda: blind.IDENTICAL in notes(app), what="the refusal")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="back home")


async def test_a_one_sided_pair_is_compared_with_a_warning_that_names_no_side(ws: Workspace) -> None:
    created = ws.new_project("One sided", "mini", assistants=["claude-code", "copilot"])
    give_work(ws, created.slug, "copilot")
    async with running(ws, SIZE) as (pilot, app):
        screen = await compare_shown(pilot, app, created.slug)
        banner = str(screen.query_one("#banner", Static).content)
        assert blind.ONE_SIDED in banner
        warning = banner[banner.index("Note:"):]
        for word in ("Prototype A", "Prototype B", " A ", " B ", "Claude", "Copilot"):
            assert word not in warning, word


async def test_a_vote_refused_because_a_side_changed_offers_a_new_comparison(ws: Workspace) -> None:
    slug = worked_pair(ws, "Changed")
    async with running(ws, SIZE) as (pilot, app):
        screen = await compare_shown(pilot, app, slug)
        assert screen.comparison is not None
        first = screen.comparison.id
        give_work(ws, slug, "copilot", text="<p>changed while judged</p>\n")
        await press(pilot, "a")
        await press(pilot, "enter")  # no reason
        await answer_guess(pilot, app)
        note = screen.query_one("#vote-note", Static)
        await wait_for(pilot, lambda: "Vote not saved" in str(note.content), what="the refusal")
        assert "new comparison" in str(note.content) and screen.revealed is None
        assert "changed since" in str(note.content)
        assert app.focused is screen.query_one("#next", Button)
        await press(pilot, "a")  # the refused pair takes no vote any more
        assert screen.revealed is None and screen_name(app) == "CompareScreen"
        await press(pilot, "n")
        await wait_for(pilot, lambda: screen.comparison is not None and screen.comparison.id != first
                       and not screen.query_one("#vote-A", Button).disabled, what="a new comparison")
        await settle(pilot)
        await press(pilot, "b", "enter")
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
        new = screen.comparison.id
    votes = [e for e in events(ws.projects_dir / "changed" / "ledger.jsonl") if e["kind"] == "vote"]
    assert [v["comparison"] for v in votes] == [new]


async def test_who_made_a_is_asked_before_the_reveal_and_recorded(ws: Workspace) -> None:
    slug = worked_pair(ws, "Guess")
    async with running(ws, SIZE) as (pilot, app):
        screen = await compare_shown(pilot, app, slug)
        comparison = screen.comparison
        assert comparison is not None
        await press(pilot, "a", *"tidier", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmDialog", what="who made A?")
        await settle(pilot)
        dialog = app.screen
        labels = [str(b.label) for b in dialog.query(Button)]
        assert sorted(labels[:2]) == ["Claude Code", "GitHub Copilot"] and labels[2] == "Not sure"
        assert screen.revealed is None
        assert not [e for e in events(ws.projects_dir / "guess" / "ledger.jsonl") if e["kind"] == "vote"]
        await answer_guess(pilot, app, comparison.b_assistant)  # a wrong guess: the names stayed hidden
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
    [vote] = [e for e in events(ws.projects_dir / "guess" / "ledger.jsonl") if e["kind"] == "vote"]
    assert vote["via"] == "tui" and vote["reason"] == "tidier"
    assert vote["guess_a"] == comparison.b_assistant and vote["guess_correct"] is False


async def test_who_made_a_is_skipped_with_one_key(ws: Workspace) -> None:
    slug = worked_pair(ws, "Skip")
    async with running(ws, SIZE) as (pilot, app):
        screen = await compare_shown(pilot, app, slug)
        await press(pilot, "t", "enter")
        await answer_guess(pilot, app)  # escape
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
    [vote] = [e for e in events(ws.projects_dir / "skip" / "ledger.jsonl") if e["kind"] == "vote"]
    assert vote["via"] == "tui" and "guess" not in vote and vote["winner"] == "tie"
