"""One project: tabs for Overview, Spec, Preview and Assistant.

The screen owns the live watcher (``sandbox.live.loop.LiveProject``) while it is open: the watcher's
thread pushes events into a ``Feed``; the screen drains them in one message, writes the log and
reloads the overview (one load at a time), so an event storm never freezes the UI. The panes handle
their own buttons and post to the screen what only it can do (start or stop a preview, which needs
the watcher); the Overview's data comes from ``Workspace.overview`` in a worker.
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
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from sandbox.compare.blind import assistant_name
from sandbox.live.loop import LiveEvent
from sandbox.tui.app import SandboxApp
from sandbox.tui.feed import Feed
from sandbox.tui.messages import FeedReady
from sandbox.tui.roles import Command
from sandbox.tui.screens.dialogs import ButtonVariant, ConfirmDialog
from sandbox.tui.widgets.assistant_pane import AssistantPane
from sandbox.tui.widgets.panes import OverviewPane, PreviewPane
from sandbox.tui.widgets.spec_editor import SpecEditor

if TYPE_CHECKING:
    from sandbox.live.loop import LiveProject
    from sandbox.make.scaffold import RenderResult
    from sandbox.workspace import ProjectOverview, Workspace

TABS = (("overview", "Overview"), ("spec", "Spec"), ("preview", "Preview"), ("assistant", "Assistant"))


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
        """``Workspace.overview`` was read in a worker (None: it could not be, and the user was told)."""

        overview: ProjectOverview | None

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
        # Tabs by number (outside text boxes, where a digit is just a digit) or ctrl+page up/down.
        Binding("1", "show_tab('overview')", "Tabs", key_display="1-4"),
        Binding("2", "show_tab('spec')", "Spec", show=False),
        Binding("3", "show_tab('preview')", "Preview", show=False),
        Binding("4", "show_tab('assistant')", "Assistant", show=False),
        Binding("ctrl+pagedown", "next_tab(1)", "Next tab", show=False, priority=True),
        Binding("ctrl+pageup", "next_tab(-1)", "Previous tab", show=False, priority=True),
    ]

    unsaved_what = "edits to project.yaml"

    def __init__(self, workspace: Workspace, slug: str) -> None:
        super().__init__(id=f"project-{slug}")
        self.workspace = workspace
        self.slug = slug
        self.project = workspace.project(slug)
        self.live: LiveProject | None = None
        self.urls: dict[str, str] = {}  # variant -> address of its running preview
        self.feed: Feed[LiveEvent | str] = Feed(self)
        self._overview_pending = False
        self._live_lock = threading.Lock()  # the watcher starts in a worker and may be stopped meanwhile
        self._stopping = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="overview", id="project-tabs"):
            with TabPane("Overview", id="overview"):
                yield OverviewPane(id="overview-pane")
            with TabPane("Spec", id="spec"):
                yield Lazy(SpecEditor(self.workspace, self.project))
            with TabPane("Preview", id="preview"):
                yield PreviewPane()
            with TabPane("Assistant", id="assistant"):
                yield Lazy(AssistantPane(self.workspace, self.project))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.slug
        self.refresh_overview()
        self.show_preview_rows()
        if self.app.live_enabled:
            self.start_live()

    def on_unmount(self) -> None:
        self.stop_live()

    # --- roles for the app: unsaved edits and an assistant still working ------------------------
    def has_unsaved_changes(self) -> bool:
        editor = self.editor
        return editor is not None and editor.dirty

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
        """Save the spec editor's buffer now (even with a problem) and bring the prototypes up to
        date; used when leaving or quitting. True when there was nothing to save or it was saved."""
        editor = self.editor
        if editor is None or not editor.dirty:
            return True
        if not editor.save_now():
            return False
        self.render_after_leaving(wait=quitting)
        return True

    def render_after_leaving(self, *, wait: bool) -> None:
        """Re-render now that this screen (and its watcher) goes away: in an app worker when the app
        stays open, right here when it is quitting (a worker would not outlive the app)."""
        workspace, slug, user = self.workspace, self.slug, self.app.user
        self.stop_live()

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

    def selected_slug(self) -> str:
        return self.slug

    # --- the command palette ---------------------------------------------------------------------
    def palette_commands(self) -> Iterator[Command]:
        for tab, label in TABS:
            yield (f"Show {label}", partial(self.show_tab, tab), f"Open the {label} tab of this project")
        yield ("Save spec", self._palette_save, "Save project.yaml (ctrl+s in the Spec tab)")
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
        if event.pane.id == "overview":
            self.refresh_overview()
        elif event.pane.id == "spec" and self.editor is not None:
            self.editor.text_area.focus()
        elif event.pane.id == "assistant":
            for pane in self.query(AssistantPane):
                pane.refresh_status()  # a session may have been started elsewhere (CLI, teammate)

    # --- overview ------------------------------------------------------------------------------
    def refresh_overview(self) -> None:
        if not self._overview_pending:
            self._overview_pending = True
            self.load_overview()

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def load_overview(self) -> None:
        try:
            overview = self.workspace.overview(self.slug)
        except Exception as exc:  # noqa: BLE001 - e.g. the project folder was removed meanwhile
            self.notify(str(exc), severity="error")
            self.post_message(self.OverviewLoaded(None))
            return
        self.post_message(self.OverviewLoaded(overview))

    @on(OverviewLoaded)
    def _show_overview(self, message: ProjectScreen.OverviewLoaded) -> None:
        self._overview_pending = False
        overview = message.overview
        if overview is None:
            return
        self.query_one(OverviewPane).show(overview, self.urls.keys(), self.app.clock())
        if overview.spec is not None:
            self.sub_title = f"{overview.spec.title} ({self.slug})"

    @on(AssistantPane.SessionChanged)
    def _session_changed(self) -> None:
        self.refresh_overview()

    @on(SpecEditor.Saved)
    def _spec_saved(self, message: SpecEditor.Saved) -> None:
        self.refresh_overview()
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
        try:
            live = self.workspace.live_project(self.slug, on_event=self.feed.push, by=self.app.user)
            live.start()
        except Exception as exc:  # noqa: BLE001 - the rest of the screen works without it
            self.feed.push(f"The live watcher could not start: {exc}")
            return
        with self._live_lock:
            stopping = self._stopping
            if not stopping:
                self.live = live
        if stopping:  # the screen closed while the watcher started: nobody else will stop it
            live.stop()
            return
        self.feed.push("Watching the project: changes re-render and reload the previews.")

    def stop_live(self) -> None:
        with self._live_lock:
            self._stopping = True
            live, self.live = self.live, None
        if live is not None:
            threading.Thread(target=_quiet_stop, args=(live,), name="sandbox-live-stop", daemon=True).start()

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
        editor = self.editor
        dirty = editor is not None and editor.dirty
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
            text = "project.yaml has changes you have not saved."
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


def _quiet_stop(live: LiveProject) -> None:
    with contextlib.suppress(Exception):  # stopping is best effort when leaving the screen
        live.stop()
