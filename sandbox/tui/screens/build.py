"""The Build view: every chosen assistant works on the brief at once, side by side, labelled A and B.

The A/B order was drawn and recorded before this screen opened (``arena.record_build_order``), and
names stay hidden (the output is redacted) unless the person chose to see them. Each variant's run
goes through ``runs.run_many`` in its own worker, so one pane's Stop (or a missing program) never
stops the other. While they work, a poll every second reads what the live watcher has recorded for
their runs (``change`` events of the open run) for the files and lines so far. When both finished
well, the Compare step follows with the same A and B.
"""

from __future__ import annotations

import string
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sandbox.assistants import confine, runs, sessions
from sandbox.compare.blind import assistant_name
from sandbox.core import ledger
from sandbox.core.errors import SandboxError
from sandbox.tui.app import SandboxApp
from sandbox.tui.blinding import Redactor
from sandbox.tui.feed import Feed
from sandbox.tui.format import esc
from sandbox.tui.messages import FeedReady
from sandbox.tui.roles import Command
from sandbox.tui.widgets.build_pane import BY_HAND, WORKING, BuildPane

if TYPE_CHECKING:
    from sandbox.compare.blind import Comparison
    from sandbox.workspace import Project, Workspace

POLL_SECONDS = 1.0


@dataclass
class Progress:
    """What one variant's open run has changed so far (from its ``change`` events)."""

    files: set[str] = field(default_factory=set)
    lines_added: int = 0
    lines_removed: int = 0
    turns: int | None = None


def progress_of(project: Project, variants: list[str]) -> dict[str, Progress]:
    """Files and lines changed so far by each variant's open headless run."""
    opened = sessions.open_sessions(project)
    session_of = {v: str(e.get("session")) for v, e in opened.items() if v in variants and e.get("session")}
    found = {v: Progress() for v in session_of}
    if not session_of:
        return found
    by_session = {s: v for v, s in session_of.items()}
    for event in project.events():
        variant = by_session.get(str(event.get("session")))
        if variant is None or event.get("kind") != ledger.CHANGE:
            continue
        progress = found[variant]
        progress.files.update(str(f) for f in event.get("files") or [])
        progress.lines_added += int(event.get("lines_added") or 0)
        progress.lines_removed += int(event.get("lines_removed") or 0)
    return found


def side_labels(variants: list[str], comparison: Comparison | None) -> list[tuple[str, str]]:
    """``(label, variant)`` in screen order: the comparison's A and B first, then C, D..."""
    ordered = [comparison.a, comparison.b] if comparison is not None else []
    ordered += [v for v in variants if v not in ordered]
    return list(zip(string.ascii_uppercase, ordered, strict=False))


class BuildScreen(Screen[None]):
    """``BuildScreen(workspace, slug, variants, comparison, show_names=False)``."""

    CSS_PATH = "build.tcss"
    app = getters.app(SandboxApp)

    @dataclass
    class RunFinished(Message):
        """``variant``'s run ended (``event``) or did not start (``error``)."""

        variant: str
        event: dict[str, Any] | None
        error: str | None

    @dataclass
    class ProgressRead(Message):
        """The poll read what the open runs changed so far."""

        progress: dict[str, Progress]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "compare", "Compare"),
        Binding("s", "stop_all", "Stop all"),
    ]

    def __init__(
        self, workspace: Workspace, slug: str, variants: list[str], comparison: Comparison | None, *,
        show_names: bool = False, start: bool = True, timeout: float = runs.DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(id="build")
        self.workspace = workspace
        self.slug = slug
        self.project = workspace.project(slug)
        self.comparison = comparison
        self.show_names = show_names
        self.start_runs = start  # False: the screen only shows what it is told (tests of its layout)
        self.timeout = timeout
        self.labels = side_labels(variants, comparison)
        self.redact: Callable[[str], str] = (lambda text: text) if show_names else Redactor(workspace)
        self.stops: dict[str, threading.Event] = {v: threading.Event() for _, v in self.labels}
        self.feeds: dict[str, Feed[str]] = {}
        self.monotonic: Callable[[], float] = time.monotonic  # tests fix it
        self.compared = False
        try:
            self.title_text = self.project.load_spec().title
        except SandboxError:
            self.title_text = slug

    def compose(self) -> ComposeResult:
        yield Header()
        names = "Names are shown, as you asked." if self.show_names else (
            "Who is A and who is B stays hidden until you vote.")
        yield Static(
            f"[b]{esc(self.title_text)}[/b]: {len(self.labels)} assistants build it at once from the same brief. "
            f"{names}", id="build-intro",
        )
        yield Static("", id="build-notice", classes="hidden")
        with Horizontal(id="build-panes"):
            for label, variant in self.labels:
                title = f"Prototype {label}"
                if self.show_names:
                    title += f": {assistant_name(self.workspace, variant)}"
                yield BuildPane(variant, label, title, self.redact)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.slug
        for pane in self.panes():
            self.feeds[pane.variant] = Feed(pane)
            if not self.start_runs:
                continue
            if not self._has_headless(pane.variant):
                pane.by_hand()
                continue
            pane.start(self.monotonic())
            self.build(pane.variant)
        if self.start_runs:
            self.set_interval(POLL_SECONDS, self.poll)
            self._watch_project()
            if any(self._has_headless(p.variant) for p in self.panes()):
                self.say_confinement()
        self.set_interval(0.5, self.tick)
        first = self.panes()[0].query_one(".build-stop") if self.panes() else None
        if first is not None:
            first.focus()

    def say_confinement(self) -> None:
        """Say once, above the panes, that the assistants run unconfined on this computer (and why):
        the runs go ahead, but a person should know their files outside the variant are reachable."""
        try:
            notice = confine.mode_for(self.workspace).notice()
        except SandboxError:  # confinement required but missing: each run says so in its pane
            return
        if self.app.notice_once(notice):
            said = self.query_one("#build-notice", Static)
            said.update(f"[b]Not confined:[/b] {esc(notice or '')}")
            said.display = True

    def _has_headless(self, variant: str) -> bool:
        assistant = self.workspace.registry.get(variant)
        return assistant is not None and bool(assistant.headless)

    def _watch_project(self) -> None:
        """Make sure the live watcher runs: it records the runs' changes as they happen."""
        if self.app.live_enabled:
            self.run_worker(lambda: self.app.live_projects.attach(self.slug, lambda _event: None), thread=True,
                            group="build-watch", exit_on_error=False)

    def panes(self) -> list[BuildPane]:
        return list(self.query(BuildPane))

    def pane(self, variant: str) -> BuildPane:
        return next(p for p in self.panes() if p.variant == variant)

    # --- the runs --------------------------------------------------------------------------
    @work(thread=True, group="build", exit_on_error=False)
    def build(self, variant: str) -> None:
        feed = self.feeds[variant]
        stop = self.stops[variant]
        try:
            [result] = runs.run_many(
                self.workspace, self.project, [variant], timeout=self.timeout,
                on_output=lambda _variant, line: feed.push(line), by=self.app.user, stop_requested=stop.is_set,
            )
        except SandboxError as exc:
            self.post_message(self.RunFinished(variant, None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001 - an OS problem: said in the pane, never a crash
            self.post_message(self.RunFinished(variant, None, f"the run failed: {exc}"))
            return
        if isinstance(result, SandboxError):
            self.post_message(self.RunFinished(variant, None, result.message))
        else:
            self.post_message(self.RunFinished(variant, dict(result), None))

    @on(FeedReady)
    def _output(self, message: FeedReady) -> None:
        message.stop()
        target = message.feed.target
        lines: list[str] = []
        for item in message.feed.drain():
            lines.extend(str(item).rstrip("\n").split("\n"))
        if isinstance(target, BuildPane) and lines:
            target.output(lines[-300:])

    @on(BuildPane.StopPressed)
    def _stop_pressed(self, message: BuildPane.StopPressed) -> None:
        self.stop_variant(message.variant)

    def stop_variant(self, variant: str) -> None:
        pane = self.pane(variant)
        if pane.state == BY_HAND:
            pane.done_by_hand()
            self._maybe_compare()
            return
        if pane.state == WORKING:
            self.stops[variant].set()
            pane.query_one(".build-state", Static).update("Stopping… (what it changed so far is kept)")

    def finish(self, variant: str, event: dict[str, Any] | None, error: str | None) -> None:
        """Show how ``variant``'s run ended (also what the tests of the layout call)."""
        self.pane(variant).finish(event, error, self.monotonic())
        self._maybe_compare()

    @on(RunFinished)
    def _finished(self, message: BuildScreen.RunFinished) -> None:
        self.finish(message.variant, message.event, message.error)

    def _maybe_compare(self) -> None:
        panes = self.panes()
        if not panes or not all(p.finished for p in panes):
            return
        intro = self.query_one("#build-intro", Static)
        if self.comparison is not None and all(p.ok for p in panes[:2]):
            intro.update("[b]Both are built.[/b] Now compare them: names stay hidden until you vote.")
            if self.start_runs:
                self.action_compare()
            return
        intro.update(
            "[b]The build is over.[/b] Not every assistant finished well (see below); press [b]c[/b] to compare "
            "anyway, or [b]escape[/b] to go back to the project."
        )

    # --- progress while they work ----------------------------------------------------------------
    def tick(self) -> None:
        now = self.monotonic()
        for pane in self.panes():
            if pane.state == WORKING:
                pane.show(now)

    def poll(self) -> None:
        if any(p.state == WORKING for p in self.panes()):
            self.read_progress()

    @work(thread=True, exclusive=True, group="build-progress", exit_on_error=False)
    def read_progress(self) -> None:
        try:
            progress = progress_of(self.project, [v for _, v in self.labels])
        except (SandboxError, OSError):
            return
        self.post_message(self.ProgressRead(progress))

    @on(ProgressRead)
    def _progress(self, message: BuildScreen.ProgressRead) -> None:
        now = self.monotonic()
        for variant, progress in message.progress.items():
            pane = self.pane(variant)
            if pane.state == WORKING:
                pane.progress(len(progress.files), progress.lines_added, progress.lines_removed, progress.turns, now)

    def show_progress(self, variant: str, progress: Progress) -> None:
        """Show ``progress`` on ``variant``'s pane now (what a poll does; the layout tests call it)."""
        self.pane(variant).progress(len(progress.files), progress.lines_added, progress.lines_removed,
                                    progress.turns, self.monotonic())

    # --- keys, palette, leaving ------------------------------------------------------------------
    def action_compare(self) -> None:
        if self.compared:
            return
        if not all(p.finished for p in self.panes()):
            self.notify("They are still building; the comparison opens by itself when both are done.")
            return
        from sandbox.tui.screens.compare import CompareScreen

        self.compared = True
        self.app.switch_screen(CompareScreen(self.workspace, self.slug, comparison=self.comparison))

    def action_stop_all(self) -> None:
        for pane in self.panes():
            if pane.state == WORKING:
                self.stop_variant(pane.variant)

    def running_work(self) -> str | None:
        working = [p.label for p in self.panes() if p.state == WORKING]
        if not working:
            return None
        return f"Prototype {' and '.join(working)} {'is' if len(working) == 1 else 'are'} still being built"

    def stop_running_work(self) -> None:
        for stop in self.stops.values():
            stop.set()

    def selected_slug(self) -> str:
        return self.slug

    def palette_commands(self) -> Iterator[Command]:
        yield ("Stop every assistant", self.action_stop_all, "Stop the builds in progress (what they did is kept)")
        for pane in self.panes():
            yield (f"Stop prototype {pane.label}", lambda v=pane.variant: self.stop_variant(v),  # type: ignore[misc]
                   f"Stop the assistant building {pane.label}")
        yield ("Compare the two prototypes", self.action_compare, "Blind vote once both are built (c)")
        yield ("Back to the project", self.action_back, "Leave the build view (asks first if they still work)")

    def action_back(self) -> None:
        running = self.running_work()
        if not running:
            self.app.pop_screen()
            return
        from sandbox.tui.screens.dialogs import ConfirmDialog

        def decided(choice: str | None) -> None:
            if choice == "stop":
                self.stop_running_work()
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog(
            "Leave while they build?", f"{running}. Leaving stops them; what they changed so far is kept.",
            [("stay", "Stay", "primary"), ("stop", "Stop them and leave", "error")],
        ), decided)
