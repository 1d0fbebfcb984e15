"""Blind A/B comparison of two variants of one project.

The screen shows two prototypes labelled only A and B: their preview links (served on local ports,
so the URL names nobody), an "open in browser" button each, and the rubric side by side to score
both. No assistant name, variant id or path containing one is on screen until the vote is cast;
then the screen reveals who was A and who was B. Ratings typed in the rubric are saved with the
vote, so scoring never happens with the names known.

File work (recording the pairing, starting the preview servers, appending the vote) runs in
``@work(thread=True)`` workers that post messages; only the ``on_*`` handlers change widgets. The vote
buttons come on only once the pair's whole layout (the rubric too) is mounted, so a click lands on
the button it was aimed at.
"""

from __future__ import annotations

import contextlib
import os
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, Static

from sandbox.compare import blind, blind_preview, rubric
from sandbox.compare.ratings import rate
from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.compare.blind import Comparison
    from sandbox.compare.rubric import Criterion
    from sandbox.live.preview import PreviewServer
    from sandbox.workspace import Workspace

SIDES = ("A", "B")
VOTES = (("A", "A is better"), ("B", "B is better"), ("tie", "About the same"), ("both-bad", "Both are bad"))


class CompareScreen(Screen[None]):
    """``CompareScreen(workspace, slug)``: blind A/B vote between two variants of ``slug``."""

    @dataclass
    class ComparisonReady(Message):
        """The pairing is recorded and the previews are being served (or file links are used)."""

        comparison: Comparison
        urls: dict[str, str]
        servers: list[PreviewServer]
        criteria: list[Criterion]
        title: str

    @dataclass
    class ComparisonFailed(Message):
        """Preparing the pair, or saving the vote, failed; ``message`` says why."""

        message: str

    @dataclass
    class VoteRecorded(Message):
        """The vote (and the scores typed before it) are in the ledger; ``reveal`` says who was who."""

        event: dict[str, Any]
        reveal: str
        ratings: int

    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("1", "open('A')", "Open A"),
        Binding("2", "open('B')", "Open B"),
        Binding("n", "next", "Next pair", show=False),
    ]

    def __init__(self, workspace: Workspace, slug: str, *, serve: bool = True,
                 variants: list[str] | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.slug = slug
        self.serve = serve
        self.variants = variants
        self.comparison: Comparison | None = None
        self.urls: dict[str, str] = {}
        self.servers: list[PreviewServer] = []
        self.criteria: list[Criterion] = []
        self.revealed: str | None = None
        self.voting = False
        self.closed = False  # set on unmount; a worker that finishes later stops its own servers
        self.opener: Callable[[str], object] = webbrowser.open  # tests replace it

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="compare-body"):
            yield Static("Preparing a blind comparison...", id="intro")
            with Horizontal(id="sides"):
                for side in SIDES:
                    with Vertical(classes="side", id=f"side-{side.lower()}"):
                        yield Label(f"Prototype {side}", classes="side-title", id=f"title-{side.lower()}")
                        yield Static("", id=f"url-{side.lower()}", classes="url")
                        yield Button(f"Open {side} in browser", id=f"open-{side.lower()}", disabled=True)
            yield Grid(id="rubric")
            with Horizontal(id="votes"):
                for value, label in VOTES:
                    yield Button(label, id=f"vote-{value}", classes="vote", disabled=True,
                                 variant="primary" if value in SIDES else "default")
            yield Input(placeholder="Why? (optional, a few words)", id="reason")
            yield Static("", id="reveal")
            yield Button("Compare another pair", id="next", classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Blind comparison"
        self.prepare()

    def on_unmount(self) -> None:
        self.closed = True
        self.stop_servers()

    # --- workers ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="compare-prepare")
    def prepare(self) -> None:
        """Find or start the comparison and serve both variants, off the UI thread."""
        try:
            comparison = None if self.variants else blind.pending_comparison(self.workspace, self.slug)
            if comparison is None:
                comparison = blind.start_comparison(self.workspace, self.slug, self.variants)
            criteria = rubric.rubric(self.workspace)
            try:
                title = self.workspace.project(self.slug).load_spec().title
            except SandboxError:
                title = self.slug
            urls, servers = self._previews(comparison)
        except SandboxError as exc:
            self.post_message(self.ComparisonFailed(str(exc)))
            return
        if self.closed:  # the screen was closed while the previews started: nobody will stop them
            for server in servers:
                server.stop()
            return
        self.post_message(self.ComparisonReady(comparison, urls, servers, criteria, title))

    def _previews(self, comparison: Comparison) -> tuple[dict[str, str], list[PreviewServer]]:
        servers: list[PreviewServer] = []
        if self.serve:
            try:
                return blind_preview.serve_blind(self.workspace, comparison)
            except Exception:  # noqa: BLE001 - no free port: fall back to files
                pass
        return {side: blind_preview.blind_file_url(self.workspace, comparison, side) for side in SIDES}, servers

    @work(thread=True, exclusive=True, group="compare-vote")
    def cast(self, winner: str, reason: str, scores: dict[str, dict[str, str]]) -> None:
        """Save the scores typed for each side, then the vote; post the reveal."""
        by = os.environ.get("SANDBOX_USER") or os.environ.get("USER") or None
        comparison = self.comparison
        assert comparison is not None  # the vote buttons are on only once there is a pair
        try:
            # Check both sides' scores before writing anything, so a score refused on side B never
            # leaves side A's rating saved without the vote (a retry would then save A twice).
            criteria = rubric.rubric(self.workspace)
            filled = {side: {cid: value for cid, value in scores[side].items() if value} for side in SIDES}
            for side in SIDES:
                if filled[side]:
                    rubric.parse_scores(filled[side], criteria)
            ratings = 0
            for side in SIDES:
                if filled[side]:
                    rate(self.workspace, self.slug, comparison.variant(side), filled[side], by=by,
                                  comparison=comparison)
                    ratings += 1
            event = blind.record_vote(self.workspace, comparison, winner, reason=reason, by=by)
        except SandboxError as exc:
            self.post_message(self.ComparisonFailed(str(exc)))
            return
        self.post_message(self.VoteRecorded(event, blind.reveal_text(self.workspace, comparison, winner), ratings))

    # --- handlers --------------------------------------------------------------------------
    @on(ComparisonReady)
    async def show_comparison(self, message: CompareScreen.ComparisonReady) -> None:
        self.stop_servers()
        self.urls = message.urls
        self.servers = message.servers
        self.criteria = message.criteria
        self.revealed = None
        self.voting = False
        served = bool(message.servers)
        self.query_one("#intro", Static).update(
            f"[b]{escape(message.title)}[/b]: which prototype is better? Open both, try them, score them below if you "
            "like, then vote. Who made which stays hidden until you vote."
            + ("" if served else " (Opened from files: the links go through neutral A/B folders.)")
        )
        for side in SIDES:
            self.query_one(f"#title-{side.lower()}", Label).update(f"Prototype {side}")
            self.query_one(f"#url-{side.lower()}", Static).update(escape(self.urls[side]))
            self.query_one(f"#open-{side.lower()}", Button).disabled = False
        await self._build_rubric()  # before the votes come on: mounting it moves them down
        for button in self.query(".vote").results(Button):
            button.disabled = False
        self.query_one("#reason", Input).value = ""
        self.query_one("#reveal", Static).update("")
        self.query_one("#next", Button).add_class("hidden")
        self.comparison = message.comparison  # last: once it is set, the pair is on screen and can be voted on

    async def _build_rubric(self) -> None:
        """Build the score grid once; a next pair only clears the scores (same rubric)."""
        grid = self.query_one("#rubric", Grid)
        if grid.children:
            for score in grid.query(".score").results(Input):
                score.value = ""
                score.disabled = False
            return
        cells: list[Widget] = [Label("Score 1-5 (optional)", classes="rubric-head"), Label("A", classes="rubric-head"),
                            Label("B", classes="rubric-head")]
        for criterion in self.criteria:
            cells.append(Static(f"[b]{escape(criterion.label)}[/b]\n[dim]{escape(criterion.hint)}[/dim]",
                                classes="criterion"))
            cells.extend(
                Input(placeholder="-", restrict=r"[1-5]?", max_length=1, id=f"score-{side.lower()}-{criterion.id}",
                      classes="score")
                for side in SIDES
            )
        await grid.mount_all(cells)

    @on(ComparisonFailed)
    def show_failure(self, message: CompareScreen.ComparisonFailed) -> None:
        failed_vote = self.voting
        self.voting = False
        self.notify(message.message, severity="error", title="Compare")
        if failed_vote and self.comparison is not None and self.revealed is None:
            # The vote was not saved: say so in place and let the user try again (the buttons were
            # disabled while it was being written; leaving them so would strand the comparison).
            self.query_one("#reveal", Static).update(f"[b red]Vote not saved:[/b red] {escape(message.message)}")
            for button in self.query(".vote").results(Button):
                button.disabled = False
            return
        self.query_one("#intro", Static).update(f"[b red]Cannot compare:[/b red] {escape(message.message)}")

    @on(VoteRecorded)
    def show_reveal(self, message: CompareScreen.VoteRecorded) -> None:
        self.voting = False
        self.revealed = message.reveal
        saved = f" Saved {message.ratings} rating{'s' if message.ratings != 1 else ''} too." if message.ratings else ""
        self.query_one("#reveal", Static).update(f"[b]Revealed:[/b] {escape(message.reveal)}{saved}")
        self.query_one("#next", Button).remove_class("hidden")
        assert self.comparison is not None
        for side in SIDES:
            name = blind.assistant_name(self.workspace, self.comparison.assistant(side))
            self.query_one(f"#title-{side.lower()}", Label).update(f"Prototype {side}: {escape(name)}")
        for score in self.query(".score").results(Input):
            score.disabled = True

    @on(Button.Pressed, ".vote")
    def vote_pressed(self, event: Button.Pressed) -> None:
        if self.comparison is None or self.revealed is not None or self.voting:
            return
        winner = (event.button.id or "").removeprefix("vote-")
        scores = {
            side: {
                criterion.id: self.query_one(f"#score-{side.lower()}-{criterion.id}", Input).value.strip()
                for criterion in self.criteria
            }
            for side in SIDES
        }
        self.voting = True
        for button in self.query(".vote").results(Button):
            button.disabled = True
        self.cast(winner, self.query_one("#reason", Input).value, scores)

    @on(Button.Pressed, "#open-a")
    def open_a(self) -> None:
        self.action_open("A")

    @on(Button.Pressed, "#open-b")
    def open_b(self) -> None:
        self.action_open("B")

    @on(Button.Pressed, "#next")
    def next_pressed(self) -> None:
        self.action_next()

    # --- actions ---------------------------------------------------------------------------
    def action_open(self, side: str) -> None:
        url = self.urls.get(side)
        if url:
            self.opener(url)

    def action_next(self) -> None:
        if self.revealed is None:
            return
        self.variants = None
        self.query_one("#intro", Static).update("Preparing the next blind comparison...")
        self.prepare()

    def action_back(self) -> None:
        self.app.pop_screen()

    def stop_servers(self) -> None:
        servers, self.servers = self.servers, []
        for server in servers:
            with contextlib.suppress(Exception):  # stopping is best effort on the way out
                server.stop()
