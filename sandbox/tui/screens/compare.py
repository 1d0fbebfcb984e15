"""Blind A/B comparison of two variants of one project, and the vote.

The screen shows two prototypes labelled only A and B: their preview links (served on local ports,
so the URL names nobody), an "open" button each, "open both side by side" (one browser page with
both in frames, ``sandbox.live.arena_page``), the reason, the vote and the rubric. No assistant name,
variant id or path containing one is on screen until the vote is cast; then the banner at the top
(always on screen, at 80x24 too) says who was A and who was B, and the chosen answer is marked.

Voting: ``a``, ``b``, ``t`` (about the same) and ``x`` (both bad), the buttons, or the command
palette. The reason is asked before the reveal: a vote with an empty "Why?" box first puts the
cursor there (Enter then records it, with or without words). A vote cast on the side-by-side page
is the same ledger event (``arena.cast_vote``) and updates this screen; a vote cast here shows on
the page.

File work (recording the pairing, starting the preview servers, appending the vote) runs in
``@work(thread=True)`` workers that post messages; only the ``on_*`` handlers change widgets. The vote
buttons come on only once the pair's whole layout (the rubric too) is mounted, so a click lands on
the button it was aimed at.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
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

from sandbox.compare import arena, blind, blind_preview, rubric
from sandbox.core.errors import SandboxError
from sandbox.tui.roles import Command
from sandbox.tui.screens.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from textual.widgets.button import ButtonVariant

    from sandbox.compare.arena import CastVote
    from sandbox.compare.blind import Comparison
    from sandbox.compare.rubric import Criterion
    from sandbox.live.arena_page import ArenaPage
    from sandbox.live.preview import PreviewServer
    from sandbox.workspace import Workspace

SIDES = ("A", "B")
VOTES = (("A", "A is better", "a"), ("B", "B is better", "b"), ("tie", "About the same", "t"),
         ("both-bad", "Both are bad", "x"))
VOTE_WORDS = {value: label for value, label, _ in VOTES}
PAIR_CHANGED = "the vote is refused:"  # how blind.record_vote begins its refusal of a changed pair


def guess_dialog(workspace: Workspace, comparison: Comparison) -> ConfirmDialog:
    """The blinding check, asked after the vote and its reason and before the reveal: who made A?

    The two names come in a random order, so the order gives nothing away; escape skips it.
    """
    ids = random.sample([comparison.a_assistant, comparison.b_assistant], 2)
    buttons: list[tuple[str, str, ButtonVariant]] = [
        (assistant, blind.assistant_name(workspace, assistant), "primary") for assistant in ids]
    buttons.append((blind.UNSURE, "Not sure", "default"))
    return ConfirmDialog("Who do you think made A?",
                         "Before the reveal: a check that the names stayed hidden. Escape skips it.", buttons)


class CompareScreen(Screen[None]):
    """``CompareScreen(workspace, slug, comparison=None)``: blind A/B vote between two variants of ``slug``."""

    @dataclass
    class ComparisonReady(Message):
        """The pairing is recorded and the previews are being served (or file links are used)."""

        comparison: Comparison
        urls: dict[str, str]
        servers: list[PreviewServer]
        criteria: list[Criterion]
        title: str
        names_shown: bool

    @dataclass
    class ComparisonFailed(Message):
        """Preparing the pair, or saving the vote, failed; ``message`` says why.

        ``refused``: the pair is not worth a vote (identical apart from the briefs): the screen closes.
        """

        message: str
        refused: bool = False

    @dataclass
    class VoteRecorded(Message):
        """The vote (and the scores typed before it) are in the ledger; ``via`` is where it was cast."""

        cast: CastVote
        via: str

    @dataclass
    class PageReady(Message):
        """The side-by-side page is served at ``page.url``."""

        page: ArenaPage

    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("o", "open_side_by_side", "Side by side"),
        Binding("a", "vote('A')", "Vote", key_display="a b t x"),
        Binding("b", "vote('B')", "B is better", show=False),
        Binding("t", "vote('tie')", "About the same", show=False),
        Binding("x", "vote('both-bad')", "Both are bad", show=False),
        Binding("1", "open('A')", "Open A", show=False),
        Binding("2", "open('B')", "Open B", show=False),
        Binding("n", "next", "Next pair", show=False),
    ]

    def __init__(self, workspace: Workspace, slug: str, *, serve: bool = True,
                 variants: list[str] | None = None, comparison: Comparison | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.slug = slug
        self.serve = serve
        self.variants = variants
        self.given = comparison  # the build's A/B: compared as it is
        self.comparison: Comparison | None = None
        self.urls: dict[str, str] = {}
        self.servers: list[PreviewServer] = []
        self.page: ArenaPage | None = None
        self.criteria: list[Criterion] = []
        self.pair_title = slug
        self.revealed: str | None = None
        self.voting = False
        self.pending: str | None = None  # the answer chosen while the reason is asked for
        self.changed = False  # the vote was refused because a side changed: n starts a new comparison
        self.closed = False  # set on unmount; a worker that finishes later stops its own servers
        self.opener: Callable[[str], object] = webbrowser.open  # tests replace it

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Preparing a blind comparison...", id="banner")
        with VerticalScroll(id="compare-body"):
            with Horizontal(id="sides"):
                for side in SIDES:
                    with Vertical(classes="side", id=f"side-{side.lower()}"):
                        yield Label(f"Prototype {side}", classes="side-title", id=f"title-{side.lower()}")
                        yield Static("", id=f"url-{side.lower()}", classes="url")
                        yield Button(f"Open {side} ({1 if side == 'A' else 2})", id=f"open-{side.lower()}",
                                     disabled=True, compact=True)
            yield Button("Open both side by side in the browser (o)", id="open-arena", variant="primary",
                         disabled=True)
            yield Label("Why? A few words, before you vote", classes="field-label", id="reason-label")
            yield Input(placeholder="e.g. B's form was clearer; A's buttons did nothing", id="reason")
            with Horizontal(id="votes"):
                for value, label, key in VOTES:
                    yield Button(f"{label} ({key})", id=f"vote-{value}", classes="vote", disabled=True,
                                 variant="primary" if value in SIDES else "default", compact=True)
            yield Static("", id="vote-note")
            yield Label("Score them on the rubric (optional, 1-5)", classes="section-title")
            yield Grid(id="rubric")
            yield Button("Compare another pair (n)", id="next", classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Blind comparison"
        self.sub_title = self.slug
        self.prepare()

    def on_unmount(self) -> None:
        self.closed = True
        self.stop_servers()

    # --- workers ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="compare-prepare")
    def prepare(self) -> None:
        """Find or start the comparison and serve both variants, off the UI thread."""
        try:
            comparison = self.given
            if comparison is None and not self.variants:
                comparison = blind.pending_comparison(self.workspace, self.slug)
            if comparison is None:
                comparison = blind.start_comparison(self.workspace, self.slug, self.variants)
            else:  # held to the comparison rules as a new one would be (the trees may have changed)
                status = blind.pair_status(self.workspace, self.slug, comparison.a, comparison.b)
                if status.status == blind.REFUSED:
                    self.post_message(self.ComparisonFailed(str(status.message), refused=True))
                    return
                comparison = dataclasses.replace(comparison, warning=status.message)
            criteria = rubric.rubric(self.workspace)
            try:
                title = self.workspace.project(self.slug).load_spec().title
            except SandboxError:
                title = self.slug
            shown = arena.names_shown(self.workspace, comparison)
            urls, servers = self._previews(comparison)
        except SandboxError as exc:
            self.post_message(self.ComparisonFailed(str(exc), refused=str(exc) == blind.IDENTICAL))
            return
        if self.closed:  # the screen was closed while the previews started: nobody will stop them
            for server in servers:
                server.stop()
            return
        self.post_message(self.ComparisonReady(comparison, urls, servers, criteria, title, shown))

    def _previews(self, comparison: Comparison) -> tuple[dict[str, str], list[PreviewServer]]:
        servers: list[PreviewServer] = []
        if self.serve:
            try:
                return blind_preview.serve_blind(self.workspace, comparison)
            except Exception:  # noqa: BLE001 - no free port: fall back to files
                pass
        return {side: blind_preview.blind_file_url(self.workspace, comparison, side) for side in SIDES}, servers

    @work(thread=True, exclusive=True, group="compare-vote")
    def cast(self, winner: str, reason: str, scores: dict[str, dict[str, str]], guess: str | None) -> None:
        """Save the scores typed for each side, then the vote (with the guess who made A); post the reveal."""
        comparison = self.comparison
        assert comparison is not None  # the vote buttons are on only once there is a pair
        try:
            cast = arena.cast_vote(self.workspace, comparison, winner, reason=reason, scores=scores,
                                   by=self.user, guess=guess, via="tui")
        except SandboxError as exc:
            self.post_message(self.ComparisonFailed(exc.message))
            return
        self.post_message(self.VoteRecorded(cast, "tui"))

    @work(thread=True, exclusive=True, group="compare-page", exit_on_error=False)
    def serve_page(self) -> None:
        """Start the side-by-side page for the current pair (its votes come back as ``VoteRecorded``)."""
        from sandbox.live.arena_page import ArenaPage

        comparison = self.comparison
        if comparison is None:
            return

        def page_vote(payload: dict[str, Any]) -> dict[str, Any]:  # on the page server's thread
            cast = arena.cast_vote(
                self.workspace, comparison, str(payload.get("winner") or ""),
                reason=str(payload.get("reason") or "") or None, scores=payload.get("scores"), by=self.user,
                guess=str(payload.get("guess") or "") or None, via="page",
            )
            self.post_message(self.VoteRecorded(cast, "page"))
            return cast.to_dict()

        try:
            ids = random.sample([comparison.a_assistant, comparison.b_assistant], 2)  # the order says nothing
            guess = [{"id": i, "label": blind.assistant_name(self.workspace, i)} for i in ids]
            page = ArenaPage(self.urls, [c.to_dict() for c in self.criteria], page_vote, title=self.pair_title,
                             guess=guess)
            page.start()
        except SandboxError as exc:
            self.post_message(self.ComparisonFailed(exc.message))
            return
        if self.closed:
            page.stop()
            return
        self.post_message(self.PageReady(page))

    # --- handlers --------------------------------------------------------------------------
    @on(ComparisonReady)
    async def show_comparison(self, message: CompareScreen.ComparisonReady) -> None:
        self.stop_servers()
        self.urls = message.urls
        self.servers = message.servers
        self.criteria = message.criteria
        self.revealed = None
        self.voting = False
        self.pending = None
        served = all(url.startswith("http://") for url in message.urls.values())
        self.pair_title = message.title
        banner = self.query_one("#banner", Static)
        banner.remove_class("revealed")
        hidden = "" if message.names_shown else " Who made which stays hidden until you vote."
        banner.update(
            f"[b]{escape(message.title)}[/b]: which prototype is better? Open both (o: side by side in the "
            f"browser), try them, say why, then vote with a, b, t or x.{hidden}"
            + ("" if served else " (Opened from files: the links go through neutral A/B folders.)")
            + (f"\n[b]Note:[/b] {escape(message.comparison.warning)}" if message.comparison.warning else "")
        )
        self.changed = False
        comparison = message.comparison
        for side in SIDES:
            name = blind.assistant_name(self.workspace, comparison.assistant(side))
            name = f": {name}" if message.names_shown else ""
            self.query_one(f"#title-{side.lower()}", Label).update(f"Prototype {side}{escape(name)}")
            self.query_one(f"#url-{side.lower()}", Static).update(escape(self.urls[side]))
            self.query_one(f"#open-{side.lower()}", Button).disabled = False
        self.query_one("#open-arena", Button).disabled = not served
        await self._build_rubric()  # before the votes come on: mounting it moves them down
        for button in self.query(".vote").results(Button):
            button.disabled = False
            button.remove_class("chosen", "not-chosen")
            button.label = self._vote_label(button)
        reason = self.query_one("#reason", Input)
        reason.value = ""
        reason.disabled = False
        self.query_one("#vote-note", Static).update("")
        self.query_one("#next", Button).add_class("hidden")
        self.comparison = comparison  # last: once it is set, the pair is on screen and can be voted on
        self.refresh_bindings()
        target = self.query_one("#open-arena" if served else "#open-a", Button)
        target.focus()

    @staticmethod
    def _vote_label(button: Button) -> str:
        value = (button.id or "").removeprefix("vote-")
        key = next(k for v, _, k in VOTES if v == value)
        return f"{VOTE_WORDS[value]} ({key})"

    async def _build_rubric(self) -> None:
        """Build the score grid once; a next pair only clears the scores (same rubric)."""
        grid = self.query_one("#rubric", Grid)
        if grid.children:
            for score in grid.query(".score").results(Input):
                score.value = ""
                score.disabled = False
            return
        cells: list[Widget] = [Label("Criterion", classes="rubric-head"), Label("A", classes="rubric-head"),
                               Label("B", classes="rubric-head")]
        for criterion in self.criteria:
            cells.append(Static(f"[b]{escape(criterion.label)}[/b]\n[dim]{escape(criterion.hint)}[/dim]",
                                classes="criterion"))
            cells.extend(
                Input(placeholder="-", restrict=r"[1-5]?", max_length=1, id=f"score-{side.lower()}-{criterion.id}",
                      classes="score", compact=True)
                for side in SIDES
            )
        await grid.mount_all(cells)

    @on(ComparisonFailed)
    def show_failure(self, message: CompareScreen.ComparisonFailed) -> None:
        failed_vote = self.voting
        self.voting = False
        if message.refused and self.comparison is None:  # nothing to compare: the screen does not stay
            self.app.notify(message.message, severity="warning", title="Compare")
            if self.app.screen is self:
                self.app.pop_screen()
            return
        self.notify(message.message, severity="error", title="Compare")
        if failed_vote and self.comparison is not None and message.message.startswith(PAIR_CHANGED):
            # Someone changed a side while it was being judged: this vote cannot stand, a new one can.
            self.changed = True
            self.query_one("#vote-note", Static).update(
                f"[b red]Vote not saved:[/b red] {escape(message.message)}. Press [b]n[/b] for a new comparison."
            )
            next_button = self.query_one("#next", Button)
            next_button.label = "Start a new comparison (n)"
            next_button.remove_class("hidden")
            next_button.focus()
            self.refresh_bindings()
            return
        if failed_vote and self.comparison is not None and self.revealed is None:
            # The vote was not saved: say so in place and let the user try again (the buttons were
            # disabled while it was being written; leaving them so would strand the comparison).
            self.query_one("#vote-note", Static).update(f"[b red]Vote not saved:[/b red] {escape(message.message)}")
            for button in self.query(".vote").results(Button):
                button.disabled = False
                button.remove_class("chosen", "not-chosen")
                button.label = self._vote_label(button)
            return
        self.query_one("#banner", Static).update(f"[b red]Cannot compare:[/b red] {escape(message.message)}")

    @on(PageReady)
    def _page_ready(self, message: CompareScreen.PageReady) -> None:
        if self.page is not None:
            self.page.stop()
        self.page = message.page
        self.open_url(message.page.url)
        self.query_one("#vote-note", Static).update(
            f"Side by side in your browser: {escape(message.page.url)} (a vote there counts the same)."
        )

    @on(VoteRecorded)
    def show_reveal(self, message: CompareScreen.VoteRecorded) -> None:
        if self.revealed is not None:
            return
        cast = message.cast
        self.voting = False
        self.pending = None
        self.revealed = cast.reveal
        winner = str(cast.event.get("winner"))
        saved = f" Saved {cast.ratings} rating{'s' if cast.ratings != 1 else ''} too." if cast.ratings else ""
        where = " (voted on the side-by-side page)" if message.via == "page" else ""
        banner = self.query_one("#banner", Static)
        banner.add_class("revealed")
        banner.update(f"[b]Revealed:[/b] {escape(cast.reveal)}{saved}{where}")
        for button in self.query(".vote").results(Button):
            chosen = button.id == f"vote-{winner}"
            button.set_class(chosen, "chosen")
            button.set_class(not chosen, "not-chosen")
            button.disabled = not chosen
            button.label = ("✓ " if chosen else "") + VOTE_WORDS[(button.id or "").removeprefix("vote-")]
        self.query_one("#vote-note", Static).update(
            f"You chose: [b]{escape(VOTE_WORDS.get(winner, winner))}[/b]"
            + (f" — {escape(str(cast.event.get('reason')))}" if cast.event.get("reason") else "")
        )
        next_button = self.query_one("#next", Button)
        next_button.label = "Compare another pair (n)"
        next_button.remove_class("hidden")
        assert self.comparison is not None
        for side in SIDES:
            name = blind.assistant_name(self.workspace, self.comparison.assistant(side))
            self.query_one(f"#title-{side.lower()}", Label).update(f"Prototype {side}: {escape(name)}")
        for score in self.query(".score").results(Input):
            score.disabled = True
        self.query_one("#reason", Input).disabled = True
        self.query_one("#compare-body", VerticalScroll).scroll_home(animate=False)
        if self.page is not None and message.via != "page":
            page = self.page
            self.run_worker(lambda: page.announce(cast.to_dict()), thread=True, group="compare-announce",
                            exit_on_error=False)
        self.refresh_bindings()
        # The reveal stays in view (the top of the screen); focusing the next-pair button must not
        # scroll it away (after the who-made-A? dialog, the focus comes back later than it used to).
        self.query_one("#next", Button).focus(scroll_visible=False)

    # --- voting ----------------------------------------------------------------------------
    def action_vote(self, winner: str) -> None:
        """Choose an answer; the reason is asked first when the box is empty, then it is recorded."""
        if self.comparison is None or self.revealed is not None or self.voting or self.changed:
            return
        reason = self.query_one("#reason", Input)
        if not reason.value.strip() and self.pending != winner:
            self.pending = winner
            for button in self.query(".vote").results(Button):
                button.set_class(button.id == f"vote-{winner}", "chosen")
            self.query_one("#vote-note", Static).update(
                f"You chose [b]{escape(VOTE_WORDS[winner])}[/b]. Why? Type a few words and press Enter "
                "(Enter alone records the vote without a reason)."
            )
            reason.focus()
            return
        self.record(winner)

    def record(self, winner: str) -> None:
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
        reason = self.query_one("#reason", Input).value
        comparison = self.comparison
        assert comparison is not None  # record is reached only with a pair on screen

        def guessed(guess: str | None) -> None:
            self.query_one("#vote-note", Static).update("Recording your vote...")
            self.cast(winner, reason, scores, guess)

        self.app.push_screen(guess_dialog(self.workspace, comparison), guessed)

    @on(Input.Submitted, "#reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        if self.pending is not None and self.revealed is None and not self.voting:
            self.record(self.pending)

    @on(Button.Pressed, ".vote")
    def vote_pressed(self, event: Button.Pressed) -> None:
        self.action_vote((event.button.id or "").removeprefix("vote-"))

    @on(Button.Pressed, "#open-a")
    def open_a(self) -> None:
        self.action_open("A")

    @on(Button.Pressed, "#open-b")
    def open_b(self) -> None:
        self.action_open("B")

    @on(Button.Pressed, "#open-arena")
    def open_arena(self) -> None:
        self.action_open_side_by_side()

    @on(Button.Pressed, "#next")
    def next_pressed(self) -> None:
        self.action_next()

    # --- actions ---------------------------------------------------------------------------
    def open_url(self, url: str) -> None:
        self.run_worker(partial(self.opener, url), thread=True, group="browser", exit_on_error=False)

    def action_open(self, side: str) -> None:
        url = self.urls.get(side)
        if url:
            self.open_url(url)

    def action_open_side_by_side(self) -> None:
        if self.comparison is None:
            return
        if not all(url.startswith("http://") for url in self.urls.values()):
            self.notify("Side by side needs the previews served; open A and B from their files instead.")
            return
        if self.page is not None:
            self.open_url(self.page.url)
            return
        self.serve_page()

    def action_next(self) -> None:
        if self.revealed is None and not self.changed:
            return
        comparison = self.comparison
        # After a refused vote: the same two variants again, paired anew (A and B drawn again).
        self.variants = [comparison.a, comparison.b] if self.changed and comparison is not None else None
        self.changed = False
        self.comparison = None
        self.given = None
        if self.page is not None:
            self.page.stop()
            self.page = None
        self.query_one("#banner", Static).update("Preparing the next blind comparison...")
        self.prepare()

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The vote keys are dimmed once the vote is in (and before the pair is on screen)."""
        if action == "vote" and (self.comparison is None or self.revealed is not None or self.changed):
            return None
        return True

    def palette_commands(self) -> Iterator[Command]:
        for value, label, key in VOTES:
            yield (f"Vote: {label}", partial(self.action_vote, value), f"Record the blind vote ({key})")
        yield ("Open both side by side in the browser", self.action_open_side_by_side,
               "One page with A and B next to each other, and the vote (o)")
        yield ("Open prototype A", partial(self.action_open, "A"), "In the browser (1)")
        yield ("Open prototype B", partial(self.action_open, "B"), "In the browser (2)")
        yield ("Compare another pair", self.action_next, "After the vote: the next pair (n)")

    def selected_slug(self) -> str:
        return self.slug

    @property
    def user(self) -> str | None:
        """Who votes: the app's user (the screen also stands alone, in a host app of its own)."""
        user = getattr(self.app, "user", None)
        return user if isinstance(user, str) else os.environ.get("SANDBOX_USER") or os.environ.get("USER") or None

    def stop_servers(self) -> None:
        servers, self.servers = self.servers, []
        page, self.page = self.page, None
        if page is not None:
            servers.append(page)
        for server in servers:
            with contextlib.suppress(Exception):  # stopping is best effort on the way out
                server.stop()
