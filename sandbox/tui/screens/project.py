"""One project: tabs for Overview, Spec, Preview and Assistant.

The screen owns the live watcher (``sandbox.live.loop.LiveProject``) while it is open: the watcher's
thread pushes events into a ``Feed``; the screen drains them in one message, writes the log and
refreshes the overview at most a few times a second, so an event storm never freezes the UI.
"""

from __future__ import annotations

import threading
import webbrowser
from datetime import UTC, datetime
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, TabbedContent, TabPane

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
        stamp = datetime.fromtimestamp(at, tz=UTC).astimezone().strftime("%H:%M:%S")
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
        names = [_short_path(p, variant) for p in paths[:3]]
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


def _short_path(path: Any, variant: str) -> str:
    """'variants/copilot/index.html' -> 'copilot/index.html' (or 'index.html' on that variant's line):
    which prototype a file belongs to matters more than the folder they all live in."""
    text = str(path).replace("\\", "/")
    text = text.removeprefix("variants/")
    if variant:
        text = text.removeprefix(f"{variant}/")
    return text


class ProjectScreen(Screen):
    BINDINGS = [
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
                yield PreviewPane(self.live_module is not None, "sandbox.live.loop is missing")
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
        workspace, slug, user = self.workspace, self.slug, getattr(self.app, "user", None)
        self.stop_live()

        def render() -> None:
            try:
                workspace.render(slug, by=user)
            except Exception:  # noqa: BLE001 - a spec with a problem keeps the last good prototype
                pass

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
        yield ("Open the preview in the browser", lambda: self._preview_button("#preview-open"),
               "Open the chosen variant's preview address")
        yield ("Stop preview", lambda: self._preview_button("#preview-stop"), "Stop serving the chosen variant")
        yield ("Copy the preview address", lambda: self._preview_button("#preview-copy"),
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
                found.first().run_action(action)

        self.call_after_refresh(later)

    def _preview_button(self, selector: str) -> None:
        self.show_tab("preview")
        found = self.query(selector)
        if found:
            found.first(Button).press()

    def _palette_goto_error(self) -> None:
        self.show_tab("spec")
        self.call_after_refresh(lambda: self.editor.action_goto_error() if self.editor is not None else None)

    def _palette_preview(self) -> None:
        self.show_tab("preview")
        variant = self.query_one(PreviewPane).selected_variant()
        if variant and self.live is not None:
            self.start_preview(variant)
        elif self.live is None:
            self.notify("The live preview is not running.")

    def show_tab(self, tab: str) -> None:
        self.query_one("#project-tabs", TabbedContent).active = tab

    def action_show_tab(self, tab: str) -> None:
        self.show_tab(tab)

    def action_next_tab(self, step: int) -> None:
        ids = [tab for tab, _ in TABS]
        current = self.query_one("#project-tabs", TabbedContent).active
        index = ids.index(current) if current in ids else 0
        self.show_tab(ids[(index + step) % len(ids)])

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
            live = self.workspace.live_project(
                self.slug, on_event=self.feed.push, by=self.app.user  # type: ignore[attr-defined]
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

    def selected_preview_url(self) -> str | None:
        """The running preview's address of the variant selected in the Preview tab (or say why not)."""
        variant = self.query_one(PreviewPane).selected_variant()
        url = self.urls.get(variant or "")
        if not url:
            self.notify("Start the preview of this variant first.")
        return url or None

    @on(Button.Pressed, "#preview-open")
    def _preview_open(self, event: Button.Pressed) -> None:
        event.stop()
        url = self.selected_preview_url()
        if url:
            self.open_browser(url)

    @on(Button.Pressed, "#preview-copy")
    def _preview_copy(self, event: Button.Pressed) -> None:
        event.stop()
        url = self.selected_preview_url()
        if not url:
            return
        self.app.copy_to_clipboard(url)  # the terminal's clipboard (OSC 52): paste it in any browser
        self.notify(f"Copied {url}")

    @on(DataTable.RowSelected, "#preview-variants")
    def _preview_row_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a variant: start its preview, or open it when it is already on."""
        event.stop()
        variant = str(event.row_key.value) if event.row_key.value is not None else None
        if variant is None:
            return
        if variant in self.urls:
            self.open_browser(self.urls[variant])
        elif self.live is None:
            self.notify("The live watcher is not running yet; try again in a moment.")
        else:
            self.start_preview(variant)

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
        running = self.running_work()
        if (editor is None or not editor.dirty) and not running:
            self.app.pop_screen()
            return
        from sandbox.tui.widgets.dialogs import ConfirmDialog

        def decided(choice: str | None) -> None:
            if choice in ("save", "discard", "stop"):
                if choice == "save" and not self.save_unsaved(quitting=False):
                    return
                self.stop_running_work()
                self.app.pop_screen()

        if editor is not None and editor.dirty:
            text = "project.yaml has changes you have not saved."
            if running:
                text += f" {running}: leaving stops it (what it changed so far is kept)."
            buttons = [("save", "Save and leave", "primary"), ("discard", "Leave without saving", "error"),
                       ("stay", "Stay", "default")]
        else:
            text = (f"{running}. Leaving stops it; what it changed so far is kept and recorded. "
                    "Stay to let it finish.")
            buttons = [("stay", "Stay", "primary"), ("stop", "Stop it and leave", "error")]
        title = "Unsaved changes" if editor is not None and editor.dirty else "Leave this project?"
        self.app.push_screen(ConfirmDialog(title, text, buttons), decided)


def _quiet_stop(live: Any) -> None:
    try:
        live.stop()
    except Exception:  # noqa: BLE001 - stopping is best effort when leaving the screen
        pass
