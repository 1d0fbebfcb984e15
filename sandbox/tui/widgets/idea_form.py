"""The Idea tab: the idea as a form (title, idea, audience, success, category and the template's
answers), validated as you type with the template's own rules; the YAML stays in the advanced tab.

Saving changes only the values that changed in ``project.yaml`` (``sandbox.make.spec_form``), so the
person's comments and layout survive, and the result is checked like any other save
(``spec_edit.save_spec_text``). When ``project.yaml`` does not load, the form says why in plain words
(``yaml_hints``), at which line, and sends the person to the YAML tab to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Static, TextArea

from sandbox.core.errors import SandboxError
from sandbox.make import spec_edit
from sandbox.make.spec_form import update_spec_text
from sandbox.make.yaml_hints import plain_error
from sandbox.tui.format import error_where, esc
from sandbox.tui.widgets.question import QuestionField

if TYPE_CHECKING:
    from sandbox.make.catalog import Template
    from sandbox.make.spec import ProjectSpec
    from sandbox.workspace import Project, Workspace

TEXT_FIELDS = (("title", "Title"), ("audience", "Who is it for?"), ("success", "What does success look like?"),
               ("category", "Category (groups ideas in reports)"))


class IdeaForm(VerticalScroll):
    """``IdeaForm(workspace, project)``: edit the spec's values in fields; ctrl+s saves them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Save")]

    @dataclass
    class Loaded(Message):
        """project.yaml was read and checked (in a worker): its ``spec`` and template, or its ``error``."""

        text: str
        spec: ProjectSpec | None
        template: Template | None
        error: SandboxError | None

    @dataclass
    class Saved(Message):
        """The form's values were written into project.yaml (``error``: refused, nothing written)."""

        error: SandboxError | None

    def __init__(self, workspace: Workspace, project: Project) -> None:
        super().__init__(id="idea-form")
        self.workspace = workspace
        self.project = project
        self.spec: ProjectSpec | None = None
        self.template: Template | None = None
        self.loaded_values: dict[tuple[str, ...], Any] = {}
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Static("Loading the idea…", id="idea-status", classes="field-help")
        yield Label("Title", classes="field-label")
        yield Input(id="idea-title")
        yield Label("The idea, in a few sentences", classes="field-label")
        yield TextArea("", id="idea-text", soft_wrap=True)
        for key, label in TEXT_FIELDS[1:]:
            yield Label(label, classes="field-label")
            yield Input(id=f"idea-{key}")
        yield Vertical(id="idea-questions")
        yield Static("", id="idea-error", classes="field-error")
        with Horizontal(classes="buttons"):
            yield Button("Save (ctrl+s)", id="idea-save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.load()

    # --- loading -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="idea-load", exit_on_error=False)
    def load(self) -> None:
        text = ""
        try:
            text, _ = spec_edit.read_spec_text(self.project)
            spec = spec_edit.check_spec_text(self.workspace, self.project, text)
            template = self.workspace.template(spec.template)
        except SandboxError as exc:
            self.post_message(self.Loaded(text, None, None, plain_error(exc, text)))
            return
        self.post_message(self.Loaded(text, spec, template, None))

    @on(Loaded)
    async def _loaded(self, message: IdeaForm.Loaded) -> None:
        message.stop()
        status = self.query_one("#idea-status", Static)
        if message.error is not None or message.spec is None or message.template is None:
            error = message.error
            status.update(
                f"[b]project.yaml has a problem:[/b] {esc(error_where(error) if error else 'it does not load')}. "
                "Fix it in the YAML tab (5); the form comes back once the file is valid."
            )
            status.add_class("field-error")
            self.set_inputs_disabled(True)
            return
        status.remove_class("field-error")
        status.update("Change any answer and press ctrl+s: the prototypes update. The YAML tab (5) shows the file.")
        self.set_inputs_disabled(False)
        spec, template = message.spec, message.template
        # ``spec`` is set last, once ``loaded_values`` holds what was loaded: the awaits below let keys in,
        # and meanwhile the form must not count as changed (escape right after opening a project
        # asked "Unsaved changes" on a busy machine).
        self.spec, self.template = None, template
        self.query_one("#idea-title", Input).value = spec.title
        self.query_one("#idea-text", TextArea).load_text(spec.idea)
        for key, _ in TEXT_FIELDS[1:]:
            self.query_one(f"#idea-{key}", Input).value = str(getattr(spec, key) or "")
        box = self.query_one("#idea-questions", Vertical)
        await box.remove_children()
        fields = [QuestionField(q, spec.vars.get(q.name)) for q in template.questions]
        heading = Label(f"Answers of the template '{esc(template.title)}'", classes="section-title")
        await box.mount(heading, *fields)
        self.loaded_values = self.values()
        self.spec = spec

    def set_inputs_disabled(self, disabled: bool) -> None:
        for widget in self.query("Input, TextArea, Select, Switch, #idea-save"):
            widget.disabled = disabled

    # --- values --------------------------------------------------------------------------------
    def fields(self) -> list[QuestionField]:
        return list(self.query(QuestionField))

    def values(self) -> dict[tuple[str, ...], Any]:
        """What the form holds, by the key path in project.yaml (answers as typed)."""
        out: dict[tuple[str, ...], Any] = {("title",): self.query_one("#idea-title", Input).value,
                                          ("idea",): self.query_one("#idea-text", TextArea).text}
        for key, _ in TEXT_FIELDS[1:]:
            out[(key,)] = self.query_one(f"#idea-{key}", Input).value
        for field in self.fields():
            out[("vars", field.question.name)] = field.raw_value
        return out

    @property
    def dirty(self) -> bool:
        return self.spec is not None and self.values() != self.loaded_values

    def changes(self) -> dict[tuple[str, ...], Any] | None:
        """The changed values, converted the template's way; None after showing what needs a fix."""
        converted: dict[tuple[str, ...], Any] = {}
        bad: list[QuestionField] = []
        for field in self.fields():
            converted[("vars", field.question.name)] = field.validate()
            if field.error is not None:
                bad.append(field)
        title = self.query_one("#idea-title", Input)
        if not title.value.strip():
            self.show_problem("Give the idea a short name, like 'Expense approvals'.")
            title.focus()
            return None
        if bad:
            self.show_problem("Some answers need a fix (shown in red); nothing was saved yet.")
            bad[0].query_one(f"#answer-{bad[0].question.name}").focus()
            return None
        changed: dict[tuple[str, ...], Any] = {}
        for key, value in self.values().items():
            if value == self.loaded_values.get(key):
                continue
            if key in converted:
                changed[key] = converted[key]
            else:  # one-line texts lose stray spaces at the ends; the idea keeps its lines as typed
                changed[key] = value if key == ("idea",) else str(value).strip()
        return changed

    def show_problem(self, text: str) -> None:
        self.query_one("#idea-error", Static).update(esc(text))

    # --- saving --------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving or self.spec is None:
            return
        changes = self.changes()
        if changes is None:
            return
        if not changes:
            self.notify("Nothing changed.")
            return
        self.show_problem("")
        self.saving = True
        self.save(changes)

    @on(Button.Pressed, "#idea-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @work(thread=True, exclusive=True, group="idea-save", exit_on_error=False)
    def save(self, changes: dict[tuple[str, ...], Any]) -> None:
        try:
            text, _ = spec_edit.read_spec_text(self.project)
            new_text = update_spec_text(text, self.project.spec_path, changes)
            spec_edit.save_spec_text(self.workspace, self.project, new_text)
        except SandboxError as exc:
            self.post_message(self.Saved(plain_error(exc)))
            return
        self.post_message(self.Saved(None))

    @on(Saved)
    def _saved(self, message: IdeaForm.Saved) -> None:
        self.saving = False
        if message.error is not None:
            message.stop()
            self.show_problem(f"Not saved: {error_where(message.error)}")
            return
        self.notify("Saved the idea; the prototypes update.")
        self.load()  # what is on disk now (and let the message bubble: the screen refreshes)

    def save_now(self) -> bool:
        """Save the form right away (leaving or quitting); True when saved or nothing to save."""
        changes = self.changes() if self.spec is not None else {}
        if changes is None:
            return False
        if not changes:
            return True
        try:
            text, _ = spec_edit.read_spec_text(self.project)
            spec_edit.save_spec_text(self.workspace, self.project,
                                     update_spec_text(text, self.project.spec_path, changes))
        except SandboxError as exc:
            self.show_problem(f"Not saved: {error_where(plain_error(exc))}")
            return False
        self.loaded_values = self.values()
        return True

    def reload_if_clean(self) -> None:
        """Show what is on disk now, unless the person has unsaved changes in the form."""
        if not self.dirty and not self.saving:
            self.load()

    def first_field(self) -> Input:
        return self.query_one("#idea-title", Input)
