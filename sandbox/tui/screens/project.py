"""One project: tabs for Overview, Idea (the form), Preview, Assistant and YAML (advanced).

The live watcher (``sandbox.live.loop.LiveProject``) belongs to the app (``LiveProjects``): it keeps
running when the screen closes, so previews stay on the same address when the project is opened
again. While the screen is open it listens: the watcher's thread pushes events into a ``Feed``; the
screen drains them in one message, writes the log and reloads the overview (one load at a time), so
an event storm never freezes the UI. The panes handle their own buttons and post to the screen what
only it can do (start or stop a preview, which needs the watcher); the Overview's data comes from
``Workspace.overview`` in a worker.

Keys and focus: every tab puts the focus on its first useful control (so enter does something
right away); alt+1..5 and ctrl+page up/down switch tabs from everywhere, the YAML editor included
(it consumes digits, which are text there); escape in a text box leaves the box, then the project.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer, Header, Input, Static, TabbedContent, TabPane, TextArea

from sandbox.compare.blind import assistant_name
from sandbox.core.errors import SandboxError
from sandbox.live.loop import LiveEvent
from sandbox.make import conflicts
from sandbox.tui.app import SandboxApp
from sandbox.tui.feed import Feed
from sandbox.tui.messages import FeedReady
from sandbox.tui.roles import Command
from sandbox.tui.screens.dialogs import ButtonVariant, ConfirmDialog
from sandbox.tui.widgets.assistant_pane import AssistantPane
from sandbox.tui.widgets.conflicts import ConflictsBox
from sandbox.tui.widgets.idea_form import IdeaForm
from sandbox.tui.widgets.panes import OverviewPane, PreviewPane
from sandbox.tui.widgets.spec_editor import SpecEditor

if TYPE_CHECKING:
    from sandbox.live.loop import LiveProject
    from sandbox.make.conflicts import Conflict
    from sandbox.make.scaffold import RenderResult
    from sandbox.workspace import ProjectOverview, Workspace

TABS = (("overview", "Overview"), ("idea", "Idea"), ("preview", "Preview"), ("assistant", "Assistant"),
        ("spec", "YAML (advanced)"))


def describe_live_event(event: LiveEvent) -> str:
    """One log line for something the live loop did: time, what, which prototype, which files."""
    kind = event.kind
    stamp = datetime.fromtimestamp(event.at, tz=UTC).astimezone().strftime("%H:%M:%S")
    variant = event.variant or ""
    paths = list(event.paths)
    message = event.message
    seconds = event.seconds
    clients = event.clients
    error = event.error
    words = {
        "batch": "files changed",
        "rendered": "prototypes re-rendered",
        "spec_error": "project.yaml has a problem",
        "spec_fixed": "project.yaml is fine again",
        "reload": "browser reloaded",
        "css": "styles swapped in place",
        "conflict": "kept an edited file; the new version is beside it",
    }
    parts = [stamp, words.get(kind, kind)]
    if variant:
        parts.append(f"[{variant}]")
    if paths:
        names = [_short_path(p, variant) for p in paths[:3]]
        parts.append(", ".join(names) + (f" +{len(paths) - 3} more" if len(paths) > 3 else ""))
    parts.append(f"{seconds * 1000:.0f} ms")
    if clients is not None and kind in ("reload", "css"):
        parts.append(f"{clients} browser(s)")
    if message:
        parts.append(message)
    elif error:
        parts.append(str(error.get("text")))
    return "  ".join(parts)


def _short_path(path: str, variant: str) -> str:
    """'variants/copilot/index.html' -> 'copilot/index.html' (or 'index.html' on that variant's line):
    which prototype a file belongs to matters more than the folder they all live in."""
    text = str(path).replace("\\", "/")
    text = text.removeprefix("variants/")
    if variant:
        text = text.removeprefix(f"{variant}/")
    return text


class ProjectScreen(Screen[None]):
    """``ProjectScreen(workspace, slug)``: the Overview, Spec, Preview and Assistant tabs of one project."""

    CSS_PATH = "project.tcss"
    app = getters.app(SandboxApp)

    @dataclass
    class OverviewLoaded(Message):
        """``Workspace.overview`` was read in a worker (None: it could not be, and the user was told),
        with the files a re-render could not update."""

        overview: ProjectOverview | None
        conflicts: list[Conflict]

    @dataclass
    class LiveAttached(Message):
        """The app's watcher of this project listens to the screen; ``urls``: previews already running."""

        urls: dict[str, str]

    @dataclass
    class Rendered(Message):
        """The screen re-rendered the prototypes itself (nobody else watches the folder)."""

        result: RenderResult

    @dataclass
    class PreviewStarted(Message):
        """The live watcher serves ``variant`` at ``url``."""

        variant: str
        url: str

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "compare", "Compare"),
        # Tabs: alt+number from everywhere (no text box types it), a plain number outside text boxes
        # (where a digit is just a digit), ctrl+page up/down.
        *[Binding(f"alt+{n}", f"show_tab('{tab}')", "Tabs" if n == 1 else label, key_display="alt+1-5",
                  show=n == 1, priority=True) for n, (tab, label) in enumerate(TABS, start=1)],
        *[Binding(str(n), f"show_tab('{tab}')", label, show=False) for n, (tab, label) in enumerate(TABS, start=1)],
        Binding("ctrl+pagedown", "next_tab(1)", "Next tab", show=False, priority=True),
        Binding("ctrl+pageup", "next_tab(-1)", "Previous tab", show=False, priority=True),
    ]

    def __init__(self, workspace: Workspace, slug: str) -> None:
        super().__init__(id=f"project-{slug}")
        self.workspace = workspace
        self.slug = slug
        self.project = workspace.project(slug)
        self.live: LiveProject | None = None
        self.urls: dict[str, str] = {}  # variant -> address of its running preview
        self.feed: Feed[LiveEvent | str] = Feed(self)
        self._overview_pending = False
        self._open_when_started: str | None = None
        self._live_lock = threading.Lock()  # the watcher starts in a worker and may be stopped meanwhile
        self._stopping = False
        self._listener = self.feed.push  # one bound method: the app's watcher is detached by identity

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="overview", id="project-tabs"):
            with TabPane("Overview", id="overview"):
                yield Static(
                    "What next? Preview it in your browser, let the assistants build it side by side, or "
                    "compare their prototypes blind.", id="next-intro", classes="field-help",
                )
                with Horizontal(id="next-steps", classes="buttons"):
                    yield Button("Preview in the browser (3)", id="next-preview", variant="primary", compact=True)
                    yield Button("Build it with the assistants", id="next-build", compact=True)
                    yield Button("Compare blind (c)", id="next-compare", compact=True)
                yield ConflictsBox(self.workspace, self.project)
                yield OverviewPane(id="overview-pane")
            with TabPane("Idea", id="idea"):
                yield Lazy(IdeaForm(self.workspace, self.project))
            with TabPane("Preview", id="preview"):
                yield PreviewPane()
            with TabPane("Assistant", id="assistant"):
                yield Lazy(AssistantPane(self.workspace, self.project))
            with TabPane("YAML (advanced)", id="spec"):
                yield Lazy(SpecEditor(self.workspace, self.project))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.slug
        self.refresh_overview()
        self.show_preview_rows()
        if self.app.live_enabled:
            self.start_live()
        self.focus_tab("overview")

    def on_unmount(self) -> None:
        self.stop_live()

    # --- roles for the app: unsaved edits and an assistant still working ------------------------
    @property
    def unsaved_what(self) -> str:
        parts = []
        if self.idea_form is not None and self.idea_form.dirty:
            parts.append("changes to the idea")
        if self.editor is not None and self.editor.dirty:
            parts.append("edits to project.yaml")
        return " and ".join(parts) or "edits to project.yaml"

    def has_unsaved_changes(self) -> bool:
        editor, form = self.editor, self.idea_form
        return (editor is not None and editor.dirty) or (form is not None and form.dirty)

    def running_work(self) -> str | None:
        """A headless run in progress on this project, in words (quitting or leaving stops it)."""
        for pane in self.query(AssistantPane):
            what = pane.running_work()
            if what:
                return what
        return None

    def stop_running_work(self) -> None:
        for pane in self.query(AssistantPane):
            pane.stop_run()

    def save_unsaved(self, *, quitting: bool = True) -> bool:
        """Save the form's changes and the YAML editor's buffer now (the buffer even with a problem)
        and bring the prototypes up to date; used when leaving or quitting. True when there was
        nothing to save or it was saved."""
        editor, form = self.editor, self.idea_form
        saved = False
        if form is not None and form.dirty:
            if not form.save_now():
                return False
            saved = True
        if editor is not None and editor.dirty:
            if not editor.save_now():
                return False
            saved = True
        if saved:
            self.render_after_leaving(wait=quitting)
        return True

    def render_after_leaving(self, *, wait: bool) -> None:
        """Bring the prototypes up to date after a save on the way out. While the app stays open its
        watcher does it (it outlives this screen); when quitting, or with no watcher, it is done
        here: right away when quitting (a worker would not outlive the app), else in an app worker."""
        workspace, slug, user = self.workspace, self.slug, self.app.user
        if not wait and self.app.live_projects.running(slug) is not None:
            return
        self.app.live_projects.stop(slug)  # no render of the watcher's may race this one

        def render() -> None:
            with contextlib.suppress(Exception):  # a spec with a problem keeps the last good prototype
                workspace.render(slug, by=user)

        if wait:
            render()
        else:
            self.app.run_worker(render, thread=True, group="render-on-leave", exit_on_error=False)

    @property
    def editor(self) -> SpecEditor | None:
        found = self.query(SpecEditor)
        return found.first() if found else None

    @property
    def idea_form(self) -> IdeaForm | None:
        found = self.query(IdeaForm)
        return found.first() if found else None

    def selected_slug(self) -> str:
        return self.slug

    # --- the command palette ---------------------------------------------------------------------
    def palette_commands(self) -> Iterator[Command]:
        for tab, label in TABS:
            yield (f"Show {label}", partial(self.show_tab, tab), f"Open the {label} tab of this project")
        yield ("Save the idea", self._palette_save_idea, "Save the form's changes (ctrl+s in the Idea tab)")
        yield ("Save spec", self._palette_save, "Save project.yaml (ctrl+s in the YAML tab)")
        yield ("Build it with the assistants", self.action_build,
               "They work on the brief at once, side by side, shown as A and B")
        assistant_actions = (
            ("start", "Start a session", "Changes in the chosen variant are credited to its assistant"),
            ("end", "End the session and rate", "Close the open session and rate the result"),
            ("launch", "Open the assistant here", "The app steps aside while the assistant runs in this terminal"),
            ("run", "Let the assistant work on its own", "Run it headless on the brief and watch its output"),
        )
        for action, label, help_text in assistant_actions:
            yield (label, partial(self._assistant, action), help_text)
        yield ("Start preview", lambda: self._preview(PreviewPane.start_selected),
               "Serve the chosen variant for your browser")
        yield ("Open the preview in the browser", lambda: self._preview(PreviewPane.open_selected),
               "Open the chosen variant's preview address")
        yield ("Stop preview", lambda: self._preview(PreviewPane.stop_selected), "Stop serving the chosen variant")
        yield ("Copy the preview address", lambda: self._preview(PreviewPane.copy_selected),
               "Put the chosen variant's address on the clipboard")
        yield ("Stop the assistant", self.stop_running_work, "Stop an assistant that works on its own")
        yield ("Go to the problem in the spec", self._palette_goto_error, "Put the cursor on the problem (F8)")
        yield ("Back to the project list", self.action_back, "Leave this project")

    def _palette_save_idea(self) -> None:
        self.show_tab("idea")
        self.call_after_refresh(lambda: self.idea_form.action_save() if self.idea_form is not None else None)

    def _palette_save(self) -> None:
        self.show_tab("spec")
        editor = self.editor
        if editor is not None:
            editor.action_save()

    def _assistant(self, action: str) -> None:
        self.show_tab("assistant")

        def later() -> None:
            found = self.query(AssistantPane)
            if found:
                found.first().run_assistant_action(action)

        self.call_after_refresh(later)

    def _preview(self, do: Callable[[PreviewPane], None]) -> None:
        self.show_tab("preview")
        do(self.query_one(PreviewPane))

    def _palette_goto_error(self) -> None:
        self.show_tab("spec")
        self.call_after_refresh(lambda: self.editor.action_goto_error() if self.editor is not None else None)

    # --- tabs ----------------------------------------------------------------------------------
    def show_tab(self, tab: str) -> None:
        self.query_one("#project-tabs", TabbedContent).active = tab

    def action_show_tab(self, tab: str) -> None:
        self.show_tab(tab)

    def action_next_tab(self, step: int) -> None:
        ids = [tab for tab, _ in TABS]
        current = self.query_one("#project-tabs", TabbedContent).active
        index = ids.index(current) if current in ids else 0
        self.show_tab(ids[(index + step) % len(ids)])

    @on(TabbedContent.TabActivated, "#project-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if tab == "overview":
            self.refresh_overview()
        elif tab == "idea" and self.idea_form is not None:
            self.idea_form.reload_if_clean()  # the YAML tab or another editor may have changed it
        elif tab == "assistant":
            for pane in self.query(AssistantPane):
                pane.refresh_status()  # a session may have been started elsewhere (CLI, teammate)
        self.focus_tab(tab)

    def first_control(self, tab: str) -> Widget | None:
        """The control a person uses first on ``tab`` (None while a lazy pane is still mounting)."""
        if tab == "overview":
            return self.query_one("#next-preview", Button)
        if tab == "idea":
            return self.idea_form.first_field() if self.idea_form is not None else None
        if tab == "preview":
            return self.query_one("#preview-variants", DataTable)
        if tab == "assistant":
            panes = self.query(AssistantPane)
            return panes.first().first_action() if panes else None
        if tab == "spec":
            return self.editor.text_area if self.editor is not None else None
        return None

    def focus_tab(self, tab: str, tries: int = 40) -> None:
        """Focus ``tab``'s first useful control, once its (lazy) content is mounted."""
        if self.query_one("#project-tabs", TabbedContent).active != tab:
            return
        target = self.first_control(tab)
        if target is not None and target.is_mounted:
            target.focus()
        elif tries > 0:
            self.set_timer(0.05, lambda: self.focus_tab(tab, tries - 1))

    # --- overview ------------------------------------------------------------------------------
    def refresh_overview(self) -> None:
        if not self._overview_pending:
            self._overview_pending = True
            self.load_overview()

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def load_overview(self) -> None:
        try:
            overview = self.workspace.overview(self.slug)
            waiting = conflicts.find_conflicts(self.project)
        except Exception as exc:  # noqa: BLE001 - e.g. the project folder was removed meanwhile
            self.notify(str(exc), severity="error")
            self.post_message(self.OverviewLoaded(None, []))
            return
        self.post_message(self.OverviewLoaded(overview, waiting))

    @on(OverviewLoaded)
    async def _show_overview(self, message: ProjectScreen.OverviewLoaded) -> None:
        self._overview_pending = False
        overview = message.overview
        if overview is None:
            return
        self.query_one(OverviewPane).show(overview, self.urls.keys(), self.app.clock())
        await self.query_one(ConflictsBox).show(message.conflicts)
        if overview.spec is not None:
            self.sub_title = f"{overview.spec.title} ({self.slug})"

    @on(ConflictsBox.Resolved)
    def _conflict_resolved(self, message: ConflictsBox.Resolved) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        self.refresh_overview()

    @on(IdeaForm.Saved)
    def _idea_saved(self, message: IdeaForm.Saved) -> None:
        self.refresh_overview()
        if message.error is None and self.live is None:
            self.render_project()  # nobody watches the folder: re-render ourselves

    # --- next steps ------------------------------------------------------------------------------
    @on(Button.Pressed, "#next-preview")
    def _next_preview(self) -> None:
        self.show_tab("preview")
        pane = self.query_one(PreviewPane)
        if pane.selected_variant() in self.urls:
            pane.open_selected()
        else:
            self._open_when_started = pane.selected_variant()
            pane.start_selected()

    @on(Button.Pressed, "#next-build")
    def action_build(self) -> None:
        self.start_build()

    @work(thread=True, exclusive=True, group="build-order", exit_on_error=False)
    def start_build(self) -> None:
        """Draw and record a new A/B order for the project's first two variants, then open the Build view."""
        from sandbox.compare.arena import record_build_order

        variants = self.project.variant_ids()
        comparison = None
        if len(variants) >= 2:
            try:
                comparison = record_build_order(self.workspace, self.slug, variants[:2], by=self.app.user)
            except SandboxError as exc:
                self.notify(str(exc), severity="error")
                return
        self.app.call_from_thread(self.app.open_build, self.slug, variants, comparison)

    @on(Button.Pressed, "#next-compare")
    def _next_compare(self) -> None:
        self.action_compare()

    @on(AssistantPane.SessionChanged)
    def _session_changed(self) -> None:
        self.refresh_overview()

    @on(SpecEditor.Saved)
    def _spec_saved(self, message: SpecEditor.Saved) -> None:
        self.refresh_overview()
        if self.idea_form is not None:
            self.idea_form.reload_if_clean()
        if message.valid and self.live is None:
            self.render_project()  # nobody watches the folder: re-render ourselves

    @on(SpecEditor.Reloaded)
    def _spec_reloaded(self) -> None:
        self.refresh_overview()

    @work(thread=True, exclusive=True, group="render", exit_on_error=False)
    def render_project(self) -> None:
        try:
            result = self.workspace.render(self.slug, by=self.app.user)
        except Exception as exc:  # noqa: BLE001 - SandboxError or an OS problem, shown, never a crash
            self.notify(str(exc), severity="error", title="Not re-rendered")
            return
        self.post_message(self.Rendered(result))

    @on(Rendered)
    def _rendered(self, message: ProjectScreen.Rendered) -> None:
        result = message.result
        text = f"Prototypes updated: {len(result.written)} file(s) written."
        if result.conflicts:
            text += f" {len(result.conflicts)} edited file(s) kept; the new version is beside them (.sandbox-new)."
        self.notify(text)
        self.refresh_overview()

    # --- live watcher and previews ---------------------------------------------------------------
    def show_preview_rows(self) -> None:
        rows = [(v, assistant_name(self.workspace, v)) for v in self.project.variant_ids()]
        self.query_one(PreviewPane).show_variants(rows, self.urls)

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def start_live(self) -> None:
        live_projects = self.app.live_projects
        try:
            live = live_projects.attach(self.slug, self._listener)
        except Exception as exc:  # noqa: BLE001 - the rest of the screen works without it
            self.feed.push(f"The live watcher could not start: {exc}")
            return
        with self._live_lock:
            stopping = self._stopping
            if not stopping:
                self.live = live
        if stopping:  # the screen closed while the watcher started: it only stops listening
            live_projects.detach(self.slug, self._listener)
            return
        self.post_message(self.LiveAttached(live.urls))
        self.feed.push("Watching the project: changes re-render and reload the previews.")

    @on(LiveAttached)
    def _live_attached(self, message: ProjectScreen.LiveAttached) -> None:
        if message.urls:  # previews started before the project was left: still on the same address
            self.urls.update(message.urls)
            self.feed.push("Previews still running: " + ", ".join(f"{v} at {u}" for v, u in message.urls.items()))
            self.show_preview_rows()
            self.refresh_overview()

    def stop_live(self) -> None:
        """Stop listening to the app's watcher (it keeps running, and so do the previews)."""
        with self._live_lock:
            self._stopping = True
            self.live = None
        self.app.live_projects.detach(self.slug, self._listener)

    @on(FeedReady)
    def _live_events(self, message: FeedReady) -> None:
        message.stop()
        items = message.feed.drain()
        lines = [item if isinstance(item, str) else describe_live_event(item) for item in items]
        if message.feed.dropped:
            lines.append(f"({message.feed.dropped} older events not shown)")
            message.feed.dropped = 0
        self.query_one(PreviewPane).log_lines(lines)
        if any(isinstance(item, LiveEvent) and item.kind in OVERVIEW_KINDS for item in items):
            self.refresh_overview()

    @on(PreviewPane.StartRequested)
    def _start_requested(self, message: PreviewPane.StartRequested) -> None:
        if self.live is None:
            self.notify("The live watcher is not running yet; try again in a moment.")
            return
        self.start_preview(message.variant)

    @work(thread=True, group="preview", exit_on_error=False)
    def start_preview(self, variant: str) -> None:
        live = self.live
        if live is None:
            return
        try:
            url = live.start_preview(variant)
        except Exception as exc:  # noqa: BLE001 - e.g. no free port: said in the log
            self.feed.push(f"Could not start the preview of {variant}: {exc}")
            return
        self.post_message(self.PreviewStarted(variant, url))

    @on(PreviewStarted)
    def _preview_started(self, message: ProjectScreen.PreviewStarted) -> None:
        self.urls[message.variant] = message.url
        self.feed.push(f"Preview of {message.variant} is on at {message.url}")
        self.show_preview_rows()
        self.refresh_overview()
        if self._open_when_started == message.variant:  # "Preview in the browser": open it too
            self._open_when_started = None
            self.query_one(PreviewPane).open_browser(message.url)

    @on(PreviewPane.StopRequested)
    def _stop_requested(self, message: PreviewPane.StopRequested) -> None:
        variant = message.variant
        if variant not in self.urls or self.live is None:
            return
        try:
            self.live.stop_preview(variant)
        except Exception as exc:  # noqa: BLE001 - said, and the preview counts as stopped
            self.notify(f"Could not stop the preview: {exc}", severity="error")
        self.urls.pop(variant, None)
        self.feed.push(f"Preview of {variant} stopped.")
        self.show_preview_rows()
        self.refresh_overview()

    # --- navigation ----------------------------------------------------------------------------
    def action_compare(self) -> None:
        self.app.action_compare(self.slug)

    def action_back(self) -> None:
        if isinstance(self.focused, (Input, TextArea)):
            # Escape in a text box leaves the box first (digits switch tabs again), not the project.
            self.query_one("#project-tabs Tabs").focus()
            return
        dirty = self.has_unsaved_changes()
        running = self.running_work()
        if not dirty and not running:
            self.app.pop_screen()
            return

        def decided(choice: str | None) -> None:
            if choice in ("save", "discard", "stop"):
                if choice == "save" and not self.save_unsaved(quitting=False):
                    return
                self.stop_running_work()
                self.app.pop_screen()

        buttons: list[tuple[str, str, ButtonVariant]]
        if dirty:
            text = f"You have {self.unsaved_what} that you have not saved."
            if running:
                text += f" {running}: leaving stops it (what it changed so far is kept)."
            buttons = [("save", "Save and leave", "primary"), ("discard", "Leave without saving", "error"),
                       ("stay", "Stay", "default")]
        else:
            text = (f"{running}. Leaving stops it; what it changed so far is kept and recorded. "
                    "Stay to let it finish.")
            buttons = [("stay", "Stay", "primary"), ("stop", "Stop it and leave", "error")]
        title = "Unsaved changes" if dirty else "Leave this project?"
        self.app.push_screen(ConfirmDialog(title, text, buttons), decided)


OVERVIEW_KINDS = frozenset({"rendered", "batch", "spec_error", "spec_fixed", "conflict"})
"""Live events after which the overview's counts may have changed."""

