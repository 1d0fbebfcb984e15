"""The comparison report: every ledger in the workspace -> tables, intervals and exporters.

Why it is shaped like this:

- One pass over the ledgers. Each line is parsed with ``json.loads`` and folded into running
  counts (sums and sums of squares, not lists of scores), so 200,000 events take well under the
  2 s budget of ``sandbox report`` as a whole process. Nothing here imports Textual or Jinja2.
- De-duplication by event ``id`` across the whole workspace: git's ``merge=union`` repeats lines
  that both sides had, and a copied project folder repeats a whole ledger. Every event counts once.
- The same summary (assistants, head-to-head, Bradley–Terry) is computed for the whole workspace,
  for each category and for each template, from the same fold.
- Honesty over precision: win rates carry Wilson intervals, the sign test gives a p-value, and when a
  pair has fewer decisive votes than it takes to tell 60/40 from 50/50, the report says so in words.

A project's category and template are those of its ``created`` event (reading every project.yaml
would cost more than the whole report). Ties and both-bad votes are shown apart: they carry no preference, so they are left out of win
rates and the sign test. Bradley–Terry counts a tie as half a win each way and ignores both-bad.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from sandbox.compare import stats
from sandbox.core.errors import SandboxError

FORMATS = ("md", "csv", "html", "json")
BT_REPLICATES = 400
BT_GROUP_REPLICATES = 200
BT_SEED = 20240601
BT_PRIOR = 0.5
WORKS_OK = 4  # "Works without errors" at or above this counts as a first working prototype
NO_GROUP = "(none)"


class ReportError(SandboxError):
    """The report cannot be built or written as asked."""


# --- the fold ---------------------------------------------------------------------------------
class _Assistant:
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
        self.overall = [0, 0.0, 0.0]
        self.first_working: list[float] = []  # hours from created to the first working rating

    def merge(self, other: _Assistant) -> None:
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


class _Scope:
    """Running totals for one slice of the workspace (all, one category, one template)."""

    def __init__(self) -> None:
        self.projects: set[str] = set()
        self.assistants: dict[str, _Assistant] = {}
        self.votes: dict[tuple[str, str, str], int] = {}  # (a_assistant, b_assistant, winner) -> n
        self.comparisons = 0

    def merge(self, other: _Scope) -> None:
        """Add one project's totals: each event is folded once, then merged into every slice."""
        self.projects |= other.projects
        self.comparisons += other.comparisons
        for key, count in other.votes.items():
            self.votes[key] = self.votes.get(key, 0) + count
        for aid, acc in other.assistants.items():
            self.assistant(aid).merge(acc)

    def assistant(self, aid: str) -> _Assistant:
        found = self.assistants.get(aid)
        if found is None:
            found = self.assistants[aid] = _Assistant()
        return found


def _number(value: Any) -> float | None:
    """A finite int or float (not a bool, not text): ledgers are written by people and tools."""
    kind = type(value)
    if kind is int:
        return float(value)
    if kind is float and value - value == 0.0:  # false for nan and inf
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


@dataclass
class ProjectInfo:
    slug: str
    title: str = ""
    category: str = NO_GROUP
    template: str = NO_GROUP
    created_at: str | None = None


@dataclass
class Report:
    """The numbers (``data``, JSON-ready) and the events behind them (for the CSV export).

    ``events`` is None when the report was built with ``keep_events=False`` (every format but CSV):
    not holding 200,000 dicts at once saves a third of the time.
    """

    data: dict[str, Any]
    events: list[dict[str, Any]] | None = field(default=None, repr=False)
    projects: dict[str, ProjectInfo] = field(default_factory=dict, repr=False)
    # The project folder each kept event was read from (parallel to ``events``). The report counts
    # by folder; an event's own "project" field keeps the slug it was written under, which goes
    # stale when someone renames the folder, and the CSV must agree with the tables.
    event_projects: list[str] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return self.data


def _ledger_paths(projects_dir: Path) -> list[tuple[str, Path]]:
    found = []
    try:
        entries = sorted(os.scandir(projects_dir), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        path = os.path.join(entry.path, "ledger.jsonl")
        if os.path.isfile(path):
            found.append((entry.name, Path(path)))
    return found


def build_report(
    workspace: Any,
    *,
    category: str | None = None,
    replicates: int = BT_REPLICATES,
    group_replicates: int = BT_GROUP_REPLICATES,
    seed: int = BT_SEED,
    keep_events: bool = True,
) -> Report:
    """Read every ledger of ``workspace`` once and summarise it (optionally one category only).

    The cyclic garbage collector is paused meanwhile: parsing allocates hundreds of thousands of
    small dicts and no cycles, and each automatic collection would rescan all of them.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(workspace, category, replicates, group_replicates, seed, keep_events)
    finally:
        if collecting:
            gc.enable()


def _build(
    workspace: Any, category: str | None, replicates: int, group_replicates: int, seed: int, keep_events: bool
) -> Report:
    loads = json.loads
    raw_decode = json.JSONDecoder().raw_decode  # json.loads minus its per-call checks: ~2x faster
    seen: set[str] = set()
    duplicates = damaged = total_events = 0
    kinds: dict[str, int] = {}
    overall = _Scope()
    by_category: dict[str, _Scope] = {}
    by_template: dict[str, _Scope] = {}
    kept_events: list[dict[str, Any]] = []
    kept_projects: list[str] = []
    projects: dict[str, ProjectInfo] = {}
    wanted = category.strip().lower() if category else None
    criteria_seen: dict[str, None] = {}
    all_categories: set[str] = set()

    for slug, path in _ledger_paths(Path(workspace.projects_dir)):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        events: list[dict[str, Any]] = []
        text = raw.decode("utf-8", errors="replace")
        for line in text.split("\n"):
            if not line:
                continue
            try:
                event, end = raw_decode(line)
                if end != len(line) and not line[end:].isspace():
                    raise ValueError("trailing text")
            except ValueError:
                try:
                    event = loads(line)  # leading whitespace, or a blank line
                except ValueError:
                    if not line.isspace():
                        damaged += 1
                    continue
            if type(event) is not dict:
                damaged += 1
                continue
            eid = event.get("id")
            if type(eid) is not str or "kind" not in event:
                damaged += 1
                continue
            if eid in seen:
                duplicates += 1
                continue
            seen.add(eid)
            events.append(event)
        info = ProjectInfo(slug=slug)
        for event in events:
            if event.get("kind") == "created":
                info.title = str(event.get("title") or "")
                info.category = str(event.get("category") or "") or NO_GROUP
                info.template = str(event.get("template") or "") or NO_GROUP
                info.created_at = event.get("at") if isinstance(event.get("at"), str) else None
                break
        all_categories.add(info.category)
        if wanted is not None and info.category.lower() != wanted:
            continue
        projects[slug] = info
        total_events += len(events)
        if keep_events:
            kept_events.extend(events)
            kept_projects.extend([slug] * len(events))
        cat_scope = by_category.get(info.category)
        if cat_scope is None:
            cat_scope = by_category[info.category] = _Scope()
        tpl_scope = by_template.get(info.template)
        if tpl_scope is None:
            tpl_scope = by_template[info.template] = _Scope()
        project_scope = _Scope()
        _fold_project(slug, info, events, (project_scope,), kinds, criteria_seen)
        for scope in (overall, cat_scope, tpl_scope):
            scope.merge(project_scope)

    if wanted is not None and not projects and all_categories:
        known = ", ".join(sorted(all_categories))
        raise ReportError(f"no project has the category '{category}' (categories: {known})")
    criteria = _criteria(workspace, criteria_seen)
    names = _names(workspace)
    needed = stats.votes_needed()
    data: dict[str, Any] = {
        "schema": 1,
        "filter": {"category": category} if category else {},
        "totals": {
            "projects": len(projects),
            "events": total_events,
            "duplicates_skipped": duplicates,
            "damaged_lines": damaged,
            "kinds": dict(sorted(kinds.items())),
        },
        "criteria": criteria,
        "votes_needed": needed,
        # Honest about its own precision: the number is the normal approximation; the exact sign test
        # the tables use has about 76% power at 194 votes and needs a few more (see stats.votes_needed).
        "votes_needed_explained": (
            f"About {needed} decisive votes between two assistants are needed to tell a 60/40 preference from a "
            "coin flip (5% significance, 80% power, by the usual normal approximation; the exact sign test used "
            "in the tables needs a few more)."
        ),
        **_summarise(overall, criteria, names, needed, replicates, seed),
        "by_category": [
            {"group": name, **_summarise(scope, criteria, names, needed, group_replicates, seed)}
            for name, scope in sorted(by_category.items())
        ],
        "by_template": [
            {"group": name, **_summarise(scope, criteria, names, needed, group_replicates, seed)}
            for name, scope in sorted(by_template.items())
        ],
    }
    return Report(
        data=data,
        events=kept_events if keep_events else None,
        projects=projects,
        event_projects=kept_projects if keep_events else None,
    )


def _fold_project(
    slug: str,
    info: ProjectInfo,
    events: list[dict[str, Any]],
    scopes: tuple[_Scope, ...],
    kinds: dict[str, int],
    criteria_seen: dict[str, None],
) -> None:
    for scope in scopes:
        scope.projects.add(slug)
    first_working: dict[str, str] = {}
    created_assistants: list[str] = []
    for event in events:
        kind = event.get("kind")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "created":
            listed = event.get("assistants")
            if isinstance(listed, list):
                created_assistants.extend(str(a) for a in listed)
            continue
        if kind == "change" or kind == "rendered" or kind == "edit":
            continue
        aid = event.get("assistant") or event.get("variant")
        if kind == "rating":
            scores = event.get("scores")
            if not aid or not isinstance(scores, dict):
                continue
            aid = str(aid)
            values = []
            for cid, value in scores.items():
                number = _number(value)
                if number is None:
                    continue
                values.append((cid, number))
                if cid not in criteria_seen:
                    criteria_seen[cid] = None
            if not values:
                continue
            average = sum(v for _, v in values) / len(values)
            minutes = _number(event.get("minutes"))
            for scope in scopes:
                acc = scope.assistant(aid)
                acc.projects.add(slug)
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
                o = acc.overall
                o[0] += 1
                o[1] += average
                o[2] += average * average
            works = _number(scores.get("works"))
            at = event.get("at")
            if works is not None and works >= WORKS_OK and isinstance(at, str):
                previous = first_working.get(aid)
                if previous is None or at < previous:
                    first_working[aid] = at
        elif kind == "vote":
            winner = event.get("winner")
            a = event.get("a_assistant") or event.get("a")
            b = event.get("b_assistant") or event.get("b")
            if winner not in ("A", "B", "tie", "both-bad") or not a or not b or a == b:
                continue
            key = (str(a), str(b), winner)
            for scope in scopes:
                scope.votes[key] = scope.votes.get(key, 0) + 1
                scope.assistant(key[0]).projects.add(slug)
                scope.assistant(key[1]).projects.add(slug)
        elif kind == "compare":
            for scope in scopes:
                scope.comparisons += 1
        elif kind == "session_started":
            if aid:
                for scope in scopes:
                    acc = scope.assistant(str(aid))
                    acc.sessions += 1
                    acc.projects.add(slug)
        elif kind == "session_ended":
            seconds = _number(event.get("seconds"))
            if aid and seconds is not None:
                for scope in scopes:
                    scope.assistant(str(aid)).session_seconds += seconds
        elif kind == "run":
            if not aid:
                continue
            result = event.get("result") if isinstance(event.get("result"), dict) else {}
            ok = event.get("exit_code") == 0 and not event.get("timed_out")
            seconds = _number(event.get("seconds"))
            if seconds is None:
                ms = _number(result.get("duration_ms"))
                seconds = ms / 1000 if ms is not None else None
            cost = _number(result.get("total_cost_usd"))
            for scope in scopes:
                acc = scope.assistant(str(aid))
                acc.projects.add(slug)
                acc.runs += 1
                acc.runs_ok += ok
                if seconds is not None:
                    acc.run_seconds.append(seconds)
                if cost is not None:
                    acc.run_costs.append(cost)
    for aid in created_assistants:
        for scope in scopes:
            scope.assistant(aid).projects.add(slug)
    if info.created_at:
        for aid, at in first_working.items():
            hours = _hours_between(info.created_at, at)
            if hours is not None:
                for scope in scopes:
                    scope.assistant(aid).first_working.append(hours)


def _criteria(workspace: Any, seen: dict[str, None]) -> list[dict[str, str]]:
    """The rubric's criteria, then any criterion found in old ratings that the rubric no longer has."""
    from sandbox.compare.feedback import rubric

    current = rubric(workspace)  # a broken rubric in sandbox.yaml is an error with its line, not a silent default
    result = [c.to_dict() for c in current]
    known = {c.id for c in current}
    for cid in seen:
        if cid not in known:
            result.append({"id": cid, "label": cid, "hint": "(not in the current rubric)"})
    return result


def _names(workspace: Any) -> dict[str, str]:
    try:
        return {aid: a.name for aid, a in workspace.registry.items()}
    except SandboxError:
        return {}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _summarise(
    scope: _Scope,
    criteria: list[dict[str, str]],
    names: dict[str, str],
    needed: int,
    replicates: int,
    seed: int,
) -> dict[str, Any]:
    """Tables for one scope: per assistant, head-to-head, Bradley–Terry, position bias, notes."""
    # votes per pair, from the point of view of the alphabetically first assistant
    pairs: dict[tuple[str, str], list[int]] = {}  # (x, y) -> [x wins, y wins, ties, both bad]
    position = [0, 0]  # decisive votes won by A, by B
    per_assistant_votes: dict[str, list[int]] = {}  # id -> [wins, losses, ties, both bad]
    bt_counts: dict[tuple[str, str, float], int] = {}
    for (a, b, winner), count in scope.votes.items():
        x, y = (a, b) if a < b else (b, a)
        slot = pairs.setdefault((x, y), [0, 0, 0, 0])
        if winner in ("A", "B"):
            won = a if winner == "A" else b
            position[0 if winner == "A" else 1] += count
            slot[0 if won == x else 1] += count
            lost = b if won == a else a
            per_assistant_votes.setdefault(won, [0, 0, 0, 0])[0] += count
            per_assistant_votes.setdefault(lost, [0, 0, 0, 0])[1] += count
            key = (x, y, 1.0 if won == x else 0.0)
            bt_counts[key] = bt_counts.get(key, 0) + count
        elif winner == "tie":
            slot[2] += count
            for aid in (a, b):
                per_assistant_votes.setdefault(aid, [0, 0, 0, 0])[2] += count
            key = (x, y, 0.5)
            bt_counts[key] = bt_counts.get(key, 0) + count
        else:
            slot[3] += count
            for aid in (a, b):
                per_assistant_votes.setdefault(aid, [0, 0, 0, 0])[3] += count

    assistants = []
    for aid in sorted(scope.assistants):
        acc = scope.assistants[aid]
        wins, losses, ties, both_bad = per_assistant_votes.get(aid, [0, 0, 0, 0])
        decisive = wins + losses
        low, high = stats.wilson(wins, decisive)
        row: dict[str, Any] = {
            "id": aid,
            "name": names.get(aid, aid),
            "projects": len(acc.projects),
            "ratings": acc.ratings,
            "criteria": {},
            "overall": _interval_dict(*acc.overall),
            "votes": {
                "wins": wins,
                "losses": losses,
                "ties": ties,
                "both_bad": both_bad,
                "decisive": decisive,
                "win_rate": _round(wins / decisive) if decisive else None,
                "low": _round(low) if decisive else None,
                "high": _round(high) if decisive else None,
                "p_value": _round(stats.sign_test(wins, losses), 4) if decisive else None,
            },
        }
        for criterion in criteria:
            slot = acc.criteria.get(criterion["id"])
            row["criteria"][criterion["id"]] = _interval_dict(*(slot or (0, 0.0, 0.0)))
        row.update(
            {
                "sessions": acc.sessions,
                "session_minutes": round(acc.session_seconds / 60, 1),
                "rating_minutes": round(acc.rating_minutes, 1),
                "runs": acc.runs,
                "runs_ok": acc.runs_ok,
                "run_success_rate": _round(acc.runs_ok / acc.runs) if acc.runs else None,
                "run_median_seconds": _round(stats.median(acc.run_seconds), 1),
                "runs_with_cost": len(acc.run_costs),
                "run_cost_usd": round(math.fsum(acc.run_costs), 4) if acc.run_costs else None,
                "first_working": {
                    "projects": len(acc.first_working),
                    "median_hours": _round(stats.median(acc.first_working), 2),
                },
            }
        )
        assistants.append(row)

    head_to_head = []
    notes: list[str] = []
    for (x, y), (x_wins, y_wins, ties, both_bad) in sorted(pairs.items()):
        decisive = x_wins + y_wins
        low, high = stats.wilson(x_wins, decisive)
        enough = decisive >= needed
        head_to_head.append(
            {
                "a": x,
                "b": y,
                "a_name": names.get(x, x),
                "b_name": names.get(y, y),
                "votes": decisive + ties + both_bad,
                "decisive": decisive,
                "a_wins": x_wins,
                "b_wins": y_wins,
                "ties": ties,
                "both_bad": both_bad,
                "a_win_rate": _round(x_wins / decisive) if decisive else None,
                "low": _round(low) if decisive else None,
                "high": _round(high) if decisive else None,
                "p_value": _round(stats.sign_test(x_wins, y_wins), 4) if decisive else None,
                "enough_votes": enough,
            }
        )
        notes.append(_pair_note(names.get(x, x), names.get(y, y), x_wins, y_wins, low, high, needed))
    tested = sum(1 for counts in pairs.values() if counts[0] + counts[1])
    if tested >= 3:  # the caution is about p-values, so only pairs that have one count
        notes.append(
            f"{tested} pairs are compared: even if every assistant were equally good, about one pair in 20 would "
            "show p < 0.05 by chance alone, so trust a clear result more when it holds up as votes come in."
        )

    voters = sorted({aid for pair in pairs for aid in pair if sum(pairs[pair][:3]) > 0})
    bradley_terry = None
    if len(voters) >= 3 and bt_counts:
        fit = stats.bootstrap_bradley_terry(voters, bt_counts, replicates=replicates, seed=seed, prior=BT_PRIOR)
        bradley_terry = {
            "replicates": fit.replicates,
            "seed": fit.seed,
            "prior_ties_per_pair": BT_PRIOR * 2,
            "explained": "Strengths sum to 1; the chance that X beats Y is s_X / (s_X + s_Y), so equal strengths "
            "mean a coin flip. Ties count as half a win each way; both-bad votes are left out. Every pair also gets "
            "one imaginary tie, so an assistant that never won keeps a small strength instead of zero. "
            "95% intervals from a seeded bootstrap over the votes.",
            "strengths": sorted(
                (
                    {
                        "id": aid,
                        "name": names.get(aid, aid),
                        "strength": _round(fit.strengths[aid], 4),
                        "low": _round(fit.low[aid], 4),
                        "high": _round(fit.high[aid], 4),
                    }
                    for aid in voters
                ),
                key=lambda r: -r["strength"],
            ),
        }

    decisive_all = position[0] + position[1]
    low, high = stats.wilson(position[0], decisive_all)
    p_position = stats.sign_test(position[0], position[1])
    position_row = {
        "decisive": decisive_all,
        "a_wins": position[0],
        "b_wins": position[1],
        "a_win_rate": _round(position[0] / decisive_all) if decisive_all else None,
        "low": _round(low) if decisive_all else None,
        "high": _round(high) if decisive_all else None,
        "p_value": _round(p_position, 4) if decisive_all else None,
        "text": _position_text(position[0], decisive_all, low, high, p_position),
    }
    if not scope.votes:
        notes.insert(0, "No votes yet: run 'sandbox compare SLUG' and 'sandbox vote SLUG --winner A|B|tie|both-bad'.")
    return {
        "projects": len(scope.projects),
        "comparisons": scope.comparisons,
        "assistants": assistants,
        "head_to_head": head_to_head,
        "bradley_terry": bradley_terry,
        "position": position_row,
        "notes": notes,
    }


def _pair_note(
    x: str, y: str, x_wins: int, y_wins: int, low: float, high: float, needed: int
) -> str:
    """One plain sentence per pair: who is ahead, how sure, and whether the votes can tell yet.

    Why four cases: "too few votes" is only half the truth. A 10-0 result is significant with ten
    votes (a large preference shows early), and 250 votes without significance do say something
    (a 60/40 preference would most likely have shown). The sample size needed is for a *small*
    (60/40) preference, so the words depend on both the p-value and the count.
    """
    decisive = x_wins + y_wins
    pair = f"{x} vs {y}"
    if not decisive:
        return f"{pair}: no decisive votes yet, only ties or both-bad, so there is no preference to test."
    p = stats.sign_test(x_wins, y_wins)
    p_text = "p < 0.001" if p < 0.001 else f"p = {_p(p)}"
    hi = 0.5
    if x_wins == y_wins:
        result = f"split {x_wins}-{y_wins} ({p_text})"
    else:
        leader, wins, lo, hi = (x, x_wins, low, high) if x_wins > y_wins else (y, y_wins, 1 - high, 1 - low)
        result = (f"{leader} won {wins} of {decisive} decisive votes "
                  f"({wins / decisive:.0%}, 95% interval {lo:.0%}-{hi:.0%}; {p_text})")
    votes = f"{decisive} decisive vote{'s' if decisive != 1 else ''}"
    if decisive < needed:
        if p < 0.05:
            return (f"{pair}: {result}. A clear preference, although {votes} are fewer than the {needed} it takes "
                    "to detect a small (60/40) one, so how large it is remains uncertain.")
        return (f"{pair}: {result}, but that is only {votes} of the {needed} needed to tell a 60/40 preference "
                "from a coin flip: treat this as a hint, not a finding.")
    if p < 0.05 and hi < 0.6:
        return f"{pair}: {result}. A clear but small preference: even the top of the interval is under 60/40."
    if p < 0.05:
        return f"{pair}: {result}. A clear preference, from enough votes to detect even a small (60/40) one."
    return (f"{pair}: {result}. No clear preference: with {votes} a 60/40 preference would most likely have shown, "
            "so any difference is probably smaller than that.")


def _interval_dict(n: float, total: float, total_sq: float) -> dict[str, Any]:
    mean, low, high = stats.mean_ci_from_sums(int(n), total, total_sq)
    return {"n": int(n), "mean": _round(mean, 2), "low": _round(low, 2), "high": _round(high, 2)}


def _position_text(a_wins: int, decisive: int, low: float, high: float, p: float) -> str:
    if not decisive:
        return "Position bias: no decisive votes yet."
    share = f"A won {a_wins} of {decisive} decisive votes ({a_wins / decisive:.0%}, 95% interval {low:.0%}-{high:.0%}, p = {p:.3g})"
    if p < 0.05:
        return f"Position bias: {share}. The side shown first wins more or less often than chance; positions are randomised, so totals stay fair, but look at how prototypes are presented."
    return f"Position bias: {share}; no sign that the position decides the vote."


# --- exporters ---------------------------------------------------------------------------------
def render(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` (md, csv, html or json)."""
    if fmt == "json":
        return json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return to_markdown(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    raise ReportError(f"unknown report format '{fmt}' (formats: {', '.join(FORMATS)})")


def plural(count: int, word: str) -> str:
    """'1 project', '2 projects', '200,000 events' (grouped: a manager should not count digits)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _interval(value: float | None, low: float | None, high: float | None, pct: bool = False, digits: int = 2) -> str:
    if value is None:
        return "-"
    fmt = _pct if pct else (lambda v: _num(v, digits))
    if low is None or high is None:
        return fmt(value)
    return f"{fmt(value)} [{fmt(low)}-{fmt(high)}]"


SCALE = (1.0, 5.0)  # the rubric's 1-5 scale (feedback.SCORE_MIN, SCORE_MAX)


def rating_cell(cell: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high) of a rating cell for display, the interval clipped to the 1-5 scale.

    Why: a Student-t interval from two ratings of 4 and 5 runs from -1.85 to 10.85. That is the
    correct t interval, and JSON keeps it, but a mean of 1-5 scores cannot leave 1-5, and a
    manager reading "[-1.85-10.85]" learns nothing but confusion; clipped it reads "[1.00-5.00]":
    the honest "could be anything".
    """
    mean, low, high = cell["mean"], cell["low"], cell["high"]
    if low is not None:
        low = min(max(low, SCALE[0]), SCALE[1])
    if high is not None:
        high = min(max(high, SCALE[0]), SCALE[1])
    return mean, low, high


def duration_text(hours: float | None) -> str:
    """'under a minute', '25 min', '5.5 h', '3.2 days': a median of 0.3 h reads badly as '0.3'."""
    if hours is None:
        return "-"
    minutes = hours * 60
    if minutes < 1:
        return "under a minute"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


BT_TITLE = "Bradley-Terry strength [95% bootstrap]"


def tables(section: dict[str, Any], criteria: list[dict[str, str]], full: bool) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report's tables as (title, header, rows) of strings: shared by Markdown, HTML and the TUI."""
    result = []
    if full:
        header = ["Assistant", "Projects", "Sessions", "Session min", "Headless runs", "Run success", "Median run s",
                  "Cost USD", "Time to first working (median)"]
        rows = []
        for a in section["assistants"]:
            cost = "-" if a["run_cost_usd"] is None else f"{a['run_cost_usd']:.2f} ({a['runs_with_cost']} runs)"
            fw = a["first_working"]
            rows.append([
                a["name"], str(a["projects"]), str(a["sessions"]), _num(a["session_minutes"], 1), str(a["runs"]),
                _pct(a["run_success_rate"]), _num(a["run_median_seconds"], 1), cost,
                f"{duration_text(fw['median_hours'])} (n={fw['projects']})" if fw["projects"] else "-",
            ])
        result.append(("Work per assistant", header, rows))
    header = ["Assistant", "Ratings", "Overall"] + [c["label"] for c in criteria]
    rows = []
    for a in section["assistants"]:
        rows.append(
            [a["name"], str(a["ratings"]), _interval(*rating_cell(a["overall"]))]
            + [_interval(*rating_cell(a["criteria"][c["id"]])) for c in criteria]
        )
    result.append(("Ratings, mean 1-5 [95% interval]", header, rows))
    header = ["Assistant", "Decisive votes", "Wins", "Losses", "Win rate [95% Wilson]", "Sign test p", "Ties", "Both bad"]
    rows = [
        [a["name"], str(v["decisive"]), str(v["wins"]), str(v["losses"]), _interval(v["win_rate"], v["low"], v["high"], pct=True),
         _p(v["p_value"]), str(v["ties"]), str(v["both_bad"])]
        for a in section["assistants"]
        for v in [a["votes"]]
        if v["decisive"] or v["ties"] or v["both_bad"]
    ]
    result.append(("Blind votes per assistant", header, rows))
    header = ["Pair", "Decisive", "Wins", "Win rate of first [95% Wilson]", "Sign test p", "Ties", "Both bad", "Enough votes"]
    rows = [
        [f"{h['a_name']} vs {h['b_name']}", str(h["decisive"]), f"{h['a_wins']}-{h['b_wins']}",
         _interval(h["a_win_rate"], h["low"], h["high"], pct=True), _p(h["p_value"]), str(h["ties"]), str(h["both_bad"]),
         "yes" if h["enough_votes"] else "no"]
        for h in section["head_to_head"]
    ]
    result.append(("Head to head", header, rows))
    bt = section.get("bradley_terry")
    if bt:
        rows = [[s["name"], _interval(s["strength"], s["low"], s["high"], digits=3)] for s in bt["strengths"]]
        result.append((BT_TITLE, ["Assistant", "Strength"], rows))
    return result


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def same_as_whole(report_data: dict[str, Any], group: dict[str, Any], label: str) -> str | None:
    """The sentence that replaces a group's tables when the group *is* the whole report.

    Why: with one template (or a report filtered to one category) the breakdown repeated every table
    word for word, doubling the page; a reader then hunts for a difference that is not there.
    """
    total = report_data["totals"]["projects"]
    if group["projects"] != total or not total:
        return None
    every = "The only project" if total == 1 else f"All {total:,} projects"
    return f"{every} {'is' if total == 1 else 'are'} in this {label}: the tables above apply."


def to_markdown(report: Report) -> str:
    """Markdown for chat and docs: the plain-words findings first, then the tables behind them."""
    d = report.data
    t = d["totals"]
    out = ["# Assistant comparison report", ""]
    scope = f" in category '{d['filter']['category']}'" if d["filter"].get("category") else ""
    out.append(
        f"{plural(t['projects'], 'project')}{scope}, {plural(t['events'], 'event')}, "
        f"{plural(d['comparisons'], 'blind comparison')}. {d['votes_needed_explained']}"
    )
    out.append("")
    if d["notes"]:
        out += ["## What the numbers can and cannot say", ""] + [f"- {n}" for n in d["notes"]] + [""]
    for title, header, rows in tables(d, d["criteria"], full=True):
        out += [f"## {title}", "", _md_table(header, rows) if rows else "_none yet_", ""]
        if title == BT_TITLE and d["bradley_terry"]:
            out += [f"_{d['bradley_terry']['explained']}_", ""]
    out += [f"_{d['position']['text']}_", ""]
    for key, label in (("by_category", "category"), ("by_template", "template")):
        for group in d[key]:
            out += [f"## By {label}: {group['group']} ({plural(group['projects'], 'project')})", ""]
            same = same_as_whole(d, group, label)
            if same:
                out += [f"_{same}_", ""]
                continue
            for title, header, rows in tables(group, d["criteria"], full=True):
                if rows:
                    out += [f"### {title}", "", _md_table(header, rows), ""]
            out += [f"_{group['position']['text']}_", ""]
    if t["duplicates_skipped"] or t["damaged_lines"]:
        out.append(f"Skipped {t['duplicates_skipped']} repeated events (merged ledgers) and {t['damaged_lines']} damaged lines.")
    return "\n".join(out).rstrip() + "\n"


CSV_COLUMNS = [
    "id", "at", "kind", "project", "title", "category", "template", "variant", "assistant", "by",
    "minutes", "seconds", "exit_code", "timed_out", "cost_usd", "comparison", "side", "a", "b", "a_assistant",
    "b_assistant", "winner", "winner_assistant", "reason", "note",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_row(values: list[Any]) -> list[Any]:
    """Cells for the csv module (which writes None as empty): text a spreadsheet would run as a
    formula gets a leading apostrophe; lists and mappings become JSON; booleans true/false."""
    for i, value in enumerate(values):
        kind = type(value)
        if kind is str:
            if value and value[0] in _FORMULA_START:
                values[i] = "'" + value
        elif kind is bool:
            values[i] = "true" if value else "false"
        elif kind is list or kind is dict:
            text = json.dumps(value, ensure_ascii=False)
            values[i] = "'" + text if text[:1] in _FORMULA_START else text
    return values


def to_csv(report: Report) -> str:
    """One row per event (tidy): the event's fields, its project's context and one column per criterion."""
    if report.events is None:
        raise ReportError("this report was built without its events; build it with keep_events=True for CSV")
    criteria = [c["id"] for c in report.data["criteria"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [f"score_{c}" for c in criteria])
    own = [c for c in CSV_COLUMNS if c not in ("title", "category", "template", "cost_usd")]
    index = {c: i for i, c in enumerate(CSV_COLUMNS)}
    title_at, category_at, template_at, cost_at = (index[c] for c in ("title", "category", "template", "cost_usd"))
    positions = [index[c] for c in own]
    width = len(CSV_COLUMNS)
    projects = report.projects
    empty: dict[str, Any] = {}
    folders = report.event_projects or [None] * len(report.events)
    project_at = index["project"]
    for event, folder in zip(report.events, folders):
        row: list[Any] = [None] * width
        get = event.get
        for column, at in zip(own, positions):
            row[at] = get(column)
        if folder is not None:
            row[project_at] = folder
        info = projects.get(str(row[project_at] or ""))
        if info is not None:
            row[title_at], row[category_at], row[template_at] = info.title, info.category, info.template
        result = get("result")
        if type(result) is dict:
            row[cost_at] = result.get("total_cost_usd")
        scores = get("scores")
        if type(scores) is not dict:
            scores = empty
        row.extend(scores.get(c) for c in criteria)
        writer.writerow(_csv_row(row))
    return buffer.getvalue()


# --- HTML with inline SVG ----------------------------------------------------------------------
PALETTE = ("#3b6fd8", "#d8773b", "#2f9e6e", "#a04cc4", "#c43b5a", "#6b7a8f", "#b59a1e", "#1e9bb5")


def bar_chart_svg(
    title: str,
    rows: list[tuple[str, float | None, float | None, float | None]],
    *,
    lo: float,
    hi: float,
    reference: float | None = None,
    percent: bool = False,
    colors: dict[str, str] | None = None,
) -> str:
    """A horizontal bar chart with interval whiskers, as standalone inline SVG (no script)."""
    label_w, chart_w, bar_h, gap, top = 210, 420, 18, 8, 30
    height = top + len(rows) * (bar_h + gap) + 24
    width = label_w + chart_w + 120

    def x(v: float) -> float:
        return label_w + (min(max(v, lo), hi) - lo) / (hi - lo) * chart_w

    def fmt(v: float) -> str:
        return f"{v:.0%}" if percent else (f"{v:.2f}" if hi - lo <= 10 else f"{v:.0f}")

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 20}" stroke="#999"/>',
    ]
    for tick in (lo, (lo + hi) / 2, hi):
        parts.append(f'<text x="{x(tick):.1f}" y="{height - 6}" text-anchor="middle" class="tick">{fmt(tick)}</text>')
    if reference is not None:
        parts.append(
            f'<line x1="{x(reference):.1f}" y1="{top - 4}" x2="{x(reference):.1f}" y2="{height - 20}" '
            'stroke="#555" stroke-dasharray="4 3"/>'
        )
    for index, (label, value, low, high) in enumerate(rows):
        y = top + index * (bar_h + gap)
        color = (colors or {}).get(label, PALETTE[index % len(PALETTE)])
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end" class="label">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 6}" y="{y + bar_h - 4}" class="tick">no data</text>')
            continue
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{max(0.0, x(value) - label_w):.1f}" height="{bar_h}" fill="{color}" rx="2">'
            f"<title>{escape(label)}: {fmt(value)}</title></rect>"
        )
        if low is not None and high is not None:
            mid = y + bar_h / 2
            parts.append(
                f'<g class="whisker" stroke="#222" stroke-width="1.5"><line x1="{x(low):.1f}" y1="{mid}" x2="{x(high):.1f}" y2="{mid}"/>'
                f'<line x1="{x(low):.1f}" y1="{y + 3}" x2="{x(low):.1f}" y2="{y + bar_h - 3}"/>'
                f'<line x1="{x(high):.1f}" y1="{y + 3}" x2="{x(high):.1f}" y2="{y + bar_h - 3}"/></g>'
            )
        text = fmt(value) + (f" [{fmt(low)}-{fmt(high)}]" if low is not None and high is not None else "")
        parts.append(f'<text x="{label_w + chart_w + 6}" y="{y + bar_h - 4}" class="value">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d1d1f;background:#fff}
h1{font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{margin-top:1.4rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td:first-child{white-space:nowrap}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:.5rem .8rem;margin:.4rem 0}
.chart{display:block;margin:.8rem 0;max-width:100%;height:auto}.chart-title{font-weight:600;font-size:14px}
.label,.value,.tick{font-size:12px;fill:#333}.muted{color:#666}
@media (prefers-color-scheme: dark){body{background:#16181d;color:#e6e6e6}th{background:#262a33}th,td{border-color:#3a3f4b}
.note{background:#3a3219;color:#f5e6b8}.label,.value,.tick,.chart-title{fill:#ddd}.whisker{stroke:#eee}}
"""


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i else ''}>{escape(str(c))}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _charts(section: dict[str, Any], criteria: list[dict[str, str]]) -> list[str]:
    charts = []
    names = [a["name"] for a in section["assistants"]]
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    voted = [a for a in section["assistants"] if a["votes"]["decisive"]]
    if voted:
        charts.append(bar_chart_svg(
            "Blind-vote win rate (decisive votes), 95% Wilson interval",
            [(a["name"], a["votes"]["win_rate"], a["votes"]["low"], a["votes"]["high"]) for a in voted],
            lo=0, hi=1, reference=0.5, percent=True, colors=colors,
        ))
    rated = [a for a in section["assistants"] if a["ratings"]]
    if rated:
        charts.append(bar_chart_svg(
            "Mean rating (1-5, all criteria), 95% interval",
            [(a["name"], *rating_cell(a["overall"])) for a in rated],
            lo=1, hi=5, reference=3, colors=colors,
        ))
        for c in criteria:
            rows = [(a["name"], *rating_cell(a["criteria"][c["id"]])) for a in rated if a["criteria"][c["id"]]["n"]]
            if rows:
                charts.append(bar_chart_svg(f"{c['label']} (1-5), 95% interval", rows, lo=1, hi=5, reference=3, colors=colors))
    bt = section.get("bradley_terry")
    if bt:
        charts.append(bar_chart_svg(
            "Bradley-Terry strength, 95% bootstrap interval",
            [(s["name"], s["strength"], s["low"], s["high"]) for s in bt["strengths"]],
            lo=0, hi=1, reference=1 / len(bt["strengths"]), colors=colors,
        ))
    return charts


def to_html(report: Report) -> str:
    """A self-contained page: inline CSS and SVG, no JavaScript, no external files."""
    d = report.data
    t = d["totals"]
    scope = f" in category “{d['filter']['category']}”" if d["filter"].get("category") else ""
    out = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Assistant comparison report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Assistant comparison report</h1>",
        f"<p>{plural(t['projects'], 'project')}{escape(scope)}, {plural(t['events'], 'event')}, "
        f"{plural(d['comparisons'], 'blind comparison')}.</p>",
        f"<p class=\"muted\">{escape(d['votes_needed_explained'])}</p>",
    ]
    if d["notes"]:
        out.append("<h2>What the numbers can and cannot say</h2>")
        out += [f"<p class=\"note\">{escape(n)}</p>" for n in d["notes"]]
    out += ["<h2>Charts</h2>", *_charts(d, d["criteria"])]
    for title, header, rows in tables(d, d["criteria"], full=True):
        out += [f"<h2>{escape(title)}</h2>", _html_table(header, rows) if rows else "<p class=muted>None yet.</p>"]
        if title == BT_TITLE and d["bradley_terry"]:
            out.append(f"<p class=muted>{escape(d['bradley_terry']['explained'])}</p>")
    out.append(f"<p class=\"note\">{escape(d['position']['text'])}</p>")
    for key, label in (("by_category", "category"), ("by_template", "template")):
        for group in d[key]:
            out.append(f"<h2>By {label}: {escape(group['group'])} <span class=muted>({plural(group['projects'], 'project')})</span></h2>")
            same = same_as_whole(d, group, label)
            if same:
                out.append(f"<p class=muted>{escape(same)}</p>")
                continue
            out += _charts(group, [])
            for title, header, rows in tables(group, d["criteria"], full=True):
                if rows:
                    out += [f"<h3>{escape(title)}</h3>", _html_table(header, rows)]
            out.append(f"<p class=\"note\">{escape(group['position']['text'])}</p>")
    if t["duplicates_skipped"] or t["damaged_lines"]:
        out.append(
            f"<p class=muted>Skipped {t['duplicates_skipped']} repeated events (merged ledgers) and "
            f"{t['damaged_lines']} damaged lines.</p>"
        )
    out.append("</body></html>\n")
    return "\n".join(out)


def write(report: Report, fmt: str, output: Path | None) -> str | None:
    """Render and write to ``output`` atomically, or return the text for stdout."""
    text = render(report, fmt)
    if output is None:
        return text
    from sandbox.core.fs import atomic_write

    output = Path(output)
    if output.is_dir():
        raise ReportError(f"--output {output} is a folder; give a file name, like {output / ('report.' + fmt)}")
    # A CSV *file* starts with a UTF-8 byte order mark: without it Excel reads the file as the
    # local code page and shows "CafÃ©" for "Café". Printed CSV (for pipes and scripts) has none.
    data = ("\ufeff" + text if fmt == "csv" else text).encode("utf-8")
    try:
        atomic_write(output, data, fsync=False)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    return None
