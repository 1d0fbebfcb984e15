"""The project's Overview and Preview tabs.

Both are views: the project screen owns the state (the live watcher, the overview data) and calls
``show_*`` on them; button presses bubble up to the screen as ordinary ``Button.Pressed`` messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Label, Log, Static

from sandbox.tui.format import ago, wrap_lines


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


class OverviewPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="overview-idea")
        yield Label("Variants: one prototype per assistant", classes="section-title")
        table: DataTable[Any] = DataTable(id="overview-variants", cursor_type="row", zebra_stripes=True)
        for label in ("Variant", "Assistant", "Status", "Files", "Last activity"):
            table.add_column(label, key=label.lower())
        yield table
        yield Static("", id="overview-note", classes="field-help")

    def show(self, overview: Any, now: datetime) -> None:
        spec = overview.spec
        idea = self.query_one("#overview-idea", Static)
        if spec is None:
            idea.update(f"[b]project.yaml has a problem:[/b]\n{_esc(overview.spec_error or '')}\n\nOpen the Spec tab to fix it.")
            idea.add_class("error")
        else:
            idea.remove_class("error")
            rows = [
                f"[b]{_esc(spec.title)}[/b]",
                "",
                _esc(spec.idea) or "[dim](no idea text yet: add one in the Spec tab)[/dim]",
                "",
                f"[b]For:[/b] {_esc(spec.audience) or '-'}",
                f"[b]Success:[/b] {_esc(spec.success) or '-'}",
                f"[b]Template:[/b] {_esc(spec.template)}    [b]Category:[/b] {_esc(spec.category) or '-'}",
            ]
            idea.update("\n".join(rows))
        table = self.query_one("#overview-variants", DataTable)
        table.clear()
        for row in overview.variants:
            table.add_row(row.variant, row.assistant, row.status, row.files, ago(row.last_activity, now), key=row.variant)
        note = f"{overview.events} event{'' if overview.events == 1 else 's'} in the project's history."
        if overview.problems:
            note += f" {len(overview.problems)} damaged line(s) skipped."
        self.query_one("#overview-note", Static).update(note)


class PreviewPane(Vertical):
    """Start/stop the live preview per variant, its address, open it, and the live event log."""

    def __init__(self, available: bool, reason: str = "") -> None:
        super().__init__(id="preview-pane")
        self.available = available
        self.reason = reason

    def compose(self) -> ComposeResult:
        if not self.available:
            yield Static(
                "The live preview is not available in this installation yet"
                + (f" ({_esc(self.reason)})" if self.reason else "")
                + ". You can still open the prototype's index.html from the variant folder.",
                id="preview-unavailable",
            )
            return
        yield Static(
            "Start a preview, then open it in your browser: it reloads by itself whenever a file changes.",
            classes="field-help",
        )
        table: DataTable[Any] = DataTable(id="preview-variants", cursor_type="row")
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

    def show_variants(self, rows: list[tuple[str, str]], urls: dict[str, str]) -> None:
        if not self.available:
            return
        table = self.query_one("#preview-variants", DataTable)
        keep = table.cursor_row
        table.clear()
        for variant, assistant in rows:
            url = urls.get(variant)
            table.add_row(variant, assistant, "on" if url else "off", url or "-", key=variant)
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def selected_variant(self) -> str | None:
        if not self.available:
            return None
        table = self.query_one("#preview-variants", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def log_lines(self, lines: list[str]) -> None:
        if self.available and lines:
            log = self.query_one("#live-log", Log)
            log.write_lines(wrap_lines(lines, log.scrollable_content_region.width))
