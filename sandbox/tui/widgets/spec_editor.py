"""The Spec tab: project.yaml in an editor that validates as you type and never loses a version.

- The buffer is checked 0.3 s after the last keystroke (in a worker); the error, with line and
  column, shows under the editor and F8 puts the cursor on it.
- ctrl+s saves atomically. A buffer with a problem is not saved on the first ctrl+s: the message
  says what is wrong and that a second ctrl+s saves anyway. Why: people who do not write YAML expect
  Save to save (refusing would risk their work), but they should know first; saving an invalid spec
  is harmless because the prototypes keep their last good version until it is fixed.
- project.yaml is polled every 0.5 s (one ``stat``). A change on disk is loaded when the buffer has
  no unsaved edits; otherwise a dialog lets the person keep theirs or take the other version, and
  the version not kept is written beside project.yaml (``project.yaml.mine-<time>`` /
  ``project.yaml.theirs-<time>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from sandbox.core.errors import SandboxError
from sandbox.make import spec_edit
from sandbox.make.yaml_hints import plain_error
from sandbox.tui.format import error_where, esc

if TYPE_CHECKING:
    from sandbox.workspace import Project, Workspace

NOT_SAVED_NOTE = (
    "Not saved yet: fix it, or press ctrl+s again to save anyway (the prototypes keep their "
    "last good version)."
)


class SpecEditor(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("f8", "goto_error", "Go to error"),
    ]

    @dataclass
    class Saved(Message):
        """The spec was written; ``valid`` tells whether it passed the checks."""

        valid: bool

    @dataclass
    class Reloaded(Message):
        """The editor took a new version from disk."""

    @dataclass
    class Checked(Message):
        """The buffer ``text`` was validated (in a worker); ``error`` is None when it is fine."""

        text: str
        error: SandboxError | None

    @dataclass
    class SaveFinished(Message):
        """A save (in a worker) wrote ``text`` (``result``) or did not (``error``)."""

        text: str
        result: spec_edit.SaveResult | None
        error: Exception | None

    def __init__(self, workspace: Workspace, project: Project, *, poll_interval: float = 0.5) -> None:
        super().__init__(id="spec-editor")
        self.workspace = workspace
        self.project = project
        self.poll_interval = poll_interval
        self.saved_text = ""
        self.stamp = spec_edit.SpecStamp.missing()
        self.error: SandboxError | None = None
        self.polls = 0  # how often project.yaml was looked at (tests wait for a poll instead of sleeping)
        self.force_text: str | None = None  # the buffer the user was warned about; ctrl+s again saves it
        self.conflict_open = False
        self.saving = False
        self._check_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="spec-status")
        yield TextArea(
            "", language="yaml", show_line_numbers=True, soft_wrap=True, tab_behavior="focus", id="spec-text",
            theme="css",
        )
        yield Static("", id="spec-error")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#spec-text", TextArea)

    def on_mount(self) -> None:
        try:
            text, self.stamp = spec_edit.read_spec_text(self.project)
        except SandboxError as exc:
            text, self.stamp = "", spec_edit.SpecStamp.missing()
            self.notify(str(exc), severity="error")
        self.saved_text = text
        self.text_area.load_text(text)
        self.show_status()
        self.check_now()
        self.set_interval(self.poll_interval, self.poll_disk)

    # --- state -----------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.text_area.text != self.saved_text

    def show_status(self) -> None:
        status = self.query_one("#spec-status", Static)
        if self.dirty and self.force_text is not None and self.text_area.text == self.force_text:
            # Said here, not in a toast: a toast would cover the problem under the editor.
            status.update("[b]Not saved[/b] - the problem is shown under the editor")
            status.set_class(True, "dirty")
        elif self.dirty:
            status.update("[b]Unsaved changes[/b] - ctrl+s saves (the prototypes update when you save)")
            status.set_class(True, "dirty")
        else:
            status.update("Saved. Edit the text and press ctrl+s; the prototypes update by themselves.")
            status.set_class(False, "dirty")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F8 is dimmed in the footer while there is no problem with a line to jump to."""
        if action == "goto_error" and not (self.error is not None and self.error.line):
            return None
        return True

    def show_error(self, error: SandboxError | None, note: str = "") -> None:
        self.error = error
        self.refresh_bindings()
        box = self.query_one("#spec-error", Static)
        if error is None:
            box.update("[b]✓[/b] No problems found." + (f" {note}" if note else ""))
            box.set_class(False, "error")
            return
        jump = " (F8: go there)" if error.line else ""
        box.update(f"[b]Problem:[/b] {esc(error_where(error))}{jump}" + (f"\n{esc(note)}" if note else ""))
        box.set_class(True, "error")

    # --- checking as you type --------------------------------------------------------------
    @on(TextArea.Changed, "#spec-text")
    def _changed(self) -> None:
        self.show_status()
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(0.3, self.check_now)

    def check_now(self) -> None:
        self.check_text(self.text_area.text)

    @work(thread=True, exclusive=True, group="spec-check", exit_on_error=False)
    def check_text(self, text: str) -> None:
        try:
            spec_edit.check_spec_text(self.workspace, self.project, text)
        except SandboxError as exc:
            self.post_message(self.Checked(text, plain_error(exc, text)))  # a YAML slip in plain words
            return
        except Exception as exc:  # noqa: BLE001 - an unexpected problem is still shown, never a crash
            self.post_message(self.Checked(text, SandboxError(f"cannot check the spec: {exc}")))
            return
        self.post_message(self.Checked(text, None))

    @on(Checked)
    def _checked(self, message: SpecEditor.Checked) -> None:
        message.stop()
        if message.text == self.text_area.text:
            note = NOT_SAVED_NOTE if message.error is not None and message.text == self.force_text else ""
            self.show_error(message.error, note)

    def action_goto_error(self) -> None:
        if self.error is None or not self.error.line:
            self.notify("There is no problem to jump to." if self.error is None else "The problem has no line number.")
            return
        line, column = self.error.line, self.error.column or 1
        area = self.text_area
        area.focus()
        area.cursor_location = (max(line - 1, 0), max(column - 1, 0))
        area.scroll_cursor_visible(center=True)

    # --- saving ----------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        text = self.text_area.text
        self.saving = True
        self.save_text(text, force=text == self.force_text)

    @work(thread=True, exclusive=True, group="spec-save", exit_on_error=False)
    def save_text(self, text: str, force: bool) -> None:
        try:
            result = spec_edit.save_spec_text(self.workspace, self.project, text, force=force)
        except Exception as exc:  # noqa: BLE001 - SandboxError or OSError, shown in place
            self.post_message(self.SaveFinished(text, None, exc))
            return
        self.post_message(self.SaveFinished(text, result, None))

    def save_now(self) -> bool:
        """Save the buffer right away, even with a problem (used when leaving); True when written."""
        try:
            result = spec_edit.save_spec_text(self.workspace, self.project, self.text_area.text, force=True)
        except Exception as exc:  # noqa: BLE001 - SandboxError or OSError, shown, the buffer is kept
            self.notify(f"Could not save: {exc}", severity="error")
            return False
        self.saved_text = self.text_area.text
        self.stamp = result.stamp
        self.post_message(self.Saved(result.error is None))
        return True

    @on(SaveFinished)
    def _save_done(self, message: SpecEditor.SaveFinished) -> None:
        message.stop()
        self.saving = False
        if message.error is not None:
            error = message.error
            if isinstance(error, SandboxError):
                self.force_text = message.text
                self.show_error(plain_error(error, message.text), NOT_SAVED_NOTE)
                self.show_status()
            else:
                self.notify(f"Could not save project.yaml: {error}", severity="error")
            return
        result = message.result
        assert result is not None  # no error: the worker saved
        self.saved_text = message.text
        self.stamp = result.stamp
        self.force_text = None
        self.show_status()
        if result.error is not None:
            self.show_error(plain_error(result.error, message.text),
                            "Saved with this problem; the prototypes keep their last good version.")
        else:
            self.show_error(None)
            self.notify("Saved project.yaml.")
        self.post_message(self.Saved(result.error is None))

    # --- changes on disk -------------------------------------------------------------------
    def poll_disk(self) -> None:
        self.polls += 1
        if self.conflict_open or self.saving:
            return
        stamp = spec_edit.spec_stamp(self.project)
        if stamp == self.stamp:
            return
        try:
            theirs, stamp = spec_edit.read_spec_text(self.project)
        except SandboxError:
            return
        mine = self.text_area.text
        if theirs == self.saved_text or theirs == mine:
            # Touched but not changed, or changed to exactly what we have.
            self.stamp = stamp
            if theirs == mine:
                self.saved_text = theirs
                self.show_status()
            return
        if not self.dirty:
            self.stamp = stamp
            self.take_text(theirs)
            self.notify("project.yaml was changed on disk; the editor shows the new version.")
            return
        self.conflict_open = True
        from sandbox.tui.screens.dialogs import ConflictDialog

        def decided(choice: str | None) -> None:
            self.conflict_open = False
            self.resolve_conflict(choice or "mine", mine=self.text_area.text, theirs=theirs, stamp=stamp)

        self.app.push_screen(ConflictDialog(mine, theirs), decided)

    def resolve_conflict(self, choice: str, *, mine: str, theirs: str, stamp: spec_edit.SpecStamp) -> None:
        try:
            if choice == "theirs":
                kept = spec_edit.keep_copy(self.project, mine, "mine")
                self.stamp = stamp
                self.take_text(theirs)
                self.notify(f"Took the version on disk. Yours is saved as {kept.name}.", timeout=8)
            else:
                kept = spec_edit.keep_copy(self.project, theirs, "theirs")
                self.stamp = stamp
                self.saved_text = theirs
                self.show_status()
                self.notify(
                    f"Kept your version (press ctrl+s to save it). The other one is saved as {kept.name}.", timeout=8
                )
        except OSError as exc:
            self.notify(f"Could not keep a copy: {exc}", severity="error")

    def take_text(self, text: str) -> None:
        area = self.text_area
        row, column = area.cursor_location
        self.saved_text = text
        area.load_text(text)
        lines = text.split("\n")
        row = min(row, len(lines) - 1)
        area.cursor_location = (row, min(column, len(lines[row])))
        self.show_status()
        self.check_now()
        self.post_message(self.Reloaded())
