"""The Assistant tab: sessions, launching the assistant here, or letting it work on its own.

- Start/end a session on the chosen variant (``sandbox.assistants.sessions``); ending asks for a short rating
  (``sandbox.compare.feedback.rate`` on the rubric when available, else the session's own score and note).
- "Open the assistant here" suspends the app, runs the assistant's interactive command in the
  variant's folder inside a session, and comes back to the rating form when it exits.
- "Let it work on its own" runs the headless command in a worker with a spinner, the elapsed time
  and the tail of its output; the UI stays responsive throughout.
"""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Log, Select, Static

from sandbox.core.errors import SandboxError
from sandbox.tui.feed import Feed
from sandbox.tui.format import ago, wrap_lines
from sandbox.tui.messages import FeedReady, RunFinished, SessionChanged
from sandbox.tui.overview import assistant_name, optional

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
HEADLESS_TIMEOUT = 15 * 60  # runs.DEFAULT_TIMEOUT when the module is there


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


class AssistantPane(Vertical):
    def __init__(self, workspace: Any, project: Any) -> None:
        super().__init__(id="assistant-pane")
        self.workspace = workspace
        self.project = project
        self.sessions = optional("sessions")
        self.runs = optional("runs")
        self.feedback = optional("feedback")
        self.running: str | None = None  # variant of the headless run in progress
        self.run_started = 0.0
        self.cancel: threading.Event | None = None
        self.feed = Feed(self)

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
        if self.sessions is None:
            for wid in ("#session-start", "#session-end", "#assistant-launch", "#assistant-run"):
                self.query_one(wid, Button).disabled = True
        if self.runs is None:
            self.query_one("#assistant-launch", Button).disabled = True
            self.query_one("#assistant-run", Button).disabled = True
        self.refresh_status()
        self.set_interval(0.2, self._tick)

    @property
    def variant(self) -> str | None:
        value = self.query_one("#assistant-variant", Select).value
        return value if isinstance(value, str) else None

    # --- status ----------------------------------------------------------------------------
    def refresh_status(self) -> None:
        status = self.query_one("#session-status", Static)
        if self.sessions is None:
            status.update("Sessions are not available in this installation yet.")
            return
        variant = self.variant
        if variant is None:
            status.update("This project has no variants.")
            return
        if self.running is not None and self.running == variant:
            # The run opened its own session; starting or ending one by hand now would only fail.
            status.update(
                f"{_esc(assistant_name(self.workspace, variant))} is working on its own. Wait for it to "
                "finish, or press Stop it."
            )
            for wid in ("#session-start", "#session-end", "#assistant-launch"):
                self.query_one(wid, Button).disabled = True
            return
        self.query_one("#assistant-launch", Button).disabled = self.runs is None
        try:
            open_event = self.sessions.open_session(self.project, variant)
        except SandboxError as exc:
            status.update(_esc(str(exc)))
            return
        name = assistant_name(self.workspace, variant)
        if open_event is None:
            status.update(
                f"No session open. Start one before {_esc(name)} works on this variant, so its changes are "
                "credited to it."
            )
        elif open_event.get("mode") == "run":
            status.update(f"{_esc(name)} is working on its own (started {ago(open_event.get('at'), self.app.clock())}).")  # type: ignore[attr-defined]
        else:
            status.update(
                f"[b]Session open[/b] with {_esc(name)} since {ago(open_event.get('at'), self.app.clock())}. "  # type: ignore[attr-defined]
                "End it when the assistant is done."
            )
        self.query_one("#session-start", Button).disabled = open_event is not None
        self.query_one("#session-end", Button).disabled = open_event is None or open_event.get("mode") == "run"

    @on(Select.Changed, "#assistant-variant")
    def _variant_changed(self) -> None:
        self.refresh_status()

    def _tick(self) -> None:
        if self.running is None:
            return
        elapsed = int(time.monotonic() - self.run_started)
        frame = SPINNER[int(time.monotonic() * 10) % len(SPINNER)]
        self.query_one("#run-status", Static).update(
            f"{frame} {_esc(assistant_name(self.workspace, self.running))} is working on its own: "
            f"{elapsed // 60}:{elapsed % 60:02d}"
        )

    # --- sessions --------------------------------------------------------------------------
    @on(Button.Pressed, "#session-start")
    def _start_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.variant:
            self.start_session(self.variant)

    def run_action(self, action: str) -> None:
        """Entry point for the command palette: start, end, launch, run."""
        if self.sessions is None or (action in ("launch", "run") and self.runs is None):
            self.notify("This is not available in this installation yet.")
            return
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
            event = self.sessions.start_session(self.project, variant, by=self.app.user)  # type: ignore[attr-defined,union-attr]
        except Exception as exc:  # noqa: BLE001 - SandboxError or OSError: shown, never a crash
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(SessionChanged(variant, event))

    @on(Button.Pressed, "#session-end")
    def _end_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.variant:
            self.ask_rating_and_end(self.variant)

    def ask_rating_and_end(self, variant: str) -> None:
        from sandbox.tui.widgets.dialogs import RatingDialog

        criteria = None
        if self.feedback is not None:
            try:
                criteria = [(c.id, c.label, c.hint) for c in self.feedback.rubric(self.workspace)]
            except SandboxError as exc:
                self.notify(f"The rubric in sandbox.yaml has a problem: {exc}", severity="warning")

        def decided(result: dict[str, Any] | None) -> None:
            if result is None:
                self.notify("The session is still open.")
                return
            self.end_session(variant, result, rubric=criteria is not None)

        self.app.push_screen(RatingDialog(assistant_name(self.workspace, variant), criteria), decided)

    @work(thread=True, group="session", exit_on_error=False)
    def end_session(self, variant: str, result: dict[str, Any], rubric: bool) -> None:
        user = self.app.user  # type: ignore[attr-defined]
        rated = not result.get("skip") and bool(result.get("scores"))
        score = result.get("score")
        note = result.get("note") or None
        try:
            event = self.sessions.end_session(  # type: ignore[union-attr]
                self.project, variant,
                score=int(round(score)) if rated and score is not None else None,
                note=note if not result.get("skip") else None,
                by=user,
            )
            if rated and rubric and self.feedback is not None:
                self.feedback.rate(
                    self.workspace, self.project.slug, variant, result["scores"],
                    minutes=result.get("minutes"), note=note, by=user,
                )
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            self.post_message(SessionChanged(variant, None))
            return
        self.post_message(SessionChanged(variant, event))

    @on(SessionChanged)
    def _session_changed(self, message: SessionChanged) -> None:
        # Let it bubble to the screen too (the overview refreshes).
        self.refresh_status()
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
        """Hand the terminal to the assistant (inside a session) and come back to the rating form."""
        variant = self.variant
        if variant is None or self.runs is None or self.sessions is None:
            return
        try:
            argv = self.runs.launch_argv(self.workspace, self.project, variant)
            if self.sessions.open_session(self.project, variant) is None:
                self.sessions.start_session(self.project, variant, by=self.app.user)  # type: ignore[attr-defined]
        except SandboxError as exc:
            self.query_one("#run-status", Static).update(f"[b]Cannot start it:[/b] {_esc(str(exc))}")
            return
        code: int | None = None
        try:
            with self.app.suspend():
                code = subprocess.run(argv, cwd=self.project.variant_dir(variant)).returncode
        except Exception as exc:  # noqa: BLE001 - e.g. no terminal to hand over (SuspendNotSupported)
            self.query_one("#run-status", Static).update(f"[b]Could not open the assistant here:[/b] {_esc(str(exc))}")
            self.refresh_status()
            return
        self.query_one("#run-status", Static).update(f"The assistant exited (code {code}).")
        self.refresh_status()
        self.ask_rating_and_end(variant)

    # --- headless run ----------------------------------------------------------------------
    @on(Button.Pressed, "#assistant-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.start_headless()

    def start_headless(self) -> None:
        variant = self.variant
        if variant is None or self.runs is None:
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
        timeout = getattr(self.runs, "DEFAULT_TIMEOUT", HEADLESS_TIMEOUT)
        try:
            event = self.runs.run_headless(  # type: ignore[union-attr]
                self.workspace, self.project, variant, timeout=timeout,
                on_output=lambda _variant, line: self.feed.push(line),
                by=self.app.user, cancel=cancel,  # type: ignore[attr-defined]
            )
        except SandboxError as exc:
            self.post_message(RunFinished(variant, None, str(exc)))
            return
        except Exception as exc:  # noqa: BLE001
            self.post_message(RunFinished(variant, None, f"the run failed: {exc}"))
            return
        self.post_message(RunFinished(variant, event, None))

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
    def _run_finished(self, message: RunFinished) -> None:
        self.running = None
        self.cancel = None
        self.query_one("#assistant-run", Button).disabled = False
        self.query_one("#assistant-stop", Button).add_class("hidden")
        status = self.query_one("#run-status", Static)
        if message.error:
            status.update(f"[b]The run did not start:[/b] {_esc(message.error)}")
        else:
            event = message.event or {}
            seconds = event.get("seconds")
            took = f" after {seconds:.0f} s" if isinstance(seconds, (int, float)) else ""
            if event.get("interrupted"):
                outcome = "was stopped"
            elif event.get("timed_out"):
                outcome = "ran out of time"
            elif event.get("error") or event.get("exit_code") not in (0, None):
                outcome = f"stopped with a problem (exit code {event.get('exit_code')})"
            else:
                outcome = "finished"
            changed = len(event.get("files_added") or []) + len(event.get("files_changed") or [])
            status.update(
                f"The assistant {outcome}{took}: {changed} file(s) changed. Open the Preview tab to see the result."
            )
        self.refresh_status()
        self.post_message(SessionChanged(message.variant, message.event))
