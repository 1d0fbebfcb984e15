"""The project's Overview and Preview tabs.

The Overview is a view: the project screen loads ``Workspace.overview`` in a worker and calls
``show``. The Preview pane handles its own buttons: it opens and copies addresses itself, and asks the
screen, which owns the live watcher, to start or stop a preview (``StartRequested``/``StopRequested``).
"""

from __future__ import annotations

import webbrowser
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Log, Static

from sandbox.core.text import plural
from sandbox.tui.format import ago, esc, wrap_lines

if TYPE_CHECKING:
    from sandbox.workspace import ProjectOverview, VariantOverview


def variant_status(row: VariantOverview, preview_on: bool) -> str:
    """The Status cell: what is going on with this variant right now, in a few words."""
    parts = []
    if row.open_session is not None:
        parts.append("assistant working on its own" if row.open_session.mode == "run" else "session open")
    if preview_on:
        parts.append("preview on")
    if row.average_rating is not None:
        parts.append(f"rated {row.average_rating:.1f}/5")
    if row.conflicts:
        parts.append(f"{plural(row.conflicts, 'edited file')} kept (new version beside)")
    if row.violations:  # said first of the problems: files outside the variant were written
        parts.insert(0, f"not confined: {plural(row.violations, 'change')} outside its variant")
    return ", ".join(parts) or "ready"


class OverviewPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="overview-idea")
        yield Label("Variants: one prototype per assistant", classes="section-title")
        table: DataTable[str] = DataTable(id="overview-variants", cursor_type="row", zebra_stripes=True)
        for label in ("Variant", "Assistant", "Status", "Files", "Last activity"):
            table.add_column(label, key=label.lower())
        yield table
        yield Static("", id="overview-note", classes="field-help")

    def show(self, overview: ProjectOverview, previews: Collection[str], now: datetime) -> None:
        """Show ``overview``; ``previews`` are the variants whose live preview is on."""
        spec = overview.spec
        idea = self.query_one("#overview-idea", Static)
        if spec is None:
            idea.update(f"[b]project.yaml has a problem:[/b]\n{esc(overview.spec_error or '')}\n\n"
                        "Open the Spec tab to fix it.")
            idea.add_class("error")
        else:
            idea.remove_class("error")
            rows = [
                f"[b]{esc(spec.title)}[/b]",
                "",
                esc(spec.idea) or "[dim](no idea text yet: add one in the Spec tab)[/dim]",
                "",
                f"[b]For:[/b] {esc(spec.audience) or '-'}",
                f"[b]Success:[/b] {esc(spec.success) or '-'}",
                f"[b]Template:[/b] {esc(spec.template)}    [b]Category:[/b] {esc(spec.category) or '-'}",
            ]
            idea.update("\n".join(rows))
        table = self.query_one("#overview-variants", DataTable)
        table.clear()
        for row in overview.variants:
            files = f"{row.files}" + (f" ({row.changed} changed)" if row.changed else "")
            table.add_row(row.variant, row.assistant, variant_status(row, row.variant in previews), files,
                          ago(row.last_activity, now), key=row.variant)
        note = f"{overview.events} event{'' if overview.events == 1 else 's'} in the project's history."
        if overview.problems:
            note += f" {len(overview.problems)} damaged line(s) skipped."
        self.query_one("#overview-note", Static).update(note)


class PreviewPane(Vertical):
    """Start/stop the live preview per variant, its address, open or copy it, and the live event log."""

    @dataclass
    class StartRequested(Message):
        """Serve ``variant`` for the browser (only the screen, which owns the watcher, can)."""

        variant: str

    @dataclass
    class StopRequested(Message):
        """Stop serving ``variant``."""

        variant: str

    def __init__(self) -> None:
        super().__init__(id="preview-pane")
        self.urls: dict[str, str] = {}  # variant -> address of its running preview

    def compose(self) -> ComposeResult:
        yield Static(
            "Start a preview, then open it in your browser: it reloads by itself whenever a file changes.",
            classes="field-help",
        )
        table: DataTable[str] = DataTable(id="preview-variants", cursor_type="row")
        for label in ("Variant", "Assistant", "Preview", "Address"):
            table.add_column(label, key=label.lower())
        yield table
        with Horizontal(classes="buttons"):
            yield Button("Start preview", id="preview-start", variant="primary", compact=True)
            yield Button("Stop preview", id="preview-stop", compact=True)
            yield Button("Open in browser", id="preview-open", compact=True)
            yield Button("Copy address", id="preview-copy", compact=True)
        yield Label("What happened", classes="section-title")
        yield Log(id="live-log", max_lines=1000, auto_scroll=True)

    # --- what the screen tells the pane ---------------------------------------------------------
    def show_variants(self, rows: list[tuple[str, str]], urls: dict[str, str]) -> None:
        """One row per ``(variant, assistant name)``; ``urls`` are the running previews' addresses."""
        self.urls = dict(urls)
        table = self.query_one("#preview-variants", DataTable)
        keep = table.cursor_row
        table.clear()
        for variant, assistant in rows:
            url = urls.get(variant)
            table.add_row(variant, assistant, "on" if url else "off", url or "-", key=variant)
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def log_lines(self, lines: list[str]) -> None:
        if lines:
            log = self.query_one("#live-log", Log)
            log.write_lines(wrap_lines(lines, log.scrollable_content_region.width))

    # --- what a person does here (buttons, enter on a row, the command palette) ------------------
    def selected_variant(self) -> str | None:
        table = self.query_one("#preview-variants", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def start_selected(self) -> None:
        variant = self.selected_variant()
        if variant is not None:
            self.post_message(self.StartRequested(variant))

    def stop_selected(self) -> None:
        variant = self.selected_variant()
        if variant is not None and variant in self.urls:
            self.post_message(self.StopRequested(variant))

    def selected_url(self) -> str | None:
        """The running preview's address of the selected variant (or say why there is none)."""
        url = self.urls.get(self.selected_variant() or "")
        if not url:
            self.notify("Start the preview of this variant first.")
        return url or None

    def open_selected(self) -> None:
        url = self.selected_url()
        if url:
            self.open_browser(url)

    def copy_selected(self) -> None:
        url = self.selected_url()
        if url:
            self.app.copy_to_clipboard(url)  # the terminal's clipboard (OSC 52): paste it in any browser
            self.notify(f"Copied {url}")

    @on(Button.Pressed, ".buttons Button")
    def _button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "preview-start": self.start_selected,
            "preview-stop": self.stop_selected,
            "preview-open": self.open_selected,
            "preview-copy": self.copy_selected,
        }
        actions[event.button.id or ""]()

    @on(DataTable.RowSelected, "#preview-variants")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a variant: start its preview, or open it when it is already on."""
        event.stop()
        if event.row_key.value is None:
            return
        variant = str(event.row_key.value)
        if variant in self.urls:
            self.open_browser(self.urls[variant])
        else:
            self.post_message(self.StartRequested(variant))

    @work(thread=True, group="browser", exit_on_error=False)
    def open_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except Exception:  # noqa: BLE001 - no browser is an answer too: say where to go instead
            opened = False
        if not opened:
            self.notify(f"No browser found here. Open {url} yourself.", timeout=10)


