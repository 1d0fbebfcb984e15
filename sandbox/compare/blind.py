"""Blind A/B comparisons: pair two variants, record the positions, take the vote, then reveal.

Why blind, randomised A/B: a designer who knows which assistant made a prototype judges the brand,
not the work. ``start_comparison`` picks two variants, flips a coin for which one is shown as A and
records the positions in a ``compare`` event *before* anyone sees them; ``vote`` records the outcome
against those positions and only then returns the names (the reveal). Recording the positions lets
the report check for position bias (does A win more often than chance?).

How a side is *shown* without its name is ``blind_preview``'s job.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandbox.compare.rubric import FeedbackError
from sandbox.core import ledger
from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.core.ledger import Event
    from sandbox.workspace import Project, Workspace

WINNERS = ("A", "B", "tie", "both-bad")


@dataclass(frozen=True)
class Comparison:
    """A blind pairing: which variant is shown as A and which as B."""

    id: str
    project: str
    a: str
    b: str
    a_assistant: str
    b_assistant: str
    at: str = ""

    def variant(self, side: str) -> str:
        return self.a if side == "A" else self.b

    def assistant(self, side: str) -> str:
        return self.a_assistant if side == "A" else self.b_assistant

    def blind_dict(self) -> dict[str, str]:
        """What may be shown before the vote: no variant ids, no assistant names."""
        return {"comparison": self.id, "project": self.project, "at": self.at}

    def to_dict(self) -> dict[str, str]:
        return {
            **self.blind_dict(), "a": self.a, "b": self.b, "a_assistant": self.a_assistant,
            "b_assistant": self.b_assistant,
        }


def variant_assistant(project: Project, variant: str) -> str:
    """The assistant a variant belongs to: variants are named after their assistant's id."""
    return variant


def assistant_name(workspace: Workspace, assistant_id: str | None) -> str:
    """Display name of an assistant id (the id itself for one the registry does not know)."""
    if not assistant_id:
        return "-"
    try:
        known = workspace.registry.get(assistant_id)
    except SandboxError:
        known = None
    return str(known.name) if known is not None else assistant_id


def _comparison_from(event: Mapping[str, object], slug: str) -> Comparison | None:
    try:
        return Comparison(
            id=str(event["comparison"]),
            project=slug,
            a=str(event["a"]),
            b=str(event["b"]),
            a_assistant=str(event.get("a_assistant") or event["a"]),
            b_assistant=str(event.get("b_assistant") or event["b"]),
            at=str(event.get("at") or ""),
        )
    except KeyError:
        return None


def pending_comparison(workspace: Workspace, slug: str) -> Comparison | None:
    """The latest comparison of this project that has no vote yet, if any."""
    project = workspace.project(slug)
    events = project.events()
    voted = {e.get("comparison") for e in events if e.get("kind") == ledger.VOTE}
    for event in reversed(events):
        if event.get("kind") == ledger.COMPARE and event.get("comparison") not in voted:
            comparison = _comparison_from(event, slug)
            if comparison is not None and all(v in project.variant_ids() for v in (comparison.a, comparison.b)):
                return comparison
    return None


def start_comparison(
    workspace: Workspace, slug: str, variants: list[str] | None = None, *, rng: random.Random | None = None
) -> Comparison:
    """Pair two variants, randomise which is A, and record the pairing in a ``compare`` event.

    Without ``variants``, the pair with the fewest votes so far is chosen (ties at random), so a
    project with three or more variants gets every pair compared in turn.
    """
    rng = rng or random.SystemRandom()
    project = workspace.project(slug)
    available = project.variant_ids()
    if variants:
        chosen = list(dict.fromkeys(variants))
        missing = [v for v in chosen if v not in available]
        if missing:
            raise FeedbackError(
                f"project '{slug}' has no variant '{missing[0]}' (variants: {', '.join(available) or 'none'})"
            )
        if len(chosen) != 2:
            raise FeedbackError("a comparison needs exactly two different variants")
        pair = chosen
    else:
        pair = _least_voted_pair(project, available, rng)
    if rng.random() < 0.5:
        pair.reverse()
    a, b = pair
    event = project.append(
        ledger.COMPARE,
        comparison=os.urandom(8).hex(),
        a=a,
        b=b,
        a_assistant=variant_assistant(project, a),
        b_assistant=variant_assistant(project, b),
    )
    comparison = _comparison_from(event, slug)
    assert comparison is not None  # the event was written just above with every field
    return comparison


def _least_voted_pair(project: Project, available: list[str], rng: random.Random) -> list[str]:
    """The pair with the fewest votes so far (ties at random): every pair gets its turn."""
    if len(available) < 2:
        raise FeedbackError(f"project '{project.slug}' needs two variants to compare; it has {len(available)}")
    counts: dict[frozenset[str], int] = {}
    for event in project.events():
        if event.get("kind") == ledger.VOTE:
            key = frozenset((str(event.get("a")), str(event.get("b"))))
            counts[key] = counts.get(key, 0) + 1
    pairs = [(x, y) for i, x in enumerate(available) for y in available[i + 1 :]]
    fewest = min(counts.get(frozenset(p), 0) for p in pairs)
    return list(rng.choice([p for p in pairs if counts.get(frozenset(p), 0) == fewest]))


def normalise_winner(winner: str) -> str:
    """'a', 'B', 'Tie', 'both bad', 'both_bad' -> one of WINNERS."""
    text = str(winner).strip().lower().replace("_", "-").replace(" ", "-")
    mapping = {"a": "A", "b": "B", "tie": "tie", "both-bad": "both-bad", "bothbad": "both-bad", "neither": "both-bad"}
    if text not in mapping:
        raise FeedbackError(f"the vote must be A, B, tie or both-bad, not {winner!r}")
    return mapping[text]


def vote(workspace: Workspace, slug: str, winner: str, *, reason: str | None = None, by: str | None = None) -> Event:
    """Record the vote on the pending comparison; the returned event reveals who was A and B."""
    outcome = normalise_winner(winner)
    comparison = pending_comparison(workspace, slug)
    if comparison is None:
        raise FeedbackError(
            f"no comparison is waiting for a vote in '{slug}'; start one with 'sandbox compare {slug}'"
        )
    return record_vote(workspace, comparison, outcome, reason=reason, by=by)


def record_vote(
    workspace: Workspace, comparison: Comparison, winner: str, *, reason: str | None = None, by: str | None = None
) -> Event:
    """Append the ``vote`` event for ``comparison`` (the TUI holds its comparison and calls this)."""
    outcome = normalise_winner(winner)
    project = workspace.project(comparison.project)
    winner_assistant = {"A": comparison.a_assistant, "B": comparison.b_assistant}.get(outcome)
    return project.append(
        ledger.VOTE,
        comparison=comparison.id,
        a=comparison.a,
        b=comparison.b,
        a_assistant=comparison.a_assistant,
        b_assistant=comparison.b_assistant,
        winner=outcome,
        winner_assistant=winner_assistant,
        reason=(reason or "").strip() or None,
        by=by,
    )


def reveal_text(workspace: Workspace, comparison: Comparison | Mapping[str, object], winner: str | None = None) -> str:
    """'A was Claude Code, B was GitHub Copilot. You preferred A (Claude Code).'"""
    if isinstance(comparison, Comparison):
        a_id, b_id = comparison.a_assistant, comparison.b_assistant
    else:
        a_id, b_id = str(comparison.get("a_assistant")), str(comparison.get("b_assistant"))
    a_name, b_name = assistant_name(workspace, a_id), assistant_name(workspace, b_id)
    text = f"A was {a_name}, B was {b_name}."
    if winner == "A":
        text += f" You preferred A ({a_name})."
    elif winner == "B":
        text += f" You preferred B ({b_name})."
    elif winner == "tie":
        text += " You called it a tie."
    elif winner == "both-bad":
        text += " You found both bad."
    return text
