"""New idea: a form (not a YAML file) that creates a project with one prototype per assistant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    SelectionList,
    Static,
    Switch,
    TextArea,
)
from textual.widgets.option_list import Option

from sandbox.core.errors import AnswerError, SandboxError
from sandbox.make.scaffold import slugify
from sandbox.tui.app import SandboxApp
from sandbox.tui.format import esc
from sandbox.tui.roles import Command
from sandbox.tui.widgets.question import QuestionField

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant
    from sandbox.compare.blind import Comparison
    from sandbox.make.catalog import Template
    from sandbox.make.scaffold import Created
    from sandbox.workspace import Workspace


def _say(widget: Static, text: str) -> None:
    """Show a message under an input; an empty message takes no room."""
    widget.update(text)
    widget.set_class(not text, "hidden")


FIRST_TEMPLATE = "landing-page"
BUILDERS = 2  # how many assistants build side by side by default


def headless_problem(workspace: Workspace, assistant: Assistant) -> str | None:
    """Why ``assistant`` cannot build on its own here, in a few words; None when it is ready.

    Ready means its headless command's program is found (the check ``sandbox doctor`` starts with).
    """
    from sandbox.assistants.launch import resolve_executable
    from sandbox.core.errors import AssistantError

    if not assistant.headless:
        return "built by hand"
    try:
        resolve_executable(workspace, assistant, list(assistant.headless), "headless")
    except AssistantError:
        return "not installed"
    return None


def default_builders(ids: list[str], configured: list[str], ready: dict[str, str | None]) -> list[str]:
    """The assistants ticked at first: the first two that are ready (those of ``default_assistants``
    first), or the configured defaults when fewer than two are ready (building then says why not)."""
    order = [*configured, *[i for i in ids if i not in configured]]
    chosen = [i for i in order if i in ids and ready.get(i) is None][:BUILDERS]
    return chosen if len(chosen) == BUILDERS else [i for i in configured if i in ids] or chosen


@dataclass
class BuildPlan:
    """What to build once the project exists: which variants, in which recorded A/B order."""

    variants: list[str]
    comparison: Comparison | None
    show_names: bool


class NewIdeaScreen(Screen[None]):
    """Title, idea, audience, success, category, template + its questions, assistants -> Create."""

    CSS_PATH = "new_idea.tcss"
    app = getters.app(SandboxApp)

    @dataclass
    class ProjectCreated(Message):
        """``workspace.new_project`` finished (in a worker); ``build`` when the assistants start at once."""

        created: Created
        build: BuildPlan | None = None

    @dataclass
    class CreateFailed(Message):
        """``workspace.new_project`` refused the form (a ``SandboxError``) or failed."""

        error: Exception

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "Create"),
        Binding("escape", "cancel", "Back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(id="new-idea")
        self.workspace = workspace
        self.templates: list[Template] = []
        self.template_error: str | None = None
        self.chosen: Template | None = None
        self._fields: list[QuestionField] = []
        self.answers_by_template: dict[str, dict[str, Any]] = {}
        self.creating = False
        self.taken: set[str] = set()  # project folders that exist (a title that matches gets a note)
        self.title_blocked = False  # the form error is about the title: clear it once the title changes

    def compose(self) -> ComposeResult:
        # One broken template must not hide the others: load them one by one.
        problems = []
        try:
            names = self.workspace.catalog.names()
        except (SandboxError, OSError) as exc:
            names, problems = [], [str(exc)]
        for name in names:
            try:
                self.templates.append(self.workspace.template(name))
            except SandboxError as exc:
                problems.append(str(exc))
        if problems:
            self.template_error = "Some templates could not be read: " + "; ".join(problems)
        registry: dict[str, Assistant]
        try:
            registry = self.workspace.registry
            configured = self.workspace.default_assistants()
            settings_error = ""
        except SandboxError as exc:  # a broken sandbox.yaml: offer the built-in assistants, say why
            from sandbox.assistants.registry import BUILTIN_ASSISTANTS, DEFAULT_ASSISTANTS

            registry, configured = BUILTIN_ASSISTANTS, list(DEFAULT_ASSISTANTS)
            settings_error = f"sandbox.yaml has a problem, so only the built-in assistants are offered: {exc}"
        ready = {a.id: headless_problem(self.workspace, a) for a in registry.values()}
        report = self.app.doctor_report  # Home asked the doctor: signed out counts as not ready too
        for check in report.assistants if report is not None else []:
            if check.id in ready and ready[check.id] is None and check.problem:
                ready[check.id] = check.problem
        defaults = set(default_builders(list(registry), configured, ready))
        build_now = any(ready.get(a) is None for a in defaults)
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(
                "Describe your idea in plain words. You can change everything later.", id="form-intro"
            )
            yield Label("Title", classes="field-label")
            yield Input(placeholder="A short name, like 'Expense approvals'", id="title")
            yield Static("", classes="field-error hidden", id="title-error")
            yield Static("", classes="field-help hidden", id="title-note")
            yield Label("The idea, in a few sentences", classes="field-label")
            yield TextArea("", id="idea", soft_wrap=True)
            yield Label("Who is it for?", classes="field-label")
            yield Input(placeholder="e.g. Team leads who approve expenses on the go", id="audience")
            yield Label("What does success look like?", classes="field-label")
            yield Input(placeholder="e.g. A request is approved in under a minute", id="success")
            yield Label("Category (optional)", classes="field-label")
            yield Input(placeholder="A word to group ideas in reports; default: the template's", id="category")
            yield Label("Template: the starting shape of the prototype", classes="field-label")
            if self.template_error:
                yield Static(esc(self.template_error), classes="field-error")
            yield OptionList(
                *[
                    Option(f"[b]{esc(t.title)}[/b]  [dim]{esc(t.name)}[/dim]\n  {esc(t.description)}", id=t.name)
                    for t in self.templates
                ],
                id="templates",
            )
            yield Vertical(id="questions")
            yield Label("Build it with", classes="section-title", id="build-with")
            yield Static(
                "Each assistant gets its own copy of the prototype and the same brief, and builds it on its own. "
                "A person, or a stand-in script from sandbox.yaml, is fine too.", classes="field-help",
            )
            yield SelectionList[str](
                *[(self.assistant_label(a, ready.get(a.id)), a.id, a.id in defaults) for a in registry.values()],
                id="assistants",
            )
            yield Static(esc(settings_error), classes="field-error" + ("" if settings_error else " hidden"),
                         id="assistants-error")
            with Horizontal(classes="switch-row"):
                yield Switch(value=build_now, id="build-now")
                yield Static("Start building right away, side by side", classes="switch-label")
            with Horizontal(classes="switch-row"):
                yield Switch(value=False, id="show-names")
                yield Static("Show their names while they build (the vote is then not blind)",
                             classes="switch-label")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Create", id="create", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    @staticmethod
    def assistant_label(assistant: Assistant, problem: str | None) -> str:
        status = "[$text-success]ready[/]" if problem is None else f"[dim]{esc(problem)}[/dim]"
        return f"{esc(assistant.name)}  [dim]({esc(assistant.id)})[/dim]  {status}"

    async def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        try:
            self.taken = set(self.workspace.project_slugs())
        except (SandboxError, OSError):
            self.taken = set()
        if self.templates:
            # Start on the simplest template a newcomer can show, not on whatever sorts first.
            names = [t.name for t in self.templates]
            first = names.index(FIRST_TEMPLATE) if FIRST_TEMPLATE in names else 0
            options = self.query_one("#templates", OptionList)
            options.highlighted = first
            await self.choose_template(self.templates[first])

    # --- template and its questions --------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#templates")
    @on(OptionList.OptionSelected, "#templates")
    async def _template_highlighted(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        template = next((t for t in self.templates if t.name == event.option.id), None)
        if template is not None and template is not self.chosen:
            await self.choose_template(template)

    async def choose_template(self, template: Template) -> None:
        box = self.query_one("#questions", Vertical)
        if self.chosen is not None:
            self.answers_by_template[self.chosen.name] = {f.question.name: f.raw_value for f in self.fields()}
        self.chosen = template
        # Awaited, so the old fields are gone before new ones with the same ids (brand_color...)
        # arrive; messages are handled one at a time, so quick switches cannot interleave.
        await box.remove_children()
        remembered = self.answers_by_template.get(template.name, {})
        heading = Label(f"Questions of '{esc(template.title)}'", classes="section-title")
        fields = [QuestionField(q, remembered.get(q.name)) for q in template.questions]
        self._fields = fields
        body: list[Widget] = [*fields] or [Static("This template has no questions.", classes="field-help")]
        await box.mount(heading, *body)
        category = self.query_one("#category", Input)
        category.placeholder = f"A word to group ideas in reports; default: {template.category}"

    def fields(self) -> list[QuestionField]:
        """The question fields of the chosen template (not the ones still being removed)."""
        return list(self._fields)

    # --- validation as you type ------------------------------------------------------------
    @on(Input.Changed, "#title")
    def _title_changed(self, event: Input.Changed) -> None:
        if self.title_blocked:
            self.title_blocked = False
            self.query_one("#form-error", Static).update("")
        problem = self.title_problem(event.value) if event.value.strip() else ""
        _say(self.query_one("#title-error", Static), problem)
        _say(self.query_one("#title-note", Static), "" if problem else self.title_note(event.value))

    @staticmethod
    def title_problem(title: str) -> str:
        """Why this (non-empty) title cannot name a project, in plain words; '' when it can."""
        if title.strip() and not slugify(title):
            return (
                "This title has no letters or digits to name the project's folder after: "
                "add a word to it, like 'Expense approvals'."
            )
        return ""

    def title_note(self, title: str) -> str:
        """A friendly heads-up when a project with this title already exists (it is not an error)."""
        slug = slugify(title)
        if not slug or slug not in self.taken:
            return ""
        number = 2
        while f"{slug}-{number}" in self.taken:
            number += 1
        return (
            f"You already have an idea called '{esc(' '.join(title.split()))}'. This one will be a separate "
            f"project (folder {slug}-{number}); change the title if you want to tell them apart."
        )

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter in a one-line box moves on to the next field, as in a web form (ctrl+s creates)."""
        event.stop()
        self.focus_next()

    @on(SelectionList.SelectedChanged, "#assistants")
    def _assistants_changed(self) -> None:
        if self.query_one("#assistants", SelectionList).selected:
            _say(self.query_one("#assistants-error", Static), "")

    def collect(self) -> dict[str, Any] | None:
        """Everything the form holds, or None after showing what needs a fix."""
        problems: list[Widget] = []
        title = self.query_one("#title", Input)
        title_problem = self.title_problem(title.value)
        if not title.value.strip():
            _say(self.query_one("#title-error", Static), "Give the idea a short name, like 'Expense approvals'.")
            problems.append(title)
        elif title_problem:
            _say(self.query_one("#title-error", Static), title_problem)
            problems.append(title)
        if self.chosen is None:
            self.query_one("#form-error", Static).update("Choose a template.")
            problems.append(self.query_one("#templates"))
        answers: dict[str, Any] = {}
        for field in self.fields():
            value = field.validate()
            if field.error is not None:
                problems.append(field)
            else:
                answers[field.question.name] = value
        assistants = list(self.query_one("#assistants", SelectionList).selected)
        if not assistants:
            _say(self.query_one("#assistants-error", Static), "Choose at least one assistant.")
            problems.append(self.query_one("#assistants"))
        if problems:
            lead = "The title has no letters or digits to name a folder after. " if title_problem else ""
            self.title_blocked = bool(title_problem)
            self.query_one("#form-error", Static).update(
                lead + "Some answers need a fix (shown in red above); nothing was created yet."
            )
            first = problems[0]
            target = first.query_one(f"#answer-{first.question.name}") if isinstance(first, QuestionField) else first
            target.focus()
            self.query_one("#form", VerticalScroll).scroll_to_widget(first)
            return None
        assert self.chosen is not None  # no template chosen is one of the problems above
        return {
            "title": title.value,
            "template": self.chosen.name,
            "idea": self.query_one("#idea", TextArea).text,
            "audience": self.query_one("#audience", Input).value,
            "success": self.query_one("#success", Input).value,
            "category": self.query_one("#category", Input).value,
            "assistants": assistants,
            "answers": answers,
        }

    def build_choice(self) -> tuple[bool, bool]:
        """(start building right away, show the names while they build)."""
        return self.query_one("#build-now", Switch).value, self.query_one("#show-names", Switch).value

    # --- create ----------------------------------------------------------------------------
    def action_create(self) -> None:
        if self.creating:
            return
        self.query_one("#form-error", Static).update("")
        form = self.collect()
        if form is None:
            return
        self.creating = True
        button = self.query_one("#create", Button)
        button.disabled = True
        button.label = "Creating…"
        build, show_names = self.build_choice()
        self.create_project(form, build, show_names)

    @work(thread=True, exclusive=True, group="create", exit_on_error=False)
    def create_project(self, form: dict[str, Any], build: bool, show_names: bool) -> None:
        from sandbox.compare.arena import record_build_order

        try:
            created = self.workspace.new_project(by=self.app.user, **form)
        except Exception as exc:  # noqa: BLE001 - a SandboxError or an OS problem: shown in place, never a crash
            self.post_message(self.CreateFailed(exc))
            return
        plan = None
        if build:
            comparison = None
            if len(created.variants) == 2:  # the A/B order is drawn and recorded before anyone looks
                try:
                    comparison = record_build_order(self.workspace, created.slug, list(created.variants),
                                                    names_shown=show_names, by=self.app.user)
                except SandboxError as exc:
                    self.notify(f"The A/B order could not be recorded: {exc}", severity="warning")
            plan = BuildPlan(list(created.variants), comparison, show_names)
        self.post_message(self.ProjectCreated(created, plan))

    @on(CreateFailed)
    def _failed(self, message: NewIdeaScreen.CreateFailed) -> None:
        self.creating = False
        button = self.query_one("#create", Button)
        button.disabled = False
        button.label = "Create"
        error = message.error
        text = str(error) if isinstance(error, SandboxError) else f"Something went wrong: {error}"
        if isinstance(error, AnswerError):
            field = next((f for f in self.fields() if f.question.name == error.question), None)
            if field is not None:
                field.show_error(error.message)
        self.query_one("#form-error", Static).update(esc(text))
        self.query_one("#form", VerticalScroll).scroll_end(animate=False)

    @on(ProjectCreated)
    def _created(self, message: NewIdeaScreen.ProjectCreated) -> None:
        from sandbox.tui.screens.project import ProjectScreen

        created = message.created
        plan = message.build
        self.app.notify(
            f"Created '{created.slug}' with {len(created.variants)} prototype(s) in {created.seconds:.1f} s."
            + (" The assistants are building it now." if plan else ""),
            title="New idea",
        )
        self.app.switch_screen(ProjectScreen(self.workspace, created.slug))
        if plan is not None:
            self.app.open_build(created.slug, plan.variants, plan.comparison, show_names=plan.show_names)

    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def palette_commands(self) -> Iterator[Command]:
        yield ("Create the project", self.action_create,
               "Create the prototypes from this form and, if chosen, let the assistants build them (ctrl+s)")
        yield ("Leave the form", self.action_cancel, "Back to the project list (escape; asks first if you typed)")

    unsaved_what = "a new idea you have not created yet"

    def has_unsaved_changes(self) -> bool:
        if self.creating or not self.is_mounted:
            return False
        texts = [self.query_one(f"#{wid}", Input).value for wid in ("title", "audience", "success")]
        texts.append(self.query_one("#idea", TextArea).text)
        return any(t.strip() for t in texts)

    def action_cancel(self) -> None:
        if self.creating:
            self.notify("Creating the project; one moment.")
            return
        if not self.has_unsaved_changes():
            self.app.pop_screen()
            return
        from sandbox.tui.screens.dialogs import ConfirmDialog

        def decided(choice: str | None) -> None:
            if choice == "discard":
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog(
                "Leave the new idea?",
                "What you typed in this form has not been created yet.",
                [("stay", "Keep editing", "primary"), ("discard", "Leave and discard it", "error")],
            ),
            decided,
        )
