"""Home: the workspace's projects, a filter box, and what to do first when there are none."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.widgets.data_table import CellDoesNotExist

from sandbox.tui.app import SandboxApp
from sandbox.tui.format import ago, esc, rating
from sandbox.tui.roles import Command
from sandbox.tui.widgets.project_table import ProjectTable

if TYPE_CHECKING:
    from sandbox.assistants.doctor import DoctorReport
    from sandbox.workspace import ProjectSummary, Workspace

EMPTY_TEXT = (
    "[b]No ideas yet.[/b]\n\n"
    "Press [b]n[/b] to describe your first idea in a few sentences. The sandbox turns it into a small "
    "website you can open in your browser within a minute: one copy for each AI assistant you want to "
    "compare (for example Claude Code and GitHub Copilot).\n\n"
    "Then ask each assistant to improve its copy, look at the results side by side and rate them.\n\n"
    "Press [b]?[/b] at any time for help, [b]q[/b] to quit."
)

COLUMNS = (("Title", "title"), ("Template", "template"), ("Category", "category"),
           ("Variants", "variants"), ("Last activity", "activity"), ("Rating", "rating"))


def matches(summary: ProjectSummary, needle: str) -> bool:
    if not needle:
        return True
    haystack = " ".join(
        [summary.title, summary.slug, summary.template, summary.category, *summary.assistants]
    ).lower()
    return all(word in haystack for word in needle.lower().split())


class HomeScreen(Screen[None]):
    """The list of projects."""

    CSS_PATH = "home.tcss"
    app = getters.app(SandboxApp)

    @dataclass
    class ProjectsLoaded(Message):
        """The project list was read (in a worker) from the workspace; ``error`` says why it could not be."""

        summaries: list[ProjectSummary]
        error: str | None = None

    @dataclass
    class DoctorAnswered(Message):
        """``sandbox doctor``'s report, read in a worker once the list is shown."""

        report: DoctorReport

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.new_idea", "New idea"),
        Binding("enter", "open", "Open"),
        Binding("c", "compare", "Compare"),
        Binding("r", "app.report", "Report"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("f5,ctrl+r", "reload", "Reload", show=False),
    ]

    AUTO_FOCUS = None  # focus is set by hand: the table when there are rows, nothing on the empty state

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(id="home")
        self.workspace = workspace
        self.summaries: list[ProjectSummary] = []
        self.loaded = False
        self.compact: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-bar"):
            yield Input(placeholder="Filter: type a title, template, category or assistant (/)", id="filter")
            yield Static("Loading projects…", id="count")
        yield Static("", id="doctor", classes="hidden")
        yield ProjectTable(id="projects", cursor_type="row", zebra_stripes=True)
        yield Static("", id="problems", classes="hidden")
        yield Static(EMPTY_TEXT, id="empty", classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        self.set_columns(self.app.size.width)
        self.query_one("#projects").focus()
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        if not self.app.first_frame_shown():
            self.load_projects()
            if self.app.doctor is not None and self.app.doctor_report is None:
                self.check_machine()

    @work(thread=True, exclusive=True, group="doctor", exit_on_error=False)
    def check_machine(self) -> None:
        """Ask the doctor once (it runs each CLI, so it takes seconds): the list does not wait for it."""
        doctor = self.app.doctor
        if doctor is None:
            return
        try:
            report = doctor()
        except Exception:  # noqa: BLE001 - the doctor is advice: when it fails, Home simply says nothing
            return
        self.post_message(self.DoctorAnswered(report))

    @on(DoctorAnswered)
    def _doctor_answered(self, message: DoctorAnswered) -> None:
        report = message.report
        self.app.doctor_report = report
        panel = self.query_one("#doctor", Static)
        lines = doctor_lines(report)
        panel.set_class(not lines, "hidden")
        if lines:
            panel.update("[b]Something this computer needs is missing[/b] (sandbox doctor):\n"
                         + "\n".join(esc(line) for line in lines))

    def on_screen_resume(self) -> None:
        if self.loaded:
            if not self.summaries:
                self.set_focus(None)  # keys like n must reach the screen, not an empty filter box
            self.load_projects()

    @work(thread=True, exclusive=True, group="load-projects", exit_on_error=False)
    def load_projects(self) -> None:
        try:
            summaries = self.workspace.list_projects()
        except Exception as exc:  # noqa: BLE001 - a SandboxError or an OS problem, shown in place
            self.post_message(self.ProjectsLoaded([], error=str(exc)))
            return
        self.post_message(self.ProjectsLoaded(summaries))

    @on(ProjectsLoaded)
    def _loaded(self, message: ProjectsLoaded) -> None:
        self.summaries = sorted(message.summaries, key=lambda s: s.last_activity or "", reverse=True)
        self.app.summaries = self.summaries
        self.loaded = True
        if message.error:
            self.notify(message.error, severity="error", title="Cannot list projects")
        self.show_rows()
        self.show_problems()
        self.refresh_bindings()  # Open / Compare are dimmed or not
        table = self.query_one("#projects", DataTable)
        box = self.query_one("#filter", Input)
        if table.row_count and (self.app.focused is None or (self.app.focused is box and not box.value)):
            table.focus()  # a list to act on: arrows and enter work right away
        self.app.projects_shown()

    def show_problems(self) -> None:
        """One line per project whose project.yaml does not load: its error, so it can be fixed."""
        broken = [s for s in self.summaries if s.error]
        panel = self.query_one("#problems", Static)
        panel.set_class(not broken, "hidden")
        panel.update("\n".join(f"[b]{esc(s.title)}[/b] has a problem: {esc(one_line(s.error or ''))}"
                                for s in broken))

    def set_columns(self, width: int) -> bool:
        """All columns from 100 cells up; without Category below (so 80 columns need no scrolling)."""
        compact = width < 100
        if compact == self.compact:
            return False
        self.compact = compact
        self._add_columns(None)
        return True

    def _add_columns(self, widths: list[int] | None) -> None:
        """(Re)create the columns; with ``widths`` they are fixed, not measured by the table.

        Fixed widths because the table's own measuring can miss rows added right after a
        clear (seen after the app resumed from an assistant: every column shrank to its header).
        """
        table = self.query_one("#projects", DataTable)
        table.clear(columns=True)
        keys = [(label, key) for label, key in COLUMNS if not (self.compact and key == "category")]
        for index, (label, key) in enumerate(keys):
            table.add_column(label, key=key, width=widths[index] if widths else None)

    def on_resize(self, event: events.Resize) -> None:
        self.set_columns(event.size.width)
        if self.loaded:
            self.show_rows()  # the Title and Variants cells are clipped to fit the new width

    def show_rows(self) -> None:
        table = self.query_one("#projects", DataTable)
        needle = self.query_one("#filter", Input).value.strip()
        keep = table.cursor_row
        selected = self.selected_slug()
        now = self.app.clock()
        shown = [s for s in self.summaries if matches(s, needle)]
        rows = []
        for s in shown:
            title = f"{_clip(s.title, 20)} (has a problem)" if s.error else s.title
            cells = [title, s.template or "-", s.category or "-", ", ".join(s.assistants) or "-",
                     ago(s.last_activity, now), rating(s.average_rating)]
            if self.compact:
                del cells[2]
            rows.append(cells)
        title_width, variants_width = self.text_widths(rows)
        for cells in rows:
            cells[0] = _clip(cells[0], title_width)
            cells[-3] = _clip(cells[-3], variants_width)
        labels = [label for label, key in COLUMNS if not (self.compact and key == "category")]
        # cell_len: wide characters (CJK, emoji) take two cells
        self._add_columns([max([len(label)] + [cell_len(r[i]) for r in rows]) for i, label in enumerate(labels)])
        for s, cells in zip(shown, rows, strict=True):
            # Text, not str: a str cell is read as markup, and a title is somebody's words ("[/b]" in
            # it would stop the app); Text also spares the table a markup parse per cell.
            table.add_row(*(Text(cell, no_wrap=True, overflow="ellipsis") for cell in cells), key=s.slug)
        empty = self.query_one("#empty", Static)
        count = self.query_one("#count", Static)
        if not self.summaries:
            if self.app.focused is table or (self.app.focused is self.query_one("#filter") and not needle):
                self.set_focus(None)
            empty.update(EMPTY_TEXT)
            empty.remove_class("hidden")
            table.add_class("hidden")
            count.update("")
        elif not shown:
            empty.update(f"No project matches [b]{esc(needle)}[/b]. Press escape to clear the filter.")
            empty.remove_class("hidden")
            table.add_class("hidden")
            count.update(f"0 of {len(self.summaries)}")
        else:
            empty.add_class("hidden")
            table.remove_class("hidden")
            count.update(
                f"{len(shown)} of {len(self.summaries)}" if needle
                else f"{len(shown)} project{'' if len(shown) == 1 else 's'}"
            )
            slugs = [s.slug for s in shown]
            row = slugs.index(selected) if selected in slugs else min(keep, len(shown) - 1)
            table.move_cursor(row=max(row, 0))

    def text_widths(self, rows: list[list[str]]) -> tuple[int, int]:
        """Widths for the Title and Variants cells so every column fits the terminal (no sideways
        scrolling to find the rating at 80 columns); the other columns are short and kept whole."""
        labels = [label for label, key in COLUMNS if not (self.compact and key == "category")]
        widths = [max([len(label)] + [len(row[i]) for row in rows]) for i, label in enumerate(labels)]
        table = self.query_one("#projects", DataTable)
        outer = table.size.width or self.app.size.width - 2  # before the first layout: minus the margins
        # A vertical scrollbar (2 cells) once the rows do not fit; 2 cells of padding per column.
        scrollbar = 2 if table.size.height and len(rows) >= table.size.height else 0
        room = max(outer, 40) - scrollbar - 2 * len(labels)
        fixed = sum(widths) - widths[0] - widths[-3]
        free = room - fixed
        title = min(widths[0], 40, max(16, free - min(widths[-3], max(12, free // 2))))
        variants = max(12, min(widths[-3], free - title))
        return title, variants

    def selected_slug(self) -> str | None:
        table = self.query_one("#projects", DataTable)
        if table.row_count == 0 or table.has_class("hidden"):
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except CellDoesNotExist:  # the cursor is outside the rows
            return None
        return str(key.value) if key is not None and key.value is not None else None

    # --- events ----------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        if self.loaded:
            self.show_rows()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        table = self.query_one("#projects", DataTable)
        if table.row_count:
            table.focus()

    @on(DataTable.RowSelected, "#projects")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.app.action_open_project(str(event.row_key.value))

    # --- actions ---------------------------------------------------------------------------
    def action_open(self) -> None:
        slug = self.selected_slug()
        if slug:
            self.app.action_open_project(slug)
        elif not self.summaries:
            self.notify("There is nothing to open yet: press n to create your first idea.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Open and Compare are dimmed in the footer while there is nothing to open or compare."""
        if action in ("open", "compare") and self.loaded and not self.summaries:
            return None
        return True

    def action_compare(self) -> None:
        self.app.action_compare(self.selected_slug())

    def action_reload(self) -> None:
        self.load_projects()

    def palette_commands(self) -> Iterator[Command]:
        yield ("Reload the project list", self.load_projects, "Read the workspace again (F5)")
        yield ("Filter the project list", self.action_filter, "Type words to narrow the list (/)")

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        self.query_one("#projects").focus()


def doctor_lines(report: DoctorReport) -> list[str]:
    """What is missing and how to get it, one line each (nothing when the computer is ready)."""
    if report.ready:
        return []
    lines = [f"{a.name}: {a.line()}" for a in report.assistants if a.needed and not a.ready]
    lines += [f"{m.name}: {m.detail}" for m in report.machine if m.needed and not m.ok]
    return lines


def one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
