"""Dialogs: ``ModalScreen``s that ``dismiss`` with the user's choice.

Each shows its own footer, so the keys listed are the dialog's, not those of the screen underneath
(which do not work while it is open).
"""

from __future__ import annotations

import difflib
from typing import ClassVar, Literal, TypedDict

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from sandbox.tui.format import esc

ButtonVariant = Literal["default", "primary", "success", "warning", "error"]


class ConfirmDialog(ModalScreen[str | None]):
    """A question with a few buttons; dismisses with the chosen button's id (None on escape)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, text: str, buttons: list[tuple[str, str, ButtonVariant]]) -> None:
        super().__init__()
        self.title_text = title
        self.body = text
        self.buttons = buttons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                for key, label, variant in self.buttons:
                    yield Button(label, id=f"choice-{key}", variant=variant)
        yield Footer()  # this dialog's keys, not those of the screen underneath (they do not work here)

    def on_mount(self) -> None:
        self.query(Button).first().focus()  # the first answer (the safe one): enter answers at once

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictDialog(ModalScreen[str]):
    """project.yaml changed on disk while the editor had unsaved edits: keep mine or take theirs.

    Whatever is chosen, the other version is saved beside project.yaml by the caller, so nothing is
    lost. "Show differences" shows them before deciding; escape keeps my edits (the safe answer).
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "keep_mine", "Keep my edits")]

    def __init__(self, mine: str, theirs: str) -> None:
        super().__init__()
        self.mine = mine
        self.theirs = theirs

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="conflict-box"):
            yield Label("project.yaml changed on disk", classes="dialog-title")
            yield Static(
                "Someone (another editor or an assistant) saved project.yaml while you had unsaved "
                "changes here. Choose which version to keep; the other one is saved beside "
                "project.yaml so nothing is lost.",
                classes="dialog-body",
            )
            with VerticalScroll(id="conflict-diff", classes="hidden"):
                yield Static(self._diff(), id="conflict-diff-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep my edits", id="conflict-mine", variant="primary")
                yield Button("Use disk version", id="conflict-theirs", variant="warning")
                yield Button("Show differences", id="conflict-both")
        yield Footer()

    def on_mount(self) -> None:
        # Not the (hidden) differences box: enter must answer the question right away.
        self.query_one("#conflict-mine", Button).focus()

    def _diff(self) -> str:
        diff = "\n".join(difflib.unified_diff(
            self.theirs.splitlines(), self.mine.splitlines(), "on disk", "your edits", lineterm=""
        ))
        return _colour_diff(diff) or "The two versions are the same."

    @on(Button.Pressed, "#conflict-both")
    def _both(self) -> None:
        self.query_one("#conflict-diff").toggle_class("hidden")
        # With the differences shown the box takes the height it may and the list scrolls inside,
        # so the buttons stay on screen in a small terminal.
        self.query_one("#conflict-box").toggle_class("with-diff")

    @on(Button.Pressed, "#conflict-mine")
    def _mine(self) -> None:
        self.dismiss("mine")

    def action_keep_mine(self) -> None:
        self.dismiss("mine")  # the safe answer: the version on disk is saved beside project.yaml

    @on(Button.Pressed, "#conflict-theirs")
    def _theirs(self) -> None:
        self.dismiss("theirs")


class Rating(TypedDict, total=False):
    """What the rating form gives back: ``skip`` alone to end without rating, else the rest."""

    skip: bool
    scores: dict[str, int]  # criterion id -> 1..5, only the criteria that were rated
    score: float | None  # their mean
    note: str
    minutes: int | None


SCORE_OPTIONS = [
    ("1 - poor", 1), ("2 - weak", 2), ("3 - okay", 3), ("4 - good", 4), ("5 - great", 5),
]


class RatingDialog(ModalScreen[Rating | None]):
    """A short rating form shown when a session ends.

    ``criteria`` are ``(id, label, hint)`` from ``feedback.rubric`` when that exists, otherwise a
    single overall score. Dismisses with a ``Rating`` (``{"skip": True}`` to end without rating), or
    None to keep the session open.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Keep working"),
        Binding("ctrl+s", "save", "Save and end"),
        Binding("ctrl+e", "skip", "End without rating"),
    ]

    def __init__(self, variant_label: str, criteria: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__()
        self.variant_label = variant_label
        self.criteria = criteria or [("overall", "Overall", "How good is this prototype, all in all?")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="rating-box"):
            yield Label(f"How did it go with {esc(self.variant_label)}?", classes="dialog-title")
            yield Static(
                "Score what you see from 1 to 5; leave a criterion unrated if you are unsure. "
                "[b]ctrl+s[/b] saves and ends, [b]ctrl+e[/b] ends without rating, "
                "[b]escape[/b] keeps the session open.",
                classes="field-help",
            )
            with VerticalScroll(id="rating-fields"):
                for key, label, hint in self.criteria:
                    yield Label(esc(label), classes="field-label")
                    if hint:
                        yield Static(esc(hint), classes="field-help")
                    yield Select(SCORE_OPTIONS, prompt="Not rated", id=f"score-{key}", classes="score", compact=True)
                yield Label("Minutes you spent (optional)", classes="field-label")
                yield Input(type="integer", id="rating-minutes", placeholder="e.g. 15")
                yield Label("A note (optional)", classes="field-label")
                yield Input(id="rating-note", placeholder="What was good or bad?")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save and end", id="rating-save", variant="primary")
                yield Button("End without rating", id="rating-skip")
                yield Button("Keep working", id="rating-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query(".score").first().focus()  # the first question, not the scroll area around it

    def result(self) -> Rating:
        scores: dict[str, int] = {}
        for key, _, _ in self.criteria:
            value = self.query_one(f"#score-{key}", Select).value
            if isinstance(value, int):
                scores[key] = value
        minutes_text = self.query_one("#rating-minutes", Input).value.strip()
        minutes = int(minutes_text) if minutes_text.lstrip("-").isdigit() else None
        score = round(sum(scores.values()) / len(scores), 2) if scores else None
        return {"scores": scores, "score": score, "note": self.query_one("#rating-note", Input).value.strip(),
                "minutes": minutes}

    @on(Button.Pressed, "#rating-save")
    def action_save(self) -> None:
        self.dismiss(self.result())

    @on(Button.Pressed, "#rating-skip")
    def action_skip(self) -> None:
        self.dismiss({"skip": True})

    @on(Button.Pressed, "#rating-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DifferenceDialog(ModalScreen[str | None]):
    """A file a re-render could not update: the difference, then take the new version or keep the edit."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, sentence: str, diff: str, who: str) -> None:
        super().__init__()
        self.sentence = sentence
        self.diff = diff
        self.who = who

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog with-diff", id="difference-box"):
            yield Label("A file did not get your latest changes", classes="dialog-title")
            yield Static(esc(self.sentence), classes="dialog-body")
            with VerticalScroll(id="difference-text"):
                yield Static(_colour_diff(self.diff))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Take the new version", id="difference-take", variant="warning")
                yield Button(f"Keep {esc(self.who)}'s", id="difference-keep", variant="primary")
                yield Button("Close", id="difference-close")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#difference-take", Button).focus()

    @on(Button.Pressed, "#difference-take")
    def _take(self) -> None:
        self.dismiss("take")

    @on(Button.Pressed, "#difference-keep")
    def _keep(self) -> None:
        self.dismiss("keep")

    @on(Button.Pressed, "#difference-close")
    def action_close(self) -> None:
        self.dismiss(None)


def _colour_diff(diff: str) -> str:
    """A unified diff with added lines green and removed lines red (markup-safe)."""
    lines = []
    for line in diff.splitlines():
        text = esc(line)
        if line.startswith("+") and not line.startswith("+++"):
            lines.append(f"[$success]{text}[/]")
        elif line.startswith("-") and not line.startswith("---"):
            lines.append(f"[$error]{text}[/]")
        else:
            lines.append(text)
    return "\n".join(lines)
