"""The reference: the pure-Python fold the report used before its DuckDB engine, kept to check it.

The engine must give exactly these numbers on the same events (tests/compare/report/test_engine.py
runs both on generated workspaces), until this fold is retired. It is the old
``sandbox/compare/report/fold.py`` unchanged but for ``to_counts`` at the end, which hands its
totals to the shared summary in the shape the engine produces.

Why it was shaped like this:

- One pass over the ledgers. Each line is parsed with ``json`` and folded into running counts
  (sums and sums of squares, not lists of scores), so 200,000 events take well under the 2 s budget
  of ``sandbox report`` as a whole process.
- De-duplication by event ``id`` across the whole workspace: git's ``merge=union`` repeats lines
  that both sides had, and a copied project folder repeats a whole ledger. Every event counts once.
- Each project is folded once into its own totals, which are then merged into every slice it
  belongs to: the whole workspace, its category and its template.

A project's category and template are those of its ``created`` event (reading every project.yaml
would cost more than the whole report).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.compare import stats
from sandbox.compare.blind import WINNERS
from sandbox.compare.report.counts import AssistantCounts, Counts, ScopeCounts
from sandbox.compare.report.model import NO_GROUP, ProjectInfo, ReportError
from sandbox.compare.rubric import WORKS_CRITERION
from sandbox.core import events as events_schema
from sandbox.core import ledger

if TYPE_CHECKING:
    from sandbox.core.ledger import Event

WORKS_OK = 4  # "Works without errors" at or above this counts as a first working prototype


class AssistantTotals:
    """Running totals for one assistant in one slice: counts and sums, never lists of scores."""

    __slots__ = (
        "criteria",
        "first_working",
        "overall",
        "projects",
        "rating_minutes",
        "ratings",
        "run_costs",
        "run_seconds",
        "runs",
        "runs_ok",
        "session_seconds",
        "sessions",
    )

    def __init__(self) -> None:
        self.projects: set[str] = set()
        self.sessions = 0
        self.session_seconds = 0.0
        self.runs = 0
        self.runs_ok = 0
        self.run_seconds: list[float] = []
        self.run_costs: list[float] = []
        self.ratings = 0
        self.rating_minutes = 0.0
        self.criteria: dict[str, list[float]] = {}  # id -> [n, sum, sum of squares]
        self.overall: list[float] = [0, 0.0, 0.0]  # the same over each rating's mean of its criteria
        self.first_working: list[float] = []  # hours from created to the first working rating

    def merge(self, other: AssistantTotals) -> None:
        self.projects |= other.projects
        self.sessions += other.sessions
        self.session_seconds += other.session_seconds
        self.runs += other.runs
        self.runs_ok += other.runs_ok
        self.run_seconds.extend(other.run_seconds)
        self.run_costs.extend(other.run_costs)
        self.ratings += other.ratings
        self.rating_minutes += other.rating_minutes
        for cid, (n, total, total_sq) in other.criteria.items():
            slot = self.criteria.get(cid)
            if slot is None:
                self.criteria[cid] = [n, total, total_sq]
            else:
                slot[0] += n
                slot[1] += total
                slot[2] += total_sq
        for i in range(3):
            self.overall[i] += other.overall[i]
        self.first_working.extend(other.first_working)


class Scope:
    """Running totals for one slice of the workspace (all, one category, one template)."""

    def __init__(self) -> None:
        self.projects: set[str] = set()
        self.assistants: dict[str, AssistantTotals] = {}
        self.votes: dict[tuple[str, str, str], int] = {}  # (a_assistant, b_assistant, winner) -> n
        self.comparisons = 0

    def merge(self, other: Scope) -> None:
        """Add one project's totals: each event is folded once, then merged into every slice."""
        self.projects |= other.projects
        self.comparisons += other.comparisons
        for key, count in other.votes.items():
            self.votes[key] = self.votes.get(key, 0) + count
        for aid, acc in other.assistants.items():
            self.assistant(aid).merge(acc)

    def assistant(self, aid: str) -> AssistantTotals:
        found = self.assistants.get(aid)
        if found is None:
            found = self.assistants[aid] = AssistantTotals()
        return found


@dataclass
class Fold:
    """Everything the summary needs, from one pass over the ledgers.

    ``events`` and ``event_projects`` (the folder each event was read from) are kept only when
    asked for: the CSV export needs them, every other format would only pay for holding them.
    """

    overall: Scope = field(default_factory=Scope)
    by_category: dict[str, Scope] = field(default_factory=dict)
    by_template: dict[str, Scope] = field(default_factory=dict)
    projects: dict[str, ProjectInfo] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    criteria_seen: dict[str, None] = field(default_factory=dict)  # criterion ids in ratings, in order
    event_count: int = 0
    duplicates: int = 0
    damaged: int = 0
    newer: int = 0
    events: list[Event] | None = None
    event_projects: list[str] | None = None

    def add(self, info: ProjectInfo, events: list[Event]) -> None:
        """Fold one project's events and merge them into every slice the project belongs to."""
        slug = info.slug
        self.projects[slug] = info
        self.event_count += len(events)
        if self.events is not None and self.event_projects is not None:
            self.events.extend(events)
            self.event_projects.extend([slug] * len(events))
        project = _ProjectFold(slug, self.kinds, self.criteria_seen)
        project.fold(events)
        totals = project.finish(info.created_at)
        for scope in (self.overall, _slice(self.by_category, info.category), _slice(self.by_template, info.template)):
            scope.merge(totals)


def _slice(slices: dict[str, Scope], name: str) -> Scope:
    found = slices.get(name)
    if found is None:
        found = slices[name] = Scope()
    return found


def fold_workspace(projects_dir: Path, *, category: str | None = None, keep_events: bool = True) -> Fold:
    """Read every ledger under ``projects_dir`` once and fold it (optionally one category only).

    De-duplication spans the whole workspace, the projects a category filter leaves out included:
    an event counts once, in the first folder (by name) that holds it.
    """
    wanted = category.strip().lower() if category else None
    reader = _LedgerReader()
    fold = Fold(events=[] if keep_events else None, event_projects=[] if keep_events else None)
    categories: set[str] = set()
    for slug, path in ledger_paths(projects_dir):
        events = reader.read(path)
        if events is None:
            continue
        info = project_info(slug, events)
        categories.add(info.category)
        if wanted is not None and info.category.lower() != wanted:
            continue
        fold.add(info, events)
    fold.duplicates, fold.damaged, fold.newer = reader.duplicates, reader.damaged, reader.newer
    if wanted is not None and not fold.projects and categories:
        known = ", ".join(sorted(categories))
        raise ReportError(f"no project has the category '{category}' (categories: {known})")
    return fold


def ledger_paths(projects_dir: Path) -> list[tuple[str, Path]]:
    """``(folder name, ledger path)`` of every project folder that has a ledger, by name."""
    found = []
    try:
        entries = sorted(os.scandir(projects_dir), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        path = Path(entry.path) / ledger.LEDGER_FILE
        if path.is_file():
            found.append((entry.name, path))
    return found


class _LedgerReader:
    """Parses ledgers line by line, skipping what cannot count, and remembers every id it has seen."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.duplicates = 0
        self.damaged = 0
        self.newer = 0

    def read(self, path: Path) -> list[Event] | None:
        """The new, well-formed events of one ledger; None when the file cannot be read."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        seen = self.seen
        duplicates = damaged = newer = 0
        events: list[Event] = []
        # every line by the validator's rules (ledger.parse_line), as ledger.read and the engine judge it
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                event = ledger.parse_line(line)
            except ValueError:
                damaged += 1
                continue
            if events_schema.is_newer(event):
                newer += 1
                continue
            eid = event["id"]
            if eid in seen:
                duplicates += 1
                continue
            seen.add(eid)
            events.append(event)
        self.newer += newer
        self.duplicates += duplicates
        self.damaged += damaged
        return events


def project_info(slug: str, events: list[Event]) -> ProjectInfo:
    """Title, category, template and start of a project, from its first ``created`` event."""
    info = ProjectInfo(slug=slug)
    for event in events:
        if event["kind"] == ledger.CREATED:
            # a value of the wrong type counts as absent (docs/EVENTS.md), as in the engine
            info.title = _text(event, "title") or ""
            info.category = _text(event, "category") or NO_GROUP
            info.template = _text(event, "template") or NO_GROUP
            at = event.get("at")
            info.created_at = at if isinstance(at, str) else None
            break
    return info


def _number(value: object) -> float | None:
    """A finite int or float (not a bool, not text): ledgers are written by people and tools."""
    if type(value) is int:
        return float(value)
    if type(value) is float and value - value == 0.0:  # false for nan and inf
        return value
    return None


def _hours_between(start: str, end: str) -> float | None:
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return max(0.0, (b - a).total_seconds() / 3600)


class _ProjectFold:
    """One project's events folded into its own ``Scope``, one method per kind of event.

    Kinds without a method (change batches, renders, spec edits: most of a ledger) are counted in
    ``kinds`` and say nothing more about an assistant's results. An event's assistant is its
    ``assistant`` field, else its ``variant`` (variants are named after their assistant).
    """

    def __init__(self, slug: str, kinds: dict[str, int], criteria_seen: dict[str, None]) -> None:
        self.slug = slug
        self.scope = Scope()
        self.scope.projects.add(slug)
        self.kinds = kinds
        self.criteria_seen = criteria_seen
        self.first_working: dict[str, str] = {}  # assistant -> time of its first working rating
        self.created_assistants: list[str] = []

    def fold(self, events: list[Event]) -> None:
        kinds, handlers = self.kinds, _HANDLERS
        counted = evidence_votes(events)
        for event in events:
            kind = event["kind"]
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == ledger.VOTE and event["id"] not in counted:
                continue  # not evidence (issue 11): set apart before the fold, as the engine does
            handler = handlers.get(kind)
            if handler is not None:
                handler(self, event)

    def finish(self, created_at: str | None) -> Scope:
        """The project's totals: listed assistants count as in the project, first working times added."""
        scope = self.scope
        for aid in self.created_assistants:
            scope.assistant(aid).projects.add(self.slug)
        if created_at:
            for aid, at in self.first_working.items():
                hours = _hours_between(created_at, at)
                if hours is not None:
                    scope.assistant(aid).first_working.append(hours)
        return scope

    def created(self, event: Event) -> None:
        listed = event.get("assistants")
        if isinstance(listed, list):
            self.created_assistants.extend(str(a) for a in listed)

    def rating(self, event: Event) -> None:
        aid, scores = event.get("assistant") or event.get("variant"), event.get("scores")
        if not aid or not isinstance(scores, dict):
            return
        assistant = str(aid)
        values: list[tuple[str, float]] = []
        for cid, value in scores.items():
            number = _number(value)
            if number is None:
                continue
            values.append((cid, number))
            if cid not in self.criteria_seen:
                self.criteria_seen[cid] = None
        if not values:
            return
        average = sum(v for _, v in values) / len(values)
        minutes = _number(event.get("minutes"))
        acc = self.scope.assistant(assistant)
        acc.projects.add(self.slug)
        acc.ratings += 1
        if minutes is not None:
            acc.rating_minutes += minutes
        for cid, number in values:
            slot = acc.criteria.get(cid)
            if slot is None:
                slot = acc.criteria[cid] = [0, 0.0, 0.0]
            slot[0] += 1
            slot[1] += number
            slot[2] += number * number
        overall = acc.overall
        overall[0] += 1
        overall[1] += average
        overall[2] += average * average
        works = _number(scores.get(WORKS_CRITERION))
        at = event.get("at")
        if works is not None and works >= WORKS_OK and isinstance(at, str):
            previous = self.first_working.get(assistant)
            if previous is None or at < previous:
                self.first_working[assistant] = at

    def vote(self, event: Event) -> None:
        winner = event.get("winner")
        a = event.get("a_assistant") or event.get("a")
        b = event.get("b_assistant") or event.get("b")
        if winner not in WINNERS or not a or not b or a == b:
            return
        key = (str(a), str(b), str(winner))
        scope = self.scope
        scope.votes[key] = scope.votes.get(key, 0) + 1
        scope.assistant(key[0]).projects.add(self.slug)
        scope.assistant(key[1]).projects.add(self.slug)

    def compare(self, event: Event) -> None:
        self.scope.comparisons += 1

    def session_started(self, event: Event) -> None:
        aid = event.get("assistant") or event.get("variant")
        if aid:
            acc = self.scope.assistant(str(aid))
            acc.sessions += 1
            acc.projects.add(self.slug)

    def session_ended(self, event: Event) -> None:
        aid, seconds = event.get("assistant") or event.get("variant"), _number(event.get("seconds"))
        if aid and seconds is not None:
            self.scope.assistant(str(aid)).session_seconds += seconds

    def run(self, event: Event) -> None:
        aid = event.get("assistant") or event.get("variant")
        if not aid:
            return
        result = event.get("result")
        if not isinstance(result, dict):
            result = {}
        if type(event.get("ok")) is bool:
            ok = event["ok"]
        else:
            ok = event.get("exit_code") == 0 and event.get("timed_out") is not True
        seconds = _number(event.get("seconds"))
        if seconds is None:
            ms = _number(result.get("duration_ms"))
            seconds = ms / 1000 if ms is not None else None
        cost = _number(result.get("total_cost_usd"))
        acc = self.scope.assistant(str(aid))
        acc.projects.add(self.slug)
        acc.runs += 1
        acc.runs_ok += ok
        if not ok:
            return  # a failed run adds no time and no cost (issue 10)
        if seconds is not None:
            acc.run_seconds.append(seconds)
        if cost is not None:
            acc.run_costs.append(cost)


def _text(event: Event, key: str) -> str | None:
    value = event.get(key)
    return value if type(value) is str else None


def _texts(value: object) -> list[str]:
    return [v for v in value if type(v) is str] if type(value) is list else []


def _whole(value: object) -> int:
    return value if type(value) is int else 0


def _is_work(event: Event) -> bool:
    """A run or session that changed files, a change batch that did, or an edit (evidence rule 2)."""
    kind: str = event["kind"]
    lines = _whole(event.get("lines_added")) + _whole(event.get("lines_removed"))
    if kind in (ledger.RUN, ledger.SESSION_ENDED):
        files = sum(len(_texts(event.get(k))) for k in ("files_added", "files_changed", "files_deleted"))
        return files > 0 or lines > 0
    if kind == ledger.CHANGE:
        return len(_texts(event.get("files"))) > 0 or lines > 0
    return kind == ledger.EDIT


def evidence_votes(events: list[Event]) -> set[str]:
    """The ids of one project's votes that count as evidence, by the rules of ``report.evidence``,
    written out again in Python so the engine's SQL has something independent to equal.

    A valid vote (two different assistants, one of the four outcomes) counts when it is not a
    rater's earlier vote on the same pair version (the last counts) and both sides carry work: the
    vote's own ``a_worked``/``b_worked``, else work in that side's variant (or by its assistant when
    the work names no variant) dated no later than the vote.
    """
    work = [(_text(e, "variant"), _text(e, "assistant"), _text(e, "at")) for e in events if _is_work(e)]

    def worked(flag: object, variant: str | None, assistant: str, at: str | None) -> bool:
        if type(flag) is bool:
            return flag
        return any((w_variant == variant if w_variant is not None else w_assistant == assistant)
                   and (w_at is None or at is None or w_at <= at) for w_variant, w_assistant, w_at in work)

    votes = []
    for event in events:
        if event["kind"] != ledger.VOTE:
            continue
        a = _text(event, "a_assistant") or _text(event, "a")
        b = _text(event, "b_assistant") or _text(event, "b")
        if event.get("winner") in WINNERS and a and b and a != b:
            votes.append((event, a, b))
    counted: set[str] = set()
    seen: set[tuple[object, ...]] = set()
    for event, a, b in reversed(votes):  # the last vote of a rater on a pair version is the one that counts
        by, comparison, a_tree = _text(event, "by"), _text(event, "comparison"), _text(event, "a_tree")
        if by is not None and (comparison is not None or a_tree is not None):
            key = (by, comparison, a_tree, _text(event, "b_tree"), min(a, b), max(a, b))
            if key in seen:
                continue
            seen.add(key)
        at = _text(event, "at")
        if worked(event.get("a_worked"), _text(event, "a"), a, at) and worked(
            event.get("b_worked"), _text(event, "b"), b, at
        ):
            counted.add(event["id"])
    return counted


# Kept on the module, not on each instance: bound methods stored on the instance would make every
# project's fold a reference cycle, which only the (paused) garbage collector could free.
_HANDLERS: dict[str, Callable[[_ProjectFold, Event], None]] = {
    ledger.CREATED: _ProjectFold.created,
    ledger.RATING: _ProjectFold.rating,
    ledger.VOTE: _ProjectFold.vote,
    ledger.COMPARE: _ProjectFold.compare,
    ledger.SESSION_STARTED: _ProjectFold.session_started,
    ledger.SESSION_ENDED: _ProjectFold.session_ended,
    ledger.RUN: _ProjectFold.run,
}


def to_counts(fold: Fold) -> Counts:
    """The fold's running totals as the aggregated counts the summary reads."""
    counts = Counts(
        overall=_scope_counts(fold.overall),
        by_category={name: _scope_counts(scope) for name, scope in fold.by_category.items()},
        by_template={name: _scope_counts(scope) for name, scope in fold.by_template.items()},
        projects=dict(fold.projects),
        kinds=dict(fold.kinds),
        criteria_seen=list(fold.criteria_seen),
        event_count=fold.event_count,
        duplicates=fold.duplicates,
        damaged=fold.damaged,
        newer=fold.newer,
    )
    return counts


def _scope_counts(scope: Scope) -> ScopeCounts:
    result = ScopeCounts(projects=len(scope.projects), comparisons=scope.comparisons, votes=dict(scope.votes))
    for aid, acc in scope.assistants.items():
        result.assistants[aid] = AssistantCounts(
            projects=len(acc.projects),
            sessions=acc.sessions,
            session_seconds=acc.session_seconds,
            runs=acc.runs,
            runs_ok=acc.runs_ok,
            run_median_seconds=stats.median(acc.run_seconds),
            runs_with_cost=len(acc.run_costs),
            run_cost_usd=math.fsum(acc.run_costs),
            ratings=acc.ratings,
            rating_minutes=acc.rating_minutes,
            criteria={cid: (int(n), total, total_sq) for cid, (n, total, total_sq) in acc.criteria.items()},
            overall=(int(acc.overall[0]), acc.overall[1], acc.overall[2]),
            first_working_hours=list(acc.first_working),
        )
    return result
