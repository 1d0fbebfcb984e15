"""What the report's parts hand each other: the built ``Report``, a project's context, the error.

Kept apart from the fold, the summary and the exporters so each of them can import these without
importing the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.core.ledger import Event

NO_GROUP = "(none)"  # the category or template of a project that names none

# One summary (the whole workspace, one category or one template) as JSON-ready data: the exporters
# and the TUI read it by key, and JSON is what ``--format json`` prints, so it stays a plain mapping.
Section = dict[str, Any]


class ReportError(SandboxError):
    """The report cannot be built or written as asked."""


@dataclass
class ProjectInfo:
    """A project's context as its ``created`` event gives it (reading every project.yaml costs more)."""

    slug: str  # the project's folder
    title: str = ""
    category: str = NO_GROUP
    template: str = NO_GROUP
    created_at: str | None = None
    # The folder plus the id of its ledger's first "created" line: the same project from two clones
    # is one project, two teams' projects of one name are two (the folder alone, without one).
    key: str = ""


@dataclass
class Report:
    """The numbers (``data``, JSON-ready) and the events behind them (for the CSV export).

    ``events`` is None when the report was built with ``keep_events=False`` (every format but CSV):
    not holding 200,000 dicts at once saves a third of the time.
    """

    data: Section
    events: list[Event] | None = field(default=None, repr=False)
    projects: dict[str, ProjectInfo] = field(default_factory=dict, repr=False)  # by project key
    # The key of the project each kept event was read from (parallel to ``events``). The report
    # counts by folder; an event's own "project" field keeps the slug it was written under, which
    # goes stale when someone renames the folder, and the CSV must agree with the tables.
    event_projects: list[str] | None = field(default=None, repr=False)
    # An organisation report (other sources than the workspace): the CSV leaves out who rated and
    # what they wrote, as the report itself names no one.
    organisation: bool = False

    def to_dict(self) -> Section:
        return self.data
