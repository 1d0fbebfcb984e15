"""Files a re-render could not update, said in plain words with what to do about each.

"Claude Code changed index.html, so your latest change to the idea did not reach it": then see the
difference, take the new version, or keep the assistant's. The work is ``sandbox.make.conflicts``'s
(in workers); the box tells the screen when something was resolved (``Resolved``), which refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from sandbox.compare.blind import assistant_name
from sandbox.core.errors import SandboxError
from sandbox.make import conflicts
from sandbox.tui.format import esc

if TYPE_CHECKING:
    from sandbox.make.conflicts import Conflict
    from sandbox.workspace import Project, Workspace


def conflict_sentence(who: str, conflict: Conflict) -> str:
    return (f"{who} changed {conflict.path}, so your latest change to the idea did not reach it "
            f"(the new version waits beside it as {conflict.new_path}).")


class ConflictsBox(Vertical):
    """One line and three buttons per file waiting; nothing shown when there is none."""

    @dataclass
    class Resolved(Message):
        """A conflict was resolved (or could not be; ``error`` says why)."""

        error: str | None = None

    def __init__(self, workspace: Workspace, project: Project) -> None:
        super().__init__(id="conflicts", classes="hidden")
        self.workspace = workspace
        self.project = project
        self.items: list[Conflict] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="conflicts-title", classes="section-title")
        yield Vertical(id="conflicts-list")

    async def show(self, found: list[Conflict]) -> None:
        self.items = list(found)
        self.set_class(not found, "hidden")
        box = self.query_one("#conflicts-list", Vertical)
        await box.remove_children()
        if not found:
            return
        self.query_one("#conflicts-title", Static).update(
            f"{len(found)} file{'s' if len(found) != 1 else ''} did not get your latest changes")
        rows = []
        for index, conflict in enumerate(found):
            who = assistant_name(self.workspace, conflict.variant)
            rows.append(Vertical(
                Static(esc(conflict_sentence(who, conflict)), classes="conflict-text"),
                Horizontal(
                    Button("See the difference", id=f"diff-{index}", classes="conflict-diff", compact=True),
                    Button("Take the new version", id=f"take-{index}", classes="conflict-take", variant="warning",
                           compact=True),
                    Button(f"Keep {who}'s", id=f"keep-{index}", classes="conflict-keep", compact=True),
                    classes="buttons",
                ),
                classes="conflict",
            ))
        await box.mount_all(rows)

    def _conflict(self, button: Button) -> Conflict:
        return self.items[int((button.id or "-0").rsplit("-", 1)[1])]

    @on(Button.Pressed, ".conflict-diff")
    def _diff(self, event: Button.Pressed) -> None:
        event.stop()
        conflict = self._conflict(event.button)
        try:
            text = conflicts.difference(self.project, conflict)
        except (SandboxError, OSError) as exc:
            self.notify(str(exc), severity="error")
            return
        from sandbox.tui.screens.dialogs import DifferenceDialog

        who = assistant_name(self.workspace, conflict.variant)

        def decided(choice: str | None) -> None:
            if choice in ("take", "keep"):
                self.resolve(conflict, choice)

        self.app.push_screen(DifferenceDialog(conflict_sentence(who, conflict), text, who), decided)

    @on(Button.Pressed, ".conflict-take")
    def _take(self, event: Button.Pressed) -> None:
        event.stop()
        self.resolve(self._conflict(event.button), "take")

    @on(Button.Pressed, ".conflict-keep")
    def _keep(self, event: Button.Pressed) -> None:
        event.stop()
        self.resolve(self._conflict(event.button), "keep")

    @work(thread=True, group="conflicts", exit_on_error=False)
    def resolve(self, conflict: Conflict, choice: str) -> None:
        try:
            if choice == "take":
                conflicts.take_new(self.project, conflict)
            else:
                conflicts.keep_edited(self.project, conflict)
        except (SandboxError, OSError) as exc:
            self.post_message(self.Resolved(str(exc)))
            return
        what = "took the new version of" if choice == "take" else "kept the edited"
        self.notify(f"{what.capitalize()} {conflict.variant}/{conflict.path}.")
        self.post_message(self.Resolved())
