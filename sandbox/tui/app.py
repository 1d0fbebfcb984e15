"""The Textual app: ``sandbox`` without a subcommand.

A thin shell over ``sandbox.workspace``: screens call the workspace (in workers when it may block)
and never touch files themselves. Heavy screens (project, new idea) are imported when first opened
so the first frame appears quickly.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import App
from textual.binding import Binding

from sandbox.tui.commands import SandboxCommands
from sandbox.tui.format import Clock, utc_clock

EXIT_AFTER_ENV = "SANDBOX_EXIT_AFTER_FIRST_FRAME"  # "1": first frame; "projects": list loaded


def _optional_screen(module: str, name: str) -> Any | None:
    """A screen class from a module that may not exist yet (compare/report come with issue 6)."""
    try:
        mod = importlib.import_module(f"sandbox.tui.screens.{module}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("sandbox"):
            return None
        raise
    return getattr(mod, name, None)


class SandboxApp(App[int]):
    """Prototype Sandbox: ideas -> prototypes per assistant -> comparison."""

    CSS_PATH = "sandbox.tcss"
    TITLE = "Prototype Sandbox"
    COMMANDS = App.COMMANDS | {SandboxCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        workspace: Any,
        *,
        clock: Clock | None = None,
        workspace_label: str | None = None,
        exit_after: str | None = None,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.clock: Callable[[], datetime] = clock or utc_clock
        self.workspace_label = workspace_label or _label(workspace.root)
        self.exit_after = exit_after if exit_after is not None else os.environ.get(EXIT_AFTER_ENV, "")
        self.live_enabled = live  # False: no file watcher / preview servers (snapshot tests)
        self.summaries: list[Any] = []  # the latest project list (the command palette reads it)
        self.user = os.environ.get("SANDBOX_USER") or os.environ.get("USER") or None

    # --- lifecycle ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        from sandbox.tui.screens.home import HomeScreen

        self.sub_title = self.workspace_label
        self.push_screen(HomeScreen(self.workspace))

    def first_frame_shown(self) -> bool:
        """Called by the home screen after its first refresh (benchmark hook); True when exiting."""
        if self.exit_after == "1":
            self.exit(0)
            return True
        return False

    def projects_shown(self) -> None:
        if self.exit_after == "projects":
            self.exit(0)

    # --- actions (also reachable from the command palette) -------------------------------------
    def action_help(self) -> None:
        from sandbox.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_new_idea(self) -> None:
        from sandbox.tui.screens.new_idea import NewIdeaScreen

        self.push_screen(NewIdeaScreen(self.workspace))

    def action_open_project(self, slug: str) -> None:
        from sandbox.tui.screens.project import ProjectScreen

        try:
            self.workspace.project(slug)
        except Exception as exc:  # noqa: BLE001 - show the message, keep the app running
            self.notify(str(exc), severity="error", title="Cannot open")
            return
        self.push_screen(ProjectScreen(self.workspace, slug))

    def action_compare(self, slug: str | None = None) -> None:
        if not slug:
            slug = getattr(self.screen, "selected_slug", lambda: None)()
        if not slug:
            self.notify("Choose a project in the list first, then press c to compare its prototypes.")
            return
        screen = _optional_screen("compare", "CompareScreen")
        if screen is None:
            self.notify("Comparing prototypes side by side is coming with the feedback feature.", title="Compare")
            return
        self.push_screen(screen(self.workspace, slug))

    def action_report(self) -> None:
        screen = _optional_screen("report", "ReportScreen")
        if screen is None:
            self.notify("The report across all projects is coming with the feedback feature.", title="Report")
            return
        self.push_screen(screen(self.workspace))

    async def action_quit(self) -> None:
        unsaved = [s for s in self.screen_stack if getattr(s, "has_unsaved_changes", lambda: False)()]
        running = [w for w in (getattr(s, "running_work", lambda: None)() for s in self.screen_stack) if w]
        if not unsaved and not running:
            self.exit(0)
            return
        from sandbox.tui.widgets.dialogs import ConfirmDialog

        savable = [s for s in unsaved if hasattr(s, "save_unsaved")]

        def stop_and_exit() -> None:
            for screen in self.screen_stack:
                stop = getattr(screen, "stop_running_work", None)
                if stop is not None:
                    stop()  # a headless run is stopped, not waited for (the app would seem frozen)
            self.exit(0)

        def decided(choice: str | None) -> None:
            if choice == "save":
                if all(s.save_unsaved() for s in savable):
                    stop_and_exit()
            elif choice == "quit":
                stop_and_exit()

        parts = []
        if unsaved:
            parts.append("You have work that is not saved yet (" + ", ".join(
                getattr(s, "unsaved_what", "changes") for s in unsaved
            ) + ").")
        if running:
            parts.append(" ".join(f"{w}: quitting stops it (what it changed so far is kept)." for w in running))
        buttons = [("stay", "Stay", "primary")]
        if unsaved:
            if savable and len(savable) == len(unsaved):
                buttons.append(("save", "Save and quit", "default"))
            buttons.append(("quit", "Quit without saving", "error"))
        else:
            buttons.append(("quit", "Stop it and quit", "error"))
        self.push_screen(
            ConfirmDialog(
                "Quit with unsaved work?" if unsaved else "Quit while an assistant is working?",
                " ".join(parts) + (" Save it first?" if savable and len(savable) == len(unsaved)
                                   else " Quit anyway and lose it?" if unsaved else ""),
                buttons,
            ),
            decided,
        )


def _label(root: Any) -> str:
    try:
        return os.path.basename(os.path.abspath(root)) or str(root)
    except Exception:  # noqa: BLE001
        return str(root)


def run(workspace: Any) -> int:
    """Open the app on ``workspace``; returns the exit code."""
    app = SandboxApp(workspace)
    headless = bool(app.exit_after)
    result = app.run(headless=headless)
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
