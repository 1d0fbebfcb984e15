"""The Assistant tab: sessions, launching the assistant here, or letting it work on its own.

- Start/end a session on the chosen variant (``sandbox.assistants.sessions``); ending asks for a short
  rating on the rubric (``sandbox.compare.ratings.rate``) besides the session's own score and note.
- "Open the assistant here" suspends the app, runs the assistant's interactive command in the
  variant's folder inside a session, and comes back to the rating form when it exits.
- "Let it work on its own" runs the headless command in a worker with a spinner, the elapsed time
  and the tail of its output; the UI stays responsive throughout.

The pane handles its own buttons; what the project screen must hear (a session started or ended,
so the overview refreshes) bubbles up as ``AssistantPane.SessionChanged``.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import getters, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Log, Select, Static

from sandbox.assistants import interactive, launch, runs, sessions
from sandbox.compare import ratings, rubric
from sandbox.compare.blind import assistant_name
from sandbox.core.errors import SandboxError
from sandbox.tui.app import SandboxApp
from sandbox.tui.feed import Feed
from sandbox.tui.format import ago, esc, run_outcome, wrap_lines
from sandbox.tui.messages import FeedReady
from sandbox.tui.screens.dialogs import Rating, RatingDialog

if TYPE_CHECKING:
    from sandbox.workspace import Project, Workspace

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class AssistantPane(Vertical):
    app = getters.app(SandboxApp)

    @dataclass
    class SessionChanged(Message):
        """A session on ``variant`` started or ended (``event`` is its ledger event; None when it failed)."""

        variant: str
        event: dict[str, Any] | None = None

    @dataclass
    class RunFinished(Message):
        """The headless run on ``variant`` ended (``event``: its ledger event) or did not start (``error``)."""

        variant: str
        event: dict[str, Any] | None
        error: str | None

    def __init__(self, workspace: Workspace, project: Project) -> None:
        super().__init__(id="assistant-pane")
        self.workspace = workspace
        self.project = project
        self.running: str | None = None  # variant of the headless run in progress
        self.run_started = 0.0
        self.cancel: threading.Event | None = None
        self.feed: Feed[str] = Feed(self)

    def compose(self) -> ComposeResult:
        variants = self.project.variant_ids()
        yield Label("Which variant?", classes="field-label")
        yield Select(
            [(f"{assistant_name(self.workspace, v)}  ({v})", v) for v in variants],
            value=variants[0] if variants else Select.NULL,
            allow_blank=not variants,
            id="assistant-variant",
        )
        yield Static("", id="session-status")
        with Horizontal(classes="buttons"):
            yield Button("Start session", id="session-start", variant="primary", compact=True)
            yield Button("End session…", id="session-end", compact=True)
        with Horizontal(classes="buttons"):
            yield Button("Open the assistant here", id="assistant-launch", compact=True)
            yield Button("Let it work on its own", id="assistant-run", compact=True)
            yield Button("Stop it", id="assistant-stop", variant="error", classes="hidden", compact=True)
        yield Static("", id="run-status")
        yield Log(id="run-log", max_lines=500, auto_scroll=True)

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(0.2, self._tick)

    @property
    def variant(self) -> str | None:
        value = self.query_one("#assistant-variant", Select).value
        return value if isinstance(value, str) else None

    # --- status ----------------------------------------------------------------------------
    def refresh_status(self) -> None:
        status = self.query_one("#session-status", Static)
        variant = self.variant
        if variant is None:
            status.update("This project has no variants.")
            return
        if self.running is not None and self.running == variant:
            # The run opened its own session; starting or ending one by hand now would only fail.
            status.update(
                f"{esc(assistant_name(self.workspace, variant))} is working on its own. Wait for it to "
                "finish, or press Stop it."
            )
            for wid in ("#session-start", "#session-end", "#assistant-launch"):
                self.query_one(wid, Button).disabled = True
            return
        self.query_one("#assistant-launch", Button).disabled = False
        try:
            open_event = sessions.open_session(self.project, variant)
        except SandboxError as exc:
            status.update(esc(str(exc)))
            return
        name = assistant_name(self.workspace, variant)
        if open_event is None:
            status.update(
                f"No session open. Start one before {esc(name)} works on this variant, so its changes are "
                "credited to it."
            )
        elif open_event.get("mode") == "run":
            status.update(f"{esc(name)} is working on its own (started {ago(open_event.get('at'), self.app.clock())}).")
        else:
            status.update(
                f"[b]Session open[/b] with {esc(name)} since {ago(open_event.get('at'), self.app.clock())}. "
                "End it when the assistant is done."
            )
        self.query_one("#session-start", Button).disabled = open_event is not None
        self.query_one("#session-end", Button).disabled = open_event is None or open_event.get("mode") == "run"

    def first_action(self) -> Widget:
        """The control to start with: Start session, or End session when one is open, else the variant."""
        for wid in ("#session-start", "#session-end"):
            button = self.query_one(wid, Button)
            if not button.disabled:
                return button
        return self.query_one("#assistant-variant", Select)

    @on(Select.Changed, "#assistant-variant")
    def _variant_changed(self) -> None:
        self.refresh_status()

    def _tick(self) -> None:
        if self.running is None:
            return
        elapsed = int(time.monotonic() - self.run_started)
        frame = SPINNER[int(time.monotonic() * 10) % len(SPINNER)]
        self.query_one("#run-status", Static).update(
            f"{frame} {esc(assistant_name(self.workspace, self.running))} is working on its own: "
            f"{elapsed // 60}:{elapsed % 60:02d}"
        )

    # --- sessions --------------------------------------------------------------------------
    @on(Button.Pressed, "#session-start")
    def _start_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.variant:
            self.start_session(self.variant)

    def run_assistant_action(self, action: str) -> None:
        """Entry point for the command palette: start, end, launch, run."""
        variant = self.variant
        if variant is None:
            return
        if action == "start":
            self.start_session(variant)
        elif action == "end":
            self.ask_rating_and_end(variant)
        elif action == "launch":
            self.launch_interactive()
        elif action == "run":
            self.start_headless()

    @work(thread=True, group="session", exit_on_error=False)
    def start_session(self, variant: str) -> None:
        try:
            event = sessions.start_session(self.project, variant, by=self.app.user)
        except Exception as exc:  # noqa: BLE001 - SandboxError or OSError: shown, never a crash
            self.notify(str(exc), severity="error")  # posts a message: safe from a worker
            return
        self.post_message(self.SessionChanged(variant, event))

    @on(Button.Pressed, "#session-end")
    def _end_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.variant:
            self.ask_rating_and_end(self.variant)

    def ask_rating_and_end(self, variant: str, *, must_end: bool = False) -> None:
        """Ask for the rating, then end the session; ``must_end``: closing the form ends it unrated
        (the assistant the session confined has exited; leaving it open would credit later hand edits).
        """
        criteria = None
        try:
            criteria = [(c.id, c.label, c.hint) for c in rubric.rubric(self.workspace)]
        except SandboxError as exc:
            self.notify(f"The rubric in sandbox.yaml has a problem: {exc}", severity="warning")

        def decided(result: Rating | None) -> None:
            if result is None and must_end:
                result = {"skip": True}
            if result is None:
                self.notify("The session is still open.")
                return
            self.end_session(variant, result, rubric=criteria is not None)

        self.app.push_screen(RatingDialog(assistant_name(self.workspace, variant), criteria), decided)

    @work(thread=True, group="session", exit_on_error=False)
    def end_session(self, variant: str, result: Rating, rubric: bool) -> None:
        user = self.app.user
        scores = result.get("scores") or {}
        rated = not result.get("skip") and bool(scores)
        score = result.get("score")
        note = result.get("note") or None
        try:
            event = sessions.end_session(
                self.project, variant,
                score=round(score) if rated and score is not None else None,
                note=note if not result.get("skip") else None,
                by=user,
            )
            if rated and rubric:
                ratings.rate(
                    self.workspace, self.project.slug, variant, scores,
                    minutes=result.get("minutes"), note=note, by=user,
                )
        except Exception as exc:  # noqa: BLE001 - SandboxError or OSError: shown, never a crash
            self.notify(str(exc), severity="error")
            self.post_message(self.SessionChanged(variant, None))
            return
        self.post_message(self.SessionChanged(variant, event))

    @on(SessionChanged)
    def _session_changed(self, message: AssistantPane.SessionChanged) -> None:
        # Let it bubble to the screen too (the overview refreshes).
        self.refresh_status()
        focused = self.app.focused
        if focused is None or focused.disabled:  # the pressed button turned off: focus is not lost
            self.first_action().focus()
        event = message.event or {}
        if event.get("kind") == "session_ended":
            changed = len(event.get("files_added") or []) + len(event.get("files_changed") or [])
            self.notify(f"Session ended: {changed} file(s) changed, +{event.get('lines_added', 0)} "
                        f"-{event.get('lines_removed', 0)} lines.")
        elif event.get("kind") == "session_started":
            self.notify("Session started. Changes in this variant are now credited to its assistant.")

    # --- interactive launch ----------------------------------------------------------------
    @on(Button.Pressed, "#assistant-launch")
    def _launch_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.launch_interactive()

    def launch_interactive(self) -> None:
        """Hand the terminal to the assistant, confined, inside a session; then the rating form.

        The same door as ``sandbox open`` (``interactive.begin``): the fairness check of the briefs,
        the confinement (or its notice, said once), and a session whose close looks for changes
        outside the variant. A session opened by hand is refused rather than reused: that span was
        not confined, so the assistant would run with the whole file system writable.
        """
        variant = self.variant
        if variant is None:
            return
        status = self.query_one("#run-status", Static)
        open_event = sessions.open_session(self.project, variant)
        if open_event is not None:
            status.update("[b]A session is already open on this variant.[/b] End it first (End session…), "
                          "then open the assistant here, so the sandbox can start it confined.")
            return
        try:
            assistant = self.workspace.registry.get(variant)
            brief = (launch.check_fairness(self.project, variant, assistant, allow=False)
                     if assistant is not None else {})
            opened = interactive.begin(self.workspace, self.project, variant, by=self.app.user, extra=brief)
        except SandboxError as exc:
            status.update(f"[b]Cannot start it:[/b] {esc(str(exc))}")
            return
        notice = self.app.notice_once(opened.notice)
        code: int | None = None
        try:
            code = self.hand_over(opened)
        except Exception as exc:  # noqa: BLE001 - e.g. no terminal to hand over (SuspendNotSupported)
            status.update(f"[b]Could not open the assistant here:[/b] {esc(str(exc))}")
            self.end_session(variant, {"skip": True}, rubric=False)  # nothing ran: the session must not stay open
            return
        said = f" {esc(notice)}" if notice else ""
        status.update(f"The assistant exited (code {code}).{said}")
        self.refresh_status()
        self.ask_rating_and_end(variant, must_end=True)

    def hand_over(self, opened: interactive.Launch) -> int:
        """Suspend the app and run the (confined) assistant in the terminal until it exits."""
        with self.app.suspend():
            return subprocess.run(opened.argv, cwd=opened.cwd, env=opened.env, check=False).returncode

    # --- headless run ----------------------------------------------------------------------
    @on(Button.Pressed, "#assistant-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.start_headless()

    def start_headless(self) -> None:
        variant = self.variant
        if variant is None:
            return
        if self.running is not None:
            self.notify("A run is already in progress.")
            return
        self.running = variant
        self.run_started = time.monotonic()
        self.query_one("#run-log", Log).clear()
        self.query_one("#assistant-run", Button).disabled = True
        self.query_one("#assistant-stop", Button).remove_class("hidden")
        self.cancel = threading.Event()
        self.refresh_status()
        self.run_headless(variant, self.cancel)

    @on(Button.Pressed, "#assistant-stop")
    def _stop_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.stop_run()

    def stop_run(self) -> None:
        """Stop the headless run in progress (what it changed so far is kept and recorded)."""
        if self.cancel is not None:
            self.cancel.set()
            self.query_one("#run-status", Static).update("Stopping the assistant…")

    def running_work(self) -> str | None:
        """What is still working in the background, in words, or None."""
        if self.running is None:
            return None
        return f"{assistant_name(self.workspace, self.running)} is still working on its own"

    @work(thread=True, group="headless", exit_on_error=False)
    def run_headless(self, variant: str, cancel: threading.Event) -> None:
        try:
            event = runs.run_headless(
                self.workspace, self.project, variant, timeout=runs.DEFAULT_TIMEOUT,
                on_output=lambda _variant, line: self.feed.push(line),
                by=self.app.user, cancel=cancel,
            )
        except SandboxError as exc:
            self.post_message(self.RunFinished(variant, None, str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - an OS problem: said in the pane, never a crash
            self.post_message(self.RunFinished(variant, None, f"the run failed: {exc}"))
            return
        self.post_message(self.RunFinished(variant, event, None))

    @on(FeedReady)
    def _output(self, message: FeedReady) -> None:
        message.stop()
        lines: list[str] = []
        for item in message.feed.drain():
            lines.extend(str(item).rstrip("\n").split("\n"))
        if lines:
            log = self.query_one("#run-log", Log)
            log.write_lines(wrap_lines(lines[-500:], log.scrollable_content_region.width)[-500:])

    @on(RunFinished)
    def _run_finished(self, message: AssistantPane.RunFinished) -> None:
        self.running = None
        self.cancel = None
        self.query_one("#assistant-run", Button).disabled = False
        self.query_one("#assistant-stop", Button).add_class("hidden")
        status = self.query_one("#run-status", Static)
        if message.error:
            status.update(f"[b]The run did not start:[/b] {esc(message.error)}")
        else:
            event = message.event or {}
            seconds = event.get("seconds")
            took = f" after {seconds:.0f} s" if isinstance(seconds, (int, float)) else ""
            outcome, _ = run_outcome(event)
            changed = len(event.get("files_added") or []) + len(event.get("files_changed") or [])
            status.update(
                f"The assistant {outcome}{took}: {changed} file(s) changed. Open the Preview tab to see the result."
            )
        self.refresh_status()
        self.post_message(self.SessionChanged(message.variant, message.event))
