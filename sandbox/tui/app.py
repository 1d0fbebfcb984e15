"""The Textual app: ``sandbox`` without a subcommand.

A thin shell over ``sandbox.workspace``: screens call the workspace (in workers when it may block)
and never touch files themselves. Screens are imported when first opened so the first frame appears
quickly (the home screen does not pay for the spec editor or the report).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from sandbox.core.errors import SandboxError
from sandbox.tui.commands import SandboxCommands
from sandbox.tui.format import Clock, utc_clock
from sandbox.tui.roles import ChoosesProject, HoldsUnsavedWork, RunsBackgroundWork, SavesUnsavedWork

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.assistants.doctor import DoctorReport
    from sandbox.compare.blind import Comparison
    from sandbox.tui.screens.dialogs import ButtonVariant
    from sandbox.workspace import ProjectSummary, Workspace

EXIT_AFTER_ENV = "SANDBOX_EXIT_AFTER_FIRST_FRAME"  # "1": first frame; "projects": list loaded


class SandboxApp(App[int]):
    """Prototype Sandbox: ideas -> prototypes per assistant -> comparison."""

    CSS_PATH = "sandbox.tcss"
    TITLE = "Prototype Sandbox"
    COMMANDS = App.COMMANDS | {SandboxCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Clock | None = None,
        workspace_label: str | None = None,
        exit_after: str | None = None,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.clock: Clock = clock or utc_clock
        self.workspace_label = workspace_label or (Path(workspace.root).resolve().name or str(workspace.root))
        self.exit_after = exit_after if exit_after is not None else os.environ.get(EXIT_AFTER_ENV, "")
        self.live_enabled = live  # False: no file watcher / preview servers (snapshot tests)
        self.summaries: list[ProjectSummary] = []  # the latest project list (the command palette reads it)
        self.user = os.environ.get("SANDBOX_USER") or os.environ.get("USER") or None
        self.notices_shown: set[str] = set()  # plain-words warnings already said (say each once)
        # Is this computer ready (``sandbox doctor``)? Asked once, off the UI thread, by Home; off
        # without ``live`` (snapshot and Pilot tests set their own). The report is kept for the
        # New idea form, which ticks only the assistants the doctor finds ready.
        self.doctor: Callable[[], DoctorReport] | None = workspace.doctor if live else None
        self.doctor_report: DoctorReport | None = None
        from sandbox.tui.live_projects import LiveProjects

        self.live_projects = LiveProjects(workspace, by=self.user)  # previews outlive their screen

    # --- lifecycle ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        from sandbox.tui.screens.home import HomeScreen

        self.sub_title = self.workspace_label
        self.push_screen(HomeScreen(self.workspace))

    def on_unmount(self) -> None:
        self.live_projects.stop_all()

    def first_frame_shown(self) -> bool:
        """Called by the home screen after its first refresh (benchmark hook); True when exiting."""
        if self.exit_after == "1":
            self.exit(0)
            return True
        return False

    def projects_shown(self) -> None:
        if self.exit_after == "projects":
            self.exit(0)

    def notice_once(self, notice: str | None) -> str | None:
        """``notice`` the first time it is given in this app, else None: a warning said on every
        launch (no confinement on this computer) would soon be skimmed over, so it is said once."""
        if not notice or notice in self.notices_shown:
            return None
        self.notices_shown.add(notice)
        self.notify(notice, severity="warning", timeout=12)
        return notice

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
        except SandboxError as exc:  # e.g. removed since the list was read: say so, keep the app running
            self.notify(str(exc), severity="error", title="Cannot open")
            return
        self.push_screen(ProjectScreen(self.workspace, slug))

    def action_compare(self, slug: str | None = None) -> None:
        from sandbox.tui.screens.compare import CompareScreen

        if not slug and isinstance(self.screen, ChoosesProject):
            slug = self.screen.selected_slug()
        if not slug:
            self.notify("Choose a project in the list first, then press c to compare its prototypes.")
            return
        self.push_screen(CompareScreen(self.workspace, slug))

    def open_build(self, slug: str, variants: list[str], comparison: Comparison | None, *,
                   show_names: bool = False) -> None:
        """The Build view of ``slug``: its assistants work on the brief at once, shown as A and B."""
        from sandbox.tui.screens.build import BuildScreen

        self.push_screen(BuildScreen(self.workspace, slug, variants, comparison, show_names=show_names))

    def action_report(self) -> None:
        from sandbox.tui.screens.report import ReportScreen

        self.push_screen(ReportScreen(self.workspace))

    async def action_quit(self) -> None:
        unsaved: list[HoldsUnsavedWork] = [
            s for s in self.screen_stack if isinstance(s, HoldsUnsavedWork) and s.has_unsaved_changes()
        ]
        running = [w for s in self.screen_stack if isinstance(s, RunsBackgroundWork) and (w := s.running_work())]
        if not unsaved and not running:
            self.exit(0)
            return
        from sandbox.tui.screens.dialogs import ConfirmDialog

        savable = [s for s in unsaved if isinstance(s, SavesUnsavedWork)]
        can_save = bool(savable) and len(savable) == len(unsaved)

        def stop_and_exit() -> None:
            for screen in self.screen_stack:
                if isinstance(screen, RunsBackgroundWork):
                    screen.stop_running_work()  # a headless run is stopped, not waited for (the app would seem frozen)
            self.exit(0)

        def decided(choice: str | None) -> None:
            if choice == "save":
                if all(s.save_unsaved() for s in savable):
                    stop_and_exit()
            elif choice == "quit":
                stop_and_exit()

        parts = []
        if unsaved:
            parts.append("You have work that is not saved yet (" + ", ".join(s.unsaved_what for s in unsaved) + ").")
        if running:
            parts.append(" ".join(f"{w}: quitting stops it (what it changed so far is kept)." for w in running))
        buttons: list[tuple[str, str, ButtonVariant]] = [("stay", "Stay", "primary")]
        if unsaved:
            if can_save:
                buttons.append(("save", "Save and quit", "default"))
            buttons.append(("quit", "Quit without saving", "error"))
        else:
            buttons.append(("quit", "Stop it and quit", "error"))
        question = " Save it first?" if can_save else " Quit anyway and lose it?" if unsaved else ""
        self.push_screen(
            ConfirmDialog(
                "Quit with unsaved work?" if unsaved else "Quit while an assistant is working?",
                " ".join(parts) + question,
                buttons,
            ),
            decided,
        )


def run(workspace: Workspace) -> int:
    """Open the app on ``workspace``; returns the exit code."""
    app = SandboxApp(workspace)
    headless = bool(app.exit_after)
    try:
        result = app.run(headless=headless)
    finally:
        app.live_projects.stop_all()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
