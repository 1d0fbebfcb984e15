"""The home screen's project table: enter opens the highlighted project (and says so in the footer)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class ProjectTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Open", show=True)]
