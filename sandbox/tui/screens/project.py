"""One project: tabs for Overview, Spec, Preview and Assistant.

The screen owns the live watcher (``sandbox.live.LiveProject``) while it is open: the watcher's
thread pushes events into a ``Feed``; the screen drains them in one message, writes the log and
refreshes the overview at most a few times a second, so an event storm never freezes the UI.
"""

from __future__ import annotations

import threading
import webbrowser
from datetime import datetime, timezone
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, TabbedContent, TabPane

from sandbox.tui.feed import Feed
from sandbox.tui.messages import FeedReady, SessionChanged
from sandbox.tui.overview import assistant_name, build_overview, optional
from sandbox.tui.widgets.assistant_pane import AssistantPane
from sandbox.tui.widgets.panes import OverviewPane, PreviewPane
from sandbox.tui.widgets.spec_editor import SpecEditor

TABS = (("overview", "Overview"), ("spec", "Spec"), ("preview", "Preview"), ("assistant", "Assistant"))


def describe_live_event(event: Any) -> str:
    """One log line for a ``live.LiveEvent`` (attributes read defensively)."""
    kind = getattr(event, "kind", "event")
    at = getattr(event, "at", None)
    if isinstance(at, (int, float)):
        stamp = datetime.fromtimestamp(at, tz=timezone.utc).astimezone().strftime("%H:%M:%S")
    elif isinstance(at, str) and len(at) >= 19:
        stamp = at[11:19]
    else:
        stamp = datetime.now().strftime("%H:%M:%S")
    variant = getattr(event, "variant", None) or ""
    paths = list(getattr(event, "paths", None) or [])
    message = getattr(event, "message", None) or ""
    seconds = getattr(event, "seconds", None)
    clients = getattr(event, "clients", None)
    error = getattr(event, "error", None)
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
        names = [str(p).replace("\\", "/").rsplit("/", 1)[-1] for p in paths[:3]]
        parts.append(", ".join(names) + (f" +{len(paths) - 3} more" if len(paths) > 3 else ""))
    if isinstance(seconds, (int, float)):
        parts.append(f"{seconds * 1000:.0f} ms")
    if isinstance(clients, int) and kind in ("reload", "css"):
        parts.append(f"{clients} browser(s)")
    if message:
        parts.append(str(message))
    elif error:
        parts.append(str(error.get("text") if isinstance(error, dict) else error))
    return "  ".join(parts)


class ProjectScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "compare", "Compare"),
    ]

    def __init__(self, workspace: Any, slug: str) -> None:
        super().__init__(id=f"project-{slug}")
        self.workspace = workspace
        self.slug = slug
        self.project = workspace.project(slug)
        self.live_module = optional("live")
        self.live: Any | None = None
        self.urls: dict[str, str] = {}
        self.feed = Feed(self)
        self._overview_pending = False
        self._stopping = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="overview", id="project-tabs"):
            with TabPane("Overview", id="overview"):
                yield OverviewPane(id="overview-pane")
            with TabPane("Spec", id="spec"):
                yield Lazy(SpecEditor(self.workspace, self.project))
            with TabPane("Preview", id="preview"):
                yield PreviewPane(self.live_module is not None, "sandbox.live is missing")
            with TabPane("Assistant", id="assistant"):
                yield Lazy(AssistantPane(self.workspace, self.project))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.slug
        self.refresh_overview()
        self.show_preview_rows()
        if self.live_module is not None and getattr(self.app, "live_enabled", True):
            self.start_live()

    def on_unmount(self) -> None:
        self.stop_live()

    # --- helpers used by the app and the command palette -----------------------------------
    unsaved_what = "edits to project.yaml"

    def has_unsaved_changes(self) -> bool:
        editor = self.editor
        return editor is not None and editor.dirty

    @property
    def editor(self) -> SpecEditor | None:
        found = self.query(SpecEditor)
        return found.first() if found else None

    def selected_slug(self) -> str:
        return self.slug

    def palette_commands(self) -> Any:
        for tab, label in TABS:
            yield (f"Show {label}", lambda tab=tab: self.show_tab(tab), f"Open the {label} tab of this project")
        yield ("Save spec", self._palette_save, "Save project.yaml (ctrl+s in the Spec tab)")
        assistant_actions = (
            ("start", "Start a session", "Changes in the chosen variant are credited to its assistant"),
            ("end", "End the session and rate", "Close the open session and rate the result"),
            ("launch", "Open the assistant here", "The app steps aside while the assistant runs in this terminal"),
            ("run", "Let the assistant work on its own", "Run it headless on the brief and watch its output"),
        )
        for action, label, help_text in assistant_actions:
            yield (label, lambda action=action: self._assistant(action), help_text)
        yield ("Start preview", self._palette_preview, "Serve the chosen variant for your browser")
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
                found.first().run_action(action)

        self.call_after_refresh(later)

    def _palette_preview(self) -> None:
        self.show_tab("preview")
        variant = self.query_one(PreviewPane).selected_variant()
        if variant and self.live is not None:
            self.start_preview(variant)
        elif self.live is None:
            self.notify("The live preview is not running.")

    def show_tab(self, tab: str) -> None:
        self.query_one("#project-tabs", TabbedContent).active = tab

    # --- overview --------------------------------------------------------------------------
    def refresh_overview(self) -> None:
        if not self._overview_pending:
            self._overview_pending = True
            self.load_overview()

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def load_overview(self) -> None:
        try:
            overview = build_overview(self.workspace, self.slug, dict(self.urls))
        except Exception as exc:  # noqa: BLE001 - e.g. the project folder was removed meanwhile
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            overview = None
        self.app.call_from_thread(self._show_overview, overview)

    def _show_overview(self, overview: Any) -> None:
        self._overview_pending = False
        if overview is None or not self.is_mounted:
            return
        self.query_one(OverviewPane).show(overview, self.app.clock())  # type: ignore[attr-defined]
        if overview.spec is not None:
            self.sub_title = f"{overview.spec.title} ({self.slug})"

    @on(TabbedContent.TabActivated, "#project-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "overview":
            self.refresh_overview()
        elif event.pane.id == "spec" and self.editor is not None:
            self.editor.text_area.focus()
        elif event.pane.id == "assistant":
            for pane in self.query(AssistantPane):
                pane.refresh_status()  # a session may have been started elsewhere (CLI, teammate)

    @on(SessionChanged)
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
            result = self.workspace.render(self.slug, by=self.app.user)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - SandboxError or an OS problem, shown, never a crash
            self.app.call_from_thread(self.notify, str(exc), severity="error", title="Not re-rendered")
            return
        text = f"Prototypes updated: {len(result.written)} file(s) written."
        if result.conflicts:
            text += f" {len(result.conflicts)} edited file(s) kept; the new version is beside them (.sandbox-new)."
        self.app.call_from_thread(self.notify, text)
        self.app.call_from_thread(self.refresh_overview)

    # --- live preview ----------------------------------------------------------------------
    def show_preview_rows(self) -> None:
        rows = [(v, assistant_name(self.workspace, v)) for v in self.project.variant_ids()]
        self.query_one(PreviewPane).show_variants(rows, self.urls)

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def start_live(self) -> None:
        try:
            live = self.live_module.LiveProject(  # type: ignore[union-attr]
                self.workspace, self.slug, on_event=self.feed.push, by=self.app.user  # type: ignore[attr-defined]
            )
            live.start()
        except Exception as exc:  # noqa: BLE001 - the rest of the screen works without it
            self.feed.push(f"The live watcher could not start: {exc}")
            return
        if self._stopping:
            live.stop()
            return
        self.live = live
        self.feed.push("Watching the project: changes re-render and reload the previews.")

    def stop_live(self) -> None:
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
        if any(getattr(item, "kind", None) in ("rendered", "batch", "spec_error", "spec_fixed", "conflict") for item in items):
            self.refresh_overview()

    @on(Button.Pressed, "#preview-start")
    def _preview_start(self, event: Button.Pressed) -> None:
        event.stop()
        variant = self.query_one(PreviewPane).selected_variant()
        if variant is None:
            return
        if self.live is None:
            self.notify("The live watcher is not running yet; try again in a moment.")
            return
        self.start_preview(variant)

    @work(thread=True, group="preview", exit_on_error=False)
    def start_preview(self, variant: str) -> None:
        live = self.live
        if live is None:
            return
        try:
            url = live.start_preview(variant)
        except Exception as exc:  # noqa: BLE001
            self.feed.push(f"Could not start the preview of {variant}: {exc}")
            return
        self.urls[variant] = url
        self.feed.push(f"Preview of {variant} is on at {url}")
        self.app.call_from_thread(self.show_preview_rows)
        self.app.call_from_thread(self.refresh_overview)

    @on(Button.Pressed, "#preview-stop")
    def _preview_stop(self, event: Button.Pressed) -> None:
        event.stop()
        variant = self.query_one(PreviewPane).selected_variant()
        if variant is None or variant not in self.urls or self.live is None:
            return
        try:
            self.live.stop_preview(variant)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"Could not stop the preview: {exc}", severity="error")
        self.urls.pop(variant, None)
        self.feed.push(f"Preview of {variant} stopped.")
        self.show_preview_rows()
        self.refresh_overview()

    @on(Button.Pressed, "#preview-open")
    def _preview_open(self, event: Button.Pressed) -> None:
        event.stop()
        variant = self.query_one(PreviewPane).selected_variant()
        url = self.urls.get(variant or "")
        if not url:
            self.notify("Start the preview of this variant first.")
            return
        self.open_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def open_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except Exception:  # noqa: BLE001
            opened = False
        if not opened:
            self.app.call_from_thread(self.notify, f"No browser found here. Open {url} yourself.", timeout=10)

    # --- navigation ------------------------------------------------------------------------
    def action_compare(self) -> None:
        self.app.action_compare(self.slug)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        editor = self.editor
        if editor is None or not editor.dirty:
            self.app.pop_screen()
            return
        from sandbox.tui.widgets.dialogs import ConfirmDialog

        def decided(choice: str | None) -> None:
            if choice == "save":
                if editor.save_now():
                    self.app.pop_screen()
            elif choice == "discard":
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog(
                "Unsaved changes",
                "project.yaml has changes you have not saved.",
                [("save", "Save and leave", "primary"), ("discard", "Leave without saving", "error"),
                 ("stay", "Stay", "default")],
            ),
            decided,
        )


def _quiet_stop(live: Any) -> None:
    try:
        live.stop()
    except Exception:  # noqa: BLE001 - stopping is best effort when leaving the screen
        pass
