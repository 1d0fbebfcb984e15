"""The counts a report is made of: what the engine aggregates and the summary turns into sections.

Why a module of its own: the counts are the one interface between *how* the events are read (the
DuckDB engine, over ledgers, exports or the shared database) and *what* is said about them (the
summary, with its Wilson intervals, sign tests and bootstrap). Everything here is already aggregated:
sums, counts and medians, never lists of events, so a report over ten million events hands the
summary a few hundred numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.compare.report.model import ProjectInfo

# (a_assistant, b_assistant, winner) -> number of votes
VoteKey = tuple[str, str, str]


@dataclass
class AssistantCounts:
    """One assistant in one slice (the whole report, a category or a template)."""

    projects: int = 0  # projects it worked in, was rated or voted on in, or was listed by
    sessions: int = 0
    session_seconds: float = 0.0
    runs: int = 0
    runs_ok: int = 0
    run_median_seconds: float | None = None
    runs_with_cost: int = 0
    run_cost_usd: float = 0.0  # the sum over the runs that state a cost
    ratings: int = 0
    rating_minutes: float = 0.0
    criteria: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # id -> (n, sum, sum of squares)
    overall: tuple[int, float, float] = (0, 0.0, 0.0)  # the same over each rating's mean of its criteria
    first_working_hours: list[float] = field(default_factory=list)  # one per project that got there


@dataclass
class ScopeCounts:
    """One slice of the report: its projects, blind comparisons, votes and assistants.

    ``extra`` holds the rows of every aggregate registered beyond the core ones (by aggregate
    name), so a new table in the report is one query plus one summary function.
    """

    projects: int = 0
    comparisons: int = 0
    votes: dict[VoteKey, int] = field(default_factory=dict)
    assistants: dict[str, AssistantCounts] = field(default_factory=dict)
    raters: int = 0  # distinct people (``by``) who voted or rated here: the privacy threshold reads it
    extra: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def assistant(self, aid: str) -> AssistantCounts:
        found = self.assistants.get(aid)
        if found is None:
            found = self.assistants[aid] = AssistantCounts()
        return found


@dataclass
class Counts:
    """Everything the summary needs, for the whole report and for each category and template."""

    overall: ScopeCounts = field(default_factory=ScopeCounts)
    by_category: dict[str, ScopeCounts] = field(default_factory=dict)
    by_template: dict[str, ScopeCounts] = field(default_factory=dict)
    projects: dict[str, ProjectInfo] = field(default_factory=dict)  # by project key, in report order
    kinds: dict[str, int] = field(default_factory=dict)
    criteria_seen: list[str] = field(default_factory=list)  # criterion ids in ratings, in order of appearance
    event_count: int = 0
    duplicates: int = 0
    damaged: int = 0
    newer: int = 0  # events a newer sandbox wrote (higher major schema): skipped, counted

    def scope(self, level: str, name: str) -> ScopeCounts:
        """The slice ``level`` ("all", "category" or "template") called ``name``, made when first asked."""
        if level == "all":
            return self.overall
        slices = self.by_category if level == "category" else self.by_template
        found = slices.get(name)
        if found is None:
            found = slices[name] = ScopeCounts()
        return found
