"""The home screen's project table: enter opens the highlighted project (and says so in the footer)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable


class ProjectTable(DataTable[Any]):
    BINDINGS = [Binding("enter", "select_cursor", "Open", show=True)]
