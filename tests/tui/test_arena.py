"""The whole arena through the Pilot, with stand-in assistants: the New idea form -> both build at
once -> Compare -> vote -> Report. No assistant name is on screen (or held by a widget) before the
vote, the right one is after, and the ledger holds exactly one build order and one vote.

The stand-ins are ``tests/support/fake_assistant.py`` configured as the two default assistants in
``sandbox.yaml``, so the screens show the real names ("Claude Code", "GitHub Copilot") once revealed.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

from textual.widgets import Button, Input, Label, SelectionList, Switch

from sandbox.compare.blind import Comparison
from sandbox.tui.screens.build import BuildScreen
from sandbox.tui.screens.compare import CompareScreen
from sandbox.workspace import Workspace
from tests.support.fake_assistant import configure, fake
from tests.support.tui import answer_guess, events, open_new_idea, press, running, screen_name, settle, wait_for
from tests.support.work import give_work
from tests.tui.test_compare_screen import visible_text, widget_text

NAMES = ("claude-code", "Claude Code", "claude", "Claude", "copilot", "Copilot", "GitHub", "github")
REVEAL = {"claude-code": "Claude Code", "copilot": "GitHub Copilot"}


def stand_ins(ws: Workspace, *, claude: tuple[str, ...] = (), copilot: tuple[str, ...] = ()) -> None:
    """The two default assistants as stand-in scripts that edit their prototype and say who they are."""
    configure(ws.root, {
        "claude-code": {"headless": fake("--sleep", "3", "--write", "index.html=<h1>By claude</h1>",
                                         "--stderr", "Claude Code (claude-sonnet) at work", "--json", *claude)},
        # a plain script, not Copilot's JSON lines: read as text (as Copilot's stream, its stderr and no
        # result line would rightly read as a failure)
        "copilot": {"headless": fake("--sleep", "2.5", "--write", "index.html=<h1>By copilot</h1>\\n<p>x</p>",
                                     "--stderr", "GitHub Copilot CLI working", *copilot), "result_format": "text"},
    })
    ws.reload()


def assert_blind(app: Any, screen: Any) -> None:
    shown, held = visible_text(app), widget_text(screen)
    for name in NAMES:
        assert name not in shown, f"{name!r} on screen before the vote"
        assert name not in held, f"{name!r} held by a widget before the vote"


async def test_form_build_compare_vote_report(ws: Workspace) -> None:
    stand_ins(ws)
    async with running(ws, (100, 32)) as (pilot, app):
        form = await open_new_idea(pilot, app)
        # The form ends with "Build it with", the two default assistants chosen, building right away.
        assert str(form.query_one("#build-with", Label).render()) == "Build it with"
        assert sorted(form.query_one("#assistants", SelectionList).selected) == ["claude-code", "copilot"]
        assert form.query_one("#build-now", Switch).value is True
        await press(pilot, *"Arena idea")
        await pilot.press("ctrl+s")  # then wait for the Build view itself (it lasts only seconds)
        build = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, BuildScreen) else None,
                               what="the Build view")
        assert build is not None and [label for label, _ in build.labels] == ["A", "B"]
        # While they work: two panes, A and B, no name anywhere (their output names them: redacted).
        while isinstance(app.screen, BuildScreen):
            assert_blind(app, app.screen)
            await pilot.pause(0.1)
        compare = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, CompareScreen) else None,
                                 what="the Compare step")
        await wait_for(pilot, lambda: compare.comparison is not None and not compare.query_one(
            "#vote-A", Button).disabled, what="the pair")
        await settle(pilot)
        assert compare.comparison is not None and build.comparison is not None
        assert compare.comparison.id == build.comparison.id  # the same A and B as in the build
        assert_blind(app, compare)
        await press(pilot, "b")  # the reason is asked first ...
        reason = compare.query_one("#reason", Input)
        await wait_for(pilot, lambda: app.focused is reason, what="the reason box focused")
        assert compare.revealed is None
        await press(pilot, *"B reads better")
        await press(pilot, "enter")  # ... then who made A? (skipped), then the vote is recorded and revealed
        assert compare.revealed is None
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: compare.revealed is not None, what="the reveal")
        await settle(pilot)
        b_name = REVEAL[compare.comparison.b_assistant]
        a_name = REVEAL[compare.comparison.a_assistant]
        shown = visible_text(app)
        assert f"A was {a_name}, B was {b_name}. You preferred B ({b_name})." in " ".join(shown.split())
        assert compare.query_one("#vote-B", Button).has_class("chosen")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "ProjectScreen", what="back to the project")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen_name(app) == "HomeScreen", what="home")
        await press(pilot, "r")
        await wait_for(pilot, lambda: screen_name(app) == "ReportScreen", what="the report")
        await wait_for(pilot, lambda: b_name in visible_text(app), what="the winner in the report")
    ledger = events(ws.projects_dir / "arena-idea" / "ledger.jsonl")
    kinds = [e["kind"] for e in ledger]
    assert kinds.count("run") == 2 and all(e["exit_code"] == 0 for e in ledger if e["kind"] == "run")
    [order] = [e for e in ledger if e["kind"] == "compare"]
    assert order["origin"] == "build" and {order["a"], order["b"]} == {"claude-code", "copilot"}
    assert kinds.index("compare") < kinds.index("run")  # drawn and recorded before anyone looked
    [vote] = [e for e in ledger if e["kind"] == "vote"]
    assert vote["comparison"] == order["comparison"] and vote["winner"] == "B"
    assert vote["winner_assistant"] == order["b"] and vote["reason"] == "B reads better"


async def test_a_missing_assistant_is_said_in_its_pane_and_the_other_builds(ws: Workspace) -> None:
    configure(ws.root, {
        "claude-code": {"headless": fake("--write", "index.html=<h1>done</h1>")},
        "copilot": {"headless": ["no-such-copilot-program", "-p", "{prompt}"]},
    })
    ws.reload()
    created = ws.new_project("Half built", "mini")
    async with running(ws, (100, 32)) as (pilot, app):
        app.open_build(created.slug, created.variants, None)
        build = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, BuildScreen) else None)
        assert build is not None
        await wait_for(pilot, lambda: all(p.finished for p in build.panes()), what="both ended")
        await settle(pilot)
        states = {p.variant: p for p in build.panes()}
        assert states["claude-code"].ok and not states["copilot"].ok
        assert "was not found" in states["copilot"].outcome
        assert screen_name(app) == "BuildScreen"  # no comparison of a half-built pair by itself
        assert "Not every assistant finished well" in visible_text(app)


async def test_show_names_while_they_build(ws: Workspace) -> None:
    stand_ins(ws, claude=("--hang",), copilot=("--hang",))
    created = ws.new_project("Named", "mini")
    from sandbox.compare.arena import record_build_order

    comparison = record_build_order(ws, created.slug, created.variants, names_shown=True)
    async with running(ws, (100, 32)) as (pilot, app):
        app.open_build(created.slug, created.variants, comparison, show_names=True)
        await wait_for(pilot, lambda: isinstance(app.screen, BuildScreen))
        await settle(pilot)
        shown = visible_text(app)
        assert f"Prototype A: {REVEAL[comparison.a_assistant]}" in shown
        assert "Names are shown, as you asked." in shown
        app.screen.action_stop_all()
        await wait_for(pilot, lambda: all(p.finished for p in app.screen.panes()), what="stopped")
    order = next(e for e in events(ws.projects_dir / "named" / "ledger.jsonl") if e["kind"] == "compare")
    assert order["names_shown"] is True
    runs = [e for e in events(ws.projects_dir / "named" / "ledger.jsonl") if e["kind"] == "run"]
    assert len(runs) == 2 and all(e.get("interrupted") for e in runs)


async def test_a_vote_from_the_page_updates_the_app_and_lands_once(ws: Workspace) -> None:
    created = ws.new_project("Page vote", "mini")
    from sandbox.compare.arena import record_build_order

    for variant in created.variants:
        give_work(ws, created.slug, variant)  # an untouched pair is refused (issue 11)

    comparison: Comparison = record_build_order(ws, created.slug, created.variants)
    screen = CompareScreen(ws, created.slug, comparison=comparison)
    opened: list[str] = []
    screen.opener = opened.append
    async with running(ws, (100, 32)) as (pilot, app):
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.comparison is not None, what="the pair")
        opener = screen.query_one("#open-arena", Button)
        await wait_for(pilot, lambda: app.focused is opener, what="focus on the first useful control")
        await press(pilot, "o")
        page = await wait_for(pilot, lambda: screen.page, what="the side-by-side page")
        await wait_for(pilot, lambda: opened == [page.url], what="the page opened in the browser")

        def post(winner: str) -> int:
            request = urllib.request.Request(
                page.url + "__sandbox/vote", method="POST",
                data=json.dumps({"winner": winner, "reason": "from the page",
                                 "scores": {"A": {"works": "4"}}}).encode(),
                headers={"Content-Type": "application/json", "Origin": page.url.rstrip("/"),
                         "X-Sandbox-Token": page.token},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                return int(exc.code)

        assert await asyncio.to_thread(post, "A") == 200
        await wait_for(pilot, lambda: screen.revealed is not None, what="the app hears the page's vote")
        await settle(pilot)
        assert "voted on the side-by-side page" in visible_text(app)
        assert await asyncio.to_thread(post, "B") == 409  # one vote per comparison
    ledger = events(ws.projects_dir / "page-vote" / "ledger.jsonl")
    votes = [e for e in ledger if e["kind"] == "vote"]
    assert len(votes) == 1 and votes[0]["winner"] == "A" and votes[0]["reason"] == "from the page"
    assert votes[0]["via"] == "page"  # the page's vote says where it was cast
    assert [(e["side"], e["scores"]) for e in ledger if e["kind"] == "rating"] == [("A", {"works": 4})]


async def test_the_palette_finds_the_vote_and_asks_the_reason_first(ws: Workspace) -> None:
    created = ws.new_project("Palette vote", "mini")
    from sandbox.compare.arena import record_build_order

    for variant in created.variants:
        give_work(ws, created.slug, variant)  # an untouched pair is refused (issue 11)

    comparison = record_build_order(ws, created.slug, created.variants)
    screen = CompareScreen(ws, created.slug, comparison=comparison, serve=False)
    async with running(ws, (100, 32)) as (pilot, app):
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.comparison is not None
                       and not screen.query_one("#vote-A", Button).disabled, what="the pair")
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await wait_for(pilot, lambda: screen_name(app) == "CommandPalette", what="the palette")
        await press(pilot, *"vote")

        def squeezed() -> str:  # the palette highlights the letters that matched, each on its own
            return "".join(visible_text(app).split())

        await wait_for(pilot, lambda: "Vote:Aisbetter" in squeezed(), what="the vote commands")
        for label in ("Vote:Bisbetter", "Vote:Aboutthesame", "Vote:Botharebad"):
            assert label in squeezed(), label
        await press(pilot, "enter")  # the first hit
        await wait_for(pilot, lambda: app.screen is screen, what="back on Compare")
        reason = screen.query_one("#reason", Input)
        await wait_for(pilot, lambda: app.focused is reason, what="the reason asked first")
        assert screen.revealed is None
        await press(pilot, *"Tidier", "enter")
        await answer_guess(pilot, app)
        await wait_for(pilot, lambda: screen.revealed is not None, what="the reveal")
    [vote] = [e for e in events(ws.projects_dir / "palette-vote" / "ledger.jsonl") if e["kind"] == "vote"]
    assert vote["reason"] == "Tidier"
