"""One side of the Build view: a variant's assistant working on the brief, labelled only A or B.

A view: the Build screen runs the assistant and tells the pane what happened (``start``,
``progress``, ``output``, ``finish``); the pane shows the state, the elapsed time, turns, files and
lines changed, the tail of the log, and a Stop button (Done, for a variant a person builds by hand).
Whatever it shows passes through the screen's redactor while the names are hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Log, Static

from sandbox.tui.format import esc, run_outcome, wrap_lines

WAITING, WORKING, DONE, FAILED, BY_HAND = "waiting", "working", "done", "failed", "by-hand"


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def turns_of(event: dict[str, Any]) -> int | None:
    """Turns of a run: the run event's own field (issue 10), else the assistant's JSON result."""
    turns = event.get("turns")
    if turns is None:
        turns = (event.get("result") or {}).get("num_turns") if isinstance(event.get("result"), dict) else None
    return turns if isinstance(turns, int) and not isinstance(turns, bool) else None


class BuildPane(Vertical):
    """``BuildPane(variant, label, title)``: ``title`` is "Prototype A" or, names shown, with the name."""

    DEFAULT_CLASSES = "build-pane"

    @dataclass
    class StopPressed(Message):
        """Stop (or, built by hand, Done) was pressed on ``variant``'s pane."""

        variant: str

    def __init__(self, variant: str, label: str, title: str, redact: Callable[[str], str]) -> None:
        super().__init__(id=f"build-{label.lower()}")
        self.variant = variant
        self.label = label
        self.title_text = title
        self.redact = redact
        self.state = WAITING
        self.started_at: float | None = None
        self.seconds: float | None = None
        self.turns: int | None = None
        self.files = 0
        self.lines_added = 0
        self.lines_removed = 0
        self.outcome = ""
        self.ok = False

    def compose(self) -> ComposeResult:
        yield Label(esc(self.title_text), classes="build-title")
        yield Static("Waiting to start…", classes="build-state")
        yield Static("", classes="build-stats")
        yield Log(max_lines=300, auto_scroll=True, classes="build-log")
        with Horizontal(classes="buttons"):
            yield Button("Stop", classes="build-stop", variant="error", compact=True)

    @on(Button.Pressed, ".build-stop")
    def _stop_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.StopPressed(self.variant))

    # --- what the screen tells the pane ---------------------------------------------------------
    def start(self, now: float) -> None:
        self.state, self.started_at = WORKING, now
        self.show(now)

    def by_hand(self) -> None:
        """No headless command (a person, or an assistant without one): built by hand, Done when finished."""
        self.state = BY_HAND
        button = self.query_one(".build-stop", Button)
        button.label = "Done"
        button.variant = "primary"
        self.query_one(".build-state", Static).update(
            "Built by hand: work on it from the project's Assistant tab, then press Done."
        )

    def progress(self, files: int, added: int, removed: int, turns: int | None, now: float) -> None:
        self.files, self.lines_added, self.lines_removed = files, added, removed
        if turns is not None:
            self.turns = turns
        self.show(now)

    def output(self, lines: list[str]) -> None:
        log = self.query_one(".build-log", Log)
        log.write_lines(wrap_lines([self.redact(line) for line in lines], log.scrollable_content_region.width))

    def finish(self, event: dict[str, Any] | None, error: str | None, now: float) -> None:
        """The run ended (``event``) or did not start (``error``)."""
        button = self.query_one(".build-stop", Button)
        button.disabled = True
        if error is not None:
            self.state, self.ok = FAILED, False
            self.outcome = f"Did not start: {error}"
        else:
            event = event or {}
            phrase, self.ok = run_outcome(event)
            self.outcome = phrase[:1].upper() + phrase[1:]
            self.state = DONE if self.ok else FAILED
            seconds = event.get("seconds")
            self.seconds = float(seconds) if isinstance(seconds, (int, float)) else None
            self.files = len({*(event.get("files_added") or []), *(event.get("files_changed") or []),
                              *(event.get("files_deleted") or [])})
            self.lines_added = int(event.get("lines_added") or 0)
            self.lines_removed = int(event.get("lines_removed") or 0)
            self.turns = turns_of(event) if turns_of(event) is not None else self.turns
        self.show(now)

    def done_by_hand(self) -> None:
        self.state, self.ok, self.outcome = DONE, True, "Marked done."
        self.query_one(".build-stop", Button).disabled = True
        self.show(0.0)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    def show(self, now: float) -> None:
        state = self.query_one(".build-state", Static)
        self.set_class(self.state == DONE, "-done")
        self.set_class(self.state == FAILED, "-failed")
        if self.state == WORKING and self.started_at is not None:
            state.update(f"Working on the brief… {clock_text(now - self.started_at)}")
        elif self.state in (DONE, FAILED):
            took = f" in {clock_text(self.seconds)}" if self.seconds is not None else ""
            mark = "✓" if self.state == DONE else "✗"
            state.update(f"{mark} {esc(self.redact(self.outcome))}{took}")
        turns = "-" if self.turns is None else str(self.turns)
        self.query_one(".build-stats", Static).update(
            f"Turns {turns} · Files {self.files} · Lines +{self.lines_added} -{self.lines_removed}"
        )
