"""The home screen's project table: enter opens the highlighted project (and says so in the footer)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class ProjectTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Open", show=True)]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Skip measuring every new cell when nothing would use the measure.

        The DataTable measures each cell of each new row to size auto-width columns (about 60 µs a
        cell: 3 s of a 10,000-project list). The home screen gives every column a fixed width, worked
        out from the rows it adds, and its rows have no labels and one line each: then the measures
        change nothing, and only the table's scrollable size is worked out again.
        """
        rows = list(new_rows)
        fixed = bool(self.columns) and not any(column.auto_width for column in self.columns.values())
        plain = fixed and all(
            (row := self.rows.get(key)) is None or (row.label is None and not row.auto_height) for key in rows
        )
        super()._update_dimensions(() if plain else rows)
