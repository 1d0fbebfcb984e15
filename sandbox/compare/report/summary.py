"""The summary: the counts turned into the report's sections, the numbers every exporter shows.

The same summary (assistants, head-to-head, Bradley-Terry, position bias, findings) is computed
for the whole workspace, for each category and for each template. Win rates carry Wilson intervals,
the sign test gives a p-value, and when a pair has fewer decisive votes than it takes to tell 60/40
from 50/50, the findings say so in words.

Ties and both-bad votes are shown apart: they carry no preference, so they are left out of win rates
and the sign test. Bradley-Terry counts a tie as half a win each way and ignores both-bad.

It reads only aggregated counts (``counts.Counts``), whoever computed them: the statistics that need
Python run on a few hundred numbers, not on the events. A new part of each section is one function
in ``EXTRA_SECTIONS`` reading the rows of its aggregate (``engine.aggregates.EXTRA``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.compare import stats
from sandbox.compare.report import findings, stats_memo

if TYPE_CHECKING:
    from sandbox.compare.report.counts import AssistantCounts, Counts, ScopeCounts
    from sandbox.compare.report.model import Section

BT_PRIOR = 0.5  # virtual wins each way per pair: one imaginary tie
SCHEMA = 1


@dataclass(frozen=True)
class SummaryContext:
    """What every part of a section may need besides its own rows."""

    criteria: list[dict[str, str]]
    names: dict[str, str]
    needed: int


# Parts of each section beyond the core ones: key in the section -> function of the rows of the
# aggregate of the same name (``ScopeCounts.extra[key]``). Register one with its aggregate.
EXTRA_SECTIONS: dict[str, Callable[[list[tuple[Any, ...]], SummaryContext], Any]] = {}


def report_data(
    counts: Counts,
    criteria: list[dict[str, str]],
    names: dict[str, str],
    *,
    category: str | None,
    replicates: int,
    group_replicates: int,
    seed: int,
) -> Section:
    """The whole report as JSON-ready data: totals, the workspace's summary, then each slice's."""
    needed = stats.votes_needed()
    memo = stats_memo.memo()
    memo.t_quantiles()
    data: Section = {
        "schema": SCHEMA,
        "filter": {"category": category} if category else {},
        "totals": {
            "projects": len(counts.projects),
            "events": counts.event_count,
            "duplicates_skipped": counts.duplicates,
            "damaged_lines": counts.damaged,
            "newer_schema_skipped": counts.newer,
            "kinds": dict(sorted(counts.kinds.items())),
        },
        "criteria": criteria,
        "votes_needed": needed,
        "votes_needed_explained": findings.votes_needed_text(needed),
        **summarise(counts.overall, criteria, names, needed, replicates, seed, memo),
        "by_category": [
            {"group": name, **summarise(scope, criteria, names, needed, group_replicates, seed, memo)}
            for name, scope in sorted(counts.by_category.items())
        ],
        "by_template": [
            {"group": name, **summarise(scope, criteria, names, needed, group_replicates, seed, memo)}
            for name, scope in sorted(counts.by_template.items())
        ],
    }
    memo.save()
    return data


def summarise(
    scope: ScopeCounts,
    criteria: list[dict[str, str]],
    names: dict[str, str],
    needed: int,
    replicates: int,
    seed: int,
    memo: stats_memo.StatsMemo | None = None,
) -> Section:
    """Tables for one scope: per assistant, head-to-head, Bradley-Terry, position bias, notes."""
    tally = _tally(scope.votes)
    assistants = [
        _assistant_row(aid, scope.assistants[aid], tally.per_assistant.get(aid, [0, 0, 0, 0]), criteria, names)
        for aid in sorted(scope.assistants)
    ]
    head_to_head, notes = _head_to_head(tally.pairs, names, needed)
    if not scope.votes:
        notes.insert(0, findings.NO_VOTES)
    section: Section = {
        "projects": scope.projects,
        "comparisons": scope.comparisons,
        "assistants": assistants,
        "head_to_head": head_to_head,
        "bradley_terry": _bradley_terry(tally, names, replicates, seed, memo or stats_memo.StatsMemo(None)),
        "position": _position(*tally.position),
        "notes": notes,
    }
    if EXTRA_SECTIONS:
        context = SummaryContext(criteria, names, needed)
        for key, part in EXTRA_SECTIONS.items():
            section[key] = part(scope.extra.get(key, []), context)
    return section


@dataclass
class _Tally:
    """Votes counted three ways: per pair, per assistant, and as Bradley-Terry outcomes."""

    # per pair, from the point of view of the alphabetically first: [x wins, y wins, ties, both bad]
    pairs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    position: list[int] = field(default_factory=lambda: [0, 0])  # decisive votes won by A, by B
    per_assistant: dict[str, list[int]] = field(default_factory=dict)  # [wins, losses, ties, both bad]
    bt_counts: dict[tuple[str, str, float], int] = field(default_factory=dict)  # (x, y, score of x) -> n


def _tally(votes: dict[tuple[str, str, str], int]) -> _Tally:
    tally = _Tally()
    per_assistant, bt_counts = tally.per_assistant, tally.bt_counts
    for (a, b, winner), count in votes.items():
        x, y = (a, b) if a < b else (b, a)
        slot = tally.pairs.setdefault((x, y), [0, 0, 0, 0])
        if winner in ("A", "B"):
            won = a if winner == "A" else b
            tally.position[0 if winner == "A" else 1] += count
            slot[0 if won == x else 1] += count
            lost = b if won == a else a
            per_assistant.setdefault(won, [0, 0, 0, 0])[0] += count
            per_assistant.setdefault(lost, [0, 0, 0, 0])[1] += count
            key = (x, y, 1.0 if won == x else 0.0)
            bt_counts[key] = bt_counts.get(key, 0) + count
        elif winner == "tie":
            slot[2] += count
            for aid in (a, b):
                per_assistant.setdefault(aid, [0, 0, 0, 0])[2] += count
            key = (x, y, 0.5)
            bt_counts[key] = bt_counts.get(key, 0) + count
        else:
            slot[3] += count
            for aid in (a, b):
                per_assistant.setdefault(aid, [0, 0, 0, 0])[3] += count
    return tally


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _win_rate(wins: int, decisive: int) -> dict[str, float | None]:
    """Win rate, its 95% Wilson interval and the sign test's p-value; all None without decisive votes."""
    if not decisive:
        return {"win_rate": None, "low": None, "high": None, "p_value": None}
    low, high = stats.wilson(wins, decisive)
    return {
        "win_rate": _round(wins / decisive),
        "low": _round(low),
        "high": _round(high),
        "p_value": _round(stats.sign_test(wins, decisive - wins), 4),
    }


def interval_dict(n: float, total: float, total_sq: float) -> dict[str, Any]:
    """Mean and Student-t 95% interval of ratings from their count, sum and sum of squares."""
    mean, low, high = stats.mean_ci_from_sums(int(n), total, total_sq)
    return {"n": int(n), "mean": _round(mean, 2), "low": _round(low, 2), "high": _round(high, 2)}


def _assistant_row(
    aid: str, acc: AssistantCounts, votes: list[int], criteria: list[dict[str, str]], names: dict[str, str]
) -> dict[str, Any]:
    wins, losses, ties, both_bad = votes
    decisive = wins + losses
    rate = _win_rate(wins, decisive)
    return {
        "id": aid,
        "name": names.get(aid, aid),
        "projects": acc.projects,
        "ratings": acc.ratings,
        "criteria": {c["id"]: interval_dict(*acc.criteria.get(c["id"], (0, 0.0, 0.0))) for c in criteria},
        "overall": interval_dict(*acc.overall),
        "votes": {"wins": wins, "losses": losses, "ties": ties, "both_bad": both_bad, "decisive": decisive, **rate},
        "sessions": acc.sessions,
        "session_minutes": round(acc.session_seconds / 60, 1),
        "rating_minutes": round(acc.rating_minutes, 1),
        "runs": acc.runs,
        "runs_ok": acc.runs_ok,
        "run_success_rate": _round(acc.runs_ok / acc.runs) if acc.runs else None,
        "run_median_seconds": _round(acc.run_median_seconds, 1),
        "runs_with_cost": acc.runs_with_cost,
        "run_cost_usd": round(acc.run_cost_usd, 4) if acc.runs_with_cost else None,
        "first_working": {
            "projects": len(acc.first_working_hours),
            "median_hours": _round(stats.median(acc.first_working_hours), 2),
        },
    }


def _head_to_head(
    pairs: dict[tuple[str, str], list[int]], names: dict[str, str], needed: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """One row and one finding per pair, in alphabetical order, then the many-pairs caution."""
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for (x, y), (x_wins, y_wins, ties, both_bad) in sorted(pairs.items()):
        decisive = x_wins + y_wins
        rate = _win_rate(x_wins, decisive)
        rows.append(
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
                "a_win_rate": rate["win_rate"],
                "low": rate["low"],
                "high": rate["high"],
                "p_value": rate["p_value"],
                "enough_votes": decisive >= needed,
            }
        )
        low, high = stats.wilson(x_wins, decisive)
        notes.append(findings.pair_note(names.get(x, x), names.get(y, y), x_wins, y_wins, low, high, needed))
    caution = findings.many_pairs_caution(sum(1 for counts in pairs.values() if counts[0] + counts[1]))
    if caution:
        notes.append(caution)
    return rows, notes


def _bradley_terry(
    tally: _Tally, names: dict[str, str], replicates: int, seed: int, memo: stats_memo.StatsMemo
) -> dict[str, Any] | None:
    """Strengths with bootstrap intervals, once three or more assistants have votes that count.

    With two assistants the win rate says it all; both-bad votes carry no preference, so an
    assistant with only those is left out.
    """
    pairs = tally.pairs
    voters = sorted({aid for pair in pairs for aid in pair if sum(pairs[pair][:3]) > 0})
    if len(voters) < 3 or not tally.bt_counts:
        return None
    # the votes in a fixed order (not the order they were read in): the seeded bootstrap then gives
    # the same intervals whichever order the sources were given or the database returned them
    counts = dict(sorted(tally.bt_counts.items()))
    fit = memo.bootstrap(voters, counts, replicates=replicates, seed=seed, prior=BT_PRIOR)
    strengths: list[dict[str, Any]] = [
        {
            "id": aid,
            "name": names.get(aid, aid),
            "strength": _round(fit.strengths[aid], 4),
            "low": _round(fit.low[aid], 4),
            "high": _round(fit.high[aid], 4),
        }
        for aid in voters
    ]
    return {
        "replicates": fit.replicates,
        "seed": fit.seed,
        "prior_ties_per_pair": BT_PRIOR * 2,
        "explained": findings.BRADLEY_TERRY_EXPLAINED,
        "strengths": sorted(strengths, key=lambda r: -r["strength"]),
    }


def _position(a_wins: int, b_wins: int) -> dict[str, Any]:
    """Position bias: how often the side shown as A won (positions are random, so about half)."""
    decisive = a_wins + b_wins
    rate = _win_rate(a_wins, decisive)
    low, high = stats.wilson(a_wins, decisive)
    return {
        "decisive": decisive,
        "a_wins": a_wins,
        "b_wins": b_wins,
        "a_win_rate": rate["win_rate"],
        "low": rate["low"],
        "high": rate["high"],
        "p_value": rate["p_value"],
        "text": findings.position_text(a_wins, decisive, low, high, stats.sign_test(a_wins, b_wins)),
    }
